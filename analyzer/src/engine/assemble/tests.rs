use super::*;
use crate::checks::VmChecks;
use crate::finding::{Finding, Kind, Severity, VmIdentity};
use crate::input::VmInfo;
use crate::model::{Problem, ProblemKind};
use crate::report::vm_result::Truncated;
use jiff::Timestamp;
use std::collections::BTreeMap;

fn texts(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(Problem::as_str).collect()
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn found(signature: &str, vm: &str, path: &str, line: u64, at: Option<&str>) -> Finding {
    Finding {
        id: String::new(),
        signature: signature.to_string(),
        category: "tls_handshake".to_string(),
        kind: Kind::Symptom,
        severity: Severity::High,
        title: signature.to_string(),
        summary: String::new(),
        vm: vm.to_string(),
        job: None,
        path: path.to_string(),
        line: Some(line),
        timestamp: at.map(t),
        last_seen: None,
        count: 1,
        excerpt: format!("line {line}"),
        captures: BTreeMap::new(),
    }
}

fn identity(name: &str) -> VmIdentity {
    VmIdentity {
        name: name.to_string(),
        deployment: Some("cf".to_string()),
        az: None,
    }
}

fn vm(name: &str, collected_at: Option<&str>, findings: Vec<Finding>) -> VmResult {
    VmResult {
        summary: Summary::of(&findings, &[]),
        vm: identity(name),
        origin: format!("{name}.tgz"),
        collected_at: collected_at.map(t),
        now: collected_at.map(t),
        complete: Some(true),
        incomplete_reason: None,
        files: 10,
        bytes: 1000,
        problems: Vec::new(),
        newest_line: None,
        unrecognised: Vec::new(),
        loose: false,
        findings,
        certificates: Vec::new(),
        truncated: None,
    }
}

fn state(name: &str, collected_at: Option<&str>, findings: Vec<Finding>) -> VmState {
    VmState {
        info: VmInfo {
            identity: identity(name),
            collected_at: collected_at.map(t),
            origin: format!("{name}.tgz"),
            bundle_complete: Some(false),
            incomplete_reason: Some("timed out".to_string()),
            is_loose: false,
        },
        files: 3,
        bytes: 300,
        findings,
        checks: VmChecks::new(name),
        problems: vec![crate::input::Problem::new("x.tgz", "truncated gzip").into()],
        unrecognised: Miner::new(),
    }
}

#[test]
fn a_vm_without_a_collection_time_is_judged_at_its_newest_line() {
    let log = "var/vcap/sys/log/rep/rep.stdout.log";
    let findings = vec![
        found(
            "tls-bad-cert",
            "cell/0",
            log,
            1,
            Some("2026-11-21T10:00:00Z"),
        ),
        found(
            "tls-bad-cert",
            "cell/0",
            "var/log/syslog",
            9,
            Some("2026-11-21T12:00:00Z"),
        ),
    ];
    let r = finish_vm(state("cell/0", None, findings.clone()), &Options::default());
    assert_eq!(r.now, Some(t("2026-11-21T12:00:00Z")));
    let newest = r.newest_line.expect("newest line");
    assert_eq!(
        (newest.at, newest.path.as_str()),
        (t("2026-11-21T12:00:00Z"), "var/log/syslog")
    );
    assert_eq!((r.files, r.bytes, r.findings.len()), (3, 300, 2));
    assert_eq!(r.summary.findings, 2);
    assert_eq!(texts(&r.problems), ["x.tgz: truncated gzip"]);
    assert_eq!(r.problems[0].file(), Some("x.tgz"));
    assert_eq!(r.incomplete_reason.as_deref(), Some("timed out"));
    // --at wins over everything; a collection time over the lines.
    let at = Options {
        at: Some(t("2027-01-01T00:00:00Z")),
        ..Options::default()
    };
    assert_eq!(
        finish_vm(state("cell/0", None, findings.clone()), &at).now,
        at.at
    );
    let collected = finish_vm(
        state("cell/0", Some("2026-11-22T00:00:00Z"), findings),
        &Options::default(),
    );
    assert_eq!(collected.now, Some(t("2026-11-22T00:00:00Z")));
}

#[test]
fn merged_results_are_sorted_numbered_and_counted() {
    let log = "var/vcap/sys/log/rep/rep.stdout.log";
    let mut late = vm(
        "cell/1",
        Some("2026-11-21T23:40:00Z"),
        vec![found("tls-bad-cert", "cell/1", log, 5, None)],
    );
    late.complete = Some(false);
    late.incomplete_reason = Some("disk full".to_string());
    late.truncated = Some(Truncated {
        findings_total: 900,
        findings_kept: 1,
        certificates_total: 0,
        certificates_kept: 0,
        reason: "budget".to_string(),
    });
    let early = vm(
        "cell/0",
        Some("2026-11-21T23:39:00Z"),
        vec![
            found("tls-bad-cert", "cell/0", log, 9, None),
            found("tls-bad-cert", "cell/0", log, 2, None),
        ],
    );
    let analysis = Analysis {
        vms: vec![late, early],
        skipped: Vec::new(),
        errors: vec![crate::input::Problem::new("gone.tgz", "not found").into()],
        inputs: 3,
    };
    let report = merge(analysis, &[], &Options::default());
    let order: Vec<(&str, &str, Option<u64>)> = report
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.vm.as_str(), f.line))
        .collect();
    assert_eq!(
        order,
        [
            ("f1", "cell/0", Some(2)),
            ("f2", "cell/0", Some(9)),
            ("f3", "cell/1", Some(5))
        ]
    );
    let bundles: Vec<&str> = report.bundles.iter().map(|b| b.vm.as_str()).collect();
    assert_eq!(bundles, ["cell/0", "cell/1"]);
    // Typed until rendered.
    let kinds: Vec<&ProblemKind> = report.bundles[1]
        .problems
        .iter()
        .map(Problem::kind)
        .collect();
    assert!(matches!(
        kinds[..],
        [
            ProblemKind::Incomplete { .. },
            ProblemKind::Truncated { .. }
        ]
    ));
    assert_eq!(
        texts(&report.bundles[1].problems),
        [
            "bundle incomplete: disk full",
            "per-VM result truncated: 1 of 900 findings and 0 of 0 certificates kept"
        ]
    );
    let c = &report.coverage;
    assert_eq!((c.inputs, c.vms, c.files, c.bytes), (3, 2, 20, 2000));
    assert_eq!(texts(&c.errors), ["gone.tgz: not found"]);
    // Without --at, "now" is the newest collection time.
    assert_eq!(report.now, Some(t("2026-11-21T23:40:00Z")));
    // Nothing explains the symptoms: all three are unexplained.
    assert_eq!(report.unexplained, ["f1", "f2", "f3"]);
}

#[test]
fn merging_compares_clocks_across_vms() {
    let vms = ["a/0", "a/1", "a/2", "a/3"]
        .iter()
        .zip(["23:40:00", "23:40:05", "23:39:58", "23:52:00"])
        .map(|(name, time)| vm(name, Some(&format!("2026-11-21T{time}Z")), Vec::new()))
        .collect();
    let report = merge(
        Analysis {
            vms,
            ..Analysis::default()
        },
        &[],
        &Options::default(),
    );
    let skewed: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.signature.as_str(), f.vm.as_str()))
        .collect();
    assert_eq!(skewed, [("clock-skew", "a/3")]);
}
