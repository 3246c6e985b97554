//! The report as data: what `--format json` prints, and what every other format renders.
//! Plain data at the bottom of the dependency graph: the structured checks and correlation
//! build parts of it, the renderers in [`crate::report`] read it, and it depends on neither.
//!
//! # JSON report, schema 1
//!
//! A documented, versioned contract: scripts read it. Within schema 1 fields are only
//! added, never renamed or removed; readers ignore fields they do not know. Ordering is
//! stable: bundles by VM name; root causes by rank; findings by VM, path, line, signature;
//! certificates by `not_after` (soonest first).
//!
//! ```text
//! { "schema": 1,
//!   "generated_by": "vcap-analyze 0.1.0",
//!   "now": "2026-11-21T23:40:11Z",          // --at, else the newest collection time
//!   "bundles":      [ Bundle ],
//!   "root_causes":  [ RootCause ],
//!   "findings":     [ Finding ],             // see analyzer::finding::Finding
//!   "unexplained":  [ "f3", ... ],           // symptom finding ids no cause explains
//!   "latent":       [ "f7", ... ],           // causes that explain nothing yet (expiring certs, full-ish disks)
//!   "certificates": [ Certificate ],
//!   "unrecognised": [ Unrecognised ],        // errors no signature knows, as templates:
//!                                            // { "template", "level", "count", "vms",
//!                                            //   "example", "example_at" }
//!   "coverage":     Coverage,
//!   "fleet":        [ GroupCount ] }        // every instance group: `vms` with findings, `of` in all
//! ```
//!
//! Fleet fields (added within schema 1): a VM's instance group is its name up to the last
//! `/`, its deployment its bundle's. Each root cause carries `groups` (where the cause was
//! seen), `symptom_groups` (where the symptoms it explains were seen), both as
//! `[{ "deployment", "instance_group", "vms", "of" }]`, largest first, and `odd_ones`:
//! `[{ "vm", "why" }]`, the VMs that differ from their group ("the only one of 4 VMs",
//! "2 of 120 diego_cell_z1 VMs with it", "1 of 200 api_z1 VMs without it").

mod problem;

use crate::finding::{Finding, Severity};
pub use crate::unrecognised::Unrecognised;
use jiff::Timestamp;
pub use problem::{Problem, ProblemKind};
use serde::{Deserialize, Serialize};

/// The current value of [`Report::schema`].
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub schema: u32,
    pub generated_by: String,
    /// The time the analysis took as "now": `--at`, else the latest collection time of the
    /// bundles, else the newest timestamp seen.
    pub now: Option<Timestamp>,
    pub bundles: Vec<Bundle>,
    pub root_causes: Vec<RootCause>,
    pub findings: Vec<Finding>,
    /// Ids of symptom findings that no cause explains.
    pub unexplained: Vec<String>,
    /// Ids of cause findings that explain no symptom yet (latent risks).
    pub latent: Vec<String>,
    pub certificates: Vec<Certificate>,
    /// Error- and fatal-level lines no signature explains, clustered into templates, most
    /// VMs first (see [`crate::unrecognised`]): what the library does not know yet.
    #[serde(default)]
    pub unrecognised: Vec<Unrecognised>,
    pub coverage: Coverage,
    /// Every (deployment, instance group): how many of its VMs have findings (`vms`), of
    /// how many (`of`).
    #[serde(default)]
    pub fleet: Vec<GroupCount>,
}

/// VMs of one instance group: `vms` of its `of` VMs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupCount {
    pub deployment: Option<String>,
    pub instance_group: String,
    pub vms: u64,
    pub of: u64,
}

/// A VM that differs from its group, and how.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OddOne {
    pub vm: String,
    pub why: String,
}

/// One VM's input.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bundle {
    /// The input it came from (`logs_1700000000.tgz!cell.uuid.tgz` for nested bundles).
    pub path: String,
    pub vm: String,
    pub deployment: Option<String>,
    pub az: Option<String>,
    /// The collection time (manifest, or the `bosh logs` name), if known.
    pub collected_at: Option<Timestamp>,
    /// `false` when the collector marked the bundle incomplete.
    pub complete: Option<bool>,
    pub files: u64,
    pub bytes: u64,
    /// Problems reading this input (truncated archive, unreadable entries...).
    pub problems: Vec<Problem>,
}

/// A cause that explains symptoms (or a cause that happened and is worth acting on), grouped
/// across VMs: the same signature on many VMs is one root cause. The ranking policy is
/// documented on [`crate::correlate`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RootCause {
    /// 1-based: causes found first, then by symptoms explained, VMs affected, severity,
    /// first seen.
    pub rank: u32,
    pub signature: String,
    pub category: String,
    pub title: String,
    pub severity: Severity,
    /// VMs where the cause itself was seen.
    pub vms: Vec<String>,
    pub first_seen: Option<Timestamp>,
    /// Finding ids of the symptoms this cause explains (on any VM).
    pub explains: Vec<String>,
    /// VMs where the explained symptoms were seen.
    pub symptom_vms: Vec<String>,
    /// The cause's own findings: where it was seen (capped; `count` says how many).
    pub evidence: Vec<Evidence>,
    /// One line each: why the links hold (from the signatures' `explained_by.why`).
    pub why: Vec<String>,
    pub summary: String,
    pub remediation: String,
    /// `false` when the chain's top is itself a symptom: something the library does not
    /// know explains it ("cause not found"). Such entries rank below every chain that ends
    /// in a real cause, and carry [`RootCause::look_at`]. Absent in older reports: `true`.
    #[serde(default = "yes")]
    pub cause_found: bool,
    /// Where to look when the cause was not found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub look_at: Option<Lead>,
    /// Where the cause was seen, per instance group, largest first.
    #[serde(default)]
    pub groups: Vec<GroupCount>,
    /// Where the symptoms it explains were seen, per instance group, largest first.
    #[serde(default)]
    pub symptom_groups: Vec<GroupCount>,
    /// The VMs that differ from their group (at most 10).
    #[serde(default)]
    pub odd_ones: Vec<OddOne>,
}

fn yes() -> bool {
    true
}

/// Where to look for a cause the library did not find: the candidate causes the symptom's
/// signature names (none of which was seen), the jobs that would log them, and the VMs
/// that run those jobs (from their findings or their instance group's name).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Lead {
    pub candidates: Vec<Candidate>,
    pub jobs: Vec<String>,
    pub vms: Vec<String>,
}

/// A cause a symptom's signature names as a candidate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Candidate {
    pub signature: String,
    pub title: String,
    pub why: String,
}

/// One piece of evidence: a finding's location and line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub finding: String,
    pub vm: String,
    pub path: String,
    pub line: Option<u64>,
    pub timestamp: Option<Timestamp>,
    pub count: u64,
    pub excerpt: String,
}

/// One certificate found in a bundle, with its status at "now".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Certificate {
    pub vm: String,
    pub path: String,
    /// Index of the certificate within the file (0-based), for bundles and chains.
    pub index: u32,
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub serial: String,
    pub is_ca: bool,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// `valid`, `expiring_soon`, `expired` or `not_yet_valid`; `unknown` when the analysis
    /// has no "now" (no collection time, no `--at`, no timestamped line).
    pub status: String,
    /// Days from "now" to `not_after` (negative when expired; 0 when `status` is `unknown`).
    pub days_left: i64,
    /// Whether a certificate with this issuer's subject is in the same bundle.
    pub issuer_in_bundle: bool,
}

/// What was read and what was not.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Coverage {
    pub inputs: u64,
    pub vms: u64,
    pub files: u64,
    pub bytes: u64,
    /// Files or entries not read, and why (links, FIFOs, nesting too deep, unreadable...).
    pub skipped: Vec<SkippedEntry>,
    /// Inputs or entries that could not be read (these make the exit code 2).
    pub errors: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SkippedEntry {
    pub vm: String,
    pub path: String,
    pub reason: String,
}
