//! Passwords inside URLs: `scheme://user:PASSWORD@host` becomes
//! `scheme://user:[REDACTED url_credentials]@host`. The user stays (it helps a reader and
//! is not a secret); so does everything after the `@`.
//!
//! Covers `nats://`, `postgres://`, `mysql2://`, `amqp://`, `https://`, `redis://:pw@`,
//! `jdbc:postgresql://`, and the BOSH agent's registry URL (seed 004:
//! `http://registry-user:PASS@10.4.1.4:25777`). Templates paste passwords into URLs
//! unescaped (nats-release's `nats-route://nats:<password>@<ip>:4223` in `nats.conf`), so
//! a password holding `/`, `?` or `#` is redacted too: when the authority has no `@`, a
//! user name, a colon not followed by a port, and a later `@` before a host name still
//! make a password.

use super::edit::Edit;
use super::kind::{marker_len, markers_len, SecretKind};
use memchr::memmem;

/// Bytes that end a URL in running text, JSON and YAML.
fn ends_url(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`')
}

/// Appends an edit for the password of every `scheme://user:password@` in `line`.
pub(crate) fn find(line: &[u8], edits: &mut Vec<Edit>) {
    for at in memmem::find_iter(line, b"://") {
        if let Some((s, e)) = password_span(line, at) {
            edits.push(Edit {
                start: s,
                end: e,
                kind: SecretKind::UrlCredentials,
            });
        }
    }
}

/// The password of the URL whose `://` is at `at`, if it has one.
pub(crate) fn password_span(line: &[u8], at: usize) -> Option<(usize, usize)> {
    // A scheme must precede: letters, digits, `+ . -`, starting with a letter.
    let scheme_len = line[..at]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
        .count();
    if scheme_len == 0 || !line[at - scheme_len].is_ascii_alphabetic() {
        return None;
    }
    let start = at + 3;
    // A marker (`[REDACTED password]`, from an earlier pass) is part of the token.
    let mut token_end = start;
    while token_end < line.len() {
        match marker_len(&line[token_end..]) {
            0 if ends_url(line[token_end]) => break,
            0 => token_end += 1,
            m => token_end += m,
        }
    }
    let (colon, at_sign) = user_info(&line[start..token_end]).or_else(|| {
        // A URL in quotes (`export HTTP_PROXY='http://u:pw@proxy:3128'`) ends at the last
        // such quote: its password may hold a space or the quote itself.
        let q = *line[..at - scheme_len]
            .last()
            .filter(|q| matches!(q, b'"' | b'\''))?;
        let last = token_end + line[token_end..].iter().rposition(|&b| b == q)?;
        let (colon, at_sign) = unescaped_password(&line[start..last])?;
        // A quote then `, : ; } ]` is the structure around the URL (JSON), not a password.
        let inside = &line[start + colon + 1..start + at_sign];
        let structure = inside
            .windows(2)
            .any(|w| w[0] == q && b",:;}]".contains(&w[1]));
        (!structure).then_some((colon, at_sign))
    })?;
    let (ps, pe) = (start + colon + 1, start + at_sign);
    // Already redacted: only what follows the markers, if anything, is left to redact.
    let ps = ps + markers_len(&line[ps..pe]);
    (pe > ps).then_some((ps, pe))
}

/// The user's colon and the `@` ending the password in `token` (what follows `://`).
fn user_info(token: &[u8]) -> Option<(usize, usize)> {
    // The authority ends at the first `/ ? #`; the user info at its last `@`.
    let auth_end = token
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(token.len());
    match token[..auth_end].iter().rposition(|&b| b == b'@') {
        Some(at_sign) => Some((token[..at_sign].iter().position(|&b| b == b':')?, at_sign)),
        None => unescaped_password(token),
    }
}

/// `user:pass/word@host` (a password pasted unescaped, holding `/`, `?` or `#`): the
/// user's colon and the last `@` followed by a host name, when the user is a plain user
/// name and what follows the colon is no port (`host:8080/path@x` is a path).
fn unescaped_password(token: &[u8]) -> Option<(usize, usize)> {
    let colon = token.iter().position(|&b| b == b':')?;
    let user_char = |b: &u8| b.is_ascii_alphanumeric() || b"-._~%!$&()*+;=".contains(b);
    if !token[..colon].iter().all(user_char) {
        return None;
    }
    // `host:8889/...`, `host:8889","next":...`: a port, then what ends a URL.
    let after = &token[colon + 1..];
    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
    let ends_port = |b: &u8| b.is_ascii_whitespace() || b"/?#\"',;)]}".contains(b);
    if after.get(digits).is_none_or(ends_port) {
        return None;
    }
    let at_sign = colon + 1 + after.iter().rposition(|&b| b == b'@')?;
    is_host(&token[at_sign + 1..]).then_some((colon, at_sign))
}

/// Whether `rest` starts with a host name or address (then a port, a path, or the
/// punctuation of a list around the URL).
fn is_host(rest: &[u8]) -> bool {
    let host_end = rest
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b',' | b';' | b')' | b'}'))
        .unwrap_or(rest.len());
    let host = &rest[..host_end];
    host.first()
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'[')
        && host
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:[]%".contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    fn r(line: &str) -> String {
        let mut edits = Vec::new();
        find(line.as_bytes(), &mut edits);
        let mut out = Vec::new();
        apply(line.as_bytes(), &edits, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn password_goes_user_and_host_stay() {
        assert_eq!(
            r("nats://nats:pw@10.0.0.1:4222"),
            "nats://nats:[REDACTED url_credentials]@10.0.0.1:4222"
        );
        assert_eq!(
            r("url='http://registry-user:deB4@10.4.1.4:25777/instances/i-1/settings'"),
            "url='http://registry-user:[REDACTED url_credentials]@10.4.1.4:25777/instances/i-1/settings'"
        );
        assert_eq!(
            r("redis://:p%40ss@h:6379/0"),
            "redis://:[REDACTED url_credentials]@h:6379/0"
        );
        assert_eq!(
            r("postgres://u:p@ss@db:5432/x"),
            "postgres://u:[REDACTED url_credentials]@db:5432/x"
        );
    }

    #[test]
    fn a_password_pasted_unescaped_goes_whole() {
        // nats-release `nats.conf.erb` routes (the password made up, with `/` and `?`).
        assert_eq!(
            r("    nats-route://nats:Zq7a+b/c=?d#e@10.0.0.1:4223,"),
            "    nats-route://nats:[REDACTED url_credentials]@10.0.0.1:4223,"
        );
        assert_eq!(
            r("postgres://cc:pa/ss@[fd00::1]:5432/ccdb"),
            "postgres://cc:[REDACTED url_credentials]@[fd00::1]:5432/ccdb"
        );
        // In quotes, the URL runs to the last quote: a space or the quote in the password.
        assert_eq!(
            r("export HTTP_PROXY='http://proxy-user:Sunshine 86 staple@proxy.example.com:3128'"),
            "export HTTP_PROXY='http://proxy-user:[REDACTED url_credentials]@proxy.example.com:3128'"
        );
        assert_eq!(
            r("export HTTPS_PROXY=\"http://u:Hd85k'sq\"Tl85z@proxy:3129\""),
            "export HTTPS_PROXY=\"http://u:[REDACTED url_credentials]@proxy:3129\""
        );
        for l in [
            "msg=\"see http://host:8080 and write to me@example.com\"",
            // diego-release ssh_proxy.json on one line: a quoted URL, later an `@`.
            r#"{"bbs_address":"https://bbs.service.cf.internal:8889","kex":"curve25519-sha256@libssh.org"}"#,
            r#"{"url":"https://uaa.example.com","user":"x:y","mail":"ops@example.com"}"#,
        ] {
            assert_eq!(r(l), l);
        }
        // A port then a path holding `@` is no password; nor is a path with a colon.
        for l in [
            "http://host:8080/path?x=a@b.com",
            "https://10.4.1.4:25555/tasks/1@x",
            "http://host/path:x@y",
            "http://[::1]:8080/a?b=c@d",
            "ssh://u@host:22",
            "https://host:/x@y",
        ] {
            assert_eq!(r(l), l);
        }
    }

    #[test]
    fn urls_without_password_pass() {
        for l in [
            "http://169.254.169.254/latest/meta-data/public-keys/0/openssh-key",
            "https://10.4.1.4:25555",
            "https://git@github.com/x/y",
            "http://[::1]:8080/a?b=c@d",
            "ssh://u@host:22",
            "https://u:[REDACTED url_credentials]@h",
            "https://u:@h",
        ] {
            assert_eq!(r(l), l);
        }
    }
}
