//! Monit: the process states of `monit summary` (`commands/monit-summary.txt`), restart loops
//! in `var/vcap/monit/monit.log*`, and whether monit answered at all.
//!
//! `monit summary` comes in the shapes real monit prints:
//!
//! ```text
//! The Monit daemon 5.2.5 uptime: 1h 28m          monit 5.2.x (BOSH stemcells), 5.3-5.17
//!
//! Process 'metron_agent'              not monitored
//! System 'system_localhost'           running
//!
//! Monit 5.33.0 uptime: 4m                        monit 5.18+ (plain when not a terminal)
//!  Service Name                     Status                      Type
//!  crashy                           Does not exist              Process
//!  broken_start                     Execution failed | Does...  Process
//! ```
//!
//! and 5.18+ on a terminal: the same table drawn with `│` and coloured with ANSI escapes.
//! A status is *healthy* (`running`, `OK`, `accessible`, `online with all services`,
//! `pid changed`), *transitional* (`Initializing`, `Waiting`, `not monitored - start pending`)
//! or a failure (everything else: `not monitored`, `Does not exist`, `Execution failed`,
//! `Connection failed`, `Status failed`, `Resource limit matched`, ...). Only failures of
//! services other than `System` become findings.
//!
//! monit's own errors in place of a summary, as seen in the wild and captured from a real
//! monit 5.33 daemon: `monit: error connecting to the monit daemon` (monit 5.2 `status()`),
//! `Cannot create socket to [localhost]:2812 -- Connection refused` (5.x `Socket_create`),
//! `Cannot connect to [127.0.0.1]:28222 -- Connection refused` and `Monit: the monit daemon
//! is not running` (5.33, captured in `testdata/monit/`).
//!
//! `monit.log` lines (5.2: `[UTC Mar 14 05:44:09] info     : 'postgres' start: ...`, as in
//! cloudfoundry-community-attic/bosh-cloudfoundry#43; 5.33: `[2026-11-22T00:01:15+0000] info
//! : 'crashy' trying to restart`) give restart loops: `'<name>' trying to restart` counted per
//! process, and `'<name>' service restarted 3 times within 7 cycles(s) - unmonitor` (monit gave
//! up). Which BOSH job a process belongs to comes from `var/vcap/jobs/<job>/monit`
//! (`check process <name>`); without it, the process name stands for the job.

use super::{captures, excerpt, normalize, Check, Explained, Judge, Meta, Outcome, Reading, VmCheck};
use crate::correlate::Scope;
use crate::finding::{Finding, Severity};
use crate::timestamp::{parse_line, YearHint};
use bundle::manifest::{CommandRecord, CommandStatus};
use jiff::Timestamp;
use memchr::memmem;
use regex::bytes::Regex;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

pub(crate) const PROCESS_FAILED: Meta = Meta {
    id: "monit-process-failed",
    category: "monit_process_failed",
    severity: Severity::High,
    title: "Monit process failed",
    remediation: "On the VM: `monit summary`, read the job's logs in /var/vcap/sys/log/<job>/, then `monit restart <process>` (or `monit restart all`).",
    risk_below: None,
    explained_by: &[Explained {
        // A process monit gave up on is explained by what its own job logged.
        cause: crate::correlate::ANY,
        scope: Scope::Job,
        why: "the process's own job logged why it failed",
    }],
};
pub(crate) const UNAVAILABLE: Meta = Meta {
    id: "monit-unavailable",
    category: "monit_unavailable",
    severity: Severity::High,
    title: "Monit unavailable",
    remediation: "Monit itself is down: `sv status monit` / `sv start monit` on the VM; the agent reports `unresponsive agent` until it answers again.",
    risk_below: None,
    explained_by: &[],
};

/// The monit check, as registered.
pub const CHECK: Check = Check {
    name: "monit",
    kinds: &[PROCESS_FAILED, UNAVAILABLE],
    reads: |p, _| {
        if p.starts_with("var/vcap/monit/monit.log") {
            Some(Reading::Lines)
        } else {
            (p == SUMMARY || is_job_monit_file(p)).then_some(Reading::Whole)
        }
    },
    per_vm: Some(|_| Box::<Monit>::default()),
};

/// Where the collector saves `monit summary`.
const SUMMARY: &str = "commands/monit-summary.txt";

/// `var/vcap/jobs/<job>/monit`.
fn is_job_monit_file(p: &str) -> bool {
    p.strip_prefix("var/vcap/jobs/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(job, file)| !job.is_empty() && file == "monit")
}

/// This many `trying to restart` of one process in monit.log make a restart loop.
pub const RESTART_LOOP: u64 = 3;

/// Lowercase fragments of monit's own error output (see the module docs for their sources).
const MONIT_ERRORS: &[&str] = &[
    "error connecting to the monit daemon",
    "cannot connect to the monit daemon",
    "cannot create socket to [",
    "cannot connect to [",
    "monit daemon is not running",
    "cannot read status from the monit daemon",
    "status not available",
];

/// One service row of `monit summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// `Process`, `File`, `System`, `Remote Host`, `Program`...
    pub kind: String,
    pub name: String,
    /// As printed (monit 5.18+ cuts long ones with `...`).
    pub status: String,
    /// 1-based line in the summary.
    pub line: u64,
    /// The row, ANSI escapes removed.
    pub text: String,
}

/// `monit summary` output, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub services: Vec<Service>,
    /// monit's own error instead of a summary: line and text.
    pub error: Option<(u64, String)>,
}

/// How a monit status reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Healthy,
    /// Starting, stopping, or an action pending: not a failure on one snapshot.
    Transitional,
    Failed,
}

/// The health of a status as `monit summary` prints it (any case, possibly cut with `...`).
pub fn health(status: &str) -> Health {
    let s = status.trim().to_ascii_lowercase();
    let healthy = [
        "running",
        "ok",
        "accessible",
        "online with all services",
        "pid changed",
        "ppid changed",
    ];
    if healthy
        .iter()
        .any(|h| s == *h || s.starts_with(&format!("{h} -")))
    {
        return Health::Healthy;
    }
    let pending =
        s.contains("pending") && (s.starts_with("not monitored") || s.starts_with("monitored"));
    if s.starts_with("initializing") || s.starts_with("waiting") || pending {
        return Health::Transitional;
    }
    Health::Failed
}

static OLD_ROW: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^\s*(Process|File|Fifo|Filesystem|Directory|Remote Host|System|Program|Network|Net)\s+'([^']*)'\s+(\S.*?)\s*$")
        .expect("valid regex")
});

/// Parses `monit summary` output of any monit version (see the module docs).
pub fn parse_summary(text: &str) -> Summary {
    let mut summary = Summary::default();
    // Char columns of `Status` and `Type` in a 5.18+ header.
    let mut columns: Option<(usize, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = strip_ansi(raw);
        let line = line.trim_end();
        let n = i as u64 + 1;
        let lower = line.to_ascii_lowercase();
        if summary.error.is_none() && MONIT_ERRORS.iter().any(|e| lower.contains(e)) {
            summary.error = Some((n, line.trim().to_string()));
            continue;
        }
        if let Some(c) = OLD_ROW.captures(line) {
            summary.services.push(Service {
                kind: c[1].to_string(),
                name: c[2].to_string(),
                status: c[3].to_string(),
                line: n,
                text: line.trim().to_string(),
            });
            continue;
        }
        let plain = line.replace('│', " ");
        if let (Some(status), Some(kind)) = (plain.find(" Status "), plain.find(" Type")) {
            if plain.contains("Service Name") && status < kind {
                columns = Some((
                    plain[..status + 1].chars().count(),
                    plain[..kind + 1].chars().count(),
                ));
                continue;
            }
        }
        if let Some(cols) = columns {
            if let Some((name, status, kind)) = table_row(line, cols) {
                summary.services.push(Service {
                    kind,
                    name,
                    status,
                    line: n,
                    text: line.trim().to_string(),
                });
            }
        }
    }
    summary
}

/// A 5.18+ table row: cells between `│` when drawn, else by the header's columns.
fn table_row(
    line: &str,
    (status_col, type_col): (usize, usize),
) -> Option<(String, String, String)> {
    let first = line.trim_start().chars().next()?;
    if matches!(first, '┌' | '├' | '└' | '─' | '-' | '+') {
        return None;
    }
    let cells: Vec<String> = if line.contains('│') {
        line.split('│')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect()
    } else {
        let chars: Vec<char> = line.chars().collect();
        let cell = |a: usize, b: usize| {
            chars
                .get(a.min(chars.len())..b.min(chars.len()))
                .map(|c| c.iter().collect::<String>().trim().to_string())
        };
        vec![
            cell(0, status_col)?,
            cell(status_col, type_col)?,
            cell(type_col, chars.len())?,
        ]
    };
    match <[String; 3]>::try_from(cells) {
        Ok([name, status, kind]) if !name.is_empty() && !status.is_empty() && !kind.is_empty() => {
            Some((name, status, kind))
        }
        _ => None,
    }
}

/// Removes ANSI CSI sequences (`ESC [ ... final`) that monit 5.18+ prints on a terminal.
fn strip_ansi(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\x1b') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out.into()
}

static TRYING_LITERAL: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("' trying to restart"));
static GAVE_UP_LITERAL: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("' service restarted "));
static TRYING_TO_RESTART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"'([^']+)' trying to restart").expect("valid regex"));
static GAVE_UP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"'([^']+)' service restarted (\d+) times within (\d+) cycle.*? - (\w+)")
        .expect("valid regex")
});

/// Restart evidence for one process in one monit log file.
#[derive(Debug, Clone, Default)]
struct Restarts {
    count: u64,
    /// `(line, text)` of the first and last `trying to restart`.
    first: Option<(u64, Vec<u8>)>,
    last: Option<(u64, Vec<u8>)>,
    /// `(line, text, action)` of `service restarted N times within M cycles(s) - action`.
    gave_up: Option<(u64, Vec<u8>, String)>,
}

/// What the monit check gathers on one VM.
#[derive(Debug, Default)]
pub(crate) struct Monit {
    summaries: Vec<(String, Summary)>,
    /// The collector's record of `monit summary`, when given.
    record: Option<CommandRecord>,
    /// Process name -> BOSH job, from `var/vcap/jobs/<job>/monit`.
    jobs: HashMap<String, String>,
    /// `(process, path)` -> restart evidence.
    restarts: BTreeMap<(String, String), Restarts>,
}

impl Monit {
    pub(crate) fn summary(&mut self, path: &str, bytes: &[u8]) {
        self.summaries.push((
            path.to_string(),
            parse_summary(&String::from_utf8_lossy(bytes)),
        ));
    }

    /// A summary parsed elsewhere (`bosh instances --ps` rows of a paste).
    pub(crate) fn parsed_summary(&mut self, path: &str, summary: Summary) {
        self.summaries.push((path.to_string(), summary));
    }

    pub(crate) fn command(&mut self, record: &CommandRecord) {
        if record.name == "monit-summary" {
            self.record = Some(record.clone());
        }
    }

    /// `check process <name>` lines of `var/vcap/jobs/<job>/monit`.
    pub(crate) fn control_file(&mut self, path: &str, bytes: &[u8]) {
        let Some(job) = crate::matcher::job_of(path) else {
            return;
        };
        for line in String::from_utf8_lossy(bytes).lines() {
            let mut words = line.split_whitespace();
            if words
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("check"))
                && words
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case("process"))
            {
                if let Some(name) = words.next() {
                    self.jobs
                        .insert(name.trim_matches('"').to_string(), job.to_string());
                }
            }
        }
    }

    pub(crate) fn log_line(&mut self, path: &str, n: u64, line: &[u8]) {
        if TRYING_LITERAL.find(line).is_some() {
            if let Some(c) = TRYING_TO_RESTART.captures(line) {
                let r = self.restarts_of(&c[1], path);
                r.count += 1;
                let hit = Some((n, line.to_vec()));
                if r.first.is_none() {
                    r.first = hit;
                } else {
                    r.last = hit;
                }
            }
        } else if GAVE_UP_LITERAL.find(line).is_some() {
            if let Some(c) = GAVE_UP.captures(line) {
                let action = String::from_utf8_lossy(&c[4]).into_owned();
                let r = self.restarts_of(&c[1], path);
                r.gave_up.get_or_insert((n, line.to_vec(), action));
            }
        }
    }

    fn restarts_of(&mut self, process: &[u8], path: &str) -> &mut Restarts {
        let key = (
            String::from_utf8_lossy(process).into_owned(),
            path.to_string(),
        );
        self.restarts.entry(key).or_default()
    }

    /// The last restart monit logged for each process (`trying to restart`), with its
    /// time read against `now` (monit's lines carry no year).
    pub(crate) fn last_restarts(&self, now: Option<Timestamp>) -> Vec<super::silence::Restart> {
        let hint = crate::timestamp::YearHint { now };
        let mut out: BTreeMap<String, super::silence::Restart> = BTreeMap::new();
        for ((process, path), r) in &self.restarts {
            let Some((line, text)) = r.last.as_ref().or(r.first.as_ref()) else {
                continue;
            };
            let Some(at) = crate::timestamp::parse_line(text, hint) else {
                continue;
            };
            let newer = out.get(process).is_none_or(|o| o.at < at);
            if newer {
                out.insert(
                    process.clone(),
                    super::silence::Restart {
                        process: process.clone(),
                        job: self.job(process),
                        path: path.clone(),
                        line: *line,
                        at,
                        excerpt: excerpt(text),
                    },
                );
            }
        }
        out.into_values().collect()
    }

    fn job(&self, process: &str) -> String {
        self.jobs
            .get(process)
            .cloned()
            .unwrap_or_else(|| process.to_string())
    }

    pub(crate) fn findings(&self, vm: &str, now: Option<Timestamp>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (path, summary) in &self.summaries {
            if let Some((line, text)) = &summary.error {
                out.push(Finding {
                    summary: format!("monit did not answer `monit summary`: {text}"),
                    line: Some(*line),
                    excerpt: excerpt(text.as_bytes()),
                    captures: captures([("error", text.clone())]),
                    ..UNAVAILABLE.finding(vm, path)
                });
            }
            for s in summary
                .services
                .iter()
                .filter(|s| s.kind != "System" && health(&s.status) == Health::Failed)
            {
                let state = s.status.to_ascii_lowercase();
                out.push(Finding {
                    summary: format!(
                        "monit reports {} '{}' as {state}",
                        s.kind.to_ascii_lowercase(),
                        s.name
                    ),
                    job: Some(self.job(&s.name)),
                    line: Some(s.line),
                    excerpt: excerpt(s.text.as_bytes()),
                    captures: captures([
                        ("process", s.name.clone()),
                        ("state", state),
                        ("type", s.kind.to_ascii_lowercase()),
                    ]),
                    ..PROCESS_FAILED.finding(vm, path)
                });
            }
        }
        out.extend(self.record_finding(vm));
        out.extend(self.restart_loops(vm, now));
        out
    }

    /// `monit summary` timed out or could not start; or it exited non-zero with nothing
    /// readable (no services, no known error).
    fn record_finding(&self, vm: &str) -> Option<Finding> {
        let r = self.record.as_ref()?;
        let readable = self
            .summaries
            .iter()
            .any(|(_, s)| s.error.is_some() || !s.services.is_empty());
        let what = match (r.status, r.exit_code) {
            (CommandStatus::TimedOut, _) => {
                format!("`monit summary` timed out after {} ms", r.duration_ms)
            }
            (CommandStatus::Failed, _) => format!(
                "`monit summary` could not be run: {}",
                r.detail.as_deref().unwrap_or("unknown error")
            ),
            (CommandStatus::Ok, Some(code)) if code != 0 && !readable => {
                format!("`monit summary` exited with status {code}")
            }
            _ => return None,
        };
        let path = r
            .path
            .clone()
            .unwrap_or_else(|| "commands/monit-summary.txt".to_string());
        Some(Finding {
            summary: what.clone(),
            excerpt: what.clone(),
            captures: captures([("error", what)]),
            ..UNAVAILABLE.finding(vm, &path)
        })
    }

    fn restart_loops(&self, vm: &str, now: Option<Timestamp>) -> Vec<Finding> {
        let hint = YearHint { now };
        let ts = |hit: &Option<(u64, Vec<u8>)>| hit.as_ref().and_then(|(_, l)| parse_line(l, hint));
        // Per process: total restarts over its log files; evidence from the file with the
        // earliest restart.
        let mut by_process: BTreeMap<&str, Vec<(&str, &Restarts)>> = BTreeMap::new();
        for ((process, path), r) in &self.restarts {
            by_process.entry(process).or_default().push((path, r));
        }
        let mut out = Vec::new();
        for (process, files) in by_process {
            let count: u64 = files.iter().map(|(_, r)| r.count).sum();
            let gave_up = files
                .iter()
                .find_map(|(p, r)| r.gave_up.as_ref().map(|g| (*p, g)));
            if count < RESTART_LOOP && gave_up.is_none() {
                continue;
            }
            let first_seen = files.iter().filter_map(|(_, r)| ts(&r.first)).min();
            let last_seen = files
                .iter()
                .filter_map(|(_, r)| ts(&r.last).or(ts(&r.first)))
                .max();
            let (path, line, text) = match gave_up {
                Some((path, (line, text, _))) => (path, *line, text),
                None => {
                    let (path, r) = files
                        .iter()
                        .min_by_key(|(p, r)| (ts(&r.first).is_none(), ts(&r.first), *p))
                        .expect("a process has files");
                    let (line, text) = r.first.as_ref().expect("count > 0 has a first hit");
                    (*path, *line, text)
                }
            };
            let mut summary = format!("monit restarted {process} {count} times");
            let mut state = "restart loop".to_string();
            if let Some((_, (_, _, action))) = gave_up {
                summary.push_str(&format!(", then gave up ({action})"));
                state.push_str(&format!(", {action}"));
            }
            out.push(Finding {
                summary,
                job: Some(self.job(process)),
                line: Some(line),
                timestamp: first_seen,
                last_seen,
                count: count.max(1),
                excerpt: excerpt(text),
                captures: captures([
                    ("process", process.to_string()),
                    ("state", state),
                    ("restarts", count.to_string()),
                ]),
                ..PROCESS_FAILED.finding(vm, path)
            });
        }
        out
    }
}

impl VmCheck for Monit {
    fn line(&mut self, path: &str, n: u64, line: &[u8]) {
        self.log_line(path, n, line);
    }

    fn whole(&mut self, path: &str, bytes: &[u8]) {
        if normalize(path) == SUMMARY {
            self.summary(path, bytes);
        } else {
            self.control_file(path, bytes);
        }
    }

    fn command(&mut self, record: &CommandRecord) {
        Monit::command(self, record);
    }

    fn finish(self: Box<Self>, on: &Judge<'_>, out: &mut Outcome) {
        out.findings.extend(self.findings(on.vm, on.now));
        out.restarts = self.last_restarts(on.now);
    }
}

#[cfg(test)]
mod tests;
