//! Finding candidate lines: which lines of a chunk contain one of the library's literals.
//!
//! This is the hot loop of the analyzer: every byte of every log passes through it, and only
//! the few lines it reports are looked at again. It answers "where is *a* literal", not
//! "which ones": the caller lists the literals of a candidate line with an overlapping
//! Aho-Corasick search over that line alone.
//!
//! Why not one Aho-Corasick automaton over the chunk: with the library's ~200 literals the
//! automaton has no SIMD prefilter (Teddy stops at 128 patterns and degrades well before)
//! and runs at 0.1-0.3 GB/s on CF logs, slower than ripgrep with the signatures' regexes;
//! groups of 64 literals under Teddy cost one pass per group (0.3-0.45 GB/s for all).
//! A Wu-Manber filter skips ahead by up to `m - 2` bytes per step whatever the number of
//! literals, and four lanes over four quarters of the chunk run its step chains side by
//! side: 1.8-2.3 GB/s on the same data (`m` = 11, measured on a busy 2-core machine).
//! End to end (read, search, count lines, regexes on candidates) one thread scans 1 GB of
//! `testkit` `gen_corpus` logs in 0.85-0.98 s of CPU, where `rg -j1 -c` with the same
//! library's regexes takes 2.3-2.6 s.
//!
//! Wu-Manber here: each literal contributes one window of `m` bytes (`m` = its shortest
//! length), chosen where the window's last bytes are least common in logs; a table indexed
//! by a hash of 3 bytes gives how far the window may move; a zero shift is checked against
//! the windows ending with those 3 bytes, by their first 4 bytes, then by the whole literal.
//! Literals shorter than [`WM_MIN_LEN`] (flagged by `signatures check`) would shrink every
//! skip, so they go through a small Aho-Corasick automaton instead.

use aho_corasick::{AhoCorasick, Input, MatchKind};
use memchr::memchr;

/// Literals shorter than this are searched with Aho-Corasick rather than Wu-Manber.
pub(crate) const WM_MIN_LEN: usize = 8;
/// Independent search lanes per chunk.
const LANES: usize = 4;
/// log2 of the shift table's size (32 KiB of `u8`: stays in L1).
const HASH_BITS: u32 = 15;

/// Reports candidate lines; built once per library, shared by every scan.
#[derive(Debug, Clone)]
pub(crate) struct LineFinder {
    wm: Option<WuManber>,
    short: Option<AhoCorasick>,
}

/// Per-scan scratch space of [`LineFinder::candidates`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    lanes: [Vec<usize>; LANES],
    short: Vec<usize>,
}

impl LineFinder {
    pub(crate) fn new(literals: &[&str]) -> Result<LineFinder, aho_corasick::BuildError> {
        let (long, short): (Vec<&str>, Vec<&str>) =
            literals.iter().partition(|l| l.len() >= WM_MIN_LEN);
        let short = match short.is_empty() {
            true => None,
            false => Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&short)?,
            ),
        };
        Ok(LineFinder {
            wm: WuManber::new(&long),
            short,
        })
    }

    /// Appends to `out`, in increasing order, the start of a literal occurrence in every
    /// line of `hay` that contains one (at least one per such line, maybe more: lanes
    /// restart mid-line). Lines are separated by `\n`; literals never contain one.
    pub(crate) fn candidates(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<usize>) {
        let before = out.len();
        if let Some(wm) = &self.wm {
            wm.candidates(hay, &mut scratch.lanes);
            for lane in &mut scratch.lanes {
                out.append(lane);
            }
        }
        if let Some(ac) = &self.short {
            scratch.short.clear();
            let mut from = 0;
            while let Some(m) = ac.find(Input::new(hay).range(from..)) {
                scratch.short.push(m.start());
                from = memchr(b'\n', &hay[m.end()..]).map_or(hay.len(), |i| m.end() + i + 1);
            }
            if !scratch.short.is_empty() {
                out.extend_from_slice(&scratch.short);
                out[before..].sort_unstable();
            }
        }
    }
}

/// The Wu-Manber filter over literals of at least [`WM_MIN_LEN`] bytes.
#[derive(Debug, Clone)]
struct WuManber {
    /// Window length: the shortest literal.
    m: usize,
    /// How far the window may move when its last 3 bytes hash to this slot.
    shift: Vec<u8>,
    /// Slot -> range of `entries` of the windows whose last 3 bytes hash there.
    heads: Vec<u32>,
    entries: Vec<Entry>,
    literals: Vec<Box<[u8]>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The window's first 4 bytes, little-endian.
    prefix: u32,
    literal: u32,
    /// Where the window starts in the literal.
    offset: u32,
}

#[inline(always)]
fn hash3(a: u8, b: u8, c: u8) -> usize {
    ((u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16).wrapping_mul(0x9E37_79B1)
        >> (32 - HASH_BITS)) as usize
}

/// How uncommon a byte is in logs (a rough rank: lowercase text, digits, spaces and JSON
/// punctuation are everywhere; capitals and other punctuation are not).
fn rarity(b: u8) -> u32 {
    match b {
        b' ' => 0,
        b'q' | b'z' | b'x' | b'j' | b'k' | b'v' | b'w' | b'y' => 2,
        b'a'..=b'z' | b'0'..=b'9' => 1,
        b'"' | b':' | b',' | b'.' | b'-' | b'/' | b'_' | b'=' => 1,
        _ => 3,
    }
}

/// The offset of the `m`-byte window of `lit` whose last 3 bytes (what the shift table
/// sees first) are rarest, then whose bytes are rarest overall, then the leftmost.
fn best_window(lit: &[u8], m: usize) -> usize {
    (0..=lit.len() - m)
        .max_by_key(|&o| {
            let w = &lit[o..o + m];
            let end: u32 = w[m - 3..].iter().map(|&b| rarity(b)).sum();
            let all: u32 = w.iter().map(|&b| rarity(b)).sum();
            (end, all, std::cmp::Reverse(o))
        })
        .unwrap_or(0)
}

impl WuManber {
    fn new(literals: &[&str]) -> Option<WuManber> {
        let m = literals.iter().map(|l| l.len()).min()?;
        debug_assert!(m >= WM_MIN_LEN);
        let size = 1usize << HASH_BITS;
        let max_shift = u8::try_from(m - 2).unwrap_or(u8::MAX);
        let mut shift = vec![max_shift; size];
        let mut slots: Vec<Vec<Entry>> = vec![Vec::new(); size];
        for (i, lit) in literals.iter().enumerate() {
            let lit = lit.as_bytes();
            let offset = best_window(lit, m);
            let w = &lit[offset..offset + m];
            for j in 2..m {
                let h = hash3(w[j - 2], w[j - 1], w[j]);
                let s = u8::try_from(m - 1 - j).unwrap_or(u8::MAX);
                shift[h] = shift[h].min(s);
            }
            slots[hash3(w[m - 3], w[m - 2], w[m - 1])].push(Entry {
                prefix: u32::from_le_bytes([w[0], w[1], w[2], w[3]]),
                literal: i as u32,
                offset: offset as u32,
            });
        }
        let mut heads = Vec::with_capacity(size + 1);
        let mut entries = Vec::new();
        for slot in slots {
            heads.push(entries.len() as u32);
            entries.extend(slot);
        }
        heads.push(entries.len() as u32);
        let literals = literals.iter().map(|l| l.as_bytes().into()).collect();
        Some(WuManber {
            m,
            shift,
            heads,
            entries,
            literals,
        })
    }

    /// Fills `lanes[k]` with the candidates of the k-th quarter of the windows of `hay`.
    fn candidates(&self, hay: &[u8], lanes: &mut [Vec<usize>; LANES]) {
        for lane in lanes.iter_mut() {
            lane.clear();
        }
        let (m, n) = (self.m, hay.len());
        if n < m {
            return;
        }
        // Lane k owns the windows starting in [k * span, (k + 1) * span); `pos` is the
        // last byte of its current window, `end` bounds it.
        let windows = n - m + 1;
        let span = windows.div_ceil(LANES);
        let mut pos = [0usize; LANES];
        let mut end = [0usize; LANES];
        for k in 0..LANES {
            pos[k] = (k * span).min(windows) + m - 1;
            end[k] = ((k + 1) * span).min(windows) + m - 1;
        }
        let shift = &self.shift[..];
        loop {
            let mut live = false;
            for k in 0..LANES {
                let p = pos[k];
                if p >= end[k] {
                    continue;
                }
                live = true;
                let slot = hash3(hay[p - 2], hay[p - 1], hay[p]);
                let s = shift[slot];
                if s != 0 {
                    pos[k] = p + usize::from(s);
                    continue;
                }
                match self.verify(hay, p + 1 - m, slot) {
                    Some(start) => {
                        lanes[k].push(start);
                        // One candidate per line is enough: resume after its end.
                        pos[k] = memchr(b'\n', &hay[p..]).map_or(n, |i| p + i) + m;
                    }
                    None => pos[k] = p + 1,
                }
            }
            if !live {
                break;
            }
        }
    }

    /// The start of a literal whose window starts at `ws` (and whose last 3 bytes hash to
    /// `slot`), if one is there.
    #[inline]
    fn verify(&self, hay: &[u8], ws: usize, slot: usize) -> Option<usize> {
        let prefix = u32::from_le_bytes([hay[ws], hay[ws + 1], hay[ws + 2], hay[ws + 3]]);
        let entries = &self.entries[self.heads[slot] as usize..self.heads[slot + 1] as usize];
        entries.iter().find_map(|e| {
            let offset = e.offset as usize;
            if e.prefix != prefix || offset > ws {
                return None;
            }
            let start = ws - offset;
            let lit = &self.literals[e.literal as usize];
            hay.get(start..start + lit.len())
                .filter(|s| *s == &lit[..])
                .map(|_| start)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Lines of `hay` (by index) that contain a literal, naively.
    fn naive(hay: &[u8], literals: &[&str]) -> Vec<usize> {
        hay.split(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, line)| {
                literals
                    .iter()
                    .any(|l| line.windows(l.len()).any(|w| w == l.as_bytes()))
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn found(finder: &LineFinder, hay: &[u8]) -> Vec<usize> {
        let mut out = Vec::new();
        finder.candidates(hay, &mut Scratch::default(), &mut out);
        assert!(
            out.windows(2).all(|w| w[0] <= w[1]),
            "candidates in order: {out:?}"
        );
        let mut lines: Vec<usize> = out
            .iter()
            .map(|&p| memchr::memchr_iter(b'\n', &hay[..p]).count())
            .collect();
        lines.dedup();
        lines
    }

    #[test]
    fn finds_every_line_with_a_literal_like_a_naive_search() {
        let literals = [
            "remote error: tls: bad certificate",
            "tls: bad certificate",
            "No dopplers listening on",
            "not monitored",
            "Failed to open TCP connection to",
            "xyzzy-12",
            "short",
            "a\"b:c",
        ];
        let finder = LineFinder::new(&literals).unwrap();
        let alphabet = b"abcdefghijklmnopqrstuvwxyz ABC\":,.-/_=0123456789\n\n";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..300 {
            let mut hay = Vec::new();
            let len = rng.below(3000);
            while hay.len() < len {
                if rng.below(20) == 0 {
                    let lit = literals[rng.below(literals.len())].as_bytes();
                    // Sometimes only a piece of it, to tempt false positives.
                    let cut = if rng.below(3) == 0 {
                        rng.below(lit.len())
                    } else {
                        lit.len()
                    };
                    hay.extend_from_slice(&lit[..cut]);
                } else {
                    hay.push(alphabet[rng.below(alphabet.len())]);
                }
            }
            assert_eq!(
                found(&finder, &hay),
                naive(&hay, &literals),
                "round {round}: {:?}",
                String::from_utf8_lossy(&hay)
            );
        }
    }

    #[test]
    fn hundreds_of_random_literals_collide_in_the_table_and_are_still_exact() {
        let mut rng = Rng(42);
        let alphabet = b"abcdef :\"-_ABC01";
        let owned: Vec<String> = (0..400)
            .map(|_| {
                let len = WM_MIN_LEN + rng.below(12);
                (0..len)
                    .map(|_| alphabet[rng.below(alphabet.len())] as char)
                    .collect()
            })
            .collect();
        let literals: Vec<&str> = owned.iter().map(String::as_str).collect();
        let finder = LineFinder::new(&literals).unwrap();
        for round in 0..40 {
            let mut hay = Vec::new();
            let len = 1000 + rng.below(4000);
            while hay.len() < len {
                match rng.below(200) {
                    0 => hay.extend_from_slice(literals[rng.below(literals.len())].as_bytes()),
                    1..=9 => hay.push(b'\n'),
                    _ => hay.push(alphabet[rng.below(alphabet.len())]),
                }
            }
            assert_eq!(
                found(&finder, &hay),
                naive(&hay, &literals),
                "round {round}"
            );
        }
    }

    #[test]
    fn edges_of_the_haystack() {
        let finder = LineFinder::new(&["exactly-this"]).unwrap();
        assert_eq!(found(&finder, b"exactly-this"), [0]);
        assert_eq!(found(&finder, b"exactly-thi"), Vec::<usize>::new());
        assert_eq!(found(&finder, b""), Vec::<usize>::new());
        assert_eq!(found(&finder, b"\n\nxx exactly-this\nexactly-this"), [2, 3]);
        assert_eq!(found(&finder, b"exactly-\nthis"), Vec::<usize>::new());
        let none = LineFinder::new(&[]).unwrap();
        assert!(found(&none, b"anything at all\n").is_empty());
    }

    #[test]
    fn windows_prefer_rare_bytes_at_their_end() {
        // "Failed to open TCP" has capitals at its end: that window wins over the prefix.
        let lit = b"Failed to open TCP connection to";
        let o = best_window(lit, 18);
        assert_eq!(&lit[o..o + 18], b"Failed to open TCP");
        assert_eq!(best_window(b"abcdefgh", 8), 0);
    }
}
