//! `--format json`: the [`Report`] as documented in [`super::model`], pretty-printed.
//!
//! [`write()`] is the one JSON writer of every subcommand: serde_json escapes the C0
//! controls itself; this writer also escapes what JSON allows raw but a terminal would
//! obey or hide (C1 controls, bidi overrides, zero-width characters: see
//! [`term::is_unsafe`]) as `\uXXXX`, so `vcap-analyze ... --format json` is safe on a
//! terminal and still reads back to the same strings.

use super::model::Report;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write(report, out)
}

/// `value` as pretty JSON and a newline, terminal-safe (see the module docs).
pub fn write<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, Safe(PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::other)?;
    writeln!(out)
}

/// serde_json's pretty formatter, with the unsafe characters of strings escaped.
struct Safe<'a>(PrettyFormatter<'a>);

impl Formatter for Safe<'_> {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        let mut done = 0;
        for (i, c) in s.char_indices() {
            if term::is_unsafe(c) {
                w.write_all(&s.as_bytes()[done..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                done = i + c.len_utf8();
            }
        }
        w.write_all(&s.as_bytes()[done..])
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_terminal_safe_and_read_back_the_same() {
        // Illustrative hostile values.
        let v = vec!["a\u{9b}2J", "b\u{202e}c", "d\x1b]0;t\x07", "plain é"];
        let mut out = Vec::new();
        super::write(&v, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.chars().any(|c| term::is_unsafe(c) && c != '\n'),
            "{text}"
        );
        assert!(
            text.contains("a\\u009b2J") && text.contains("b\\u202ec"),
            "{text}"
        );
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
