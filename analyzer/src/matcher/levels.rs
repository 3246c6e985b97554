//! Level markers: literals that announce an error- or fatal-level line in the envelopes the
//! line model reads, added to the matcher's literal search so that such a line is looked at
//! even when no signature owns a literal in it. A marked line that no signature hits is
//! parsed once; if the line model says error or fatal, it goes to the unrecognised-error
//! miner ([`crate::unrecognised`]): nothing goes silent.
//!
//! The markers are a prefilter, not a judge: a marked line whose parsed level is below
//! error (a message that merely contains ` ERROR `) is dropped. They stay specific (a
//! lager level key with its value, a Ruby logger's severity letter with its bracket), so
//! the literal search keeps its speed on healthy logs.

use crate::line::Level;

/// The markers, by envelope (sources: lager's `log_level` numbers 2 error, 3 fatal and
/// `level` strings; gorouter's zap numbers 3 error, 4 fatal; steno's `log_level` strings;
/// Ruby's `Logger` format `E, [time #pid] ERROR -- prog:`; Spring Boot's `ERROR <pid> ---`
/// (CredHub, UAA); log4j/logback's `[thread] ERROR`; the bosh-agent logger's `ERROR - `;
/// logrus/zap text `level=error`; monit's `error    :`). Each is at least
/// `literals::MIN_LEN` bytes long, so the markers join the one
/// multi-literal pass instead of adding a pass of short literals over every chunk.
pub const MARKERS: &[&str] = &[
    r#""log_level":2,"#,
    r#""log_level":3,"#,
    r#""log_level":4,"#,
    r#""level":"error""#,
    r#""level":"fatal""#,
    r#""log_level":"error""#,
    r#""log_level":"fatal""#,
    " ERROR -- ",
    " FATAL -- ",
    " ERROR --- ",
    "] ERROR ",
    " ERROR - ",
    "[ERROR] ",
    "[FATAL] ",
    "level=error",
    "level=fatal",
    "level=panic",
    "] error    :",
];

/// Error-level lines kept per file for the miner (the miner bounds its templates; this
/// bounds what one file's scan holds before handing them over).
pub const MAX_PER_FILE: usize = 2000;

/// One error- or fatal-level line no signature hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLine {
    pub level: crate::unrecognised::Level,
    /// The text to cluster: the line model's message and error text, else the line.
    pub message: String,
    /// The line as read (lossy UTF-8, capped).
    pub example: String,
    /// The VM the line names (a `bosh ssh` prefix), when it names one.
    pub vm: Option<String>,
}

/// The miner's level of a parsed level, when it is error or worse.
pub fn as_error(level: Option<Level>) -> Option<crate::unrecognised::Level> {
    match level? {
        Level::Error => Some(crate::unrecognised::Level::Error),
        Level::Fatal => Some(crate::unrecognised::Level::Fatal),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_marker_joins_the_long_literal_pass() {
        for m in super::MARKERS {
            assert!(m.len() >= super::super::literals::MIN_LEN, "{m:?}");
        }
    }
}
