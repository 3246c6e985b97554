//! Ticket-safe handling of bundles we did not make (`redact`, `scan-secrets`) and the
//! post-mortem `timeline`, through the `vcap-analyze` binary.
//!
//! The `bosh logs` tarballs are built by hand (tar + flate2) from the testkit's sample Diego
//! cell, whose planted secrets (`PlantedSecrets`) must not survive redaction anywhere:
//! nested instance tarballs and rotated `.gz` logs are decompressed before looking.

use assert_cmd::Command;
use flate2::read::MultiGzDecoder;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tar::EntryType;
use testkit::archive::{gz, RawTar};
use testkit::PlantedSecrets;

// ---------------------------------------------------------------------------------------------
// helpers

fn vcap_analyze() -> Command {
    Command::cargo_bin("vcap-analyze").unwrap()
}

/// Runs vcap-analyze; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = vcap_analyze().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

/// One tar entry: a raw name (kept byte for byte, `./` included, as `bosh logs` writes it).
enum Item {
    Dir(&'static str),
    File(String, Vec<u8>),
}

fn file(name: &str, data: impl AsRef<[u8]>) -> Item {
    Item::File(name.to_string(), data.as_ref().to_vec())
}

fn tgz(items: &[Item]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for item in items {
        let (name, kind, data): (&[u8], EntryType, &[u8]) = match item {
            Item::Dir(n) => (n.as_bytes(), EntryType::Directory, &[]),
            Item::File(n, d) => (n.as_bytes(), EntryType::Regular, d),
        };
        let mut h = tar::Header::new_gnu();
        assert!(name.len() < 100);
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_563_024_441);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    gz(&b.into_inner().unwrap())
}

fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b])
}

fn is_tar(data: &[u8]) -> bool {
    data.len() >= 512 && &data[257..262] == b"ustar"
}

/// Every entry of a (gzip-compressed) tar: (name, kind, data), data decompressed when gzip.
fn entries(archive: &[u8]) -> Vec<(String, EntryType, Vec<u8>)> {
    let plain = if is_gzip(archive) {
        gunzip(archive)
    } else {
        archive.to_vec()
    };
    let mut ar = tar::Archive::new(&plain[..]);
    ar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let kind = e.header().entry_type();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (name, kind, data)
        })
        .collect()
}

/// Entry names, nested archives listed after their own name as `outer!inner`.
fn listing(archive: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, _, data) in entries(archive) {
        out.push(name.clone());
        let inner = if is_gzip(&data) { gunzip(&data) } else { data };
        if is_tar(&inner) {
            out.extend(listing(&inner).into_iter().map(|n| format!("{name}!{n}")));
        }
    }
    out
}

/// Every byte of every entry, nested archives and `.gz` entries decompressed.
fn flatten(data: &[u8]) -> Vec<u8> {
    let plain = if is_gzip(data) {
        gunzip(data)
    } else {
        data.to_vec()
    };
    if !is_tar(&plain) {
        return plain;
    }
    let mut out = Vec::new();
    for (name, _, d) in entries(&plain) {
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        out.extend(flatten(&d));
        out.push(b'\n');
    }
    out
}

const ROUTER_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJ1c2VyX2lkIjoiYWRtaW4iLCJzY29wZSI6WyJjbG91ZF9jb250cm9sbGVyLmFkbWluIl19.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1oZXJl";
const ROTATED_PASSWORD: &str = "Rot4tedGzNatsPassw0rd9";
const DIEGO_CELL: &str = "diego_cell.d2f8b7a4-3c1e-4e8b-9a57-0c6e4f1b2a93.2019-07-13-13-27-21.tgz";
const ROUTER: &str = "router.bbbbbbbb-0000-4000-8000-000000000002.2019-07-13-13-27-21.tgz";

/// The sample cell as `bosh logs` would give it (job folders at the root, the agent's
/// `current`), plus settings.json, a private key, and a rotated `.gz` log with a secret.
fn cell_bosh_logs() -> (Vec<u8>, PlantedSecrets, testkit::FakeVm) {
    let (vm, mut planted) = testkit::sample_cell_temp();
    let read = |rel: &str| fs::read(vm.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mut rotated = gunzip(&read(testkit::RECENT_GZ));
    rotated.extend_from_slice(
        format!("{{\"timestamp\":\"2019-07-13T13:20:00.000000000Z\",\"level\":\"info\",\"source\":\"rep\",\"message\":\"rep.nats.connect\",\"data\":{{\"url\":\"nats://nats:{ROTATED_PASSWORD}@10.0.0.6:4222\"}}}}\n")
            .as_bytes(),
    );
    planted.add(
        "rotated .gz log NATS password",
        ROTATED_PASSWORD,
        "rep/rep.stdout.log.1.gz",
    );
    let bytes = tgz(&[
        Item::Dir("./rep/"),
        file(
            "./rep/rep.stdout.log",
            read("var/vcap/sys/log/rep/rep.stdout.log"),
        ),
        file("./rep/rep.stdout.log.1.gz", gz(&rotated)),
        file("./rep/rep.json", read("var/vcap/jobs/rep/config/rep.json")),
        file(
            "./rep/bbs_client.key",
            read("var/vcap/jobs/rep/config/certs/bbs_client.key"),
        ),
        file(
            "./metron_agent/metron_agent.stdout.log",
            read("var/vcap/sys/log/metron_agent/metron_agent.stdout.log"),
        ),
        file("./settings.json", read("var/vcap/bosh/settings.json")),
        file("./current", read("var/vcap/bosh/log/current")),
    ]);
    (bytes, planted, vm)
}

/// `logs_<epoch>.tgz` of `bosh logs --all`: one tgz per instance.
fn multi_instance(cell: &[u8], planted: &mut PlantedSecrets) -> Vec<u8> {
    planted.add(
        "gorouter bearer token",
        ROUTER_TOKEN,
        "gorouter/gorouter.stdout.log",
    );
    let router = tgz(&[
        file(
            "./gorouter/gorouter.stdout.log",
            format!("[2019-07-13 13:27:20.000] route-registrar: GET /v2/info Authorization: bearer {ROUTER_TOKEN}\nstarted\n"),
        ),
        file("./gorouter/keystore.p12", b"0\x82\x0a\x01\x00\x02\x01\x03binary key material\x00\x00"),
    ]);
    tgz(&[file(DIEGO_CELL, cell), file(ROUTER, router)])
}

fn manifest_of(archive: &[u8]) -> serde_json::Value {
    let (_, _, data) = entries(archive)
        .into_iter()
        .find(|(n, _, _)| n == "vcap-redact-manifest.json")
        .expect("the copy holds vcap-redact-manifest.json");
    serde_json::from_slice(&data).unwrap()
}

fn record<'a>(manifest: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no record for {path} in {manifest:#}"))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

// ---------------------------------------------------------------------------------------------
// redact

#[test]
fn single_instance_bosh_logs_is_redacted_with_the_same_entries_and_a_manifest() {
    let (cell, planted, _vm) = cell_bosh_logs();
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "cf.diego_cell.d2f8b7a4-3c1e-4e8b-9a57-0c6e4f1b2a93-20190713-132721-123456789.tgz",
        &cell,
    );
    let found = planted.found_in(&flatten(&cell));
    for label in [
        "agent log registry password (seed 004)",
        "rotated .gz log NATS password",
        "settings.json mbus NATS password",
        "rep bbs client private key (EC)",
    ] {
        assert!(
            found.iter().any(|s| s.label == label),
            "precondition: {label} is in the input"
        );
    }

    let out = dir.path().join("redacted.tgz");
    let (code, _, stderr) = run(&["redact", input.to_str().unwrap(), out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let copy = fs::read(&out).unwrap();
    assert!(is_gzip(&copy), "a tgz in, a tgz out");

    let mut want = listing(&cell);
    want.push("vcap-redact-manifest.json".into());
    assert_eq!(listing(&copy), want);
    planted.assert_none_in("the redacted copy", &flatten(&copy));
    planted.assert_none_in("redact's stderr", stderr.as_bytes());

    let rotated = entries(&copy)
        .into_iter()
        .find(|(n, _, _)| n == "./rep/rep.stdout.log.1.gz")
        .unwrap()
        .2;
    assert!(
        is_gzip(&rotated),
        "the rotated log is gzip-compressed again under its name"
    );
    assert!(String::from_utf8_lossy(&gunzip(&rotated))
        .contains("nats://nats:[REDACTED url_credentials]@10.0.0.6:4222"));

    let m = manifest_of(&copy);
    assert_eq!(m["format"], "vcap-redact-manifest");
    assert!(m["totals"]["redactions"].as_u64().unwrap() >= 5, "{m:#}");
    assert!(
        record(&m, "./current")["by_kind"]["url_credentials"]
            .as_u64()
            .unwrap()
            >= 2
    );
    assert!(
        record(&m, "./rep/bbs_client.key")["by_kind"]["private_key"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(
        record(&m, "./rep/rep.stdout.log.1.gz")["action"],
        "regzipped"
    );
    assert!(
        record(&m, "./rep/rep.stdout.log.1.gz")["redactions"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(
        record(&m, "./settings.json")["redactions"]
            .as_u64()
            .unwrap()
            >= 3
    );
}

#[test]
fn multi_instance_logs_tgz_is_redacted_nested_and_scans_clean() {
    let (cell, mut planted, _vm) = cell_bosh_logs();
    let outer = multi_instance(&cell, &mut planted);
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "logs_1563024441.tgz", &outer);
    let ticket = dir.path().join("ticket");
    fs::create_dir(&ticket).unwrap();

    // OUT a directory: the copy takes IN's name there
    let (code, _, stderr) = run(&["redact", input.to_str().unwrap(), ticket.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let out = ticket.join("logs_1563024441.tgz");
    let copy = fs::read(&out).unwrap();

    let dropped = format!("{ROUTER}!./gorouter/keystore.p12");
    let mut want: Vec<String> = listing(&outer)
        .into_iter()
        .filter(|n| *n != dropped)
        .collect();
    want.push("vcap-redact-manifest.json".into());
    assert_eq!(
        listing(&copy),
        want,
        "same names, nested again; the binary keystore left out"
    );
    planted.assert_none_in("the redacted copy", &flatten(&copy));
    for (name, _, data) in entries(&copy)
        .iter()
        .filter(|(n, _, _)| n.ends_with(".tgz"))
    {
        assert!(is_gzip(data), "{name} is still a tgz");
    }

    let m = manifest_of(&copy);
    assert_eq!(record(&m, DIEGO_CELL)["action"], "archive");
    assert!(
        record(&m, &format!("{DIEGO_CELL}!./current"))["by_kind"]["url_credentials"]
            .as_u64()
            .unwrap()
            >= 2
    );
    assert_eq!(
        record(&m, &format!("{DIEGO_CELL}!./rep/rep.stdout.log.1.gz"))["action"],
        "regzipped"
    );
    assert!(
        record(&m, &format!("{ROUTER}!./gorouter/gorouter.stdout.log"))["redactions"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(record(&m, &dropped)["action"], "dropped");
    assert_eq!(m["totals"]["dropped"], 1);
    assert!(
        stderr.contains("keystore.p12"),
        "what was left out is said: {stderr}"
    );

    // scan-secrets: the original is not safe, and says so without showing a secret
    let (code, stdout, stderr) = run(&["scan-secrets", input.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    planted.assert_none_in(
        "scan-secrets output",
        format!("{stdout}{stderr}").as_bytes(),
    );
    assert!(
        stdout.contains("./current") && stdout.contains("url_credentials"),
        "{stdout}"
    );
    let (code, json, _) = run(&["scan-secrets", input.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    planted.assert_none_in("scan-secrets JSON", json.as_bytes());
    let r: serde_json::Value = serde_json::from_str(&json).unwrap();
    let files = r["files_with_secrets"].as_array().unwrap();
    let has = |path: &str, kind: &str| {
        files
            .iter()
            .any(|f| f["path"] == path && f["by_kind"][kind].as_u64().is_some_and(|n| n > 0))
    };
    assert!(has("./current", "url_credentials"), "{json}");
    assert!(
        has("./rep/bbs_client.key", "private_key"),
        "a multi-line PEM body is found: {json}"
    );
    assert!(
        has("./rep/rep.stdout.log.1.gz", "url_credentials"),
        "{json}"
    );
    assert!(has("./gorouter/keystore.p12", "binary_content"), "{json}");
    assert!(files.iter().all(|f| f["lines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["line"].as_u64().unwrap() >= 1)));

    // ... and the copy is
    let (code, stdout, stderr) = run(&["scan-secrets", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("clean"), "{stdout}");

    // the copy is analyzed as the same VMs (the redaction manifest is no VM of its own)
    let vms = |p: &Path| {
        let (_, json, _) = run(&["analyze", p.to_str().unwrap(), "--format", "json", "-q"]);
        let r: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut v: Vec<String> = r["bundles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["vm"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(vms(&out), vms(&input));

    // redacting the copy again changes nothing but the manifest
    let again = dir.path().join("again.tgz");
    let (code, _, stderr) = run(&["redact", out.to_str().unwrap(), again.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let again = fs::read(&again).unwrap();
    assert_eq!(listing(&again), listing(&copy));
    assert_eq!(manifest_of(&again)["totals"]["redactions"], 0);
}

#[test]
fn a_truncated_tgz_is_exit_2_and_leaves_no_output() {
    let (cell, mut planted, _vm) = cell_bosh_logs();
    let outer = multi_instance(&cell, &mut planted);
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "logs_1563024441.tgz", &outer[..outer.len() / 2]);
    let out = dir.path().join("redacted.tgz");
    let (code, _, stderr) = run(&["redact", input.to_str().unwrap(), out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("logs_1563024441.tgz"), "{stderr}");
    assert!(!out.exists());
    let left: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("logs_1563024441.tgz")],
        "no partial file left"
    );

    let (code, stdout, _) = run(&["scan-secrets", input.to_str().unwrap()]);
    assert_eq!(code, 2, "an unreadable input is exit 2: {stdout}");
    planted.assert_none_in("scan-secrets output", stdout.as_bytes());
}

#[test]
fn a_vm_root_directory_and_a_single_log_are_redacted() {
    let (vm, planted) = testkit::sample_cell_temp();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("root.tgz");
    let (code, _, stderr) = run(&["redact", vm.root().to_str().unwrap(), out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let copy = fs::read(&out).unwrap();
    planted.assert_none_in("the redacted tree", &flatten(&copy));
    let top = vm
        .root()
        .canonicalize()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let all = entries(&copy);
    let evil = all
        .iter()
        .find(|(n, _, _)| *n == format!("{top}/var/vcap/data/sys/log/evil"))
        .expect("the symlink is copied as a symlink");
    assert_eq!(evil.1, EntryType::Symlink);
    let sys = all
        .iter()
        .find(|(n, _, _)| *n == format!("{top}/var/vcap/sys"))
        .expect("var/vcap/sys");
    assert_eq!(
        sys.1,
        EntryType::Symlink,
        "a stemcell's var/vcap/sys link is kept, not followed"
    );
    assert!(
        all.iter().all(|(n, _, _)| !n.ends_with("garden.fifo")),
        "a FIFO is never opened nor copied"
    );
    assert_eq!(
        record(
            &manifest_of(&copy),
            &format!("{top}/var/vcap/data/sys/log/garden/garden.fifo")
        )["action"],
        "dropped"
    );

    // a single log file: redacted text in, redacted text out
    let log = dir.path().join("current.redacted");
    let current = vm.path("var/vcap/bosh/log/current");
    let (code, _, stderr) = run(&["redact", current.to_str().unwrap(), log.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let text = fs::read_to_string(&log).unwrap();
    assert!(!text.contains(testkit::REGISTRY_PASSWORD));
    assert!(text.contains("http://registry-user:[REDACTED url_credentials]@10.4.1.4:25777"));
    assert_eq!(
        text.lines().count(),
        fs::read_to_string(&current).unwrap().lines().count()
    );
}

#[test]
fn our_own_bundle_scans_clean_and_its_redacted_copy_keeps_its_manifest() {
    let (vm, planted) = testkit::sample_cell_temp();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = collector::config::Config::new(vm.root().to_path_buf());
    cfg.output = collector::config::Output::Dir(dir.path().to_path_buf());
    cfg.spool_dir = dir.path().to_path_buf();
    cfg.commands = false;
    cfg.lower_priority = false;
    cfg.min_free_bytes = 0;
    cfg.min_free_percent = 0.0;
    let bundle = collector::run::run(&cfg, &std::sync::atomic::AtomicBool::new(false))
        .unwrap()
        .path
        .unwrap();

    // its manifest counts redactions by kind ("password": 2): that is no secret
    let (code, stdout, _) = run(&["scan-secrets", bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");

    let out = dir.path().join("copy.tgz");
    let (code, _, stderr) = run(&["redact", bundle.to_str().unwrap(), out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (orig, copy) = (fs::read(&bundle).unwrap(), fs::read(&out).unwrap());
    let manifest = |a: &[u8]| {
        entries(a)
            .into_iter()
            .find(|(n, _, _)| n.ends_with("/manifest.json"))
            .unwrap()
            .2
    };
    assert_eq!(
        manifest(&copy),
        manifest(&orig),
        "our manifest is copied as data, counts kept"
    );
    assert_eq!(
        entries(&copy)[0].0,
        entries(&orig)[0].0,
        "manifest.json stays the first entry"
    );
    planted.assert_none_in("the copy", &flatten(&copy));
    let vms = |p: &Path| {
        let (_, json, _) = run(&["analyze", p.to_str().unwrap(), "--format", "json", "-q"]);
        let r: serde_json::Value = serde_json::from_str(&json).unwrap();
        (
            r["bundles"][0]["vm"].clone(),
            r["bundles"][0]["collected_at"].clone(),
            r["findings"].as_array().unwrap().len(),
        )
    };
    assert_eq!(
        vms(&out),
        vms(&bundle),
        "same VM, same collection time, same findings"
    );
}

// ---------------------------------------------------------------------------------------------
// one tar walker for every command

/// A hostile tarball: a name climbing out of the archive that holds a secret, links out of
/// it, a FIFO, a device, and an archive nested deeper than the limit (its secret is never
/// read). The log lines are illustrative.
fn hostile() -> RawTar {
    let secret = hostile_secret();
    let mut nested = RawTar::new().file("./deep/deep.log", &secret).tgz();
    for level in 0..5 {
        nested = RawTar::new()
            .file(format!("./level{level}.tgz"), nested)
            .tgz();
    }
    RawTar::new()
        .file("../../etc/cron.d/evil.log", &secret)
        .link("./rep/passwd", "/etc/passwd", EntryType::Symlink)
        .link("./rep/shadow", "../../../etc/shadow", EntryType::Link)
        .special("./rep/pipe", EntryType::Fifo)
        .special("./rep/tty", EntryType::Char)
        .file("./rep/rep.stdout.log", hostile_log())
        .file("./nested.tgz", nested)
}

fn hostile_secret() -> String {
    format!("connecting to nats://nats:{ROTATED_PASSWORD}@10.0.0.6:4222\n")
}

fn hostile_log() -> String {
    format!("plain line\n{}", hostile_secret())
}

#[test]
fn one_walker_gives_analyze_scan_secrets_and_redact_the_same_entries() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "hostile.tgz", &hostile().tgz());
    let input = input.to_str().unwrap();

    // analyze: what was not read, and why
    let (code, json, stderr) = run(&["analyze", input, "--format", "json", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let skipped: Vec<String> = report["coverage"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        skipped,
        [
            "symbolic link to /etc/passwd (not followed)",
            "hard link to ../../../etc/shadow (not followed)",
            "FIFO (not a regular file)",
            "device file (not a regular file)",
            "archive nested 5 levels deep (the limit is 4): not read",
        ]
    );

    // scan-secrets: the files with a secret, as stored
    let (code, json, _) = run(&["scan-secrets", input, "--format", "json"]);
    assert_eq!(code, 1, "secrets found: {json}");
    let scan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut with_secrets: Vec<String> = scan["files_with_secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    with_secrets.sort();

    // redact: the same files redacted, the same entries left out for the same reasons,
    // the links copied as links (never followed)
    let out = dir.path().join("copy.tgz");
    let (code, _, stderr) = run(&["redact", input, out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let copy = fs::read(&out).unwrap();
    let manifest = manifest_of(&copy);
    let files = manifest["files"].as_array().unwrap();
    let mut redacted: Vec<String> = files
        .iter()
        .filter(|f| f["redactions"].as_u64().unwrap() > 0)
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    redacted.sort();
    assert_eq!(redacted, with_secrets);
    assert_eq!(
        with_secrets,
        ["../../etc/cron.d/evil.log", "./rep/rep.stdout.log"]
    );
    let dropped: Vec<String> = files
        .iter()
        .filter(|f| f["action"] == "dropped")
        .map(|f| f["reason"].as_str().unwrap().replace(": not stored", ""))
        .collect();
    let not_read: Vec<String> = skipped
        .iter()
        .filter(|r| !r.contains("link"))
        .map(|r| r.replace(": not read", ""))
        .collect();
    assert_eq!(dropped, not_read);
    let links: Vec<(String, EntryType)> = entries(&copy)
        .into_iter()
        .filter(|(_, kind, _)| kind.is_symlink() || kind.is_hard_link())
        .map(|(name, kind, _)| (name, kind))
        .collect();
    assert_eq!(
        links,
        [
            ("./rep/passwd".to_string(), EntryType::Symlink),
            ("./rep/shadow".to_string(), EntryType::Link)
        ]
    );
    assert!(!flatten(&copy)
        .windows(ROTATED_PASSWORD.len())
        .any(|w| w == ROTATED_PASSWORD.as_bytes()));
}

#[test]
fn one_walker_reports_a_truncated_archive_alike_to_every_command() {
    let tar = hostile().bytes();
    // cut inside the data of `./rep/rep.stdout.log` (the sixth entry): the five entries
    // before take six blocks (one holds data), then its header, then part of its data
    let cut = 7 * 512 + 20;
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "cut.tar", &tar[..cut]);
    let input = input.to_str().unwrap();
    let want = format!(
        "{input}: ./rep/rep.stdout.log: the archive ends inside this entry (20 of {} bytes): \
         it is truncated; offset is in the tar data (at byte {cut})",
        hostile_log().len()
    );

    // `--partial`: the report of what could be read (without it, none is written)
    let (code, json, _) = run(&["analyze", input, "--format", "json", "-q", "--partial"]);
    assert_eq!(code, 2);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["coverage"]["errors"][0], want.as_str());

    let (code, json, _) = run(&["scan-secrets", input, "--format", "json"]);
    assert_eq!(code, 2, "{json}");
    let scan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(scan["errors"][0], want.as_str());
    assert_eq!(
        scan["files_with_secrets"][0]["path"], "../../etc/cron.d/evil.log",
        "what came before the cut was read"
    );

    let out = dir.path().join("copy.tar");
    let (code, _, stderr) = run(&["redact", input, out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains(&want), "{stderr}\nwant: {want}");
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------------------------
// timeline

fn timeline(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["timeline", "--format", "json", "-q"];
    all.extend_from_slice(args);
    let (code, json, stderr) = run(&all);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&json).unwrap()
}

/// Timed events in time order, then the untimed ones.
fn assert_ordered(events: &[serde_json::Value]) {
    let times: Vec<Option<jiff::Timestamp>> = events
        .iter()
        .map(|e| e["at"].as_str().map(|s| s.parse().unwrap()))
        .collect();
    let timed = times.iter().take_while(|t| t.is_some()).count();
    assert!(
        times[timed..].iter().all(Option::is_none),
        "untimed events come last"
    );
    assert!(
        times[..timed].windows(2).all(|w| w[0] <= w[1]),
        "time order: {times:?}"
    );
}

#[test]
fn timeline_of_the_samples_is_ordered_and_notes_clocks() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    for scenario in fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("bundles").is_dir())
    {
        let t = timeline(&[scenario.join("bundles").to_str().unwrap()]);
        let events = t["events"].as_array().unwrap();
        assert_ordered(events);
        let findings = t["findings"].as_u64().unwrap() as usize;
        assert!(
            events.len() >= findings && events.len() <= 2 * findings,
            "{}",
            scenario.display()
        );
        for e in events {
            assert!(["first", "last", "only"].contains(&e["kind"].as_str().unwrap()));
        }
        let firsts = events.iter().filter(|e| e["kind"] == "first").count();
        assert_eq!(
            firsts,
            events.iter().filter(|e| e["kind"] == "last").count(),
            "every first has its last"
        );
        let clocks = t["clocks"].as_array().unwrap();
        let vms = t["vms"].as_u64().unwrap();
        assert_eq!(
            clocks.len() as u64,
            if vms >= 2 { vms } else { 0 },
            "{}",
            scenario.display()
        );
        assert!(clocks
            .iter()
            .all(|c| c["offset_seconds"].as_f64().unwrap().abs() < 300.0));
        let (code, text, _) = run(&["timeline", "-q", scenario.join("bundles").to_str().unwrap()]);
        assert_eq!(code, 0);
        assert!(
            text.contains("EVENTS") && (vms < 2 || text.contains("CLOCKS")),
            "{text}"
        );
    }
}

#[test]
fn timeline_merges_vms_in_time_order_with_first_and_last_events() {
    let dir = tempfile::tempdir().unwrap();
    let line = |t: &str| {
        format!("{t} http: TLS handshake error from 10.0.16.23:51234: tls: failed to verify client's certificate: x509: certificate has expired or is not yet valid\n")
    };
    let bbs = format!(
        "{}{}{}",
        line("2019/07/13 13:20:00"),
        line("2019/07/13 13:25:00"),
        line("2019/07/13 13:27:00")
    );
    let locket = line("2019/07/13 13:22:30");
    let a = write(
        dir.path(),
        "cf.diego_api.aaaaaaaa-0000-4000-8000-000000000001-20190713-132721-123456789.tgz",
        &tgz(&[file("./bbs/bbs.stderr.log", bbs)]),
    );
    let b = write(
        dir.path(),
        "cf.diego_api.bbbbbbbb-0000-4000-8000-000000000002-20190713-133721-123456789.tgz",
        &tgz(&[file("./locket/locket.stderr.log", locket)]),
    );
    let t = timeline(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    let events: Vec<serde_json::Value> = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["at"].is_string())
        .cloned()
        .collect();
    assert_ordered(&events);
    let at = |e: &serde_json::Value| e["at"].as_str().unwrap().to_string();
    let first = events
        .iter()
        .find(|e| e["kind"] == "first" && e["count"] == 3)
        .expect("a first event of the grouped finding");
    let last = events
        .iter()
        .find(|e| e["kind"] == "last" && e["finding"] == first["finding"])
        .expect("and its last");
    assert_eq!(at(first), "2019-07-13T13:20:00Z");
    assert_eq!(at(last), "2019-07-13T13:27:00Z");
    assert_eq!(first["line"], 1);
    let other = events
        .iter()
        .find(|e| e["vm"] != first["vm"])
        .expect("the other VM's event");
    assert_eq!(other["kind"], "only");
    assert_eq!(at(other), "2019-07-13T13:22:30Z");
    let pos = |e: &serde_json::Value| events.iter().position(|x| x == e).unwrap();
    assert!(
        pos(first) < pos(other) && pos(other) < pos(last),
        "merged across VMs in time order"
    );
    // the two VMs were collected ten minutes apart: both are off the median by 300 s
    let clocks = t["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 2);
    assert!(
        clocks
            .iter()
            .all(|c| c["offset_seconds"].as_f64().unwrap().abs() == 300.0 && c["note"].is_string()),
        "{clocks:?}"
    );
}
