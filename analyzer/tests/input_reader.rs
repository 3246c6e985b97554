//! The bundle reader (`analyzer::input`) against every input shape it promises to read, and
//! against hostile ones: archives are built in memory / in temp dirs with `tar` + `flate2`,
//! hostile headers written byte by byte.

use analyzer::input::{discover, read_input, EntryMeta, Input, Problem, Sink, Skipped, VmInfo};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;
use tar::EntryType;
use testkit::archive::{gz, raw_header, small_bundle, RawTar, SMALL_BUNDLE_MANIFEST};

// ---------------------------------------------------------------------------------------------
// helpers: building archives (hostile ones too) and recording what the reader delivers

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, bytes).unwrap();
    path
}

fn ts(s: &str) -> Option<jiff::Timestamp> {
    Some(s.parse().unwrap())
}

/// What a sink saw.
#[derive(Debug, Clone)]
enum Event {
    Vm(VmInfo),
    Entry {
        vm: String,
        meta: EntryMeta,
        data: Vec<u8>,
        error: Option<String>,
    },
    Skipped(Skipped),
}

/// A sink that records everything (entry data included).
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl Sink for Recorder {
    fn vm(&self, vm: &VmInfo) {
        self.0.lock().unwrap().push(Event::Vm(vm.clone()));
    }

    fn entry(&self, vm: &VmInfo, entry: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
        let mut buf = Vec::new();
        let error = data.read_to_end(&mut buf).err().map(|e| e.to_string());
        let event = Event::Entry {
            vm: vm.identity.name.clone(),
            meta: entry.clone(),
            data: buf,
            error,
        };
        self.0.lock().unwrap().push(event);
        Ok(())
    }

    fn skipped(&self, skipped: Skipped) {
        self.0.lock().unwrap().push(Event::Skipped(skipped));
    }
}

/// One delivered entry.
#[derive(Debug, Clone)]
struct Got {
    vm: String,
    meta: EntryMeta,
    data: Vec<u8>,
    error: Option<String>,
}

impl Recorder {
    fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }

    fn vms(&self) -> Vec<VmInfo> {
        self.events()
            .into_iter()
            .filter_map(|e| if let Event::Vm(v) = e { Some(v) } else { None })
            .collect()
    }

    fn entries(&self) -> Vec<Got> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Entry {
                    vm,
                    meta,
                    data,
                    error,
                } => Some(Got {
                    vm,
                    meta,
                    data,
                    error,
                }),
                _ => None,
            })
            .collect()
    }

    fn skipped(&self) -> Vec<Skipped> {
        self.events()
            .into_iter()
            .filter_map(|e| {
                if let Event::Skipped(s) = e {
                    Some(s)
                } else {
                    None
                }
            })
            .collect()
    }

    fn entry(&self, path: &str) -> Got {
        let all = self.entries();
        all.iter()
            .find(|g| g.meta.path == path)
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no entry {path}; got {:?}",
                    all.iter().map(|g| &g.meta.path).collect::<Vec<_>>()
                )
            })
    }

    fn paths(&self) -> Vec<String> {
        let mut p: Vec<String> = self.entries().into_iter().map(|g| g.meta.path).collect();
        p.sort();
        p
    }

    /// Every VM is announced once, before any of its entries.
    fn assert_vm_before_entries(&self) {
        let mut announced = std::collections::HashSet::new();
        for e in self.events() {
            match e {
                Event::Vm(v) => assert!(
                    announced.insert(v.origin.clone()),
                    "VM announced twice: {}",
                    v.origin
                ),
                Event::Entry { vm, .. } => {
                    assert!(
                        self.vms().iter().any(|v| v.identity.name == vm),
                        "entry of unannounced VM {vm}"
                    )
                }
                Event::Skipped(_) => {}
            }
        }
    }
}

/// Reads one input into a recorder; problems and skips are printed (shown when a test fails).
fn read(input: &Input) -> (Recorder, Vec<Problem>) {
    let sink = Recorder::default();
    let problems = read_input(input, &sink);
    sink.assert_vm_before_entries();
    for p in &problems {
        eprintln!("problem: {p}");
    }
    for s in sink.skipped() {
        eprintln!("skipped: {s:?}");
    }
    (sink, problems)
}

fn read_file(dir: &Path, name: &str, bytes: &[u8]) -> (Recorder, Vec<Problem>) {
    read(&Input::Archive(write(dir, name, bytes)))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

// ---------------------------------------------------------------------------------------------
// layouts

#[test]
fn our_bundle_identity_from_manifest_top_dir_stripped_multi_member_gzip() {
    let dir = tmp();
    let top = "cf.diego_cell.6a1e.20240304T050607Z";
    let tar = small_bundle(top).bytes();
    // our bundles may be several gzip members one after another
    let (a, b) = tar.split_at(1536);
    let mut bytes = gz(a);
    bytes.extend(gz(b));
    let (sink, problems) = read_file(dir.path(), &format!("{top}.tgz"), &bytes);
    assert!(problems.is_empty(), "{problems:?}");

    let vms = sink.vms();
    assert_eq!(vms.len(), 1);
    let vm = &vms[0];
    assert_eq!(
        vm.identity.name,
        "diego_cell/6a1e5b7c-0000-4000-8000-000000000001"
    );
    assert_eq!(vm.identity.deployment.as_deref(), Some("cf"));
    assert_eq!(vm.identity.az.as_deref(), Some("z1"));
    assert_eq!(vm.collected_at, ts("2024-03-04T05:06:07Z"));
    assert_eq!(vm.bundle_complete, Some(false));
    assert_eq!(vm.incomplete_reason.as_deref(), Some("over --max-total"));
    assert!(!vm.is_loose);
    assert!(vm.origin.ends_with(".tgz"));

    assert_eq!(
        sink.paths(),
        [
            "commands/df.txt",
            "manifest.json",
            "var/vcap/sys/log/rep/rep.stdout.log",
            "var/vcap/sys/log/rep/rep.stdout.log.1.gz",
        ]
    );
    assert_eq!(
        sink.entry("manifest.json").data,
        SMALL_BUNDLE_MANIFEST.as_bytes()
    );
    let rotated = sink.entry("var/vcap/sys/log/rep/rep.stdout.log.1.gz");
    assert_eq!(
        rotated.data, b"older rep line\n",
        "rotated .gz delivered decompressed"
    );
    assert_eq!(
        rotated.meta.archive_name,
        format!("{top}/var/vcap/sys/log/rep/rep.stdout.log.1.gz")
    );
    assert_eq!(
        sink.entry("commands/df.txt").meta.mtime,
        Some(1_700_000_000)
    );
}

#[test]
fn bundle_without_manifest_fields_and_with_broken_manifest() {
    let dir = tmp();
    let bytes = RawTar::new()
        .file("b/manifest.json", "{}")
        .file("b/var/vcap/x.log", "x")
        .tgz();
    let (sink, problems) = read_file(dir.path(), "odd.tgz", &bytes);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        sink.vms()[0].identity.name,
        dir.path().join("odd.tgz").display().to_string()
    );
    assert_eq!(sink.paths(), ["manifest.json", "var/vcap/x.log"]);

    let bytes = RawTar::new()
        .file("b/manifest.json", "{not json")
        .file("b/var/vcap/x.log", "x")
        .tgz();
    let (sink, problems) = read_file(dir.path(), "broken.tgz", &bytes);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("not valid JSON"),
        "{}",
        problems[0]
    );
    assert_eq!(
        sink.paths(),
        ["manifest.json", "var/vcap/x.log"],
        "still read, still stripped"
    );
}

#[test]
fn bosh_logs_single_instance_name_and_layout() {
    let dir = tmp();
    let name = "cf.diego_cell.3f2a9c1e-1111-2222-3333-444455556666-20240102-030405-123456789.tgz";
    let bytes = RawTar::new()
        .dir("./")
        .dir("./rep/")
        .file("./rep/rep.stdout.log", "rep log\n")
        .file("./rep/rep.stdout.log.2.gz", gz(b"rotated\n"))
        .file("./current", "agent log\n")
        .file("./@400000006592f5a30a1b2c3d.s", "older agent log\n")
        .tgz();
    let (sink, problems) = read_file(dir.path(), name, &bytes);
    assert!(problems.is_empty(), "{problems:?}");
    let vm = &sink.vms()[0];
    assert_eq!(
        vm.identity.name,
        "diego_cell/3f2a9c1e-1111-2222-3333-444455556666"
    );
    assert_eq!(vm.identity.deployment.as_deref(), Some("cf"));
    assert_eq!(vm.collected_at, ts("2024-01-02T03:04:05.123456789Z"));
    assert_eq!(vm.bundle_complete, None);
    assert_eq!(
        sink.paths(),
        [
            "var/vcap/bosh/log/@400000006592f5a30a1b2c3d.s",
            "var/vcap/bosh/log/current",
            "var/vcap/sys/log/rep/rep.stdout.log",
            "var/vcap/sys/log/rep/rep.stdout.log.2.gz",
        ]
    );
    assert_eq!(
        sink.entry("var/vcap/sys/log/rep/rep.stdout.log.2.gz").data,
        b"rotated\n"
    );
    assert_eq!(
        sink.entry("var/vcap/sys/log/rep/rep.stdout.log")
            .meta
            .archive_name,
        "./rep/rep.stdout.log"
    );
}

#[test]
fn bosh_logs_multi_instance_has_one_vm_per_nested_tarball() {
    let dir = tmp();
    let instances = [
        (
            "diego_cell",
            "3f2a9c1e-aaaa-bbbb-cccc-000000000001",
            "2024-01-02-03-04-05",
        ),
        (
            "doppler",
            "7d9e0000-aaaa-bbbb-cccc-000000000002",
            "2024-01-02-03-04-06",
        ),
        (
            "router",
            "11110000-aaaa-bbbb-cccc-000000000003",
            "2024-01-02-03-04-07",
        ),
    ];
    let mut outer = RawTar::new().dir("./");
    for (job, id, at) in instances {
        let inner = RawTar::new()
            .dir("./")
            .file(
                format!("./{job}/{job}.stdout.log"),
                format!("{job} says hi\n"),
            )
            .file(
                format!("./{job}/{job}.stdout.log.1.gz"),
                gz(format!("{job} rotated\n").as_bytes()),
            )
            .tgz();
        outer = outer.file(format!("./{job}.{id}.{at}.tgz"), inner);
    }
    let path = write(dir.path(), "logs_1704164645.tgz", &outer.tgz());
    let (sink, problems) = read(&Input::Archive(path.clone()));
    assert!(problems.is_empty(), "{problems:?}");

    let vms = sink.vms();
    assert_eq!(vms.len(), 3, "{vms:#?}");
    for ((job, id, at), vm) in instances.iter().zip(&vms) {
        assert_eq!(vm.identity.name, format!("{job}/{id}"));
        let want = format!("{}T{}Z", &at[..10], at[11..].replace('-', ":"));
        assert_eq!(vm.collected_at, ts(&want));
        assert_eq!(vm.origin, format!("{}!{job}.{id}.{at}.tgz", path.display()));
        let log = sink.entry(&format!("var/vcap/sys/log/{job}/{job}.stdout.log"));
        assert_eq!(log.vm, vm.identity.name);
        assert_eq!(log.data, format!("{job} says hi\n").as_bytes());
        let rotated = sink.entry(&format!("var/vcap/sys/log/{job}/{job}.stdout.log.1.gz"));
        assert_eq!(rotated.data, format!("{job} rotated\n").as_bytes());
    }
}

#[test]
fn plain_tar_of_a_vm_root() {
    let dir = tmp();
    let bytes = RawTar::new()
        .file(
            "./var/vcap/sys/log/gorouter/gorouter.stdout.log",
            "route registered\n",
        )
        .file("var/vcap/monit/monit.log", "monit\n")
        .bytes();
    let (sink, problems) = read_file(dir.path(), "vm.tar", &bytes);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        sink.paths(),
        [
            "var/vcap/monit/monit.log",
            "var/vcap/sys/log/gorouter/gorouter.stdout.log"
        ]
    );
    assert_eq!(sink.vms().len(), 1);
}

#[test]
fn lone_gz_log_is_a_loose_input() {
    let dir = tmp();
    let path = write(dir.path(), "rep.stdout.log.1.gz", &gz(b"a rotated log\n"));
    let (inputs, problems) = discover(&[path.display().to_string()]);
    assert!(problems.is_empty());
    assert_eq!(inputs, [Input::Archive(path.clone())]);
    let (sink, problems) = read(&inputs[0]);
    assert!(problems.is_empty(), "{problems:?}");
    let vm = &sink.vms()[0];
    assert!(vm.is_loose);
    assert_eq!(vm.identity.name, path.display().to_string());
    let got = sink.entry("rep.stdout.log.1.gz");
    assert_eq!(got.data, b"a rotated log\n");
}

// ---------------------------------------------------------------------------------------------
// directories, discovery, globs

/// Runs `f` on a thread and fails if it does not finish in time (a FIFO opened for reading
/// would block forever).
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("the reader hung")
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[test]
fn vm_root_directory_with_fifo_symlink_and_rotated_gz() {
    let dir = tmp();
    let root = dir.path().join("vm");
    write(&root, "var/vcap/sys/log/rep/rep.stdout.log", b"rep line\n");
    write(
        &root,
        "var/vcap/sys/log/rep/rep.stdout.log.1.gz",
        &gz(b"old rep line\n"),
    );
    write(
        &root,
        "var/vcap/sys/log/rep/bad.log.gz",
        b"\x1f\x8b\x08\x00garbage",
    );
    mkfifo(&root.join("var/vcap/sys/log/rep/pipe"));
    std::os::unix::fs::symlink("/etc/passwd", root.join("var/vcap/sys/log/rep/passwd")).unwrap();

    let arg = root.display().to_string();
    let (inputs, problems) = within(30, move || discover(&[arg]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(inputs, [Input::Tree(root.clone())]);

    let input = inputs[0].clone();
    let (sink, problems) = within(30, move || read(&input));
    assert_eq!(
        sink.paths(),
        [
            "var/vcap/sys/log/rep/bad.log.gz",
            "var/vcap/sys/log/rep/rep.stdout.log",
            "var/vcap/sys/log/rep/rep.stdout.log.1.gz",
        ]
    );
    assert_eq!(
        sink.entry("var/vcap/sys/log/rep/rep.stdout.log.1.gz").data,
        b"old rep line\n"
    );
    assert_eq!(
        sink.entry("var/vcap/sys/log/rep/rep.stdout.log")
            .meta
            .archive_name,
        "var/vcap/sys/log/rep/rep.stdout.log"
    );
    let mut skipped = sink.skipped();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0].path, "var/vcap/sys/log/rep/passwd");
    assert!(
        skipped[0].reason.contains("symbolic link to /etc/passwd"),
        "{}",
        skipped[0].reason
    );
    assert_eq!(skipped[1].path, "var/vcap/sys/log/rep/pipe");
    assert!(skipped[1].reason.contains("FIFO"), "{}", skipped[1].reason);
    // the corrupt .gz is a problem of its own; the rest was read
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].path.as_deref(),
        Some("var/vcap/sys/log/rep/bad.log.gz")
    );
}

#[test]
fn extracted_bundle_and_extracted_bosh_logs_directories() {
    let dir = tmp();
    let bundle = dir.path().join("cf.diego_cell.6a1e.20240304T050607Z");
    write(&bundle, "manifest.json", SMALL_BUNDLE_MANIFEST.as_bytes());
    write(&bundle, "var/vcap/sys/log/rep/rep.stdout.log", b"x\n");
    let (sink, problems) = read(&Input::Tree(bundle.clone()));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        sink.vms()[0].identity.name,
        "diego_cell/6a1e5b7c-0000-4000-8000-000000000001"
    );
    assert_eq!(
        sink.paths(),
        ["manifest.json", "var/vcap/sys/log/rep/rep.stdout.log"]
    );

    let logs = dir.path().join("cf.router.0-20240102-030405-1");
    write(&logs, "gorouter/access.log", b"GET /\n");
    write(&logs, "gorouter/access.log.1.gz", &gz(b"GET /old\n"));
    write(&logs, "current", b"agent\n");
    let (inputs, problems) = discover(&[logs.display().to_string()]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        inputs,
        [Input::Tree(logs.clone())],
        "rotated .gz logs do not make it a directory of archives"
    );
    let (sink, problems) = read(&inputs[0]);
    assert!(problems.is_empty(), "{problems:?}");
    let vm = &sink.vms()[0];
    assert_eq!(vm.identity.name, "router/0");
    assert_eq!(vm.collected_at, ts("2024-01-02T03:04:05.1Z"));
    assert_eq!(
        sink.paths(),
        [
            "var/vcap/bosh/log/current",
            "var/vcap/sys/log/gorouter/access.log",
            "var/vcap/sys/log/gorouter/access.log.1.gz"
        ]
    );
}

#[test]
fn directory_of_bundles_gives_each_archive() {
    let dir = tmp();
    let root = dir.path().join("ticket");
    let a = write(&root, "a.tgz", &small_bundle("a").tgz());
    let b = write(&root, "b.tar", &small_bundle("b").bytes());
    let c = write(&root, "more/c.tgz", &small_bundle("c").tgz());
    let broken = write(&root, "more/d.tgz", b"");
    let extracted = root.join("x-extracted");
    write(
        &extracted,
        "manifest.json",
        SMALL_BUNDLE_MANIFEST.as_bytes(),
    );
    let loose_dir = root.join("logs");
    write(&loose_dir, "rep/rep.log", b"x");
    let notes = write(&root, "notes.txt", b"customer says it broke");
    mkfifo(&root.join("more/pipe")); // never opened

    let arg = root.display().to_string();
    let (inputs, problems) = within(30, move || discover(&[arg]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        inputs,
        [
            Input::Archive(a),
            Input::Archive(b),
            Input::Tree(loose_dir),
            Input::Archive(c),
            Input::Archive(broken.clone()),
            Input::LogFile(notes),
            Input::Tree(extracted),
        ]
    );
    let (_, problems) = read(&Input::Archive(broken));
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("empty file"),
        "{}",
        problems[0]
    );
}

#[test]
fn glob_arguments_expand_and_missing_paths_are_problems() {
    let dir = tmp();
    let a = write(dir.path(), "bundles/a.tgz", &small_bundle("a").tgz());
    let b = write(dir.path(), "bundles/b.tgz", &small_bundle("b").tgz());
    write(dir.path(), "bundles/readme.txt", b"hi");
    let nested = write(dir.path(), "bundles/deeper/c.tgz", &small_bundle("c").tgz());
    let base = dir.path().join("bundles").display().to_string();

    let (inputs, problems) = discover(&[format!("{base}/*.tgz")]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        inputs,
        [Input::Archive(a.clone()), Input::Archive(b.clone())]
    );

    let (inputs, _) = discover(&[format!("{base}/**/*.tgz"), a.display().to_string()]);
    assert_eq!(
        inputs,
        [Input::Archive(a), Input::Archive(b), Input::Archive(nested)],
        "deduplicated"
    );

    let missing = dir.path().join("nope.tgz").display().to_string();
    let (inputs, problems) = discover(&[format!("{base}/*.zip"), missing.clone(), "-".into()]);
    assert_eq!(inputs, [Input::Stdin]);
    assert_eq!(problems.len(), 2);
    assert!(
        problems[0].message.contains("no file matches"),
        "{}",
        problems[0]
    );
    assert_eq!(problems[1].input, missing);
    assert!(
        problems[1].to_string().contains("No such file"),
        "{}",
        problems[1]
    );
}

#[test]
fn files_are_classified_by_magic_not_name() {
    let dir = tmp();
    let disguised = write(dir.path(), "bundle.log", &small_bundle("x").tgz());
    let text = write(dir.path(), "app.log", b"plain text\n");
    let garbage = write(
        dir.path(),
        "garbage.tgz",
        b"<!DOCTYPE html> this is a login page, not a bundle",
    );
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let args: Vec<String> = [&disguised, &text, &garbage, &fifo]
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let (inputs, problems) = within(30, move || discover(&args));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        inputs,
        [
            Input::Archive(disguised),
            Input::LogFile(text.clone()),
            Input::Archive(garbage.clone()),
            Input::LogFile(fifo)
        ]
    );

    let (_, problems) = read(&Input::Archive(garbage));
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("not a gzip or tar archive"),
        "{}",
        problems[0]
    );
    assert!(problems[0].message.contains("<!DOCTYPE"), "{}", problems[0]);

    let (sink, problems) = read(&Input::LogFile(text.clone()));
    assert!(problems.is_empty());
    let vm = &sink.vms()[0];
    assert!(vm.is_loose);
    assert_eq!(vm.identity.name, text.display().to_string());
    assert_eq!(sink.entry("app.log").data, b"plain text\n");
}

// ---------------------------------------------------------------------------------------------
// stdin (run in a child process of this test binary, with the data piped in)

const STDIN_CHILD: &str = "VCAP_INPUT_READER_STDIN_CHILD";

fn run_stdin_child(test: &str, data: &[u8]) -> String {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(STDIN_CHILD, "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = data.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn stdin_child_report() {
    let (sink, problems) = read(&Input::Stdin);
    for vm in sink.vms() {
        println!(
            "VM {} origin={} loose={}",
            vm.identity.name, vm.origin, vm.is_loose
        );
    }
    for e in sink.entries() {
        println!(
            "ENTRY {} {:?}",
            e.meta.path,
            String::from_utf8_lossy(&e.data)
        );
    }
    for p in problems {
        println!("PROBLEM {p}");
    }
}

#[test]
fn stdin_gzip_is_decompressed_as_a_loose_input() {
    if std::env::var_os(STDIN_CHILD).is_some() {
        return stdin_child_report();
    }
    let out = run_stdin_child(
        "stdin_gzip_is_decompressed_as_a_loose_input",
        &gz(b"panic: No dopplers listening\n"),
    );
    assert!(out.contains("VM stdin origin=- loose=true"), "{out}");
    assert!(
        out.contains(r#"ENTRY stdin "panic: No dopplers listening\n""#),
        "{out}"
    );
    assert!(!out.contains("PROBLEM"), "{out}");
}

#[test]
fn stdin_plain_text_and_piped_bundle() {
    if std::env::var_os(STDIN_CHILD).is_some() {
        return stdin_child_report();
    }
    let out = run_stdin_child("stdin_plain_text_and_piped_bundle", b"just text\n");
    assert!(out.contains(r#"ENTRY stdin "just text\n""#), "{out}");
    let out = run_stdin_child(
        "stdin_plain_text_and_piped_bundle",
        &small_bundle("b").tgz(),
    );
    assert!(
        out.contains("VM diego_cell/6a1e5b7c-0000-4000-8000-000000000001 origin=- loose=false"),
        "{out}"
    );
    assert!(
        out.contains("ENTRY var/vcap/sys/log/rep/rep.stdout.log"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// hostile archives

#[test]
fn traversal_and_absolute_names_are_only_names() {
    let dir = tmp();
    let bytes = RawTar::new()
        .file("../../../../etc/passwd", "root:x:0:0\n")
        .file("/etc/shadow", "root:*:\n")
        .file("a/../../b/./c.log", "c\n")
        .tgz();
    let (sink, problems) = read_file(dir.path(), "evil.tgz", &bytes);
    assert!(problems.is_empty(), "{problems:?}");
    for got in sink.entries() {
        assert!(
            !got.meta.path.starts_with('/') && !got.meta.path.split('/').any(|c| c == ".."),
            "{:?}",
            got.meta
        );
    }
    let names: Vec<String> = sink
        .entries()
        .into_iter()
        .map(|g| g.meta.archive_name)
        .collect();
    assert_eq!(
        names,
        ["../../../../etc/passwd", "/etc/shadow", "a/../../b/./c.log"]
    );
    assert_eq!(sink.entry("var/vcap/sys/log/b/c.log").data, b"c\n");
    assert!(!dir.path().join("etc").exists(), "nothing written anywhere");
}

#[test]
fn links_devices_and_fifos_in_archives_are_skipped() {
    let dir = tmp();
    let bytes = RawTar::new()
        .file("rep/rep.log", "real\n")
        .link("rep/passwd", "/etc/passwd", EntryType::Symlink)
        .link("rep/hard", "../../etc/shadow", EntryType::Link)
        .special("rep/fifo", EntryType::Fifo)
        .special("rep/tty", EntryType::Char)
        .file("rep/after.log", "after\n")
        .tgz();
    let (sink, problems) = read_file(dir.path(), "links.tgz", &bytes);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        sink.paths(),
        [
            "var/vcap/sys/log/rep/after.log",
            "var/vcap/sys/log/rep/rep.log"
        ]
    );
    let skipped = sink.skipped();
    let reasons: Vec<(&str, &str)> = skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "var/vcap/sys/log/rep/passwd",
                "symbolic link to /etc/passwd (not followed)"
            ),
            (
                "var/vcap/sys/log/rep/hard",
                "hard link to ../../etc/shadow (not followed)"
            ),
            ("var/vcap/sys/log/rep/fifo", "FIFO (not a regular file)"),
            (
                "var/vcap/sys/log/rep/tty",
                "device file (not a regular file)"
            ),
        ]
    );
    assert!(skipped.iter().all(|s| s.vm.ends_with("links.tgz")));
}

#[test]
fn invalid_utf8_names_and_content_pass_through() {
    let dir = tmp();
    let content = b"caf\xe9 \xff\xfe\x00 bytes\n".to_vec();
    let bytes = RawTar::new().file(b"rep/\xff\xfelog.log", &content).tgz();
    let (sink, problems) = read_file(dir.path(), "utf8.tgz", &bytes);
    assert!(problems.is_empty(), "{problems:?}");
    let got = &sink.entries()[0];
    assert_eq!(
        got.meta.path,
        "var/vcap/sys/log/rep/\u{fffd}\u{fffd}log.log"
    );
    assert_eq!(got.meta.archive_name, "rep/\u{fffd}\u{fffd}log.log");
    assert_eq!(got.data, content, "content delivered byte for byte");
}

#[test]
fn nesting_is_capped() {
    fn level(n: usize, deepest: usize) -> Vec<u8> {
        let mut t = RawTar::new().file(format!("job{n}/job{n}.log"), format!("level {n}\n"));
        if n < deepest {
            t = t.file(format!("l{}.tgz", n + 1), level(n + 1, deepest));
        }
        t.tgz()
    }
    let dir = tmp();
    let (sink, problems) = read_file(dir.path(), "deep.tgz", &level(0, 6));
    assert!(problems.is_empty(), "{problems:?}");
    let vms = sink.vms();
    assert_eq!(
        vms.len(),
        5,
        "the input and 4 nested levels: {:#?}",
        vms.iter().map(|v| &v.origin).collect::<Vec<_>>()
    );
    assert!(
        vms[4]
            .origin
            .ends_with("deep.tgz!l1.tgz!l2.tgz!l3.tgz!l4.tgz"),
        "{}",
        vms[4].origin
    );
    let skipped = sink.skipped();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].path, "var/vcap/sys/log/l5.tgz");
    assert!(
        skipped[0].reason.contains("nested 5 levels deep"),
        "{}",
        skipped[0].reason
    );
    assert_eq!(sink.entries().len(), 5);
}

#[test]
fn truncated_gzip_delivers_the_prefix_and_names_the_offset() {
    let dir = tmp();
    let log: Vec<u8> = (0..120_000u64)
        .flat_map(|i| {
            format!(
                "2024-01-02T03:04:05Z line {i} {:x}\n",
                i.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            )
            .into_bytes()
        })
        .collect();
    let full = RawTar::new()
        .file("./rep/rep.stdout.log", &log)
        .file("./rep/later.log", "later\n")
        .tgz();
    let cut = full.len() * 6 / 10;
    let (sink, problems) = read_file(dir.path(), "cut.tgz", &full[..cut]);

    let got = sink.entry("var/vcap/sys/log/rep/rep.stdout.log");
    assert!(
        !got.data.is_empty() && got.data.len() < log.len(),
        "a strict prefix: {} of {}",
        got.data.len(),
        log.len()
    );
    assert_eq!(got.data[..], log[..got.data.len()]);
    assert!(got.error.is_some(), "the sink saw the stream fail");
    assert_eq!(sink.entries().len(), 1);

    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert_eq!(p.path.as_deref(), Some("./rep/rep.stdout.log"));
    assert_eq!(p.offset, Some(cut as u64), "compressed offset of the end");
    assert!(p.message.contains("gzip data ends early"), "{p}");
    assert!(p.message.contains("compressed"), "{p}");
    assert!(
        p.to_string()
            .starts_with(&dir.path().join("cut.tgz").display().to_string()),
        "{p}"
    );
}

#[test]
fn truncated_plain_tar_and_missing_end_marker() {
    let dir = tmp();
    let full = RawTar::new()
        .file("a.log", vec![b'a'; 2000])
        .file("b.log", vec![b'b'; 5000])
        .bytes();
    let cut = 512 + 2048 + 512 + 1000;
    let (sink, problems) = read_file(dir.path(), "cut.tar", &full[..cut]);
    assert_eq!(sink.entry("var/vcap/sys/log/a.log").data.len(), 2000);
    assert_eq!(sink.entry("var/vcap/sys/log/b.log").data.len(), 1000);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains("ends inside this entry (1000 of 5000 bytes)"),
        "{}",
        problems[0]
    );
    assert_eq!(problems[0].offset, Some(cut as u64));

    // cut between entries: the tar reader sees a clean end, the missing marker says otherwise
    let (sink, problems) = read_file(dir.path(), "cut2.tar", &full[..512 + 2048]);
    assert_eq!(sink.entries().len(), 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("end-of-archive marker"),
        "{}",
        problems[0]
    );
}

#[test]
fn corrupt_header_in_the_middle_keeps_what_came_before() {
    let dir = tmp();
    let mut bytes = RawTar::new()
        .file("a.log", "first\n")
        .file("b.log", "second\n")
        .bytes();
    bytes[1024..1024 + 100].fill(b'x'); // the second header
    let (sink, problems) = read_file(dir.path(), "corrupt.tgz", &gz(&bytes));
    assert_eq!(sink.paths(), ["var/vcap/sys/log/a.log"]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("corrupt tar data"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].message.contains("decompressed tar stream"),
        "{}",
        problems[0]
    );
    assert_eq!(problems[0].offset, Some(1536));
}

#[test]
fn empty_and_garbage_inputs_are_clear_problems() {
    let dir = tmp();
    let (sink, problems) = read_file(dir.path(), "empty.tgz", b"");
    assert!(sink.events().is_empty());
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .to_string()
            .ends_with("empty.tgz: empty file (0 bytes): not an archive"),
        "{}",
        problems[0]
    );

    let (_, problems) = read_file(dir.path(), "zeros.tar", &[0u8; 4096]);
    assert!(
        problems[0].message.contains("not a gzip or tar archive"),
        "{}",
        problems[0]
    );

    let zip = b"PK\x03\x04\x14\x00rest of a zip";
    let (_, problems) = read_file(dir.path(), "logs.zip", zip);
    assert!(
        problems[0]
            .message
            .starts_with("zip data: not a supported format"),
        "{}",
        problems[0]
    );

    let (_, problems) = read_file(
        dir.path(),
        "text.tgz",
        &gz(b"this is not a tar stream at all"),
    );
    assert!(
        problems[0].message.contains("does not hold a tar archive"),
        "{}",
        problems[0]
    );

    let (_, problems) = read_file(
        dir.path(),
        "bad.tgz",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage",
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains("gzip data ends early or is corrupt"),
        "{}",
        problems[0]
    );
}

#[test]
fn corrupt_gz_entry_in_an_intact_archive_stops_only_itself() {
    let dir = tmp();
    let mut bad = gz(&vec![b'z'; 100_000]);
    let n = bad.len();
    bad[n / 2..n - 8].fill(0xff);
    let bytes = RawTar::new()
        .file("rep/old.log.1.gz", &bad)
        .file("rep/new.log", "new\n")
        .tgz();
    let (sink, problems) = read_file(dir.path(), "gzentry.tgz", &bytes);
    assert_eq!(
        sink.entry("var/vcap/sys/log/rep/new.log").data,
        b"new\n",
        "reading went on"
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path.as_deref(), Some("rep/old.log.1.gz"));
    assert!(
        problems[0]
            .message
            .contains("gzip data ends early or is corrupt"),
        "{}",
        problems[0]
    );
}

#[test]
fn truncated_nested_instance_is_its_own_problem() {
    let dir = tmp();
    let good = RawTar::new().file("./rep/rep.log", "good\n").tgz();
    let big: Vec<u8> = (0..50_000u32)
        .flat_map(|i| format!("l{i}\n").into_bytes())
        .collect();
    let whole = RawTar::new().file("./doppler/doppler.log", &big).tgz();
    let broken = whole[..whole.len() / 2].to_vec();
    let outer = RawTar::new()
        .file("./doppler.0000.2024-01-02-03-04-05.tgz", &broken)
        .file("./diego_cell.1111.2024-01-02-03-04-06.tgz", &good)
        .tgz();
    let (sink, problems) = read_file(dir.path(), "logs_1704164645.tgz", &outer);
    assert_eq!(sink.vms().len(), 2);
    assert_eq!(
        sink.entry("var/vcap/sys/log/rep/rep.log").vm,
        "diego_cell/1111"
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .input
            .ends_with("logs_1704164645.tgz!doppler.0000.2024-01-02-03-04-05.tgz"),
        "{}",
        problems[0]
    );
    assert_eq!(problems[0].offset, Some(broken.len() as u64));
}

#[test]
fn huge_long_name_header_is_refused() {
    let dir = tmp();
    let bytes = RawTar::new().file("a.log", "a\n").long_name(3 << 20).tgz();
    let (sink, problems) = read_file(dir.path(), "longname.tgz", &bytes);
    assert_eq!(sink.paths(), ["var/vcap/sys/log/a.log"]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("header metadata"),
        "{}",
        problems[0]
    );
}

#[test]
fn sink_errors_are_problems_and_reading_goes_on() {
    struct Failing(AtomicU64);
    impl Sink for Failing {
        fn vm(&self, _: &VmInfo) {}
        fn entry(&self, _: &VmInfo, e: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
            self.0.fetch_add(1, Ordering::Relaxed);
            let mut first = [0; 1];
            data.read_exact(&mut first)?; // does not read to the end: fine
            if e.path.ends_with("a.log") {
                return Err(io::Error::other("matcher blew up"));
            }
            Ok(())
        }
        fn skipped(&self, _: Skipped) {}
    }
    let dir = tmp();
    let path = write(
        dir.path(),
        "s.tgz",
        &RawTar::new()
            .file("a.log", "aaaa")
            .file("b.log", "bbbb")
            .tgz(),
    );
    let sink = Failing(AtomicU64::new(0));
    let problems = read_input(&Input::Archive(path), &sink);
    assert_eq!(sink.0.load(Ordering::Relaxed), 2);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("matcher blew up"),
        "{}",
        problems[0]
    );
}

// ---------------------------------------------------------------------------------------------
// size

/// Peak resident memory of this process, in bytes.
fn peak_rss() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[test]
fn one_gib_single_line_streams_in_bounded_memory() {
    const SIZE: u64 = 1 << 30;
    const BLOCK: usize = 1 << 20;
    // written as a stream of gzip members (a tar header, 1024 blocks of 1 MiB of 'a', the
    // end-of-archive blocks): the file is small, the tar entry is one 1 GiB line
    let dir = tmp();
    let path = dir.path().join("big.tgz");
    {
        let mut out = io::BufWriter::new(fs::File::create(&path).unwrap());
        out.write_all(&gz(raw_header(
            b"var/vcap/sys/log/big/big.log",
            EntryType::Regular,
            SIZE,
        )
        .as_bytes()))
            .unwrap();
        let block = gz(&vec![b'a'; BLOCK]);
        for _ in 0..SIZE / BLOCK as u64 {
            out.write_all(&block).unwrap();
        }
        out.write_all(&gz(&[0; 1024])).unwrap();
    }

    struct Counting {
        bytes: AtomicU64,
        entries: AtomicU64,
    }
    impl Sink for Counting {
        fn vm(&self, _: &VmInfo) {}
        fn entry(&self, _: &VmInfo, _: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
            self.entries.fetch_add(1, Ordering::Relaxed);
            let mut buf = vec![0; 256 * 1024];
            loop {
                match data.read(&mut buf)? {
                    0 => return Ok(()),
                    n => self.bytes.fetch_add(n as u64, Ordering::Relaxed),
                };
            }
        }
        fn skipped(&self, _: Skipped) {}
    }
    let sink = Counting {
        bytes: AtomicU64::new(0),
        entries: AtomicU64::new(0),
    };
    let before = peak_rss();
    let problems = read_input(&Input::Archive(path), &sink);
    let growth = peak_rss().saturating_sub(before);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(sink.entries.load(Ordering::Relaxed), 1);
    assert_eq!(sink.bytes.load(Ordering::Relaxed), SIZE);
    assert!(
        growth < 128 << 20,
        "peak memory grew by {} MiB",
        growth >> 20
    );
}
