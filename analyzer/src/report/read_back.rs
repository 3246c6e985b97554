//! Per-VM results read back: documents of `--format vm-result`
//! ([`crate::report::vm_result`]), made by the BOSH errand on each VM or by another
//! `vcap-analyze` run over a shard of a foundation. They carry findings already made, so
//! they bypass the reader and the matcher and go straight to correlation.
//!
//! Recognised by content (the first key of the JSON object), whatever the file's name:
//! - our document: JSON whose first key is `"vcap_diag_vm_results"`;
//! - the output of `bosh run-errand vcap-diag --json`, as is: the bosh CLI's JSON UI
//!   document `{"Tables": [{"Content": "errand(s)", "Header": {...}, "Rows": [{"instance":
//!   "diego_cell/<id>", "exit_code": "0", "stdout": "<our document>", "stderr": ""}, ...],
//!   "Notes": []}], "Blocks": null, "Lines": [...]}` (row keys are the table's headers,
//!   lower-cased and joined with `_`: bosh-cli `cmd/run_errand.go` and `ui/json_ui.go`,
//!   cloudfoundry/bosh-cli@19ee1a8d9adeb784eb62892517be53c2dfa5f814). A row whose stdout
//!   holds no result (the errand failed on that instance) is a problem naming the instance;
//!   the other rows are read. A bosh JSON document with no result in any row is not ours
//!   and is left to the log reader.
//!
//! Only regular files are looked at (a named pipe or stdin is never peeked). A document is
//! parsed whole, so its size is capped at [`MAX_DOCUMENT`].

use crate::input::{Input, Problem};
use crate::report::vm_result::{VmResults, SCHEMA};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Largest results document read (5,000 VMs of typical results take about 100 MiB).
pub const MAX_DOCUMENT: u64 = 2 << 30;

/// Bytes peeked to recognise a document.
const PEEK: usize = 512;

/// What was read back from one input.
#[derive(Debug, Default)]
pub struct ReadBack {
    pub docs: Vec<VmResults>,
    pub problems: Vec<Problem>,
}

/// The per-VM results in `input`, or `None` when it holds none (it is read as usual).
pub fn read(input: &Input) -> Option<ReadBack> {
    let Input::LogFile(path) = input else {
        return None;
    };
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut head = Vec::with_capacity(PEEK);
    File::open(path)
        .ok()?
        .take(PEEK as u64)
        .read_to_end(&mut head)
        .ok()?;
    let shape = shape(&head)?;
    let name = path.display().to_string();
    if meta.len() > MAX_DOCUMENT {
        return Some(problem(
            &name,
            format!("per-VM results larger than {MAX_DOCUMENT} bytes: split it into shards"),
        ));
    }
    match shape {
        Shape::Ours => Some(match open(path).and_then(ours) {
            Ok(doc) => ReadBack {
                docs: vec![doc],
                problems: Vec::new(),
            },
            Err(e) => problem(&name, e),
        }),
        Shape::BoshJson => {
            let ui: BoshUi = match open(path).and_then(|r| {
                serde_json::from_reader(r).map_err(|e| format!("not a bosh --json document: {e}"))
            }) {
                Ok(ui) => ui,
                // Not the CLI's document after all: a log that starts like one.
                Err(_) => return None,
            };
            errand_rows(&name, ui)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Ours,
    BoshJson,
}

/// What a file's first bytes say it may be.
fn shape(head: &[u8]) -> Option<Shape> {
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = text[start..].strip_prefix(b"{")?;
    let key_at = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let key = &rest[key_at..];
    if key.starts_with(b"\"vcap_diag_vm_results\"") {
        Some(Shape::Ours)
    } else if [&b"\"Tables\""[..], b"\"Blocks\"", b"\"Lines\""]
        .iter()
        .any(|k| key.starts_with(k))
    {
        // The CLI prints `Tables` first (Go keeps the struct's order); a document re-sorted
        // by a tool (`jq -S`) starts with `Blocks`.
        Some(Shape::BoshJson)
    } else {
        None
    }
}

fn open(path: &Path) -> Result<BufReader<File>, String> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| format!("cannot open: {e}"))
}

/// Our document, its schema checked.
fn ours(r: impl Read) -> Result<VmResults, String> {
    let doc: VmResults =
        serde_json::from_reader(r).map_err(|e| format!("not a valid per-VM result: {e}"))?;
    if doc.vcap_diag_vm_results > SCHEMA {
        return Err(format!(
            "per-VM result of schema {} (this vcap-analyze reads {SCHEMA}): made by a newer \
             vcap-analyze",
            doc.vcap_diag_vm_results
        ));
    }
    Ok(doc)
}

fn problem(name: &str, message: String) -> ReadBack {
    ReadBack {
        docs: Vec::new(),
        problems: vec![Problem::new(name, message)],
    }
}

/// The bosh CLI's `--json` document: only what is read here.
#[derive(Deserialize)]
struct BoshUi {
    #[serde(rename = "Tables", default)]
    tables: Option<Vec<BoshTable>>,
}

#[derive(Deserialize)]
struct BoshTable {
    #[serde(rename = "Rows", default)]
    rows: Option<Vec<BTreeMap<String, String>>>,
}

/// The results in the rows of `bosh run-errand --json`; `None` when no row holds one.
fn errand_rows(name: &str, ui: BoshUi) -> Option<ReadBack> {
    let rows: Vec<BTreeMap<String, String>> = ui
        .tables
        .unwrap_or_default()
        .into_iter()
        .flat_map(|t| t.rows.unwrap_or_default())
        .filter(|row| row.contains_key("stdout"))
        .collect();
    let is_ours = |stdout: &str| shape(stdout.as_bytes()) == Some(Shape::Ours);
    if !rows.iter().any(|r| is_ours(&r["stdout"])) {
        return None;
    }
    let mut out = ReadBack::default();
    for (i, row) in rows.iter().enumerate() {
        let instance = row
            .get("instance")
            .filter(|s| !s.is_empty())
            .map(|s| printable(s))
            .unwrap_or_else(|| format!("row {}", i + 1));
        let exit = row
            .get("exit_code")
            .map(|s| printable(s))
            .unwrap_or_default();
        let stdout = &row["stdout"];
        if !is_ours(stdout) {
            out.problems.push(Problem::new(
                name,
                format!("instance {instance}: no per-VM result in its stdout (exit code {exit})"),
            ));
            continue;
        }
        match ours(stdout.as_bytes()) {
            Ok(doc) => out.docs.push(doc),
            Err(e) => out
                .problems
                .push(Problem::new(name, format!("instance {instance}: {e}"))),
        }
    }
    Some(out)
}

/// `s` with control characters shown escaped (an instance name is input, not a message).
fn printable(s: &str) -> String {
    s.chars().flat_map(char::escape_debug).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_told_by_the_first_key() {
        assert_eq!(
            shape(b" \n{\"vcap_diag_vm_results\":1,\"vms\":[]}"),
            Some(Shape::Ours)
        );
        assert_eq!(shape(b"{\n    \"Tables\": [\n"), Some(Shape::BoshJson));
        assert_eq!(
            shape(b"{\"Blocks\":null,\"Lines\":[]"),
            Some(Shape::BoshJson)
        );
        assert_eq!(
            shape(b"{\"level\":\"info\",\"vcap_diag_vm_results\":1}"),
            None
        );
        assert_eq!(shape(b"2026-11-21 plain log"), None);
        assert_eq!(shape(b""), None);
    }

    #[test]
    fn errand_rows_read_each_instance_and_name_the_failed_one() {
        let doc = r#"{"vcap_diag_vm_results":1,"generated_by":"vcap-analyze 0.1.0","vms":[]}"#;
        let ui: BoshUi = serde_json::from_value(serde_json::json!({
            "Tables": [{"Content": "errand(s)", "Header": {"instance": "Instance"},
                "Rows": [
                    {"instance": "diego_cell/1", "exit_code": "0", "stdout": format!("{doc}\n"), "stderr": ""},
                    {"instance": "router/\u{1b}[2J0", "exit_code": "2", "stdout": "", "stderr": "boom"}
                ], "Notes": []}],
            "Blocks": null, "Lines": ["Using deployment 'cf'"]
        }))
        .unwrap();
        let got = errand_rows("errand.json", ui).expect("ours");
        assert_eq!(got.docs.len(), 1);
        assert_eq!(got.problems.len(), 1);
        let msg = got.problems[0].to_string();
        assert!(msg.contains("instance router/\\u{1b}[2J0"), "{msg}");
        assert!(msg.contains("exit code 2"), "{msg}");
        assert!(!msg.contains('\u{1b}'));
    }

    #[test]
    fn a_bosh_document_without_results_is_not_ours() {
        let ui: BoshUi = serde_json::from_value(serde_json::json!({
            "Tables": [{"Content": "vms", "Rows": [{"instance": "a/1", "process_state": "running"}]}]
        }))
        .unwrap();
        assert!(errand_rows("vms.json", ui).is_none());
    }
}
