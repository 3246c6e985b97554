//! The token rule of running text (logs, command output): what sits in a credential
//! position, and any long random-looking token, is masked whatever name stands beside it.
//!
//! Credential positions:
//! - the values of URL query parameters that carry a signature or a bearer credential
//!   (`X-Amz-Signature`, `sig`, `code`, `access_token`, `md5` of nginx signed URLs...;
//!   [`is_credential_param`]);
//! - `Basic <base64>` anywhere;
//! - the argument of `-p`, `-w`, `-s`, `-u user:PASS` (the part after `:`), `-storepass`,
//!   `-keypass`, `-passin`, `-passout`, `--client-secret`, `--secret` on the command line
//!   of `curl`, `credhub`, `uaac`, `cf`, `bosh`, `keytool`, `openssl`, `htpasswd`, `psql`
//!   and the other programs in [`PROGRAMS`], and the password of `cf auth USER PASS`;
//! - hex-encoded audit arguments (`proctitle=`, `a1=`): decoded and judged like text.
//!
//! The entropy rule: a run of letters, digits and `+`/`=` of at least
//! [`MIN_RANDOM`](super::shape::MIN_RANDOM) bytes that [`looks_random`] is masked with
//! the `-`, `_`, `/` pieces around it (so no part of a base64url token survives), except
//! hex of a digest's length beside a digest or id name (`sha256`, `checksum`, `trace`...)
//! and `0x` addresses. UUIDs, timestamps, words and paths never look random.

use super::edit::Edit;
use super::kind::{markers_len, SecretKind};
use super::shape::{looks_random, looks_random_from};

/// Query parameters whose value is a credential (lower case; compared case-insensitively).
const CREDENTIAL_PARAMS: &[&str] = &[
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "awsaccesskeyid",
    "code",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "token",
    "key",
    "apikey",
    "api_key",
    "password",
    "passwd",
    "pass",
    "secret",
    "client_secret",
    "md5",
    "st",
    "sv_sig",
    "session",
    "sessionid",
    "auth",
];

/// Programs whose short flags carry passwords (`-p`, `-w`, `-s`, `-u user:pass`).
pub(crate) const PROGRAMS: &[&str] = &[
    "curl",
    "credhub",
    "uaac",
    "cf",
    "bosh",
    "keytool",
    "openssl",
    "htpasswd",
    "psql",
    "pg_dump",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mariadb",
    "redis-cli",
    "sshpass",
    "wget",
    "rabbitmqctl",
    "mongo",
    "mongosh",
    "ldapsearch",
    "smbclient",
];

/// Whether a query parameter name carries a credential.
pub(crate) fn is_credential_param(name: &[u8]) -> bool {
    let name = name.strip_prefix(b"amp;").unwrap_or(name);
    CREDENTIAL_PARAMS
        .iter()
        .any(|p| name.eq_ignore_ascii_case(p.as_bytes()))
}

/// Bytes of a token group: letters, digits and what base64, base64url, paths and dotted
/// names join them with.
fn is_group_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-' | b'.' | b'~')
}

/// Bytes of a piece: what stays together inside a group.
fn is_piece_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+'
}

/// Whether `line` holds anything the entropy rule would look at: a run of piece bytes
/// of at least [`MIN_RANDOM`](super::shape::MIN_RANDOM). The fast path of clean text.
pub(crate) fn has_candidate(line: &[u8]) -> bool {
    first_candidate(line).is_some()
}

/// Where the first candidate run of [`has_candidate`] starts in `text` (any number of
/// lines), or the first credential position the rule looks at.
pub(crate) fn first_candidate(text: &[u8]) -> Option<usize> {
    let mut run = 0usize;
    for (i, &b) in text.iter().enumerate() {
        if PIECE[b as usize] {
            run += 1;
            if run >= super::shape::MIN_RANDOM {
                return Some(i + 1 - run);
            }
        } else {
            run = 0;
        }
    }
    None
}

/// Longest line [`first_candidate_to_judge`] judges in the fast path; a longer one goes to
/// the stream as it is.
const MAX_FAST_LINE: usize = 4096;

/// Where the first line of `text` (whole lines) starts that the rules must see: the
/// first candidate of [`first_candidate`] whose line the rules without a trigger word
/// ([`find`] with `triggered` false: the entropy rule and hex audit arguments) would
/// change, or that is longer than [`MAX_FAST_LINE`]. A line whose candidates are all kept
/// (a trace id beside its name, a short hex id) is passed over, so a log with an id on
/// every line still takes the fast path. The caller looks for trigger words separately.
pub(crate) fn first_candidate_to_judge(text: &[u8], edits: &mut Vec<Edit>) -> Option<usize> {
    let mut from = 0;
    while from < text.len() {
        let at = from + first_candidate(&text[from..])?;
        let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i + 1);
        if end - start > MAX_FAST_LINE {
            return Some(at);
        }
        edits.clear();
        find(&text[start..end], false, 0, edits);
        if !edits.is_empty() {
            return Some(at);
        }
        from = end;
    }
    None
}

/// [`is_piece_byte`] as a table (the fast path of clean text runs it on every byte).
static PIECE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'+';
        b += 1;
    }
    t
};

/// Names beside which a long hex string is a digest or an id, not a key.
const DIGEST_NAMES: &[&[u8]] = &[
    b"sha",
    b"md5",
    b"digest",
    b"checksum",
    b"hash",
    b"etag",
    b"fingerprint",
    b"commit",
    b"sum",
    b"trace",
    b"span",
    b"blob",
    b"droplet",
    b"package",
    b"layer",
    b"object",
    b"build",
    b"git",
    b"version",
    b"request",
    b"guid",
    b"id\"",
    b"id:",
    b"id=",
    b"_id",
];

fn hex_is_digest(line: &[u8], start: usize, hex: &[u8]) -> bool {
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    if hex.len() < 32 || super::shape::is_lone_digest(line) {
        return true; // short hex: ids, span ids, addresses; a file holding one digest
    }
    if !matches!(hex.len(), 32 | 40 | 56 | 64 | 96 | 128) {
        return false;
    }
    let from = start.saturating_sub(160);
    let before = line[from..start].to_ascii_lowercase();
    let near = &before[before.len().saturating_sub(24)..];
    let secret_word = [
        &b"session"[..],
        b"csrf",
        b"cookie",
        b"secret",
        b"token",
        b"pass",
        b"auth",
        b"sig",
    ]
    .iter()
    .any(|w| memchr::memmem::find(near, w).is_some());
    !secret_word
        && DIGEST_NAMES
            .iter()
            .any(|n| memchr::memmem::find(&before, n).is_some())
}

/// Appends the edits of the token rule over one line (or piece).
/// `triggered`: the prefilter found a trigger word in the line (every credential
/// position has one); without it only the entropy rule and decoding run.
/// `public_prefix`: the line's first bytes continue a certificate's body (the entropy rule
/// leaves them).
pub(crate) fn find(line: &[u8], triggered: bool, public_prefix: usize, edits: &mut Vec<Edit>) {
    if triggered {
        query_params(line, edits);
        basic_auth(line, edits);
        cookies(line, edits);
        flags(line, edits);
    }
    if memchr::memchr(b'=', line).is_some() {
        audit_hex(line, edits);
    }
    let mut keep = public_spans(line);
    if public_prefix > 0 {
        keep.push((0, public_prefix));
    }
    keep.extend(edits.iter().map(|e| (e.start, e.end)));
    entropy_except(line, &keep, edits);
}

/// Spans whose random-looking text is public by construction: a certificate or public
/// key PEM on one line (`-----BEGIN CERTIFICATE-----\n...-----END CERTIFICATE-----`), an
/// SSH public key (`ssh-rsa AAAA...`).
fn public_spans(line: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(i) = crate::literal::find!(&line[from..], b"-----BEGIN ") {
        let at = from + i;
        let end =
            crate::literal::find!(&line[at..], b"-----END ").map_or(line.len(), |e| at + e + 9);
        if super::shape::is_public_pem(&line[at..end.min(line.len())])
            || (end == line.len() && public_header(&line[at..]))
        {
            spans.push((at, end));
        }
        from = end.max(at + 1).min(line.len());
    }
    for kind in [
        &b"ssh-rsa "[..],
        b"ssh-ed25519 ",
        b"ssh-dss ",
        b"ecdsa-sha2-",
    ] {
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&line[from..], kind) {
            let at = from + i;
            let end = at
                + line[at..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .map_or(line.len() - at, |sp| {
                        sp + 1
                            + line[at + sp + 1..]
                                .iter()
                                .take_while(|b| !b.is_ascii_whitespace() && **b != b'"')
                                .count()
                    });
            spans.push((at, end));
            from = end.max(at + 1);
        }
    }
    spans
}

/// A BEGIN line of public material (a body on the next lines, or cut off).
pub(crate) fn public_header(s: &[u8]) -> bool {
    let Some(rest) = s.strip_prefix(b"-----BEGIN ") else {
        return false;
    };
    [
        &b"CERTIFICATE-----"[..],
        b"PUBLIC KEY-----",
        b"RSA PUBLIC KEY-----",
        b"X509 CRL-----",
        b"CERTIFICATE REQUEST-----",
        b"TRUSTED CERTIFICATE-----",
    ]
    .iter()
    .any(|h| rest.starts_with(h))
}

fn push(edits: &mut Vec<Edit>, start: usize, end: usize, kind: SecretKind) {
    if end > start {
        edits.push(Edit { start, end, kind });
    }
}

/// The end of an unquoted value starting at `p`.
fn value_end(line: &[u8], p: usize) -> usize {
    p + line[p..]
        .iter()
        .take_while(|&&b| {
            !b.is_ascii_whitespace()
                && !matches!(
                    b,
                    b'&' | b'"'
                        | b'\''
                        | b'#'
                        | b'<'
                        | b'>'
                        | b','
                        | b';'
                        | b')'
                        | b']'
                        | b'}'
                        | b'\\'
                )
        })
        .count()
}

fn query_params(line: &[u8], edits: &mut Vec<Edit>) {
    for (i, &b) in line.iter().enumerate() {
        if b != b'?' && b != b'&' && b != b';' {
            continue;
        }
        let ns = i + 1;
        let ne = ns
            + line[ns..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b';'))
                .count();
        if line.get(ne) != Some(&b'=') || !is_credential_param(&line[ns..ne]) {
            continue;
        }
        let vs = ne + 1;
        let ve = value_end(line, vs);
        let v = &line[vs..ve];
        if markers_len(&line[vs..]) > 0 || v.is_empty() {
            continue;
        }
        push(edits, vs, ve, SecretKind::Token);
    }
}

fn basic_auth(line: &[u8], edits: &mut Vec<Edit>) {
    let mut from = 0;
    while let Some(i) = find_ci(&line[from..], b"basic ") {
        let at = from + i + 6;
        from = at;
        if from - 6 > 0 && line[from - 7].is_ascii_alphanumeric() {
            continue;
        }
        let vs = at + line[at..].iter().take_while(|&&b| b == b' ').count();
        let mut ve = vs
            + line[vs..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
                .count();
        let pad = line[ve..].iter().take_while(|&&b| b == b'=').count();
        if pad > 0 && !line.get(ve + pad).is_some_and(u8::is_ascii_alphanumeric) {
            ve += pad;
        }
        // Basic credentials are base64 of `user:pass`: at least 8 characters, and not the
        // name of a `name=value` pair (`cs1=Basic cs1Label=authType`).
        let pair = line.get(ve) == Some(&b'=')
            && line.get(ve + 1).is_some_and(|b| b.is_ascii_alphanumeric());
        if ve - vs >= 8
            && !pair
            && markers_len(&line[vs..]) == 0
            && line[vs..ve]
                .iter()
                .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            push(edits, vs, ve, SecretKind::Credential);
        }
    }
}

/// `Cookie:` and `Set-Cookie:` headers: every cookie value is a credential.
fn cookies(line: &[u8], edits: &mut Vec<Edit>) {
    let Some(at) = find_ci(line, b"cookie:") else {
        return;
    };
    let mut p = at + 7;
    while p < line.len() {
        let Some(eq) = line[p..].iter().position(|&b| b == b'=') else {
            return;
        };
        let vs = p + eq + 1;
        let ve = vs
            + line[vs..]
                .iter()
                .take_while(|&&b| !matches!(b, b';' | b'"' | b'\'' | b' ' | b'[' | b'\\' | b','))
                .count();
        if markers_len(&line[vs..]) == 0 {
            push(edits, vs, ve, SecretKind::Token);
        }
        match line[ve..].iter().position(|&b| b == b';') {
            Some(sc) => p = ve + sc + 1,
            None => return,
        }
    }
}

pub(crate) fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// Words of a line, with their byte spans.
fn words(line: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut p = 0;
    std::iter::from_fn(move || {
        while p < line.len() && (line[p].is_ascii_whitespace() || line[p] == 0) {
            p += 1;
        }
        if p >= line.len() {
            return None;
        }
        let s = p;
        while p < line.len() && !(line[p].is_ascii_whitespace() || line[p] == 0) {
            p += 1;
        }
        Some((s, p))
    })
}

fn strip_quotes(line: &[u8], s: usize, e: usize) -> (usize, usize) {
    let (mut s, mut e) = (s, e);
    while s < e && matches!(line[s], b'"' | b'\'') {
        s += 1;
    }
    while e > s && matches!(line[e - 1], b'"' | b'\'' | b',' | b';') {
        e -= 1;
    }
    (s, e)
}

/// A command-line word as the program saw it: an audit record's `a1="-u"` is `-u`.
fn arg(word: &[u8]) -> &[u8] {
    let mut w = word;
    if w.len() > 2 && w[0] == b'a' && w[1].is_ascii_digit() {
        if let Some(eq) = w.iter().position(|&b| b == b'=') {
            if w[1..eq].iter().all(u8::is_ascii_digit) {
                w = &w[eq + 1..];
            }
        }
    }
    let w = w.strip_prefix(b"\"").unwrap_or(w);
    w.strip_suffix(b"\"").unwrap_or(w)
}

fn program_of(word: &[u8]) -> bool {
    let word = arg(word);
    let base = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
    PROGRAMS.iter().any(|p| base == p.as_bytes())
}

fn flags(line: &[u8], edits: &mut Vec<Edit>) {
    let ws: Vec<(usize, usize)> = words(line).take(256).collect();
    let Some(first) = ws.iter().position(|&(s, e)| program_of(&line[s..e])) else {
        return;
    };
    let prog = {
        let (s, e) = ws[first];
        let w = arg(&line[s..e]);
        w.rsplit(|&b| b == b'/').next().unwrap_or(w).to_vec()
    };
    let mut i = first + 1;
    while i < ws.len() {
        let (s, e) = ws[i];
        let w = arg(&line[s..e]);
        let s = e - w.len() - usize::from(line[e - 1] == b'"');
        let next = ws.get(i + 1).copied().map(|(ns, ne)| {
            let a = arg(&line[ns..ne]);
            let end = ne - usize::from(line[ne - 1] == b'"' && a.len() < ne - ns);
            (end - a.len(), end)
        });
        if matches!(w, b"|" | b";" | b"&&" | b"||") {
            return; // the next command
        }
        let mask_next = |edits: &mut Vec<Edit>| {
            if let Some((ns, ne)) = next {
                let (ns, ne) = strip_quotes(line, ns, ne);
                // `-p 2222` after `ssh`: a port, not a password.
                let port =
                    w == b"-p" && ne - ns <= 5 && line[ns..ne].iter().all(u8::is_ascii_digit);
                let flag = line[ns] == b'-';
                if markers_len(&line[ns..]) == 0 && !port && !flag {
                    push(edits, ns, ne, SecretKind::Password);
                }
            }
        };
        match w {
            b"-p" | b"-w" | b"-s" | b"-a" | b"--password" | b"--client-secret" | b"--secret"
            | b"-storepass" | b"-keypass" | b"-srcstorepass" | b"-deststorepass" | b"--token"
            | b"--passphrase" | b"-k" | b"--key" => {
                let not_a_password =
                    (w == b"-k" && prog == b"curl") || (w == b"-s" && prog == b"credhub");
                if !not_a_password {
                    mask_next(edits);
                    i += 1;
                }
            }
            b"-u" | b"--user" | b"-U" => {
                if let Some((ns, ne)) = next {
                    if let Some(c) = line[ns..ne].iter().position(|&b| b == b':') {
                        let (_, ne) = strip_quotes(line, ns, ne);
                        if markers_len(&line[ns + c + 1..]) == 0 {
                            push(edits, ns + c + 1, ne, SecretKind::Password);
                        }
                    }
                }
                i += 1;
            }
            b"auth" if prog == b"cf" && i == first + 1 => {
                // `cf auth USER PASSWORD`
                if let Some(&(ps, pe)) = ws.get(i + 2) {
                    let (ps, pe) = strip_quotes(line, ps, pe);
                    if markers_len(&line[ps..]) == 0 {
                        push(edits, ps, pe, SecretKind::Password);
                    }
                }
                i += 2;
            }
            _ => {
                // `-passin pass:X`, `-pX` glued, `--password=X` is the key/value rule's.
                if let Some(rest) = w
                    .strip_prefix(b"-passin")
                    .or(w.strip_prefix(b"-passout"))
                    .filter(|r| r.is_empty())
                {
                    let _ = rest;
                    if let Some((ns, ne)) = next {
                        let v = &line[ns..ne];
                        let skip = v.iter().position(|&b| b == b':').map_or(0, |c| c + 1);
                        if markers_len(&line[ns + skip..]) == 0 {
                            push(edits, ns + skip, ne, SecretKind::Password);
                        }
                    }
                    i += 1;
                } else if (prog == b"mysql"
                    || prog == b"mysqldump"
                    || prog == b"mysqladmin"
                    || prog == b"mariadb")
                    && w.len() > 2
                    && w.starts_with(b"-p")
                    && markers_len(&line[s + 2..]) == 0
                {
                    push(edits, s + 2, e, SecretKind::Password);
                }
            }
        }
        i += 1;
    }
}

/// Audit records (`type=EXECVE ... a1=2D7053656372`, `proctitle=6D7973...`) carry
/// arguments hex-encoded when they hold a space or a quote: decoded, and masked whole
/// when the decoded text holds anything the rules or the entropy rule would mask.
fn audit_hex(line: &[u8], edits: &mut Vec<Edit>) {
    for (s, e) in words(line) {
        let w = &line[s..e];
        let Some(eq) = w.iter().position(|&b| b == b'=') else {
            continue;
        };
        let v = &w[eq + 1..];
        if v.len() < 8 || v.len() % 2 != 0 || !v.iter().all(u8::is_ascii_hexdigit) {
            continue;
        }
        // Only text is judged this way (a digest decodes to binary).
        let printable = v.chunks(2).all(|c| {
            let b = u8::from_str_radix(std::str::from_utf8(c).unwrap_or("00"), 16).unwrap_or(0);
            b == 0 || (0x20..0x7f).contains(&b)
        });
        if !printable {
            continue;
        }
        let decoded: Vec<u8> = v
            .chunks(2)
            .map(|c| {
                let h = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                let b = h(c[0]) << 4 | h(c[1]);
                if b == 0 {
                    b' '
                } else {
                    b
                }
            })
            .collect();
        if decoded_holds_secret(&decoded) {
            push(edits, s + eq + 1, e, SecretKind::Credential);
        }
    }
}

fn decoded_holds_secret(text: &[u8]) -> bool {
    let mut e = Vec::new();
    flags(text, &mut e);
    entropy(text, &mut e);
    query_params(text, &mut e);
    if !e.is_empty() {
        return true;
    }
    let r = super::Redactor::new_shared();
    let (out, _) = r.redact_bytes(text);
    out != text
}

fn entropy(line: &[u8], edits: &mut Vec<Edit>) {
    entropy_except(line, &[], edits);
}

/// The entropy rule over the groups of `line` that overlap none of `keep`.
fn entropy_except(line: &[u8], keep: &[(usize, usize)], edits: &mut Vec<Edit>) {
    let mut p = 0;
    while p < line.len() {
        if !is_group_byte(line[p]) {
            p += 1;
            continue;
        }
        let mut gs = p;
        while p < line.len() && is_group_byte(line[p]) {
            p += 1;
        }
        // `\nMIIB...`: the `n` of an escape is not part of the token.
        if gs > 0 && line[gs - 1] == b'\\' && matches!(line[gs], b'n' | b'r' | b't') {
            gs += 1;
        }
        if keep.iter().any(|&(s, e)| s < p && gs < e) {
            continue;
        }
        group(line, gs, p, edits);
    }
}

/// One group `gs..ge`: its random pieces, each masked with its `-`/`_`/`~` (and, outside
/// paths, `/`) neighbours.
fn group(line: &[u8], gs: usize, ge: usize, edits: &mut Vec<Edit>) {
    if ge - gs < super::shape::MIN_RANDOM {
        return;
    }
    let g = &line[gs..ge];
    let path_like = g.starts_with(b"/") || g.starts_with(b"./");
    let mut p = gs;
    while p < ge {
        if !is_piece_byte(line[p]) {
            p += 1;
            continue;
        }
        let ps = p;
        while p < ge && is_piece_byte(line[p]) {
            p += 1;
        }
        let piece = &line[ps..p];
        if !piece_is_secret(line, ps, piece) {
            continue;
        }
        // Widen over the neighbouring pieces of the same token (`-`, `_`, `~`, and `/`
        // outside paths join base64url and base64 tokens) that are not words: no part of
        // the token survives, and a key name glued to it (`/ACCESS_KEY=`) stays.
        let joins = |b: u8| matches!(b, b'-' | b'_' | b'~') || (!path_like && b == b'/');
        let absorb = |n: &[u8]| !(n.len() >= 3 && super::shape::is_enum_word(n));
        let mut s = ps;
        while s > gs && joins(line[s - 1]) {
            let ns = line[..s - 1]
                .iter()
                .rposition(|&b| !is_piece_byte(b))
                .map_or(0, |i| i + 1)
                .max(gs);
            if ns == s - 1 || !absorb(&line[ns..s - 1]) {
                break;
            }
            s = ns;
        }
        let mut e = p;
        while e < ge && joins(line[e]) {
            let ne = e
                + 1
                + line[e + 1..ge]
                    .iter()
                    .take_while(|&&b| is_piece_byte(b))
                    .count();
            if ne == e + 1 || !absorb(&line[e + 1..ne]) {
                break;
            }
            e = ne;
        }
        // Not the trailing `.` of a sentence, nor a leading `/` of a path.
        push(edits, s, e, SecretKind::HighEntropy);
        p = e;
    }
}

fn piece_is_secret(line: &[u8], start: usize, piece: &[u8]) -> bool {
    // An SSH key fingerprint (`RSA SHA256:Vq1x...`): a digest, base64.
    if line[..start].ends_with(b"SHA256:") || line[..start].ends_with(b"MD5:") {
        return false;
    }
    let bare = piece.strip_prefix(b"0x").unwrap_or(piece);
    if bare.len() != piece.len() && bare.len() <= 16 && bare.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let body = piece.trim_ascii_end();
    let body = {
        let mut b = body;
        while let Some(x) = b.strip_suffix(b"=") {
            b = x;
        }
        b
    };
    if hex_is_digest(line, start, body) {
        return false;
    }
    looks_random(body) || (body.len() >= 24 && looks_random_from(body, 24))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, normalize};

    fn run(line: &str) -> String {
        let mut e = Vec::new();
        find(line.as_bytes(), true, 0, &mut e);
        normalize(&mut e);
        let mut out = Vec::new();
        apply(line.as_bytes(), &e, &mut out);
        String::from_utf8(out).unwrap()
    }

    // Illustrative lines, written for these tests.
    #[test]
    fn credential_positions() {
        assert_eq!(
            run("GET /x?X-Amz-Signature=0a1b2c&X-Amz-Expires=300 200"),
            "GET /x?X-Amz-Signature=[REDACTED token]&X-Amz-Expires=300 200"
        );
        assert_eq!(
            run("callback?code=Yq2kL9 state=ok"),
            "callback?code=[REDACTED token] state=ok"
        );
        assert_eq!(
            run("curl -u admin:hunter2 https://x"),
            "curl -u admin:[REDACTED password] https://x"
        );
        assert_eq!(
            run("uaac token client get admin -s adminsecret"),
            "uaac token client get admin -s [REDACTED password]"
        );
        assert_eq!(
            run("cf auth admin s3cret-pw"),
            "cf auth admin [REDACTED password]"
        );
        assert_eq!(
            run("header: Basic YWRtaW46c2VjcmV0"),
            "header: Basic [REDACTED credential]"
        );
        // `mysql -pSecret` in an audit record, hex-encoded.
        let hex: String = b"mysql\0-pS3cretpw"
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        assert_eq!(
            run(&format!("type=PROCTITLE proctitle={hex}")),
            "type=PROCTITLE proctitle=[REDACTED credential]"
        );
    }

    #[test]
    fn random_tokens_are_masked_words_kept() {
        assert_eq!(
            run("issued Xk3j9qLmP0aZ2bNc8dVe to app"),
            "issued [REDACTED high_entropy] to app"
        );
        assert_eq!(
            run("key id a8Kd-2LqZ_x9Pz7QwR5tY3uV1b end"),
            "key id [REDACTED high_entropy] end"
        );
        for keep in [
            r#"{"timestamp":"1717200000.123456","source":"rep","message":"rep.executing-container-operation.succeeded","data":{"container-guid":"2f0e1c3a-9d8b-4c7a-b6e5-f4d3c2b1a098-4c7a-b6e5","session":"12.3"}}"#,
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "x_b3_traceid:\"5b8aa5a2d2c872e8321cf37308d69df2\" x_b3_spanid:\"a1b2c3d4e5f60718\"",
            "panic at 0xc000123abc in DiegoCellRepClientFactory",
            "/var/vcap/data/packages/golang/6a8b3c9d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b/bin",
            "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)",
            "Token has expired",
        ] {
            assert_eq!(run(keep), keep);
        }
    }
}
