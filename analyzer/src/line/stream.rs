//! `cf-logs`: an app's log stream as `cf logs` and `cf push` print it:
//!
//! ```text
//! 2019-07-13T09:27:21.74-0400 [CELL/0] ERR Downloading Failed
//! 2021-04-05T12:21:22.559-04:00 [CELL/0] [ERR] Failed after 1m1.598s: readiness health check never passed.
//! 2014-04-30T20:40:07.68+0100 [API]     OUT Updated app with guid ...
//! [cell/o] ERR Downloading Failed
//! ```
//!
//! An optional time, a `[TAG]` or `[TAG/INDEX]` (`CELL/0`, `STG/0`, `API/0`, `APP/PROC/WEB/0`,
//! `RTR/0`, `LGR`, `HEALTH/0`, `CELL/SSHD/0`...), then `OUT` or `ERR` (bracketed in newer
//! CLIs), then the text. The tag is the source; `ERR` is the error stream, not necessarily an
//! error, so it gives [`Level::Warn`] unless the text says more.

use super::{Envelope, Level, Line};
use crate::timestamp::YearHint;

/// The line as an app log stream line, if it is one.
pub fn parse(t: &str, _hint: YearHint) -> Option<Line> {
    let rest = skip_time(t);
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    let tag = &rest[..close];
    if !is_tag(tag) {
        return None;
    }
    let after = rest[close + 1..].trim_start();
    let (stream, text) = match after.split_once(' ') {
        Some((s, text)) => (s, text),
        None => (after, ""),
    };
    let level = match stream.trim_matches(|c| c == '[' || c == ']') {
        "OUT" => Level::Info,
        "ERR" => Level::Warn,
        _ => return None,
    };
    Some(Line {
        envelope: Envelope::CfLogs,
        level: Some(level),
        source: Some(tag.to_string()),
        message: super::non_empty(text),
        ..Line::default()
    })
}

/// After a leading `cf logs` time (`2019-07-13T09:27:21.74-0400 `), if there is one.
fn skip_time(t: &str) -> &str {
    let b = t.as_bytes();
    if b.len() > 20 && b[0].is_ascii_digit() && b[4] == b'-' && b[10] == b'T' {
        if let Some(sp) = t.find(' ') {
            return t[sp..].trim_start();
        }
    }
    t
}

/// `CELL/0`, `APP/PROC/WEB/0`, `API`, `LGR`, `cell/o`: short upper- or lower-case words
/// and indexes separated by `/`.
fn is_tag(tag: &str) -> bool {
    let mut parts = tag.split('/');
    let first = parts.next().unwrap_or("");
    let word = |p: &str| {
        !p.is_empty()
            && p.len() <= 12
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (2..=8).contains(&first.len())
        && (first.bytes().all(|b| b.is_ascii_uppercase())
            || first.bytes().all(|b| b.is_ascii_lowercase()))
        && tag.split('/').count() <= 5
        && parts.all(word)
}

#[cfg(test)]
mod tests {
    use super::super::{parse as parse_line, Envelope, Level};
    use crate::timestamp::YearHint;

    fn line(s: &str) -> super::Line {
        parse_line(s.as_bytes(), YearHint::default())
    }

    #[test]
    fn cf_logs_lines() {
        // seeds/001 (its `cf push` paste; the seed writes `cell/o`).
        let l = line("[cell/o] ERR Downloading Failed");
        assert_eq!(l.envelope, Envelope::CfLogs);
        assert_eq!(l.source.as_deref(), Some("cell/o"));
        assert_eq!(l.message.as_deref(), Some("Downloading Failed"));
        assert_eq!(l.level, Some(Level::Warn));
        let l = line("[api/0] OUT process crushed with type: \"web\"");
        assert_eq!((l.envelope, l.level), (Envelope::CfLogs, Some(Level::Info)));
        // A public jPOS-on-CF tutorial (bracketed stream name of newer CLIs).
        let l = line("2021-04-05T12:21:22.559-04:00 [CELL/0] [ERR] Failed after 1m1.598s: readiness health check never passed.");
        assert_eq!(l.source.as_deref(), Some("CELL/0"));
        assert_eq!(
            l.message.as_deref(),
            Some("Failed after 1m1.598s: readiness health check never passed.")
        );
        assert!(l.time.is_some());
        // cloudfoundry/cli#157 (`cf logs --recent`, 2014: tag without index, padded; the hash
        // cut after `memory`).
        let l = line("2014-04-30T20:40:07.68+0100 [API]     OUT Updated app with guid c7ae8edd-2ad4-44ce-993b-84083b3f8209 ({\"name\"=>\"web-app\", \"memory\"=>1024})");
        assert_eq!(
            (l.envelope, l.source.as_deref()),
            (Envelope::CfLogs, Some("API"))
        );
        // cloudfoundry/gorouter#136 era RTR line.
        let l = line("2016-08-21T22:53:57.64-0400 [RTR/5]      OUT cacheable-redis.cfapps.io - [22/08/2016:02:53:57.627 +0000] \"GET /v1/getTwitterHandle/kenny HTTP/1.1\" 200 0 12");
        assert_eq!(
            (l.envelope, l.source.as_deref()),
            (Envelope::CfLogs, Some("RTR/5"))
        );
    }

    #[test]
    fn not_stream_lines() {
        // seeds/004 (bosh-agent), cloudfoundry/bosh#2109 (monit), a dmesg line.
        for s in [
            "2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status",
            "[UTC Feb 21 08:50:35] error    : Cannot open a connection to the mailserver 'localhost:2825' -- Transport endpoint is not connected",
            "[1880957.563400] Out of memory: Kill process 18694 (perl) score 246 or sacrifice child",
        ] {
            assert_ne!(line(s).envelope, Envelope::CfLogs, "{s}");
        }
    }
}
