//! The red-team corpus of `redteam/` (see `redteam/README.md`): its manifest
//! (`redteam/secrets.toml`), and the fake VM roots and `bosh logs` tarballs built from it.
//!
//! Plain data: [`Corpus`] is the manifest as written; [`Planted`] the VM roots on disk with
//! every file as the VM holds it (transforms applied: binary or twice-compressed `.gz`).

use flate2::write::GzEncoder;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use testkit::FakeVm;

/// `redteam/secrets.toml`.
#[derive(Debug, Deserialize)]
pub struct Corpus {
    pub vm: Vec<VmSpec>,
    pub file: Vec<FileSpec>,
    pub shape: Vec<Shape>,
}

/// One fake VM: its BOSH identity and collector options.
#[derive(Debug, Deserialize)]
pub struct VmSpec {
    pub name: String,
    pub deployment: String,
    pub instance_group: String,
    pub id: String,
    pub az: String,
    /// `"pem-straddle"`: `--max-file-size` is chosen so the kept tail of the VM's
    /// `tail-cut` file starts inside its PEM private key (after the header).
    pub max_file_size: Option<String>,
}

/// One planted file: its source in `redteam/`, where it sits on the VM, how it is stored.
#[derive(Debug, Deserialize)]
pub struct FileSpec {
    /// Relative to `redteam/`: `vms/<vm>/<path on the VM>` (the plain text).
    pub src: String,
    pub vm: String,
    /// Relative to the VM root.
    pub vm_path: String,
    /// `plain`, `tail-cut` (plain, on a VM collected with a small `--max-file-size`),
    /// `gzip-binary` (binary bytes then the text, gzipped) or `gzip-twice`.
    pub transform: String,
    /// Text that must survive collection byte for byte.
    pub near_misses: Vec<String>,
}

/// One shape: a way a secret sits in a file, with the template it follows.
#[derive(Debug, Deserialize)]
pub struct Shape {
    pub id: String,
    pub class: String,
    /// The [`FileSpec::src`] it is planted in.
    pub file: String,
    pub what: String,
    pub repo: String,
    pub path: String,
    pub commit: String,
    pub secret: Vec<Secret>,
}

/// One planted secret.
#[derive(Debug, Deserialize)]
pub struct Secret {
    pub value: String,
    /// Forms that must not appear anywhere in an output: the value (PEM: each body line),
    /// and its encoded forms where the shape encodes it (Basic base64, percent, hex).
    pub needles: Vec<String>,
}

impl Corpus {
    /// Reads `redteam/secrets.toml`.
    pub fn load() -> Corpus {
        let path = dir().join("secrets.toml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The file a shape is planted in.
    pub fn file_of(&self, shape: &Shape) -> &FileSpec {
        self.file
            .iter()
            .find(|f| f.src == shape.file)
            .unwrap_or_else(|| panic!("shape {}: no [[file]] {}", shape.id, shape.file))
    }

    /// The plain text of a planted file.
    pub fn text(&self, file: &FileSpec) -> String {
        let path = dir().join(&file.src);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Total secrets.
    pub fn secrets(&self) -> usize {
        self.shape.iter().map(|s| s.secret.len()).sum()
    }
}

impl Shape {
    /// Every needle of every secret of the shape.
    pub fn needles(&self) -> impl Iterator<Item = &str> {
        self.secret
            .iter()
            .flat_map(|s| s.needles.iter().map(String::as_str))
    }

    /// `repo path@commit`, for messages.
    pub fn source(&self) -> String {
        format!("{} {}@{}", self.repo, self.path, &self.commit[..12])
    }

    /// The 1-based lines of `text` holding one of the shape's needles.
    pub fn lines_in(&self, text: &str) -> BTreeSet<u64> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| self.needles().any(|n| l.contains(n)))
            .map(|(i, _)| i as u64 + 1)
            .collect()
    }
}

/// The corpus: `redteam/` in the source tree, or the directory in `$VCAP_REDTEAM_CORPUS`
/// (a held-out corpus in the same format, kept outside the repository).
pub fn dir() -> PathBuf {
    std::env::var_os(HELD_OUT).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("redteam"),
        PathBuf::from,
    )
}

/// The environment variable naming a held-out corpus directory.
pub const HELD_OUT: &str = "VCAP_REDTEAM_CORPUS";

/// The fake VM roots of a corpus, side by side under one temporary directory
/// (`<tmp>/<vm name>/var/vcap/...`), every file stored as the VM holds it.
pub struct Planted {
    pub dir: tempfile::TempDir,
    pub vms: Vec<(String, FakeVm)>,
}

impl Planted {
    pub fn new(c: &Corpus) -> Planted {
        let dir = tempfile::tempdir().unwrap();
        let mut vms = Vec::new();
        for spec in &c.vm {
            let mut vm = FakeVm::new_in(
                dir.path().join(&spec.name),
                &spec.deployment,
                &spec.instance_group,
                &spec.id,
                &spec.az,
            );
            for f in c.file.iter().filter(|f| f.vm == spec.name) {
                vm.file(&f.vm_path, stored(f, &c.text(f)));
            }
            vms.push((spec.name.clone(), vm));
        }
        Planted { dir, vms }
    }

    /// The `--max-file-size` for a VM, if its spec asks for one.
    pub fn max_file_size(c: &Corpus, vm: &str) -> Option<u64> {
        let spec = c.vm.iter().find(|v| v.name == vm)?;
        match spec.max_file_size.as_deref()? {
            "pem-straddle" => {
                let f = c
                    .file
                    .iter()
                    .find(|f| f.vm == vm && f.transform == "tail-cut")
                    .unwrap_or_else(|| panic!("vm {vm}: pem-straddle without a tail-cut file"));
                Some(straddle_cut(&c.text(f)))
            }
            other => panic!("vm {vm}: unknown max_file_size {other:?}"),
        }
    }
}

/// The kept-tail size whose first byte is inside the first PEM private key of `text`: the
/// start of its third body line (the header and two body lines are cut off).
pub fn straddle_cut(text: &str) -> u64 {
    let begin = text
        .find("PRIVATE KEY-----\n")
        .expect("a tail-cut file holds a PEM private key");
    let mut at = begin + "PRIVATE KEY-----\n".len();
    for _ in 0..2 {
        at += text[at..].find('\n').unwrap() + 1;
    }
    (text.len() - at) as u64
}

/// The bytes a VM holds for a planted file.
pub fn stored(f: &FileSpec, text: &str) -> Vec<u8> {
    match f.transform.as_str() {
        "plain" | "tail-cut" => text.as_bytes().to_vec(),
        // A binary record header (no newline, so line numbers stay those of the text).
        "gzip-binary" => {
            let mut b = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00\xff\xfe\x00\x00"
                .to_vec();
            b.extend_from_slice(text.as_bytes());
            gz(&b)
        }
        "gzip-twice" => gz(&gz(text.as_bytes())),
        other => panic!("{}: unknown transform {other:?}", f.src),
    }
}

pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A `bosh logs`-shaped tarball of one VM's planted files: what sits under
/// `var/vcap/sys/log/` goes to `./<job>/...` (as `bosh logs` writes it), the agent's
/// `var/vcap/bosh/log/` to `./bosh/...`, anything else keeps its path under `./`.
pub fn bosh_logs_tgz(c: &Corpus, vm: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for f in c.file.iter().filter(|f| f.vm == vm) {
        let name = if let Some(rest) = f.vm_path.strip_prefix("var/vcap/sys/log/") {
            format!("./{rest}")
        } else if let Some(rest) = f.vm_path.strip_prefix("var/vcap/bosh/log/") {
            format!("./bosh/{rest}")
        } else {
            format!("./{}", f.vm_path)
        };
        let data = stored(f, &c.text(f));
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_764_745_200);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}
