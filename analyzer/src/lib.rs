//! `vcap-analyze`: reads diagnostics bundles (ours, `bosh logs` output, trees, loose logs) as
//! streams, matches the signature library and the structured checks, correlates findings
//! into root causes and renders a report.
//!
//! The pipeline, one module per phase, plain data between them:
//! [`input`] (archives/dirs -> entries, streamed) -> [`matcher`] (literal prefilter + regex
//! per candidate line) and [`checks`] (certificates, monit, disk...) -> [`finding`]s ->
//! [`correlate`] -> [`model`] (the report as plain data, at the bottom of the graph:
//! `checks` and `correlate` build it without knowing any renderer) -> [`report`] (one
//! renderer per format). [`engine`] runs the phases. [`line`](mod@line) parses one line of any
//! envelope into fields (time, level, source, message, error, data, VM) for the matcher and
//! checks.

pub mod checks;
pub mod cli;
pub mod correlate;
pub mod engine;
pub mod finding;
pub mod foreign;
pub mod input;
pub mod interrupt;
pub mod line;
pub mod matcher;
pub mod model;
pub mod report;
pub mod signature;
pub mod taxonomy;
pub mod timestamp;
pub mod unrecognised;
