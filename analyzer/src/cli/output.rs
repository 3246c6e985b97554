//! Where `vcap-analyze`'s output goes and how it is made safe there: reports to stdout or
//! `--output FILE`, passed through the terminal sanitiser ([`term::Sanitize`]) unless they
//! are JSON or coloured text (which escape their fields themselves); messages to stderr,
//! escaped, prefixed with the program's name.

use anyhow::{Context, Result};
use std::io::{self, Write};
use std::path::Path;

/// How a report reaches its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// JSON: its own escaping is lossless.
    Json,
    /// A renderer that escapes every field it prints from an input and writes colour
    /// codes of its own (the coloured text report).
    FieldsEscaped,
    /// Anything else: every control character escaped on the way out.
    Sanitize,
}

/// Writes what `f` renders to `path`, or to stdout when `None`. A file is created only
/// once there is something to write; a closed stdout surfaces as `BrokenPipe`.
pub fn write_out(
    path: Option<&Path>,
    safety: Safety,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        Some(p) => {
            let file = std::fs::File::create(p).with_context(|| {
                format!("cannot create {}", term::escape(&p.display().to_string()))
            })?;
            render(io::BufWriter::new(file), safety, f)
                .with_context(|| format!("cannot write {}", term::escape(&p.display().to_string())))
        }
        None => Ok(render(io::BufWriter::new(io::stdout().lock()), safety, f)?),
    }
}

fn render<W: Write>(
    out: W,
    safety: Safety,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match safety {
        Safety::Sanitize => {
            let mut out = term::Sanitize::new(out);
            f(&mut out)?;
            out.flush()
        }
        Safety::Json | Safety::FieldsEscaped => {
            let mut out = out;
            f(&mut out)?;
            out.flush()
        }
    }
}

/// `vcap-analyze: MESSAGE` on stderr, every control character in it escaped (messages name
/// files and archive entries, which come from the inputs).
pub fn error(message: &str) {
    eprintln!("vcap-analyze: {}", term::escape(message));
}
