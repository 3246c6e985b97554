//! The wall-clock time of one log line, for ordering and correlating findings.
//!
//! [`parse_line`] looks at the start of a line (and, for access logs, a little further) and
//! recognises the shapes that Cloud Foundry and BOSH VMs write:
//!
//! | shape | example |
//! | --- | --- |
//! | lager JSON, epoch as string or number | `{"timestamp":"1478789343.195786953","source":...}`, `{"timestamp":1447238932.067175150,...}` |
//! | lager v2 / gorouter / CC JSON, key anywhere | `{"log_level":1,"timestamp":"2020-08-27T22:59:43.462087363Z",...}` |
//! | ctl-script prefix (wins over the JSON inside) | `[2018-04-23 16:26:00+0000] {"timestamp":...}` |
//! | bosh-agent (svlogd) | `2018-11-06_18:14:07.15669 [NATS Handler] 2018/11/06 18:14:07 DEBUG - ...` |
//! | Go `log` | `2017/07/16 20:40:02 message` (also indented, as consul writes it) |
//! | RFC 3339 at the start, in brackets, with offsets | `2018-11-06T18:14:07.156Z ...`, `[2018-11-06T18:14:07.156Z] ...`, `...57.64-0400` |
//! | Ruby `Logger` (CC, BOSH director) | `E, [2018-11-06T18:14:07.156789 #1234] ERROR -- : ...` |
//! | monit | `[UTC Nov  6 18:45:30] error    : 'nginx' process is not running` |
//! | syslog RFC 3164 | `Nov  6 18:45:30 host prog[pid]: msg` |
//! | syslog RFC 5424 / rsyslog, with or without `<PRI>` | `<14>1 2018-11-28T13:42:35.149693Z host ...`, `2018-11-06T18:45:30.123456+00:00 host ...` |
//! | gorouter / nginx access log | `host - [2019-08-22T09:54:04.399+0000] "PUT ...`, `host - [25/02/2014:14:09:19 +0000]`, `host - [06/Dec/2023:20:30:45 +0000]` |
//! | UAA / Spring Boot | `[2016-07-05 04:02:18.245] uaa - 15178 [...] ....  DEBUG --- ...`, `2019-07-16 19:33:22.527  INFO 1 --- [main] ...` |
//!
//! A kernel line copied from `dmesg` (`[12345.678901] Out of memory: ...`) carries seconds
//! since boot, not a wall time, and gives `None`.
//!
//! Assumptions: a time without a zone is UTC (BOSH stemcells run in UTC). Monit's zone
//! abbreviation is read as UTC whatever it says (`UTC`, `GMT`, but also `CET`: the VM's local
//! zone is not known here, and abbreviations are ambiguous). Syslog and monit times have no
//! year; [`YearHint`] supplies it. Epoch values must have 9 to 12 integer digits (seconds);
//! anything else (truncated, milliseconds, nanoseconds, exponent notation) gives `None`.
//!
//! Not for: parsing the rest of the line (level, source, message, error) — that is the line
//! model's job ([`crate::line`]), which uses this module for the time.
//!
//! Cost: a line that has no timestamp is rejected after a few byte comparisons (and, for a
//! line starting with `{` or a letter, one `memchr`/`memmem` pass); no shape allocates, and
//! jiff's parsers only see short slices whose shape was already checked, so they do not fail
//! (jiff errors allocate).

use std::sync::LazyLock;

use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};
use memchr::memmem;

/// Context for lines whose timestamp lacks a year or zone (monit `[UTC Nov  6 18:45:30]`,
/// syslog `Nov  6 18:45:30`): the year of the file's mtime or of the bundle's collection time;
/// a date that would land in the future relative to `now` by more than a day belongs to the
/// previous year.
///
/// With `now: None` the current clock is used, so pass the file's mtime or the bundle's
/// collection time for results that do not depend on when the analyzer runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct YearHint {
    pub now: Option<Timestamp>,
}

/// The timestamp of one line, if it has one. Fast on lines without one (the first bytes
/// decide), never panics on any bytes (lines may be invalid UTF-8 or truncated).
pub fn parse_line(line: &[u8], hint: YearHint) -> Option<Timestamp> {
    let s = trim_indent(line);
    if s.first() == Some(&b'<') {
        return at_start(after_priority(s)?, hint);
    }
    at_start(s, hint)
}

/// How many leading blanks to skip (consul indents its Go `log` lines by four).
const MAX_INDENT: usize = 16;
/// How far into an access-log line to look for `[time]` after the host and user fields.
const ACCESS_LOG_WINDOW: usize = 200;
/// A day, the slack [`YearHint`] allows for clocks and time zones.
const ONE_DAY: SignedDuration = SignedDuration::from_hours(24);

fn at_start(s: &[u8], hint: YearHint) -> Option<Timestamp> {
    match *s.first()? {
        b'{' => json_timestamp(s),
        b'[' => bracketed(s, hint),
        b'0'..=b'9' => datetime_at(s).or_else(|| access_log(s)),
        b'A'..=b'Z' => ruby_logger(s)
            .or_else(|| month_day_time(s, hint))
            .or_else(|| access_log(s)),
        b'a'..=b'z' => access_log(s),
        _ => None,
    }
}

fn trim_indent(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .take(MAX_INDENT)
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    &line[n..]
}

/// Skips a syslog `<PRI>` and, for RFC 5424, the version digit and its space.
fn after_priority(s: &[u8]) -> Option<&[u8]> {
    let n = digits(s.get(1..)?);
    if !(1..=3).contains(&n) || byte(s, 1 + n) != b'>' {
        return None;
    }
    let rest = &s[2 + n..];
    let v = digits(rest);
    if (1..=2).contains(&v) && byte(rest, v) == b' ' {
        return Some(&rest[v + 1..]);
    }
    Some(rest)
}

/// `[...]` at the start: a date-time (ctl scripts, UAA, RFC 3339), an access-log date, monit's
/// `[ZONE Mon dd HH:MM:SS]`; otherwise, when JSON follows the bracket, its `"timestamp"`.
/// Seconds since boot (`dmesg`) match none of these.
fn bracketed(s: &[u8], hint: YearHint) -> Option<Timestamp> {
    let inner = &s[1..];
    let found = if byte(inner, 0).is_ascii_digit() {
        datetime_at(inner).or_else(|| clf_at(inner))
    } else {
        monit(inner, hint)
    };
    found.or_else(|| {
        let close = memchr::memchr(b']', s)?;
        let after = trim_indent(&s[close + 1..]);
        if after.first() == Some(&b'{') {
            json_timestamp(after)
        } else {
            None
        }
    })
}

/// Ruby `Logger`: `E, [2018-11-06T18:14:07.156789 #1234] ERROR -- : ...`.
fn ruby_logger(s: &[u8]) -> Option<Timestamp> {
    if s.len() > 4 && s[1] == b',' && s[2] == b' ' && s[3] == b'[' {
        datetime_at(&s[4..])
    } else {
        None
    }
}

/// monit 5.x: `ZONE Mon dd HH:MM:SS]`, the zone read as UTC (see the module doc).
fn monit(inner: &[u8], hint: YearHint) -> Option<Timestamp> {
    let zone = inner
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'-')
        .count();
    if !(1..=6).contains(&zone) || byte(inner, zone) != b' ' {
        return None;
    }
    month_day_time(&inner[zone + 1..], hint)
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `Mon dd HH:MM:SS` (day space- or zero-padded), the year taken from `hint`.
fn month_day_time(s: &[u8], hint: YearHint) -> Option<Timestamp> {
    let head = s.get(..15)?;
    let shape = MONTHS.iter().any(|m| head[..3] == m[..])
        && head[3] == b' '
        && (head[4] == b' ' || head[4].is_ascii_digit())
        && head[5].is_ascii_digit()
        && head[6] == b' '
        && clock_at(&head[7..]);
    if !shape {
        return None;
    }
    let mut tm = BrokenDownTime::parse("%b %e %H:%M:%S", head).ok()?;
    tm.set_offset(Some(Offset::UTC));
    let now = hint.now.unwrap_or_else(Timestamp::now);
    let latest = now.checked_add(ONE_DAY).ok()?;
    let year = Offset::UTC.to_datetime(now).year();
    for year in [year, year - 1] {
        tm.set_year(Some(year)).ok()?;
        // Feb 29 fails in a non-leap year and then belongs to an earlier one.
        if let Ok(ts) = tm.to_timestamp() {
            if ts <= latest {
                return Some(ts);
            }
        }
    }
    None
}

/// `YYYY-MM-DD`, `YYYY/MM/DD` then `T`, ` ` or `_` then `HH:MM:SS`, then an optional
/// fraction and zone (see [`finish`]).
fn datetime_at(s: &[u8]) -> Option<Timestamp> {
    let head = s.get(..19)?;
    let date_sep = head[4];
    let shape = all_digits(&head[..4])
        && matches!(date_sep, b'-' | b'/')
        && all_digits(&head[5..7])
        && head[7] == date_sep
        && all_digits(&head[8..10])
        && matches!(head[10], b'T' | b' ' | b'_')
        && clock_at(&head[11..]);
    if !shape {
        return None;
    }
    let mut format = *b"%Y-%m-%dT%H:%M:%S";
    format[2] = date_sep;
    format[5] = date_sep;
    format[8] = head[10];
    let tm = BrokenDownTime::parse(format, head).ok()?;
    finish(tm, &s[19..])
}

/// Access-log dates: `dd/Mon/yyyy:HH:MM:SS` (nginx, common log format) and
/// `dd/mm/yyyy:HH:MM:SS` (gorouter before 2017), then an optional fraction and zone.
fn clf_at(s: &[u8]) -> Option<Timestamp> {
    if s.len() < 3 || !all_digits(&s[..2]) || s[2] != b'/' {
        return None;
    }
    let (format, len): (&[u8], usize) = if s.len() > 6 && s[3..5].iter().all(u8::is_ascii_digit) {
        (b"%d/%m/%Y:%H:%M:%S", 19)
    } else {
        (b"%d/%b/%Y:%H:%M:%S", 20)
    };
    let head = s.get(..len)?;
    let m = len - 19; // 1 when the month is a name
    let shape = (m == 0 || MONTHS.iter().any(|name| head[3..6] == name[..]))
        && head[5 + m] == b'/'
        && all_digits(&head[6 + m..10 + m])
        && head[10 + m] == b':'
        && clock_at(&head[11 + m..]);
    if !shape {
        return None;
    }
    let tm = BrokenDownTime::parse(format, head).ok()?;
    finish(tm, &s[len..])
}

/// `HH:MM:SS`, the values left for jiff to check.
fn clock_at(s: &[u8]) -> bool {
    s.len() >= 8
        && all_digits(&s[..2])
        && s[2] == b':'
        && all_digits(&s[3..5])
        && s[5] == b':'
        && all_digits(&s[6..8])
}

/// Completes a parsed date and clock time with what follows it: an optional fraction
/// (`.123`, `,123`, up to nanoseconds) and an optional zone (`Z`, `+00:00`, `+0000`, `+00`,
/// or ` +0000` after a space). No zone means UTC; a malformed offset means `None`.
fn finish(mut tm: BrokenDownTime, mut rest: &[u8]) -> Option<Timestamp> {
    if matches!(rest.first(), Some(b'.' | b',')) {
        let n = digits(&rest[1..]);
        if n > 0 {
            let fraction = BrokenDownTime::parse("%f", &rest[1..1 + n.min(9)]).ok()?;
            tm.set_subsec_nanosecond(fraction.subsec_nanosecond())
                .ok()?;
            rest = &rest[1 + n..];
        }
    }
    tm.set_offset(Some(zone(rest)?));
    tm.to_timestamp().ok()
}

/// The zone right after a time; `Some(UTC)` when there is none.
fn zone(rest: &[u8]) -> Option<Offset> {
    let (sign_at, spaced) = match (byte(rest, 0), byte(rest, 1)) {
        (b'Z' | b'z', _) => return Some(Offset::UTC),
        (b'+' | b'-', _) => (0, false),
        (b' ', b'+' | b'-') => (1, true),
        _ => return Some(Offset::UTC),
    };
    let off = &rest[sign_at..];
    let hh = two_digits_at(off, 1);
    let (format, len): (&[u8], usize) = if hh && byte(off, 3) == b':' && two_digits_at(off, 4) {
        (b"%:z", 6)
    } else if hh && two_digits_at(off, 3) {
        (b"%z", 5)
    } else if hh && !spaced && !byte(off, 3).is_ascii_digit() && byte(off, 3) != b':' {
        (b"%:::z", 3)
    } else {
        return Some(Offset::UTC);
    };
    BrokenDownTime::parse(format, &off[..len]).ok()?.offset()
}

/// The value of the first `"timestamp"` key that parses: an RFC 3339 string or seconds since
/// the epoch, quoted or not.
fn json_timestamp(s: &[u8]) -> Option<Timestamp> {
    const KEY: &[u8] = b"\"timestamp\"";
    static FINDER: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(KEY));
    for at in FINDER.find_iter(s) {
        let rest = skip_blanks(&s[at + KEY.len()..]);
        if rest.first() != Some(&b':') {
            continue;
        }
        let rest = skip_blanks(&rest[1..]);
        let value = match rest.first() {
            Some(b'"') => &rest[1..],
            _ => rest,
        };
        let found = if byte(value, 4) == b'-' {
            datetime_at(value)
        } else {
            epoch(value)
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Seconds since the epoch with an optional fraction: `1478789343.195786953`.
fn epoch(s: &[u8]) -> Option<Timestamp> {
    let n = digits(s);
    if !(9..=12).contains(&n) {
        return None;
    }
    let f = if byte(s, n) == b'.' {
        digits(&s[n + 1..])
    } else {
        0
    };
    let len = if f > 0 { n + 1 + f.min(9) } else { n };
    let tm = BrokenDownTime::parse("%s%.f", &s[..len]).ok()?;
    let nanos = tm.subsec_nanosecond().unwrap_or(0);
    tm.timestamp()?
        .checked_add(SignedDuration::from_nanos(i64::from(nanos)))
        .ok()
}

/// gorouter and nginx access logs: `host - [time] "GET ...`; the first `[` after a space,
/// within the first [`ACCESS_LOG_WINDOW`] bytes, that opens a date.
fn access_log(s: &[u8]) -> Option<Timestamp> {
    let window = &s[..s.len().min(ACCESS_LOG_WINDOW)];
    memchr::memchr_iter(b'[', window)
        .filter(|&at| at > 0 && window[at - 1] == b' ' && byte(s, at + 1).is_ascii_digit())
        .find_map(|at| datetime_at(&s[at + 1..]).or_else(|| clf_at(&s[at + 1..])))
}

/// The byte at `i`, or 0 past the end.
fn byte(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

fn all_digits(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

fn two_digits_at(s: &[u8], i: usize) -> bool {
    byte(s, i).is_ascii_digit() && byte(s, i + 1).is_ascii_digit()
}

fn skip_blanks(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// The bundle was collected on 2018-11-10, so `Nov  6` lines are from 2018.
    fn hint() -> YearHint {
        YearHint {
            now: Some(ts("2018-11-10T12:00:00Z")),
        }
    }

    fn parse(line: &str) -> Option<Timestamp> {
        parse_line(line.as_bytes(), hint())
    }

    #[track_caller]
    fn check(line: &str, want: &str) {
        assert_eq!(parse(line), Some(ts(want)), "line: {line}");
    }

    #[track_caller]
    fn none(line: &str) {
        assert_eq!(parse(line), None, "line: {line}");
    }

    // Seed 004 (a BOSH training lab's bosh-agent log, /var/vcap/bosh/log/current).
    #[test]
    fn bosh_agent_svlogd() {
        check(
            "2018-11-06_18:14:07.15669 [NATS Handler] 2018/11/06 18:14:07 DEBUG - Message Payload",
            "2018-11-06T18:14:07.15669Z",
        );
        check(
            "2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status",
            "2018-11-06T16:38:36.16986Z",
        );
        // The seed quotes the log indented by a tab.
        check(
            "\t2018-11-06_18:14:07.14076 [main] 2018/11/06 18:14:07 DEBUG - Starting agent",
            "2018-11-06T18:14:07.14076Z",
        );
    }

    // cloudfoundry/diego-release docs/logging-format.md (lager, unix-epoch and rfc3339).
    #[test]
    fn lager_epoch_string_and_rfc3339() {
        check(
            r#"{"timestamp":"1522171784.100530624","source":"rep","message":"rep.started","log_level":1,"data":{"cell-id":"7f84c2ea-ce4a-43cc-920d-db8d8d66f58e"}}"#,
            "2018-03-27T17:29:44.100530624Z",
        );
        check(
            r#"{"timestamp":"2018-03-26T23:57:03.5858943Z","level":"info","source":"rep","message":"rep.started","data":{"cell-id":"347c58b7-0c4a-419f-8126-21e0882d6b15"}}"#,
            "2018-03-26T23:57:03.5858943Z",
        );
    }

    // cloudfoundry-attic/cf-release#842: loggregator trafficcontroller, unquoted float epoch.
    #[test]
    fn lager_unquoted_float_epoch() {
        check(
            r#"{"timestamp":1447238932.067175150,"process_id":4073,"source":"loggregator trafficcontroller","log_level":"info","message":"Startup: Setting up the loggregator traffic controller","data":null}"#,
            "2015-11-11T10:48:52.06717515Z",
        );
    }

    // cloudfoundry/routing-release docs/04-gorouter-observability.md: gorouter puts
    // `log_level` (a number) before `timestamp`.
    #[test]
    fn gorouter_json_key_not_first() {
        check(
            r#"{"log_level":1,"timestamp":"2020-08-27T22:59:43.462087363Z","message":"route-registered","source":"vcap.gorouter.registry","data":{"uri":"a.springgreen.cf-app.com"}}"#,
            "2020-08-27T22:59:43.462087363Z",
        );
        // Epoch flavour, from a syslog drain quoted in an issue; made up only in being cut
        // down to the JSON.
        check(
            r#"{"log_level":1,"timestamp":1547221312.0831778,"message":"unregister-route","source":"vcap.gorouter.subscriber","data":{}}"#,
            "2019-01-11T15:41:52.0831778Z",
        );
        // Made up: blanks around the colon, nested `timestamp` strings that do not parse.
        check(
            r#"{"data":{"timestamp":"some-time"},"timestamp" : 1541529930.1213}"#,
            "2018-11-06T18:45:30.1213Z",
        );
    }

    // cloudfoundry/cloud_controller_ng#571: cloud_controller_ng.log (Steno JSON).
    #[test]
    fn cloud_controller_json() {
        check(
            r#"{"timestamp":1459598538.3377428,"message":"Started PUT \"/v2/organizations/031089dc-ae4a-4552-8eb9-7da84851f6d3/managers\" for 52.38.43.21 with vcap-request-id: d10025e4-f272-4844-7c85-27ba4df225a8::9f24f26f-40cd-48ba-8c59-1f0e6b8673fa at 2016-04-02 12:02:18 UTC","log_level":"info","source":"cc.api","data":{}}"#,
            "2016-04-02T12:02:18.3377428Z",
        );
    }

    // routing-release docs (gorouter ctl prefix) and a Datadog blog's syslog sample
    // (route_registrar), both a `[...+0000]` prefix in front of lager JSON: the bracket wins.
    #[test]
    fn ctl_prefix_wins_over_json() {
        check(
            r#"[2017-02-01 22:54:08+0000] {"log_level":0,"timestamp":"2019-11-21T22:16:18.750673404Z","message":"endpoint-registered","source":"vcap.gorouter.registry","data":{"uri":"0-*.login.bosh-lite.com"}}"#,
            "2017-02-01T22:54:08Z",
        );
        check(
            r#"[2018-07-30 13:31:41+0000] {"timestamp":"1532957501.300919056","source":"Route Registrar","message":"Route Registrar.Registered routes successfully","log_level":1,"data":{}}"#,
            "2018-07-30T13:31:41Z",
        );
        // cloudfoundry-attic/cf-release#1009: cloud_controller_ng_ctl.err.log.
        check(
            "[2016-07-12 15:31:19+0000] ------------ STARTING cloud_controller_ng_ctl at Tue Jul 12 15:31:19 UTC 2016 --------------",
            "2016-07-12T15:31:19Z",
        );
        // Made up: a bracket that is not a time falls back to the JSON after it.
        check(
            r#"[stdout] {"timestamp":"2018-04-23T16:26:00.123Z","message":"x"}"#,
            "2018-04-23T16:26:00.123Z",
        );
    }

    // Datadog blog "Collecting Pivotal Cloud Foundry logs and metrics": consul_agent lines
    // (Go `log`, indented by four spaces) as received by syslog, header removed.
    #[test]
    fn go_log() {
        check(
            "    2018/07/30 13:31:41 [WARN] agent: Check 'service:reverse-log-proxy' is now critical",
            "2018-07-30T13:31:41Z",
        );
        // Made up: the brief's example, and Go's `log.Lmicroseconds`.
        check("2017/07/16 20:40:02 message", "2017-07-16T20:40:02Z");
        check(
            "2017/07/16 20:40:02.123456 message",
            "2017-07-16T20:40:02.123456Z",
        );
    }

    #[test]
    fn rfc3339_at_start_and_in_brackets() {
        // Made up, the brief's examples.
        check(
            "2018-11-06T18:14:07.156Z agent started",
            "2018-11-06T18:14:07.156Z",
        );
        check(
            "[2018-11-06T18:14:07.156Z] agent started",
            "2018-11-06T18:14:07.156Z",
        );
        check("2018-11-06T18:14:07+01:00 x", "2018-11-06T17:14:07Z");
        check("2018-11-06T18:14:07-05 x", "2018-11-06T23:14:07Z");
        // cloudfoundry/gorouter#136 era `cf logs` output, offset without a colon.
        check(
            "2016-08-21T22:53:57.64-0400 [RTR/5]      OUT cacheable-redis.cfapps.io - [22/08/2016:02:53:57.627 +0000] \"GET /v1/getTwitterHandle/kenny HTTP/1.1\" 200 0 12",
            "2016-08-22T02:53:57.64Z",
        );
        // A cloud_controller_ng#449 quote lost its `[`: still a time at the start.
        check(
            "2018-03-18 16:28:04+0000] ------------ STARTING cloud_controller_worker_ctl",
            "2018-03-18T16:28:04Z",
        );
        // Made up: a comma fraction (log4j) and more than nine fraction digits.
        check("2018-11-06 18:45:30,123 INFO x", "2018-11-06T18:45:30.123Z");
        check(
            "2018-11-06T18:45:30.1234567891Z x",
            "2018-11-06T18:45:30.123456789Z",
        );
    }

    // cloudfoundry/cloud_controller_ng#3542 (security_events.log) and the brief's ERROR shape.
    #[test]
    fn ruby_logger() {
        check(
            "I, [2023-12-06T20:30:45.342829 #6]  INFO -- : CEF:0|cloud_foundry|cloud_controller_ng|2.216.0|GET /healthz|GET /healthz|0|rt=1701894645342",
            "2023-12-06T20:30:45.342829Z",
        );
        // Made up from the brief.
        check(
            "E, [2018-11-06T18:14:07.156789 #1234] ERROR -- : boom",
            "2018-11-06T18:14:07.156789Z",
        );
    }

    // cloudfoundry/bosh#2109: /var/vcap/monit/monit.log.
    #[test]
    fn monit() {
        check(
            "[UTC Feb 21 08:50:35] error    : Cannot open a connection to the mailserver 'localhost:2825' -- Transport endpoint is not connected",
            "2018-02-21T08:50:35Z",
        );
        // Made up: the brief's examples; `CET` is read as UTC (see the module doc).
        check(
            "[UTC Nov  6 18:45:30] error    : 'nginx' process is not running",
            "2018-11-06T18:45:30Z",
        );
        check(
            "[CET Nov  6 18:45:30] error    : 'nginx' process is not running",
            "2018-11-06T18:45:30Z",
        );
    }

    #[test]
    fn syslog_year_from_hint() {
        // Datadog blog (see go_log): a syslog server's file; the year comes from the hint.
        check(
            "Jul 30 09:31:43 10.0.4.23 uaa: [2018-07-30 13:31:43.004] uaa - 15573 [pool-4-thread-1] .... DEBUG --- JdbcTemplate: Executing SQL query [select count(*) from users]",
            "2018-07-30T09:31:43Z",
        );
        // A kern.log line quoted in a blog post: a space-padded day.
        check(
            "Oct  3 22:19:59 ip-172-31-32-53 kernel: [28441.944401] Out of memory: Kill process 25910 (ruby) score 979 or sacrifice child",
            "2018-10-03T22:19:59Z",
        );
        // Made up: more than a day in the future of the hint means last year; within a day not.
        check("Dec 24 10:00:00 host prog[12]: msg", "2017-12-24T10:00:00Z");
        check("Nov 11 06:00:00 host prog[12]: msg", "2018-11-11T06:00:00Z");
        let in_2021 = YearHint {
            now: Some(ts("2021-03-01T00:00:00Z")),
        };
        assert_eq!(
            parse_line(b"Feb 29 10:00:00 host prog: leap", in_2021),
            Some(ts("2020-02-29T10:00:00Z"))
        );
    }

    #[test]
    fn syslog_rfc5424_and_priority() {
        // cloudfoundry/cloud_controller_ng#1091: RFC 5424 from a syslog drain.
        check(
            r#"<14>1 2018-11-28T13:42:35.149693Z 10.0.65.64 cloud_controller_ng rs2 - [instance@47450 director="bosh-hcp-live-us10" deployment="cf" group="api" az="z1"] {"timestamp":1543412555.0303,"message":"stats_for_app.error","log_level":"error"}"#,
            "2018-11-28T13:42:35.149693Z",
        );
        // logsearch-for-cloudfoundry test data: rsyslog with a PRI but no version.
        check(
            "<14>2016-03-15T14:47:26.151141+00:00 10.0.10.23 vcap.uaa [job=uaa-partition-d28a4b678c048a483acb index=0]  [2016-03-15 14:47:26.151] uaa - 6327 [http-bio-8080-exec-4] ....  INFO --- Audit: TokenIssuedEvent",
            "2016-03-15T14:47:26.151141Z",
        );
        // Made up: the brief's rsyslog file line, and a PRI before an RFC 3164 header.
        check(
            "2018-11-06T18:45:30.123456+00:00 host prog: msg",
            "2018-11-06T18:45:30.123456Z",
        );
        check("<13>Nov  6 18:45:30 host prog: msg", "2018-11-06T18:45:30Z");
    }

    #[test]
    fn access_logs() {
        // The on-disk gorouter access.log line for a `cf logs` RTR line quoted in a blog post
        // (the same line with the `cf logs` prefix removed).
        check(
            r#"cf-vault-kabu.cfapps.io - [2019-08-22T09:54:04.399+0000] "PUT /v1/auth/token/roles/cf-7ecb3781-d8e2-4748-962d-fa798e921e95 HTTP/1.1" 204 95 0 "-" "Go-http-client/1.1" "10.10.2.116:20552" "10.10.149.220:61244""#,
            "2019-08-22T09:54:04.399Z",
        );
        // cloudfoundry/gorouter#29: the dd/mm/yyyy format of 2014.
        check(
            r#"api.10.244.0.34.xip.io - [25/02/2014:14:09:19 +0000] "GET /bulk/apps?batch_size=500&bulk_token={} HTTP/1.1" 200 281 "-" "Go 1.1 package http" 172.16.118.134:37262"#,
            "2014-02-25T14:09:19Z",
        );
        // cloudfoundry/cloud_controller_ng#3542: nginx-access.log, by host name and by IP.
        check(
            r#"localhost - [06/Dec/2023:20:30:45 +0000] "GET /healthz HTTP/1.1" 200 219 "-" "curl/7.81.0" 127.0.0.1"#,
            "2023-12-06T20:30:45Z",
        );
        check(
            r#"10.0.4.7 - [06/Dec/2023:20:30:45 +0000] "GET /healthz HTTP/1.1" 200 219 "-" "ccng_monit_http_healthcheck" 10.0.4.7"#,
            "2023-12-06T20:30:45Z",
        );
        // Made up: the brief's shape.
        check(
            r#"host - [2018-11-06T18:45:30.123+0000] "GET / HTTP/1.1" 200 0"#,
            "2018-11-06T18:45:30.123Z",
        );
    }

    #[test]
    fn uaa_and_spring_boot() {
        // logsearch-for-cloudfoundry test data: uaa.log.
        check(
            "[2016-07-05 04:02:18.245] uaa - 15178 [http-bio-8080-exec-14] ....  DEBUG --- FilterChainProxy: /healthz has an empty filter list",
            "2016-07-05T04:02:18.245Z",
        );
        // A UAA log quoted in a project README (newer UAA writes RFC 3339 in the bracket).
        check(
            "[2026-01-20T04:56:26.322731Z] uaa - 11 [https-jsse-nio-8443-exec-9] - [eebfc71902a0476ead3b365dc8a091b4,c3f14c02ca9d1c91] ....  INFO --- Audit: TokenIssuedEvent",
            "2026-01-20T04:56:26.322731Z",
        );
        // cloudfoundry/uaa#1060: Spring Boot's default pattern.
        check(
            "2019-07-16 19:33:22.527  INFO 1 --- [           main] io.pivotal.uaa.bundled.UaaApplication    : Starting UaaApplication v1.0.0.BUILD-SNAPSHOT",
            "2019-07-16T19:33:22.527Z",
        );
    }

    #[test]
    fn kernel_dmesg_has_no_wall_time() {
        // Brendan Gregg's "Linux Performance Analysis in 60,000 Milliseconds" (dmesg | tail)
        // and an LKML patch quoting the OOM killer.
        none("[1880957.563400] Out of memory: Kill process 18694 (perl) score 246 or sacrifice child");
        none("[   74.453958] Out of memory: Kill process 443 (oleg's-test) score 855 or sacrifice child");
        // Made up, the brief's example.
        none("[12345.678901] Out of memory: Killed process");
    }

    #[test]
    fn lines_without_a_timestamp() {
        for line in [
            "",
            " ",
            "\tfrom /var/vcap/packages/cloud_controller_ng/lib/foo.rb:12:in `call'",
            "goroutine 1 [running]:",
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "Starting [main] service",
            r#"{"source":"rep","message":"no time here"}"#,
            r#"{"log_level":1,"timestamp":"","message":"nats-connection-disconnected"}"#,
            r#"{"timestamp":null}"#,
            "Nov", // shorter than the shape
            "Nov  6 18:45",
            "[UTC Nov  6 18:45]",
            "2018-11-06",
            "2018-11-06T18:45",
            "2018-13-06T18:45:30Z", // month 13
            "2018-11-06T25:45:30Z", // hour 25
            "2018-11-06T18:45:30+99:00",
            "14:16:20.50-0600 [RTR/0]  OUT",
            "<14>",
            "<9999>1 2018-11-06T18:45:30Z",
        ] {
            none(line);
        }
    }

    #[test]
    fn epochs_truncated_or_out_of_range() {
        none(r#"{"timestamp":"147"}"#); // truncated
        none(r#"{"timestamp":1478789343195}"#); // milliseconds: 13 digits
        none(r#"{"timestamp":99999999999999999999999999.5}"#);
        none(r#"{"timestamp":999999999999}"#); // year 33658, past jiff's range
        none(r#"{"timestamp":-1478789343.1}"#);
        none(r#"{"timestamp":1.478789343e9}"#);
        check(r#"{"timestamp":"1478789343."}"#, "2016-11-10T14:49:03Z");
        check(r#"{"timestamp":1478789343"#, "2016-11-10T14:49:03Z");
        check(
            r#"{"timestamp":"1478789343.195786953","source":"x"}"#,
            "2016-11-10T14:49:03.195786953Z",
        );
    }

    #[test]
    fn never_panics_on_prefixes_or_garbage() {
        let samples = [
            "2018-11-06_18:14:07.15669 [NATS Handler] 2018/11/06 18:14:07 DEBUG - x",
            r#"{"timestamp":"1478789343.195786953","log_level":1}"#,
            r#"{"timestamp":"2018-04-23T16:26:00.123456789+00:00"}"#,
            "[2018-04-23 16:26:00+0000] {}",
            "[UTC Nov  6 18:45:30] error",
            "<14>1 2018-11-28T13:42:35.149693Z host",
            "E, [2018-11-06T18:14:07.156789 #1234] ERROR",
            "host - [06/Dec/2023:20:30:45.123 +0000] \"GET",
            "2018-11-06 18:45:30 -07:00",
        ];
        for sample in samples {
            let bytes = sample.as_bytes();
            for end in 0..=bytes.len() {
                let _ = parse_line(&bytes[..end], hint());
                let _ = parse_line(&bytes[end..], YearHint::default());
            }
        }
        // A small LCG: deterministic bytes biased towards the characters the shapes use.
        let alphabet = b"0123456789-/:.,T_ Z+[]{}\"<>timestampNovUTC\t\xff\x80";
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut line = Vec::with_capacity(64);
        for _ in 0..20_000 {
            line.clear();
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (state >> 58) as usize;
            for _ in 0..len {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                line.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            let _ = parse_line(&line, hint());
        }
    }

    /// Counts this thread's heap allocations, for [`no_allocation_on_the_hot_path`].
    mod counting {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
        }

        pub struct Counting;

        // SAFETY: forwards to `System`; the counter is a const-initialised thread-local
        // without a destructor, so touching it never allocates or re-enters.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
                System.alloc(layout)
            }
            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                System.dealloc(ptr, layout)
            }
        }

        #[global_allocator]
        static GLOBAL: Counting = Counting;

        pub fn allocations() -> u64 {
            ALLOCATIONS.with(Cell::get)
        }
    }

    /// A micro-check, not a benchmark: a million lines without a timestamp (and a few
    /// thousand with one) go through without a single heap allocation.
    #[test]
    fn no_allocation_on_the_hot_path() {
        let without: [&[u8]; 10] = [
            b"\tat org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:107)",
            b"goroutine 1 [running]:",
            b"[12345.678901] Out of memory: Killed process",
            br#"{"source":"rep","message":"rep.started","data":{"cell-id":"x"}}"#,
            b"Starting [main] service with a fairly long message that has no time in it at all",
            b"10.0.0.1 connected",
            b"/var/vcap/packages/foo/bin/foo: line 12: bar: command not found",
            b"\xff\xfe\x00garbage",
            b"",
            b"    ",
        ];
        let with: [&[u8]; 6] = [
            b"2018-11-06_18:14:07.15669 [NATS Handler] 2018/11/06 18:14:07 DEBUG - x",
            br#"{"log_level":1,"timestamp":"2020-08-27T22:59:43.462087363Z","message":"m"}"#,
            br#"{"timestamp":"1478789343.195786953","log_level":1}"#,
            b"[UTC Nov  6 18:45:30] error    : 'nginx' process is not running",
            br#"host - [06/Dec/2023:20:30:45 +0000] "GET / HTTP/1.1" 200"#,
            b"<14>1 2018-11-28T13:42:35.149693+00:00 host prog - - msg",
        ];
        let hint = hint();
        // Warm up the lazily built `"timestamp"` finder.
        assert!(parse_line(with[1], hint).is_some());

        let before = counting::allocations();
        let mut found = 0usize;
        for i in 0..1_000_000 {
            found += usize::from(parse_line(without[i % without.len()], hint).is_some());
        }
        for i in 0..6_000 {
            found += usize::from(parse_line(with[i % with.len()], hint).is_some());
        }
        let allocations = counting::allocations() - before;
        assert_eq!(found, 6_000);
        assert_eq!(allocations, 0, "parse_line allocated");
    }
}
