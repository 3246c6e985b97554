//! Per-VM results (`--format vm-result`): what one analysis found on each VM *before*
//! correlation, so that results made on many machines merge into one fleet analysis.
//!
//! The BOSH errand (`release/jobs/vcap-diag`) runs `vcap-analyze analyze BUNDLE --format
//! vm-result` on each VM and prints this document; `vcap-analyze analyze` reads it back
//! (one file per instance, several VMs per file, or the `bosh run-errand --json` output as
//! is: see `report::read_back`) and correlates across VMs exactly as it does from the
//! bundles themselves: the same findings feed the same correlation, so the same root causes
//! and the same grouping come out. Merging is plain concatenation of the `vms` arrays, so
//! shards of a foundation analysed on several machines merge in any order.
//!
//! # JSON, schema 1
//!
//! Within schema 1 fields are only added, never renamed or removed; readers ignore fields
//! they do not know. One line of compact JSON (`bosh run-errand` passes stdout through).
//!
//! ```text
//! { "vcap_diag_vm_results": 1,            // the schema; also how a reader recognises the file
//!   "generated_by": "vcap-analyze 0.1.0",
//!   "vms": [ {
//!       "vm": { "name": "diego_cell/3f2a...", "deployment": "cf", "az": "z1" },
//!       "origin": "/var/vcap/sys/log/vcap-diag/cf.diego_cell.3f2a....tgz",   // the bundle read
//!       "collected_at": "2026-11-21T23:40:11Z",  // the VM's own clock (null when unknown)
//!       "now": "2026-11-21T23:40:11Z",           // the time certificates and checks were judged at
//!       "complete": true, "incomplete_reason": null,
//!       "files": 412, "bytes": 73400320,
//!       "problems": [ "..." ],                   // reading this VM's input
//!       "newest_line": { "at": "...", "path": "var/vcap/sys/log/..." },  // for clock skew
//!       "summary": { "findings": 12, "critical": 0, "high": 3, "medium": 5, "low": 4, "info": 0,
//!                    "certificates": 9, "expired": 1 },
//!       "findings": [ Finding ],                 // as in the JSON report; "id" is empty
//!       "certificates": [ Certificate ],         // as in the JSON report
//!       "unrecognised": [ Unrecognised ],        // as in the JSON report, at most
//!                                                //   MAX_UNRECOGNISED, most lines first
//!       "loose": false,                          // true: text with no VM (stdin, a paste)
//!       "truncated": null } ],                   // or { "findings_total", "findings_kept",
//!                                                //      "certificates_total", "certificates_kept", "reason" }
//!   "skipped": [ SkippedEntry ], "skipped_total": 3,   // capped at MAX_LISTED
//!   "errors":  [ "..." ],        "errors_total": 0 }
//! ```
//!
//! **Size.** Each VM's record is at most [`VM_BUDGET`] bytes of JSON, and the lists at the
//! document's level are capped at [`MAX_LISTED`] entries, so a one-VM document stays under
//! BOSH's 1 MB limit on an errand's stdout however many findings the VM has. When a record
//! would be larger, findings are kept in a fixed order (causes before symptoms, most severe
//! first, then VM, path and line) and the rest dropped; certificates (soonest expiry first)
//! likewise; `truncated` says what was dropped. The same input always gives the same output.
//!
//! **Time.** Checks and certificates are judged once, on the VM, at `now` (`--at` when the
//! result was made, else the VM's collection time); `--at` when merging does not judge
//! them again.

use crate::finding::{Finding, Kind, Severity, VmIdentity};
use crate::model::{Certificate, Problem, SkippedEntry};
use crate::unrecognised::Unrecognised;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The current value of [`VmResults::vcap_diag_vm_results`].
pub const SCHEMA: u32 = 1;

/// Bytes of JSON one VM's record may take (BOSH keeps 1 MB of an errand's stdout; the rest
/// of the document is bounded by [`MAX_LISTED`]).
pub const VM_BUDGET: usize = 800 * 1024;

/// Templates of unrecognised errors kept per VM (the most frequent; the rest are counted
/// in the fleet report only where they were kept).
pub const MAX_UNRECOGNISED: usize = 100;

/// Entries kept in the document's `skipped` and `errors` lists.
pub const MAX_LISTED: usize = 200;

/// A document of per-VM results: the output of `--format vm-result`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VmResults {
    /// The schema ([`SCHEMA`]). First in the document: a reader recognises the file by it.
    pub vcap_diag_vm_results: u32,
    pub generated_by: String,
    pub vms: Vec<VmResult>,
    /// Entries not read (links, FIFOs, nesting too deep...), capped at [`MAX_LISTED`].
    #[serde(default)]
    pub skipped: Vec<SkippedEntry>,
    #[serde(default)]
    pub skipped_total: u64,
    /// Inputs or entries that could not be read, capped at [`MAX_LISTED`].
    #[serde(default)]
    pub errors: Vec<Problem>,
    #[serde(default)]
    pub errors_total: u64,
}

/// What one VM's analysis found, before correlation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VmResult {
    pub vm: VmIdentity,
    /// The input read for this VM (the bundle's path where the result was made).
    pub origin: String,
    /// The collection time by the VM's own clock.
    pub collected_at: Option<Timestamp>,
    /// The time checks and certificates were judged at.
    pub now: Option<Timestamp>,
    /// The bundle manifest's `complete`, when there is one.
    pub complete: Option<bool>,
    pub incomplete_reason: Option<String>,
    pub files: u64,
    pub bytes: u64,
    /// Problems reading this VM's input.
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// The newest timestamped log line of the VM (clock skew is judged across VMs).
    pub newest_line: Option<NewestLine>,
    /// Counts for a person reading the errand's output; not read back.
    pub summary: Summary,
    /// Findings of the signatures and structured checks, one VM's worth (ids are assigned
    /// when the fleet is correlated).
    pub findings: Vec<Finding>,
    pub certificates: Vec<Certificate>,
    /// Error-level lines no signature explained, clustered into templates (at most
    /// [`MAX_UNRECOGNISED`]).
    #[serde(default)]
    pub unrecognised: Vec<Unrecognised>,
    /// The input was text with no VM (stdin, a pasted file): its symptoms may be explained
    /// by causes on any VM.
    #[serde(default)]
    pub loose: bool,
    /// Set when the record was cut to [`VM_BUDGET`].
    pub truncated: Option<Truncated>,
}

/// The newest timestamped line of a VM.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewestLine {
    pub at: Timestamp,
    pub path: String,
}

/// Counts of one VM's findings and certificates (before any truncation).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub findings: u64,
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
    pub certificates: u64,
    pub expired: u64,
}

/// What a record cut to [`VM_BUDGET`] left out.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Truncated {
    pub findings_total: u64,
    pub findings_kept: u64,
    pub certificates_total: u64,
    pub certificates_kept: u64,
    pub reason: String,
}

impl Summary {
    /// Counts `findings` and `certificates`.
    pub fn of(findings: &[Finding], certificates: &[Certificate]) -> Summary {
        let mut s = Summary {
            findings: findings.len() as u64,
            certificates: certificates.len() as u64,
            expired: certificates
                .iter()
                .filter(|c| c.status == "expired")
                .count() as u64,
            ..Summary::default()
        };
        for f in findings {
            *match f.severity {
                Severity::Critical => &mut s.critical,
                Severity::High => &mut s.high,
                Severity::Medium => &mut s.medium,
                Severity::Low => &mut s.low,
                Severity::Info => &mut s.info,
            } += 1;
        }
        s
    }
}

impl VmResults {
    /// A document of `vms`, with the lists at its level capped at [`MAX_LISTED`].
    pub fn new(vms: Vec<VmResult>, skipped: Vec<SkippedEntry>, errors: Vec<Problem>) -> Self {
        let (skipped_total, errors_total) = (skipped.len() as u64, errors.len() as u64);
        VmResults {
            vcap_diag_vm_results: SCHEMA,
            generated_by: format!("vcap-analyze {}", env!("CARGO_PKG_VERSION")),
            vms,
            skipped: skipped.into_iter().take(MAX_LISTED).collect(),
            skipped_total,
            errors: errors.into_iter().take(MAX_LISTED).collect(),
            errors_total,
        }
    }
}

/// Writes `results` as one line of JSON, each VM's record cut to [`VM_BUDGET`].
pub fn render(results: &VmResults, out: &mut dyn Write) -> io::Result<()> {
    let mut doc = results.clone();
    for vm in &mut doc.vms {
        fit(vm, VM_BUDGET);
    }
    serde_json::to_writer(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// Cuts `vm` to at most `budget` bytes of JSON (see the module docs), deterministically.
pub fn fit(vm: &mut VmResult, budget: usize) {
    if json_len(vm) <= budget {
        return;
    }
    let (findings_total, certificates_total) = (vm.findings.len(), vm.certificates.len());
    // Causes before symptoms, most severe first, then the report's own order.
    vm.findings.sort_by(|a, b| {
        let rank = |f: &Finding| (f.kind != Kind::Cause, std::cmp::Reverse(f.severity));
        (rank(a), &a.path, a.line, &a.signature, &a.excerpt).cmp(&(
            rank(b),
            &b.path,
            b.line,
            &b.signature,
            &b.excerpt,
        ))
    });
    let mut findings = std::mem::take(&mut vm.findings);
    let mut certificates = std::mem::take(&mut vm.certificates);
    vm.truncated = Some(Truncated {
        findings_total: findings_total as u64,
        findings_kept: 0,
        certificates_total: certificates_total as u64,
        certificates_kept: 0,
        reason: format!("the VM's record was cut to {budget} bytes of JSON"),
    });
    // Room for the record without lists; what is left goes to findings, then certificates.
    let base = json_len(vm) + 64;
    let room = budget.saturating_sub(base);
    let keep_findings = prefix_fitting(&findings, room);
    findings.truncate(keep_findings);
    let used: usize = findings.iter().map(|f| json_len(f) + 1).sum();
    let keep_certs = prefix_fitting(&certificates, room.saturating_sub(used));
    certificates.truncate(keep_certs);
    if let Some(t) = &mut vm.truncated {
        t.findings_kept = keep_findings as u64;
        t.certificates_kept = keep_certs as u64;
    }
    vm.findings = findings;
    vm.certificates = certificates;
}

/// How many leading items of `items` fit in `room` bytes of JSON (with their commas).
fn prefix_fitting<T: Serialize>(items: &[T], room: usize) -> usize {
    let mut used = 0;
    items
        .iter()
        .take_while(|item| {
            used += json_len(item) + 1;
            used <= room
        })
        .count()
}

fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    // Serializing plain data to a counter cannot fail.
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn finding(i: usize, kind: Kind, severity: Severity) -> Finding {
        Finding {
            id: String::new(),
            signature: format!("sig-{}", i % 7),
            category: "process_crash".into(),
            kind,
            severity,
            title: "t".into(),
            summary: "s".into(),
            vm: "diego_cell/0".into(),
            job: Some("rep".into()),
            path: format!("var/vcap/sys/log/rep/{i:05}.log"),
            line: Some(i as u64),
            timestamp: None,
            last_seen: None,
            count: 1,
            // Illustrative: a long line, so that a few thousand findings exceed the budget.
            excerpt: "x".repeat(390),
            captures: BTreeMap::new(),
        }
    }

    fn vm(findings: Vec<Finding>) -> VmResult {
        VmResult {
            vm: VmIdentity {
                name: "diego_cell/0".into(),
                deployment: Some("cf".into()),
                az: None,
            },
            origin: "b.tgz".into(),
            collected_at: None,
            now: None,
            complete: Some(true),
            incomplete_reason: None,
            files: 1,
            bytes: 1,
            problems: vec![],
            newest_line: None,
            summary: Summary::of(&findings, &[]),
            findings,
            certificates: vec![],
            unrecognised: vec![],
            loose: false,
            truncated: None,
        }
    }

    #[test]
    fn a_vm_with_thousands_of_findings_is_cut_to_the_budget_causes_and_severe_first() {
        let findings: Vec<Finding> = (0..5000)
            .map(|i| {
                let kind = if i % 10 == 0 {
                    Kind::Cause
                } else {
                    Kind::Symptom
                };
                let sev = [Severity::Low, Severity::High, Severity::Medium][i % 3];
                finding(i, kind, sev)
            })
            .collect();
        let mut cut = vm(findings.clone());
        fit(&mut cut, VM_BUDGET);
        assert!(json_len(&cut) <= VM_BUDGET, "{}", json_len(&cut));
        let t = cut.truncated.clone().expect("marked truncated");
        assert_eq!(t.findings_total, 5000);
        assert_eq!(t.findings_kept as usize, cut.findings.len());
        assert!(cut.findings.len() > 1000, "most of the budget is used");
        // All 500 causes come first, then symptoms from the most severe down.
        assert!(cut.findings[..500].iter().all(|f| f.kind == Kind::Cause));
        let sev: Vec<Severity> = cut.findings[500..].iter().map(|f| f.severity).collect();
        assert!(sev.windows(2).all(|w| w[0] >= w[1]));
        // Deterministic: the same input in another order gives the same bytes.
        let mut reversed = vm(findings.into_iter().rev().collect());
        fit(&mut reversed, VM_BUDGET);
        assert_eq!(
            serde_json::to_string(&cut).unwrap(),
            serde_json::to_string(&reversed).unwrap()
        );
    }

    #[test]
    fn a_small_record_is_left_as_it_is_and_the_document_reads_back() {
        let mut small = vm((0..3)
            .map(|i| finding(i, Kind::Symptom, Severity::High))
            .collect());
        let before = small.clone();
        fit(&mut small, VM_BUDGET);
        assert_eq!(small, before);
        let doc = VmResults::new(vec![small], vec![], vec!["e".into(); 500]);
        let mut out = Vec::new();
        render(&doc, &mut out).unwrap();
        assert!(out.starts_with(b"{\"vcap_diag_vm_results\":1,"));
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1, "one line");
        let back: VmResults = serde_json::from_slice(&out).unwrap();
        assert_eq!(back.errors.len(), MAX_LISTED);
        assert_eq!(back.errors_total, 500);
        assert_eq!(back.vms, doc.vms);
    }
}
