//! The leak scan: a second, independent look at a line for anything that still looks like
//! a secret. It runs on every line the redactor outputs (what it finds is redacted too and
//! counted in [`RedactStats::leak_scan_hits`](super::RedactStats)), and it is what
//! `vcap-analyze scan-secrets` runs on bundles we did not make.
//!
//! It is written separately from the rules (its own regexes and value extraction) so a
//! bug in a rule's parsing is not repeated here; only the *policy* of which key names
//! and values are secret is shared ([`super::keyname`]), so near misses agree.
//!
//! A hit carries a kind and a byte span, never the text: reports built from hits cannot
//! leak what they found.
//!
//! Stateless by design, so it cannot see a multi-line PEM body (a body line alone is just
//! base64); the header followed by a body on the same line is caught.

use super::keyname::{classify_key, is_prose_word, key_token_bounds, value_is_secret, Strength};
use super::keyvalue::{find_close, line_key_start};
use super::kind::{markers_len, SecretKind};
use super::pem::trim_seps_end;
use super::prefilter::{Family, Prefilter, Triggers};
use super::tokens::bearer_like;
use regex::bytes::Regex;

/// Something in a line that looks like a secret: its kind and byte span `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretHit {
    pub kind: SecretKind,
    pub start: usize,
    pub end: usize,
}

pub(crate) struct Scanner {
    pem: Regex,
    jwt: Regex,
    aws: Regex,
    url: Regex,
    bearer: Regex,
    cli: [Regex; 3],
    /// A collection key opening a flow map (`keys: {`, `"passwords":{`).
    collection_map: Regex,
    /// One `"label":"value"` pair of such a map (quotes possibly escaped).
    map_pair: Regex,
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner {
            pem: Regex::new(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:\s|\\+[nrt])*([A-Za-z0-9+/=]{16}[^-\x22]*)")
                .unwrap(),
            jwt: Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*").unwrap(),
            aws: Regex::new(r"(?:^|[^A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?:[^A-Z0-9]|$)").unwrap(),
            url: Regex::new(r#"[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:"'<>\\]*:([^\s/?#@"'<>\\]+)@"#).unwrap(),
            bearer: Regex::new(r"(?i)bearer(?:\s+|%20|\+)([A-Za-z0-9\-._~+/]+=*)").unwrap(),
            // Client programs' short password flags, within one command (cli.rs has the
            // rule; these are its independent second look).
            cli: [
                Regex::new(r"(?:^|[\s/])(?i:mysql|mariadb)[^;|&]*?\s-p([^\s;|&]+)").unwrap(),
                Regex::new(r"(?:^|[\s/])(?i:sshpass)[^;|&]*?\s-p\s*([^\s;|&]+)").unwrap(),
                Regex::new(r"(?:^|[\s/])(?i:redis-cli)[^;|&]*?\s-a\s*([^\s;|&]+)").unwrap(),
            ],
            collection_map: Regex::new(
                r#"(?i)(?:keys|passwords|secrets|tokens)(?:\\*["'])?\s*(?::|=>?)\s*\{"#,
            )
            .unwrap(),
            map_pair: Regex::new(
                r#"\\*["'][^"'\\{}]*\\*["']\s*:\s*\\*["']([^"'\\{}]*)\\*["']"#,
            )
            .unwrap(),
        }
    }

    /// Appends to `hits` what in `line` still looks like a secret, ordered by start.
    pub fn scan(
        &self,
        pf: &Prefilter,
        line: &[u8],
        trig: &mut Triggers,
        hits: &mut Vec<SecretHit>,
    ) {
        pf.scan(line, trig);
        if !trig.any() {
            return;
        }
        let mut push = |kind, start, end| hits.push(SecretHit { kind, start, end });
        if trig.has(Family::Pem) {
            for c in self.pem.captures_iter(line) {
                let m = c.get(1).expect("group 1 always takes part");
                push(
                    SecretKind::PrivateKey,
                    m.start(),
                    trim_seps_end(line, m.start(), m.end()),
                );
            }
        }
        if trig.has(Family::Jwt) {
            for m in self.jwt.find_iter(line) {
                push(SecretKind::Jwt, m.start(), m.end());
            }
        }
        if trig.has(Family::Aws) {
            for c in self.aws.captures_iter(line) {
                let m = c.get(1).expect("group 1 always takes part");
                push(SecretKind::AwsAccessKey, m.start(), m.end());
            }
        }
        if trig.has(Family::Url) {
            for c in self.url.captures_iter(line) {
                let m = c.get(1).expect("group 1 always takes part");
                push(SecretKind::UrlCredentials, m.start(), m.end());
            }
        }
        if trig.has(Family::Bearer) {
            for c in self.bearer.captures_iter(line) {
                let m = c.get(1).expect("group 1 always takes part");
                if bearer_like(m.as_bytes()) {
                    push(SecretKind::BearerToken, m.start(), m.end());
                }
            }
        }
        if trig.has(Family::Cli) {
            for re in &self.cli {
                for c in re.captures_iter(line) {
                    let m = c.get(1).expect("group 1 always takes part");
                    if markers_len(&line[m.start()..]) == 0 {
                        push(SecretKind::Password, m.start(), m.end());
                    }
                }
            }
        }
        if trig.has(Family::KeyName) {
            // The values of a flow map under a collection key (the labels are names).
            for m in self.collection_map.find_iter(line) {
                let (ks, ke) = key_token_bounds(line, m.start(), m.start());
                let Some(class) = classify_key(&line[ks..ke]).filter(|c| c.collection) else {
                    continue;
                };
                let end =
                    memchr::memchr(b'}', &line[m.end()..]).map_or(line.len(), |i| m.end() + i);
                for c in self.map_pair.captures_iter(&line[m.end()..end]) {
                    let v = c.get(1).expect("group 1 always takes part");
                    let (vs, ve) = (m.end() + v.start(), m.end() + v.end());
                    if value_is_secret(class, b"", &line[vs..ve]) {
                        push(class.kind, vs + markers_len(&line[vs..ve]), ve);
                    }
                }
            }
            let key_start = line_key_start(line);
            let mut done_until = 0;
            for &(s, e) in &trig.key_words {
                if s < done_until {
                    continue;
                }
                let (ks, ke) = key_token_bounds(line, s, e);
                done_until = ke;
                if let Some((kind, vs, ve)) = key_value(line, ks, ke, key_start) {
                    push(kind, vs, ve);
                    done_until = ve;
                }
            }
        }
        hits.sort_by_key(|h| (h.start, h.end));
    }
}

/// A secret value after a secret-named key at `ks..ke`, with `:`, `=`, `=>` or (for a
/// `--flag`) white space between them.
fn key_value(
    line: &[u8],
    ks: usize,
    ke: usize,
    key_start: usize,
) -> Option<(SecretKind, usize, usize)> {
    let key = &line[ks..ke];
    let class = classify_key(key)?;
    let ws = |p: usize| {
        p + line[p..]
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count()
    };
    let quote_run = |p: usize| {
        let nb = line[p..].iter().take_while(|&&b| b == b'\\').count();
        matches!(line.get(p + nb), Some(b'"' | b'\'')).then_some(nb + 1)
    };
    let key_quoted = ks > 0 && matches!(line[ks - 1], b'"' | b'\'');
    let mut p = ke;
    if let Some(n) = quote_run(p) {
        p += n;
    }
    let after_key = p;
    p = ws(p);
    let rest = &line[p..];
    let colon = rest.starts_with(b":") && !rest.starts_with(b"::") && !rest.starts_with(b"://");
    let sep_len = if colon {
        1
    } else if rest.starts_with(b"=>") {
        2
    } else if rest.starts_with(b"=") && !rest.starts_with(b"==") && !rest.starts_with(b"=~") {
        1
    } else if key.starts_with(b"-") && p > after_key && p < line.len() && line[p] != b'-' {
        0
    } else {
        return None;
    };
    let sep_end = p + sep_len;
    p = ws(sep_end);
    let (vs, ve) = match quote_run(p) {
        Some(n) => {
            let vs = p + n;
            let ve = find_close(line, vs, line[p + n - 1], n - 1).unwrap_or(line.len());
            // Already redacted: only what follows the markers is left to judge.
            (vs + markers_len(&line[vs..ve]), ve)
        }
        None => {
            let vs = p + markers_len(&line[p..]);
            let ve = vs + line[vs..].iter().take_while(|&&b| !ends_value(b)).count();
            (vs, ve)
        }
    };
    let (mut vs, mut ve, mut kind) = (vs, ve, class.kind);
    if class.strength == Strength::Authorization {
        let word = line[vs..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        if word > 0 && line.get(vs + word) == Some(&b' ') {
            if !line[vs..vs + word].eq_ignore_ascii_case(b"bearer") {
                kind = SecretKind::Credential;
            }
            vs = ws(vs + word);
            vs += markers_len(&line[vs..]);
            ve = vs + line[vs..].iter().take_while(|&&b| !ends_value(b)).count();
        }
    }
    let value = &line[vs..ve.max(vs)];
    if !value_is_secret(class, key, value) {
        return None;
    }
    if colon
        && matches!(value[0], b'|' | b'>')
        && value[1..]
            .iter()
            .all(|b| matches!(b, b'-' | b'+' | b'0'..=b'9'))
    {
        return None; // a YAML block scalar header: the value is on the next lines
    }
    let mid_line = !(ks == key_start || (key_quoted && ks == key_start + 1));
    if colon && mid_line && !key_quoted && line.get(sep_end).is_some_and(u8::is_ascii_whitespace) {
        let before = line[..ks].iter().rev().find(|b| !b.is_ascii_whitespace());
        if !matches!(before, Some(b'{' | b',' | b'[')) && is_prose_word(value) {
            return None;
        }
    }
    Some((kind, vs, ve))
}

fn ends_value(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\''
                | b'\\'
                | b','
                | b';'
                | b'&'
                | b'{'
                | b'}'
                | b'['
                | b']'
                | b'('
                | b')'
                | b'<'
                | b'>'
                | b'#'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<&'static str> {
        let mut hits = Vec::new();
        Scanner::new().scan(
            &Prefilter::new(),
            line.as_bytes(),
            &mut Triggers::default(),
            &mut hits,
        );
        hits.iter().map(|h| h.kind.as_str()).collect()
    }

    #[test]
    fn finds_what_is_left() {
        assert_eq!(kinds("password: hunter2"), ["password"]);
        assert_eq!(kinds(r#"{"client_secret":"abc"}"#), ["client_secret"]);
        assert_eq!(
            kinds("http://registry-user:deBa@10.4.1.4:25777"),
            ["url_credentials"]
        );
        assert_eq!(
            kinds(r#""-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAfake\n""#),
            ["private_key"]
        );
        assert_eq!(
            kinds("x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig y"),
            ["jwt"]
        );
        assert_eq!(kinds("AKIAABCDEFGHIJKLMNOP"), ["aws_access_key"]);
        assert_eq!(kinds("--password s3cret"), ["password"]);
        assert_eq!(kinds("Authorization: Basic dXNlcjpwYXNz"), ["credential"]);
    }

    #[test]
    fn redacted_and_near_miss_lines_are_clean() {
        for l in [
            "password: [REDACTED password]",
            r#"{"password":"[REDACTED password]","token":""}"#,
            "http://registry-user:[REDACTED url_credentials]@10.4.1.4:25777",
            r#""-----BEGIN RSA PRIVATE KEY-----\n[REDACTED private_key]\n-----END RSA PRIVATE KEY-----\n""#,
            "Authorization: Bearer [REDACTED bearer_token]",
            "password_min_length: 8",
            "require_client_secret: true",
            "token_ttl: 3600",
            "key: /var/vcap/jobs/x/config/key.pem",
            "public_key: ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC me@host",
            "invalid token: expired",
        ] {
            assert!(kinds(l).is_empty(), "{l}: {:?}", kinds(l));
        }
    }

    #[test]
    fn hits_never_carry_text() {
        let mut hits = Vec::new();
        Scanner::new().scan(
            &Prefilter::new(),
            b"password=s3cr3t",
            &mut Triggers::default(),
            &mut hits,
        );
        let shown = format!("{hits:?}");
        assert!(!shown.contains("s3cr3t"));
        assert_eq!((hits[0].start, hits[0].end), (9, 15));
    }
}
