//! Loading the library: the built-in signatures embedded at build time (see `build.rs`),
//! plus an optional `--signatures DIR` whose files add signatures or replace built-in ones
//! with the same id. A file that cannot be read or parsed is recorded as a [`LoadError`]
//! naming it, and loading carries on with the others.

use super::schema::{Origin, Signature};
use std::path::Path;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_signatures.rs"));
}

/// One file that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct LoadError {
    /// The file (or directory) as a user would find it.
    pub file: String,
    pub problem: String,
}

/// A loaded library: signatures sorted by id, ids unique, and what could not be loaded.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub signatures: Vec<Signature>,
    pub problems: Vec<LoadError>,
}

/// The embedded files: (origin, text), in path order.
pub fn builtin_files() -> impl Iterator<Item = (Origin, &'static str)> {
    builtin::BUILTIN
        .iter()
        .map(|(rel, text, _)| (Origin::Builtin((*rel).to_string()), *text))
}

impl Library {
    /// The built-in library alone: each file read from the JSON `build.rs` made of it
    /// (ten times faster than TOML), or from its TOML text when there is no JSON or the
    /// JSON does not make a signature, so that a problem reads as for any file.
    pub fn builtin() -> Library {
        let mut lib = Library::default();
        for (rel, _, json) in builtin::BUILTIN {
            match json.map(serde_json::from_str::<Signature>) {
                Some(Ok(mut sig)) => {
                    sig.origin = Origin::Builtin((*rel).to_string());
                    lib.signatures.push(sig);
                }
                // A file the fast path cannot read: the one path that reports problems,
                // over every file, so that which of two files wins stays the same.
                _ => return Library::builtin_from_toml(),
            }
        }
        if !unique_ids(&lib.signatures) {
            return Library::builtin_from_toml();
        }
        lib.signatures.sort_by(|a, b| a.id.cmp(&b.id));
        lib
    }

    /// The built-in library parsed from its TOML text only (what [`Library::builtin`]
    /// must equal).
    pub fn builtin_from_toml() -> Library {
        Library::parse(builtin_files())
    }

    /// The built-in library, overlaid with `dir` when given.
    pub fn load(dir: Option<&Path>) -> Library {
        let mut lib = Library::builtin();
        if let Some(dir) = dir {
            lib.overlay(Library::from_dir(dir));
        }
        lib
    }

    /// Every `*.toml` under `dir` (recursively, skipping `fixtures/` directories).
    pub fn from_dir(dir: &Path) -> Library {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !(e.file_type().is_dir() && e.depth() > 0 && e.file_name() == "fixtures")
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let file = e.path().unwrap_or(dir).display().to_string();
                    problems.push(LoadError {
                        file,
                        problem: e.to_string(),
                    });
                    continue;
                }
            };
            let path = entry.path();
            if !entry.file_type().is_file() || !matches!(path.extension(), Some(e) if e == "toml") {
                continue;
            }
            match std::fs::read_to_string(path) {
                Ok(text) => files.push((Origin::File(path.to_path_buf()), text)),
                Err(e) => problems.push(LoadError {
                    file: path.display().to_string(),
                    problem: e.to_string(),
                }),
            }
        }
        let mut lib = Library::parse(files);
        problems.append(&mut lib.problems);
        lib.problems = problems;
        lib
    }

    /// Parses files into one layer. A file that does not parse, or repeats an id already
    /// loaded in this layer, is a problem; the others load.
    pub fn parse<S: AsRef<str>>(files: impl IntoIterator<Item = (Origin, S)>) -> Library {
        let mut lib = Library::default();
        for (origin, text) in files {
            let file = origin.to_string();
            match Signature::from_toml(text.as_ref(), origin) {
                Ok(sig) => match lib.get(&sig.id) {
                    Some(first) => lib.problems.push(LoadError {
                        file,
                        problem: format!(
                            "duplicate id {:?}: already defined by {}",
                            sig.id, first.origin
                        ),
                    }),
                    None => lib.signatures.push(sig),
                },
                Err(e) => lib.problems.push(LoadError {
                    file,
                    problem: e.to_string().trim_end().to_string(),
                }),
            }
        }
        lib.signatures.sort_by(|a, b| a.id.cmp(&b.id));
        lib
    }

    /// Adds `other`'s signatures; one with an id already present replaces it.
    pub fn overlay(&mut self, other: Library) {
        for sig in other.signatures {
            match self.signatures.iter_mut().find(|s| s.id == sig.id) {
                Some(slot) => *slot = sig,
                None => self.signatures.push(sig),
            }
        }
        self.problems.extend(other.problems);
        self.signatures.sort_by(|a, b| a.id.cmp(&b.id));
    }

    /// The signature with this id.
    pub fn get(&self, id: &str) -> Option<&Signature> {
        self.signatures.iter().find(|s| s.id == id)
    }
}

/// Whether no two signatures share an id.
fn unique_ids(sigs: &[Signature]) -> bool {
    let mut ids: Vec<&str> = sigs.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    ids.windows(2).all(|w| w[0] != w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig_text(id: &str, title: &str) -> String {
        format!(
            r#"schema = 1
id = "{id}"
title = "{title}"
category = "process_crash"
kind = "symptom"
severity = "low"
[scope]
files = ["**"]
[match]
literals = ["specific literal"]
regex = ['specific literal']
[report]
summary = "s"
remediation = "r"
"#
        )
    }

    #[test]
    fn builtin_library_is_embedded() {
        assert!(
            builtin_files().count() > 0,
            "build.rs embedded no signature"
        );
        let lib = Library::builtin();
        assert!(lib.get("metron-no-dopplers").is_some());
    }

    #[test]
    fn the_json_fast_path_loads_exactly_what_the_toml_says() {
        let fast = Library::builtin();
        let slow = Library::builtin_from_toml();
        assert!(slow.problems.is_empty(), "{:?}", slow.problems);
        assert_eq!(fast.signatures.len(), slow.signatures.len());
        for (f, s) in fast.signatures.iter().zip(&slow.signatures) {
            assert_eq!(format!("{f:?}"), format!("{s:?}"), "{}", s.id);
        }
    }

    #[test]
    fn bad_file_does_not_stop_the_others_and_is_named() {
        let lib = Library::parse([
            (Origin::Builtin("a/one.toml".into()), sig_text("one", "1")),
            (
                Origin::Builtin("a/broken.toml".into()),
                "schema = 1\nid = ".to_string(),
            ),
            (Origin::Builtin("a/two.toml".into()), sig_text("two", "2")),
            (
                Origin::Builtin("b/one.toml".into()),
                sig_text("one", "again"),
            ),
        ]);
        let ids: Vec<_> = lib.signatures.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["one", "two"]);
        assert_eq!(lib.problems.len(), 2, "{:?}", lib.problems);
        assert_eq!(lib.problems[0].file, "signatures/a/broken.toml");
        assert_eq!(lib.problems[1].file, "signatures/b/one.toml");
        assert!(
            lib.problems[1].problem.contains("duplicate id"),
            "{}",
            lib.problems[1]
        );
    }

    #[test]
    fn dir_adds_and_overrides_by_id() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("x/fixtures")).unwrap();
        std::fs::write(dir.path().join("x/one.toml"), sig_text("one", "from dir")).unwrap();
        std::fs::write(dir.path().join("x/new.toml"), sig_text("new", "new")).unwrap();
        std::fs::write(dir.path().join("x/bad.toml"), "id = 3").unwrap();
        std::fs::write(
            dir.path().join("x/fixtures/ignored.toml"),
            "not a signature",
        )
        .unwrap();
        std::fs::write(dir.path().join("x/README.md"), "ignored").unwrap();
        let mut lib = Library::parse([(
            Origin::Builtin("a/one.toml".into()),
            sig_text("one", "builtin"),
        )]);
        lib.overlay(Library::from_dir(dir.path()));
        assert_eq!(lib.signatures.len(), 2);
        let one = lib.get("one").unwrap();
        assert_eq!(one.title, "from dir");
        assert!(matches!(one.origin, Origin::File(_)));
        assert!(lib.get("new").is_some());
        assert_eq!(lib.problems.len(), 1, "{:?}", lib.problems);
        assert!(lib.problems[0].file.ends_with("bad.toml"));
    }

    #[test]
    fn missing_dir_is_a_problem_not_a_panic() {
        let lib = Library::from_dir(Path::new("/nonexistent/vcap-diag-signatures"));
        assert!(lib.signatures.is_empty());
        assert_eq!(lib.problems.len(), 1);
    }
}
