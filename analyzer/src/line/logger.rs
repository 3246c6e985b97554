//! Text loggers of the components' languages.
//!
//! | envelope | shape |
//! | --- | --- |
//! | `bosh-agent` | `2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status` (svlogd time, component, Go time, level) |
//! | `ruby-logger` | `E, [2018-11-06T18:14:07.156789 #1234] ERROR -- : boom`, `D, [...] [task:147] DEBUG -- DirectorJobRunner: ...` (director, health monitor, CC) |
//! | `java-logger` | UAA `[2016-07-05 04:02:18.245] uaa - 15178 [thread] ....  DEBUG --- FilterChainProxy: ...`, Spring Boot `2019-07-16 19:33:22.527  INFO 1 --- [main] a.b.Class : ...` (UAA, CredHub) |
//! | `go-log` | `2017/07/16 20:40:02 message`, consul's `    2015/02/16 09:21:53 [ERR] agent: ...` |

use super::{non_empty, prefix, Envelope, Level, Line};
use crate::timestamp::YearHint;

/// The line as one of the text loggers, if it is.
pub fn parse(t: &str, _hint: YearHint) -> Option<Line> {
    agent(t)
        .or_else(|| ruby(t))
        .or_else(|| java(t))
        .or_else(|| go_log(t))
}

fn agent(t: &str) -> Option<Line> {
    let rest = prefix::strip_svlogd(t)?;
    let Some(rest) = rest.strip_prefix('[') else {
        return Some(Line {
            envelope: Envelope::BoshAgent,
            message: non_empty(rest),
            ..Line::default()
        });
    };
    let (component, rest) = rest.split_once("] ")?;
    let rest = go_time(rest).unwrap_or(rest);
    let (level, message) = match rest.split_once(" - ") {
        Some((level, message)) if Level::from_word(level).is_some() => {
            (Level::from_word(level), message)
        }
        _ => (None, rest),
    };
    Some(Line {
        envelope: Envelope::BoshAgent,
        level,
        source: non_empty(component),
        message: non_empty(message),
        ..Line::default()
    })
}

fn ruby(t: &str) -> Option<Line> {
    let b = t.as_bytes();
    if b.len() < 8 || b[1] != b',' || b[2] != b' ' || b[3] != b'[' {
        return None;
    }
    let (head, rest) = t.split_once(" -- ")?;
    let level = head.split_whitespace().last().and_then(Level::from_word);
    let (progname, message) = match rest.split_once(": ") {
        Some((p, m)) if !p.contains(' ') || p.starts_with('[') => (non_empty(p), m),
        _ => (None, rest.strip_prefix(':').unwrap_or(rest)),
    };
    Some(Line {
        envelope: Envelope::RubyLogger,
        level: level.or_else(|| Level::from_word(&t[..1])),
        source: progname,
        message: non_empty(message),
        ..Line::default()
    })
}

fn java(t: &str) -> Option<Line> {
    if !t.starts_with('[') && !t.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (head, rest) = t.split_once(" --- ")?;
    let level = head
        .split_whitespace()
        .rev()
        .take(3)
        .find_map(Level::from_word)?;
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(after) => after.split_once("] ").map_or(after, |(_, r)| r),
        None => rest,
    };
    let (logger, message) = match rest.split_once(": ") {
        Some((l, m)) if !l.trim().contains(' ') => (non_empty(l), m),
        _ => (None, rest),
    };
    Some(Line {
        envelope: Envelope::JavaLogger,
        level: Some(level),
        source: logger,
        message: non_empty(message),
        ..Line::default()
    })
}

fn go_log(t: &str) -> Option<Line> {
    let rest = go_time(t)?;
    let (level, message) = match rest.strip_prefix('[').and_then(|r| r.split_once("] ")) {
        Some((word, m)) if Level::from_word(word).is_some() => (Level::from_word(word), m),
        _ => (None, rest),
    };
    Some(Line {
        envelope: Envelope::GoLog,
        level,
        message: non_empty(message),
        ..Line::default()
    })
}

/// After Go's `log` time `2017/07/16 20:40:02[.123456] `, if `s` starts with one.
fn go_time(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let shape = b.len() > 20
        && b[4] == b'/'
        && b[7] == b'/'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[..4].iter().all(u8::is_ascii_digit);
    if !shape {
        return None;
    }
    let end = s[19..].find(' ')? + 19;
    Some(s[end..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::super::{parse as parse_line, Envelope, Level};
    use crate::timestamp::YearHint;

    fn line(s: &str) -> super::Line {
        parse_line(s.as_bytes(), YearHint::default())
    }

    #[test]
    fn bosh_agent_lines() {
        // seeds/004 and cloudfoundry/bosh-agent#118.
        let l = line("2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status");
        assert_eq!(l.envelope, Envelope::BoshAgent);
        assert_eq!(l.source.as_deref(), Some("monitJobSupervisor"));
        assert_eq!(l.level, Some(Level::Debug));
        assert_eq!(l.message.as_deref(), Some("Getting monit status"));
        let l = line("2017-02-14_13:15:55.06617 [main] 2017/02/14 13:15:55 ERROR - App run Running agent: Message Bus Handler: Starting nats handler: Connecting: dial tcp 192.168.1.11:4222: getsockopt: connection refused");
        assert_eq!(
            (l.envelope, l.level),
            (Envelope::BoshAgent, Some(Level::Error))
        );
        // seeds/004: the heartbeat payload is JSON behind the svlogd time.
        let l = line(
            r#"2018-11-06_18:37:45.10754 {"deployment":"nginx","job":"nginx","index":0,"job_state":"running","node_id":"14e444f1-48c0-4006-8908-7d535ee88bc0"}"#,
        );
        assert_eq!(l.envelope, Envelope::Json);
        assert!(l.data.unwrap().contains_key("job_state"));
    }

    #[test]
    fn ruby_logger_lines() {
        // cloudfoundry/cloud_controller_ng#3542 (security_events.log).
        let l = line("I, [2023-12-06T20:30:45.342829 #6]  INFO -- : CEF:0|cloud_foundry|cloud_controller_ng|2.216.0|GET /healthz|GET /healthz|0|rt=1701894645342");
        assert_eq!(l.envelope, Envelope::RubyLogger);
        assert_eq!(l.level, Some(Level::Info));
        assert!(l.message.unwrap().starts_with("CEF:0|cloud_foundry"));
        // cloudfoundry/bosh src/bosh-director/lib/bosh/director/problem_handlers/unresponsive_agent.rb
        // (the message in the director's logger format).
        let l = line("I, [2019-01-26T06:30:01.000123 #1201]  INFO -- DirectorJobRunner: Agent is responding now, skipping resolution");
        assert_eq!(l.source.as_deref(), Some("DirectorJobRunner"));
        assert_eq!(
            l.message.as_deref(),
            Some("Agent is responding now, skipping resolution")
        );
    }

    #[test]
    fn java_logger_lines() {
        // logsearch-for-cloudfoundry test data (uaa.log) and cloudfoundry/uaa#1060 (Spring Boot).
        let l = line("[2016-07-05 04:02:18.245] uaa - 15178 [http-bio-8080-exec-14] ....  DEBUG --- FilterChainProxy: /healthz has an empty filter list");
        assert_eq!(l.envelope, Envelope::JavaLogger);
        assert_eq!(l.level, Some(Level::Debug));
        assert_eq!(l.source.as_deref(), Some("FilterChainProxy"));
        assert_eq!(
            l.message.as_deref(),
            Some("/healthz has an empty filter list")
        );
        let l = line("2019-07-16 19:33:22.527  INFO 1 --- [           main] io.pivotal.uaa.bundled.UaaApplication    : Starting UaaApplication v1.0.0.BUILD-SNAPSHOT");
        assert_eq!(l.envelope, Envelope::JavaLogger);
        assert_eq!(l.level, Some(Level::Info));
        assert_eq!(
            l.source.as_deref(),
            Some("io.pivotal.uaa.bundled.UaaApplication")
        );
        assert_eq!(
            l.message.as_deref(),
            Some("Starting UaaApplication v1.0.0.BUILD-SNAPSHOT")
        );
    }

    #[test]
    fn go_log_lines() {
        // hashicorp/consul#704 (consul_agent, indented) and NebulousLabs/Sia#2935.
        let l = line(
            "    2015/02/16 09:21:53 [ERR] agent: failed to sync remote state: No cluster leader",
        );
        assert_eq!(l.envelope, Envelope::GoLog);
        assert_eq!(l.level, Some(Level::Error));
        assert_eq!(
            l.message.as_deref(),
            Some("agent: failed to sync remote state: No cluster leader")
        );
        let l = line("2018/04/12 07:32:43 http: Accept error: accept tcp 127.0.0.1:9980: accept4: too many open files; retrying in 1s");
        assert_eq!((l.envelope, l.level), (Envelope::GoLog, None));
    }
}
