//! Rejoining JSON records a terminal wrapped. A lager or gorouter line copied from a
//! terminal into a ticket or a forum post often arrives cut at the terminal's width:
//!
//! ```text
//! router/3ff2…: stdout | {"log_level":3,"timestamp":1544004444.2,"message":"backend-endpoint-failed",
//! "data":{"route-endpoint":{"Addr":"100.106.226.34:61032","RouteService
//! Url":""},"error":"EOF"}}
//! ```
//!
//! No piece parses as JSON, so no signature sees the record. For loose inputs only (stdin, a
//! pasted file; never a file from a bundle, which no terminal touched), a line that opens a
//! JSON object it does not close is joined with the lines after it, byte for byte (a wrap
//! cuts anywhere, even inside a word), until the object closes.
//!
//! Bounded and conservative: only a line of at least [`MIN_WRAPPED`] bytes (a terminal's
//! width) can have been wrapped; a line that starts a record of its own (`{`, `[`, a `bosh
//! ssh` prefix) is never joined to the one before; a record is joined over at most
//! [`MAX_LINES`] lines and [`MAX_BYTES`] bytes. A joined record counts as one line, so the
//! line numbers after it are those of the rejoined text.

use std::io::{self, BufRead, BufReader, Read};

/// The shortest line taken for a wrapped one: narrower terminals are rare.
const MIN_WRAPPED: usize = 60;
/// The most lines one record is joined from.
const MAX_LINES: usize = 32;
/// The most bytes one joined record may hold.
const MAX_BYTES: usize = 64 << 10;

/// JSON nesting followed across the lines of one record.
#[derive(Debug, Default, Clone, Copy)]
struct Depth {
    open: u32,
    in_string: bool,
    escaped: bool,
}

impl Depth {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.open += 1,
                b'}' | b']' => self.open = self.open.saturating_sub(1),
                _ => {}
            }
        }
    }
}

/// A reader that hands over its input with wrapped JSON records rejoined.
pub(crate) struct Unwrap<R> {
    inner: BufReader<R>,
    /// The current line, read but not yet handed over.
    line: Vec<u8>,
    /// Handed over from `line` so far.
    at: usize,
    /// The record being joined: its nesting, how many lines and bytes it holds so far.
    record: Option<(Depth, usize, usize)>,
    /// The line after the current one, when it was read to decide on a join.
    next: Option<Vec<u8>>,
}

impl<R: Read> Unwrap<R> {
    pub(crate) fn new(inner: R) -> Unwrap<R> {
        Unwrap {
            inner: BufReader::with_capacity(64 << 10, inner),
            line: Vec::new(),
            at: 0,
            record: None,
            next: None,
        }
    }

    /// Reads one line (at most `MAX_BYTES`, the rest of a longer line comes as further
    /// "lines" that are never joined); empty at the end of the input.
    fn read_line(&mut self) -> io::Result<Vec<u8>> {
        if let Some(next) = self.next.take() {
            return Ok(next);
        }
        let mut line = Vec::new();
        (&mut self.inner)
            .take(MAX_BYTES as u64)
            .read_until(b'\n', &mut line)?;
        Ok(line)
    }

    /// Fills `line` with the next output line: an input line, or a record joined from
    /// several.
    fn fill(&mut self) -> io::Result<()> {
        self.line = self.read_line()?;
        self.at = 0;
        self.record = opens(&self.line).map(|d| (d, 1, self.line.len()));
        while let Some((mut depth, lines, bytes)) = self.record {
            if !self.line.ends_with(b"\n") {
                break; // end of input, or a line longer than MAX_BYTES
            }
            let next = self.read_line()?;
            let fits = lines < MAX_LINES && bytes + next.len() <= MAX_BYTES;
            if next.is_empty() || !fits || starts_record(&next) {
                self.next = (!next.is_empty()).then_some(next);
                break;
            }
            self.line.pop(); // the wrap's line end
            if self.line.ends_with(b"\r") {
                self.line.pop();
            }
            depth.feed(&next);
            self.line.extend_from_slice(&next);
            self.record = (depth.open > 0).then_some((depth, lines + 1, bytes + next.len()));
        }
        Ok(())
    }
}

/// The nesting after `line` when it opens a JSON object it does not close and is long
/// enough to have been wrapped.
fn opens(line: &[u8]) -> Option<Depth> {
    if line.len() < MIN_WRAPPED {
        return None;
    }
    let start = memchr::memmem::find(line, b"{\"")?;
    let mut depth = Depth::default();
    depth.feed(&line[start..]);
    (depth.open > 0).then_some(depth)
}

/// Whether `line` begins a record of its own (and so was not wrapped from the one before).
fn starts_record(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii_start();
    if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") || trimmed.starts_with(b"$ ") {
        return true;
    }
    bosh_ssh_prefix(&line[..line.len().min(160)])
}

/// Whether `head` starts with the prefix `bosh ssh -c` puts on every line it prints
/// (`router/3ff2487f-…: stdout | `): an instance name, a `/`, no space, then the stream.
fn bosh_ssh_prefix(head: &[u8]) -> bool {
    [&b": stdout | "[..], b": stderr | "].iter().any(|tag| {
        memchr::memmem::find(head, tag).is_some_and(|at| {
            let name = &head[..at];
            name.contains(&b'/') && !name.iter().any(|b| b.is_ascii_whitespace())
        })
    })
}

impl<R: Read> Read for Unwrap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.line.len() {
            self.fill()?;
        }
        let n = (self.line.len() - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.line[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unwrap(text: &str) -> String {
        let mut out = String::new();
        Unwrap::new(text.as_bytes())
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    // The record of cloudfoundry/routing-release#132 as posted there (wrapped by the
    // poster's terminal), shortened.
    const WRAPPED: &str = "router/3ff2487f-185a-497c-9805-1f77edb2ffea: stdout | {\"log_level\":3,\"timestamp\":1544004444.2359376,\"message\":\"backend-endpoint-failed\",\"source\":\"vcap.gorouter\",\n\"data\":{\"route-endpoint\":{\"Addr\":\"100.106.226.34:61032\",\"RouteService\nUrl\":\"\"},\"error\":\"EOF\",\"attempt\":1}}\n";

    #[test]
    fn a_wrapped_record_is_joined_byte_for_byte() {
        let out = unwrap(&format!("{WRAPPED}next line\n"));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].ends_with("\"RouteServiceUrl\":\"\"},\"error\":\"EOF\",\"attempt\":1}}"));
        assert_eq!(lines[1], "next line");
    }

    #[test]
    fn whole_records_short_lines_and_new_records_are_left_alone() {
        // Illustrative lines.
        let text = concat!(
            "{\"timestamp\":\"1\",\"source\":\"rep\",\"message\":\"rep.started\",\"log_level\":1,\"data\":{}}\n",
            "short {\"open\n",
            "not joined\n",
            "{\"timestamp\":\"1\",\"source\":\"rep\",\"message\":\"rep.wrapped-but-the-next-one-starts\",\n",
            "{\"timestamp\":\"2\",\"source\":\"rep\",\"message\":\"rep.started\",\"log_level\":1,\"data\":{}}\n",
            "no line end at the very end",
        );
        assert_eq!(unwrap(text), text);
    }

    #[test]
    fn a_bosh_ssh_line_starts_a_record() {
        assert!(starts_record(
            b"doppler_z1/0: stdout | Process 'doppler' running\n"
        ));
        assert!(!starts_record(b"\"data\":{\"route-endpoint\":1}}\n"));
        assert!(!starts_record(b"see log: stdout | x\n"));
    }

    #[test]
    fn a_record_that_never_closes_is_joined_only_so_far() {
        let mut text = String::from(
            "{\"message\":\"x\",\"data\":{\"a\":\"padding padding padding padding padding padding\",\n",
        );
        for _ in 0..100 {
            text.push_str("\"more\":1,\n");
        }
        let out = unwrap(&text);
        assert_eq!(out.len() + MAX_LINES - 1, text.len(), "{out}");
        assert_eq!(out.lines().count(), 100 - (MAX_LINES - 1) + 1);
    }
}
