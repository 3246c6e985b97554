//! The post-mortem view (`vcap-analyze timeline`): every finding of every VM on one time
//! axis, so the order in which things broke is plain ("doppler_z2/0 could not reach etcd
//! first; metron panicked on every VM after").
//!
//! Built from a [`Report`] alone: a grouped finding (one signature, one file, `count` hits)
//! gives two events, its first and its last hit, so the timeline is at most twice as long as
//! the findings list, whatever the size of the input. Memory stays bounded by the number of
//! findings, which is what lets it run over hundreds of bundles.
//!
//! Clocks: times are each VM's own. Each VM's collection time is set against the median of
//! all of them; a VM far off the median (at least [`SKEW_SECS`] seconds) is noted, as its
//! events may sit at the wrong place on the axis (or it was collected at another time).
//!
//! # JSON (`--format json`), schema 1
//!
//! Within schema 1 fields are only added. Events with a time come first, in time order
//! (ties: VM, path, line, signature, then first before last); events without one follow,
//! by VM, path, line, signature.
//!
//! ```text
//! { "schema": 1,
//!   "generated_by": "vcap-analyze 0.1.0",
//!   "now": "2026-11-22T00:18:12.701914716Z",   // the report's "now" (--at, else newest collection)
//!   "vms": 4, "findings": 9, "timed": 2, "untimed": 9,
//!   "span": { "first": "...", "last": "..." },  // of the timed events; null when none
//!   "events": [
//!     { "at": "2026-11-21T22:18:25Z",          // null: the line carries no time
//!       "kind": "first",                        // first | last | only
//!       "vm": "doppler_z2/0",
//!       "signature": "etcd-client-cluster-unavailable",
//!       "title": "...", "category": "...", "severity": "high",
//!       "finding": "f6",                         // the finding's id in the analyze report
//!       "count": 3,                              // hits grouped in that finding
//!       "root_cause": 1,                         // rank of the root cause it is, or explains it; null if none
//!       "path": "var/vcap/sys/log/doppler/doppler.stderr.log",
//!       "line": 1,                               // null for "last" (findings record their first line)
//!       "excerpt": "Error:  client: etcd cluster is unavailable or misconfigured; ..." } ],
//!   "median_collected_at": "2026-11-22T00:18:12.54Z",
//!   "clocks": [ { "vm": "router/0", "collected_at": "...", "offset_seconds": 0.16,
//!                 "note": null } ],              // a sentence when |offset| >= 300 s
//!   "errors": [ "..." ] }                        // inputs that could not be read
//! ```
//!
//! `kind`: `first` and `last` are the two ends of a finding whose hits carry different times;
//! `only` is a finding's single event (one hit, hits all at the same time, or no time to tell
//! them apart). The `excerpt` is always the first hit's line.

use super::model::{Problem, Report};
pub use crate::checks::clock::SKEW_SECS;
use crate::finding::Severity;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The current value of [`Timeline::schema`].
pub const SCHEMA: u32 = 1;

/// The merged timeline (see the module docs for the JSON).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    pub schema: u32,
    pub generated_by: String,
    pub now: Option<Timestamp>,
    pub vms: u64,
    pub findings: u64,
    /// Events with a time.
    pub timed: u64,
    /// Events without one.
    pub untimed: u64,
    pub span: Option<Span>,
    pub events: Vec<Event>,
    pub median_collected_at: Option<Timestamp>,
    pub clocks: Vec<Clock>,
    pub errors: Vec<Problem>,
}

/// First and last time on the axis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Span {
    pub first: Timestamp,
    pub last: Timestamp,
}

/// One point on the axis: one end of a finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub at: Option<Timestamp>,
    pub kind: EventKind,
    pub vm: String,
    pub signature: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    /// The finding's id (`f6`).
    pub finding: String,
    pub count: u64,
    /// Rank of the root cause this finding is, or that explains it.
    pub root_cause: Option<u32>,
    pub path: String,
    pub line: Option<u64>,
    pub excerpt: String,
}

/// Which end of a finding an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    First,
    Only,
    Last,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::First => "first",
            EventKind::Only => "only",
            EventKind::Last => "last",
        }
    }
}

/// One VM's collection time against the median.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Clock {
    pub vm: String,
    pub collected_at: Timestamp,
    /// `collected_at - median`, in seconds (negative: earlier).
    pub offset_seconds: f64,
    /// Set when the offset reaches [`SKEW_SECS`].
    pub note: Option<String>,
}

/// The timeline of `report`.
pub fn build(report: &Report) -> Timeline {
    let mut rank: BTreeMap<&str, u32> = BTreeMap::new();
    for rc in &report.root_causes {
        for id in &rc.explains {
            rank.entry(id).or_insert(rc.rank);
        }
    }
    let cause_rank: BTreeMap<(&str, &str), u32> = report
        .root_causes
        .iter()
        .flat_map(|rc| {
            rc.vms
                .iter()
                .map(move |vm| ((rc.signature.as_str(), vm.as_str()), rc.rank))
        })
        .collect();
    let mut events = Vec::with_capacity(report.findings.len() * 2);
    for f in &report.findings {
        let root_cause = cause_rank
            .get(&(f.signature.as_str(), f.vm.as_str()))
            .or_else(|| rank.get(f.id.as_str()))
            .copied();
        let event = |at, kind, line| Event {
            at,
            kind,
            vm: f.vm.clone(),
            signature: f.signature.clone(),
            title: f.title.clone(),
            category: f.category.clone(),
            severity: f.severity,
            finding: f.id.clone(),
            count: f.count,
            root_cause,
            path: f.path.clone(),
            line,
            excerpt: f.excerpt.clone(),
        };
        match (f.timestamp, f.last_seen) {
            (Some(first), Some(last)) if f.count > 1 && last != first => {
                events.push(event(Some(first), EventKind::First, f.line));
                events.push(event(Some(last), EventKind::Last, None));
            }
            (first, last) => events.push(event(first.or(last), EventKind::Only, f.line)),
        }
    }
    events.sort_by(|a, b| {
        // timed first (None sorts last), then by time; untimed by place
        (
            a.at.is_none(),
            a.at,
            &a.vm,
            &a.path,
            a.line,
            &a.signature,
            a.kind,
        )
            .cmp(&(
                b.at.is_none(),
                b.at,
                &b.vm,
                &b.path,
                b.line,
                &b.signature,
                b.kind,
            ))
    });
    let timed = events.iter().filter(|e| e.at.is_some()).count() as u64;
    let span = {
        let mut times = events.iter().filter_map(|e| e.at);
        times.next().map(|first| Span {
            first,
            last: times.next_back().unwrap_or(first),
        })
    };
    let (median_collected_at, clocks) = clocks(report);
    Timeline {
        schema: SCHEMA,
        generated_by: format!("vcap-analyze {}", env!("CARGO_PKG_VERSION")),
        now: report.now,
        vms: report.coverage.vms,
        findings: report.findings.len() as u64,
        timed,
        untimed: events.len() as u64 - timed,
        span,
        events,
        median_collected_at,
        clocks,
        errors: report.coverage.errors.clone(),
    }
}

/// Each bundle's collection time against their median (when at least two have one).
fn clocks(report: &Report) -> (Option<Timestamp>, Vec<Clock>) {
    let mut times: Vec<(&str, Timestamp)> = report
        .bundles
        .iter()
        .filter_map(|b| b.collected_at.map(|t| (b.vm.as_str(), t)))
        .collect();
    if times.len() < 2 {
        return (None, Vec::new());
    }
    let mut nanos: Vec<i128> = times.iter().map(|(_, t)| t.as_nanosecond()).collect();
    nanos.sort_unstable();
    let mid = nanos.len() / 2;
    let median = if nanos.len() % 2 == 0 {
        (nanos[mid - 1] + nanos[mid]) / 2
    } else {
        nanos[mid]
    };
    let Ok(median_at) = Timestamp::from_nanosecond(median) else {
        return (None, Vec::new());
    };
    times.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    let clocks = times
        .into_iter()
        .map(|(vm, t)| {
            let offset = (t.as_nanosecond() - median) as f64 / 1e9;
            let note = (offset.abs() >= SKEW_SECS as f64).then(|| {
                format!(
                    "collected {:.0} s {} the median: its clock may be off (check NTP), or it was collected at another time; its events may be out of place",
                    offset.abs(),
                    if offset > 0.0 { "after" } else { "before" }
                )
            });
            Clock { vm: vm.to_string(), collected_at: t, offset_seconds: (offset * 1000.0).round() / 1000.0, note }
        })
        .collect();
    (Some(median_at), clocks)
}

/// `--format json`.
pub fn render_json(t: &Timeline, out: &mut dyn Write) -> io::Result<()> {
    super::json::write(t, out)
}

/// Characters of an excerpt shown in text.
const EXCERPT: usize = 140;
/// Up to this many VMs, text lists every VM's clock; beyond, only those off the median.
const CLOCKS_LISTED: usize = 20;

/// `--format text`: one event per line, its place and first line below it.
pub fn render_text(t: &Timeline, out: &mut dyn Write) -> io::Result<()> {
    let now = t.now.map_or("unknown".to_string(), time);
    writeln!(
        out,
        "vcap-analyze timeline: {} VMs, {} findings, {} events ({} with a time, {} without); now = {now}",
        t.vms,
        t.findings,
        t.events.len(),
        t.timed,
        t.untimed
    )?;
    if let Some(median) = t.median_collected_at {
        writeln!(
            out,
            "\nCLOCKS  collection time of each VM against the median ({})",
            time(median)
        )?;
        // a few VMs: every one; a fleet: the ones off the median, and the spread of the rest
        let few = t.clocks.len() <= CLOCKS_LISTED;
        for c in t.clocks.iter().filter(|c| few || c.note.is_some()) {
            let mark = if c.note.is_some() { "!" } else { " " };
            writeln!(
                out,
                "{mark} {:<40} {:>+12.3} s  {}",
                c.vm,
                c.offset_seconds,
                c.note.as_deref().unwrap_or("")
            )?;
        }
        if !few {
            let rest: Vec<f64> = t
                .clocks
                .iter()
                .filter(|c| c.note.is_none())
                .map(|c| c.offset_seconds.abs())
                .collect();
            let max = rest.iter().copied().fold(0.0, f64::max);
            writeln!(
                out,
                "  {} other VMs within {max:.3} s of the median",
                rest.len()
            )?;
        }
    }
    writeln!(
        out,
        "\nEVENTS{}",
        t.span.as_ref().map_or(String::new(), |s| format!(
            "  {} .. {}",
            time(s.first),
            time(s.last)
        ))
    )?;
    if t.events.is_empty() {
        writeln!(out, "  none: no finding")?;
    } else if t.timed == 0 {
        writeln!(out, "  none with a time")?;
    }
    let mut untimed_header = false;
    for e in &t.events {
        if e.at.is_none() && !untimed_header {
            untimed_header = true;
            writeln!(out, "\nWITHOUT A TIME (the line carries none)")?;
        }
        let when = e.at.map_or_else(|| format!("{:<24}", "-"), time);
        let of = match e.kind {
            EventKind::Only if e.count > 1 => format!("x{}", e.count),
            EventKind::Only => String::new(),
            k => format!("{} of {}", k.as_str(), e.count),
        };
        let rc = e
            .root_cause
            .map_or(String::new(), |r| format!("  (root cause #{r})"));
        writeln!(
            out,
            "{when}  {:<10} {:<28} {} {of}{rc}",
            format!("[{}]", e.severity.as_str()),
            e.vm,
            e.signature
        )?;
        match (e.kind, e.line) {
            // the excerpt is the first hit's: shown with the first event only
            (EventKind::Last, _) => writeln!(out, "{:<24}    {}", "", e.path)?,
            (_, Some(l)) => writeln!(out, "{:<24}    {}:{l}  {}", "", e.path, excerpt(&e.excerpt))?,
            (_, None) => writeln!(out, "{:<24}    {}  {}", "", e.path, excerpt(&e.excerpt))?,
        }
    }
    for err in &t.errors {
        writeln!(out, "error: {err}")?;
    }
    Ok(())
}

/// Fixed width (24 characters), millisecond precision, UTC.
fn time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn excerpt(s: &str) -> String {
    let line = s.trim();
    if line.chars().count() <= EXCERPT {
        line.to_string()
    } else {
        let cut: String = line.chars().take(EXCERPT).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Kind};
    use crate::report::model::{Bundle, Coverage};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn finding(id: &str, vm: &str, first: Option<&str>, last: Option<&str>, count: u64) -> Finding {
        Finding {
            id: id.into(),
            signature: format!("sig-{id}"),
            category: "c".into(),
            kind: Kind::Symptom,
            severity: Severity::High,
            title: "t".into(),
            summary: "s".into(),
            vm: vm.into(),
            job: None,
            path: "var/vcap/sys/log/x.log".into(),
            line: Some(3),
            timestamp: first.map(ts),
            last_seen: last.map(ts),
            count,
            excerpt: "line".into(),
            captures: Default::default(),
        }
    }

    fn bundle(vm: &str, at: &str) -> Bundle {
        Bundle {
            path: vm.into(),
            vm: vm.into(),
            deployment: None,
            az: None,
            collected_at: Some(ts(at)),
            complete: None,
            files: 1,
            bytes: 1,
            problems: Vec::new(),
        }
    }

    fn report(findings: Vec<Finding>, bundles: Vec<Bundle>) -> Report {
        Report {
            schema: 1,
            generated_by: "test".into(),
            now: None,
            coverage: Coverage {
                vms: bundles.len() as u64,
                ..Coverage::default()
            },
            bundles,
            root_causes: Vec::new(),
            findings,
            unexplained: Vec::new(),
            latent: Vec::new(),
            certificates: Vec::new(),
            unrecognised: Vec::new(),
            fleet: Vec::new(),
        }
    }

    #[test]
    fn grouped_findings_give_first_and_last_merged_in_time_then_untimed() {
        let r = report(
            vec![
                finding(
                    "f1",
                    "a/0",
                    Some("2019-07-13T13:20:00Z"),
                    Some("2019-07-13T13:30:00Z"),
                    5,
                ),
                finding(
                    "f2",
                    "b/0",
                    Some("2019-07-13T13:25:00Z"),
                    Some("2019-07-13T13:25:00Z"),
                    2,
                ),
                finding("f3", "a/0", None, None, 4),
                finding("f4", "c/0", Some("2019-07-13T13:10:00Z"), None, 1),
            ],
            vec![
                bundle("a/0", "2019-07-13T14:00:00Z"),
                bundle("b/0", "2019-07-13T14:00:01Z"),
                bundle("c/0", "2019-07-13T14:20:00Z"),
            ],
        );
        let t = build(&r);
        let got: Vec<(&str, EventKind)> = t
            .events
            .iter()
            .map(|e| (e.finding.as_str(), e.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("f4", EventKind::Only),
                ("f1", EventKind::First),
                ("f2", EventKind::Only),
                ("f1", EventKind::Last),
                ("f3", EventKind::Only)
            ]
        );
        assert_eq!((t.timed, t.untimed), (4, 1));
        assert_eq!(t.events[3].line, None, "the last hit's line is not known");
        let span = t.span.clone().unwrap();
        assert_eq!(
            (span.first, span.last),
            (ts("2019-07-13T13:10:00Z"), ts("2019-07-13T13:30:00Z"))
        );

        assert_eq!(t.median_collected_at, Some(ts("2019-07-13T14:00:01Z")));
        let off: Vec<(&str, f64, bool)> = t
            .clocks
            .iter()
            .map(|c| (c.vm.as_str(), c.offset_seconds, c.note.is_some()))
            .collect();
        assert_eq!(
            off,
            [
                ("a/0", -1.0, false),
                ("b/0", 0.0, false),
                ("c/0", 1199.0, true)
            ]
        );

        let mut text = Vec::new();
        render_text(&t, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("2019-07-13T13:10:00.000Z"), "{text}");
        assert!(
            text.contains("first of 5")
                && text.contains("last of 5")
                && text.contains("WITHOUT A TIME"),
            "{text}"
        );
    }
}
