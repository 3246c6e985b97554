//! The policies that make one finding of one fact: the same line read as the same failure
//! by a check and a signature, and the same fact a check counted once per VM.

use crate::checks;
use crate::finding::{Finding, Severity};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

/// One finding per line and category: a structured check and a signature (or two
/// signatures) that read the same line as the same kind of failure say it once. The
/// structured check wins (it knows more), then the more severe, then the first id, then
/// the first excerpt and the larger count.
pub(super) fn dedupe_same_line(findings: Vec<Finding>) -> Vec<Finding> {
    let is_check = |f: &Finding| checks::CHECK_IDS.contains(&f.signature.as_str());
    let mut best: BTreeMap<(String, String, u64, String), Finding> = BTreeMap::new();
    let mut rest = Vec::new();
    for f in findings {
        let Some(line) = f.line else {
            rest.push(f);
            continue;
        };
        let key = (f.vm.clone(), f.path.clone(), line, f.category.clone());
        // A total order, so that the outcome does not depend on the order VMs were read in
        // (two VMs of one name in different deployments meet here).
        let rank = |f: &Finding| -> (bool, Severity, Reverse<String>, Reverse<String>, u64) {
            (
                is_check(f),
                f.severity,
                Reverse(f.signature.clone()),
                Reverse(f.excerpt.clone()),
                f.count,
            )
        };
        match best.get(&key) {
            Some(b) if rank(b) >= rank(&f) => {}
            _ => {
                best.insert(key, f);
            }
        }
    }
    rest.extend(best.into_values());
    rest
}

/// A structured check that counted a fact once per VM (an OOM kill by pid and process, a
/// monit process) subsumes the signature findings of the same category on the same VM that
/// name the same thing (every capture both carry is equal, and they share one): the same
/// kill seen in `dmesg` and `kern.log` is one finding.
pub(super) fn subsumed_by_checks(findings: Vec<Finding>) -> Vec<Finding> {
    let is_check = |f: &Finding| checks::CHECK_IDS.contains(&f.signature.as_str());
    // By (VM, category): a lookup per finding, not a walk through every check of the fleet
    // (that grew with the square of the fleet).
    let mut checks_found: HashMap<(&str, &str), Vec<&Finding>> = HashMap::new();
    for c in findings
        .iter()
        .filter(|f| is_check(f) && !f.captures.is_empty())
    {
        checks_found
            .entry((c.vm.as_str(), c.category.as_str()))
            .or_default()
            .push(c);
    }
    let same_thing = |sig: &Finding, chk: &Finding| {
        let shared: Vec<&String> = sig
            .captures
            .keys()
            .filter(|k| chk.captures.contains_key(*k))
            .collect();
        !shared.is_empty() && shared.iter().all(|k| sig.captures[*k] == chk.captures[*k])
    };
    let keep: Vec<bool> = findings
        .iter()
        .map(|f| {
            is_check(f)
                || !checks_found
                    .get(&(f.vm.as_str(), f.category.as_str()))
                    .is_some_and(|cs| cs.iter().any(|c| same_thing(f, c)))
        })
        .collect();
    findings
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .collect()
}

#[cfg(test)]
mod tests;
