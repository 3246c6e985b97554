//! What to collect: the default trees of a BOSH VM plus `--include`, minus `--exclude`,
//! walked under `--root` without ever leaving the collected trees.
//!
//! Symbolic links are resolved *inside* the root, as the VM would see them: the BOSH
//! layout's own links (`/var/vcap/sys -> /var/vcap/data/sys`, `/var/vcap/jobs/<job> ->
//! /var/vcap/data/jobs/<job>/<sha>`) are followed at the top of a tree; a link met while
//! walking a tree is recorded and never followed. FIFOs, sockets and devices are recorded,
//! never opened.
//!
//! On a director VM, the most recent task logs (`var/vcap/store/director/tasks/<id>/{event,
//! debug,cpi,result}`) are taken too: the newest [`MAX_TASKS`] tasks, newest first, until
//! [`MAX_TASK_BYTES`] is reached (older ones are recorded as over budget). They are redacted
//! like every other file (debug and cpi logs carry credentials).

use crate::config::Config;
use bundle::manifest::{FileRecord, FileStatus};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeSet;
use std::os::unix::fs::FileTypeExt;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

/// Logs are filtered by `--since`; configs are always taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Log,
    Config,
}

/// A regular file to store.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Path from `/`, without the leading slash, as the VM names it.
    pub rel: String,
    /// Where to open it on this machine (links resolved inside the root).
    pub abs: PathBuf,
    pub class: Class,
    pub size: u64,
    pub mtime: Option<i64>,
}

/// One planned item, in bundle order: a file to store, or a record of one that will not be.
#[derive(Debug, Clone)]
pub enum Item {
    Store(Candidate),
    Record(FileRecord),
}

/// A default tree: a base directory (relative to the root) and which files under it count.
struct Tree {
    base: &'static str,
    /// Glob over the relative path; `None` = everything under `base`.
    only: Option<&'static str>,
    class: Class,
    /// How deep to walk (`/var/log` is not walked, only its top files are taken).
    depth: usize,
}

const DEFAULT_TREES: &[Tree] = &[
    Tree {
        base: "var/vcap/sys/log",
        only: None,
        class: Class::Log,
        depth: usize::MAX,
    },
    Tree {
        base: "var/vcap/monit",
        only: Some("var/vcap/monit/monit.log*"),
        class: Class::Log,
        depth: 1,
    },
    Tree {
        base: "var/vcap/bosh/log",
        only: None,
        class: Class::Log,
        depth: usize::MAX,
    },
    Tree {
        base: "var/vcap/instance",
        only: None,
        class: Class::Config,
        depth: usize::MAX,
    },
    Tree {
        base: "var/vcap/bosh/settings.json",
        only: None,
        class: Class::Config,
        depth: usize::MAX,
    },
    Tree {
        base: "var/vcap/bosh/etc",
        only: None,
        class: Class::Config,
        depth: usize::MAX,
    },
    Tree {
        base: "var/log",
        only: Some(
            "var/log/{syslog,syslog.[0-9]*,kern.log,kern.log.[0-9]*,messages,messages.[0-9]*}",
        ),
        class: Class::Log,
        depth: 1,
    },
];

/// How many of the director's most recent tasks are collected.
pub const MAX_TASKS: usize = 20;
/// How many bytes of task logs are collected, at most (before `--max-file-size` cuts).
pub const MAX_TASK_BYTES: u64 = 64 << 20;
/// Where the director keeps its task logs, and which of a task's files are taken.
const TASKS_DIR: &str = "var/vcap/store/director/tasks";
const TASK_FILES: &[&str] = &["event", "debug", "cpi", "result"];

/// Plans the collection: every file of the default trees, the job configs, and `--include`
/// globs, minus `--exclude` and the collector's own output.
pub fn plan(cfg: &Config, now: SystemTime, own_output: Option<&Path>) -> Result<Vec<Item>, String> {
    let exclude = globset(&cfg.exclude)?;
    let mut p = Planner {
        root: &cfg.root,
        exclude,
        own_output: own_output.map(|o| {
            o.parent().and_then(|d| d.canonicalize().ok()).map_or_else(
                || o.to_path_buf(),
                |d| d.join(o.file_name().unwrap_or_default()),
            )
        }),
        since_cutoff: now.checked_sub(cfg.since),
        seen: BTreeSet::new(),
        items: Vec::new(),
    };
    // Configs first: when a budget runs out, it is logs that are left out.
    let (configs, logs): (Vec<&Tree>, Vec<&Tree>) =
        DEFAULT_TREES.iter().partition(|t| t.class == Class::Config);
    for t in configs {
        p.default_tree(t);
    }
    p.jobs();
    for t in logs {
        p.default_tree(t);
    }
    p.director_tasks();
    for inc in &cfg.include {
        let g = Glob::new(inc.trim_start_matches('/'))
            .map_err(|e| format!("invalid --include glob {inc:?}: {e}"))?
            .compile_matcher();
        let base = literal_prefix(inc.trim_start_matches('/'));
        p.tree(&base, Class::Log, usize::MAX, |rel| g.is_match(rel));
    }
    Ok(p.items)
}

struct Planner<'a> {
    root: &'a Path,
    exclude: GlobSet,
    own_output: Option<PathBuf>,
    since_cutoff: Option<SystemTime>,
    seen: BTreeSet<String>,
    items: Vec<Item>,
}

impl Planner<'_> {
    fn default_tree(&mut self, t: &Tree) {
        let only = t
            .only
            .map(|g| Glob::new(g).expect("built-in glob").compile_matcher());
        self.tree(t.base, t.class, t.depth, |rel| {
            only.as_ref().is_none_or(|m| m.is_match(rel))
        });
    }

    /// The director's most recent task logs, newest task first, bounded by [`MAX_TASKS`]
    /// and [`MAX_TASK_BYTES`]; on other VMs there is no task directory and nothing happens.
    fn director_tasks(&mut self) {
        let Some(dir) = resolve_in_root(self.root, TASKS_DIR) else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut ids: Vec<u64> = entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        let mut bytes = 0u64;
        for id in ids.into_iter().take(MAX_TASKS) {
            let base = format!("{TASKS_DIR}/{id}");
            let before = self.items.len();
            self.tree(&base, Class::Log, 1, |rel| {
                rel.rsplit('/')
                    .next()
                    .is_some_and(|name| TASK_FILES.contains(&name))
            });
            for item in &mut self.items[before..] {
                let over = match item {
                    Item::Store(c) if bytes + c.size > MAX_TASK_BYTES => Some(FileRecord::new(
                        c.rel.clone(),
                        FileStatus::OverBudget,
                        Some(format!("older task logs beyond {MAX_TASK_BYTES} bytes")),
                        c.size,
                        c.mtime,
                    )),
                    Item::Store(c) => {
                        bytes += c.size;
                        None
                    }
                    Item::Record(_) => None,
                };
                if let Some(record) = over {
                    *item = Item::Record(record);
                }
            }
        }
    }

    /// `/var/vcap/jobs/<job>/config/**` and `/var/vcap/jobs/<job>/monit` for every job; the
    /// `<job>` links into `/var/vcap/data/jobs` are followed (inside the root).
    fn jobs(&mut self) {
        let Some(jobs) = resolve_in_root(self.root, "var/vcap/jobs") else {
            return;
        };
        let Ok(rd) = std::fs::read_dir(&jobs) else {
            return;
        };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for job in names {
            let base = format!("var/vcap/jobs/{job}");
            self.tree(&format!("{base}/config"), Class::Config, usize::MAX, |_| {
                true
            });
            self.tree(&format!("{base}/monit"), Class::Config, 0, |_| true);
        }
    }

    /// Walks one tree; `base` itself is resolved inside the root (links followed), nothing
    /// under it is.
    fn tree(&mut self, base: &str, class: Class, depth: usize, keep: impl Fn(&str) -> bool) {
        let Some(abs_base) = resolve_in_root(self.root, base) else {
            return;
        };
        let walker = walkdir::WalkDir::new(&abs_base)
            .follow_links(false)
            .max_depth(depth)
            .sort_by_file_name();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let rel = err
                        .path()
                        .map(|p| logical(base, &abs_base, p))
                        .unwrap_or_else(|| base.to_string());
                    self.record(rel, FileStatus::Unreadable, Some(err.to_string()), 0, None);
                    continue;
                }
            };
            let rel = logical(base, &abs_base, entry.path());
            let ft = entry.file_type();
            if ft.is_dir() || !keep(&rel) || self.exclude.is_match(&rel) || self.seen.contains(&rel)
            {
                continue;
            }
            if self.is_own_output(entry.path()) {
                continue;
            }
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(err) => {
                    self.record(rel, FileStatus::Vanished, Some(err.to_string()), 0, None);
                    continue;
                }
            };
            let mtime = meta.modified().ok().and_then(unix_seconds);
            if ft.is_symlink() {
                let target = std::fs::read_link(entry.path())
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                self.record(
                    rel,
                    FileStatus::Symlink,
                    Some(format!("symbolic link to {target}, not followed")),
                    0,
                    mtime,
                );
            } else if !ft.is_file() {
                let kind = if ft.is_fifo() {
                    "FIFO"
                } else if ft.is_socket() {
                    "socket"
                } else if ft.is_block_device() {
                    "block device"
                } else {
                    "character device"
                };
                self.record(
                    rel,
                    FileStatus::NotRegular,
                    Some(format!("{kind}, not opened")),
                    0,
                    mtime,
                );
            } else if class == Class::Log && self.too_old(&meta) {
                self.record(
                    rel,
                    FileStatus::TooOld,
                    Some("last modified before --since".into()),
                    meta.len(),
                    mtime,
                );
            } else {
                self.seen.insert(rel.clone());
                self.items.push(Item::Store(Candidate {
                    rel,
                    abs: entry.path().to_path_buf(),
                    class,
                    size: meta.len(),
                    mtime,
                }));
            }
        }
    }

    fn record(
        &mut self,
        rel: String,
        status: FileStatus,
        detail: Option<String>,
        size: u64,
        mtime: Option<i64>,
    ) {
        if !self.seen.insert(rel.clone()) {
            return;
        }
        self.items.push(Item::Record(FileRecord::new(
            rel, status, detail, size, mtime,
        )));
    }

    fn too_old(&self, meta: &std::fs::Metadata) -> bool {
        match (self.since_cutoff, meta.modified()) {
            (Some(cutoff), Ok(m)) => m < cutoff,
            _ => false,
        }
    }

    /// The bundle being written (its final path, or a `.vcap-collect-*` partial file) is
    /// never collected; spools are anonymous files and never appear in a directory.
    fn is_own_output(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if name.starts_with(".vcap-collect-") {
            return true;
        }
        match (&self.own_output, path.canonicalize()) {
            (Some(out), Ok(p)) => p == *out,
            _ => false,
        }
    }
}

/// The VM path of `path`, found under `abs_base` which resolves the logical `base`.
fn logical(base: &str, abs_base: &Path, path: &Path) -> String {
    match path.strip_prefix(abs_base) {
        Ok(rest) if rest.as_os_str().is_empty() => base.to_string(),
        Ok(rest) => format!("{base}/{}", rest.to_string_lossy()),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

/// Resolves `rel` (a path from the VM's `/`) under `root`, following symbolic links as the
/// VM would (absolute targets are taken from `root`, `..` never climbs above it). `None`
/// when it does not exist or links loop.
pub fn resolve_in_root(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut todo: Vec<String> = components(rel).into_iter().rev().collect();
    let mut done: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(c) = todo.pop() {
        if c == ".." {
            done.pop();
            continue;
        }
        let candidate = done
            .iter()
            .fold(root.to_path_buf(), |p, c| p.join(c))
            .join(&c);
        let meta = std::fs::symlink_metadata(&candidate).ok()?;
        if meta.file_type().is_symlink() {
            hops += 1;
            if hops > 40 {
                return None;
            }
            let target = std::fs::read_link(&candidate).ok()?;
            let target = target.to_string_lossy();
            if target.starts_with('/') {
                done.clear();
            }
            todo.extend(components(&target).into_iter().rev());
        } else {
            done.push(c);
        }
    }
    Some(done.iter().fold(root.to_path_buf(), |p, c| p.join(c)))
}

fn components(p: &str) -> Vec<String> {
    Path::new(p)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect()
}

/// The directories of a glob before its first wildcard: where to start walking.
fn literal_prefix(glob: &str) -> String {
    let mut parts = Vec::new();
    for part in glob.split('/') {
        if part.contains(['*', '?', '[', '{']) {
            break;
        }
        parts.push(part);
    }
    parts.join("/")
}

fn globset(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(
            Glob::new(g.trim_start_matches('/'))
                .map_err(|e| format!("invalid --exclude glob {g:?}: {e}"))?,
        );
    }
    b.build().map_err(|e| e.to_string())
}

pub(crate) fn unix_seconds(t: SystemTime) -> Option<i64> {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn resolves_links_inside_the_root() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::create_dir_all(root.join("var/vcap/data/sys/log/rep")).unwrap();
        symlink("/var/vcap/data/sys", root.join("var/vcap/sys")).unwrap();
        let got = resolve_in_root(root, "var/vcap/sys/log/rep").unwrap();
        assert_eq!(got, root.join("var/vcap/data/sys/log/rep"));
        // `..` cannot climb out of the root.
        symlink("../../../../../../etc", root.join("var/vcap/data/escape")).unwrap();
        let esc = resolve_in_root(root, "var/vcap/data/escape");
        assert!(esc.is_none() || esc.unwrap().starts_with(root));
        // Loops end.
        symlink("loop2", root.join("loop1")).unwrap();
        symlink("loop1", root.join("loop2")).unwrap();
        assert!(resolve_in_root(root, "loop1").is_none());
    }

    #[test]
    fn director_task_logs_newest_first_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for id in 1..=25u64 {
            let task = root.join(format!("{TASKS_DIR}/{id}"));
            std::fs::create_dir_all(&task).unwrap();
            for name in ["event", "debug", "cpi", "result", "other"] {
                std::fs::write(task.join(name), format!("task {id} {name}\n")).unwrap();
            }
        }
        let cfg = Config::new(root.to_path_buf());
        let items = plan(&cfg, SystemTime::now(), None).unwrap();
        let stored: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Store(c) if c.rel.starts_with(TASKS_DIR) => Some(c.rel.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(stored.len(), MAX_TASKS * TASK_FILES.len());
        assert!(stored.contains(&format!("{TASKS_DIR}/25/event")));
        assert!(stored.contains(&format!("{TASKS_DIR}/6/cpi")));
        assert!(!stored.iter().any(|r| r == &format!("{TASKS_DIR}/5/event")));
        assert!(!stored.iter().any(|r| r.ends_with("/other")));
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("var/vcap/store/**/*.log"), "var/vcap/store");
        assert_eq!(literal_prefix("var/vcap/data/x.log"), "var/vcap/data/x.log");
    }
}
