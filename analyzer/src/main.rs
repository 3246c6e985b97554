//! `vcap-analyze`: parses the command line once, runs the subcommand, maps the outcome to
//! the exit code (0 done; 1 `--fail-on` reached or `signatures check` failed; 2 an input
//! could not be read, the report still covering the rest). A closed stdout ends quietly.

use analyzer::cli::{Cli, Command, Common, FormatArg, RedactArgs, SignaturesCommand, TextOrJson};
use analyzer::engine::{self, Options};
use analyzer::finding::Severity;
use analyzer::matcher::Matcher;
use analyzer::report::{self, Format};
use analyzer::signature::{self, Library};
use anyhow::{bail, Context, Result};
use clap::Parser;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if e.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("vcap-analyze: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Analyze(a) => {
            let (lib, matcher) = library(a.common.signatures.as_deref())?;
            let fail_on: Option<Severity> = a
                .fail_on
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let report = analyze(&a.common, &lib, &matcher)?;
            let format = match a.format {
                FormatArg::Text => Format::Text {
                    color: a.common.output.is_none()
                        && io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none(),
                },
                FormatArg::Json => Format::Json,
                FormatArg::Markdown => Format::Markdown,
                FormatArg::Html => Format::Html,
            };
            write_out(a.common.output.as_deref(), |w| {
                report::render(&report, format, w)
            })?;
            let reached = fail_on.is_some_and(|min| {
                report.root_causes.iter().any(|rc| rc.severity >= min)
                    || report
                        .findings
                        .iter()
                        .any(|f| report.unexplained.contains(&f.id) && f.severity >= min)
            });
            Ok(if !report.coverage.errors.is_empty() {
                2
            } else if reached {
                1
            } else {
                0
            })
        }
        Command::Certs(c) => {
            let (lib, matcher) = library(c.common.signatures.as_deref())?;
            let report = analyze(&c.common, &lib, &matcher)?;
            write_out(c.common.output.as_deref(), |w| match c.format {
                FormatArg::Json => {
                    serde_json::to_writer_pretty(&mut *w, &report.certificates)
                        .map_err(io::Error::other)?;
                    writeln!(w)
                }
                _ => {
                    writeln!(
                        w,
                        "{:>9}  {:<14} {:<28} {:<60} SUBJECT",
                        "DAYS LEFT", "STATUS", "VM", "PATH"
                    )?;
                    for cert in &report.certificates {
                        writeln!(
                            w,
                            "{:>9}  {:<14} {:<28} {:<60} {}",
                            cert.days_left, cert.status, cert.vm, cert.path, cert.subject
                        )?;
                    }
                    Ok(())
                }
            })?;
            Ok(if report.coverage.errors.is_empty() {
                0
            } else {
                2
            })
        }
        Command::Signatures(SignaturesCommand::List { signatures, format }) => {
            let lib = Library::load(signatures.as_deref());
            write_out(None, |w| {
                if format == FormatArg::Json {
                    let rows: Vec<_> = lib
                        .signatures
                        .iter()
                        .map(|s| serde_json::json!({"id": s.id, "title": s.title, "category": s.category, "kind": s.kind, "severity": s.severity, "component": s.component}))
                        .collect();
                    serde_json::to_writer_pretty(&mut *w, &rows).map_err(io::Error::other)?;
                    return writeln!(w);
                }
                for s in &lib.signatures {
                    writeln!(
                        w,
                        "{:<44} {:<8} {:<8} {:<26} {}",
                        s.id,
                        kind_str(s.kind),
                        s.severity.as_str(),
                        s.category,
                        s.title
                    )?;
                }
                for id in signature::CHECK_IDS {
                    writeln!(
                        w,
                        "{:<44} {:<8} {:<8} {:<26} (structured check)",
                        id, "cause", "-", "-"
                    )?;
                }
                writeln!(
                    w,
                    "{} signatures, {} structured checks",
                    lib.signatures.len(),
                    signature::CHECK_IDS.len()
                )
            })?;
            Ok(if lib.problems.is_empty() { 0 } else { 1 })
        }
        Command::Timeline(t) => {
            let (lib, matcher) = library(t.common.signatures.as_deref())?;
            let report = analyze(&t.common, &lib, &matcher)?;
            let timeline = report::timeline::build(&report);
            write_out(t.common.output.as_deref(), |w| match t.format {
                TextOrJson::Json => report::timeline::render_json(&timeline, w),
                TextOrJson::Text => report::timeline::render_text(&timeline, w),
            })?;
            Ok(if report.coverage.errors.is_empty() {
                0
            } else {
                2
            })
        }
        Command::Redact(r) => Ok(redact(&r)),
        Command::ScanSecrets(s) => {
            let bar = progress(s.quiet);
            let tick = |name: &str| {
                if let Some(b) = &bar {
                    b.inc(1);
                    b.set_message(name.to_string());
                }
            };
            let found = analyzer::foreign::scan::scan(&s.paths, &tick);
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            write_out(s.output.as_deref(), |w| match s.format {
                TextOrJson::Json => {
                    serde_json::to_writer_pretty(&mut *w, &found).map_err(io::Error::other)?;
                    writeln!(w)
                }
                TextOrJson::Text => analyzer::foreign::scan::render_text(&found, w),
            })?;
            Ok(if !found.errors.is_empty() {
                2
            } else if found.hits > 0 {
                1
            } else {
                0
            })
        }
        Command::Signatures(SignaturesCommand::Check { signatures }) => {
            let lib = Library::load(signatures.as_deref());
            let report = signature::check(&lib, signature::CHECK_IDS);
            write_out(None, |w| {
                for p in &report.problems {
                    writeln!(w, "{p}")?;
                }
                let errors = report.errors().count();
                let warnings = report.warnings().count();
                writeln!(
                    w,
                    "{} signatures, {} examples run: {errors} error(s), {warnings} warning(s)",
                    report.signatures, report.examples
                )
            })?;
            Ok(if report.has_errors() { 1 } else { 0 })
        }
    }
}

/// The library (built-in plus `--signatures DIR`) and its compiled matcher. Broken files are
/// reported and left out; the rest runs.
fn library(dir: Option<&std::path::Path>) -> Result<(Library, Matcher)> {
    let lib = Library::load(dir);
    for p in &lib.problems {
        eprintln!(
            "vcap-analyze: signature {}: {} (left out)",
            p.file, p.problem
        );
    }
    let matcher = Matcher::new(&lib.signatures).context("compiling the signature library")?;
    Ok((lib, matcher))
}

fn analyze(
    c: &Common,
    lib: &Library,
    matcher: &Matcher,
) -> Result<analyzer::report::model::Report> {
    let at = match &c.at {
        Some(s) => Some(parse_time(s)?),
        None => None,
    };
    let opts = Options {
        at,
        warn_days: c.warn_days,
    };
    let bar = progress(c.quiet);
    let tick = |name: &str| {
        if let Some(b) = &bar {
            b.inc(1);
            b.set_message(name.to_string());
        }
    };
    let report = engine::analyze(&c.paths, &lib.signatures, matcher, &opts, &tick);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !c.quiet {
        for e in &report.coverage.errors {
            eprintln!("vcap-analyze: {e}");
        }
    }
    Ok(report)
}

/// A spinner on stderr, only when stderr is a terminal.
fn progress(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new_spinner();
    b.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} input(s) read {wide_msg}").ok()?,
    );
    b.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(b)
}

fn parse_time(s: &str) -> Result<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return Ok(dt.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Ok(d.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp());
    }
    bail!("--at {s:?}: expected an RFC 3339 time like 2019-07-13T00:00:00Z, or a date")
}

fn write_out(
    path: Option<&std::path::Path>,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        Some(p) => {
            let mut file = io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create {}", p.display()))?,
            );
            f(&mut file)?;
            file.flush()?;
        }
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            f(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

fn kind_str(k: analyzer::finding::Kind) -> &'static str {
    match k {
        analyzer::finding::Kind::Symptom => "symptom",
        analyzer::finding::Kind::Cause => "cause",
    }
}

/// `redact IN... OUT`: 0 all written; 2 something not written. A summary on stderr unless
/// `-q`. With `--mask`, one map for every IN (`foreign::masking`).
fn redact(r: &RedactArgs) -> u8 {
    if r.inputs.len() > 1 && !r.output.is_dir() {
        eprintln!("vcap-analyze: redact: {}: several inputs need an existing directory as OUT; nothing written", r.output.display());
        return 2;
    }
    let run = r.mask.map(|spec| {
        analyzer::foreign::masking::MaskRun::start(
            spec,
            r.mask_map.as_deref(),
            &r.inputs,
            &r.output,
        )
    });
    let run = match run.transpose() {
        Ok(run) => run,
        Err(e) => {
            eprintln!("vcap-analyze: redact: {e}; nothing written");
            return 2;
        }
    };
    let masker = run.as_ref().map(|m| &m.masker);
    let mut code = 0;
    for input in &r.inputs {
        code = code.max(redact_one(input, r, masker));
    }
    if let Some(run) = run {
        match run.finish() {
            Ok(n) if !r.quiet => eprintln!(
                "vcap-analyze: mask map {} ({n} names): keep it, never attach it",
                run.map_path.display()
            ),
            Ok(_) => {}
            Err(e) => {
                eprintln!("vcap-analyze: redact: {e}");
                code = 2;
            }
        }
    }
    code
}

fn redact_one(input: &Path, r: &RedactArgs, mask: Option<&redact::mask::Masker>) -> u8 {
    match analyzer::foreign::redact::redact_masked(input, &r.output, mask) {
        Err(e) => {
            eprintln!("vcap-analyze: redact: {e}; nothing written");
            2
        }
        Ok(done) => {
            if !r.quiet {
                let t = &done.manifest.totals;
                let kinds: Vec<String> =
                    t.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
                eprintln!(
                    "vcap-analyze: {}: {} files, {} secrets redacted in {} of them{}, {} left out",
                    done.output.display(),
                    t.files,
                    t.redactions + t.leak_scan_hits,
                    t.redacted_files,
                    if kinds.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", kinds.join(", "))
                    },
                    t.dropped
                );
                for d in done.manifest.dropped().take(20) {
                    eprintln!(
                        "vcap-analyze: left out {}: {}",
                        d.path,
                        d.reason.as_deref().unwrap_or("")
                    );
                }
                if t.dropped > 20 {
                    eprintln!(
                        "vcap-analyze: ... and {} more (see {})",
                        t.dropped - 20,
                        analyzer::foreign::manifest::MANIFEST_NAME
                    );
                }
            }
            0
        }
    }
}
