//! What `vcap-collect` and `vcap-analyze` send to a terminal.
//!
//! Log lines, file names and archive entry names come from the VMs under diagnosis and
//! must be treated as hostile: an escape sequence in a log line can move the cursor,
//! rewrite what an operator reads, or set the window title. Every text output goes through
//! this crate:
//! - [`escape`] for one field (a path, an excerpt, a VM name): every control character,
//!   newline included, shown as `cat -v` would (`^[`, `^M`), C1 controls and the invisible
//!   Unicode format characters (bidi overrides, zero-width) as `\u{..}`;
//! - [`Sanitize`], a writer that does the same to a whole stream, keeping its newlines
//!   and tabs (for outputs whose lines the renderer itself breaks);
//! - [`color`], the `--color auto|always|never` decision by the usual conventions
//!   (`NO_COLOR`, `CLICOLOR_FORCE`, `TERM=dumb`).
//!
//! Not for: JSON (its own escaping is lossless) or HTML markup (see the analyzer's
//! `report::html::escape`).

pub mod color;
mod escape;
mod sanitize;

pub use color::ColorChoice;
pub use escape::{escape, is_unsafe};
pub use sanitize::Sanitize;
