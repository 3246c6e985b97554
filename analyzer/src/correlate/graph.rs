//! The explanation graph: for each finding, the findings (or shared sets of them, see
//! [`super::shared`]) that its signature's links reach, with each link's why.

use super::{shared, Link, Rule, Scope, ANY};
use crate::finding::Finding;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

/// `explainers[n]`: the nodes that explain node `n`, with the link's why. Nodes
/// `0..findings.len()` are the findings, the rest shared sets of causes. `by_sig`: the
/// findings of each signature. `share`: whether fleet-scope links go through shared sets.
pub(super) fn build<'r>(
    findings: &[Finding],
    by_sig: &BTreeMap<&str, Vec<usize>>,
    rules: &'r BTreeMap<String, Rule>,
    unplaced: &BTreeSet<String>,
    share: bool,
) -> Vec<Vec<(usize, &'r str)>> {
    let mut by_vm: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut by_sig_vm: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_vm.entry(f.vm.as_str()).or_default().push(i);
        by_sig_vm
            .entry((f.signature.as_str(), f.vm.as_str()))
            .or_default()
            .push(i);
    }
    // The graph: nodes 0..findings.len() are findings, then shared sets of causes
    // (`shared`); `explainers[n]`: the nodes that explain node n, with the link's why.
    let n = findings.len();
    let mut explainers: Vec<Vec<(usize, &str)>> = vec![Vec::new(); n];
    for (&sig, symptoms) in by_sig {
        let Some(rule) = rules.get(sig) else {
            continue;
        };
        for link in &rule.links {
            if share && link.scope == Scope::Fleet && link.cause != sig {
                shared::add_fleet_link(link, sig, symptoms, findings, by_sig, &mut explainers);
                continue;
            }
            for &i in symptoms {
                let f = &findings[i];
                // A job- or VM-scope link looks at the symptom's VM only (at fleet scale,
                // looking at every finding for each symptom grew with the square of the
                // fleet). A symptom with no place (pasted text) may be explained on any VM:
                // see `applies`.
                let local =
                    link.scope != Scope::Fleet && !(link.cause != ANY && unplaced.contains(&f.vm));
                let candidates: Box<dyn Iterator<Item = usize>> = if link.cause == ANY {
                    let all: Box<dyn Iterator<Item = usize>> = if local {
                        Box::new(by_vm.get(f.vm.as_str()).into_iter().flatten().copied())
                    } else {
                        Box::new(0..n)
                    };
                    Box::new(all.filter(|&c| findings[c].signature != f.signature))
                } else if local {
                    Box::new(
                        by_sig_vm
                            .get(&(link.cause.as_str(), f.vm.as_str()))
                            .into_iter()
                            .flatten()
                            .copied(),
                    )
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
                    if c != i && applies(link, f, &findings[c], unplaced) {
                        explainers[i].push((c, link.why.as_str()));
                    }
                }
            }
        }
    }
    explainers
}

/// Whether `cause` can explain `symptom` under `link`. A symptom with no place (`unplaced`)
/// can be explained by a cause anywhere, except through the "whatever the same job logged"
/// wildcard, which needs a job.
fn applies(link: &Link, symptom: &Finding, cause: &Finding, unplaced: &BTreeSet<String>) -> bool {
    let anywhere = link.cause != ANY && unplaced.contains(&symptom.vm);
    let place = anywhere
        || match link.scope {
            Scope::Job => symptom.vm == cause.vm && symptom.job == cause.job,
            Scope::Vm => symptom.vm == cause.vm,
            Scope::Fleet => true,
        };
    let captures = captures_match(link, cause);
    let time = match (link.window, symptom.timestamp, cause.timestamp) {
        (Some(w), Some(s), Some(c)) => c <= s.checked_add(w).unwrap_or(Timestamp::MAX),
        _ => true,
    };
    place && captures && time
}

/// Whether `cause` carries the captures `link` asks for.
pub(super) fn captures_match(link: &Link, cause: &Finding) -> bool {
    link.when
        .iter()
        .all(|(k, v)| cause.captures.get(k) == Some(v))
}
