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
    /// Every finding of every VM on one time axis: the order things broke in.
    ///
    /// Grouped findings give their first and last occurrence; findings whose lines carry no
    /// time are listed after; each VM's collection time is set against the median, so a VM
    /// whose clock is off stands out.
    ///
    /// Examples:
    ///   bosh -d cf logs --all  &&  vcap-analyze timeline logs_1541529930.tgz
    ///   # `monit summary`: metron_agent "not monitored" on every VM; who broke first? (seed 000)
    ///   vcap-analyze timeline cf.doppler_z2.*.tgz cf.diego_cell.*.tgz cf.router.*.tgz
    ///   vcap-analyze timeline bundles/ --format json -o timeline.json
    ///   # certificates judged as of a time, not by `openssl x509 -noout -dates` per VM (seed 001)
    ///   vcap-analyze timeline bundles/ --at 2019-07-13T00:00:00Z
    #[command(verbatim_doc_comment)]
    Timeline(TimelineArgs),
    /// Redacted copy of a bundle we did not make (`bosh logs` output is never redacted).
    ///
    /// IN: a `bosh logs` tgz (single instance, or the multi-instance logs_<epoch>.tgz with one
    /// tgz per instance), any .tar/.tgz, a directory, or a single log file (.gz too). OUT gets
    /// the same entries under the same names (nested tarballs and rotated .gz logs redacted
    /// inside and packed again), mode 0600, plus vcap-redact-manifest.json at its root saying
    /// what was redacted where. Binary files (keystores, DER keys) are left out and listed.
    /// OUT may be a directory: the copy gets IN's name there. Exit 0 done; 2 IN could not be
    /// read whole (nothing is left at OUT).
    ///
    /// The ticket workflow:
    ///   bosh -d cf logs diego_cell/0                        # cf.diego_cell.<id>-<time>.tgz
    ///   vcap-analyze redact cf.diego_cell.*.tgz ticket/
    ///   vcap-analyze scan-secrets ticket/*.tgz  &&  echo safe to attach
    ///
    /// More examples:
    ///   bosh -d cf logs --all  &&  vcap-analyze redact logs_1541529930.tgz logs-redacted.tgz
    ///   bosh -d cf logs diego_cell/0 --agent   # registry-user:PASS@... in it (seed 004)
    ///   vcap-analyze redact cf.diego_cell.*.tgz agent-redacted.tgz
    ///   vcap-analyze redact /mnt/dead-vm/var/vcap/sys/log/ sys-log.tgz    # a directory
    ///   # no host names, IPs or user names either, same tokens across the bundles:
    ///   vcap-analyze redact --mask hosts,ips,users --mask-map ~/acme.map cf.*.tgz ticket/
    #[command(verbatim_doc_comment)]
    Redact(RedactArgs),
    /// Report what still looks like a secret: file, line and kind, never the secret.
    ///
    /// Reads every input kind `analyze` reads. Binary files count too: they cannot be checked
    /// line by line. Exit 0 clean; 1 something looks like a secret; 2 an input could not be
    /// read (what could be read is reported).
    ///
    /// Examples:
    ///   vcap-analyze scan-secrets logs_1541529930.tgz    # exit 1: `bosh logs` is never redacted
    ///   vcap-analyze scan-secrets ticket/*.tgz  &&  echo safe to attach
    ///   bosh -d cf ssh diego_cell/0 -c 'sudo cat /var/vcap/bosh/settings.json' \
    ///     | vcap-analyze scan-secrets -
    ///   vcap-analyze scan-secrets bundles/ --format json | jq '.files_with_secrets[].path'
    #[command(verbatim_doc_comment)]
    ScanSecrets(ScanSecretsArgs),
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
    /// Print nothing but errors.
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
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--format` of the subcommands that print a list.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextOrJson {
    Text,
    Json,
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
    Html,
}
