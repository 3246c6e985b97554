//! What a structured check is, said once in its own module, and how the registry of
//! `checks/mod.rs` knows every check.
//!
//! A check module defines one [`Check`]: its name, what it reads, each kind of finding it
//! makes ([`Meta`]: id, category, severity, title, remediation, the causes that explain it,
//! and whether it is a risk below some severity), and a gatherer for one VM
//! ([`VmCheck`]). Everything else (the engine's dispatch, correlation rules, the ids
//! signatures may name in `explained_by`, `signatures list`) is derived from the registry:
//! a new check is its module plus its name in the `registry!` line of `checks/mod.rs`.

use super::silence::{Activity, Restart};
use crate::correlate::Scope;
use crate::finding::{Finding, Kind, Severity};
use crate::model::Certificate;
use bundle::manifest::CommandRecord;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// One kind of finding of a structured check: the signature-like metadata every finding of
/// its id shares, and what correlation needs to know of it.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    /// The check id, the `signature` of its findings (`cert-expired`).
    pub id: &'static str,
    /// A TAXONOMY category.
    pub category: &'static str,
    /// The usual severity (a check may raise or lower it per finding).
    pub severity: Severity,
    pub title: &'static str,
    /// What to do about it (signatures carry theirs in `report.remediation`).
    pub remediation: &'static str,
    /// A finding below this severity is a risk that has not happened yet: when it explains
    /// nothing it is latent, not a root cause ([`crate::correlate::Rule::risk_below`]).
    pub risk_below: Option<Severity>,
    /// The causes that may explain it, as a signature's `explained_by` names them.
    pub explained_by: &'static [Explained],
}

/// One cause a check's finding may be explained by.
#[derive(Debug, Clone, Copy)]
pub struct Explained {
    /// A signature or check id, or [`crate::correlate::ANY`]: any finding of another
    /// signature in scope.
    pub cause: &'static str,
    pub scope: Scope,
    pub why: &'static str,
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

/// How a check reads a file it claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Line by line, streamed (the file may be large): [`VmCheck::line`].
    Lines,
    /// Whole, up to [`super::WHOLE_FILE_CAP`]: [`VmCheck::whole`].
    Whole,
}

/// A structured check, as registered.
#[derive(Clone, Copy)]
pub struct Check {
    /// The module's name (`certs`).
    pub name: &'static str,
    /// Each kind of finding it makes (a check may also make kinds of other checks from
    /// other input: `paste` reads pasted `monit summary` and `df` output).
    pub kinds: &'static [Meta],
    /// Whether it reads the file at `path` (relative to the VM's `/`, no leading `/` or
    /// `./`), and how; `loose`: the file is a loose input (stdin, a log file given alone).
    pub reads: fn(path: &str, loose: bool) -> Option<Reading>,
    /// A fresh gatherer for the VM named `vm`; `None` for a check across VMs, which the
    /// engine runs after reading (`clock`).
    pub per_vm: Option<StartVm>,
}

/// Makes a check's gatherer for the VM named by its argument.
pub type StartVm = fn(vm: &str) -> Box<dyn VmCheck>;

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("kinds", &self.kinds)
            .finish_non_exhaustive()
    }
}

/// Reads nothing: a check whose facts come from elsewhere (the engine, other VMs).
pub(crate) fn reads_nothing(_path: &str, _loose: bool) -> Option<Reading> {
    None
}

/// What one check gathers about one VM. Every method but `finish` defaults to ignoring
/// what it is given.
pub trait VmCheck: Send + std::fmt::Debug {
    /// Line `n` (1-based, without its line ending) of a file it [`Check::reads`] by lines.
    fn line(&mut self, _path: &str, _n: u64, _line: &[u8]) {}
    /// A file it reads whole (up to [`super::WHOLE_FILE_CAP`]).
    fn whole(&mut self, _path: &str, _bytes: &[u8]) {}
    /// The collector's record of a diagnostic command (from `manifest.json`).
    fn command(&mut self, _record: &CommandRecord) {}
    /// When a log file of the VM ends and how many lines it had.
    fn activity(&mut self, _path: &str, _activity: &Activity) {}
    /// Its findings (and certificates) into `out`, judged at `on`'s time. Checks finish in
    /// registry order: a later one may read what an earlier one left in `out`.
    fn finish(self: Box<Self>, on: &Judge<'_>, out: &mut Outcome);
}

/// What every check's `finish` is judged by.
#[derive(Debug, Clone, Copy)]
pub struct Judge<'a> {
    /// The VM's name, as findings name it.
    pub vm: &'a str,
    /// The VM's "now": its collection time or `--at` (never the wall clock).
    pub now: Option<Timestamp>,
    /// The window of `cert-expiring-soon`, in days.
    pub warn_days: i64,
}

/// What the checks of one VM found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub certificates: Vec<Certificate>,
    /// The last restart monit logged of each process (from `monit`, read by `silence`).
    pub(crate) restarts: Vec<Restart>,
}

/// How many kinds the checks make in all.
pub(crate) const fn count_kinds(checks: &[Check]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < checks.len() {
        n += checks[i].kinds.len();
        i += 1;
    }
    n
}

/// The ids of every kind the checks make, in registry order.
pub(crate) const fn ids<const N: usize>(checks: &[Check]) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut k) = (0, 0);
    while i < checks.len() {
        let mut j = 0;
        while j < checks[i].kinds.len() {
            out[k] = checks[i].kinds[j].id;
            k += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests;
