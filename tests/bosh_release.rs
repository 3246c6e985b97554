//! The BOSH release (`release/`): its errand script rendered as the director renders it
//! (`tests/bosh/render.rb`, Debian's `ruby`), run on fake VM roots with the real binaries,
//! and `bosh logs --only 'vcap-diag/*'` output built as the director and the CLI build it.
//! Every shell script of the project passes `shellcheck`.
//!
//! Needs `ruby` and `shellcheck` (installed by `.ci/run`); without them the tests are
//! skipped with a message, or fail when `CI` is set.

// Only `bundles_in` is used here.
#[allow(dead_code)]
mod common;

use assert_cmd::cargo::cargo_bin;
use flate2::write::GzEncoder;
use serde_json::Value;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `tool` is on PATH; when not, skips (or fails on CI).
fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required on CI (.ci/run installs it)"
        );
        eprintln!("skipped: {tool} not installed (apt-get install {tool}; .ci/run does)");
    }
    found
}

/// Renders `release/jobs/vcap-diag/templates/run.erb` with `properties` (a manifest's
/// `properties:` as JSON) into `out`.
fn render(properties: &Value, out: &Path) {
    let o = Command::new("ruby")
        .arg(repo().join("tests/bosh/render.rb"))
        .arg(repo().join("release/jobs/vcap-diag"))
        .arg("run.erb")
        .arg(out)
        .arg(properties.to_string())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A package directory as BOSH installs it: bin/vcap-collect and bin/vcap-analyze.
fn package(dir: &Path) -> PathBuf {
    let pkg = dir.join("packages/vcap-diag");
    fs::create_dir_all(pkg.join("bin")).unwrap();
    for bin in ["vcap-collect", "vcap-analyze"] {
        symlink(cargo_bin(bin), pkg.join("bin").join(bin)).unwrap();
    }
    pkg
}

struct Errand {
    script: PathBuf,
    pkg: PathBuf,
    log_dir: PathBuf,
    work_dir: PathBuf,
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Errand {
    /// The errand rendered with `properties`, plus a free-space floor of 16 MiB and no
    /// percentage where they leave the limits unset: the spec's default (5% of the
    /// filesystem) would make the test depend on how full this machine's disk is.
    fn new(dir: &Path, mut properties: Value) -> Errand {
        fs::create_dir_all(dir).unwrap();
        let limits = properties["vcap_diag"]["limits"]
            .as_object_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let mut any_disk = serde_json::json!({"min_free": "16MiB", "min_free_percent": 0});
        any_disk.as_object_mut().unwrap().extend(limits);
        properties["vcap_diag"]["limits"] = any_disk;
        let script = dir.join("bin-run");
        render(&properties, &script);
        Errand {
            script,
            pkg: package(dir),
            log_dir: dir.join("sys/log/vcap-diag"),
            work_dir: dir.join("data/vcap-diag"),
        }
    }

    fn run(&self, root: &Path) -> Run {
        let o = Command::new("bash")
            .arg(&self.script)
            .env("VCAP_DIAG_PACKAGE_DIR", &self.pkg)
            .env("VCAP_DIAG_LOG_DIR", &self.log_dir)
            .env("VCAP_DIAG_WORK_DIR", &self.work_dir)
            .env("VCAP_DIAG_ROOT", root)
            .output()
            .unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: o.stdout,
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    fn bundles(&self) -> Vec<PathBuf> {
        let mut b = common::bundles_in(&self.log_dir);
        b.sort();
        b
    }
}

/// A fake Diego cell whose metron_agent panicked, in `files` log files (one finding each).
fn cell(id: &str, files: usize) -> testkit::FakeVm {
    let mut vm = testkit::FakeVm::new("cf", "diego_cell", id, "z1");
    for i in 0..files {
        // Real line: seeds/000 (metron_agent panic when no doppler registered).
        vm.log(
            &format!("metron_agent/metron_agent.{i}.log"),
            &["panic: No dopplers listening on [udp]"],
        );
    }
    vm
}

#[test]
fn the_errand_renders_runs_keeps_its_bundles_and_prints_a_result_under_1_mb() {
    if !have("ruby") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let errand = Errand::new(
        dir.path(),
        serde_json::json!({"vcap_diag": {"commands": false, "retention": {"keep": 2}}}),
    );
    let vm = cell("3f2a9c1e-0000-4000-8000-000000000001", 1);

    let mut made = Vec::new();
    for _ in 0..3 {
        let run = errand.run(vm.root());
        assert_eq!(run.code, 0, "{}", run.stderr);
        let result: Value = serde_json::from_slice(&run.stdout).expect("stdout is JSON");
        assert_eq!(result["vcap_diag_vm_results"], 1);
        let vms = result["vms"].as_array().unwrap();
        assert_eq!(vms.len(), 1);
        assert_eq!(
            vms[0]["vm"]["name"],
            "diego_cell/3f2a9c1e-0000-4000-8000-000000000001"
        );
        let origin = PathBuf::from(vms[0]["origin"].as_str().unwrap());
        assert_eq!(
            origin.parent(),
            Some(errand.log_dir.as_path()),
            "analysed in place"
        );
        assert!(vms[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["signature"] == "metron-no-dopplers"));
        made.push(origin);
        // Bundle names carry the time to the second.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    // keep = 2: the two newest bundles, nothing else in the log directory.
    assert_eq!(errand.bundles(), made[1..].to_vec());
    let entries: Vec<_> = fs::read_dir(&errand.log_dir).unwrap().collect();
    assert_eq!(entries.len(), 2);
    // The work directory is cleaned up.
    assert_eq!(fs::read_dir(&errand.work_dir).unwrap().count(), 0);
}

#[test]
fn retention_is_bounded_by_size_and_the_new_bundle_is_always_kept() {
    if !have("ruby") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let errand = Errand::new(
        dir.path(),
        serde_json::json!({"vcap_diag": {"commands": false,
            "retention": {"keep": 10, "max_size_mb": 1}}}),
    );
    // Three older bundles of 400 KiB each: together with the new one, over 1 MiB.
    fs::create_dir_all(&errand.log_dir).unwrap();
    for (i, age) in [(1, 300), (2, 200), (3, 100)] {
        let p = errand
            .log_dir
            .join(format!("cf.diego_cell.0.2026112{i}T000000Z.tgz"));
        fs::write(&p, vec![0u8; 400 << 10]).unwrap();
        let t = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
        fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }
    let vm = cell("0", 1);
    let run = errand.run(vm.root());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kept = errand.bundles();
    let total: u64 = kept.iter().map(|p| p.metadata().unwrap().len()).sum();
    assert!(total <= 1 << 20, "{kept:?} take {total} bytes");
    // The newest old one still fits beside the new bundle; the two oldest do not.
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(kept
        .iter()
        .any(|p| p.ends_with("cf.diego_cell.0.20261123T000000Z.tgz")));
    assert!(!kept
        .iter()
        .any(|p| p.ends_with("cf.diego_cell.0.20261121T000000Z.tgz")));
    assert!(run.stderr.contains("removing old bundle"), "{}", run.stderr);
}

#[test]
fn a_vm_with_thousands_of_findings_still_prints_valid_json_under_1_mb() {
    if !have("ruby") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let errand = Errand::new(
        dir.path(),
        serde_json::json!({"vcap_diag": {"commands": false}}),
    );
    let vm = cell("7", 2000);
    let run = errand.run(vm.root());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.len() < 1_000_000, "{} bytes", run.stdout.len());
    let result: Value = serde_json::from_slice(&run.stdout).expect("valid JSON");
    let vm0 = &result["vms"][0];
    let t = &vm0["truncated"];
    assert_eq!(t["findings_total"], 2000, "{t}");
    let kept = t["findings_kept"].as_u64().unwrap();
    assert!(kept > 100 && kept < 2000, "{t}");
    assert_eq!(vm0["findings"].as_array().unwrap().len() as u64, kept);
    assert_eq!(vm0["summary"]["findings"], 2000);
    // The same VM analysed twice gives the same bytes: the cut is deterministic.
    let again = errand.run(vm.root());
    // (The bundle itself differs: its name and manifest carry the collection time.)
    let kept = |out: &[u8]| -> (Value, Vec<Value>) {
        let v: Value = serde_json::from_slice(out).unwrap();
        let vm = &v["vms"][0];
        let paths = vm["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].clone())
            .collect();
        (vm["truncated"].clone(), paths)
    };
    assert_eq!(kept(&run.stdout), kept(&again.stdout));
}

/// A gzip-compressed tar of `entries` (name, bytes), with the `./` directory entries that
/// GNU tar writes for `tar czf OUT -C DIR .` (how the agent and the director pack logs).
fn targz(dirs: &[&str], entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for d in dirs {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        b.append_data(&mut h, d, std::io::empty()).unwrap();
    }
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o600);
        h.set_size(data.len() as u64);
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

#[test]
fn bosh_logs_only_of_errand_bundles_from_five_vms_is_analysed_with_each_instance_named() {
    if !have("ruby") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let groups = ["diego_cell", "diego_cell", "router", "doppler", "api"];
    let mut instances = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let id = format!("7c0e5b1a-0000-4000-8000-00000000000{i}");
        let mut vm = testkit::FakeVm::new("cf", group, &id, "z1");
        // Real line: seeds/000.
        vm.log(
            "metron_agent/metron_agent.stderr.log",
            &["panic: No dopplers listening on [udp]"],
        );
        let vm_dir = dir.path().join(format!("vm{i}"));
        let errand = Errand::new(
            &vm_dir,
            serde_json::json!({"vcap_diag": {"commands": false}}),
        );
        let run = errand.run(vm.root());
        assert_eq!(run.code, 0, "{}", run.stderr);
        let bundle = errand.bundles().pop().unwrap();
        instances.push((group.to_string(), id, bundle));
    }
    // Each agent packs the files its filter `vcap-diag/*` matched under
    // /var/vcap/sys/log: `tar czf ... -C <copy> .` (bosh-agent FetchLogsAction, bosh-utils
    // CompressFilesInDir). The director names each instance's tarball
    // `<job>.<uuid>.<%Y-%m-%d-%H-%M-%S>.tgz` and packs them all with `tar czf ... -C <dir> .`
    // (bosh src/bosh-director/lib/bosh/director/jobs/fetch_logs.rb at
    // 7243a427839a47715c3733683c646e3b50cb5698); the CLI saves the blob as
    // `<deployment>-<YYYYMMDD-HHMMSS-nanos>.tgz` (bosh-cli cmd/downloader.go at
    // 19ee1a8d9adeb784eb62892517be53c2dfa5f814).
    let nested: Vec<(String, Vec<u8>)> = instances
        .iter()
        .map(|(group, id, bundle)| {
            let name = bundle.file_name().unwrap().to_string_lossy().into_owned();
            let inner = targz(
                &["./", "./vcap-diag/"],
                &[(format!("./vcap-diag/{name}"), fs::read(bundle).unwrap())],
            );
            (format!("./{group}.{id}.2026-12-03-10-15-00.tgz"), inner)
        })
        .collect();
    let logs = dir.path().join("cf-20261203-101502-123456789.tgz");
    fs::write(&logs, targz(&["./"], &nested)).unwrap();

    let out = common::run_ok(
        assert_cmd::Command::cargo_bin("vcap-analyze")
            .unwrap()
            .args(["analyze", "--format", "json", "-q"])
            .arg(&logs),
    );
    let report: Value = serde_json::from_slice(&out).unwrap();
    let mut named: Vec<String> = report["bundles"]
        .as_array()
        .unwrap()
        .iter()
        // The instance tarballs themselves may be listed beside the bundles they hold,
        // with no file of their own.
        .filter(|b| b["files"].as_u64() != Some(0))
        .map(|b| b["vm"].as_str().unwrap().to_string())
        .collect();
    named.sort();
    let mut want: Vec<String> = instances
        .iter()
        .map(|(g, id, _)| format!("{g}/{id}"))
        .collect();
    want.sort();
    assert_eq!(named, want, "{}", report["bundles"]);
    // And correlated across them: metron panics on every VM, one group.
    let metron: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["signature"] == "metron-no-dopplers")
        .collect();
    assert_eq!(metron.len(), 5);

    // One instance (`bosh logs diego_cell/0 --only ...`): the agent's tarball as it is,
    // saved by the CLI as `<deployment>.<group>.<index or id>-<time>.tgz`.
    let one = dir
        .path()
        .join("cf.diego_cell.0-20261203-101502-123456789.tgz");
    fs::write(&one, &nested[0].1).unwrap();
    let out = common::run_ok(
        assert_cmd::Command::cargo_bin("vcap-analyze")
            .unwrap()
            .args(["analyze", "--format", "json", "-q"])
            .arg(&one),
    );
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert!(
        report["bundles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["vm"] == want_first(&instances)),
        "{}",
        report["bundles"]
    );
}

fn want_first(instances: &[(String, String, PathBuf)]) -> String {
    format!("{}/{}", instances[0].0, instances[0].1)
}

#[test]
fn every_shell_script_passes_shellcheck() {
    if !have("shellcheck") || !have("ruby") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut scripts: Vec<PathBuf> = [
        "scripts/release.sh",
        "release/packages/vcap-diag/packaging",
        "bench/fleet.sh",
        "bench/analyze.sh",
        "bench/collect.sh",
        "fuzz/smoke.sh",
        ".ci/run",
    ]
    .iter()
    .map(|s| repo().join(s))
    .collect();
    // The errand as rendered with the defaults, and with every property overridden.
    let defaults = dir.path().join("run-defaults");
    render(&serde_json::json!({}), &defaults);
    let overridden = dir.path().join("run-overridden");
    render(
        &serde_json::json!({"vcap_diag": {
            "since": "36h", "include": ["var/vcap/store/uaa/*.log"],
            "exclude": ["var/vcap/sys/log/**/*.gz", "it's quoted"], "commands": false,
            "limits": {"max_file_size": "8MiB", "max_total": "256MiB", "min_free": "1GiB",
                       "min_free_percent": 10, "max_duration": "5m", "command_timeout": "5s"},
            "retention": {"keep": 5, "max_size_mb": 512}, "analyze": false}}),
        &overridden,
    );
    let text = fs::read_to_string(&overridden).unwrap();
    assert!(text.contains("--since '36h'") && text.contains("--no-commands"));
    assert!(text.contains(r#"--exclude 'it'"'"'s quoted'"#), "{text}");
    assert!(text.contains("keep=5") && text.contains("analyze=false"));
    scripts.extend([defaults, overridden]);
    let o = Command::new("shellcheck").args(&scripts).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn a_property_the_spec_does_not_default_to_a_valid_value_fails_the_render() {
    if !have("ruby") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new("ruby")
        .arg(repo().join("tests/bosh/render.rb"))
        .arg(repo().join("release/jobs/vcap-diag"))
        .arg("run.erb")
        .arg(dir.path().join("run"))
        .arg(r#"{"vcap_diag":{"retention":{"keep":0}}}"#)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("vcap_diag.retention.keep must be at least 1")
    );
}
