//! `bosh vms --vitals` / `bosh instances --vitals` tables pasted into a text: the disk
//! columns of each instance row (`49% (32i%)`: blocks used, then inodes used) become the
//! same `disk-full` and `inodes-exhausted` findings as a `df` of that VM, at the same
//! thresholds ([`disk::severity`]).
//!
//! The disk columns are named by the header above the rows (`System`, `Ephemeral`,
//! `Persistent`, in that order); a row with fewer usage cells than the header names (a
//! poster who cut columns) is aligned on the right, as the CLI prints those columns last.

use super::super::{captures, disk, excerpt};
use crate::finding::Finding;
use regex::Regex;
use std::sync::LazyLock;

/// A disk usage cell: `31% (100i%)`.
static USAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)(\d{1,3})% \((\d{1,3})i%\)").expect("valid regex"));

/// The disks a vitals table shows, with the mount each stands for.
const DISKS: &[(&str, &str)] = &[
    ("System", "/"),
    ("Ephemeral", "/var/vcap/data"),
    ("Persistent", "/var/vcap/store"),
];

/// Findings for every full disk of every instance row of `text` (a paste at `path`);
/// line numbers are those of `text`.
pub(super) fn findings(path: &str, text: &str) -> Vec<Finding> {
    let mut names: Vec<(&str, &str)> = DISKS.to_vec();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let cells: Vec<(u8, u8)> = USAGE
            .captures_iter(line)
            .filter_map(|c| Some((c[1].parse().ok()?, c[2].parse().ok()?)))
            .collect();
        if cells.is_empty() {
            let named: Vec<(&str, &str)> = DISKS
                .iter()
                .copied()
                .filter(|(word, _)| line.split_whitespace().any(|w| w == *word))
                .collect();
            if !named.is_empty() && (line.contains("Instance") || line.contains("Disk")) {
                names = named;
            }
            continue;
        }
        let Some(instance) = line.split_whitespace().next().filter(|w| w.contains('/')) else {
            continue;
        };
        let skip = names.len().saturating_sub(cells.len());
        for (i, (blocks, inodes)) in cells.into_iter().enumerate() {
            let (disk, mount) = names.get(skip + i).copied().unwrap_or(("", ""));
            for (percent, meta, what) in [
                (blocks, &disk::DISK_FULL, "full"),
                (inodes, &disk::INODES_EXHAUSTED, "of its inodes used"),
            ] {
                let Some(severity) = disk::severity(percent) else {
                    continue;
                };
                let label = if disk.is_empty() {
                    "a disk".to_string()
                } else {
                    format!("the {} disk ({mount})", disk.to_lowercase())
                };
                out.push(Finding {
                    severity,
                    summary: format!("{instance}: {label} is {percent}% {what} (bosh vitals)"),
                    line: Some(n as u64 + 1),
                    excerpt: excerpt(line.as_bytes()),
                    captures: captures([
                        ("mount", mount.to_string()),
                        ("percent", percent.to_string()),
                        ("instance", instance.to_string()),
                    ]),
                    ..meta.finding(instance, path)
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_table_names_its_one_disk_from_the_header() {
        // cloudfoundry/prometheus-boshrelease#210, as posted (columns cut by the poster).
        let text = "\
$ bosh vms --vitals

Instance                                           Persistent Disk Usage

prometheus/some-id          31% (100i%)
";
        let got = findings("stdin", text);
        assert_eq!(got.len(), 1);
        let f = &got[0];
        assert_eq!(
            (f.signature.as_str(), f.vm.as_str()),
            ("inodes-exhausted", "prometheus/some-id")
        );
        assert_eq!(f.captures["mount"], "/var/vcap/store");
        assert_eq!(f.line, Some(5));
    }

    #[test]
    fn a_full_row_aligns_system_ephemeral_persistent() {
        // The v2 header of cloudfoundry/bosh#2204; the row's usage cells are illustrative.
        let text = "\
Instance                                           Process State  AZ  IPs              VM CID   VM Type  Active  VM Created At  Uptime  Load           CPU    CPU   CPU  CPU   Memory        Swap      System      Ephemeral   Persistent
                                                                                                                                       (1m, 5m, 15m)  Total  User  Sys  Wait  Usage         Usage     Disk Usage  Disk Usage  Disk Usage
dns-recursor/1b2c5038-6d56-432f-8172-657cefbbda17  running        z1  192.168.116.156  vm-1     small    true    today          1d      0.00, 0.01, 0  1.0%   0.5%  0.3% 0.0%  10% (100 MB)  0% (0 B)  45% (12i%)  96% (3i%)   12% (91i%)
";
        let got: Vec<(String, String, String)> = findings("stdin", text)
            .into_iter()
            .map(|f| {
                (
                    f.signature,
                    f.captures["mount"].clone(),
                    f.severity.as_str().to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "disk-full".to_string(),
                    "/var/vcap/data".to_string(),
                    "high".to_string()
                ),
                (
                    "inodes-exhausted".to_string(),
                    "/var/vcap/store".to_string(),
                    "medium".to_string()
                ),
            ]
        );
    }

    #[test]
    fn healthy_vitals_and_other_percentages_say_nothing() {
        // cloudfoundry-community-attic/bosh-cloudfoundry#178 (v1 table, no inode cells).
        let text = "| api/0     | running | small         | 10.159.35.150, 54.225.102.129 | 0.00%, 0.05%, 0.15%   | 0.1% | 0.0% | 0.1% | 14.1% (233.6M) | 0.0% (0B)  | 49%        | 1%         | n/a        |";
        assert!(findings("stdin", text).is_empty());
        let text = "web/0  running  12% (1i%)  40% (5i%)  n/a";
        assert!(findings("stdin", text).is_empty());
    }
}
