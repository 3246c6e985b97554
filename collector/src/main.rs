//! `vcap-collect`: the command line. Parses arguments once into a [`Config`](collector::config::Config), runs the
//! collection, and maps the outcome to the exit code: 0 complete, 1 written but incomplete
//! or with per-file problems, 2 no bundle written.

use clap::Parser;
use collector::cli::Cli;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

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
