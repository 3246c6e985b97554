//! The monit harness against the real monit daemon (Debian package `monit`).
//! Skips, saying so on stderr, when monit is not installed.

use std::process::Command;

use testkit::monit::parse_summary;
use testkit::{Failure, MonitHarness};

fn state<'a>(rows: &'a [(String, String)], name: &str) -> Option<&'a str> {
    rows.iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.as_str())
}

#[test]
fn default_harness_shows_running_and_failing_processes() {
    let Some(h) = MonitHarness::start().expect("monit harness") else {
        eprintln!("SKIPPED default_harness_shows_running_and_failing_processes: no monit binary installed");
        return;
    };
    let summary = h.summary().expect("monit summary");
    eprintln!("monit summary:\n{summary}");
    assert!(summary.contains(MonitHarness::RUNNING), "{summary}");
    assert!(summary.contains(MonitHarness::FAILING), "{summary}");
    let rows = parse_summary(&summary);
    assert_eq!(state(&rows, MonitHarness::RUNNING), Some("OK"), "{summary}");
    assert_eq!(
        state(&rows, MonitHarness::FAILING),
        Some("Does not exist"),
        "{summary}"
    );

    // Through the wrapper, as vcap-collect finds `monit` on PATH.
    let out = Command::new("monit")
        .arg("status")
        .env("PATH", h.path_with_wrapper())
        .output()
        .expect("run monit wrapper");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("Process 'rep'"), "{status}");
    assert!(status.contains("Process 'garden'"), "{status}");
    let garden = status.split("Process 'garden'").nth(1).unwrap_or_default();
    assert!(
        garden
            .lines()
            .any(|l| l.trim_start().starts_with("status") && l.contains("Does not exist")),
        "{status}"
    );
    assert!(h.wrapper_dir().join("monit").is_file());
    assert!(
        std::fs::read_dir(h.wrapper_dir()).unwrap().count() == 1,
        "wrapper dir holds only `monit`"
    );

    let pid = h.daemon_pid().expect("monit pidfile");
    drop(h);
    assert!(
        !testkit::monit::pid_alive(pid),
        "monit daemon {pid} still running after drop"
    );
}

#[test]
fn every_failure_mode_is_reported() {
    let Some(h) = MonitHarness::builder()
        .running("route_emitter")
        .failing("broken_exec", Failure::ExecutionFailed)
        .failing("broken_gone", Failure::DoesNotExist)
        .failing("broken_unmon", Failure::NotMonitored)
        .start()
        .expect("monit harness")
    else {
        eprintln!("SKIPPED every_failure_mode_is_reported: no monit binary installed");
        return;
    };
    let summary = h.settled_summary().to_string();
    eprintln!("settled monit summary:\n{summary}");
    let rows = parse_summary(&summary);
    assert_eq!(state(&rows, "route_emitter"), Some("OK"));
    assert!(
        state(&rows, "broken_exec")
            .unwrap()
            .starts_with("Execution failed"),
        "{summary}"
    );
    assert_eq!(state(&rows, "broken_gone"), Some("Does not exist"));
    assert_eq!(state(&rows, "broken_unmon"), Some("Not monitored"));
    assert!(
        h.log()
            .contains("'broken_exec' failed to start (exit status 1)"),
        "{}",
        h.log()
    );
}
