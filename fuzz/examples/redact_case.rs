//! Prints the text the `redact` and `structured` targets feed the redactor for one fuzz
//! input (the secrets planted between its lines), to replay a finding by hand:
//!
//! ```text
//! cargo run --example redact_case -- artifacts/redact/crash-... > case.txt
//! ```
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: redact_case FUZZ_INPUT");
        std::process::exit(2);
    };
    let data = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    match vcap_diag_fuzz::redact_case(&data) {
        Some((input, _)) => std::io::Write::write_all(&mut std::io::stdout(), &input)
            .unwrap_or_else(|e| eprintln!("stdout: {e}")),
        None => eprintln!("{path}: empty input, nothing to feed"),
    }
}
