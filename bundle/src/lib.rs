//! The bundle format shared by `vcap-collect` (which writes bundles) and `vcap-analyze`
//! (which reads them, and writes redacted copies of foreign ones):
//!
//! - [`manifest`]: `manifest.json`, the contract between the two;
//! - [`spool`]: bounded-memory buffers every stored entry passes through;
//! - [`MAX_LINE`]: the longest line the redactor sees whole.

pub mod manifest;
pub mod spool;

/// Lines longer than this are redacted in pieces of this size, by every writer of a
/// bundle entry (the collector and `vcap-analyze redact`).
pub const MAX_LINE: usize = 64 << 10;
