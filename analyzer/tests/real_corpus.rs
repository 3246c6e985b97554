//! The real-line corpus (`corpus/`, verbatim lines from public Cloud Foundry and BOSH
//! threads): the `vcap-analyze` binary must raise nothing above `info` on any normal case,
//! and must name the expected category for at least `MIN_RECALL` of the failure cases.
//! The scoring is the same code as `cargo run --release -p vcap-analyze --example score_corpus`
//! (`examples/score_corpus/scoring.rs`, included by path), so the test and the command
//! cannot disagree.

#[allow(dead_code)] // the example reads more of it than this test does
#[path = "../examples/score_corpus/scoring.rs"]
mod scoring;

use std::path::{Path, PathBuf};

/// Recall floor in percent: a ratchet. It is set to the recall measured when the corpus or
/// the library last changed; raise it whenever the library improves (never lower it to make
/// a change pass: a drop means a signature or the reading layer lost something).
const MIN_RECALL: f64 = 99.0;

/// Top-1 floor in percent, a ratchet like [`MIN_RECALL`]: the report's rank-1 root cause
/// (a real cause, or a symptom whose cause was not found) has the case's category.
const MIN_TOP1: f64 = 95.0;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

#[test]
fn real_corpus_recall_holds_and_normal_lines_raise_nothing() {
    let cases = scoring::load(&corpus_dir()).unwrap_or_else(|e| panic!("corpus: {e}"));
    assert!(
        cases.iter().filter(|c| c.failure).count() >= 140,
        "the corpus lost failure cases"
    );
    let bin = Path::new(env!("CARGO_BIN_EXE_vcap-analyze"));
    let score = scoring::score(bin, &cases, |_, _| {});

    assert!(
        score.errors.is_empty(),
        "unscored cases: {:?}",
        score.errors
    );
    assert!(
        score.false_positives.is_empty(),
        "normal lines raised findings above info: {:#?}",
        score.false_positives
    );
    let top1 = score.overall.top1_recall();
    assert!(
        top1 >= MIN_TOP1,
        "top-1 {top1:.1}% fell below the floor {MIN_TOP1}% ({}/{} failure cases)",
        score.overall.top1,
        score.overall.cases
    );
    let recall = score.overall.recall();
    assert!(
        recall >= MIN_RECALL,
        "recall {recall:.1}% fell below the floor {MIN_RECALL}% ({}/{} failure cases)",
        score.overall.hits,
        score.overall.cases
    );
}

#[test]
fn a_failure_case_without_its_category_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let failures = dir.path().join("failures/disk_full");
    std::fs::create_dir_all(&failures).unwrap();
    std::fs::create_dir_all(dir.path().join("normal")).unwrap();
    // Illustrative case text: this test checks the corpus format, not a diagnosis.
    std::fs::write(
        failures.join("x.toml"),
        "source = \"https://example.org/t\"\nenvelope = \"plain\"\ncategory = \"out_of_memory\"\nnote = \"n\"\ntext = 'x'\n",
    )
    .unwrap();
    let err = scoring::load(dir.path()).unwrap_err();
    assert!(err.contains("x.toml"), "{err}");
    assert!(err.contains("directory name"), "{err}");
}

#[test]
fn judging_reads_root_causes_then_unexplained_and_latent_findings() {
    // Hand-written reports in the schema-1 shape (illustrative, not real output).
    let with_root = serde_json::json!({
        "root_causes": [
            {"rank": 2, "category": "disk_full"},
            {"rank": 1, "category": "out_of_memory"}
        ],
        "findings": [], "unexplained": []
    });
    let o = scoring::judge(&with_root, Some("disk_full"));
    assert!(o.hit && !o.top1);
    let o = scoring::judge(&with_root, Some("out_of_memory"));
    assert!(o.hit && o.top1);

    let only_symptom = serde_json::json!({
        "root_causes": [],
        "findings": [{"id": "f1", "category": "staging_failed", "severity": "high",
                      "signature": "s", "excerpt": "e"}],
        "unexplained": ["f1"]
    });
    let o = scoring::judge(&only_symptom, Some("staging_failed"));
    assert!(o.hit && !o.top1);
    assert_eq!(o.alarms.len(), 1);
    let o = scoring::judge(&only_symptom, Some("disk_full"));
    assert!(!o.hit);

    // A risk that has not happened yet is latent, never a root cause: with nothing that
    // has happened, it is the answer; beside a root cause, it is not.
    let only_latent = serde_json::json!({
        "root_causes": [],
        "findings": [{"id": "f1", "category": "cert_expiring_soon", "severity": "medium",
                      "signature": "cert-expiring-soon", "excerpt": "e"}],
        "unexplained": [], "latent": ["f1"]
    });
    let o = scoring::judge(&only_latent, Some("cert_expiring_soon"));
    assert!(o.hit && !o.top1);
    let mut beside_a_cause = only_latent.clone();
    beside_a_cause["root_causes"] = serde_json::json!([{"rank": 1, "category": "disk_full"}]);
    let o = scoring::judge(&beside_a_cause, Some("cert_expiring_soon"));
    assert!(!o.hit && o.seen);
}
