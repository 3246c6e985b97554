use super::*;
use crate::finding::Kind;

/// A finding of `signature` on `vm` at `path:line` in `category`.
fn found(signature: &str, vm: &str, line: Option<u64>, category: &str) -> Finding {
    Finding {
        id: String::new(),
        signature: signature.to_string(),
        category: category.to_string(),
        kind: Kind::Cause,
        severity: Severity::High,
        title: signature.to_string(),
        summary: String::new(),
        vm: vm.to_string(),
        job: None,
        path: "var/log/kern.log".to_string(),
        line,
        timestamp: None,
        last_seen: None,
        count: 1,
        excerpt: String::new(),
        captures: BTreeMap::new(),
    }
}

fn with(mut f: Finding, pairs: &[(&str, &str)]) -> Finding {
    f.captures = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    f
}

fn sigs(findings: &[Finding]) -> Vec<(&str, &str, Option<u64>)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|f| (f.signature.as_str(), f.vm.as_str(), f.line))
        .collect();
    v.sort();
    v
}

#[test]
fn a_check_and_a_signature_on_the_same_line_say_it_once_and_the_check_wins() {
    let findings = vec![
        found("kernel-oom", "cell/0", Some(7), "out_of_memory"),
        found("oom-kill", "cell/0", Some(7), "out_of_memory"),
        // Another category on the same line, another line, another VM, no line: all kept.
        found("kernel-panic", "cell/0", Some(7), "kernel_panic"),
        found("kernel-oom", "cell/0", Some(8), "out_of_memory"),
        found("kernel-oom", "cell/1", Some(7), "out_of_memory"),
        found("kernel-oom", "cell/0", None, "out_of_memory"),
    ];
    let want = [
        ("kernel-oom", "cell/0", None),
        ("kernel-oom", "cell/0", Some(8)),
        ("kernel-oom", "cell/1", Some(7)),
        ("kernel-panic", "cell/0", Some(7)),
        ("oom-kill", "cell/0", Some(7)),
    ];
    assert_eq!(sigs(&dedupe_same_line(findings.clone())), want);
    // The order findings come in (the order VMs were read in) changes nothing.
    let reversed: Vec<Finding> = findings.into_iter().rev().collect();
    assert_eq!(sigs(&dedupe_same_line(reversed)), want);
}

#[test]
fn between_two_signatures_the_more_severe_then_the_first_id_wins() {
    let mut low = found("b-sig", "cell/0", Some(1), "tls_handshake");
    low.severity = Severity::Low;
    let high = found("c-sig", "cell/0", Some(1), "tls_handshake");
    let tie = found("a-sig", "cell/0", Some(1), "tls_handshake");
    let kept = dedupe_same_line(vec![low, high.clone()]);
    assert_eq!(sigs(&kept), [("c-sig", "cell/0", Some(1))]);
    let kept = dedupe_same_line(vec![high, tie]);
    assert_eq!(sigs(&kept), [("a-sig", "cell/0", Some(1))]);
}

#[test]
fn a_check_subsumes_signature_findings_of_the_same_fact_on_its_vm() {
    let check = with(
        found("oom-kill", "cell/0", Some(3), "out_of_memory"),
        &[("pid", "42"), ("process", "java")],
    );
    let same_kill = with(
        found("kernel-oom", "cell/0", Some(9), "out_of_memory"),
        &[("pid", "42")],
    );
    let other_kill = with(
        found("kernel-oom", "cell/0", Some(10), "out_of_memory"),
        &[("pid", "43")],
    );
    let other_vm = with(
        found("kernel-oom", "cell/1", Some(9), "out_of_memory"),
        &[("pid", "42")],
    );
    let nothing_shared = with(
        found("kernel-oom", "cell/0", Some(11), "out_of_memory"),
        &[("score", "31")],
    );
    let kept = subsumed_by_checks(vec![same_kill, check, other_kill, other_vm, nothing_shared]);
    assert_eq!(
        sigs(&kept),
        [
            ("kernel-oom", "cell/0", Some(10)),
            ("kernel-oom", "cell/0", Some(11)),
            ("kernel-oom", "cell/1", Some(9)),
            ("oom-kill", "cell/0", Some(3)),
        ]
    );
}
