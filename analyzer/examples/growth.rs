//! How the matcher's time grows with the library, from about 100 signatures to the whole
//! built-in library: for each size, a subset of the built-in signatures (every k-th, so each
//! subset mixes every category and component), the matcher built from it and every file of
//! the VM trees given scanned with it, on all cores, as `analyze` scans them (the same
//! selection by path, the same one pass per file; no archive, no checks, no report).
//!
//! `cargo run --release -p vcap-analyze --example growth -- TREE...` (a tree is a VM root,
//! as `bench/analyze.sh` generates them); used by `bench/library.sh`. Prints one row per
//! size: signatures, literals, matcher build ms, scan s (fastest of 3), MB/s.

use analyzer::matcher::Matcher;
use analyzer::signature::Library;
use analyzer::timestamp::YearHint;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    anyhow::ensure!(!roots.is_empty(), "usage: growth TREE... (VM roots)");
    let files: Vec<(PathBuf, String)> = roots.iter().flat_map(|r| files_of(r)).collect();
    anyhow::ensure!(!files.is_empty(), "no files under {roots:?}");
    let bytes: u64 = files
        .iter()
        .map(|(f, _)| f.metadata().map_or(0, |m| m.len()))
        .sum();
    let all = Library::load(None).signatures;
    for n in [100, 200, 300, all.len()] {
        let n = n.min(all.len());
        // every k-th signature: indices j * len / n for j in 0..n
        let subset: Vec<_> = (0..n).map(|j| all[j * all.len() / n].clone()).collect();
        let t = Instant::now();
        let m = Matcher::new(&subset)?;
        let build = t.elapsed().as_secs_f64();
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            files.par_iter().try_for_each(|(file, path)| {
                let sel = m.select(path, false);
                let mut f = std::fs::File::open(file)?;
                m.scan_partial(&sel, &mut f, YearHint::default())
                    .1
                    .map_or(Ok(()), Err)
            })?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        let literals: usize = subset.iter().map(|s| s.matching.literals.len()).sum();
        println!(
            "{n} signatures, {literals} literals: matcher {:.1} ms, scan {best:.2} s, {:.0} MB/s",
            build * 1e3,
            bytes as f64 / 1048576.0 / best
        );
    }
    Ok(())
}

/// Every file under the VM root `root`, with its path inside the VM.
fn files_of(root: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let inside = e.path().strip_prefix(root).ok()?.to_str()?.to_string();
            Some((e.into_path(), inside))
        })
        .collect()
}
