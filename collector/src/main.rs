//! `vcap-collect`: the command line. Parses arguments once into a [`Config`](collector::config::Config), runs the
//! collection, and maps the outcome to the exit code: 0 complete, 1 written but incomplete
//! or with per-file problems, 2 no bundle written, 130 interrupted (an incomplete bundle
//! written). Every message goes to stderr with its file names escaped for the terminal.

use clap::Parser;
use collector::cli::Cli;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// `vcap-collect: MESSAGE` on stderr, control characters in it escaped (it names files of
/// the VM, which anything on the VM may have named).
fn say(message: &str) {
    eprintln!("vcap-collect: {}", term::escape(message));
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(why) = cli.refusal() {
        say(&format!("no bundle written: {why}"));
        return ExitCode::from(2);
    }
    let quiet = cli.quiet;
    let cfg = cli.into_config();
    if cfg.lower_priority {
        collector::guard::lower_priority();
    }
    // A signal stops the run early; it still writes a valid bundle marked incomplete.
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in signal_hook::consts::TERM_SIGNALS
        .iter()
        .chain(&[signal_hook::consts::SIGHUP])
    {
        if let Err(e) = signal_hook::flag::register(*sig, Arc::clone(&signalled)) {
            say(&format!("cannot handle signal {sig}: {e}"));
        }
    }
    match collector::run::run(&cfg, &signalled) {
        Err(e) => {
            say(&format!("no bundle written: {e}"));
            ExitCode::from(2)
        }
        Ok(outcome) => {
            let problems = outcome.problems();
            let interrupted = signalled.load(Ordering::SeqCst);
            let place = outcome
                .path
                .as_ref()
                .map_or("stdout".to_string(), |p| p.display().to_string());
            if !quiet || interrupted {
                let t = &outcome.manifest.totals;
                say(&format!(
                    "{place}: {} files, {} MiB stored, {} secrets redacted{}",
                    t.files_stored,
                    t.bytes_stored >> 20,
                    t.redactions + t.leak_scan_hits,
                    if outcome.manifest.complete {
                        ""
                    } else {
                        " (incomplete)"
                    }
                ));
            }
            for p in problems.iter().take(20) {
                say(p);
            }
            if problems.len() > 20 {
                say(&format!(
                    "... and {} more (see manifest.json)",
                    problems.len() - 20
                ));
            }
            if interrupted {
                say("interrupted: the bundle holds what was collected until then");
                ExitCode::from(130)
            } else if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    }
}
