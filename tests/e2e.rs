//! End to end: `vcap-collect --root <fake VM>` then `vcap-analyze analyze` on the result, and
//! the analyzer on `bosh logs` layouts, broken inputs and stdin.

mod common;

use assert_cmd::Command;
use common::collect;
use flate2::write::GzEncoder;
use std::path::{Path, PathBuf};

fn analyze(args: &[&str]) -> (i32, serde_json::Value, String) {
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .arg("analyze")
        .args(args)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("json report: {e}\n{}", String::from_utf8_lossy(&o.stderr)));
    (
        o.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn signatures(r: &serde_json::Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["signature"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn collected_sample_cell_yields_its_expired_certificate_and_no_secret() {
    let (vm, secrets) = testkit::sample_cell_temp();
    let out = tempfile::tempdir().unwrap();
    let bundle = collect(vm.root(), out.path());
    let (code, r, err) = analyze(&[bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let vm_name = format!("diego_cell/{}", testkit::CELL_ID);
    assert_eq!(r["bundles"][0]["vm"], vm_name.as_str());
    let expired: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["signature"] == "cert-expired")
        .collect();
    assert_eq!(expired.len(), 1, "{expired:?}");
    assert_eq!(
        expired[0]["path"],
        "var/vcap/jobs/rep/config/certs/bbs_client.crt"
    );
    assert_eq!(r["root_causes"][0]["signature"], "cert-expired");
    let certs = r["certificates"].as_array().unwrap();
    assert_eq!(certs[0]["status"], "expired", "soonest expiry first");
    // "Now" is the bundle's collection time, not the analysis time.
    assert_eq!(r["now"], r["bundles"][0]["collected_at"]);
    // The report carries no secret either (it quotes log lines).
    let text = r.to_string();
    for s in secrets.iter() {
        for needle in s.needles() {
            assert!(!text.contains(needle), "{} leaked into the report", s.label);
        }
    }
}

#[test]
fn planted_failure_lines_are_found_with_vm_job_line_and_time() {
    let mut vm = testkit::FakeVm::new(
        "cf",
        "diego_cell",
        "c0ffee00-0000-4000-8000-000000000001",
        "z1",
    );
    let now = std::time::SystemTime::now();
    let mut lines: Vec<String> = testkit::lines::healthy_lines(
        testkit::lines::Kind::Metron,
        50,
        now - std::time::Duration::from_secs(3600),
    )
    .collect();
    lines.push("panic: No dopplers listening on [udp]".into()); // seeds/000
    vm.job("metron_agent")
        .log("metron_agent.stderr.log", &lines);
    let out = tempfile::tempdir().unwrap();
    let bundle = collect(vm.root(), out.path());
    let (code, r, err) = analyze(&[bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["signature"] == "metron-no-dopplers")
        .expect("metron panic found");
    assert_eq!(f["vm"], "diego_cell/c0ffee00-0000-4000-8000-000000000001");
    assert_eq!(f["job"], "metron_agent");
    assert_eq!(f["line"], 51);
    assert_eq!(f["captures"]["protocols"], "udp");
    assert_eq!(r["unexplained"][0], f["id"], "nothing here explains it");
}

/// A `bosh logs` tarball: job folders at the root, the instance and time in its name.
fn bosh_logs_tgz(dir: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let path = dir.join(name);
    let mut b = tar::Builder::new(GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    ));
    for (p, body) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, p, body.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
    path
}

#[test]
fn bosh_logs_single_and_multi_instance_tarballs_are_vms_with_their_collection_time() {
    let dir = tempfile::tempdir().unwrap();
    // seeds/001: the cell's rep cannot download the droplet; bad tls.
    let rep = r#"{"timestamp":"1563024441.123456789","source":"rep","message":"rep.executing-container-operation.ordinary-lrp-processor.process-reserved-container.run-container.containerstore-run.node-run.setup.download-step.failed-to-fetch","log_level":2,"data":{"error":"Get https://file-server.service.cf.internal:8447/v1/static/buildpack_app_lifecycle/buildpack_app_lifecycle.tgz: remote error: tls: bad certificate"}}"#;
    let single = bosh_logs_tgz(
        dir.path(),
        "cf.diego_cell.5b0d2c4e-8f7a-4d3b-9e61-2a7c0f9d4b18-20190713-132721-123456789.tgz",
        &[("./rep/rep.stdout.log", rep)],
    );
    let (code, r, err) = analyze(&[single.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        r["bundles"][0]["vm"],
        "diego_cell/5b0d2c4e-8f7a-4d3b-9e61-2a7c0f9d4b18"
    );
    assert_eq!(
        r["bundles"][0]["collected_at"],
        "2019-07-13T13:27:21.123456789Z"
    );
    assert!(
        signatures(&r).contains(&"remote-bad-certificate".to_string()),
        "{:?}",
        signatures(&r)
    );
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["signature"] == "remote-bad-certificate")
        .unwrap();
    assert_eq!(
        f["path"], "var/vcap/sys/log/rep/rep.stdout.log",
        "bosh logs job folders map onto VM paths"
    );

    // `bosh logs` for several instances: one nested tgz per instance.
    let inner = tempfile::tempdir().unwrap();
    let a = bosh_logs_tgz(
        inner.path(),
        "diego_cell.aaaaaaaa-0000-4000-8000-000000000001.2019-07-13-13-27-21.tgz",
        &[("./rep/rep.stdout.log", rep)],
    );
    let b = bosh_logs_tgz(
        inner.path(),
        "router.bbbbbbbb-0000-4000-8000-000000000002.2019-07-13-13-27-21.tgz",
        &[("./gorouter/gorouter.stdout.log", "started\n")],
    );
    let outer = dir.path().join("logs_1563024441.tgz");
    let mut ob = tar::Builder::new(GzEncoder::new(
        std::fs::File::create(&outer).unwrap(),
        flate2::Compression::fast(),
    ));
    for p in [&a, &b] {
        ob.append_path_with_name(p, p.file_name().unwrap()).unwrap();
    }
    ob.into_inner().unwrap().finish().unwrap();
    let (code, r, err) = analyze(&[outer.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let vms: Vec<&str> = r["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["vm"].as_str().unwrap())
        .collect();
    assert_eq!(
        vms,
        [
            "diego_cell/aaaaaaaa-0000-4000-8000-000000000001",
            "router/bbbbbbbb-0000-4000-8000-000000000002"
        ]
    );
}

#[test]
fn a_truncated_bundle_is_exit_2_and_the_other_inputs_are_still_reported() {
    let (vm, _) = testkit::sample_cell_temp();
    let out = tempfile::tempdir().unwrap();
    let bundle = collect(vm.root(), out.path());
    let bytes = std::fs::read(&bundle).unwrap();
    let cut = out.path().join("cut.tgz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let log = out.path().join("metron_agent.stderr.log");
    std::fs::write(&log, "panic: No dopplers listening on [udp]\n").unwrap();
    let (code, r, _) = analyze(&[cut.to_str().unwrap(), log.to_str().unwrap(), "--partial"]);
    assert_eq!(code, 2, "an unreadable input is exit 2");
    let errors = r["coverage"]["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().unwrap().contains("cut.tgz")),
        "{errors:?}"
    );
    assert!(
        signatures(&r).contains(&"metron-no-dopplers".to_string()),
        "the loose log is still analyzed"
    );
    assert!(
        r["coverage"]["files"].as_u64().unwrap() > 1,
        "what was readable of the cut bundle was read"
    );
}

#[test]
fn fail_on_sets_exit_1_when_a_root_cause_reaches_the_severity() {
    let (vm, _) = testkit::sample_cell_temp();
    let out = tempfile::tempdir().unwrap();
    let bundle = collect(vm.root(), out.path());
    let (code, _, _) = analyze(&[bundle.to_str().unwrap(), "--fail-on", "critical"]);
    assert_eq!(code, 1, "the expired certificate is critical");
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(["analyze", "--fail-on", "bogus", bundle.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown severity"));
}

#[test]
fn stdin_is_matched_against_every_signature() {
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(["analyze", "-", "--format", "json", "-q"])
        .write_stdin(
            "Get https://10.0.0.6:25555/info: x509: certificate has expired or is not yet valid\n",
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["findings"][0]["signature"], "go-x509-expired");
    assert_eq!(r["findings"][0]["vm"], "stdin");
}

#[test]
fn markdown_and_text_reports_render_the_root_cause() {
    let (vm, _) = testkit::sample_cell_temp();
    let out = tempfile::tempdir().unwrap();
    let bundle = collect(vm.root(), out.path());
    for (format, needle) in [
        ("markdown", "### 1. Certificate expired"),
        ("text", "ROOT CAUSES"),
    ] {
        let o = Command::cargo_bin("vcap-analyze")
            .unwrap()
            .args(["analyze", "--format", format, bundle.to_str().unwrap()])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let s = String::from_utf8(o.stdout).unwrap();
        assert!(s.contains(needle), "{format}: {s}");
        assert!(!s.contains('\u{1b}'), "no colour when not a terminal");
    }
}

/// A tgz holding one 1 GiB line (no newline) and then a real failure line: the analyzer
/// streams through it in bounded memory and still finds the line after it.
#[test]
fn a_one_gib_line_is_scanned_in_pieces_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("cf.router.r-1-20190713-132721-123456789.tgz");
    let mut f = std::fs::File::create(&path).unwrap();
    let gib: u64 = 1 << 30;
    let tail = b"\npanic: No dopplers listening on [udp]\n"; // seeds/000
    let mut h = tar::Header::new_gnu();
    h.set_path("./metron_agent/metron_agent.stderr.log")
        .unwrap();
    h.set_size(gib + tail.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    let member = |data: &[u8]| {
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, data).unwrap();
        gz.finish().unwrap()
    };
    // Concatenated gzip members: one compressed MiB of 'a' repeated 1024 times.
    std::io::Write::write_all(&mut f, &member(h.as_bytes())).unwrap();
    let mib = member(&vec![b'a'; 1 << 20]);
    for _ in 0..1024 {
        std::io::Write::write_all(&mut f, &mib).unwrap();
    }
    let mut rest = tail.to_vec();
    let pad = (512 - (gib as usize + tail.len()) % 512) % 512;
    rest.extend(std::iter::repeat_n(0u8, pad + 1024));
    std::io::Write::write_all(&mut f, &member(&rest)).unwrap();
    drop(f);

    let o = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(assert_cmd::cargo::cargo_bin("vcap-analyze"))
        .args(["analyze", "--format", "json", "-q"])
        .arg(&path)
        .output();
    let (stdout, rss_kib) = match o {
        Ok(o) if o.status.success() => {
            let err = String::from_utf8_lossy(&o.stderr);
            (
                o.stdout,
                err.lines()
                    .last()
                    .and_then(|l| l.trim().parse::<u64>().ok()),
            )
        }
        _ => {
            // No GNU time here: run it directly, memory unchecked.
            let o = Command::cargo_bin("vcap-analyze")
                .unwrap()
                .args(["analyze", "--format", "json", "-q"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(o.status.success());
            (o.stdout, None)
        }
    };
    let r: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert!(
        signatures(&r).contains(&"metron-no-dopplers".to_string()),
        "the line after the giant one is found"
    );
    assert!(r["coverage"]["bytes"].as_u64().unwrap() > gib);
    if let Some(kib) = rss_kib {
        assert!(kib < 256 * 1024, "peak RSS {kib} KiB");
    }
}

/// Absence is evidence (seed 003): the agent on a cell was stopped three hours before the
/// bundle was taken while rep and garden kept logging; the director sees `unresponsive
/// agent`. On a whole collected bundle, the silence check names the agent, and the VM's
/// busy logs raise nothing else.
#[test]
fn an_agent_that_stopped_logging_while_the_jobs_went_on_is_a_root_cause() {
    use std::time::{Duration, SystemTime};
    use testkit::lines::{agent_heartbeat, lager, LagerLevel};
    let id = "c0ffee00-0000-4000-8000-00000000a9e7";
    let mut vm = testkit::FakeVm::new("cf", "diego_cell", id, "z1");
    let now = SystemTime::now();
    let ago = |mins: u64| now - Duration::from_secs(mins * 60);
    // The agent's heartbeats every 30 s until 3 hours ago (illustrative lines in the shape
    // of bosh-agent's, built by testkit).
    let agent: Vec<String> = (0..240)
        .flat_map(|i| {
            agent_heartbeat(
                ago(300) + Duration::from_secs(30 * i),
                "cf",
                "diego_cell",
                0,
                id,
                "running",
            )
        })
        .collect();
    vm.agent_log(&agent);
    // rep and garden log every minute until a minute ago (illustrative lager lines).
    for (job, source) in [("rep", "rep"), ("garden", "guardian")] {
        let lines: Vec<String> = (0..300)
            .map(|i| {
                lager(
                    ago(300) + Duration::from_secs(60 * i),
                    source,
                    &format!("{source}.periodic-metrics.emitting"),
                    LagerLevel::Info,
                    "{}",
                )
            })
            .collect();
        vm.job(job).log(&format!("{job}.stdout.log"), &lines);
    }
    let out = tempfile::tempdir().unwrap();
    let bundle = collect(vm.root(), out.path());
    let (code, r, err) = analyze(&[bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let sigs = signatures(&r);
    assert_eq!(sigs, ["agent-silent"], "only the agent silence: {r:#}");
    let rc = &r["root_causes"][0];
    assert_eq!(rc["signature"], "agent-silent");
    assert_eq!(rc["category"], "agent_unresponsive");
    let f = &r["findings"][0];
    assert_eq!(f["path"], "var/vcap/bosh/log/current");
    assert!(
        f["captures"]["silent_for"]
            .as_str()
            .unwrap()
            .starts_with("2h 5"),
        "{f}"
    );
}
