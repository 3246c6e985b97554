//! The TOML schema of one signature file (`signatures/<component>/<id>.toml`), versions 1
//! and 2, as `signatures/README.md` documents it. Schema 2 adds field matches over the
//! [`crate::line`] model (`[match] message`, `error`, `envelopes`, and `envelope` on
//! examples); every schema-1 file reads unchanged. These types only describe and parse a file;
//! [`super::check()`] validates what serde cannot (ids, regexes, links, examples) and
//! [`crate::matcher`] compiles them.
//!
//! Every table refuses unknown keys, so a typo (`literal =` for `literals =`) is an error
//! that names the file, not a silently ignored field.

use crate::finding::{Kind, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// The newest schema version this analyzer reads.
pub const SCHEMA_VERSION: u32 = 2;
/// Every schema version this analyzer reads.
pub const SCHEMA_VERSIONS: &[u32] = &[1, 2];

/// One signature: what to look for, where, what it means, what may explain it, and the
/// examples that prove it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Schema version of the file; one of [`SCHEMA_VERSIONS`].
    pub schema: u32,
    /// Unique id, equal to the file stem (`metron-no-dopplers`).
    pub id: String,
    /// One line for humans: what a user sees or what broke.
    pub title: String,
    /// One category of the taxonomy ([`crate::taxonomy::CATEGORIES`]).
    pub category: String,
    /// `symptom` (what users see) or `cause` (what explains it).
    pub kind: Kind,
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub severity: Severity,
    /// The release/job the message comes from (`loggregator/metron_agent`).
    #[serde(default)]
    pub component: String,
    /// What happened and why it matters, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// Where the pattern comes from: seeds, source files, issues.
    #[serde(default)]
    pub references: Vec<String>,
    /// Which files of a VM the signature applies to.
    pub scope: Scope,
    /// The literal prefilter and the regexes.
    #[serde(rename = "match")]
    pub matching: Match,
    /// How a finding of this signature reads in a report.
    pub report: ReportText,
    /// Candidate causes of this signature.
    #[serde(default)]
    pub explained_by: Vec<ExplainedBy>,
    /// Embedded examples: at least one `match` and one `no_match`.
    #[serde(default)]
    pub tests: Vec<Example>,
    /// Where this signature was loaded from (not part of the file).
    #[serde(skip)]
    pub origin: Origin,
}

/// `[scope]`: the files a signature applies to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Globs (globset syntax) over the path of a file inside the VM, without a leading `/`
    /// (`var/vcap/sys/log/rep/rep.stdout.log`). `*` and `?` do not cross `/`; `**` does.
    /// A loose log file or stdin sees every signature whatever its scope.
    pub files: Vec<String>,
}

/// `[match]`: how a line is recognised. A line is a hit when it contains a literal and then
/// matches a `regex`, or (schema 2) its fields match `message`/`error`; and matches no `not`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Case-sensitive literals; a line is a candidate only if it contains one of them.
    /// They decide the speed: specific, at least 8 bytes, never a bare `error`.
    pub literals: Vec<String>,
    /// Regexes (Rust `regex` syntax) run on candidate lines; any match is a hit. Named
    /// groups become captures. A line is given without its `\n` (and `\r`) and without a
    /// `bosh ssh -c` prefix. Required in schema 1; optional in schema 2 when `message` or
    /// `error` is given.
    #[serde(default)]
    pub regex: Vec<String>,
    /// A candidate line that matches any of these is not a hit (healthy look-alikes).
    #[serde(default)]
    pub not: Vec<String>,
    /// Schema 2: message names. A keyed line (lager, gorouter) matches when its key ends with
    /// a name at a `.` boundary (`task-processor.failed`); see [`crate::line::Line::key_ends_with`].
    #[serde(default)]
    pub message: Vec<String>,
    /// Schema 2: regexes over the line's error text (or, for envelopes whose message is
    /// text, its message); named groups become captures. See [`crate::line::Line::error_texts`].
    #[serde(default)]
    pub error: Vec<String>,
    /// Schema 2: the envelopes ([`crate::line::Envelope::name`]) this signature claims to
    /// fire in; `signatures check` wants a `match` example declaring each one.
    #[serde(default)]
    pub envelopes: Vec<String>,
}

impl Match {
    /// Whether any schema-2 field is used.
    pub fn uses_fields(&self) -> bool {
        !self.message.is_empty() || !self.error.is_empty() || !self.envelopes.is_empty()
    }
}

/// `[report]`: the text of a finding.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportText {
    /// One line; `{name}` is replaced by the capture `name` of the first hit, `{path}` by
    /// the file's path.
    pub summary: String,
    /// What an operator does about it.
    pub remediation: String,
}

/// How far from a symptom a cause may be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkScope {
    /// The same VM and the same job.
    Job,
    /// The same VM.
    Vm,
    /// Anywhere in the analysed fleet.
    Fleet,
}

impl LinkScope {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkScope::Job => "job",
            LinkScope::Vm => "vm",
            LinkScope::Fleet => "fleet",
        }
    }
}

/// `[[explained_by]]`: one candidate cause.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainedBy {
    /// A signature id or a structured check id.
    pub id: String,
    /// Where the cause must be relative to the symptom.
    pub scope: LinkScope,
    /// Optional: the cause appears at most this long after the symptom (`"24h"`,
    /// `"30m"`; jiff's friendly or ISO 8601 duration). See [`ExplainedBy::window`].
    #[serde(default)]
    pub window: Option<String>,
    /// Optional: the cause finding's captures must equal these.
    #[serde(default)]
    pub when: BTreeMap<String, String>,
    /// Why this cause explains the symptom, for the report.
    #[serde(default)]
    pub why: String,
}

impl ExplainedBy {
    /// The parsed `window`, `None` when absent; an unparsable window is an error of
    /// `signatures check`.
    pub fn window(&self) -> Option<Result<jiff::SignedDuration, String>> {
        self.window.as_deref().map(|w| {
            w.parse::<jiff::SignedDuration>()
                .map_err(|e| format!("window {w:?}: {e}"))
        })
    }
}

/// What an embedded example expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// The input must be a hit.
    Match,
    /// The input must not be a hit.
    NoMatch,
}

/// `[[tests]]`: one embedded example.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub expect: Expect,
    /// One log line (or several, separated by `\n`: then any line may be the hit).
    pub input: String,
    /// For `match`: captures the hit must have (others are not compared).
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
    /// Says when the line is illustrative rather than pasted from a real log.
    #[serde(default)]
    pub note: Option<String>,
    /// Schema 2: the envelope of the input ([`crate::line::Envelope::name`]); `signatures
    /// check` verifies the line model reads the input as that envelope.
    #[serde(default)]
    pub envelope: Option<String>,
}

/// Where a signature was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into the binary; the path is relative to `signatures/`.
    Builtin(String),
    /// Read from a `--signatures DIR` file.
    File(PathBuf),
}

impl Default for Origin {
    fn default() -> Self {
        Origin::Builtin(String::new())
    }
}

impl Origin {
    /// The file stem, which must equal the signature's id.
    pub fn stem(&self) -> Option<&str> {
        let p = match self {
            Origin::Builtin(p) => std::path::Path::new(p.as_str()),
            Origin::File(p) => p.as_path(),
        };
        p.file_stem().and_then(|s| s.to_str())
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin(p) => write!(f, "signatures/{p}"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Signature {
    /// Parses one file's text; `origin` is recorded on the result.
    pub fn from_toml(text: &str, origin: Origin) -> Result<Signature, toml::de::Error> {
        let mut sig: Signature = toml::from_str(text)?;
        sig.origin = origin;
        Ok(sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
schema = 1
id = "x-y"
title = "t"
category = "process_crash"
kind = "symptom"
severity = "high"
[scope]
files = ["var/vcap/sys/log/x/*.log"]
[match]
literals = ["something specific"]
regex = ['something specific']
[report]
summary = "s"
remediation = "r"
[[explained_by]]
id = "cert-expired"
scope = "fleet"
window = "24h"
when = { process = "doppler" }
[[tests]]
expect = "no_match"
input = "x"
"#;

    #[test]
    fn parses_minimal_file() {
        let s = Signature::from_toml(MINIMAL, Origin::Builtin("x/x-y.toml".into())).unwrap();
        assert_eq!(s.id, "x-y");
        assert_eq!(s.kind, Kind::Symptom);
        assert_eq!(s.severity, Severity::High);
        assert!(s.matching.not.is_empty());
        assert_eq!(s.explained_by[0].scope, LinkScope::Fleet);
        assert_eq!(
            s.explained_by[0].window().unwrap().unwrap(),
            jiff::SignedDuration::from_hours(24)
        );
        assert_eq!(s.tests[0].expect, Expect::NoMatch);
        assert_eq!(s.origin.stem(), Some("x-y"));
        assert_eq!(s.origin.to_string(), "signatures/x/x-y.toml");
    }

    #[test]
    fn rejects_unknown_keys_and_bad_enums() {
        let typo = MINIMAL.replace("literals =", "literal =");
        let e = Signature::from_toml(&typo, Origin::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("literal"), "{e}");
        let sev = MINIMAL.replace("\"high\"", "\"hgh\"");
        assert!(Signature::from_toml(&sev, Origin::default()).is_err());
        let kind = MINIMAL.replace("\"symptom\"", "\"effect\"");
        assert!(Signature::from_toml(&kind, Origin::default()).is_err());
        let scope = MINIMAL.replace("\"fleet\"", "\"planet\"");
        assert!(Signature::from_toml(&scope, Origin::default()).is_err());
    }
}
