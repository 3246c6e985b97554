//! Directory inputs: a VM root (`var/vcap/...`), an extracted bundle (`manifest.json` at the
//! top), or an extracted `bosh logs` (job folders). One VM per directory.
//!
//! Walked without following symbolic links. FIFOs, sockets, devices and links are reported as
//! skipped and never opened: the file type is checked before opening, files are opened with
//! `O_NONBLOCK | O_NOFOLLOW` and checked again after. Regular files are read in parallel
//! (rayon), so the sink sees them in no particular order. Rotated `.gz` logs are delivered
//! decompressed; a tarball inside is read as nested VM(s).

use super::archive::{read_archive, Source};
use super::classify::classify;
use super::deliver::deliver;
use super::naming::{self, Layout, NameInfo, MANIFEST_CAP};
use super::problem::Problem;
use super::sink::{EntryMeta, Sink, Skipped, VmInfo};
use rayon::prelude::*;
use std::fs::{self, FileType};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Whether `dir` is one VM's files: a VM root (`var/vcap/`) or an extracted bundle
/// (`manifest.json`). Links are not followed.
pub(crate) fn is_vm_root(dir: &Path) -> bool {
    let is = |p: PathBuf, want_dir: bool| {
        fs::symlink_metadata(p).is_ok_and(|m| if want_dir { m.is_dir() } else { m.is_file() })
    };
    is(dir.join("manifest.json"), false) || is(dir.join("var").join("vcap"), true)
}

/// What every file of the tree shares.
struct Tree<'a> {
    origin: String,
    names: NameInfo,
    layout: Layout,
    vm: VmInfo,
    sink: &'a dyn Sink,
}

/// Reads a directory as one VM.
pub(crate) fn read(root: &Path, sink: &dyn Sink) -> Vec<Problem> {
    let origin = root.display().to_string();
    match fs::metadata(root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return vec![Problem::new(origin, "not a directory")],
        Err(e) => return vec![Problem::new(origin, format!("cannot read: {e}"))],
    }
    let mut problems = Vec::new();
    let dir_name = fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let names = naming::parse_name(&dir_name);
    let manifest = read_manifest(root, &origin, &mut problems);
    let vm = naming::vm_info(&origin, &origin, &names, manifest.as_ref());
    let layout = if is_vm_root(root) {
        Layout::Bundle { top: None }
    } else {
        Layout::Auto
    };
    let tree = Tree {
        origin,
        names,
        layout,
        vm,
        sink,
    };
    sink.vm(&tree.vm);

    let mut files = Vec::new();
    for item in WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
    {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let mut problem =
                    Problem::new(&tree.origin, format!("cannot read: {}", walk_error(&e)));
                if let Some(p) = e.path() {
                    problem = problem.with_path(relative(root, p));
                }
                problems.push(problem);
                continue;
            }
        };
        let file_type = item.file_type();
        let rel = relative(root, item.path());
        if file_type.is_dir() {
            continue;
        } else if file_type.is_file() {
            if !naming::is_redact_manifest(&rel) {
                files.push((item.into_path(), rel));
            }
        } else if file_type.is_symlink() {
            let target = fs::read_link(item.path())
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            tree.skip(&rel, format!("symbolic link to {target} (not followed)"));
        } else {
            tree.skip(
                &rel,
                format!("{} (not a regular file)", kind_name(file_type)),
            );
        }
    }
    let per_file: Vec<Vec<Problem>> = files
        .par_iter()
        .map(|(path, rel)| tree.file(path, rel))
        .collect();
    problems.extend(per_file.into_iter().flatten());
    problems
}

impl Tree<'_> {
    fn skip(&self, rel: &str, reason: String) {
        let path = naming::vm_path(&naming::normalize(rel.as_bytes()), &self.layout);
        self.sink.skipped(Skipped {
            vm: self.vm.identity.name.clone(),
            path,
            reason,
        });
    }

    /// One regular file: opened without blocking or following, checked, delivered.
    fn file(&self, path: &Path, rel: &str) -> Vec<Problem> {
        let problem = |message: String| vec![Problem::new(&self.origin, message).with_path(rel)];
        let mut file = match fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(path)
        {
            Ok(f) => f,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                self.skip(
                    rel,
                    "became a symbolic link while reading (not followed)".to_string(),
                );
                return vec![];
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.skip(rel, "vanished before it could be read".to_string());
                return vec![];
            }
            Err(e) => return problem(format!("cannot open: {e}")),
        };
        let meta = match file.metadata() {
            Ok(m) => m,
            Err(e) => return problem(format!("cannot read: {e}")),
        };
        if !meta.is_file() {
            self.skip(
                rel,
                format!("{} (not a regular file)", kind_name(meta.file_type())),
            );
            return vec![];
        }
        let norm = naming::normalize(rel.as_bytes());
        let mut content = classify(&mut file);
        if content.is_archive() {
            let origin = format!("{}!{}", self.origin, norm);
            let src = Source {
                names: naming::parse_name(naming::base_name(&norm)).inherit(&self.names),
                fallback: origin.clone(),
                origin,
                depth: 1,
            };
            return read_archive(&mut content, &src, self.sink).into_problems();
        }
        let entry = EntryMeta {
            path: naming::vm_path(&norm, &self.layout),
            archive_name: rel.to_string(),
            size: Some(meta.len()),
            mtime: Some(meta.mtime()),
        };
        let gzip = content.gzip().cloned();
        deliver(self.sink, &self.vm, &entry, content.reader(), gzip)
            .map(|failed| failed.problem(&self.origin).with_path(rel))
            .into_iter()
            .collect()
    }
}

/// The tree's `manifest.json`, when it has a readable one.
fn read_manifest(
    root: &Path,
    origin: &str,
    problems: &mut Vec<Problem>,
) -> Option<naming::ManifestInfo> {
    let path = root.join("manifest.json");
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut bytes = Vec::new();
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(&path);
    let read = file.and_then(|f| f.take(MANIFEST_CAP + 1).read_to_end(&mut bytes));
    let mut note =
        |message: String| problems.push(Problem::new(origin, message).with_path("manifest.json"));
    match read {
        Err(e) => note(format!("cannot read: {e}")),
        Ok(_) if bytes.len() as u64 > MANIFEST_CAP => {
            note(format!(
                "manifest.json is over {MANIFEST_CAP} bytes: not parsed"
            ));
        }
        Ok(_) => match naming::parse_manifest(&bytes) {
            Ok((info, warnings)) => {
                warnings.into_iter().for_each(note);
                return Some(info);
            }
            Err(message) => note(message),
        },
    }
    None
}

/// `path` relative to `root`, `/`-separated, lossy.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn walk_error(e: &walkdir::Error) -> String {
    match e.io_error() {
        Some(io) => io.to_string(),
        None => e.to_string(),
    }
}

pub(crate) fn kind_name(file_type: FileType) -> &'static str {
    if file_type.is_fifo() {
        "FIFO"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_char_device() {
        "character device"
    } else if file_type.is_block_device() {
        "block device"
    } else if file_type.is_symlink() {
        "symbolic link"
    } else if file_type.is_dir() {
        "directory"
    } else {
        "special file"
    }
}
