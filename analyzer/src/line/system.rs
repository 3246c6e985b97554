//! The VM's own logs: syslog, monit and the kernel.
//!
//! | envelope | shape |
//! | --- | --- |
//! | `syslog` | RFC 3164 `Nov  6 18:45:30 host prog[pid]: msg`, RFC 5424 `<14>1 2018-11-28T13:42:35.149693Z host app procid msgid [sd] msg`, rsyslog's `2018-11-06T18:45:30.123456+00:00 host prog: msg` |
//! | `monit` | `[UTC Nov  6 18:45:30] error    : 'rep' process is not running` (5.2), `[2026-11-22T00:04:27+0000] error    : ...` (5.33) |
//! | `kernel` | `kern.log` (syslog with program `kernel`), `dmesg` `[12345.678901] msg` and `dmesg -T` `[Tue Nov  6 18:14:07 2018] msg` |
//!
//! A syslog line whose message is itself another envelope (a job's lager line forwarded by
//! a syslog drain) keeps the inner line's fields and the syslog program as its source.

use super::{non_empty, Envelope, Level, Line};
use crate::timestamp::YearHint;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The line as syslog, monit or kernel output, if it is.
pub fn parse(t: &str, hint: YearHint) -> Option<Line> {
    monit(t).or_else(|| dmesg(t)).or_else(|| syslog(t, hint))
}

fn monit(t: &str) -> Option<Line> {
    let rest = t.strip_prefix('[')?;
    let (stamp, rest) = rest.split_once("] ")?;
    let zoned = stamp.len() >= 19
        && (stamp.as_bytes()[0].is_ascii_digit()
            || MONTHS.iter().any(|m| stamp.split(' ').nth(1) == Some(m)));
    if !zoned {
        return None;
    }
    let (level, message) = rest.split_once(" : ")?;
    let level = Level::from_word(level)?;
    let process = message
        .strip_prefix('\'')
        .and_then(|m| m.split_once('\''))
        .map(|(p, _)| p.to_string());
    Some(Line {
        envelope: Envelope::Monit,
        level: Some(level),
        source: process,
        message: non_empty(message),
        ..Line::default()
    })
}

fn dmesg(t: &str) -> Option<Line> {
    let rest = t.strip_prefix('[')?;
    let (inside, message) = rest.split_once(']')?;
    let inside = inside.trim();
    let uptime = inside.contains('.')
        && inside.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !inside.is_empty();
    let human = DAYS.iter().any(|d| inside.starts_with(d)) && inside.len() >= 20;
    (uptime || human).then(|| kernel(message))
}

fn kernel(message: &str) -> Line {
    Line {
        envelope: Envelope::Kernel,
        source: Some("kernel".to_string()),
        message: non_empty(message),
        ..Line::default()
    }
}

fn syslog(t: &str, hint: YearHint) -> Option<Line> {
    let t = match t.strip_prefix('<') {
        Some(rest) => rest.split_once('>')?.1,
        None => t,
    };
    let after_time = rfc3164_time(t).or_else(|| rfc3339_time(t))?;
    let (_host, rest) = after_time.split_once(' ')?;
    let (tag, message) = rest.split_once(": ").or_else(|| {
        // RFC 5424: `app procid msgid [sd] msg`.
        let mut it = rest.splitn(4, ' ');
        let app = it.next()?;
        let (_pid, _msgid, m) = (it.next()?, it.next()?, it.next()?);
        Some((app, m))
    })?;
    let program = tag.split('[').next().unwrap_or(tag).trim();
    if program.is_empty() || program.contains(' ') {
        return None;
    }
    if program == "kernel" {
        let message = message.trim_start();
        let message = match message.strip_prefix('[') {
            Some(after) => after.split_once(']').map_or(message, |(_, m)| m),
            None => message,
        };
        return Some(kernel(message));
    }
    // A drain's forwarded line: the inner envelope's fields, the program as its source.
    let inner = super::parse(message.trim_start().as_bytes(), hint);
    let inner = match inner.envelope {
        Envelope::Plain => Line {
            envelope: Envelope::Syslog,
            level: None,
            message: non_empty(message),
            ..Line::default()
        },
        _ => inner,
    };
    Some(Line {
        source: inner.source.clone().or_else(|| Some(program.to_string())),
        ..inner
    })
}

/// After `Nov  6 18:45:30 `.
fn rfc3164_time(t: &str) -> Option<&str> {
    let b = t.as_bytes();
    let shape = b.len() > 16
        && MONTHS.iter().any(|m| t.starts_with(m))
        && b[3] == b' '
        && b[6] == b' '
        && b[9] == b':'
        && b[12] == b':'
        && b[15] == b' ';
    shape.then(|| &t[16..])
}

/// After `2018-11-28T13:42:35.149693Z ` (RFC 5424 with its version digit, or rsyslog).
fn rfc3339_time(t: &str) -> Option<&str> {
    let t = t.strip_prefix("1 ").unwrap_or(t);
    let b = t.as_bytes();
    let shape = b.len() > 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[10] == b'T'
        && b[13] == b':';
    if !shape {
        return None;
    }
    let (_, rest) = t.split_once(' ')?;
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::super::{parse as parse_line, Envelope, Level};
    use crate::timestamp::YearHint;

    fn line(s: &str) -> super::Line {
        parse_line(s.as_bytes(), YearHint::default())
    }

    #[test]
    fn monit_log_both_generations() {
        // cloudfoundry-community-attic/bosh-cloudfoundry#43 (monit 5.2) and a Debian monit
        // 5.33.0 daemon run on the development machine (as in monit-process-not-running).
        let l = line("[UTC Mar 14 05:49:06] error    : 'cloud_controller' process is not running");
        assert_eq!(l.envelope, Envelope::Monit);
        assert_eq!(l.level, Some(Level::Error));
        assert_eq!(l.source.as_deref(), Some("cloud_controller"));
        let l = line("[2026-11-22T00:04:27+0000] error    : 'dies' process is not running");
        assert_eq!(
            (l.envelope, l.source.as_deref()),
            (Envelope::Monit, Some("dies"))
        );
    }

    #[test]
    fn kernel_lines() {
        // Brendan Gregg's "Linux Performance Analysis in 60,000 Milliseconds" (dmesg) and a
        // kern.log line quoted in a blog post (as in timestamp.rs).
        let l = line("[1880957.563400] Out of memory: Kill process 18694 (perl) score 246 or sacrifice child");
        assert_eq!(l.envelope, Envelope::Kernel);
        assert!(l
            .message
            .unwrap()
            .starts_with("Out of memory: Kill process 18694"));
        let l = line("Oct  3 22:19:59 ip-172-31-32-53 kernel: [28441.944401] Out of memory: Kill process 25910 (ruby) score 979 or sacrifice child");
        assert_eq!(l.envelope, Envelope::Kernel);
        assert_eq!(
            l.message.as_deref(),
            Some("Out of memory: Kill process 25910 (ruby) score 979 or sacrifice child")
        );
    }

    #[test]
    fn syslog_lines() {
        // An rsyslog line of a teleport log in a public GitLab runbook (as in
        // go-tls-client-cert-expired, cut after `failed.`); cloudfoundry/cloud_controller_ng#1091
        // (RFC 5424 drain).
        let l = line("Aug  2 19:15:33 teleport-01-inf-gstg teleport[772]: 2022-08-02T19:15:33Z WARN [MXTLS:1]   Handshake failed.");
        assert_eq!(l.envelope, Envelope::Syslog);
        assert_eq!(l.source.as_deref(), Some("teleport"));
        let l = line(
            r#"<14>1 2018-11-28T13:42:35.149693Z 10.0.65.64 cloud_controller_ng rs2 - [instance@47450 director="bosh-hcp-live-us10" deployment="cf" group="api" az="z1"] {"timestamp":1543412555.0303,"message":"stats_for_app.error","log_level":"error"}"#,
        );
        assert_eq!(l.envelope, Envelope::Syslog);
        assert_eq!(l.source.as_deref(), Some("cloud_controller_ng"));
        // A drain that forwards the line itself: the inner envelope wins (the Datadog blog's
        // uaa line of timestamp.rs).
        let l = line("Jul 30 09:31:43 10.0.4.23 uaa: [2018-07-30 13:31:43.004] uaa - 15573 [pool-4-thread-1] .... DEBUG --- JdbcTemplate: Executing SQL query [select count(*) from users]");
        assert_eq!(l.envelope, Envelope::JavaLogger);
        assert_eq!(l.source.as_deref(), Some("JdbcTemplate"));
    }
}
