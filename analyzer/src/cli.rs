//! The command line, defined once. `main.rs` turns it into plain settings; no clap type
//! goes further. The man pages and completions are generated from the same definitions
//! ([`docs`]); what `main.rs` prints goes through [`output`].

pub mod docs;
pub mod output;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
pub use term::ColorChoice;

/// Find the root cause in Cloud Foundry / BOSH diagnostics bundles.
///
/// Reads vcap-collect bundles, `bosh logs` tarballs (single and multi-instance), plain
/// .tar/.tgz, directories and loose log files as streams, matches the signature library,
/// checks certificates, monit and disks, and ranks root causes.
#[derive(Parser, Debug)]
#[command(name = "vcap-analyze", version, propagate_version = true)]
#[command(after_long_help = docs::ENV_HELP)]
pub struct Cli {
    /// When to colour: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb;
    /// CLICOLOR_FORCE colours a pipe too), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Analyze bundles and report root causes.
    ///
    /// Exit 0 done; 1 `--fail-on` reached; 2 an input could not be read or held nothing to
    /// analyze: then no report is written, unless `--partial` asks for one covering the rest.
    #[command(after_long_help = docs::ANALYZE_EXAMPLES)]
    Analyze(AnalyzeArgs),
    /// Certificate inventory, soonest expiry first.
    #[command(after_long_help = docs::CERTS_EXAMPLES)]
    Certs(CertsArgs),
    /// The signature library.
    #[command(subcommand)]
    Signatures(SignaturesCommand),
    /// Every finding of every VM on one time axis: the order things broke in.
    ///
    /// Grouped findings give their first and last occurrence; findings whose lines carry no
    /// time are listed after; each VM's collection time is set against the median, so a VM
    /// whose clock is off stands out.
    #[command(after_long_help = docs::TIMELINE_EXAMPLES)]
    Timeline(TimelineArgs),
    /// Redacted copy of a bundle we did not make (`bosh logs` output is never redacted).
    ///
    /// IN: a `bosh logs` tgz (single instance, or the multi-instance `logs_<epoch>.tgz` with one
    /// tgz per instance), any .tar/.tgz, a directory, or a single log file (.gz too). OUT gets
    /// the same entries under the same names (nested tarballs and rotated .gz logs redacted
    /// inside and packed again), mode 0600, plus vcap-redact-manifest.json at its root saying
    /// what was redacted where. Binary files (keystores, DER keys) are left out and listed.
    /// OUT may be a directory: the copy gets IN's name there. Exit 0 done; 2 IN could not be
    /// read whole (nothing is left at OUT); 130 interrupted (nothing is left at OUT).
    #[command(after_long_help = docs::REDACT_EXAMPLES)]
    Redact(RedactArgs),
    /// Report what still looks like a secret: file, line and kind, never the secret.
    ///
    /// Reads every input kind `analyze` reads. Binary files count too: they cannot be checked
    /// line by line. Exit 0 clean; 1 something looks like a secret; 2 an input could not be
    /// read (what could be read is reported).
    #[command(after_long_help = docs::SCAN_SECRETS_EXAMPLES)]
    ScanSecrets(ScanSecretsArgs),
    /// Shell completions for bash, zsh, fish, powershell or elvish, on stdout.
    #[command(after_long_help = docs::COMPLETIONS_EXAMPLES)]
    Completions {
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff) of vcap-analyze or of one subcommand, on stdout.
    #[command(after_long_help = docs::MAN_EXAMPLES)]
    Man {
        /// A subcommand (`analyze`, `redact`, `signatures list`...); none: vcap-analyze(1).
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Vec<String>,
    },
}

#[derive(Args, Debug)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Args, Debug)]
pub struct RedactArgs {
    /// The bundles, tarballs, directories or log files to redact.
    #[arg(value_name = "IN", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the redacted copy (a file, or a directory to put it in; a directory
    /// when there are several IN).
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// Also replace host names, IP addresses and user names by tokens (host-0007,
    /// 240.0.0.7, user-0002), the same in every IN of the run: any of hosts,ips,users, or all.
    #[arg(long, value_name = "CLASSES")]
    pub mask: Option<redact::mask::MaskSpec>,
    /// The name -> token map of --mask: read when it exists (same tokens as that earlier
    /// run), written back mode 0600. Never put it with the copies. [default: ./vcap-mask-map.json]
    #[arg(long, value_name = "FILE", requires = "mask")]
    pub mask_map: Option<PathBuf>,
    /// No summary on stderr (errors are always printed).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct ScanSecretsArgs {
    /// Bundles, archives, directories, log files, globs; `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress on stderr (errors are always printed).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--format` of the subcommands that print a list for scripts or a terminal.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextOrJson {
    Text,
    Json,
}

/// `--format` of the subcommands that print a table (`certs`, `signatures list`).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
pub struct Common {
    /// Bundles, archives, directories, log files, globs; `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Take this time as "now" (RFC 3339, e.g. 2019-07-13T00:00:00Z, or a date) instead of
    /// each bundle's collection time.
    #[arg(long, value_name = "TIME", env = "VCAP_DIAG_AT")]
    pub at: Option<String>,
    /// Add signatures from DIR (same id overrides the built-in one). DIR must exist.
    #[arg(long, value_name = "DIR", env = "VCAP_DIAG_SIGNATURES")]
    pub signatures: Option<PathBuf>,
    /// Certificates expiring within this many days are reported.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub warn_days: i64,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the report even when an input could not be read or held nothing to analyze
    /// (it covers the rest; the exit code is still 2).
    #[arg(long)]
    pub partial: bool,
    /// No progress on stderr (errors are always printed).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Exit 1 when a root cause (or unexplained symptom) reaches this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
}

#[derive(Args, Debug)]
pub struct CertsArgs {
    #[command(flatten)]
    pub common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}

#[derive(Subcommand, Debug)]
pub enum SignaturesCommand {
    /// List the library: signatures and structured checks.
    List {
        /// Add signatures from DIR (same id overrides the built-in one). DIR must exist.
        #[arg(long, value_name = "DIR", env = "VCAP_DIAG_SIGNATURES")]
        signatures: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
    },
    /// Validate every signature and run every embedded example.
    Check {
        /// Add signatures from DIR (same id overrides the built-in one). DIR must exist.
        #[arg(long, value_name = "DIR", env = "VCAP_DIAG_SIGNATURES")]
        signatures: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Text,
    Json,
    Markdown,
    Html,
    /// `analyze` only: per-VM results before correlation, to merge later (the BOSH errand's
    /// output; documented in `report/vm_result.rs`).
    VmResult,
}
