//! [`Problem`]: something about the inputs a report must say (a file that could not be read,
//! an input with nothing in it, a bundle the collector marked incomplete), kept typed (which
//! file, what kind) until a report renders it.
//!
//! In JSON (the report's `coverage.errors` and `bundles[].problems`, the per-VM results'
//! `problems` and `errors`) a problem is its rendering, a string, as in schema 1 from the
//! start; read back from a per-VM results document it is [`ProblemKind::Text`].

use crate::input;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

/// What kind of problem, with the facts of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Part of an input could not be read: a missing path, an unreadable file, a truncated
    /// or corrupt archive (input, entry and offset when known).
    Unreadable(input::Problem),
    /// An input held no log file, archive or bundle: nothing succeeds silently.
    NothingToAnalyze {
        /// The input as given.
        input: String,
    },
    /// The collector marked the bundle incomplete (its manifest's `incomplete_reason`).
    Incomplete { reason: String },
    /// A per-VM result was cut to its size budget on the VM.
    Truncated {
        findings_kept: u64,
        findings_total: u64,
        certificates_kept: u64,
        certificates_total: u64,
    },
    /// Read back as text from a per-VM results document: its kind was not kept.
    Text(String),
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Unreadable(p) => write!(f, "{p}"),
            ProblemKind::NothingToAnalyze { input } => write!(
                f,
                "{input}: nothing to analyze (no log file, archive or bundle in it)"
            ),
            ProblemKind::Incomplete { reason } => write!(f, "bundle incomplete: {reason}"),
            ProblemKind::Truncated {
                findings_kept,
                findings_total,
                certificates_kept,
                certificates_total,
            } => write!(
                f,
                "per-VM result truncated: {findings_kept} of {findings_total} findings and \
                 {certificates_kept} of {certificates_total} certificates kept"
            ),
            ProblemKind::Text(text) => f.write_str(text),
        }
    }
}

/// A problem, typed; rendered (once, when a report first reads it as text).
#[derive(Clone)]
pub struct Problem {
    kind: ProblemKind,
    text: OnceLock<String>,
}

impl Problem {
    pub fn new(kind: ProblemKind) -> Self {
        Problem {
            kind,
            text: OnceLock::new(),
        }
    }

    pub fn kind(&self) -> &ProblemKind {
        &self.kind
    }

    /// The file or input it concerns, when the kind names one.
    pub fn file(&self) -> Option<&str> {
        match &self.kind {
            ProblemKind::Unreadable(p) => Some(p.path.as_deref().unwrap_or(&p.input)),
            ProblemKind::NothingToAnalyze { input } => Some(input),
            _ => None,
        }
    }

    /// As the reports print it.
    pub fn as_str(&self) -> &str {
        self.text.get_or_init(|| self.kind.to_string())
    }
}

impl Deref for Problem {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.kind, f)
    }
}

impl PartialEq for Problem {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Eq for Problem {}

impl From<ProblemKind> for Problem {
    fn from(kind: ProblemKind) -> Self {
        Problem::new(kind)
    }
}

impl From<input::Problem> for Problem {
    fn from(p: input::Problem) -> Self {
        Problem::new(ProblemKind::Unreadable(p))
    }
}

impl From<String> for Problem {
    fn from(text: String) -> Self {
        Problem::new(ProblemKind::Text(text))
    }
}

impl From<&str> for Problem {
    fn from(text: &str) -> Self {
        Problem::from(text.to_string())
    }
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Problem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Problem::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_keeps_its_file_and_kind_and_renders_as_before() {
        let read = Problem::from(
            input::Problem::new("b.tgz", "gzip data ends early")
                .with_path("x.log")
                .with_offset(42),
        );
        assert!(matches!(read.kind(), ProblemKind::Unreadable(_)));
        assert_eq!(read.file(), Some("x.log"));
        assert_eq!(
            read.as_str(),
            "b.tgz: x.log: gzip data ends early (at byte 42)"
        );
        let empty = Problem::new(ProblemKind::NothingToAnalyze {
            input: "empty/".to_string(),
        });
        assert_eq!(empty.file(), Some("empty/"));
        assert_eq!(
            empty.to_string(),
            "empty/: nothing to analyze (no log file, archive or bundle in it)"
        );
        let cut = Problem::new(ProblemKind::Truncated {
            findings_kept: 1,
            findings_total: 900,
            certificates_kept: 0,
            certificates_total: 0,
        });
        assert_eq!(
            &*cut,
            "per-VM result truncated: 1 of 900 findings and 0 of 0 certificates kept"
        );
    }

    #[test]
    fn in_json_a_problem_is_its_text_and_reads_back_as_text() {
        let p = Problem::new(ProblemKind::Incomplete {
            reason: "disk full".to_string(),
        });
        let json = serde_json::to_string(&vec![p.clone()]).unwrap();
        assert_eq!(json, r#"["bundle incomplete: disk full"]"#);
        let back: Vec<Problem> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0].as_str(), p.as_str());
        assert!(matches!(back[0].kind(), ProblemKind::Text(_)));
    }
}
