//! The correlation rules: each signature's `explained_by` links, remediation, title and
//! job, and each structured check's, from its own description in the registry.

use crate::checks;
use crate::correlate::{Link, Rule, Scope};
use crate::signature::{LinkScope, Signature};
use std::collections::BTreeMap;

/// The correlation rules of the library and of the structured checks.
pub fn rules(sigs: &[Signature]) -> BTreeMap<String, Rule> {
    let mut rules: BTreeMap<String, Rule> = sigs
        .iter()
        .map(|s| {
            let links = s
                .explained_by
                .iter()
                .map(|e| Link {
                    cause: e.id.clone(),
                    scope: match e.scope {
                        LinkScope::Job => Scope::Job,
                        LinkScope::Vm => Scope::Vm,
                        LinkScope::Fleet => Scope::Fleet,
                    },
                    window: e.window().and_then(|w| w.ok()),
                    when: e.when.clone(),
                    why: e.why.clone(),
                })
                .collect();
            (
                s.id.clone(),
                Rule {
                    links,
                    remediation: s.report.remediation.clone(),
                    title: s.title.clone(),
                    job: s.component.rsplit('/').next().map(str::to_string),
                    risk_below: None,
                },
            )
        })
        .collect();
    for meta in checks::REGISTRY.iter().flat_map(|c| c.kinds) {
        let links = meta
            .explained_by
            .iter()
            .map(|e| Link {
                cause: e.cause.to_string(),
                scope: e.scope,
                window: None,
                when: BTreeMap::new(),
                why: e.why.to_string(),
            })
            .collect();
        rules.entry(meta.id.to_string()).or_insert(Rule {
            links,
            remediation: meta.remediation.to_string(),
            title: meta.title.to_string(),
            job: None,
            risk_below: meta.risk_below,
        });
    }
    rules
}

#[cfg(test)]
mod tests;
