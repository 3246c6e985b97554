use super::*;
use crate::finding::Kind;

#[test]
fn readers_by_path() {
    use Reading::{Lines, Whole};
    let cases = [
        ("commands/monit-summary.txt", Some(("monit", Whole))),
        ("/commands/df.txt", Some(("disk", Whole))),
        ("./commands/df-inodes.txt", Some(("disk", Whole))),
        ("commands/dmesg.txt", Some(("memory", Lines))),
        ("var/log/kern.log", Some(("memory", Lines))),
        ("var/log/kern.log.2.gz", Some(("memory", Lines))),
        ("var/log/syslog.1", Some(("memory", Lines))),
        ("var/log/messages", Some(("memory", Lines))),
        ("var/vcap/monit/monit.log", Some(("monit", Lines))),
        ("var/vcap/monit/monit.log.1", Some(("monit", Lines))),
        ("var/vcap/bosh/log/current", Some(("vitals", Lines))),
        (
            "var/vcap/bosh/log/@400000005be1d1e1.s",
            Some(("vitals", Lines)),
        ),
        ("var/vcap/jobs/rep/monit", Some(("monit", Whole))),
        ("var/vcap/jobs/rep/config/rep.json", Some(("certs", Whole))),
        (
            "var/vcap/jobs/rep/config/certs/tls.crt",
            Some(("certs", Whole)),
        ),
        ("var/vcap/bosh/etc/ca.crt", Some(("certs", Whole))),
        ("var/vcap/bosh/settings.json", Some(("certs", Whole))),
        ("var/vcap/instance/dns/records.json", Some(("certs", Whole))),
        ("etc/ssl/certs/Some_Root.PEM", Some(("certs", Whole))),
        // A PEM file at the root is read as certificates, not as a paste.
        ("ca.pem", Some(("certs", Whole))),
        ("var/vcap/sys/log/rep/rep.stdout.log", None),
        ("var/vcap/jobs/rep/bin/ctl", None),
        ("var/vcap/jobs/rep/monit.d/x", None),
        ("commands/ps.txt", None),
        ("var/vcap/bosh/log/sub/current", None),
        ("manifest.json", None),
        ("ticket.txt", Some(("paste", Lines))),
        ("./bosh-task-147.log", Some(("paste", Lines))),
    ];
    for (path, want) in cases {
        let got = reader(path, false).map(|r| (r.name(), r.reading));
        assert_eq!(got, want, "{path}");
        assert_eq!(wants(path), want.is_some(), "{path}");
    }
    // A loose input is pasted text, unless a check reads its path.
    let loose = |p| reader(p, true).map(|r| (r.name(), r.reading));
    assert_eq!(loose("tmp/rep.stdout.log"), Some(("paste", Lines)));
    assert_eq!(loose("var/log/kern.log"), Some(("memory", Lines)));
    assert_eq!(loose("commands/df.txt"), Some(("disk", Whole)));
}

#[test]
fn lines_are_streamed_cut_and_stripped() {
    let long = "x".repeat(MAX_LINE + 10);
    let input = format!("a\r\n\nb\n{long}\nlast");
    let mut lines = Vec::new();
    for_each_line(&mut input.as_bytes(), |l| lines.push(l.len())).unwrap();
    assert_eq!(lines, [1, 0, 1, MAX_LINE, 4]);
    // Tiny reads split lines anywhere.
    struct Dribble<'a>(&'a [u8]);
    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut got = Vec::new();
    for_each_line(&mut Dribble(b"hello world\nsecond line\n"), |l| {
        got.push(String::from_utf8_lossy(l).into_owned())
    })
    .unwrap();
    assert_eq!(got, ["hello world", "second line"]);
}

#[test]
fn small_helpers() {
    assert_eq!(
        [45, 437, 7_380, 266_400, -437].map(human_duration),
        ["45s", "7m 17s", "2h 3m", "3d 2h", "7m 17s"]
    );
    assert_eq!(excerpt(b"line\r\n"), "line");
    let long = format!("{}é{}", "a".repeat(EXCERPT_MAX - 1), "b".repeat(50));
    let e = excerpt(long.as_bytes());
    assert!(
        e.ends_with('…') && e.len() <= EXCERPT_MAX + 3 && !e.contains('\u{fffd}'),
        "{e}"
    );
}

const SEED_000_SUMMARY: &str = "The Monit daemon 5.2.5 uptime: 1h 28m\n\nProcess 'consul_agent'              running\nProcess 'metron_agent'              not monitored\nSystem 'system_localhost'           running\n";
const HEARTBEAT: &str = r#"2018-11-06_18:38:15.10761 {"deployment":"nginx","job":"nginx","index":0,"job_state":"running","vitals":{"disk":{"ephemeral":{"inode_percent":"3","percent":"96"},"system":{"inode_percent":"31","percent":"42"}},"mem":{"kb":"951204","percent":"19"}}}"#;

/// One VM's files: a summary, df, a kernel log, an agent log and a config with certificates.
fn files() -> Vec<(&'static str, String)> {
    vec![
        ("commands/monit-summary.txt", SEED_000_SUMMARY.to_string()),
        ("commands/df.txt", include_str!("testdata/df.txt").to_string()),
        ("var/log/kern.log", "Nov  6 18:40:01 cell kernel: [9.1] Out of memory: Killed process 4242 (java) total-vm:1kB, anon-rss:1kB\n".to_string()),
        ("var/vcap/bosh/log/current", format!("2018-11-06_18:38:15.10753 [NATS Handler] INFO - Sending hm message 'heartbeat'\n{HEARTBEAT}\n")),
        ("var/vcap/jobs/rep/config/rep.json", include_str!("testdata/rep.json").to_string()),
        ("var/vcap/sys/log/rep/rep.stdout.log", "not wanted\n".to_string()),
    ]
}

fn ids(findings: &[Finding]) -> Vec<(&str, &str, Option<u64>)> {
    findings
        .iter()
        .map(|f| (f.path.as_str(), f.signature.as_str(), f.line))
        .collect()
}

#[test]
fn a_vm_fed_whole_files_or_lines_gives_the_same_findings() {
    let now: Timestamp = "2018-11-06T19:00:00Z".parse().unwrap();
    let mut by_file = VmChecks::new("cell/0");
    for (path, text) in files() {
        by_file.feed(path, &mut text.as_bytes()).unwrap();
    }
    let mut by_line = VmChecks::new("cell/0");
    for (path, text) in files() {
        for line in text.split_inclusive('\n') {
            by_line.feed_line(path, line.as_bytes());
        }
    }
    let (findings, certs) = by_file.finish(Some(now), DEFAULT_WARN_DAYS);
    assert_eq!(
        ids(&findings),
        [
            ("commands/df.txt", "disk-full", Some(7)),
            ("commands/df.txt", "disk-full", Some(9)),
            (
                "commands/monit-summary.txt",
                "monit-process-failed",
                Some(4)
            ),
            ("var/log/kern.log", "oom-kill", Some(1)),
            ("var/vcap/bosh/log/current", "agent-vitals-disk", Some(2)),
        ]
    );
    assert!(findings
        .iter()
        .all(|f| f.vm == "cell/0" && f.id.is_empty() && f.kind == Kind::Cause));
    // Every finding is of a registered kind and carries its category and title.
    for f in &findings {
        let meta = meta(&f.signature).unwrap_or_else(|| panic!("{} not registered", f.signature));
        assert_eq!(
            (f.category.as_str(), f.title.as_str()),
            (meta.category, meta.title)
        );
    }
    assert_eq!(
        findings[3].timestamp,
        Some("2018-11-06T18:40:01Z".parse().unwrap())
    );
    assert_eq!(certs.len(), 2);
    assert_eq!(
        (certs[0].status.as_str(), certs[0].days_left),
        ("valid", 248)
    );
    // A year later the same bundle's certificate is expired.
    let mut later = VmChecks::new("cell/0");
    later
        .feed(
            "var/vcap/jobs/rep/config/rep.json",
            &mut include_str!("testdata/rep.json").as_bytes(),
        )
        .unwrap();
    let (late, _) = later.finish(
        Some("2019-11-06T19:00:00Z".parse().unwrap()),
        DEFAULT_WARN_DAYS,
    );
    assert_eq!(
        ids(&late),
        [("var/vcap/jobs/rep/config/rep.json", "cert-expired", Some(5))]
    );
    let (again, certs_again) = by_line.finish(Some(now), DEFAULT_WARN_DAYS);
    assert_eq!(again, findings);
    assert_eq!(certs_again, certs);
}
