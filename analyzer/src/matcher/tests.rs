//! Unit tests of the matcher's internals. Behaviour over streams (chunk boundaries, long
//! lines, line numbers, grouping) is tested through the public API in
//! `analyzer/tests/signatures.rs`.

use super::scan::excerpt;
use super::*;
use crate::signature::{Origin, Signature};

/// A TOML list of single-quoted strings.
fn list(v: &[&str]) -> String {
    v.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sig(id: &str, files: &[&str], literals: &[&str], regex: &[&str], not: &[&str]) -> Signature {
    let text = format!(
        "schema = 1\nid = \"{id}\"\ntitle = \"t\"\ncategory = \"process_crash\"\nkind = \"cause\"\nseverity = \"medium\"\n\
         [scope]\nfiles = [{}]\n[match]\nliterals = [{}]\nregex = [{}]\nnot = [{}]\n\
         [report]\nsummary = \"{id} {{what}} in {{path}}\"\nremediation = \"r\"\n",
        list(files),
        list(literals),
        list(regex),
        list(not)
    );
    // A user's file: its patterns are checked when the matcher is built.
    Signature::from_toml(&text, Origin::File(format!("t/{id}.toml").into())).unwrap()
}

#[test]
fn matcher_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Matcher>();
}

#[test]
fn not_regex_vetoes_a_hit_and_captures_are_named_groups() {
    let m = Matcher::new(&[sig(
        "a",
        &["**"],
        &["disk is full"],
        &[r"disk is full on (?P<what>\S+)"],
        &["disk is full on /tmp"],
    )])
    .unwrap();
    let caps = m
        .match_line(0, b"ERROR disk is full on /var/vcap/data")
        .unwrap();
    assert_eq!(caps["what"], "/var/vcap/data");
    assert!(m.match_line(0, b"ERROR disk is full on /tmp").is_none());
    // The literal is there, the regex is not satisfied.
    assert!(m.match_line(0, b"disk is full").is_none());
    // The regex would match, but no literal: the prefilter hides the line.
    let m = Matcher::new(&[sig("b", &["**"], &["never present"], &["present"], &[])]).unwrap();
    assert!(m.match_line(0, b"present").is_none());
}

#[test]
fn compile_errors_name_the_signature() {
    let e = Matcher::new(&[sig(
        "bad-regex",
        &["**"],
        &["literal here"],
        &["(unclosed"],
        &[],
    )])
    .unwrap_err();
    assert!(
        matches!(&e, MatcherError::Regex { id, .. } if id == "bad-regex"),
        "{e}"
    );
    let e =
        Matcher::new(&[sig("bad-glob", &["a/[b"], &["literal here"], &["x"], &[])]).unwrap_err();
    assert!(
        matches!(&e, MatcherError::Glob { id, .. } if id == "bad-glob"),
        "{e}"
    );
    let e = Matcher::new(&[sig("empty-lit", &["**"], &[""], &["x"], &[])]).unwrap_err();
    assert!(e.to_string().contains("empty-lit"), "{e}");
}

#[test]
fn select_normalises_leading_slash_and_dot() {
    let m = Matcher::new(&[sig(
        "a",
        &["var/vcap/sys/log/rep/*.log"],
        &["literal here"],
        &["x"],
        &[],
    )])
    .unwrap();
    for p in [
        "var/vcap/sys/log/rep/rep.log",
        "/var/vcap/sys/log/rep/rep.log",
        "./var/vcap/sys/log/rep/rep.log",
    ] {
        assert!(m.select(p, false).contains(0), "{p}");
    }
    // `*` does not cross `/`.
    assert!(m
        .select("var/vcap/sys/log/rep/old/rep.log", false)
        .is_empty());
    assert_eq!(m.index_of("a"), Some(0));
    assert_eq!(m.id(0), "a");
}

#[test]
fn excerpt_is_whole_when_short_and_cut_around_the_match_when_long() {
    assert_eq!(excerpt(b"short line", 0..5), "short line");
    assert_eq!(excerpt(b"bad \xff byte", 0..3), "bad \u{fffd} byte");
    let mut line = vec![b'a'; 5000];
    line.extend_from_slice(b"THE MATCH");
    line.extend_from_slice(&[b'z'; 5000]);
    let e = excerpt(&line, 5000..5009);
    assert!(e.contains("THE MATCH"), "{e}");
    assert!(e.starts_with('…') && e.ends_with('…'));
    assert!(e.len() <= 400 + 2 * '…'.len_utf8(), "{}", e.len());
    // Cutting never splits a character of valid UTF-8.
    let line = "é".repeat(1000);
    let e = excerpt(line.as_bytes(), 1001..1003);
    assert!(!e.contains('\u{fffd}'), "{e}");
    // A match at the very end of a long line is in the excerpt.
    let mut line = vec![b'x'; 10_000];
    line.extend_from_slice(b"END");
    assert!(excerpt(&line, 10_000..10_003).ends_with("END"));
}

/// A schema-2 signature: a key name and an error regex, no raw regex.
fn fields_sig(id: &str, names: &[&str], errors: &[&str]) -> Signature {
    let text = format!(
        "schema = 2\nid = \"{id}\"\ntitle = \"t\"\ncategory = \"process_crash\"\nkind = \"cause\"\nseverity = \"medium\"\n\
         [scope]\nfiles = ['**']\n[match]\nliterals = ['insufficient resources']\nmessage = [{}]\nerror = [{}]\n\
         [report]\nsummary = \"s\"\nremediation = \"r\"\n",
        list(names),
        list(errors)
    );
    Signature::from_toml(&text, Origin::Builtin(format!("t/{id}.toml"))).unwrap()
}

#[test]
fn field_matches_fire_on_one_fact_in_every_envelope() {
    let m = Matcher::new(&[fields_sig(
        "a",
        &["lrp-auction-failed"],
        &[r"insufficient resources(?:: (?P<what>[a-z, ]+))?"],
    )])
    .unwrap();
    // Illustrative lines: the auctioneer's key under a newer and an older session prefix,
    // a CC error body, the CLI, a `cf app` row.
    for line in [
        r#"{"timestamp":"2023-03-01T08:15:02.1Z","level":"error","source":"auctioneer","message":"auctioneer.auction.lrp-auction-failed","data":{"error":"insufficient resources: memory"}}"#,
        r#"{"timestamp":"1541529930.121304","source":"auctioneer","message":"auctioneer.lrp-auction-failed","log_level":2,"data":{"error":"insufficient resources: memory"}}"#,
        r#"{"description": "Staging error: insufficient resources: memory", "error_code": "CF-StagingError", "code": 170001}"#,
        "Server error, status code: 400, error code: 170001, message: Staging error: insufficient resources: memory",
        "#0   down    2023-03-01T08:15:02Z   0.0%   0 of 0   0 of 0   insufficient resources: memory",
    ] {
        let caps = m.match_line(0, line.as_bytes());
        assert_eq!(
            caps.as_ref().and_then(|c| c.get("what")).map(String::as_str),
            Some("memory"),
            "{line}"
        );
    }
    // Another key with the same error text is another fact; so is a key that only ends
    // like the name within a segment.
    for line in [
        r#"{"timestamp":"2023-03-01T08:15:03Z","level":"info","source":"bbs","message":"bbs.request.fail-actual-lrp","data":{"placement_error":"insufficient resources: memory"}}"#,
        r#"{"timestamp":"2023-03-01T08:15:03Z","level":"info","source":"x","message":"x.old-lrp-auction-failed","data":{"error":"insufficient resources"}}"#,
    ] {
        assert!(m.match_line(0, line.as_bytes()).is_none(), "{line}");
    }
}

#[test]
fn lines_naming_a_vm_are_grouped_per_vm() {
    let m = Matcher::new(&[sig(
        "a",
        &["**"],
        &["No dopplers listening"],
        &[r"No dopplers listening on \[(?P<what>\w+)\]"],
        &[],
    )])
    .unwrap();
    // seeds/000's panic, on two VMs of a `bosh ssh -c` output and once unprefixed.
    let text = b"doppler_z1/0: stdout | panic: No dopplers listening on [udp]\n\
                 cell/1: stdout | panic: No dopplers listening on [udp]\n\
                 doppler_z1/0: stdout | panic: No dopplers listening on [udp]\n\
                 panic: No dopplers listening on [udp]\n";
    let hits = m.scan_slice(
        &Selection::all(1),
        text,
        crate::timestamp::YearHint::default(),
    );
    let got: Vec<(Option<&str>, u64, u64, &str)> = hits
        .iter()
        .map(|h| (h.vm.as_deref(), h.count, h.first_line, h.excerpt.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Some("doppler_z1/0"),
                2,
                1,
                "panic: No dopplers listening on [udp]"
            ),
            (
                Some("cell/1"),
                1,
                2,
                "panic: No dopplers listening on [udp]"
            ),
            (None, 1, 4, "panic: No dopplers listening on [udp]"),
        ]
    );
}

#[test]
fn a_pass_counts_every_line_end_once_across_long_lines_and_without_signatures() {
    // The silence checks take a log's line count from this pass (nothing counts it again).
    let rep = "var/vcap/sys/log/rep/*.log";
    let m = Matcher::new(&[sig("a", &[rep], &["needle here"], &["needle"], &[])]).unwrap();
    // Illustrative text: a line three times the read buffer is handed over in pieces.
    let long = "x".repeat(3 * DEFAULT_BUFFER);
    let text = format!("one\nneedle here\n{long}\nthree\nlast, without a line end");
    let paths = [
        ("var/vcap/sys/log/rep/rep.log", 1),
        ("var/vcap/sys/log/bbs/bbs.log", 0),
    ];
    for (path, hits) in paths {
        let sel = m.select(path, false);
        let mut errors = Vec::new();
        let scanned = m.scan_observed(
            &sel,
            &mut text.as_bytes(),
            crate::timestamp::YearHint::default(),
            &mut |_| {},
            &mut errors,
        );
        assert_eq!(
            (scanned.lines, scanned.hits.len(), scanned.error.is_none()),
            (4, hits, true),
            "{path}"
        );
    }
}
