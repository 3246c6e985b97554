//! Copying a whole file through a [`RedactStream`](super::RedactStream) with bounded
//! memory: lines longer than `max_line` are fed in pieces, never buffered whole.
//!
//! While no multi-line construct is open, whole runs of lines before the next trigger
//! word are found with one prefilter pass over the buffer and copied unchanged, so clean
//! log text costs one folded literal search and a copy.
//!
//! A piece is cut on a UTF-8 character boundary (so a replacement never splits a
//! character) and, when there is one near the end, just after white space or a comma
//! (so a value is rarely cut in two; when it is, the stream carries it over).

use super::prefilter::fold;
use super::{FileKind, RedactStats, Redactor};
use std::io::{self, Read, Write};

/// The smallest piece: below this, a key and its value would rarely fit in one.
pub(crate) const MIN_PIECE: usize = 256;
const IO_CHUNK: usize = 64 * 1024;

pub(crate) fn redact_reader<R: Read, W: Write>(
    r: &Redactor,
    kind: FileKind,
    mut input: R,
    mut output: W,
    max_line: usize,
) -> io::Result<RedactStats> {
    let max_line = max_line.max(MIN_PIECE);
    let mut stream = r.stream_as(kind);
    let mut buf = vec![0u8; (max_line + 1).max(IO_CHUNK)];
    let (mut start, mut filled, mut eof) = (0usize, 0usize, false);
    let mut out = Vec::with_capacity(IO_CHUNK * 2);
    // `folded[i]` is `buf[i]` folded for the prefilter, kept in step with `buf`.
    let mut folded = vec![0u8; buf.len()];
    // The last trigger search: how far it looked (absolute in `buf`) and what it found.
    // Searching again from every line would rescan the rest of the buffer once per line
    // (quadratic when lines reach the slow path one after another).
    let mut trigger_seen: Option<(usize, Option<usize>)> = None;
    let mut scratch = Vec::new();
    loop {
        loop {
            let avail = &buf[start..filled];
            // Fast path: complete lines before the first trigger are copied in one go.
            if stream.is_idle() {
                if let Some(last_nl) = memchr::memrchr(b'\n', avail) {
                    let region = &avail[..=last_nl];
                    // Up to the first trigger word or the first token the entropy rule
                    // would look at, whichever comes first.
                    let end = start + last_nl + 1;
                    let trigger = match trigger_seen {
                        Some((_, Some(t))) if t >= start && t < end => Some(t - start),
                        Some((seen, None)) if seen == end => None,
                        _ => {
                            let t = r.prefilter.first_trigger(&folded[start..end]);
                            trigger_seen = Some((end, t.map(|t| t + start)));
                            t
                        }
                    };
                    // (only up to the trigger: the lines after it are judged on a later turn)
                    let upto = trigger.unwrap_or(region.len());
                    let candidate =
                        super::logline::first_candidate_to_judge(&region[..upto], &mut scratch);
                    let clean = match trigger.into_iter().chain(candidate).min() {
                        None => region.len(),
                        Some(at) => memchr::memrchr(b'\n', &region[..at]).map_or(0, |i| i + 1),
                    };
                    if clean > 0 {
                        out.extend_from_slice(&region[..clean]);
                        start += clean;
                        if out.len() >= IO_CHUNK {
                            output.write_all(&out)?;
                            out.clear();
                        }
                        continue;
                    }
                }
            }
            let avail = &buf[start..filled];
            let take = match memchr::memchr(b'\n', avail) {
                Some(nl) if nl <= max_line => nl + 1,
                Some(_) => piece_cut(avail, max_line),
                None if avail.len() > max_line => piece_cut(avail, max_line),
                None if eof && !avail.is_empty() => avail.len(),
                None => break,
            };
            stream.line(&avail[..take], &mut out);
            start += take;
            if out.len() >= IO_CHUNK {
                output.write_all(&out)?;
                out.clear();
            }
        }
        if eof {
            break;
        }
        trigger_seen = None;
        buf.copy_within(start..filled, 0);
        folded.copy_within(start..filled, 0);
        filled -= start;
        start = 0;
        let n = loop {
            match input.read(&mut buf[filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            eof = true;
        } else {
            fold(&buf[filled..filled + n], &mut folded[filled..filled + n]);
            filled += n;
        }
    }
    output.write_all(&out)?;
    output.flush()?;
    Ok(stream.stats().clone())
}

/// Where to cut `avail` (longer than `max`) into a piece of at most `max` bytes.
fn piece_cut(avail: &[u8], max: usize) -> usize {
    let mut cut = max;
    while cut > max - 4 && cut > 0 && (avail[cut] & 0xC0) == 0x80 {
        cut -= 1; // not inside a UTF-8 sequence (at most 3 continuation bytes)
    }
    let window = (cut / 4).min(1024);
    match avail[cut - window..cut]
        .iter()
        .rposition(|&b| b == b' ' || b == b',' || b == b'\t')
    {
        Some(i) => cut - window + i + 1,
        None => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_a_separator_and_never_inside_a_character() {
        let mut s = "a".repeat(300).into_bytes();
        s.extend_from_slice("é".as_bytes()); // bytes 300..302
        s.extend_from_slice(&[b'b'; 100]);
        assert_eq!(piece_cut(&s, 301), 300);
        let mut t = "x".repeat(250).into_bytes();
        t.push(b' ');
        t.extend_from_slice(&[b'y'; 100]);
        assert_eq!(piece_cut(&t, 300), 251);
    }

    proptest::proptest! {
        /// The fast path (runs of lines copied whole, lines whose candidates the rules
        /// keep passed over) gives what the stream gives line by line.
        #[test]
        fn fast_path_matches_the_stream_line_by_line(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    // Illustrative lines: ids the rules keep, and secrets they do not.
                    r#"app.example.com - "GET / HTTP/1.1" 200 x_b3_traceid:"a230f8a81757add2" x_b3_spanid:"a230f8a81757add2""#,
                    r#"{"timestamp":"1795000092.02","source":"rep","data":{"session":"8.454.1.1"}}"#,
                    "token issued Xk3j9qLmP0aZ2bNc8dVe7 ok",
                    "cmd=2F7573722F62696E2F6375726C202D75206A646F653A533363726574",
                    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "url='http://127.0.0.1:2822/_status2?format=xml' body=''",
                    "password: hunter2-secret",
                    "plain words only",
                    "\\nMIIEpAIBAAKCAQEAx7Kq9ZfakefakeAbCdEf0123456789",
                ]),
                0..60,
            ),
            cut in 256usize..2048,
        ) {
            let text = lines.join("\n");
            let r = Redactor::new();
            let (want, want_stats) = r.redact_bytes(text.as_bytes());
            let mut got = Vec::new();
            let stats = redact_reader(&r, FileKind::Text, text.as_bytes(), &mut got, cut).unwrap();
            proptest::prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
            proptest::prop_assert_eq!(stats, want_stats);
        }
    }

    #[test]
    fn reader_output_matches_input_without_secrets() {
        let text = "line one\n\nlast line without newline";
        let mut out = Vec::new();
        let stats = redact_reader(
            &Redactor::new(),
            FileKind::Text,
            text.as_bytes(),
            &mut out,
            1024,
        )
        .unwrap();
        assert_eq!(out, text.as_bytes());
        assert_eq!(stats.redactions, 0);
    }
}
