//! What a tool wrote, flattened for searching: every entry of a `.tgz` with gzip
//! layers removed and nested tarballs opened, and where planted needles occur in it.

use aho_corasick::AhoCorasick;
use flate2::read::MultiGzDecoder;
use std::collections::BTreeMap;
use std::io::Read;

use super::corpus::Corpus;

/// Nesting this deep (gzip or tar layers) is not opened further; the bytes are searched as
/// they are.
const MAX_DEPTH: usize = 6;
/// Upper bound on one decompressed entry: the corpus is small, this only guards the test.
const MAX_ENTRY: u64 = 256 << 20;

/// Every entry of a (gzipped) tarball: `(name, content)`, nested archives and compressed
/// files opened; a nested entry is named `outer!inner`.
pub fn entries(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    open("", archive, 0, &mut out);
    out
}

fn open(name: &str, data: &[u8], depth: usize, out: &mut Vec<(String, Vec<u8>)>) {
    if depth < MAX_DEPTH && data.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        if MultiGzDecoder::new(data)
            .take(MAX_ENTRY)
            .read_to_end(&mut plain)
            .is_ok()
        {
            return open(name, &plain, depth + 1, out);
        }
    }
    if depth < MAX_DEPTH && is_tar(data) {
        let mut a = tar::Archive::new(data);
        if let Ok(list) = a.entries() {
            for e in list.flatten() {
                let mut e = e;
                let inner = String::from_utf8_lossy(&e.path_bytes()).into_owned();
                let mut body = Vec::new();
                if e.read_to_end(&mut body).is_err() {
                    continue;
                }
                let full = if name.is_empty() {
                    inner
                } else {
                    format!("{name}!{inner}")
                };
                open(&full, &body, depth + 1, out);
            }
            return;
        }
    }
    out.push((name.to_string(), data.to_vec()));
}

fn is_tar(data: &[u8]) -> bool {
    data.len() >= 512 && &data[257..262] == b"ustar"
}

/// Where planted needles occur in a tool's output: shape id -> entry names.
#[derive(Debug, Default)]
pub struct Leaks {
    pub by_shape: BTreeMap<String, Vec<String>>,
    /// Secrets (by value) with at least one needle found.
    pub secrets: usize,
}

impl Leaks {
    /// Searches every entry for every needle of every shape.
    pub fn find(c: &Corpus, entries: &[(String, Vec<u8>)]) -> Leaks {
        let mut needles = Vec::new(); // (shape index, secret index)
        let mut patterns = Vec::new();
        for (si, shape) in c.shape.iter().enumerate() {
            for (ki, s) in shape.secret.iter().enumerate() {
                for n in &s.needles {
                    needles.push((si, ki));
                    patterns.push(n.as_str());
                }
            }
        }
        let ac = AhoCorasick::new(&patterns).unwrap();
        let mut leaked_secrets = std::collections::BTreeSet::new();
        let mut by_shape: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, data) in entries {
            for m in ac.find_overlapping_iter(data.as_slice()) {
                let (si, ki) = needles[m.pattern().as_usize()];
                leaked_secrets.insert((si, ki));
                let list = by_shape.entry(c.shape[si].id.clone()).or_default();
                if !list.contains(name) {
                    list.push(name.clone());
                }
            }
        }
        Leaks {
            by_shape,
            secrets: leaked_secrets.len(),
        }
    }

    /// One line per leaking shape: id, class, where it was planted, where it was found.
    pub fn describe(&self, c: &Corpus) -> String {
        let mut s = String::new();
        for (id, found) in &self.by_shape {
            let shape = c.shape.iter().find(|x| &x.id == id).unwrap();
            s.push_str(&format!(
                "  {id} [{}] planted in {} ({}; follows {}) -> found in {}\n",
                shape.class,
                shape.file,
                shape.what,
                shape.source(),
                found.join(", ")
            ));
        }
        s
    }
}
