//! The record of one `vcap-analyze redact` run: what was redacted where, what was dropped and
//! why. Counts and names only, never a secret.
//!
//! # `vcap-redact-manifest.json`, version 1
//!
//! Stored as the last entry of a redacted archive, at its root (beside the top directory of
//! our bundles, beside the instance tarballs of a multi-instance `bosh logs`). It comes last
//! because it is known only once every entry has been read, and because readers of our bundle
//! format expect `manifest.json` first. `vcap-analyze` itself ignores this entry when it
//! reads the archive. Fields are only added within version 1.
//!
//! ```text
//! { "format": "vcap-redact-manifest",
//!   "version": 1,
//!   "generated_by": "vcap-analyze 0.1.0",
//!   "input": "logs_1563024441.tgz",            // the input's file name
//!   "redacted_at": "2026-11-22T09:30:00Z",      // wall clock of the run
//!   "totals": { "files": 42, "redacted_files": 5, "redactions": 17, "leak_scan_hits": 0,
//!               "dropped": 1, "by_kind": { "password": 9, "url_credentials": 4, ... } },
//!   "files": [
//!     { "path": "cf.diego_cell.<id>.2019-07-13-13-27-21.tgz!./bosh/current",
//!       "action": "redacted",                   // redacted | regzipped | archive | dropped
//!       "bytes": 123456,                        // (decompressed) bytes read
//!       "redactions": 4, "by_kind": { "url_credentials": 4 }, "leak_scan_hits": 0 },
//!     { "path": "./rep/keystore.p12", "action": "dropped",
//!       "reason": "binary content: not stored (it may hold key material)" } ] }
//! ```
//!
//! `path` is the entry's name as stored (lossy UTF-8); inside a nested archive it is
//! `<nested archive entry>!<entry>`, as `vcap-analyze` names nested inputs. Every regular
//! file of the input has one record, in input order; a nested archive has its own record
//! (`archive`) before its entries'. `by_kind` counts the rules' and the leak scan's
//! replacements together (see `redact::RedactStats`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The entry name of the manifest in a redacted archive (at its root).
/// (The reader skips it by this name: it is defined with the reader's naming.)
pub const MANIFEST_NAME: &str = crate::input::REDACT_MANIFEST;
/// The value of [`RedactManifest::format`].
pub const FORMAT: &str = "vcap-redact-manifest";
/// The value of [`RedactManifest::version`].
pub const VERSION: u32 = 1;

/// `vcap-redact-manifest.json` (see the module docs).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RedactManifest {
    pub format: String,
    pub version: u32,
    pub generated_by: String,
    /// The input's file name (not its full path: the path on the operator's laptop is not
    /// the ticket's business).
    pub input: String,
    pub redacted_at: jiff::Timestamp,
    pub totals: Totals,
    pub files: Vec<FileRecord>,
}

/// Sums over [`RedactManifest::files`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    /// Regular files read (nested archives excluded, their entries included).
    pub files: u64,
    /// Files with at least one replacement.
    pub redacted_files: u64,
    pub redactions: u64,
    pub leak_scan_hits: u64,
    /// Entries left out of the copy (dropped or withheld by the leak gate).
    pub dropped: u64,
    pub by_kind: BTreeMap<String, u64>,
}

/// What happened to one entry.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Text, copied through the redactor.
    Redacted,
    /// Gzip-compressed text (a rotated `.gz` log): decompressed, redacted, compressed again
    /// under the same name.
    Regzipped,
    /// A nested archive (an instance tarball of `bosh logs`), redacted entry by entry and
    /// nested again under the same name, with the same compression.
    Archive,
    /// Left out: see `reason`.
    Dropped,
    /// Redacted, then left out: the independent leak gate (`redact::gate`, entropy and
    /// shape over every token) still found something in the redacted copy. `reason`
    /// names the kind and the line, never the text.
    Withheld,
}

/// One entry of the input.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileRecord {
    pub path: String,
    pub action: Action,
    /// Bytes read (decompressed for `regzipped`), when the entry was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(default)]
    pub redactions: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_kind: BTreeMap<String, u64>,
    #[serde(default)]
    pub leak_scan_hits: u64,
    /// Why it was dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl FileRecord {
    pub(crate) fn new(path: String, action: Action) -> FileRecord {
        FileRecord {
            path,
            action,
            bytes: None,
            redactions: 0,
            by_kind: BTreeMap::new(),
            leak_scan_hits: 0,
            reason: None,
        }
    }

    pub(crate) fn dropped(path: String, reason: impl Into<String>) -> FileRecord {
        FileRecord {
            reason: Some(reason.into()),
            ..FileRecord::new(path, Action::Dropped)
        }
    }
}

impl RedactManifest {
    pub(crate) fn new(input: String, files: Vec<FileRecord>) -> RedactManifest {
        let mut totals = Totals::default();
        for f in &files {
            match f.action {
                Action::Dropped | Action::Withheld => totals.dropped += 1,
                Action::Archive => {}
                Action::Redacted | Action::Regzipped => totals.files += 1,
            }
            if f.redactions + f.leak_scan_hits > 0 {
                totals.redacted_files += 1;
            }
            totals.redactions += f.redactions;
            totals.leak_scan_hits += f.leak_scan_hits;
            for (k, n) in &f.by_kind {
                *totals.by_kind.entry(k.clone()).or_insert(0) += n;
            }
        }
        RedactManifest {
            format: FORMAT.to_string(),
            version: VERSION,
            generated_by: format!("vcap-analyze {}", env!("CARGO_PKG_VERSION")),
            input,
            redacted_at: jiff::Timestamp::now(),
            totals,
            files,
        }
    }

    /// The entries left out.
    pub fn dropped(&self) -> impl Iterator<Item = &FileRecord> {
        self.files
            .iter()
            .filter(|f| matches!(f.action, Action::Dropped | Action::Withheld))
    }
}
