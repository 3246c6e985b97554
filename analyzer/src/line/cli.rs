//! What the `cf` and `bosh` CLIs print, pasted into a ticket.
//!
//! - `cf-cli`: `FAILED`, `Server error, status code: 500, error code: 170011, message: ...`
//!   (alone or after `Error restarting application: `), `Error staging application: ...`, and
//!   the fields of a pretty-printed API error body under `CF_TRACE` (`"description": "..."`,
//!   which is the `api-error` envelope, as its one-line form).
//! - `bosh-cli`: a deploy or task as the v2 CLI prints it (`Task 147 | 06:39:49 | Error:
//!   ...`, `19:10:35 | Updating job ...`, `  L Error: ...`), the v1 CLI's `Failed updating job
//!   access_z1 > access_z1/0 (canary): ...` and `Error 450001: ...`. An instance named in the
//!   text (`Updating instance nginx: nginx/85fc0e69-... (1)`, `'bpm/33f5... (0)' is not
//!   running`) is the line's VM.
//! - `bosh-table`: rows of `bosh instances [--ps]` and `bosh vms`: `<group>/<id>  <process
//!   state>  <az> ...`, and `~  <process>  <state>` process rows.

use super::{non_empty, Envelope, Level, Line};
use crate::timestamp::YearHint;

/// The line as `cf` or `bosh` CLI output, if it is.
pub fn parse(t: &str, _hint: YearHint) -> Option<Line> {
    let t = t.trim_end();
    cf(t).or_else(|| api_field(t)).or_else(|| bosh(t))
}

fn cf(t: &str) -> Option<Line> {
    if t == "FAILED" {
        return Some(Line {
            envelope: Envelope::CfCli,
            level: Some(Level::Error),
            message: Some(t.to_string()),
            ..Line::default()
        });
    }
    if let Some(at) = t.find("Server error, status code: ") {
        let rest = &t[at..];
        let code = rest
            .split_once("error code: ")
            .map(|(_, c)| c.split(',').next().unwrap_or("").trim().to_string());
        let message = rest
            .split_once(", message: ")
            .and_then(|(_, m)| non_empty(m));
        return Some(Line {
            envelope: Envelope::CfCli,
            level: Some(Level::Error),
            source: non_empty(t[..at].trim_end_matches([' ', ':'])),
            message: code.filter(|c| !c.is_empty()),
            error: message,
            ..Line::default()
        });
    }
    // `Error staging application: ...`, `Error restarting application: ...`.
    let rest = t.strip_prefix("Error ")?;
    let (what, error) = rest.split_once(": ")?;
    let shaped = what.split(' ').count() <= 4
        && what
            .split(' ')
            .next()
            .is_some_and(|verb| verb.ends_with("ing"));
    // The whole line is the message too: a program's own `Error sending email: ...` has this
    // shape as well, and a signature may name it with its prefix.
    shaped.then(|| Line {
        envelope: Envelope::CfCli,
        level: Some(Level::Error),
        source: Some(format!("Error {what}")),
        message: Some(t.to_string()),
        error: non_empty(error),
        ..Line::default()
    })
}

/// One field of a pretty-printed API error body (`"description": "..."`).
fn api_field(t: &str) -> Option<Line> {
    let rest = t.strip_prefix('"')?;
    let (key, value) = rest.split_once("\":")?;
    let value = value.trim().trim_end_matches(',');
    let value: String = serde_json::from_str(value).ok()?;
    let (message, error) = match key {
        "description" | "detail" | "details" | "error_description" => (None, non_empty(&value)),
        "error_code" | "title" => (non_empty(&value), None),
        _ => return None,
    };
    Some(Line {
        envelope: Envelope::ApiError,
        level: Some(Level::Error),
        message,
        error,
        ..Line::default()
    })
}

fn bosh(t: &str) -> Option<Line> {
    // `Task 147 | 06:39:49 | text`, `19:10:35 | text`, `Task 147 done`.
    let (source, rest) = match t.strip_prefix("Task ") {
        Some(after) => {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let rest = after[digits..].trim_start();
            (Some(format!("Task {}", &after[..digits])), rest)
        }
        None => (None, t),
    };
    let rest = match rest.strip_prefix("| ") {
        Some(r) => r,
        None if source.is_some() => rest,
        None => rest,
    };
    let rest = match clock(rest) {
        Some(after) => after,
        None if source.is_some() => rest.trim_start_matches(['.', ' ']),
        None => return v1_or_sub_error(t),
    };
    Some(progress(source, rest.trim()))
}

/// `HH:MM:SS | ` at the start: what follows.
fn clock(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let shape = b.len() >= 11
        && b[2] == b':'
        && b[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit());
    shape
        .then(|| s[8..].trim_start().strip_prefix('|'))
        .flatten()
}

/// The text of a task line: `Error: ...` is the error, the rest a stage.
fn progress(source: Option<String>, text: &str) -> Line {
    let text = text.trim();
    let error = text
        .strip_prefix("Error: ")
        .or_else(|| text.strip_prefix("L Error: "));
    Line {
        envelope: Envelope::BoshCli,
        level: Some(if error.is_some() {
            Level::Error
        } else {
            Level::Info
        }),
        source,
        vm: instance_in(text),
        message: error.is_none().then(|| non_empty(text)).flatten(),
        error: error.and_then(non_empty),
        ..Line::default()
    }
}

/// `L Error: ...` under a task line, and the v1 CLI's `Failed <stage>: <error>` and
/// `Error 450001: <error>`.
fn v1_or_sub_error(t: &str) -> Option<Line> {
    let s = t.trim_start();
    if let Some(error) = s.strip_prefix("L Error: ") {
        return Some(Line {
            vm: instance_in(error),
            ..progress(None, &format!("Error: {error}"))
        });
    }
    if let Some(rest) = s.strip_prefix("Error ") {
        let (code, error) = rest.split_once(": ")?;
        if !code.bytes().all(|b| b.is_ascii_digit()) || code.is_empty() {
            return None;
        }
        return Some(Line {
            envelope: Envelope::BoshCli,
            level: Some(Level::Error),
            message: Some(code.to_string()),
            vm: instance_in(error),
            error: non_empty(error),
            ..Line::default()
        });
    }
    let (stage, failed) = match s.strip_prefix("Failed ") {
        Some(stage) => (stage, true),
        None => (s.strip_prefix("Done ")?, false),
    };
    let (stage, error) = match stage.split_once(": ") {
        Some((st, e)) if failed => (st, non_empty(e)),
        _ => (stage, None),
    };
    if !stage.contains(" > ") {
        return None;
    }
    Some(Line {
        envelope: Envelope::BoshCli,
        level: Some(if failed { Level::Error } else { Level::Info }),
        message: non_empty(stage),
        vm: instance_in(stage),
        error,
        ..Line::default()
    })
}

/// The first BOSH instance name (`<group>/<uuid>` or `<group>/<index>`) in `text`.
pub fn instance_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '\'' | '`' | '"' | ',' | '>' | '('))
        .find(|w| is_instance(w))
        .map(str::to_string)
}

/// `group/uuid` or `group/index`.
pub fn is_instance(w: &str) -> bool {
    let Some((group, id)) = w.split_once('/') else {
        return false;
    };
    let group_ok = group
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && group
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let index = !id.is_empty() && id.len() <= 4 && id.bytes().all(|b| b.is_ascii_digit());
    let uuid = id.len() >= 8
        && id.contains('-')
        && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        && id.split('-').next().is_some_and(|first| first.len() == 8);
    group_ok && (index || uuid)
}

/// Process states `bosh instances`/`bosh vms` print, and whether each is a failure.
const STATES: &[(&str, bool)] = &[
    ("unresponsive agent", true),
    ("failing", true),
    ("unknown", true),
    ("running", false),
    ("stopped", false),
    ("starting", false),
    ("stopping", false),
];

/// A row of `bosh instances [--ps]` or `bosh vms`, if the line is one.
pub fn parse_row(t: &str, _hint: YearHint) -> Option<Line> {
    let t = t.trim();
    let (first, rest) = t.split_once("  ")?;
    let first = first.trim();
    let rest = rest.trim_start();
    let (vm, source, rest) = if is_instance(first) {
        (Some(first.to_string()), None, rest)
    } else if first == "~" {
        let (process, after) = rest.split_once("  ")?;
        (None, Some(process.trim().to_string()), after.trim_start())
    } else {
        return None;
    };
    // `bosh instances --ps` puts `-` (or a process name) before the state of an instance.
    let rest = rest.strip_prefix("- ").map(str::trim_start).unwrap_or(rest);
    let &(state, failed) = STATES.iter().find(|(s, _)| {
        rest.strip_prefix(s)
            .is_some_and(|after| after.is_empty() || after.starts_with(' '))
    })?;
    Some(Line {
        envelope: Envelope::BoshTable,
        level: Some(if failed { Level::Error } else { Level::Info }),
        source,
        message: Some(state.to_string()),
        vm,
        ..Line::default()
    })
}

#[cfg(test)]
mod tests {
    use super::super::{parse as parse_line, Envelope, Level};
    use crate::timestamp::YearHint;

    fn line(s: &str) -> super::Line {
        parse_line(s.as_bytes(), YearHint::default())
    }

    #[test]
    fn cf_cli_output() {
        // yudai/cf_nise_installer#126 and cloudfoundry/cli#157.
        let l = line("FAILED");
        assert_eq!((l.envelope, l.level), (Envelope::CfCli, Some(Level::Error)));
        let l = line("Server error, status code: 500, error code: 10001, message: An unknown error occurred.");
        assert_eq!(l.envelope, Envelope::CfCli);
        assert_eq!(l.message.as_deref(), Some("10001"));
        assert_eq!(l.error.as_deref(), Some("An unknown error occurred."));
        // cloudfoundry/diego-release#322 (cut after the host).
        let l = line("Error restarting application: Server error, status code: 500, error code: 170011, message: Stager error: Failed to open TCP connection to stager.service.cf.internal:8888");
        assert_eq!(l.source.as_deref(), Some("Error restarting application"));
        assert_eq!(
            l.error.as_deref(),
            Some("Stager error: Failed to open TCP connection to stager.service.cf.internal:8888")
        );
        // cloudfoundry/cf-deployment#555: an empty message.
        let l = line("Server error, status code: 500, error code: 0, message: ");
        assert_eq!((l.envelope, l.error), (Envelope::CfCli, None));
        // cloudfoundry/cf-deployment#425 (CF_TRACE body, pretty-printed).
        let l = line("  \"description\": \"Stager is unavailable: getaddrinfo: Name or service not known (bbs.service.cf.internal:8889)\",");
        assert_eq!(l.envelope, Envelope::ApiError);
        assert_eq!(
            l.error.as_deref(),
            Some("Stager is unavailable: getaddrinfo: Name or service not known (bbs.service.cf.internal:8889)")
        );
        // A program's own error line of the same shape (the health monitor's, in
        // cloudfoundry/bosh src/bosh-monitor/lib/bosh/monitor/plugins/email.rb @ 96f9135:
        // "Error sending email: #{e}"): a signature may
        // name it whole or by its error.
        let l = line("Error sending email: execution expired");
        let texts: Vec<&str> = l.error_texts().collect();
        assert_eq!(
            texts,
            [
                "execution expired",
                "Error sending email: execution expired"
            ]
        );
    }

    #[test]
    fn bosh_cli_output() {
        // seeds/002 (bosh create-env output).
        let l = line("Task 147 | 06:39:49 | Error: Unable to render instance groups for deployment. Errors are:");
        assert_eq!(l.envelope, Envelope::BoshCli);
        assert_eq!(l.source.as_deref(), Some("Task 147"));
        assert_eq!(l.level, Some(Level::Error));
        assert_eq!(
            l.error.as_deref(),
            Some("Unable to render instance groups for deployment. Errors are:")
        );
        let l = line("Task 147 | 06:39:48 | Preparing deployment: Preparing deployment (00:00:00)");
        assert_eq!((l.level, l.error.as_deref()), (Some(Level::Info), None));
        // cloudfoundry/bosh#2399 and cloudfoundry/bpm-release#176: the instance is the VM.
        let l = line("Task 303801 | 05:23:07 | Creating missing vms: web/aa615f9e-76ce-4c1e-8f91-3b75b0a75044 (0)");
        assert_eq!(
            l.vm.as_deref(),
            Some("web/aa615f9e-76ce-4c1e-8f91-3b75b0a75044")
        );
        let l = line("                   L Error: 'bpm/33f58def-3dac-467e-bc7d-715e4a890b54 (0)' is not running after update. Review logs for failed jobs: test-server, alt-test-server");
        assert_eq!(l.envelope, Envelope::BoshCli);
        assert_eq!(
            l.vm.as_deref(),
            Some("bpm/33f58def-3dac-467e-bc7d-715e4a890b54")
        );
        assert!(l.error.unwrap().ends_with("test-server, alt-test-server"));
        // cloudfoundry/bosh-cli ui/task/reporter_test.go: `bosh task` output without prefix.
        let l = line("19:10:35 | Error: 'job/0' is not running after update");
        assert_eq!(
            l.error.as_deref(),
            Some("'job/0' is not running after update")
        );
        assert_eq!(l.vm.as_deref(), Some("job/0"));
        // cloudfoundry/docs-bosh content/tips.md (v1 CLI) and cloudfoundry/bosh#1549.
        let l = line("   Failed updating job access_z1 > access_z1/0 (canary): `access_z1/0' is not running after update (00:02:13)");
        assert_eq!(
            (l.envelope, l.vm.as_deref()),
            (Envelope::BoshCli, Some("access_z1/0"))
        );
        let l = line("Error 450001: Action Failed get_state: Getting processes status: Getting service status: Unmarshalling Monit status: read tcp 127.0.0.1:43670->127.0.0.1:2822: read: connection reset by peer");
        assert_eq!(l.message.as_deref(), Some("450001"));
        // Packages are not instances (cloudfoundry/bosh#2110).
        let l = line("Task 5 | 06:07:44 | Compiling packages: ruby/aeb9acaed6ce2aa86ce1ce9f4017528be0e2041e (00:11:32)");
        assert_eq!(l.vm, None);
    }

    #[test]
    fn bosh_tables() {
        // seeds/004 (`bosh vms`), and Altoros/s1p-bosh-lab bosh-troubleshooting/README.md
        // (`bosh vms` and `bosh instances --ps`).
        let l =
            line("nginx/14e444f1-48c0-4006-8908-7d535ee88bc0  unresponsive agent  z1  10.4.1.17");
        assert_eq!(l.envelope, Envelope::BoshTable);
        assert_eq!(
            l.vm.as_deref(),
            Some("nginx/14e444f1-48c0-4006-8908-7d535ee88bc0")
        );
        assert_eq!(l.message.as_deref(), Some("unresponsive agent"));
        assert_eq!(l.level, Some(Level::Error));
        let l = line("nginx-ubuntu/23a81ebe-af07-4675-adc3-244153394e4a  failing        z1  10.0.0.138  vm-a0de1797-3905-446f-7209-308d7ce52612  nginx-small  false");
        assert_eq!(
            (l.message.as_deref(), l.level),
            (Some("failing"), Some(Level::Error))
        );
        let l = line("nginx-centos/94e82144-f161-4f12-af2f-5c0dd55df24e  -        running        z1  10.0.0.137");
        assert_eq!(
            (l.envelope, l.level),
            (Envelope::BoshTable, Some(Level::Info))
        );
        let l = line(
            "~                                                  nginx    unknown        -   -",
        );
        assert_eq!(l.source.as_deref(), Some("nginx"));
        assert_eq!(
            (l.message.as_deref(), l.level),
            (Some("unknown"), Some(Level::Error))
        );
        // Headers are not rows.
        assert_ne!(
            line("Instance                                           Process  Process State  AZ  IPs").envelope,
            Envelope::BoshTable
        );
        assert_eq!(l.vm, None);
    }
}
