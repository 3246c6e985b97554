//! The diagnosis categories of `TAXONOMY.md`: every signature and every structured check
//! carries exactly one. The list is a contract shared with scripts that read the JSON report.

/// `(category, group, meaning)` for every category, in the order of `TAXONOMY.md`.
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    (
        "cert_expired",
        "Certificates and TLS",
        "a certificate was past notAfter (or before notBefore), or a log says so",
    ),
    (
        "cert_expiring_soon",
        "Certificates and TLS",
        "a certificate expires within the warning window",
    ),
    (
        "cert_unknown_authority",
        "Certificates and TLS",
        "the chain does not lead to a trusted CA",
    ),
    (
        "cert_hostname_mismatch",
        "Certificates and TLS",
        "the certificate does not cover the name dialled",
    ),
    (
        "tls_bad_certificate",
        "Certificates and TLS",
        "the peer rejected our certificate",
    ),
    (
        "tls_keypair_invalid",
        "Certificates and TLS",
        "a key pair cannot be loaded or does not match",
    ),
    (
        "tls_handshake_failed",
        "Certificates and TLS",
        "other handshake failures",
    ),
    (
        "clock_skew",
        "Certificates and TLS",
        "the VM's clock is off far enough to break TLS or signed requests",
    ),
    (
        "doppler_unavailable",
        "Loggregator and logging",
        "metron/agents find no doppler",
    ),
    (
        "syslog_drain_failed",
        "Loggregator and logging",
        "log drains failing, backpressure or dropped messages",
    ),
    (
        "nats_unreachable",
        "Service discovery, coordination and messaging",
        "cannot connect to or lost NATS",
    ),
    (
        "etcd_unavailable",
        "Service discovery, coordination and messaging",
        "etcd unreachable or without quorum",
    ),
    (
        "consul_unavailable",
        "Service discovery, coordination and messaging",
        "consul has no leader, agent cannot start or join",
    ),
    (
        "dns_resolution_failed",
        "Service discovery, coordination and messaging",
        "no such host, BOSH DNS failures",
    ),
    (
        "lock_lost",
        "Service discovery, coordination and messaging",
        "locket/bbs/auctioneer lost or cannot acquire its lock",
    ),
    (
        "database_unavailable",
        "Service discovery, coordination and messaging",
        "a component cannot reach or use its SQL database",
    ),
    (
        "droplet_download_failed",
        "Diego and apps",
        "the cell cannot download a droplet or asset",
    ),
    (
        "staging_failed",
        "Diego and apps",
        "staging fails: buildpack download, detect, compile",
    ),
    (
        "container_create_failed",
        "Diego and apps",
        "garden/runc cannot create or run a container",
    ),
    (
        "insufficient_resources",
        "Diego and apps",
        "no cell can place the work",
    ),
    (
        "app_health_check_failed",
        "Diego and apps",
        "app instances fail their health or readiness checks",
    ),
    (
        "route_backend_failed",
        "Routing and auth",
        "gorouter cannot reach a backend or a route service",
    ),
    (
        "route_not_registered",
        "Routing and auth",
        "requested route does not exist, unknown or stale routes",
    ),
    (
        "uaa_auth_failed",
        "Routing and auth",
        "invalid or expired tokens, 401/403 between components",
    ),
    (
        "uaa_unavailable",
        "Routing and auth",
        "UAA unreachable or unhealthy",
    ),
    (
        "credhub_unavailable",
        "Routing and auth",
        "CredHub unreachable",
    ),
    (
        "credhub_decryption_failed",
        "Routing and auth",
        "CredHub cannot decrypt its data: encryption key or password changed",
    ),
    (
        "agent_unresponsive",
        "BOSH and monit",
        "the BOSH agent does not answer the director",
    ),
    (
        "monit_process_failed",
        "BOSH and monit",
        "a monit process is not monitored, failed, missing or restarting in a loop",
    ),
    (
        "monit_unavailable",
        "BOSH and monit",
        "monit itself is down or its status cannot be read",
    ),
    (
        "job_lifecycle_failed",
        "BOSH and monit",
        "a job's pre-start, post-start, drain, ctl or bpm step fails",
    ),
    (
        "template_render_failed",
        "BOSH and monit",
        "BOSH cannot render job templates",
    ),
    (
        "iaas_error",
        "BOSH and monit",
        "the CPI or the IaaS fails a request",
    ),
    (
        "disk_full",
        "The VM itself",
        "a filesystem is full or nearly",
    ),
    (
        "inodes_exhausted",
        "The VM itself",
        "a filesystem is out of inodes",
    ),
    (
        "out_of_memory",
        "The VM itself",
        "the OOM killer or a container memory limit killed a process",
    ),
    (
        "too_many_open_files",
        "The VM itself",
        "file descriptor limits reached",
    ),
    ("port_in_use", "The VM itself", "address already in use"),
    (
        "process_crash",
        "The VM itself",
        "a process panicked or crashed with no more specific category",
    ),
    (
        "connection_failed",
        "The VM itself",
        "a connection was refused or timed out with no more specific category",
    ),
];

/// Whether `name` is a category of the taxonomy.
pub fn is_category(name: &str) -> bool {
    CATEGORIES.iter().any(|(c, _, _)| *c == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for (c, _, _) in CATEGORIES {
            assert!(seen.insert(*c), "duplicate category {c}");
            assert!(
                c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{c}"
            );
        }
        assert!(is_category("cert_expired"));
        assert!(!is_category("cert-expired"));
    }
}
