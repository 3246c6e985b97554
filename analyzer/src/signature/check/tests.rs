use super::*;
use crate::signature::{Library, Origin};

const GOOD: &str = r#"
schema = 1
id = "good-one"
title = "a good signature"
category = "doppler_unavailable"
kind = "symptom"
severity = "high"
description = "d"
references = ["here"]
[scope]
files = ["var/vcap/sys/log/metron_agent/*.log*"]
[match]
literals = ["No dopplers listening on"]
regex = ['panic: No dopplers listening on \[(?P<protocols>[a-z ]+)\]']
[report]
summary = "no doppler on {protocols} ({path})"
remediation = "r"
[[explained_by]]
id = "cert-expired"
scope = "fleet"
[[tests]]
expect = "match"
input = "panic: No dopplers listening on [udp]"
captures = { protocols = "udp" }
[[tests]]
expect = "no_match"
input = "all is well"
"#;

fn lib(files: &[(&str, String)]) -> Library {
    Library::parse(
        files
            .iter()
            .map(|(path, text)| (Origin::Builtin(path.to_string()), text.clone())),
    )
}

fn messages(r: &CheckReport, level: Level) -> Vec<String> {
    r.problems
        .iter()
        .filter(|p| p.level == level)
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn a_good_signature_passes() {
    let r = check(
        &lib(&[("l/good-one.toml", GOOD.to_string())]),
        CHECK_IDS_FOR_TEST,
    );
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    assert_eq!((r.signatures, r.examples), (1, 2));
}

const CHECK_IDS_FOR_TEST: &[&str] = &["cert-expired"];

#[test]
fn every_kind_of_error_is_reported_with_file_and_test_index() {
    let bad = GOOD
        .replace("id = \"good-one\"", "id = \"bad-one\"")
        .replace("\"doppler_unavailable\"", "\"no_such_category\"")
        .replace("{protocols} ({path})", "{protocols} {nope}")
        .replace("id = \"cert-expired\"", "id = \"nobody\"")
        .replace(
            "captures = { protocols = \"udp\" }",
            "captures = { protocols = \"tcp\", ghost = \"x\" }",
        )
        .replace(
            "input = \"all is well\"",
            "input = \"panic: No dopplers listening on [tcp]\"",
        )
        + "[[tests]]\nexpect = \"match\"\ninput = \"panic: no literal here\"\n";
    let r = check(&lib(&[("l/wrong-name.toml", bad)]), CHECK_IDS_FOR_TEST);
    let errors = messages(&r, Level::Error);
    let has = |needle: &str| errors.iter().any(|e| e.contains(needle));
    assert!(
        errors
            .iter()
            .all(|e| e.starts_with("error: signatures/l/wrong-name.toml: ")),
        "{errors:#?}"
    );
    assert!(has("differs from the file name"), "{errors:#?}");
    assert!(has("not in the taxonomy"), "{errors:#?}");
    assert!(has("{nope} is neither a capture"), "{errors:#?}");
    assert!(has("explained_by \"nobody\""), "{errors:#?}");
    assert!(
        has("tests[0]: capture \"ghost\" is not a named group"),
        "{errors:#?}"
    );
    assert!(
        has("tests[0]: capture \"protocols\": expected \"tcp\", got Some(\"udp\")"),
        "{errors:#?}"
    );
    assert!(has("tests[1]: expected no match, got one"), "{errors:#?}");
    assert!(
        has("tests[2]: contains none of the literals"),
        "{errors:#?}"
    );
    assert!(has("tests[2]: expected a match, got none"), "{errors:#?}");
}

#[test]
fn regex_glob_and_load_errors_do_not_stop_the_other_signatures() {
    let broken_regex = GOOD
        .replace("id = \"good-one\"", "id = \"broken\"")
        .replace(r"\[(?P<protocols>", r"\[(?P<protocols");
    let broken_glob = GOOD
        .replace("id = \"good-one\"", "id = \"glob\"")
        .replace("metron_agent/*.log*", "metron_agent/[x");
    let r = check(
        &lib(&[
            ("l/good-one.toml", GOOD.to_string()),
            ("l/broken.toml", broken_regex),
            ("l/glob.toml", broken_glob),
            ("l/unparsable.toml", "schema = 1\nsevrity = 3".to_string()),
        ]),
        CHECK_IDS_FOR_TEST,
    );
    let errors = messages(&r, Level::Error);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("error: signatures/l/broken.toml: regex[0]")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("error: signatures/l/glob.toml: scope glob")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("error: signatures/l/unparsable.toml: ")),
        "{errors:#?}"
    );
    assert!(
        !errors.iter().any(|e| e.contains("good-one")),
        "{errors:#?}"
    );
    // The good signature's examples still ran.
    assert_eq!(r.examples, 2);
}

#[test]
fn weak_literals_and_links_are_checked() {
    let weak = GOOD
        .replace("literals = [\"No dopplers listening on\"]", "literals = [\"No dopplers listening on\", \"error:\", \"udp]\", \"Timeout\"]")
        .replace("[[explained_by]]\nid = \"cert-expired\"\nscope = \"fleet\"", "[[explained_by]]\nid = \"good-one\"\nscope = \"vm\"\n[[explained_by]]\nid = \"other\"\nscope = \"vm\"\nwindow = \"soon\"\nwhen = { process = \"doppler\", missing = \"x\" }");
    let other = GOOD
        .replace("id = \"good-one\"", "id = \"other\"")
        .replace("(?P<protocols>", "(?P<process>")
        .replace("{protocols}", "{process}")
        .replace("captures = { protocols", "captures = { process");
    let r = check(
        &lib(&[("l/good-one.toml", weak), ("l/other.toml", other)]),
        CHECK_IDS_FOR_TEST,
    );
    let warnings = messages(&r, Level::Warning);
    let errors = messages(&r, Level::Error);
    assert!(
        warnings.iter().any(|w| w.contains("\"error:\" is common")),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("\"Timeout\" is common")),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"udp]\" is shorter than 8")),
        "{warnings:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("cannot explain itself")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("window \"soon\"")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("`when` key \"missing\"")),
        "{errors:#?}"
    );
    assert!(
        !errors.iter().any(|e| e.contains("`when` key \"process\"")),
        "{errors:#?}"
    );
}

#[test]
fn missing_examples_and_duplicate_ids() {
    let no_tests = GOOD.split("[[tests]]").next().unwrap().to_string();
    let mut lib = lib(&[("l/good-one.toml", no_tests)]);
    let mut dup = lib.signatures[0].clone();
    dup.origin = Origin::Builtin("m/good-one.toml".into());
    lib.signatures.push(dup);
    let r = check(&lib, CHECK_IDS_FOR_TEST);
    let errors = messages(&r, Level::Error);
    assert!(
        errors.iter().any(|e| e.contains("no `match` example")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("no `no_match` example")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("error: signatures/m/good-one.toml: duplicate id")),
        "{errors:#?}"
    );
}

#[test]
fn common_words() {
    assert!(is_common("error"));
    assert!(is_common("[ERROR]"));
    assert!(is_common("\"log_level\":2"));
    assert!(!is_common("No dopplers listening on"));
    assert!(
        is_kebab("metron-no-dopplers")
            && !is_kebab("Metron")
            && !is_kebab("a--b")
            && !is_kebab("-a")
    );
}

#[test]
fn untested_regexes_are_flagged() {
    let text = GOOD
        .replace(
            "regex = ['panic: No dopplers listening on \\[(?P<protocols>[a-z ]+)\\]']",
            "regex = ['panic: No dopplers listening on \\[(?P<protocols>[a-z ]+)\\]', 'No dopplers listening on (?P<protocols>tcp)$']\nnot = ['No dopplers listening on \\[test\\]']",
        );
    assert_ne!(text, GOOD);
    let r = check(&lib(&[("l/good-one.toml", text)]), CHECK_IDS_FOR_TEST);
    let warnings = messages(&r, Level::Warning);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("regex[1] matches none of the `match` examples")),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("not[0] matches none of the `no_match` examples")),
        "{warnings:#?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("regex[0]")),
        "{warnings:#?}"
    );
}
