//! The HTML report in a real browser: Debian's chromium, headless.
//!
//! A report over the doppler-never-registered sample plus two bundles made by the real
//! collector over fake VMs whose logs (and one VM's name, and a log file's name) carry
//! script and markup injections. The page is rendered with `--format html`, loaded from
//! disk by chromium, and checked on the DOM chromium dumps after running it: the root
//! cause is there, one timeline lane per VM, the injections are text and did not run.
//! A screenshot lands in `target/browser/report.png` (next to `report.html`) for a person
//! to look at.
//!
//! Without chromium the test is skipped with a message, unless `CI` is set: then it fails
//! (`.ci/run` installs chromium).

mod common;

use assert_cmd::Command;
use common::{bundles_in, collect};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

const SCRIPT: &str = "<script>window.__pwned=1;document.title='PWNED'</script>";
const IMG: &str = "<img src=x onerror=\"window.__pwned=2;document.title='PWNED'\">";
/// The id of the second fake VM: its name becomes `diego_cell/<this>`.
const EVIL_ID: &str = "e1\"><img src=x id=pwned-vm onerror=\"document.title='PWNED'\">";
/// A log file name that breaks out of an attribute.
const EVIL_FILE: &str = "x\"><img src=x id=pwned-path onerror=\"document.title='PWNED'\">.log";

fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// The cargo target directory this test binary was built in (`target/debug/deps/..`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .nth(3)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
}

/// The sample cell (certificates, one expired) with a metron panic line carrying a
/// `<script>` and an `<img onerror>`, and a second cell with a hostile instance id and a
/// hostile log file name, panicking three times over 40 minutes.
fn hostile_bundles(out: &Path) -> Vec<PathBuf> {
    let now = SystemTime::now();
    let ago = |min: u64| now - Duration::from_secs(min * 60);
    let (mut cell, _) = testkit::sample_cell_temp();
    cell.append_lines(
        "var/vcap/sys/log/metron_agent/metron_agent.stderr.log",
        &[testkit::lines::go_log(
            ago(25),
            &format!("panic: No dopplers listening on [udp] {SCRIPT}{IMG}"),
        )],
    );
    let mut evil = testkit::FakeVm::new("cf", "diego_cell", EVIL_ID, "z2");
    let panic =
        |t| testkit::lines::go_log(t, &format!("panic: No dopplers listening on [udp] {IMG}"));
    evil.job("metron_agent").log(
        "metron_agent.stderr.log",
        &[panic(ago(50)), panic(ago(30)), panic(ago(10))],
    );
    evil.job("metron_agent").log(
        EVIL_FILE,
        &[testkit::lines::go_log(
            ago(5),
            &format!("panic: No dopplers listening on [tcp] {SCRIPT}"),
        )],
    );
    vec![collect(cell.root(), out), collect(evil.root(), out)]
}

/// Runs chromium with `args` and the page, killing it after a minute. Returns stdout and
/// stderr (where `--enable-logging=stderr` sends the page's console and CSP reports).
fn run_chromium(bin: &Path, profile: &Path, args: &[String], page: &Path) -> (String, String) {
    let mut child = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    // Read both pipes while it runs: a large DOM does not fit a pipe's buffer.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).ok();
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("chromium did not finish within a minute: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let err = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    assert!(status.success(), "chromium {args:?}: {err}");
    (String::from_utf8(out.join().unwrap()).unwrap(), err)
}

/// The text of the page's `<title>` in a dumped DOM.
fn title(dom: &str) -> &str {
    let start = dom.find("<title>").expect("a <title>") + "<title>".len();
    &dom[start..start + dom[start..].find("</title>").unwrap()]
}

/// The values that follow each occurrence of `prefix` (which ends with `attr="`), up to
/// the closing quote. chromium serializes values in double quotes with `&amp;`, `&quot;`,
/// `&nbsp;` (and, in recent versions, `&lt;` and `&gt;`) and keeps attribute order.
fn values_after(dom: &str, prefix: &str) -> Vec<String> {
    dom.match_indices(prefix)
        .map(|(i, _)| {
            let v = &dom[i + prefix.len()..];
            unescape(&v[..v.find('"').expect("closing quote")])
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn html_report_renders_in_chromium_and_injections_stay_text() {
    let Some(chrome) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed (apt-get install chromium; .ci/run does it)");
        }
        eprintln!("SKIPPED html_report_renders_in_chromium: chromium not found (apt-get install chromium)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let inputs = work.path().join("bundles");
    std::fs::create_dir(&inputs).unwrap();
    let mut paths: Vec<PathBuf> = bundles_in(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/doppler-never-registered/bundles"
    )));
    paths.sort();
    assert_eq!(paths.len(), 4, "the sample's four bundles");
    paths.extend(hostile_bundles(&inputs));

    let out_dir = target_dir().join("browser");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("report.html");
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .arg("analyze")
        .args(&paths)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("json report: {e}\n{}", String::from_utf8_lossy(&o.stderr)));
    common::run_ok(
        Command::cargo_bin("vcap-analyze")
            .unwrap()
            .arg("analyze")
            .args(&paths)
            .args(["--format", "html", "-q", "-o"])
            .arg(&page),
    );
    let html = std::fs::read_to_string(&page).unwrap();

    // The payloads reached the report (as excerpts, a VM name, a path), escaped.
    let vms: Vec<&str> = report["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["vm"].as_str().unwrap())
        .collect();
    assert_eq!(vms.len(), 6, "{vms:?}");
    assert!(
        vms.iter().any(|v| v.contains("id=pwned-vm")),
        "the hostile VM name is kept: {vms:?}"
    );
    let excerpts: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["excerpt"].as_str().unwrap())
        .collect();
    assert!(
        excerpts
            .iter()
            .any(|e| e.contains(SCRIPT) && e.contains(IMG)),
        "payload in an excerpt: {excerpts:?}"
    );
    assert!(
        !html.contains(SCRIPT) && !html.contains("<img"),
        "raw payload in the HTML file"
    );

    let profile = tempfile::tempdir().unwrap();
    let logging = ["--enable-logging=stderr".to_string(), "--v=0".into()];
    let (dom, console) = run_chromium(
        &chrome,
        profile.path(),
        &[&logging[..], &["--dump-dom".into()]].concat(),
        &page,
    );
    assert!(dom.contains("</html>"), "a DOM was dumped: {dom}");
    // The page's own CSS and script pass its Content-Security-Policy, and the script throws
    // nothing.
    let console: Vec<&str> = console.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        !console
            .iter()
            .any(|l| l.contains("Content Security Policy") || l.contains("Uncaught")),
        "console: {console:#?}"
    );

    // The page's own script ran (so "the injection did not run" means something)...
    assert!(
        dom.contains("data-js=\"on\""),
        "the page's script did not run"
    );
    // ...and the injected ones did not, and created no element.
    assert!(
        !title(&dom).contains("PWNED"),
        "document.title changed: {}",
        title(&dom)
    );
    assert!(!dom.contains("<img"), "an injected <img> became an element");
    assert!(!dom.contains("id=\"pwned"), "an injected element id exists");
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own <script>"
    );
    // The payload is visible as text.
    assert!(
        dom.contains(&escape_text(SCRIPT)),
        "the <script> line is not shown as text"
    );
    assert!(
        dom.contains("&lt;img src=x onerror="),
        "the <img> line is not shown as text"
    );

    // The root cause, by its title.
    let rc_title = report["root_causes"][0]["title"]
        .as_str()
        .expect("a root cause");
    assert!(
        dom.contains(&escape_text(rc_title)),
        "root cause {rc_title:?} not on the page"
    );

    // One timeline lane per VM, each VM once, hostile names intact.
    let mut lanes = values_after(&dom, "<g class=\"lane\" data-vm=\"");
    let mut want: Vec<String> = vms.iter().map(|v| v.to_string()).collect();
    lanes.sort();
    want.sort();
    assert_eq!(lanes, want, "one lane per VM");
    // Dated findings were placed (the hostile VMs' panics carry times).
    assert!(
        dom.matches("<circle class=\"dot").count() >= 3,
        "marks on the timeline"
    );

    // A screenshot for a person to look at.
    let shot = out_dir.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let _ = run_chromium(
        &chrome,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,3000".into(),
            "--hide-scrollbars".into(),
        ],
        &page,
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real PNG: {} bytes",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}

/// The README's flagship sample (doppler-never-registered): its findings carry no time, and
/// the timeline still shows them, labelled, in the band "no time in the line", one lane per
/// VM with a unique label, and the page fits an 800 px window without a sideways scroll.
/// Screenshots (1400 and 800 px wide) land in `target/browser/sample*.png`.
#[test]
fn the_readme_sample_has_a_labelled_timeline_that_fits_800_px() {
    let Some(chrome) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed (apt-get install chromium; .ci/run does it)");
        }
        eprintln!("SKIPPED the_readme_sample_has_a_labelled_timeline: chromium not found");
        return;
    };
    let sample = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/doppler-never-registered/bundles"
    ));
    let out_dir = target_dir().join("browser");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("sample.html");
    common::run_ok(
        Command::cargo_bin("vcap-analyze")
            .unwrap()
            .arg("analyze")
            .arg(sample)
            .args(["--format", "html", "-q", "-o"])
            .arg(&page),
    );
    let profile = tempfile::tempdir().unwrap();
    for (width, shot) in [(1400, "sample.png"), (800, "sample-800.png")] {
        let (dom, _) = run_chromium(
            &chrome,
            profile.path(),
            &[format!("--window-size={width},2400"), "--dump-dom".into()],
            &page,
        );
        let timeline = &dom[dom.find("<section id=\"timeline\"").expect("a timeline")..];
        let timeline = &timeline[..timeline.find("</section>").unwrap()];
        assert!(
            timeline.contains("no time in the line"),
            "the band is labelled"
        );
        let lanes = values_after(timeline, "<g class=\"lane\" data-vm=\"");
        assert_eq!(lanes.len(), 4, "{lanes:?}");
        // every lane has a labelled mark: the metron panic at least, on each VM
        let per_lane: Vec<&str> = timeline.split("<g class=\"lane\"").skip(1).collect();
        for (vm, lane) in lanes.iter().zip(&per_lane) {
            assert!(lane.contains("class=\"mark undated\""), "{vm}: no mark");
            assert!(lane.contains("class=\"mlbl\""), "{vm}: no label");
        }
        assert!(
            timeline.contains("metron_agent"),
            "a label names what happened: {timeline}"
        );
        let mut labels: Vec<String> = timeline
            .split("<text class=\"lbl\"")
            .skip(1)
            .map(|t| t[t.find("</title>").unwrap() + 8..t.find("</text>").unwrap()].to_string())
            .collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), 4, "unique lane labels: {labels:?}");
        assert!(
            dom.contains("id=\"ranking\""),
            "the ranking is explained in the footer"
        );
        assert!(
            dom.contains("data-fits=\"yes\""),
            "{width} px: the page scrolls sideways"
        );
        let png = out_dir.join(shot);
        let _ = std::fs::remove_file(&png);
        let _ = run_chromium(
            &chrome,
            profile.path(),
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={width},2400"),
                "--hide-scrollbars".into(),
            ],
            &page,
        );
        assert!(std::fs::read(&png)
            .expect("a screenshot")
            .starts_with(b"\x89PNG"));
        eprintln!("screenshot: {}", png.display());
    }
}

/// Illustrative lines in the shape of the sample's (seed 000); not copied from a real log.
const PANIC: &str = "panic: No dopplers listening on [udp]\n";
const ETCD: &str = "Error:  client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 10.0.1.10:4001: getsockopt: connection refused\n";
const DF_FULL: &str = "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sdb2 25844 25700 144 99% /var/vcap/data\n";

/// A fleet of `per_group` VMs in each of five instance groups, as bundles in our layout
/// (a manifest and a few entries each, written without the collector: cheap to make a
/// thousand): metron panics on every VM, etcd unreachable from one doppler, a full disk on
/// three cells.
fn fleet_bundles(dir: &Path, per_group: usize) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for group in [
        "api_z1",
        "diego_cell_z1",
        "doppler_z1",
        "router_z1",
        "uaa_z1",
    ] {
        for i in 0..per_group {
            let id = format!("6a1e5b7c-0000-4000-8000-{i:012}");
            let top = format!("{group}-{i}");
            let manifest = format!(
                r#"{{"format": 1, "host": {{"hostname": "h{i}"}},
                "bosh": {{"deployment": "cf", "name": "{group}", "id": "{id}", "az": "z1"}},
                "collected_at": "2026-11-22T00:18:12Z", "complete": true, "files": []}}"#
            );
            let mut tar = testkit::archive::RawTar::new()
                .dir(&format!("{top}/"))
                .file(format!("{top}/manifest.json"), manifest)
                .file(
                    format!("{top}/var/vcap/sys/log/metron_agent/metron_agent.stderr.log"),
                    PANIC,
                );
            if group == "doppler_z1" && i == per_group / 2 {
                tar = tar.file(
                    format!("{top}/var/vcap/sys/log/doppler/doppler.stderr.log"),
                    ETCD,
                );
            }
            if group == "diego_cell_z1" && i % (per_group / 3).max(1) == 1 {
                tar = tar.file(format!("{top}/commands/df.txt"), DF_FULL);
            }
            let path = dir.join(format!("{top}.tgz"));
            std::fs::write(&path, tar.tgz()).unwrap();
            paths.push(path);
        }
    }
    paths
}

/// A report over 1,000 VMs in five instance groups reads as a fleet: counts per group, the
/// odd one out named, timeline lanes per instance group with only the VMs that have
/// findings, a page of bounded size that opens in the browser.
#[test]
fn a_thousand_vm_report_is_grouped_by_instance_group() {
    let work = tempfile::tempdir().unwrap();
    let paths = fleet_bundles(work.path(), 200);
    assert_eq!(paths.len(), 1000);
    let out_dir = target_dir().join("browser");
    std::fs::create_dir_all(&out_dir).unwrap();
    let run = |format: &str| {
        let started = Instant::now();
        let out = common::run_ok(
            Command::cargo_bin("vcap-analyze")
                .unwrap()
                .arg("analyze")
                .arg(work.path())
                .args(["--format", format, "-q"]),
        );
        eprintln!("{format}: {} bytes in {:?}", out.len(), started.elapsed());
        String::from_utf8(out).unwrap()
    };
    let text = run("text");
    assert!(
        text.contains(
            "1000 of 1000 VMs: api_z1 200/200, diego_cell_z1 200/200, doppler_z1 200/200"
        ),
        "{text}"
    );
    assert!(text.contains("odd one out: doppler_z1/"), "{text}");
    assert!(
        !text.contains("and 994 more"),
        "VMs are not listed one by one: {text}"
    );
    assert!(
        text.contains("on 4 of 1000 VMs: diego_cell_z1 4/200 (diego_cell_z1/"),
        "{text}"
    );
    let md = run("markdown");
    assert!(md.contains("1000 of 1000 VMs: api\\_z1 200/200"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let rc = &json["root_causes"][0];
    assert_eq!(rc["symptom_groups"].as_array().unwrap().len(), 5, "{rc}");
    assert_eq!(rc["symptom_groups"][0]["of"], 200);
    assert_eq!(rc["odd_ones"][0]["why"], "the only one of 1000 VMs");
    assert_eq!(json["fleet"].as_array().unwrap().len(), 5);

    let html = run("html");
    assert!(
        html.len() < 5 << 20,
        "the page stays under 5 MB: {} bytes",
        html.len()
    );
    let page = out_dir.join("fleet.html");
    std::fs::write(&page, &html).unwrap();
    let Some(chrome) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed (apt-get install chromium; .ci/run does it)");
        }
        eprintln!("SKIPPED the browser half of a_thousand_vm_report: chromium not found");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (dom, _) = run_chromium(&chrome, profile.path(), &["--dump-dom".into()], &page);
    eprintln!("chromium: {:?}", started.elapsed());
    let timeline = &dom[dom.find("<section id=\"timeline\"").expect("a timeline")..];
    let timeline = &timeline[..timeline.find("</section>").unwrap()];
    assert_eq!(
        timeline.matches("<g class=\"group-lane\"").count(),
        5,
        "a heading per group"
    );
    // VMs with the same findings share a lane; the odd ones keep theirs: api 200 alike,
    // cells 196 + 4 with a full disk, dopplers 199 + the one that cannot reach etcd, ...
    assert_eq!(
        timeline.matches("<g class=\"lane\"").count(),
        7,
        "{timeline}"
    );
    assert!(timeline.contains(">api_z1 ×200<"), "{timeline}");
    assert!(
        timeline.contains(">diego_cell_z1 ×196<") && timeline.contains(">diego_cell_z1 ×4<"),
        "{timeline}"
    );
    assert!(timeline.contains("diego_cell_z1: 200 of 200 VM(s) with findings"));
    assert!(dom.contains("api_z1 200/200"), "groups in the root cause");
    let shot = out_dir.join("fleet.png");
    let _ = run_chromium(
        &chrome,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,2400".into(),
        ],
        &page,
    );
    eprintln!("screenshot: {}", shot.display());
}

/// The detection above works: the same payload in a page that does not escape it runs in
/// this chromium and is seen by the same checks.
#[test]
fn chromium_detects_an_unescaped_payload() {
    let Some(chrome) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed (apt-get install chromium; .ci/run does it)");
        }
        eprintln!("SKIPPED chromium_detects_an_unescaped_payload: chromium not found");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("raw.html");
    std::fs::write(&page, format!("<!DOCTYPE html><html><head><title>ok</title></head><body><pre>{SCRIPT}{EVIL_ID}</pre></body></html>")).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let (dom, _) = run_chromium(&chrome, profile.path(), &["--dump-dom".into()], &page);
    assert_eq!(title(&dom), "PWNED", "{dom}");
    assert!(
        dom.contains("<img") && dom.contains("id=\"pwned-vm\""),
        "{dom}"
    );
}
