//! Per-file redaction state: one line (or one piece of a too-long line) at a time.
//!
//! Lines are independent except for three constructs the stream remembers:
//! - a PEM private key block left open by its BEGIN line, until its END line (or the end
//!   of the file);
//! - a YAML block scalar under a secret key (`private_key: |`), until a line indented no
//!   deeper than the key;
//! - a value cut at the end of a piece of a long line, until its terminator in the next
//!   piece.
//!
//! Every line then goes through the prefilter, the rules its triggers select, and the
//! leak scan, in that order.

use super::edit::{apply, normalize, Edit};
use super::keyname::{looks_like_key_material, Strength};
use super::keyvalue::{self, BlockStart, LineCtx, Pending};
use super::kind::{ends_with_marker, is_whole_marker, SecretKind};
use super::pem;
use super::prefilter::{Family, Triggers};
use super::scan::SecretHit;
use super::structured::{self, FileKind};
use super::{logline, RedactStats, Redactor};

#[derive(Clone, Copy, Debug)]
struct PemState {
    marker_emitted: bool,
}

#[derive(Clone, Copy, Debug)]
struct Block {
    start: BlockStart,
    /// `false` while only probing (a generic `key: |` whose first line decides).
    redact: bool,
    marker_emitted: bool,
}

/// Redaction state for one file. Get one from [`Redactor::stream`], feed it every line in
/// order with [`RedactStream::line`].
pub struct RedactStream<'r> {
    r: &'r Redactor,
    /// How values are judged: by the allow-list in a structured file.
    kind: FileKind,
    /// What a structured file leaves open between lines.
    st: structured::State,
    /// A certificate or public key opened on a line already written is not closed yet:
    /// the body lines that follow are public (the entropy rule leaves them; see
    /// [`certbody`](super::certbody)).
    public_pem: bool,
    stats: RedactStats,
    at_line_start: bool,
    /// The rest of the current physical line is dropped (its start was replaced).
    drop_line: bool,
    pem: Option<PemState>,
    block: Option<Block>,
    /// A value cut at the end of the previous piece: its rest in this one is dropped.
    pending: Option<Pending>,
    trig: Triggers,
    edits: Vec<Edit>,
    tmp: Vec<u8>,
    /// Scratch for the leak scan's rounds.
    scanned: Vec<u8>,
    hits: Vec<SecretHit>,
}

/// Rounds of leak scan and rules on one line at most (each redacts what the previous one
/// left; two are enough in practice).
const MAX_SCAN_ROUNDS: usize = 4;

fn split_term(line: &[u8]) -> (&[u8], &[u8]) {
    if line.ends_with(b"\r\n") {
        line.split_at(line.len() - 2)
    } else if line.ends_with(b"\n") {
        line.split_at(line.len() - 1)
    } else {
        (line, &[])
    }
}

fn leading_ws(s: &[u8]) -> usize {
    s.iter().take_while(|b| **b == b' ' || **b == b'\t').count()
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &s[start..end]
}

impl<'r> RedactStream<'r> {
    pub(crate) fn new(r: &'r Redactor, kind: FileKind) -> RedactStream<'r> {
        RedactStream {
            r,
            kind,
            st: structured::State::default(),
            public_pem: false,
            stats: RedactStats::default(),
            at_line_start: true,
            drop_line: false,
            pem: None,
            block: None,
            pending: None,
            trig: Triggers::default(),
            edits: Vec::new(),
            tmp: Vec::new(),
            scanned: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// No multi-line state in force: a line with no trigger would be copied unchanged.
    pub(crate) fn is_idle(&self) -> bool {
        self.at_line_start
            && self.kind == FileKind::Text
            && !self.public_pem
            && !self.drop_line
            && self.pem.is_none()
            && self.block.is_none()
            && self.pending.is_none()
    }

    /// What was redacted so far in this file.
    pub fn stats(&self) -> &RedactStats {
        &self.stats
    }

    /// Redact one line (including its trailing `'\n'` if any) appending the result to `out`.
    ///
    /// A line without `'\n'` is either the last line of the file or a piece of a longer
    /// line; the next call then continues that line.
    pub fn line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        if self.kind == FileKind::Text {
            self.line_rules(line, out);
            return;
        }
        // A structured file: the rules first (their markers name what they found), then
        // the allow-list over what they left.
        let line_start = self.at_line_start;
        let from = out.len();
        self.line_rules(line, out);
        let (content, _) = split_term(&out[from..]);
        let content_end = from + content.len();
        let mut edits = std::mem::take(&mut self.edits);
        edits.clear();
        structured::line(
            self.kind,
            &mut self.st,
            &out[from..content_end],
            line_start,
            &mut edits,
        );
        if !edits.is_empty() {
            normalize(&mut edits);
            for e in &edits {
                self.count(e.kind);
            }
            let mut tmp = std::mem::take(&mut self.tmp);
            tmp.clear();
            apply(&out[from..content_end], &edits, &mut tmp);
            tmp.extend_from_slice(&out[content_end..]);
            out.truncate(from);
            out.extend_from_slice(&tmp);
            self.tmp = tmp;
        }
        self.edits = edits;
    }

    fn line_rules(&mut self, line: &[u8], out: &mut Vec<u8>) {
        let (content, term) = split_term(line);
        let line_start = self.at_line_start;
        let is_piece = term.is_empty();
        self.at_line_start = !is_piece;
        if line_start {
            self.drop_line = false;
            self.pending = None;
        } else if self.drop_line {
            return;
        }

        let mut from = 0;
        if !line_start {
            if let Some(pending) = self.pending.take() {
                from = pending_end(content, &pending);
                if from == content.len() && is_piece {
                    self.pending = Some(pending);
                }
            }
        }
        if line_start && self.block.is_some() && self.block_line(content, term, is_piece, out) {
            return;
        }
        if self.pem.is_some() {
            match self.pem_line(&content[from..], term, line_start, is_piece, out) {
                None => return,
                Some(end_at) => from += end_at,
            }
        }
        let ctx = LineCtx {
            line_start: line_start && from == 0,
            is_piece,
        };
        self.process(&content[from..], &ctx, out);
        out.extend_from_slice(term);
    }

    /// Follows public PEM blocks (certificates, public keys) over lines, on the line as
    /// written (see [`certbody`](super::certbody)).
    fn follow_public_pem(&mut self, written: &[u8]) {
        self.public_pem = super::certbody::open_after(written, self.public_pem);
    }

    /// Applies `edits` (if any) to `buf` in place, through the scratch buffer.
    fn apply_to(&mut self, buf: &mut Vec<u8>, edits: &[Edit]) {
        if edits.is_empty() {
            return;
        }
        let mut next = std::mem::take(&mut self.scanned);
        next.clear();
        apply(buf, edits, &mut next);
        self.scanned = std::mem::replace(buf, next);
    }

    fn count(&mut self, kind: SecretKind) {
        self.stats.redactions += 1;
        *self.stats.by_kind.entry(kind.as_str()).or_insert(0) += 1;
    }

    /// A line while inside a YAML block scalar. Returns whether the line was handled.
    fn block_line(
        &mut self,
        content: &[u8],
        term: &[u8],
        is_piece: bool,
        out: &mut Vec<u8>,
    ) -> bool {
        let Some(mut b) = self.block else {
            return false;
        };
        if content.iter().all(u8::is_ascii_whitespace) {
            out.extend_from_slice(content);
            out.extend_from_slice(term);
            return true;
        }
        let indent = leading_ws(content);
        if indent <= b.start.indent {
            self.block = None;
            return false;
        }
        let text = trim(content);
        if !b.redact {
            if b.start.strength == Strength::Material
                && !text.starts_with(b"-----BEGIN")
                && looks_like_key_material(text)
            {
                b.redact = true;
            } else {
                // Not key material (or a PEM block, which the PEM rule judges): lines pass.
                self.block = None;
                return false;
            }
        }
        if is_whole_marker(text) {
            out.extend_from_slice(content);
            out.extend_from_slice(term);
            b.marker_emitted = true;
        } else {
            if !b.marker_emitted {
                out.extend_from_slice(&content[..indent]);
                out.extend_from_slice(b.start.kind.marker().as_bytes());
                out.push(b'\n');
                self.count(b.start.kind);
                b.marker_emitted = true;
            }
            self.drop_line = is_piece;
        }
        self.block = Some(b);
        true
    }

    /// A line while inside a PEM private key body. Returns `None` when the line was
    /// consumed, or the offset of the END marker from which normal processing goes on.
    fn pem_line(
        &mut self,
        seg: &[u8],
        term: &[u8],
        line_start: bool,
        is_piece: bool,
        out: &mut Vec<u8>,
    ) -> Option<usize> {
        let mut st = self.pem.expect("called inside a PEM block");
        if let Some(end_at) = crate::literal::find!(seg, pem::END) {
            let lead = if line_start { leading_ws(seg) } else { 0 };
            let body_end = pem::trim_seps_end(seg, lead, end_at);
            let body = &seg[lead..body_end];
            if body.is_empty() || is_whole_marker(body) {
                out.extend_from_slice(&seg[..body_end]);
            } else {
                out.extend_from_slice(&seg[..lead]);
                if !st.marker_emitted {
                    out.extend_from_slice(SecretKind::PrivateKey.marker().as_bytes());
                    self.count(SecretKind::PrivateKey);
                }
            }
            out.extend_from_slice(&seg[body_end..end_at]);
            self.pem = None;
            return Some(end_at);
        }
        let text = trim(seg);
        if text.is_empty() || is_whole_marker(text) {
            out.extend_from_slice(seg);
            out.extend_from_slice(term);
            st.marker_emitted |= !text.is_empty();
        } else if line_start {
            if !st.marker_emitted {
                out.extend_from_slice(&seg[..leading_ws(seg)]);
                out.extend_from_slice(SecretKind::PrivateKey.marker().as_bytes());
                out.push(b'\n');
                self.count(SecretKind::PrivateKey);
                st.marker_emitted = true;
            }
            self.drop_line = is_piece;
        } else {
            // The continuation of a one-line key cut into pieces.
            if !st.marker_emitted {
                out.extend_from_slice(SecretKind::PrivateKey.marker().as_bytes());
                self.count(SecretKind::PrivateKey);
                st.marker_emitted = true;
            }
            out.extend_from_slice(term);
        }
        self.pem = Some(st);
        None
    }

    /// Rules and leak scan on a segment with no multi-line state in force.
    fn process(&mut self, seg: &[u8], ctx: &LineCtx, out: &mut Vec<u8>) {
        let r = self.r;
        r.prefilter.scan(seg, &mut self.trig);
        let in_cert = self.public_pem;
        if !self.trig.any() && !logline::has_candidate(seg) {
            out.extend_from_slice(seg);
            self.follow_public_pem(seg);
            return;
        }
        let mut edits = std::mem::take(&mut self.edits);
        edits.clear();
        let (mut pem_open, kv) = rules(r, seg, &self.trig, ctx, in_cert, &mut edits);
        if let Some(start) = kv.block {
            let redact = start.strength == Strength::Always;
            self.block = Some(Block {
                start,
                redact,
                marker_emitted: false,
            });
        }
        if let Some(p) = kv.pending {
            self.pending = Some(p);
            if pem_open == pem::Open::Continues {
                // The cut value holds the key: it is dropped up to its closing quote.
                pem_open = pem::Open::No;
            }
        }
        match pem_open {
            pem::Open::No => {}
            pem::Open::BodyFollows => {
                self.pem = Some(PemState {
                    marker_emitted: false,
                })
            }
            pem::Open::Continues => {
                self.pem = Some(PemState {
                    marker_emitted: true,
                })
            }
        }
        normalize(&mut edits);
        for e in &edits {
            self.count(e.kind);
        }
        let mut tmp = std::mem::take(&mut self.tmp);
        tmp.clear();
        apply(seg, &edits, &mut tmp);

        // The leak scan on what is about to be written. What it or the rules redact can
        // change how the rest of the line reads (a value that ran on over the next key now
        // stops at a marker, and that key comes into view), so after any change the rules
        // (edits only: the line's multi-line state is settled) and the scan run again on
        // the result, until neither changes anything: redacting the output again must
        // change nothing.
        let mut changed = !edits.is_empty();
        for _ in 0..MAX_SCAN_ROUNDS {
            self.hits.clear();
            r.scanner
                .scan(&r.prefilter, &tmp, &mut self.trig, &mut self.hits);
            let scan_clean = self.hits.is_empty();
            if !scan_clean {
                edits.clear();
                edits.extend(self.hits.iter().map(|h| Edit {
                    start: h.start,
                    end: h.end,
                    kind: h.kind,
                }));
                normalize(&mut edits);
                for e in &edits {
                    // Counted apart from the rules' redactions (by kind, with them).
                    *self.stats.by_kind.entry(e.kind.as_str()).or_insert(0) += 1;
                    self.stats.leak_scan_hits += 1;
                }
                self.apply_to(&mut tmp, &edits);
                changed = true;
            }
            if !changed {
                break;
            }
            if !scan_clean {
                // The scan's own prefilter pass saw the line before the scan's edits.
                r.prefilter.scan(&tmp, &mut self.trig);
            }
            edits.clear();
            rules(r, &tmp, &self.trig, ctx, in_cert, &mut edits);
            normalize(&mut edits);
            for e in &edits {
                self.count(e.kind);
            }
            self.apply_to(&mut tmp, &edits);
            changed = !edits.is_empty();
            if scan_clean && !changed {
                break;
            }
        }
        if ctx.is_piece && self.pending.is_none() && self.pem.is_none() {
            // A secret redacted up to the end of this piece may go on in the next one (a
            // token, a `-pX` flag, a URL password cut by the piece size): its rest there,
            // up to the end of an unquoted value, is dropped.
            if ends_with_marker(&tmp) && !ends_with_marker(seg) {
                self.pending = Some(Pending::Unquoted);
            }
        }
        out.extend_from_slice(&tmp);
        self.follow_public_pem(&tmp);
        self.tmp = tmp;
        self.edits = edits;
    }
}

/// Every rule its triggers select, on one segment: appends their edits, returns what the
/// segment does to the multi-line state (for the caller to apply or ignore).
fn rules(
    r: &Redactor,
    seg: &[u8],
    t: &Triggers,
    ctx: &LineCtx,
    in_cert: bool,
    edits: &mut Vec<Edit>,
) -> (pem::Open, keyvalue::KvOutcome) {
    let mut pem_open = pem::Open::No;
    if t.has(Family::Pem) {
        pem_open = pem::find(seg, ctx.is_piece, edits);
    }
    let mut kv = keyvalue::KvOutcome::default();
    if t.has(Family::KeyName) {
        kv = keyvalue::find(seg, &t.key_words, ctx, edits);
    }
    if t.has(Family::Url) {
        super::url::find(seg, edits);
    }
    if t.has(Family::Bearer) {
        r.tokens.bearer(seg, edits);
    }
    if t.has(Family::Jwt) {
        r.tokens.jwt(seg, edits);
    }
    if t.has(Family::Aws) {
        r.tokens.aws(seg, edits);
    }
    if t.has(Family::Cli) {
        super::cli::find(seg, edits);
    }
    // The body of a certificate opened on an earlier line is public up to its END.
    let public_prefix = if in_cert {
        super::certbody::continues(seg).map_or(0, |c| c.public_len)
    } else {
        0
    };
    logline::find(seg, t.any(), public_prefix, edits);
    (pem_open, kv)
}

/// Where a value cut at the end of the previous piece ends in this one.
fn pending_end(content: &[u8], p: &Pending) -> usize {
    match p {
        Pending::RestOfLine => content.len(),
        Pending::Unquoted => content
            .iter()
            .position(|&b| keyvalue::ends_unquoted(b))
            .unwrap_or(content.len()),
        Pending::Delimiter(d) => memchr::memmem::find(content, d).unwrap_or(content.len()),
    }
}
