//! The bodies of the fuzz targets, one function per target, so that the same code runs
//! under libFuzzer (`fuzz_targets/*.rs`, three-line wrappers) and over the committed seed
//! corpus in a plain `cargo test` (`tests/seeds.rs`).
//!
//! Every body must never panic on any input; where a target has an *oracle* (a property
//! that must hold for every input, beyond "no panic"), it is an `assert!` here:
//!
//! | target | code under test | oracle |
//! | --- | --- | --- |
//! | [`reader`] | `analyzer::input::read_input` on a file (tar, tgz, nested tgz, loose log) | VM announced before its entries; entry paths relative, no `..` |
//! | [`lines`] | `Matcher::scan_slice` over the built-in library, `timestamp::parse_line` | a streamed scan with a small buffer finds the same hits when every line fits |
//! | [`signatures`] | `Library::parse` + `signature::check` | a library `check` passes compiles in `Matcher::new` |
//! | [`redact`] | `Redactor::redact_bytes` / `redact_reader` | planted secrets never survive; UTF-8 in, UTF-8 out; idempotent; the streaming reader agrees with `redact_bytes` |
//! | [`structured`] | `Redactor::redact_bytes_as` for every structured `FileKind`, `gate::scan_line` | planted secrets never survive the allow-list; no panic |
//! | [`certs`] | `checks::certs::extract`, the certificate check | line numbers and indices consistent |
//! | [`parsers`] | `monit::parse_summary`, `disk::parse_df`, `VmChecks` on those files | rows point at real lines |
//!
//! How to run them: docs/reliability.md.

use analyzer::checks::{certs as certcheck, disk, monit, VmChecks};
use analyzer::input::{read_input, EntryMeta, Input, Sink, Skipped, VmInfo};
use analyzer::matcher::{Matcher, Selection};
use analyzer::signature::{check, Library, Origin, CHECK_IDS};
use analyzer::timestamp::{parse_line, YearHint};
use flate2::write::GzEncoder;
use flate2::Compression;
use redact::Redactor;
use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

/// A fixed "now" (2024-06-01T00:00:00Z): results never depend on the wall clock.
fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_717_200_000).expect("valid")
}

// ------------------------------------------------------------------------------------------
// (a) the bundle reader

/// One scratch directory per process (libFuzzer may run several).
static SCRATCH: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    tempfile::Builder::new()
        .prefix("vcap-fuzz-reader.")
        .tempdir()
        .expect("a temporary directory")
});

/// Input names: the reader takes identity and time hints from them.
const NAMES: &[&str] = &[
    "cf.diego_cell.6a1e5b7c-0000-4000-8000-000000000001.20240304T050607Z.tgz",
    "logs_1541529930.tgz",
    "cf.doppler.0123-20240102-030405-123456789.tgz",
    "rep.6a1e5b7c-0000-4000-8000-000000000001.2024-01-02-03-04-05.tgz",
    "bundle.tar",
    "rep.stdout.log.1.gz",
    "input",
    "x.tgz",
];

/// Reads every entry to its end (in small reads) and checks the reader's promises.
#[derive(Default)]
struct Checking {
    announced: Mutex<HashSet<String>>,
}

impl Sink for Checking {
    fn vm(&self, vm: &VmInfo) {
        self.announced.lock().unwrap().insert(vm.origin.clone());
    }

    fn entry(&self, vm: &VmInfo, entry: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
        assert!(
            self.announced.lock().unwrap().contains(&vm.origin),
            "entry {:?} of a VM not announced: {}",
            entry.path,
            vm.origin
        );
        assert!(
            !entry.path.starts_with('/'),
            "absolute path {:?}",
            entry.path
        );
        assert!(
            !entry.path.split('/').any(|c| c == ".."),
            "path climbs: {:?}",
            entry.path
        );
        let mut buf = [0u8; 8192];
        loop {
            match data.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn skipped(&self, _: Skipped) {}
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).expect("into memory");
    e.finish().expect("into memory")
}

/// A valid `bosh logs`-shaped tgz holding `inner` as a nested instance tarball, between two
/// plain files (reading must go on after a broken nested archive).
fn nested(inner: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).expect("into memory");
    };
    add("./rep/rep.stdout.log", b"rep started\n");
    add("./doppler.0000.2024-01-02-03-04-05.tgz", inner);
    add("./rep/after.log", b"after\n");
    gz(&b.into_inner().expect("into memory"))
}

/// The file to read and how to name it, from the first byte: the low three bits pick the
/// shape, the rest the file name.
pub fn reader_input(data: &[u8]) -> Option<(Vec<u8>, &'static str, bool)> {
    let (&mode, rest) = data.split_first()?;
    let name = NAMES[usize::from(mode >> 3) % NAMES.len()];
    Some(match mode & 7 {
        // the bytes as they are (tar, tgz, garbage): most of the weight
        0..=2 => (rest.to_vec(), name, false),
        // the bytes as a tar stream under valid gzip (the fuzzer cannot make CRCs)
        3 => (gz(rest), name, false),
        // a nested instance tarball, raw or gzip-compressed, inside a valid tgz
        4 => (nested(rest), "logs_1704164645.tgz", false),
        5 => (nested(&gz(rest)), "logs_1704164645.tgz", false),
        // a loose log file (plain or gzip)
        6 => (rest.to_vec(), name, true),
        _ => (gz(rest), "rep.stdout.log.1.gz", true),
    })
}

/// (a) `read_input` on the bytes written to a file: never panics, keeps its promises.
pub fn reader(data: &[u8]) {
    let Some((bytes, name, loose)) = reader_input(data) else {
        return;
    };
    let path: PathBuf = SCRATCH.path().join(name);
    std::fs::write(&path, &bytes).expect("scratch file written");
    let input = if loose {
        Input::LogFile(path.clone())
    } else {
        Input::Archive(path.clone())
    };
    let sink = Checking::default();
    let problems = read_input(&input, &sink);
    for p in &problems {
        assert!(
            !p.message.contains("internal error"),
            "the reader panicked (caught): {p}"
        );
    }
    let _ = std::fs::remove_file(&path);
}

// ------------------------------------------------------------------------------------------
// (b) the line scanner and timestamp parsers

static MATCHER: LazyLock<Matcher> = LazyLock::new(|| {
    let lib = Library::builtin();
    assert!(lib.problems.is_empty(), "{:?}", lib.problems);
    Matcher::new(&lib.signatures).expect("the built-in library compiles")
});

/// The buffer of the streamed scan in [`lines`]: small, so chunk boundaries are many.
const SMALL_BUFFER: usize = 4096;

/// (b) Every built-in signature over arbitrary bytes, in memory and streamed; the timestamp
/// of every line.
pub fn lines(data: &[u8]) {
    let m = &*MATCHER;
    let hint = YearHint { now: Some(now()) };
    let all = Selection::all(m.len());
    let in_memory = m.scan_slice(&all, data, hint);
    if data
        .split(|&b| b == b'\n')
        .all(|l| l.len() + 1 < SMALL_BUFFER)
    {
        let (streamed, err) = m.scan_with_capacity(&all, &mut &data[..], hint, SMALL_BUFFER);
        assert!(err.is_none());
        assert_eq!(
            in_memory, streamed,
            "streamed scan differs from in-memory scan"
        );
    }
    for line in data.split(|&b| b == b'\n') {
        let _ = parse_line(line, hint);
    }
}

// ------------------------------------------------------------------------------------------
// (c) the signature loader

/// (c) One signature file: parse, check, and when `check` finds no error, compile.
pub fn signatures(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = Origin::File(PathBuf::from("signatures/fuzz/fuzz-sig.toml"));
    let lib = Library::parse([(origin, text)]);
    let report = check(&lib, CHECK_IDS);
    if !report.has_errors() {
        if let Err(e) = Matcher::new(&lib.signatures) {
            panic!("check passed but the matcher refuses the library: {e}");
        }
    }
}

// ------------------------------------------------------------------------------------------
// (d) the redactor, with an oracle

static REDACTOR: LazyLock<Redactor> = LazyLock::new(Redactor::new);

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A secret of 12 to 43 characters from `alphabet`, chosen by `bytes`; it always holds an
/// upper-case letter and a digit (a value no rule may mistake for a word).
fn secret(bytes: &[u8], alphabet: &[u8]) -> String {
    let len = 12 + bytes.first().map_or(0, |b| usize::from(b % 32));
    let mut s: Vec<u8> = (0..len)
        .map(|i| alphabet[usize::from(*bytes.get(i + 1).unwrap_or(&(i as u8))) % alphabet.len()])
        .collect();
    s[0] = b'Q';
    s[1] = b'7';
    String::from_utf8(s).expect("ASCII")
}

/// One placement of a secret, on lines of its own.
fn plant(shape: u8, s: &str) -> String {
    match shape % 6 {
        0 => format!("password: {s}\n"),
        1 => format!("{{\"client_id\":\"cc\",\"client_secret\":\"{s}\",\"port\":8443}}\n"),
        2 => format!("url: nats://nats:{s}@10.0.0.1:4222\n"),
        3 => format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----\n",
            s,
            s.chars().rev().collect::<String>()
        ),
        4 => format!("  nats_password: \"{s}\"\n"),
        _ => format!("export CLIENT_SECRET={s}\n"),
    }
}

/// What [`redact`] feeds the redactor: fuzz-chosen text with secrets planted between its
/// lines, and the secrets.
pub fn redact_case(data: &[u8]) -> Option<(Vec<u8>, Vec<String>)> {
    // layout: [n secrets (1..=3)] then per secret [shape][len][chars...] (43 bytes), rest text
    let (&n, mut rest) = data.split_first()?;
    let n = 1 + usize::from(n % 3);
    let mut secrets = Vec::new();
    let mut planted = Vec::new();
    for _ in 0..n {
        let take = rest.len().min(44);
        let (spec, tail) = rest.split_at(take);
        rest = tail;
        let shape = spec.first().copied().unwrap_or(0);
        let alphabet = if shape % 6 == 3 { BASE64 } else { ALNUM };
        let s = secret(spec.get(1..).unwrap_or(&[]), alphabet);
        planted.push(plant(shape, &s));
        secrets.push(s);
    }
    // the text is cut in n + 1 pieces at line ends; each secret goes between two of them
    let text = rest;
    let mut input = Vec::with_capacity(text.len() + 256);
    let mut from = 0;
    for (k, p) in planted.iter().enumerate() {
        let want = text.len() * (k + 1) / (n + 1);
        let cut = text[want..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| want + i + 1)
            .max(from);
        input.extend_from_slice(&text[from..cut]);
        if !input.is_empty() && !input.ends_with(b"\n") {
            input.push(b'\n');
        }
        input.extend_from_slice(p.as_bytes());
        from = cut;
    }
    input.extend_from_slice(&text[from..]);
    // a secret the text itself holds could survive as text, not as a planted secret
    if secrets.iter().any(|s| contains(text, s.as_bytes())) {
        secrets.clear();
    }
    Some((input, secrets))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// (d') The allow-list of structured files on the same fuzz-chosen text, read as each
/// structured kind.
pub fn structured(data: &[u8]) {
    let Some((input, secrets)) = redact_case(data) else {
        return;
    };
    let r = &*REDACTOR;
    use redact::FileKind::*;
    for kind in [Yaml, Json, Toml, Ini, Env, Conf, Sql] {
        let (out, _) = r.redact_bytes_as(kind, &input);
        for s in &secrets {
            assert!(
                !contains(&out, s.as_bytes()),
                "{kind:?}: planted secret {s:?} survived:\n{}",
                String::from_utf8_lossy(&out)
            );
        }
    }
    for line in input.split(|&b| b == b'\n') {
        let _ = redact::gate::scan_line(line);
    }
}

/// (d) The redactor's promises on fuzz-chosen text with planted secrets.
pub fn redact(data: &[u8]) {
    let Some((input, secrets)) = redact_case(data) else {
        return;
    };
    let r = &*REDACTOR;
    let (once, _) = r.redact_bytes(&input);
    for s in &secrets {
        assert!(
            !contains(&once, s.as_bytes()),
            "planted secret {s:?} survived:\n{}",
            String::from_utf8_lossy(&once)
        );
    }
    if std::str::from_utf8(&input).is_ok() {
        assert!(
            std::str::from_utf8(&once).is_ok(),
            "UTF-8 in, not UTF-8 out"
        );
    }
    let (twice, stats) = r.redact_bytes(&once);
    assert!(
        twice == once,
        "not idempotent:\nonce:  {:?}\ntwice: {:?}",
        String::from_utf8_lossy(&once),
        String::from_utf8_lossy(&twice)
    );
    assert_eq!(stats.redactions + stats.leak_scan_hits, 0);
    // the streaming reader, lines never cut: the same bytes (its fast path skips clean runs)
    let mut streamed = Vec::new();
    r.redact_reader(&input[..], &mut streamed, input.len() + 1)
        .expect("into memory");
    assert!(
        streamed == once,
        "redact_reader differs from redact_bytes:\nbytes:  {:?}\nreader: {:?}",
        String::from_utf8_lossy(&once),
        String::from_utf8_lossy(&streamed)
    );
    // long lines cut in pieces of 256 bytes: the planted secrets still go
    let mut pieces = Vec::new();
    r.redact_reader(&input[..], &mut pieces, 256)
        .expect("into memory");
    for s in &secrets {
        assert!(
            !contains(&pieces, s.as_bytes()),
            "planted secret {s:?} survived in pieces of 256 bytes"
        );
    }
}

// ------------------------------------------------------------------------------------------
// (e) the certificate scanner

/// (e) `certs::extract` and the certificate check over the file.
pub fn certs(data: &[u8]) {
    let path = "var/vcap/jobs/rep/config/certs/ca.crt";
    let found = certcheck::extract(path, data);
    let lines = 1 + data.iter().filter(|&&b| b == b'\n').count() as u64;
    for (i, c) in found.iter().enumerate() {
        assert_eq!(c.index as usize, i);
        assert!(c.line >= 1 && c.line <= lines, "line {} of {lines}", c.line);
    }
    let mut vm = VmChecks::new("fuzz/0");
    vm.feed(path, &mut &data[..]).expect("in memory");
    let _ = vm.finish(Some(now()), 30);
}

// ------------------------------------------------------------------------------------------
// (f) monit summary and df

/// (f) `monit summary` and `df` parsers, directly and through the checks (first byte picks
/// the file).
pub fn parsers(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let lines = text.lines().count() as u64;
    let summary = monit::parse_summary(&text);
    for s in &summary.services {
        assert!(s.line >= 1 && s.line <= lines);
        let _ = monit::health(&s.status);
    }
    for row in disk::parse_df(&text) {
        assert!(row.line >= 1 && row.line <= lines);
        let _ = disk::severity(row.percent);
    }
    let path = match which % 4 {
        0 => "commands/monit-summary.txt",
        1 => "commands/df.txt",
        2 => "commands/df-inodes.txt",
        _ => "var/vcap/monit/monit.log",
    };
    let mut vm = VmChecks::new("fuzz/0");
    vm.feed(path, &mut &rest[..]).expect("in memory");
    let _ = vm.finish(Some(now()), 30);
}
