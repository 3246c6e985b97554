//! Splitting a stream into lines: the one place it is done, with one length policy, for the
//! matcher, the checks' line readers and `scan-secrets`.
//!
//! The policy: a stream is read through a buffer of [`BUFFER`] bytes (1 MiB) and handed over
//! in [`Block`]s that end at a line end, so a block holds whole lines; a block is handed
//! over once it holds 256 KiB and a line end (still in the core's cache when the matcher
//! reads it: 7% less CPU than full 1 MiB blocks on `bench/analyze.sh`'s trees), the buffer
//! filling further only for a longer line. A line longer than the
//! buffer is never held whole: it is handed over in pieces of the buffer's size, each piece
//! after the first starting with the last [`OVERLAP`] bytes of the piece before it, so that a
//! literal across a piece boundary is still whole in one piece. Every piece of a line has
//! the line's number.
//!
//! Two views of the same blocks:
//! - [`Splitter::blocks`]: runs of whole lines, for the matcher (one literal search per block
//!   is what makes it fast).
//! - [`Lines`] / [`for_each_line`]: one [`Line`] at a time, with its number and whether it
//!   is whole or a [`Piece`]; a consumer that keeps state across pieces (the redaction
//!   stream) reads [`Line::fresh`], the bytes not seen in the piece before.
//!
//! What it is not: it does not parse what a line says (time, level, message).

use memchr::{memchr, memrchr};
use std::cell::RefCell;
use std::io::{self, Read};

/// Bytes of the buffer a stream is read through: the longest line handed over whole.
pub const BUFFER: usize = 1 << 20;
/// Bytes read before a block is handed over (when they hold a line end).
const BLOCK: usize = 256 << 10;
/// Bytes of a long line's piece repeated at the start of the next piece.
pub const OVERLAP: usize = 4 << 10;

/// A run of a stream: whole lines, or a piece of a line longer than the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block<'a> {
    /// The bytes, line ends included. A block ends at a line end unless it is `cut` or the
    /// stream ends without one.
    pub bytes: &'a [u8],
    /// How many of the first bytes repeat the end of the block before (which was `cut`):
    /// the block then starts inside a line.
    pub repeated: usize,
    /// The block ends inside a line, which goes on in the next block.
    pub cut: bool,
}

/// Reads streams into [`Block`]s through one reusable buffer.
pub struct Splitter {
    buf: Vec<u8>,
    overlap: usize,
}

impl Splitter {
    /// A splitter with a buffer of `capacity` bytes ([`BUFFER`] outside tests); long lines'
    /// pieces overlap by [`OVERLAP`] bytes (less in a buffer under 16 KiB).
    pub fn new(capacity: usize) -> Splitter {
        let capacity = capacity.max(64);
        Splitter {
            buf: vec![0; capacity],
            overlap: (capacity / 4).min(OVERLAP),
        }
    }

    /// Raises the overlap to `n` bytes (and the buffer to four times that, at least): the
    /// matcher needs its longest literal to fit in an overlap.
    pub fn min_overlap(&mut self, n: usize) -> &mut Splitter {
        if self.buf.len() < 4 * n {
            self.buf.resize(4 * n, 0);
        }
        self.overlap = self.overlap.max(n);
        self
    }

    /// Reads `reader` to its end, handing each block to `f` in order. Returns the read error
    /// that ended the stream early, if one did: the blocks read before it were handed over
    /// (the last one as the stream's end).
    pub fn blocks(
        &mut self,
        reader: &mut dyn Read,
        mut f: impl FnMut(Block<'_>),
    ) -> Option<io::Error> {
        let buf = &mut self.buf;
        // `buf[..filled]` holds bytes not handed over yet (a carried piece's tail first).
        let mut filled = 0;
        let mut repeated = 0;
        loop {
            let mut end = None;
            // A block is handed over once it holds BLOCK bytes and a line end, while it is
            // still in this core's cache; the buffer fills up only for a longer line.
            let mut whole_line = false;
            while filled < buf.len() && !(whole_line && filled >= BLOCK) {
                let upto = buf.len().min(filled + BLOCK);
                match reader.read(&mut buf[filled..upto]) {
                    Ok(0) => {
                        end = Some(None);
                        break;
                    }
                    Ok(n) => {
                        whole_line =
                            whole_line || memchr(b'\n', &buf[filled..filled + n]).is_some();
                        filled += n
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        end = Some(Some(e));
                        break;
                    }
                }
            }
            if let Some(error) = end {
                if filled > repeated {
                    f(Block {
                        bytes: &buf[..filled],
                        repeated,
                        cut: false,
                    });
                }
                return error;
            }
            match memrchr(b'\n', &buf[..filled]) {
                Some(nl) => {
                    f(Block {
                        bytes: &buf[..=nl],
                        repeated,
                        cut: false,
                    });
                    buf.copy_within(nl + 1..filled, 0);
                    filled -= nl + 1;
                    repeated = 0;
                }
                None => {
                    // one line longer than the buffer: hand over this piece, keep its tail
                    f(Block {
                        bytes: &buf[..filled],
                        repeated,
                        cut: true,
                    });
                    buf.copy_within(filled - self.overlap..filled, 0);
                    filled = self.overlap;
                    repeated = self.overlap;
                }
            }
        }
    }
}

thread_local! {
    static SPLITTER: RefCell<Option<Splitter>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's [`BUFFER`]-sized splitter (allocated once per thread), or
/// with a new one when the thread's is in use.
pub fn with_splitter<T>(f: impl FnOnce(&mut Splitter) -> T) -> T {
    SPLITTER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            // a caller before may have raised the overlap: back to the policy
            let kept = slot.take().filter(|s| s.buf.len() == BUFFER);
            let s = slot.insert(kept.map_or_else(
                || Splitter::new(BUFFER),
                |s| Splitter {
                    overlap: OVERLAP,
                    ..s
                },
            ));
            f(s)
        }
        Err(_) => f(&mut Splitter::new(BUFFER)),
    })
}

/// Where a line stands among the pieces of a line longer than the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// The line whole.
    Whole,
    /// The first piece of a long line.
    First,
    /// A later piece: its first [`Line::repeated`] bytes repeat the piece before.
    Next,
}

/// One line (or one piece of a long line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The bytes as in the stream, the `\n` included when the line ends here.
    pub raw: &'a [u8],
    /// 1-based; every piece of a line has its number.
    pub number: u64,
    pub piece: Piece,
    /// Leading bytes that repeat the end of the piece before (0 unless [`Piece::Next`]).
    pub repeated: usize,
}

impl<'a> Line<'a> {
    /// The line without its line end (`\n`, `\r\n`).
    pub fn text(&self) -> &'a [u8] {
        let mut t = self.raw.strip_suffix(b"\n").unwrap_or(self.raw);
        while let [rest @ .., b'\r'] = t {
            t = rest;
        }
        t
    }

    /// The bytes not handed over before (the piece without its repeated start).
    pub fn fresh(&self) -> &'a [u8] {
        &self.raw[self.repeated.min(self.raw.len())..]
    }

    /// A `\n` ends this line here (else the stream ended, or the line goes on).
    pub fn ended(&self) -> bool {
        self.raw.ends_with(b"\n")
    }
}

/// Turns blocks into lines, numbering them; carries the state between blocks.
#[derive(Debug)]
pub struct Lines {
    number: u64,
    /// The block before was cut: the next starts inside a line.
    inside: bool,
}

impl Default for Lines {
    fn default() -> Self {
        Lines {
            number: 1,
            inside: false,
        }
    }
}

impl Lines {
    /// The lines (and pieces) of `block`, in order.
    pub fn block(&mut self, block: Block<'_>, mut f: impl FnMut(Line<'_>)) {
        let mut rest = block.bytes;
        let mut first = true;
        while !rest.is_empty() {
            let (raw, after) = match memchr(b'\n', rest) {
                Some(i) => rest.split_at(i + 1),
                None => (rest, &rest[rest.len()..]),
            };
            let ended = raw.ends_with(b"\n");
            let continues = first && self.inside;
            let piece = if continues {
                Piece::Next
            } else if !ended && block.cut {
                Piece::First
            } else {
                Piece::Whole
            };
            f(Line {
                raw,
                number: self.number,
                piece,
                repeated: if continues { block.repeated } else { 0 },
            });
            if ended {
                self.number += 1;
            }
            rest = after;
            first = false;
        }
        self.inside = block.cut;
    }
}

/// Calls `f` with each line of `reader` (pieces of long lines as they come), streaming.
/// Returns the bytes read, or the read error that ended the stream (the lines before it
/// were handed over).
pub fn for_each_line(reader: &mut dyn Read, mut f: impl FnMut(Line<'_>)) -> io::Result<u64> {
    let mut lines = Lines::default();
    let mut bytes = 0u64;
    let error = with_splitter(|s| {
        s.blocks(reader, |b| {
            bytes += (b.bytes.len() - b.repeated) as u64;
            lines.block(b, &mut f);
        })
    });
    error.map_or(Ok(bytes), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `input` read through a buffer of `capacity`, as (number, piece, text).
    fn split(input: &[u8], capacity: usize) -> Vec<(u64, Piece, String)> {
        let mut s = Splitter::new(capacity);
        let mut lines = Lines::default();
        let mut out = Vec::new();
        s.blocks(&mut &input[..], |b| {
            lines.block(b, |l| {
                out.push((
                    l.number,
                    l.piece,
                    String::from_utf8_lossy(l.text()).into_owned(),
                ))
            })
        });
        out
    }

    #[test]
    fn short_lines_come_whole_and_numbered_in_any_buffer() {
        let input = b"a\r\n\nbb\nlast";
        for cap in [64, 100, BUFFER] {
            let got = split(input, cap);
            assert_eq!(
                got,
                [
                    (1, Piece::Whole, "a".into()),
                    (2, Piece::Whole, "".into()),
                    (3, Piece::Whole, "bb".into()),
                    (4, Piece::Whole, "last".into())
                ]
            );
        }
    }

    #[test]
    fn blocks_of_short_lines_stay_small_and_a_long_line_still_comes_whole() {
        // Illustrative text: 100-byte lines, then one line of 600 KiB (longer than a block,
        // shorter than the buffer), then short lines again.
        let short = format!("{}\n", "s".repeat(99));
        let long = format!("{}\n", "l".repeat(600 << 10));
        let text = [short.repeat(5_000), long.clone(), short.repeat(5_000)].concat();
        let mut s = Splitter::new(BUFFER);
        let mut sizes = Vec::new();
        let mut seen = Vec::new();
        s.blocks(&mut text.as_bytes(), |b| {
            assert!(!b.cut && b.bytes.ends_with(b"\n"));
            sizes.push(b.bytes.len());
            seen.extend_from_slice(b.bytes);
        });
        assert_eq!(seen, text.as_bytes(), "every byte once, in order");
        assert!(
            sizes.iter().any(|&n| n > long.len()),
            "the long line in one block"
        );
        let small = sizes.iter().filter(|&&n| n <= BLOCK).count();
        assert!(small + 1 >= sizes.len(), "blocks of short lines: {sizes:?}");
    }

    #[test]
    fn a_long_line_comes_in_overlapping_pieces_with_one_number() {
        let long: Vec<u8> = (0..300u32).map(|i| b'a' + (i % 26) as u8).collect();
        let mut input = b"before\n".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b"\nafter\n");
        let mut s = Splitter::new(100); // overlap 25
        let mut lines = Lines::default();
        let mut pieces = Vec::new();
        let mut fresh = Vec::new();
        let mut numbers = Vec::new();
        s.blocks(&mut &input[..], |b| {
            lines.block(b, |l| {
                if l.number == 2 {
                    pieces.push(l.piece);
                    fresh.extend_from_slice(l.fresh());
                    assert!(l.raw.len() <= 100);
                }
                numbers.push(l.number);
            })
        });
        assert_eq!(pieces.first(), Some(&Piece::First));
        assert!(pieces[1..].iter().all(|p| *p == Piece::Next), "{pieces:?}");
        assert!(pieces.len() >= 4);
        let mut want = long.clone();
        want.push(b'\n');
        assert_eq!(
            fresh, want,
            "the fresh bytes of the pieces are the line, once"
        );
        assert_eq!(numbers.last(), Some(&3), "the line after is line 3");
    }

    #[test]
    fn a_literal_across_a_piece_boundary_is_whole_in_one_piece() {
        let mut input = vec![b'x'; 90];
        input.extend_from_slice(b"NEEDLE");
        input.extend_from_slice(&[b'y'; 200]);
        let mut s = Splitter::new(100);
        let mut found = false;
        s.blocks(&mut &input[..], |b| {
            found |= memchr::memmem::find(b.bytes, b"NEEDLE").is_some()
        });
        assert!(found);
    }

    #[test]
    fn a_read_error_ends_the_stream_after_what_came_before() {
        struct Broken<'a>(&'a [u8]);
        impl Read for Broken<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Err(io::Error::other("corrupt deflate stream"));
                }
                let n = self.0.len().min(out.len()).min(3);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut got = Vec::new();
        let err = for_each_line(&mut Broken(b"one\ntwo\nthr"), |l| {
            got.push(String::from_utf8_lossy(l.text()).into_owned())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "corrupt deflate stream");
        assert_eq!(got, ["one", "two", "thr"]);
    }

    #[test]
    fn the_thread_buffer_serves_nested_calls() {
        let mut inner = 0;
        for_each_line(&mut &b"a\nb\n"[..], |_| {
            for_each_line(&mut &b"c\n"[..], |_| inner += 1).unwrap();
        })
        .unwrap();
        assert_eq!(inner, 2);
    }
}
