//! Helpers shared by the end-to-end test binaries (`mod common;` in each).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Runs `vcap-collect --root ROOT --no-commands --output OUT/`, asserts exit 0, and
/// returns the bundle it wrote (the one `.tgz` in OUT that was not there before).
#[allow(dead_code)] // not every test binary uses both
pub fn collect(root: &Path, out: &Path) -> PathBuf {
    collect_with(root, out, &[] as &[&str])
}

/// [`collect`] with more arguments (`--include GLOB`, `--max-file-size N`...). OUT is
/// created if missing.
#[allow(dead_code)]
pub fn collect_with<S: AsRef<std::ffi::OsStr>>(root: &Path, out: &Path, args: &[S]) -> PathBuf {
    std::fs::create_dir_all(out).unwrap();
    let before = bundles_in(out);
    run_ok(
        Command::cargo_bin("vcap-collect")
            .unwrap()
            .args(testkit::ANY_DISK)
            .arg("--root")
            .arg(root)
            .args(["--no-commands", "--output"])
            .arg(format!("{}/", out.display()))
            .args(args),
    );
    bundles_in(out)
        .into_iter()
        .find(|p| !before.contains(p))
        .expect("a new bundle")
}

/// Runs `cmd`, asserts it exits 0 (its stderr in the failure message), and returns what it
/// wrote on stdout.
#[allow(dead_code)]
pub fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let o = cmd.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// The `.tgz` files in `dir`.
pub fn bundles_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect()
}
