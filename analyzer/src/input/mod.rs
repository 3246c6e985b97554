//! The bundle reader: turns what the user named (bundles, `bosh logs` tarballs, directories,
//! loose log files, stdin) into a stream of VMs and their files, handed to a [`Sink`].
//!
//! What it is for:
//! - [`discover`] expands command-line paths (globs, directories of bundles) into [`Input`]s.
//! - [`read_input`] reads one input and streams every regular file to the sink: straight from
//!   the tar reader, decompressed on the fly (`.tgz`, `.tar`, concatenated gzip members,
//!   nested instance tarballs of `bosh logs`, rotated `.gz` logs), never extracted to disk and
//!   never held whole in memory. Each VM is announced once ([`Sink::vm`]) with its identity and
//!   its "now" ([`VmInfo::collected_at`]) before its files.
//! - Entry names become VM paths (`var/vcap/sys/log/rep/rep.stdout.log`) whatever the layout:
//!   our bundles (top directory stripped), `bosh logs` (job folders mapped under
//!   `var/vcap/sys/log/`, agent logs under `var/vcap/bosh/log/`), VM roots, loose files.
//! - Hostile input is data, not instructions: `../` and absolute names are only normalized
//!   for reporting, links are never followed, FIFOs and devices are never opened, nesting
//!   and header sizes are capped. The one file held in memory is our `manifest.json` (to name
//!   the VM), capped at 32 MiB. A truncated or corrupt input yields what was readable plus
//!   a [`Problem`] with the byte offset; nothing here panics or stops the run.
//!
//! What it is not: it does not match, parse or judge log content (that is the matcher and the
//! checks), does not order entries (tree inputs are read in parallel), and does not redact.
//!
//! Layout: [`discover`] (arguments -> inputs), `archive` (tar streams, nesting), `tree`
//! (directories), `loose` (log files, stdin), `naming` (identity, time, VM paths), `content`
//! (what one file's bytes are: plain, gzip, archive), `sniff` (magic bytes, peeking),
//! `gzip` (decoding with offsets), `readahead` (decompression on its own thread),
//! [`Problem`].

mod archive;
pub(crate) mod capture;
mod content;
mod discover;
mod gzip;
mod loose;
mod naming;
mod problem;
mod readahead;
pub(crate) mod sniff;
mod tree;
pub mod vm_result;

pub use discover::discover;
pub use problem::Problem;

use crate::finding::VmIdentity;
use serde::Serialize;
use std::fmt;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// How many archives deep the reader goes: the input itself is depth 0, a tarball inside it
/// depth 1 (as `bosh logs` multi-instance output has), and so on. A nested archive deeper
/// than this is reported as [`Skipped`], not read.
pub const MAX_NESTING: usize = 4;

/// One thing to read, as [`discover`] found it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// A tar stream, plain or gzip-compressed (our bundles, `bosh logs` output), or a single
    /// gzip-compressed file (read as a loose log).
    Archive(PathBuf),
    /// A directory: a VM root (`var/vcap/...`), an extracted bundle (`manifest.json`), or an
    /// extracted `bosh logs` (job folders).
    Tree(PathBuf),
    /// A single log file (or a named pipe), matched against every signature.
    LogFile(PathBuf),
    /// Standard input, read like a log file; gzip and tar streams are recognized too.
    Stdin,
}

impl Input {
    /// The name used in messages and [`VmInfo::origin`]: the path as given, or `-`.
    pub fn name(&self) -> String {
        match self {
            Input::Archive(p) | Input::Tree(p) | Input::LogFile(p) => p.display().to_string(),
            Input::Stdin => "-".to_string(),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// One VM (BOSH instance) found in an input, or one loose input standing for a VM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VmInfo {
    /// From `manifest.json` (our bundles), else from a `bosh logs` file name
    /// (`<deployment>.<group>.<id>-<YYYYMMDD-HHMMSS-nanos>.tgz`,
    /// `<job>.<uuid>.<Y-m-d-H-M-S>.tgz`), else the input path (`stdin` for stdin).
    pub identity: VmIdentity,
    /// The bundle's "now": `collected_at` from the manifest, else the time in the `bosh logs`
    /// name (taken as UTC), else `None`.
    pub collected_at: Option<jiff::Timestamp>,
    /// The input as given (`-` for stdin), plus `!nested/name.tgz` per nested archive.
    pub origin: String,
    /// The manifest's `complete`, when there is one.
    pub bundle_complete: Option<bool>,
    /// The manifest's `incomplete_reason`, when there is one.
    pub incomplete_reason: Option<String>,
    /// A loose input (a log file or stdin): every signature applies, whatever its file globs.
    pub is_loose: bool,
}

/// One regular file of a VM, as handed to [`Sink::entry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryMeta {
    /// The path inside the VM, normalized, without a leading `/`, e.g.
    /// `var/vcap/sys/log/rep/rep.stdout.log`. Our bundles lose their top directory; `bosh logs`
    /// job folders (`./rep/rep.stdout.log`) map under `var/vcap/sys/log/`, agent logs
    /// (`./current`, `./@400...s`) under `var/vcap/bosh/log/`. A rotated `.gz` log keeps its
    /// name (`...rep.stdout.log.1.gz`) although its data is delivered decompressed. `..`
    /// components are resolved lexically and never climb above the VM root.
    pub path: String,
    /// The name as stored in the archive (or relative to the tree root), for messages. Names
    /// that are not UTF-8 are converted lossily, here and in `path`.
    pub archive_name: String,
    /// Size of the stored data in bytes (for a `.gz` file, its compressed size).
    pub size: Option<u64>,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: Option<i64>,
}

/// Something deliberately not read: not a regular file (directory entries excepted), a link,
/// a FIFO or device, an archive nested too deep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The VM's name ([`VmIdentity::name`]).
    pub vm: String,
    /// The path as reported (normalized VM path, or the name relative to a tree root).
    pub path: String,
    /// Why, e.g. `symbolic link to ../../etc/passwd (not followed)`.
    pub reason: String,
}

/// Receives what [`read_input`] reads. Called from the reading thread for archives and from
/// several threads at once for [`Input::Tree`] (hence `Sync`).
pub trait Sink: Sync {
    /// Announces a VM; called once per VM, before any of its entries.
    fn vm(&self, vm: &VmInfo);
    /// One regular file. `data` streams its (decompressed) content and may fail part way
    /// (truncated input): the reader records that as a [`Problem`] whatever is returned.
    /// The sink need not read `data` to the end. An `Err` returned here is recorded as a
    /// problem with this entry and reading goes on with the next one.
    fn entry(&self, vm: &VmInfo, entry: &EntryMeta, data: &mut dyn Read) -> std::io::Result<()>;
    /// Something not read, and why.
    fn skipped(&self, skipped: Skipped);
}

/// Reads one input, streaming every regular file to `sink`. Problems (unreadable, truncated,
/// corrupt) are returned, in the order met; what could be read was delivered. Never panics:
/// a panic while reading is returned as a problem too.
pub fn read_input(input: &Input, sink: &dyn Sink) -> Vec<Problem> {
    let run = AssertUnwindSafe(|| match input {
        Input::Archive(path) => archive::read_file(path, sink),
        Input::Tree(path) => tree::read(path, sink),
        Input::LogFile(path) => loose::read_file(path, sink),
        Input::Stdin => loose::read_stdin(sink),
    });
    match catch_unwind(run) {
        Ok(problems) => problems,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            vec![Problem::new(
                input.name(),
                format!("internal error while reading (panic: {what})"),
            )]
        }
    }
}
