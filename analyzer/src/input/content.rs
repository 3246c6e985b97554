//! What one file's bytes are, told from magic bytes rather than its name: plain data, a
//! gzip-compressed file (a rotated `.gz` log, delivered decompressed), or an archive (tar,
//! gzip-compressed tar) to read as nested VMs. And the hand-over of a file's data to the sink,
//! keeping the first read error for the report.

use super::capture::Capture;
use super::gzip::{gunzip, Counter, Gunzip};
use super::sniff::{self, peek, Magic, Peeked, PEEK};
use super::{EntryMeta, Problem, Sink, VmInfo};
use std::io::Read;

type Raw<'r> = Peeked<&'r mut dyn Read>;

/// One file's data, opened according to what it is.
pub(crate) enum Content<'r> {
    Plain(Raw<'r>),
    Gzip {
        data: Peeked<Gunzip<Raw<'r>>>,
        counter: Counter,
    },
    Tar(Raw<'r>),
    GzipTar {
        data: Peeked<Gunzip<Raw<'r>>>,
        counter: Counter,
    },
}

/// Peeks at `raw` (and, for gzip, at its decompressed start) to tell what it is.
pub(crate) fn open(raw: &mut dyn Read) -> Content<'_> {
    let peeked = peek(raw, PEEK);
    match peeked.magic() {
        Magic::Gzip => {
            let (decoder, counter) = gunzip(peeked);
            let data = peek(decoder, PEEK);
            if sniff::is_tar_header(data.prefix()) {
                Content::GzipTar { data, counter }
            } else {
                Content::Gzip { data, counter }
            }
        }
        Magic::Tar => Content::Tar(peeked),
        Magic::Empty | Magic::Other => Content::Plain(peeked),
    }
}

impl Content<'_> {
    /// A tar stream, to read as nested archive.
    pub(crate) fn is_archive(&self) -> bool {
        matches!(self, Content::Tar(_) | Content::GzipTar { .. })
    }

    /// The (decompressed) data, from its first byte.
    pub(crate) fn reader(&mut self) -> &mut dyn Read {
        match self {
            Content::Plain(r) | Content::Tar(r) => r,
            Content::Gzip { data, .. } | Content::GzipTar { data, .. } => data,
        }
    }

    /// Compressed bytes consumed so far, for gzip data.
    pub(crate) fn counter(&self) -> Option<Counter> {
        match self {
            Content::Gzip { counter, .. } | Content::GzipTar { counter, .. } => {
                Some(counter.clone())
            }
            Content::Plain(_) | Content::Tar(_) => None,
        }
    }
}

/// Why a file was not delivered whole, for the report.
pub(crate) struct Undelivered {
    message: String,
    /// Compressed bytes consumed when gzip data failed.
    offset: Option<u64>,
}

impl Undelivered {
    pub(crate) fn problem(self, input: &str) -> Problem {
        let problem = Problem::new(input, self.message);
        match self.offset {
            Some(offset) => problem.with_offset(offset),
            None => problem,
        }
    }
}

/// Hands one file's data to the sink. `gzip` is the compressed-bytes counter when the data
/// is being decompressed. Returns what went wrong: reading the data (truncated, corrupt gzip)
/// or the sink's own error.
pub(crate) fn deliver(
    sink: &dyn Sink,
    vm: &VmInfo,
    meta: &EntryMeta,
    data: &mut dyn Read,
    gzip: Option<Counter>,
) -> Option<Undelivered> {
    let mut capture = Capture::new(data);
    let result = sink.entry(vm, meta, &mut capture);
    let bytes = capture.bytes;
    match (capture.error, gzip, result) {
        (Some(e), Some(counter), _) => Some(Undelivered {
            message: format!(
                "gzip data ends early or is corrupt ({e}); {bytes} bytes were decompressed and delivered; \
                 offset is in the compressed file"
            ),
            offset: Some(counter.get()),
        }),
        (Some(e), None, _) => Some(Undelivered { message: format!("read error ({e}) after {bytes} bytes"), offset: None }),
        (None, _, Err(e)) => Some(Undelivered { message: format!("processing this file failed: {e}"), offset: None }),
        (None, _, Ok(())) => None,
    }
}
