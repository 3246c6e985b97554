//! Fleet analysis from per-VM results: results made VM by VM (as the BOSH errand makes
//! them), read back as files, in shards or as `bosh run-errand --json` output, correlate
//! into the same report as the bundles analysed all at once.

use analyzer::engine::{self, Analysis, Options};
use analyzer::matcher::Matcher;
use analyzer::report::model::Report;
use analyzer::report::vm_result::{self, VmResults};
use analyzer::signature::Library;
use assert_cmd::Command;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Fixture {
    lib: Library,
    matcher: Matcher,
    /// Every bundle of every shipped sample.
    bundles: Vec<PathBuf>,
    /// One per-VM result file per bundle, made from that bundle alone.
    results: Vec<PathBuf>,
    /// The report of all bundles analysed at once.
    all_at_once: Report,
    _dir: tempfile::TempDir,
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

fn args(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let lib = Library::load(None);
        let matcher = Matcher::new(&lib.signatures).unwrap();
        let mut bundles: Vec<PathBuf> = std::fs::read_dir(samples())
            .unwrap()
            .flat_map(|s| std::fs::read_dir(s.unwrap().path().join("bundles")).unwrap())
            .map(|b| b.unwrap().path())
            .collect();
        bundles.sort();
        assert!(
            bundles.len() >= 20,
            "the shipped samples: {}",
            bundles.len()
        );
        let dir = tempfile::tempdir().unwrap();
        let opts = Options::default();
        let results = bundles
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let one = engine::collect(
                    &args(std::slice::from_ref(b)),
                    &lib.signatures,
                    &matcher,
                    &opts,
                    &|_| {},
                );
                assert_eq!(one.vms.len(), 1, "{}", b.display());
                let path = dir.path().join(format!("vm{i:02}.json"));
                write_doc(&path, one);
                path
            })
            .collect();
        let all_at_once =
            engine::analyze(&args(&bundles), &lib.signatures, &matcher, &opts, &|_| {});
        Fixture {
            lib,
            matcher,
            bundles,
            results,
            all_at_once,
            _dir: dir,
        }
    })
}

fn write_doc(path: &Path, a: Analysis) {
    let doc = VmResults::new(a.vms, a.skipped, a.errors);
    let mut out = Vec::new();
    vm_result::render(&doc, &mut out).unwrap();
    std::fs::write(path, out).unwrap();
}

fn merge(f: &Fixture, inputs: &[PathBuf]) -> Report {
    let opts = Options::default();
    let a = engine::collect(&args(inputs), &f.lib.signatures, &f.matcher, &opts, &|_| {});
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    engine::merge(a, &f.lib.signatures, &opts)
}

/// What must not depend on how the analysis was split: everything but the inputs' paths
/// and counts.
fn assert_same_analysis(got: &Report, want: &Report) {
    assert!(!want.root_causes.is_empty());
    assert_eq!(got.root_causes, want.root_causes);
    assert_eq!(got.findings.len(), want.findings.len());
    for (g, w) in got.findings.iter().zip(&want.findings) {
        assert_eq!(g, w);
    }
    assert_eq!(got.unexplained, want.unexplained);
    assert_eq!(got.latent, want.latent);
    assert_eq!(got.certificates, want.certificates);
    assert_eq!(got.now, want.now);
    // Bundles are ordered by VM, then by the input's path, which differs.
    let vms = |r: &Report| -> Vec<(String, Option<String>)> {
        let mut v: Vec<_> = r
            .bundles
            .iter()
            .map(|b| (b.vm.clone(), b.deployment.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(vms(got), vms(want));
    assert_eq!(got.coverage.files, want.coverage.files);
    assert_eq!(got.coverage.bytes, want.coverage.bytes);
}

#[test]
fn per_vm_results_merged_give_the_report_of_all_bundles_at_once() {
    let f = fixture();
    assert_same_analysis(&merge(f, &f.results), &f.all_at_once);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Shards in any order, of any sizes, each merged into one document on "another
    /// machine", then the shard documents merged: the same report.
    #[test]
    fn shards_merged_in_any_order_give_the_same_report(
        order in Just((0..25usize).collect::<Vec<_>>()).prop_shuffle(),
        cuts in proptest::collection::btree_set(1..25usize, 0..5),
    ) {
        let f = fixture();
        let files: Vec<PathBuf> = order
            .iter()
            .filter(|&&i| i < f.results.len())
            .map(|&i| f.results[i].clone())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut bounds: Vec<usize> = cuts.into_iter().filter(|&c| c < files.len()).collect();
        bounds.insert(0, 0);
        bounds.push(files.len());
        let mut shards = Vec::new();
        for (i, w) in bounds.windows(2).enumerate() {
            let opts = Options::default();
            let a = engine::collect(&args(&files[w[0]..w[1]]), &f.lib.signatures, &f.matcher, &opts, &|_| {});
            let path = dir.path().join(format!("shard{i}.json"));
            write_doc(&path, a);
            shards.push(path);
        }
        assert_same_analysis(&merge(f, &shards), &f.all_at_once);
    }
}

#[test]
fn results_mixed_with_bundles_give_the_same_report() {
    let f = fixture();
    let half = f.bundles.len() / 2;
    let mut inputs: Vec<PathBuf> = f.bundles[..half].to_vec();
    inputs.extend_from_slice(&f.results[half..]);
    assert_same_analysis(&merge(f, &inputs), &f.all_at_once);
}

/// The `bosh run-errand --json` document as the bosh CLI prints it (its JSON UI: tables
/// whose row keys are the headers lower-cased, `Instance`/`Exit Code`/`Stdout`/`Stderr`;
/// cloudfoundry/bosh-cli cmd/run_errand.go at 19ee1a8d9adeb784eb62892517be53c2dfa5f814).
fn errand_json(rows: Vec<serde_json::Value>) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "Tables": [{
            "Content": "errand(s)",
            "Header": {"instance": "Instance", "exit_code": "Exit Code", "stdout": "Stdout", "stderr": "Stderr"},
            "Rows": rows,
            "Notes": []
        }],
        "Blocks": null,
        "Lines": ["Using environment '10.0.0.6' as client 'admin'", "Using deployment 'cf'", "Task 42", "Succeeded"]
    }))
    .unwrap()
}

#[test]
fn bosh_run_errand_json_is_read_as_is_and_a_failed_instance_is_named() {
    let f = fixture();
    let mut rows: Vec<serde_json::Value> = f
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::json!({
                "instance": format!("vm/{i}"),
                "exit_code": "0",
                "stdout": std::fs::read_to_string(r).unwrap(),
                "stderr": ""
            })
        })
        .collect();
    rows.push(serde_json::json!({
        "instance": "router/7c0e5b1a-0000-4000-8000-000000000007",
        "exit_code": "1", "stdout": "", "stderr": "vcap-collect: no space left"
    }));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("errand.json");
    std::fs::write(&file, errand_json(rows)).unwrap();

    let opts = Options::default();
    let a = engine::collect(
        &args(std::slice::from_ref(&file)),
        &f.lib.signatures,
        &f.matcher,
        &opts,
        &|_| {},
    );
    assert_eq!(a.vms.len(), f.results.len(), "every instance read");
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    assert!(
        a.errors[0].contains("instance router/7c0e5b1a-0000-4000-8000-000000000007")
            && a.errors[0].contains("exit code 1"),
        "{}",
        a.errors[0]
    );
    let report = engine::merge(a, &f.lib.signatures, &opts);
    assert_eq!(report.root_causes, f.all_at_once.root_causes);

    // Through the binary: the report (`--partial`: an input had a problem), and exit 2 for
    // the instance without a result.
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(["analyze", "--format", "json", "-q", "--partial"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let r: Report = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r.root_causes, f.all_at_once.root_causes);
}

#[test]
fn the_binary_prints_one_line_of_per_vm_results_and_reads_it_back() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(["analyze", "--format", "vm-result"])
        .args(&f.bundles)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.stdout.iter().filter(|b| **b == b'\n').count(), 1);
    let doc: VmResults = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc.vms.len(), f.bundles.len());
    // Named anything: recognised by content.
    let file = dir.path().join("fleet.txt");
    std::fs::write(&file, &o.stdout).unwrap();
    assert_same_analysis(&merge(f, &[file]), &f.all_at_once);
}

#[test]
fn a_broken_result_is_a_problem_naming_the_file_and_the_rest_is_analysed() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("cell.json");
    std::fs::write(&broken, "{\"vcap_diag_vm_results\":1,\"vms\":[{\"vm\":").unwrap();
    let opts = Options::default();
    let mut inputs = f.results.clone();
    inputs.push(broken.clone());
    let a = engine::collect(
        &args(&inputs),
        &f.lib.signatures,
        &f.matcher,
        &opts,
        &|_| {},
    );
    assert_eq!(a.errors.len(), 1);
    assert!(
        a.errors[0].starts_with(&broken.display().to_string()),
        "{}",
        a.errors[0]
    );
    assert!(
        a.errors[0].contains("not a valid per-VM result"),
        "{}",
        a.errors[0]
    );
    let report = engine::merge(a, &f.lib.signatures, &opts);
    assert_eq!(report.root_causes, f.all_at_once.root_causes);
}
