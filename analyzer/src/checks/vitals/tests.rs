//! The heartbeat line of seed 004 (a bosh-agent log, `var/vcap/bosh/log/current`), verbatim,
//! and the same payload with fuller disks and memory.

use super::*;

/// Seed 004, verbatim.
const SEED_004: &str = r#"2018-11-06_18:37:45.10754 {"deployment":"nginx","job":"nginx","index":0,"job_state":"running","vitals":{"cpu":{"sys":"0.0","user":"0.0","wait":"0.1"},"disk":{"ephemeral":{"inode_percent":"0","percent":"1"},"system":{"inode_percent":"31","percent":"42"}},"load":["0.00","0.00","0.00"],"mem":{"kb":"188412","percent":"19"},"swap":{"kb":"0","percent":"0"},"uptime":{"secs":75615}},"node_id":"14e444f1-48c0-4006-8908-7d535ee88bc0"}"#;
const FULL: &str = r#"2018-11-06_18:38:15.10761 {"deployment":"nginx","job":"nginx","index":0,"job_state":"running","vitals":{"cpu":{"sys":"0.0","user":"0.0","wait":"0.1"},"disk":{"ephemeral":{"inode_percent":"3","percent":"96"},"persistent":{"inode_percent":"91","percent":"12"},"system":{"inode_percent":"31","percent":"42"}},"load":["0.00","0.00","0.00"],"mem":{"kb":"951204","percent":"97"},"swap":{"kb":"0","percent":"0"},"uptime":{"secs":75645}},"node_id":"14e444f1-48c0-4006-8908-7d535ee88bc0"}"#;
/// Other lines of the same log (seed 004).
const NOISE: &[&str] = &[
    "2018-11-06_18:37:45.10753 [NATS Handler] 2018/11/06 18:37:45 INFO 	Sending hm message 'heartbeat'",
    "2018-11-06_18:37:45.10754 ********************",
    r#"2018-11-06_18:45:30.31659 {"id":"1541529930.1213040550@localhost","severity":1,"title":"nginx (10.4.1.17) - Does not exist - restart","summary":"process is not running","created_at":1541529930}"#,
];
const PATH: &str = "var/vcap/bosh/log/current";

#[test]
fn seed_004_heartbeat_parses_and_is_healthy() {
    let hb = parse_heartbeat(PATH, 7, SEED_004.as_bytes()).unwrap();
    assert_eq!(
        hb.disks,
        [
            ("system", Some(42), Some(31)),
            ("ephemeral", Some(1), Some(0))
        ]
    );
    assert_eq!((hb.mem_percent, hb.mem_kb), (Some(19), Some(188412)));
    assert_eq!(
        hb.timestamp,
        Some("2018-11-06T18:37:45.10754Z".parse().unwrap())
    );
    let mut h = Heartbeats::default();
    h.line(PATH, 7, SEED_004.as_bytes());
    assert!(h.findings("nginx/0").is_empty());
    for line in NOISE {
        assert_eq!(parse_heartbeat(PATH, 1, line.as_bytes()), None, "{line}");
    }
}

#[test]
fn the_last_heartbeat_decides() {
    let mut h = Heartbeats::default();
    h.line(PATH, 1, SEED_004.as_bytes());
    h.line(PATH, 2, NOISE[0].as_bytes());
    h.line(PATH, 3, FULL.as_bytes());
    let findings = h.findings("nginx/0");
    let got: Vec<(&str, &str, Severity)> = findings
        .iter()
        .map(|f| (f.signature.as_str(), f.category.as_str(), f.severity))
        .collect();
    assert_eq!(
        got,
        [
            ("agent-vitals-disk", "disk_full", Severity::High),
            ("agent-vitals-disk", "disk_full", Severity::Medium),
            ("memory-pressure", "out_of_memory", Severity::Medium),
        ]
    );
    assert_eq!(
        findings[0].summary,
        "bosh-agent heartbeat: ephemeral disk (/var/vcap/data) 96% full, 3% of inodes used"
    );
    assert_eq!(
        (
            findings[0].captures["disk"].as_str(),
            findings[0].captures["mount"].as_str()
        ),
        ("ephemeral", "/var/vcap/data")
    );
    assert_eq!(findings[1].captures["inode_percent"], "91");
    assert_eq!(
        findings[2].summary,
        "bosh-agent heartbeat: memory 97% used (951204 kB)"
    );
    assert_eq!(
        (findings[2].line, findings[2].path.as_str()),
        (Some(3), PATH)
    );
    assert_eq!(
        findings[2].timestamp,
        Some("2018-11-06T18:38:15.10761Z".parse().unwrap())
    );

    // Fed out of order (a rotated file after `current`): the newer heartbeat still wins.
    let mut h = Heartbeats::default();
    h.line(PATH, 3, FULL.as_bytes());
    h.line(
        "var/vcap/bosh/log/@400000005be1d1e1.s",
        1,
        SEED_004.as_bytes(),
    );
    assert_eq!(h.findings("nginx/0").len(), 3);
}

#[test]
fn numbers_may_be_numbers_and_garbage_is_ignored() {
    let line = br#"2018-11-06_18:37:45.10754 {"vitals":{"disk":{"system":{"percent":99.6}},"mem":{"percent":"n/a"}}}"#;
    let hb = parse_heartbeat(PATH, 1, line).unwrap();
    assert_eq!(
        (hb.disks.as_slice(), hb.mem_percent),
        (&[("system", Some(100), None)][..], None)
    );
    assert_eq!(
        parse_heartbeat(
            PATH,
            1,
            br#"2018-11-06_18:37:45.10754 {"vitals":{"disk": trunc"#
        ),
        None
    );
}
