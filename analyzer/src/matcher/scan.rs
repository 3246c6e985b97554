//! Scanning one file in one pass: the literal search over whole chunks, candidate lines, lazy
//! line numbers, and grouping hits per signature.
//!
//! The chunks are the blocks of [`crate::input::lines`] (the one place streams are split into
//! lines): a chunk ends at a line end, except at the end of the stream and when one line is
//! longer than the buffer; such a line is scanned in pieces that overlap by a few KiB (so a
//! literal across a piece boundary is still found), never buffered whole; every piece
//! reports the same line number, and a signature counts at most one hit per line.

use super::fields::Parsed;
use super::levels::{self, ErrorLine};
use super::literals::{Occurrence, Scratch};
use super::{Matcher, Selection};
use crate::input::lines::{self, Block, Splitter};
use crate::timestamp::{self, YearHint};
use jiff::Timestamp;
use memchr::{memchr, memchr_iter, memrchr};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::ops::Range;

/// Size of the read buffer (one per thread, reused across files): the line policy's.
pub const DEFAULT_BUFFER: usize = lines::BUFFER;
/// Excerpts are cut to about this many bytes.
const EXCERPT_MAX: usize = 400;
/// How much of the last hit's line is kept to read its timestamp at the end.
const LAST_LINE_MAX: usize = 4096;

/// Every hit of one signature in one file (on one VM, when the file's lines name VMs).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedHit {
    /// The signature's index in the [`Matcher`].
    pub signature: usize,
    /// The VM the lines name (a `bosh ssh -c` prefix, an instance of a task line or of a
    /// `bosh instances` row); `None`: the file's own VM.
    pub vm: Option<String>,
    /// Number of lines hit.
    pub count: u64,
    /// 1-based line numbers of the first and last hit.
    pub first_line: u64,
    pub last_line: u64,
    /// Timestamps read from the first and last hit lines, when they carry one.
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    /// Named captures of the first hit.
    pub captures: BTreeMap<String, String>,
    /// The first hit's line (lossy UTF-8), cut around the match to about 400 bytes.
    pub excerpt: String,
}

/// What one pass over a stream found.
#[derive(Debug)]
pub struct Scanned {
    pub hits: Vec<GroupedHit>,
    /// The read error that ended the stream early (the hits before it are kept).
    pub error: Option<io::Error>,
    /// Line ends (`\n`) read: the stream's lines, a last one without a line end not counted.
    pub lines: u64,
}

impl From<Scanned> for (Vec<GroupedHit>, Option<io::Error>) {
    fn from(s: Scanned) -> Self {
        (s.hits, s.error)
    }
}

struct Group {
    hit: GroupedHit,
    last_text: Vec<u8>,
}

/// The state of one scan: grouped hits so far and the current line number.
struct Scan<'a> {
    m: &'a Matcher,
    sel: &'a Selection,
    hint: YearHint,
    /// The line number of the first byte of the chunk being processed.
    line_no: u64,
    groups: Vec<Option<Group>>,
    /// Hits on lines that name another VM, by VM and signature.
    attributed: HashMap<(String, usize), Option<Group>>,
    /// Signatures to test on the current line.
    candidates: Vec<usize>,
    /// The literals found in the current chunk.
    occurrences: Vec<Occurrence>,
    scratch: Scratch,
    /// Whether error-level lines no signature hits are wanted (`errors` collects them).
    want_errors: bool,
    errors: Vec<ErrorLine>,
}

impl<'a> Scan<'a> {
    fn new(m: &'a Matcher, sel: &'a Selection, hint: YearHint) -> Scan<'a> {
        Scan {
            m,
            sel,
            hint,
            line_no: 1,
            groups: (0..m.len()).map(|_| None).collect(),
            attributed: HashMap::new(),
            candidates: Vec::new(),
            occurrences: Vec::new(),
            scratch: Scratch::default(),
            want_errors: false,
            errors: Vec::new(),
        }
    }

    /// Processes `chunk`, which starts at a line start (or inside line `line_no` when
    /// continuing a long line). Advances `line_no` past every `\n` in it.
    fn chunk(&mut self, chunk: &[u8]) {
        let mut found = std::mem::take(&mut self.occurrences);
        found.clear();
        self.m
            .finder
            .occurrences(chunk, &mut self.scratch, &mut found);
        // `counted`: newlines counted up to here.
        let (mut i, mut counted) = (0, 0);
        while i < found.len() {
            let at = found[i].start;
            let start = memrchr(b'\n', &chunk[counted..at]).map_or(counted, |j| counted + j + 1);
            let end = memchr(b'\n', &chunk[at..]).map_or(chunk.len(), |j| at + j);
            // A literal never holds a line end: those starting in this line end in it.
            let in_line = found[i..].iter().take_while(|o| o.start < end).count();
            self.line_no += count_lines(&chunk[counted..start]);
            counted = start;
            self.line(&chunk[start..end], &found[i..i + in_line]);
            i += in_line;
        }
        self.line_no += count_lines(&chunk[counted..]);
        self.occurrences = found;
    }

    /// One line holding `found`: every signature owning one of those literals, and
    /// selected, is tested.
    fn line(&mut self, line: &[u8], found: &[Occurrence]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        self.candidates.clear();
        let mut marked = false;
        let (m, sel, candidates) = (self.m, &self.sel, &mut self.candidates);
        for o in found {
            let p = o.literal as usize;
            marked |= m.marker[p];
            for &s in &m.owners[p] {
                if sel.contains(s) && !candidates.contains(&s) {
                    candidates.push(s);
                }
            }
        }
        let marked = marked && self.want_errors;
        if self.candidates.is_empty() && !marked {
            return;
        }
        let (prefix_vm, body) = crate::line::prefix::split_vm(line);
        let mut parsed = Parsed::new(line, self.hint);
        // The VM a hit line names, decided at its first hit (most candidates are not hits).
        let mut vm: Option<Option<String>> = None;
        let line_no = self.line_no;
        let mut recognised = false;
        for k in 0..self.candidates.len() {
            let s = self.candidates[k];
            if self.m.hit(s, body, &mut parsed, false).is_none() {
                continue;
            }
            recognised = true;
            let vm = vm.get_or_insert_with(|| {
                prefix_vm
                    .map(str::to_string)
                    .or_else(|| crate::line::named_vm(body))
            });
            let slot = match vm {
                None => &mut self.groups[s],
                Some(name) => self.attributed.entry((name.clone(), s)).or_default(),
            };
            match slot {
                Some(g) => add(g, line_no, body),
                None => {
                    let Some(hit) = self.m.hit(s, body, &mut parsed, true) else {
                        continue;
                    };
                    *slot = Some(first(s, vm.clone(), line_no, body, hit, self.hint));
                }
            }
        }
        if marked && !recognised {
            self.unrecognised(&mut parsed, body);
        }
    }

    /// A marked line no signature hit: kept when the line model says error or fatal.
    fn unrecognised(&mut self, parsed: &mut Parsed<'_>, body: &[u8]) {
        if self.errors.len() >= levels::MAX_PER_FILE {
            return;
        }
        let l = parsed.get();
        let Some(level) = levels::as_error(l.level) else {
            return;
        };
        let message = match (&l.message, &l.error) {
            (Some(m), Some(e)) => format!("{m}: {e}"),
            (Some(m), None) => m.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => String::from_utf8_lossy(body).into_owned(),
        };
        // The line model's VM: a `bosh ssh -c` prefix first, else the one the text names.
        self.errors.push(ErrorLine {
            level,
            message,
            example: excerpt(body, 0..0),
            vm: l.vm.clone(),
        });
    }

    /// The pass's result: its hits, the error that ended it, its lines.
    fn scanned(self, error: Option<io::Error>) -> Scanned {
        Scanned {
            lines: self.line_no - 1,
            error,
            hits: self.finish(),
        }
    }

    /// The grouped hits, in order of first appearance.
    fn finish(self) -> Vec<GroupedHit> {
        let hint = self.hint;
        let mut hits: Vec<GroupedHit> = self
            .groups
            .into_iter()
            .flatten()
            .chain(self.attributed.into_values().flatten())
            .map(|g| {
                let mut hit = g.hit;
                hit.last_ts = if hit.count == 1 {
                    hit.first_ts
                } else {
                    timestamp::parse_line(&g.last_text, hint)
                };
                hit
            })
            .collect();
        hits.sort_by(|a, b| {
            (a.first_line, a.signature, &a.vm).cmp(&(b.first_line, b.signature, &b.vm))
        });
        hits
    }
}

/// A further hit of a group: counted, and its line kept for the last timestamp.
fn add(g: &mut Group, line_no: u64, line: &[u8]) {
    if g.hit.last_line == line_no {
        return;
    }
    g.hit.count += 1;
    g.hit.last_line = line_no;
    g.last_text.clear();
    g.last_text
        .extend_from_slice(&line[..line.len().min(LAST_LINE_MAX)]);
}

/// The first hit of a group (`body`: the line without its VM prefix).
fn first(
    signature: usize,
    vm: Option<String>,
    line_no: u64,
    body: &[u8],
    hit: super::LineHit,
    hint: YearHint,
) -> Group {
    Group {
        hit: GroupedHit {
            signature,
            vm,
            count: 1,
            first_line: line_no,
            last_line: line_no,
            first_ts: timestamp::parse_line(body, hint),
            last_ts: None,
            captures: hit.captures,
            excerpt: excerpt(body, hit.span),
        },
        last_text: Vec::new(),
    }
}

fn count_lines(bytes: &[u8]) -> u64 {
    memchr_iter(b'\n', bytes).count() as u64
}

/// The line (lossy UTF-8) cut to about [`EXCERPT_MAX`] bytes around `span`, with `…`
/// where it was cut.
pub(crate) fn excerpt(line: &[u8], span: Range<usize>) -> String {
    if line.len() <= EXCERPT_MAX {
        return String::from_utf8_lossy(line).into_owned();
    }
    let start = char_floor(
        line,
        span.start
            .saturating_sub(EXCERPT_MAX / 4)
            .min(line.len() - EXCERPT_MAX),
    );
    let end = char_floor(line, (start + EXCERPT_MAX).min(line.len()));
    let mut out = String::with_capacity(EXCERPT_MAX + 8);
    if start > 0 {
        out.push('…');
    }
    out.push_str(&String::from_utf8_lossy(&line[start..end]));
    if end < line.len() {
        out.push('…');
    }
    out
}

/// Moves `i` back to the start of a UTF-8 sequence (at most 3 bytes), so a cut does not
/// split a character of valid text.
fn char_floor(bytes: &[u8], mut i: usize) -> usize {
    for _ in 0..3 {
        if i == 0 || i >= bytes.len() || bytes[i] & 0xC0 != 0x80 {
            break;
        }
        i -= 1;
    }
    i
}

impl Matcher {
    /// Scans one file as a stream, in one pass, and returns one [`GroupedHit`] per
    /// signature of `sel` that hit, in order of first appearance. An empty selection
    /// returns at once without reading.
    pub fn scan(
        &self,
        sel: &Selection,
        reader: &mut dyn Read,
        hint: YearHint,
    ) -> io::Result<Vec<GroupedHit>> {
        match self.scan_partial(sel, reader, hint) {
            (hits, None) => Ok(hits),
            (_, Some(e)) => Err(e),
        }
    }

    /// Like [`Matcher::scan`], but a read error (a truncated gzip, a vanished file) still
    /// returns the hits found before it, with the error.
    pub fn scan_partial(
        &self,
        sel: &Selection,
        reader: &mut dyn Read,
        hint: YearHint,
    ) -> (Vec<GroupedHit>, Option<io::Error>) {
        if sel.is_empty() {
            return (Vec::new(), None);
        }
        lines::with_splitter(|s| self.scan_with(sel, reader, hint, s, &mut |_| {}, None)).into()
    }

    /// Like [`Matcher::scan_partial`], and `observe` sees every block of the stream as it is
    /// scanned (the structured checks read the same pass), and error- or fatal-level lines
    /// no signature hit go to `errors` (at most [`levels::MAX_PER_FILE`]; see
    /// [`levels`]). With an empty selection the stream is still read, for both. The
    /// result also counts the stream's lines ([`Scanned::lines`]), so nobody counts them
    /// again.
    pub fn scan_observed(
        &self,
        sel: &Selection,
        reader: &mut dyn Read,
        hint: YearHint,
        observe: &mut dyn FnMut(Block<'_>),
        errors: &mut Vec<ErrorLine>,
    ) -> Scanned {
        lines::with_splitter(|s| self.scan_with(sel, reader, hint, s, observe, Some(errors)))
    }

    /// [`Matcher::scan_partial`] with a buffer of `capacity` bytes (raised to a few times
    /// the longest literal): for tests of chunk boundaries, and for tuning.
    pub fn scan_with_capacity(
        &self,
        sel: &Selection,
        reader: &mut dyn Read,
        hint: YearHint,
        capacity: usize,
    ) -> (Vec<GroupedHit>, Option<io::Error>) {
        let mut splitter = Splitter::new(capacity);
        self.scan_with(sel, reader, hint, &mut splitter, &mut |_| {}, None)
            .into()
    }

    /// Scans bytes already in memory (one or more lines) with the same machinery.
    pub fn scan_slice(&self, sel: &Selection, data: &[u8], hint: YearHint) -> Vec<GroupedHit> {
        self.scan_bytes(sel, data, hint).hits
    }

    /// [`Matcher::scan_slice`], with the lines counted ([`Scanned::lines`]).
    pub fn scan_bytes(&self, sel: &Selection, data: &[u8], hint: YearHint) -> Scanned {
        let mut scan = Scan::new(self, sel, hint);
        scan.chunk(data);
        scan.scanned(None)
    }

    fn scan_with(
        &self,
        sel: &Selection,
        reader: &mut dyn Read,
        hint: YearHint,
        splitter: &mut Splitter,
        observe: &mut dyn FnMut(Block<'_>),
        errors: Option<&mut Vec<ErrorLine>>,
    ) -> Scanned {
        let mut scan = Scan::new(self, sel, hint);
        scan.want_errors = errors.is_some();
        let error = splitter
            .min_overlap(self.max_literal.max(16))
            .blocks(reader, |block| {
                if !sel.is_empty() || scan.want_errors {
                    scan.chunk(block.bytes);
                } else {
                    scan.line_no += count_lines(block.bytes);
                }
                observe(block);
            });
        if let Some(errors) = errors {
            errors.append(&mut scan.errors);
        }
        scan.scanned(error)
    }
}
