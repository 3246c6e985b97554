//! Regexes compiled on first use. The literal prefilter keeps most signatures from ever
//! seeing a candidate line, so compiling every regex of the library up front (about
//! 0.2 s for 400 signatures) would be start-up paid for nothing. [`Matcher::new`]
//! still proves every pattern's syntax at once (a cheap parse, no automaton), so a broken
//! signature is reported when the library loads, not when a line first reaches it.
//!
//! [`Matcher::new`]: super::Matcher::new

use std::fmt;
use std::sync::OnceLock;

/// One regex pattern and, once asked for, its compiled form. Shared across reading threads.
#[derive(Clone)]
pub(crate) struct LazyRegex<R> {
    pattern: String,
    build: fn(&str) -> Result<R, regex::Error>,
    compiled: OnceLock<Option<R>>,
}

impl<R> LazyRegex<R> {
    /// `pattern`, checked now (syntax), compiled by `build` on first use.
    pub(crate) fn new(
        pattern: &str,
        build: fn(&str) -> Result<R, regex::Error>,
    ) -> Result<Self, String> {
        regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
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
