//! Generates a benchmark corpus: N fake BOSH VM roots of about M MB of realistic logs each
//! (lager JSON from rep/garden/route_emitter/metron, bosh-agent svlogd lines, gorouter
//! access lines, syslog, kern), with a planted secret every few thousand lines (the
//! collector must redact them) and a rare real failure line (the analyzer must find them).
//!
//! Usage: gen_corpus OUT_DIR VMS MB_PER_VM
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};
use testkit::lines::{healthy_lines, Kind};

/// Share of a VM's bytes per kind of log.
const MIX: [(Kind, f64); 8] = [
    (Kind::Rep, 0.28),
    (Kind::Garden, 0.20),
    (Kind::GorouterAccess, 0.25),
    (Kind::Agent, 0.10),
    (Kind::RouteEmitter, 0.09),
    (Kind::Metron, 0.04),
    (Kind::Syslog, 0.03),
    (Kind::Kern, 0.01),
];

/// Planted every this many lines of rep: a URL with credentials (illustrative).
const SECRET_EVERY: u64 = 5_000;
/// Planted every this many lines of rep: a real failure message (seed 001, `ERR Downloading Failed` shape).
const FAILURE_EVERY: u64 = 20_011;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: gen_corpus OUT_DIR VMS MB_PER_VM");
        std::process::exit(2);
    }
    let out = Path::new(&args[1]);
    let vms: usize = args[2].parse().expect("VMS");
    let mb: f64 = args[3].parse().expect("MB_PER_VM");
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    for v in 0..vms {
        let id = format!("5b0d2c4e-8f7a-4d3b-9e61-{v:012}");
        let root = out.join(format!("vm-{v:03}"));
        let mut vm = testkit::FakeVm::new_in(&root, "cf", "diego_cell", &id, "z1");
        vm.job("rep").config("rep.json", "{\"bbs_address\":\"https://bbs.service.cf.internal:8889\",\"blobstore_password\":\"bench-s3cret-value\"}\n");
        for (kind, share) in MIX {
            let path = root.join(kind.default_path());
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
            let budget = (mb * share * 1_000_000.0) as u64;
            let mut written = 0u64;
            let mut n = 0u64;
            for line in
                healthy_lines(kind, usize::MAX, start).with_identity("cf", "diego_cell", &id)
            {
                n += 1;
                let extra = if kind == Kind::Rep && n % SECRET_EVERY == 0 {
                    Some(format!("{{\"timestamp\":\"1795000000.{n:06}\",\"source\":\"rep\",\"message\":\"rep.fetching-asset\",\"log_level\":1,\"data\":{{\"url\":\"https://blob-user:planted-pw-{n}@blobstore.service.cf.internal/droplet\"}}}}"))
                } else if kind == Kind::Rep && n % FAILURE_EVERY == 0 {
                    Some(format!("{{\"timestamp\":\"1795000000.{n:06}\",\"source\":\"rep\",\"message\":\"rep.executing-container-operation.ordinary-lrp-processor.process-reserved-container.run-container.containerstore-run.node-run.setup.download-step.failed-to-fetch\",\"log_level\":2,\"data\":{{\"error\":\"Get https://file-server.service.cf.internal:8447/v1/static/x: remote error: tls: bad certificate\"}}}}"))
                } else {
                    None
                };
                for l in std::iter::once(line).chain(extra) {
                    w.write_all(l.as_bytes()).unwrap();
                    w.write_all(b"\n").unwrap();
                    written += l.len() as u64 + 1;
                }
                if written >= budget {
                    break;
                }
            }
            w.flush().unwrap();
        }
        vm.keep();
    }
}
