//! The compiled signature library: which files a signature sees, and which lines of a file
//! it hits. Built once per run ([`Matcher::new`]), shared by every thread (`Send + Sync`).
//!
//! How a file is scanned (see `scan`): the stream is read in large chunks; one literal
//! search over the whole chunk (`literals`: a bucketed shift-or filter, four lanes) finds
//! every occurrence of every literal of *any* signature, overlapping ones and those hidden
//! inside another included; only a line holding one is looked at again: its literals name
//! the signatures to test, and those selected for the file run their regexes and, for
//! schema-2 signatures, their field matches (`fields`) over the line parsed once into
//! the [`crate::line`] model. A line's VM is the file's, unless the text names another (a
//! `bosh ssh -c` prefix, an instance in a task line or a `bosh instances` row). Hits are
//! grouped per signature ([`GroupedHit`]) and turned into [`crate::finding::Finding`]s by
//! [`to_findings`].
//!
//! Not here: where files come from ([`crate::input`]), how the library is loaded and
//! validated ([`crate::signature`]), and correlation.

mod fields;
mod findings;
mod lazy;
pub mod levels;
mod literals;
mod scan;
mod selection;

pub use fields::IMPLICIT;
pub use findings::{job_of, placeholders, render_summary, to_findings};
pub use scan::{GroupedHit, Scanned, DEFAULT_BUFFER};
pub use selection::Selection;

use crate::signature::{Origin, Signature};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use lazy::{LazyRegex, Syntax};
use literals::LineFinder;
use regex::bytes::{Regex, RegexBuilder};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// Why a library could not be compiled. Every message names the signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatcherError {
    #[error("signature {id}: regex {pattern:?}: {message}")]
    Regex {
        id: String,
        pattern: String,
        message: String,
    },
    #[error("signature {id}: scope glob {pattern:?}: {message}")]
    Glob {
        id: String,
        pattern: String,
        message: String,
    },
    #[error("signature {id}: literal {literal:?}: {message}")]
    Literal {
        id: String,
        literal: String,
        message: String,
    },
    #[error("building the literal automaton: {0}")]
    Automaton(String),
    #[error("building the scope globs: {0}")]
    Scopes(String),
}

/// Compiles one signature regex exactly as the matcher does (Rust `regex` syntax, over
/// bytes, Unicode-aware, case-sensitive unless the pattern says `(?i)`).
pub fn compile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).build()
}

/// Compiles one scope glob exactly as the matcher does: `*` and `?` stay within one path
/// component, `**` crosses them.
pub fn compile_glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// Why a literal cannot serve as a prefilter, if it cannot.
pub fn literal_problem(literal: &str) -> Option<&'static str> {
    if literal.is_empty() {
        Some("is empty: every line would be a candidate")
    } else if literal.contains(['\n', '\r']) {
        Some("contains a line break: lines are matched one at a time")
    } else {
        None
    }
}

/// One signature, compiled.
#[derive(Debug, Clone)]
struct CompiledSig {
    id: String,
    regexes: Vec<LazyRegex<Regex>>,
    nots: Vec<LazyRegex<Regex>>,
    fields: Option<fields::Fields>,
}

/// What a hit on one line yields: the named captures and the span of the whole match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LineHit {
    pub captures: BTreeMap<String, String>,
    pub span: Range<usize>,
}

/// The compiled library. Cheap to share (`&Matcher` across threads).
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Finds every literal occurrence in a chunk, as fast as possible.
    finder: LineFinder,
    /// Literal index -> indices of the signatures that own it.
    owners: Vec<Vec<usize>>,
    /// Literal index -> whether it is a level marker ([`levels::MARKERS`]).
    marker: Vec<bool>,
    /// The longest literal, in bytes.
    max_literal: usize,
    sigs: Vec<CompiledSig>,
    /// Each distinct scope glob once (a thousand scopes of the library are about 120
    /// distinct globs, and building the set is most of a matcher's build time).
    scopes: GlobSet,
    /// Glob index in `scopes` -> indices of the signatures whose scope it is.
    scope_owners: Vec<Vec<usize>>,
}

impl Matcher {
    /// Compiles `sigs`; signature `i` of the matcher is `sigs[i]`. Fails on the first
    /// regex, glob or literal that cannot be compiled (`signatures check` reports them all).
    pub fn new(sigs: &[Signature]) -> Result<Matcher, MatcherError> {
        let mut literal_index: HashMap<&str, usize> = HashMap::new();
        let mut literals: Vec<&str> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut compiled = Vec::with_capacity(sigs.len());
        let mut scopes = GlobSetBuilder::new();
        let mut scope_index: HashMap<&str, usize> = HashMap::new();
        let mut scope_owners: Vec<Vec<usize>> = Vec::new();

        // Which implicit captures each signature must carry: its summary's, and those a
        // `when` of any link to it compares.
        let mut wanted: HashMap<&str, Vec<&str>> = HashMap::new();
        for sig in sigs {
            for link in &sig.explained_by {
                wanted
                    .entry(link.id.as_str())
                    .or_default()
                    .extend(link.when.keys().map(String::as_str));
            }
        }
        for (i, sig) in sigs.iter().enumerate() {
            for lit in &sig.matching.literals {
                if let Some(message) = literal_problem(lit) {
                    return Err(MatcherError::Literal {
                        id: sig.id.clone(),
                        literal: lit.clone(),
                        message: message.to_string(),
                    });
                }
                let k = *literal_index.entry(lit.as_str()).or_insert_with(|| {
                    literals.push(lit.as_str());
                    owners.push(Vec::new());
                    literals.len() - 1
                });
                if !owners[k].contains(&i) {
                    owners[k].push(i);
                }
            }
            let bad_regex = |p: &String| {
                let (id, pattern) = (sig.id.clone(), p.clone());
                move |message| MatcherError::Regex {
                    id,
                    pattern,
                    message,
                }
            };
            let syntax = match sig.origin {
                Origin::Builtin(_) => Syntax::Trusted,
                _ => Syntax::Check,
            };
            let regex = |p: &String| LazyRegex::bytes(p, syntax).map_err(bad_regex(p));
            let regexes = sig
                .matching
                .regex
                .iter()
                .map(regex)
                .collect::<Result<_, _>>()?;
            let nots = sig
                .matching
                .not
                .iter()
                .map(regex)
                .collect::<Result<_, _>>()?;
            let errors = sig
                .matching
                .error
                .iter()
                .map(|p| LazyRegex::text(p, syntax).map_err(bad_regex(p)))
                .collect::<Result<Vec<_>, _>>()?;
            let used = placeholders(&sig.report.summary);
            let implicit = fields::IMPLICIT
                .into_iter()
                .filter(|name| {
                    used.contains(name)
                        || wanted
                            .get(sig.id.as_str())
                            .is_some_and(|keys| keys.contains(name))
                })
                .collect();
            let fields = fields::Fields {
                names: sig.matching.message.clone(),
                errors,
                implicit,
            };
            for pattern in &sig.scope.files {
                if let Some(&g) = scope_index.get(pattern.as_str()) {
                    if !scope_owners[g].contains(&i) {
                        scope_owners[g].push(i);
                    }
                    continue;
                }
                let glob = compile_glob(pattern).map_err(|e| MatcherError::Glob {
                    id: sig.id.clone(),
                    pattern: pattern.clone(),
                    message: e.kind().to_string(),
                })?;
                scopes.add(glob);
                scope_index.insert(pattern, scope_owners.len());
                scope_owners.push(vec![i]);
            }
            compiled.push(CompiledSig {
                id: sig.id.clone(),
                regexes,
                nots,
                fields: (!fields.is_empty()).then_some(fields),
            });
        }

        // Level markers: lines no signature owns a literal of are still looked at when they
        // say error or fatal, for the unrecognised errors.
        let mut marker = vec![false; literals.len()];
        for &m in levels::MARKERS {
            let k = *literal_index.entry(m).or_insert_with(|| {
                literals.push(m);
                owners.push(Vec::new());
                literals.len() - 1
            });
            marker.resize(literals.len(), false);
            marker[k] = true;
        }
        // The literal finder and the scope globs are independent: built side by side.
        let automaton = |e: aho_corasick::BuildError| MatcherError::Automaton(e.to_string());
        let (finder, scopes) = rayon::join(|| LineFinder::new(&literals), || scopes.build());
        Ok(Matcher {
            finder: finder.map_err(automaton)?,
            max_literal: literals.iter().map(|l| l.len()).max().unwrap_or(0),
            owners,
            marker,
            sigs: compiled,
            scopes: scopes.map_err(|e| MatcherError::Scopes(e.to_string()))?,
            scope_owners,
        })
    }

    /// How many signatures the matcher holds.
    pub fn len(&self) -> usize {
        self.sigs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// The id of signature `i`.
    pub fn id(&self, i: usize) -> &str {
        &self.sigs[i].id
    }

    /// The index of the signature with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.sigs.iter().position(|s| s.id == id)
    }

    /// Which signatures a file can see: scope globs over the VM path (a leading `/` or
    /// `./` is ignored); `loose` (a loose log file or stdin) and a file at the VM's root
    /// (pasted text saved in a bundle, `ticket.txt`) see every signature.
    pub fn select(&self, path: &str, loose: bool) -> Selection {
        let path = path.trim_start_matches("./").trim_start_matches('/');
        if loose || crate::checks::is_pasted(path) {
            return Selection::all(self.len());
        }
        let mut sel = Selection::none(self.len());
        for g in self.scopes.matches(path) {
            for &i in &self.scope_owners[g] {
                sel.insert(i);
            }
        }
        sel
    }

    /// Whether `line` is a hit of signature `sig`, with its captures. Runs the same code
    /// as [`Matcher::scan`] (literal prefilter included), so `signatures check` proves what
    /// a scan will do. A `line` holding several lines is a hit if one of them is.
    pub fn match_line(&self, sig: usize, line: &[u8]) -> Option<BTreeMap<String, String>> {
        let sel = Selection::only(self.len(), sig);
        self.scan_slice(&sel, line, crate::timestamp::YearHint::default())
            .into_iter()
            .next()
            .map(|h| h.captures)
    }

    /// Signature `sig`'s verdict on one candidate line (`body`: without a VM prefix): its
    /// regexes, else its field matches on the parsed line; then its `not` regexes. Captures
    /// (and the span) are extracted only when `detail` is asked.
    pub(crate) fn hit(
        &self,
        sig: usize,
        body: &[u8],
        parsed: &mut fields::Parsed<'_>,
        detail: bool,
    ) -> Option<LineHit> {
        let s = &self.sigs[sig];
        // A veto first: most candidate lines of a key-pattern signature are the healthy
        // info-level lines of the same session, which a `not` rejects at a glance.
        if s.nots
            .iter()
            .filter_map(LazyRegex::get)
            .any(|r| r.is_match(body))
        {
            return None;
        }
        let regex = s
            .regexes
            .iter()
            .filter_map(LazyRegex::get)
            .find(|r| r.is_match(body));
        let by_fields = match regex {
            Some(_) => None,
            None => Some(s.fields.as_ref()?.hit(parsed.get())?),
        };
        let Some(regex) = regex else {
            if !detail {
                return Some(LineHit::default());
            }
            let (captures, matched) = by_fields.unwrap_or_default();
            // The excerpt is cut around the error text where the raw line shows it as is.
            let span = memchr::memmem::find(body, matched.as_bytes())
                .filter(|_| !matched.is_empty())
                .map_or(0..0, |at| at..at + matched.len());
            return Some(LineHit { captures, span });
        };
        if !detail {
            return Some(LineHit::default());
        }
        let caps = regex.captures(body)?;
        let captures = regex
            .capture_names()
            .flatten()
            .filter_map(|name| {
                caps.name(name).map(|m| {
                    (
                        name.to_string(),
                        String::from_utf8_lossy(m.as_bytes()).into_owned(),
                    )
                })
            })
            .collect();
        Some(LineHit {
            captures,
            span: caps.get(0).map_or(0..0, |m| m.range()),
        })
    }
}

#[cfg(test)]
mod tests;
