//! Kernel OOM kills in `commands/dmesg.txt`, `var/log/kern.log*`, `var/log/syslog*` and
//! `var/log/messages*`: `oom-kill` (`out_of_memory`, high), one finding per killed process
//! name, counting distinct kills.
//!
//! The kernel's lines (mm/oom_kill.c), as found in public reports:
//!
//! ```text
//! Out of memory: Kill process 27438 (R) score 31 or sacrifice child                 (before 4.19/5.0)
//! Killed process 27438 (R) total-vm:38349780kB, anon-rss:1041924kB, file-rss:4kB, shmem-rss:0kB
//! oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/...,task=node,pid=2092,uid=0
//! Out of memory: Killed process 2092 (node) total-vm:2546008kB, anon-rss:1665620kB, ...
//! Memory cgroup out of memory: Killed process 1949510 (envoy) total-vm:3264844kB, ...  (a container's limit)
//! ```
//!
//! (genular/pandora#49, cloudfoundry/garden-runc-release#193 for the Diego cell's container
//! kills.) One kill is logged on several lines (`oom-kill:` and `Killed process`, or
//! `Kill process` and `Killed process`) and in several files (dmesg, kern.log, syslog): kills
//! are told apart by process and pid. The evidence shown is the earliest line with a wall
//! time, preferring kern.log, then syslog, messages, and dmesg (seconds since boot only).

use super::{captures, excerpt, Check, Judge, Meta, Outcome, Reading, VmCheck};
use crate::finding::{Finding, Severity};
use crate::timestamp::{parse_line, YearHint};
use jiff::Timestamp;
use memchr::memmem;
use regex::bytes::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

pub(crate) const OOM_KILL: Meta = Meta {
    id: "oom-kill",
    category: "out_of_memory",
    severity: Severity::High,
    title: "Process killed by the OOM killer",
    remediation: "The kernel killed a process for memory: raise the VM type's memory or the container's limit; check the killed process for a leak.",
    risk_below: None,
    explained_by: &[],
};

/// The OOM kill check, as registered.
pub const CHECK: Check = Check {
    name: "memory",
    kinds: &[OOM_KILL],
    reads: |p, _| {
        (p == "commands/dmesg.txt" || KERNEL_LOGS.iter().any(|pre| p.starts_with(pre)))
            .then_some(Reading::Lines)
    },
    per_vm: Some(|_| Box::<OomKills>::default()),
};

/// Kernel messages as syslog keeps them, rotations included.
const KERNEL_LOGS: &[&str] = &["var/log/kern.log", "var/log/syslog", "var/log/messages"];

/// Literal prefilters, built once: most kernel and syslog lines are rejected by these.
static OOM_KILL_LITERAL: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("oom-kill:constraint="));
static PROCESS_LITERAL: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("process "));

/// `Kill process 1 (x) score`, `Killed process 1 (x) total-vm`, `... sharing same memory`.
static KILLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bKill(?:ed)? process (\d+) \((.{0,64}?)\)").expect("valid regex")
});
/// `oom-kill:constraint=CONSTRAINT_MEMCG,...,task=java,pid=1234,uid=...`.
static OOM_KILL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"oom-kill:constraint=(\w+),.*?task=([^,]{0,64}),pid=(\d+)").expect("valid regex")
});

/// One OOM kill line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kill {
    pub pid: u64,
    pub process: String,
    /// The limit that was hit: a container's memory cgroup, or the whole VM.
    pub memcg: bool,
}

/// The kill on this kernel line, if it is one.
pub fn parse_kill(line: &[u8]) -> Option<Kill> {
    if let Some(at) = OOM_KILL_LITERAL.find(line) {
        let c = OOM_KILL_LINE.captures(&line[at..])?;
        return Some(Kill {
            pid: std::str::from_utf8(&c[3]).ok()?.parse().ok()?,
            process: String::from_utf8_lossy(&c[2]).into_owned(),
            memcg: &c[1] == b"CONSTRAINT_MEMCG",
        });
    }
    PROCESS_LITERAL.find(line)?;
    // Only the kernel's wording, not any "Killed process" a program may log to syslog.
    let kernel = [
        &b"ut of memory"[..],
        b"total-vm:",
        b"sacrifice child",
        b"sharing same memory",
    ];
    if !kernel.iter().any(|k| memmem::find(line, k).is_some()) {
        return None;
    }
    let c = KILLED.captures(line)?;
    Some(Kill {
        pid: std::str::from_utf8(&c[1]).ok()?.parse().ok()?,
        process: String::from_utf8_lossy(&c[2]).into_owned(),
        memcg: memmem::find(line, b"Memory cgroup out of memory").is_some(),
    })
}

/// Preference of a file as evidence: files with wall times first.
fn rank(path: &str) -> u8 {
    let name = path.rsplit('/').next().unwrap_or(path);
    ["kern.log", "syslog", "messages"]
        .iter()
        .position(|p| name.starts_with(p))
        .unwrap_or(3) as u8
}

/// The first and last line of one process's kills in one file.
#[derive(Debug, Clone)]
struct Seen {
    first: (u64, Vec<u8>),
    last: Option<Vec<u8>>,
}

/// OOM kills of one process on the VM.
#[derive(Debug, Clone, Default)]
struct Victim {
    pids: BTreeSet<u64>,
    memcg: bool,
    /// Per file.
    seen: BTreeMap<String, Seen>,
}

/// What the OOM check gathers on one VM.
#[derive(Debug, Default)]
pub(crate) struct OomKills {
    victims: BTreeMap<String, Victim>,
}

impl OomKills {
    pub(crate) fn line(&mut self, path: &str, n: u64, line: &[u8]) {
        let Some(kill) = parse_kill(line) else {
            return;
        };
        let v = self.victims.entry(kill.process).or_default();
        v.pids.insert(kill.pid);
        v.memcg |= kill.memcg;
        match v.seen.get_mut(path) {
            Some(seen) => seen.last = Some(line.to_vec()),
            None => {
                v.seen.insert(
                    path.to_string(),
                    Seen {
                        first: (n, line.to_vec()),
                        last: None,
                    },
                );
            }
        }
    }

    pub(crate) fn findings(&self, vm: &str, now: Option<Timestamp>) -> Vec<Finding> {
        let hint = YearHint { now };
        let mut out = Vec::new();
        for (process, v) in &self.victims {
            let firsts: Vec<(&String, u64, &[u8], Option<Timestamp>)> = v
                .seen
                .iter()
                .map(|(p, s)| {
                    (
                        p,
                        s.first.0,
                        s.first.1.as_slice(),
                        parse_line(&s.first.1, hint),
                    )
                })
                .collect();
            let Some(&(path, line, text, _)) = firsts
                .iter()
                .min_by_key(|(p, _, _, t)| (t.is_none(), *t, rank(p), *p))
            else {
                continue;
            };
            let timestamp = firsts.iter().filter_map(|f| f.3).min();
            let last_seen = v
                .seen
                .values()
                .filter_map(|s| parse_line(s.last.as_deref().unwrap_or(&s.first.1), hint))
                .max();
            let kills = v.pids.len() as u64;
            // The pid of the evidence line.
            let pid = parse_kill(text).map_or(String::new(), |k| k.pid.to_string());
            let limit = if v.memcg { "memcg" } else { "global" };
            let what = if v.memcg {
                "a memory cgroup (container) limit"
            } else {
                "the VM out of memory"
            };
            let times = if kills == 1 {
                format!("pid {pid}")
            } else {
                format!("{kills} times")
            };
            out.push(Finding {
                summary: format!("the kernel OOM killer killed {process} ({times}): {what}"),
                line: Some(line),
                timestamp,
                last_seen,
                count: kills,
                excerpt: excerpt(text),
                captures: captures([
                    ("process", process.clone()),
                    ("pid", pid),
                    ("kills", kills.to_string()),
                    ("constraint", limit.to_string()),
                ]),
                ..OOM_KILL.finding(vm, path)
            });
        }
        out
    }
}

impl VmCheck for OomKills {
    fn line(&mut self, path: &str, n: u64, line: &[u8]) {
        OomKills::line(self, path, n, line);
    }

    fn finish(self: Box<Self>, on: &Judge<'_>, out: &mut Outcome) {
        out.findings.extend(self.findings(on.vm, on.now));
    }
}

#[cfg(test)]
mod tests;
