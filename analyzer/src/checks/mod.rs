//! Structured checks: Rust code that turns structured facts of a VM into [`Finding`]s, the
//! same kind of findings the signatures make, so correlation treats both alike.
//!
//! Every check describes itself in its own module (a [`Check`]: what it reads, each kind of
//! finding with its id, category, title, remediation, the causes that explain it, its risk
//! policy) and is registered on one line, the `registry!` below. Everything else derives
//! from [`REGISTRY`]: which check reads which file ([`reader`]), [`CHECK_IDS`] (the ids
//! signatures may name in `explained_by`), the correlation rules of the checks
//! ([`crate::engine::rules`]), `signatures list`. Adding a check: its module, with a
//! `pub const CHECK: Check`, and its name in `registry!`.
//!
//! | module | input (path inside the VM) |
//! | --- | --- |
//! | [`monit`] | `commands/monit-summary.txt`, `var/vcap/monit/monit.log*`, `var/vcap/jobs/*/monit` |
//! | [`disk`] | `commands/df.txt` (`df -P`), `commands/df-inodes.txt` (`df -Pi`) |
//! | [`memory`] | kernel OOM lines in `commands/dmesg.txt`, `var/log/{kern.log,syslog,messages}*` |
//! | [`vitals`] | bosh-agent heartbeats in `var/vcap/bosh/log/current*` |
//! | [`certs`] | PEM certificates in job configs and BOSH's own files, any `*.crt`/`*.pem`/`*.cer` |
//! | [`paste`] | text an operator pasted (loose inputs, files at a bundle's root) |
//! | [`silence`] | when each log ends (given by the engine, [`VmChecks::activity`]) and monit's restarts |
//! | [`clock`] | collection times across VMs (no file) |
//!
//! How the engine drives them, per VM: [`reader`] says (by path, cheaply) which check reads
//! a file and how (the first registered that claims it); [`VmChecks::feed`] takes the file
//! as a stream (line sources are read line by line and never held whole; small files are
//! read up to [`WHOLE_FILE_CAP`]), or
//! [`VmChecks::feed_line`] takes it one line at a time when the engine already splits lines;
//! [`VmChecks::finish`] turns what was gathered into findings and the certificate inventory,
//! with the VM's "now" (its collection time, never the wall clock). Across VMs,
//! [`clock::skew`] compares collection times.
//!
//! Findings leave here with an empty `id` (the engine numbers them after sorting), kind
//! `cause`, and the check id as `signature`. Not here: reading archives (`input`),
//! regex signatures (`matcher`), linking causes to symptoms (correlation).

pub mod openssl;
pub mod registry;

pub use clock::{skew, VmClock};
pub use paste::is_pasted;
pub(crate) use registry::reads_nothing;
pub use registry::{Check, Explained, Judge, Meta, Outcome, Reading, VmCheck};
pub use silence::Activity;

/// Declares the check modules and [`REGISTRY`], in the order given: the order in which checks
/// claim a file (the first that reads a path reads it) and finish (a later one may use what
/// an earlier one found: `silence` reads `monit`'s restarts).
macro_rules! registry {
    ($($check:ident),* $(,)?) => {
        $(pub mod $check;)*
        /// Every structured check.
        pub const REGISTRY: &[Check] = &[$($check::CHECK),*];
    };
}

registry!(monit, disk, memory, vitals, certs, paste, silence, clock);

/// Every structured check id a finding can carry (`explained_by` may name them like
/// signature ids; `signatures check` accepts them), from [`REGISTRY`].
pub const CHECK_IDS: &[&str] = &registry::ids::<{ registry::count_kinds(REGISTRY) }>(REGISTRY);

/// The kind of finding a check id names.
pub fn meta(id: &str) -> Option<&'static Meta> {
    REGISTRY
        .iter()
        .flat_map(|c| c.kinds.iter())
        .find(|m| m.id == id)
}

use crate::finding::Finding;
use crate::input::lines::{self, Piece};
use crate::model::Certificate;
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

/// Which registered check reads a file, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    /// The check's index in [`REGISTRY`].
    check: usize,
    pub reading: Reading,
}

impl Reader {
    /// The check's name.
    pub fn name(self) -> &'static str {
        REGISTRY[self.check].name
    }
}

/// The check that reads the file at `path` (relative to the VM's `/`; a leading `/` or `./`
/// is ignored), or `None`. `loose`: the file is a loose input (stdin, a log file given
/// alone), pasted text to the checks unless a check reads its path.
pub fn reader(path: &str, loose: bool) -> Option<Reader> {
    let p = normalize(path);
    REGISTRY
        .iter()
        .enumerate()
        .find_map(|(check, c)| (c.reads)(p, loose).map(|reading| Reader { check, reading }))
}

/// Whether any check wants to see the file at `path` (cheap: the path only).
pub fn wants(path: &str) -> bool {
    reader(path, false).is_some()
}

pub(crate) fn normalize(path: &str) -> &str {
    path.trim_start_matches("./").trim_start_matches('/')
}

/// `var/vcap/bosh/log/current` and svlogd's rotations (`@4000....s`) beside it.
pub(crate) fn is_agent_log(p: &str) -> bool {
    p.strip_prefix("var/vcap/bosh/log/")
        .is_some_and(|f| !f.contains('/') && (f.starts_with("current") || f.starts_with('@')))
}

/// `captures` from `(name, value)` pairs.
pub(crate) fn captures<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The line as text (lossy UTF-8), without its line ending, cut to about `EXCERPT_MAX`
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
    /// One gatherer per registered check that reads a VM (by [`REGISTRY`] index).
    running: Vec<Option<Box<dyn VmCheck>>>,
    /// Whole-file sources given by [`VmChecks::feed_line`], gathered until `finish`.
    pending: BTreeMap<String, (Reader, Vec<u8>)>,
    /// Line numbers reached per path by [`VmChecks::feed_line`].
    line_numbers: HashMap<String, u64>,
}

impl VmChecks {
    /// An empty accumulator for the VM named `vm` (as findings name it).
    pub fn new(vm: &str) -> Self {
        VmChecks {
            vm: vm.to_string(),
            running: REGISTRY
                .iter()
                .map(|c| c.per_vm.map(|start| start(vm)))
                .collect(),
            pending: BTreeMap::new(),
            line_numbers: HashMap::new(),
        }
    }

    fn check(&mut self, reader: Reader) -> Option<&mut Box<dyn VmCheck>> {
        self.running.get_mut(reader.check).and_then(Option::as_mut)
    }

    /// Reads one file of the VM. `path` is the path inside the VM (as in
    /// [`Finding::path`]); files no check [`wants`] are not read at all. Line sources
    /// ([`Reading::Lines`]) are streamed line by line, never held whole; other files are
    /// read up to [`WHOLE_FILE_CAP`]. An I/O error is returned after whatever was read before
    /// it has been taken into account.
    pub fn feed(&mut self, path: &str, data: &mut dyn Read) -> io::Result<()> {
        let Some(reader) = reader(path, false) else {
            return Ok(());
        };
        self.feed_as(reader, path, data)
    }

    /// [`VmChecks::feed`] with the reader given: a loose input is read as
    /// [`reader`]`(path, true)` says.
    pub fn feed_as(&mut self, reader: Reader, path: &str, data: &mut dyn Read) -> io::Result<()> {
        let Some(check) = self.check(reader) else {
            return Ok(());
        };
        if reader.reading == Reading::Lines {
            let mut n = 0;
            return for_each_line(data, |line| {
                n += 1;
                check.line(path, n, line);
            });
        }
        let bytes = read_capped(data, WHOLE_FILE_CAP)?;
        check.whole(path, &bytes);
        Ok(())
    }

    /// When the log at `path` ends and how many lines it had, as the engine saw it while
    /// streaming the file: the facts of the [`silence`] checks. Paths that are not job or
    /// agent logs are ignored.
    pub fn activity(&mut self, path: &str, activity: Activity) {
        for check in self.running.iter_mut().flatten() {
            check.activity(path, &activity);
        }
    }

    /// One line of the file at `path`, for engines that already split files into lines
    /// (with or without its line ending). Lines of one file must come in order; line
    /// numbers count from 1 per path. Line sources are checked at once; lines of a
    /// whole-file source are gathered (up to [`WHOLE_FILE_CAP`]) and parsed by `finish`.
    pub fn feed_line(&mut self, path: &str, line: &[u8]) {
        if let Some(reader) = reader(path, false) {
            self.feed_line_as(reader, path, line);
        }
    }

    /// One line of a line source ([`Reading::Lines`]) numbered by the caller, which splits
    /// the file itself (the analyzer's one pass over it): checked at once, with no per-path
    /// bookkeeping. Lines of other readers are ignored.
    pub fn numbered_line(&mut self, reader: Reader, path: &str, number: u64, line: &[u8]) {
        if reader.reading == Reading::Lines {
            if let Some(check) = self.check(reader) {
                check.line(path, number, trim_eol(line));
            }
        }
    }

    /// [`VmChecks::feed_line`] with the reader given (see [`VmChecks::feed_as`]).
    pub fn feed_line_as(&mut self, reader: Reader, path: &str, line: &[u8]) {
        // Called for every line of a file with a reader: no allocation once the file is known.
        let n = match self.line_numbers.get_mut(path) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => {
                self.line_numbers.insert(path.to_string(), 1);
                1
            }
        };
        if reader.reading == Reading::Lines {
            return self.numbered_line(reader, path, n, line);
        }
        let (_, buf) = self
            .pending
            .entry(path.to_string())
            .or_insert_with(|| (reader, Vec::new()));
        if (buf.len() + line.len()) as u64 <= WHOLE_FILE_CAP {
            buf.extend_from_slice(trim_eol(line));
            buf.push(b'\n');
        }
    }

    /// The collector's record of a diagnostic command (from `manifest.json`): a
    /// `monit-summary` that timed out or could not start means monit could not be asked.
    pub fn command(&mut self, record: &CommandRecord) {
        for check in self.running.iter_mut().flatten() {
            check.command(record);
        }
    }

    /// The findings of every check and the VM's certificate inventory. `now` is the VM's
    /// collection time (or `--at`); without it, certificates are listed with status
    /// `unknown` and no time-based certificate finding is made. `warn_days` is the window of
    /// `cert-expiring-soon` ([`DEFAULT_WARN_DAYS`]). Findings are ordered by path, line and
    /// check id; certificates in the order their files were read.
    pub fn finish(
        mut self,
        now: Option<Timestamp>,
        warn_days: i64,
    ) -> (Vec<Finding>, Vec<Certificate>) {
        for (path, (reader, bytes)) in std::mem::take(&mut self.pending) {
            if let Some(check) = self.check(reader) {
                check.whole(&path, &bytes);
            }
        }
        let on = Judge {
            vm: &self.vm,
            now,
            warn_days,
        };
        let mut out = Outcome::default();
        for check in self.running.into_iter().flatten() {
            check.finish(&on, &mut out);
        }
        let mut findings = out.findings;
        findings
            .sort_by(|a, b| (&a.path, a.line, &a.signature).cmp(&(&b.path, b.line, &b.signature)));
        (findings, out.certificates)
    }
}

#[cfg(test)]
mod tests;
