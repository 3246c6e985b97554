//! The collector's settings as plain data, built once from the command line (`main.rs`)
//! or by tests, plus the parsers for sizes (`64MiB`) and durations (`7d`).

use std::path::PathBuf;
use std::time::Duration;

/// Where the bundle goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Into this directory, under the bundle's own name.
    Dir(PathBuf),
    /// Exactly this file.
    File(PathBuf),
    /// Standard output (`--output -`); temporary data goes to `spool_dir`.
    Stdout,
}

/// Everything `run` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The VM's `/`, or a mounted tree.
    pub root: PathBuf,
    pub output: Output,
    /// Where temporary spools go when `output` is stdout.
    pub spool_dir: PathBuf,
    /// Logs last modified longer ago than this are left out.
    pub since: Duration,
    /// Larger files keep their tail of this size.
    pub max_file_size: u64,
    /// Uncompressed bytes stored, at most.
    pub max_total: u64,
    /// Stop before the output filesystem's free space drops under this many bytes...
    pub min_free_bytes: u64,
    /// ...or this share of its size.
    pub min_free_percent: f64,
    pub commands: bool,
    pub command_timeout: Duration,
    /// Hard bound on the whole run.
    pub max_duration: Duration,
    /// Extra globs (relative to the root, e.g. `var/vcap/store/uaa/*.log`).
    pub include: Vec<String>,
    /// Globs of paths to leave out.
    pub exclude: Vec<String>,
    /// Compression threads.
    pub threads: usize,
    /// Lower the process's CPU and I/O priority (on by default).
    pub lower_priority: bool,
}

impl Config {
    /// The defaults of the command line, collecting from `root`.
    pub fn new(root: PathBuf) -> Config {
        Config {
            root,
            output: Output::Dir(PathBuf::from("/var/vcap/data/tmp")),
            spool_dir: default_spool_dir(),
            since: Duration::from_secs(7 * 86_400),
            max_file_size: 64 << 20,
            max_total: 1 << 30,
            min_free_bytes: 512 << 20,
            min_free_percent: 5.0,
            commands: true,
            command_timeout: Duration::from_secs(10),
            max_duration: Duration::from_secs(15 * 60),
            include: Vec::new(),
            exclude: Vec::new(),
            threads: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(2),
            lower_priority: true,
        }
    }
}

/// The ephemeral disk when there is one (a stemcell's root disk is small), else the temp dir.
pub fn default_spool_dir() -> PathBuf {
    let eph = PathBuf::from("/var/vcap/data/tmp");
    if eph.is_dir() {
        eph
    } else {
        std::env::temp_dir()
    }
}

/// Parses `1048576`, `64MiB`, `64M`, `1GiB`, `512k` (binary multiples; `B` optional).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid size {s:?}: expected e.g. 64MiB"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        other => {
            return Err(format!(
                "invalid size unit {other:?} in {s:?}: use B, KiB, MiB, GiB, TiB"
            ))
        }
    };
    if !n.is_finite() || n < 0.0 {
        return Err(format!("invalid size {s:?}"));
    }
    Ok((n * mult as f64) as u64)
}

/// Parses a duration: `7d`, `36h`, `90m`, `30s`, `1w`, `2h30m` or ISO 8601 `P7D` (jiff's
/// friendly format; days are 24 hours).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let span: jiff::Span = s
        .trim()
        .parse()
        .map_err(|e| format!("invalid duration {s:?}: {e} (expected e.g. 7d, 36h, 90m)"))?;
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|e| format!("invalid duration {s:?}: {e}"))?;
    Duration::try_from(d).map_err(|_| format!("invalid duration {s:?}: negative"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("512k").unwrap(), 512 << 10);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("1.5M").unwrap(), 3 << 19);
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86_400)
        );
        assert_eq!(
            parse_duration("36h").unwrap(),
            Duration::from_secs(36 * 3600)
        );
        assert_eq!(parse_duration("2h30m").unwrap(), Duration::from_secs(9000));
        assert_eq!(
            parse_duration("1w").unwrap(),
            Duration::from_secs(7 * 86_400)
        );
        assert!(parse_duration("soon").is_err());
    }
}
