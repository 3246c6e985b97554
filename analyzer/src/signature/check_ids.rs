//! The ids of the structured checks (Rust modules under `checks/`, not TOML files).
//! `explained_by` may name them like signature ids; `signatures check` accepts them.
//! The checks module is the owner of these findings; keep this list equal to what it emits.

/// Every structured check id a finding can carry.
pub const CHECK_IDS: &[&str] = &[
    "cert-expired",
    "cert-not-yet-valid",
    "cert-expiring-soon",
    "cert-unknown-issuer",
    "monit-process-failed",
    "monit-unavailable",
    "disk-full",
    "inodes-exhausted",
    "memory-pressure",
    "oom-kill",
    "clock-skew",
    "agent-vitals-disk",
    "agent-silent",
    "job-log-silent",
    "restarted-process-silent",
];
