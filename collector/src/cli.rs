//! The `vcap-collect` command line, defined once (clap derive). In the library rather than
//! in `main.rs` so that the man page and shell completions can be generated from it
//! (`cargo run -p vcap-analyze --example gen-docs`) without the collector depending on anything
//! more than clap. `main.rs` turns it into a plain [`Config`]; no clap type goes further.

use crate::config::{self, Config, Output};
use clap::Parser;
use std::path::PathBuf;

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
#[command(
    name = "vcap-collect",
    version,
    verbatim_doc_comment,
    args_override_self = true
)]
#[command(
    after_long_help = "Exit status: 0 complete; 1 written but incomplete or with problems; \
2 no bundle written; 130 interrupted (an incomplete bundle written)."
)]
pub struct Cli {
    /// Collect from this directory as if it were `/` (a mounted disk of a dead VM, tests).
    /// Commands still run on this host.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Collect even on a host without /var/vcap (not a BOSH VM): the bundle then holds
    /// little more than the commands' output.
    #[arg(long)]
    pub allow_empty: bool,
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
    /// No summary on stderr (problems and errors are always printed).
    #[arg(long, short)]
    pub quiet: bool,
}

/// The sections of `vcap-collect(1)` that clap does not know: (code, meaning).
pub const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "A complete bundle was written."),
    ("1", "A valid bundle was written, but incomplete (time, size or free-space limit) or with files or commands that could not be read or run: listed on stderr and in its manifest."),
    ("2", "No bundle written: an invalid option, an output that cannot be written (a closed pipe, a full disk), gzip refused to a terminal, or a host without /var/vcap (not a BOSH VM) with neither --root nor --allow-empty."),
    ("130", "Interrupted (SIGINT, SIGTERM, SIGHUP): a valid bundle marked incomplete was written, and no partial file is left."),
];

/// Environment variables `vcap-collect` reads: (name, meaning).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "PATH",
        "Where commands are looked up after /var/vcap/bosh/bin.",
    ),
    (
        "TMPDIR",
        "Spool directory for --output - when /var/vcap/data/tmp does not exist.",
    ),
];

impl Cli {
    /// Why this run must not start, if it must not: a host that is not a BOSH VM (no
    /// `/var/vcap`) when neither `--root` nor `--allow-empty` says that is meant.
    pub fn refusal(&self) -> Option<String> {
        if self.root.is_none() && !self.allow_empty && !std::path::Path::new("/var/vcap").is_dir() {
            return Some(
                "/var/vcap does not exist: this host is not a BOSH VM. Use --root DIR to collect \
                 from a mounted VM disk, or --allow-empty to collect what there is"
                    .into(),
            );
        }
        if self.output == "-" && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            return Some(
                "refusing to write a gzip bundle to a terminal: redirect it (--output - > bundle.tgz) \
                 or give a file or directory"
                    .into(),
            );
        }
        None
    }
}

impl Cli {
    /// The plain settings the collection runs with.
    pub fn into_config(self) -> Config {
        let mut c = Config::new(self.root.unwrap_or_else(|| PathBuf::from("/")));
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
