use super::super::{meta, CHECK_IDS, REGISTRY};
use crate::correlate::ANY;
use crate::signature::Library;
use std::collections::BTreeSet;

#[test]
fn every_registered_check_describes_itself() {
    let mut names = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for check in REGISTRY {
        assert!(names.insert(check.name), "{} registered twice", check.name);
        for m in check.kinds {
            let what = format!("{} ({})", m.id, check.name);
            assert!(ids.insert(m.id), "{what}: id made by two checks");
            assert!(
                !m.id.is_empty()
                    && m.id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{what}: an id is kebab-case"
            );
            assert!(crate::taxonomy::is_category(m.category), "{what}: category");
            assert!(!m.title.trim().is_empty(), "{what}: title");
            assert!(m.remediation.trim().len() > 20, "{what}: remediation");
            for link in m.explained_by {
                assert!(!link.why.trim().is_empty(), "{what}: why {}", link.cause);
                assert!(
                    link.cause == ANY || meta(link.cause).is_some(),
                    "{what}: explained by an unknown check {}",
                    link.cause
                );
            }
        }
    }
    // Every kind is one id of CHECK_IDS, and nothing else is.
    assert_eq!(ids, CHECK_IDS.iter().copied().collect());
    assert_eq!(ids.len(), CHECK_IDS.len());
    // A check that reads files has a gatherer to give them to.
    for check in REGISTRY.iter().filter(|c| c.per_vm.is_none()) {
        assert!(
            (check.reads)("var/vcap/sys/log/x/x.log", true).is_none(),
            "{}",
            check.name
        );
    }
}

#[test]
fn every_check_id_the_library_names_is_registered() {
    let lib = Library::builtin();
    let sigs: BTreeSet<&str> = lib.signatures.iter().map(|s| s.id.as_str()).collect();
    let mut named = 0;
    for s in &lib.signatures {
        let to_checks = s
            .explained_by
            .iter()
            .filter(|l| l.id != ANY && !sigs.contains(l.id.as_str()));
        for link in to_checks {
            assert!(
                meta(&link.id).is_some(),
                "{}: explained_by {} is neither a signature nor a registered check",
                s.id,
                link.id
            );
            named += 1;
        }
    }
    // The library leans on the checks (expired certificates, full disks, OOM kills...).
    assert!(named >= 5, "{named} links to checks");
}
