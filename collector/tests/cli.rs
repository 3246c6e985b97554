//! `vcap-collect`'s command line as an operator meets it: honest exits and messages that
//! name the right thing (issue 14).

use assert_cmd::Command;
use std::io::Read;
use std::path::Path;

fn vcap_collect() -> Command {
    let mut c = Command::cargo_bin("vcap-collect").unwrap();
    c.args(testkit::ANY_DISK);
    c
}

#[test]
fn a_host_without_var_vcap_is_refused_unless_asked() {
    if Path::new("/var/vcap").exists() {
        // A BOSH VM (or a machine made to look like one): the refusal cannot happen here.
        eprintln!("skipped: /var/vcap exists on this host");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let o = vcap_collect()
        .args(["--no-commands", "--output"])
        .arg(format!("{}/", out.path().display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/var/vcap") && stderr.contains("--allow-empty"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no bundle"
    );

    let o = vcap_collect()
        .args([
            "--no-commands",
            "--allow-empty",
            "--max-total",
            "1MiB",
            "--output",
        ])
        .arg(format!("{}/", out.path().display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{stderr}");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_closed_stdout_is_blamed_on_stdout() {
    let mut vm = testkit::FakeVm::new("cf", "cell", "c-9", "z1");
    // Text that does not compress much, so the bundle outgrows the pipe's buffer: decimal
    // numbers (hex tokens this long would be masked as possible secrets, and compress).
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: String = (0..40_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            format!(
                "{} {}\n",
                state % 1_000_000_007,
                state.rotate_left(29) % 998_244_353
            )
        })
        .collect();
    vm.log("var/vcap/sys/log/rep/rep.stdout.log", &[noise]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vcap-collect"))
        .args(testkit::ANY_DISK)
        .arg("--root")
        .arg(vm.root())
        .args(["--no-commands", "--output", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap(); // then closed, as `head -c 100`
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("standard output"), "{stderr}");
    assert!(
        !stderr.contains("/tmp"),
        "the spool directory is not to blame: {stderr}"
    );
}

#[test]
fn gzip_is_refused_to_a_terminal() {
    let vm = testkit::FakeVm::new("cf", "cell", "c-8", "z1");
    let bin = assert_cmd::cargo::cargo_bin("vcap-collect");
    // `script` gives the command a terminal as its stdout.
    let cmdline = format!(
        "{} {} --root {} --no-commands --output -",
        bin.display(),
        testkit::ANY_DISK.join(" "),
        vm.root().display()
    );
    let o = std::process::Command::new("script")
        .args(["-qec", &cmdline, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux");
    let shown = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("refusing to write a gzip bundle to a terminal"),
        "{shown}"
    );
    assert!(!shown.contains('\u{fffd}'), "no binary on the terminal");
}
