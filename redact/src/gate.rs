//! The leak gate: an independent last look at every entry before it is written. It does
//! not read key names at all (the redactor's rules do): it judges every token of the
//! redacted output by its shape and its Shannon entropy, so a gap in the rules' policy is
//! not repeated here.
//!
//! Flagged:
//! - a token of at least [`MIN_TOKEN`] letters, digits, `+` and `/` with at least two
//!   digits and four letters and an entropy of at least [`MIN_BITS`] bits per character,
//!   unless it is hex (digests and ids), a UUID, or inside a certificate, public key or
//!   SSH public key;
//! - a PEM private key header followed by a body;
//! - a JWT (`eyJ...` `.` `eyJ...`), an AWS access key id (`AKIA`/`ASIA` + 16);
//! - a URL with a password (`scheme://user:pass@`) that is not a marker.
//!
//! A hit carries a kind and a line number, never the text. An entry with a hit is not
//! stored: `vcap-collect` and `vcap-analyze redact` drop it and list it in the manifest
//! (status `withheld`); `vcap-analyze scan-secrets` reports it.

use super::kind::markers_len;
use super::literal::{find, rfind};
use std::io::{self, Write};

/// The shortest token the entropy test judges.
pub const MIN_TOKEN: usize = 20;
/// Bits per character from which a token is judged random.
pub const MIN_BITS: f64 = 3.6;
/// Longest line kept whole for the gate; a longer one is judged in overlapping pieces.
const MAX_GATE_LINE: usize = 64 << 10;

/// What the gate found, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GateHit {
    /// `"high_entropy"`, `"private_key"`, `"jwt"`, `"aws_access_key"`, `"url_credentials"`.
    pub kind: &'static str,
    /// 1-based line number in the entry.
    pub line: u64,
}

/// Judges one line: the first hit's kind, if any.
pub fn scan_line(line: &[u8]) -> Option<&'static str> {
    let public = public_ranges(line);
    if let Some(i) = find!(line, b"PRIVATE KEY-----") {
        let body = &line[i + 16..];
        let body = body.trim_ascii_start();
        let body = body
            .strip_prefix(b"\\n")
            .or(body.strip_prefix(b"\\r\\n"))
            .unwrap_or(body);
        if body.len() >= 16 && markers_len(body) == 0 && !body.starts_with(b"-----") {
            let run = body
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b))
                .count();
            if run >= 16 {
                return Some("private_key");
            }
        }
    }
    if let Some(i) = find!(line, b"eyJ") {
        let rest = &line[i..];
        let seg = |s: &[u8]| {
            s.iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                .count()
        };
        let a = seg(rest);
        if a >= 8 && rest.get(a) == Some(&b'.') && rest[a + 1..].starts_with(b"eyJ") {
            return Some("jwt");
        }
    }
    let akia = |hay: &[u8]| find!(hay, b"AKIA");
    let asia = |hay: &[u8]| find!(hay, b"ASIA");
    for pre in [akia, asia] {
        let mut from = 0;
        while let Some(i) = pre(&line[from..]) {
            let at = from + i;
            let id = &line[at..];
            let n = id
                .iter()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                .count();
            let before_ok = at == 0 || !line[at - 1].is_ascii_alphanumeric();
            if n == 20 && before_ok {
                return Some("aws_access_key");
            }
            from = at + 4;
        }
    }
    let mut from = 0;
    while let Some(i) = find!(&line[from..], b"://") {
        let at = from + i + 3;
        let auth: &[u8] = {
            let rest = &line[at..];
            let end = rest
                .iter()
                .position(|b| b.is_ascii_whitespace() || b"/?#\"'<>".contains(b))
                .unwrap_or(rest.len());
            &rest[..end]
        };
        if let Some(a) = auth.iter().rposition(|&b| b == b'@') {
            if let Some(c) = auth[..a].iter().position(|&b| b == b':') {
                let pw = &auth[c + 1..a];
                if !pw.is_empty() && markers_len(pw) != pw.len() && !pw.starts_with(b"((") {
                    return Some("url_credentials");
                }
            }
        }
        from = at;
    }
    // Runs of token bytes, by table (one load and branch per byte: this loop sees every
    // byte stored).
    let judge = |s: usize, p: usize| {
        !public.iter().any(|&(a, b)| a <= s && p <= b)
            && !line[..s].ends_with(b"SHA256:")
            && random_token(&line[s..p])
    };
    let mut run = 0;
    for (p, &b) in line.iter().enumerate() {
        if TOKEN[b as usize] {
            run += 1;
        } else {
            if run >= MIN_TOKEN && judge(p - run, p) {
                return Some("high_entropy");
            }
            run = 0;
        }
    }
    if run >= MIN_TOKEN && judge(line.len() - run, line.len()) {
        return Some("high_entropy");
    }
    None
}

/// Token bytes: letters, digits, `+` and `/`.
static TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
        b += 1;
    }
    t
};

/// Shannon entropy and character mix of one token.
fn random_token(t: &[u8]) -> bool {
    // `/` separates path segments as well as being base64: each segment is judged, and
    // the whole only when no segment reads as a word (`0a1b2c/droplets` is a path).
    if t.contains(&b'/') {
        if t.split(|&b| b == b'/')
            .any(|seg| seg.len() >= MIN_TOKEN && random_token(seg))
        {
            return true;
        }
        let wordy = t
            .split(|&b| b == b'/')
            .any(|seg| seg.len() >= 3 && seg.iter().all(u8::is_ascii_alphabetic));
        let all_hex = t
            .split(|&b| b == b'/')
            .all(|seg| seg.iter().all(u8::is_ascii_hexdigit));
        if wordy || all_hex || t.starts_with(b"/") {
            return false;
        }
    }
    if t.iter().all(u8::is_ascii_hexdigit) {
        return false; // digests, ids, addresses
    }
    let digits = t.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = t.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if digits < 2 || letters < 4 {
        return false;
    }
    let mut counts = [0u32; 256];
    for &b in t {
        counts[b as usize] += 1;
    }
    let n = t.len() as f64;
    let bits: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    bits >= MIN_BITS
}

/// Certificates, public keys and SSH public keys on a line: public by construction.
fn public_ranges(line: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = find!(&line[from..], b"-----BEGIN ") {
        let at = from + i;
        let end = find!(&line[at..], b"-----END ").map_or(line.len(), |e| at + e);
        if find!(&line[at..end.min(at + 40)], b"PRIVATE").is_none() {
            out.push((at, end));
        }
        from = end.max(at + 1);
    }
    let rsa = |hay: &[u8]| find!(hay, b"ssh-rsa AAAA").map(|i| (i, 12));
    let ed = |hay: &[u8]| find!(hay, b"ssh-ed25519 AAAA").map(|i| (i, 16));
    let ecdsa = |hay: &[u8]| find!(hay, b"ecdsa-sha2-").map(|i| (i, 11));
    for kind in [rsa, ed, ecdsa] {
        if let Some((i, kind_len)) = kind(line) {
            let end = line[i..]
                .iter()
                .enumerate()
                .skip(kind_len)
                .find(|(_, b)| b.is_ascii_whitespace() || **b == b'"')
                .map_or(line.len(), |(j, _)| i + j);
            out.push((i, end));
        }
    }
    out
}

/// Judges everything `r` yields (a stored entry read back): the first hit and the number
/// of lines with one.
pub fn check_reader<R: io::Read>(mut r: R) -> io::Result<(Option<GateHit>, u64)> {
    let mut g = GateWriter::new(io::sink());
    io::copy(&mut r, &mut g)?;
    let (_, first, hits) = g.finish();
    Ok((first, hits))
}

/// A writer that passes everything through and judges each line on the way: what
/// `vcap-collect` and `vcap-analyze redact` write every entry through. Memory: one line
/// (at most `MAX_GATE_LINE`, longer lines are judged in pieces).
pub struct GateWriter<W> {
    inner: W,
    line: Vec<u8>,
    line_no: u64,
    lines: LineGate,
    first: Option<GateHit>,
    hits: u64,
}

impl<W: Write> GateWriter<W> {
    pub fn new(inner: W) -> Self {
        GateWriter {
            inner,
            line: Vec::new(),
            line_no: 0,
            lines: LineGate::default(),
            first: None,
            hits: 0,
        }
    }

    /// The first hit, after everything was written (call [`GateWriter::finish`] first).
    pub fn first_hit(&self) -> Option<GateHit> {
        self.first
    }

    /// Lines with a hit.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Judges the last line (without a newline) and returns the inner writer.
    pub fn finish(mut self) -> (W, Option<GateHit>, u64) {
        if !self.line.is_empty() {
            self.judge();
        }
        (self.inner, self.first, self.hits)
    }

    fn judge(&mut self) {
        self.line_no += 1;
        if let Some(kind) = self.lines.line(&self.line) {
            self.hits += 1;
            self.first.get_or_insert(GateHit {
                kind,
                line: self.line_no,
            });
        }
        self.line.clear();
    }
}

/// The gate over the lines of one file, in order: [`scan_line`] plus the one state it
/// needs, the body of a multi-line certificate or public key (public, not judged).
#[derive(Default)]
pub struct LineGate {
    public_block: bool,
    /// Inside a private key's body: one hit for the block, at its first body line.
    private_block: Option<bool>,
}

impl LineGate {
    /// Judges the next line of the file (with or without its newline).
    pub fn line(&mut self, line: &[u8]) -> Option<&'static str> {
        let t = line.trim_ascii();
        let was_public = self.public_block;
        let was_private = self.private_block;
        if let Some(b) = rfind!(t, b"-----BEGIN ") {
            let closed = find!(&t[b..], b"-----END ").is_some();
            let private = find!(&t[b..(b + 40).min(t.len())], b"PRIVATE").is_some();
            self.public_block = !private && !closed;
            self.private_block = (private && !closed).then_some(false);
        } else if find!(t, b"-----END ").is_some() {
            self.public_block = false;
            self.private_block = None;
        }
        if t.starts_with(b"-----") {
            return scan_line(line);
        }
        match was_private {
            Some(reported) if !t.is_empty() && markers_len(t) != t.len() => {
                if self.private_block.is_some() {
                    self.private_block = Some(true);
                }
                (!reported).then_some("private_key")
            }
            Some(_) => None,
            None if was_public => None,
            None => scan_line(line),
        }
    }
}

impl<W: Write> Write for GateWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            match memchr::memchr(b'\n', rest) {
                Some(i) => {
                    self.line.extend_from_slice(&rest[..i]);
                    self.judge();
                    rest = &rest[i + 1..];
                }
                None => {
                    self.line.extend_from_slice(rest);
                    if self.line.len() > MAX_GATE_LINE {
                        // Judge what we have and keep an overlap, so a token across the
                        // cut is still seen whole once.
                        let keep = self.line.split_off(self.line.len() - 256);
                        if let Some(kind) = scan_line(&self.line) {
                            self.hits += 1;
                            self.first.get_or_insert(GateHit {
                                kind,
                                line: self.line_no + 1,
                            });
                        }
                        self.line = keep;
                    }
                    rest = &[];
                }
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Illustrative lines, written for these tests.
    #[test]
    fn flags_shapes_and_random_tokens() {
        for (l, k) in [
            ("token issued Xk3j9qLmP0aZ2bNc8dVe7 ok", "high_entropy"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEAfakefake",
                "private_key",
            ),
            ("a eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig", "jwt"),
            ("id AKIAABCDEFGHIJKLMNOP", "aws_access_key"),
            ("nats://nats:pw123@10.0.0.1:4222", "url_credentials"),
        ] {
            assert_eq!(scan_line(l.as_bytes()), Some(k), "{l}");
        }
    }

    #[test]
    fn redacted_and_ordinary_lines_pass() {
        for l in [
            "password: [REDACTED password]",
            "nats://nats:[REDACTED url_credentials]@10.0.0.1:4222",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            r#"{"timestamp":"1717200000.123456","source":"rep","message":"rep.auction-cell.succeeded","data":{"guid":"2f0e1c3a-9d8b-4c7a-b6e5-f4d3c2b1a098"}}"#,
            "/var/vcap/data/packages/golang-1.22-linux/bin/go",
            "-----BEGIN CERTIFICATE-----\\nMIIDXTCCAkWgAwIBAgIJAKLfake0Zq8rT2mW\\n-----END CERTIFICATE-----",
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7x me@host",
            "DiegoCellRepClientFactory started",
            "Token has expired",
        ] {
            assert_eq!(scan_line(l.as_bytes()), None, "{l}");
        }
    }

    #[test]
    fn writer_passes_bytes_and_reports_the_first_hit() {
        let text = b"ok line\n-----BEGIN CERTIFICATE-----\nMIIDXTCCAkWgAwIBAgIJAKLfake0Zq8rT2mW9x\n-----END CERTIFICATE-----\nsecret Xk3j9qLmP0aZ2bNc8dVe7\n";
        let mut w = GateWriter::new(Vec::new());
        w.write_all(text).unwrap();
        let (out, first, hits) = w.finish();
        assert_eq!(out, text);
        assert_eq!(
            first,
            Some(GateHit {
                kind: "high_entropy",
                line: 5
            })
        );
        assert_eq!(hits, 1);
    }
}
