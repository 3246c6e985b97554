//! `--format markdown`: for a ticket (GitHub, GitLab, Jira's markdown). Root causes first,
//! evidence in code blocks, the long lists in collapsible `<details>`.

use super::fleet::{odd_text, Fleet};
use super::group::{by_signature, lead_lines, location, size, unexplained_not_listed, vm_list};
use super::model::Report;
use std::io::{self, Write};

pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let fleet = Fleet::new(r);
    let now = r.now.map_or("unknown".to_string(), |t| t.to_string());
    writeln!(
        out,
        "## vcap-analyze: {} root cause(s) across {} VM(s)\n",
        r.root_causes.len(),
        r.coverage.vms
    )?;
    writeln!(
        out,
        "_Analyzed {} files ({}) at {now}; {}._\n",
        r.coverage.files,
        size(r.coverage.bytes),
        r.generated_by
    )?;
    if r.root_causes.is_empty() {
        unrecognised(r, out)?;
    }
    for rc in &r.root_causes {
        writeln!(
            out,
            "### {}. {} `{}`\n",
            rc.rank,
            escape(&rc.title),
            rc.severity.as_str()
        )?;
        if !rc.cause_found {
            writeln!(
                out,
                "- **Cause not found**: nothing the library knows explains this symptom"
            )?;
            for l in lead_lines(rc) {
                writeln!(out, "- **Look at**: {}", escape(&l))?;
            }
        }
        writeln!(out, "- **What**: {}", escape(&rc.summary))?;
        writeln!(
            out,
            "- **Category**: `{}` (signature `{}`)",
            rc.category, rc.signature
        )?;
        writeln!(
            out,
            "- **Seen on**: {}",
            escape(&fleet.describe(rc.vms.iter().map(String::as_str), 8))
        )?;
        if fleet.vms() > 8 && !rc.odd_ones.is_empty() {
            writeln!(
                out,
                "- **Odd one out**: {}",
                escape(&odd_text(&rc.odd_ones))
            )?;
        }
        if let Some(t) = rc.first_seen {
            writeln!(out, "- **First seen**: {t}")?;
        }
        if !rc.explains.is_empty() {
            let what: Vec<String> = by_signature(r, &rc.explains)
                .iter()
                .map(|g| match g.vms.len() {
                    n if n <= 8 => format!("`{}` on {n} VM(s)", g.signature),
                    _ => format!(
                        "`{}` on {}",
                        g.signature,
                        escape(&fleet.describe(g.vms.iter().copied(), 8))
                    ),
                })
                .collect();
            writeln!(out, "- **Explains**: {}", what.join(", "))?;
        }
        for why in &rc.why {
            writeln!(out, "- **Why**: {}", library_text(why))?;
        }
        if !rc.remediation.is_empty() {
            writeln!(out, "- **Do**: {}", library_text(&rc.remediation))?;
        }
        writeln!(out, "\n```text")?;
        for e in rc.evidence.iter().take(5) {
            let line = e.line.map_or(String::new(), |l| format!(":{l}"));
            writeln!(out, "# {} {}{}", e.vm, e.path, line)?;
            writeln!(out, "{}", fence_safe(&e.excerpt))?;
        }
        writeln!(out, "```\n")?;
    }
    if !r.root_causes.is_empty() {
        unrecognised(r, out)?;
    }
    let unexplained = unexplained_not_listed(r);
    if !unexplained.is_empty() {
        writeln!(out, "### Symptoms nothing explains\n")?;
        for g in &unexplained {
            let f = g.findings[0];
            let on = if g.vms.len() <= 8 {
                format!(
                    "{} of {} VM(s): {}",
                    g.vms.len(),
                    r.bundles.len(),
                    vm_list(g.vms.iter().copied(), 8)
                )
            } else {
                fleet.describe(g.vms.iter().copied(), 8)
            };
            writeln!(
                out,
                "- `{}` {} on {}",
                g.severity.as_str(),
                escape(&f.title),
                escape(&on)
            )?;
        }
        writeln!(out)?;
    }
    let latent = by_signature(r, &r.latent);
    if !latent.is_empty() {
        writeln!(out, "### Latent risks\n")?;
        for g in &latent {
            let on = match g.vms.len() {
                n if n <= 8 => format!("{n} VM(s)"),
                _ => fleet.describe(g.vms.iter().copied(), 8),
            };
            writeln!(
                out,
                "- `{}` {} on {}",
                g.severity.as_str(),
                escape(&g.findings[0].summary),
                escape(&on)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "<details><summary>All {} findings</summary>\n",
        r.findings.len()
    )?;
    writeln!(
        out,
        "| id | severity | signature | where | count |\n|---|---|---|---|---|"
    )?;
    for f in &r.findings {
        writeln!(
            out,
            "| {} | {} | `{}` | {} | {} |",
            f.id,
            f.severity.as_str(),
            f.signature,
            escape(&location(f)).replace('|', "\\|"),
            f.count
        )?;
    }
    writeln!(out, "\n</details>\n")?;
    if !r.certificates.is_empty() {
        writeln!(
            out,
            "<details><summary>{} certificates (soonest expiry first)</summary>\n",
            r.certificates.len()
        )?;
        writeln!(
            out,
            "| days left | status | VM | path | subject |\n|---|---|---|---|---|"
        )?;
        for c in &r.certificates {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                c.days_left,
                c.status,
                escape(&c.vm),
                escape(&c.path),
                escape(&c.subject).replace('|', "\\|")
            )?;
        }
        writeln!(out, "\n</details>\n")?;
    }
    writeln!(out, "_{}_\n", super::RANKING)?;
    if !r.coverage.errors.is_empty() || !r.coverage.skipped.is_empty() {
        writeln!(
            out,
            "<details><summary>Coverage: {} error(s), {} skipped</summary>\n",
            r.coverage.errors.len(),
            r.coverage.skipped.len()
        )?;
        for e in &r.coverage.errors {
            writeln!(out, "- error: {}", escape(e))?;
        }
        for s in r.coverage.skipped.iter().take(200) {
            writeln!(
                out,
                "- skipped {} {}: {}",
                escape(&s.vm),
                escape(&s.path),
                escape(&s.reason)
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

/// Log text is hostile: no raw HTML or markdown control characters outside code blocks.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '#' => {
                o.push('\\');
                o.push(c);
            }
            c if term::is_unsafe(c) => o.push_str(&term::escape(c.encode_utf8(&mut [0; 4]))),
            c => o.push(c),
        }
    }
    o
}

/// Text from the signature library (remediation, why): its markdown (`code`) is kept, raw
/// HTML is not.
fn library_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A code block cannot be closed from inside.
fn fence_safe(s: &str) -> String {
    s.replace("```", "`\u{200b}``")
}

/// Errors no signature knows, as templates, in a table (most VMs first).
fn unrecognised(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if r.unrecognised.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "### Unrecognised errors ({} template(s) no signature knows)\n",
        r.unrecognised.len()
    )?;
    writeln!(out, "| VMs | lines | template |\n|---:|---:|---|")?;
    for u in r.unrecognised.iter().take(20) {
        writeln!(
            out,
            "| {} | {} | `{}` |",
            u.vms.len(),
            u.count,
            u.template.replace('`', "'").replace('|', "\\|")
        )?;
    }
    writeln!(out)?;
    Ok(())
}
