//! "Nothing goes silent": error- and fatal-level lines that no signature explains reach the
//! report as templates of unrecognised errors, in every envelope whose level marker the
//! matcher knows, and lines a signature explains do not.
//!
//! The unknown messages below are illustrative (made up so that no signature can know
//! them), put in the real envelopes of lager (float timestamp, numeric `log_level`, diego
//! shape), lager's RFC 3339 generation, Ruby's Logger and a `bosh ssh -c` prefix; the known
//! line is seed 000's metron panic.

use assert_cmd::Command;
use serde_json::Value;

const PASTE: &str = r#"{"timestamp":"1478789343.195786953","source":"rep","message":"rep.frobnicator.failed-to-widget","log_level":2,"data":{"error":"widget 42 exploded","session":"7"}}
{"timestamp":"1478789344.195786953","source":"rep","message":"rep.frobnicator.failed-to-widget","log_level":2,"data":{"error":"widget 43 exploded","session":"8"}}
{"timestamp":"2024-06-04T00:28:59.173218Z","level":"error","source":"bbs","message":"bbs.quux-store.unrecoverable","data":{"error":"quux 9 lost"}}
E, [2024-06-04T00:28:59.173218 #7] ERROR -- : Something unknown broke: code 17
diego_cell/1: stdout | E, [2024-06-04T00:29:59.173218 #7] ERROR -- : Something unknown broke: code 18
{"timestamp":"1478789345.1","source":"rep","message":"rep.frobnicator.all-is-well","log_level":1,"data":{}}
panic: No dopplers listening on [udp]
"#;

fn report() -> Value {
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(["analyze", "-", "--format", "json", "-q"])
        .write_stdin(PASTE)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn unknown_error_lines_become_templates_ranked_by_vms_then_count() {
    let r = report();
    let u = r["unrecognised"].as_array().unwrap();
    let templates: Vec<&str> = u.iter().map(|t| t["template"].as_str().unwrap()).collect();
    // The Ruby lines were seen on two VMs (stdin and the VM the ssh prefix names): first.
    assert_eq!(
        templates[0], "Something unknown broke: code <*>",
        "{templates:?}"
    );
    assert_eq!(u[0]["vms"].as_array().unwrap().len(), 2);
    assert!(
        templates.contains(&"rep.frobnicator.failed-to-widget: widget <*> exploded"),
        "{templates:?}"
    );
    let lager = u
        .iter()
        .find(|t| {
            t["template"]
                .as_str()
                .unwrap()
                .starts_with("rep.frobnicator")
        })
        .unwrap();
    assert_eq!(lager["count"], 2);
    assert_eq!(lager["level"], "error");
    let rfc3339 = u
        .iter()
        .find(|t| t["template"].as_str().unwrap().starts_with("bbs.quux"))
        .expect("the RFC 3339 lager generation");
    assert_eq!(
        rfc3339["template"],
        "bbs.quux-store.unrecoverable: quux <*> lost"
    );
}

#[test]
fn info_lines_and_lines_a_signature_explains_are_not_unrecognised() {
    let r = report();
    let text = r["unrecognised"].to_string();
    assert!(!text.contains("all-is-well"), "{text}");
    assert!(!text.contains("dopplers"), "{text}");
    assert_eq!(r["unrecognised"].as_array().unwrap().len(), 3);
}

#[test]
fn the_text_report_leads_with_them_when_no_root_cause_is_found() {
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(["analyze", "-", "-q"])
        .write_stdin(PASTE.lines().take(5).collect::<Vec<_>>().join("\n"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let unrecognised = text.find("UNRECOGNISED ERRORS").expect("listed");
    let causes = text.find("ROOT CAUSES").expect("section");
    assert!(unrecognised < causes, "{text}");
}
