//! The tables of `certs` and `signatures list`, as aligned text for a terminal or as a
//! Markdown table for a ticket (comfy-table: no width guessing, no wrapping; cells never
//! carry a control character or, in Markdown, a `|` that would end them).

use super::model::Certificate;
use crate::checks::Check;
use crate::signature::Signature;
use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;
use std::io::{self, Write};

/// One row of `signatures list` (`--format json` prints the signatures' rows).
#[derive(Debug, Clone, Serialize)]
pub struct SignatureRow {
    pub id: String,
    pub title: String,
    pub category: String,
    pub kind: String,
    pub severity: String,
    pub component: String,
    /// A structured check (Rust), not a signature file: not in the JSON.
    #[serde(skip)]
    pub check: bool,
}

/// The library's rows: every signature, then every structured check.
pub fn signature_rows(sigs: &[Signature], checks: &[Check]) -> Vec<SignatureRow> {
    let mut rows: Vec<SignatureRow> = sigs
        .iter()
        .map(|s| SignatureRow {
            id: s.id.clone(),
            title: s.title.clone(),
            category: s.category.clone(),
            kind: match s.kind {
                crate::finding::Kind::Symptom => "symptom",
                crate::finding::Kind::Cause => "cause",
            }
            .to_string(),
            severity: s.severity.as_str().to_string(),
            component: s.component.clone(),
            check: false,
        })
        .collect();
    rows.extend(checks.iter().flat_map(|c| c.kinds).map(|m| SignatureRow {
        id: m.id.to_string(),
        title: m.title.to_string(),
        category: m.category.to_string(),
        kind: "cause".into(),
        // A check's severity depends on the finding (a disk at 90% or 95%).
        severity: "-".into(),
        component: "-".into(),
        check: true,
    }));
    rows
}

/// `signatures list`: a table and a count.
pub fn signatures(rows: &[SignatureRow], markdown: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut t = table(markdown, &["ID", "KIND", "SEVERITY", "CATEGORY", "TITLE"]);
    for r in rows {
        t.add_row(cells(
            markdown,
            [&r.id, &r.kind, &r.severity, &r.category, &r.title],
        ));
    }
    writeln!(out, "{t}")?;
    let checks = rows.iter().filter(|r| r.check).count();
    writeln!(
        out,
        "\n{} signatures, {checks} structured checks",
        rows.len() - checks
    )
}

/// `certs`: soonest expiry first (the model's order).
pub fn certificates(certs: &[Certificate], markdown: bool, out: &mut dyn Write) -> io::Result<()> {
    if certs.is_empty() {
        return writeln!(out, "no certificate found");
    }
    let mut t = table(markdown, &["DAYS LEFT", "STATUS", "VM", "PATH", "SUBJECT"]);
    for c in certs {
        let days = c.days_left.to_string();
        t.add_row(cells(
            markdown,
            [&days, &c.status, &c.vm, &c.path, &c.subject],
        ));
    }
    writeln!(out, "{t}")
}

fn table(markdown: bool, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(if markdown {
        presets::ASCII_MARKDOWN
    } else {
        presets::NOTHING
    })
    .set_content_arrangement(ContentArrangement::Disabled)
    .set_header(header.to_vec());
    if !markdown {
        // NOTHING draws no borders but pads each cell by one space on either side
        for c in t.column_iter_mut() {
            c.set_padding((0, 2));
        }
    }
    t
}

fn cells<const N: usize>(markdown: bool, values: [&String; N]) -> Vec<String> {
    values
        .iter()
        .map(|v| {
            let v = term::escape(v);
            if markdown {
                v.replace('|', "\\|")
            } else {
                v.into_owned()
            }
        })
        .collect()
}
