//! The command line, defined once. `main.rs` turns it into plain settings; no clap type
//! goes further.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find the root cause in Cloud Foundry / BOSH diagnostics bundles.
///
/// Reads vcap-collect bundles, `bosh logs` tarballs (single and multi-instance), plain
/// .tar/.tgz, directories and loose log files as streams, matches the signature library,
/// checks certificates, monit and disks, and ranks root causes.
#[derive(Parser, Debug)]
#[command(name = "vcap-analyze", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Analyze bundles and report root causes.
    ///
    /// Examples:
    ///   vcap-analyze analyze cf.diego_cell.*.tgz
    ///   vcap-analyze analyze logs_1541529930.tgz --format markdown > ticket.md
    ///   bosh -d cf logs --all  &&  vcap-analyze analyze *.tgz --fail-on high
    ///   tail -n 10000 metron_agent.stderr.log | vcap-analyze analyze -
    #[command(verbatim_doc_comment)]
    Analyze(AnalyzeArgs),
    /// Certificate inventory, soonest expiry first.
    ///
    /// Example: vcap-analyze certs bundles/ --warn-days 60
    #[command(verbatim_doc_comment)]
    Certs(CertsArgs),
    /// The signature library.
    #[command(subcommand)]
    Signatures(SignaturesCommand),
}

#[derive(Args, Debug)]
pub struct Common {
    /// Bundles, archives, directories, log files, globs; `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Take this time as "now" (RFC 3339, e.g. 2019-07-13T00:00:00Z) instead of each
    /// bundle's collection time.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Add signatures from DIR (same id overrides the built-in one).
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
    /// Certificates expiring within this many days are reported.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub warn_days: i64,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress on stderr.
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
    /// text or json.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

#[derive(Subcommand, Debug)]
pub enum SignaturesCommand {
    /// List the library.
    List {
        #[arg(long, value_name = "DIR")]
        signatures: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
    /// Validate every signature and run every embedded example.
    Check {
        #[arg(long, value_name = "DIR")]
        signatures: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Text,
    Json,
    Markdown,
}
