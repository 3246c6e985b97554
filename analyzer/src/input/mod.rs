//! The bundle reader: turns what the user named (bundles, `bosh logs` tarballs, directories,
//! loose log files, stdin) into a stream of VMs and their files, handed to a [`Sink`]. The
//! one reading layer of every command: `analyze`, `timeline` and `certs` (through the
//! engine), `scan-secrets`, and `redact` (which copies the tar walker's entries).
//!
//! What it is for:
//! - [`discover`] expands command-line paths (globs, directories of bundles) into [`Input`]s.
//! - [`read_input`] reads one input and streams every regular file to the sink: straight from
//!   the tar walker, decompressed on the fly (`.tgz`, `.tar`, concatenated gzip members,
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
//! - [`lines`] splits a file's data into lines, for every consumer alike.
//!
//! What it is not: it does not match, parse or judge log content (that is the matcher and the
//! checks), does not order entries (tree inputs are read in parallel), and does not redact.
//!
//! # Layers
//!
//! Each module uses only modules of the layers below its own (the `layers` test checks it
//! from the sources, so no import cycle can come back):
//!
//! | layer | module | what it is |
//! |---|---|---|
//! | 0 | `problem`, `capture`, `sink` | contracts: [`Problem`], a counting reader, [`Sink`] and what it receives |
//! | 1 | `sniff`, [`lines`], `unwrap` | magic bytes and peeking; splitting data into lines; rejoining JSON records a terminal wrapped (loose inputs) |
//! | 2 | `gzip`, `readahead` | decoding with offsets; decompression on its own thread |
//! | 3 | `classify` | what a byte stream is (tar, gzip, unsupported format, binary, text): decided here only |
//! | 4 | `walk` | the one hardened tar walker (also used by `foreign::tarcopy` for `redact`) |
//! | 5 | `deliver`, `naming` | the hand-over of a file to the sink; identity, time and VM paths |
//! | 6 | `archive` | a tar stream as VMs (bundles, `bosh logs`, nested archives) |
//! | 7 | `tree`, `file` | directories; one-stream inputs (a file named, stdin) |
//! | 8 | `discover` | command-line arguments to [`Input`]s |
//!
//! Adding an input format is one file: a container format is a walker at layer 4 beside
//! `walk`, handing the same `walk::Entry`s to the same `walk::Visitor`s (so the analysis and
//! the `redact` copy both read it); `classify` gets its kind (magic bytes in `sniff`) and
//! `archive::read_archive`, the one dispatch on container formats for inputs, directories
//! and nested archives alike, one arm for it. The [`Sink`] interface (VMs announced, then
//! entries with a VM path and a reader) does not change for it: the matcher and the checks
//! never see where a file came from.

mod archive;
pub(crate) mod capture;
pub(crate) mod classify;
mod deliver;
mod discover;
mod file;
pub(crate) mod gzip;
#[cfg(test)]
mod layers;
pub mod lines;
mod naming;
mod problem;
mod readahead;
mod sink;
mod sniff;
mod tree;
mod unwrap;
pub(crate) mod walk;

pub use discover::{discover, Input};
pub use naming::REDACT_MANIFEST;
pub use problem::Problem;
pub use readahead::{Decompress, Schedule};
pub use sink::{EntryMeta, Sink, Skipped, VmInfo};
pub use walk::MAX_NESTING;

use file::Named;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Reads one input, streaming every regular file to `sink`. Problems (unreadable, truncated,
/// corrupt) are returned, in the order met; what could be read was delivered. Never panics:
/// a panic while reading is returned as a problem too. An input read alone: its stream is
/// decompressed ahead, on a thread of its own.
pub fn read_input(input: &Input, sink: &dyn Sink) -> Vec<Problem> {
    read_input_as(input, sink, Decompress::Ahead)
}

/// [`read_input`], the input's stream (a file named, stdin) decompressed as `how` says (see
/// [`Schedule`], for inputs read in parallel).
pub fn read_input_as(input: &Input, sink: &dyn Sink, how: Decompress) -> Vec<Problem> {
    let run = AssertUnwindSafe(|| match input {
        Input::Archive(path) => file::read_file(path, Named::Archive, sink, how),
        Input::Tree(path) => tree::read(path, sink),
        Input::LogFile(path) => file::read_file(path, Named::Log, sink, how),
        Input::Stdin => file::read_stdin(sink, how),
    });
    match catch_unwind(run) {
        Ok(problems) => problems,
        Err(panic) => vec![Problem::new(
            input.name(),
            format!(
                "internal error while reading (panic: {})",
                walk::panic_text(&*panic)
            ),
        )],
    }
}
