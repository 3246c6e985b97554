//! No false alarms on normal operation: a healthy foundation's logs produce no finding above
//! `info`. The corpus is testkit's healthy traffic for every log kind (real line shapes of
//! rep, garden, route_emitter, metron, the bosh-agent, gorouter, syslog, kern and monit),
//! the sample cell's agent boot sequence from seeds/004, and monit's start-up noise.

use analyzer::engine::{self, Options};
use analyzer::finding::Severity;
use analyzer::matcher::Matcher;
use analyzer::signature::Library;
use std::time::{Duration, SystemTime};
use testkit::lines::{healthy_lines, Kind};

#[test]
fn healthy_logs_of_every_component_raise_nothing_above_info() {
    let now = SystemTime::now();
    let mut vm = testkit::FakeVm::new(
        "cf",
        "diego_cell",
        "5b0d2c4e-8f7a-4d3b-9e61-2a7c0f9d4b18",
        "z1",
    );
    // About 5,000 events of every log, all running until now as on a healthy VM (the
    // silence checks compare when each log ends).
    for kind in Kind::ALL {
        let span = Duration::from_millis(5_000 * kind.mean_gap_ms());
        let lines: Vec<String> = healthy_lines(kind, 50_000, now - span).until(now).collect();
        vm.file(kind.default_path(), lines.join("\n") + "\n");
    }
    // monit writes this at every start when no mail server is configured: noise, not a failure
    // (real monit 5.2 and 5.33 lines).
    vm.monit_log(&[
        "[UTC Feb 21 08:50:35] error    : Cannot open a connection to the mailserver 'localhost:2825' -- Transport endpoint is not connected",
        "[2026-11-22T00:04:24+0000] error    : Cannot open a connection to the mailserver 127.0.0.1:28225 -- Operation now in progress",
    ]);
    // The sample cell: seeds/004's agent boot sequence, monit polls and heartbeats, healthy
    // configs and certificates (its one expired certificate is a real finding, excluded below).
    let (cell, _) = testkit::sample_cell_temp();

    let lib = Library::builtin();
    let matcher = Matcher::new(&lib.signatures).unwrap();
    let args = vec![
        vm.root().display().to_string(),
        cell.root().display().to_string(),
    ];
    let report = engine::analyze(
        &args,
        &lib.signatures,
        &matcher,
        &Options::default(),
        &|_| {},
    );
    assert!(
        report.coverage.errors.is_empty(),
        "{:?}",
        report.coverage.errors
    );
    assert!(
        report.coverage.files >= 20,
        "the corpus was read: {} files",
        report.coverage.files
    );
    let alarms: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .filter(|f| !(f.signature == "cert-expired" && f.path.ends_with("bbs_client.crt")))
        .map(|f| {
            format!(
                "{} {} {}:{:?} {} {}",
                f.signature, f.vm, f.path, f.line, f.excerpt, f.summary
            )
        })
        .collect();
    assert!(
        alarms.is_empty(),
        "false alarms on healthy logs:\n{}",
        alarms.join("\n")
    );
}
