//! From findings to root causes: follow `explained_by` links (symptom -> candidate causes,
//! within a scope and an optional time window), find the causes nothing else explains, group
//! them across VMs, and rank them.
//!
//! Plain data in ([`Finding`]s and the library's links), plain data out ([`Correlation`]).
//!
//! The policy, stated once (the reports' footers and the README repeat it):
//! - A chain ends in a **cause** (a finding of kind `cause`): that cause is a root cause.
//! - A cause that has happened (an OOM kill, a full disk, an expired certificate, a crash)
//!   is a root-cause candidate even when it explains no recognised symptom. Only a **risk**
//!   that has not happened yet (a certificate expiring soon, a disk nearly full: see
//!   [`Rule::risk_below`]) that explains nothing is `latent`.
//! - A chain whose top is itself a **symptom** (nothing the library knows explains it,
//!   whether it explains other symptoms or stands alone) is never called a root cause: it
//!   is listed as *cause not found* ([`RootCause::cause_found`] false) with where to look
//!   ([`Lead`]), ranked below every chain that ends in a real cause. A lone symptom is
//!   also in `unexplained`; one of severity `info` only there.
//! - A symptom read from text that belongs to no VM (a pasted `cf push` or `bosh deploy`
//!   output, stdin, a loose file) can be explained by a cause on any VM: its place is
//!   unknown, so job and VM scopes cannot rule a cause out.
//! - Ranking, within each of the two groups: symptoms explained, then VMs touched, then
//!   severity, then the earliest first seen.

use crate::finding::{Finding, Kind, Severity};
use crate::model::{Candidate, Evidence, Lead, RootCause};
use jiff::{SignedDuration, Timestamp};
use roots::Roots;
use std::collections::{BTreeMap, BTreeSet};

#[cfg(test)]
mod fleet_tests;
mod graph;
mod roots;
mod shared;

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
#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub links: Vec<Link>,
    pub remediation: String,
    /// The signature's or check's title: names a candidate cause when a chain finds none.
    pub title: String,
    /// The BOSH job whose logs carry the rule's findings, when its component names one
    /// (`doppler` of `loggregator/doppler`): where to look for a cause not found.
    pub job: Option<String>,
    /// A finding of this rule whose severity is below this one is a *risk* that has not
    /// happened yet (a certificate expiring soon, a disk at 90%): when it explains nothing
    /// it is latent, not a root cause. `None`: every finding is something that happened.
    pub risk_below: Option<Severity>,
}

/// The outcome.
#[derive(Debug, Clone, Default, PartialEq)]
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

/// Correlates `findings` (ids assigned) with the rules of their signatures. `unplaced`
/// names the "VMs" that are not VMs (stdin, a loose file, a paste): their symptoms may be
/// explained by a cause anywhere.
pub fn correlate(
    findings: &[Finding],
    rules: &BTreeMap<String, Rule>,
    unplaced: &BTreeSet<String>,
) -> Correlation {
    correlate_graph(findings, rules, unplaced, true)
}

/// [`correlate`], with fleet-scope links `share`d (see [`shared`]) or followed pair by pair
/// (the same answer, in time that grows with the square of the fleet: the tests compare).
fn correlate_graph(
    findings: &[Finding],
    rules: &BTreeMap<String, Rule>,
    unplaced: &BTreeSet<String>,
    share: bool,
) -> Correlation {
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
    let n = findings.len();
    let explainers = graph::build(findings, &by_sig, rules, unplaced, share);
    // The signatures the chains of each node end in.
    let names: Vec<&str> = by_sig.keys().copied().collect();
    let signature: Vec<u32> = findings
        .iter()
        .map(|f| names.binary_search(&f.signature.as_str()).unwrap_or(0) as u32)
        .collect();
    let roots = roots::all_roots(&explainers, n, &signature);

    // Group root findings by signature (fleet grouping), collecting what they explain.
    #[derive(Default)]
    struct Group {
        members: BTreeSet<usize>,
        explains: BTreeSet<usize>,
        why: BTreeSet<String>,
    }
    let mut groups: BTreeMap<&str, Group> = BTreeMap::new();
    for (i, rs) in roots.iter().enumerate().take(n) {
        match rs {
            // A finding nothing explains is the top of its own chain.
            Roots::Signatures(_) if explainers[i].is_empty() => {
                groups
                    .entry(names[signature[i] as usize])
                    .or_default()
                    .members
                    .insert(i);
            }
            Roots::Signatures(sigs) => {
                for &s in sigs.iter() {
                    groups
                        .entry(names[s as usize])
                        .or_default()
                        .explains
                        .insert(i);
                }
            }
            Roots::Findings(rs) => {
                for &r in rs {
                    let g = groups.entry(findings[r].signature.as_str()).or_default();
                    g.members.insert(r);
                    if r != i {
                        g.explains.insert(i);
                    }
                }
            }
        }
    }
    // Why each group explains what it explains: the links followed from a finding to an
    // explainer whose roots are also the finding's roots. When the explainer's chains end,
    // they are the finding's chains too: their signatures are the ones.
    let mut whys: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
    for (i, ex) in explainers.iter().enumerate().take(n) {
        let mut walked: Option<BTreeSet<usize>> = None;
        for &(c, why) in ex.iter().filter(|(_, why)| !why.is_empty()) {
            // A shared set whose chains meet a cycle: its findings one by one, as if linked
            // pair by pair (rare: a cycle of fleet-scope links).
            let targets = match &roots[c] {
                Roots::Findings(_) if c >= n => roots::findings_in(c, &explainers, n),
                _ => vec![c],
            };
            for c in targets {
                match &roots[c] {
                    Roots::Signatures(sigs) => {
                        for &s in sigs.iter() {
                            whys.entry(s).or_default().insert(why);
                        }
                    }
                    Roots::Findings(rc) => {
                        // A cycle with no way out: check each root (rare, and small).
                        let ri = walked.get_or_insert_with(|| match &roots[i] {
                            Roots::Findings(ri) => ri.clone(),
                            Roots::Signatures(_) => roots::roots_of(i, &explainers, n),
                        });
                        for r in rc.intersection(ri) {
                            whys.entry(signature[*r]).or_default().insert(why);
                        }
                    }
                }
            }
        }
    }
    for (sig, why) in whys {
        if let Some(g) = groups.get_mut(names[sig as usize]) {
            g.why.extend(why.into_iter().map(str::to_string));
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
        let rule = rules.get(sig);
        if standalone && head.kind == Kind::Symptom {
            // A lone symptom is a chain of one: listed as *cause not found*, below every
            // real cause, so the report still leads with what went wrong and where to look.
            // It is never latent: it has happened.
            out.unexplained.extend(members.iter().map(|f| f.id.clone()));
            if severity == Severity::Info {
                continue;
            }
        } else if standalone
            && (severity == Severity::Info || members.iter().all(|f| is_risk(f, rule)))
        {
            out.latent.extend(members.iter().map(|f| f.id.clone()));
            continue;
        }
        let cause_found = head.kind == Kind::Cause;
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
            remediation: rule.map(|r| r.remediation.clone()).unwrap_or_default(),
            cause_found,
            look_at: (!cause_found).then(|| lead(rule, rules, findings, &members)),
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
        b.cause_found
            .cmp(&a.cause_found)
            .then(b.explains.len().cmp(&a.explains.len()))
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

/// Whether `f` is a risk that has not happened yet under its rule.
fn is_risk(f: &Finding, rule: Option<&Rule>) -> bool {
    rule.and_then(|r| r.risk_below)
        .is_some_and(|below| f.severity < below)
}

/// Where to look for the cause of a chain whose top is a symptom: the causes its rule
/// names, the jobs that log them, and the VMs where those jobs left findings or whose
/// instance group carries the job's name.
fn lead(
    rule: Option<&Rule>,
    rules: &BTreeMap<String, Rule>,
    findings: &[Finding],
    members: &[&Finding],
) -> Lead {
    let mut candidates = Vec::new();
    let mut jobs = BTreeSet::new();
    for link in rule.map(|r| r.links.as_slice()).unwrap_or_default() {
        if link.cause == ANY {
            jobs.extend(members.iter().filter_map(|f| f.job.clone()));
            continue;
        }
        let target = rules.get(&link.cause);
        jobs.extend(target.and_then(|t| t.job.clone()));
        candidates.push(Candidate {
            signature: link.cause.clone(),
            title: target.map(|t| t.title.clone()).unwrap_or_default(),
            why: link.why.clone(),
        });
    }
    let vms: BTreeSet<String> = findings
        .iter()
        .filter(|f| {
            f.job.as_ref().is_some_and(|j| jobs.contains(j))
                || jobs.iter().any(|j| group_of(&f.vm).contains(j.as_str()))
        })
        .map(|f| f.vm.clone())
        .collect();
    Lead {
        candidates,
        jobs: jobs.into_iter().collect(),
        vms: vms.into_iter().collect(),
    }
}

/// The instance group of a VM name (`doppler_z2` of `doppler_z2/0`).
fn group_of(vm: &str) -> &str {
    vm.split_once('/').map_or(vm, |(g, _)| g)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn f(
        id: &str,
        sig: &str,
        kind: Kind,
        vm: &str,
        job: &str,
        ts: Option<&str>,
    ) -> Finding {
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
                ..Rule::default()
            },
        );
        rules.insert(
            "doppler-down".to_string(),
            Rule {
                links: vec![link("etcd-down", Scope::Vm)],
                remediation: "restart".into(),
                ..Rule::default()
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
        let c = correlate(&findings, &rules, &BTreeSet::new());
        assert_eq!(c.root_causes.len(), 2, "{:?}", c.root_causes);
        let rc = &c.root_causes[0];
        assert_eq!(rc.signature, "etcd-down");
        assert!(rc.cause_found);
        assert_eq!(rc.explains, vec!["f1", "f2", "f3"]);
        assert_eq!(rc.symptom_vms, vec!["a/0", "b/0", "doppler/1"]);
        assert_eq!(c.unexplained, vec!["f5"]);
        // The lone symptom: listed after the real cause, as cause not found.
        let lone = &c.root_causes[1];
        assert_eq!(
            (lone.signature.as_str(), lone.cause_found),
            ("lonely", false)
        );
        assert!(lone.explains.is_empty() && lone.look_at.is_some());
    }

    #[test]
    fn two_paths_to_one_cause_make_one_root() {
        // i -> A -> C and i -> C: C is the only root, A is explained.
        let mut rules = BTreeMap::new();
        rules.insert(
            "sym".to_string(),
            Rule {
                links: vec![link("mid", Scope::Vm), link("root", Scope::Vm)],
                ..Rule::default()
            },
        );
        rules.insert(
            "mid".to_string(),
            Rule {
                links: vec![link("root", Scope::Vm)],
                ..Rule::default()
            },
        );
        let findings = vec![
            f("f1", "sym", Kind::Symptom, "a/0", "x", None),
            f("f2", "mid", Kind::Cause, "a/0", "x", None),
            f("f3", "root", Kind::Cause, "a/0", "x", None),
        ];
        let c = correlate(&findings, &rules, &BTreeSet::new());
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
                ..Rule::default()
            },
        );
        rules.insert(
            "b".to_string(),
            Rule {
                links: vec![link("a", Scope::Vm)],
                ..Rule::default()
            },
        );
        let findings = vec![
            f("f1", "a", Kind::Cause, "v/0", "x", None),
            f("f2", "b", Kind::Cause, "v/0", "x", None),
        ];
        let c = correlate(&findings, &rules, &BTreeSet::new());
        assert!(!c.root_causes.is_empty());
    }

    #[test]
    fn wildcard_links_take_any_other_signature_on_the_same_job() {
        let mut rules = BTreeMap::new();
        rules.insert(
            "monit".to_string(),
            Rule {
                links: vec![link(ANY, Scope::Job)],
                ..Rule::default()
            },
        );
        let findings = vec![
            f("f1", "monit", Kind::Cause, "v/0", "nats", None),
            f("f2", "nats-tls", Kind::Cause, "v/0", "nats", None),
            f("f3", "other", Kind::Cause, "v/0", "gorouter", None),
        ];
        let c = correlate(&findings, &rules, &BTreeSet::new());
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
                ..Rule::default()
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
        let c = correlate(&findings, &rules, &BTreeSet::new());
        assert_eq!(c.unexplained, vec!["f1", "f3"]);
        // The causes explain nothing but are high severity: listed as standalone root
        // causes, first; the symptoms they could not explain follow as cause not found.
        let listed: Vec<(&str, bool)> = c
            .root_causes
            .iter()
            .map(|r| (r.signature.as_str(), r.cause_found))
            .collect();
        assert_eq!(listed, [("cert", true), ("tls", false)]);
        assert!(c.root_causes[0].explains.is_empty());
        assert!(c.latent.is_empty());
    }

    #[test]
    fn a_cause_that_happened_is_a_root_cause_even_alone_and_only_risks_are_latent() {
        let mut rules = BTreeMap::new();
        rules.insert(
            "expiring".to_string(),
            Rule {
                risk_below: Some(Severity::Critical),
                ..Rule::default()
            },
        );
        let mut oom = f("f1", "oom", Kind::Cause, "cell/0", "garden", None);
        oom.severity = Severity::Medium;
        let mut soon = f("f2", "expiring", Kind::Cause, "cell/0", "rep", None);
        soon.severity = Severity::Medium;
        let c = correlate(&[oom, soon], &rules, &BTreeSet::new());
        let roots: Vec<&str> = c.root_causes.iter().map(|r| r.signature.as_str()).collect();
        assert_eq!(roots, ["oom"], "an OOM kill happened: a candidate cause");
        assert!(c.root_causes[0].cause_found);
        assert_eq!(c.latent, ["f2"], "a certificate expiring soon is a risk");
    }

    #[test]
    fn a_symptom_pasted_from_a_cli_is_explained_by_a_cause_on_a_vm() {
        let mut rules = BTreeMap::new();
        rules.insert(
            "staging-failed".to_string(),
            Rule {
                links: vec![link("disk-full", Scope::Vm)],
                ..Rule::default()
            },
        );
        let findings = vec![
            f("f1", "staging-failed", Kind::Symptom, "stdin", "x", None),
            f("f2", "disk-full", Kind::Cause, "cell/0", "garden", None),
        ];
        let placed = correlate(&findings, &rules, &BTreeSet::new());
        assert_eq!(
            placed.unexplained,
            ["f1"],
            "a VM-scoped link needs the same VM"
        );
        let unplaced = BTreeSet::from(["stdin".to_string()]);
        let c = correlate(&findings, &rules, &unplaced);
        assert!(c.unexplained.is_empty(), "{c:?}");
        assert_eq!(c.root_causes[0].signature, "disk-full");
        assert_eq!(c.root_causes[0].explains, ["f1"]);
    }

    #[test]
    fn a_chain_topped_by_a_symptom_is_cause_not_found_and_ranks_below_real_causes() {
        let mut rules = BTreeMap::new();
        rules.insert(
            "metron-no-dopplers".to_string(),
            Rule {
                links: vec![link("doppler-etcd-unreachable", Scope::Fleet)],
                ..Rule::default()
            },
        );
        rules.insert(
            "doppler-etcd-unreachable".to_string(),
            Rule {
                title: "doppler cannot reach etcd".into(),
                job: Some("doppler".into()),
                ..Rule::default()
            },
        );
        rules.insert(
            "monit".to_string(),
            Rule {
                links: vec![link("metron-no-dopplers", Scope::Job)],
                ..Rule::default()
            },
        );
        let findings = vec![
            f(
                "f1",
                "metron-no-dopplers",
                Kind::Symptom,
                "api/0",
                "metron_agent",
                None,
            ),
            f("f2", "monit", Kind::Symptom, "api/0", "metron_agent", None),
            f(
                "f3",
                "metron-no-dopplers",
                Kind::Symptom,
                "doppler_z2/0",
                "metron_agent",
                None,
            ),
            f(
                "f4",
                "monit",
                Kind::Symptom,
                "doppler_z2/0",
                "metron_agent",
                None,
            ),
            f("f5", "oom", Kind::Cause, "cell/0", "garden", None),
        ];
        let c = correlate(&findings, &rules, &BTreeSet::new());
        let order: Vec<(&str, bool)> = c
            .root_causes
            .iter()
            .map(|r| (r.signature.as_str(), r.cause_found))
            .collect();
        assert_eq!(
            order,
            [("oom", true), ("metron-no-dopplers", false)],
            "the real cause first, though it explains less"
        );
        let lead = c.root_causes[1].look_at.as_ref().expect("where to look");
        assert_eq!(lead.candidates[0].signature, "doppler-etcd-unreachable");
        assert_eq!(lead.candidates[0].title, "doppler cannot reach etcd");
        assert_eq!(lead.jobs, ["doppler"]);
        assert_eq!(
            lead.vms,
            ["doppler_z2/0"],
            "the VM whose group names the job"
        );
        assert!(c.root_causes[0].look_at.is_none());
    }
}
