//! Start-up, phase by phase: loading the built-in library (TOML parse and validation) and
//! compiling the matcher. `cargo run --release -p vcap-analyze --example startup`; used by
//! bench/library.sh's start-up column to say where the time goes.

use analyzer::matcher::Matcher;
use analyzer::signature::Library;
use std::time::Instant;

fn main() {
    let mut load = f64::MAX;
    let mut compile = f64::MAX;
    let mut n = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let lib = Library::load(None);
        load = load.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let m = Matcher::new(&lib.signatures).expect("the built-in library compiles");
        compile = compile.min(t.elapsed().as_secs_f64());
        n = m.len();
    }
    println!(
        "{n} signatures: load {:.1} ms, matcher {:.1} ms (fastest of 10)",
        load * 1e3,
        compile * 1e3
    );
}
