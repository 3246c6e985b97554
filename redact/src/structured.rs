//! Structured files redacted by allow-list: every string value of a YAML, JSON, TOML,
//! ini/.properties, env, nginx/monit-style or SQL file is masked (`[REDACTED value]`)
//! unless its shape is provably safe ([`is_safe_value`]). Keys, comments, structure and
//! line numbers are kept; values are masked in place.
//!
//! The tokenizers are line-based with a little state carried between lines (a YAML block
//! scalar, a quoted string or a flow collection left open, a TOML multi-line string, a
//! continued `.properties` line): they work on a file's kept tail as well as on its
//! head, on templated or broken files as well as on valid ones, and they never need the
//! file whole. What a tokenizer cannot read (a line that fits no rule of its format) is
//! judged as one value, so it is masked unless safe: nothing falls through as is.
//!
//! Which files are structured ([`FileKind::detect`]) is decided by path and, for files
//! under a job's `config/` with no telling extension, by their first bytes. Logs are
//! never structured: their messages stay byte for byte (the token rule of
//! `logline.rs` guards them).

use super::edit::Edit;
use super::kind::{is_whole_marker, markers_len, SecretKind};
use super::shape::{is_public_pem, is_safe_value, looks_random, trim_ws};

/// How a file is redacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FileKind {
    /// Running text (logs, command output): the rules and the token rule.
    #[default]
    Text,
    Yaml,
    Json,
    Toml,
    /// ini, `.properties`, `.cnf`.
    Ini,
    /// `KEY=value` env files and shell `export`s.
    Env,
    /// `directive arg arg;` configs: nginx, monit, haproxy, redis, syslog.
    Conf,
    Sql,
}

impl FileKind {
    /// The kind of the file at `path` (as stored: `var/vcap/jobs/uaa/config/uaa.yml`, or
    /// absolute) whose first bytes are `head`.
    pub fn detect(path: &str, head: &[u8]) -> FileKind {
        let p = path.to_ascii_lowercase();
        let name = p.rsplit('/').next().unwrap_or(&p);
        let is_log = p.contains("/sys/log/")
            || p.contains("var/log/")
            || p.starts_with("commands/")
            || p.contains("/commands/")
            || name.contains(".log")
            || name.ends_with(".out")
            || name.ends_with(".err")
            || name.ends_with(".txt")
            || name.ends_with(".stdout")
            || name.ends_with(".stderr");
        if is_log {
            return FileKind::Text;
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let by_ext = match ext {
            "yml" | "yaml" => Some(FileKind::Yaml),
            "json" => Some(FileKind::Json),
            "toml" => Some(FileKind::Toml),
            "ini" | "cnf" | "properties" | "cfg" => Some(FileKind::Ini),
            "env" => Some(FileKind::Env),
            "sql" => Some(FileKind::Sql),
            "conf" | "monitrc" => Some(FileKind::Conf),
            // PEM files: the PEM rule keeps certificates (expiry checks) and masks keys.
            "pem" | "crt" | "cer" | "key" | "ca" | "csr" | "pub" => Some(FileKind::Text),
            _ if name == "monitrc" || name.ends_with("rc") && p.contains("/etc/") => {
                Some(FileKind::Conf)
            }
            _ => None,
        };
        let config_dir = p.contains("/config/")
            || p.starts_with("config/")
            || p.contains("var/vcap/bosh/etc/")
            || p.contains("var/vcap/bosh/settings")
            || p.contains("var/vcap/monit/")
            || p.contains("var/vcap/store/") && by_ext.is_some();
        match by_ext {
            Some(k) => k,
            None if config_dir => sniff(head),
            None => FileKind::Text,
        }
    }

    /// Whether values are judged by the allow-list.
    pub fn is_structured(self) -> bool {
        self != FileKind::Text
    }
}

/// The kind of a config file with no telling extension, by its first bytes.
fn sniff(head: &[u8]) -> FileKind {
    let text = trim_ws(head);
    if text.starts_with(b"-----BEGIN") {
        return FileKind::Text; // a PEM file: the PEM rule keeps certificates, masks keys
    }
    if text.starts_with(b"{") || text.starts_with(b"[{") || text.starts_with(b"[\"") {
        return FileKind::Json;
    }
    let first = text
        .split(|&b| b == b'\n')
        .map(trim_ws)
        .find(|l| !l.is_empty() && !l.starts_with(b"#"))
        .unwrap_or(b"");
    if first == b"---" || first.starts_with(b"- ") {
        return FileKind::Yaml;
    }
    if first.starts_with(b"[") {
        return FileKind::Ini;
    }
    let word = first
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    match first.get(word) {
        Some(b':') => FileKind::Yaml,
        Some(b'=') => FileKind::Env,
        _ if first.starts_with(b"export ") => FileKind::Env,
        _ => FileKind::Conf,
    }
}

/// What a structured file leaves open at the end of a line.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    /// A YAML block scalar: lines indented deeper than this belong to it.
    block: Option<BlockScalar>,
    /// A quoted string left open (`"`, `'`, or TOML's `"""`/`'''`).
    quote: Option<&'static [u8]>,
    /// Depth of a flow collection left open (YAML `[`/`{`, TOML arrays).
    flow: usize,
    /// A `.properties` value continued with a trailing `\`, or the rest of a cut piece.
    cont: bool,
}

#[derive(Clone, Copy, Debug)]
struct BlockScalar {
    parent: usize,
    /// Inside a public PEM block: lines kept up to its END line.
    in_cert: bool,
    /// Content seen that is neither a certificate nor safe: the rest is masked too.
    masked: bool,
}

fn mask(line: &[u8], s: usize, e: usize, edits: &mut Vec<Edit>) {
    mask_kv(line, b"", s, e, edits)
}

/// [`mask`] for a value under the key `key`: the few names that say what a value is
/// (a prose text, an id or a name, a digest) widen the allow-list for it.
fn mask_kv(line: &[u8], key: &[u8], s: usize, e: usize, edits: &mut Vec<Edit>) {
    let v = &line[s..e];
    let t = trim_ws(v);
    if t.is_empty() || is_safe_value(t) || super::shape::is_safe_under(key, t) {
        return;
    }
    let lead = v.len() - v.trim_ascii_start().len();
    let s = s + lead;
    let e = s + t.len();
    edits.push(Edit {
        start: s,
        end: e,
        kind: SecretKind::Value,
    });
}

/// Masks the whole span, whatever it holds (a line inside a secret-holding construct).
fn mask_all(line: &[u8], s: usize, e: usize, edits: &mut Vec<Edit>) {
    let v = &line[s..e];
    let t = trim_ws(v);
    if t.is_empty() || is_whole_marker(t) {
        return;
    }
    let s = s + (v.len() - v.trim_ascii_start().len());
    edits.push(Edit {
        start: s,
        end: s + t.len(),
        kind: SecretKind::Value,
    });
}

fn key_check(line: &[u8], s: usize, e: usize, edits: &mut Vec<Edit>) {
    if looks_random(trim_ws(&line[s..e])) {
        mask_all(line, s, e, edits);
    }
}

fn indent_of(line: &[u8]) -> usize {
    line.iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// The end of the code part of a line: before a comment starting with `#` (at the line
/// start or after white space) outside quotes.
fn comment_start(line: &[u8], from: usize, marks: &[u8]) -> usize {
    let mut q: Option<u8> = None;
    let mut i = from;
    while i < line.len() {
        let b = line[i];
        match q {
            Some(c) => {
                if b == b'\\' && c == b'"' {
                    i += 1;
                } else if b == c {
                    q = None;
                }
            }
            None => {
                if b == b'"' || b == b'\'' {
                    q = Some(b);
                } else if marks.contains(&b) && (i == from || line[i - 1].is_ascii_whitespace()) {
                    return i;
                }
            }
        }
        i += 1;
    }
    line.len()
}

/// Where the string opened by the quote at `open` closes (index of the closing quote).
fn close_quote(line: &[u8], open: usize, q: u8) -> Option<usize> {
    let mut i = open + 1;
    while i < line.len() {
        let b = line[i];
        if q == b'"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == q {
            if q == b'\'' && line.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Appends the allow-list edits of one line (`line` without its terminator). `line_start`
/// is false for the second and later pieces of a line longer than the piece size.
pub(crate) fn line(
    kind: FileKind,
    st: &mut State,
    line: &[u8],
    line_start: bool,
    edits: &mut Vec<Edit>,
) {
    if kind == FileKind::Json {
        json(st, line, edits);
        return;
    }
    if (!line_start || st.cont) && st.quote.is_none() && st.flow == 0 {
        // The rest of a piece or a continued value: judged as one value.
        st.cont = kind == FileKind::Ini && line.trim_ascii_end().ends_with(b"\\");
        mask(line, 0, line.len(), edits);
        return;
    }
    if let Some(q) = st.quote {
        let end = match q.len() {
            1 => scan_close(line, q[0]),
            _ => memchr::memmem::find(line, q),
        };
        match end {
            None => {
                mask_all(line, 0, line.len(), edits);
                return;
            }
            Some(c) => {
                mask_all(line, 0, c, edits);
                st.quote = None;
                // What follows the closing quote is rarely anything but a comment or `,`.
                let rest = c + q.len();
                if st.flow > 0 {
                    flow(line, rest, line.len(), st, sep_of(kind), edits);
                }
                return;
            }
        }
    }
    let before = edits.len();
    match kind {
        FileKind::Text => {}
        FileKind::Yaml => yaml(st, line, edits),
        FileKind::Json => json(st, line, edits),
        FileKind::Toml => toml(st, line, edits),
        FileKind::Ini => ini(st, line, edits),
        FileKind::Env => env(st, line, edits),
        FileKind::Conf => conf(line, edits),
        FileKind::Sql => sql(st, line, edits),
    }
    comment_after_masked(line, &mut edits[before..]);
}

/// A `#` comment right after a masked value goes with it: a template pasting a value
/// unescaped makes ` #` part of it (bosh's blobstore `write_users`:
/// `director:{PLAIN}<password>`; `db_encryption_key: <key>` in Cloud Controller's YAML).
/// A comment after a value shown safe stays.
fn comment_after_masked(line: &[u8], edits: &mut [Edit]) {
    let Some(last) = edits.iter_mut().max_by_key(|e| e.end) else {
        return;
    };
    let code_end = comment_start(line, 0, b"#");
    if code_end < line.len()
        && last.end <= code_end
        && line[last.end..code_end].iter().all(u8::is_ascii_whitespace)
    {
        last.end = line.trim_ascii_end().len().max(code_end);
    }
}

/// The first unescaped `q` of a line that continues a quoted string.
fn scan_close(line: &[u8], q: u8) -> Option<usize> {
    let mut i = 0;
    while i < line.len() {
        if q == b'"' && line[i] == b'\\' {
            i += 2;
            continue;
        }
        if line[i] == q {
            if q == b'\'' && line.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

fn sep_of(kind: FileKind) -> u8 {
    if kind == FileKind::Toml {
        b'='
    } else {
        b':'
    }
}

fn yaml(st: &mut State, line: &[u8], edits: &mut Vec<Edit>) {
    let indent = indent_of(line);
    let blank = line[indent..].is_empty();
    if let Some(mut b) = st.block {
        if blank {
            return;
        }
        if indent > b.parent {
            let t = trim_ws(line);
            if t.starts_with(b"-----BEGIN ") {
                b.in_cert = is_public_pem(t);
            }
            if b.in_cert {
                if t.starts_with(b"-----END ") {
                    b.in_cert = false;
                }
            } else if b.masked || !is_safe_value(t) {
                b.masked = true;
                mask_all(line, indent, line.len(), edits);
            }
            st.block = Some(b);
            return;
        }
        st.block = None;
    }
    if st.flow > 0 {
        let end = comment_start(line, 0, b"#");
        flow(line, 0, end, st, b':', edits);
        return;
    }
    let t = &line[indent..];
    if blank
        || t.starts_with(b"#")
        || t == b"---"
        || t == b"..."
        || t.starts_with(b"%")
        || t.starts_with(b"--- #")
    {
        return;
    }
    let end = comment_start(line, indent, b"#");
    let mut p = indent;
    let mut parent = indent;
    while line[p..end].starts_with(b"- ") || &line[p..end] == b"-" {
        parent = p;
        p += 1;
        p += indent_of(&line[p..end]);
    }
    if p >= end {
        return;
    }
    let mut v = p;
    let mut key: &[u8] = b"";
    if let Some(ke) = yaml_key_end(line, p, end) {
        key_check(line, p, ke, edits);
        key = &line[p..ke];
        parent = p;
        v = ke + 1;
        v += indent_of(&line[v..end]);
    }
    yaml_value(st, line, key, v, end, parent, edits);
}

/// The index of the `:` ending a mapping key that starts at `p`, if the line has one.
fn yaml_key_end(line: &[u8], p: usize, end: usize) -> Option<usize> {
    if matches!(line[p], b'"' | b'\'') {
        let c = close_quote(line, p, line[p])?;
        let after = c + 1 + indent_of(&line[c + 1..end]);
        return (line.get(after) == Some(&b':')
            && (after + 1 >= end || line[after + 1].is_ascii_whitespace()))
        .then_some(after);
    }
    if matches!(line[p], b'{' | b'[' | b'|' | b'>' | b'&' | b'*' | b'!')
        && markers_len(&line[p..end]) == 0
    {
        return None;
    }
    let mut i = p;
    while i < end {
        if line[i] == b':' && (i + 1 >= end || line[i + 1] == b' ' || line[i + 1] == b'\t') {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn yaml_value(
    st: &mut State,
    line: &[u8],
    key: &[u8],
    mut v: usize,
    end: usize,
    parent: usize,
    edits: &mut Vec<Edit>,
) {
    // Anchors and tags precede the value.
    while v < end && matches!(line[v], b'&' | b'!') {
        while v < end && !line[v].is_ascii_whitespace() {
            v += 1;
        }
        v += indent_of(&line[v..end]);
    }
    if v >= end || line[v] == b'*' {
        return;
    }
    if markers_len(&line[v..end]) > 0 {
        // Already redacted by a rule: the rest, if any, is judged around the marker.
        mask_kv(line, key, v, end, edits);
        return;
    }
    match line[v] {
        b'|' | b'>'
            if line[v + 1..end]
                .iter()
                .all(|b| b"+-0123456789 \t".contains(b)) =>
        {
            st.block = Some(BlockScalar {
                parent,
                in_cert: false,
                masked: false,
            });
        }
        b'"' | b'\'' => {
            let q = line[v];
            match close_quote(line, v, q) {
                Some(c)
                    if line
                        .get(c + 1..end)
                        .is_none_or(|r| r.trim_ascii().is_empty()) =>
                {
                    mask_kv(line, key, v + 1, c, edits)
                }
                Some(_) => {
                    // Text after the closing quote: that quote was inside the value, pasted
                    // unescaped by a template (capi's `newrelic.yml.erb`: `license_key:
                    // '<key>'`). All of it up to the last quote is masked.
                    let code = line[..end].trim_ascii_end();
                    let stop = code.len() - usize::from(code.ends_with(&[q]));
                    mask_all(line, v + 1, stop.max(v + 1), edits);
                }
                None => {
                    mask_all(line, v + 1, line.len(), edits);
                    st.quote = Some(if q == b'"' { b"\"" } else { b"'" });
                }
            }
        }
        b'{' | b'[' => flow(line, v, end, st, b':', edits),
        _ => mask_kv(line, key, v, end, edits),
    }
}

/// A flow collection (`{a: b, c: [d, e]}`, TOML `[1, 2]` and `{ k = "v" }`) from `from`
/// to `to`; depth carried in `st.flow` across lines.
fn flow(line: &[u8], from: usize, to: usize, st: &mut State, sep: u8, edits: &mut Vec<Edit>) {
    let mut i = from;
    let mut key: (usize, usize) = (0, 0);
    while i < to {
        let b = line[i];
        let m = markers_len(&line[i..to]);
        if m > 0 {
            i += m;
            continue;
        }
        match b {
            b'{' | b'[' => {
                st.flow += 1;
                i += 1;
            }
            b'}' | b']' => {
                st.flow = st.flow.saturating_sub(1);
                i += 1;
            }
            b',' => {
                key = (0, 0);
                i += 1;
            }
            b' ' | b'\t' => i += 1,
            _ if b == sep => i += 1,
            b'"' | b'\'' => match close_quote(line, i, b) {
                Some(c) => {
                    let after = c + 1 + indent_of(&line[c + 1..to]);
                    if line.get(after) == Some(&sep) {
                        key_check(line, i + 1, c, edits);
                        key = (i + 1, c);
                        i = after + 1;
                    } else {
                        mask_kv(line, &line[key.0..key.1], i + 1, c, edits);
                        i = c + 1;
                    }
                }
                None => {
                    mask_all(line, i + 1, line.len(), edits);
                    st.quote = Some(if b == b'"' { b"\"" } else { b"'" });
                    return;
                }
            },
            _ => {
                let s = i;
                while i < to
                    && !matches!(line[i], b',' | b'}' | b']' | b'{' | b'[')
                    && !(line[i] == sep
                        && (sep == b'=' || i + 1 >= to || line[i + 1].is_ascii_whitespace()))
                {
                    i += 1;
                }
                if i < to && line[i] == sep {
                    key_check(line, s, i, edits);
                    key = (s, i);
                    i += 1;
                } else {
                    mask_kv(line, &line[key.0..key.1], s, i, edits);
                }
            }
        }
    }
}

fn json(st: &mut State, line: &[u8], edits: &mut Vec<Edit>) {
    let mut i = 0;
    let mut key: (usize, usize) = (0, 0);
    if st.quote.is_some() {
        // Only reached for a piece continuing a string cut by the piece size.
        match scan_close(line, b'"') {
            Some(c) => {
                mask_all(line, 0, c, edits);
                st.quote = None;
                i = c + 1;
            }
            None => {
                mask_all(line, 0, line.len(), edits);
                return;
            }
        }
    }
    while i < line.len() {
        match line[i] {
            b'"' => match close_quote(line, i, b'"') {
                Some(c) => {
                    let after = c + 1 + indent_of(&line[c + 1..]);
                    if line.get(after) == Some(&b':') {
                        key_check(line, i + 1, c, edits);
                        key = (i + 1, c);
                    } else {
                        mask_kv(line, &line[key.0..key.1], i + 1, c, edits);
                    }
                    i = c + 1;
                }
                None => {
                    mask_all(line, i + 1, line.len(), edits);
                    st.quote = Some(b"\"");
                    return;
                }
            },
            b',' => {
                key = (0, 0);
                i += 1;
            }
            b'{' | b'}' | b'[' | b']' | b':' | b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                // A bare scalar (number, true, null) or something JSON does not have.
                let s = i;
                while i < line.len() && !b"{}[],: \t\"".contains(&line[i]) {
                    i += 1;
                }
                mask(line, s, i, edits);
            }
        }
    }
}

fn toml(st: &mut State, line: &[u8], edits: &mut Vec<Edit>) {
    let end = comment_start(line, 0, b"#");
    if st.flow > 0 {
        flow(line, 0, end, st, b'=', edits);
        return;
    }
    let t = trim_ws(&line[..end]);
    if t.is_empty() || (t.starts_with(b"[") && t.ends_with(b"]")) {
        return;
    }
    let Some(eq) = line[..end].iter().position(|&b| b == b'=') else {
        mask(line, 0, end, edits);
        return;
    };
    key_check(line, 0, eq, edits);
    let key = trim_ws(&line[..eq]);
    let v = eq + 1 + indent_of(&line[eq + 1..end]);
    if v >= end {
        return;
    }
    if markers_len(&line[v..end]) > 0 {
        mask_kv(line, key, v, end, edits);
        return;
    }
    for q in [&b"\"\"\""[..], b"'''"] {
        if line[v..].starts_with(q) {
            let body = v + 3;
            match memchr::memmem::find(&line[body..], q) {
                Some(c) => mask(line, body, body + c, edits),
                None => {
                    mask_all(line, body, line.len(), edits);
                    st.quote = Some(if q[0] == b'"' { b"\"\"\"" } else { b"'''" });
                }
            }
            return;
        }
    }
    match line[v] {
        b'"' | b'\'' => match close_quote(line, v, line[v]) {
            Some(c) => mask_kv(line, key, v + 1, c, edits),
            None => mask_all(line, v + 1, line.len(), edits),
        },
        b'[' | b'{' => flow(line, v, end, st, b'=', edits),
        _ => mask_kv(line, key, v, end, edits),
    }
}

/// A value with its surrounding quotes removed, as a span.
fn unquote(line: &[u8], s: usize, e: usize) -> (usize, usize) {
    let v = trim_ws(&line[s..e]);
    let s = s + (line[s..e].len() - line[s..e].trim_ascii_start().len());
    let e = s + v.len();
    if v.len() >= 2 && matches!(v[0], b'"' | b'\'') && v[v.len() - 1] == v[0] {
        (s + 1, e - 1)
    } else {
        (s, e)
    }
}

fn ini(st: &mut State, line: &[u8], edits: &mut Vec<Edit>) {
    let indent = indent_of(line);
    let t = trim_ws(line);
    if t.is_empty() || matches!(t[0], b'#' | b';' | b'!') || (t[0] == b'[' && t.ends_with(b"]")) {
        return;
    }
    st.cont = t.ends_with(b"\\");
    let sep = line[indent..]
        .iter()
        .position(|&b| b == b'=' || b == b':')
        .map(|i| indent + i);
    let ws_sep = line[indent..]
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .map(|i| indent + i);
    let sep = match (sep, ws_sep) {
        (Some(a), Some(w)) if w < a && trim_ws(&line[w..a]).is_empty() => Some(a),
        (Some(a), Some(w)) if w < a => Some(w), // `key value` with a `=` inside the value
        (Some(a), _) => Some(a),
        (None, w) => w,
    };
    match sep {
        Some(k) => {
            key_check(line, indent, k, edits);
            let (s, e) = unquote(line, k + 1, line.len());
            mask_kv(line, trim_ws(&line[indent..k]), s, e, edits);
        }
        None => mask(line, indent, line.len(), edits),
    }
}

fn env(st: &mut State, line: &[u8], edits: &mut Vec<Edit>) {
    let indent = indent_of(line);
    let mut p = indent;
    if line[p..].starts_with(b"export ") {
        p += 7;
        p += indent_of(&line[p..]);
    }
    let t = trim_ws(&line[p..]);
    if t.is_empty() || t.starts_with(b"#") {
        return;
    }
    let name = line[p..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if name == 0 || line.get(p + name) != Some(&b'=') {
        conf(line, edits);
        return;
    }
    let v = p + name + 1;
    if v >= line.len() {
        return;
    }
    let key = &line[p..p + name];
    if matches!(line[v], b'"' | b'\'') {
        match close_quote(line, v, line[v]) {
            Some(c) => mask_kv(line, key, v + 1, c, edits),
            None => {
                mask_all(line, v + 1, line.len(), edits);
                st.quote = Some(if line[v] == b'"' { b"\"" } else { b"'" });
            }
        }
    } else {
        let end = comment_start(line, v, b"#");
        mask_kv(line, key, v, end, edits);
    }
}

/// `directive arg arg;` lines: the first word is kept (a directive name), every other
/// word judged; `name=value` words have their value judged.
fn conf(line: &[u8], edits: &mut Vec<Edit>) {
    if super::shape::is_lone_digest(line) {
        return;
    }
    let end = comment_start(line, 0, b"#");
    let mut i = 0;
    let mut first = true;
    let mut key: &[u8] = b"";
    while i < end {
        let b = line[i];
        let m = markers_len(&line[i..end]);
        if m > 0 {
            i += m;
            first = false;
            continue;
        }
        if b.is_ascii_whitespace() || matches!(b, b'{' | b'}' | b';' | b'[' | b']' | b'(' | b')') {
            i += 1;
            continue;
        }
        if b == b'"' || b == b'\'' {
            let c = close_quote(line, i, b).unwrap_or(end);
            mask_kv(line, key, i + 1, c.min(end), edits);
            i = c + 1;
            first = false;
            continue;
        }
        let s = i;
        while i < end
            && !line[i].is_ascii_whitespace()
            && (!matches!(line[i], b';' | b'{' | b'}' | b'[' | b']')
                || markers_len(&line[i..end]) > 0)
        {
            // A marker inside a word (`name='[REDACTED value]'`) is part of it.
            i += markers_len(&line[i..end]).max(1);
        }
        let mut w = &line[s..i];
        while let Some(x) = w.strip_suffix(b",") {
            w = x;
        }
        let we = s + w.len();
        let directive = w.strip_suffix(b":").or(w.strip_suffix(b"=")).unwrap_or(w);
        if first && super::shape::is_enum_word(directive) {
            first = false;
            key = directive;
            continue;
        }
        first = false;
        if w == b":" || w == b"=" || w.is_empty() {
            continue;
        }
        match w.iter().position(|&b| b == b'=') {
            Some(eq) if eq > 0 => {
                let (vs, ve) = unquote(line, s + eq + 1, we);
                mask_kv(line, &line[s..s + eq], vs, ve, edits);
            }
            _ => mask_kv(line, key, s, we, edits),
        }
    }
}

fn sql(st: &mut State, line: &[u8], edits: &mut Vec<Edit>) {
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b == b'-' && line.get(i + 1) == Some(&b'-') {
            return; // a comment to the end of the line
        }
        if b == b'\'' || b == b'"' {
            match close_quote(line, i, b) {
                Some(c) => {
                    mask(line, i + 1, c, edits);
                    i = c + 1;
                }
                None => {
                    mask_all(line, i + 1, line.len(), edits);
                    st.quote = Some(if b == b'"' { b"\"" } else { b"'" });
                    return;
                }
            }
            continue;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests;
