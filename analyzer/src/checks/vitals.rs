//! bosh-agent heartbeat vitals in the agent log (`var/vcap/bosh/log/current*`): the last
//! heartbeat of the VM tells how full its disks and memory were.
//!
//! The agent logs each heartbeat payload on its own line (svlogd prefix, then JSON):
//!
//! ```text
//! 2018-11-06_18:37:45.10754 {"deployment":"nginx","job":"nginx","index":0,"job_state":"running","vitals":{"cpu":{...},"disk":{"ephemeral":{"inode_percent":"0","percent":"1"},"system":{"inode_percent":"31","percent":"42"}},"load":[...],"mem":{"kb":"188412","percent":"19"},...},"node_id":"14e4..."}
//! ```
//!
//! | id | category | severity | when (last heartbeat) |
//! | --- | --- | --- | --- |
//! | `agent-vitals-disk` | `disk_full` | medium at 90%, high at 95% | a disk's `percent` or `inode_percent` (`system` = `/`, `ephemeral` = `/var/vcap/data`, `persistent` = `/var/vcap/store`) |
//! | `memory-pressure` | `out_of_memory` | medium | `mem.percent` >= 95 |
//!
//! The log is streamed: only the newest heartbeat seen (by its timestamp, else by order) is
//! kept.

use super::disk::severity;
use super::{captures, excerpt, is_agent_log, Check, Judge, Meta, Outcome, Reading, VmCheck};
use crate::finding::{Finding, Severity};
use crate::timestamp::{parse_line, YearHint};
use jiff::Timestamp;
use memchr::memmem;
use serde_json::Value;
use std::sync::LazyLock;

pub(crate) const DISK: Meta = Meta {
    id: "agent-vitals-disk",
    category: "disk_full",
    severity: Severity::High,
    title: "Agent reports a full disk",
    remediation: "The agent reports a nearly full disk: free space or grow the disk, as for disk-full.",
    risk_below: Some(Severity::High),
    explained_by: &[],
};
pub(crate) const MEMORY: Meta = Meta {
    id: "memory-pressure",
    category: "out_of_memory",
    severity: Severity::Medium,
    title: "Memory nearly exhausted",
    remediation: "The VM is out of memory: look at `ps` for the biggest process, and scale the instance group's VM type up.",
    risk_below: None,
    explained_by: &[],
};

/// The agent vitals check, as registered.
pub const CHECK: Check = Check {
    name: "vitals",
    kinds: &[DISK, MEMORY],
    reads: |p, _| is_agent_log(p).then_some(Reading::Lines),
    per_vm: Some(|_| Box::<Heartbeats>::default()),
};

/// At or above this memory use (percent) a heartbeat means memory pressure.
pub const MEMORY_PERCENT: u8 = 95;

/// The disks a heartbeat reports, with the mount each stands for.
const DISKS: &[(&str, &str)] = &[
    ("system", "/"),
    ("ephemeral", "/var/vcap/data"),
    ("persistent", "/var/vcap/store"),
];

/// The literal every heartbeat line holds, built once (the agent log is large).
static VITALS_LITERAL: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("\"vitals\":"));

/// What one heartbeat says.
#[derive(Debug, Clone, PartialEq)]
pub struct Heartbeat {
    pub path: String,
    pub line: u64,
    pub timestamp: Option<Timestamp>,
    pub excerpt: String,
    /// `(disk, percent, inode_percent)` for each disk reported.
    pub disks: Vec<(&'static str, Option<u8>, Option<u8>)>,
    pub mem_percent: Option<u8>,
    pub mem_kb: Option<u64>,
}

/// The heartbeat on this agent log line, if it is one.
pub fn parse_heartbeat(path: &str, n: u64, line: &[u8]) -> Option<Heartbeat> {
    VITALS_LITERAL.find(line)?;
    let start = memchr::memchr(b'{', line)?;
    let json: Value = serde_json::Deserializer::from_slice(&line[start..])
        .into_iter()
        .next()?
        .ok()?;
    let vitals = json.get("vitals")?;
    let disks = DISKS
        .iter()
        .filter_map(|(name, _)| {
            let d = vitals.get("disk")?.get(name)?;
            Some((
                *name,
                percent(d.get("percent")),
                percent(d.get("inode_percent")),
            ))
        })
        .collect();
    let mem = vitals.get("mem");
    Some(Heartbeat {
        path: path.to_string(),
        line: n,
        timestamp: parse_line(line, YearHint::default()),
        excerpt: excerpt(line),
        disks,
        mem_percent: percent(mem.and_then(|m| m.get("percent"))),
        mem_kb: mem
            .and_then(|m| m.get("kb"))
            .and_then(number)
            .map(|kb| kb as u64),
    })
}

/// A vitals number: the agent writes them as strings (`"42"`), numbers are accepted too.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite() && *n >= 0.0)
}

fn percent(v: Option<&Value>) -> Option<u8> {
    v.and_then(number).map(|p| p.round().min(255.0) as u8)
}

/// The newest heartbeat of one VM's agent logs.
#[derive(Debug, Default)]
pub(crate) struct Heartbeats {
    last: Option<Heartbeat>,
}

impl Heartbeats {
    pub(crate) fn line(&mut self, path: &str, n: u64, line: &[u8]) {
        let Some(hb) = parse_heartbeat(path, n, line) else {
            return;
        };
        let newer = match (&self.last, hb.timestamp) {
            (Some(last), Some(t)) => !matches!(last.timestamp, Some(lt) if t < lt),
            _ => true,
        };
        if newer {
            self.last = Some(hb);
        }
    }

    pub(crate) fn findings(&self, vm: &str) -> Vec<Finding> {
        let Some(hb) = &self.last else {
            return Vec::new();
        };
        let base = |meta: &Meta| Finding {
            line: Some(hb.line),
            timestamp: hb.timestamp,
            excerpt: hb.excerpt.clone(),
            ..meta.finding(vm, &hb.path)
        };
        let mut out = Vec::new();
        for &(disk, percent, inodes) in &hb.disks {
            let worst = percent.max(inodes).unwrap_or(0);
            let Some(severity) = severity(worst) else {
                continue;
            };
            let mount = DISKS
                .iter()
                .find(|(d, _)| *d == disk)
                .map_or("", |(_, m)| m);
            let show = |p: Option<u8>| p.map_or("?".to_string(), |p| format!("{p}%"));
            out.push(Finding {
                severity,
                summary: format!(
                    "bosh-agent heartbeat: {disk} disk ({mount}) {} full, {} of inodes used",
                    show(percent),
                    show(inodes)
                ),
                captures: captures([
                    ("disk", disk.to_string()),
                    ("mount", mount.to_string()),
                    ("percent", percent.map_or(String::new(), |p| p.to_string())),
                    (
                        "inode_percent",
                        inodes.map_or(String::new(), |p| p.to_string()),
                    ),
                ]),
                ..base(&DISK)
            });
        }
        if let Some(p) = hb.mem_percent.filter(|p| *p >= MEMORY_PERCENT) {
            let kb = hb.mem_kb.map_or(String::new(), |kb| kb.to_string());
            out.push(Finding {
                summary: format!("bosh-agent heartbeat: memory {p}% used ({kb} kB)"),
                captures: captures([("percent", p.to_string()), ("kb", kb)]),
                ..base(&MEMORY)
            });
        }
        out
    }
}

impl VmCheck for Heartbeats {
    fn line(&mut self, path: &str, n: u64, line: &[u8]) {
        Heartbeats::line(self, path, n, line);
    }

    fn finish(self: Box<Self>, on: &Judge<'_>, out: &mut Outcome) {
        out.findings.extend(self.findings(on.vm));
    }
}

#[cfg(test)]
mod tests;
