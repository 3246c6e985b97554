//! Prefixes that wrap a line of another envelope: the `bosh ssh -c` VM prefix (which says
//! which VM the line belongs to), svlogd's timestamp (`/var/vcap/bosh/log/current`) and the
//! ctl scripts' `[2018-04-23 16:26:00+0000] ` in front of a job's own line.
//!
//! `bosh ssh -c CMD` prints every line of every instance as `<group>/<id>: stdout | <line>`
//! (`stderr` for the error stream), as in cloudfoundry/bosh-cli#434:
//!
//! ```text
//! vm/0: stderr | Unauthorized use is strictly prohibited. All access and activity
//! vm/0: stdout | output
//! ```

/// The VM named by a `bosh ssh -c` prefix, and the line after it; `(None, raw)` when the
/// line has no such prefix. Cheap: a few byte comparisons on lines without one.
pub fn split_vm(raw: &[u8]) -> (Option<&str>, &[u8]) {
    match ssh_prefix(raw) {
        Some((vm, body)) => (Some(vm), body),
        None => (None, raw),
    }
}

/// The separator of a `bosh ssh` prefix, searched for once per candidate line.
static STD: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b": std"));

/// How far into a line the `: stdout | ` of a `bosh ssh` prefix may be (a group name and a
/// UUID fit easily).
const MAX_PREFIX: usize = 160;

fn ssh_prefix(raw: &[u8]) -> Option<(&str, &[u8])> {
    let start = raw
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let s = &raw[start..];
    let window = &s[..s.len().min(MAX_PREFIX)];
    let colon = STD.find(window)?;
    let name = &s[..colon];
    let rest = &s[colon + 2..];
    let rest = rest
        .strip_prefix(b"stdout |")
        .or_else(|| rest.strip_prefix(b"stderr |"))?;
    let body = rest.strip_prefix(b" ").unwrap_or(rest);
    let (group, id) = name.split_at(memchr::memchr(b'/', name)?);
    let id = &id[1..];
    let word = |w: &[u8]| {
        !w.is_empty()
            && w.iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    if !word(group) || !word(id) {
        return None;
    }
    Some((std::str::from_utf8(name).ok()?, body))
}

/// The line after svlogd's `-tt` timestamp (`2018-11-06_18:14:07.15669 `) or a TAI64N label
/// (`@400000005be1d5a80d0e2b3c `), if it has one.
pub fn strip_svlogd(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    if b.len() > 27 && b[10] == b'_' && b[4] == b'-' && b[13] == b':' {
        let end = s.find(' ')?;
        return (19..=30).contains(&end).then(|| &s[end + 1..]);
    }
    if b.len() > 26 && b[0] == b'@' && b[1..25].iter().all(u8::is_ascii_hexdigit) && b[25] == b' ' {
        return Some(&s[26..]);
    }
    None
}

/// The line after a ctl script's `[YYYY-MM-DD HH:MM:SS+0000] ` prefix, if it has one.
pub fn strip_ctl(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let shape = b.len() > 22
        && b[0] == b'['
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b'-'
        && b[11] == b' '
        && b[14] == b':';
    if !shape {
        return None;
    }
    let close = s.find("] ")?;
    (close <= 32).then(|| s[close + 2..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    // cloudfoundry/bosh-cli#434: `bosh ssh -c "echo output; >&2 echo error; exit 123;"`.
    #[test]
    fn bosh_ssh_prefix_names_the_vm() {
        assert_eq!(
            split_vm(b"vm/0: stdout | output"),
            (Some("vm/0"), &b"output"[..])
        );
        assert_eq!(
            split_vm(
                b"vm/0: stderr | Unauthorized use is strictly prohibited. All access and activity"
            ),
            (
                Some("vm/0"),
                &b"Unauthorized use is strictly prohibited. All access and activity"[..]
            )
        );
        // The seeds' instance names (seed 004: nginx/14e444f1-...) in the same prefix.
        assert_eq!(
            split_vm(
                b"nginx/14e444f1-48c0-4006-8908-7d535ee88bc0: stdout | Process 'nginx'  running"
            )
            .0,
            Some("nginx/14e444f1-48c0-4006-8908-7d535ee88bc0")
        );
        // Not a prefix: a URL, a sentence with a colon, text mentioning stdout.
        for line in [
            &b"Get https://10.0.0.6:25555/info: x509: certificate has expired"[..],
            b"2018/11/06 18:14:07 writing to stdout | tee",
            b"a b/c: stdout | x",
            b"",
        ] {
            assert_eq!(split_vm(line).0, None, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn svlogd_and_ctl_prefixes() {
        // seeds/004 (bosh-agent under svlogd).
        assert_eq!(
            strip_svlogd("2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status"),
            Some("[monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status")
        );
        // cloudfoundry/routing-release (routing-api.stdout.log pasted in an issue).
        assert_eq!(
            strip_ctl(r#"[2018-04-23 16:26:00+0000] {"timestamp":"1524500760.852982998"}"#),
            Some(r#"{"timestamp":"1524500760.852982998"}"#)
        );
        assert_eq!(strip_ctl("[CELL/0] OUT x"), None);
        assert_eq!(strip_svlogd("2018-11-06 18:45:30 x"), None);
    }
}
