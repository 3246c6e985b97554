//! One collection, start to finish: plan, run the commands, push everything through the
//! [`pipeline`] into the body, then write the manifest first and the body after it,
//! atomically (a hidden partial file renamed at the end).

use crate::archive;
use crate::commands;
use crate::config::{Config, Output};
use crate::guard::FreeSpace;
use crate::manifest::{self, FileStatus, Manifest};
use crate::pipeline::{self, Settings, Stops, Written};
use crate::plan;
use crate::redact::Redactor;
use std::io::{self, Seek, SeekFrom, Write};
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
        for f in &self.manifest.files {
            if matches!(
                f.status,
                FileStatus::Unreadable | FileStatus::OverBudget | FileStatus::TimedOut
            ) {
                out.push(format!(
                    "/{}: {:?}: {}",
                    f.path,
                    f.status,
                    f.detail.as_deref().unwrap_or("")
                ));
            }
        }
        for c in &self.manifest.commands {
            if matches!(
                c.status,
                manifest::CommandStatus::TimedOut | manifest::CommandStatus::Failed
            ) {
                out.push(format!(
                    "command {}: {:?}: {}",
                    c.name,
                    c.status,
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
    let stops = Stops { signal, halt: AtomicBool::new(false), started, max_duration: cfg.max_duration };

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

    let set = Settings { threads: cfg.threads, max_file_size: cfg.max_file_size, max_total: cfg.max_total, spool_dir: &out_dir, stem: &stem };
    let written = pipeline::run(ran, items, &set, &stops, &redactor, &free, &mut body);
    let Written {
        files,
        commands,
        mut reasons,
    } = written;
    reasons.sort();
    reasons.dedup();

    body.write_all(&archive::end_of_archive().map_err(out_err)?)
        .map_err(out_err)?;
    let mut manifest = Manifest {
        format: manifest::FORMAT.into(),
        format_version: manifest::FORMAT_VERSION,
        collector: manifest::CollectorInfo {
            name: "vcap-collect".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        host: manifest::HostInfo {
            hostname,
            root: cfg.root.display().to_string(),
        },
        bosh,
        collected_at: at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        clock: manifest::ClockInfo {
            unix_seconds: at.as_second(),
            uptime_seconds: host_uptime(),
        },
        options: options(cfg),
        complete: reasons.is_empty(),
        incomplete_reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        files,
        commands,
        totals: Default::default(),
    };
    manifest.compute_totals();
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
    match &final_path {
        Some(path) => {
            let partial = out_dir.join(format!(".vcap-collect-{stem}.tgz.partial"));
            let result = (|| {
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&partial)?;
                io::copy(&mut head.data, &mut f)?;
                io::copy(&mut body, &mut f)?;
                f.sync_all()?;
                std::fs::rename(&partial, path)
            })();
            if let Err(e) = result {
                let _ = std::fs::remove_file(&partial);
                return Err(out_err(e));
            }
        }
        None => {
            let mut out = io::stdout().lock();
            io::copy(&mut head.data, &mut out).map_err(out_err)?;
            io::copy(&mut body, &mut out).map_err(out_err)?;
            out.flush().map_err(out_err)?;
        }
    }
    Ok(Outcome {
        path: final_path,
        manifest,
    })
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
