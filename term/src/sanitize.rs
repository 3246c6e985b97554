//! [`Sanitize`]: a writer that escapes a whole stream for a terminal.

use crate::escape::{is_unsafe, push};
use std::io::{self, Write};

/// Writes through to `W` with every unsafe character escaped as [`escape`](crate::escape)
/// does, except newlines, which the renderer above writes to break its own lines. A
/// UTF-8 sequence split across two writes is held until it is whole; invalid UTF-8 is
/// shown as U+FFFD.
pub struct Sanitize<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Sanitize<W> {
    pub fn new(inner: W) -> Self {
        Sanitize {
            inner,
            pending: Vec::new(),
        }
    }

    /// The writer underneath (after [`flush`](Write::flush), nothing is held back but an
    /// incomplete UTF-8 sequence).
    pub fn into_inner(self) -> W {
        self.inner
    }

    fn emit(&mut self, text: &str) -> io::Result<()> {
        if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
            return self.inner.write_all(text.as_bytes());
        }
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c == '\n' {
                out.push(c);
            } else {
                push(&mut out, c);
            }
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: Write> Write for Sanitize<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let mut rest = &bytes[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.emit(s)?;
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.emit(std::str::from_utf8(good).unwrap_or_default())?;
                    match e.error_len() {
                        None => {
                            // An incomplete sequence at the end: wait for the rest.
                            self.pending = bad.to_vec();
                            break;
                        }
                        Some(n) => {
                            self.emit("\u{FFFD}")?;
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.pending.clear();
            self.emit("\u{FFFD}")?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> String {
        let mut w = Sanitize::new(Vec::new());
        for c in chunks {
            w.write_all(c).unwrap();
        }
        w.flush().unwrap();
        String::from_utf8(w.into_inner()).unwrap()
    }

    #[test]
    fn keeps_lines_and_escapes_controls() {
        // Illustrative hostile report lines.
        assert_eq!(
            through(&[b"a\x1b]0;x\x07\n", b"b\r\tc\n"]),
            "a^[]0;x^G\nb^M\tc\n"
        );
    }

    #[test]
    fn a_character_split_across_writes_is_judged_whole() {
        let rlo = "\u{202e}".as_bytes();
        let c1 = "\u{9b}".as_bytes();
        assert_eq!(
            through(&[
                b"x",
                &rlo[..1],
                &rlo[1..],
                &c1[..1],
                &c1[1..],
                "é".as_bytes()
            ]),
            "x\\u{202e}\\u{9b}é"
        );
        assert_eq!(through(&[b"ok\xff!", &rlo[..2]]), "ok\u{FFFD}!\u{FFFD}");
    }
}
