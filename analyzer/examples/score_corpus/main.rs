//! Scores the real-line corpus against the `vcap-analyze` binary and prints recall and
//! false positives (the corpus and its format: `corpus/README.md`).
//!
//! ```text
//! cargo run --release -p vcap-analyze --example score_corpus [-- [--quiet] [CORPUS_DIR]]
//! ```
//!
//! It builds the release binary first (`cargo build --release -p vcap-analyze --bin
//! vcap-analyze`), then runs `vcap-analyze analyze - --format json` once per case with the
//! case's text on stdin, and prints: one line per case (`hit`, `top1`, `MISS`, `SEEN` (a
//! miss although a finding of the expected category exists: ranked latent or explained),
//! `FP`, `ok`, with the categories the report gave), recall and top-1 recall overall, per category and
//! per envelope, and every false positive with its findings. `--quiet` prints only misses,
//! false positives and the tallies. Exit code 0 when every case was scored, 1 when any
//! normal case raised an alarm, 2 when the corpus or the binary could not be used.

#[path = "scoring.rs"]
mod scoring;

use scoring::{Case, Outcome, Tally};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut quiet = false;
    let mut dir = PathBuf::from("corpus");
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quiet" | "-q" => quiet = true,
            "-h" | "--help" => {
                println!("usage: score_corpus [--quiet] [CORPUS_DIR]   (default: corpus)");
                return ExitCode::SUCCESS;
            }
            _ => dir = PathBuf::from(arg),
        }
    }
    let bin = match build_binary() {
        Ok(bin) => bin,
        Err(e) => {
            eprintln!("score_corpus: {e}");
            return ExitCode::from(2);
        }
    };
    let cases = match scoring::load(&dir) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("score_corpus: {e}");
            return ExitCode::from(2);
        }
    };
    let score = scoring::score(&bin, &cases, |case, outcome| {
        print_case(&dir, case, outcome, quiet)
    });
    println!();
    print_tally("overall", &score.overall);
    print_table("category", &score.by_category);
    print_table("envelope", &score.by_envelope);
    println!(
        "\nnormal: {} files, {} lines, {} false positive file(s)",
        score.normal_cases,
        score.normal_lines,
        score.false_positives.len()
    );
    for (path, alarms) in &score.false_positives {
        println!("  FP {}", rel(&dir, path));
        for alarm in alarms {
            println!("     {alarm}");
        }
    }
    for (path, error) in &score.errors {
        eprintln!("score_corpus: {}: {error}", rel(&dir, path));
    }
    if !score.errors.is_empty() {
        ExitCode::from(2)
    } else if !score.false_positives.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Builds the release binary with the cargo that runs this example and returns its path
/// (beside this example's own `examples/` directory).
fn build_binary() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "vcap-analyze",
            "--bin",
            "vcap-analyze",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building vcap-analyze failed ({status})"));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join(format!("vcap-analyze{}", std::env::consts::EXE_SUFFIX)))
        .filter(|p| p.is_file())
        .ok_or_else(|| format!("no vcap-analyze binary next to {}", exe.display()))?;
    Ok(bin)
}

fn print_case(dir: &Path, case: &Case, outcome: &Outcome, quiet: bool) {
    let mark = match (case.failure, outcome.hit, outcome.top1) {
        (true, true, true) => "top1",
        (true, true, false) => "hit",
        (true, false, _) if outcome.seen => "SEEN",
        (true, false, _) => "MISS",
        (false, ..) if outcome.alarms.is_empty() => "ok",
        (false, ..) => "FP",
    };
    if quiet && matches!(mark, "top1" | "hit" | "ok") {
        return;
    }
    let got = if outcome.got.is_empty() {
        "-".to_string()
    } else {
        outcome.got.join(",")
    };
    let want = case.file.category.as_deref().unwrap_or("normal");
    println!(
        "{mark:<4} {:<70} [{}] want {want} got {got}",
        rel(dir, &case.path),
        case.file.envelope
    );
    if matches!(mark, "MISS" | "SEEN") {
        println!("       ({})", case.file.note);
    }
}

fn print_tally(name: &str, t: &Tally) {
    println!(
        "{name:<26} {:>3}/{:<3} recall {:5.1}%  top-1 {:5.1}%  seen-but-missed {}",
        t.hits,
        t.cases,
        t.recall(),
        t.top1_recall(),
        t.seen_misses
    );
}

fn print_table(title: &str, rows: &BTreeMap<String, Tally>) {
    println!("\nby {title}:");
    for (name, tally) in rows {
        print_tally(&format!("  {name}"), tally);
    }
}

fn rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}
