//! The signature library and the matcher, through the public API.
//!
//! `builtin_library_checks_clean` is how `cargo test` runs every embedded example of
//! `signatures/**.toml`; the other tests pin the matcher's behaviour on streams: literal
//! overlap, chunk boundaries, line numbers, long lines, invalid UTF-8, grouping, scopes.

use analyzer::matcher::{to_findings, GroupedHit, Matcher};
use analyzer::signature::{check, Library, Origin, Signature, CHECK_IDS};
use analyzer::timestamp::YearHint;
use std::io::{self, Read};

// ---------------------------------------------------------------------------------------
// The built-in library.

#[test]
fn builtin_library_checks_clean() {
    let lib = Library::builtin();
    assert!(
        lib.problems.is_empty(),
        "load problems: {:#?}",
        lib.problems
    );
    let report = check(&lib, CHECK_IDS);
    let errors: Vec<String> = report.errors().map(|p| p.to_string()).collect();
    assert!(
        errors.is_empty(),
        "signatures check:\n{}",
        errors.join("\n")
    );
    for w in report.warnings() {
        eprintln!("{w}");
    }
    let examples: usize = lib.signatures.iter().map(|s| s.tests.len()).sum();
    assert_eq!(report.examples, examples, "every embedded example runs");
    assert!(report.signatures >= 9, "{} signatures", report.signatures);
}

#[test]
fn builtin_seed_signatures_are_linked() {
    let lib = Library::builtin();
    let links = |id: &str| -> Vec<String> {
        let sig = lib.get(id).unwrap_or_else(|| panic!("no signature {id}"));
        sig.explained_by
            .iter()
            .map(|l| format!("{}:{}", l.id, l.scope.as_str()))
            .collect()
    };
    let rep = links("rep-downloading-failed");
    assert!(
        rep.contains(&"remote-bad-certificate:vm".to_string()),
        "{rep:?}"
    );
    assert!(rep.contains(&"cert-expired:vm".to_string()), "{rep:?}");
    assert!(links("remote-bad-certificate").contains(&"cert-expired:fleet".to_string()));
    assert!(links("director-render-credhub-unreachable")
        .contains(&"credhub-decryption-failed:fleet".to_string()));
    let metron = lib.get("metron-no-dopplers").unwrap();
    assert!(metron
        .explained_by
        .iter()
        .any(|l| l.id == "monit-process-failed"
            && l.when.get("process").map(String::as_str) == Some("doppler")));
}

#[test]
fn builtin_library_finds_the_seed_lines_in_a_scan() {
    let lib = Library::builtin();
    let m = Matcher::new(&lib.signatures).unwrap();
    let log = "2016-12-06T18:30:00Z starting\npanic: No dopplers listening on [udp]\n\ngoroutine 1 [running]:\n";
    let sel = m.select(
        "var/vcap/sys/log/metron_agent/metron_agent.stderr.log",
        false,
    );
    let hits = m
        .scan(&sel, &mut log.as_bytes(), YearHint::default())
        .unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(m.id(hits[0].signature), "metron-no-dopplers");
    assert_eq!(hits[0].first_line, 2);
    let findings = to_findings(
        &lib.signatures,
        &hits,
        "doppler_z1/0",
        "var/vcap/sys/log/metron_agent/metron_agent.stderr.log",
    );
    assert_eq!(
        findings[0].summary,
        "metron_agent panicked: no usable doppler for udp"
    );
    assert_eq!(findings[0].job.as_deref(), Some("metron_agent"));
    assert_eq!(findings[0].id, "");
}

// ---------------------------------------------------------------------------------------
// Helpers.

fn sig(id: &str, files: &[&str], literals: &[&str], regex: &[&str]) -> Signature {
    let list = |v: &[&str]| {
        v.iter()
            .map(|s| format!("'''{s}'''"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "schema = 1\nid = \"{id}\"\ntitle = \"{id}\"\ncategory = \"process_crash\"\nkind = \"symptom\"\nseverity = \"low\"\n\
         [scope]\nfiles = [{}]\n[match]\nliterals = [{}]\nregex = [{}]\n\
         [report]\nsummary = \"{id}\"\nremediation = \"r\"\n",
        list(files),
        list(literals),
        list(regex)
    );
    Signature::from_toml(&text, Origin::Builtin(format!("test/{id}.toml"))).unwrap()
}

/// A reader that hands out at most `n` bytes per call.
struct Trickle<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

fn scan_all(m: &Matcher, data: &[u8], capacity: usize, step: usize) -> Vec<GroupedHit> {
    let sel = m.select("x", true);
    let (hits, err) = m.scan_with_capacity(
        &sel,
        &mut Trickle { data, n: step },
        YearHint::default(),
        capacity,
    );
    assert!(err.is_none(), "{err:?}");
    hits
}

fn by_id<'a>(m: &Matcher, hits: &'a [GroupedHit], id: &str) -> Option<&'a GroupedHit> {
    hits.iter().find(|h| m.id(h.signature) == id)
}

// ---------------------------------------------------------------------------------------
// Matcher behaviour.

#[test]
fn literals_that_overlap_or_contain_each_other_mask_no_signature() {
    let m = Matcher::new(&[
        sig(
            "short",
            &["**"],
            &["tls: bad certificate"],
            &["tls: bad certificate"],
        ),
        sig(
            "long",
            &["**"],
            &["remote error: tls: bad certificate"],
            &[r"remote error: tls: bad certificate"],
        ),
        sig(
            "overlap",
            &["**"],
            &["certificate from peer"],
            &["bad certificate from peer"],
        ),
        sig(
            "shared",
            &["**"],
            &["tls: bad certificate"],
            &["(?P<who>\\w+): remote error"],
        ),
    ])
    .unwrap();
    let line = b"rep: remote error: tls: bad certificate from peer\n";
    let hits = scan_all(&m, line, 1 << 16, 1 << 16);
    let mut ids: Vec<&str> = hits.iter().map(|h| m.id(h.signature)).collect();
    ids.sort();
    assert_eq!(ids, ["long", "overlap", "shared", "short"]);
    assert_eq!(by_id(&m, &hits, "shared").unwrap().captures["who"], "rep");
    // The same through match_line.
    for i in 0..m.len() {
        assert!(m.match_line(i, line).is_some(), "{}", m.id(i));
    }
}

#[test]
fn hits_at_chunk_edges_and_across_boundaries_with_exact_line_numbers() {
    let m = Matcher::new(&[sig(
        "needle",
        &["**"],
        &["NEEDLE-LITERAL"],
        &[r"NEEDLE-LITERAL (?P<n>\d+)"],
    )])
    .unwrap();
    // Lines of varied lengths; the needle on lines 1, 5, 6, 23, and the last line (no `\n`).
    let mut text = String::new();
    let mut expected = Vec::new();
    for line in 1..=40u64 {
        if [1, 5, 6, 23, 40].contains(&line) {
            text.push_str(&format!(
                "x{} NEEDLE-LITERAL {line}",
                "y".repeat(line as usize % 7)
            ));
            expected.push(line);
        } else {
            text.push_str(&"filler ".repeat(line as usize % 9));
        }
        if line < 40 {
            text.push('\n');
        }
    }
    // Every buffer size from tiny to large, fed 7 bytes at a time: hits fall on every
    // possible position relative to chunk edges.
    for capacity in [64, 65, 71, 80, 97, 128, 200, 256, 1000, 1 << 20] {
        let hits = scan_all(&m, text.as_bytes(), capacity, 7);
        assert_eq!(hits.len(), 1, "capacity {capacity}");
        let h = &hits[0];
        assert_eq!(h.count, expected.len() as u64, "capacity {capacity}");
        assert_eq!((h.first_line, h.last_line), (1, 40), "capacity {capacity}");
        assert_eq!(h.captures["n"], "1", "capacity {capacity}");
    }
    // Line numbers of each hit, one signature per needle line.
    for &line in &expected {
        let only = format!("NEEDLE-LITERAL {line}");
        let m = Matcher::new(&[sig(
            "one",
            &["**"],
            &["NEEDLE-LITERAL"],
            &[&format!("{only}$")],
        )])
        .unwrap();
        for capacity in [64, 100, 4096] {
            let hits = scan_all(&m, text.as_bytes(), capacity, 7);
            assert_eq!(hits.len(), 1, "line {line} capacity {capacity}");
            assert_eq!(
                (hits[0].first_line, hits[0].count),
                (line, 1),
                "line {line} capacity {capacity}"
            );
        }
    }
}

#[test]
fn empty_input_and_empty_lines() {
    let m = Matcher::new(&[sig("a", &["**"], &["literal-a"], &["literal-a"])]).unwrap();
    assert!(scan_all(&m, b"", 64, 7).is_empty());
    let hits = scan_all(&m, b"\n\n\r\nliteral-a\r\n\n", 64, 7);
    assert_eq!(hits[0].first_line, 4);
    assert_eq!(
        hits[0].excerpt, "literal-a",
        "the \\r of a CRLF line is not part of it"
    );
}

#[test]
fn a_ten_megabyte_line_with_a_hit_at_its_end() {
    let m = Matcher::new(&[
        sig(
            "tail",
            &["**"],
            &["THE-END-MARKER"],
            &[r"THE-END-MARKER (?P<v>\w+)$"],
        ),
        sig(
            "head",
            &["**"],
            &["THE-START-MARKER"],
            &["THE-START-MARKER"],
        ),
    ])
    .unwrap();
    let mut data = b"first line\nTHE-START-MARKER ".to_vec();
    data.resize(data.len() + (10 << 20), b'a');
    data.extend_from_slice(b" THE-END-MARKER ok\nlast line THE-START-MARKER\n");
    let sel = m.select("x", true);
    let hits = m
        .scan(&sel, &mut data.as_slice(), YearHint::default())
        .unwrap();
    let tail = by_id(&m, &hits, "tail").expect("hit at the end of the long line");
    assert_eq!((tail.first_line, tail.count), (2, 1));
    assert_eq!(tail.captures["v"], "ok");
    assert!(
        tail.excerpt.len() < 500,
        "excerpt is capped: {}",
        tail.excerpt.len()
    );
    assert!(
        tail.excerpt.contains("THE-END-MARKER ok"),
        "{}",
        tail.excerpt
    );
    let head = by_id(&m, &hits, "head").unwrap();
    assert_eq!(
        (head.first_line, head.last_line, head.count),
        (2, 3, 2),
        "one hit per line, pieces or not"
    );
    // Literal straddling a piece boundary of a long line, with a small buffer.
    let mut data = vec![b'z'; 1000];
    data.extend_from_slice(b"THE-END-MARKER ok\n");
    for capacity in [64, 100, 333] {
        let hits = scan_all(&m, &data, capacity, 7);
        let tail = by_id(&m, &hits, "tail").unwrap_or_else(|| panic!("capacity {capacity}"));
        assert_eq!((tail.first_line, tail.count), (1, 1));
    }
}

#[test]
fn invalid_utf8_around_a_hit() {
    let m = Matcher::new(&[sig(
        "u",
        &["**"],
        &["disk quota exceeded"],
        &[r"(?P<dev>/dev/\w+): disk quota exceeded"],
    )])
    .unwrap();
    let data = b"\xff\xfe garbage\n\xc3\x28 /dev/sda1: disk quota exceeded \xf0\x9f\n\xff\n";
    let hits = scan_all(&m, data, 64, 7);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].first_line, 2);
    assert_eq!(hits[0].captures["dev"], "/dev/sda1");
    assert!(hits[0].excerpt.contains("/dev/sda1: disk quota exceeded"));
    assert!(
        hits[0].excerpt.contains('\u{fffd}'),
        "invalid bytes are replaced: {:?}",
        hits[0].excerpt
    );
}

#[test]
fn grouping_counts_and_first_last_lines_and_times() {
    let m = Matcher::new(&[sig(
        "g",
        &["**"],
        &["connection lost to"],
        &[r"connection lost to (?P<peer>\S+)"],
    )])
    .unwrap();
    let log = "\
2018-11-06T18:00:00Z connection lost to nats-a
2018-11-06T18:00:01Z all good
2018-11-06T18:05:00Z connection lost to nats-b
no timestamp here
2018-11-06T18:10:00Z connection lost to nats-c
";
    let hits = scan_all(&m, log.as_bytes(), 64, 7);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!((h.count, h.first_line, h.last_line), (3, 1, 5));
    assert_eq!(h.captures["peer"], "nats-a", "captures of the first hit");
    assert!(h.excerpt.ends_with("connection lost to nats-a"));
    assert_eq!(
        h.first_ts.map(|t| t.to_string()),
        Some("2018-11-06T18:00:00Z".to_string())
    );
    assert_eq!(
        h.last_ts.map(|t| t.to_string()),
        Some("2018-11-06T18:10:00Z".to_string())
    );
}

#[test]
fn scope_selection() {
    let m = Matcher::new(&[
        sig(
            "rep",
            &["var/vcap/sys/log/rep/*.log*"],
            &["literal-rep"],
            &["literal-rep"],
        ),
        sig(
            "agent",
            &["var/vcap/bosh/log/**"],
            &["literal-agent"],
            &["literal-agent"],
        ),
        sig(
            "both",
            &[
                "var/vcap/sys/log/rep/rep.stdout.log",
                "var/vcap/bosh/log/current",
            ],
            &["literal-both"],
            &["literal-both"],
        ),
    ])
    .unwrap();
    let ids = |path: &str, loose: bool| -> Vec<&str> {
        m.select(path, loose).iter().map(|i| m.id(i)).collect()
    };
    assert_eq!(
        ids("var/vcap/sys/log/rep/rep.stdout.log", false),
        ["rep", "both"]
    );
    assert_eq!(
        ids("/var/vcap/sys/log/rep/rep.stdout.log.1.gz", false),
        ["rep"]
    );
    assert_eq!(ids("var/vcap/bosh/log/current", false), ["agent", "both"]);
    assert_eq!(ids("var/vcap/bosh/log/old/current.s", false), ["agent"]);
    assert!(
        ids("var/vcap/sys/log/rep/sub/rep.log", false).is_empty(),
        "`*` stays in one directory"
    );
    assert!(m
        .select("var/vcap/sys/log/garden/garden.log", false)
        .is_empty());
    assert_eq!(
        ids("/tmp/whatever.txt", true),
        ["rep", "agent", "both"],
        "loose files see everything"
    );

    // A file sees only its signatures: the other literals are ignored there.
    let data = b"literal-rep literal-agent literal-both\n";
    let sel = m.select("var/vcap/sys/log/rep/rep.stdout.log", false);
    let hits = m.scan(&sel, &mut &data[..], YearHint::default()).unwrap();
    let got: Vec<&str> = hits.iter().map(|h| m.id(h.signature)).collect();
    assert_eq!(got, ["rep", "both"]);
    // A file no signature sees is not read at all.
    let sel = m.select("etc/passwd", false);
    assert!(sel.is_empty());
    let mut never = Trickle {
        data: b"literal-rep\n",
        n: 1,
    };
    assert!(m
        .scan(&sel, &mut never, YearHint::default())
        .unwrap()
        .is_empty());
    assert_eq!(never.data.len(), 12, "nothing was read");
}

#[test]
fn a_read_error_keeps_the_hits_before_it() {
    struct Failing<'a>(&'a [u8]);
    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "truncated gzip",
                ));
            }
            let k = buf.len().min(self.0.len());
            buf[..k].copy_from_slice(&self.0[..k]);
            self.0 = &self.0[k..];
            Ok(k)
        }
    }
    let m = Matcher::new(&[sig("a", &["**"], &["literal-a"], &["literal-a"])]).unwrap();
    let sel = m.select("x", true);
    let (hits, err) = m.scan_partial(
        &sel,
        &mut Failing(b"ok\nliteral-a\npartial lit"),
        YearHint::default(),
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(err.unwrap().kind(), io::ErrorKind::UnexpectedEof);
    assert!(m
        .scan(&sel, &mut Failing(b"literal-a\n"), YearHint::default())
        .is_err());
}

#[test]
fn findings_carry_job_path_and_rendered_summary() {
    let mut s = sig("f", &["**"], &["literal-f"], &[r"literal-f (?P<what>\w+)"]);
    s.report.summary = "{what} failed in {path} ({unknown})".into();
    let sigs = [s];
    let m = Matcher::new(&sigs).unwrap();
    let path = "var/vcap/sys/log/credhub/credhub.log";
    let hits = scan_all(&m, b"x\nliteral-f boom\n", 64, 7);
    let f = &to_findings(&sigs, &hits, "bosh/0", path)[0];
    assert_eq!(f.summary, format!("boom failed in {path} ({{unknown}})"));
    assert_eq!(
        (f.vm.as_str(), f.job.as_deref(), f.path.as_str()),
        ("bosh/0", Some("credhub"), path)
    );
    assert_eq!((f.line, f.count, f.signature.as_str()), (Some(2), 1, "f"));
    assert_eq!(f.captures["what"], "boom");
}
