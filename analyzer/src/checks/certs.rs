//! Certificates: every PEM `CERTIFICATE` block in a file's bytes, decoded with
//! `x509-parser`, judged against the VM's "now" (its collection time, never the wall clock).
//!
//! Blocks are found wherever a config holds them: `.crt`/`.pem` files, YAML block scalars
//! (indented lines), JSON or YAML double-quoted strings (`\n` escapes, `\/`, `\u002b`),
//! Java-properties-style continuations. The base64 body is collected from between the
//! `BEGIN`/`END` lines skipping layout only, then handed to `x509-parser`'s own PEM reader
//! as a plain PEM block, so decoding stays the crate's.
//!
//! Findings, one per certificate and file (the same certificate, by serial and issuer, seen
//! twice in one file counts once):
//!
//! | id | category | severity | when |
//! | --- | --- | --- | --- |
//! | `cert-expired` | `cert_expired` | critical | `now` > notAfter |
//! | `cert-not-yet-valid` | `cert_expired` | high | `now` < notBefore |
//! | `cert-expiring-soon` | `cert_expiring_soon` | medium | notAfter within `warn_days` of `now` |
//! | `cert-unknown-issuer` | `cert_unknown_authority` | low | a leaf (not CA, not self-signed) whose issuer is not the subject of any certificate of the same VM (CA certificates are often distributed apart from the leaf, hence low) |
//!
//! Not here: chain signature verification, hostname checks, private keys (never collected).

use super::{captures, human_duration, Check, Judge, Meta, Outcome, Reading, VmCheck};
use crate::finding::{Finding, Severity};
use crate::model::Certificate;
use jiff::Timestamp;
use memchr::memmem;
use std::collections::HashSet;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::X509Certificate;

pub(crate) const EXPIRED: Meta = Meta {
    id: "cert-expired",
    category: "cert_expired",
    severity: Severity::Critical,
    title: "Certificate expired",
    remediation: "Renew the certificate (CredHub/Vault/ops files), redeploy; if a VM hangs during the redeploy (cells do), put the renewed certificates in its job config by hand and `monit restart all` on it (seed 001).",
    risk_below: None,
    explained_by: &[],
};
pub(crate) const NOT_YET_VALID: Meta = Meta {
    id: "cert-not-yet-valid",
    category: "cert_expired",
    severity: Severity::High,
    title: "Certificate not yet valid",
    remediation: "Check the VM's clock (NTP) against the issuer's; reissue the certificate if its notBefore is wrong.",
    risk_below: None,
    explained_by: &[],
};
pub(crate) const EXPIRING_SOON: Meta = Meta {
    id: "cert-expiring-soon",
    category: "cert_expiring_soon",
    severity: Severity::Medium,
    title: "Certificate expiring soon",
    remediation: "Rotate the certificate before it expires (`credhub regenerate` or your CA process), then redeploy.",
    risk_below: Some(Severity::Critical),
    explained_by: &[],
};
pub(crate) const UNKNOWN_ISSUER: Meta = Meta {
    id: "cert-unknown-issuer",
    category: "cert_unknown_authority",
    severity: Severity::Low,
    title: "Certificate issuer not in the bundle",
    remediation: "Make sure the issuing CA is in the job's trusted CAs (`ca_cert`/`trusted_certs`); if the CA was rotated, redeploy every consumer.",
    risk_below: Some(Severity::Critical),
    explained_by: &[],
};

/// The certificates check, as registered.
pub const CHECK: Check = Check {
    name: "certs",
    kinds: &[EXPIRED, NOT_YET_VALID, EXPIRING_SOON, UNKNOWN_ISSUER],
    reads: |p, _| is_cert_location(p).then_some(Reading::Whole),
    per_vm: Some(|_| Box::<Certs>::default()),
};

/// Files that may hold certificates.
fn is_cert_location(p: &str) -> bool {
    let in_job_config = p
        .strip_prefix("var/vcap/jobs/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(job, below)| !job.is_empty() && below.starts_with("config/"));
    let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
    p == "var/vcap/bosh/settings.json"
        || in_job_config
        || p.starts_with("var/vcap/bosh/etc/")
        || p.starts_with("var/vcap/instance/")
        || [".crt", ".pem", ".cer"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// The certificates of one VM, evaluated at its end.
#[derive(Debug, Default)]
struct Certs(Vec<CertFacts>);

impl VmCheck for Certs {
    fn whole(&mut self, path: &str, bytes: &[u8]) {
        self.0.extend(extract(path, bytes));
    }

    fn finish(self: Box<Self>, on: &Judge<'_>, out: &mut Outcome) {
        let (findings, inventory) = evaluate(on.vm, &self.0, on.now, on.warn_days);
        out.findings.extend(findings);
        out.certificates.extend(inventory);
    }
}

const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const END: &[u8] = b"-----END CERTIFICATE-----";
/// A certificate body longer than this (in the file, escapes and indentation included) is
/// not a certificate we can read: the block is skipped.
const MAX_BLOCK: usize = 256 << 10;
const DAY: i64 = 86_400;

/// What one certificate says, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    pub path: String,
    /// Index among the file's distinct certificates (0-based).
    pub index: u32,
    /// 1-based line of its `BEGIN CERTIFICATE` in the file.
    pub line: u64,
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses of the subjectAltName extension.
    pub sans: Vec<String>,
    /// Hex bytes separated by `:`, as `openssl x509 -serial` shows them (lowercase).
    pub serial: String,
    pub is_ca: bool,
    /// Subject and issuer are the same name.
    pub self_signed: bool,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
}

/// Every certificate PEM block in `data` that decodes, in file order, each distinct
/// certificate (serial and issuer) once. Blocks that do not decode are skipped.
pub fn extract(path: &str, data: &[u8]) -> Vec<CertFacts> {
    let mut out: Vec<CertFacts> = Vec::new();
    let mut seen = HashSet::new();
    let mut lines_before = 0u64;
    let mut counted_to = 0usize;
    for (offset, der) in pem_blocks(data) {
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(&der) else {
            continue;
        };
        let Some(mut facts) = facts(&cert) else {
            continue;
        };
        if !seen.insert((facts.serial.clone(), facts.issuer.clone())) {
            continue;
        }
        lines_before += memchr::memchr_iter(b'\n', &data[counted_to..offset]).count() as u64;
        counted_to = offset;
        facts.path = path.to_string();
        facts.index = out.len() as u32;
        facts.line = lines_before + 1;
        out.push(facts);
    }
    out
}

fn facts(cert: &X509Certificate<'_>) -> Option<CertFacts> {
    let validity = cert.validity();
    let not_before = Timestamp::from_second(validity.not_before.timestamp()).ok()?;
    let not_after = Timestamp::from_second(validity.not_after.timestamp()).ok()?;
    let sans = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext.value.general_names.iter().filter_map(san).collect(),
        _ => Vec::new(),
    };
    Some(CertFacts {
        path: String::new(),
        index: 0,
        line: 0,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans,
        serial: cert.raw_serial_as_string(),
        is_ca: cert.is_ca(),
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
        not_before,
        not_after,
    })
}

fn san(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some(dns.to_string()),
        GeneralName::IPAddress(b) => match b.len() {
            4 => Some(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()),
            16 => <[u8; 16]>::try_from(*b)
                .ok()
                .map(|a| std::net::Ipv6Addr::from(a).to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// `(byte offset of BEGIN, DER bytes)` of every certificate block in `data` whose body
/// decodes as base64.
pub(crate) fn pem_blocks(data: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = memmem::find(&data[from..], BEGIN).map(|i| from + i) {
        let body_start = at + BEGIN.len();
        from = body_start;
        let Some((body, end)) = base64_body(&data[body_start..]) else {
            continue;
        };
        from = body_start + end;
        let pem = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
        if let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(pem.as_bytes()) {
            out.push((at, pem.contents));
        }
    }
    out
}

/// The base64 characters between `BEGIN` and `END` (layout and string escapes skipped), and
/// the offset just past `END`; `None` when something else is in the way (a truncated or
/// redacted block), so the caller moves on to the next `BEGIN`.
fn base64_body(s: &[u8]) -> Option<(String, usize)> {
    let mut body = String::with_capacity(2048);
    let mut i = 0;
    while i < s.len().min(MAX_BLOCK) {
        match s[i] {
            c @ (b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=') => {
                body.push(c as char);
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'\\' => match s.get(i + 1)? {
                // `\n`, `\r`, `\t` (JSON, YAML double-quoted), `\\n` (escaped twice), a
                // properties-style line continuation.
                b'n' | b'r' | b't' | b'\\' | b'\n' | b'\r' => {
                    i += 1 + usize::from(s[i + 1] != b'\\')
                }
                b'/' => {
                    body.push('/');
                    i += 2;
                }
                b'u' => {
                    let hex = std::str::from_utf8(s.get(i + 2..i + 6)?).ok()?;
                    match u8::try_from(u32::from_str_radix(hex, 16).ok()?).ok()? {
                        c @ (b'+' | b'/' | b'=') => body.push(c as char),
                        b'\n' | b'\r' | b'\t' | b' ' => {}
                        _ => return None,
                    }
                    i += 6;
                }
                _ => return None,
            },
            b'-' if s[i..].starts_with(END) => return Some((body, i + END.len())),
            _ => return None,
        }
    }
    None
}

/// Status of every certificate at `now`, their findings and the inventory records.
/// `issuer_in_bundle` looks at all of `certs` (one VM's certificates).
pub(crate) fn evaluate(
    vm: &str,
    certs: &[CertFacts],
    now: Option<Timestamp>,
    warn_days: i64,
) -> (Vec<Finding>, Vec<Certificate>) {
    let subjects: HashSet<&str> = certs.iter().map(|c| c.subject.as_str()).collect();
    let mut findings = Vec::new();
    let mut inventory = Vec::with_capacity(certs.len());
    for c in certs {
        let issuer_in_bundle = c.self_signed || subjects.contains(c.issuer.as_str());
        let (status, days_left) = match now {
            Some(now) => status(c, now, warn_days),
            None => (Status::Unknown, 0),
        };
        if let Some(now) = now {
            findings.extend(time_finding(vm, c, status, now));
        }
        if !issuer_in_bundle && !c.is_ca {
            findings.push(Finding {
                summary: format!(
                    "certificate {} is issued by {}, which is not among this VM's certificates",
                    c.subject, c.issuer
                ),
                ..base(&UNKNOWN_ISSUER, vm, c)
            });
        }
        inventory.push(Certificate {
            vm: vm.to_string(),
            path: c.path.clone(),
            index: c.index,
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            sans: c.sans.clone(),
            serial: c.serial.clone(),
            is_ca: c.is_ca,
            not_before: c.not_before,
            not_after: c.not_after,
            status: status.as_str().to_string(),
            days_left,
            issuer_in_bundle,
        });
    }
    (findings, inventory)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Valid,
    ExpiringSoon,
    Expired,
    NotYetValid,
    /// No "now" to judge by.
    Unknown,
}

impl Status {
    /// The value of [`Certificate::status`].
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::ExpiringSoon => "expiring_soon",
            Status::Expired => "expired",
            Status::NotYetValid => "not_yet_valid",
            Status::Unknown => "unknown",
        }
    }
}

/// The status at `now` and the whole days from `now` to notAfter ([`days_left`]).
pub(crate) fn status(c: &CertFacts, now: Timestamp, warn_days: i64) -> (Status, i64) {
    let left = c.not_after.as_second() - now.as_second();
    let status = if left < 0 {
        Status::Expired
    } else if now < c.not_before {
        Status::NotYetValid
    } else if left <= warn_days.saturating_mul(DAY) {
        Status::ExpiringSoon
    } else {
        Status::Valid
    };
    (status, days_left(c, now))
}

/// Whole days from `now` to notAfter, cut toward zero, but at most -1 once expired: 20 hours
/// left is 0, 2689.04 days ago is -2689, one hour ago is -1.
pub(crate) fn days_left(c: &CertFacts, now: Timestamp) -> i64 {
    let left = c.not_after.as_second() - now.as_second();
    if left < 0 {
        (left / DAY).min(-1)
    } else {
        left / DAY
    }
}

fn time_finding(vm: &str, c: &CertFacts, status: Status, now: Timestamp) -> Option<Finding> {
    let after = date(c.not_after);
    let (meta, summary, timestamp) = match status {
        Status::Expired => {
            let ago = now.as_second() - c.not_after.as_second();
            (
                &EXPIRED,
                format!(
                    "certificate {} expired {after} ({} before collection)",
                    c.subject,
                    days(ago)
                ),
                Some(c.not_after),
            )
        }
        Status::NotYetValid => {
            let ahead = c.not_before.as_second() - now.as_second();
            let summary = format!(
                "certificate {} is not valid before {} ({} after collection)",
                c.subject,
                date(c.not_before),
                days(ahead)
            );
            (&NOT_YET_VALID, summary, None)
        }
        Status::ExpiringSoon => {
            let left = c.not_after.as_second() - now.as_second();
            (
                &EXPIRING_SOON,
                format!(
                    "certificate {} expires {after} ({} after collection)",
                    c.subject,
                    days(left)
                ),
                None,
            )
        }
        Status::Valid | Status::Unknown => return None,
    };
    let mut f = Finding {
        summary,
        timestamp,
        ..base(meta, vm, c)
    };
    f.captures
        .insert("days_left".into(), days_left(c, now).to_string());
    Some(f)
}

/// A finding about `c` with its facts as captures and `openssl x509 -dates`-like excerpt.
fn base(meta: &Meta, vm: &str, c: &CertFacts) -> Finding {
    Finding {
        line: Some(c.line),
        excerpt: format!(
            "subject={} issuer={} notBefore={} notAfter={}",
            c.subject, c.issuer, c.not_before, c.not_after
        ),
        captures: captures([
            ("subject", c.subject.clone()),
            ("issuer", c.issuer.clone()),
            ("serial", c.serial.clone()),
            ("not_before", c.not_before.to_string()),
            ("not_after", c.not_after.to_string()),
            ("sans", c.sans.join(", ")),
        ]),
        ..meta.finding(vm, &c.path)
    }
}

fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// `495 days`, `1 day`, or under a day `5h 3m`, from seconds.
fn days(secs: i64) -> String {
    match secs / DAY {
        0 => human_duration(secs),
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    }
}

#[cfg(test)]
mod tests;
