//! The fuzz targets' bodies (`fuzz/src/lib.rs`) over their committed seed corpora
//! (`fuzz/seeds/<target>/`, crash reproducers included), with stable Rust and no libFuzzer:
//! the CI smoke run of the fuzz targets (docs/reliability.md says why it is not a libFuzzer
//! run). Declared as a test of the root package, so `cargo test --workspace` runs it.

#[path = "../src/lib.rs"]
mod bodies;

use std::path::{Path, PathBuf};

fn seeds(target: &str) -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = if here.ends_with("fuzz") {
        here.join("seeds")
    } else {
        here.join("fuzz/seeds")
    };
    dir.join(target)
}

/// Runs `body` on every seed of `target`; a panic names the seed.
fn replay(target: &str, body: fn(&[u8])) {
    let dir = seeds(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        let outcome = std::panic::catch_unwind(|| body(&data));
        if let Err(e) = outcome {
            let what = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("fuzz target {target} fails on seed {name}: {what}");
        }
    }
}

#[test]
fn reader() {
    replay("reader", bodies::reader);
}

#[test]
fn lines() {
    replay("lines", bodies::lines);
}

#[test]
fn signatures() {
    replay("signatures", bodies::signatures);
}

#[test]
fn redact() {
    replay("redact", bodies::redact);
}

#[test]
fn structured() {
    replay("structured", bodies::structured);
}

#[test]
fn certs() {
    replay("certs", bodies::certs);
}

#[test]
fn parsers() {
    replay("parsers", bodies::parsers);
}
