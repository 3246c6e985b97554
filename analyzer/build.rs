//! Embeds the signature library (`../signatures/**/*.toml`) into the analyzer:
//! generates `$OUT_DIR/builtin_signatures.rs` with
//! `pub static BUILTIN: &[(&str, &str, Option<&str>)]` = (path relative to `signatures/`,
//! file text, the same document as JSON). Directories named `fixtures` hold test data, not
//! signatures, and are skipped.
//!
//! The JSON is start-up speed: parsing TOML costs about 20 ms for the whole library, the
//! same data as JSON about 2 ms. It is `None` for a file that is not valid TOML, which
//! the analyzer then parses as TOML to report the error as it would for any file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest.join("..").join("signatures");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut files = Vec::new();
    if root.is_dir() {
        walk(&root, &mut files);
    } else {
        println!(
            "cargo:warning=no signature library at {}: the analyzer embeds none",
            root.display()
        );
    }
    files.sort();

    let mut out = String::from(
        "/// The built-in signature library: (path relative to `signatures/`, file text, JSON).\n",
    );
    out.push_str("pub static BUILTIN: &[(&str, &str, Option<&str>)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&root).expect("walked under root");
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let abs = fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let json = fs::read_to_string(file)
            .ok()
            .and_then(|text| toml::from_str::<toml::Value>(&text).ok())
            .and_then(|doc| serde_json::to_string(&doc).ok());
        writeln!(
            out,
            "    ({:?}, include_str!({:?}), {:?}),",
            rel.join("/"),
            abs.to_string_lossy(),
            json
        )
        .unwrap();
    }
    out.push_str("];\n");

    let dest =
        PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("builtin_signatures.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            println!("cargo:warning=cannot read {}: {e}", dir.display());
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if entry.file_name() != "fixtures" {
                println!("cargo:rerun-if-changed={}", path.display());
                walk(&path, files);
            }
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
}
