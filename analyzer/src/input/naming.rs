//! Who a VM is and when it was collected, and where each file sits in it.
//!
//! - Identity and "now" come from our `manifest.json`, else from the names `bosh logs` gives
//!   its tarballs, else the input path.
//! - Entry names (hostile or not) become normalized VM paths; the layouts of our bundles
//!   (top directory), VM roots, and `bosh logs` (job folders, agent logs) are mapped onto
//!   `var/vcap/...`.

use super::sink::VmInfo;
use crate::finding::VmIdentity;
use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::Timestamp;
use serde_json::Value;

/// The largest `manifest.json` parsed (it is held in memory to parse).
pub(crate) const MANIFEST_CAP: u64 = 32 << 20;

/// What an archive's (or directory's) own name says about the VM inside.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct NameInfo {
    pub deployment: Option<String>,
    pub group: Option<String>,
    pub id: Option<String>,
    pub at: Option<Timestamp>,
}

impl NameInfo {
    /// `group/id` (or the group alone) when the name has one.
    fn instance(&self) -> Option<String> {
        match (&self.group, &self.id) {
            (Some(g), Some(id)) => Some(format!("{g}/{id}")),
            (Some(g), None) => Some(g.clone()),
            _ => None,
        }
    }

    /// Fills what this name lacks (deployment, time) from the enclosing archive's name.
    pub(crate) fn inherit(mut self, outer: &NameInfo) -> NameInfo {
        if self.deployment.is_none() {
            self.deployment.clone_from(&outer.deployment);
        }
        if self.at.is_none() {
            self.at = outer.at;
        }
        self
    }
}

/// What our bundle's `manifest.json` says, every field optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ManifestInfo {
    pub deployment: Option<String>,
    pub name: Option<String>,
    pub id: Option<String>,
    pub az: Option<String>,
    pub hostname: Option<String>,
    pub collected_at: Option<Timestamp>,
    pub complete: Option<bool>,
    pub incomplete_reason: Option<String>,
}

/// Parses `manifest.json`. Missing fields are fine; a field of the wrong shape is a warning.
pub(crate) fn parse_manifest(bytes: &[u8]) -> Result<(ManifestInfo, Vec<String>), String> {
    let root: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("manifest.json is not valid JSON: {e}"))?;
    if !root.is_object() {
        return Err("manifest.json is not a JSON object".to_string());
    }
    let text = |ptr: &str| {
        root.pointer(ptr)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut warnings = Vec::new();
    let collected_at = match root.get("collected_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match s.parse::<Timestamp>() {
            Ok(t) => Some(t),
            Err(e) => {
                warnings.push(format!(
                    "manifest.json: collected_at {s:?} is not an RFC 3339 time ({e})"
                ));
                None
            }
        },
        Some(other) => {
            warnings.push(format!(
                "manifest.json: collected_at is not a string: {other}"
            ));
            None
        }
    };
    let info = ManifestInfo {
        deployment: text("/bosh/deployment"),
        name: text("/bosh/name"),
        id: text("/bosh/id"),
        az: text("/bosh/az"),
        hostname: text("/host/hostname"),
        collected_at,
        complete: root.get("complete").and_then(Value::as_bool),
        incomplete_reason: text("/incomplete_reason"),
    };
    Ok((info, warnings))
}

/// The VM an archive or directory stands for: the manifest first, then its name, then
/// `fallback` (the input path, or `stdin`).
pub(crate) fn vm_info(
    origin: &str,
    fallback: &str,
    names: &NameInfo,
    manifest: Option<&ManifestInfo>,
) -> VmInfo {
    let m = manifest.cloned().unwrap_or_default();
    let from_manifest = match (&m.name, &m.id) {
        (Some(n), Some(id)) => Some(format!("{n}/{id}")),
        (Some(n), None) => Some(n.clone()),
        _ => m.hostname.clone(),
    };
    VmInfo {
        identity: VmIdentity {
            name: from_manifest
                .or_else(|| names.instance())
                .unwrap_or_else(|| fallback.to_string()),
            deployment: m.deployment.or_else(|| names.deployment.clone()),
            az: m.az,
        },
        collected_at: m.collected_at.or(names.at),
        origin: origin.to_string(),
        bundle_complete: m.complete,
        incomplete_reason: m.incomplete_reason,
        is_loose: false,
    }
}

/// A loose input (log file, stdin) standing for a VM of its own.
pub(crate) fn loose_vm(origin: &str, name: &str) -> VmInfo {
    VmInfo {
        identity: VmIdentity {
            name: name.to_string(),
            deployment: None,
            az: None,
        },
        collected_at: None,
        origin: origin.to_string(),
        bundle_complete: None,
        incomplete_reason: None,
        is_loose: true,
    }
}

/// Reads what a file name says: `bosh logs` names, `logs_<epoch>`, our bundle names.
///
/// - `<deployment>.<group>.<id>-<YYYYMMDD>-<HHMMSS>[-.]<nanos>` (single instance;
///   `<deployment>.<group>-...` and `<deployment>-...` for several)
/// - `<job>.<uuid>.<Y-m-d-H-M-S>` (one instance inside a multi-instance tarball)
/// - `<deployment>.<instance-name>.<instance-id>.<UTC timestamp>` (our bundles)
/// - `logs_<epoch seconds>`
///
/// Times are taken as UTC. Anything else says nothing.
pub(crate) fn parse_name(file_name: &str) -> NameInfo {
    let stem = strip_archive_ext(file_name);
    if let Some(epoch) = stem.strip_prefix("logs_") {
        let at = epoch
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok());
        return NameInfo {
            at,
            ..NameInfo::default()
        };
    }
    if let Some((rest, at)) = split_compact_time(stem) {
        // instance ids and group names hold no dots: split them off the right
        let parts: Vec<&str> = rest.rsplitn(3, '.').collect();
        let info = match parts.as_slice() {
            [id, group, deployment] => NameInfo {
                deployment: Some(deployment.to_string()),
                group: Some(group.to_string()),
                id: Some(id.to_string()),
                at: Some(at),
            },
            [group, deployment] => NameInfo {
                deployment: Some(deployment.to_string()),
                group: Some(group.to_string()),
                id: None,
                at: Some(at),
            },
            _ => NameInfo {
                deployment: Some(rest.to_string()),
                at: Some(at),
                ..NameInfo::default()
            },
        };
        return info.non_empty();
    }
    if let Some((rest, last)) = stem.rsplit_once('.') {
        if let Some(at) = parse_dotted_time(last) {
            let parts: Vec<&str> = rest.split('.').collect();
            let info = match parts.as_slice() {
                [group, id] => NameInfo {
                    group: Some(group.to_string()),
                    id: Some(id.to_string()),
                    at: Some(at),
                    ..NameInfo::default()
                },
                [deployment, group, id] => NameInfo {
                    deployment: Some(deployment.to_string()),
                    group: Some(group.to_string()),
                    id: Some(id.to_string()),
                    at: Some(at),
                },
                _ => NameInfo {
                    at: Some(at),
                    ..NameInfo::default()
                },
            };
            return info.non_empty();
        }
    }
    NameInfo::default()
}

impl NameInfo {
    fn non_empty(mut self) -> Self {
        for field in [&mut self.deployment, &mut self.group, &mut self.id] {
            if field.as_deref().is_some_and(str::is_empty) {
                *field = None;
            }
        }
        self
    }
}

/// `name` without `.tgz`, `.tar.gz` or `.tar`.
pub(crate) fn strip_archive_ext(name: &str) -> &str {
    for ext in [".tar.gz", ".tgz", ".tar"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem;
        }
    }
    name
}

/// Whether a file name says "tar archive".
pub(crate) fn has_archive_ext(name: &str) -> bool {
    strip_archive_ext(name).len() != name.len()
}

/// Splits `-YYYYMMDD-HHMMSS[-.]digits` (the fraction optional) off the end of a `bosh logs` name.
fn split_compact_time(stem: &str) -> Option<(&str, Timestamp)> {
    if let Some(found) = compact_at_end(stem) {
        return Some(found);
    }
    let sep = stem.rfind(['-', '.'])?;
    let frac = &stem[sep + 1..];
    if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (rest, at) = compact_at_end(&stem[..sep])?;
    let nanos: i64 = format!("{frac:0<9}").parse().ok()?;
    Some((
        rest,
        at.checked_add(jiff::SignedDuration::from_nanos(nanos))
            .ok()?,
    ))
}

/// `(rest, time)` when `s` ends with `-YYYYMMDD-HHMMSS`.
fn compact_at_end(s: &str) -> Option<(&str, Timestamp)> {
    if s.len() < 17 || !s.is_char_boundary(s.len() - 16) {
        return None;
    }
    let (rest, tail) = s.split_at(s.len() - 16);
    let tail = tail.as_bytes();
    if tail[0] != b'-'
        || tail[9] != b'-'
        || !tail[1..9]
            .iter()
            .chain(&tail[10..16])
            .all(u8::is_ascii_digit)
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> i64 {
        tail[r].iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'))
    };
    let at = utc(
        num(1..5),
        num(5..7),
        num(7..9),
        num(10..12),
        num(12..14),
        num(14..16),
    )?;
    (!rest.is_empty()).then_some((rest, at))
}

/// `Y-m-d-H-M-S`, or one of the compact forms a bundle name may carry.
fn parse_dotted_time(s: &str) -> Option<Timestamp> {
    let fields: Vec<&str> = s.split('-').collect();
    if fields.len() == 6
        && fields
            .iter()
            .all(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    {
        let n: Vec<i64> = fields.iter().filter_map(|f| f.parse().ok()).collect();
        return utc(n[0], n[1], n[2], n[3], n[4], n[5]);
    }
    // 20240102T030405Z, 2024-01-02T03-04-05Z, 2024-01-02T03:04:05Z
    let s2 = s.trim_end_matches('Z');
    let digits: String = s2.chars().filter(char::is_ascii_digit).collect();
    let shape_ok = s2.contains('T')
        && s2
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T'));
    if shape_ok && digits.len() == 14 {
        let num = |r: std::ops::Range<usize>| digits[r].parse::<i64>().ok();
        return utc(
            num(0..4)?,
            num(4..6)?,
            num(6..8)?,
            num(8..10)?,
            num(10..12)?,
            num(12..14)?,
        );
    }
    None
}

fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<Timestamp> {
    let dt = DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s).ok()?,
        0,
    )
    .ok()?;
    Offset::UTC.to_timestamp(dt).ok()
}

/// An entry name as a clean relative path: lossy UTF-8, no leading `/`, no empty or `.`
/// components, `..` resolved lexically and never above the root.
pub(crate) fn normalize(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let mut parts: Vec<&str> = Vec::new();
    for c in s.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

/// How entry names of one VM map onto VM paths.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Layout {
    /// Our bundle: names sit under one top directory (if any), stripped; the rest is a VM path.
    Bundle { top: Option<String> },
    /// Anything else, decided per entry: VM paths (`var/vcap/...`, also under one top
    /// directory) stay; other names are `bosh logs` job folders and agent logs.
    Auto,
}

/// When `norm` is our bundle's manifest (`manifest.json` or `<top>/manifest.json`), the
/// bundle's top directory.
pub(crate) fn manifest_top(norm: &str) -> Option<Option<String>> {
    match norm.split_once('/') {
        None if norm == "manifest.json" => Some(None),
        Some((top, "manifest.json")) => Some(Some(top.to_string())),
        _ => None,
    }
}

/// The entry name of the record `vcap-analyze redact` adds at the root of an archive it
/// copied (`foreign::manifest::MANIFEST_NAME` is this name): defined here, below both the
/// reader and the copy.
pub const REDACT_MANIFEST: &str = "vcap-redact-manifest.json";

/// Whether `norm` is the record `vcap-analyze redact` adds at the root of an archive it
/// copied ([`REDACT_MANIFEST`]): metadata about the copy, not a file of any VM, so the
/// readers pass over it.
pub(crate) fn is_redact_manifest(norm: &str) -> bool {
    norm == REDACT_MANIFEST
}

/// The VM path of a normalized entry name.
pub(crate) fn vm_path(norm: &str, layout: &Layout) -> String {
    match layout {
        Layout::Bundle { top: Some(top) } => match norm.split_once('/') {
            Some((first, rest)) if first == top => rest.to_string(),
            _ => norm.to_string(),
        },
        Layout::Bundle { top: None } => norm.to_string(),
        Layout::Auto => auto_path(norm),
    }
}

fn is_vm_path(p: &str) -> bool {
    p.starts_with("var/vcap/")
        || p.starts_with("var/log/")
        || p.starts_with("commands/")
        || p == "manifest.json"
}

fn auto_path(p: &str) -> String {
    if is_vm_path(p) {
        return p.to_string();
    }
    if let Some((_, rest)) = p.split_once('/') {
        if is_vm_path(rest) {
            return rest.to_string();
        }
    }
    bosh_logs_path(p)
}

/// `bosh logs` layout: job folders at the root are `/var/vcap/sys/log/<job>`; `current` and
/// `@4000...` files are the agent's (`/var/vcap/bosh/log`); system logs are `/var/log`.
fn bosh_logs_path(p: &str) -> String {
    if p.contains('/') {
        return format!("var/vcap/sys/log/{p}");
    }
    let is_system = ["syslog", "kern.log", "messages", "auth.log"]
        .iter()
        .any(|s| p == *s || p.strip_prefix(s).is_some_and(|r| r.starts_with('.')));
    if p == "current" || p.starts_with("@4000") {
        format!("var/vcap/bosh/log/{p}")
    } else if is_system {
        format!("var/log/{p}")
    } else {
        format!("var/vcap/sys/log/{p}")
    }
}

/// The VM path of a loose file: from `var/vcap/` or `var/log/` on when its path has one,
/// else its file name.
pub(crate) fn loose_path(given: &str) -> String {
    let norm = normalize(given.as_bytes());
    for marker in ["var/vcap/", "var/log/"] {
        if norm.starts_with(marker) {
            return norm;
        }
        if let Some(i) = norm.find(&format!("/{marker}")) {
            return norm[i + 1..].to_string();
        }
    }
    norm.rsplit('/').next().unwrap_or_default().to_string()
}

/// The last component of a path-like name.
pub(crate) fn base_name(norm: &str) -> &str {
    norm.rsplit('/').next().unwrap_or(norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Option<Timestamp> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn bosh_logs_single_instance_name() {
        let n = parse_name(
            "cf.diego_cell.3f2a9c1e-1111-2222-3333-444455556666-20240102-030405-123456789.tgz",
        );
        assert_eq!(n.deployment.as_deref(), Some("cf"));
        assert_eq!(n.group.as_deref(), Some("diego_cell"));
        assert_eq!(
            n.id.as_deref(),
            Some("3f2a9c1e-1111-2222-3333-444455556666")
        );
        assert_eq!(n.at, ts("2024-01-02T03:04:05.123456789Z"));
        let n = parse_name("cf.router.0-20240102-030405.tgz");
        assert_eq!(
            (n.group.as_deref(), n.id.as_deref()),
            (Some("router"), Some("0"))
        );
        assert_eq!(n.at, ts("2024-01-02T03:04:05Z"));
        let n = parse_name("cf-20240102-030405-5.tgz");
        assert_eq!((n.deployment.as_deref(), n.group), (Some("cf"), None));
        assert_eq!(n.at, ts("2024-01-02T03:04:05.5Z"));
    }

    #[test]
    fn nested_instance_and_multi_instance_names() {
        let n = parse_name("doppler.7d9e-aa.2024-01-02-03-04-05.tgz");
        assert_eq!(
            (n.group.as_deref(), n.id.as_deref()),
            (Some("doppler"), Some("7d9e-aa"))
        );
        assert_eq!(n.at, ts("2024-01-02T03:04:05Z"));
        let n = parse_name("logs_1704164645.tgz");
        assert_eq!(n.at, ts("2024-01-02T03:04:05Z"));
        assert_eq!(n.group, None);
    }

    #[test]
    fn our_bundle_name() {
        let n = parse_name("cf.diego_cell.abc.20240102T030405Z.tgz");
        assert_eq!(n.deployment.as_deref(), Some("cf"));
        assert_eq!(n.at, ts("2024-01-02T03:04:05Z"));
        assert_eq!(parse_name("random.tgz"), NameInfo::default());
        assert_eq!(parse_name("a.b.c.notatime.tgz"), NameInfo::default());
    }

    #[test]
    fn names_are_normalized_without_escaping_the_root() {
        assert_eq!(normalize(b"../../etc/passwd"), "etc/passwd");
        assert_eq!(normalize(b"/etc/shadow"), "etc/shadow");
        assert_eq!(normalize(b"./a/./b/../c"), "a/c");
        assert_eq!(normalize(b"a/\xff.log"), "a/\u{fffd}.log");
    }

    #[test]
    fn layouts_map_to_vm_paths() {
        let bundle = Layout::Bundle {
            top: Some("b".into()),
        };
        assert_eq!(
            vm_path("b/var/vcap/sys/log/rep/rep.log", &bundle),
            "var/vcap/sys/log/rep/rep.log"
        );
        assert_eq!(vm_path("b/commands/df.txt", &bundle), "commands/df.txt");
        assert_eq!(
            vm_path("rep/rep.stdout.log", &Layout::Auto),
            "var/vcap/sys/log/rep/rep.stdout.log"
        );
        assert_eq!(
            vm_path("current", &Layout::Auto),
            "var/vcap/bosh/log/current"
        );
        assert_eq!(
            vm_path("@400000006592f5a30a1b2c3d.s", &Layout::Auto),
            "var/vcap/bosh/log/@400000006592f5a30a1b2c3d.s"
        );
        assert_eq!(vm_path("syslog.1.gz", &Layout::Auto), "var/log/syslog.1.gz");
        assert_eq!(
            vm_path("var/vcap/monit/monit.log", &Layout::Auto),
            "var/vcap/monit/monit.log"
        );
        assert_eq!(
            vm_path("x/var/vcap/monit/monit.log", &Layout::Auto),
            "var/vcap/monit/monit.log"
        );
        assert_eq!(manifest_top("b/manifest.json"), Some(Some("b".into())));
        assert_eq!(manifest_top("manifest.json"), Some(None));
        assert_eq!(manifest_top("b/c/manifest.json"), None);
    }

    #[test]
    fn loose_paths() {
        assert_eq!(
            loose_path("/tmp/x/var/vcap/sys/log/rep/rep.log"),
            "var/vcap/sys/log/rep/rep.log"
        );
        assert_eq!(loose_path("/tmp/app.log"), "app.log");
        assert_eq!(loose_path("var/log/syslog"), "var/log/syslog");
    }

    #[test]
    fn manifest_fields_are_optional() {
        let (m, w) = parse_manifest(br#"{"bosh":{"deployment":"cf","name":"doppler","id":"0","az":"z1"},"collected_at":"2024-01-02T03:04:05Z","complete":false,"incomplete_reason":"budget"}"#).unwrap();
        let vm = vm_info("b.tgz", "b.tgz", &NameInfo::default(), Some(&m));
        assert_eq!(vm.identity.name, "doppler/0");
        assert_eq!(vm.identity.az.as_deref(), Some("z1"));
        assert_eq!(vm.collected_at, ts("2024-01-02T03:04:05Z"));
        assert_eq!(
            (vm.bundle_complete, vm.incomplete_reason.as_deref()),
            (Some(false), Some("budget"))
        );
        assert!(w.is_empty());
        let (m, w) =
            parse_manifest(br#"{"host":{"hostname":"h1"},"collected_at":"yesterday"}"#).unwrap();
        assert_eq!(
            vm_info("o", "o", &NameInfo::default(), Some(&m))
                .identity
                .name,
            "h1"
        );
        assert_eq!(w.len(), 1);
        let (m, _) = parse_manifest(b"{}").unwrap();
        assert_eq!(
            vm_info("o", "fb", &NameInfo::default(), Some(&m))
                .identity
                .name,
            "fb"
        );
        assert!(parse_manifest(b"[1]").is_err());
        assert!(parse_manifest(b"{").is_err());
    }
}
