//! Two `date` outputs pasted close together (`$ date` on a VM, then on a laptop or another
//! VM): an operator comparing clocks. When they lie [`clock::SKEW_SECS`] or more apart, the
//! clocks disagree: `clock-skew`, as the structured clock check says it of bundles.
//!
//! A `date` output is the line after a prompt line ending in `date` (`$ date`,
//! `root@vm:~# date -u`), in either layout of coreutils `date` (`Sun May 26 23:40:15 UTC
//! 2019`, `Sun 26 May 2019 23:58:13 UTC`), with its zone named by an abbreviation of
//! [`ZONES`] (others are skipped: an abbreviation is ambiguous). Only outputs at most
//! [`NEAR_LINES`] lines apart are compared, so a session that runs `date` before and after a
//! long operation is not read as skew.

use super::super::{captures, clock, excerpt, human_duration};
use crate::finding::Finding;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// The farthest apart (in lines of the paste) two outputs can be to be compared.
const NEAR_LINES: usize = 12;

/// Time-zone abbreviations `date` prints, with their offset from UTC in minutes.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("CET", 60),
    ("CEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("IST", 330),
    ("CST", -360),
    ("CDT", -300),
    ("EST", -300),
    ("EDT", -240),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("JST", 540),
    ("KST", 540),
    ("AEST", 600),
    ("AEDT", 660),
];

/// The layouts of `date`'s output once the zone is taken out and spaces are collapsed.
const LAYOUTS: &[&str] = &["%a %b %d %H:%M:%S %Y", "%a %d %b %Y %H:%M:%S"];

/// A `date` output: its instant and its line (1-based) in the paste.
struct Output {
    at: Timestamp,
    line: u64,
    text: String,
}

/// A clock-skew finding for the first pair of nearby `date` outputs of `text` (a paste at
/// `path`, belonging to `vm`) that disagree by [`clock::SKEW_SECS`] or more.
pub(super) fn findings(vm: &str, path: &str, text: &str) -> Vec<Finding> {
    let lines: Vec<&str> = text.lines().collect();
    let outputs: Vec<Output> = lines
        .windows(2)
        .enumerate()
        .filter(|(_, w)| is_date_prompt(w[0]))
        .filter_map(|(i, w)| {
            Some(Output {
                at: parse(w[1])?,
                line: i as u64 + 2,
                text: w[1].trim().to_string(),
            })
        })
        .collect();
    for pair in outputs.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.line - a.line > NEAR_LINES as u64 {
            continue;
        }
        let secs = (b.at.as_second() - a.at.as_second()).abs();
        if secs < clock::SKEW_SECS {
            continue;
        }
        return vec![Finding {
            summary: format!(
                "two pasted `date` outputs disagree by {}: {} / {}",
                human_duration(secs),
                a.text,
                b.text
            ),
            line: Some(a.line),
            excerpt: excerpt(a.text.as_bytes()),
            captures: captures([("skew_seconds", secs.to_string())]),
            ..clock::CLOCK_SKEW.finding(vm, path)
        }];
    }
    Vec::new()
}

/// A shell prompt line that runs `date` (with options, but no format or other arguments).
fn is_date_prompt(line: &str) -> bool {
    let line = line.trim_end();
    let Some(cmd) = ["$ ", "# "]
        .iter()
        .filter_map(|p| line.rfind(p).map(|i| &line[i + p.len()..]))
        .next()
    else {
        return false;
    };
    let mut words = cmd.split_whitespace();
    words.next() == Some("date") && words.all(|w| matches!(w, "-u" | "--utc" | "-R"))
}

/// The instant a `date` output names, when its layout and zone are known.
fn parse(line: &str) -> Option<Timestamp> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (zone, offset) = words
        .iter()
        .find_map(|w| ZONES.iter().find(|(z, _)| z == w))?;
    let rest: Vec<&str> = words.iter().copied().filter(|w| w != zone).collect();
    let rest = rest.join(" ");
    let civil = LAYOUTS
        .iter()
        .find_map(|layout| DateTime::strptime(layout, &rest).ok())?;
    let offset = Offset::from_seconds(offset * 60).ok()?;
    TimeZone::fixed(offset).to_timestamp(civil).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vm_and_a_laptop_18_minutes_apart_is_skew() {
        // cloudfoundry-attic/cfdev#101, as posted.
        let text = "\
App instance:

$ date
Sun May 26 23:40:15 UTC 2019

On my laptop:

$ date -u
Sun 26 May 2019 23:58:13 UTC
";
        let got = findings("stdin", "stdin", text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].signature, "clock-skew");
        assert_eq!(got[0].captures["skew_seconds"], "1078");
        assert_eq!(got[0].line, Some(4));
    }

    #[test]
    fn zones_are_applied_before_comparing() {
        // cloudfoundry-attic/cfdev#40 (blank line between the two kept): AEST laptop, UTC VM.
        let text =
            "$ date\nWed  1 Aug 2018 13:42:07 AEST\n\n# date\nWed Aug  1 00:14:32 UTC 2018\n";
        let got = findings("stdin", "stdin", text);
        assert_eq!(
            got[0].captures["skew_seconds"],
            (3 * 3600 + 27 * 60 + 35).to_string()
        );
        // The same instant in two zones is no skew.
        let text =
            "$ date\nWed  1 Aug 2018 10:14:32 AEST\n$ date -u\nWed Aug  1 00:14:32 UTC 2018\n";
        assert!(findings("stdin", "stdin", text).is_empty());
    }

    #[test]
    fn far_apart_outputs_and_unknown_zones_say_nothing() {
        let mut text = String::from("$ date\nSun May 26 23:40:15 UTC 2019\n");
        text.push_str(&"bosh deploy output\n".repeat(20));
        text.push_str("$ date\nMon May 27 01:40:15 UTC 2019\n");
        assert!(findings("stdin", "stdin", &text).is_empty());
        let text = "$ date\nSun May 26 23:40:15 XYZT 2019\n$ date\nSun May 26 20:40:15 UTC 2019\n";
        assert!(findings("stdin", "stdin", text).is_empty());
        // `date` with a format is not a clock reading to compare.
        assert!(!is_date_prompt("$ date +%s"));
        assert!(is_date_prompt("root@vm:~# date -u"));
    }
}
