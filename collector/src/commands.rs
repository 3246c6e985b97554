//! The diagnostic commands (`monit summary`, `df`, `ps`, ...): each found in
//! `/var/vcap/bosh/bin` then `PATH`, run with no stdin, in its own process group, killed at
//! its timeout, its output capped (keeping the tail) and redacted like any file.

use bundle::manifest::{CommandRecord, CommandStatus};
use bundle::spool::{new_spool, rewind, HashingWriter};
use redact::Redactor;
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tempfile::SpooledTempFile;

/// One command to run: its name in the bundle, the programs to try in order (the first
/// found runs), and the bytes of output kept (the tail).
pub struct Spec {
    pub name: &'static str,
    pub programs: &'static [(&'static str, &'static [&'static str])],
    pub keep: usize,
}

const OUTPUT_CAP: usize = 4 << 20;

/// The commands of bundle format v1.
pub const DEFAULT: &[Spec] = &[
    Spec {
        name: "monit-summary",
        programs: &[("monit", &["summary"])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "monit-status",
        programs: &[("monit", &["status"])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "df",
        programs: &[("df", &["-P"])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "df-inodes",
        programs: &[("df", &["-Pi"])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "free",
        programs: &[("free", &["-b"])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "uptime",
        programs: &[("uptime", &[])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "ps",
        programs: &[(
            "ps",
            &[
                "-eww",
                "-o",
                "pid,ppid,user,stat,pcpu,pmem,rss,vsz,lstart,etime,args",
            ],
        )],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "ss-listen",
        programs: &[("ss", &["-ltnup"]), ("netstat", &["-ltnup"])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "dmesg",
        programs: &[("dmesg", &[])],
        keep: 1 << 20,
    },
    Spec {
        name: "date",
        programs: &[("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"])],
        keep: OUTPUT_CAP,
    },
    Spec {
        name: "uname",
        programs: &[("uname", &["-a"])],
        keep: OUTPUT_CAP,
    },
];

/// A command's record and its redacted output, ready for the archive.
pub struct Ran {
    pub record: CommandRecord,
    pub data: Option<SpooledTempFile>,
}

/// Finds `program` in `/var/vcap/bosh/bin`, then in `PATH`.
pub fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::iter::once(PathBuf::from("/var/vcap/bosh/bin"))
        .chain(std::env::split_paths(&path))
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Runs every spec concurrently (so a hanging command costs one timeout, not one each).
/// When `stop` is set (a signal), running commands are killed at once.
pub fn run_all(
    specs: &[Spec],
    timeout: Duration,
    stop: &AtomicBool,
    spool_dir: &Path,
    redactor: &Redactor,
) -> Vec<Ran> {
    std::thread::scope(|s| {
        let handles: Vec<_> = specs
            .iter()
            .map(|spec| s.spawn(move || run(spec, timeout, stop, spool_dir, redactor)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("command thread panicked"))
            .collect()
    })
}

/// A record for a command that was not run.
pub fn skipped(spec: &Spec, why: &str) -> Ran {
    Ran {
        record: record(spec.name, vec![], CommandStatus::Skipped, Some(why.into())),
        data: None,
    }
}

fn record(
    name: &str,
    argv: Vec<String>,
    status: CommandStatus,
    detail: Option<String>,
) -> CommandRecord {
    CommandRecord {
        name: name.to_string(),
        argv,
        status,
        detail,
        exit_code: None,
        duration_ms: 0,
        path: None,
        size: 0,
        sha256: None,
        truncated: None,
        redactions: 0,
    }
}

/// Runs one spec: the first of its programs that exists.
pub fn run(
    spec: &Spec,
    timeout: Duration,
    stop: &AtomicBool,
    spool_dir: &Path,
    redactor: &Redactor,
) -> Ran {
    let Some((exe, args)) = spec
        .programs
        .iter()
        .find_map(|(p, a)| find_program(p).map(|exe| (exe, *a)))
    else {
        let tried: Vec<&str> = spec.programs.iter().map(|(p, _)| *p).collect();
        return Ran {
            record: record(
                spec.name,
                vec![],
                CommandStatus::NotFound,
                Some(format!(
                    "{} not found in /var/vcap/bosh/bin nor PATH",
                    tried.join(" or ")
                )),
            ),
            data: None,
        };
    };
    let argv: Vec<String> = std::iter::once(exe.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .collect();
    let started = Instant::now();
    let mut rec = record(spec.name, argv, CommandStatus::Ok, None);
    let out = match execute(&exe, args, timeout, stop, spec.keep) {
        Ok(out) => out,
        Err(err) => {
            rec.status = CommandStatus::Failed;
            rec.detail = Some(format!("could not run: {err}"));
            rec.duration_ms = started.elapsed().as_millis() as u64;
            return Ran {
                record: rec,
                data: None,
            };
        }
    };
    rec.duration_ms = started.elapsed().as_millis() as u64;
    rec.exit_code = out.exit_code;
    if out.timed_out {
        rec.status = CommandStatus::TimedOut;
        rec.detail = Some(if stop.load(Ordering::Relaxed) {
            "killed: collection interrupted; the output it had printed is kept".to_string()
        } else {
            format!(
                "killed after {} s; the output it had printed is kept",
                timeout.as_secs()
            )
        });
    }
    if out.dropped > 0 {
        rec.truncated = Some(out.dropped + out.bytes.len() as u64);
    }
    match store(&out.bytes, spool_dir, redactor) {
        Ok((data, size, sha, redactions)) => {
            rec.path = Some(format!("commands/{}.txt", spec.name));
            rec.size = size;
            rec.sha256 = Some(sha);
            rec.redactions = redactions;
            Ran {
                record: rec,
                data: Some(data),
            }
        }
        Err(err) => {
            rec.status = CommandStatus::Failed;
            rec.detail = Some(format!("could not store output: {err}"));
            Ran {
                record: rec,
                data: None,
            }
        }
    }
}

fn store(
    bytes: &[u8],
    spool_dir: &Path,
    redactor: &Redactor,
) -> io::Result<(SpooledTempFile, u64, String, u64)> {
    let mut w = HashingWriter::new(new_spool(spool_dir));
    let stats = redactor.redact_reader(bytes, &mut w, bundle::MAX_LINE)?;
    w.flush()?;
    let (mut data, size, sha) = w.finish();
    rewind(&mut data)?;
    if let (Some(hit), _) = redact::gate::check_reader(&mut data)? {
        return Err(io::Error::other(format!(
            "withheld by the leak gate ({} at line {})",
            hit.kind, hit.line
        )));
    }
    rewind(&mut data)?;
    Ok((data, size, sha, stats.redactions + stats.leak_scan_hits))
}

struct Output {
    bytes: Vec<u8>,
    dropped: u64,
    exit_code: Option<i32>,
    timed_out: bool,
}

/// Keeps the last `keep` bytes written.
struct Tail {
    buf: Vec<u8>,
    keep: usize,
    dropped: u64,
}

impl Tail {
    fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        if self.buf.len() > 2 * self.keep {
            let cut = self.buf.len() - self.keep;
            self.buf.drain(..cut);
            self.dropped += cut as u64;
        }
    }
    fn finish(&mut self) -> (Vec<u8>, u64) {
        if self.buf.len() > self.keep {
            let cut = self.buf.len() - self.keep;
            self.buf.drain(..cut);
            self.dropped += cut as u64;
        }
        (std::mem::take(&mut self.buf), self.dropped)
    }
}

fn execute(
    exe: &Path,
    args: &[&str],
    timeout: Duration,
    stop: &AtomicBool,
    keep: usize,
) -> io::Result<Output> {
    let mut child = Command::new(exe)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let stdout = Arc::new(Mutex::new(Tail {
        buf: Vec::new(),
        keep,
        dropped: 0,
    }));
    let stderr = Arc::new(Mutex::new(Tail {
        buf: Vec::new(),
        keep: 64 << 10,
        dropped: 0,
    }));
    let readers = [
        pump(child.stdout.take().expect("piped"), Arc::clone(&stdout)),
        pump(child.stderr.take().expect("piped"), Arc::clone(&stderr)),
    ];
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline || stop.load(Ordering::Relaxed) {
            timed_out = true;
            // The whole process group: a shell's children die with it.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // A grandchild that escaped the group may hold the pipes: wait a little, then move on.
    let until = Instant::now() + Duration::from_millis(500);
    for r in readers {
        while !r.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let (mut bytes, dropped) = stdout.lock().unwrap_or_else(|e| e.into_inner()).finish();
    let (err, _) = stderr.lock().unwrap_or_else(|e| e.into_inner()).finish();
    if !err.is_empty() {
        bytes.extend_from_slice(b"\n--- stderr ---\n");
        bytes.extend_from_slice(&err);
    }
    Ok(Output {
        bytes,
        dropped,
        exit_code: status.and_then(|s| s.code()),
        timed_out,
    })
}

fn pump(
    mut from: impl Read + Send + 'static,
    into: Arc<Mutex<Tail>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 << 10];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => into
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(&buf[..n]),
            }
        }
    })
}
