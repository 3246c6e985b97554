//! Field matches (schema 2): a signature that names a message and an error text fires on
//! that fact in every envelope the [`crate::line`] model reads, not only in the one its
//! regexes spell out.
//!
//! - `message` names match a keyed line (lager, gorouter) whose key ends with them at a
//!   segment boundary (`task-processor.failed` matches `rep.executing-container-operation.
//!   task-processor.failed` and the older `rep.task-processor.failed`). A signature with
//!   names but no `error` fires only on keyed lines.
//! - `error` regexes match the line's error text (lager `data.error`, an API error's
//!   `description`, a CLI's `message:`, a task's `Error: ...`), and, for envelopes whose
//!   message is text rather than a key, the message (a `cf logs` line, a Ruby or Java
//!   logger's text). With names too, a keyed line must match both.
//!
//! Named groups of the `error` regexes become captures; `source` (and `component`, its
//! schema-1 name) is captured from the line's source when no group of that name matched and
//! the signature's summary or a `when` of the library reads it.

use crate::line::{self, Line};
use crate::timestamp::YearHint;
use regex::Regex;
use std::collections::BTreeMap;

/// The field matches of one signature, compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields {
    pub names: Vec<String>,
    pub errors: Vec<super::lazy::LazyRegex<Regex>>,
    /// The [`IMPLICIT`] captures this signature's summary or a `when` of the library uses
    /// (only those are taken, so findings carry no capture nobody reads).
    pub implicit: Vec<&'static str>,
}

/// Captures a field match may take from the line itself: its source, under its line-model
/// name and under `component`, the name schema-1 regexes gave the lager source.
pub const IMPLICIT: [&str; 2] = ["source", "component"];

impl Fields {
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty() && self.errors.is_empty()
    }

    /// The captures of a hit on `line`, if the fields match it, and the start of the text the
    /// error regex matched (to find it in the raw line for the excerpt).
    pub(crate) fn hit(&self, line: &Line) -> Option<(BTreeMap<String, String>, String)> {
        let named = if line.envelope.keyed() && !self.names.is_empty() {
            if !self.names.iter().any(|n| line.key_ends_with(n)) {
                return None;
            }
            true
        } else {
            false
        };
        let mut captures = BTreeMap::new();
        let mut matched = String::new();
        if self.errors.is_empty() {
            if !named {
                return None;
            }
        } else {
            let (re, caps) = line.error_texts().find_map(|text| {
                self.errors
                    .iter()
                    .filter_map(super::lazy::LazyRegex::get)
                    .find_map(|re| re.captures(text).map(|c| (re, c)))
            })?;
            for name in re.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    captures.insert(name.to_string(), m.as_str().to_string());
                }
            }
            if let Some(m) = caps.get(0) {
                let text = m.as_str();
                let mut end = text.len().min(NEEDLE);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                matched = text[..end].to_string();
            }
        }
        if let Some(source) = &line.source {
            for &name in &self.implicit {
                captures
                    .entry(name.to_string())
                    .or_insert_with(|| source.clone());
            }
        }
        Some((captures, matched))
    }
}

/// How much of the matched error text is looked up in the raw line for the excerpt.
const NEEDLE: usize = 32;

/// A candidate line, parsed into the line model at most once, when a field match asks.
pub(crate) struct Parsed<'a> {
    raw: &'a [u8],
    hint: YearHint,
    line: Option<Line>,
}

impl<'a> Parsed<'a> {
    pub(crate) fn new(raw: &'a [u8], hint: YearHint) -> Parsed<'a> {
        Parsed {
            raw,
            hint,
            line: None,
        }
    }

    pub(crate) fn get(&mut self) -> &Line {
        let (raw, hint) = (self.raw, self.hint);
        self.line.get_or_insert_with(|| line::parse(raw, hint))
    }
}
