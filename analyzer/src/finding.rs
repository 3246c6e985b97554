//! Findings: what the matcher and the structured checks produce, and what correlation and
//! the reports consume. Plain data, no behaviour beyond ordering and grouping helpers.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity {other:?} (info, low, medium, high, critical)"
            )),
        }
    }
}

/// Whether a finding is what users see (`Symptom`) or what explains it (`Cause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Symptom,
    Cause,
}

/// One VM (or one loose input) as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VmIdentity {
    /// `<instance-group>/<id or index>`, e.g. `diego_cell/3f2a...` or `doppler_z2/0`;
    /// for a loose file, its path.
    pub name: String,
    pub deployment: Option<String>,
    pub az: Option<String>,
}

/// One finding: a signature (or structured check) seen in one file of one VM. Repeated hits
/// of the same signature in the same file are one finding with `count`, `timestamp` (first
/// seen) and `last_seen`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id within one report (`f1`, `f2`, ...), assigned after sorting.
    pub id: String,
    /// Signature id, or structured check id (`cert-expired`, `monit-process-failed`, ...).
    pub signature: String,
    pub category: String,
    pub kind: Kind,
    pub severity: Severity,
    /// The signature's title.
    pub title: String,
    /// The signature's summary template rendered with the first hit's captures.
    pub summary: String,
    /// The VM's name (see [`VmIdentity::name`]).
    pub vm: String,
    /// The BOSH job the file belongs to (`var/vcap/sys/log/<job>/...`), if any.
    pub job: Option<String>,
    /// The path inside the VM, e.g. `var/vcap/sys/log/rep/rep.stdout.log`.
    pub path: String,
    /// 1-based line number of the first hit, when the finding comes from a line.
    pub line: Option<u64>,
    /// Time of the first hit, when the line carries one.
    pub timestamp: Option<Timestamp>,
    /// Time of the last hit.
    pub last_seen: Option<Timestamp>,
    /// Number of hits grouped in this finding.
    pub count: u64,
    /// The first hit's line, capped in length.
    pub excerpt: String,
    /// Named captures of the first hit (or the check's facts).
    pub captures: BTreeMap<String, String>,
}
