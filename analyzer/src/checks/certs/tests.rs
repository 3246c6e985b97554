//! Certificates generated once with `openssl ca` (EC P-256; `-startdate`/`-enddate` set
//! the validity, so the expired and the 2090 ones are real certificates, not edited text):
//!
//! | file | subject | issuer | validity |
//! | --- | --- | --- | --- |
//! | `diego-ca.pem` | CN=diego-ca, O=Cloud Foundry (CA, self-signed) | itself | 2020-01-01 .. 2040-01-01 |
//! | `bbs.pem` | CN=bbs.service.cf.internal, 4 SANs | diego-ca | 2021-03-01 .. 2039-03-01 |
//! | `old-ca.pem` | CN=old-diego-ca, O=Cloud Foundry (CA) | itself | 2017-01-01 .. 2027-01-01 |
//! | `rep.pem` | CN=cell.service.cf.internal | old-diego-ca | 2018-07-13 22:25:49 .. 2019-07-12 22:25:49 (seed 001's dates) |
//! | `future.pem` | CN=future.service.cf.internal | diego-ca | 2090-01-01 .. 2091-01-01 |
//! | `soon.pem` | CN=locket.service.cf.internal | diego-ca | 2025-12-01 .. 2026-12-01 |
//!
//! `rep.json` embeds rep and old-ca as JSON strings (`\n` escapes, as `json.dumps` writes
//! them); `agent.yml` holds diego-ca, soon and future in YAML block scalars (`|`, `|-`).

use super::*;

const DIEGO_CA: &str = include_str!("../testdata/certs/diego-ca.pem");
const BBS: &str = include_str!("../testdata/certs/bbs.pem");
const OLD_CA: &str = include_str!("../testdata/certs/old-ca.pem");
const REP: &str = include_str!("../testdata/certs/rep.pem");
const FUTURE: &str = include_str!("../testdata/certs/future.pem");
const SOON: &str = include_str!("../testdata/certs/soon.pem");
const REP_JSON: &str = include_str!("../testdata/rep.json");
const AGENT_YML: &str = include_str!("../testdata/agent.yml");

fn now() -> Timestamp {
    "2026-11-21T23:40:11Z".parse().unwrap()
}

fn subjects(certs: &[CertFacts]) -> Vec<&str> {
    certs.iter().map(|c| c.subject.as_str()).collect()
}

#[test]
fn chain_file_gives_each_certificate_once_with_its_facts() {
    let chain = format!("{BBS}{DIEGO_CA}{BBS}");
    let certs = extract(
        "var/vcap/jobs/bbs/config/certs/bbs/server.crt",
        chain.as_bytes(),
    );
    assert_eq!(
        subjects(&certs),
        ["CN=bbs.service.cf.internal", "CN=diego-ca, O=Cloud Foundry"]
    );
    let (bbs, ca) = (&certs[0], &certs[1]);
    assert_eq!(
        (bbs.index, bbs.line, ca.index, ca.line),
        (0, 1, 1, 1 + BBS.lines().count() as u64)
    );
    assert_eq!(bbs.issuer, "CN=diego-ca, O=Cloud Foundry");
    assert_eq!(
        bbs.sans,
        [
            "bbs.service.cf.internal",
            "*.bbs.service.cf.internal",
            "127.0.0.1",
            "10.0.16.5"
        ]
    );
    assert_eq!(bbs.serial, "10:01");
    assert!(!bbs.is_ca && !bbs.self_signed);
    assert!(ca.is_ca && ca.self_signed);
    assert_eq!(bbs.not_before.to_string(), "2021-03-01T12:00:00Z");
    assert_eq!(bbs.not_after.to_string(), "2039-03-01T12:00:00Z");
    assert_eq!(bbs.path, "var/vcap/jobs/bbs/config/certs/bbs/server.crt");
}

#[test]
fn json_strings_with_newline_escapes() {
    let certs = extract("var/vcap/jobs/rep/config/rep.json", REP_JSON.as_bytes());
    assert_eq!(
        subjects(&certs),
        [
            "CN=cell.service.cf.internal",
            "CN=old-diego-ca, O=Cloud Foundry"
        ]
    );
    assert_eq!((certs[0].line, certs[1].line), (5, 6));
    assert_eq!(certs[0].not_after.to_string(), "2019-07-12T22:25:49Z");
    assert_eq!(
        certs[0].sans,
        [
            "cell.service.cf.internal",
            "*.cell.service.cf.internal",
            "127.0.0.1"
        ]
    );
}

#[test]
fn json_slash_and_unicode_escapes_and_json_inside_json() {
    // `\/` (PHP, some Java encoders) and `\u002b` for `+`.
    let escaped = REP_JSON.replace("/", "\\/").replace('+', "\\u002b");
    assert_ne!(escaped, REP_JSON);
    let certs = extract("x.json", escaped.as_bytes());
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0].serial, "10:03");
    // A JSON document stored as a string inside JSON: `\\n`.
    let nested = serde_json::to_string(&serde_json::json!({ "rep_json": REP_JSON })).unwrap();
    assert!(nested.contains("\\\\n"));
    assert_eq!(
        subjects(&extract("settings.json", nested.as_bytes())),
        subjects(&certs)
    );
}

#[test]
fn yaml_block_scalars_with_indentation() {
    let certs = extract(
        "var/vcap/jobs/loggregator_agent/config/config.yml",
        AGENT_YML.as_bytes(),
    );
    assert_eq!(
        subjects(&certs),
        [
            "CN=diego-ca, O=Cloud Foundry",
            "CN=locket.service.cf.internal",
            "CN=future.service.cf.internal"
        ]
    );
    assert_eq!(
        certs.iter().map(|c| c.line).collect::<Vec<_>>(),
        [6, 18, 32]
    );
}

#[test]
fn broken_or_redacted_blocks_are_skipped_and_scanning_goes_on() {
    let broken = format!(
        "a: |\n  -----BEGIN CERTIFICATE-----\n  MIIB[REDACTED certificate]\n  -----END CERTIFICATE-----\n\
         b: \"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\"\n\
         truncated: -----BEGIN CERTIFICATE-----\nMIIB\n{SOON}"
    );
    let certs = extract("x.yml", broken.as_bytes());
    assert_eq!(subjects(&certs), ["CN=locket.service.cf.internal"]);
    assert!(extract("x", b"no certificates here").is_empty());
    assert!(extract("x", b"-----BEGIN CERTIFICATE-----").is_empty());
}

#[test]
fn status_at_collection_time_and_days_left() {
    let pem = format!("{REP}{SOON}{FUTURE}{BBS}{DIEGO_CA}");
    let certs = extract("var/vcap/jobs/rep/config/certs/all.pem", pem.as_bytes());
    let got: Vec<(Status, i64)> = certs.iter().map(|c| status(c, now(), 30)).collect();
    assert_eq!(
        got,
        [
            (Status::Expired, -2689),
            (Status::ExpiringSoon, 9),
            (Status::NotYetValid, 23416),
            (Status::Valid, 4482),
            (Status::Valid, 4788),
        ]
    );
    // The warning window decides "expiring soon".
    // (9 days 20 minutes left.)
    assert_eq!(status(&certs[1], now(), 10).0, Status::ExpiringSoon);
    assert_eq!(status(&certs[1], now(), 9).0, Status::Valid);
    // An hour after notAfter is expired with -1 day; 20 hours before is 0 days left.
    let after = certs[0].not_after;
    assert_eq!(
        status(&certs[0], after + jiff::SignedDuration::from_hours(1), 30),
        (Status::Expired, -1)
    );
    assert_eq!(
        status(&certs[0], after - jiff::SignedDuration::from_hours(20), 30),
        (Status::ExpiringSoon, 0)
    );
}

#[test]
fn findings_for_expired_not_yet_valid_and_expiring_certificates() {
    let pem = format!("{REP}{SOON}{FUTURE}{BBS}{DIEGO_CA}{OLD_CA}");
    let path = "var/vcap/jobs/rep/config/certs/all.pem";
    let certs = extract(path, pem.as_bytes());
    let (findings, inventory) = evaluate("diego_cell/0", &certs, Some(now()), 30);
    let ids: Vec<&str> = findings.iter().map(|f| f.signature.as_str()).collect();
    assert_eq!(
        ids,
        ["cert-expired", "cert-expiring-soon", "cert-not-yet-valid"]
    );

    let expired = &findings[0];
    assert_eq!(
        expired.summary,
        "certificate CN=cell.service.cf.internal expired 2019-07-12 (2689 days before collection)"
    );
    assert_eq!(
        (expired.category.as_str(), expired.severity),
        ("cert_expired", Severity::Critical)
    );
    assert_eq!(expired.kind, crate::finding::Kind::Cause);
    assert_eq!(
        (
            expired.vm.as_str(),
            expired.path.as_str(),
            expired.job.as_deref()
        ),
        ("diego_cell/0", path, Some("rep"))
    );
    assert_eq!(
        (expired.line, expired.count, expired.id.as_str()),
        (Some(1), 1, "")
    );
    assert_eq!(
        expired.timestamp,
        Some("2019-07-12T22:25:49Z".parse().unwrap())
    );
    assert_eq!(expired.captures["days_left"], "-2689");
    assert_eq!(expired.captures["not_after"], "2019-07-12T22:25:49Z");
    assert_eq!(expired.captures["subject"], "CN=cell.service.cf.internal");
    assert_eq!(
        expired.captures["sans"],
        "cell.service.cf.internal, *.cell.service.cf.internal, 127.0.0.1"
    );
    assert!(
        expired.excerpt.contains("notAfter=2019-07-12T22:25:49Z"),
        "{}",
        expired.excerpt
    );

    assert_eq!(
        findings[1].summary,
        "certificate CN=locket.service.cf.internal expires 2026-12-01 (9 days after collection)"
    );
    assert_eq!(
        (findings[1].category.as_str(), findings[1].severity),
        ("cert_expiring_soon", Severity::Medium)
    );
    assert_eq!(findings[2].summary, "certificate CN=future.service.cf.internal is not valid before 2090-01-01 (23051 days after collection)");
    assert_eq!(
        (findings[2].category.as_str(), findings[2].severity),
        ("cert_expired", Severity::High)
    );

    let statuses: Vec<(&str, i64, bool)> = inventory
        .iter()
        .map(|c| (c.status.as_str(), c.days_left, c.issuer_in_bundle))
        .collect();
    assert_eq!(
        statuses,
        [
            ("expired", -2689, true),
            ("expiring_soon", 9, true),
            ("not_yet_valid", 23416, true),
            ("valid", 4482, true),
            ("valid", 4788, true),
            ("valid", 40, true),
        ]
    );
    assert_eq!(
        (
            inventory[5].index,
            inventory[5].is_ca,
            inventory[5].serial.as_str()
        ),
        (5, true, "10:02")
    );
}

#[test]
fn unknown_issuer_only_for_leaves_whose_issuer_is_nowhere_on_the_vm() {
    // rep's CA (old-diego-ca) is not on this VM; bbs's CA is, in another file.
    let mut certs = extract(
        "var/vcap/jobs/rep/config/certs/rep/server.crt",
        REP.as_bytes(),
    );
    certs.extend(extract(
        "var/vcap/jobs/bbs/config/certs/bbs/server.crt",
        BBS.as_bytes(),
    ));
    certs.extend(extract(
        "var/vcap/jobs/bbs/config/certs/bbs/ca.crt",
        DIEGO_CA.as_bytes(),
    ));
    let unknown = |certs: &[CertFacts]| {
        let (findings, inventory) = evaluate("diego_cell/0", certs, Some(now()), 30);
        (
            findings
                .into_iter()
                .filter(|f| f.signature == "cert-unknown-issuer")
                .collect::<Vec<_>>(),
            inventory,
        )
    };
    let (findings, inventory) = unknown(&certs);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(
        (f.signature.as_str(), f.category.as_str(), f.severity),
        (
            "cert-unknown-issuer",
            "cert_unknown_authority",
            Severity::Low
        )
    );
    assert_eq!(f.captures["issuer"], "CN=old-diego-ca, O=Cloud Foundry");
    assert_eq!(
        inventory
            .iter()
            .map(|c| c.issuer_in_bundle)
            .collect::<Vec<_>>(),
        [false, true, true]
    );

    // With the CA in the same VM (rep.json carries it), the issuer is known.
    let certs = extract("var/vcap/jobs/rep/config/rep.json", REP_JSON.as_bytes());
    let (findings, _) = unknown(&certs);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn without_now_certificates_are_listed_but_not_judged() {
    let certs = extract("a.pem", format!("{REP}{OLD_CA}").as_bytes());
    let (findings, inventory) = evaluate("vm", &certs, None, 30);
    assert!(findings.is_empty());
    assert_eq!(
        inventory
            .iter()
            .map(|c| c.status.as_str())
            .collect::<Vec<_>>(),
        ["unknown", "unknown"]
    );
}
