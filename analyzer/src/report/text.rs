//! `--format text`: the terminal report. Root causes first, then what nothing explains,
//! latent risks, certificates and coverage. Colour only when asked (a terminal without
//! `NO_COLOR`).

use super::fleet::{odd_text, Fleet};
use super::group::{by_signature, lead_lines, location, size, unexplained_not_listed, vm_list};
use super::model::Report;
use crate::finding::Severity;
use anstyle::{AnsiColor, Effects, Style};
use std::io::{self, Write};

/// Colours through `anstyle`, only when asked (`--color`, a terminal without `NO_COLOR`...).
struct Paint(bool);

impl Paint {
    fn sev(&self, s: Severity) -> String {
        let style = match s {
            Severity::Critical => AnsiColor::Red.on_default().effects(Effects::BOLD),
            Severity::High => AnsiColor::Red.on_default(),
            Severity::Medium => AnsiColor::Yellow.on_default(),
            Severity::Low => AnsiColor::Cyan.on_default(),
            Severity::Info => Style::new().effects(Effects::DIMMED),
        };
        self.wrap(style, &format!("[{}]", s.as_str()))
    }
    fn bold(&self, s: &str) -> String {
        self.wrap(Style::new().bold(), s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap(Style::new().dimmed(), s)
    }
    fn wrap(&self, style: Style, s: &str) -> String {
        if self.0 {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }
}

/// Every field from an input (or a `--signatures` file) goes through this: with colour on,
/// nothing below the renderer escapes the stream.
fn t(s: &str) -> std::borrow::Cow<'_, str> {
    term::escape(s)
}

pub fn render(r: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Paint(color);
    let fleet = Fleet::new(r);
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
            p.bold(&t(&rc.title)),
            p.dim(&t(&format!("({}, {})", rc.signature, rc.category)))
        )?;
        for l in lead_lines(rc) {
            writeln!(out, "     look at: {}", t(&l))?;
        }
        writeln!(out, "     {}", t(&rc.summary))?;
        let first = rc
            .first_seen
            .map_or(String::new(), |t| format!(", first seen {t}"));
        writeln!(
            out,
            "     on {}{}",
            t(&fleet.describe(rc.vms.iter().map(String::as_str), 6)),
            first
        )?;
        if fleet.vms() > 6 && !rc.odd_ones.is_empty() {
            writeln!(out, "     odd one out: {}", t(&odd_text(&rc.odd_ones)))?;
        }
        if !rc.explains.is_empty() {
            let groups = by_signature(r, &rc.explains);
            let what: Vec<String> = groups
                .iter()
                .map(|g| match g.vms.len() {
                    n if n <= 6 => format!("{} on {n} VM(s)", g.signature),
                    _ => format!(
                        "{} on {}",
                        g.signature,
                        fleet.describe(g.vms.iter().copied(), 6)
                    ),
                })
                .collect();
            writeln!(
                out,
                "     explains {} finding(s) on {} VM(s): {}",
                rc.explains.len(),
                rc.symptom_vms.len(),
                t(&what.join("; "))
            )?;
        }
        for why in &rc.why {
            writeln!(out, "     why: {}", t(why))?;
        }
        writeln!(out, "     evidence:")?;
        for e in rc.evidence.iter().take(5) {
            let line = e.line.map_or(String::new(), |l| format!(":{l}"));
            let count = if e.count > 1 {
                format!(" (x{})", e.count)
            } else {
                String::new()
            };
            writeln!(out, "       {} {}{}{}", t(&e.vm), t(&e.path), line, count)?;
            writeln!(out, "         {}", p.dim(&shorten(&e.excerpt, 160)))?;
        }
        if rc.evidence.len() > 5 {
            writeln!(out, "       ... {} more", rc.evidence.len() - 5)?;
        }
        if !rc.remediation.is_empty() {
            writeln!(out, "     do: {}", t(&rc.remediation))?;
        }
    }

    let total_vms = r.bundles.len();
    writeln!(out, "\n{}", p.bold("SYMPTOMS NOTHING EXPLAINS"))?;
    let unexplained = unexplained_not_listed(r);
    if unexplained.is_empty() {
        match r.unexplained.is_empty() {
            true => writeln!(out, "  none")?,
            false => writeln!(out, "  none beyond the causes not found above")?,
        }
    }
    for g in unexplained {
        let f = g.findings[0];
        let on = if g.vms.len() <= 6 {
            format!(
                "{} of {} VMs: {}",
                g.vms.len(),
                total_vms,
                vm_list(g.vms.iter().copied(), 6)
            )
        } else {
            fleet.describe(g.vms.iter().copied(), 6)
        };
        writeln!(out, "  {} {} on {}", p.sev(g.severity), t(&f.title), t(&on))?;
        writeln!(
            out,
            "     {}  {}",
            t(&location(f)),
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
                "  {} {} on {}",
                p.sev(g.severity),
                t(&f.summary),
                t(&fleet.describe(g.vms.iter().copied(), 6))
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
                t(&c.vm),
                t(&c.path),
                p.dim(&t(&c.subject))
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
            writeln!(out, "  {}: {}", t(&b.vm), t(pr))?;
        }
    }
    for e in &r.coverage.errors {
        writeln!(out, "  error: {}", t(e))?;
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
            t(&u.example_at),
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

/// One line, at most `max` characters, control characters shown escaped.
pub fn shorten(s: &str, max: usize) -> String {
    let cut: String = s
        .chars()
        .take(max)
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let more = if s.chars().nth(max).is_some() {
        "…"
    } else {
        ""
    };
    format!("{}{more}", term::escape(&cut))
}
