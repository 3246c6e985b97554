//! Masking for tickets: host names, IP addresses and user names replaced by tokens that are
//! the same for the same name everywhere in one run (every file, every bundle), so a
//! masked bundle still says "the same host" where the original did, without saying which.
//!
//! This is not redaction (secrets are gone for good; see the crate docs): it is the
//! `sos clean` / troubleshoot redaction-map idea, for customers who may not show their
//! network and staff in a ticket. The map from names to tokens ([`MaskMap`]) stays on the
//! operator's machine (mode 0600, never written into a bundle); passing it back keeps the
//! tokens of earlier runs.
//!
//! What is found, and what is kept, is `detect.rs`'s; the tokens and the map file are
//! `map.rs`'s. On top of the shapes and positions, a name learned once (a user from
//! `/home/jdoe`, a short host from `hostname: cell-07`, three characters or more) is masked
//! wherever it stands as a word in later lines and files of the run.
//!
//! # Not promised
//! - A short host or user name seen only in free text, or before the line that teaches it
//!   (it is masked from there on, and everywhere in a second run with the same map).
//! - Host names whose last label is not a known top-level domain (`db.acme`, `foo.lab`).
//! - Names in binary files (they are not copied at all) and in the output file's own name.

mod detect;
mod map;

pub use map::MaskMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use detect::{Detector, Found, What};
use map::Class;
use std::io::{self, Write};
use std::sync::Mutex;

/// Which classes `--mask` replaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaskSpec {
    pub hosts: bool,
    pub ips: bool,
    pub users: bool,
}

impl std::str::FromStr for MaskSpec {
    type Err = String;

    /// `hosts,ips,users` in any order and subset; `all` for the three.
    fn from_str(s: &str) -> Result<MaskSpec, String> {
        let mut spec = MaskSpec::default();
        for word in s.split(',').map(str::trim) {
            match word {
                "hosts" | "host" => spec.hosts = true,
                "ips" | "ip" => spec.ips = true,
                "users" | "user" => spec.users = true,
                "all" => {
                    spec = MaskSpec {
                        hosts: true,
                        ips: true,
                        users: true,
                    }
                }
                other => {
                    return Err(format!(
                        "unknown mask class `{other}` (expected hosts, ips, users or all)"
                    ))
                }
            }
        }
        Ok(spec)
    }
}

/// The masking engine for one run: detection rules compiled once, one map shared by every
/// file and bundle of the run (and by threads: the map sits behind a lock).
pub struct Masker {
    spec: MaskSpec,
    detector: Detector,
    state: Mutex<State>,
}

struct State {
    map: MaskMap,
    /// Learned short hosts and users (original, token), and an automaton over them.
    words: Vec<(String, String)>,
    automaton: Option<AhoCorasick>,
    /// Words learned since the automaton was built.
    stale: bool,
    replaced: u64,
}

/// The shortest learned name masked wherever it stands as a word.
const MIN_WORD: usize = 3;
/// Longest line masked whole by [`MaskWriter`]; a longer one is cut between names.
const MAX_LINE: usize = 1 << 20;

impl Masker {
    /// A masker over `map` (empty, or loaded from an earlier run).
    pub fn new(spec: MaskSpec, map: MaskMap) -> Masker {
        let mut words = Vec::new();
        for (class, table) in [(Class::Host, &map.hosts), (Class::User, &map.users)] {
            for (k, v) in table {
                if !k.contains('.') && k.len() >= MIN_WORD && wanted(spec, class) {
                    words.push((k.clone(), v.clone()));
                }
            }
        }
        Masker {
            spec,
            detector: Detector::new(),
            state: Mutex::new(State {
                map,
                stale: !words.is_empty(),
                words,
                automaton: None,
                replaced: 0,
            }),
        }
    }

    /// The map as it stands (to save when the run is over).
    pub fn map(&self) -> MaskMap {
        self.lock().map.clone()
    }

    /// Names replaced so far.
    pub fn replaced(&self) -> u64 {
        self.lock().replaced
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // a panic elsewhere cannot leave the map half-written: each insert is whole
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `line` to `out` with every name of the spec's classes replaced.
    pub fn mask_line(&self, line: &[u8], out: &mut Vec<u8>) {
        let mut found = Vec::new();
        self.detector.find(line, &mut found);
        found.retain(|f| wanted(self.spec, class_of(&f.what)));
        let mut state = self.lock();
        let mut edits: Vec<(usize, usize, String)> = found
            .into_iter()
            .map(|f| {
                let token = state.token(&f);
                (f.start, f.end, token)
            })
            .collect();
        state.learned_words(line, &mut edits);
        state.replaced += apply(line, &mut edits, out);
    }

    /// [`Masker::mask_line`] over text of several lines.
    pub fn mask_bytes(&self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len());
        for line in input.split_inclusive(|&b| b == b'\n') {
            self.mask_line(line, &mut out);
        }
        out
    }
}

fn wanted(spec: MaskSpec, class: Class) -> bool {
    match class {
        Class::Host | Class::Domain => spec.hosts,
        Class::Ipv4 | Class::Ipv6 => spec.ips,
        Class::User => spec.users,
    }
}

fn class_of(what: &What) -> Class {
    match what {
        What::Ipv4(_) => Class::Ipv4,
        What::Ipv6(_) => Class::Ipv6,
        What::Fqdn(_) | What::Host(_) => Class::Host,
        What::User(_) => Class::User,
    }
}

impl State {
    fn token(&mut self, f: &Found) -> String {
        match &f.what {
            What::Ipv4(ip) => self.map.token(Class::Ipv4, &ip.to_string()).0,
            What::Ipv6(ip) => self.map.token(Class::Ipv6, &ip.to_string()).0,
            What::Fqdn(name) => match name.split_once('.') {
                // `example.com`: a domain
                Some((_, rest)) if !rest.contains('.') => self.map.token(Class::Domain, name).0,
                Some((_, domain)) => {
                    let host = self.map.token(Class::Host, name).0;
                    let domain = self.map.token(Class::Domain, domain).0;
                    format!("{host}.{domain}")
                }
                None => self.map.token(Class::Host, name).0,
            },
            What::Host(name) => self.learn(Class::Host, name),
            What::User(name) => self.learn(Class::User, name),
        }
    }

    /// A short host or user token; a new name of [`MIN_WORD`] or more is masked as a word
    /// from now on.
    fn learn(&mut self, class: Class, name: &str) -> String {
        let (token, new) = self.map.token(class, name);
        if new && name.len() >= MIN_WORD {
            self.words.push((name.to_string(), token.clone()));
            self.stale = true;
        }
        token
    }

    /// Edits for learned names standing as words in `line`.
    fn learned_words(&mut self, line: &[u8], edits: &mut Vec<(usize, usize, String)>) {
        if self.stale {
            self.automaton = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(self.words.iter().map(|(k, _)| k))
                .ok();
            self.stale = false;
        }
        let Some(ac) = &self.automaton else { return };
        let part = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        for m in ac.find_iter(line) {
            let before = m.start().checked_sub(1).map(|i| line[i]);
            let after = line.get(m.end()).copied();
            if before.is_some_and(part) || after.is_some_and(part) {
                continue;
            }
            let token = self.words[m.pattern().as_usize()].1.clone();
            edits.push((m.start(), m.end(), token));
        }
    }
}

/// Writes `line` with the edits (sorted here; of overlapping ones the first kept) applied.
/// Returns how many were applied.
fn apply(line: &[u8], edits: &mut [(usize, usize, String)], out: &mut Vec<u8>) -> u64 {
    edits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut pos = 0;
    let mut n = 0;
    for (start, end, token) in edits.iter() {
        if *start < pos {
            continue;
        }
        out.extend_from_slice(&line[pos..*start]);
        out.extend_from_slice(token.as_bytes());
        pos = *end;
        n += 1;
    }
    out.extend_from_slice(&line[pos..]);
    n
}

/// A writer that masks what goes through it line by line before passing it on; with no
/// masker it passes everything through untouched. Call [`MaskWriter::finish`] at the end
/// (the last line may have no newline).
pub struct MaskWriter<'m, W: Write> {
    masker: Option<&'m Masker>,
    inner: W,
    line: Vec<u8>,
    out: Vec<u8>,
}

impl<'m, W: Write> MaskWriter<'m, W> {
    pub fn new(masker: Option<&'m Masker>, inner: W) -> Self {
        MaskWriter {
            masker,
            inner,
            line: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Masks and writes `self.line[..end]`, keeping the rest.
    fn emit(&mut self, masker: &Masker, end: usize) -> io::Result<()> {
        self.out.clear();
        masker.mask_line(&self.line[..end], &mut self.out);
        self.line.drain(..end);
        self.inner.write_all(&self.out)
    }

    /// Writes the last (unterminated) line and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(m) = self.masker {
            if !self.line.is_empty() {
                self.emit(m, self.line.len())?;
            }
        }
        Ok(self.inner)
    }
}

impl<W: Write> Write for MaskWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(m) = self.masker else {
            return self.inner.write(buf);
        };
        self.line.extend_from_slice(buf);
        while let Some(nl) = memchr::memchr(b'\n', &self.line) {
            self.emit(m, nl + 1)?;
        }
        if self.line.len() > MAX_LINE {
            // cut after the last byte that cannot be part of a name or address
            let cut = self
                .line
                .iter()
                .rposition(|b| !(b.is_ascii_alphanumeric() || b".-_:@[]".contains(b)))
                .map_or(self.line.len(), |i| i + 1);
            self.emit(m, cut)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
