//! `--format text`: the terminal report. Root causes first, then what nothing explains,
//! latent risks, certificates and coverage. Colour only when asked (a terminal without
//! `NO_COLOR`).

use super::group::{by_signature, lead_lines, location, size, vm_list};
use super::model::Report;
use crate::finding::Severity;
use std::io::{self, Write};

struct Paint(bool);

impl Paint {
    fn sev(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, &format!("[{}]", s.as_str()))
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn render(r: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Paint(color);
    let now = r.now.map_or("unknown".to_string(), |t| t.to_string());
    writeln!(
        out,
        "{} {} VMs, {} files, {} read; now = {}",
        p.bold("vcap-analyze:"),
        r.coverage.vms,
        r.coverage.files,
        size(r.coverage.bytes),
        now
    )?;

    if r.root_causes.is_empty() {
        // Nothing the library knows explains this: what it does not know comes first.
        unrecognised(r, out, &p)?;
    }
    writeln!(out, "\n{}", p.bold("ROOT CAUSES"))?;
    if r.root_causes.is_empty() {
        writeln!(out, "  none found")?;
    }
    for rc in &r.root_causes {
        let not_found = if rc.cause_found {
            ""
        } else {
            "CAUSE NOT FOUND for: "
        };
        writeln!(
            out,
            "{:>3}. {} {}{}  {}",
            rc.rank,
            p.sev(rc.severity),
            not_found,
            p.bold(&rc.title),
            p.dim(&format!("({}, {})", rc.signature, rc.category))
        )?;
        for l in lead_lines(rc) {
            writeln!(out, "     look at: {l}")?;
        }
        writeln!(out, "     {}", rc.summary)?;
        let first = rc
            .first_seen
            .map_or(String::new(), |t| format!(", first seen {t}"));
        writeln!(
            out,
            "     on {} VM(s): {}{}",
            rc.vms.len(),
            vm_list(rc.vms.iter().map(String::as_str), 6),
            first
        )?;
        if !rc.explains.is_empty() {
            let groups = by_signature(r, &rc.explains);
            let what: Vec<String> = groups
                .iter()
                .map(|g| format!("{} on {} VM(s)", g.signature, g.vms.len()))
                .collect();
            writeln!(
                out,
                "     explains {} finding(s) on {} VM(s): {}",
                rc.explains.len(),
                rc.symptom_vms.len(),
                what.join("; ")
            )?;
        }
        for why in &rc.why {
            writeln!(out, "     why: {why}")?;
        }
        writeln!(out, "     evidence:")?;
        for e in rc.evidence.iter().take(5) {
            let line = e.line.map_or(String::new(), |l| format!(":{l}"));
            let count = if e.count > 1 {
                format!(" (x{})", e.count)
            } else {
                String::new()
            };
            writeln!(out, "       {} {}{}{}", e.vm, e.path, line, count)?;
            writeln!(out, "         {}", p.dim(&shorten(&e.excerpt, 160)))?;
        }
        if rc.evidence.len() > 5 {
            writeln!(out, "       ... {} more", rc.evidence.len() - 5)?;
        }
        if !rc.remediation.is_empty() {
            writeln!(out, "     do: {}", rc.remediation)?;
        }
    }

    let total_vms = r.bundles.len();
    writeln!(out, "\n{}", p.bold("SYMPTOMS NOTHING EXPLAINS"))?;
    let unexplained = by_signature(r, &r.unexplained);
    if unexplained.is_empty() {
        writeln!(out, "  none")?;
    }
    for g in unexplained {
        let f = g.findings[0];
        writeln!(
            out,
            "  {} {} on {} of {} VMs: {}",
            p.sev(g.severity),
            f.title,
            g.vms.len(),
            total_vms,
            vm_list(g.vms.iter().copied(), 6)
        )?;
        writeln!(
            out,
            "     {}  {}",
            location(f),
            p.dim(&shorten(&f.excerpt, 160))
        )?;
    }

    let latent = by_signature(r, &r.latent);
    if !latent.is_empty() {
        writeln!(out, "\n{}", p.bold("LATENT RISKS"))?;
        for g in latent {
            let f = g.findings[0];
            writeln!(
                out,
                "  {} {} on {} VM(s): {}",
                p.sev(g.severity),
                f.summary,
                g.vms.len(),
                vm_list(g.vms.iter().copied(), 6)
            )?;
        }
    }

    if !r.root_causes.is_empty() {
        unrecognised(r, out, &p)?;
    }

    if !r.certificates.is_empty() {
        let expired = r
            .certificates
            .iter()
            .filter(|c| c.status == "expired")
            .count();
        let soon = r
            .certificates
            .iter()
            .filter(|c| c.status == "expiring_soon")
            .count();
        writeln!(
            out,
            "\n{} {} found, {} expired, {} expiring soon",
            p.bold("CERTIFICATES"),
            r.certificates.len(),
            expired,
            soon
        )?;
        for c in r.certificates.iter().take(5) {
            writeln!(
                out,
                "  {:>6} days  {:<14} {} {}  {}",
                c.days_left,
                c.status,
                c.vm,
                c.path,
                p.dim(&c.subject)
            )?;
        }
    }

    writeln!(out, "\n{}", p.bold("COVERAGE"))?;
    writeln!(
        out,
        "  {} input(s), {} VM(s), {} files, {} read, {} skipped",
        r.coverage.inputs,
        r.coverage.vms,
        r.coverage.files,
        size(r.coverage.bytes),
        r.coverage.skipped.len()
    )?;
    for b in r.bundles.iter().filter(|b| !b.problems.is_empty()) {
        for pr in &b.problems {
            writeln!(out, "  {}: {}", b.vm, pr)?;
        }
    }
    for e in &r.coverage.errors {
        writeln!(out, "  error: {e}")?;
    }
    Ok(())
}

/// Errors no signature knows, as templates, most VMs first.
fn unrecognised(r: &Report, out: &mut dyn Write, p: &Paint) -> io::Result<()> {
    if r.unrecognised.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{} {} template(s) of error lines no signature knows",
        p.bold("UNRECOGNISED ERRORS"),
        r.unrecognised.len()
    )?;
    for u in r.unrecognised.iter().take(10) {
        writeln!(
            out,
            "  [{}] x{} on {} VM(s): {}",
            u.level.as_str(),
            u.count,
            u.vms.len(),
            vm_list(u.vms.iter().map(String::as_str), 4)
        )?;
        writeln!(out, "     {}", shorten(&u.template, 160))?;
        writeln!(
            out,
            "     e.g. {}  {}",
            u.example_at,
            p.dim(&shorten(&u.example, 160))
        )?;
    }
    if r.unrecognised.len() > 10 {
        writeln!(
            out,
            "  ... {} more (--format json lists them all)",
            r.unrecognised.len() - 10
        )?;
    }
    Ok(())
}

/// One line, at most `max` characters.
pub fn shorten(s: &str, max: usize) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one.chars().count() <= max {
        one
    } else {
        format!("{}…", one.chars().take(max).collect::<String>())
    }
}
