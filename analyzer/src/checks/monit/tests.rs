//! Real monit output: seed 000 (monit 5.2.5 on a doppler VM) verbatim, a monit 5.2.4 summary
//! from logsearch/logsearch-boshrelease#90, and output captured from a real monit 5.33
//! daemon (Debian package) run in a temporary directory with processes that crash, fail to
//! start, are unmonitored, a missing file, a refused port and a failing program check
//! (`testdata/monit/`).

use super::*;
use bundle::manifest::{CommandRecord, CommandStatus};

/// Seed 000, verbatim, prompt included (a pasted terminal).
const SEED_000: &str = "==[]=[ 18:35:50 ]=[ sb-cloudfoundry doppler_z1/0 ]=[ ~ ]=[]==
# monit summary
The Monit daemon 5.2.5 uptime: 1h 28m

Process 'consul_agent'              running
Process 'doppler'                   running
Process 'syslog_drain_binder'       running
Process 'metron_agent'              not monitored
Process 'sensu-client'              running
Process 'toolbelt'                  running
System 'system_localhost'           running
";

/// logsearch/logsearch-boshrelease#90.
const LOGSEARCH_5_2_4: &str = "The Monit daemon 5.2.4 uptime: 7m 

Process 'log_parser'                running
Process 'log_parser-elasticsearch'  running
Process 'logsearch-logs'            running
Process 'logsearch-metrics'         not monitored
System 'system_21c3bd54-499a-4c07-838a-d3b8ea5c31c0' running
";

const MODERN: &str = include_str!("../testdata/monit/summary-5.33.txt");
const MODERN_TTY: &str = include_str!("../testdata/monit/summary-5.33-tty.txt");
const NOT_RUNNING: &str = include_str!("../testdata/monit/summary-5.33-not-running.txt");
const REFUSED: &str = include_str!("../testdata/monit/summary-5.33-refused.txt");
const RESTART_LOOP_LOG: &str = include_str!("../testdata/monit/monit-5.33-restart-loop.log");

const SUMMARY: &str = "commands/monit-summary.txt";

fn failed(text: &str) -> Vec<(String, String, String)> {
    let mut m = Monit::default();
    m.summary(SUMMARY, text.as_bytes());
    m.findings("vm", None)
        .into_iter()
        .filter(|f| f.signature == "monit-process-failed")
        .map(|f| {
            (
                f.captures["process"].clone(),
                f.captures["state"].clone(),
                f.captures["type"].clone(),
            )
        })
        .collect()
}

fn row(process: &str, state: &str, kind: &str) -> (String, String, String) {
    (process.to_string(), state.to_string(), kind.to_string())
}

#[test]
fn seed_000_metron_agent_not_monitored() {
    let summary = parse_summary(SEED_000);
    assert_eq!(summary.services.len(), 7);
    assert_eq!(summary.error, None);
    let mut m = Monit::default();
    m.summary(SUMMARY, SEED_000.as_bytes());
    let findings = m.findings("doppler_z1/0", None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(
        (f.signature.as_str(), f.category.as_str(), f.severity),
        (
            "monit-process-failed",
            "monit_process_failed",
            Severity::High
        )
    );
    assert_eq!(
        (f.captures["process"].as_str(), f.captures["state"].as_str()),
        ("metron_agent", "not monitored")
    );
    assert_eq!(
        (f.line, f.path.as_str(), f.job.as_deref()),
        (Some(8), SUMMARY, Some("metron_agent"))
    );
    assert_eq!(
        f.excerpt,
        "Process 'metron_agent'              not monitored"
    );
    assert_eq!(
        f.summary,
        "monit reports process 'metron_agent' as not monitored"
    );
}

#[test]
fn monit_5_2_4_system_rows_are_not_processes() {
    assert_eq!(
        failed(LOGSEARCH_5_2_4),
        [row("logsearch-metrics", "not monitored", "process")]
    );
}

#[test]
fn modern_table_plain_and_on_a_terminal() {
    assert_eq!(
        failed(MODERN),
        [
            row("crashy", "does not exist", "process"),
            row("broken_start", "execution failed | does...", "process"),
            row("metron_agent", "not monitored", "process"),
            row("missing_file", "does not exist", "file"),
            row("remote_db", "connection failed", "remote host"),
            row("healthcheck", "status failed", "program"),
        ]
    );
    let names = |t: &str| {
        parse_summary(t)
            .services
            .into_iter()
            .map(|s| (s.name, s.status, s.kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(MODERN)[0],
        ("vm".into(), "OK".into(), "System".into())
    );
    assert_eq!(names(MODERN).len(), 9);
    // The terminal form: box drawing, ANSI colours, CRLF. Same rows (another moment).
    let tty = names(MODERN_TTY);
    assert_eq!(tty.len(), 9, "{tty:#?}");
    assert_eq!(
        tty[5],
        ("flaky".into(), "Does not exist".into(), "Process".into())
    );
    assert_eq!(
        failed(MODERN_TTY)
            .iter()
            .map(|r| r.0.as_str())
            .collect::<Vec<_>>(),
        [
            "crashy",
            "metron_agent",
            "flaky",
            "missing_file",
            "remote_db"
        ]
    );
}

#[test]
fn health_of_statuses() {
    for s in [
        "running",
        "OK",
        "Running",
        "accessible",
        "online with all services",
        "running - restart pending",
        "pid changed",
    ] {
        assert_eq!(health(s), Health::Healthy, "{s}");
    }
    for s in [
        "Initializing",
        "initializing",
        "Initializing - unmonito...",
        "Waiting",
        "not monitored - start pending",
    ] {
        assert_eq!(health(s), Health::Transitional, "{s}");
    }
    for s in [
        "not monitored",
        "Not monitored",
        "Does not exist",
        "Execution failed",
        "Connection failed",
        "Resource limit matched",
        "Does not exist - restart pending",
        "Status failed",
    ] {
        assert_eq!(health(s), Health::Failed, "{s}");
    }
}

#[test]
fn monit_errors_are_monit_unavailable() {
    let cases = [
        (NOT_RUNNING, "Monit: the monit daemon is not running"),
        (
            REFUSED,
            "Cannot connect to [127.0.0.1]:28222 -- Connection refused",
        ),
        (
            "monit: error connecting to the monit daemon\n",
            "monit: error connecting to the monit daemon",
        ),
        (
            "Cannot create socket to [127.0.0.1]:2822 -- Connection refused\n",
            "Cannot create socket to [127.0.0.1]:2822 -- Connection refused",
        ),
    ];
    for (text, error) in cases {
        let mut m = Monit::default();
        m.summary(SUMMARY, text.as_bytes());
        let findings = m.findings("vm", None);
        assert_eq!(findings.len(), 1, "{text}");
        let f = &findings[0];
        assert_eq!(
            (f.signature.as_str(), f.category.as_str()),
            ("monit-unavailable", "monit_unavailable")
        );
        assert_eq!((f.captures["error"].as_str(), f.line), (error, Some(1)));
    }
    assert!(parse_summary(MODERN).error.is_none());
}

fn record(status: CommandStatus, exit_code: Option<i32>) -> CommandRecord {
    CommandRecord {
        name: "monit-summary".into(),
        argv: vec!["/var/vcap/bosh/bin/monit".into(), "summary".into()],
        status,
        detail: None,
        exit_code,
        duration_ms: 30_000,
        path: Some(SUMMARY.into()),
        size: 0,
        sha256: None,
        truncated: None,
        redactions: 0,
    }
}

#[test]
fn collector_records_of_a_failed_monit_summary() {
    let unavailable = |rec: CommandRecord, text: &str| {
        let mut m = Monit::default();
        m.command(&rec);
        m.summary(SUMMARY, text.as_bytes());
        m.findings("vm", None)
            .into_iter()
            .filter(|f| f.signature == "monit-unavailable")
            .map(|f| f.summary)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        unavailable(record(CommandStatus::TimedOut, None), ""),
        ["`monit summary` timed out after 30000 ms"]
    );
    assert_eq!(
        unavailable(record(CommandStatus::Ok, Some(1)), ""),
        ["`monit summary` exited with status 1"]
    );
    // The text already says why: one finding, from the text.
    assert_eq!(
        unavailable(record(CommandStatus::Ok, Some(1)), REFUSED).len(),
        1
    );
    assert!(unavailable(record(CommandStatus::Ok, Some(0)), MODERN).is_empty());
    assert!(unavailable(record(CommandStatus::Skipped, None), "").is_empty());
}

#[test]
fn restart_loop_from_a_real_monit_log_where_monit_gave_up() {
    let mut m = Monit::default();
    for (i, line) in RESTART_LOOP_LOG.lines().enumerate() {
        m.log_line("var/vcap/monit/monit.log", i as u64 + 1, line.as_bytes());
    }
    let findings = m.findings("vm", None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.signature, "monit-process-failed");
    assert_eq!(f.captures["process"], "crashy");
    assert_eq!(f.captures["state"], "restart loop, unmonitor");
    assert_eq!((f.captures["restarts"].as_str(), f.count), ("3", 3));
    assert_eq!(f.line, Some(20));
    assert!(f
        .excerpt
        .ends_with("'crashy' service restarted 3 times within 7 cycles(s) - unmonitor"));
    assert_eq!(f.timestamp, Some("2026-11-22T00:01:12Z".parse().unwrap()));
    assert_eq!(f.last_seen, Some("2026-11-22T00:01:19Z".parse().unwrap()));
    assert_eq!(
        f.summary,
        "monit restarted crashy 3 times, then gave up (unmonitor)"
    );
}

#[test]
fn monit_5_2_restarts_count_across_rotated_logs_with_the_year_from_now() {
    let log = |m: &mut Monit, path: &str, lines: &[&str]| {
        for (i, l) in lines.iter().enumerate() {
            m.log_line(path, i as u64 + 1, l.as_bytes());
        }
    };
    let older = [
        "[UTC Nov  6 18:45:30] error    : 'nginx' process is not running",
        "[UTC Nov  6 18:45:30] info     : 'nginx' trying to restart",
        "[UTC Nov  6 18:45:30] info     : 'nginx' start: /var/vcap/jobs/nginx/bin/ctl",
        "[UTC Nov  6 18:47:30] info     : 'nginx' trying to restart",
    ];
    let newer = [
        "[UTC Nov  6 19:02:00] info     : 'nginx' trying to restart",
        "[UTC Mar 14 05:44:09] info     : start service 'postgres' on user request",
    ];
    let now = Some("2018-11-07T10:00:00Z".parse().unwrap());
    let mut m = Monit::default();
    log(&mut m, "var/vcap/monit/monit.log.1", &older);
    assert!(
        m.findings("vm", now).is_empty(),
        "two restarts are not a loop"
    );
    log(&mut m, "var/vcap/monit/monit.log", &newer);
    let findings = m.findings("vm", now);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(
        (f.path.as_str(), f.line, f.count),
        ("var/vcap/monit/monit.log.1", Some(2), 3)
    );
    assert_eq!(f.timestamp, Some("2018-11-06T18:45:30Z".parse().unwrap()));
    assert_eq!(f.last_seen, Some("2018-11-06T19:02:00Z".parse().unwrap()));
    assert_eq!(f.captures["state"], "restart loop");
}

#[test]
fn monit_control_files_name_the_job_of_a_process() {
    let control = "check process cloud_controller_ng\n  with pidfile /var/vcap/sys/run/bpm/cloud_controller_ng/cloud_controller_ng.pid\n\
                   check process nginx_cc\n  with pidfile /var/vcap/sys/run/bpm/cloud_controller_ng/nginx.pid\n  group vcap\n";
    let mut m = Monit::default();
    m.control_file(
        "var/vcap/jobs/cloud_controller_ng/monit",
        control.as_bytes(),
    );
    m.summary(SUMMARY, b"The Monit daemon 5.2.5 uptime: 3m\n\nProcess 'nginx_cc'    Does not exist\nProcess 'rep'    not monitored\n");
    let jobs: Vec<_> = m
        .findings("api/0", None)
        .into_iter()
        .map(|f| f.job)
        .collect();
    assert_eq!(
        jobs,
        [
            Some("cloud_controller_ng".to_string()),
            Some("rep".to_string())
        ]
    );
}
