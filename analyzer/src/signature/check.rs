//! `vcap-analyze signatures check`: validates a loaded [`Library`] and runs every embedded
//! example through the real compiled [`Matcher`] (the same prefilter and regexes as a
//! scan). Errors make a library unusable or wrong; warnings make it slow or hard to trust.
//!
//! What serde already refuses at load time (unknown keys, a `kind` or `severity` outside
//! their lists, a missing field) arrives here as a load problem of the file.

use super::load::Library;
use super::schema::{Expect, Signature, SCHEMA_VERSIONS};
use crate::line::{self, Envelope};
use crate::matcher::IMPLICIT;
use crate::matcher::{compile_glob, compile_regex, literal_problem, placeholders, Matcher};
use crate::taxonomy;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// A literal shorter than this is flagged: it occurs too often to prefilter well.
pub const MIN_LITERAL_LEN: usize = 8;

/// Words that occur all the time in healthy logs; a literal that is only one of them
/// (whatever the case and surrounding punctuation) is flagged.
const COMMON_WORDS: &[&str] = &[
    "error",
    "errors",
    "err",
    "failed",
    "failure",
    "fail",
    "fatal",
    "panic",
    "warn",
    "warning",
    "timeout",
    "timed out",
    "exception",
    "invalid",
    "refused",
    "denied",
    "unable",
    "cannot",
    "retry",
    "retrying",
    "connection",
    "certificate",
    "stack trace",
    "traceback",
    "goroutine",
    "log_level",
    "level=error",
    "level\":\"error",
    "log_level\":2",
    "log_level\":3",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

/// One finding of the check, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub level: Level,
    /// The file, as the user finds it (`signatures/tls/go-x509-expired.toml`).
    pub file: String,
    /// The signature id, when the file parsed.
    pub signature: Option<String>,
    /// 0-based index of the `[[tests]]` entry concerned.
    pub test: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{level}: {}: ", self.file)?;
        if let Some(t) = self.test {
            write!(f, "tests[{t}]: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The outcome of [`check`].
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub problems: Vec<Problem>,
    /// Signatures checked.
    pub signatures: usize,
    /// Embedded examples run through the matcher.
    pub examples: usize,
}

impl CheckReport {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.level == Level::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.level == Level::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// Checks `lib`; `check_ids` are the structured check ids `explained_by` may also name
/// (normally [`super::CHECK_IDS`]).
pub fn check(lib: &Library, check_ids: &[&str]) -> CheckReport {
    let mut report = CheckReport {
        signatures: lib.signatures.len(),
        ..CheckReport::default()
    };
    for p in &lib.problems {
        report.problems.push(Problem {
            level: Level::Error,
            file: p.file.clone(),
            signature: None,
            test: None,
            message: p.problem.clone(),
        });
    }

    let sigs = &lib.signatures;
    let by_id: HashMap<&str, &Signature> = sigs.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut compilable = Vec::new();
    for sig in sigs {
        let mut c = Checker {
            sig,
            out: &mut report.problems,
        };
        if let Some(first) = seen.insert(&sig.id, sig.origin.to_string()) {
            c.error(format!(
                "duplicate id {:?}: also defined by {first}",
                sig.id
            ));
        }
        if c.static_checks(&by_id, check_ids) {
            compilable.push(sig.clone());
        }
    }

    // The examples, through the real matcher, built from the signatures that compile.
    match Matcher::new(&compilable) {
        Ok(matcher) => {
            for (i, sig) in compilable.iter().enumerate() {
                let mut c = Checker {
                    sig,
                    out: &mut report.problems,
                };
                report.examples += c.run_examples(&matcher, i);
            }
        }
        Err(e) => report.problems.push(Problem {
            level: Level::Error,
            file: "signatures".into(),
            signature: None,
            test: None,
            message: format!("the library does not compile: {e}"),
        }),
    }
    report
}

struct Checker<'a> {
    sig: &'a Signature,
    out: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, level: Level, test: Option<usize>, message: String) {
        self.out.push(Problem {
            level,
            file: self.sig.origin.to_string(),
            signature: Some(self.sig.id.clone()),
            test,
            message,
        });
    }

    fn error(&mut self, message: String) {
        self.push(Level::Error, None, message);
    }

    fn warning(&mut self, message: String) {
        self.push(Level::Warning, None, message);
    }

    /// Everything but the examples. Returns whether the signature compiles.
    fn static_checks(&mut self, by_id: &HashMap<&str, &Signature>, check_ids: &[&str]) -> bool {
        let sig = self.sig;
        if !SCHEMA_VERSIONS.contains(&sig.schema) {
            self.error(format!(
                "schema = {} (this analyzer reads {SCHEMA_VERSIONS:?})",
                sig.schema
            ));
        } else if sig.schema < 2
            && (sig.matching.uses_fields() || sig.tests.iter().any(|t| t.envelope.is_some()))
        {
            self.error(
                "message, error, envelopes and tests' envelope are schema 2: set schema = 2".into(),
            );
        }
        match sig.origin.stem() {
            Some(stem) if stem == sig.id => {}
            stem => self.error(format!(
                "id {:?} differs from the file name {:?}",
                sig.id,
                stem.unwrap_or("")
            )),
        }
        if !is_kebab(&sig.id) {
            self.warning(format!("id {:?} is not lowercase-kebab-case", sig.id));
        }
        for (field, value) in [
            ("title", &sig.title),
            ("report.summary", &sig.report.summary),
            ("report.remediation", &sig.report.remediation),
        ] {
            if value.trim().is_empty() {
                self.error(format!("{field} is empty"));
            }
        }
        if !taxonomy::is_category(&sig.category) {
            self.error(format!(
                "category {:?} is not in the taxonomy (TAXONOMY.md)",
                sig.category
            ));
        }
        if sig.description.trim().is_empty() {
            self.warning("description is empty".into());
        }
        if sig.references.is_empty() {
            self.warning("references is empty: say where the pattern comes from".into());
        }

        let mut compiles = true;
        if sig.scope.files.is_empty() {
            self.error(
                "scope.files is empty: only loose files would ever see this signature".into(),
            );
        }
        for g in &sig.scope.files {
            if let Err(e) = compile_glob(g) {
                self.error(format!("scope glob {g:?}: {}", e.kind()));
                compiles = false;
            }
        }
        compiles &= self.check_literals();
        let captures = self.check_regexes(&mut compiles);
        self.check_summary(&captures);
        self.check_links(by_id, check_ids);
        self.check_example_shapes(&captures);
        self.check_envelopes();
        compiles
    }

    /// Each claimed envelope exists and has a `match` example declaring it; each declared
    /// envelope is the one the line model reads in the example.
    fn check_envelopes(&mut self) {
        let sig = self.sig;
        for name in &sig.matching.envelopes {
            if Envelope::from_name(name).is_none() {
                self.error(format!(
                    "envelopes: {name:?} is not an envelope ({})",
                    envelope_names()
                ));
            } else if !sig
                .tests
                .iter()
                .any(|t| t.expect == Expect::Match && t.envelope.as_deref() == Some(name))
            {
                self.error(format!(
                    "envelopes: {name:?} is claimed but no `match` example declares envelope = {name:?}"
                ));
            }
        }
        for (i, t) in sig.tests.iter().enumerate() {
            let Some(name) = &t.envelope else { continue };
            let Some(want) = Envelope::from_name(name) else {
                self.push(
                    Level::Error,
                    Some(i),
                    format!(
                        "envelope {name:?} is not an envelope ({})",
                        envelope_names()
                    ),
                );
                continue;
            };
            let read = t
                .input
                .lines()
                .map(|l| line::parse(l.as_bytes(), Default::default()).envelope)
                .collect::<Vec<_>>();
            if !read.contains(&want) {
                let got: Vec<&str> = read.iter().map(|e| e.name()).collect();
                self.push(
                    Level::Error,
                    Some(i),
                    format!("declares envelope {name:?} but the line model reads {got:?}"),
                );
            }
            if t.expect == Expect::Match && !sig.matching.envelopes.contains(name) {
                self.push(
                    Level::Warning,
                    Some(i),
                    format!("a `match` example in envelope {name:?}, which match.envelopes does not claim"),
                );
            }
        }
    }

    fn check_literals(&mut self) -> bool {
        let sig = self.sig;
        if sig.matching.literals.is_empty() {
            self.error("match.literals is empty: the signature could never be a candidate".into());
        }
        let mut ok = true;
        for lit in &sig.matching.literals {
            if let Some(why) = literal_problem(lit) {
                self.error(format!("literal {lit:?} {why}"));
                ok = false;
            } else if is_common(lit) {
                self.warning(format!("literal {lit:?} is common in healthy logs: every such line becomes a candidate"));
            } else if lit.len() < MIN_LITERAL_LEN {
                self.warning(format!(
                    "literal {lit:?} is shorter than {MIN_LITERAL_LEN} bytes: a weak prefilter"
                ));
            }
        }
        ok
    }

    /// Compiles the regexes; returns the capture names of each regex.
    fn check_regexes(&mut self, compiles: &mut bool) -> Vec<BTreeSet<String>> {
        let sig = self.sig;
        let mut names = Vec::new();
        if sig.matching.regex.is_empty()
            && sig.matching.message.is_empty()
            && sig.matching.error.is_empty()
        {
            self.error("match.regex is empty (and no message or error field match)".into());
        }
        for (k, pattern) in sig.matching.error.iter().enumerate() {
            match regex::Regex::new(pattern) {
                Ok(re) => {
                    let mut set: BTreeSet<String> =
                        re.capture_names().flatten().map(str::to_string).collect();
                    set.extend(IMPLICIT.map(str::to_string));
                    names.push(set);
                }
                Err(e) => {
                    self.error(format!("error[{k}] {pattern:?}: {e}"));
                    *compiles = false;
                }
            }
        }
        if sig.matching.error.is_empty() && !sig.matching.message.is_empty() {
            // A message-only match captures what the line model gives: its source.
            names.push(IMPLICIT.map(str::to_string).into());
        }
        for (k, pattern) in sig.matching.regex.iter().enumerate() {
            match compile_regex(pattern) {
                Ok(re) => {
                    names.push(re.capture_names().flatten().map(str::to_string).collect());
                    if !self.exercised(&re, Expect::Match) {
                        self.warning(format!(
                            "regex[{k}] matches none of the `match` examples: it is untested"
                        ));
                    }
                }
                Err(e) => {
                    self.error(format!("regex[{k}] {pattern:?}: {e}"));
                    *compiles = false;
                }
            }
        }
        for (k, pattern) in sig.matching.not.iter().enumerate() {
            match compile_regex(pattern) {
                Ok(re) if !self.exercised(&re, Expect::NoMatch) => {
                    self.warning(format!(
                        "not[{k}] matches none of the `no_match` examples: it is untested"
                    ));
                }
                Ok(_) => {}
                Err(e) => {
                    self.error(format!("not[{k}] {pattern:?}: {e}"));
                    *compiles = false;
                }
            }
        }
        names
    }

    /// Whether `re` matches a line of some example expecting `expect` (coverage only: the
    /// verdicts come from the matcher in [`Checker::run_examples`]).
    fn exercised(&self, re: &regex::bytes::Regex, expect: Expect) -> bool {
        self.sig
            .tests
            .iter()
            .filter(|t| t.expect == expect)
            .any(|t| t.input.lines().any(|l| re.is_match(l.as_bytes())))
    }

    fn check_summary(&mut self, captures: &[BTreeSet<String>]) {
        for name in placeholders(&self.sig.report.summary) {
            let in_some = captures.iter().any(|c| c.contains(name));
            if !in_some && name != "path" {
                self.error(format!(
                    "summary placeholder {{{name}}} is neither a capture nor {{path}}"
                ));
            } else if in_some && !captures.iter().all(|c| c.contains(name)) {
                self.warning(format!("summary placeholder {{{name}}} is not captured by every regex: it may show as {{{name}}}"));
            }
        }
    }

    fn check_links(&mut self, by_id: &HashMap<&str, &Signature>, check_ids: &[&str]) {
        let sig = self.sig;
        for link in &sig.explained_by {
            let what = format!("explained_by {:?}", link.id);
            if link.id == sig.id {
                self.error(format!("{what}: a signature cannot explain itself"));
                continue;
            }
            match by_id.get(link.id.as_str()) {
                Some(target) => {
                    let names = capture_names(target);
                    for key in link.when.keys() {
                        if !names.contains(key) {
                            self.error(format!(
                                "{what}: `when` key {key:?} is not a capture of {}",
                                link.id
                            ));
                        }
                    }
                }
                None if check_ids.contains(&link.id.as_str()) => {}
                None if link.id == crate::correlate::ANY => {
                    if link.scope != super::LinkScope::Job {
                        self.error(format!(
                            "{what}: the wildcard only makes sense with scope = \"job\""
                        ));
                    }
                }
                None => self.error(format!(
                    "{what}: no signature or structured check has this id"
                )),
            }
            if let Some(Err(e)) = link.window() {
                self.error(format!("{what}: {e}"));
            }
        }
    }

    /// What can be said of the examples without running them.
    fn check_example_shapes(&mut self, captures: &[BTreeSet<String>]) {
        let sig = self.sig;
        if !sig.tests.iter().any(|t| t.expect == Expect::Match) {
            self.error("no `match` example: add a [[tests]] with expect = \"match\"".into());
        }
        if !sig.tests.iter().any(|t| t.expect == Expect::NoMatch) {
            self.error("no `no_match` example: add a [[tests]] with expect = \"no_match\"".into());
        }
        for (i, t) in sig.tests.iter().enumerate() {
            match t.expect {
                Expect::Match => {
                    if !sig
                        .matching
                        .literals
                        .iter()
                        .any(|l| t.input.contains(l.as_str()))
                    {
                        self.push(Level::Error, Some(i), "contains none of the literals: the prefilter would never show it to the regexes".into());
                    }
                    for key in t.captures.keys() {
                        if !captures.iter().any(|c| c.contains(key)) {
                            self.push(
                                Level::Error,
                                Some(i),
                                format!("capture {key:?} is not a named group of any regex"),
                            );
                        }
                    }
                }
                Expect::NoMatch if !t.captures.is_empty() => {
                    self.push(
                        Level::Error,
                        Some(i),
                        "a no_match example cannot list captures".into(),
                    );
                }
                Expect::NoMatch => {}
            }
        }
    }

    /// Runs the examples of signature `index` of `matcher`; returns how many ran.
    fn run_examples(&mut self, matcher: &Matcher, index: usize) -> usize {
        for (i, t) in self.sig.tests.iter().enumerate() {
            let got = matcher.match_line(index, t.input.as_bytes());
            match (t.expect, got) {
                (Expect::Match, None) => self.push(
                    Level::Error,
                    Some(i),
                    format!("expected a match, got none: {:?}", t.input),
                ),
                (Expect::NoMatch, Some(_)) => self.push(
                    Level::Error,
                    Some(i),
                    format!("expected no match, got one: {:?}", t.input),
                ),
                (Expect::Match, Some(caps)) => {
                    for (key, want) in &t.captures {
                        match caps.get(key) {
                            Some(got) if got == want => {}
                            got => self.push(
                                Level::Error,
                                Some(i),
                                format!("capture {key:?}: expected {want:?}, got {got:?}"),
                            ),
                        }
                    }
                }
                (Expect::NoMatch, None) => {}
            }
        }
        self.sig.tests.len()
    }
}

/// Every capture a signature's hits can carry: its regexes' and error regexes' named
/// groups, and `source` when it matches fields.
fn capture_names(sig: &Signature) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = sig
        .matching
        .regex
        .iter()
        .filter_map(|p| compile_regex(p).ok())
        .flat_map(|re| {
            re.capture_names()
                .flatten()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    for p in &sig.matching.error {
        if let Ok(re) = regex::Regex::new(p) {
            names.extend(re.capture_names().flatten().map(str::to_string));
        }
    }
    if !sig.matching.message.is_empty() || !sig.matching.error.is_empty() {
        names.extend(IMPLICIT.map(str::to_string));
    }
    names
}

fn envelope_names() -> String {
    Envelope::ALL
        .iter()
        .map(|e| e.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether a literal is, up to case and surrounding punctuation, one common word.
fn is_common(literal: &str) -> bool {
    let core = literal
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase();
    COMMON_WORDS
        .iter()
        .any(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()) == core)
}

#[cfg(test)]
mod tests;
