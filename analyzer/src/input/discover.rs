//! Command-line paths to [`Input`]s.
//!
//! - `-` is stdin.
//! - A path that does not exist but holds glob characters (`*?[{`) is expanded: globset over
//!   a walk of its literal base directory (`*` stays within one directory, `**` crosses).
//! - A regular file is an [`Input::Archive`] when its magic bytes say gzip or tar (or its name
//!   says `.tgz`/`.tar`/`.tar.gz`/`.gz`, so that a broken one is reported, not read as a
//!   log), else an [`Input::LogFile`]. A named pipe is a log stream, never opened here.
//! - A directory is one [`Input::Tree`] when it is a VM root (`var/vcap/`), an extracted bundle
//!   (`manifest.json`), or holds no archive at any depth (an extracted `bosh logs`, a folder
//!   of logs). Otherwise it stands for what it holds: each archive its own input, each
//!   subdirectory decided the same way, each loose file a log file. Links are not followed
//!   inside directories.
//!
//! Problems (missing paths, nothing matching a glob) are returned, not fatal.

use super::classify::{classify, Kind};
use super::naming::has_archive_ext;
use super::problem::Problem;
use super::tree;
use globset::GlobBuilder;
use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One thing to read, as [`discover`] found it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// A tar stream, plain or gzip-compressed (our bundles, `bosh logs` output), or a single
    /// gzip-compressed file (read as a loose log).
    Archive(PathBuf),
    /// A directory: a VM root (`var/vcap/...`), an extracted bundle (`manifest.json`), or an
    /// extracted `bosh logs` (job folders).
    Tree(PathBuf),
    /// A single log file (or a named pipe), matched against every signature.
    LogFile(PathBuf),
    /// Standard input, read like a log file; gzip and tar streams are recognized too.
    Stdin,
}

impl Input {
    /// The name used in messages and [`VmInfo::origin`](super::VmInfo::origin): the path as given, or `-`.
    pub fn name(&self) -> String {
        match self {
            Input::Archive(p) | Input::Tree(p) | Input::LogFile(p) => p.display().to_string(),
            Input::Stdin => "-".to_string(),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Directory levels looked into for archives; deeper ones are part of a tree.
const MAX_SCAN_DEPTH: usize = 16;

/// Expands command-line arguments into inputs, in the order given (directory contents sorted
/// by name), each at most once.
pub fn discover(args: &[String]) -> (Vec<Input>, Vec<Problem>) {
    let mut found = Discovery::default();
    for arg in args {
        if arg == "-" {
            found.push(Input::Stdin);
            continue;
        }
        let path = Path::new(arg);
        match fs::symlink_metadata(path) {
            Ok(_) => found.path(path, arg),
            Err(e) if e.kind() == io::ErrorKind::NotFound && has_glob_meta(arg) => found.glob(arg),
            Err(e) => found
                .problems
                .push(Problem::new(arg.as_str(), format!("cannot read: {e}"))),
        }
    }
    (found.inputs, found.problems)
}

#[derive(Default)]
struct Discovery {
    inputs: Vec<Input>,
    problems: Vec<Problem>,
    seen: HashSet<PathBuf>,
}

/// What a directory turned out to be.
enum Scan {
    /// No archive inside: one tree (if it has any file).
    Plain { has_files: bool },
    /// Archives (or VM roots) inside: these inputs.
    Holds(Vec<Input>),
}

impl Discovery {
    fn push(&mut self, input: Input) {
        let key = match &input {
            Input::Archive(p) | Input::Tree(p) | Input::LogFile(p) => {
                fs::canonicalize(p).unwrap_or_else(|_| p.clone())
            }
            Input::Stdin => PathBuf::from("-"),
        };
        if self.seen.insert(key) {
            self.inputs.push(input);
        }
    }

    /// A path named by the user (or matched by their glob): links are followed.
    fn path(&mut self, path: &Path, shown: &str) {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                self.problems
                    .push(Problem::new(shown, format!("cannot read: {e}")));
                return;
            }
        };
        let file_type = meta.file_type();
        if meta.is_dir() {
            match self.scan(path, 0) {
                Scan::Plain { .. } => self.push(Input::Tree(path.to_path_buf())),
                Scan::Holds(inputs) => inputs.into_iter().for_each(|i| self.push(i)),
            }
        } else if meta.is_file() {
            let by_name = file_name(path);
            // gzip data is an archive input too: a broken `.tgz` is then reported as such
            match sniff_file(path) {
                Ok((Kind::Tar | Kind::Unsupported(_), _) | (_, true)) => {
                    self.push(Input::Archive(path.to_path_buf()))
                }
                Ok(_) if has_archive_ext(&by_name) || by_name.ends_with(".gz") => {
                    self.push(Input::Archive(path.to_path_buf()));
                }
                Ok(_) => self.push(Input::LogFile(path.to_path_buf())),
                Err(e) => self
                    .problems
                    .push(Problem::new(shown, format!("cannot read: {e}"))),
            }
        } else if file_type.is_fifo() || file_type.is_char_device() {
            self.push(Input::LogFile(path.to_path_buf()));
        } else {
            self.problems.push(Problem::new(
                shown,
                format!("is a {}, not a file", tree::kind_name(file_type)),
            ));
        }
    }

    fn scan(&mut self, dir: &Path, depth: usize) -> Scan {
        if tree::is_vm_root(dir) {
            return Scan::Holds(vec![Input::Tree(dir.to_path_buf())]);
        }
        if depth >= MAX_SCAN_DEPTH {
            return Scan::Plain { has_files: true };
        }
        let Ok(read) = fs::read_dir(dir) else {
            return Scan::Plain { has_files: true }; // reading the tree will say why
        };
        let mut children: Vec<_> = read.filter_map(Result::ok).collect();
        children.sort_by_key(|c| c.file_name());
        let mut inputs = Vec::new();
        let mut holds = false;
        let mut has_files = false;
        for child in children {
            let Ok(file_type) = child.file_type() else {
                continue;
            };
            let path = child.path();
            if file_type.is_dir() {
                match self.scan(&path, depth + 1) {
                    Scan::Plain { has_files: false } => {}
                    Scan::Plain { has_files: true } => {
                        has_files = true;
                        inputs.push(Input::Tree(path));
                    }
                    Scan::Holds(found) => {
                        holds = true;
                        inputs.extend(found);
                    }
                }
            } else if file_type.is_file() {
                has_files = true;
                let archive = match sniff_file(&path) {
                    Ok((Kind::Tar | Kind::Unsupported(_), _)) => true,
                    _ => has_archive_ext(&file_name(&path)),
                };
                holds |= archive;
                inputs.push(if archive {
                    Input::Archive(path)
                } else {
                    Input::LogFile(path)
                });
            }
            // links, pipes, sockets, devices: not followed, not opened
        }
        if holds {
            Scan::Holds(inputs)
        } else {
            Scan::Plain { has_files }
        }
    }

    fn glob(&mut self, pattern: &str) {
        let matcher = match GlobBuilder::new(pattern).literal_separator(true).build() {
            Ok(glob) => glob.compile_matcher(),
            Err(e) => {
                self.problems
                    .push(Problem::new(pattern, format!("invalid glob pattern: {e}")));
                return;
            }
        };
        let (base, implicit_base, max_depth) = glob_base(pattern);
        let mut matched: Vec<PathBuf> = Vec::new();
        for item in WalkDir::new(&base)
            .follow_links(false)
            .min_depth(1)
            .max_depth(max_depth)
            .sort_by_file_name()
        {
            let Ok(item) = item else { continue };
            let candidate = if implicit_base {
                item.path().strip_prefix(".").unwrap_or(item.path())
            } else {
                item.path()
            };
            // a directory already matched stands for what it holds
            if matcher.is_match(candidate) && !matched.iter().any(|m| item.path().starts_with(m)) {
                matched.push(item.into_path());
            }
        }
        if matched.is_empty() {
            self.problems
                .push(Problem::new(pattern, "no file matches this pattern"));
        }
        for path in matched {
            let shown = path.display().to_string();
            self.path(&path, &shown);
        }
    }
}

fn has_glob_meta(arg: &str) -> bool {
    arg.contains(['*', '?', '[', '{'])
}

/// The literal directory a glob starts from, whether it was implied (`.`), and how deep below
/// it the pattern reaches.
fn glob_base(pattern: &str) -> (PathBuf, bool, usize) {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts
        .iter()
        .take_while(|p| !has_glob_meta(p))
        .count()
        .min(parts.len() - 1);
    let rest = &parts[literal..];
    let max_depth = if rest.contains(&"**") {
        usize::MAX
    } else {
        rest.len()
    };
    let base = parts[..literal].join("/");
    match base.as_str() {
        "" if pattern.starts_with('/') => (PathBuf::from("/"), false, max_depth),
        "" => (PathBuf::from("."), true, max_depth),
        _ => (PathBuf::from(base), false, max_depth),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What a regular file is ([`classify`] on its first 64 KiB), and whether it is gzip data.
/// Never blocks: opened with `O_NONBLOCK`, and only when the file type says regular file.
fn sniff_file(path: &Path) -> io::Result<(Kind, bool)> {
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Ok((Kind::Text, false));
    }
    let stream = classify(file.take(64 * 1024));
    Ok((stream.kind(), stream.gzip().is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_bases() {
        assert_eq!(glob_base("*.tgz"), (PathBuf::from("."), true, 1));
        assert_eq!(glob_base("b/*/x.tgz"), (PathBuf::from("b"), false, 2));
        assert_eq!(
            glob_base("/tmp/b/**/*.tgz"),
            (PathBuf::from("/tmp/b"), false, usize::MAX)
        );
        assert_eq!(glob_base("/*.tgz"), (PathBuf::from("/"), false, 1));
    }
}
