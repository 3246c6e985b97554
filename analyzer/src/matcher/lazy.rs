//! Regexes compiled on first use. The literal prefilter keeps most signatures from ever
//! seeing a candidate line, so compiling every regex of the library up front (about
//! 0.2 s for 400 signatures) would be start-up paid for nothing. [`Matcher::new`]
//! still proves the syntax of every pattern from a user's `--signatures DIR` at once (a
//! parse, no automaton), so a broken signature is reported when the library loads, not
//! when a line first reaches it. The built-in library's patterns are proven by its tests
//! (`signatures check` compiles every one; `analyzer/tests/signatures.rs`) and are not
//! parsed again at each start: that parse was 16 ms of start-up.
//!
//! [`Matcher::new`]: super::Matcher::new

use std::fmt;
use std::sync::OnceLock;

/// Whether a pattern's syntax is proven when the matcher is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// A user's pattern: parsed now, an error names it.
    Check,
    /// A built-in pattern, proven by the library's tests.
    Trusted,
}

/// One regex pattern and, once asked for, its compiled form. Shared across reading threads.
#[derive(Clone)]
pub(crate) struct LazyRegex<R> {
    pattern: String,
    build: fn(&str) -> Result<R, regex::Error>,
    compiled: OnceLock<Option<R>>,
}

impl LazyRegex<regex::bytes::Regex> {
    /// A pattern over raw line bytes (a signature's `regex` and `not`), built as
    /// [`super::compile_regex`] builds it.
    pub(crate) fn bytes(pattern: &str, syntax: Syntax) -> Result<Self, String> {
        // `regex::bytes` may match invalid UTF-8 (`(?-u:\xFF)`): so may its syntax check.
        Self::new(pattern, syntax, false, super::compile_regex)
    }
}

impl LazyRegex<regex::Regex> {
    /// A pattern over text (a schema-2 signature's `error`).
    pub(crate) fn text(pattern: &str, syntax: Syntax) -> Result<Self, String> {
        Self::new(pattern, syntax, true, regex::Regex::new)
    }
}

impl<R> LazyRegex<R> {
    /// `pattern`, its syntax checked now (unless trusted) as the regex kind parses it
    /// (`utf8`: whether it must match valid UTF-8 only), compiled by `build` on first use.
    fn new(
        pattern: &str,
        syntax: Syntax,
        utf8: bool,
        build: fn(&str) -> Result<R, regex::Error>,
    ) -> Result<Self, String> {
        if syntax == Syntax::Check {
            regex_syntax::ParserBuilder::new()
                .utf8(utf8)
                .build()
                .parse(pattern)
                .map_err(|e| e.to_string())?;
        }
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            build,
            compiled: OnceLock::new(),
        })
    }

    /// The compiled regex. `None` only when a pattern that parsed cannot be compiled (it
    /// exceeds the regex crate's size limit): it then matches nothing, as `signatures check`
    /// shows by its failing examples.
    pub(crate) fn get(&self) -> Option<&R> {
        self.compiled
            .get_or_init(|| (self.build)(&self.pattern).ok())
            .as_ref()
    }
}

impl<R> fmt::Debug for LazyRegex<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyRegex").field(&self.pattern).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{LazyRegex, Syntax};

    #[test]
    fn syntax_is_checked_as_the_regex_kind_reads_it() {
        // a raw-byte class: valid for a line's bytes, not for text
        let raw = LazyRegex::bytes(r"(?-u:\xFF)", Syntax::Check)
            .expect("bytes regexes may match any byte");
        assert!(raw.get().is_some_and(|r| r.is_match(b"a\xFFb")));
        assert!(LazyRegex::text(r"(?-u:\xFF)", Syntax::Check).is_err());
        assert!(LazyRegex::bytes("(unclosed", Syntax::Check).is_err());
        // A trusted pattern is not parsed up front; if it is broken after all, it
        // matches nothing rather than failing a run.
        let broken = LazyRegex::bytes("(unclosed", Syntax::Trusted).unwrap();
        assert!(broken.get().is_none());
    }
}
