//! `--color auto|always|never`, decided as ripgrep and fd decide it.
//!
//! `auto` (the default) colours a terminal only, and not when `NO_COLOR` is set (any
//! value), `CLICOLOR=0`, or `TERM=dumb`; `CLICOLOR_FORCE` (any value but `0`) colours even
//! a pipe. `always` and `never` override every variable. A report written to a file
//! (`--output FILE`) is coloured only with `always`. The rules are `anstream`'s, so they
//! match clap's own help output.

use std::io::IsTerminal;

/// The value of `--color`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb say otherwise
    /// (CLICOLOR_FORCE colours a pipe too).
    #[default]
    Auto,
    /// Always colour, even a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether output written to standard output is coloured.
    pub fn stdout(self) -> bool {
        self.stream(&std::io::stdout())
    }

    /// Whether output written to standard error is coloured.
    pub fn stderr(self) -> bool {
        self.stream(&std::io::stderr())
    }

    /// Whether output written to a file is coloured: only when asked for.
    pub fn file(self) -> bool {
        self == ColorChoice::Always
    }

    fn stream<S: anstream::stream::RawStream + IsTerminal>(self, s: &S) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => anstream::AutoStream::choice(s) != anstream::ColorChoice::Never,
        }
    }
}
