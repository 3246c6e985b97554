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
//! An example rather than a subcommand: `clap_complete` and `clap_mangen` stay
//! dev-dependencies, out of both shipped binaries (the collector runs on production VMs and
//! keeps its dependencies few; it gets its pages from here, through its library, with no
//! dependency cycle). The README says how to install the files.

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
        cmd.build();
        man_pages(&cmd, &man, &mut written)?;
    }
    Ok(written)
}

/// `cmd`'s page and its subcommands' (clap's generated `help` subcommand left out).
fn man_pages(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> io::Result<()> {
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    fs::write(&path, page)?;
    written.push(path);
    for sub in cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
    {
        man_pages(sub, dir, written)?;
    }
    Ok(())
}
