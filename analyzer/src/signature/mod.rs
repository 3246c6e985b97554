//! The signature library: data, not code. One TOML file per signature
//! (`signatures/<component>/<id>.toml`, schema in `signatures/README.md`), embedded in the
//! binary at build time, optionally overlaid by `--signatures DIR`.
//!
//! - [`schema`]: the serde types of one file;
//! - [`load`]: reading the built-in library and a directory into a [`Library`];
//! - [`check`](mod@check): validating a library and running its embedded examples through the real
//!   [`crate::matcher::Matcher`];
//!
//! Matching itself lives in [`crate::matcher`]; this module never scans a log.

pub mod check;
pub mod load;
pub mod schema;

/// The ids of the structured checks, which `explained_by` may name like signature ids
/// (each check describes itself in its module; see [`crate::checks::REGISTRY`]).
pub use crate::checks::CHECK_IDS;
pub use check::{check, CheckReport, Level, Problem};
pub use load::{Library, LoadError};
pub use schema::{Example, Expect, ExplainedBy, LinkScope, Origin, Signature};
