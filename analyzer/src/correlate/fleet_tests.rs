//! Fleet-scope links at scale: shared, they give the answer that following every (symptom,
//! cause) pair gives, with a graph that grows with the findings, not with their square.
//! Findings here are made up (no log line is involved).

use super::{correlate, correlate_graph, graph, Link, Rule, Scope, ANY};
use crate::finding::{Finding, Kind};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

fn finding(id: usize, sig: &str, kind: Kind, vm: &str, at: Option<i64>) -> Finding {
    let mut f = super::tests::f(
        &format!("f{id}"),
        sig,
        kind,
        vm,
        &format!("job-{}", id % 2),
        None,
    );
    f.timestamp = at.map(|s| Timestamp::from_second(1_700_000_000 + s).unwrap());
    f.captures = [("side".to_string(), format!("{}", id % 2))].into();
    f
}

fn link(cause: &str, scope: Scope, window: Option<i64>) -> Link {
    Link {
        cause: cause.into(),
        scope,
        window: window.map(SignedDuration::from_secs),
        when: BTreeMap::new(),
        why: format!("{cause} explains it"),
    }
}

/// Seed 000's shape on `vms` VMs: metron panics everywhere (explained fleet-wide, within an
/// hour, by a doppler that cannot reach etcd), that doppler error on every fourth VM, etcd
/// down next to it. `spread`: the seconds between one VM's times and the next's (0: every
/// VM alike, as copies of one incident).
fn fleet(vms: usize, spread: i64) -> (Vec<Finding>, BTreeMap<String, Rule>) {
    let mut findings = Vec::new();
    for v in 0..vms {
        let vm = format!("g{}/{v}", v % 5);
        let at = Some(v as i64 * spread);
        let id = findings.len();
        findings.push(finding(id, "metron-panic", Kind::Symptom, &vm, at));
        if v % 4 == 0 {
            findings.push(finding(id + 1, "doppler-etcd", Kind::Symptom, &vm, at));
            findings.push(finding(id + 2, "etcd-down", Kind::Cause, &vm, None));
        }
    }
    let rules = BTreeMap::from([
        (
            "metron-panic".to_string(),
            Rule {
                links: vec![link("doppler-etcd", Scope::Fleet, Some(3600))],
                ..Rule::default()
            },
        ),
        (
            "doppler-etcd".to_string(),
            Rule {
                links: vec![link("etcd-down", Scope::Vm, None)],
                ..Rule::default()
            },
        ),
    ]);
    (findings, rules)
}

fn edges(findings: &[Finding], rules: &BTreeMap<String, Rule>, share: bool) -> usize {
    let by_sig = findings.iter().enumerate().fold(
        BTreeMap::new(),
        |mut m: BTreeMap<&str, Vec<usize>>, (i, f)| {
            m.entry(f.signature.as_str()).or_default().push(i);
            m
        },
    );
    graph::build(findings, &by_sig, rules, &BTreeSet::new(), share)
        .iter()
        .map(Vec::len)
        .sum()
}

#[test]
fn a_fleet_of_alike_vms_makes_a_graph_linear_in_its_findings() {
    let (small, rules) = fleet(400, 0);
    let (large, _) = fleet(800, 0);
    let (e_small, e_large) = (edges(&small, &rules, true), edges(&large, &rules, true));
    assert!(
        e_large <= 2 * e_small + 16,
        "doubling the fleet at most doubles the graph: {e_small} -> {e_large} edges"
    );
    assert!(e_large <= 3 * large.len(), "{e_large} edges");
    // Pair by pair, it is 800 symptoms x 200 causes.
    assert!(edges(&large, &rules, false) > 800 * 200);
    let c = correlate(&large, &rules, &BTreeSet::new());
    assert_eq!(c.root_causes.len(), 1, "{:?}", c.root_causes);
    let rc = &c.root_causes[0];
    assert_eq!(rc.signature, "etcd-down");
    assert_eq!(rc.vms.len(), 200);
    assert_eq!(
        rc.explains.len(),
        800 + 200,
        "every panic and every doppler error"
    );
    assert_eq!(rc.symptom_vms.len(), 800);
}

#[test]
fn windows_at_every_time_stay_near_linear_and_cut_where_pairs_cut() {
    // A VM a minute: each panic reaches the doppler errors of the next hour and before.
    let (findings, rules) = fleet(1000, 60);
    let shared = edges(&findings, &rules, true);
    let bound = findings.len() * (4 + 2 * (findings.len() as f64).log2().ceil() as usize);
    assert!(shared <= bound, "{shared} edges, bound {bound}");
    assert_eq!(
        correlate_graph(&findings, &rules, &BTreeSet::new(), true),
        correlate_graph(&findings, &rules, &BTreeSet::new(), false)
    );
    // The earliest doppler error is at VM 0's time: every panic is within reach of it.
    let c = correlate(&findings, &rules, &BTreeSet::new());
    assert!(c.unexplained.is_empty(), "{:?}", c.unexplained);
}

#[test]
fn a_symptom_earlier_than_the_window_reaches_no_later_cause() {
    let (mut findings, rules) = fleet(8, 0);
    // a doppler error two hours after everything else, the only one
    findings.retain(|f| f.signature != "doppler-etcd");
    let late = findings.len();
    findings.push(finding(
        late,
        "doppler-etcd",
        Kind::Symptom,
        "g0/0",
        Some(7200),
    ));
    let c = correlate(&findings, &rules, &BTreeSet::new());
    let panics: Vec<&str> = findings
        .iter()
        .filter(|f| f.signature == "metron-panic")
        .map(|f| f.id.as_str())
        .collect();
    assert!(panics.iter().all(|p| c.unexplained.iter().any(|u| u == p)));
}

/// Any small set of findings and rules: shared fleet-scope links and pairs agree.
fn case() -> impl Strategy<Value = (Vec<Finding>, BTreeMap<String, Rule>, BTreeSet<String>)> {
    const SIGS: [&str; 4] = ["a", "b", "c", "d"];
    const VMS: [&str; 4] = ["x/0", "x/1", "y/0", "stdin"];
    let findings = prop::collection::vec(
        (
            0..4usize,
            any::<bool>(),
            0..4usize,
            prop::option::of(0..6i64),
        ),
        0..24,
    )
    .prop_map(|fs| {
        fs.into_iter()
            .enumerate()
            .map(|(i, (s, cause, v, at))| {
                let kind = if cause { Kind::Cause } else { Kind::Symptom };
                finding(i + 1, SIGS[s], kind, VMS[v], at.map(|m| m * 1800))
            })
            .collect::<Vec<_>>()
    });
    let links = prop::collection::vec(
        (
            0..4usize,
            0..5usize,
            0..3usize,
            prop::option::of(0..4i64),
            any::<bool>(),
        ),
        0..8,
    )
    .prop_map(|ls| {
        let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
        for (from, to, scope, window, when) in ls {
            let cause = SIGS.get(to).copied().unwrap_or(ANY);
            let scope = [Scope::Job, Scope::Vm, Scope::Fleet][scope];
            let mut l = link(cause, scope, window.map(|w| w * 1800));
            if when {
                l.when.insert("side".into(), "1".into());
            }
            rules.entry(SIGS[from].into()).or_default().links.push(l);
        }
        rules
    });
    (findings, links, any::<bool>()).prop_map(|(f, r, paste)| {
        let unplaced = if paste {
            BTreeSet::from(["stdin".to_string()])
        } else {
            BTreeSet::new()
        };
        (f, r, unplaced)
    })
}

proptest! {
    #[test]
    fn shared_fleet_links_and_pairs_give_the_same_root_causes((findings, rules, unplaced) in case()) {
        prop_assert_eq!(
            correlate_graph(&findings, &rules, &unplaced, true),
            correlate_graph(&findings, &rules, &unplaced, false)
        );
    }
}
