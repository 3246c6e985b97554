//! Finding literals: every occurrence of every literal of the library in a chunk, in one pass.
//!
//! This is the hot loop of the analyzer: every byte of every log passes through it, and only
//! the lines holding an occurrence are looked at again (by the owners' regexes). It says
//! which literal starts where, so nothing searches a candidate line a second time.
//!
//! How: a bucketed shift-or filter over byte pairs (the idea of Hyperscan's FDR, scalar).
//! Each literal is looked for by one window of [`WINDOW`] bytes, the part of it least
//! likely to occur in text that does not hold it. The windows are dealt into 8 buckets; a
//! table indexed by a byte pair says, for each of the 7 pair positions of a window, which
//! buckets have that pair there; one `u64` per lane shifts by a byte per input byte and ORs
//! the table's answer in, so a zero bit in its seventh byte means "some window of that
//! bucket may end here" (and its eighth byte keeps that verdict one step longer, so the
//! lanes are tested every second step). Such a position is confirmed by the window's 8
//! bytes in a hash table, then by the literal's first and last 8 bytes, then the whole
//! literal. Four lanes over four quarters of the chunk run side by side (independent
//! chains: the CPU overlaps them), in a small function of their own that calls nothing, so
//! their states stay in registers; the positions to confirm are noted and confirmed after
//! each block of 256 steps.
//!
//! Why not what came before:
//! - One Aho-Corasick automaton over the chunk: with more than a few hundred literals it has
//!   no SIMD prefilter (Teddy stops at 64 patterns) and runs at 0.1-0.3 GB/s on CF logs.
//! - A Wu-Manber filter (this module until the library passed 1,300 literals): its skips
//!   shrink as the literals multiply (4 bytes per step at 1,351 literals of at least 8
//!   bytes), and a quarter of its steps ended in a verification. Measured end to end
//!   (`vcap-analyze analyze` of `bench/analyze.sh 10 50`'s trees, 478 MiB, the commands
//!   taking turns, median of 6): 1.27 s wall and 2.15 s of CPU with the
//!   Wu-Manber filter (commit fc87662), 0.42 s and 0.67 s with this one, the same report
//!   byte for byte (as `.tgz`: 1.51 s -> 0.71 s).
//!
//! Which window of a literal: the one whose 4-byte grams are least common, counting grams
//! over the whole literal set (copied from the components' own messages: a gram many of
//! them share, such as a session prefix, is one their logs say all the time) and, heavily,
//! over the log envelopes' own field names (`"message":`, `"log_level":`...), which every
//! line carries. A window of common text costs a confirmation at each of its occurrences,
//! not a miss: the choice is speed only. Counted by byte pairs until stop 18 (on
//! `bench/analyze.sh`'s first VM: 364k window occurrences per 50 MB by pairs, 84k by grams,
//! 21k literals found).
//!
//! Literals shorter than [`MIN_LEN`] (flagged by `signatures check`) go through an
//! overlapping Aho-Corasick pass of their own, a second pass over the chunk.

use aho_corasick::{AhoCorasick, MatchKind};

/// Literals shorter than this are searched by a second, slower pass.
pub(crate) const MIN_LEN: usize = WINDOW;
/// Independent search lanes per chunk.
const LANES: usize = 4;
/// Bytes of each literal the filter looks for.
const WINDOW: usize = 8;
/// Buckets of windows: one bit of each byte of the state.
const BUCKETS: usize = 8;
/// Shift to the byte of the state that holds a window's last pair (pairs 0..=6 of 8 bytes).
const LAST_PAIR: u32 = (WINDOW as u32 - 2) * 8;
/// Steps of the lanes between two rounds of confirmation.
const NOTES: usize = 256;
/// log2 of the confirmation table's slots.
const CONFIRM_BITS: u32 = 12;

/// One literal found: where it starts in the chunk and which it is (its index in the list
/// the finder was built from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Occurrence {
    pub(crate) start: usize,
    pub(crate) literal: u32,
}

/// Finds the literals; built once per library, shared by every scan.
#[derive(Debug, Clone)]
pub(crate) struct LineFinder {
    filter: Option<ShiftOr>,
    /// Literals shorter than [`MIN_LEN`], with their indices.
    short: Option<(AhoCorasick, Vec<u32>)>,
}

/// Per-scan scratch space of [`LineFinder::occurrences`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    lanes: [Vec<Occurrence>; LANES],
}

impl LineFinder {
    pub(crate) fn new(literals: &[&str]) -> Result<LineFinder, aho_corasick::BuildError> {
        type Indexed<'a> = Vec<(u32, &'a str)>;
        let (long, short): (Indexed, Indexed) = literals
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u32, *l))
            .partition(|(_, l)| l.len() >= MIN_LEN);
        let short = match short.is_empty() {
            true => None,
            false => Some((
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(short.iter().map(|(_, l)| l))?,
                short.iter().map(|(i, _)| *i).collect(),
            )),
        };
        Ok(LineFinder {
            filter: ShiftOr::new(&long, &gram_counts(literals)),
            short,
        })
    }

    /// Appends to `out` every occurrence of every literal in `hay`, overlapping ones and
    /// those inside another literal included, ordered by start.
    pub(crate) fn occurrences(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Occurrence>) {
        let before = out.len();
        if let Some(filter) = &self.filter {
            filter.scan(hay, &mut scratch.lanes);
            for lane in &mut scratch.lanes {
                out.append(lane);
            }
        }
        if let Some((ac, index)) = &self.short {
            out.extend(ac.find_overlapping_iter(hay).map(|m| Occurrence {
                start: m.start(),
                literal: index[m.pattern().as_usize()],
            }));
        }
        // Lanes report by window, and a window sits anywhere in its literal.
        out[before..].sort_unstable();
    }
}

/// The bucketed shift-or filter over literals of at least [`WINDOW`] bytes.
#[derive(Debug, Clone)]
struct ShiftOr {
    /// Byte pair (little-endian) -> for each pair position `j` of a window (byte `j` of the
    /// `u64`), a set bit for each bucket none of whose windows has this pair there; byte 7
    /// is zero.
    table: Box<[u64; 1 << 16]>,
    /// Confirmation: [`confirm_slot`] of a window's bytes -> range of `entries`.
    heads: Vec<u32>,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The window's 8 bytes, little-endian.
    window: u64,
    /// Where the window starts in the literal.
    offset: usize,
    literal: u32,
    /// The literal's first and last 8 bytes, little-endian: most windows found belong to
    /// text that only shares the window, and one of these tells without a `memcmp`.
    head: u64,
    tail: u64,
    bytes: Box<[u8]>,
}

/// The first 8 bytes of `b` (at least 8 long), little-endian.
fn word(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
}

#[inline(always)]
fn confirm_slot(window: u64) -> usize {
    (window.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - CONFIRM_BITS)) as usize
}

/// What the envelopes of the lines the library reads look like, field names and all: the
/// grams of this text are in every line of a log, whatever its messages say (an
/// illustrative line per envelope, not evidence; the access log's fields are gorouter's).
const ENVELOPES: &str = concat!(
    r#"{"timestamp":"2024-05-06T07:08:09.123456789Z","level":"info","source":"rep","#,
    r#""message":"rep.component.session","log_level":1,"data":{"error":"x","session":"1.2"}}"#,
    r#"{"timestamp":"1714979289.123456789","source":"garden-linux","log_level":1}"#,
    "I, [2024-05-06T07:08:09.123456 #1234]  INFO -- : [main] request_id=abc",
    "2024-05-06 07:08:09 +0000 [INFO] 2024/05/06 07:08:09 level=info msg=x",
    r#"app.example.com - [2024-05-06T07:08:09.123+0000] "GET / HTTP/1.1" 200 0 13 "-" "#,
    r#""curl/7.58.0" "10.0.0.1:52444" "10.0.1.5:61000" x_forwarded_for:"-" "#,
    r#"x_forwarded_proto:"https" vcap_request_id:"ab-cd" response_time:0.002 "#,
    r#"gorouter_time:0.000 app_id:"ab-cd" app_index:"0" x_cf_routererror:"-""#,
);

/// Bytes of the grams whose commonness prices a window.
const GRAM: usize = 4;

/// How common each 4-byte gram is in log text: how often the literals say it and,
/// weighing as much as thousands of literals, whether the envelopes do. The literals
/// are copied from the components' messages, so a gram many of them share (a session
/// prefix such as `guardian.`, a phrase such as `to doppler`) is the components'
/// vocabulary, said by many of their lines that hold none of the literals. Counted by a
/// hash of the gram ([`GRAM_BITS`] bits): grams that share a slot share a count, which can
/// only make a window look commoner than it is.
struct GramCounts(Vec<u32>);

/// log2 of [`GramCounts`]' slots.
const GRAM_BITS: u32 = 16;

/// The count slot of the gram at the start of `g` (at least [`GRAM`] bytes).
fn gram_slot(g: &[u8]) -> usize {
    let g = u32::from_le_bytes(g[..GRAM].try_into().expect("GRAM bytes"));
    (g.wrapping_mul(0x9E37_79B1) >> (u32::BITS - GRAM_BITS)) as usize
}

fn gram_counts(literals: &[&str]) -> GramCounts {
    let mut counts = vec![0u32; 1 << GRAM_BITS];
    let texts = literals
        .iter()
        .map(|l| (*l, 1))
        .chain([(ENVELOPES, 1 << 12)]);
    for (text, weight) in texts {
        for g in text.as_bytes().windows(GRAM) {
            counts[gram_slot(g)] += weight;
        }
    }
    GramCounts(counts)
}

impl GramCounts {
    /// The bit length of a gram's count: what a window pays for holding it.
    fn cost(&self, g: &[u8]) -> u32 {
        u32::BITS - self.0[gram_slot(g)].leading_zeros()
    }
}

/// A byte pair (`w` holds two bytes) as an index into the pair table: little-endian, one
/// 16-bit load in the stepping loops.
#[inline(always)]
fn pair_index(w: &[u8]) -> usize {
    usize::from(u16::from_le_bytes(w.try_into().unwrap_or_default()))
}

/// The offset of the [`WINDOW`]-byte window of `lit` whose grams are least common (the sum
/// of their costs), then the rightmost (a key comes before its value).
fn best_window(lit: &[u8], counts: &GramCounts) -> usize {
    let costs: Vec<u32> = lit.windows(GRAM).map(|g| counts.cost(g)).collect();
    let per_window = WINDOW - GRAM + 1;
    (0..=lit.len() - WINDOW)
        .min_by_key(|&o| {
            let cost: u32 = costs[o..o + per_window].iter().sum();
            (cost, std::cmp::Reverse(o))
        })
        .unwrap_or(0)
}

impl ShiftOr {
    fn new(literals: &[(u32, &str)], counts: &GramCounts) -> Option<ShiftOr> {
        if literals.is_empty() {
            return None;
        }
        let mut windows: Vec<([u8; WINDOW], usize, u32, &str)> = literals
            .iter()
            .map(|&(i, lit)| {
                let offset = best_window(lit.as_bytes(), counts);
                let w = lit.as_bytes()[offset..offset + WINDOW]
                    .try_into()
                    .expect("a window is WINDOW bytes");
                (w, offset, i, lit)
            })
            .collect();
        // Alike windows share a bucket: fewer distinct pairs per bucket and position.
        windows.sort_unstable();
        let per_bucket = windows.len().div_ceil(BUCKETS);
        // Byte 7 is no pair position: zero, so a state's byte 7 keeps the verdict of the
        // step before (the lanes test two steps at once).
        let mut table = Box::new([!0u64 >> 8; 1 << 16]);
        let mut slots: Vec<Vec<Entry>> = vec![Vec::new(); 1 << CONFIRM_BITS];
        for (rank, (w, offset, literal, lit)) in windows.into_iter().enumerate() {
            let bucket = rank / per_bucket;
            for j in 1..WINDOW {
                table[pair_index(&w[j - 1..=j])] &= !(1u64 << ((j - 1) * 8 + bucket));
            }
            let window = u64::from_le_bytes(w);
            slots[confirm_slot(window)].push(Entry {
                window,
                offset,
                literal,
                head: word(lit.as_bytes()),
                tail: word(&lit.as_bytes()[lit.len() - 8..]),
                bytes: lit.as_bytes().into(),
            });
        }
        let mut heads = Vec::with_capacity(slots.len() + 1);
        let mut entries = Vec::new();
        for slot in slots {
            heads.push(entries.len() as u32);
            entries.extend(slot);
        }
        heads.push(entries.len() as u32);
        Some(ShiftOr {
            table,
            heads,
            entries,
        })
    }

    /// Fills `lanes[k]` with the occurrences whose window starts in the k-th quarter of
    /// `hay`, in the order of their windows.
    fn scan(&self, hay: &[u8], lanes: &mut [Vec<Occurrence>; LANES]) {
        for lane in lanes.iter_mut() {
            lane.clear();
        }
        let n = hay.len();
        if n < WINDOW {
            return;
        }
        // Lane k owns the windows starting in [k * span, (k + 1) * span) and reads from the
        // first one's start to the last one's end. A state starts all ones (nothing
        // matches): no window is reported before a lane has read `WINDOW` bytes.
        let windows = n - WINDOW + 1;
        let span = windows.div_ceil(LANES);
        let from: [usize; LANES] = std::array::from_fn(|k| (k * span).min(windows));
        let len: [usize; LANES] =
            std::array::from_fn(|k| (from[k] + span + WINDOW - 1).min(n) - from[k]);
        let common = len.iter().copied().min().unwrap_or(0);
        let table = &*self.table;
        let step = |state: u64, w: &[u8]| state << 8 | table[pair_index(w)];
        // The lanes step in lockstep over the length they all have, a block of steps at a
        // time; the steps whose windows may match are confirmed after their block.
        let pairs = common.saturating_sub(1);
        // Blocks of an even number of steps (an odd last one is left to the lane alone).
        let paired = pairs & !1;
        let mut states = [!0u64; LANES];
        let mut noted = [(0, [0; LANES]); NOTES];
        for first in (0..paired).step_by(NOTES) {
            let bytes = NOTES.min(paired - first) + 1;
            let block = from.map(|f| &hay[f + first..f + first + bytes]);
            let n = step_lanes(table, block, &mut states, &mut noted);
            for &(i, at) in &noted[..n] {
                // Bit 2k: lane k's window may end at step `i` (byte 7 of its state); bit
                // 2k + 1: at step `i + 1` (byte 6). Walked in bit order: each lane in order.
                let mut ends = 0u32;
                for (k, state) in at.into_iter().enumerate() {
                    ends |= u32::from(ends_before(state, 1)) << (2 * k);
                    ends |= u32::from(matched(state)) << (2 * k + 1);
                }
                while ends != 0 {
                    let bit = ends.trailing_zeros() as usize;
                    ends &= ends - 1;
                    let k = bit / 2;
                    // the window ending at step `j` starts at `j + 2 - WINDOW`
                    let at = from[k] + first + i + bit % 2 + 2 - WINDOW;
                    self.confirm(hay, at, &mut lanes[k]);
                }
            }
        }
        // ...then each goes on alone.
        for (k, mut state) in states.into_iter().enumerate() {
            let pairs = hay[from[k]..from[k] + len[k]].windows(2);
            for (i, w) in pairs.enumerate().skip(paired) {
                state = step(state, w);
                if matched(state) {
                    self.confirm(hay, from[k] + i + 2 - WINDOW, &mut lanes[k]);
                }
            }
        }
    }

    /// Pushes every literal whose window starts at `at`.
    #[inline]
    fn confirm(&self, hay: &[u8], at: usize, out: &mut Vec<Occurrence>) {
        let window = u64::from_le_bytes(hay[at..at + WINDOW].try_into().expect("WINDOW bytes"));
        let slot = confirm_slot(window);
        let entries = &self.entries[self.heads[slot] as usize..self.heads[slot + 1] as usize];
        for e in entries {
            if e.window != window || e.offset > at {
                continue;
            }
            let start = at - e.offset;
            let Some(text) = hay.get(start..start + e.bytes.len()) else {
                continue;
            };
            let len = text.len();
            if word(text) == e.head && word(&text[len - 8..]) == e.tail && text == &e.bytes[..] {
                out.push(Occurrence {
                    start,
                    literal: e.literal,
                });
            }
        }
    }
}

/// Whether a state says some window of its bucket may end at its last step.
#[inline(always)]
fn matched(state: u64) -> bool {
    ends_before(state, 0)
}

/// Whether a state says some window of its bucket may end `steps` steps before its last
/// (0 or 1: byte 7 of a table entry is zero, so byte 7 of a state keeps the verdict of the
/// step before).
#[inline(always)]
fn ends_before(state: u64, steps: u32) -> bool {
    (state >> (LAST_PAIR + 8 * steps)) as u8 != 0xFF
}

/// The lanes' steps over one block, two at a time: `block[k]` is lane k's next bytes (all of
/// one length, at most `NOTES + 1`, odd: a step per byte pair, an even number of steps).
/// Notes in `noted` each pair of steps after which some lane's window may end (the first
/// step's index in the block and the four states: byte 7 of a state is the first step's
/// verdict, byte 6 the second's) and returns how many. Its own function, calling nothing:
/// the four states, the four lane pointers and the table stay in registers (inlined into
/// `scan`, they were spilled around `confirm`); testing every second step costs half the
/// tests.
#[inline(never)]
fn step_lanes(
    table: &[u64; 1 << 16],
    block: [&[u8]; LANES],
    states: &mut [u64; LANES],
    noted: &mut [(usize, [u64; LANES]); NOTES],
) -> usize {
    let twos = block[0].len().saturating_sub(1).min(NOTES) / 2;
    let [b0, b1, b2, b3] = block.map(|b| &b[..2 * twos + 1]);
    let [mut s0, mut s1, mut s2, mut s3] = *states;
    let mut n = 0;
    for i in (0..twos).map(|j| 2 * j) {
        let two = |s: u64, b: &[u8]| {
            (s << 8 | table[pair_index(&b[i..i + 2])]) << 8 | table[pair_index(&b[i + 1..i + 3])]
        };
        (s0, s1, s2, s3) = (two(s0, b0), two(s1, b1), two(s2, b2), two(s3, b3));
        if ((s0 & s1 & s2 & s3) >> LAST_PAIR) as u16 != 0xFFFF {
            // at most NOTES / 2 notes: `n` stays below NOTES (the modulo only spares a check)
            noted[n % NOTES] = (i, [s0, s1, s2, s3]);
            n += 1;
        }
    }
    *states = [s0, s1, s2, s3];
    n
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

    /// Every occurrence of every literal in `hay`, naively, ordered by start.
    fn naive(hay: &[u8], literals: &[&str]) -> Vec<Occurrence> {
        let mut out: Vec<Occurrence> = literals
            .iter()
            .enumerate()
            .flat_map(|(i, l)| {
                let l = l.as_bytes();
                (0..(hay.len() + 1).saturating_sub(l.len()))
                    .filter(move |&s| &hay[s..s + l.len()] == l)
                    .map(move |start| Occurrence {
                        start,
                        literal: i as u32,
                    })
            })
            .collect();
        out.sort_unstable();
        out
    }

    fn found(finder: &LineFinder, hay: &[u8]) -> Vec<Occurrence> {
        let mut out = Vec::new();
        finder.occurrences(hay, &mut Scratch::default(), &mut out);
        out
    }

    #[test]
    fn finds_every_occurrence_like_a_naive_search() {
        let literals = [
            "remote error: tls: bad certificate",
            "tls: bad certificate",
            "No dopplers listening on",
            "not monitored",
            "Failed to open TCP connection to",
            "xyzzy-12",
            "short",
            "a\"b:c",
            "aaaaaaaaa",
        ];
        let finder = LineFinder::new(&literals).unwrap();
        let alphabet = b"abcdefghijklmnopqrstuvwxyz ABC\":,.-/_=0123456789\n\naaaa";
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
    fn hundreds_of_random_literals_share_buckets_and_are_still_exact() {
        let mut rng = Rng(42);
        let alphabet = b"abcdef :\"-_ABC01";
        let owned: Vec<String> = (0..400)
            .map(|_| {
                let len = MIN_LEN + rng.below(12);
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
    fn literals_inside_others_and_sharing_a_start_are_all_found() {
        let literals = [
            "failed-to-connect-to-bbs",
            "failed-to-connect-to-locket",
            "connect-to",
            "to-bbs",
        ];
        let finder = LineFinder::new(&literals).unwrap();
        let which = |hay: &str| -> Vec<u32> {
            let mut v: Vec<u32> = found(&finder, hay.as_bytes())
                .iter()
                .map(|o| o.literal)
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(which("rep.failed-to-connect-to-bbs"), [0, 2, 3]);
        assert_eq!(which("rep.failed-to-connect-to-locket"), [1, 2]);
        assert_eq!(which("rep.failed-to-connect-to-nats"), [2]);
        assert_eq!(which("to-bbs to-bbs"), [3, 3]);
    }

    #[test]
    fn edges_of_the_haystack() {
        let finder = LineFinder::new(&["exactly-this"]).unwrap();
        let starts =
            |hay: &[u8]| -> Vec<usize> { found(&finder, hay).iter().map(|o| o.start).collect() };
        assert_eq!(starts(b"exactly-this"), [0]);
        assert!(starts(b"exactly-thi").is_empty());
        assert!(starts(b"").is_empty());
        assert_eq!(starts(b"\n\nxx exactly-this\nexactly-this"), [5, 18]);
        assert!(starts(b"exactly-\nthis").is_empty());
        let none = LineFinder::new(&[]).unwrap();
        assert!(found(&none, b"anything at all\n").is_empty());
    }

    #[test]
    fn windows_avoid_what_every_line_of_an_envelope_says() {
        let counts = gram_counts(&[]);
        let window = |lit: &str| {
            let o = best_window(lit.as_bytes(), &counts);
            lit[o..o + WINDOW].to_string()
        };
        // The key is on every lager line; the value is what is rare.
        assert_eq!(window(r#""log_level":2,"#), r#"evel":2,"#);
        assert!(!window(r#""message":"backend-endpoint-failed""#).contains("message"));
        assert_eq!(best_window(b"abcdefgh", &counts), 0);
    }

    #[test]
    fn windows_avoid_a_prefix_many_literals_share() {
        // Garden's sessions (illustrative names): every line of the component says
        // `guardian.`, so the window is in the part that tells this literal apart (byte
        // pairs chose `ian.run.` and `an.api.g` here).
        let literals = [
            "guardian.create.failed",
            "guardian.destroy.failed",
            "guardian.stop.failed",
            "guardian.run.spawn-failed",
            "guardian.api.garden-server.failed",
            "guardian.netout.failed-to-find-rule",
        ];
        let counts = gram_counts(&literals);
        for lit in literals {
            let o = best_window(lit.as_bytes(), &counts);
            assert!(o >= "guardian".len(), "{lit}: {}", &lit[o..o + WINDOW]);
        }
    }
}
