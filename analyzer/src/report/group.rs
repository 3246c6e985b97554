//! Fleet grouping for the human formats: the same signature on many VMs is one line
//! ("metron_agent panicked on 38 of 40 VMs"), not 38.

use crate::finding::{Finding, Severity};
use crate::report::model::{Report, RootCause};
use std::collections::{BTreeMap, BTreeSet};

/// Findings of one signature across VMs.
pub struct Group<'a> {
    pub signature: &'a str,
    pub severity: Severity,
    pub findings: Vec<&'a Finding>,
    pub vms: BTreeSet<&'a str>,
    pub count: u64,
}

/// The unexplained symptoms, grouped, less those already listed as a root cause whose
/// cause was not found: what the text and Markdown reports add under "symptoms nothing
/// explains", so that a lone symptom is not shown twice.
pub fn unexplained_not_listed(report: &Report) -> Vec<Group<'_>> {
    let listed: BTreeSet<&str> = report
        .root_causes
        .iter()
        .map(|r| r.signature.as_str())
        .collect();
    by_signature(report, &report.unexplained)
        .into_iter()
        .filter(|g| !listed.contains(g.signature))
        .collect()
}

/// Groups the findings with these ids by signature, most severe and widest first.
pub fn by_signature<'a>(report: &'a Report, ids: &[String]) -> Vec<Group<'a>> {
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut groups: BTreeMap<&str, Group> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| wanted.contains(f.id.as_str()))
    {
        let g = groups.entry(&f.signature).or_insert_with(|| Group {
            signature: &f.signature,
            severity: f.severity,
            findings: Vec::new(),
            vms: BTreeSet::new(),
            count: 0,
        });
        g.severity = g.severity.max(f.severity);
        g.findings.push(f);
        g.vms.insert(&f.vm);
        g.count += f.count;
    }
    let mut out: Vec<Group> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.vms.len().cmp(&a.vms.len()))
            .then(a.signature.cmp(b.signature))
    });
    out
}

/// `a/0, b/0, c/0 and 35 more`.
pub fn vm_list<'a>(vms: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let all: Vec<&str> = vms.into_iter().collect();
    let mut s = all.iter().take(max).copied().collect::<Vec<_>>().join(", ");
    if all.len() > max {
        s.push_str(&format!(" and {} more", all.len() - max));
    }
    s
}

/// Human size: `512 B`, `3.4 MiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A finding's location: `vm path:line`.
pub fn location(f: &Finding) -> String {
    match f.line {
        Some(l) => format!("{} {}:{}", f.vm, f.path, l),
        None => format!("{} {}", f.vm, f.path),
    }
}

/// The "where to look" lines of a root cause whose cause was not found, as plain text
/// (each format escapes them): the candidate causes, the jobs and the VMs to read.
pub fn lead_lines(rc: &RootCause) -> Vec<String> {
    let Some(lead) = &rc.look_at else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in &lead.candidates {
        let title = if c.title.is_empty() {
            &c.signature
        } else {
            &c.title
        };
        let why = if c.why.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.why)
        };
        out.push(format!("not seen: {title} [{}]{why}", c.signature));
    }
    if !lead.jobs.is_empty() {
        let vms = if lead.vms.is_empty() {
            "no VM of those jobs was analyzed".to_string()
        } else {
            format!("on {}", vm_list(lead.vms.iter().map(String::as_str), 8))
        };
        out.push(format!(
            "read the logs of job(s) {}: {vms}",
            lead.jobs.join(", ")
        ));
    }
    out
}
