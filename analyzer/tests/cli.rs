//! The command line as users and scripts meet it: nothing from an input reaches the
//! terminal raw, exit codes tell the truth, errors go to stderr, colour and docs follow the
//! usual conventions (issue 14).

use assert_cmd::Command;
use std::path::Path;

/// A line the signature library knows (`metron-no-dopplers`) followed by hostile bytes.
/// Illustrative: no real log carries these; each would act on a terminal if printed raw.
const HOSTILE: &[&str] = &[
    "\x1b[2J\x1b[H",           // clear the screen, cursor home
    "\x1b]0;pwned\x07",        // OSC: set the window title
    "\rINFO all good",         // carriage return: overwrite the line
    "\x08\x08\x08\x08",        // backspaces
    "\u{9b}31m",               // C1 CSI
    "\u{202e}gol.rre",         // right-to-left override
    "\u{2066}isolate\u{2069}", // bidi isolates
];

fn hostile_line() -> String {
    format!(
        "panic: No dopplers listening on [udp] {}\n",
        HOSTILE.concat()
    )
}

fn vcap_analyze() -> Command {
    let mut c = Command::cargo_bin("vcap-analyze").unwrap();
    c.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("VCAP_DIAG_SIGNATURES")
        .env_remove("VCAP_DIAG_AT");
    c
}

/// Characters that must never reach a terminal raw (as `term::is_unsafe`, restated here
/// so that the test does not trust the code it tests).
fn unsafe_chars(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// `s` without the SGR colour sequences our own text report writes.
fn without_sgr(s: &str) -> String {
    regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(s, "")
        .into_owned()
}

fn out(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn hostile_log_lines_are_shown_escaped_in_every_text_output() {
    for args in [
        &["analyze", "-"][..],
        &["analyze", "-", "--color", "always"],
        &["analyze", "-", "--format", "markdown"],
        &["analyze", "-", "--format", "html"],
        &["timeline", "-"],
    ] {
        let o = vcap_analyze()
            .args(args)
            .write_stdin(hostile_line())
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            stdout.contains("metron") || stdout.contains("dopplers"),
            "{args:?}: {stdout}"
        );
        let visible = without_sgr(&stdout);
        assert_eq!(
            unsafe_chars(&visible),
            Vec::<char>::new(),
            "{args:?}:\n{stdout}"
        );
        // text and timeline show the excerpt (markdown and HTML only a root cause's)
        if !args.contains(&"--format") {
            assert!(
                visible.contains("^[]0;pwned^G"),
                "{args:?}: shown escaped:\n{stdout}"
            );
        }
    }
}

#[test]
fn hostile_file_names_are_escaped_in_reports_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let name = "metron\x1b]0;pwned\x07\u{202e}.log";
    let log = dir.path().join(name);
    std::fs::write(&log, hostile_line()).unwrap();
    let missing = dir.path().join("gone\x1b[2J.tgz");
    for args in [
        vec!["analyze"],
        vec!["timeline"],
        vec!["analyze", "--format", "markdown"],
    ] {
        let o = vcap_analyze()
            .args(&args)
            .arg(&log)
            .arg(&missing)
            .arg("--partial")
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        let shown = if args.contains(&"markdown") {
            "metron^[\\]0;pwned^G\\u{202e}.log" // `]` escaped for markdown
        } else {
            "metron^[]0;pwned^G\\u{202e}.log"
        };
        assert!(stdout.contains(shown), "{args:?}: {stdout}");
        assert!(stderr.contains("gone^[[2J.tgz"), "{args:?}: {stderr}");
        assert_eq!(
            unsafe_chars(&stdout),
            Vec::<char>::new(),
            "{args:?}: {stdout}"
        );
        assert_eq!(
            unsafe_chars(&stderr),
            Vec::<char>::new(),
            "{args:?}: {stderr}"
        );
    }
    // scan-secrets names the file that holds a secret, escaped too
    let secret = dir.path().join("creds\x1b[31m.yml");
    std::fs::write(
        &secret,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAy8Dbv8prpJ/0kKhlGeJYozo2t60EG8L0561g13R29LvMR5hy\n-----END RSA PRIVATE KEY-----\n",
    )
    .unwrap();
    let o = vcap_analyze()
        .arg("scan-secrets")
        .arg(&secret)
        .output()
        .unwrap();
    let (stdout, _) = out(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("creds^[[31m.yml"), "{stdout}");
    assert_eq!(unsafe_chars(&stdout), Vec::<char>::new(), "{stdout}");
}

#[test]
fn a_hostile_signature_title_is_escaped_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let sig = std::fs::read_to_string(signature_example()).unwrap();
    // Either TOML string quoting: the library uses both.
    let title = regex::Regex::new(r#"(?m)^title = (".*"|'.*')$"#).unwrap();
    let hostile = title.replace(&sig, r#"title = "ok\u001b]0;pwned\u0007 \u009b2J""#);
    assert_ne!(hostile, sig, "the example has a title");
    let id = regex::Regex::new(r#"(?m)^id = ["'](.*)["']$"#).unwrap();
    let id = id.captures(&sig).unwrap()[1].to_string();
    std::fs::write(dir.path().join(format!("{id}.toml")), hostile.as_bytes()).unwrap();
    for format in ["text", "markdown"] {
        let o = vcap_analyze()
            .args(["signatures", "list", "--format", format, "--signatures"])
            .arg(dir.path())
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert!(
            stdout.contains("ok^[]0;pwned^G \\u{9b}2J"),
            "{format}: {stdout}{stderr}"
        );
        assert_eq!(unsafe_chars(&stdout), Vec::<char>::new());
    }
}

/// One signature of the built-in library, as a file to copy.
fn signature_example() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../signatures");
    walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| {
            e.path().extension().is_some_and(|x| x == "toml")
                && !e.path().components().any(|c| c.as_os_str() == "fixtures")
        })
        .unwrap()
        .into_path()
}

#[test]
fn an_input_with_nothing_to_analyze_is_exit_2_with_no_report() {
    let empty = tempfile::tempdir().unwrap();
    let o = vcap_analyze()
        .arg("analyze")
        .arg(empty.path())
        .output()
        .unwrap();
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stdout, "", "no clean-looking report for an empty input");
    assert!(stderr.contains("nothing to analyze"), "{stderr}");
}

#[test]
fn an_unreadable_input_writes_no_report_unless_partial() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("metron_agent.stderr.log");
    std::fs::write(&log, "panic: No dopplers listening on [udp]\n").unwrap();
    let missing = dir.path().join("missing.tgz");
    let report = dir.path().join("ticket.md");
    let o = vcap_analyze()
        .args(["analyze", "--format", "markdown", "-q", "-o"])
        .arg(&report)
        .arg(&log)
        .arg(&missing)
        .output()
        .unwrap();
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(!report.exists(), "no report file: {stdout}");
    assert!(
        stderr.contains("missing.tgz"),
        "-q still shows read errors: {stderr}"
    );
    assert!(stderr.contains("--partial"), "{stderr}");
    // asked for: the report covers the rest, the exit code still says 2
    let o = vcap_analyze()
        .args(["analyze", "--format", "markdown", "--partial", "-o"])
        .arg(&report)
        .arg(&log)
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("metron"), "{md}");
}

#[test]
fn a_signatures_dir_that_does_not_exist_is_an_error() {
    for (args, env) in [
        (
            vec!["analyze", "-", "--signatures", "/nonexistent/sigs"],
            None,
        ),
        (
            vec!["signatures", "list", "--signatures", "/nonexistent/sigs"],
            None,
        ),
        (vec!["analyze", "-"], Some("/nonexistent/sigs")),
    ] {
        let mut c = vcap_analyze();
        c.args(&args).write_stdin("x\n");
        if let Some(v) = env {
            c.env("VCAP_DIAG_SIGNATURES", v);
        }
        let o = c.output().unwrap();
        let (stdout, stderr) = out(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?} {env:?}: {stdout}");
        assert!(stderr.contains("/nonexistent/sigs"), "{stderr}");
        assert_eq!(stdout, "");
    }
}

#[test]
fn scan_secrets_prints_its_errors_on_stderr() {
    let o = vcap_analyze()
        .args(["scan-secrets", "/nonexistent/bundle.tgz"])
        .output()
        .unwrap();
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr.contains("/nonexistent/bundle.tgz"), "{stderr}");
    assert!(!stdout.contains("/nonexistent/bundle.tgz"), "{stdout}");
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let sgr = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).contains("\x1b[");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = vcap_analyze();
        c.args(["analyze", "-"])
            .args(args)
            .write_stdin(hostile_line());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    assert!(!sgr(&run(&[], &[])), "a pipe is not coloured by default");
    assert!(sgr(&run(&["--color", "always"], &[])));
    assert!(sgr(&run(&[], &[("CLICOLOR_FORCE", "1")])));
    assert!(!sgr(&run(
        &[],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    )));
    assert!(!sgr(&run(
        &["--color", "never"],
        &[("CLICOLOR_FORCE", "1")]
    )));
    assert!(sgr(&run(&["--color", "always"], &[("NO_COLOR", "1")])));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = vcap_analyze()
            .args(["completions", shell])
            .output()
            .unwrap();
        let (stdout, stderr) = out(&o);
        assert_eq!(o.status.code(), Some(0), "{shell}: {stderr}");
        assert!(stdout.contains("vcap-analyze"), "{shell}");
        assert!(
            stdout.contains("scan-secrets"),
            "{shell}: knows the subcommands"
        );
    }
}

#[test]
fn man_pages_have_exit_status_environment_and_examples_as_written() {
    let o = vcap_analyze().arg("man").output().unwrap();
    let page = String::from_utf8(o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0));
    for section in [
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        "VCAP_DIAG_SIGNATURES",
        "130",
    ] {
        assert!(page.contains(section), "vcap-analyze(1) lacks {section}");
    }
    let o = vcap_analyze().args(["man", "analyze"]).output().unwrap();
    let page = String::from_utf8(o.stdout).unwrap();
    let examples = page
        .split(".SH EXAMPLES")
        .nth(1)
        .expect("an EXAMPLES section");
    let (body, _) = examples.split_once(".fi").expect("examples are not filled");
    assert!(body.trim_start().starts_with(".nf"), "{body}");
    assert!(
        body.contains(
            "  vcap\\-analyze analyze logs_1541529930.tgz \\-\\-format markdown > ticket.md\n"
        ),
        "an example line, indented as written:\n{body}"
    );
    let o = vcap_analyze()
        .args(["man", "no-such-command"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn each_subcommand_accepts_only_the_formats_it_prints() {
    for (args, format) in [
        (&["certs", "-"][..], "html"),
        (&["signatures", "list"][..], "html"),
        (&["timeline", "-"][..], "markdown"),
        (&["scan-secrets", "-"][..], "markdown"),
    ] {
        let o = vcap_analyze()
            .args(args)
            .args(["--format", format])
            .write_stdin("x\n")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?} --format {format}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("invalid value"));
    }
    let o = vcap_analyze()
        .args(["signatures", "list", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.starts_with("| ID"), "{md}");
    assert!(md.lines().nth(1).unwrap().starts_with("|-"), "{md}");
}

#[test]
fn vcap_diag_at_sets_the_default_now() {
    let o = vcap_analyze()
        .args(["analyze", "-", "--format", "json"])
        .env("VCAP_DIAG_AT", "2019-07-13T00:00:00Z")
        .write_stdin(hostile_line())
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["now"], "2019-07-13T00:00:00Z");
}

#[test]
fn an_interrupted_redact_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big");
    std::fs::create_dir(&input).unwrap();
    // Enough lines that the copy is still running when the signal comes (illustrative).
    let line = "2026-01-01T00:00:00Z rep: connecting to https://user:hunter2@10.0.0.1:8443/v1 token=abcdef0123456789abcdef0123456789\n";
    let body = line.repeat(400_000);
    for i in 0..4 {
        std::fs::write(input.join(format!("rep{i}.log")), &body).unwrap();
    }
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vcap-analyze"))
        .arg("redact")
        .arg(&input)
        .arg(out.join("copy.tgz"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let partial = || {
        std::fs::read_dir(&out)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".part"))
    };
    let start = std::time::Instant::now();
    while !partial() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "redact ended before it could be interrupted"
        );
        assert!(start.elapsed().as_secs() < 60);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!stderr.contains("TimedOut"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}
