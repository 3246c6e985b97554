//! Our own bundle's `manifest.json`, met while redacting a copy of one of our bundles.
//!
//! As text, it would be damaged: each file record counts its redactions by kind
//! (`"redacted_kinds": { "password": 2 }`), and the redaction rules take `"password": 2` for
//! a secret value and replace the count, unquoted, which breaks the JSON and with it the
//! bundle's identity and collection time for every reader. So a manifest of our format is
//! redacted as data: the counts by kind are set aside, the rest is redacted as text (every
//! string keeps its key beside it, so the rules see the context they need) and must still
//! parse, then the counts go back. What does not parse as our manifest is redacted as text
//! like any file.
//!
//! Not kept: fields this version of the format does not know (a bundle from a newer
//! collector); the copy holds what this version reads.

use bundle::manifest::{Manifest, FORMAT};
use redact::{RedactStats, Redactor};

/// Manifests larger than this are redacted as text (the reader parses at most as much).
pub(crate) const CAP: u64 = 32 << 20;

/// Whether an entry may be our bundle's manifest, by name.
pub(crate) fn is_candidate(name: &[u8]) -> bool {
    name.rsplit(|b| *b == b'/').next() == Some(b"manifest.json")
}

/// The redacted manifest (pretty JSON, as the collector writes it) and what was redacted, or
/// `None` when `bytes` is not our manifest or its redaction would not parse.
pub(crate) fn redact(redactor: &Redactor, bytes: &[u8]) -> Option<(Vec<u8>, RedactStats)> {
    let mut m: Manifest = serde_json::from_slice(bytes).ok()?;
    if m.format != FORMAT {
        return None;
    }
    let kinds: Vec<_> = m
        .files
        .iter_mut()
        .map(|f| std::mem::take(&mut f.redacted_kinds))
        .collect();
    let text = serde_json::to_vec_pretty(&m).ok()?;
    let (redacted, stats) = redactor.redact_bytes(&text);
    let mut back: Manifest = serde_json::from_slice(&redacted).ok()?;
    if back.files.len() != kinds.len() {
        return None;
    }
    for (f, k) in back.files.iter_mut().zip(kinds) {
        f.redacted_kinds = k;
    }
    let out = serde_json::to_vec_pretty(&back).ok()?;
    Some((out, stats))
}

/// Whether `bytes` is our bundle's manifest.
pub(crate) fn is_ours(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Manifest>(bytes).is_ok_and(|m| m.format == FORMAT)
}

/// For the secret scan of our manifest as the collector writes it (pretty JSON): whether
/// `line` is a count inside a `"redacted_kinds": { ... }` block, given whether the previous
/// lines opened one. `in_block` is updated. Such a line (`"password": 2,`) names a kind of
/// secret and how many were removed: it holds none.
pub(crate) fn is_count_by_kind(line: &[u8], in_block: &mut bool) -> bool {
    let t = line.trim_ascii();
    if t == b"\"redacted_kinds\": {" {
        *in_block = true;
        return false;
    }
    if !*in_block {
        return false;
    }
    if t.starts_with(b"}") {
        *in_block = false;
        return false;
    }
    let t = t.strip_suffix(b",").unwrap_or(t);
    let Some(colon) = memchr::memmem::find(t, b"\": ") else {
        return false;
    };
    let (key, value) = (&t[..colon], &t[colon + 3..]);
    key.starts_with(b"\"")
        && key[1..]
            .iter()
            .all(|b| b.is_ascii_lowercase() || *b == b'_')
        && !value.is_empty()
        && value.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_kind_survive_and_strings_are_still_redacted() {
        let json = r#"{"format":"vcap-diag-bundle","format_version":1,
          "collector":{"name":"vcap-collect","version":"0.1.0"},"host":{"hostname":"vm","root":"/"},
          "bosh":{"deployment":"cf","name":"diego_cell","id":"x","az":"z1","agent_id":null,"vm_cid":null},
          "collected_at":"2019-07-13T13:27:21Z","finished_at":"2019-07-13T13:27:22Z","clock":{"unix_seconds":1},
          "options":{"since_seconds":1,"max_file_size":1,"max_total":1,"min_free_bytes":1,"min_free_percent":5.0,
            "command_timeout_seconds":1,"max_duration_seconds":1,"commands":true,"include":[],"exclude":[]},
          "complete":true,"incomplete_reason":null,
          "files":[{"path":"var/vcap/bosh/settings.json","status":"ok","detail":"note password=hunter2hunter2",
            "source_size":1,"mtime":null,"size":1,"redactions":3,"redacted_kinds":{"password":2,"private_key":1}}],
          "commands":[],"totals":{"files_stored":1,"files_not_stored":0,"bytes_stored":1,"redactions":3,"leak_scan_hits":0}}"#;
        let (out, stats) = redact(&Redactor::new(), json.as_bytes()).expect("our manifest");
        let back: Manifest = serde_json::from_slice(&out).unwrap();
        assert_eq!(back.files[0].redacted_kinds.get("password"), Some(&2));
        assert_eq!(
            back.files[0].detail.as_deref(),
            Some("note password=[REDACTED password]")
        );
        assert_eq!(stats.redactions, 1);
        assert_eq!(back.bosh.name.as_deref(), Some("diego_cell"));
        assert!(redact(&Redactor::new(), br#"{"format":"other"}"#).is_none());
        assert!(is_candidate(b"top/manifest.json") && !is_candidate(b"top/manifest.json.1"));
        assert!(is_ours(&out));

        let mut block = false;
        let lines: Vec<bool> = out
            .split(|b| *b == b'\n')
            .map(|l| is_count_by_kind(l, &mut block))
            .collect();
        assert_eq!(
            lines.iter().filter(|c| **c).count(),
            2,
            "the two counts, nothing else"
        );
        let mut block = true;
        assert!(
            !is_count_by_kind(b"      \"password\": \"hunter2\",", &mut block),
            "a string is no count"
        );
    }
}
