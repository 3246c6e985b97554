//! Rendering a [`model::Report`]: one module per format. The renderers never read inputs
//! and never decide anything: they print what the model says.

pub mod fleet;
pub mod group;
pub mod html;
pub mod json;
pub mod markdown;
/// The report's data, at the bottom of the graph (`checks` and `correlate` build it);
/// re-exported here for the renderers and for users of `report::model`.
pub use crate::model;
pub mod read_back;
pub mod tables;
pub mod text;
pub mod timeline;
pub mod vm_result;

/// How root causes are ranked (`correlate`), said in the HTML and Markdown reports'
/// footers and in the README.
pub const RANKING: &str = "Ranking: root causes are ordered by how many symptoms they explain, \
then by how many VMs they touch (their own and their symptoms'), then by severity, then by \
how early they were first seen. A cause that explains more ranks above a more severe one \
that explains less: it is the better place to start. A symptom nothing the library knows \
explains (alone, or with the symptoms it explains) is listed after every real cause, as \
cause not found, with where to look.";

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text { color: bool },
    Json,
    Markdown,
    Html,
}

/// Renders `report` in `format`.
pub fn render(
    report: &model::Report,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Text { color } => text::render(report, out, color),
        Format::Json => json::render(report, out),
        Format::Markdown => markdown::render(report, out),
        Format::Html => html::render(report, out),
    }
}
