//! The signature library: data, not code. One TOML file per signature
//! (`signatures/<component>/<id>.toml`, schema in `signatures/README.md`), embedded in the
//! binary at build time, optionally overlaid by `--signatures DIR`.
//!
//! - [`schema`]: the serde types of one file;
//! - [`load`]: reading the built-in library and a directory into a [`Library`];
//! - [`check`]: validating a library and running its embedded examples through the real
//!   [`crate::matcher::Matcher`];
//! - [`check_ids`]: the ids of structured checks that `explained_by` may name.
//!
//! Matching itself lives in [`crate::matcher`]; this module never scans a log.

pub mod check;
pub mod check_ids;
pub mod load;
pub mod schema;

pub use check::{check, CheckReport, Level, Problem};
pub use check_ids::CHECK_IDS;
pub use load::{Library, LoadError};
pub use schema::{Example, Expect, ExplainedBy, LinkScope, Origin, Signature};
