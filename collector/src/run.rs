//! One collection, start to finish: plan, run the commands, push everything through the
//! [`pipeline`] into the body, then write the manifest first and the body after it,
//! atomically (a hidden partial file renamed at the end). When the output filesystem cannot
//! hold that copy, entries are dropped from the end of the body (and recorded as over
//! budget) until the bundle fits: a valid bundle or nothing, and nothing only when not even
//! the manifest fits.

use crate::archive;
use crate::commands;
use crate::config::{Config, Output};
use crate::guard::FreeSpace;
use crate::pipeline::{self, RecordRef, Settings, Stops, Written};
use crate::plan;
use bundle::manifest::{self, CommandRecord, FileRecord, FileStatus, Manifest};
use redact::Redactor;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

/// Why no bundle could be written at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("invalid options: {0}")]
    Options(String),
    #[error("cannot write the bundle in {dir}: {source}")]
    Output { dir: PathBuf, source: io::Error },
    #[error("cannot write the bundle to standard output: {0}")]
    Stdout(io::Error),
}

/// A written bundle.
pub struct Outcome {
    /// Where it is (`None` when written to stdout).
    pub path: Option<PathBuf>,
    pub manifest: Manifest,
}

impl Outcome {
    /// Short lines for stderr: each file or command that has a problem worth a look.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(r) = &self.manifest.incomplete_reason {
            out.push(format!("incomplete: {r}"));
        }
        // Files left out because the run stopped early are one line: the reason says why.
        let stopped = self
            .manifest
            .files
            .iter()
            .filter(|f| f.status == FileStatus::TimedOut)
            .count();
        if stopped > 0 {
            out.push(format!(
                "{stopped} file(s) not collected: the run stopped early"
            ));
        }
        for f in &self.manifest.files {
            let what = match f.status {
                FileStatus::Unreadable => "unreadable",
                FileStatus::OverBudget => "left out, over budget",
                FileStatus::Withheld => "withheld by the leak gate",
                _ => continue,
            };
            out.push(format!(
                "/{}: {what}: {}",
                f.path,
                f.detail.as_deref().unwrap_or("")
            ));
        }
        for c in &self.manifest.commands {
            if matches!(
                c.status,
                manifest::CommandStatus::TimedOut | manifest::CommandStatus::Failed
            ) {
                let what = match c.status {
                    manifest::CommandStatus::TimedOut => "timed out",
                    _ => "failed",
                };
                out.push(format!(
                    "command {}: {what}: {}",
                    c.name,
                    c.detail.as_deref().unwrap_or("")
                ));
            }
        }
        out
    }
}

/// Runs one collection. `signal` is set by SIGTERM/SIGINT handlers: the run then stops
/// early and still writes a valid bundle marked incomplete.
pub fn run(cfg: &Config, signal: &AtomicBool) -> Result<Outcome, CollectError> {
    let started = Instant::now();
    let now = SystemTime::now();
    let at = jiff::Timestamp::try_from(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let bosh = crate::identity::bosh_identity(&cfg.root);
    let hostname = crate::identity::hostname(&cfg.root);
    let stem = crate::identity::bundle_stem(&bosh, &hostname, at);
    let (out_dir, final_path) = match &cfg.output {
        Output::Dir(d) => (d.clone(), Some(d.join(format!("{stem}.tgz")))),
        Output::File(p) => {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (dir.to_path_buf(), Some(p.clone()))
        }
        Output::Stdout => (cfg.spool_dir.clone(), None),
    };
    let out_err = |source| CollectError::Output {
        dir: out_dir.clone(),
        source,
    };
    let mut body = tempfile::tempfile_in(&out_dir).map_err(out_err)?;
    let free = FreeSpace {
        dir: out_dir.clone(),
        min_bytes: cfg.min_free_bytes,
        min_percent: cfg.min_free_percent,
    };
    let items = plan::plan(cfg, now, final_path.as_deref()).map_err(CollectError::Options)?;
    let redactor = Redactor::new();
    let stops = Stops {
        signal,
        halt: AtomicBool::new(false),
        started,
        max_duration: cfg.max_duration,
    };

    let ran = if cfg.commands {
        commands::run_all(
            commands::DEFAULT,
            cfg.command_timeout,
            signal,
            &out_dir,
            &redactor,
        )
    } else {
        commands::DEFAULT
            .iter()
            .map(|s| commands::skipped(s, "--no-commands"))
            .collect()
    };

    let set = Settings {
        threads: cfg.threads,
        max_file_size: cfg.max_file_size,
        max_total: cfg.max_total,
        spool_dir: &out_dir,
        stem: &stem,
    };
    let written = pipeline::run(ran, items, &set, &stops, &redactor, &free, &mut body);
    let Written {
        mut files,
        mut commands,
        mut reasons,
        mut stored,
    } = written;

    let manifest_of = |reasons: &[String], files: &[FileRecord], commands: &[CommandRecord]| {
        let mut manifest = Manifest {
            format: manifest::FORMAT.into(),
            format_version: manifest::FORMAT_VERSION,
            collector: manifest::CollectorInfo {
                name: "vcap-collect".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            host: manifest::HostInfo {
                hostname: hostname.clone(),
                root: cfg.root.display().to_string(),
            },
            bosh: bosh.clone(),
            collected_at: at.to_string(),
            finished_at: jiff::Timestamp::now().to_string(),
            clock: manifest::ClockInfo {
                unix_seconds: at.as_second(),
                uptime_seconds: host_uptime(),
            },
            options: options(cfg),
            complete: reasons.is_empty(),
            incomplete_reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
            files: files.to_vec(),
            commands: commands.to_vec(),
            totals: Default::default(),
        };
        manifest.compute_totals();
        manifest
    };

    // The body's entries end at `keep`; the end-of-archive member follows them.
    let eoa = archive::end_of_archive().map_err(out_err)?;
    let mut keep = body.seek(SeekFrom::End(0)).map_err(out_err)?;
    body.write_all(&eoa).map_err(out_err)?;
    loop {
        reasons.sort();
        reasons.dedup();
        let manifest = manifest_of(&reasons, &files, &commands);
        let json = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
        let mut head = archive::member(
            &format!("{stem}/manifest.json"),
            at.as_second(),
            json.len() as u64,
            &mut &json[..],
            &out_dir,
        )
        .map_err(out_err)?;
        body.seek(SeekFrom::Start(0)).map_err(out_err)?;
        let Some(path) = &final_path else {
            let mut out = io::stdout().lock();
            io::copy(&mut head.data, &mut out).map_err(CollectError::Stdout)?;
            io::copy(&mut body, &mut out).map_err(CollectError::Stdout)?;
            out.flush().map_err(CollectError::Stdout)?;
            return Ok(Outcome {
                path: None,
                manifest,
            });
        };
        let partial = out_dir.join(format!(".vcap-collect-{stem}.tgz.partial"));
        let e = match write_atomically(&partial, path, &mut head.data, &mut body) {
            Ok(()) => {
                return Ok(Outcome {
                    path: final_path.clone(),
                    manifest,
                })
            }
            Err(e) if out_of_space(&e) && keep > 0 => e,
            Err(e) => return Err(out_err(e)),
        };
        // The bundle is a copy of the body, which still takes its room: when the
        // filesystem cannot hold both, entries are dropped from the end until the bundle
        // fits (`head + keep' <= free + keep - keep'`), down to the manifest alone.
        let fits = free.available().map_or(keep / 2, |avail| {
            (avail + keep).saturating_sub(head.len + SLACK) / 2
        });
        let n = stored
            .iter()
            .take_while(|s| s.end <= fits.min(keep - 1))
            .count();
        for s in stored.drain(n..) {
            let why = "output filesystem full: left out of the final bundle".to_string();
            match s.record {
                RecordRef::File(i) => {
                    pipeline::mark_unstored(&mut files[i], FileStatus::OverBudget, why)
                }
                RecordRef::Command(i) => pipeline::skip_command(&mut commands[i], &why),
            }
        }
        keep = stored.last().map_or(0, |s| s.end);
        body.set_len(keep).map_err(out_err)?;
        body.seek(SeekFrom::End(0)).map_err(out_err)?;
        body.write_all(&eoa).map_err(out_err)?;
        reasons.push(format!(
            "writing the bundle failed ({e}): entries left out until it fit"
        ));
    }
}

/// Writes `head` then `body` to `partial` (created, mode 0600), syncs it and renames it to
/// `path`; on failure nothing is left behind.
fn write_atomically(
    partial: &Path,
    path: &Path,
    head: &mut impl Read,
    body: &mut impl Read,
) -> io::Result<()> {
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(partial)?;
        io::copy(head, &mut f)?;
        io::copy(body, &mut f)?;
        f.sync_all()?;
        std::fs::rename(partial, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(partial);
    }
    result
}

/// Room left for filesystem block rounding when estimating what fits.
const SLACK: u64 = 256 << 10;

/// A write failed because the filesystem (or the user's quota) is full.
fn out_of_space(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

fn options(cfg: &Config) -> manifest::Options {
    manifest::Options {
        since_seconds: cfg.since.as_secs(),
        max_file_size: cfg.max_file_size,
        max_total: cfg.max_total,
        min_free_bytes: cfg.min_free_bytes,
        min_free_percent: cfg.min_free_percent,
        command_timeout_seconds: cfg.command_timeout.as_secs(),
        max_duration_seconds: cfg.max_duration.as_secs(),
        commands: cfg.commands,
        include: cfg.include.clone(),
        exclude: cfg.exclude.clone(),
    }
}

fn host_uptime() -> Option<f64> {
    std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
