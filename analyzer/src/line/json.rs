//! JSON envelopes: one object per line, told apart by their keys.
//!
//! | envelope | shape |
//! | --- | --- |
//! | `lager` | `{"timestamp":"1472766268.564709902","source":"guardian","message":"guardian.create...","log_level":2,"data":{"error":...}}` (levels 0 debug, 1 info, 2 error, 3 fatal) |
//! | `lager-rfc3339` | `{"timestamp":"2019-05-01T22:07:29.123Z","level":"fatal","source":"locket","message":"locket.sql-failed-to-connect","data":{...}}` |
//! | `gorouter` | `{"log_level":3,"timestamp":1530813550.92134,"message":"backend-endpoint-failed","source":"vcap.gorouter","data":{...}}`: a numeric level (zap's: 2 warn, 3 error, 4-6 panic/fatal) and a key that does not start with the source |
//! | `steno` | `{"timestamp":1447238932.06,"process_id":4073,"source":"loggregator trafficcontroller","log_level":"info","message":"Startup: ...","data":null}` (DEA-era components, Cloud Controller, the early router, metron v1) |
//! | `bosh-event` | `{"time":1468888884,"stage":"Updating job","task":"job/0 (canary)","state":"failed","data":{"error":"..."}}` and `{"time":...,"error":{"code":100,"message":"..."}}` |
//! | `api-error` | `{"code":10001,"description":"...","error_code":"CF-UnknownError"}`, v3 `{"errors":[{"detail":"...","title":"CF-...","code":10008}]}`, UAA/CredHub `{"error":"invalid_token","error_description":"..."}` |
//! | `json` | any other object with a message (`msg`/`message`) or a level |
//!
//! The error text of a log line is the first string among `data` keys `error`, `err`,
//! `reason`, `crash_reason`, `placement_error`, `cause`. A line wrapped by svlogd or a ctl
//! script (see [`super::prefix`]) is read through its prefix.

use super::{non_empty, prefix, Envelope, Level, Line};
use crate::timestamp::YearHint;
use serde_json::{Map, Value};

/// `data` keys holding an error text, best first.
const ERROR_KEYS: &[&str] = &[
    "error",
    "err",
    "reason",
    "crash_reason",
    "placement_error",
    "cause",
];

/// The line as one of the JSON envelopes, if it is a JSON object.
pub fn parse(t: &str, _hint: YearHint) -> Option<Line> {
    let inner = prefix::strip_ctl(t)
        .or_else(|| prefix::strip_svlogd(t))
        .unwrap_or(t);
    let inner = inner.trim();
    if !inner.starts_with('{') {
        return None;
    }
    let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(inner) else {
        return None;
    };
    Some(classify(obj))
}

fn classify(mut obj: Map<String, Value>) -> Line {
    if obj.contains_key("stage") || (obj.contains_key("time") && obj.contains_key("error")) {
        return bosh_event(obj);
    }
    if let Some(line) = api_error(&obj) {
        return line;
    }
    let message = text(&obj, "message").or_else(|| text(&obj, "msg"));
    let source = text(&obj, "source");
    let data = match obj.remove("data") {
        Some(Value::Object(d)) => Some(d),
        _ => None,
    };
    let error = data
        .as_ref()
        .and_then(error_text)
        .or_else(|| error_text(&obj));
    let (envelope, level) = match (obj.get("log_level"), obj.get("level")) {
        (Some(Value::Number(n)), _) => {
            let n = n.as_u64().unwrap_or(1);
            let prefixed = match (&source, &message) {
                (Some(s), Some(m)) => m.starts_with(&format!("{s}.")),
                _ => false,
            };
            if prefixed || !obj.contains_key("timestamp") {
                (Envelope::Lager, lager_level(n))
            } else {
                (Envelope::Gorouter, zap_level(n))
            }
        }
        (Some(Value::String(l)), _) => (Envelope::Steno, Level::from_word(l)),
        (None, Some(Value::String(l))) if source.is_some() && is_rfc3339(&obj) => {
            (Envelope::LagerRfc3339, Level::from_word(l))
        }
        (None, Some(Value::String(l))) => (Envelope::Json, Level::from_word(l)),
        _ => (Envelope::Json, None),
    };
    Line {
        envelope,
        level,
        source,
        message,
        error,
        data: data.or(Some(obj)),
        ..Line::default()
    }
}

fn is_rfc3339(obj: &Map<String, Value>) -> bool {
    matches!(obj.get("timestamp"), Some(Value::String(s)) if s.as_bytes().get(4) == Some(&b'-'))
}

/// lager's numeric levels.
fn lager_level(n: u64) -> Option<Level> {
    Some(match n {
        0 => Level::Debug,
        1 => Level::Info,
        2 => Level::Error,
        _ => Level::Fatal,
    })
}

/// gorouter's zap levels.
fn zap_level(n: u64) -> Option<Level> {
    Some(match n {
        0 => Level::Debug,
        1 => Level::Info,
        2 => Level::Warn,
        3 => Level::Error,
        _ => Level::Fatal,
    })
}

/// A task event of the director (`/var/vcap/store/director/tasks/<id>/event`), as
/// cloudfoundry/bosh-cli ui/task/reporter_test.go feeds them.
fn bosh_event(obj: Map<String, Value>) -> Line {
    let error = match obj.get("error") {
        Some(Value::Object(e)) => text(e, "message"),
        Some(Value::String(s)) => non_empty(s),
        _ => obj
            .get("data")
            .and_then(Value::as_object)
            .and_then(error_text),
    };
    let failed = obj.get("state").and_then(Value::as_str) == Some("failed");
    let level = match (&error, failed, obj.get("type").and_then(Value::as_str)) {
        (Some(_), _, _) | (None, true, _) => Some(Level::Error),
        (None, false, Some("warning" | "deprecation")) => Some(Level::Warn),
        _ => Some(Level::Info),
    };
    let task = text(&obj, "task");
    let time = obj
        .get("time")
        .and_then(Value::as_i64)
        .and_then(|s| jiff::Timestamp::from_second(s).ok());
    Line {
        envelope: Envelope::BoshEvent,
        time,
        level,
        source: text(&obj, "stage"),
        vm: task.as_deref().and_then(super::cli::instance_in),
        message: task.or_else(|| text(&obj, "message")),
        error,
        data: Some(obj),
    }
}

/// An API error body: Cloud Controller v2 and v3, UAA and CredHub.
fn api_error(obj: &Map<String, Value>) -> Option<Line> {
    let (message, error) = if let Some(Value::Array(errors)) = obj.get("errors") {
        let first = errors.first()?.as_object()?;
        (
            text(first, "title"),
            text(first, "detail").or_else(|| text(first, "details")),
        )
    } else if obj.contains_key("description") && obj.contains_key("error_code") {
        (text(obj, "error_code"), text(obj, "description"))
    } else if obj.len() <= 3 && obj.contains_key("error") && !obj.contains_key("message") {
        let error = text(obj, "error");
        match text(obj, "error_description") {
            Some(d) => (error, Some(d)),
            None => (None, error),
        }
    } else {
        return None;
    };
    error.as_ref()?;
    Some(Line {
        envelope: Envelope::ApiError,
        level: Some(Level::Error),
        message,
        error,
        data: Some(obj.clone()),
        ..Line::default()
    })
}

/// The first string among [`ERROR_KEYS`] (an object value is given as its JSON).
fn error_text(data: &Map<String, Value>) -> Option<String> {
    ERROR_KEYS.iter().find_map(|k| match data.get(*k)? {
        Value::String(s) => non_empty(s),
        Value::Null => None,
        other => Some(other.to_string()),
    })
}

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).and_then(non_empty)
}

#[cfg(test)]
mod tests {
    use super::super::{parse as parse_line, Envelope, Level};
    use crate::timestamp::YearHint;

    fn line(s: &str) -> super::Line {
        parse_line(s.as_bytes(), YearHint::default())
    }

    // cloudfoundry/garden-runc-release#15 (garden.stdout.log, lager with a float epoch).
    #[test]
    fn lager_float_epoch() {
        let l = line(
            r#"{"timestamp":"1472766268.564709902","source":"guardian","message":"guardian.create.containerizer-create.runtime-create-failed","log_level":2,"data":{"error":"runc create: exit status 1: process_linux.go:258: applying cgroup configuration for process caused \"mkdir /sys/fs/cgroup/memory/d7581e52-2e88-4cdb-5d99-2fa93b4b1cd5: no space left on device\"","handle":"d7581e52-2e88-4cdb-5d99-2fa93b4b1cd5","session":"999.2"}}"#,
        );
        assert_eq!(l.envelope, Envelope::Lager);
        assert_eq!(l.level, Some(Level::Error));
        assert_eq!(l.source.as_deref(), Some("guardian"));
        assert!(l.key_ends_with("runtime-create-failed"));
        assert!(l.key_ends_with("containerizer-create.runtime-create-failed"));
        assert!(!l.key_ends_with("create-failed"));
        assert!(l.error.unwrap().starts_with("runc create: exit status 1"));
        assert!(l.time.is_some());
    }

    // cloudfoundry/cf-deployment#766 (locket, lager with RFC 3339 timestamps; trace cut).
    #[test]
    fn lager_rfc3339() {
        let l = line(
            r#"{"timestamp":"2019-05-01T22:07:29.123894418Z","level":"fatal","source":"locket","message":"locket.sql-failed-to-connect","data":{"error":"dial tcp: lookup sql-db.service.cf.internal on 10.5.0.2:53: no such host"}}"#,
        );
        assert_eq!(l.envelope, Envelope::LagerRfc3339);
        assert_eq!(l.level, Some(Level::Fatal));
        assert!(l.key_ends_with("sql-failed-to-connect"));
        assert_eq!(
            l.error.as_deref(),
            Some("dial tcp: lookup sql-db.service.cf.internal on 10.5.0.2:53: no such host")
        );
    }

    // CF docs "Troubleshooting router errors" (gorouter.log behind its ctl prefix) and
    // cloudfoundry/routing-release#136 (gorouter.stdout.log).
    #[test]
    fn gorouter_zap() {
        let l = line(
            r#"[2018-07-05 17:59:10+0000] {"log_level":3,"timestamp":1530813550.92134,"message":"backend-endpoint-failed","source":"vcap.gorouter","data":{"route-endpoint":{"ApplicationId":"","Addr":"10.0.32.15:60099","Tags":null,"RouteServiceUrl":""},"error":"dial tcp 10.0.32.15:60099: getsockopt: connection refused"}}"#,
        );
        assert_eq!(l.envelope, Envelope::Gorouter);
        assert_eq!(l.level, Some(Level::Error));
        assert!(l.key_ends_with("backend-endpoint-failed"));
        assert_eq!(
            l.error.as_deref(),
            Some("dial tcp 10.0.32.15:60099: getsockopt: connection refused")
        );
        let l = line(
            r#"{"log_level":6,"timestamp":1550040075.4952705,"message":"routing-api-connection-failed","source":"vcap.gorouter","data":{"error":"Get http://routing-api.service.cf.internal:3000/routing/v1/routes: dial tcp 192.168.2.19:3000: connect: connection refused"}}"#,
        );
        assert_eq!(
            (l.envelope, l.level),
            (Envelope::Gorouter, Some(Level::Fatal))
        );
    }

    // cloudfoundry-attic/cf-release#842 (trafficcontroller, DEA era) and
    // cloudfoundry/cloud_controller_ng#737 (cloud_controller_ng.log; file/lineno dropped).
    #[test]
    fn steno_string_levels() {
        let l = line(
            r#"{"timestamp":1447238932.067175150,"process_id":4073,"source":"loggregator trafficcontroller","log_level":"info","message":"Startup: Setting up the loggregator traffic controller","data":null}"#,
        );
        assert_eq!(l.envelope, Envelope::Steno);
        assert_eq!(l.level, Some(Level::Info));
        assert_eq!(
            l.message.as_deref(),
            Some("Startup: Setting up the loggregator traffic controller")
        );
        assert!(!l.key_ends_with("controller"));
        let l = line(
            r#"{"timestamp":1480559458.0446959,"message":"Mysql2::Error: MySQL server has gone away: SELECT `queue`, count(*) AS `count` FROM `delayed_jobs` WHERE (`attempts` = 0) GROUP BY `queue`","log_level":"error","source":"cc.db","data":{}}"#,
        );
        assert_eq!((l.envelope, l.level), (Envelope::Steno, Some(Level::Error)));
        assert!(l.error_texts().any(|t| t.starts_with("Mysql2::Error")));
    }

    // cloudfoundry/bosh-cli ui/task/reporter_test.go (director task event lines).
    #[test]
    fn bosh_task_events() {
        let l = line(
            r#"{"time":7414830635,"stage":"Updating job","tags":["job"],"total":1,"task":"job/0 (canary)","index":1,"state":"failed","progress":100,"data":{"error":"'job/0' is not running after update"}}"#,
        );
        assert_eq!(l.envelope, Envelope::BoshEvent);
        assert_eq!(l.level, Some(Level::Error));
        assert_eq!(l.source.as_deref(), Some("Updating job"));
        assert_eq!(
            l.error.as_deref(),
            Some("'job/0' is not running after update")
        );
        assert_eq!(l.vm.as_deref(), Some("job/0"));
        let l = line(
            r#"{"time":1468888884,"error":{"code":100,"message":"Failed to find keys in the config server: bool, bool2"}}"#,
        );
        assert_eq!(l.envelope, Envelope::BoshEvent);
        assert_eq!(
            l.error.as_deref(),
            Some("Failed to find keys in the config server: bool, bool2")
        );
        let l = line(
            r#"{"time":1478564798,"stage":"Preparing deployment","tags":[],"total":1,"task":"Preparing deployment","index":1,"state":"finished","progress":100}"#,
        );
        assert_eq!((l.level, l.error), (Some(Level::Info), None));
    }

    // yudai/cf_nise_installer#126 (CF_TRACE output, the body on one line) and the CredHub
    // error body of pivotal/credhub-release docs/troubleshooting-guide.md.
    #[test]
    fn api_error_bodies() {
        let l = line(
            r#"{"error_code": "UnknownError", "description": "An unknown error occurred.", "code": 10001}"#,
        );
        assert_eq!(l.envelope, Envelope::ApiError);
        assert_eq!(l.message.as_deref(), Some("UnknownError"));
        assert_eq!(l.error.as_deref(), Some("An unknown error occurred."));
        let l = line(
            r#"{"error":"The credential could not be accessed with the provided encryption keys. You must update your deployment configuration to continue."}"#,
        );
        assert_eq!(l.envelope, Envelope::ApiError);
        assert!(l
            .error
            .unwrap()
            .starts_with("The credential could not be accessed"));
    }
}
