//! Golden tests: every `samples/<scenario>/bundles/` is analyzed and the JSON report must
//! equal `samples/<scenario>/expected.json`. `VCAP_DIAG_BLESS=1 cargo test --test samples`
//! rewrites the expectations on purpose (review the diff). The text report is kept beside
//! it (`expected.txt`) for people browsing the repo.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("samples/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("bundles").is_dir())
        .collect();
    out.sort();
    out
}

fn analyze(dir: &Path, format: &str) -> (i32, String) {
    // Run from the repo root with a relative path, so reports name `samples/...` stably.
    let rel = dir
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .join("bundles");
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", "--format", format, "-q"])
        .arg(format!("{}/", rel.display()))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).expect("utf-8 report"),
    )
}

#[test]
fn every_sample_matches_its_expected_report() {
    let bless = std::env::var_os("VCAP_DIAG_BLESS").is_some();
    let all = scenarios();
    assert!(!all.is_empty(), "no samples");
    let mut failures = Vec::new();
    for dir in all {
        let (code, json) = analyze(&dir, "json");
        assert_eq!(code, 0, "{}: analysis exit code", dir.display());
        let expected = dir.join("expected.json");
        if bless {
            std::fs::write(&expected, &json).unwrap();
            std::fs::write(dir.join("expected.txt"), analyze(&dir, "text").1).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected).unwrap_or_else(|_| {
            panic!("{} missing: run with VCAP_DIAG_BLESS=1", expected.display())
        });
        if want != json {
            let (w, g): (serde_json::Value, serde_json::Value) = (
                serde_json::from_str(&want).unwrap(),
                serde_json::from_str(&json).unwrap(),
            );
            let first = first_difference(&w, &g, String::new()).unwrap_or_default();
            failures.push(format!(
                "{}: report differs from expected.json at {first}",
                dir.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(if the change is intended: VCAP_DIAG_BLESS=1 cargo test --test samples)",
        failures.join("\n")
    );
}

#[test]
fn every_sample_names_a_root_cause() {
    for dir in scenarios() {
        let (_, json) = analyze(&dir, "json");
        let r: serde_json::Value = serde_json::from_str(&json).unwrap();
        let causes = r["root_causes"].as_array().unwrap();
        assert!(!causes.is_empty(), "{}: no root cause", dir.display());
        let want = std::fs::read_to_string(dir.join("ROOT_CAUSE")).unwrap_or_default();
        if !want.trim().is_empty() {
            assert_eq!(
                causes[0]["signature"].as_str().unwrap(),
                want.trim(),
                "{}: rank 1",
                dir.display()
            );
        }
    }
}

#[test]
fn every_sample_bundle_is_ticket_safe() {
    // The samples are attached to nothing, but they are what a newcomer copies: every
    // bundle the collector made for them passes `scan-secrets` (the check the README asks
    // for before attaching a bundle), although the fake VMs behind them hold secrets.
    for dir in scenarios() {
        let bundles: Vec<PathBuf> = std::fs::read_dir(dir.join("bundles"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!bundles.is_empty(), "{}", dir.display());
        let o = Command::cargo_bin("vcap-analyze")
            .unwrap()
            .arg("scan-secrets")
            .args(&bundles)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            dir.display(),
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

/// Path to the first place two JSON values differ, for a readable failure.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_difference(u, v, format!("{at}.{k}")) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{at}.{k} (present on one side only)")),
                }
            }
            None
        }
        (Array(x), Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at} (length {} vs {})", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (u, v))| first_difference(u, v, format!("{at}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: expected {a}, got {b}")),
    }
}

/// The README's first-run command analyzes a sample's bundles (not its expected reports,
/// which a directory argument would read as loose logs).
#[test]
fn readme_quick_start_points_at_a_bundles_directory() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let cmd = readme
        .lines()
        .find(|l| l.contains("-- analyze samples/"))
        .expect("a quick-start command");
    let path = cmd.split_whitespace().last().unwrap();
    assert!(path.ends_with("/bundles/"), "{cmd}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let (code, json) = analyze(dir.parent().unwrap(), "json");
    assert_eq!(code, 0);
    let r: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(r["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["path"].as_str().unwrap().ends_with(".tgz")));
}
