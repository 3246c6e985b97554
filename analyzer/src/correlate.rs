//! From findings to root causes: follow `explained_by` links (symptom -> candidate causes,
//! within a scope and an optional time window), find the causes nothing else explains, group
//! them across VMs, and rank them.
//!
//! Plain data in ([`Finding`]s and the library's links), plain data out ([`Correlation`]).

use crate::finding::{Finding, Kind, Severity};
use crate::report::model::{Evidence, RootCause};
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

/// How far a link reaches from the symptom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Same VM and same job.
    Job,
    /// Same VM.
    Vm,
    /// Anywhere in the analyzed set.
    Fleet,
}

/// One `explained_by` link of a signature.
#[derive(Debug, Clone)]
pub struct Link {
    /// The cause's signature or check id; [`ANY`] for any finding of another signature
    /// (used by structured checks: a process monit gave up on is explained by whatever its
    /// own job logged).
    pub cause: String,
    pub scope: Scope,
    /// The cause must appear no later than this after the symptom.
    pub window: Option<SignedDuration>,
    /// Captures the cause finding must carry with these values.
    pub when: BTreeMap<String, String>,
    pub why: String,
}

/// What correlation needs to know of one signature or check.
#[derive(Debug, Clone)]
pub struct Rule {
    pub links: Vec<Link>,
    pub remediation: String,
}

/// The outcome.
#[derive(Debug, Clone, Default)]
pub struct Correlation {
    pub root_causes: Vec<RootCause>,
    /// Symptom findings nothing explains.
    pub unexplained: Vec<String>,
    /// Cause findings that explain nothing and are below `high`: risks, not failures yet.
    pub latent: Vec<String>,
}

/// The wildcard cause of a [`Link`].
pub const ANY: &str = "*";

/// Evidence entries kept per root cause.
const MAX_EVIDENCE: usize = 20;

/// Correlates `findings` (ids assigned) with the rules of their signatures.
pub fn correlate(findings: &[Finding], rules: &BTreeMap<String, Rule>) -> Correlation {
    // Edges: finding index -> the findings that explain it (with the link's why).
    let by_sig: BTreeMap<&str, Vec<usize>> =
        findings
            .iter()
            .enumerate()
            .fold(BTreeMap::new(), |mut m, (i, f)| {
                m.entry(f.signature.as_str())
                    .or_insert_with(Vec::new)
                    .push(i);
                m
            });
    let mut explainers: Vec<Vec<(usize, &str)>> = vec![Vec::new(); findings.len()];
    for (i, f) in findings.iter().enumerate() {
        let Some(rule) = rules.get(&f.signature) else {
            continue;
        };
        for link in &rule.links {
            let candidates: Box<dyn Iterator<Item = usize>> = if link.cause == ANY {
                Box::new((0..findings.len()).filter(|&c| findings[c].signature != f.signature))
            } else {
                Box::new(
                    by_sig
                        .get(link.cause.as_str())
                        .into_iter()
                        .flatten()
                        .copied(),
                )
            };
            for c in candidates {
                if c != i && applies(link, f, &findings[c]) {
                    explainers[i].push((c, link.why.as_str()));
                }
            }
        }
    }
    // Roots of each finding: follow explainers until findings nothing explains.
    let roots: Vec<BTreeSet<usize>> = (0..findings.len())
        .map(|i| roots_of(i, &explainers))
        .collect();

    // Group root findings by signature (fleet grouping), collecting what they explain.
    struct Group {
        members: BTreeSet<usize>,
        explains: BTreeSet<usize>,
        why: BTreeSet<String>,
    }
    let mut groups: BTreeMap<&str, Group> = BTreeMap::new();
    for (i, rs) in roots.iter().enumerate() {
        for &r in rs {
            let g = groups
                .entry(findings[r].signature.as_str())
                .or_insert_with(|| Group {
                    members: BTreeSet::new(),
                    explains: BTreeSet::new(),
                    why: BTreeSet::new(),
                });
            g.members.insert(r);
            if r != i {
                g.explains.insert(i);
            }
        }
    }
    for (i, ex) in explainers.iter().enumerate() {
        for &(c, why) in ex {
            for r in &roots[c] {
                if let Some(g) = groups.get_mut(findings[*r].signature.as_str()) {
                    if roots[i].contains(r) && !why.is_empty() {
                        g.why.insert(why.to_string());
                    }
                }
            }
        }
    }

    let mut out = Correlation::default();
    let mut causes = Vec::new();
    for (sig, g) in groups {
        let members: Vec<&Finding> = g.members.iter().map(|&i| &findings[i]).collect();
        let head = members[0];
        let severity = members
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info);
        let standalone = g.explains.is_empty();
        if standalone && head.kind == Kind::Symptom {
            out.unexplained.extend(members.iter().map(|f| f.id.clone()));
            continue;
        }
        if standalone && severity < Severity::High {
            out.latent.extend(members.iter().map(|f| f.id.clone()));
            continue;
        }
        let vms: BTreeSet<String> = members.iter().map(|f| f.vm.clone()).collect();
        let symptom_vms: BTreeSet<String> =
            g.explains.iter().map(|&i| findings[i].vm.clone()).collect();
        let first_seen = members.iter().filter_map(|f| f.timestamp).min();
        let mut evidence: Vec<&Finding> = members.clone();
        evidence.sort_by_key(|f| {
            (
                f.timestamp.is_none(),
                f.timestamp,
                f.vm.clone(),
                f.path.clone(),
                f.line,
            )
        });
        causes.push(RootCause {
            rank: 0,
            signature: sig.to_string(),
            category: head.category.clone(),
            title: head.title.clone(),
            severity,
            vms: vms.into_iter().collect(),
            first_seen,
            explains: g.explains.iter().map(|&i| findings[i].id.clone()).collect(),
            symptom_vms: symptom_vms.into_iter().collect(),
            evidence: evidence
                .iter()
                .take(MAX_EVIDENCE)
                .map(|f| evidence_of(f))
                .collect(),
            why: g.why.into_iter().collect(),
            summary: head.summary.clone(),
            remediation: rules
                .get(sig)
                .map(|r| r.remediation.clone())
                .unwrap_or_default(),
            // counted per instance group with the rest of the report (report::fleet)
            groups: Vec::new(),
            symptom_groups: Vec::new(),
            odd_ones: Vec::new(),
        });
    }
    causes.sort_by(|a, b| {
        let vms = |c: &RootCause| {
            c.vms
                .iter()
                .chain(&c.symptom_vms)
                .collect::<BTreeSet<_>>()
                .len()
        };
        b.explains
            .len()
            .cmp(&a.explains.len())
            .then(vms(b).cmp(&vms(a)))
            .then(b.severity.cmp(&a.severity))
            .then(cmp_first(a.first_seen, b.first_seen))
            .then(a.signature.cmp(&b.signature))
    });
    for (i, c) in causes.iter_mut().enumerate() {
        c.rank = i as u32 + 1;
    }
    out.root_causes = causes;
    out.unexplained.sort_by_key(|id| id_number(id));
    out.latent.sort_by_key(|id| id_number(id));
    out
}

/// Earlier first; unknown times last.
fn cmp_first(a: Option<Timestamp>, b: Option<Timestamp>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

fn id_number(id: &str) -> u64 {
    id.trim_start_matches('f').parse().unwrap_or(u64::MAX)
}

fn evidence_of(f: &Finding) -> Evidence {
    Evidence {
        finding: f.id.clone(),
        vm: f.vm.clone(),
        path: f.path.clone(),
        line: f.line,
        timestamp: f.timestamp,
        count: f.count,
        excerpt: f.excerpt.clone(),
    }
}

/// Whether `cause` can explain `symptom` under `link`.
fn applies(link: &Link, symptom: &Finding, cause: &Finding) -> bool {
    let place = match link.scope {
        Scope::Job => symptom.vm == cause.vm && symptom.job == cause.job,
        Scope::Vm => symptom.vm == cause.vm,
        Scope::Fleet => true,
    };
    let captures = link
        .when
        .iter()
        .all(|(k, v)| cause.captures.get(k) == Some(v));
    let time = match (link.window, symptom.timestamp, cause.timestamp) {
        (Some(w), Some(s), Some(c)) => c <= s.checked_add(w).unwrap_or(Timestamp::MAX),
        _ => true,
    };
    place && captures && time
}

/// The findings at the top of `i`'s explanation chains: every finding reachable from `i`
/// through explainers that nothing explains. When all of them are explained (a cycle with no
/// way out), the reachable findings other than `i` stand together; `i` alone stands for
/// itself.
fn roots_of(i: usize, explainers: &[Vec<(usize, &str)>]) -> BTreeSet<usize> {
    let mut reached = BTreeSet::new();
    let mut todo = vec![i];
    while let Some(n) = todo.pop() {
        if reached.insert(n) {
            todo.extend(explainers[n].iter().map(|&(c, _)| c));
        }
    }
    let roots: BTreeSet<usize> = reached
        .iter()
        .copied()
        .filter(|&n| explainers[n].is_empty())
        .collect();
    if !roots.is_empty() {
        return roots;
    }
    let others: BTreeSet<usize> = reached.into_iter().filter(|&n| n != i).collect();
    if others.is_empty() {
        BTreeSet::from([i])
    } else {
        others
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: &str, sig: &str, kind: Kind, vm: &str, job: &str, ts: Option<&str>) -> Finding {
        Finding {
            id: id.into(),
            signature: sig.into(),
            category: "x".into(),
            kind,
            severity: Severity::High,
            title: sig.into(),
            summary: sig.into(),
            vm: vm.into(),
            job: Some(job.into()),
            path: format!("var/vcap/sys/log/{job}/{job}.log"),
            line: Some(1),
            timestamp: ts.map(|t| t.parse().unwrap()),
            last_seen: None,
            count: 1,
            excerpt: String::new(),
            captures: BTreeMap::new(),
        }
    }

    fn link(cause: &str, scope: Scope) -> Link {
        Link {
            cause: cause.into(),
            scope,
            window: None,
            when: BTreeMap::new(),
            why: format!("{cause} explains it"),
        }
    }

    #[test]
    fn fleet_cause_explains_symptoms_on_every_vm_and_chains_resolve_to_the_root() {
        let mut rules = BTreeMap::new();
        rules.insert(
            "metron-panic".to_string(),
            Rule {
                links: vec![link("doppler-down", Scope::Fleet)],
                remediation: String::new(),
            },
        );
        rules.insert(
            "doppler-down".to_string(),
            Rule {
                links: vec![link("etcd-down", Scope::Vm)],
                remediation: "restart".into(),
            },
        );
        let findings = vec![
            f(
                "f1",
                "metron-panic",
                Kind::Symptom,
                "a/0",
                "metron_agent",
                None,
            ),
            f(
                "f2",
                "metron-panic",
                Kind::Symptom,
                "b/0",
                "metron_agent",
                None,
            ),
            f(
                "f3",
                "doppler-down",
                Kind::Cause,
                "doppler/1",
                "doppler",
                None,
            ),
            f("f4", "etcd-down", Kind::Cause, "doppler/1", "doppler", None),
            f("f5", "lonely", Kind::Symptom, "a/0", "rep", None),
        ];
        let c = correlate(&findings, &rules);
        assert_eq!(c.root_causes.len(), 1, "{:?}", c.root_causes);
        let rc = &c.root_causes[0];
        assert_eq!(rc.signature, "etcd-down");
        assert_eq!(rc.explains, vec!["f1", "f2", "f3"]);
        assert_eq!(rc.symptom_vms, vec!["a/0", "b/0", "doppler/1"]);
        assert_eq!(c.unexplained, vec!["f5"]);
    }

    #[test]
    fn two_paths_to_one_cause_make_one_root() {
        // i -> A -> C and i -> C: C is the only root, A is explained.
        let mut rules = BTreeMap::new();
        rules.insert(
            "sym".to_string(),
            Rule {
                links: vec![link("mid", Scope::Vm), link("root", Scope::Vm)],
                remediation: String::new(),
            },
        );
        rules.insert(
            "mid".to_string(),
            Rule {
                links: vec![link("root", Scope::Vm)],
                remediation: String::new(),
            },
        );
        let findings = vec![
            f("f1", "sym", Kind::Symptom, "a/0", "x", None),
            f("f2", "mid", Kind::Cause, "a/0", "x", None),
            f("f3", "root", Kind::Cause, "a/0", "x", None),
        ];
        let c = correlate(&findings, &rules);
        assert_eq!(c.root_causes.len(), 1, "{:?}", c.root_causes);
        assert_eq!(c.root_causes[0].signature, "root");
        assert_eq!(c.root_causes[0].explains, vec!["f1", "f2"]);
    }

    #[test]
    fn a_cycle_with_no_way_out_still_yields_a_root() {
        let mut rules = BTreeMap::new();
        rules.insert(
            "a".to_string(),
            Rule {
                links: vec![link("b", Scope::Vm)],
                remediation: String::new(),
            },
        );
        rules.insert(
            "b".to_string(),
            Rule {
                links: vec![link("a", Scope::Vm)],
                remediation: String::new(),
            },
        );
        let findings = vec![
            f("f1", "a", Kind::Cause, "v/0", "x", None),
            f("f2", "b", Kind::Cause, "v/0", "x", None),
        ];
        let c = correlate(&findings, &rules);
        assert!(!c.root_causes.is_empty());
    }

    #[test]
    fn wildcard_links_take_any_other_signature_on_the_same_job() {
        let mut rules = BTreeMap::new();
        rules.insert(
            "monit".to_string(),
            Rule {
                links: vec![link(ANY, Scope::Job)],
                remediation: String::new(),
            },
        );
        let findings = vec![
            f("f1", "monit", Kind::Cause, "v/0", "nats", None),
            f("f2", "nats-tls", Kind::Cause, "v/0", "nats", None),
            f("f3", "other", Kind::Cause, "v/0", "gorouter", None),
        ];
        let c = correlate(&findings, &rules);
        let nats = c
            .root_causes
            .iter()
            .find(|r| r.signature == "nats-tls")
            .unwrap();
        assert_eq!(nats.explains, vec!["f1"]);
    }

    #[test]
    fn scope_and_window_limit_links() {
        let mut rules = BTreeMap::new();
        let mut l = link("cert", Scope::Job);
        l.window = Some(SignedDuration::from_hours(1));
        rules.insert(
            "tls".to_string(),
            Rule {
                links: vec![l],
                remediation: String::new(),
            },
        );
        let findings = vec![
            f(
                "f1",
                "tls",
                Kind::Symptom,
                "cell/0",
                "rep",
                Some("2020-01-01T00:00:00Z"),
            ),
            f(
                "f2",
                "cert",
                Kind::Cause,
                "cell/0",
                "garden",
                Some("2020-01-01T00:00:00Z"),
            ),
            f(
                "f3",
                "tls",
                Kind::Symptom,
                "cell/1",
                "rep",
                Some("2020-01-01T00:00:00Z"),
            ),
            f(
                "f4",
                "cert",
                Kind::Cause,
                "cell/1",
                "rep",
                Some("2020-01-01T05:00:00Z"),
            ),
        ];
        let c = correlate(&findings, &rules);
        assert_eq!(c.unexplained, vec!["f1", "f3"]);
        // The causes explain nothing but are high severity: listed as standalone root causes.
        assert_eq!(c.root_causes.len(), 1);
        assert!(c.root_causes[0].explains.is_empty());
        assert!(c.latent.is_empty());
    }
}
