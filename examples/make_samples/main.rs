//! Regenerates `samples/<scenario>/bundles/*.tgz`: for each scenario, fake VM roots are laid
//! out with testkit and collected with the real collector (`collector::run::run`), with
//! stand-in `monit`/`df`/`free`/`dmesg` programs printing the scenario's state (real
//! programs' output formats) so the bundles are real `vcap-collect` bundles of a broken
//! foundation. After regenerating, bless the expected reports:
//!
//! ```sh
//! cargo run --example make_samples            # all scenarios, or name some
//! VCAP_DIAG_BLESS=1 cargo test --test samples  # rewrite samples/*/expected.json
//! ```
//!
//! Log lines: where a line comes from a real source (a seed, a component's source, a public
//! issue) the scenario says so; the rest are testkit's healthy traffic.

use collector::config::{Config, Output};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};
use testkit::lines::{self, healthy_lines, Kind, LagerLevel};
use testkit::FakeVm;

mod scenarios;

/// Lays out a VM's files, given the collection time.
pub type Build = Box<dyn Fn(&mut FakeVm, SystemTime)>;

/// One VM of a scenario: how to lay it out, and what its commands print.
pub struct Vm {
    pub group: &'static str,
    pub id: &'static str,
    pub az: &'static str,
    pub build: Build,
    /// `monit summary` output (the VM's processes), if monit answers.
    pub monit_summary: Option<String>,
    /// `df -P` and `df -Pi` output.
    pub df: Option<(String, String)>,
    /// `dmesg` output.
    pub dmesg: Option<String>,
}

pub struct Scenario {
    pub name: &'static str,
    pub deployment: &'static str,
    pub vms: Vec<Vm>,
}

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let now = SystemTime::now();
    for s in scenarios::all() {
        if !only.is_empty() && !only.iter().any(|o| o == s.name) {
            continue;
        }
        let out = repo.join("samples").join(s.name).join("bundles");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        for vm in &s.vms {
            collect(&s, vm, &out, now);
        }
        eprintln!("samples/{}: {} bundles", s.name, s.vms.len());
    }
}

fn collect(s: &Scenario, vm: &Vm, out: &Path, now: SystemTime) {
    let tmp = tempfile::tempdir().unwrap();
    let mut fake = FakeVm::new_in(
        tmp.path().join("root"),
        s.deployment,
        vm.group,
        vm.id,
        vm.az,
    );
    (vm.build)(&mut fake, now);
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let standin = |name: &str, script: String| {
        let p = bin.join(name);
        std::fs::write(&p, script).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    };
    match &vm.monit_summary {
        Some(text) => standin("monit", format!("#!/bin/sh\n[ \"$1\" = summary ] && /bin/cat <<'EOF'\n{text}EOF\nexit 0\n")),
        // What the monit 5.2 client prints when its daemon is not running (its status()
        // function: "%s: no status available -- the monit daemon is not running").
        None => standin("monit", "#!/bin/sh\necho 'monit: no status available -- the monit daemon is not running' >&2\nexit 1\n".into()),
    }
    let (df, dfi) = vm
        .df
        .clone()
        .unwrap_or_else(|| (healthy_df(false), healthy_df(true)));
    standin("df", format!("#!/bin/sh\nif [ \"$1\" = -Pi ]; then /bin/cat <<'EOF'\n{dfi}EOF\nelse /bin/cat <<'EOF'\n{df}EOF\nfi\n"));
    standin("free", "#!/bin/sh\n/bin/cat <<'EOF'\n               total        used        free      shared  buff/cache   available\nMem:      8348520448  3012345856  1123456789    12345678  4212717803  5012345678\nSwap:              0           0           0\nEOF\n".into());
    let dmesg = vm.dmesg.clone().unwrap_or_default();
    standin(
        "dmesg",
        format!("#!/bin/sh\n/bin/cat <<'EOF'\n{dmesg}EOF\n"),
    );
    for real in ["date", "uname", "uptime"] {
        if let Some(p) = which(real) {
            std::os::unix::fs::symlink(p, bin.join(real)).unwrap();
        }
    }
    // The collector finds commands through PATH (then /var/vcap/bosh/bin, absent here).
    std::env::set_var("PATH", &bin);
    let mut cfg = Config::new(fake.root().to_path_buf());
    cfg.output = Output::Dir(out.to_path_buf());
    cfg.command_timeout = Duration::from_secs(5);
    cfg.min_free_bytes = 0;
    cfg.min_free_percent = 0.0;
    cfg.lower_priority = false;
    let outcome = collector::run::run(&cfg, &AtomicBool::new(false)).expect("bundle written");
    assert!(
        outcome.manifest.complete,
        "{:?}",
        outcome.manifest.incomplete_reason
    );
}

fn which(p: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(p))
        .find(|c| c.exists())
}

/// `df -P` / `df -Pi` of a healthy BOSH VM (device names and sizes of a typical stemcell).
pub fn healthy_df(inodes: bool) -> String {
    if inodes {
        "Filesystem      Inodes  IUsed   IFree IUse% Mounted on\n/dev/sda1       655360  98304  557056   15% /\n/dev/sdb2      6553600  40960 6512640    1% /var/vcap/data\ntmpfs          1019203      9 1019194    1% /var/vcap/data/sys/run\n".into()
    } else {
        "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/sda1          2995984  1499232   1322080      54% /\n/dev/sdb2        101556032  8388608  87980208       9% /var/vcap/data\ntmpfs                 1024        8      1016       1% /var/vcap/data/sys/run\n".into()
    }
}

/// `df -P` with one mount at `percent`.
pub fn df_with(mount: &str, percent: u64) -> String {
    let size = 101_556_032u64;
    let used = size * percent / 100;
    format!(
        "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/sda1          2995984  1499232   1322080      54% /\n/dev/sdb2        {size} {used} {} {percent}% {mount}\n",
        size - used
    )
}

/// Healthy lines of `kind` for the `hours` before `now`.
/// Kept small: samples are committed.
pub fn healthy(kind: Kind, now: SystemTime, hours: u64, id: &str) -> Vec<String> {
    healthy_lines(kind, 600, now - Duration::from_secs(hours * 3600))
        .with_mean_gap(Duration::from_secs(hours * 3600 / 600))
        .with_identity("cf", "vm", id)
        .until(now - Duration::from_secs(60))
        .collect()
}

/// A lager line at `at` (float epoch, as most CF components write).
pub fn lager(at: SystemTime, source: &str, message: &str, level: LagerLevel, data: &str) -> String {
    lines::lager(at, source, message, level, data)
}
