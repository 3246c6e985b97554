//! Values of secret-named keys, in every syntax a BOSH VM's files use, one line at a time:
//!
//! | syntax | example | value ends |
//! | --- | --- | --- |
//! | YAML | `  nats_password: s3cr3t # c`, `- password: 'x'` | end of line / ` #` / quote |
//! | YAML block scalar | `private_key: \|` + indented lines | dedent (handled by the stream) |
//! | JSON (one line, pretty, escaped in a string) | `"password":"x"`, `\"token\":\"x\"` | closing quote |
//! | `.properties`, env, shell | `a.b.password=x`, `export DB_PASSWORD="x"` | end of line / quote |
//! | Ruby hash (ERB) | `"password" => "x"` | closing quote |
//! | XML | `<password>x</password>`, `keystorePass="x"` | `<` / closing quote |
//! | command line | `--password=x`, `--password x` | white space |
//! | logs, Go struct dumps | `password=x user=y`, `{Password:x User:y}` | white space , ; & } ] ) |
//!
//! What a key name means and which values are secret is decided in [`super::keyname`].

use super::edit::Edit;
use super::keyname::{
    classify_key, is_prose_word, key_token_bounds, value_is_secret, KeyClass, Strength,
};
use super::kind::{markers_len, SecretKind};

/// A YAML block scalar (`key: |`) whose content lines follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BlockStart {
    /// Column of the key: content lines are indented deeper.
    pub indent: usize,
    pub kind: SecretKind,
    /// `Always`: redact the block. `Material`: look at the first content line first.
    pub strength: Strength,
}

/// A value that ran to the end of a piece of a long line: the next piece continues it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Until the end of the physical line.
    RestOfLine,
    /// Until the first terminator of an unquoted value.
    Unquoted,
    /// Until this closing delimiter (a quote, possibly escaped: `\"`).
    Delimiter(Vec<u8>),
}

/// What the rule found on one line besides its edits.
#[derive(Default, Debug)]
pub(crate) struct KvOutcome {
    pub block: Option<BlockStart>,
    pub pending: Option<Pending>,
}

/// Where a key must start for the line to be a `key: value` / `KEY=value` line (so an
/// unquoted value runs to the end of the line): after indentation, YAML `- `, shell
/// `export `, and comment markers.
pub(crate) fn line_key_start(line: &[u8]) -> usize {
    let mut p = skip_ws(line, 0);
    loop {
        let rest = &line[p..];
        let skip = if rest.starts_with(b"- ") || rest.starts_with(b"-\t") {
            2
        } else if let Some(w) = [
            &b"export "[..],
            b"declare -x ",
            b"readonly ",
            b"local ",
            b"set ",
        ]
        .iter()
        .find(|w| rest.starts_with(w))
        {
            w.len()
        } else if rest.starts_with(b"#") || rest.starts_with(b";") {
            1
        } else if rest.starts_with(b"//") {
            2
        } else {
            break;
        };
        p = skip_ws(line, p + skip);
    }
    p
}

fn skip_ws(line: &[u8], mut p: usize) -> usize {
    while p < line.len() && matches!(line[p], b' ' | b'\t') {
        p += 1;
    }
    p
}

/// Context for one line (or one piece of a long line).
pub(crate) struct LineCtx {
    /// The input starts a physical line (a continuation piece does not).
    pub line_start: bool,
    /// The input has no line terminator: a value running to its end may continue.
    pub is_piece: bool,
}

/// Finds secret values of secret-named keys. `key_words` are the prefilter's trigger word
/// spans (in order). Appends edits; returns block/pending state for the stream.
pub(crate) fn find(
    line: &[u8],
    key_words: &[(usize, usize)],
    ctx: &LineCtx,
    edits: &mut Vec<Edit>,
) -> KvOutcome {
    let mut outcome = KvOutcome::default();
    let key_start = if ctx.line_start {
        Some(line_key_start(line))
    } else {
        None
    };
    let mut done_until = 0;
    for &(s, e) in key_words {
        if s < done_until {
            continue;
        }
        let (ks, ke) = key_token_bounds(line, s, e);
        done_until = ke;
        let Some(class) = classify_key(&line[ks..ke]) else {
            continue;
        };
        if let Some(found) = one_key(line, ks, ke, class, key_start, ctx, edits) {
            done_until = done_until.max(found.value_end);
            if found.block.is_some() {
                outcome.block = found.block;
            }
            if found.pending.is_some() {
                outcome.pending = found.pending;
            }
        }
    }
    outcome
}

struct Found {
    value_end: usize,
    block: Option<BlockStart>,
    pending: Option<Pending>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Colon,
    Equals,
    Arrow,
    Space,
}

/// Terminators of an unquoted value in running text.
pub(crate) fn ends_unquoted(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b';' | b'&' | b'}' | b']' | b')' | b'"' | b'\'' | b'<' | b'>'
        )
}

fn one_key(
    line: &[u8],
    ks: usize,
    ke: usize,
    class: KeyClass,
    key_start: Option<usize>,
    ctx: &LineCtx,
    edits: &mut Vec<Edit>,
) -> Option<Found> {
    let len = line.len();
    // An opening quote right before the key, possibly escaped (`\"password\"`).
    let open_quote = (ks > 0 && matches!(line[ks - 1], b'"' | b'\'')).then(|| {
        let q = line[ks - 1];
        let nb = line[..ks - 1]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        (q, nb)
    });
    let mut p = ke;
    if let Some((q, nb)) = open_quote {
        if line[p..].len() > nb && line[p..p + nb].iter().all(|&b| b == b'\\') && line[p + nb] == q
        {
            p += nb + 1;
        }
    }
    let after_key = p;
    p = skip_ws(line, p);
    let sep = match line.get(p) {
        Some(b':') if !line[p..].starts_with(b"::") && !line[p..].starts_with(b"://") => {
            p += 1;
            Sep::Colon
        }
        Some(b'=') => match line.get(p + 1) {
            Some(b'>') => {
                p += 2;
                Sep::Arrow
            }
            Some(b'=') | Some(b'~') => return None,
            _ => {
                p += 1;
                Sep::Equals
            }
        },
        Some(_)
            if line[ks] == b'-'
                && p > after_key
                && (ks == 0 || line[ks - 1].is_ascii_whitespace()) =>
        {
            if line[p] == b'-' {
                return None; // `--password --next-flag`: no value
            }
            Sep::Space
        }
        Some(b'>') if p == ke && ks > 0 && line[ks - 1] == b'<' => {
            // XML element: `<password>x</password>`.
            let vs = p + 1;
            let ve = memchr::memchr(b'<', &line[vs..]).map_or(len, |i| vs + i);
            if value_is_secret(class, &line[ks..ke], &line[vs..ve]) {
                edits.push(Edit {
                    start: vs,
                    end: ve,
                    kind: class.kind,
                });
            }
            return Some(Found {
                value_end: ve,
                block: None,
                pending: None,
            });
        }
        _ => return None,
    };
    let sep_end = p;
    p = skip_ws(line, p);
    let at_line_start = key_start.is_some_and(|k| k == ks || (open_quote.is_some() && k + 1 == ks));
    let kind_for = |v: &[u8]| {
        if v.starts_with(b"-----BEGIN") && memchr::memmem::find(v, b"PRIVATE KEY").is_some() {
            SecretKind::PrivateKey
        } else if class.strength == Strength::Authorization
            && !v
                .get(..6)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"bearer"))
        {
            SecretKind::Credential
        } else {
            class.kind
        }
    };

    if p >= len {
        return None; // `credentials:` opening a nested map
    }
    let markers = markers_len(&line[p..]);
    if markers > 0 {
        // Already redacted (idempotence); `[` here is not a flow sequence. If the value
        // goes on after the markers, that rest is the value to judge.
        p += markers;
        if p == len || ends_unquoted(line[p]) {
            return Some(Found {
                value_end: p,
                block: None,
                pending: None,
            });
        }
    }
    let c = line[p];
    // YAML block scalar: `private_key: |`, `password: >-`.
    if sep == Sep::Colon && matches!(c, b'|' | b'>') {
        let mut q = p + 1;
        while q < len && matches!(line[q], b'-' | b'+' | b'0'..=b'9') {
            q += 1;
        }
        let q = skip_ws(line, q);
        if q == len || line[q] == b'#' {
            let block = match class.strength {
                Strength::Always | Strength::Material => Some(BlockStart {
                    indent: if open_quote.is_some() { ks - 1 } else { ks },
                    kind: class.kind,
                    strength: class.strength,
                }),
                Strength::Authorization => None,
            };
            return Some(Found {
                value_end: len,
                block,
                pending: None,
            });
        }
    }
    if sep == Sep::Colon && c == b'#' && p > sep_end {
        return None; // `password: # comment`
    }

    // Quoted value, possibly escaped inside a JSON string.
    let nb = line[p..].iter().take_while(|&&b| b == b'\\').count();
    if let Some(&q) = line.get(p + nb).filter(|&&q| q == b'"' || q == b'\'') {
        let vs = p + nb + 1;
        let close = find_close(line, vs, q, nb);
        // A closing quote with the value going on right after it is no closing quote: a
        // template pasted a secret holding the quote unescaped (`'Hd6k'Tl6z'`).
        let close = close.map(|c| match nb {
            0 => past_unescaped_quotes(line, c, q),
            _ => c,
        });
        let ve = close.unwrap_or(len);
        let value = &line[vs..ve];
        let pending = (close.is_none() && ctx.is_piece).then(|| {
            let mut d = vec![b'\\'; nb];
            d.push(q);
            Pending::Delimiter(d)
        });
        let value_end = close.map_or(len, |c| (c + nb + 1).min(len));
        if !value_is_secret(class, &line[ks..ke], value) {
            return Some(Found {
                value_end,
                block: None,
                pending: None,
            });
        }
        let start = vs + authorization_scheme_len(class, value);
        let start = start + markers_len(&line[start..ve]);
        if start == ve {
            return Some(Found {
                value_end,
                block: None,
                pending: None,
            });
        }
        edits.push(Edit {
            start,
            end: ve,
            kind: kind_for(value),
        });
        return Some(Found {
            value_end,
            block: None,
            pending,
        });
    }

    // A flow sequence of secrets: `passwords: [a, "b"]`, `keys: ["<key material>"]`.
    if c == b'[' {
        if class.strength == Strength::Always || class.collection {
            return Some(flow_sequence(line, p + 1, class, edits));
        }
        return None;
    }
    if c == b'{' {
        if class.collection {
            // `keys: {"<label>":"<key>"}`: the labels are names, the values secrets.
            return Some(flow_map(line, p + 1, class, edits));
        }
        return None; // nested object: its own keys are looked at one by one
    }

    // Unquoted value.
    let whole_line = at_line_start && sep != Sep::Space;
    // The end of a whole-line value with a YAML comment after it, when there is one: the
    // value is judged without the comment; a secret is masked with it (`client_secret:
    // Hd5 #Tl5` may be a secret holding ` #`, pasted by a template).
    let mut with_comment = None;
    let ve = if whole_line {
        let mut end = len;
        if sep == Sep::Colon {
            if let Some(h) = memchr::memmem::find(&line[p..], b" #")
                .or_else(|| memchr::memmem::find(&line[p..], b"\t#"))
            {
                end = p + h;
                with_comment = Some(p + line[p..].trim_ascii_end().len());
            }
        }
        p + line[p..end].trim_ascii_end().len()
    } else {
        line[p..]
            .iter()
            .position(|&b| ends_unquoted(b))
            .map_or(len, |i| p + i)
    };
    let value = &line[p..ve];
    if !value_is_secret(class, &line[ks..ke], value) {
        return Some(Found {
            value_end: ve,
            block: None,
            pending: None,
        });
    }
    // `invalid token: expired`: a sentence, not a key. Structured contexts (`{password: x`)
    // and line-start keys are never prose.
    if !whole_line
        && sep == Sep::Colon
        && open_quote.is_none()
        && sep_end < len
        && line[sep_end].is_ascii_whitespace()
    {
        let before = line[..ks].iter().rev().find(|b| !b.is_ascii_whitespace());
        if !matches!(before, Some(b'{' | b',' | b'[')) && is_prose_word(value) {
            return Some(Found {
                value_end: ve,
                block: None,
                pending: None,
            });
        }
    }
    let start = p + authorization_scheme_len(class, if whole_line { value } else { &line[p..len] });
    // Already redacted after the scheme (`Bearer [REDACTED bearer_token]`): what follows.
    let start = start + markers_len(&line[start..]);
    let ve = if start > p && !whole_line {
        // `Authorization: Basic xyz` mid-line: the credentials are the next token.
        line[start..]
            .iter()
            .position(|&b| ends_unquoted(b))
            .map_or(len, |i| start + i)
    } else {
        ve
    };
    if start >= ve {
        return Some(Found {
            value_end: ve.max(start),
            block: None,
            pending: None,
        });
    }
    let ve = with_comment.unwrap_or(ve);
    edits.push(Edit {
        start,
        end: ve,
        kind: kind_for(value),
    });
    let rest = if whole_line {
        Pending::RestOfLine
    } else {
        Pending::Unquoted
    };
    let pending = (ve == len && ctx.is_piece).then_some(rest);
    Some(Found {
        value_end: ve,
        block: None,
        pending,
    })
}

/// For an `Authorization` value `Basic xyz` / `Bearer xyz`: the length of the scheme word
/// and the space after it, which stay. 0 for other keys.
fn authorization_scheme_len(class: KeyClass, value: &[u8]) -> usize {
    if class.strength != Strength::Authorization {
        return 0;
    }
    let word = value
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    if word > 0 && value.get(word) == Some(&b' ') {
        word + 1 + value[word + 1..].iter().take_while(|&&b| b == b' ').count()
    } else {
        0
    }
}

/// Position of the closing quote `q` (preceded by exactly `nb` backslashes) from `from`.
/// With `nb == 0`, a `"` escaped by a backslash does not close, and `''` inside a
/// single-quoted YAML string is an escaped quote.
/// The closing quote of a value whose quote `q` at `close` may be a quote inside it: while
/// the value goes on right after it (no space, no `, ; : } ] ) / >` or end of line: JSON,
/// Ruby hashes, an XML attribute's `"/>`), the value runs to the next `q` on, or to the end
/// of that run of text. What cannot be shown to end the value does not.
fn past_unescaped_quotes(line: &[u8], mut close: usize, q: u8) -> usize {
    let ends_value = |b: u8| {
        b.is_ascii_whitespace()
            || matches!(b, b',' | b';' | b':' | b'}' | b']' | b')' | b'/' | b'>')
    };
    while let Some(&next) = line.get(close + 1) {
        if ends_value(next) {
            break;
        }
        let run_end = line[close + 1..]
            .iter()
            .position(|&b| b.is_ascii_whitespace())
            .map_or(line.len(), |i| close + 1 + i);
        match line[close + 1..run_end].iter().position(|&b| b == q) {
            Some(i) => close = close + 1 + i,
            None => return run_end,
        }
    }
    close
}

pub(crate) fn find_close(line: &[u8], from: usize, q: u8, nb: usize) -> Option<usize> {
    let mut i = from;
    while let Some(off) = memchr::memchr(q, &line[i..]) {
        let at = i + off;
        let backslashes = line[from..at]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if nb == 0 {
            if q == b'\'' && line.get(at + 1) == Some(&b'\'') {
                i = at + 2;
                continue;
            }
            if backslashes % 2 == 0 {
                return Some(at);
            }
        } else if backslashes == nb {
            return Some(at - nb);
        }
        i = at + 1;
    }
    None
}

/// The values of a flow map (`{"label":"value", label2: value2}`, JSON-escaped too) from
/// `p`, just after its `{`, judged under `class`; stops at its `}` or at a nested `{`/`[`.
fn flow_map(line: &[u8], mut p: usize, class: KeyClass, edits: &mut Vec<Edit>) -> Found {
    let len = line.len();
    // One quoted or plain scalar from `p`: (start, end, next position).
    let scalar = |p: usize, stop: &dyn Fn(u8) -> bool| -> (usize, usize, usize) {
        let nb = line[p..].iter().take_while(|&&b| b == b'\\').count();
        match line.get(p + nb) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let vs = p + nb + 1;
                let ve = find_close(line, vs, q, nb).unwrap_or(len);
                (vs, ve, (ve + nb + 1).min(len))
            }
            _ => {
                let ve = line[p..]
                    .iter()
                    .position(|&b| stop(b))
                    .map_or(len, |i| p + i);
                (p, ve, ve)
            }
        }
    };
    while p < len {
        p = skip_ws(line, p);
        while p < len && line[p] == b',' {
            p = skip_ws(line, p + 1);
        }
        if p >= len || matches!(line[p], b'}' | b'{' | b'[') {
            break;
        }
        let (_, _, after_key) = scalar(p, &|b| b == b':' || b == b',' || b == b'}');
        p = skip_ws(line, after_key);
        if line.get(p) != Some(&b':') {
            break;
        }
        p = skip_ws(line, p + 1);
        if p >= len || matches!(line[p], b'{' | b'[') {
            break;
        }
        let (vs, ve, next) = scalar(p, &|b| b == b',' || b == b'}' || b.is_ascii_whitespace());
        collection_item(line, vs, ve, class, edits);
        p = next;
    }
    Found {
        value_end: p,
        block: None,
        pending: None,
    }
}

/// One value of a flow map or sequence under a secret key: an edit if it is a secret
/// (after any markers it starts with).
fn collection_item(line: &[u8], vs: usize, ve: usize, class: KeyClass, edits: &mut Vec<Edit>) {
    if value_is_secret(class, b"", &line[vs..ve]) {
        edits.push(Edit {
            start: vs + markers_len(&line[vs..ve]),
            end: ve,
            kind: class.kind,
        });
    }
}

fn flow_sequence(line: &[u8], mut p: usize, class: KeyClass, edits: &mut Vec<Edit>) -> Found {
    let len = line.len();
    while p < len {
        while p < len && (line[p].is_ascii_whitespace() || line[p] == b',') {
            p += 1;
        }
        if p >= len || matches!(line[p], b']' | b'{' | b'[') {
            break;
        }
        let (vs, ve, next) = if matches!(line[p], b'"' | b'\'') {
            let ve = find_close(line, p + 1, line[p], 0).unwrap_or(len);
            (p + 1, ve, (ve + 1).min(len))
        } else {
            let ve = line[p..]
                .iter()
                .position(|&b| b == b',' || b == b']' || b.is_ascii_whitespace())
                .map_or(len, |i| p + i);
            (p, ve, ve)
        };
        collection_item(line, vs, ve, class, edits);
        p = next;
    }
    Found {
        value_end: p,
        block: None,
        pending: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, normalize};
    use crate::prefilter::{Prefilter, Triggers};

    fn run(line: &str) -> (String, KvOutcome) {
        let mut t = Triggers::default();
        Prefilter::new().scan(line.as_bytes(), &mut t);
        let mut edits = Vec::new();
        let ctx = LineCtx {
            line_start: true,
            is_piece: false,
        };
        let o = find(line.as_bytes(), &t.key_words, &ctx, &mut edits);
        normalize(&mut edits);
        let mut out = Vec::new();
        apply(line.as_bytes(), &edits, &mut out);
        (String::from_utf8(out).unwrap(), o)
    }

    fn r(line: &str) -> String {
        run(line).0
    }

    #[test]
    fn yaml_values() {
        // A comment after an unquoted secret goes with it: ` #` may be inside the secret
        // (routing-release `tcp_router.yml.erb` pastes `client_secret: <%= ... %>`).
        assert_eq!(
            r("  nats_password: s3cr3t-Pa55 # rotated"),
            "  nats_password: [REDACTED password]"
        );
        assert_eq!(
            r("client_secret: Hd53k #Tl53z"),
            "client_secret: [REDACTED client_secret]"
        );
        assert_eq!(
            r("password_min_length: 8 # policy"),
            "password_min_length: 8 # policy"
        );
        // A quote inside a quoted secret, pasted unescaped by a template (loggregator
        // `bpm.yml.erb`, log-cache `bpm.yml.erb`): the value runs past it.
        assert_eq!(
            r("TRAFFIC_CONTROLLER_UAA_CLIENT_SECRET: 'Hd63k'Tl63z'"),
            "TRAFFIC_CONTROLLER_UAA_CLIENT_SECRET: '[REDACTED client_secret]'"
        );
        assert_eq!(
            r("UAA_CLIENT_SECRET: \"Hd79k\"Tl79z\""),
            "UAA_CLIENT_SECRET: \"[REDACTED client_secret]\""
        );
        assert_eq!(
            r(r#"<Connector keystorePass="k3ys-t0re-pw"/>"#),
            r#"<Connector keystorePass="[REDACTED password]"/>"#
        );
        assert_eq!(r("secret: 'Hd63k'Tl63z"), "secret: '[REDACTED secret]");
        // A closing quote followed by what ends a value is one.
        assert_eq!(
            r(r#"{"password":"x1y2z3","user":"bob"}"#),
            r#"{"password":"[REDACTED password]","user":"bob"}"#
        );
        assert_eq!(
            r("  admin_password: 'adm1n-s3cr3t' # rotated 2024"),
            "  admin_password: '[REDACTED password]' # rotated 2024"
        );
        assert_eq!(
            r("- password: 'it''s-s3cret'"),
            "- password: '[REDACTED password]'"
        );
        assert_eq!(r("secret: two words"), "secret: [REDACTED secret]");
        assert_eq!(r("password_min_length: 8"), "password_min_length: 8");
        assert_eq!(
            r("require_client_secret: true"),
            "require_client_secret: true"
        );
        assert_eq!(r("credentials:"), "credentials:");
    }

    #[test]
    fn json_values() {
        assert_eq!(
            r(r#"{"user":"a","password":"p\"w","x":1}"#),
            r#"{"user":"a","password":"[REDACTED password]","x":1}"#
        );
        assert_eq!(r(r#"{"password":""}"#), r#"{"password":""}"#);
        assert_eq!(
            r(r#""data":"{\"client_secret\":\"abc\"}""#),
            r#""data":"{\"client_secret\":\"[REDACTED client_secret]\"}""#
        );
        assert_eq!(r(r#"{"token": 12345}"#), r#"{"token": [REDACTED token]}"#);
    }

    #[test]
    fn env_properties_cli() {
        assert_eq!(
            r("export DB_PASSWORD=\"x y\""),
            "export DB_PASSWORD=\"[REDACTED password]\""
        );
        assert_eq!(
            r("cc.db.password=pa ss"),
            "cc.db.password=[REDACTED password]"
        );
        assert_eq!(
            r("app --db-password=hunter2 --port 80"),
            "app --db-password=[REDACTED password] --port 80"
        );
        assert_eq!(
            r("app --password hunter2 -v"),
            "app --password [REDACTED password] -v"
        );
        assert_eq!(r("if password == x"), "if password == x");
    }

    #[test]
    fn block_scalar_is_reported() {
        let (out, o) = run("  private_key: |-");
        assert_eq!(out, "  private_key: |-");
        assert_eq!(
            o.block,
            Some(BlockStart {
                indent: 2,
                kind: SecretKind::PrivateKey,
                strength: Strength::Always
            })
        );
    }

    #[test]
    fn prose_is_not_a_key() {
        assert_eq!(
            r("2024 ERROR invalid token: expired, retrying"),
            "2024 ERROR invalid token: expired, retrying"
        );
        assert_eq!(
            r("2024 ERROR login password: Hunter2x"),
            "2024 ERROR login password: [REDACTED password]"
        );
        assert_eq!(
            r("{password: abc, user: x}"),
            "{password: [REDACTED password], user: x}"
        );
    }

    #[test]
    fn authorization_keeps_scheme() {
        assert_eq!(
            r("Authorization: Basic dXNlcjpwYXNz"),
            "Authorization: Basic [REDACTED credential]"
        );
        assert_eq!(
            r("Authorization: Bearer abc.def.ghi"),
            "Authorization: Bearer [REDACTED bearer_token]"
        );
        assert_eq!(
            r(r#"{"authorization":"bearer abc.def"}"#),
            r#"{"authorization":"bearer [REDACTED bearer_token]"}"#
        );
    }

    #[test]
    fn xml_elements_and_attributes() {
        assert_eq!(
            r("<password>xml-pw-1</password>"),
            "<password>[REDACTED password]</password>"
        );
        assert_eq!(
            r(r#"<Connector port="8443" keystorePass="ks-pw-2" keyAlias="uaa"/>"#),
            r#"<Connector port="8443" keystorePass="[REDACTED password]" keyAlias="uaa"/>"#
        );
    }

    #[test]
    fn flow_maps_under_collection_keys() {
        // Cloud Controller's rendered `database_encryption.keys` (capi-release
        // cloud_controller_ng.yml.erb: `keys: <%= keys.to_json %>`); illustrative values.
        assert_eq!(
            r(
                r#"  keys: {"encryption_key_0":"Zk3x9PqLm2Vb7NcR4tYw8HsJ","2024-rotation":"Qw8Er7Ty6Ui5Op4As3Df2Gh1"}"#
            ),
            r#"  keys: {"encryption_key_0":"[REDACTED key]","2024-rotation":"[REDACTED key]"}"#
        );
        assert_eq!(
            r("passwords: {admin: hunter2-x, 'ops': \"s3cret\"}"),
            "passwords: {admin: [REDACTED password], 'ops': \"[REDACTED password]\"}"
        );
        // Names and public keys stay.
        for l in [
            r#"keys: {"label":"name_of_a_thing"}"#,
            "ssh_keys: {vcap: AAAAB3NzaC1yc2EAAAADAQABAAABAQC}",
            r#"credentials: {"hostname":"10.0.0.5","port":3306}"#,
        ] {
            assert_eq!(r(l), l);
        }
    }

    #[test]
    fn flow_sequences() {
        assert_eq!(
            r("passwords: [a1, \"b2\"]"),
            "passwords: [[REDACTED password], \"[REDACTED password]\"]"
        );
    }
}
