//! What `--help`, the man pages and the shell completions say beyond the option list:
//! examples (kept line for line as written here, never reflowed), the exit status and the
//! environment. `vcap-analyze man` and `vcap-analyze completions` print them; the
//! `gen-docs` example writes every page of both binaries with [`all_pages`].

use clap_mangen::roff::{bold, roman, Roff};
use std::io;

/// `--help` of `vcap-analyze` itself: the environment it reads and its exit status.
pub const ENV_HELP: &str = "\
Environment:
  VCAP_DIAG_SIGNATURES=DIR  default of --signatures
  VCAP_DIAG_AT=TIME         default of --at
  NO_COLOR                  no colour with --color auto (any value)
  CLICOLOR_FORCE            colour even a pipe with --color auto (any value but 0)
  TERM=dumb                 no colour with --color auto

Exit status: 0 done; 1 --fail-on reached, a secret found (scan-secrets), a signature
broken (signatures check); 2 an input could not be read or held nothing to analyze, or a
usage error; 130 interrupted.";

pub const ANALYZE_EXAMPLES: &str = "\
Examples:
  vcap-analyze analyze cf.diego_cell.*.tgz
  vcap-analyze analyze logs_1541529930.tgz --format markdown > ticket.md
  bosh -d cf logs --all  &&  vcap-analyze analyze *.tgz --fail-on high
  tail -n 10000 metron_agent.stderr.log | vcap-analyze analyze -
  vcap-analyze analyze bundles/ --format html -o report.html
  vcap-analyze analyze bundles/ missing.tgz --partial    # report the rest, still exit 2";

pub const CERTS_EXAMPLES: &str = "\
Examples:
  vcap-analyze certs bundles/ --warn-days 60
  vcap-analyze certs bundles/ --at 2019-07-13 --format markdown >> ticket.md
  vcap-analyze certs bundles/ --format json | jq '.[] | select(.status == \"expired\")'";

pub const TIMELINE_EXAMPLES: &str = "\
Examples:
  bosh -d cf logs --all  &&  vcap-analyze timeline logs_1541529930.tgz
  # `monit summary`: metron_agent \"not monitored\" on every VM; who broke first? (seed 000)
  vcap-analyze timeline cf.doppler_z2.*.tgz cf.diego_cell.*.tgz cf.router.*.tgz
  vcap-analyze timeline bundles/ --format json -o timeline.json
  # certificates judged as of a time, not by `openssl x509 -noout -dates` per VM (seed 001)
  vcap-analyze timeline bundles/ --at 2019-07-13T00:00:00Z";

pub const REDACT_EXAMPLES: &str = "\
Examples:
  # the ticket workflow
  bosh -d cf logs diego_cell/0                        # cf.diego_cell.<id>-<time>.tgz
  vcap-analyze redact cf.diego_cell.*.tgz ticket/
  vcap-analyze scan-secrets ticket/*.tgz  &&  echo safe to attach
  # more
  bosh -d cf logs --all  &&  vcap-analyze redact logs_1541529930.tgz logs-redacted.tgz
  bosh -d cf logs diego_cell/0 --agent   # registry-user:PASS@... in it (seed 004)
  vcap-analyze redact cf.diego_cell.*.tgz agent-redacted.tgz
  vcap-analyze redact /mnt/dead-vm/var/vcap/sys/log/ sys-log.tgz    # a directory
  # no host names, IPs or user names either, the same tokens across the bundles:
  vcap-analyze redact --mask hosts,ips,users --mask-map ~/acme.map cf.*.tgz ticket/";

pub const SCAN_SECRETS_EXAMPLES: &str = "\
Examples:
  vcap-analyze scan-secrets logs_1541529930.tgz    # exit 1: `bosh logs` is never redacted
  vcap-analyze scan-secrets ticket/*.tgz  &&  echo safe to attach
  bosh -d cf ssh diego_cell/0 -c 'sudo cat /var/vcap/bosh/settings.json' \\
    | vcap-analyze scan-secrets -
  vcap-analyze scan-secrets bundles/ --format json | jq '.files_with_secrets[].path'";

pub const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  vcap-analyze completions bash > ~/.local/share/bash-completion/completions/vcap-analyze
  vcap-analyze completions zsh > ~/.zfunc/_vcap-analyze     # fpath+=(~/.zfunc) in ~/.zshrc
  vcap-analyze completions fish > ~/.config/fish/completions/vcap-analyze.fish
  vcap-analyze completions powershell >> $PROFILE";

pub const MAN_EXAMPLES: &str = "\
Examples:
  vcap-analyze man | man -l -
  vcap-analyze man redact > /usr/local/share/man/man1/vcap-analyze-redact.1
  vcap-analyze man signatures list | man -l -";

/// The sections of a man page that clap does not know about.
pub struct ManText {
    /// One entry per exit code: (code, meaning).
    pub exit_status: &'static [(&'static str, &'static str)],
    /// One entry per variable: (name, meaning).
    pub environment: &'static [(&'static str, &'static str)],
}

/// `vcap-analyze`'s sections (every subcommand's page has them too).
pub const ANALYZE_MAN: ManText = ManText {
    exit_status: &[
        ("0", "Done: the report was written (analyze, certs, timeline), nothing looks like a secret (scan-secrets), the copy is complete (redact)."),
        ("1", "analyze: a root cause or unexplained symptom reached --fail-on. scan-secrets: something looks like a secret. signatures check and list: a signature is broken."),
        ("2", "An input could not be read, or no input held anything to analyze: no report is written unless --partial asks for one covering the rest. Also a usage error (an unknown option, a --signatures DIR that does not exist, an unreadable --at)."),
        ("130", "Interrupted (SIGINT, SIGTERM, SIGHUP): temporary files are removed, nothing partial is left."),
    ],
    environment: &[
        ("VCAP_DIAG_SIGNATURES", "Default of --signatures DIR: signatures added to the built-in library."),
        ("VCAP_DIAG_AT", "Default of --at TIME: the time taken as \"now\"."),
        ("NO_COLOR", "With --color auto (the default), any value turns colour off."),
        ("CLICOLOR_FORCE", "With --color auto, any value but 0 turns colour on even in a pipe."),
        ("CLICOLOR", "With --color auto, 0 turns colour off."),
        ("TERM", "With --color auto, dumb turns colour off."),
    ],
};

/// The roff man page of `cmd` (a built `clap::Command`): clap's NAME, SYNOPSIS,
/// DESCRIPTION, OPTIONS and SUBCOMMANDS, then EXAMPLES as written (no fill), EXIT STATUS,
/// ENVIRONMENT and VERSION.
pub fn man_page(cmd: &clap::Command, text: &ManText) -> io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = Roff::new();
    let help = cmd.get_after_long_help().map(|s| s.to_string());
    if let Some(ex) = help.as_deref().and_then(|h| h.strip_prefix("Examples:\n")) {
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", []);
        for line in ex.lines() {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
    }
    for (title, entries) in [
        ("EXIT STATUS", text.exit_status),
        ("ENVIRONMENT", text.environment),
    ] {
        if entries.is_empty() {
            continue;
        }
        roff.control("SH", [title]);
        for (name, what) in entries {
            roff.control("TP", []);
            roff.text([bold(*name)]);
            roff.text([roman(*what)]);
        }
    }
    roff.to_writer(&mut out)?;
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// Every page of `root`: its own and one per subcommand, nested ones included (clap's
/// generated `help` left out), as (file name, roff): `vcap-analyze.1`,
/// `vcap-analyze-signatures-list.1`...
pub fn all_pages(root: &clap::Command, text: &ManText) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut root = root.clone();
    root.build();
    let mut pages = Vec::new();
    collect(&root, text, &mut pages)?;
    Ok(pages)
}

fn collect(
    cmd: &clap::Command,
    text: &ManText,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> io::Result<()> {
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    pages.push((format!("{name}.1"), man_page(cmd, text)?));
    for sub in cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
    {
        collect(sub, text, pages)?;
    }
    Ok(())
}

/// The page of `vcap-analyze` (no `path`) or of the subcommand `path` names
/// (`["signatures", "list"]`); `None` when there is no such subcommand.
pub fn page_of(
    root: &clap::Command,
    path: &[String],
    text: &ManText,
) -> Option<io::Result<Vec<u8>>> {
    let mut root = root.clone();
    root.build();
    let mut cmd = &root;
    for name in path {
        cmd = cmd
            .find_subcommand(name)
            .filter(|c| c.get_name() != "help")?;
    }
    Some(man_page(cmd, text))
}

/// Shell completions for `cmd` on `out`.
pub fn completions(shell: clap_complete::Shell, cmd: &mut clap::Command, out: &mut dyn io::Write) {
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, cmd, name, out);
}
