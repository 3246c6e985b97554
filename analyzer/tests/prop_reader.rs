//! Properties of the bundle reader (`analyzer::input`):
//!
//! - any bytes, named as an archive or a log, and any mutation of a valid bundle (bytes
//!   flipped, cut, inserted; in the gzip data or in the tar under it) yield entries and
//!   clean [`Problem`]s: never a panic (not even one caught inside `read_input`);
//! - a bundle written by the collector round-trips: every file the manifest records as
//!   stored is delivered with the manifest's size and SHA-256, and nothing else is.
//!
//! Case counts are kept low so the suite stays fast; `PROPTEST_CASES=2000` runs more.

use analyzer::input::{
    read_input, read_input_as, Decompress, EntryMeta, Input, Problem, Sink, Skipped, VmInfo,
};
use bundle::manifest::{FileStatus, Manifest};
use collector::config::{Config, Output};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{LazyLock, Mutex};
use testkit::archive::gz;

/// One delivered entry: VM path, data read, read error.
type Got = (String, Vec<u8>, Option<String>);

#[derive(Default)]
struct Recorder(Mutex<Vec<Got>>);

impl Sink for Recorder {
    fn vm(&self, _: &VmInfo) {}
    fn entry(&self, _: &VmInfo, e: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
        let mut buf = Vec::new();
        let err = data.read_to_end(&mut buf).err().map(|e| e.to_string());
        self.0.lock().unwrap().push((e.path.clone(), buf, err));
        Ok(())
    }
    fn skipped(&self, _: Skipped) {}
}

/// Reads `bytes` written to `dir/name` as `input`; asserts the problems are clean.
fn read_bytes(dir: &Path, name: &str, bytes: &[u8], loose: bool) -> (Vec<Got>, Vec<Problem>) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let input = if loose {
        Input::LogFile(path.clone())
    } else {
        Input::Archive(path.clone())
    };
    let sink = Recorder::default();
    let problems = read_input(&input, &sink);
    // Decompressed by the reading thread itself (as when many inputs are read at once):
    // the same entries, the same problems. Except after corrupt deflate data: flate2 drops
    // what the failing read had decoded, so how much comes before the error depends on the
    // reads' sizes; both say it, at the same compressed offset.
    let inline = Recorder::default();
    let inline_problems = read_input_as(&input, &inline, Decompress::Inline);
    let shown = |ps: &[Problem]| ps.iter().map(Problem::to_string).collect::<Vec<_>>();
    let corrupt = |ps: &[Problem]| {
        ps.iter()
            .filter(|p| p.message.contains("corrupt deflate stream"))
            .map(|p| (p.input.clone(), p.path.clone(), p.offset))
            .collect::<Vec<_>>()
    };
    if corrupt(&problems).is_empty() {
        assert_eq!(shown(&inline_problems), shown(&problems));
        assert_eq!(inline.0.into_inner().unwrap(), *sink.0.lock().unwrap());
    } else {
        assert_eq!(corrupt(&inline_problems), corrupt(&problems));
    }
    for p in &problems {
        assert!(
            !p.message.contains("internal error"),
            "the reader panicked: {p}"
        );
        assert!(!p.message.is_empty());
        assert_eq!(
            p.input.split('!').next(),
            Some(path.to_str().unwrap()),
            "{p}"
        );
    }
    let got = sink.0.into_inner().unwrap();
    (got, problems)
}

/// A small valid bundle (tar, before compression): manifest, a log, a rotated log, a nested
/// `bosh logs` instance tarball.
static TAR: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    };
    let top = "cf.diego_cell.6a1e.20240304T050607Z";
    add(
        &format!("{top}/manifest.json"),
        br#"{"format":"vcap-diag-bundle","bosh":{"deployment":"cf","name":"diego_cell","id":"6a1e"},"collected_at":"2024-03-04T05:06:07Z","complete":true,"files":[]}"#,
    );
    add(
        &format!("{top}/var/vcap/sys/log/rep/rep.stdout.log"),
        "{\"timestamp\":\"1478789343.195786953\",\"source\":\"rep\"}\n"
            .repeat(40)
            .as_bytes(),
    );
    add(
        &format!("{top}/var/vcap/sys/log/rep/rep.stdout.log.1.gz"),
        &gz(b"older rep line\n"),
    );
    let mut inner = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(5);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    inner
        .append_data(&mut h, "./doppler/doppler.log", &b"late\n"[..])
        .unwrap();
    add(
        &format!("{top}/doppler.0000.2024-01-02-03-04-05.tgz"),
        &gz(&inner.into_inner().unwrap()),
    );
    add(
        &format!("{top}/commands/df.txt"),
        b"Filesystem 1K-blocks Used\n",
    );
    b.into_inner().unwrap()
});

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, xor: u8 },
    Cut { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, xor)| Mutation::Flip { at, xor }),
        any::<usize>().prop_map(|at| Mutation::Cut { at }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
    ]
}

fn mutate(mut data: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        if data.is_empty() {
            break;
        }
        match m {
            Mutation::Flip { at, xor } => {
                let i = at % data.len();
                data[i] ^= xor;
            }
            Mutation::Cut { at } => data.truncate(at % data.len()),
            Mutation::Insert { at, bytes } => {
                let i = at % (data.len() + 1);
                data.splice(i..i, bytes.iter().copied());
            }
        }
    }
    data
}

const NAMES: &[&str] = &[
    "cf.diego_cell.6a1e.20240304T050607Z.tgz",
    "logs_1541529930.tgz",
    "bundle.tar",
    "rep.stdout.log.1.gz",
    "x",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any bytes, as an archive or as a log: entries or clean problems.
    #[test]
    fn any_bytes_are_entries_or_a_clean_problem(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        name in prop::sample::select(NAMES),
        loose in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        read_bytes(dir.path(), name, &bytes, loose);
    }

    /// A valid bundle damaged in its gzip data or in the tar under it: entries or clean
    /// problems; an undamaged bundle reads without one.
    #[test]
    fn damaged_bundles_are_entries_or_clean_problems(
        muts in prop::collection::vec(mutation(), 0..4),
        in_tar in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let bytes = if in_tar {
            gz(&mutate(TAR.clone(), &muts))
        } else {
            mutate(gz(&TAR), &muts)
        };
        let (got, problems) = read_bytes(dir.path(), NAMES[0], &bytes, false);
        if muts.is_empty() {
            prop_assert!(problems.is_empty(), "{problems:?}");
            prop_assert_eq!(got.len(), 5);
        }
    }
}

// ------------------------------------------------------------------------------------------
// round trip through the collector

/// Contents of one generated VM file: lines of text (secrets in some), or bytes with no NUL
/// (text to the collector) that do not start like gzip.
fn contents() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(
            prop_oneof![
                "[ -~]{0,80}",
                "[a-z_]{1,12}_password: [A-Za-z0-9]{8,20}",
                "\\{\"timestamp\":\"[0-9]{10}\\.[0-9]{6}\",\"message\":\"[a-zé日 ]{0,30}\"\\}",
            ],
            0..40,
        )
        .prop_map(|lines| lines.join("\n").into_bytes()),
        prop::collection::vec(1u8..=255, 0..3000).prop_map(|mut b| {
            if b.first() == Some(&0x1f) {
                b[0] = b'x';
            }
            b
        }),
    ]
}

fn vm_file() -> impl Strategy<Value = (String, bool, Vec<u8>)> {
    (
        "[a-z]{1,6}",
        "[a-z][a-z_.]{0,10}",
        any::<bool>(),
        contents(),
    )
        .prop_map(|(job, file, rotated, data)| {
            let name = if rotated {
                format!("var/vcap/sys/log/{job}/{file}.log.1.gz")
            } else {
                format!("var/vcap/sys/log/{job}/{file}.log")
            };
            (name, rotated, data)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Every file the manifest says was stored reads back with its size and SHA-256.
    #[test]
    fn collector_bundles_round_trip(files in prop::collection::vec(vm_file(), 1..8)) {
        let mut vm = testkit::FakeVm::new("cf", "diego_cell", "6a1e", "z1");
        for (name, rotated, data) in &files {
            if *rotated {
                vm.file(name, gz(data));
            } else {
                vm.file(name, data);
            }
        }
        let out = tempfile::tempdir().unwrap();
        let mut cfg = Config::new(vm.root().to_path_buf());
        cfg.output = Output::Dir(out.path().to_path_buf());
        cfg.spool_dir = out.path().to_path_buf();
        cfg.commands = false;
        cfg.lower_priority = false;
        cfg.min_free_bytes = 0;
        cfg.min_free_percent = 0.0;
        let outcome = collector::run::run(&cfg, &AtomicBool::new(false)).expect("a bundle");
        let path = outcome.path.clone().unwrap();
        let manifest: Manifest = outcome.manifest;

        let sink = Recorder::default();
        let problems = read_input(&Input::Archive(path), &sink);
        prop_assert!(problems.is_empty(), "{problems:?}");
        let got = sink.0.into_inner().unwrap();
        for (p, _, err) in &got {
            prop_assert!(err.is_none(), "{p}: {err:?}");
        }
        let stored: Vec<_> = manifest.files.iter().filter(|f| f.status == FileStatus::Ok).collect();
        for f in &stored {
            let at = f.stored_as.as_deref().unwrap_or(&f.path);
            let entry = got.iter().find(|(p, _, _)| p == at);
            prop_assert!(entry.is_some(), "{at} recorded as stored, not delivered");
            let data = &entry.unwrap().1;
            prop_assert_eq!(data.len() as u64, f.size, "{}", at);
            let sha: String = Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect();
            prop_assert_eq!(Some(sha), f.sha256.clone(), "{}", at);
        }
        for (p, _, _) in &got {
            prop_assert!(
                p == "manifest.json"
                    || stored.iter().any(|f| f.stored_as.as_deref().unwrap_or(&f.path) == p),
                "{p} delivered but not recorded as stored"
            );
        }
        for (name, _, _) in &files {
            prop_assert!(manifest.files.iter().any(|f| &f.path == name), "{name} has no record");
        }
    }
}
