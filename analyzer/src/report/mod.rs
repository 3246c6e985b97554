//! Rendering a [`model::Report`]: one module per format. The renderers never read inputs
//! and never decide anything: they print what the model says.

pub mod group;
pub mod html;
pub mod json;
pub mod markdown;
pub mod model;
pub mod read_back;
pub mod text;
pub mod timeline;
pub mod vm_result;

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
