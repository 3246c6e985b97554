//! Generates shell completions and man pages for `vcap-analyze` and `vcap-collect` from their
//! clap definitions (`analyzer::cli::Cli`, `collector::cli::Cli`), so help, completions and
//! man pages never disagree.
//!
//! ```text
//! cargo run -p vcap-analyze --example gen-docs -- OUTDIR
//! ```
//!
//! writes
//!
//! ```text
//! OUTDIR/completions/vcap-analyze.bash  _vcap-analyze  vcap-analyze.fish   (same for vcap-collect)
//! OUTDIR/man/man1/vcap-analyze.1  vcap-analyze-<subcommand>.1 ...  vcap-collect.1
//! ```
//!
//! `vcap-analyze completions SHELL` and `vcap-analyze man` print the same for
//! `vcap-analyze` alone; this example also covers `vcap-collect`, whose binary stays
//! without clap_complete and clap_mangen (it runs on production VMs and keeps its
//! dependencies few): its pages come through its library (`collector::cli`), with the
//! same EXAMPLES, EXIT STATUS and ENVIRONMENT sections ([`analyzer::cli::docs`]).

use analyzer::cli::docs;
use clap::CommandFactory;
use clap_complete::Shell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs, io};

fn main() -> ExitCode {
    let Some(out) = env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: cargo run -p vcap-analyze --example gen-docs -- OUTDIR");
        return ExitCode::from(2);
    };
    match generate(&out) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-docs: {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}

/// Writes completions and man pages under `out`; returns the files written.
fn generate(out: &Path) -> io::Result<Vec<PathBuf>> {
    let completions = out.join("completions");
    let man = out.join("man").join("man1");
    fs::create_dir_all(&completions)?;
    fs::create_dir_all(&man)?;
    let mut written = Vec::new();
    for mut cmd in [
        analyzer::cli::Cli::command(),
        collector::cli::Cli::command(),
    ] {
        let name = cmd.get_name().to_string();
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            written.push(clap_complete::generate_to(
                shell,
                &mut cmd,
                &name,
                &completions,
            )?);
        }
        // one page for the command and one per subcommand (`vcap-analyze-redact.1`, ...)
        let text = if name == "vcap-collect" {
            &COLLECT_MAN
        } else {
            &docs::ANALYZE_MAN
        };
        for (file, page) in docs::all_pages(&cmd, text)? {
            let path = man.join(file);
            fs::write(&path, page)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// `vcap-collect(1)`'s own sections.
const COLLECT_MAN: docs::ManText = docs::ManText {
    exit_status: collector::cli::EXIT_STATUS,
    environment: collector::cli::ENVIRONMENT,
};
