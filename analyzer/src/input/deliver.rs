//! The hand-over of one file's data to the sink, keeping the first read error for the
//! report: a read failure (truncated or corrupt input) is told from the sink's own failure,
//! with how much got through and, for gzip data, the offset in the compressed bytes.

use super::capture::Capture;
use super::gzip::Counter;
use super::problem::Problem;
use super::sink::{EntryMeta, Sink, VmInfo};
use std::io::Read;

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
