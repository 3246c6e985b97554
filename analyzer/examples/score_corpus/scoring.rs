//! Scoring the real-line corpus (`corpus/`, described in `corpus/README.md`) against the
//! `vcap-analyze` binary, through its JSON report only: no analyzer internals, so the score
//! stays meaningful while those change.
//!
//! Each case is one TOML file. A failure case (`corpus/failures/<category>/<slug>.toml`)
//! is a *hit* when a root cause of the report has the case's `category`, or, when the report
//! has no root cause, when one of its unexplained symptom findings does; it is a *top-1 hit*
//! when the rank-1 root cause has it. A normal case (`corpus/normal/<slug>.toml`) is a
//! *false positive* when any finding is above severity `info`.
//!
//! Shared by `examples/score_corpus/main.rs` (the command) and `tests/real_corpus.rs` (the
//! ratchet), which include this file by path.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One corpus file, as written on disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub source: String,
    pub envelope: String,
    #[serde(default)]
    pub category: Option<String>,
    /// The expected signature id, when one exists: documentation for whoever writes it
    /// (recall is judged on the category, which a new signature does not change).
    #[serde(default)]
    #[allow(dead_code)]
    pub signature: Option<String>,
    pub note: String,
    /// When the text was posted (RFC 3339), passed as `--at`: pasted certificate dates are
    /// judged against the day of the thread, not against today.
    #[serde(default)]
    pub at: Option<String>,
    pub text: String,
}

/// A case with where it came from and what kind it is.
#[derive(Debug)]
pub struct Case {
    pub path: PathBuf,
    pub file: CaseFile,
    /// `true` under `failures/`, `false` under `normal/`.
    pub failure: bool,
}

/// What the binary said about one case.
#[derive(Debug)]
pub struct Outcome {
    pub hit: bool,
    pub top1: bool,
    /// Some finding (root cause, symptom or latent) has the expected category: a miss with
    /// `seen` is a ranking problem, not missing knowledge.
    pub seen: bool,
    /// Categories of the root causes, by rank (then of the unexplained findings).
    pub got: Vec<String>,
    /// Findings above `info`: `signature (severity): excerpt`.
    pub alarms: Vec<String>,
    /// Set when the binary failed or printed no report.
    pub error: Option<String>,
}

/// Every `*.toml` under `dir/failures` and `dir/normal`, sorted by path. A file that does
/// not parse is an error naming it: a corpus that silently shrinks would inflate the score.
pub fn load(dir: &Path) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (sub, failure) in [("failures", true), ("normal", false)] {
        let root = dir.join(sub);
        if !root.is_dir() {
            return Err(format!("{}: not a directory", root.display()));
        }
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.map_err(|e| format!("{}: {e}", root.display()))?;
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let raw =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let file: CaseFile =
                toml::from_str(&raw).map_err(|e| format!("{}: {e}", path.display()))?;
            check(path, &file, failure)?;
            cases.push(Case {
                path: path.to_path_buf(),
                file,
                failure,
            });
        }
    }
    Ok(cases)
}

fn check(path: &Path, file: &CaseFile, failure: bool) -> Result<(), String> {
    let bad = |what: &str| Err(format!("{}: {what}", path.display()));
    if file.text.trim().is_empty() {
        return bad("empty `text`");
    }
    if !file.source.starts_with("https://") {
        return bad("`source` must be an https URL");
    }
    match (failure, &file.category) {
        (true, None) => bad("a failure case needs `category`"),
        (false, Some(_)) => bad("a normal case has no `category`"),
        (true, Some(cat)) => {
            let dir = path.parent().and_then(Path::file_name);
            if dir.is_some_and(|d| d == cat.as_str()) {
                Ok(())
            } else {
                bad("`category` must equal the directory name")
            }
        }
        (false, None) => Ok(()),
    }
}

/// Runs `bin analyze - --format json` on the case's text and judges the report.
pub fn run(bin: &Path, case: &Case) -> Outcome {
    let mut cmd = Command::new(bin);
    cmd.args(["analyze", "-", "--format", "json"]);
    if let Some(at) = &case.file.at {
        cmd.args(["--at", at]);
    }
    let output = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            // Written from a thread: a report larger than the pipe would otherwise block
            // the child while we still write its input.
            let mut stdin = child.stdin.take().expect("stdin was piped");
            let text = case.file.text.clone();
            let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
            let out = child.wait_with_output();
            let _ = writer.join();
            out
        });
    let report: Value = match output {
        Ok(out) => match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                return failed(format!(
                    "no JSON report ({e}); exit {:?}; stderr: {}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        },
        Err(e) => return failed(format!("cannot run {}: {e}", bin.display())),
    };
    judge(&report, case.file.category.as_deref())
}

fn failed(error: String) -> Outcome {
    Outcome {
        hit: false,
        top1: false,
        seen: false,
        got: Vec::new(),
        alarms: Vec::new(),
        error: Some(error),
    }
}

/// Judges one JSON report (schema 1, `analyzer/src/report/model.rs`).
pub fn judge(report: &Value, expected: Option<&str>) -> Outcome {
    let list = |key: &str| report[key].as_array().cloned().unwrap_or_default();
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or("").to_string();
    let findings = list("findings");
    let by_id: BTreeMap<String, &Value> = findings.iter().map(|f| (text(f, "id"), f)).collect();
    let mut roots = list("root_causes");
    roots.sort_by_key(|r| r["rank"].as_u64().unwrap_or(u64::MAX));
    let root_cats: Vec<String> = roots.iter().map(|r| text(r, "category")).collect();
    let categories_of = |key: &str| -> Vec<String> {
        list(key)
            .iter()
            .filter_map(|id| by_id.get(id.as_str().unwrap_or("")))
            .map(|f| text(f, "category"))
            .collect()
    };
    let unexplained = categories_of("unexplained");
    // What has not happened yet (a certificate that expires tomorrow) is a latent risk,
    // never a root cause: when nothing has happened, it is the answer.
    let latent = categories_of("latent");
    let alarms = findings
        .iter()
        .filter(|f| !matches!(f["severity"].as_str(), Some("info") | None))
        .map(|f| {
            format!(
                "{} ({}): {}",
                text(f, "signature"),
                text(f, "severity"),
                text(f, "excerpt")
            )
        })
        .collect();
    let (hit, top1) = match expected {
        None => (false, false),
        Some(cat) if root_cats.is_empty() => {
            (unexplained.iter().chain(&latent).any(|c| c == cat), false)
        }
        Some(cat) => (root_cats.iter().any(|c| c == cat), root_cats[0] == cat),
    };
    let seen = expected.is_some_and(|cat| findings.iter().any(|f| f["category"] == cat));
    let mut got = root_cats;
    got.extend(unexplained.into_iter().map(|c| format!("unexplained:{c}")));
    got.extend(latent.into_iter().map(|c| format!("latent:{c}")));
    Outcome {
        hit,
        top1,
        seen,
        got,
        alarms,
        error: None,
    }
}

/// Hits out of cases, for one group (a category, an envelope, or everything).
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub cases: usize,
    pub hits: usize,
    pub top1: usize,
    /// Misses where a finding of the expected category exists (ranked latent or explained).
    pub seen_misses: usize,
}

impl Tally {
    pub fn add(&mut self, outcome: &Outcome) {
        self.cases += 1;
        self.hits += usize::from(outcome.hit);
        self.top1 += usize::from(outcome.top1);
        self.seen_misses += usize::from(!outcome.hit && outcome.seen);
    }

    /// Recall in percent (0 for an empty group).
    pub fn recall(&self) -> f64 {
        percent(self.hits, self.cases)
    }

    pub fn top1_recall(&self) -> f64 {
        percent(self.top1, self.cases)
    }
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

/// The whole score: failure tallies and the normal cases that raised alarms.
#[derive(Debug, Default)]
pub struct Score {
    pub overall: Tally,
    pub by_category: BTreeMap<String, Tally>,
    pub by_envelope: BTreeMap<String, Tally>,
    pub normal_cases: usize,
    pub normal_lines: usize,
    /// Normal case path and its alarms.
    pub false_positives: Vec<(PathBuf, Vec<String>)>,
    /// Cases the binary could not score (no report).
    pub errors: Vec<(PathBuf, String)>,
}

/// Runs every case (in parallel) and tallies; `each` sees every case with its outcome, in
/// corpus order.
pub fn score(bin: &Path, cases: &[Case], mut each: impl FnMut(&Case, &Outcome)) -> Score {
    use rayon::prelude::*;
    let outcomes: Vec<Outcome> = cases.par_iter().map(|c| run(bin, c)).collect();
    let mut s = Score::default();
    for (case, outcome) in cases.iter().zip(&outcomes) {
        each(case, outcome);
        if let Some(e) = &outcome.error {
            s.errors.push((case.path.clone(), e.clone()));
        }
        if case.failure {
            let cat = case.file.category.clone().unwrap_or_default();
            s.overall.add(outcome);
            s.by_category.entry(cat).or_default().add(outcome);
            s.by_envelope
                .entry(case.file.envelope.clone())
                .or_default()
                .add(outcome);
        } else {
            s.normal_cases += 1;
            s.normal_lines += case
                .file
                .text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count();
            if !outcome.alarms.is_empty() {
                s.false_positives
                    .push((case.path.clone(), outcome.alarms.clone()));
            }
        }
    }
    s
}
