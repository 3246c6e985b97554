//! `vcap-analyze scan-secrets`: what in an input still looks like a secret.
//!
//! Every file the [`input`] reader delivers (archives, nested `bosh logs`
//! tarballs, rotated `.gz` logs, directories, loose files, stdin) is fed line by line to a
//! [`RedactStream`], the collector's own redaction state:
//! a line counts as holding a secret when redacting it would replace something, whether one
//! of the rules or the final leak scan would. The stream, unlike the stateless
//! `Redactor::scan_line`, follows multi-line constructs (PEM private key bodies, YAML block
//! scalars under a secret key), so a key spread over 27 lines is found at its first body
//! line. Beside it, the independent leak gate (`redact::gate`: entropy and shape over
//! every token, no key names) judges every line too, so what the rules' policy misses is
//! still reported. The stream's output is thrown away: only the line number and the kinds
//! are kept. Values
//! already redacted (`[REDACTED password]`) are not secrets, so a copy made by
//! `vcap-analyze redact` (or by `vcap-collect`) scans clean.
//!
//! Lines are split as every reader splits them ([`crate::input::lines`]): a line longer than
//! 1 MiB comes in pieces, fed to the stream without their repeated start so that it carries
//! its state from one piece to the next; a line is one hit however many pieces hold secrets.
//!
//! Binary files other than gzip cannot be read line by line and may hold key material
//! (keystores, DER keys): each counts as one hit of kind [`BINARY`], as `vcap-analyze redact`
//! leaves them out.
//!
//! What the report never holds: the secret, or any text of the line around it. Only the
//! input, the entry name, line numbers and kinds.
//!
//! # JSON (`--format json`), schema 1
//!
//! ```text
//! { "schema": 1,
//!   "clean": false,                 // no hit and no error
//!   "inputs": 2, "files": 310, "bytes": 52428800,
//!   "hits": 14,                     // lines (and binary files) that look like a secret, all files
//!   "files_with_secrets": [
//!     { "input": "logs_1563024441.tgz!cf.diego_cell.<id>.2019-07-13-13-27-21.tgz",
//!       "path": "./bosh/current",   // as stored in the archive / relative to the directory
//!       "hits": 2,
//!       "by_kind": { "url_credentials": 2 },
//!       "lines": [ { "line": 8, "kinds": ["url_credentials"] }, ... ],   // first 100
//!       "binary": false } ],
//!   "errors": [ "x.tgz: gzip data ends early ... (at byte 1234)" ] }
//! ```

use super::bundle_manifest;
use crate::input::classify::{classify, Kind};
use crate::input::lines;
use crate::input::{self, EntryMeta, Input, Sink, Skipped, VmInfo};
use rayon::prelude::*;
use redact::gate::LineGate;
use redact::{FileKind, RedactStream, Redactor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The kind reported for a binary file.
pub const BINARY: &str = "binary_content";
/// Line numbers kept per file (the count covers them all).
pub const MAX_LINES_PER_FILE: usize = 100;
/// The value of [`ScanReport::schema`].
pub const SCHEMA: u32 = 1;

/// What `scan-secrets` found (see the module docs for the JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ScanReport {
    pub schema: u32,
    /// No hit and no error.
    pub clean: bool,
    pub inputs: u64,
    pub files: u64,
    pub bytes: u64,
    pub hits: u64,
    /// Ordered by input, then path.
    pub files_with_secrets: Vec<FileHits>,
    /// Inputs or entries that could not be read (what could be was scanned).
    pub errors: Vec<String>,
}

/// One file with something that looks like a secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileHits {
    /// The input (`outer.tgz!inner.tgz` inside a nested archive).
    pub input: String,
    /// The entry as stored (or relative to the directory given; the path for a loose file).
    pub path: String,
    pub hits: u64,
    pub by_kind: BTreeMap<String, u64>,
    /// The first [`MAX_LINES_PER_FILE`] lines with a hit, 1-based.
    pub lines: Vec<LineHit>,
    pub binary: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LineHit {
    pub line: u64,
    pub kinds: Vec<String>,
}

/// Scans `args` (paths, globs, `-`). `progress` is called with each input's name when done.
pub fn scan(args: &[String], progress: &(dyn Fn(&str) + Sync)) -> ScanReport {
    let (inputs, problems) = input::discover(args);
    let sink = ScanSink {
        redactor: Redactor::new(),
        found: Mutex::new(Vec::new()),
        files: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
    };
    let mut errors: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let schedule = input::Schedule::new(inputs.len());
    let per_input: Vec<Vec<String>> = inputs
        .par_iter()
        .map(|inp: &Input| {
            let probs = input::read_input_as(inp, &sink, schedule.start());
            progress(&inp.name());
            probs.iter().map(|p| p.to_string()).collect()
        })
        .collect();
    errors.extend(per_input.into_iter().flatten());
    let mut found = sink.found.into_inner().unwrap_or_else(|e| e.into_inner());
    found.sort_by(|a, b| (&a.input, &a.path).cmp(&(&b.input, &b.path)));
    let hits = found.iter().map(|f| f.hits).sum();
    ScanReport {
        schema: SCHEMA,
        clean: hits == 0 && errors.is_empty(),
        inputs: inputs.len() as u64,
        files: sink.files.into_inner(),
        bytes: sink.bytes.into_inner(),
        hits,
        files_with_secrets: found,
        errors,
    }
}

struct ScanSink {
    redactor: Redactor,
    found: Mutex<Vec<FileHits>>,
    files: AtomicU64,
    bytes: AtomicU64,
}

impl Sink for ScanSink {
    fn vm(&self, _vm: &VmInfo) {}

    fn entry(&self, vm: &VmInfo, entry: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
        let mut file = FileHits {
            input: vm.origin.clone(),
            path: entry.archive_name.clone(),
            hits: 0,
            by_kind: BTreeMap::new(),
            lines: Vec::new(),
            binary: false,
        };
        let result = if bundle_manifest::is_candidate(entry.archive_name.as_bytes()) {
            // our bundle's manifest counts redactions by kind (`"password": 2`): not secrets
            let mut head = Vec::new();
            match data.take(bundle_manifest::CAP + 1).read_to_end(&mut head) {
                Err(e) => Err(e),
                Ok(_) => {
                    let ours = head.len() as u64 <= bundle_manifest::CAP
                        && bundle_manifest::is_ours(&head);
                    scan_file(
                        &self.redactor,
                        &mut io::Cursor::new(head).chain(data),
                        &mut file,
                        ours,
                        None,
                    )
                }
            }
        } else {
            scan_file(
                &self.redactor,
                data,
                &mut file,
                false,
                Some(&entry.archive_name),
            )
        };
        self.files.fetch_add(1, Ordering::Relaxed);
        if let Ok(n) = &result {
            self.bytes.fetch_add(*n, Ordering::Relaxed);
        }
        // A file that fails part way still reports what was found before.
        if file.hits > 0 {
            self.found
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(file);
        }
        result.map(|_| ())
    }

    fn skipped(&self, _skipped: Skipped) {}
}

/// Scans one file's data into `file`; returns the bytes read.
/// `our_manifest`: the data is our bundle's manifest, whose counts by kind are not secrets.
fn scan_file(
    redactor: &Redactor,
    data: &mut dyn Read,
    file: &mut FileHits,
    our_manifest: bool,
    path: Option<&str>,
) -> io::Result<u64> {
    // what the reader delivers is decompressed already: anything but plain text is binary
    let mut data = classify(data);
    if data.kind() != Kind::Text || data.gzip().is_some() {
        file.binary = true;
        file.hits = 1;
        file.by_kind.insert(BINARY.to_string(), 1);
        return Ok(0);
    }
    // A structured file is judged as the redactor judges it: by the allow-list.
    let kind = path.map_or(FileKind::Text, |p| FileKind::detect(p, data.prefix()));
    let counts = our_manifest.then_some(false);
    let mut lines = LineHits {
        stream: redactor.stream_as(kind),
        gate: LineGate::default(),
        out: Vec::new(),
        seen: 0,
        by_kind: BTreeMap::new(),
        file,
        counts,
    };
    // pieces of a long line are fed without their repeated start: the stream carries its
    // state from one piece to the next
    lines::for_each_line(&mut data, |line| lines.feed(line.fresh(), line.number))
}

/// The redaction stream of one file and what its replacements say about each line.
struct LineHits<'r, 'f> {
    stream: RedactStream<'r>,
    /// The independent leak gate (entropy and shape, no key names): a line it flags is a
    /// hit even when the redactor's rules would change nothing.
    gate: LineGate,
    /// The redacted text, thrown away.
    out: Vec<u8>,
    /// Replacements counted so far, in all and by kind (updated only on lines with a hit).
    seen: u64,
    by_kind: BTreeMap<&'static str, u64>,
    file: &'f mut FileHits,
    /// In our bundle's manifest: whether a `"redacted_kinds"` block is open.
    counts: Option<bool>,
}

impl LineHits<'_, '_> {
    /// One line (or piece of one) numbered `number`.
    fn feed(&mut self, line: &[u8], number: u64) {
        let is_count = self
            .counts
            .as_mut()
            .is_some_and(|open| bundle_manifest::is_count_by_kind(line, open));
        self.stream.line(line, &mut self.out);
        self.out.clear();
        let gate = if is_count { None } else { self.gate.line(line) };
        let stats = self.stream.stats();
        let total = stats.redactions + stats.leak_scan_hits;
        if total == self.seen {
            if let Some(kind) = gate {
                self.gate_hit(kind, number);
            }
            return;
        }
        self.seen = total;
        if is_count {
            self.by_kind.clone_from(&stats.by_kind);
            return;
        }
        let mut kinds = Vec::new();
        for (kind, n) in &stats.by_kind {
            let was = self.by_kind.get(kind).copied().unwrap_or(0);
            if *n > was {
                *self.file.by_kind.entry(kind.to_string()).or_insert(0) += n - was;
                kinds.push(kind.to_string());
            }
        }
        self.by_kind.clone_from(&stats.by_kind);
        if let Some(last) = self.file.lines.last_mut().filter(|l| l.line == number) {
            // another piece of a line already counted
            for k in kinds {
                if !last.kinds.contains(&k) {
                    last.kinds.push(k);
                }
            }
            return;
        }
        self.file.hits += 1;
        if self.file.lines.len() < MAX_LINES_PER_FILE {
            self.file.lines.push(LineHit {
                line: number,
                kinds,
            });
        }
    }
}

impl LineHits<'_, '_> {
    /// A line only the leak gate flags (a piece of a line already counted adds nothing).
    fn gate_hit(&mut self, kind: &str, number: u64) {
        *self.file.by_kind.entry(kind.to_string()).or_insert(0) += 1;
        if self.file.lines.last().is_some_and(|l| l.line == number) {
            return;
        }
        self.file.hits += 1;
        if self.file.lines.len() < MAX_LINES_PER_FILE {
            self.file.lines.push(LineHit {
                line: number,
                kinds: vec![kind.to_string()],
            });
        }
    }
}

/// The text report: where, how many, which kinds; never the text. Errors are the
/// caller's to print (on stderr).
pub fn render_text(r: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let mut current: Option<&str> = None;
    for f in &r.files_with_secrets {
        if current != Some(f.input.as_str()) {
            writeln!(out, "{}", f.input)?;
            current = Some(&f.input);
        }
        if f.binary {
            writeln!(
                out,
                "  {}: binary content, cannot be checked line by line (it may hold key material)",
                f.path
            )?;
            continue;
        }
        let kinds: Vec<String> = f.by_kind.iter().map(|(k, n)| format!("{k} x{n}")).collect();
        let lines: Vec<String> = f.lines.iter().map(|l| l.line.to_string()).collect();
        let more = if f.hits as usize > f.lines.len() {
            format!(" and {} more", f.hits as usize - f.lines.len())
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {}: {} line(s): {}; line {}{more}",
            f.path,
            f.hits,
            kinds.join(", "),
            lines.join(", ")
        )?;
    }
    // errors go to stderr (the caller prints them), the verdict counts them
    let verdict = if r.hits > 0 {
        format!(
            "NOT SAFE to attach: {} hit(s) in {} file(s); make a redacted copy with `vcap-analyze redact IN OUT`",
            r.hits,
            r.files_with_secrets.len()
        )
    } else if !r.errors.is_empty() {
        "nothing found in what could be read, but not everything could be read".to_string()
    } else {
        "clean: nothing looks like a secret".to_string()
    };
    writeln!(
        out,
        "{} input(s), {} file(s) scanned: {verdict}",
        r.inputs, r.files
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_bytes(data: &[u8]) -> FileHits {
        let mut f = FileHits {
            input: "in".into(),
            path: "p".into(),
            hits: 0,
            by_kind: BTreeMap::new(),
            lines: Vec::new(),
            binary: false,
        };
        scan_file(&Redactor::new(), &mut &data[..], &mut f, false, None).unwrap();
        f
    }

    #[test]
    fn a_multi_line_key_is_one_hit_at_its_body_and_never_shown() {
        let text = "cert: ok\nkey: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEpAIBAAKCAQEAzLvJ2c3XkHqQm5v8YbR1pY0vQeZ3ZbX0a9k1mN2pQ7sT4uVw\n  Qm5v8YbR1pY0vQeZ3ZbX0a9k1mN2pQ7sT4uVwMIIEpAIBAAKCAQEAzLvJ2c3XkHq\n  -----END RSA PRIVATE KEY-----\nurl: nats://nats:hunter2hunter2@10.0.0.6:4222\n";
        let f = scan_bytes(text.as_bytes());
        assert_eq!(f.hits, 2, "{f:?}");
        assert_eq!(f.lines[0].kinds, vec!["private_key".to_string()]);
        assert!((3..=4).contains(&f.lines[0].line), "{f:?}");
        assert_eq!(
            (f.lines[1].line, f.lines[1].kinds.as_slice()),
            (7, &["url_credentials".to_string()][..])
        );
        let shown = format!("{f:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("MIIE"));
    }

    #[test]
    fn redacted_text_is_clean_and_binary_counts() {
        let clean = scan_bytes(b"password: [REDACTED password]\nnats://nats:[REDACTED url_credentials]@10.0.0.6:4222\n");
        assert_eq!(clean.hits, 0, "{clean:?}");
        let bin = scan_bytes(b"\x30\x82\x01\x00\x00keystore");
        assert!(bin.binary);
        assert_eq!(bin.by_kind.get(BINARY), Some(&1));
    }

    #[test]
    fn a_long_line_is_scanned_in_pieces() {
        let mut line = "x".repeat(lines::BUFFER * 2 + 10);
        line.push_str(" password=hunter2hunter2\nnext\n");
        let f = scan_bytes(line.as_bytes());
        assert_eq!(f.hits, 1);
        assert_eq!(f.lines[0].line, 1);
    }

    #[test]
    fn secrets_in_several_pieces_of_one_line_are_one_hit_on_its_line() {
        let mut text = String::from("first\n");
        text.push_str("nats://nats:hunter2hunter2@10.0.0.6:4222 ");
        text.push_str(&"x".repeat(lines::BUFFER + 10));
        text.push_str(" password=hunter2hunter2\nnats://a:b3cr3tb3cr3t@h:1\n");
        let f = scan_bytes(text.as_bytes());
        assert_eq!(f.hits, 2, "{f:?}");
        assert_eq!(f.lines[0].line, 2);
        assert!(f.lines[0].kinds.len() >= 2, "both pieces' kinds: {f:?}");
        assert_eq!(f.lines[1].line, 3);
    }
}
