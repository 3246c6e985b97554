//! The page's text sections: root causes, symptoms nothing explains, latent risks, one
//! section per VM, coverage. Every input string goes through [`esc`].

use super::{badge, clip, duration, esc, ms_between, time_el, Ctx, Out, Role};
use super::{FLEET_OVER, MAX_EVIDENCE, MAX_VMS_INLINE};
use crate::finding::{Finding, Kind};
use crate::report::group::{by_signature, lead_lines, size, Group};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Skipped entries listed in the coverage section.
const MAX_SKIPPED: usize = 200;
/// Characters of an excerpt shown in a table cell.
const CELL_EXCERPT: usize = 400;

pub(super) fn root_causes(c: &Ctx, h: &mut String) -> Out {
    let r = c.r;
    writeln!(
        h,
        "<section id=\"root-causes\">\n<h2>Root causes <span class=\"count\">({})</span></h2>",
        r.root_causes.len()
    )?;
    if r.root_causes.is_empty() {
        h.push_str("<p class=\"none\">No root cause found: see the symptoms nothing explains and the VM sections.</p>\n");
    }
    for rc in &r.root_causes {
        let sev = rc.severity.as_str();
        writeln!(
            h,
            "<article class=\"rc {sev}\" id=\"rc-{}\">\n<h3><span class=\"rank\">{}.</span>{} {}</h3>\n\
             <p class=\"summary\">{}</p>\n<dl>\n\
             <dt>Signature</dt><dd><code>{}</code> &middot; category <code>{}</code></dd>\n\
             <dt>Seen on</dt><dd>{} VM(s): {}</dd>\n{}<dt>First seen</dt><dd>{}</dd>",
            rc.rank,
            rc.rank,
            badge(rc.severity),
            esc(&rc.title),
            esc(&rc.summary),
            esc(&rc.signature),
            esc(&rc.category),
            rc.vms.len(),
            vm_links(c, rc.vms.iter().map(String::as_str)),
            odd_ones(c, rc),
            rc.first_seen.map_or("no timestamp in the evidence".to_string(), time_el),
        )?;
        if !rc.cause_found {
            h.push_str("<dt>Cause not found</dt><dd>Nothing the library knows explains this symptom. Look at:<ul>\n");
            for l in lead_lines(rc) {
                writeln!(h, "<li>{}</li>", esc(&l))?;
            }
            h.push_str("</ul></dd>\n");
        }
        if !rc.explains.is_empty() {
            writeln!(
                h,
                "<dt>Explains</dt><dd>{} finding(s) on {} VM(s):<ul>",
                rc.explains.len(),
                rc.symptom_vms.len()
            )?;
            for g in by_signature(r, &rc.explains) {
                group_item(c, &g, h)?;
            }
            h.push_str("</ul></dd>\n");
        }
        if !rc.why.is_empty() {
            h.push_str("<dt>Why</dt><dd><ul>\n");
            for why in &rc.why {
                writeln!(h, "<li>{}</li>", code_spans(&esc(why).to_string()))?;
            }
            h.push_str("</ul></dd>\n");
        }
        h.push_str("<dt>Evidence</dt><dd>\n");
        for e in rc.evidence.iter().take(MAX_EVIDENCE) {
            let line = e.line.map_or(String::new(), |l| format!(":{l}"));
            write!(
                h,
                "<div class=\"ev\"><div class=\"where\"><a href=\"#{}\">{}</a> <code>{}{}</code>",
                c.vm_anchor(&e.vm),
                esc(&e.vm),
                esc(&e.path),
                line
            )?;
            if let Some(t) = e.timestamp {
                write!(h, " &middot; {}", time_el(t))?;
            }
            if e.count > 1 {
                write!(h, " &middot; &times;{}", e.count)?;
            }
            writeln!(h, "</div><pre>{}</pre></div>", esc(&e.excerpt))?;
        }
        if rc.evidence.len() > MAX_EVIDENCE {
            writeln!(
                h,
                "<p class=\"muted\">{} more evidence line(s) in the VM sections and the JSON report.</p>",
                rc.evidence.len() - MAX_EVIDENCE
            )?;
        }
        h.push_str("</dd>\n</dl>\n");
        if !rc.remediation.is_empty() {
            writeln!(
                h,
                "<div class=\"do\"><b>Do:</b> {}</div>",
                code_spans(&esc(&rc.remediation).to_string())
            )?;
        }
        h.push_str("</article>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The signature library writes commands in backticks (as markdown): in text that is
/// *already escaped*, pairs of backticks become `<code>`. Unpaired ones stay as they are.
fn code_spans(escaped: &str) -> String {
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len() < 3 || parts.len() % 2 == 0 {
        return escaped.to_string();
    }
    let mut out = String::with_capacity(escaped.len() + 16 * parts.len());
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(p);
            out.push_str("</code>");
        } else {
            out.push_str(p);
        }
    }
    out
}

/// One signature across VMs: `[high] title (sig) on 4 of 5 VMs: a, b... ×7`.
pub(super) fn group_item(c: &Ctx, g: &Group, h: &mut String) -> Out {
    writeln!(
        h,
        "<li>{} {} (<code>{}</code>) on {} of {} VM(s): {}{}</li>",
        badge(g.severity),
        esc(&g.findings[0].title),
        esc(g.signature),
        g.vms.len(),
        c.vms.len(),
        vm_links(c, g.vms.iter().copied()),
        if g.count > g.findings.len() as u64 {
            format!(" &middot; {} hits", g.count)
        } else {
            String::new()
        }
    )
}

/// The VMs that differ from their group, in a large fleet (a small one lists every VM).
fn odd_ones(c: &Ctx, rc: &crate::report::model::RootCause) -> String {
    if c.vms.len() <= MAX_VMS_INLINE || rc.odd_ones.is_empty() {
        return String::new();
    }
    let odd: Vec<String> = rc
        .odd_ones
        .iter()
        .map(|o| {
            format!(
                "<a href=\"#{}\">{}</a> ({})",
                c.vm_anchor(&o.vm),
                esc(&o.vm),
                esc(&o.why)
            )
        })
        .collect();
    format!("<dt>Odd one out</dt><dd>{}</dd>\n", odd.join(", "))
}

/// VM names as links to their sections, `and N more` past the cap; past it, the count per
/// instance group first (`api_z1 200/200, diego_cell_z1 3/120`).
fn vm_links<'a>(c: &Ctx, vms: impl IntoIterator<Item = &'a str>) -> String {
    let all: Vec<&str> = vms.into_iter().collect();
    let groups = if all.len() > MAX_VMS_INLINE {
        let counts = c.fleet.count(all.iter().copied());
        format!(
            "<span class=\"groups\">{}</span>; ",
            esc(&c.fleet.summary(&counts, 8))
        )
    } else {
        String::new()
    };
    let mut s = groups;
    s += &all
        .iter()
        .take(MAX_VMS_INLINE)
        .map(|vm| format!("<a href=\"#{}\">{}</a>", c.vm_anchor(vm), esc(vm)))
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > MAX_VMS_INLINE {
        write!(s, " and {} more", all.len() - MAX_VMS_INLINE).ok();
    }
    s
}

pub(super) fn unexplained(c: &Ctx, h: &mut String) -> Out {
    let groups = by_signature(c.r, &c.r.unexplained);
    writeln!(
        h,
        "<section id=\"unexplained\">\n<h2>Symptoms nothing explains <span class=\"count\">({} finding(s), {} signature(s))</span></h2>",
        c.r.unexplained.len(),
        groups.len()
    )?;
    groups_table(c, &groups, "No symptom is left unexplained.", false, h)?;
    h.push_str("</section>\n");
    Ok(())
}

pub(super) fn latent(c: &Ctx, h: &mut String) -> Out {
    let groups = by_signature(c.r, &c.r.latent);
    writeln!(
        h,
        "<section id=\"latent\">\n<h2>Latent risks <span class=\"count\">({} finding(s), {} signature(s))</span></h2>\n\
         <p class=\"muted\">Causes that explain nothing yet: act before they do.</p>",
        c.r.latent.len(),
        groups.len()
    )?;
    groups_table(c, &groups, "No latent risk found.", true, h)?;
    h.push_str("</section>\n");
    Ok(())
}

/// Error lines no signature knows, as templates (most VMs first), capped.
pub(super) fn unrecognised(c: &Ctx, h: &mut String) -> Out {
    let u = &c.r.unrecognised;
    writeln!(
        h,
        "<section id=\"unrecognised\">\n<h2>Unrecognised errors <span class=\"count\">({} template(s))</span></h2>\n\
         <p class=\"muted\">Error and fatal lines no signature knows, clustered into templates \
         (<code>&lt;*&gt;</code> marks a variable part): what the library does not know yet.</p>",
        u.len()
    )?;
    if u.is_empty() {
        h.push_str("<p class=\"none\">Every error line was recognised.</p>\n</section>\n");
        return Ok(());
    }
    h.push_str("<table>\n<thead><tr><th>level</th><th>template</th><th>VMs</th><th class=\"num\">lines</th><th>example</th></tr></thead>\n<tbody>\n");
    for t in u.iter().take(MAX_UNRECOGNISED) {
        writeln!(
            h,
            "<tr><td>{:?}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td>\
             <td><div class=\"where\">{}</div><pre>{}</pre></td></tr>",
            t.level,
            esc(&t.template),
            vm_links(c, t.vms.iter().map(String::as_str)),
            t.count,
            esc(&t.example_at),
            esc(&t.example)
        )?;
    }
    h.push_str("</tbody>\n</table>\n");
    if u.len() > MAX_UNRECOGNISED {
        writeln!(
            h,
            "<p class=\"muted\">{} more template(s) in the JSON report.</p>",
            u.len() - MAX_UNRECOGNISED
        )?;
    }
    h.push_str("</section>\n");
    Ok(())
}

/// Templates shown on the page.
const MAX_UNRECOGNISED: usize = 50;

/// Findings grouped by signature across VMs, with the first one as the example.
fn groups_table(c: &Ctx, groups: &[Group], none: &str, summary: bool, h: &mut String) -> Out {
    if groups.is_empty() {
        writeln!(h, "<p class=\"none\">{none}</p>")?;
        return Ok(());
    }
    h.push_str("<table>\n<thead><tr><th>severity</th><th>what</th><th>VMs</th><th class=\"num\">hits</th><th>example</th></tr></thead>\n<tbody>\n");
    for g in groups {
        let f = g.findings[0];
        let what = if summary { &f.summary } else { &f.title };
        writeln!(
            h,
            "<tr><td>{}</td><td>{}<br><code class=\"muted\">{}</code></td><td>{} of {}: {}</td><td class=\"num\">{}</td>\
             <td><div class=\"muted\"><a href=\"#finding-{}\">{}</a></div><pre>{}</pre></td></tr>",
            badge(g.severity),
            esc(what),
            esc(g.signature),
            g.vms.len(),
            c.vms.len(),
            vm_links(c, g.vms.iter().copied()),
            g.count,
            esc(&f.id),
            esc(&location(f)),
            esc(&clip(&f.excerpt, CELL_EXCERPT)),
        )?;
    }
    h.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn location(f: &Finding) -> String {
    match f.line {
        Some(l) => format!("{} {}:{l}", f.vm, f.path),
        None => format!("{} {}", f.vm, f.path),
    }
}

pub(super) fn vms(c: &Ctx, h: &mut String) -> Out {
    writeln!(
        h,
        "<section id=\"vms\">\n<h2>VMs <span class=\"count\">({})</span></h2>\n\
         <div class=\"tools\" id=\"vm-tools\" hidden><input id=\"vm-filter\" type=\"search\" \
         placeholder=\"Filter VMs by name, signature, path...\" aria-label=\"Filter VMs\">\
         <button id=\"vm-open\" type=\"button\">Open all</button><button id=\"vm-close\" \
         type=\"button\">Close all</button> <span id=\"vm-shown\" class=\"muted\"></span></div>",
        c.vms.len()
    )?;
    let open_all = c.vms.len() <= 12;
    for set in alike_sets(c) {
        vm_section(c, &set, open_all, h)?;
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The VM sections, each a list of positions in `c.vms`: one VM each, except in a large
/// fleet, where three or more VMs of one instance group with the same findings' signatures
/// (and no bundle problem) share one section, in the place of the first. A fleet of
/// thousands of VMs failing alike is then a few dozen sections, not megabytes of rows.
fn alike_sets(c: &Ctx) -> Vec<Vec<usize>> {
    if c.vms.len() <= FLEET_OVER {
        return (0..c.vms.len()).map(|i| vec![i]).collect();
    }
    let mut by_key: HashMap<_, Vec<usize>> = HashMap::new();
    let mut keys = Vec::with_capacity(c.vms.len());
    for (i, vm) in c.vms.iter().enumerate() {
        let problems = c.bundle_of(vm).is_some_and(|b| !b.problems.is_empty());
        let key = (!problems).then(|| (c.fleet.group_of(vm), c.signatures_of(vm)));
        if let Some(k) = &key {
            by_key.entry(k.clone()).or_default().push(i);
        }
        keys.push(key);
    }
    let mut sets = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        match key.as_ref().and_then(|k| by_key.get(k)) {
            Some(set) if set.len() >= 3 => {
                if set[0] == i {
                    sets.push(set.clone());
                }
            }
            _ => sets.push(vec![i]),
        }
    }
    sets
}

/// One VM's section, or one for VMs alike (`set`: positions in `c.vms`, the first shown).
fn vm_section(c: &Ctx, set: &[usize], open_all: bool, h: &mut String) -> Out {
    let i = set[0];
    let vm = c.vms[i];
    let mut fs = c.findings_of(vm).to_vec();
    // Root-cause evidence first, then the worst, then the earliest.
    fs.sort_by(|a, b| {
        let rank = |f: &Finding| !matches!(c.roles.get(f.id.as_str()), Some(Role::Cause(_)));
        rank(a)
            .cmp(&rank(b))
            .then(b.severity.cmp(&a.severity))
            .then(a.timestamp.cmp(&b.timestamp))
            .then(a.id.cmp(&b.id))
    });
    let bundle = c.bundle_of(vm);
    let problems = bundle.map_or(0, |b| b.problems.len());
    let is_cause = fs
        .iter()
        .any(|f| matches!(c.roles.get(f.id.as_str()), Some(Role::Cause(_))));
    let mut filter = String::new();
    let signatures: std::collections::BTreeSet<&str> =
        fs.iter().map(|f| f.signature.as_str()).collect();
    for s in signatures {
        filter.push(' ');
        filter.push_str(s);
    }
    if let Some(b) = bundle {
        for x in [&b.deployment, &b.az].into_iter().flatten() {
            filter.push(' ');
            filter.push_str(x);
        }
    }
    // every VM's name, whatever the cap on the rest
    let names: Vec<&str> = set.iter().map(|&j| c.vms[j]).collect();
    let filter = format!("{} {}", names.join(" "), clip(&filter, 2000));
    let group = crate::report::fleet::instance_group(vm);
    let title = match set.len() {
        1 => vm.to_string(),
        n if fs.is_empty() => format!("{group} ×{n} VMs without findings"),
        n => format!("{group} ×{n} VMs with the same findings"),
    };
    write!(
        h,
        "<details class=\"vm\" id=\"vm-{i}\" data-vm=\"{}\" data-filter=\"{}\"{}>\n<summary>{} <span class=\"muted\">",
        esc(vm),
        esc(&filter),
        if open_all || is_cause || problems > 0 { " open" } else { "" },
        esc(&title),
    )?;
    if let Some(b) = bundle {
        for x in [&b.deployment, &b.az].into_iter().flatten() {
            write!(h, "&middot; {} ", esc(x))?;
        }
    }
    write!(h, "&middot; {} finding(s)", fs.len())?;
    if set.len() > 1 {
        h.push_str(" each");
    }
    h.push_str("</span>");
    if let Some(worst) = fs.iter().map(|f| f.severity).max() {
        write!(h, " {}", badge(worst))?;
    }
    if is_cause {
        h.push_str(" <span class=\"badge high\">root cause here</span>");
    }
    if problems > 0 {
        write!(
            h,
            " <span class=\"badge medium\">{problems} bundle problem(s)</span>"
        )?;
    }
    h.push_str("</summary>\n");
    if set.len() > 1 {
        write!(
            h,
            "<p class=\"muted\">These {} VMs have findings of the same signatures; below, those of \
             <b>{}</b>, the first (the JSON report has every VM's).</p>\n<p class=\"vm-list\">",
            set.len(),
            esc(vm)
        )?;
        for (k, &j) in set.iter().enumerate() {
            let sep = if k == 0 { "" } else { ", " };
            // each VM keeps its anchor: links to it land here
            write!(h, "{sep}<span id=\"vm-{j}\">{}</span>", esc(c.vms[j]))?;
        }
        h.push_str("</p>\n");
    }
    match bundle {
        Some(b) => {
            writeln!(
                h,
                "<div class=\"kv\"><span><b>input</b> <code>{}</code></span><span><b>collected</b> {}</span>\
                 <span><b>files</b> {}</span><span><b>read</b> {}</span><span><b>complete</b> {}</span></div>",
                esc(&b.path),
                b.collected_at.map_or("unknown".to_string(), time_el),
                b.files,
                esc(&size(b.bytes)),
                match b.complete {
                    Some(true) => "yes",
                    Some(false) => "<b class=\"problems\">no (the collector stopped early)</b>",
                    None => "unknown",
                }
            )?;
            if !b.problems.is_empty() {
                h.push_str("<ul class=\"problems\">\n");
                for p in &b.problems {
                    writeln!(h, "<li>{}</li>", esc(p))?;
                }
                h.push_str("</ul>\n");
            }
        }
        None => h.push_str("<p class=\"muted\">Not a bundle: a loose input.</p>\n"),
    }
    findings_table(c, &fs, h)?;
    h.push_str("</details>\n");
    Ok(())
}

fn findings_table(c: &Ctx, fs: &[&Finding], h: &mut String) -> Out {
    if fs.is_empty() {
        h.push_str("<p class=\"none\">No finding on this VM.</p>\n");
        return Ok(());
    }
    h.push_str("<table class=\"findings\">\n<thead><tr><th>severity</th><th>finding</th><th>role</th><th>where</th><th>when</th>\
        <th class=\"num\">hits</th><th>first line</th></tr></thead>\n<tbody>\n");
    for f in fs.iter().take(c.rows_per_vm) {
        let role = match c.roles.get(f.id.as_str()) {
            Some(Role::Cause(n)) => format!("<a href=\"#rc-{n}\">root cause #{n}</a>"),
            Some(Role::ExplainedBy(n)) => format!("explained by <a href=\"#rc-{n}\">#{n}</a>"),
            Some(Role::Unexplained) => "<b>unexplained</b>".into(),
            Some(Role::Latent) => "latent".into(),
            None => match f.kind {
                Kind::Cause => "cause".into(),
                Kind::Symptom => "symptom".into(),
            },
        };
        let when = match (f.timestamp, f.last_seen) {
            (Some(a), Some(b)) if b != a => format!(
                "{}<br><span class=\"muted\">to {}<br>({})</span>",
                time_el(a),
                time_el(b),
                esc(&duration(ms_between(a, b)))
            ),
            (Some(a), _) => time_el(a),
            (None, _) => "<span class=\"muted\">no time</span>".into(),
        };
        let line = f.line.map_or(String::new(), |l| format!(":{l}"));
        write!(
            h,
            "<tr id=\"finding-{}\"><td>{}</td><td>{}<br><code class=\"muted\">{}</code></td><td>{}</td>\
             <td><code>{}{}</code></td><td>{}</td><td class=\"num\">{}</td><td><pre>{}</pre>",
            esc(&f.id),
            badge(f.severity),
            esc(&f.title),
            esc(&f.signature),
            role,
            esc(&f.path),
            line,
            when,
            f.count,
            esc(&clip(&f.excerpt, CELL_EXCERPT)),
        )?;
        if !f.captures.is_empty() {
            h.push_str("<div class=\"muted mono\">");
            for (k, v) in &f.captures {
                write!(h, "{}=<b>{}</b> ", esc(k), esc(&clip(v, 300)))?;
            }
            h.push_str("</div>");
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if fs.len() > c.rows_per_vm {
        writeln!(
            h,
            "<p class=\"muted\">{} more finding(s) on this VM: see the JSON report.</p>",
            fs.len() - c.rows_per_vm
        )?;
    }
    Ok(())
}

pub(super) fn coverage(c: &Ctx, h: &mut String) -> Out {
    let cov = &c.r.coverage;
    writeln!(
        h,
        "<section id=\"coverage\">\n<h2>Coverage</h2>\n<div class=\"kv\"><span><b>inputs</b> {}</span>\
         <span><b>VMs</b> {}</span><span><b>files read</b> {}</span><span><b>bytes read</b> {}</span>\
         <span><b>skipped</b> {}</span><span><b>errors</b> {}</span></div>",
        cov.inputs,
        cov.vms,
        cov.files,
        esc(&size(cov.bytes)),
        cov.skipped.len(),
        cov.errors.len()
    )?;
    if !cov.errors.is_empty() {
        h.push_str("<h3>Inputs that could not be read</h3>\n<ul class=\"problems\">\n");
        for e in &cov.errors {
            writeln!(h, "<li>{}</li>", esc(e))?;
        }
        h.push_str("</ul>\n");
    }
    let problems: Vec<(&str, &str)> =
        c.r.bundles
            .iter()
            .flat_map(|b| b.problems.iter().map(move |p| (b.vm.as_str(), p.as_str())))
            .collect();
    if !problems.is_empty() {
        h.push_str("<h3>Bundle problems</h3>\n<table>\n<thead><tr><th>VM</th><th>problem</th></tr></thead>\n<tbody>\n");
        for (vm, p) in problems.iter().take(MAX_SKIPPED) {
            writeln!(
                h,
                "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td></tr>",
                c.vm_anchor(vm),
                esc(vm),
                esc(p)
            )?;
        }
        h.push_str("</tbody>\n</table>\n");
        if problems.len() > MAX_SKIPPED {
            writeln!(
                h,
                "<p class=\"muted\">{} more problem(s).</p>",
                problems.len() - MAX_SKIPPED
            )?;
        }
    }
    if cov.skipped.is_empty() {
        h.push_str("<p class=\"none\">No entry was skipped.</p>\n");
    } else {
        h.push_str("<h3>Skipped entries</h3>\n<table>\n<thead><tr><th>VM</th><th>path</th><th>reason</th></tr></thead>\n<tbody>\n");
        for s in cov.skipped.iter().take(MAX_SKIPPED) {
            writeln!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&s.vm),
                esc(&s.path),
                esc(&s.reason)
            )?;
        }
        h.push_str("</tbody>\n</table>\n");
        if cov.skipped.len() > MAX_SKIPPED {
            writeln!(
                h,
                "<p class=\"muted\">{} more skipped entries: see the JSON report.</p>",
                cov.skipped.len() - MAX_SKIPPED
            )?;
        }
    }
    h.push_str("</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::code_spans;
    use crate::report::html::esc;

    #[test]
    fn backtick_pairs_become_code_after_escaping() {
        let s = esc("run `monit restart <job>` then `bosh cck`").to_string();
        assert_eq!(
            code_spans(&s),
            "run <code>monit restart &lt;job&gt;</code> then <code>bosh cck</code>"
        );
        assert_eq!(code_spans("an odd ` one"), "an odd ` one");
        assert_eq!(code_spans("none"), "none");
        let hostile = esc("`<script>x</script>`").to_string();
        assert_eq!(
            code_spans(&hostile),
            "<code>&lt;script&gt;x&lt;/script&gt;</code>"
        );
    }
}
