//! [`Problem`]: part of an input that could not be read. Recorded and reported, never fatal:
//! a half-broken VM is the normal input.

use serde::Serialize;
use std::fmt;

/// Something in an input that could not be read: a missing path, an unreadable file, a
/// truncated or corrupt archive. What could be read before it was delivered.
///
/// Displays as `<input>: <path>: <message> (at byte N)`, the path and offset when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The input as the user knows it: the path given, `-` for stdin, `outer.tgz!inner.tgz`
    /// for a nested archive (as [`super::VmInfo::origin`]).
    pub input: String,
    /// The entry concerned (as stored in the archive, or relative to a tree root), if any.
    pub path: Option<String>,
    /// Where reading stopped, in bytes. The message says what the offset counts: the
    /// compressed file, the decompressed tar stream, or a plain tar file.
    pub offset: Option<u64>,
    /// What went wrong, in words for the reader of the report.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(input: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            input: input.into(),
            path: None,
            offset: None,
            message: message.into(),
        }
    }

    pub(crate) fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub(crate) fn with_offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.input)?;
        if let Some(path) = &self.path {
            write!(f, ": {path}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(offset) = self.offset {
            write!(f, " (at byte {offset})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_every_known_part() {
        let p = Problem::new("b.tgz", "gzip data ends early")
            .with_path("x.log")
            .with_offset(42);
        assert_eq!(
            p.to_string(),
            "b.tgz: x.log: gzip data ends early (at byte 42)"
        );
        assert_eq!(Problem::new("-", "broken").to_string(), "-: broken");
    }
}
