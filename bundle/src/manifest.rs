//! The bundle manifest (`manifest.json`, the first entry of every bundle): the contract
//! between `vcap-collect` and everything that reads a bundle.
//!
//! # Bundle format v1
//!
//! A gzip-compressed tar (possibly several concatenated gzip members, which every gzip
//! reader accepts), mode 0600, named `<deployment>.<instance-name>.<instance-id>.<UTC
//! timestamp>.tgz`. Every entry sits under one top directory, the bundle's name without
//! `.tgz`:
//!
//! ```text
//! <top>/manifest.json                      this document
//! <top>/commands/<name>.txt                output of each diagnostic command (stdout, then stderr)
//! <top>/var/vcap/sys/log/rep/rep.stdout.log  files keep their path from `/`
//! ```
//!
//! Rotated `.gz` logs are stored decompressed and redacted, under their name without `.gz`
//! ([`FileRecord::stored_as`] says so). Everything stored went through the redactor first.
//!
//! # Compatibility
//!
//! `format_version` changes only when a reader written for the previous version would
//! misread a bundle. New optional fields may appear at any time; readers ignore unknown
//! fields.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of [`Manifest::format`].
pub const FORMAT: &str = "vcap-diag-bundle";
/// The value of [`Manifest::format_version`].
pub const FORMAT_VERSION: u32 = 1;

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`] for this layout.
    pub format_version: u32,
    /// Which program wrote the bundle.
    pub collector: CollectorInfo,
    /// The host as the VM sees itself.
    pub host: HostInfo,
    /// BOSH identity, from `/var/vcap/instance/*` and `/var/vcap/bosh/settings.json`.
    pub bosh: BoshIdentity,
    /// When collection started, UTC RFC 3339, by the VM's own clock. Analyzers take this as
    /// "now" (a certificate that had expired at this time is a finding).
    pub collected_at: String,
    /// When collection ended, UTC RFC 3339.
    pub finished_at: String,
    /// The VM's clock as collected: seconds since the epoch and the `date -u` output, so an
    /// analyzer can compare clocks across VMs.
    pub clock: ClockInfo,
    /// The options the collector ran with.
    pub options: Options,
    /// `false` when the collector had to stop early (budget, disk space, time, signal).
    pub complete: bool,
    /// Why the bundle is incomplete, when it is.
    pub incomplete_reason: Option<String>,
    /// One record per file considered (stored or not), in bundle order.
    pub files: Vec<FileRecord>,
    /// One record per diagnostic command.
    pub commands: Vec<CommandRecord>,
    /// Totals over `files` and `commands`.
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CollectorInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct HostInfo {
    pub hostname: String,
    /// `--root` when collecting from a mounted tree instead of `/`.
    pub root: String,
}

/// Identity of the BOSH instance. Any field may be missing on a half-broken VM.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct BoshIdentity {
    pub deployment: Option<String>,
    /// Instance group name (`diego_cell`).
    pub name: Option<String>,
    /// Instance id (a UUID).
    pub id: Option<String>,
    pub az: Option<String>,
    /// `agent_id` from settings.json.
    pub agent_id: Option<String>,
    /// The VM's IaaS id (`vm.name` / `vm.cid` in settings.json).
    pub vm_cid: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ClockInfo {
    /// The VM's system clock at the start of collection, seconds since the epoch.
    pub unix_seconds: i64,
    /// Seconds since boot, from `/proc/uptime` of the host running the collector.
    pub uptime_seconds: Option<f64>,
}

/// Options as the collector ran them (sizes in bytes, durations in seconds).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Options {
    pub since_seconds: u64,
    pub max_file_size: u64,
    pub max_total: u64,
    pub min_free_bytes: u64,
    pub min_free_percent: f64,
    pub command_timeout_seconds: u64,
    pub max_duration_seconds: u64,
    pub commands: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Stored (possibly truncated to its tail: see [`FileRecord::truncated`]).
    Ok,
    /// Could not be opened or read (permissions, I/O error): see `detail`.
    Unreadable,
    /// Listed, then gone before it could be read (log rotation).
    Vanished,
    /// A FIFO, socket, device or directory where a file was expected: never opened.
    NotRegular,
    /// A symbolic link inside a collected tree: not followed (see `detail` for its target).
    Symlink,
    /// Binary content other than gzip: not stored (it may hold key material, e.g. a keystore).
    Binary,
    /// A log last modified before `--since`.
    TooOld,
    /// Left out because `--max-total` or the output filesystem's free space ran out.
    OverBudget,
    /// Left out because the collector ran out of time or was interrupted.
    TimedOut,
    /// Redacted, then not stored: the independent leak gate (`redact::gate`) still found
    /// something that looks like a secret in the redacted copy. `detail` names the kind
    /// and the line (never the text), e.g. "leak gate: high_entropy at line 12".
    Withheld,
}

/// One file considered for the bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileRecord {
    /// Path from `/` without the leading slash (`var/vcap/sys/log/rep/rep.stdout.log`).
    pub path: String,
    /// Where the content sits in the bundle (relative to the top directory), when it differs
    /// from `path` (rotated `.gz` logs are stored decompressed without `.gz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_as: Option<String>,
    pub status: FileStatus,
    /// Why, for any status but `ok` (and notes for `ok`, e.g. "shrank while read").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Size of the source file on disk when it was opened (compressed size for `.gz`).
    pub source_size: u64,
    /// Modification time of the source, seconds since the epoch.
    pub mtime: Option<i64>,
    /// Bytes stored in the bundle (after redaction).
    pub size: u64,
    /// SHA-256 (hex) of the bytes stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// When only the tail was kept: the original (uncompressed) size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<u64>,
    /// Number of secrets replaced in this file.
    pub redactions: u64,
    /// Redactions by kind (`password`, `private_key`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub redacted_kinds: BTreeMap<String, u64>,
    /// Secrets the final leak scan caught after the rules (each also redacted).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub leak_scan_hits: u64,
}

/// What happened to one command.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CommandStatus {
    /// Ran to completion (whatever its exit code).
    Ok,
    /// Not found in `/var/vcap/bosh/bin` nor `PATH`.
    NotFound,
    /// Killed at its timeout; the output it had printed is stored.
    TimedOut,
    /// Could not be started: see `detail`.
    Failed,
    /// Not run (`--no-commands`, or time/budget exhausted).
    Skipped,
}

/// One diagnostic command.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CommandRecord {
    /// Short name; output is stored at `commands/<name>.txt`.
    pub name: String,
    /// The command line as run (program resolved to its path).
    pub argv: Vec<String>,
    pub status: CommandStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    /// Where the output sits in the bundle (`commands/<name>.txt`), when stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// When only the tail of the output was kept: the original size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<u64>,
    pub redactions: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Totals {
    pub files_stored: u64,
    pub files_not_stored: u64,
    /// Uncompressed bytes stored (files and command output).
    pub bytes_stored: u64,
    pub redactions: u64,
    pub leak_scan_hits: u64,
}

impl FileRecord {
    /// A record of `path` with nothing stored yet: `status` and why, the source's size and
    /// mtime. Copying fills in the rest.
    pub fn new(
        path: String,
        status: FileStatus,
        detail: Option<String>,
        source_size: u64,
        mtime: Option<i64>,
    ) -> FileRecord {
        FileRecord {
            path,
            stored_as: None,
            status,
            detail,
            source_size,
            mtime,
            size: 0,
            sha256: None,
            truncated: None,
            redactions: 0,
            redacted_kinds: BTreeMap::new(),
            leak_scan_hits: 0,
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Manifest {
    /// Recompute [`Manifest::totals`] from the records.
    pub fn compute_totals(&mut self) {
        let mut t = Totals::default();
        for f in &self.files {
            if f.status == FileStatus::Ok {
                t.files_stored += 1;
                t.bytes_stored += f.size;
            } else {
                t.files_not_stored += 1;
            }
            t.redactions += f.redactions;
            t.leak_scan_hits += f.leak_scan_hits;
        }
        for c in &self.commands {
            t.bytes_stored += c.size;
            t.redactions += c.redactions;
        }
        self.totals = t;
    }
}
