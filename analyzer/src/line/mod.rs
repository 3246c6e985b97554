//! The line model: one line of any text an operator has (a VM's log, a pasted terminal, a
//! director task log) parsed once into the same fields, whatever its envelope. Signatures
//! match these fields ([`crate::matcher`]), so the same fact fires in a lager line, a `cf
//! logs` stream, a Cloud Controller error body or a `bosh deploy` task.
//!
//! [`parse`] first takes off what says which VM a line belongs to (a `bosh ssh -c` prefix
//! `<group>/<id>: stdout | `, see [`prefix`]), then recognises the envelope of the rest, one
//! parser file per family:
//!
//! | file | envelopes |
//! | --- | --- |
//! | [`json`] | `lager` (float epoch + numeric `log_level`), `lager-rfc3339` (RFC 3339 + `level`), `steno` (DEA-era, Cloud Controller, early router and metron: string `log_level`), `gorouter` (zap JSON: key-like `message`, no source prefix), `bosh-event` (director task event log), `api-error` (CC v2/v3, UAA and CredHub error bodies), `json` (any other JSON log) |
//! | [`stream`] | `cf-logs`: app log streams as `cf logs`/`cf push` print them (`[CELL/0] ERR ...`) |
//! | [`cli`] | `cf-cli` (`FAILED`, `Server error, status code: ...`), `bosh-cli` (`Task 147 \| 06:39:49 \| Error: ...`, `L Error:`, v1 `Failed updating ...`), `bosh-table` (`bosh instances`/`bosh vms` rows) |
//! | [`logger`] | `ruby-logger` (director, CC, health monitor), `java-logger` (UAA, CredHub, Spring), `go-log` (Go `log`), `bosh-agent` (svlogd-prefixed agent lines) |
//! | [`system`] | `syslog` (RFC 3164/5424), `monit` (monit.log), `kernel` (kern.log, dmesg) |
//!
//! A line no parser claims is `plain`: its whole text is the message. Parsing never fails and
//! never panics, on any bytes; it allocates, so the matcher parses only candidate lines.
//!
//! Not here: splitting a stream into lines (`input`), deciding what a file is (`input`),
//! structured facts that span lines (`checks`).

pub mod cli;
pub mod json;
pub mod logger;
pub mod prefix;
pub mod stream;
pub mod system;

use crate::timestamp::{self, YearHint};
use jiff::Timestamp;
use serde_json::{Map, Value};

/// The envelope a line arrived in. [`Envelope::name`] is the name signature files use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Envelope {
    Lager,
    LagerRfc3339,
    Steno,
    Gorouter,
    Json,
    ApiError,
    BoshEvent,
    CfLogs,
    CfCli,
    BoshCli,
    BoshTable,
    RubyLogger,
    JavaLogger,
    GoLog,
    BoshAgent,
    Syslog,
    Monit,
    Kernel,
    #[default]
    Plain,
}

impl Envelope {
    /// Every envelope, in the order of [`Envelope::name`]'s documentation.
    pub const ALL: &'static [Envelope] = &[
        Envelope::Lager,
        Envelope::LagerRfc3339,
        Envelope::Steno,
        Envelope::Gorouter,
        Envelope::Json,
        Envelope::ApiError,
        Envelope::BoshEvent,
        Envelope::CfLogs,
        Envelope::CfCli,
        Envelope::BoshCli,
        Envelope::BoshTable,
        Envelope::RubyLogger,
        Envelope::JavaLogger,
        Envelope::GoLog,
        Envelope::BoshAgent,
        Envelope::Syslog,
        Envelope::Monit,
        Envelope::Kernel,
        Envelope::Plain,
    ];

    /// The name used in signature files (`envelopes = ["lager", "cf-logs"]`).
    pub fn name(self) -> &'static str {
        match self {
            Envelope::Lager => "lager",
            Envelope::LagerRfc3339 => "lager-rfc3339",
            Envelope::Steno => "steno",
            Envelope::Gorouter => "gorouter",
            Envelope::Json => "json",
            Envelope::ApiError => "api-error",
            Envelope::BoshEvent => "bosh-event",
            Envelope::CfLogs => "cf-logs",
            Envelope::CfCli => "cf-cli",
            Envelope::BoshCli => "bosh-cli",
            Envelope::BoshTable => "bosh-table",
            Envelope::RubyLogger => "ruby-logger",
            Envelope::JavaLogger => "java-logger",
            Envelope::GoLog => "go-log",
            Envelope::BoshAgent => "bosh-agent",
            Envelope::Syslog => "syslog",
            Envelope::Monit => "monit",
            Envelope::Kernel => "kernel",
            Envelope::Plain => "plain",
        }
    }

    /// The envelope called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Envelope> {
        Envelope::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// Whether the message of this envelope is a key (a lager `source.session.action`, a
    /// gorouter event name) rather than text written for people.
    pub fn keyed(self) -> bool {
        matches!(
            self,
            Envelope::Lager | Envelope::LagerRfc3339 | Envelope::Gorouter
        )
    }
}

/// A line's severity, normalised across envelopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    /// A level word as loggers print it (`ERROR`, `err`, `warning`, `E`...), any case.
    pub fn from_word(word: &str) -> Option<Level> {
        let w = word.trim().to_ascii_lowercase();
        Some(match w.as_str() {
            "trace" | "debug" | "debug1" | "debug2" | "d" => Level::Debug,
            "info" | "information" | "notice" | "i" | "out" => Level::Info,
            "warn" | "warning" | "w" => Level::Warn,
            "error" | "err" | "e" | "failed" => Level::Error,
            "fatal" | "critical" | "crit" | "panic" | "alert" | "emerg" | "f" => Level::Fatal,
            _ => return None,
        })
    }
}

/// One line, parsed. Everything but `envelope` is optional: a field is set only when the
/// envelope carries it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub envelope: Envelope,
    /// The line's own time (see [`crate::timestamp`]), or the envelope's (`"time"` of a
    /// task event).
    pub time: Option<Timestamp>,
    pub level: Option<Level>,
    /// Who wrote it: a lager `source`, a `cf logs` tag (`CELL/0`), a Java logger, a syslog
    /// program, a bosh-agent component.
    pub source: Option<String>,
    /// The message: a lager key (`rep.executing-container-operation.task-processor.failed`),
    /// a logger's text, a stream line's text, a task's stage text.
    pub message: Option<String>,
    /// The error text when the envelope keeps it apart: lager `data.error`, an API error's
    /// `description`, a CLI's `message:`, a task's `Error: ...`.
    pub error: Option<String>,
    /// Structured data (lager `data`, the whole object of other JSON).
    pub data: Option<Map<String, Value>>,
    /// The VM the line belongs to when the text says so (a `bosh ssh -c` prefix, an instance
    /// named by a task or a `bosh instances` row).
    pub vm: Option<String>,
}

impl Line {
    fn new(envelope: Envelope) -> Line {
        Line {
            envelope,
            ..Line::default()
        }
    }

    /// The texts an `error` field match of a signature looks at, best first: the error
    /// text, then (for envelopes whose message is text, not a key) the message.
    pub fn error_texts(&self) -> impl Iterator<Item = &str> {
        let message = (!self.envelope.keyed())
            .then_some(self.message.as_deref())
            .flatten();
        self.error.as_deref().into_iter().chain(message)
    }

    /// Whether the message is a key whose last dot-separated segments are `name`
    /// (`task-processor.failed` names `rep.executing-container-operation.task-processor.failed`
    /// and `rep.task-processor.failed`). Only keyed envelopes have keys.
    pub fn key_ends_with(&self, name: &str) -> bool {
        if !self.envelope.keyed() || name.is_empty() {
            return false;
        }
        let Some(key) = self.message.as_deref() else {
            return false;
        };
        key == name
            || (key.len() > name.len()
                && key.ends_with(name)
                && key.as_bytes()[key.len() - name.len() - 1] == b'.')
    }
}

/// Parses one line (without its line end). `hint` gives the year of timestamps that lack
/// one (syslog, monit).
pub fn parse(raw: &[u8], hint: YearHint) -> Line {
    let (vm, body) = prefix::split_vm(raw);
    let mut line = parse_body(body, hint);
    if let Some(vm) = vm {
        line.vm = Some(vm.to_string());
    }
    if line.time.is_none() {
        line.time = timestamp::parse_line(body, hint);
    }
    line
}

/// The VM a line (without a `bosh ssh` prefix) names in its own text: an instance of a
/// `bosh` task line or task event, a `bosh instances`/`bosh vms` row. Cheaper than
/// [`parse`]: only those envelopes are tried.
pub fn named_vm(body: &[u8]) -> Option<String> {
    let start = body
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let t = &body[start..];
    // A cheap look at the first bytes: ordinary log lines (lager JSON, timestamps) are
    // none of these envelopes and cost nothing more.
    let head = &t[..t.len().min(64)];
    let first_token_has_slash = head
        .iter()
        .take_while(|b| !b.is_ascii_whitespace())
        .any(|b| *b == b'/');
    let maybe = match t.first()? {
        b'{' => t.starts_with(b"{\"time\""),
        b'0'..=b'9' => t.get(2) == Some(&b':') && t.get(5) == Some(&b':'),
        b'~' => true,
        b'A'..=b'Z' | b'a'..=b'z' => {
            [&b"Task "[..], b"L Error", b"Failed ", b"Error ", b"Done "]
                .iter()
                .any(|p| t.starts_with(p))
                || first_token_has_slash
        }
        _ => false,
    };
    if !maybe {
        return None;
    }
    let text = String::from_utf8_lossy(t);
    if text.starts_with("{\"time\"") {
        return json::parse(&text, YearHint::default())?.vm;
    }
    cli::parse(&text, YearHint::default())
        .or_else(|| cli::parse_row(&text, YearHint::default()))?
        .vm
}

/// The envelope of `body` (a line without VM prefix).
fn parse_body(body: &[u8], hint: YearHint) -> Line {
    let text = String::from_utf8_lossy(body);
    let t = text.trim_start();
    let parsers: [fn(&str, YearHint) -> Option<Line>; 6] = [
        json::parse,
        stream::parse,
        cli::parse,
        logger::parse,
        system::parse,
        cli::parse_row,
    ];
    parsers
        .iter()
        .find_map(|p| p(t, hint))
        .unwrap_or_else(|| Line {
            message: Some(t.trim_end().to_string()).filter(|m| !m.is_empty()),
            ..Line::new(Envelope::Plain)
        })
}

/// `Some(s)` when `s` (trimmed) is not empty.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests;
