//! Structured checks: Rust code that turns structured facts of a VM into [`Finding`]s, the
//! same kind of findings the signatures make, so correlation treats both alike.
//!
//! | module | input (path inside the VM) | check ids |
//! | --- | --- | --- |
//! | [`certs`] | PEM certificates in `var/vcap/jobs/*/config/**`, `var/vcap/bosh/etc/**`, `var/vcap/instance/**`, `var/vcap/bosh/settings.json`, any `*.crt`/`*.pem`/`*.cer` | `cert-expired`, `cert-not-yet-valid`, `cert-expiring-soon`, `cert-unknown-issuer` |
//! | [`monit`] | `commands/monit-summary.txt`, `var/vcap/monit/monit.log*`, `var/vcap/jobs/*/monit` (process -> job) | `monit-process-failed`, `monit-unavailable` |
//! | [`disk`] | `commands/df.txt` (`df -P`), `commands/df-inodes.txt` (`df -Pi`) | `disk-full`, `inodes-exhausted` |
//! | [`vitals`] | bosh-agent heartbeats in `var/vcap/bosh/log/current*` | `agent-vitals-disk`, `memory-pressure` |
//! | [`memory`] | kernel OOM lines in `commands/dmesg.txt`, `var/log/{kern.log,syslog,messages}*` | `oom-kill` |
//! | [`clock`] | collection times across VMs (no file) | `clock-skew` |
//! | [`silence`] | when each log of the VM ends (given by the engine, [`VmChecks::activity`]) and monit's restarts | `agent-silent`, `job-log-silent`, `restarted-process-silent` |
//! | [`paste`] | text an operator pasted: loose inputs (stdin, a log file given alone) and files at a bundle's root (`ticket.txt`): `monit summary`, `df`, `openssl x509`, PEM, `bosh instances --ps` | as `monit`, `disk`, `certs` |
//!
//! How the engine drives them, per VM: [`wants`] says (by path, cheaply) whether a file
//! matters; [`VmChecks::feed`] takes the file as a stream (line sources are read line by
//! line and never held whole; small files are read up to [`WHOLE_FILE_CAP`]), or
//! [`VmChecks::feed_line`] takes it one line at a time when the engine already splits lines;
//! [`VmChecks::finish`] turns what was gathered into findings and the certificate inventory,
//! with the VM's "now" (its collection time, never the wall clock). Across VMs,
//! [`clock::skew`] compares collection times.
//!
//! Findings leave here with an empty `id` (the engine numbers them after sorting), kind
//! `cause`, and the check id as `signature`. Not here: reading archives (`input`),
//! regex signatures (`matcher`), linking causes to symptoms (correlation).

pub mod certs;
pub mod clock;
pub mod disk;
pub mod memory;
pub mod monit;
pub mod openssl;
pub mod paste;
pub mod silence;
pub mod vitals;

pub use crate::signature::check_ids::CHECK_IDS;
pub use clock::{skew, VmClock};
pub use silence::Activity;

use crate::finding::{Finding, Kind, Severity};
use crate::input::lines::{self, Piece};
use crate::report::model::Certificate;
use bundle::manifest::CommandRecord;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};

/// The most bytes [`VmChecks::feed`] reads of a file that is parsed whole (configs holding
/// certificates, `df` and `monit summary` output). The rest of a bigger file is not read.
pub const WHOLE_FILE_CAP: u64 = 8 << 20;
/// A longer line is cut to this many bytes (the rest is skipped, not held): the line policy's
/// buffer.
pub const MAX_LINE: usize = crate::input::lines::BUFFER;
/// Excerpts are cut to about this many bytes, like the matcher's.
const EXCERPT_MAX: usize = 400;
/// Default warning window for `cert-expiring-soon`, in days.
pub const DEFAULT_WARN_DAYS: i64 = 30;

/// What a file is to the checks, decided by its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Any file that may hold PEM certificates (configs, `*.crt`, `*.pem`).
    Certificates,
    /// `commands/monit-summary.txt`.
    MonitSummary,
    /// `var/vcap/monit/monit.log*` (line based).
    MonitLog,
    /// `var/vcap/jobs/<job>/monit`: which job each monit process belongs to.
    MonitControl,
    /// `commands/df.txt` (`df -P`).
    Df,
    /// `commands/df-inodes.txt` (`df -Pi`).
    DfInodes,
    /// Kernel messages: `commands/dmesg.txt`, `var/log/{kern.log,syslog,messages}*` (line based).
    Kernel,
    /// The bosh-agent log `var/vcap/bosh/log/current*` and its svlogd rotations (line based).
    AgentLog,
    /// Pasted text: a file at the root of a VM (`ticket.txt`), or a loose input (the engine
    /// says so: [`Source::Paste`] is not decided by the path alone) (line based).
    Paste,
}

impl Source {
    /// The kind of input `path` (relative to the VM's `/`; a leading `/` or `./` is
    /// ignored) is to the checks, or `None` when no check reads it.
    pub fn of(path: &str) -> Option<Source> {
        let p = normalize(path);
        let source = match p {
            "commands/monit-summary.txt" => Source::MonitSummary,
            "commands/df.txt" => Source::Df,
            "commands/df-inodes.txt" => Source::DfInodes,
            "commands/dmesg.txt" => Source::Kernel,
            "var/vcap/bosh/settings.json" => Source::Certificates,
            _ if KERNEL_LOGS.iter().any(|pre| p.starts_with(pre)) => Source::Kernel,
            _ if p.starts_with("var/vcap/monit/monit.log") => Source::MonitLog,
            _ if is_agent_log(p) => Source::AgentLog,
            _ if is_job_monit_file(p) => Source::MonitControl,
            _ if is_cert_location(p) => Source::Certificates,
            _ if is_pasted(p) => Source::Paste,
            _ => return None,
        };
        Some(source)
    }

    /// Whether the source is read line by line (and may be large), so the engine can hand it
    /// to [`VmChecks::feed_line`] without buffering. Other sources are parsed whole.
    pub fn line_based(self) -> bool {
        matches!(
            self,
            Source::MonitLog | Source::Kernel | Source::AgentLog | Source::Paste
        )
    }
}

/// Whether any check wants to see the file at `path` (cheap: the path only).
pub fn wants(path: &str) -> bool {
    Source::of(path).is_some()
}

fn normalize(path: &str) -> &str {
    path.trim_start_matches("./").trim_start_matches('/')
}

/// Kernel messages as syslog keeps them, rotations included.
const KERNEL_LOGS: &[&str] = &["var/log/kern.log", "var/log/syslog", "var/log/messages"];

/// `var/vcap/bosh/log/current` and svlogd's rotations (`@4000....s`) beside it.
fn is_agent_log(p: &str) -> bool {
    p.strip_prefix("var/vcap/bosh/log/")
        .is_some_and(|f| !f.contains('/') && (f.starts_with("current") || f.starts_with('@')))
}

/// A file at the VM's root other than our manifest: text saved beside the VM's files.
pub fn is_pasted(p: &str) -> bool {
    !p.is_empty() && !p.contains('/') && p != "manifest.json"
}

/// `var/vcap/jobs/<job>/monit`.
fn is_job_monit_file(p: &str) -> bool {
    p.strip_prefix("var/vcap/jobs/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(job, file)| !job.is_empty() && file == "monit")
}

fn is_cert_location(p: &str) -> bool {
    let in_job_config = p
        .strip_prefix("var/vcap/jobs/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(job, below)| !job.is_empty() && below.starts_with("config/"));
    let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
    in_job_config
        || p.starts_with("var/vcap/bosh/etc/")
        || p.starts_with("var/vcap/instance/")
        || [".crt", ".pem", ".cer"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// What every finding of one check id shares: the signature-like metadata.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    pub id: &'static str,
    pub category: &'static str,
    pub severity: Severity,
    pub title: &'static str,
}

impl Meta {
    /// A finding of this check on `vm` at `path` with everything else empty: callers fill
    /// in the facts with struct update syntax. `job` comes from the path.
    pub(crate) fn finding(&self, vm: &str, path: &str) -> Finding {
        Finding {
            id: String::new(),
            signature: self.id.to_string(),
            category: self.category.to_string(),
            kind: Kind::Cause,
            severity: self.severity,
            title: self.title.to_string(),
            summary: String::new(),
            vm: vm.to_string(),
            job: crate::matcher::job_of(path).map(str::to_string),
            path: path.to_string(),
            line: None,
            timestamp: None,
            last_seen: None,
            count: 1,
            excerpt: String::new(),
            captures: BTreeMap::new(),
        }
    }
}

/// `captures` from `(name, value)` pairs.
pub(crate) fn captures<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The line as text (lossy UTF-8), without its line ending, cut to about [`EXCERPT_MAX`]
/// bytes with `…` where it was cut.
pub fn excerpt(line: &[u8]) -> String {
    let line = trim_eol(line);
    if line.len() <= EXCERPT_MAX {
        return String::from_utf8_lossy(line).into_owned();
    }
    let mut end = EXCERPT_MAX;
    while end > 0 && line[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    let mut out = String::from_utf8_lossy(&line[..end]).into_owned();
    out.push('…');
    out
}

pub(crate) fn trim_eol(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = line {
        line = rest;
    }
    line
}

/// A duration in seconds as people read it: `45s`, `7m 30s`, `2h 3m`, `3d 4h`.
pub(crate) fn human_duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    let (d, h, m, s) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// Calls `f` with each line of `r` (without its line ending), streaming, split as
/// [`crate::input::lines`] splits every stream: of a line longer than [`MAX_LINE`], only its
/// first piece ([`MAX_LINE`] bytes) is read.
pub(crate) fn for_each_line(r: &mut dyn Read, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    lines::for_each_line(r, |line| {
        if line.piece != Piece::Next {
            f(line.text())
        }
    })
    .map(|_| ())
}

fn read_capped(r: &mut dyn Read, cap: u64) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    r.take(cap).read_to_end(&mut data)?;
    Ok(data)
}

/// Everything the checks gather about one VM, fed file by file, then [`finish`]ed.
///
/// [`finish`]: VmChecks::finish
#[derive(Debug)]
pub struct VmChecks {
    vm: String,
    certs: Vec<certs::CertFacts>,
    monit: monit::Monit,
    disk: Vec<Finding>,
    vitals: vitals::Heartbeats,
    oom: memory::OomKills,
    silence: silence::Silence,
    pastes: paste::Pastes,
    /// Whole-file sources given by [`VmChecks::feed_line`], gathered until `finish`.
    pending: BTreeMap<String, Vec<u8>>,
    /// Line numbers reached per path by [`VmChecks::feed_line`].
    line_numbers: HashMap<String, u64>,
}

impl VmChecks {
    /// An empty accumulator for the VM named `vm` (as findings name it).
    pub fn new(vm: &str) -> Self {
        VmChecks {
            vm: vm.to_string(),
            certs: Vec::new(),
            monit: monit::Monit::default(),
            disk: Vec::new(),
            vitals: vitals::Heartbeats::default(),
            oom: memory::OomKills::default(),
            silence: silence::Silence::default(),
            pastes: paste::Pastes::default(),
            pending: BTreeMap::new(),
            line_numbers: HashMap::new(),
        }
    }

    /// Reads one file of the VM. `path` is the path inside the VM (as in
    /// [`Finding::path`]); files no check [`wants`] are not read at all. Line sources
    /// ([`Source::line_based`]) are streamed line by line, never held whole; other files are
    /// read up to [`WHOLE_FILE_CAP`]. An I/O error is returned after whatever was read before
    /// it has been taken into account.
    pub fn feed(&mut self, path: &str, data: &mut dyn Read) -> io::Result<()> {
        let Some(source) = Source::of(path) else {
            return Ok(());
        };
        self.feed_as(source, path, data)
    }

    /// [`VmChecks::feed`] with the source given: a loose input is [`Source::Paste`]
    /// whatever its name.
    pub fn feed_as(&mut self, source: Source, path: &str, data: &mut dyn Read) -> io::Result<()> {
        if source.line_based() {
            let mut n = 0;
            return for_each_line(data, |line| {
                n += 1;
                self.line(source, path, n, line);
            });
        }
        let bytes = read_capped(data, WHOLE_FILE_CAP)?;
        self.whole(source, path, &bytes);
        Ok(())
    }

    /// When the log at `path` ends and how many lines it had, as the engine saw it while
    /// streaming the file: the facts of the [`silence`] checks. Paths that are not job or
    /// agent logs are ignored.
    pub fn activity(&mut self, path: &str, activity: Activity) {
        self.silence.file(normalize(path), activity);
    }

    /// One line of the file at `path`, for engines that already split files into lines
    /// (with or without its line ending). Lines of one file must come in order; line
    /// numbers count from 1 per path. Line sources are checked at once; lines of a
    /// whole-file source are gathered (up to [`WHOLE_FILE_CAP`]) and parsed by `finish`.
    pub fn feed_line(&mut self, path: &str, line: &[u8]) {
        if let Some(source) = Source::of(path) {
            self.feed_line_as(source, path, line);
        }
    }

    /// [`VmChecks::feed_line`] with the source given (see [`VmChecks::feed_as`]).
    pub fn feed_line_as(&mut self, source: Source, path: &str, line: &[u8]) {
        let n = self.line_numbers.entry(path.to_string()).or_insert(0);
        *n += 1;
        let n = *n;
        if source.line_based() {
            self.line(source, path, n, trim_eol(line));
            return;
        }
        let buf = self.pending.entry(path.to_string()).or_default();
        if (buf.len() + line.len()) as u64 <= WHOLE_FILE_CAP {
            buf.extend_from_slice(trim_eol(line));
            buf.push(b'\n');
        }
    }

    /// The collector's record of a diagnostic command (from `manifest.json`): a
    /// `monit-summary` that timed out or could not start means monit could not be asked.
    pub fn command(&mut self, record: &CommandRecord) {
        self.monit.command(record);
    }

    fn line(&mut self, source: Source, path: &str, n: u64, line: &[u8]) {
        match source {
            Source::MonitLog => self.monit.log_line(path, n, line),
            Source::Kernel => self.oom.line(path, n, line),
            Source::AgentLog => self.vitals.line(path, n, line),
            Source::Paste => self.pastes.line(path, n, line),
            _ => {}
        }
    }

    fn whole(&mut self, source: Source, path: &str, bytes: &[u8]) {
        match source {
            Source::Certificates => self.certs.extend(certs::extract(path, bytes)),
            Source::MonitSummary => self.monit.summary(path, bytes),
            Source::MonitControl => self.monit.control_file(path, bytes),
            Source::Df => {
                self.disk
                    .extend(disk::findings(&self.vm, path, bytes, disk::Usage::Blocks))
            }
            Source::DfInodes => {
                self.disk
                    .extend(disk::findings(&self.vm, path, bytes, disk::Usage::Inodes))
            }
            _ => {}
        }
    }

    /// The findings of every check and the VM's certificate inventory. `now` is the VM's
    /// collection time (or `--at`); without it, certificates are listed with status
    /// `unknown` and no time-based certificate finding is made. `warn_days` is the window of
    /// `cert-expiring-soon` ([`DEFAULT_WARN_DAYS`]). Findings are ordered by path, line and
    /// check id; certificates by path and index.
    pub fn finish(
        mut self,
        now: Option<Timestamp>,
        warn_days: i64,
    ) -> (Vec<Finding>, Vec<Certificate>) {
        for (path, bytes) in std::mem::take(&mut self.pending) {
            if let Some(source) = Source::of(&path) {
                self.whole(source, &path, &bytes);
            }
        }
        let vm = self.vm.as_str();
        let (mut findings, inventory) = certs::evaluate(vm, &self.certs, now, warn_days);
        findings.extend(self.monit.findings(vm, now));
        findings.append(&mut self.disk);
        findings.extend(self.vitals.findings(vm));
        findings.extend(self.oom.findings(vm, now));
        let restarts = self.monit.last_restarts(now);
        findings.extend(self.silence.findings(vm, &restarts));
        let (pasted, mut pasted_certs) = self.pastes.finish(vm, now, warn_days);
        findings.extend(pasted);
        findings
            .sort_by(|a, b| (&a.path, a.line, &a.signature).cmp(&(&b.path, b.line, &b.signature)));
        let mut inventory = inventory;
        inventory.append(&mut pasted_certs);
        (findings, inventory)
    }
}

#[cfg(test)]
mod tests;
