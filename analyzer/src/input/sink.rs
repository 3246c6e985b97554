//! The contract between the reader and what consumes it (the analysis engine, `scan-secrets`,
//! the fuzz targets): VMs announced once, then their files as entries with a VM path and a
//! reader, and what was deliberately not read. Kept stable: a new input format changes what
//! is read, never this.

use crate::finding::VmIdentity;
use serde::Serialize;
use std::io::Read;

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

/// Receives what [`read_input`](super::read_input) reads. Called from the reading thread for archives and from
/// several threads at once for [`Input::Tree`](super::Input::Tree) (hence `Sync`).
pub trait Sink: Sync {
    /// Announces a VM; called once per VM, before any of its entries.
    fn vm(&self, vm: &VmInfo);
    /// One regular file. `data` streams its (decompressed) content and may fail part way
    /// (truncated input): the reader records that as a [`Problem`](super::Problem) whatever is returned.
    /// The sink need not read `data` to the end. An `Err` returned here is recorded as a
    /// problem with this entry and reading goes on with the next one.
    fn entry(&self, vm: &VmInfo, entry: &EntryMeta, data: &mut dyn Read) -> std::io::Result<()>;
    /// Something not read, and why.
    fn skipped(&self, skipped: Skipped);
}
