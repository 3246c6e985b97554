//! UTC calendar arithmetic and the handful of timestamp formats found on a BOSH VM.
//!
//! Test support only: no time zones, no parsing. Kept here so `testkit` needs no date crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC instant broken into calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Utc {
    pub secs: i64,
    pub nanos: u32,
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Utc {
    pub fn from_system(t: SystemTime) -> Utc {
        let (secs, nanos) = unix(t);
        Utc::from_unix(secs, nanos)
    }

    pub fn from_unix(secs: i64, nanos: u32) -> Utc {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Utc {
            secs,
            nanos,
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    pub fn month_abbr(&self) -> &'static str {
        MONTHS[(self.month - 1) as usize]
    }

    /// `2018-11-06`
    pub fn date(&self, sep: char) -> String {
        format!("{:04}{sep}{:02}{sep}{:02}", self.year, self.month, self.day)
    }

    /// `18:14:07`
    pub fn clock(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }

    /// lager's `unix-epoch` format: `1541529930.121304000` (seconds, 9 fractional digits).
    pub fn epoch_9(&self) -> String {
        format!("{}.{:09}", self.secs, self.nanos)
    }

    /// Go's `RFC3339Nano`: trailing zeros of the fraction dropped, `Z` suffix.
    pub fn rfc3339_nano(&self) -> String {
        let mut frac = format!("{:09}", self.nanos);
        while frac.ends_with('0') {
            frac.pop();
        }
        let frac = if frac.is_empty() {
            String::new()
        } else {
            format!(".{frac}")
        };
        format!("{}T{}{}Z", self.date('-'), self.clock(), frac)
    }

    /// RFC 3339 with exactly 9 fractional digits (gorouter access log).
    pub fn rfc3339_9(&self) -> String {
        format!("{}T{}.{:09}Z", self.date('-'), self.clock(), self.nanos)
    }

    /// svlogd `-tt` prefix: `2018-11-06_16:38:36.16986` (5 fractional digits).
    pub fn svlogd(&self) -> String {
        format!(
            "{}_{}.{:05}",
            self.date('-'),
            self.clock(),
            self.nanos / 10_000
        )
    }

    /// Go's `log` package default: `2018/11/06 16:38:36`.
    pub fn go_log(&self) -> String {
        format!("{} {}", self.date('/'), self.clock())
    }

    /// BSD syslog: `Nov  6 18:14:07` (day padded with a space).
    pub fn bsd(&self) -> String {
        format!("{} {:>2} {}", self.month_abbr(), self.day, self.clock())
    }
}

/// Seconds and nanoseconds since the Unix epoch; negative seconds before 1970.
pub(crate) fn unix(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let mut secs = -(d.as_secs() as i64);
            let mut nanos = d.subsec_nanos();
            if nanos > 0 {
                secs -= 1;
                nanos = 1_000_000_000 - nanos;
            }
            (secs, nanos)
        }
    }
}

/// A `SystemTime` from seconds since the Unix epoch.
pub(crate) fn from_unix(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_real_samples() {
        // 2018-11-06_18:45:30.31658 is seed 004's alert line; 1541529930 is its created_at.
        let t = Utc::from_unix(1_541_529_930, 316_580_000);
        assert_eq!(t.svlogd(), "2018-11-06_18:45:30.31658");
        assert_eq!(t.go_log(), "2018/11/06 18:45:30");
        assert_eq!(t.bsd(), "Nov  6 18:45:30");
        assert_eq!(t.epoch_9(), "1541529930.316580000");
        assert_eq!(t.rfc3339_nano(), "2018-11-06T18:45:30.31658Z");
        assert_eq!(Utc::from_unix(0, 0).rfc3339_nano(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc::from_unix(951_782_400, 0).date('-'), "2000-02-29");
        assert_eq!(Utc::from_unix(-1, 0).rfc3339_nano(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn unix_round_trips_before_epoch() {
        let t = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(unix(t), (-2, 500_000_000));
        assert_eq!(unix(from_unix(-86_400)), (-86_400, 0));
    }
}
