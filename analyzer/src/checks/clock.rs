//! Clock skew across VMs: `clock-skew` (`clock_skew`, high), from collection times alone.
//!
//! Two signs of a clock that is off:
//!
//! 1. **Against the batch.** Bundles collected together (a bulk run over a deployment) should
//!    carry nearly the same `collected_at`, each by its own VM's clock. With at least
//!    [`MIN_BATCH`] VMs whose collection times lie within [`BATCH_WINDOW_SECS`] of their
//!    median, a VM [`SKEW_SECS`] or more off that median is flagged, unless the batch was
//!    itself spread out (a sequential collection): the threshold grows to three median
//!    absolute deviations, so only outliers stand out; and when more than a fifth of the
//!    batch (at least one VM) is off, the bundles were collected in waves and nothing is
//!    flagged. VMs farther than the window are taken as collected at another time, not as
//!    skewed.
//! 2. **Against itself.** A log line stamped more than [`AHEAD_SECS`] after the VM's own
//!    collection time was written while the clock ran ahead (and was later set back).

use super::{captures, human_duration, reads_nothing, Check, Meta};
use crate::finding::{Finding, Severity};
use jiff::Timestamp;

pub(crate) const CLOCK_SKEW: Meta = Meta {
    id: "clock-skew",
    category: "clock_skew",
    severity: Severity::High,
    title: "VM clock skew",
    remediation: "Fix time sync on the VM (`chronyc sources`, BOSH `ntp` settings); TLS and tokens fail when clocks disagree.",
    risk_below: None,
    explained_by: &[],
};

/// The clock check, as registered: it reads no file; the engine gives it every VM's
/// collection time after reading ([`skew`]).
pub const CHECK: Check = Check {
    name: "clock",
    kinds: &[CLOCK_SKEW],
    reads: reads_nothing,
    per_vm: None,
};

/// Fewest VMs collected together for a batch comparison.
pub const MIN_BATCH: usize = 3;
/// Collection times within this many seconds of the median make one batch.
pub const BATCH_WINDOW_SECS: i64 = 3_600;
/// Skew against the batch median flagged from this many seconds.
pub const SKEW_SECS: i64 = 300;
/// A log line this many seconds after the VM's own collection time is flagged.
pub const AHEAD_SECS: i64 = 3_600;

/// The clock facts of one VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmClock {
    pub vm: String,
    /// Collection time by the VM's own clock (manifest `collected_at`, or the time in the
    /// name of a `bosh logs` tarball).
    pub collected_at: Timestamp,
    /// The newest timestamp of any log line of the VM, and the file it came from.
    pub newest_line: Option<(Timestamp, String)>,
}

/// `clock-skew` findings for VMs analyzed together (see the module docs).
pub fn skew(vms: &[VmClock]) -> Vec<Finding> {
    let mut out = batch_skew(vms);
    out.extend(vms.iter().filter_map(ahead_of_itself));
    out
}

fn batch_skew(vms: &[VmClock]) -> Vec<Finding> {
    if vms.len() < MIN_BATCH {
        return Vec::new();
    }
    let all: Vec<i64> = vms.iter().map(|v| v.collected_at.as_second()).collect();
    let center = median(&all);
    let batch: Vec<&VmClock> = vms
        .iter()
        .filter(|v| (v.collected_at.as_second() - center).abs() <= BATCH_WINDOW_SECS)
        .collect();
    if batch.len() < MIN_BATCH {
        return Vec::new();
    }
    let times: Vec<i64> = batch.iter().map(|v| v.collected_at.as_second()).collect();
    let center = median(&times);
    let mad = median(&times.iter().map(|t| (t - center).abs()).collect::<Vec<_>>());
    let threshold = SKEW_SECS.max(mad.saturating_mul(3));
    let Ok(center_ts) = Timestamp::from_second(center) else {
        return Vec::new();
    };
    // Several VMs off together were collected in another wave, not skewed: only a lone
    // outlier or two among many (at most a fifth of the batch) is taken for a wrong clock.
    let off = times
        .iter()
        .filter(|t| (*t - center).abs() >= threshold)
        .count();
    if off > (times.len() / 5).max(1) {
        return Vec::new();
    }
    batch
        .into_iter()
        .filter_map(|v| {
            let delta = v.collected_at.as_second() - center;
            if delta.abs() < threshold {
                return None;
            }
            let side = if delta > 0 { "ahead of" } else { "behind" };
            Some(Finding {
                summary: format!(
                    "clock of {} is {} {side} the median collection time of the {} VMs collected with it ({center_ts})",
                    v.vm,
                    human_duration(delta),
                    times.len()
                ),
                timestamp: Some(v.collected_at),
                excerpt: format!("collected_at={} batch median={center_ts}", v.collected_at),
                captures: captures([
                    ("skew_seconds", delta.to_string()),
                    ("collected_at", v.collected_at.to_string()),
                    ("median", center_ts.to_string()),
                    ("batch_size", times.len().to_string()),
                ]),
                ..CLOCK_SKEW.finding(&v.vm, "manifest.json")
            })
        })
        .collect()
}

fn ahead_of_itself(v: &VmClock) -> Option<Finding> {
    let (newest, path) = v.newest_line.as_ref()?;
    let ahead = newest.as_second() - v.collected_at.as_second();
    if ahead <= AHEAD_SECS {
        return None;
    }
    Some(Finding {
        summary: format!(
            "a log line of {} is stamped {} after the VM's own collection time: its clock ran ahead when the line was written",
            v.vm,
            human_duration(ahead)
        ),
        timestamp: Some(*newest),
        excerpt: format!("newest line {newest}, collected_at={}", v.collected_at),
        captures: captures([
            ("skew_seconds", ahead.to_string()),
            ("collected_at", v.collected_at.to_string()),
            ("newest_line", newest.to_string()),
        ]),
        ..CLOCK_SKEW.finding(&v.vm, path)
    })
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
fn median(values: &[i64]) -> i64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    match v.len() {
        0 => 0,
        n if n % 2 == 1 => v[n / 2],
        n => v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2,
    }
}

#[cfg(test)]
mod tests;
