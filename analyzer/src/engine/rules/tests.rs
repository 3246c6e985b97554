use super::*;
use crate::correlate::ANY;
use crate::finding::Severity;
use crate::signature::Library;

#[test]
fn every_check_has_a_rule_from_its_own_description() {
    let rules = rules(&[]);
    for meta in checks::REGISTRY.iter().flat_map(|c| c.kinds) {
        let rule = &rules[meta.id];
        assert_eq!(rule.title, meta.title);
        assert_eq!(rule.remediation, meta.remediation);
        assert_eq!(rule.risk_below, meta.risk_below);
        assert_eq!(rule.links.len(), meta.explained_by.len(), "{}", meta.id);
    }
    assert_eq!(rules.len(), checks::CHECK_IDS.len());
}

#[test]
fn the_checks_policies_are_kept() {
    // Risks that have not happened yet, below which severity (what correlation calls latent).
    let rules = rules(&[]);
    let risk = |id: &str| rules[id].risk_below;
    assert_eq!(risk("cert-expiring-soon"), Some(Severity::Critical));
    assert_eq!(risk("cert-unknown-issuer"), Some(Severity::Critical));
    assert_eq!(risk("disk-full"), Some(Severity::High));
    assert_eq!(risk("inodes-exhausted"), Some(Severity::High));
    assert_eq!(risk("agent-vitals-disk"), Some(Severity::High));
    assert_eq!(risk("cert-expired"), None);
    assert_eq!(risk("oom-kill"), None);
    // A process monit gave up on is explained by whatever its own job logged.
    let links = &rules["monit-process-failed"].links;
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].cause.as_str(), links[0].scope), (ANY, Scope::Job));
}

#[test]
fn a_signatures_rule_carries_its_links_remediation_and_job() {
    let lib = Library::builtin();
    let rules = rules(&lib.signatures);
    let sig = lib
        .signatures
        .iter()
        .find(|s| !s.explained_by.is_empty() && s.component.contains('/'))
        .expect("a linked signature");
    let rule = &rules[&sig.id];
    assert_eq!(rule.remediation, sig.report.remediation);
    assert_eq!(rule.title, sig.title);
    assert_eq!(
        rule.job.as_deref(),
        sig.component.rsplit('/').next(),
        "{}",
        sig.id
    );
    let causes: Vec<&str> = rule.links.iter().map(|l| l.cause.as_str()).collect();
    let named: Vec<&str> = sig.explained_by.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(causes, named);
    assert_eq!(rule.risk_below, None);
    // Signatures and checks together, one rule per id.
    assert_eq!(rules.len(), lib.signatures.len() + checks::CHECK_IDS.len());
}
