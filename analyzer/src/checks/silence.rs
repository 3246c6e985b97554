//! Absence is evidence: what stopped logging while the rest of the VM went on.
//!
//! The engine tells this check, per log file of a VM, the time of its last timestamped
//! line and how many lines it had ([`Activity`]); the monit check tells it when monit last
//! restarted each process. From those, with the VM's newest log line as the reference
//! ("the others continue"):
//!
//! | check id | what | window |
//! | --- | --- | --- |
//! | `agent-silent` | the bosh-agent's log (`var/vcap/bosh/log/current*`) ends while the VM's jobs keep logging: the agent was stopped or hangs, and the director reports `unresponsive agent` (seed 003) | [`AGENT_WINDOW`] |
//! | `job-log-silent` | a job's main log, busy before ([`MIN_LINES`]), ends long before the other jobs' logs | [`JOB_WINDOW`] |
//! | `restarted-process-silent` | monit restarted a process and its job never logged again, while the VM's other logs went on | [`RESTART_GRACE`] after the restart, [`RESTART_WINDOW`] of others' activity |
//!
//! Only files under `var/vcap/sys/log/` and the agent's log count; loose inputs (a pasted
//! file) have no VM to compare with and are never given. Nothing here reads a file: the
//! facts come from the engine, which keeps only each file's last few KiB while streaming.

use super::{
    captures, human_duration, is_agent_log, normalize, reads_nothing, Check, Judge, Meta, Outcome,
    VmCheck,
};
use crate::finding::{Finding, Severity};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

/// The agent's log must end at least this long before the VM's newest job log line.
pub const AGENT_WINDOW: SignedDuration = SignedDuration::from_hours(1);
/// A job's main log must end at least this long before the other jobs' newest line.
pub const JOB_WINDOW: SignedDuration = SignedDuration::from_hours(24);
/// A job log with fewer lines was never busy: its silence says nothing.
pub const MIN_LINES: u64 = 50;
/// After a restart, a process has this long to log something.
pub const RESTART_GRACE: SignedDuration = SignedDuration::from_mins(5);
/// The VM's other logs must go on at least this long after the restart.
pub const RESTART_WINDOW: SignedDuration = SignedDuration::from_mins(30);

pub(crate) const AGENT_SILENT: Meta = Meta {
    id: "agent-silent",
    category: "agent_unresponsive",
    severity: Severity::High,
    title: "the BOSH agent stopped logging while the VM's jobs went on",
    remediation: "The agent stopped logging while the jobs went on: on the VM `sv status agent` (or `systemctl status bosh-agent`), `sv restart agent`; if the VM cannot be reached, `bosh cck` recreates it. Seed 003: a VM stopped for investigation shows as `unresponsive agent`.",
    risk_below: None,
    explained_by: &[],
};
pub(crate) const JOB_SILENT: Meta = Meta {
    id: "job-log-silent",
    category: "process_crash",
    severity: Severity::Medium,
    title: "a job's log went silent while the other jobs kept logging",
    remediation: "The job's process may hang or be gone: `monit summary` on the VM, read the end of the job's log and its stderr, `monit restart <process>`; look for what happened on the VM at the time the log ends.",
    risk_below: None,
    explained_by: &[],
};
pub(crate) const RESTARTED_SILENT: Meta = Meta {
    id: "restarted-process-silent",
    category: "monit_process_failed",
    severity: Severity::High,
    title: "monit restarted a process that never logged again",
    remediation: "monit restarted the process and it never came back to life: `monit summary`, the job's `*.stderr.log` and ctl logs (it may fail before its logger starts), `monit restart <process>`; a `bpm` job: `bpm logs <job>`.",
    risk_below: None,
    explained_by: &[],
};

/// The silence check, as registered: it reads no file (the engine gives it each log's
/// [`Activity`], the monit check its restarts), so it is registered after `monit`.
pub const CHECK: Check = Check {
    name: "silence",
    kinds: &[AGENT_SILENT, JOB_SILENT, RESTARTED_SILENT],
    reads: reads_nothing,
    per_vm: Some(|_| Box::<Silence>::default()),
};

/// What the engine saw of one log file while streaming it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// The time of the file's last timestamped line (of its last few KiB).
    pub last: Option<Timestamp>,
    /// That line, cut like every excerpt.
    pub last_line: String,
    /// Lines in the file.
    pub lines: u64,
}

/// A restart monit logged: the process, its job, where and when.
#[derive(Debug, Clone)]
pub(crate) struct Restart {
    pub process: String,
    pub job: String,
    pub path: String,
    pub line: u64,
    pub at: Timestamp,
    pub excerpt: String,
}

/// Activity per path of one VM.
#[derive(Debug, Default)]
pub(crate) struct Silence {
    files: BTreeMap<String, Activity>,
}

impl Silence {
    /// Records one file's activity (called once per file; a file seen twice keeps the later
    /// end and the sum of lines).
    pub(crate) fn file(&mut self, path: &str, activity: Activity) {
        if !is_job_log(path) && !is_agent_log(path) {
            return;
        }
        let e = self.files.entry(path.to_string()).or_default();
        if activity.last > e.last {
            e.last = activity.last;
            e.last_line = activity.last_line;
        }
        e.lines += activity.lines;
    }

    pub(crate) fn findings(&self, vm: &str, restarts: &[Restart]) -> Vec<Finding> {
        let mut out = Vec::new();
        // Per job: its newest line over all its files, and its busiest main log.
        let mut jobs: BTreeMap<&str, Timestamp> = BTreeMap::new();
        for (path, a) in &self.files {
            if let (Some(job), Some(t)) = (job_of(path), a.last) {
                let e = jobs.entry(job).or_insert(t);
                *e = (*e).max(t);
            }
        }
        let newest_job_line = |except: Option<&str>| {
            jobs.iter()
                .filter(|(j, _)| Some(**j) != except)
                .map(|(_, t)| *t)
                .max()
        };
        // The agent.
        let agent = self
            .files
            .iter()
            .filter(|(p, _)| is_agent_log(p))
            .filter_map(|(p, a)| a.last.map(|t| (t, p, &a.last_line)))
            .max();
        if let (Some((agent_end, path, line)), Some(jobs_end)) = (agent, newest_job_line(None)) {
            let gap = jobs_end.duration_since(agent_end);
            if gap >= AGENT_WINDOW {
                out.push(Finding {
                    summary: format!(
                        "the agent's log ends at {agent_end}, {} before the jobs' last line ({jobs_end}): the agent was stopped or hangs",
                        human_duration(gap.as_secs())
                    ),
                    timestamp: Some(agent_end),
                    last_seen: Some(jobs_end),
                    excerpt: line.clone(),
                    captures: captures([
                        ("agent_last_line", agent_end.to_string()),
                        ("jobs_last_line", jobs_end.to_string()),
                        ("silent_for", human_duration(gap.as_secs())),
                    ]),
                    ..AGENT_SILENT.finding(vm, path)
                });
            }
        }
        // Jobs whose main log went quiet.
        for (path, a) in &self.files {
            let (Some(job), Some(end)) = (job_of(path), a.last) else {
                continue;
            };
            if a.lines < MIN_LINES || !is_main_log(path, job) {
                continue;
            }
            let Some(others) = newest_job_line(Some(job)) else {
                continue;
            };
            let job_end = jobs[job];
            let gap = others.duration_since(job_end);
            if job_end == end && gap >= JOB_WINDOW {
                out.push(Finding {
                    summary: format!(
                        "{job}'s log ends at {end}, {} before the other jobs' last line ({others})",
                        human_duration(gap.as_secs())
                    ),
                    timestamp: Some(end),
                    last_seen: Some(others),
                    excerpt: a.last_line.clone(),
                    captures: captures([
                        ("job", job.to_string()),
                        ("last_line", end.to_string()),
                        ("silent_for", human_duration(gap.as_secs())),
                    ]),
                    ..JOB_SILENT.finding(vm, path)
                });
            }
        }
        // Processes restarted by monit that never logged again.
        for r in restarts {
            let logged_after = self
                .files
                .iter()
                .filter(|(p, _)| job_of(p) == Some(r.job.as_str()))
                .filter_map(|(_, a)| a.last)
                .max();
            let Some(others) = newest_job_line(Some(r.job.as_str())) else {
                continue;
            };
            let quiet = logged_after
                .is_none_or(|t| t <= r.at.saturating_add(RESTART_GRACE).unwrap_or(Timestamp::MAX));
            let went_on = others
                >= r.at
                    .saturating_add(RESTART_WINDOW)
                    .unwrap_or(Timestamp::MAX);
            let has_logs = self.files.keys().any(|p| job_of(p) == Some(r.job.as_str()));
            if quiet && went_on && has_logs {
                let since = others.duration_since(r.at);
                out.push(Finding {
                    summary: format!(
                        "monit restarted {} at {}; job {} logged nothing after it, while the VM's other jobs logged for {} more",
                        r.process,
                        r.at,
                        r.job,
                        human_duration(since.as_secs())
                    ),
                    line: Some(r.line),
                    timestamp: Some(r.at),
                    last_seen: Some(others),
                    excerpt: r.excerpt.clone(),
                    captures: captures([
                        ("process", r.process.clone()),
                        ("job", r.job.clone()),
                        ("restarted_at", r.at.to_string()),
                    ]),
                    ..RESTARTED_SILENT.finding(vm, &r.path)
                });
            }
        }
        out
    }
}

impl VmCheck for Silence {
    fn activity(&mut self, path: &str, activity: &Activity) {
        self.file(normalize(path), activity.clone());
    }

    fn finish(self: Box<Self>, on: &Judge<'_>, out: &mut Outcome) {
        out.findings.extend(self.findings(on.vm, &out.restarts));
    }
}

/// The job of a log under `var/vcap/sys/log/<job>/`.
fn job_of(path: &str) -> Option<&str> {
    path.strip_prefix("var/vcap/sys/log/")?
        .split_once('/')
        .map(|(job, _)| job)
        .filter(|j| !j.is_empty())
}

fn is_job_log(path: &str) -> bool {
    job_of(path).is_some()
}

/// A job's main log: `<job>/<name>.stdout.log` or `<job>/<name>.log`, not the quiet ones
/// that only lifecycle steps or errors write (ctl, pre-start, post-start, drain, stderr,
/// bpm), nor rotations.
fn is_main_log(path: &str, job: &str) -> bool {
    let Some(file) = path
        .strip_prefix("var/vcap/sys/log/")
        .and_then(|p| p.strip_prefix(job))
        .and_then(|p| p.strip_prefix('/'))
    else {
        return false;
    };
    let quiet = [
        "ctl",
        "pre-start",
        "post-start",
        "drain",
        "stderr",
        "bpm",
        "err",
    ];
    !file.contains('/')
        && (file.ends_with(".stdout.log") || file.ends_with(".log"))
        && !quiet.iter().any(|q| file.contains(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn at(last: &str, lines: u64) -> Activity {
        Activity {
            last: Some(t(last)),
            last_line: format!("illustrative line at {last}"),
            lines,
        }
    }

    #[test]
    fn an_agent_that_stops_while_jobs_go_on_is_found() {
        let mut s = Silence::default();
        s.file("var/vcap/bosh/log/current", at("2026-01-01T08:00:00Z", 900));
        s.file(
            "var/vcap/sys/log/rep/rep.stdout.log",
            at("2026-01-01T11:00:00Z", 900),
        );
        let f = s.findings("cell/0", &[]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].signature, "agent-silent");
        assert_eq!(f[0].captures["silent_for"], "3h 0m");
        assert_eq!(f[0].path, "var/vcap/bosh/log/current");
    }

    #[test]
    fn an_agent_within_the_window_or_alone_is_not_a_finding() {
        let mut s = Silence::default();
        s.file("var/vcap/bosh/log/current", at("2026-01-01T10:30:00Z", 900));
        s.file(
            "var/vcap/sys/log/rep/rep.stdout.log",
            at("2026-01-01T11:00:00Z", 900),
        );
        assert!(s.findings("cell/0", &[]).is_empty());
        let mut alone = Silence::default();
        alone.file("var/vcap/bosh/log/current", at("2026-01-01T01:00:00Z", 900));
        assert!(alone.findings("cell/0", &[]).is_empty());
    }

    #[test]
    fn a_busy_job_log_that_goes_quiet_for_a_day_is_found_and_quiet_logs_are_not() {
        let mut s = Silence::default();
        s.file(
            "var/vcap/sys/log/rep/rep.stdout.log",
            at("2026-01-01T00:00:00Z", 5000),
        );
        s.file(
            "var/vcap/sys/log/garden/garden.stdout.log",
            at("2026-01-02T06:00:00Z", 5000),
        );
        // Quiet by nature: lifecycle logs, stderr, a log that was never busy.
        s.file(
            "var/vcap/sys/log/rep/pre-start.stdout.log",
            at("2025-12-01T00:00:00Z", 500),
        );
        s.file(
            "var/vcap/sys/log/route_emitter/route_emitter.stderr.log",
            at("2025-12-01T00:00:00Z", 500),
        );
        s.file(
            "var/vcap/sys/log/loggr/loggr.stdout.log",
            at("2025-12-01T00:00:00Z", 3),
        );
        let f = s.findings("cell/0", &[]);
        let ids: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.signature.as_str(), f.captures["job"].as_str()))
            .collect();
        assert_eq!(ids, [("job-log-silent", "rep")]);
        assert_eq!(f[0].captures["silent_for"], "1d 6h");
    }

    #[test]
    fn a_restarted_process_that_never_logs_again_is_found() {
        let mut s = Silence::default();
        s.file(
            "var/vcap/sys/log/rep/rep.stdout.log",
            at("2026-01-01T10:00:00Z", 800),
        );
        s.file(
            "var/vcap/sys/log/garden/garden.stdout.log",
            at("2026-01-01T12:00:00Z", 800),
        );
        let restart = |when: &str| Restart {
            process: "rep".into(),
            job: "rep".into(),
            path: "var/vcap/monit/monit.log".into(),
            line: 7,
            at: t(when),
            excerpt: "[UTC Jan  1 10:01:00] info     : 'rep' trying to restart".into(),
        };
        let f = s.findings("cell/0", &[restart("2026-01-01T10:01:00Z")]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].signature, "restarted-process-silent");
        assert_eq!(f[0].line, Some(7));
        // It logged after an earlier restart: no finding.
        let f = s.findings("cell/0", &[restart("2026-01-01T09:00:00Z")]);
        assert!(f.is_empty(), "{f:?}");
    }
}
