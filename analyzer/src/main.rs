//! `vcap-analyze`: parses the command line once, runs the subcommand, maps the outcome to
//! the exit code (0 done; 1 `--fail-on` reached, a secret found or a signature broken; 2 an
//! input could not be read or held nothing to analyze, with no report written unless
//! `--partial`; 130 interrupted). A closed stdout ends quietly. Everything printed goes
//! through the terminal sanitiser ([`analyzer::cli::output`]).

use analyzer::cli::output::{error, write_out, Safety};
use analyzer::cli::{
    docs, Cli, Command, Common, FormatArg, RedactArgs, SignaturesCommand, TableFormat, TextOrJson,
};
use analyzer::engine::{self, Options};
use analyzer::finding::Severity;
use analyzer::matcher::Matcher;
use analyzer::report::vm_result::VmResults;
use analyzer::report::{self, model::Report, tables, Format};
use analyzer::signature::{self, Library};
use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser};
use std::io::{self, IsTerminal, Write};
use std::mem::ManuallyDrop;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = analyzer::interrupt::install("vcap-analyze") {
        error(&format!("cannot handle interrupts: {e}"));
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let closed = e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            });
            if !closed {
                error(&format!("{e:#}"));
            }
            ExitCode::from(if closed { 0 } else { 2 })
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    let color = cli.color;
    match cli.command {
        Command::Analyze(a) => {
            let fail_on: Option<Severity> = a
                .fail_on
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            if a.format == FormatArg::VmResult {
                return vm_results(&a.common);
            }
            let Some(report) = analyze(&a.common)? else {
                return Ok(2);
            };
            let (format, safety) = match a.format {
                FormatArg::Text => {
                    let color = match &a.common.output {
                        Some(_) => color.file(),
                        None => color.stdout(),
                    };
                    let safety = if color {
                        Safety::FieldsEscaped
                    } else {
                        Safety::Sanitize
                    };
                    (Format::Text { color }, safety)
                }
                FormatArg::Json => (Format::Json, Safety::Json),
                FormatArg::Markdown => (Format::Markdown, Safety::Sanitize),
                FormatArg::Html => (Format::Html, Safety::Sanitize),
                FormatArg::VmResult => unreachable!("handled above"),
            };
            write_out(a.common.output.as_deref(), safety, |w| {
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
            let Some(report) = analyze(&c.common)? else {
                return Ok(2);
            };
            let safety = match c.format {
                TableFormat::Json => Safety::Json,
                _ => Safety::Sanitize,
            };
            write_out(c.common.output.as_deref(), safety, |w| match c.format {
                TableFormat::Json => json(&report.certificates, w),
                TableFormat::Text => tables::certificates(&report.certificates, false, w),
                TableFormat::Markdown => tables::certificates(&report.certificates, true, w),
            })?;
            Ok(exit_of(&report))
        }
        Command::Signatures(SignaturesCommand::List { signatures, format }) => {
            let lib = load_library(signatures.as_deref())?;
            let rows = tables::signature_rows(&lib.signatures, analyzer::checks::REGISTRY);
            let safety = match format {
                TableFormat::Json => Safety::Json,
                _ => Safety::Sanitize,
            };
            write_out(None, safety, |w| match format {
                TableFormat::Json => json(&rows.iter().filter(|r| !r.check).collect::<Vec<_>>(), w),
                TableFormat::Text => tables::signatures(&rows, false, w),
                TableFormat::Markdown => tables::signatures(&rows, true, w),
            })?;
            Ok(if lib.problems.is_empty() { 0 } else { 1 })
        }
        Command::Timeline(t) => {
            let Some(report) = analyze(&t.common)? else {
                return Ok(2);
            };
            let timeline = report::timeline::build(&report);
            let safety = match t.format {
                TextOrJson::Json => Safety::Json,
                TextOrJson::Text => Safety::Sanitize,
            };
            write_out(t.common.output.as_deref(), safety, |w| match t.format {
                TextOrJson::Json => report::timeline::render_json(&timeline, w),
                TextOrJson::Text => report::timeline::render_text(&timeline, w),
            })?;
            Ok(exit_of(&report))
        }
        Command::Redact(r) => Ok(redact(&r)),
        Command::ScanSecrets(s) => {
            let bar = progress(s.quiet);
            let tick = |name: &str| {
                if let Some(b) = &bar {
                    b.inc(1);
                    b.set_message(term::escape(name).into_owned());
                }
            };
            let found = analyzer::foreign::scan::scan(&s.paths, &tick);
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            for e in &found.errors {
                error(e);
            }
            let safety = match s.format {
                TextOrJson::Json => Safety::Json,
                TextOrJson::Text => Safety::Sanitize,
            };
            write_out(s.output.as_deref(), safety, |w| match s.format {
                TextOrJson::Json => json(&found, w),
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
            let lib = load_library(signatures.as_deref())?;
            let report = signature::check(&lib, signature::CHECK_IDS);
            write_out(None, Safety::Sanitize, |w| {
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
        Command::Completions { shell } => {
            let mut out = io::stdout().lock();
            docs::completions(shell, &mut Cli::command(), &mut out);
            out.flush()?;
            Ok(0)
        }
        Command::Man { subcommand } => {
            let Some(page) = docs::page_of(&Cli::command(), &subcommand, &docs::ANALYZE_MAN) else {
                bail!("man: no subcommand {:?}", subcommand.join(" "));
            };
            let mut out = io::stdout().lock();
            out.write_all(&page?)?;
            out.flush()?;
            Ok(0)
        }
    }
}

/// 0, or 2 when an input could not be read or held nothing to analyze.
fn exit_of(report: &Report) -> u8 {
    if report.coverage.errors.is_empty() {
        0
    } else {
        2
    }
}

fn json<T: serde::Serialize + ?Sized>(value: &T, w: &mut dyn Write) -> io::Result<()> {
    report::json::write(value, w)
}

/// The library: built-in plus `--signatures DIR`, which must be a directory. Broken
/// signature files are reported and left out; the rest runs.
fn load_library(dir: Option<&Path>) -> Result<Library> {
    if let Some(dir) = dir {
        let meta = std::fs::metadata(dir)
            .with_context(|| format!("--signatures {}: cannot read", dir.display()))?;
        if !meta.is_dir() {
            bail!("--signatures {}: not a directory", dir.display());
        }
    }
    let lib = Library::load(dir);
    for p in &lib.problems {
        error(&format!("signature {}: {} (left out)", p.file, p.problem));
    }
    Ok(lib)
}

/// What every analysis of `c` needs: `--at` and `--warn-days`, the library and its matcher.
/// The library and matcher live until the process exits and are never dropped: freeing
/// their tens of thousands of small allocations one by one is work the exit does at once
/// (about 2 ms of the 20 ms a one-line input takes, measured on the bench machine).
fn prepare(c: &Common) -> Result<(Options, ManuallyDrop<Library>, ManuallyDrop<Matcher>)> {
    let at = match &c.at {
        Some(s) => Some(parse_time(s)?),
        None => None,
    };
    let opts = Options {
        at,
        warn_days: c.warn_days,
    };
    let lib = load_library(c.signatures.as_deref())?;
    let matcher = Matcher::new(&lib.signatures).context("compiling the signature library")?;
    Ok((opts, ManuallyDrop::new(lib), ManuallyDrop::new(matcher)))
}

/// `analyze --format vm-result`: each VM analysed on its own, not correlated (documented in
/// `report/vm_result.rs`). Input errors go to stderr and into the document; exit 2 when an
/// input could not be read, as `analyze`.
fn vm_results(c: &Common) -> Result<u8> {
    let (opts, lib, matcher) = prepare(c)?;
    let analysis = engine::collect(&c.paths, &lib.signatures, &matcher, &opts, &|_| {});
    for e in &analysis.errors {
        error(e);
    }
    let failed = !analysis.errors.is_empty();
    let doc = VmResults::new(analysis.vms, analysis.skipped, analysis.errors);
    write_out(c.output.as_deref(), Safety::Json, |w| {
        report::vm_result::render(&doc, w)
    })?;
    Ok(if failed { 2 } else { 0 })
}

/// Runs the analysis of `c.paths` and prints every input error on stderr (whatever `-q`
/// says). `None` when an input could not be read or held nothing to analyze and
/// `--partial` was not given: the caller then writes nothing and exits 2.
fn analyze(c: &Common) -> Result<Option<Report>> {
    let (opts, lib, matcher) = prepare(c)?;
    let bar = progress(c.quiet);
    let tick = |name: &str| {
        if let Some(b) = &bar {
            b.inc(1);
            b.set_message(term::escape(name).into_owned());
        }
    };
    let report = engine::analyze(&c.paths, &lib.signatures, &matcher, &opts, &tick);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for e in &report.coverage.errors {
        error(e);
    }
    if !report.coverage.errors.is_empty() && !c.partial {
        error("no report written (--partial writes one covering the inputs that could be read)");
        return Ok(None);
    }
    Ok(Some(report))
}

/// A spinner on stderr, only when stderr is a terminal; cleared on interrupt.
fn progress(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new_spinner();
    b.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} input(s) read {wide_msg}").ok()?,
    );
    b.enable_steady_tick(std::time::Duration::from_millis(120));
    analyzer::interrupt::clear_on_interrupt(&b);
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

/// `redact IN... OUT`: 0 all written; 2 something not written; 130 interrupted (nothing is
/// left at OUT). A summary on stderr unless `-q`. With `--mask`, one map for every IN
/// (`foreign::masking`).
fn redact(r: &RedactArgs) -> u8 {
    if r.inputs.len() > 1 && !r.output.is_dir() {
        error(&format!(
            "redact: {}: several inputs need an existing directory as OUT; nothing written",
            r.output.display()
        ));
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
            error(&format!("redact: {e}; nothing written"));
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
            Ok(n) if !r.quiet => error(&format!(
                "mask map {} ({n} names): keep it, never attach it",
                run.map_path.display()
            )),
            Ok(_) => {}
            Err(e) => {
                error(&format!("redact: {e}"));
                code = 2;
            }
        }
    }
    code
}

fn redact_one(input: &Path, r: &RedactArgs, mask: Option<&redact::mask::Masker>) -> u8 {
    match analyzer::foreign::redact::redact_masked(input, &r.output, mask) {
        Err(e) => {
            error(&format!("redact: {e}; nothing written"));
            2
        }
        Ok(done) => {
            if !r.quiet {
                let t = &done.manifest.totals;
                let kinds: Vec<String> =
                    t.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
                error(&format!(
                    "{}: {} files, {} secrets redacted in {} of them{}, {} left out",
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
                ));
                for d in done.manifest.dropped().take(20) {
                    error(&format!(
                        "left out {}: {}",
                        d.path,
                        d.reason.as_deref().unwrap_or("")
                    ));
                }
                if t.dropped > 20 {
                    error(&format!(
                        "... and {} more (see {})",
                        t.dropped - 20,
                        analyzer::foreign::manifest::MANIFEST_NAME
                    ));
                }
            }
            0
        }
    }
}
