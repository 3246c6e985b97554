//! `vcap-collect`: the command line. Parses arguments once into a [`Config`], runs the
//! collection, and maps the outcome to the exit code: 0 complete, 1 written but incomplete
//! or with per-file problems, 2 no bundle written.

use clap::Parser;
use collector::config::{self, Config, Output};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Collect a redacted diagnostics bundle (.tgz) from this BOSH VM.
///
/// Gathers /var/vcap/sys/log, the agent's and monit's logs, job configs, BOSH identity,
/// syslog and the output of monit, df, free, ps, ss, dmesg... into one bundle with a
/// manifest. Every secret is redacted before it is written. Runs at the lowest CPU and I/O
/// priority, within size, time and free-space bounds.
///
/// Examples:
///   sudo vcap-collect                                  # bundle in /var/vcap/data/tmp/
///   bosh -d cf ssh diego_cell/0 -c 'sudo vcap-collect --output -' > cell0.tgz
///   vcap-collect --root /mnt/dead-vm --no-commands --output /tmp/
#[derive(Parser, Debug)]
#[command(name = "vcap-collect", version, verbatim_doc_comment)]
struct Cli {
    /// Collect from this directory as if it were `/` (a mounted disk of a dead VM, tests).
    /// Commands still run on this host.
    #[arg(long, value_name = "DIR", default_value = "/")]
    root: PathBuf,
    /// A directory (the bundle gets its own name there), a file path, or `-` for stdout.
    #[arg(
        long,
        short,
        value_name = "PATH|DIR",
        default_value = "/var/vcap/data/tmp/"
    )]
    output: String,
    /// Leave out logs last modified longer ago than this (e.g. 7d, 36h).
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = config::parse_duration)]
    since: std::time::Duration,
    /// Larger files keep only their last SIZE bytes (the manifest says so).
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = config::parse_size)]
    max_file_size: u64,
    /// Store at most SIZE bytes in all (uncompressed).
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = config::parse_size)]
    max_total: u64,
    /// Stop before the output filesystem has less than SIZE free...
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = config::parse_size)]
    min_free: u64,
    /// ...or less than this percentage of its size.
    #[arg(long, value_name = "PERCENT", default_value_t = 5.0)]
    min_free_percent: f64,
    /// Do not run any command (monit, df, ps, ...).
    #[arg(long)]
    no_commands: bool,
    /// Kill each command after this long.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = config::parse_duration)]
    command_timeout: std::time::Duration,
    /// Stop collecting after this long (the bundle is then marked incomplete).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = config::parse_duration)]
    max_duration: std::time::Duration,
    /// Also collect files matching GLOB (relative to the root), e.g. 'var/vcap/store/uaa/*.log'.
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Leave out files matching GLOB, e.g. 'var/vcap/sys/log/**/*.gz'.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Compression threads (default: up to 2).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

impl Cli {
    fn into_config(self) -> Config {
        let mut c = Config::new(self.root);
        c.output = match self.output.as_str() {
            "-" => Output::Stdout,
            o if o.ends_with('/') || std::path::Path::new(o).is_dir() => {
                Output::Dir(PathBuf::from(o))
            }
            o => Output::File(PathBuf::from(o)),
        };
        c.since = self.since;
        c.max_file_size = self.max_file_size;
        c.max_total = self.max_total;
        c.min_free_bytes = self.min_free;
        c.min_free_percent = self.min_free_percent;
        c.commands = !self.no_commands;
        c.command_timeout = self.command_timeout;
        c.max_duration = self.max_duration;
        c.include = self.include;
        c.exclude = self.exclude;
        if let Some(t) = self.threads {
            c.threads = t.max(1);
        }
        c
    }
}

static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    SIGNALLED.store(true, Ordering::SeqCst);
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = cli.quiet;
    let cfg = cli.into_config();
    if cfg.lower_priority {
        collector::guard::lower_priority();
    }
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { libc::signal(sig, on_signal as *const () as libc::sighandler_t) };
    }
    match collector::run::run(&cfg, &SIGNALLED) {
        Err(e) => {
            eprintln!("vcap-collect: no bundle written: {e}");
            ExitCode::from(2)
        }
        Ok(outcome) => {
            let problems = outcome.problems();
            if !quiet {
                let t = &outcome.manifest.totals;
                let place = outcome
                    .path
                    .as_ref()
                    .map_or("stdout".to_string(), |p| p.display().to_string());
                eprintln!(
                    "vcap-collect: {place}: {} files, {} MiB stored, {} secrets redacted{}",
                    t.files_stored,
                    t.bytes_stored >> 20,
                    t.redactions + t.leak_scan_hits,
                    if outcome.manifest.complete {
                        ""
                    } else {
                        " (incomplete)"
                    }
                );
            }
            for p in problems.iter().take(20) {
                eprintln!("vcap-collect: {p}");
            }
            if problems.len() > 20 {
                eprintln!(
                    "vcap-collect: ... and {} more (see manifest.json)",
                    problems.len() - 20
                );
            }
            if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    }
}
