//! One collection, start to finish: plan, run the commands, copy and compress entries in
//! parallel (workers) while one writer appends them in order to the body, then write the
//! manifest first and the body after it, atomically.

use crate::archive::{self, Member};
use crate::commands::{self, Ran};
use crate::config::{Config, Output};
use crate::copy::prepare;
use crate::guard::FreeSpace;
use crate::manifest::{self, CommandRecord, FileRecord, FileStatus, Manifest};
use crate::plan::{self, Candidate, Item};
use crate::redact::Redactor;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;
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

enum Job {
    Command(Ran),
    File(Candidate),
    Record(FileRecord),
}

enum Rec {
    File(FileRecord),
    Command(CommandRecord),
}

struct Done {
    seq: u64,
    rec: Rec,
    member: Option<Member>,
}

/// What the writer hands back.
struct Written {
    files: Vec<FileRecord>,
    commands: Vec<CommandRecord>,
    reasons: Vec<String>,
}

/// Shared stop conditions.
struct Stops<'a> {
    signal: &'a AtomicBool,
    halt: AtomicBool,
    started: Instant,
    cfg: &'a Config,
}

impl Stops<'_> {
    fn why(&self) -> Option<&'static str> {
        if self.signal.load(Ordering::Relaxed) {
            Some("interrupted by a signal")
        } else if self.started.elapsed() > self.cfg.max_duration {
            Some("--max-duration reached")
        } else {
            None
        }
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
        cfg,
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

    let threads = cfg.threads.max(1);
    let (job_tx, job_rx) = sync_channel::<(u64, Job)>(threads * 2);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = sync_channel::<Done>(threads * 2);
    let written = std::thread::scope(|s| {
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let (job_rx, stops, redactor, out_dir, stem) =
                (&job_rx, &stops, &redactor, &out_dir, &stem);
            s.spawn(move || loop {
                let next = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((seq, job)) = next else { return };
                if done_tx
                    .send(work(seq, job, cfg, stops, redactor, out_dir, stem))
                    .is_err()
                {
                    return;
                }
            });
        }
        drop(done_tx);
        let writer = s.spawn(|| write_body(done_rx, &mut body, &free, cfg.max_total, &stops));

        let mut seq = 0;
        let mut send = |job: Job| {
            let _ = job_tx.send((seq, job));
            seq += 1;
        };
        for r in ran {
            send(Job::Command(r));
        }
        let mut reserved = 0u64;
        let mut budget_note = None;
        for item in items {
            let job = match item {
                Item::Record(r) => Job::Record(r),
                Item::Store(c) => {
                    let estimate = c.size.min(cfg.max_file_size);
                    if let Some(why) = stops.why() {
                        Job::Record(unstored(&c, FileStatus::TimedOut, why))
                    } else if stops.halt.load(Ordering::Relaxed) {
                        Job::Record(unstored(
                            &c,
                            FileStatus::OverBudget,
                            "output filesystem nearly full",
                        ))
                    } else if reserved + estimate > cfg.max_total {
                        budget_note =
                            Some(format!("--max-total of {} bytes reached", cfg.max_total));
                        Job::Record(unstored(&c, FileStatus::OverBudget, "--max-total reached"))
                    } else {
                        reserved += estimate;
                        Job::File(c)
                    }
                }
            };
            send(job);
        }
        drop(job_tx);
        let mut written = writer.join().expect("writer thread panicked");
        if let Some(n) = budget_note {
            written.reasons.push(n);
        }
        if let Some(why) = stops.why() {
            written.reasons.push(why.to_string());
        }
        written
    });
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

/// A worker's share: copy, redact and compress one entry.
fn work(
    seq: u64,
    job: Job,
    cfg: &Config,
    stops: &Stops,
    redactor: &Redactor,
    spool_dir: &Path,
    stem: &str,
) -> Done {
    match job {
        Job::Record(r) => Done {
            seq,
            rec: Rec::File(r),
            member: None,
        },
        Job::Command(mut ran) => {
            let member = match (ran.data.as_mut(), &ran.record.path) {
                (Some(data), Some(path)) => {
                    let mtime = jiff::Timestamp::now().as_second();
                    match archive::member(
                        &format!("{stem}/{path}"),
                        mtime,
                        ran.record.size,
                        data,
                        spool_dir,
                    ) {
                        Ok(m) => Some(m),
                        Err(e) => {
                            ran.record.status = manifest::CommandStatus::Failed;
                            ran.record.detail = Some(format!("could not store output: {e}"));
                            None
                        }
                    }
                }
                _ => None,
            };
            Done {
                seq,
                rec: Rec::Command(ran.record),
                member,
            }
        }
        Job::File(c) => {
            if let Some(why) = stops.why() {
                return Done {
                    seq,
                    rec: Rec::File(unstored(&c, FileStatus::TimedOut, why)),
                    member: None,
                };
            }
            let mut p = prepare(&c, cfg.max_file_size, spool_dir, redactor);
            let member = p.data.as_mut().and_then(|data| {
                let name = p.record.stored_as.as_deref().unwrap_or(&p.record.path);
                match archive::member(
                    &format!("{stem}/{name}"),
                    p.record.mtime.unwrap_or(0),
                    p.record.size,
                    data,
                    spool_dir,
                ) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        p.record.status = FileStatus::Unreadable;
                        p.record.detail = Some(format!("could not compress: {e}"));
                        None
                    }
                }
            });
            Done {
                seq,
                rec: Rec::File(p.record),
                member,
            }
        }
    }
}

/// The writer: puts members in plan order, enforces `--max-total` on stored bytes and the
/// free-space guard, and appends to the body. A failed append is rolled back so the body
/// stays a valid sequence of members.
fn write_body(
    done: Receiver<Done>,
    body: &mut File,
    free: &FreeSpace,
    max_total: u64,
    stops: &Stops,
) -> Written {
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0;
    let mut out = Written {
        files: Vec::new(),
        commands: Vec::new(),
        reasons: Vec::new(),
    };
    let mut stored = 0u64;
    let mut end = 0u64;
    for d in done {
        pending.insert(d.seq, d);
        while let Some(mut d) = pending.remove(&next) {
            next += 1;
            if let Some(mut m) = d.member.take() {
                let size = match &d.rec {
                    Rec::File(r) => r.size,
                    Rec::Command(c) => c.size,
                };
                let refusal = if stops.halt.load(Ordering::Relaxed) {
                    Some((
                        FileStatus::OverBudget,
                        "output filesystem nearly full".to_string(),
                    ))
                } else if stored + size > max_total {
                    Some((FileStatus::OverBudget, "--max-total reached".to_string()))
                } else if let Err(why) = free.check(m.len.saturating_mul(2)) {
                    // Twice: the final assembly copies the body once more.
                    stops.halt.store(true, Ordering::Relaxed);
                    out.reasons.push(why.clone());
                    Some((FileStatus::OverBudget, why))
                } else {
                    match io::copy(&mut m.data, body) {
                        Ok(_) => {
                            end += m.len;
                            stored += size;
                            None
                        }
                        Err(e) => {
                            let _ = body
                                .set_len(end)
                                .and_then(|_| body.seek(SeekFrom::Start(end)).map(|_| ()));
                            stops.halt.store(true, Ordering::Relaxed);
                            let why = format!("writing the bundle failed: {e}");
                            out.reasons.push(why.clone());
                            Some((FileStatus::OverBudget, why))
                        }
                    }
                };
                if let Some((status, why)) = refusal {
                    if why == "--max-total reached"
                        && !out.reasons.iter().any(|r| r.contains("--max-total"))
                    {
                        out.reasons
                            .push(format!("--max-total of {max_total} bytes reached"));
                    }
                    match &mut d.rec {
                        Rec::File(r) => {
                            r.status = status;
                            r.detail = Some(why);
                            r.size = 0;
                            r.sha256 = None;
                        }
                        Rec::Command(c) => {
                            c.status = manifest::CommandStatus::Skipped;
                            c.detail = Some(why);
                            c.size = 0;
                            c.sha256 = None;
                            c.path = None;
                        }
                    }
                }
            }
            match d.rec {
                Rec::File(r) => out.files.push(r),
                Rec::Command(c) => out.commands.push(c),
            }
        }
    }
    out
}

fn unstored(c: &Candidate, status: FileStatus, why: &str) -> FileRecord {
    FileRecord {
        path: c.rel.clone(),
        stored_as: None,
        status,
        detail: Some(why.to_string()),
        source_size: c.size,
        mtime: c.mtime,
        size: 0,
        sha256: None,
        truncated: None,
        redactions: 0,
        redacted_kinds: Default::default(),
        leak_scan_hits: 0,
    }
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
