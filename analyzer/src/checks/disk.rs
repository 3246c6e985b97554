//! Filesystems from `df -P` (`commands/df.txt`) and `df -Pi` (`commands/df-inodes.txt`):
//! `disk-full` and `inodes-exhausted` at 90% (medium) and 95% (high).
//!
//! POSIX output (`-P`) is one line per filesystem, whatever the name lengths:
//!
//! ```text
//! Filesystem              1024-blocks     Used Available Capacity Mounted on
//! /dev/loop0                    25844    22855       696      98% /var/vcap/data
//! Filesystem                Inodes  IUsed    IFree IUse% Mounted on
//! /dev/loop1                    64     64        0  100% /var/vcap/store
//! ```
//!
//! Pasted output is read too: `df -h`/`-hi` (human sizes `8.8G`, `175M`, `1.3M`, counted
//! in KiB, or inodes, by powers of 1024), `df -k`, and a long filesystem name alone on its
//! line with the numbers on the next (what `df` without `-P` prints):
//!
//! ```text
//! Filesystem      Size  Used Avail Use% Mounted on
//! /dev/xvdb        20G  175M   20G   1% /mnt/data
//! /dev/mapper/vg-root
//!                   20G  5.0G   14G  27% /
//! ```
//!
//! Every mount counts, except memory and container filesystems (`tmpfs`, `devtmpfs`,
//! `overlay`, ...) and kernel or snap mounts (`/dev`, `/run`, `/sys`, `/proc`, `/snap/...`).
//! A device mounted several times (stemcells bind `/var/vcap/data` subdirectories to
//! `/tmp` and `/var/log`) is one finding, named by its most important mount (`/`,
//! `/var/vcap/data`, `/var/vcap/store`, else the first listed), the others in `mounts`.
//! `-` in the percentage column (no inode accounting, e.g. vfat) is skipped.

use super::{captures, excerpt, normalize, Check, Judge, Meta, Outcome, Reading, VmCheck};
use crate::finding::{Finding, Severity};

pub(crate) const DISK_FULL: Meta = Meta {
    id: "disk-full",
    category: "disk_full",
    severity: Severity::High,
    title: "Filesystem full",
    remediation: "Free space on the filesystem (old logs, orphaned containers/blobs) or give the instance group a bigger disk (`persistent_disk_type` / VM type) and redeploy.",
    risk_below: Some(Severity::High),
    explained_by: &[],
};
pub(crate) const INODES_EXHAUSTED: Meta = Meta {
    id: "inodes-exhausted",
    category: "inodes_exhausted",
    severity: Severity::High,
    title: "Filesystem out of inodes",
    remediation: "Find the directory with millions of small files (`find <mount> -xdev | cut -d/ -f2-4 | sort | uniq -c | sort -n`), clean it, and fix what creates them.",
    risk_below: Some(Severity::High),
    explained_by: &[],
};

/// The disk check, as registered.
pub const CHECK: Check = Check {
    name: "disk",
    kinds: &[DISK_FULL, INODES_EXHAUSTED],
    reads: |p, _| [DF, DF_INODES].contains(&p).then_some(Reading::Whole),
    per_vm: Some(|vm| {
        Box::new(Disk {
            vm: vm.to_string(),
            findings: Vec::new(),
        })
    }),
};

/// Where the collector saves `df -P` and `df -Pi`.
const DF: &str = "commands/df.txt";
const DF_INODES: &str = "commands/df-inodes.txt";

/// One VM's filesystems: judged as each file is read.
#[derive(Debug)]
struct Disk {
    vm: String,
    findings: Vec<Finding>,
}

impl VmCheck for Disk {
    fn whole(&mut self, path: &str, bytes: &[u8]) {
        let usage = match normalize(path) {
            DF_INODES => Usage::Inodes,
            _ => Usage::Blocks,
        };
        self.findings
            .extend(findings(&self.vm, path, bytes, usage));
    }

    fn finish(self: Box<Self>, _: &Judge<'_>, out: &mut Outcome) {
        out.findings.extend(self.findings);
    }
}

/// At or above this percentage a filesystem is flagged, medium severity.
pub const WARN_PERCENT: u8 = 90;
/// At or above this percentage, high severity.
pub const HIGH_PERCENT: u8 = 95;

/// The severity of a usage percentage, `None` below [`WARN_PERCENT`].
pub fn severity(percent: u8) -> Option<Severity> {
    match percent {
        p if p >= HIGH_PERCENT => Some(Severity::High),
        p if p >= WARN_PERCENT => Some(Severity::Medium),
        _ => None,
    }
}

/// Filesystem names that are memory or containers, not disks.
const IGNORED_FILESYSTEMS: &[&str] = &[
    "tmpfs", "devtmpfs", "overlay", "shm", "udev", "none", "cgroup", "cgroup2", "proc", "sysfs",
    "squashfs",
];
/// Mounts (and everything below them) that are the kernel's or snaps'.
const IGNORED_MOUNTS: &[&str] = &["/dev", "/run", "/sys", "/proc", "/snap"];
/// Mounts that name a device mounted several times, most important first.
const MAIN_MOUNTS: &[&str] = &["/", "/var/vcap/data", "/var/vcap/store"];

/// Which `df` output: blocks (`df -P`) or inodes (`df -Pi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    Blocks,
    Inodes,
}

/// One line of `df -P` or `df -Pi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfRow {
    pub filesystem: String,
    /// Size, used and available, in the header's unit (1024-byte blocks, or inodes).
    pub total: u64,
    pub used: u64,
    pub available: u64,
    pub percent: u8,
    pub mount: String,
    /// 1-based line number.
    pub line: u64,
    pub text: String,
}

/// The rows of `df -P`/`df -Pi` output with a percentage; headers, `-` percentages and
/// stderr lines (`df: ...: Permission denied`) are skipped.
pub fn parse_df(text: &str) -> Vec<DfRow> {
    let mut rows = Vec::new();
    // A filesystem name alone on the previous line (`df` wraps long names).
    let mut alone: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        let fields: Vec<(usize, &str)> = fields(line);
        // From the right: the percentage is the first field after three numbers.
        let Some(p) = (3..fields.len()).find(|&p| {
            fields[p].1.ends_with('%') && fields[p - 3..p].iter().all(|(_, f)| size(f).is_some())
        }) else {
            alone = (fields.len() == 1).then_some(line.trim());
            continue;
        };
        let filesystem = match (p, alone.take()) {
            (3, Some(name)) => name.to_string(),
            (3, None) => continue,
            _ => {
                let fs_end = fields[p - 4].0 + fields[p - 4].1.len();
                line[..fs_end].trim().to_string()
            }
        };
        let Ok(percent) = fields[p].1.trim_end_matches('%').parse::<u8>() else {
            continue;
        };
        let Some(&(mount_at, _)) = fields.get(p + 1) else {
            continue;
        };
        let num = |k: usize| size(fields[k].1).unwrap_or(0);
        rows.push(DfRow {
            filesystem,
            total: num(p - 3),
            used: num(p - 2),
            available: num(p - 1),
            percent,
            mount: line[mount_at..].to_string(),
            line: i as u64 + 1,
            text: line.to_string(),
        });
    }
    rows
}

/// A `df` number: plain (in the header's unit), or human (`8.8G`, `175M`, `0`: KiB, or
/// inodes, by powers of 1024).
fn size(field: &str) -> Option<u64> {
    if let Ok(n) = field.parse::<u64>() {
        return Some(n);
    }
    let unit = field.chars().last()?;
    let power = "KMGTPE".find(unit.to_ascii_uppercase())? as i32;
    let value: f64 = field[..field.len() - 1].parse().ok()?;
    (value.is_finite() && value >= 0.0).then(|| (value * 1024f64.powi(power)) as u64)
}

/// Whitespace-separated fields with their byte offsets.
fn fields(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

fn ignored(row: &DfRow) -> bool {
    IGNORED_FILESYSTEMS.contains(&row.filesystem.as_str())
        || IGNORED_MOUNTS.iter().any(|m| {
            row.mount
                .strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        || row.total == 0
}

/// `disk-full` or `inodes-exhausted` findings for `df` output at `path`.
pub(crate) fn findings(vm: &str, path: &str, bytes: &[u8], usage: Usage) -> Vec<Finding> {
    let text = String::from_utf8_lossy(bytes);
    // `df -P` counts 1024-byte blocks, or 512-byte ones under POSIXLY_CORRECT.
    let to_kib = |blocks: u64| {
        if text.contains("512-blocks") {
            blocks / 2
        } else {
            blocks
        }
    };
    let rows: Vec<DfRow> = parse_df(&text)
        .into_iter()
        .filter(|r| !ignored(r))
        .collect();
    // Group by device (a path like `/dev/sdb2`); other names stand alone.
    let mut groups: Vec<Vec<&DfRow>> = Vec::new();
    for row in &rows {
        match groups
            .iter_mut()
            .find(|g| row.filesystem.starts_with('/') && g[0].filesystem == row.filesystem)
        {
            Some(g) => g.push(row),
            None => groups.push(vec![row]),
        }
    }
    let mut out = Vec::new();
    for group in groups {
        let main = group
            .iter()
            .min_by_key(|r| {
                MAIN_MOUNTS
                    .iter()
                    .position(|m| *m == r.mount)
                    .unwrap_or(MAIN_MOUNTS.len())
            })
            .expect("groups are not empty");
        let Some(severity) = severity(main.percent) else {
            continue;
        };
        let others: Vec<&str> = group
            .iter()
            .filter(|r| r.line != main.line)
            .map(|r| r.mount.as_str())
            .collect();
        let (meta, summary) = match usage {
            Usage::Blocks => (
                &DISK_FULL,
                format!(
                    "{} is {}% full ({} free of {}, {})",
                    main.mount,
                    main.percent,
                    kib(to_kib(main.available)),
                    kib(to_kib(main.total)),
                    main.filesystem
                ),
            ),
            Usage::Inodes => (
                &INODES_EXHAUSTED,
                format!(
                    "{} has used {}% of its inodes ({} free of {}, {})",
                    main.mount, main.percent, main.available, main.total, main.filesystem
                ),
            ),
        };
        let mut captures = captures([
            ("mount", main.mount.clone()),
            ("percent", main.percent.to_string()),
            ("filesystem", main.filesystem.clone()),
        ]);
        if !others.is_empty() {
            captures.insert("mounts".into(), others.join(", "));
        }
        out.push(Finding {
            severity,
            summary,
            line: Some(main.line),
            excerpt: excerpt(main.text.as_bytes()),
            captures,
            ..meta.finding(vm, path)
        });
    }
    out
}

/// 1024-byte blocks as people read them: `696 KiB`, `21.2 MiB`, `3.5 GiB`.
fn kib(blocks: u64) -> String {
    const UNITS: &[&str] = &["KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = blocks as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{blocks} KiB")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests;
