//! `vcap-collect` under real faults, not simulated ones: the output filesystem filling up
//! mid-write (a small tmpfs), files truncated, rotated or deleted while they are read, and
//! files the collector may not read (run as `nobody`).
//!
//! Whatever happens, the collector must not panic, must leave a valid bundle or nothing (never
//! a partial file), and the manifest must say what happened to each file.
//!
//! Privileges: the tmpfs tests need to mount (root with `CAP_SYS_ADMIN`). Without it they
//! print `SKIPPED ...` and pass, on CI too: CI containers are often unprivileged. When the
//! process does hold `CAP_SYS_ADMIN` mounting is expected to work, and a failure to mount is
//! a test failure (see docs/reliability.md). The `nobody` test needs root to drop to
//! `nobody`; run as another user it makes the file unreadable with `chmod 000` instead.

use bundle::manifest::{FileRecord, FileStatus, Manifest};
use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

// ------------------------------------------------------------------------------------------
// helpers

/// A bundle read back into memory.
struct Bundle {
    entries: Vec<(String, Vec<u8>)>,
    manifest: Manifest,
    top: String,
}

impl Bundle {
    /// Reads and checks a bundle: a valid gzip'd tar to its end-of-archive marker, the
    /// manifest first, every stored file present with its recorded size and SHA-256.
    fn open(path: &Path) -> Bundle {
        let bytes = std::fs::read(path).unwrap();
        let mut ar = tar::Archive::new(MultiGzDecoder::new(&bytes[..]));
        let mut entries = Vec::new();
        for e in ar.entries().expect("a tar stream") {
            let mut e = e.expect("a valid entry");
            let name = e.path().unwrap().display().to_string();
            let mut data = Vec::new();
            e.read_to_end(&mut data).expect("entry data");
            entries.push((name, data));
        }
        let mut rest = Vec::new();
        MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut rest)
            .expect("the gzip stream is whole");
        assert!(
            rest.len() >= 1024 && rest[rest.len() - 1024..].iter().all(|&b| b == 0),
            "ends with the end-of-archive marker"
        );
        let (first, json) = entries.first().expect("at least the manifest").clone();
        assert!(
            first.ends_with("/manifest.json"),
            "manifest first, got {first}"
        );
        let top = first.trim_end_matches("/manifest.json").to_string();
        let manifest: Manifest = serde_json::from_slice(&json).expect("manifest parses");
        let b = Bundle {
            entries,
            manifest,
            top,
        };
        for f in b
            .manifest
            .files
            .iter()
            .filter(|f| f.status == FileStatus::Ok)
        {
            let at = f.stored_as.as_deref().unwrap_or(&f.path);
            let data = b
                .get(at)
                .unwrap_or_else(|| panic!("{at} recorded ok, not stored"));
            assert_eq!(data.len() as u64, f.size, "{at}");
            assert_eq!(Some(hex(&Sha256::digest(data))), f.sha256, "{at}");
        }
        let stored = b
            .manifest
            .files
            .iter()
            .filter(|f| f.status == FileStatus::Ok)
            .count();
        let commands = b
            .manifest
            .commands
            .iter()
            .filter(|c| c.path.is_some())
            .count();
        assert_eq!(
            b.entries.len(),
            1 + stored + commands,
            "one entry per stored record"
        );
        b
    }

    fn get(&self, rel: &str) -> Option<&[u8]> {
        let want = format!("{}/{rel}", self.top);
        self.entries
            .iter()
            .find(|(n, _)| *n == want)
            .map(|(_, d)| d.as_slice())
    }

    fn record(&self, rel: &str) -> &FileRecord {
        self.manifest
            .files
            .iter()
            .find(|f| f.path == rel)
            .unwrap_or_else(|| panic!("no record for {rel}"))
    }
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn exe() -> PathBuf {
    assert_cmd::cargo::cargo_bin("vcap-collect")
}

fn collect_args(root: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = testkit::ANY_DISK.iter().map(|s| s.to_string()).collect();
    args.extend([
        "--root".to_string(),
        root.display().to_string(),
        "--output".to_string(),
        format!("{}/", out.display()),
        "--no-commands".to_string(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn assert_no_panic(o: &Output) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The files left in `dir`: a bundle or nothing, never a partial file.
fn left_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    for p in &v {
        let name = p.file_name().unwrap().to_string_lossy();
        assert!(
            name.ends_with(".tgz") && !name.starts_with('.'),
            "only a bundle may be left, found {name}"
        );
    }
    assert!(v.len() <= 1, "{v:?}");
    v
}

/// Lines of `n` bytes in all, with a pseudo-random hex field: compresses about 2:1, holds
/// no trigger word of the redactor (hex has no `k`, `y`, `p`, `s`...). The field is named
/// a digest (`sha256=`): random hex of a digest's length beside no digest name is masked
/// by the entropy rule, and these files must be stored byte for byte.
fn hex_log(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(n + 128);
    let mut i = 0u64;
    while out.len() < n {
        let mut line = format!("2024-01-01T00:00:00Z rep {i:08} sha256=");
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            line.push_str(&format!("{x:016x}"));
        }
        line.push('\n');
        out.extend_from_slice(line.as_bytes());
        i += 1;
    }
    out
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Whether this process holds CAP_SYS_ADMIN (bit 21 of CapEff): mounting should work.
fn can_mount() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .is_some_and(|caps| is_root() && caps & (1 << 21) != 0)
}

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (after a visible SKIPPED message) when mounting is not permitted here.
    fn mount(size: &str, test: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let status = if is_root() {
            Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
                .arg(dir.path())
                .stderr(Stdio::piped())
                .output()
                .map(|o| {
                    (
                        o.status.success(),
                        String::from_utf8_lossy(&o.stderr).into_owned(),
                    )
                })
                .unwrap_or_else(|e| (false, e.to_string()))
        } else {
            (false, "not running as root".to_string())
        };
        match status {
            (true, _) => Some(Tmpfs { dir }),
            (false, why) if can_mount() => {
                panic!(
                    "{test}: this process holds CAP_SYS_ADMIN but mounting a tmpfs failed: {why}"
                )
            }
            (false, why) => {
                eprintln!("SKIPPED {test}: cannot mount a tmpfs here ({}); run as root with CAP_SYS_ADMIN", why.trim());
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

// ------------------------------------------------------------------------------------------
// the output filesystem fills up

/// ~30 MiB of logs that compress about 2:1, into an 8 MiB tmpfs, the free-space guard off
/// (`--min-free 0 --min-free-percent 0`) so that the writes themselves fail: exit 1, a valid
/// bundle with what fit, the rest recorded as over budget.
#[test]
fn output_filesystem_fills_up_mid_write() {
    let Some(fs) = Tmpfs::mount("8m", "output_filesystem_fills_up_mid_write") else {
        return;
    };
    let mut vm = testkit::FakeVm::new("cf", "diego_cell", "c-full", "z1");
    let mut names = Vec::new();
    for i in 0..10 {
        let rel = format!("var/vcap/sys/log/rep/rep.{i}.log");
        vm.file(&rel, hex_log(3 << 20, i + 1));
        names.push(rel);
    }
    let o = Command::new(exe())
        .args(collect_args(
            vm.root(),
            fs.path(),
            &["--min-free", "0", "--min-free-percent", "0"],
        ))
        .output()
        .unwrap();
    let stderr = assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let left = left_in(fs.path());
    assert_eq!(left.len(), 1, "a bundle is left: {stderr}");
    let b = Bundle::open(&left[0]);
    assert!(!b.manifest.complete);
    let reason = b.manifest.incomplete_reason.as_deref().unwrap();
    assert!(reason.contains("No space left"), "{reason}");
    let ok = names
        .iter()
        .filter(|n| b.record(n).status == FileStatus::Ok)
        .count();
    let over = names
        .iter()
        .filter(|n| b.record(n).status == FileStatus::OverBudget)
        .count();
    assert!(ok >= 1, "what fit is kept: {reason}");
    assert!(over >= 1, "what did not is recorded");
    assert_eq!(
        ok + over,
        names.len(),
        "no file is misreported as unreadable"
    );
    for n in names
        .iter()
        .filter(|n| b.record(n).status == FileStatus::Ok)
    {
        assert_eq!(
            b.get(n).unwrap(),
            &std::fs::read(vm.path(n)).unwrap()[..],
            "{n}"
        );
    }
}

/// A log larger than the whole output filesystem: its spool cannot be written. The file is
/// recorded as over budget (the output is full, the file was readable), collection stops, and
/// the bundle holds the manifest.
#[test]
fn a_file_larger_than_the_output_filesystem() {
    let Some(fs) = Tmpfs::mount("8m", "a_file_larger_than_the_output_filesystem") else {
        return;
    };
    let mut vm = testkit::FakeVm::new("cf", "diego_cell", "c-huge", "z1");
    vm.file("var/vcap/sys/log/rep/huge.log", hex_log(12 << 20, 7));
    vm.file("var/vcap/sys/log/rep/small.log", "small\n");
    let o = Command::new(exe())
        .args(collect_args(
            vm.root(),
            fs.path(),
            &["--min-free", "0", "--min-free-percent", "0"],
        ))
        .output()
        .unwrap();
    let stderr = assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let left = left_in(fs.path());
    let b = Bundle::open(&left[0]);
    let huge = b.record("var/vcap/sys/log/rep/huge.log");
    assert_eq!(huge.status, FileStatus::OverBudget, "{huge:?}");
    assert!(
        huge.detail
            .as_deref()
            .unwrap()
            .contains("output filesystem full"),
        "{huge:?}"
    );
    assert!(!b.manifest.complete);
}

/// With a free-space floor, the guard counts the final copy of the body too: the output
/// filesystem never has less than `--min-free` free during the run (watched from outside).
#[test]
fn free_space_floor_holds_through_the_final_copy() {
    let Some(fs) = Tmpfs::mount("24m", "free_space_floor_holds_through_the_final_copy") else {
        return;
    };
    let mut vm = testkit::FakeVm::new("cf", "diego_cell", "c-floor", "z1");
    for i in 0..8 {
        vm.file(
            &format!("var/vcap/sys/log/rep/rep.{i}.log"),
            hex_log(3 << 20, 100 + i),
        );
    }
    let floor: u64 = 8 << 20;
    let mut child = Command::new(exe())
        .args(collect_args(
            vm.root(),
            fs.path(),
            &["--min-free", "8MiB", "--min-free-percent", "0"],
        ))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lowest = u64::MAX;
    loop {
        if let Some(avail) = available(fs.path()) {
            lowest = lowest.min(avail);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let o = child.wait_with_output().unwrap();
    let stderr = assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let b = Bundle::open(&left_in(fs.path())[0]);
    let reason = b.manifest.incomplete_reason.as_deref().unwrap();
    assert!(
        reason.contains("nearly full") && !reason.contains("No space left"),
        "the guard stopped it, not a failed write: {reason}"
    );
    // Spools of files being compressed (up to 4 MiB each, in memory here) are not on disk;
    // the manifest member is not counted ahead: allow it some room.
    assert!(
        lowest + (256 << 10) >= floor,
        "free space went down to {} KiB, under the {} KiB floor",
        lowest >> 10,
        floor >> 10
    );
}

fn available(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: a zeroed statvfs is a valid out-parameter; `c` is NUL-terminated.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

// ------------------------------------------------------------------------------------------
// files changing under the collector

/// What to do to the big file while the collector reads it.
#[derive(Clone, Copy, Debug)]
enum Change {
    /// `truncate(path, 0)`.
    Truncate,
    /// `rename(path, path.1)` and a new, small file at `path`.
    Rotate,
    /// `unlink(path)`, and `unlink` of the next file, not yet opened.
    Delete,
}

/// Runs the collector on a VM with a 16 MiB log (`big.log`) and a small one read after it
/// (`zz.log`); once the collector has `big.log` open, `change` is done to it. Returns the
/// bundle, the big file's original content, and whether the change happened while the file
/// was open (the machine may be too fast to catch it).
fn collect_while(change: Change) -> (Bundle, Vec<u8>, bool) {
    let mut vm = testkit::FakeVm::new("cf", "router", "r-change", "z1");
    let big_rel = "var/vcap/sys/log/gorouter/big.log";
    let next_rel = "var/vcap/sys/log/gorouter/zz.log";
    let original = hex_log(16 << 20, 42);
    vm.file(big_rel, &original);
    vm.file(next_rel, "read after big.log\n");
    let (big, next) = (vm.path(big_rel), vm.path(next_rel));
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(exe())
        .args(collect_args(
            vm.root(),
            out.path(),
            &["--max-file-size", "1GiB"],
        ))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut caught = false;
    while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        if has_open(pid, &big) {
            match change {
                Change::Truncate => std::fs::OpenOptions::new()
                    .write(true)
                    .open(&big)
                    .unwrap()
                    .set_len(0)
                    .unwrap(),
                Change::Rotate => {
                    std::fs::rename(&big, big.with_extension("log.1")).unwrap();
                    std::fs::write(&big, "a new file after rotation\n").unwrap();
                }
                Change::Delete => {
                    std::fs::remove_file(&big).unwrap();
                    std::fs::remove_file(&next).unwrap();
                }
            }
            caught =
                has_open(pid, &big.with_extension("log.1")) || has_open_deleted_or_same(pid, &big);
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let o = child.wait_with_output().unwrap();
    let stderr = assert_no_panic(&o);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{change:?}: {stderr}"
    );
    let left = left_in(out.path());
    assert_eq!(left.len(), 1, "{stderr}");
    if !caught {
        eprintln!("NOTE {change:?}: the collector finished big.log before the change was seen");
    }
    (Bundle::open(&left[0]), original, caught)
}

/// Whether process `pid` has `path` open.
fn has_open(pid: u32, path: &Path) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t == path))
}

/// Still open after the change (a deleted file shows as `path (deleted)`).
fn has_open_deleted_or_same(pid: u32, path: &Path) -> bool {
    let deleted = PathBuf::from(format!("{} (deleted)", path.display()));
    has_open(pid, path) || has_open(pid, &deleted)
}

#[test]
fn a_file_truncated_while_read_is_recorded_as_shrunk() {
    let (b, original, caught) = collect_while(Change::Truncate);
    let rec = b.record("var/vcap/sys/log/gorouter/big.log");
    assert_eq!(rec.status, FileStatus::Ok);
    let data = b.get("var/vcap/sys/log/gorouter/big.log").unwrap();
    assert!(
        original.starts_with(data),
        "what was stored is what the file held"
    );
    if caught && (data.len() as u64) < rec.source_size {
        let detail = rec.detail.as_deref().unwrap_or("");
        assert!(detail.contains("shrank while read"), "{rec:?}");
    }
}

#[test]
fn a_file_rotated_while_read_is_stored_whole_from_the_open_file() {
    let (b, original, _) = collect_while(Change::Rotate);
    let rec = b.record("var/vcap/sys/log/gorouter/big.log");
    assert_eq!(rec.status, FileStatus::Ok);
    assert_eq!(rec.source_size, original.len() as u64);
    let data = b.get("var/vcap/sys/log/gorouter/big.log").unwrap();
    assert!(
        data == &original[..],
        "the open file, whole ({} of {} bytes)",
        data.len(),
        original.len()
    );
}

#[test]
fn a_file_deleted_while_read_is_stored_and_the_next_one_vanished() {
    let (b, original, caught) = collect_while(Change::Delete);
    let rec = b.record("var/vcap/sys/log/gorouter/big.log");
    assert_eq!(rec.status, FileStatus::Ok);
    assert!(b.get("var/vcap/sys/log/gorouter/big.log").unwrap() == &original[..]);
    let next = b.record("var/vcap/sys/log/gorouter/zz.log");
    if caught {
        assert_eq!(next.status, FileStatus::Vanished, "{next:?}");
    } else {
        assert!(
            matches!(next.status, FileStatus::Ok | FileStatus::Vanished),
            "{next:?}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// files the collector may not read

/// Run as `nobody`, a root-owned 0600 log is `unreadable` (exit 1), the rest is collected.
#[test]
fn unreadable_file_as_nobody_is_recorded_and_the_rest_collected() {
    let base = tempfile::Builder::new()
        .prefix("vcap-faults.")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut vm = testkit::FakeVm::new_in(base.path().join("vm"), "cf", "api", "a-priv", "z1");
    vm.log("cloud_controller_ng/cc.log", &["readable line"]);
    vm.log("cloud_controller_ng/private.log", &["root only"]);
    let private = vm.path("var/vcap/sys/log/cloud_controller_ng/private.log");
    let out = base.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
    let args = collect_args(vm.root(), &out, &[]);
    let o = if is_root() {
        // Everything readable (and traversable) by nobody but the one private file.
        chmod_tree(vm.root());
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        // The binary may sit where nobody cannot reach it: a copy in the shared dir.
        let bin = base.path().join("vcap-collect");
        std::fs::copy(exe(), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(&bin)
            .args(&args);
        match cmd.output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("SKIPPED unreadable_file_as_nobody: setpriv not available ({e})");
                return;
            }
        }
    } else {
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o000)).unwrap();
        Command::new(exe()).args(&args).output().unwrap()
    };
    let stderr = assert_no_panic(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "an unreadable file is a problem worth exit 1: {stderr}"
    );
    assert!(stderr.contains("private.log"), "listed on stderr: {stderr}");
    let left = left_in(&out);
    let b = Bundle::open(&left[0]);
    let rec = b.record("var/vcap/sys/log/cloud_controller_ng/private.log");
    assert_eq!(rec.status, FileStatus::Unreadable, "{rec:?}");
    assert!(
        rec.detail.as_deref().unwrap().contains("ermission denied"),
        "{rec:?}"
    );
    assert!(b
        .get("var/vcap/sys/log/cloud_controller_ng/private.log")
        .is_none());
    assert_eq!(
        b.record("var/vcap/sys/log/cloud_controller_ng/cc.log")
            .status,
        FileStatus::Ok
    );
    assert_eq!(
        b.get("var/vcap/sys/log/cloud_controller_ng/cc.log")
            .unwrap(),
        b"readable line\n"
    );
}

fn chmod_tree(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            continue;
        }
        let mode = if t.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        if t.is_dir() {
            chmod_tree(&e.path());
        }
    }
}
