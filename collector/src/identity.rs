//! Who this VM is: BOSH identity from `/var/vcap/instance/*` and `settings.json`, the host
//! name, and the bundle name derived from them.

use bundle::manifest::BoshIdentity;
use std::io::Read;
use std::path::Path;

/// Reads the BOSH identity under `root`. Missing or unreadable files leave fields empty.
pub fn bosh_identity(root: &Path) -> BoshIdentity {
    let instance = root.join("var/vcap/instance");
    let mut id = BoshIdentity {
        deployment: read_small(&instance.join("deployment")),
        name: read_small(&instance.join("name")),
        id: read_small(&instance.join("id")),
        az: read_small(&instance.join("az")),
        ..BoshIdentity::default()
    };
    if let Some(settings) = read_limited(&root.join("var/vcap/bosh/settings.json"), 4 << 20) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&settings) {
            id.agent_id = v
                .get("agent_id")
                .and_then(|s| s.as_str())
                .map(str::to_owned);
            id.vm_cid = v
                .pointer("/vm/cid")
                .or_else(|| v.pointer("/vm/name"))
                .and_then(|s| s.as_str())
                .map(str::to_owned);
        }
    }
    id
}

/// The host name: the tree's `/etc/hostname` when collecting from `--root`, else the kernel's.
pub fn hostname(root: &Path) -> String {
    if root != Path::new("/") {
        if let Some(h) = read_small(&root.join("etc/hostname")) {
            return h;
        }
    }
    read_small(Path::new("/proc/sys/kernel/hostname")).unwrap_or_else(|| "unknown-host".into())
}

/// `<deployment>.<instance-name>.<instance-id>.<UTC timestamp>`, each part reduced to
/// `[A-Za-z0-9_-]`; unknown parts fall back to `unknown` and the host name.
pub fn bundle_stem(id: &BoshIdentity, host: &str, at: jiff::Timestamp) -> String {
    let part = |v: &Option<String>, fallback: &str| sanitize(v.as_deref().unwrap_or(fallback));
    format!(
        "{}.{}.{}.{}",
        part(&id.deployment, "unknown"),
        part(&id.name, host),
        part(&id.id, "unknown"),
        at.strftime("%Y%m%dT%H%M%SZ")
    )
}

fn sanitize(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if out.is_empty() {
        "unknown".into()
    } else {
        out
    }
}

/// First line of a small text file, trimmed; `None` when missing or empty.
fn read_small(path: &Path) -> Option<String> {
    let bytes = read_limited(path, 4096)?;
    let s = String::from_utf8_lossy(&bytes);
    let line = s.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_owned())
}

fn read_limited(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_end(&mut buf)
        .ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stem_is_safe_and_complete() {
        let id = BoshIdentity {
            deployment: Some("cf".into()),
            name: Some("diego_cell".into()),
            id: Some("3f2a/../x".into()),
            ..Default::default()
        };
        let at: jiff::Timestamp = "2026-11-21T23:40:11Z".parse().unwrap();
        assert_eq!(
            bundle_stem(&id, "h", at),
            "cf.diego_cell.3f2a____x.20261121T234011Z"
        );
        let none = BoshIdentity::default();
        assert_eq!(
            bundle_stem(&none, "my-host", at),
            "unknown.my-host.unknown.20261121T234011Z"
        );
    }
}
