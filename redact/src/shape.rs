//! Shapes: what a value provably is (the allow-list of structured files), and what a
//! token looks like when it is random (the entropy rule of logs and the leak gate).
//!
//! The allow-list ([`is_safe_value`]) answers one question: is this string *provably* not
//! a secret by its shape alone? Host names, IP addresses, ports, URLs and DSNs without
//! credentials, paths, durations, sizes, numbers, booleans, enum-like words, UUIDs,
//! versions, timestamps, public certificates and public keys, placeholders. Anything
//! else is unknown, and unknown is masked.
//!
//! [`looks_random`] is the other side: a long token whose characters switch class (lower,
//! upper, digit) too often, with too many distinct characters, to be a word, a name or
//! an identifier made of words.

use super::keyname::is_exempt_value;
use super::kind::{is_whole_marker, marker_len, MARKER_PREFIX};

/// The shortest token [`looks_random`] judges: below this, words and random strings
/// cannot be told apart by their characters.
pub(crate) const MIN_RANDOM: usize = 16;

/// Whether a scalar value (unquoted, without delimiters) is of a shape that is never a
/// secret. `false` means unknown, not secret.
pub(crate) fn is_safe_value(v: &[u8]) -> bool {
    let v = trim_ws(v);
    if v.is_empty() || is_whole_marker(v) || is_exempt_value(v) {
        return true;
    }
    if memchr::memmem::find(v, MARKER_PREFIX.as_bytes()).is_some() {
        // What the rules already redacted is gone: the rest is judged around it.
        let rest = without_markers(v);
        return rest != v && is_safe_value(&rest);
    }
    if v.len() > 4096 {
        return is_public_pem(v);
    }
    if is_public_pem(v) || is_public_ssh_key(v) {
        return true;
    }
    if v.contains(&b' ') || v.contains(&b'\t') {
        return list_of(v, b',', true);
    }
    if v.contains(&b',') {
        return list_of(v, b',', false);
    }
    is_safe_atom(v)
}

/// Values a key name vouches for: prose under a text key (`hint`, `description`), ids
/// and names under `*_id`/`*_name`/`bucket`/`region` keys, hex digests under digest keys
/// and sha1 content hashes under `*_key`. Never a value that holds a random token.
pub(crate) fn is_safe_under(key: &[u8], v: &[u8]) -> bool {
    if key.is_empty() {
        return false;
    }
    let key = key.trim_ascii();
    let key = key.strip_prefix(b"\"").unwrap_or(key);
    let key = key.strip_suffix(b"\"").unwrap_or(key);
    let k = key.to_ascii_lowercase();
    let last = k
        .rsplit(|b| matches!(b, b'.' | b'_' | b'-'))
        .next()
        .unwrap_or(&k);
    if super::keyname::classify_key(key)
        .is_some_and(|c| c.strength != super::keyname::Strength::Material)
    {
        return false; // a secret name: its rule decides
    }
    let random_inside = v
        .split(|b| !b.is_ascii_alphanumeric() && *b != b'+')
        .any(|p| looks_random_from(p, 10));
    if random_inside {
        let hex = v.iter().all(u8::is_ascii_hexdigit);
        let digest_key = [
            &b"sha"[..],
            b"digest",
            b"checksum",
            b"hash",
            b"fingerprint",
            b"etag",
        ]
        .iter()
        .any(|w| memchr::memmem::find(&k, w).is_some());
        let content_key = [
            &b"directory"[..],
            b"bucket",
            b"blob",
            b"droplet",
            b"package",
            b"buildpack",
            b"resource",
        ]
        .iter()
        .any(|w| memchr::memmem::find(&k, w).is_some());
        return hex
            && ((content_key && v.len() == 40)
                || (digest_key && matches!(v.len(), 32 | 40 | 64 | 128)));
    }
    const PROSE: &[&[u8]] = &[
        b"hint",
        b"message",
        b"msg",
        b"description",
        b"desc",
        b"label",
        b"title",
        b"text",
        b"prompt",
        b"help",
        b"comment",
        b"banner",
        b"greeting",
        b"summary",
        b"subject",
        b"reason",
        b"realm",
        b"agent",
        b"basic",
    ];
    if PROSE.contains(&last) {
        return v
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b" .,!?'()-/:;&".contains(b));
    }
    const ID: &[&[u8]] = &[
        b"id",
        b"name",
        b"bucket",
        b"region",
        b"fingerprint",
        b"user",
        b"username",
        b"login",
        b"zone",
        b"az",
        b"domain",
        b"email",
    ];
    let single = !v.iter().any(u8::is_ascii_whitespace);
    (ID.contains(&last)
        || last.ends_with(b"id")
        || k.ends_with(b"directory_key")
        || k.ends_with(b"bucket_name"))
        && single
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._:/@-".contains(b))
        || is_colon_hex(v)
}

/// A line that is one hex digest of a digest's length and nothing else (the content of
/// `/var/vcap/bosh/etc/stemcell_git_sha1`): a file holding a digest.
pub(crate) fn is_lone_digest(line: &[u8]) -> bool {
    let t = trim_ws(line);
    matches!(t.len(), 40 | 64) && t.iter().all(u8::is_ascii_hexdigit)
}

/// `a6:d1:08:0b:...`: a fingerprint or a MAC address.
fn is_colon_hex(v: &[u8]) -> bool {
    v.len() >= 11
        && v.split(|&b| b == b':')
            .all(|p| p.len() == 2 && p.iter().all(u8::is_ascii_hexdigit))
}

/// What a complete marker stands for when the text around it is judged.
const REDACTED_PLACEHOLDER: &[u8] = b"((redacted))";

/// `v` with every complete marker replaced by [`REDACTED_PLACEHOLDER`].
fn without_markers(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        let n = marker_len(&v[i..]);
        if n > 0 {
            out.extend_from_slice(REDACTED_PLACEHOLDER);
            i += n;
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    out
}

/// One value with no white space and no comma.
fn is_safe_atom(v: &[u8]) -> bool {
    is_relative_path(v)
        || is_colon_hex(v)
        || is_bucket_name(v)
        || is_host_pattern(v)
        || is_number(v)
        || is_bool_word(v)
        || is_size_or_duration(v)
        || is_uuid(v)
        || is_timestamp(v)
        || is_ip(v)
        || is_version(v)
        || is_url_without_credentials(v)
        || is_dsn_without_credentials(v)
        || is_path(v)
        || is_host_port(v)
        || is_enum_word(v)
        || is_cipher_list(v)
}

/// `a,b,c` (or `a, b` when `spaces`): every item safe. A sentence is not a list.
fn list_of(v: &[u8], sep: u8, spaces: bool) -> bool {
    let mut n = 0;
    for item in v.split(|&b| b == sep) {
        let item = trim_ws(item);
        if item.is_empty() {
            continue;
        }
        if item.contains(&b' ') || item.contains(&b'\t') {
            return false;
        }
        n += 1;
        if !is_safe_atom(item) {
            return false;
        }
    }
    // `a b` without commas is running text (a passphrase reads like that).
    n > 0 && (!spaces || v.contains(&b','))
}

pub(crate) fn trim_ws(s: &[u8]) -> &[u8] {
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

pub(crate) fn is_number(v: &[u8]) -> bool {
    let v = v.strip_prefix(b"-").or(v.strip_prefix(b"+")).unwrap_or(v);
    if v.is_empty() || v.len() > 24 {
        return false;
    }
    if let Some(h) = v.strip_prefix(b"0x").or(v.strip_prefix(b"0o")) {
        return !h.is_empty() && h.len() <= 16 && h.iter().all(u8::is_ascii_hexdigit);
    }
    let mut digits = 0;
    let mut dots = 0;
    for (i, &b) in v.iter().enumerate() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => dots += 1,
            b'_' => {}
            b'e' | b'E' if i > 0 && digits > 0 => {}
            b'-' | b'+' if i > 0 && matches!(v[i - 1], b'e' | b'E') => {}
            _ => return false,
        }
    }
    digits > 0 && dots <= 1
}

fn is_bool_word(v: &[u8]) -> bool {
    [
        &b"yes"[..],
        b"no",
        b"on",
        b"off",
        b"y",
        b"n",
        b"none",
        b"nil",
        b"null",
    ]
    .iter()
    .any(|w| v.eq_ignore_ascii_case(w))
}

/// `64MB`, `512MiB`, `1g`, `30s`, `1h30m`, `100ms`, `5min`, `P1D`, `PT5M`.
fn is_size_or_duration(v: &[u8]) -> bool {
    if v.len() > 20 || !v.first().is_some_and(u8::is_ascii_digit) {
        return v.len() > 1
            && (v.starts_with(b"P") || v.starts_with(b"PT"))
            && v[1..]
                .iter()
                .all(|b| b.is_ascii_digit() || b"TYMWDHS.".contains(b));
    }
    const UNITS: &[&[u8]] = &[
        b"b", b"k", b"kb", b"kib", b"m", b"mb", b"mib", b"g", b"gb", b"gib", b"t", b"tb", b"tib",
        b"ns", b"us", b"ms", b"s", b"sec", b"secs", b"second", b"seconds", b"min", b"mins",
        b"minute", b"minutes", b"h", b"hr", b"hrs", b"hour", b"hours", b"d", b"day", b"days", b"w",
        b"week", b"weeks", b"y", b"kbps", b"mbps", b"gbps", b"%",
    ];
    // Runs of <number><unit>, as Go durations chain them (`1h30m`).
    let mut p = 0;
    let mut runs = 0;
    while p < v.len() {
        let ds = p;
        while p < v.len() && (v[p].is_ascii_digit() || v[p] == b'.') {
            p += 1;
        }
        if p == ds {
            return false;
        }
        let us = p;
        while p < v.len() && (v[p].is_ascii_alphabetic() || v[p] == b'%') {
            p += 1;
        }
        let unit = v[us..p].to_ascii_lowercase();
        if !UNITS.contains(&unit.as_slice()) {
            return false;
        }
        runs += 1;
    }
    runs > 0
}

pub(crate) fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, &b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// `2024-06-01`, `2024-06-01T12:00:00.123Z`, `2024-06-01 12:00:00+00:00`.
pub(crate) fn is_timestamp(v: &[u8]) -> bool {
    v.len() >= 10
        && v.len() <= 40
        && v[..4].iter().all(u8::is_ascii_digit)
        && v[4] == b'-'
        && v[5..7].iter().all(u8::is_ascii_digit)
        && v[7] == b'-'
        && v[8..10].iter().all(u8::is_ascii_digit)
        && v[10..]
            .iter()
            .all(|b| b.is_ascii_digit() || b"T:.Z+- ".contains(b))
}

/// IPv4 (optionally `/cidr`, `:port`) or IPv6 (hex groups and colons, optionally `/cidr`
/// or in brackets with a port).
pub(crate) fn is_ip(v: &[u8]) -> bool {
    let v = v.strip_prefix(b"[").unwrap_or(v);
    let (addr, _) = split_suffix(v);
    if addr.is_empty() {
        return false;
    }
    let dots = addr.iter().filter(|&&b| b == b'.').count();
    if dots == 3 && addr.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        return addr
            .split(|&b| b == b'.')
            .all(|o| !o.is_empty() && o.len() <= 3);
    }
    let colons = v.iter().filter(|&&b| b == b':').count();
    let v6 = v.split(|&b| b == b'/').next().unwrap_or(v);
    let v6 = v6.split(|&b| b == b']').next().unwrap_or(v6);
    colons >= 2
        && v6.len() <= 45
        && v6
            .iter()
            .all(|b| b.is_ascii_hexdigit() || *b == b':' || *b == b'.')
}

/// Splits `addr[:port][/cidr]` into the address and whether a valid suffix was there.
fn split_suffix(v: &[u8]) -> (&[u8], bool) {
    let mut addr = v;
    if let Some(i) = addr.iter().position(|&b| b == b'/') {
        if !addr[i + 1..].iter().all(u8::is_ascii_digit) || addr.len() == i + 1 {
            return (&[], false);
        }
        addr = &addr[..i];
    }
    let addr = addr.strip_suffix(b"]").unwrap_or(addr);
    if addr.iter().filter(|&&b| b == b':').count() == 1 {
        let i = addr.iter().position(|&b| b == b':').expect("one colon");
        if addr[i + 1..].iter().all(u8::is_ascii_digit) && addr.len() > i + 1 {
            return (&addr[..i], true);
        }
        return (&[], false);
    }
    (addr, false)
}

/// Bucket and directory names: `cc-droplets-6e2f1a`, `cf-prod-bosh-blobs` (lower case,
/// `-` or `.` between parts, at least one a word of three letters, nothing random).
pub(crate) fn is_bucket_name(v: &[u8]) -> bool {
    (3..=63).contains(&v.len())
        && v.iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.')
        && (v.contains(&b'-') || v.contains(&b'.'))
        && v.split(|b| *b == b'-' || *b == b'.')
            .any(|p| p.len() >= 3 && p.iter().all(u8::is_ascii_lowercase) && pronounceable(p))
        && !v
            .split(|b| *b == b'-' || *b == b'.')
            .any(|p| looks_random_from(p, 8))
}

/// `bosh/0`, `diego_cell/2f0e...`, `cc-droplets/ab/cd`: names, numbers and UUIDs
/// joined by `/`.
fn is_relative_path(v: &[u8]) -> bool {
    v.contains(&b'/')
        && !v.starts_with(b"/")
        && v.split(|&b| b == b'/').all(|p| {
            !p.is_empty() && (is_enum_word(p) || is_number(p) || is_uuid(p) || is_bucket_name(p))
        })
}

/// SQL and grant host patterns: `%`, `*`, `10.0.%`, `%.internal`.
fn is_host_pattern(v: &[u8]) -> bool {
    if v == b"%" || v == b"*" {
        return true;
    }
    (v.contains(&b'%') || v.contains(&b'*'))
        && v.len() <= 253
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"%*.-_:".contains(b))
        && v.split(|b| b"%*.-_:".contains(b))
            .all(|p| p.is_empty() || is_word_segment(p))
}

/// `1.2.3`, `v1.2.3-rc.1+build.5`, `3.0`, `TLSv1.2`.
fn is_version(v: &[u8]) -> bool {
    let v = v.strip_prefix(b"v").unwrap_or(v);
    let core = v
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    if core == 0 || !v[..core].contains(&b'.') {
        return false;
    }
    let rest = &v[core..];
    rest.is_empty()
        || (matches!(rest[0], b'-' | b'+')
            && rest[1..]
                .split(|&b| matches!(b, b'.' | b'-' | b'+'))
                .all(|p| is_number(p) || is_word_segment(p)))
}

/// A host name (`uaa.service.cf.internal`, `*.example.com`, `localhost`) with an
/// optional `:port`.
fn is_host_port(v: &[u8]) -> bool {
    let (host, port) = match v.iter().rposition(|&b| b == b':') {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
        if is_ip(host) {
            return true;
        }
    }
    is_hostname(host) && (host.contains(&b'.') || port.is_some() || host == b"localhost")
}

pub(crate) fn is_hostname(h: &[u8]) -> bool {
    let h = h.strip_prefix(b"*.").unwrap_or(h);
    let h = h.strip_suffix(b".").unwrap_or(h);
    if h.is_empty() || h.len() > 253 {
        return false;
    }
    let labels: Vec<&[u8]> = h.split(|&b| b == b'.').collect();
    let last = labels[labels.len() - 1];
    labels.iter().all(|l| {
        is_uuid(l)
            || !l.is_empty()
                && l.len() <= 63
                && l.iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
                && !looks_random(l)
                && !l.iter().any(u8::is_ascii_uppercase)
    }) && (labels.len() == 1 || last.iter().any(u8::is_ascii_alphabetic) || is_ip(h))
}

fn has_mixed_case(s: &[u8]) -> bool {
    s.iter().any(u8::is_ascii_uppercase) && s.iter().any(u8::is_ascii_lowercase)
}

/// `scheme://[user@]host[:port][/path][?query]` with no password and nothing random in
/// its path or query.
fn is_url_without_credentials(v: &[u8]) -> bool {
    let Some(i) = memchr::memmem::find(v, b"://") else {
        return false;
    };
    let scheme = &v[..i];
    if scheme.is_empty()
        || !scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b))
    {
        return false;
    }
    let rest = &v[i + 3..];
    let auth_end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    let hostport = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => {
            let user = &authority[..at];
            // A password already redacted (`user:[REDACTED url_credentials]@`) is gone.
            let (name, pw) = match user.iter().position(|&b| b == b':') {
                Some(c) => (&user[..c], Some(&user[c + 1..])),
                None => (user, None),
            };
            if !is_enum_word(name) || pw.is_some_and(|p| p != REDACTED_PLACEHOLDER) {
                return false;
            }
            &authority[at + 1..]
        }
        None => authority,
    };
    if !(hostport.is_empty() || is_host_port(hostport) || is_ip(hostport) || is_hostname(hostport))
    {
        return false;
    }
    let tail = &rest[auth_end..];
    let (path, query) = match tail.iter().position(|&b| b == b'?') {
        Some(q) => (&tail[..q], &tail[q + 1..]),
        None => (tail, &tail[tail.len()..]),
    };
    let path = path.split(|&b| b == b'#').next().unwrap_or(path);
    path.split(|&b| b == b'/')
        .all(|seg| seg.is_empty() || is_path_segment(seg))
        && query.split(|&b| b == b'&').all(|kv| {
            let (k, val) = match kv.iter().position(|&b| b == b'=') {
                Some(e) => (&kv[..e], &kv[e + 1..]),
                None => (kv, &kv[kv.len()..]),
            };
            !super::logline::is_credential_param(k) && (val.is_empty() || is_safe_atom(val))
        })
}

/// Go's MySQL DSN without a password: `user@tcp(host:3306)/db?parseTime=true`.
fn is_dsn_without_credentials(v: &[u8]) -> bool {
    let Some(at) = memchr::memmem::find(v, b"@tcp(").or(memchr::memmem::find(v, b"@unix(")) else {
        return false;
    };
    let user = &v[..at];
    !user.contains(&b':')
        && is_enum_word(user)
        && v[at..]
            .split(|b| matches!(b, b'(' | b')' | b'/' | b'?' | b'&' | b'='))
            .all(|p| p.is_empty() || !looks_random(p))
}

/// An absolute or relative path made of name-like segments.
fn is_path(v: &[u8]) -> bool {
    let rel = v.starts_with(b"./") || v.starts_with(b"../") || v.starts_with(b"~/");
    if !(v.starts_with(b"/") || rel) {
        return false;
    }
    v.split(|&b| b == b'/')
        .all(|seg| seg.is_empty() || is_path_segment(seg))
}

fn is_path_segment(seg: &[u8]) -> bool {
    seg.iter()
        .all(|b| b.is_ascii_alphanumeric() || b"._-+@%~:=,*".contains(b))
        && !seg
            .split(|b| matches!(b, b'.' | b'_' | b'-' | b'+' | b'@' | b'%' | b':' | b'='))
            .any(|p| looks_random(p) && !is_hex(p))
}

/// A word of a configuration vocabulary: `info`, `round-robin`, `cloud_controller.read`,
/// `DiegoCell`, `diego_cell_0`, `z1`, `TLS_AES_128_GCM_SHA256`: segments of letters
/// (camel case allowed, each camel word at least three letters unless upper case) with
/// at most a short number at their end.
pub(crate) fn is_enum_word(v: &[u8]) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(b))
        && v.split(|b| b"_-.".contains(b)).all(is_word_segment)
}

fn is_word_segment(seg: &[u8]) -> bool {
    if seg.is_empty() {
        return true;
    }
    if seg.iter().all(u8::is_ascii_digit) {
        return seg.len() <= 6;
    }
    let letters = seg.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &seg[letters..];
    if letters == 0 || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let word = &seg[..letters];
    if has_mixed_case(word) && !digits.is_empty() {
        // `TLSv1`, `DiegoCell2`: an acronym or a real word; not `Zq9`.
        let caps = word.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let mut run = 0;
        let longest_lower = word.iter().fold(0, |m, b| {
            run = if b.is_ascii_lowercase() { run + 1 } else { 0 };
            m.max(run)
        });
        if caps < 2 && longest_lower < 3 {
            return false;
        }
    }
    camel_words_ok(word) && pronounceable(word)
}

/// `DiegoCell`, `HTTPServer`, `iOS`, `expirePasswordInMonths`, `lower`, `UPPER`; not
/// `XKjQ` (a lone capital inside); `XkJqLm` passes here and fails `pronounceable`.
fn camel_words_ok(w: &[u8]) -> bool {
    if !has_mixed_case(w) {
        return true;
    }
    let mut i = 0;
    let mut first = true;
    while i < w.len() {
        let s = i;
        let caps = w[i..].iter().take_while(|b| b.is_ascii_uppercase()).count();
        i += caps;
        let lows = w[i..].iter().take_while(|b| b.is_ascii_lowercase()).count();
        i += lows;
        let ok = if caps > 1 {
            true // an acronym, possibly followed by a word (`HTTPServer`)
        } else {
            (first && caps == 0) || lows >= 1 || (i == w.len() && lows == 0)
        };
        if !ok || i == s {
            return false;
        }
        first = false;
    }
    true
}

/// Long letter runs of a word have vowels: no more than five consonants in a row.
fn pronounceable(w: &[u8]) -> bool {
    if w.len() < 8 {
        return true;
    }
    let mut run = 0;
    for &b in w {
        if b"aeiouyAEIOUY".contains(&b) {
            run = 0;
        } else {
            run += 1;
            if run > 5 {
                return false;
            }
        }
    }
    true
}

/// OpenSSL cipher lists: `ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384`.
fn is_cipher_list(v: &[u8]) -> bool {
    v.contains(&b':')
        && v.split(|&b| b == b':').all(|c| {
            !c.is_empty()
                && c.iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"-_+!@".contains(b))
        })
}

fn is_hex(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(u8::is_ascii_hexdigit)
}

/// A PEM text holding only public material (certificates, public keys, CRLs, requests),
/// possibly several blocks; what expiry checks read.
pub(crate) fn is_public_pem(v: &[u8]) -> bool {
    let v = trim_ws(v);
    if !v.starts_with(b"-----BEGIN ") {
        return false;
    }
    let mut n = 0;
    let mut rest = v;
    while let Some(i) = memchr::memmem::find(rest, b"-----BEGIN ") {
        let after = &rest[i + 11..];
        let public = [
            &b"CERTIFICATE-----"[..],
            b"PUBLIC KEY-----",
            b"RSA PUBLIC KEY-----",
            b"X509 CRL-----",
            b"CERTIFICATE REQUEST-----",
            b"TRUSTED CERTIFICATE-----",
        ]
        .iter()
        .any(|h| after.starts_with(h));
        if !public {
            return false;
        }
        n += 1;
        rest = after;
    }
    n > 0 && memchr::memmem::find(v, b"PRIVATE").is_none()
}

/// `ssh-rsa AAAA... comment`, `ssh-ed25519 ...`, `ecdsa-sha2-nistp256 ...`.
pub(crate) fn is_public_ssh_key(v: &[u8]) -> bool {
    let mut words = v.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let (Some(kind), Some(body)) = (words.next(), words.next()) else {
        return false;
    };
    (kind.starts_with(b"ssh-") || kind.starts_with(b"ecdsa-sha2-") || kind.starts_with(b"sk-"))
        && body.starts_with(b"AAAA")
        && words.count() <= 1
}

/// Whether `t` (no white space) looks like a random string: at least [`MIN_RANDOM`]
/// bytes, letters and digits (or both cases) mixed, characters switching class often and
/// rarely repeating. Words, identifiers made of words, paths and numbers do not.
pub(crate) fn looks_random(t: &[u8]) -> bool {
    looks_random_from(t, MIN_RANDOM)
}

/// [`looks_random`] with another minimum length (shorter in credential positions).
pub(crate) fn looks_random_from(t: &[u8], min: usize) -> bool {
    if t.len() < min {
        return false;
    }
    #[derive(PartialEq, Clone, Copy)]
    enum C {
        Lower,
        Upper,
        Digit,
        Other,
    }
    let class = |b: u8| match b {
        b'a'..=b'z' => C::Lower,
        b'A'..=b'Z' => C::Upper,
        b'0'..=b'9' => C::Digit,
        _ => C::Other,
    };
    let (mut lower, mut upper, mut digit) = (0usize, 0usize, 0usize);
    let mut switches = 0usize;
    let mut prev = C::Other;
    let mut seen = [false; 256];
    let mut distinct = 0usize;
    for &b in t {
        let c = class(b);
        match c {
            C::Lower => lower += 1,
            C::Upper => upper += 1,
            C::Digit => digit += 1,
            C::Other => {}
        }
        // A capital starting a word (`Cell` in `DiegoCell`) is no switch; lower after
        // upper is the word going on.
        if prev != C::Other && c != C::Other && c != prev && !(prev == C::Upper && c == C::Lower) {
            switches += 1;
        }
        prev = c;
        if !seen[b as usize] {
            seen[b as usize] = true;
            distinct += 1;
        }
    }
    let alnum = lower + upper + digit;
    if alnum < min * 3 / 4 {
        return false;
    }
    if digit == 0 {
        // Letters only: random unless it reads as words (`DiegoCellRepClientFactory`).
        let letters_only = t.iter().all(u8::is_ascii_alphabetic);
        return letters_only
            && distinct * 2 >= t.len().min(40)
            && (!camel_words_ok(t) || !pronounceable(t));
    }
    let classes = [lower, upper, digit].iter().filter(|&&n| n > 0).count();
    if classes < 2 {
        // One class only: random lower-case letters have no vowels pattern; digits are
        // numbers. Long runs without vowels are judged by `pronounceable`.
        return lower == alnum && alnum >= 20 && !pronounceable(t);
    }
    let minority = if classes == 2 && upper == 0 {
        lower.min(digit)
    } else {
        alnum - lower.max(upper).max(digit)
    };
    // A word with a number at its end (`cloudcontroller2024`) has one switch.
    switches * 8 >= alnum && minority * 8 >= alnum && distinct * 3 >= t.len().min(48)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_shapes() {
        for v in [
            "",
            "8080",
            "-1",
            "0.5",
            "1e6",
            "true",
            "off",
            "30s",
            "1h30m",
            "512MiB",
            "64MB",
            "10.0.16.5",
            "10.0.0.0/16",
            "10.0.0.1:4222",
            "::1",
            "fe80::1/64",
            "uaa.service.cf.internal",
            "*.cf.example.com",
            "nats.service.cf.internal:4222",
            "https://uaa.service.cf.internal:8443/oauth/token",
            "http://admin@10.0.0.5:25555/info?x=1",
            "/var/vcap/jobs/uaa/config/uaa.yml",
            "./relative/path",
            "info",
            "round-robin",
            "cloud_controller.read",
            "DiegoCell",
            "diego_cell_0",
            "z1",
            "TLSv1.2",
            "1.2.3",
            "v7.1.0-rc.1",
            "2f0e1c3a-9d8b-4c7a-b6e5-f4d3c2b1a098",
            "2024-06-01T12:00:00Z",
            "((nats_password))",
            "openid,cloud_controller.read,scim.write",
            "openid, scim.read",
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
            "[REDACTED password]",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "ssh-rsa AAAAB3NzaC1yc2E me@host",
            "cf_db_user@tcp(10.0.0.5:3306)/ccdb",
            "HTTPServer",
            "TLS_AES_128_GCM_SHA256",
            "localhost",
        ] {
            assert!(is_safe_value(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn unknown_shapes_are_not_safe() {
        for v in [
            "Xk3j9qLmP0aZ2bNc8dVe",
            "s3cr3t-P4ss",
            "correct horse battery staple",
            "admin:hunter2secret",
            "https://user:pw@host/x",
            "https://blob.example.com/x?sig=abc&se=2024",
            "cfadmin:Zq8rT2mW@tcp(10.0.0.5:3306)/ccdb",
            "dGhpcyBpcyBhIHNlY3JldCBrZXkgdmFsdWU=",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "XkJqLmPw",
            "a8Kd-2LqZ_x9",
            "/var/vcap/x/Xk3j9qLmP0aZ2bNc8dVe",
            "qzxwvbnmkjhgfdsplrt",
        ] {
            assert!(!is_safe_value(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn randomness() {
        for t in [
            "Xk3j9qLmP0aZ2bNc8dVe",
            "dGhpcyBpcyBhIHNlY3JldCBrZXkgdmFsdWU",
            "9f86d081884c7d659a2feaa0c55ad015",
            "AbCdEfGhIjKlMnOpQrSt12",
            "q7w8e9r0t1y2u3i4o5p6",
        ] {
            assert!(looks_random(t.as_bytes()), "{t}");
        }
        for t in [
            "cloud_controller_ng",
            "DiegoCellRepClient",
            "authorization_endpoint",
            "1717200000.123456",
            "bbs-client-certificate",
            "cloudcontroller2024",
            "X-Vcap-Request-Id",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ] {
            assert!(!looks_random(t.as_bytes()), "{t}");
        }
    }
}
