//! Archives as a stranger's ticket attachment may hold them: tar streams built from raw
//! header bytes, so traversal names (`../`, `/etc`), invalid UTF-8, links, FIFOs, devices
//! and oversized GNU long-name records go in exactly as a hostile or broken tool would
//! write them (the `tar` crate's own `append_path` would refuse or clean them).
//!
//! Used by the reader's tests and the fuzz seed maker, which need the same hostile shapes.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{self, Write};
use tar::EntryType;

/// `data` as one gzip member (fast compression).
pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).expect("into memory");
    e.finish().expect("into memory")
}

/// A GNU tar header with `name` written as raw bytes, unchecked (under 100 bytes).
pub fn raw_header(name: &[u8], kind: EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    assert!(name.len() < 100, "short names only");
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(1_700_000_000);
    h.set_cksum();
    h
}

/// A tar stream builder taking raw names: `RawTar::new().file("../x", "data").tgz()`.
pub struct RawTar(tar::Builder<Vec<u8>>);

impl Default for RawTar {
    fn default() -> Self {
        Self::new()
    }
}

impl RawTar {
    pub fn new() -> Self {
        RawTar(tar::Builder::new(Vec::new()))
    }

    /// A regular file.
    pub fn file(mut self, name: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Self {
        let data = data.as_ref();
        let h = raw_header(name.as_ref(), EntryType::Regular, data.len() as u64);
        self.0.append(&h, data).expect("into memory");
        self
    }

    /// A directory.
    pub fn dir(mut self, name: &str) -> Self {
        let h = raw_header(name.as_bytes(), EntryType::Directory, 0);
        self.0.append(&h, io::empty()).expect("into memory");
        self
    }

    /// A symbolic or hard link (`kind`) to `target`, which may point anywhere.
    pub fn link(mut self, name: &str, target: &str, kind: EntryType) -> Self {
        let mut h = raw_header(name.as_bytes(), kind, 0);
        h.set_link_name_literal(target).expect("short target");
        h.set_cksum();
        self.0.append(&h, io::empty()).expect("into memory");
        self
    }

    /// An entry of another type with no data: FIFO, character or block device.
    pub fn special(mut self, name: &str, kind: EntryType) -> Self {
        let h = raw_header(name.as_bytes(), kind, 0);
        self.0.append(&h, io::empty()).expect("into memory");
        self
    }

    /// A GNU long-name record of `len` bytes (what a hostile archive uses to make a tar
    /// reader buffer without bound), followed by the one-byte file it names.
    pub fn long_name(mut self, len: usize) -> Self {
        let name = vec![b'a'; len];
        let h = raw_header(b"././@LongLink", EntryType::GNULongName, len as u64);
        self.0.append(&h, &name[..]).expect("into memory");
        let x = raw_header(b"x", EntryType::Regular, 1);
        self.0.append(&x, &b"x"[..]).expect("into memory");
        self
    }

    /// The tar stream, with its end-of-archive blocks.
    pub fn bytes(self) -> Vec<u8> {
        self.0.into_inner().expect("into memory")
    }

    /// The tar stream, gzipped.
    pub fn tgz(self) -> Vec<u8> {
        gz(&self.bytes())
    }
}

/// The manifest of [`small_bundle`]: format 1, a Diego cell, incomplete.
pub const SMALL_BUNDLE_MANIFEST: &str = r#"{
  "format": 1,
  "host": {"hostname": "6a1e-host"},
  "bosh": {"deployment": "cf", "name": "diego_cell", "id": "6a1e5b7c-0000-4000-8000-000000000001", "az": "z1"},
  "collected_at": "2024-03-04T05:06:07Z",
  "complete": false,
  "incomplete_reason": "over --max-total",
  "files": []
}"#;

/// A small bundle in our layout under the top directory `top`: the manifest, a log, a
/// rotated `.gz` log and `commands/df.txt` (the reader's tests and the fuzz seeds).
pub fn small_bundle(top: &str) -> RawTar {
    RawTar::new()
        .dir(&format!("{top}/"))
        .file(format!("{top}/manifest.json"), SMALL_BUNDLE_MANIFEST)
        .file(
            format!("{top}/var/vcap/sys/log/rep/rep.stdout.log"),
            "rep started\n",
        )
        .file(
            format!("{top}/var/vcap/sys/log/rep/rep.stdout.log.1.gz"),
            gz(b"older rep line\n"),
        )
        .file(format!("{top}/commands/df.txt"), "Filesystem 1K-blocks\n")
}
