//! Redaction: what keeps secrets out of a support bundle.
//!
//! Three methods, each failing closed:
//! - **Structured files** ([`FileKind::detect`]: YAML, JSON, TOML, ini, env, conf, SQL)
//!   are redacted by allow-list (`structured.rs`, `shape.rs`): every value is masked as
//!   `[REDACTED value]` unless its shape is provably safe.
//! - **Running text** (logs, command output) keeps its messages byte for byte except
//!   what the rules below find, plus the token rule (`logline.rs`): credential positions
//!   and any long random-looking token (`[REDACTED high_entropy]`).
//! - The **leak gate** ([`gate`]) judges every entry's redacted output by entropy and
//!   shape alone; the callers withhold an entry it flags.
//!
//! Every byte the collector stores passes through a [`RedactStream`] (one per file) made
//! by a shared [`Redactor`] (compiled once, `Send + Sync`). Each line is copied with
//! secrets replaced by a marker that says what was removed, `[REDACTED <kind>]` (see
//! [`SecretKind::as_str`]), keeping the key name and the structure around it:
//! `password: [REDACTED password]`, `"client_secret":"[REDACTED client_secret]"`,
//! `nats://nats:[REDACTED url_credentials]@10.0.0.1:4222`.
//!
//! # Covered
//! - **Values of secret-named keys** (`keyname.rs` decides what a secret name is:
//!   password, passwd, pwd, pass, secret, token, private_key, credential(s), passphrase,
//!   encryption key/password, client_secret, access_key, secret_access_key, api_key, and
//!   compounds ending in them: `nats_password`, `uaa.admin.client_secret`, `clientSecret`,
//!   `X-Auth-Token`; a generic `*key` only when its value looks like key material; under
//!   a plural, `keys: {"<label>":"<key>"}`, every value of the map) in YAML
//!   (plain, quoted, list items, flow sequences, block scalars `private_key: |`), JSON (one
//!   line, pretty, and escaped inside a JSON string), `.properties`, env files, shell
//!   `export`, ERB-rendered Ruby hashes (`=>`), XML (`<password>x</password>`,
//!   `keystorePass="x"`), command lines (`--password=x`, `--password x`), `key=value`
//!   logs, query strings and Go struct dumps (`Password:x`). Templates paste values
//!   unescaped: a quote inside a quoted secret (`'Hd6k'Tl6z'`) does not end it, and a
//!   comment after an unquoted secret goes with it (` #` may be part of it). See
//!   `keyvalue.rs`.
//! - **Passwords in URLs**, the user and host kept (`url.rs`), e.g. the BOSH agent's
//!   registry URL `http://registry-user:PASS@10.4.1.4:25777`.
//! - **PEM private keys** of every type, multi-line, JSON-escaped on one line, or cut into
//!   pieces; unterminated blocks are redacted to the end of the file (`pem.rs`).
//! - **Shaped tokens** anywhere: `Bearer x`, JWTs, AWS access key ids (`tokens.rs`), and
//!   the credentials of `Authorization:` headers.
//! - **Client programs' short password flags** in `ps` output (`cli.rs`): `mysql*` and
//!   `mariadb*` `-pX`, `sshpass -p X`, `redis-cli -a X`.
//! - A **leak scan** (`scan.rs`) on every line about to be written; what it still finds
//!   is redacted too and counted in [`RedactStats::leak_scan_hits`] (apart from the
//!   rules' [`RedactStats::redactions`]).
//!
//! Kept byte for byte: certificates, public keys, hashes, UUIDs, paths under `key:`,
//! `password_min_length: 8`, `require_client_secret: true`, `token_ttl: 3600`, empty
//! values, placeholders (`((admin_password))`), values already redacted (so redacting
//! twice changes nothing), and every line with no trigger word (most of a lager log),
//! which costs one Aho-Corasick pass (`prefilter.rs`). "Already redacted" means made of
//! complete markers only: text after a marker (`password: [REDACTED password]x`) is
//! judged like any value, and `[REDACTED tok` cut short is no marker (`kind.rs`). The
//! rules and the leak scan run again on a line they changed until it no longer changes
//! (`stream.rs`), which is what makes a second pass find nothing.
//!
//! # Not promised
//! - In running text: secrets with no key name, URL, flag or random shape
//!   (`login failed for s3cr3t`), and a lower-case single-word value after `name: `
//!   (`invalid token: expired` is read as a sentence, not a secret). In structured files
//!   the allow-list covers these (block maps, block sequences, multi-line strings).
//! - Short command-line password flags of programs other than those above: `-p` means
//!   too many other things (a port, "parents") to be redacted blindly.
//! - Passwords with an unescaped `,` `;` `&` or space in running text (the value is cut
//!   there); URL passwords holding an unescaped `/`, `?` or `#` are covered only when a
//!   user name and a host around them say where they end (`url.rs`).
//! - A multi-line PEM body seen by [`Redactor::scan_line`] alone (it is stateless; the
//!   stream handles multi-line blocks).
//! - Binary files: they are treated as lines like any other, which is best effort.

mod certbody;
mod cli;
mod edit;
pub mod gate;
mod keyname;
mod keyvalue;
mod kind;
mod literal;
mod logline;
pub mod mask;
mod pem;
mod prefilter;
mod reader;
mod scan;
mod shape;
mod stream;
mod structured;
mod tokens;
mod url;

pub use kind::SecretKind;
pub use scan::SecretHit;
pub use stream::RedactStream;
pub use structured::FileKind;

use std::collections::BTreeMap;
use std::io;

/// What a stream redacted.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct RedactStats {
    /// Replacements made by the rules.
    pub redactions: u64,
    /// All replacements (rules and leak scan) by [`SecretKind::as_str`]; the values sum
    /// to `redactions + leak_scan_hits`.
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Replacements made by the leak scan, after the rules missed something. Not
    /// included in `redactions`: a non-zero value points at a gap in the rules.
    pub leak_scan_hits: u64,
}

/// The compiled rules. Build once, share across threads.
pub struct Redactor {
    prefilter: prefilter::Prefilter,
    tokens: tokens::TokenRules,
    scanner: scan::Scanner,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor {
            prefilter: prefilter::Prefilter::new(),
            tokens: tokens::TokenRules::new(),
            scanner: scan::Scanner::new(),
        }
    }

    /// A per-file stream state (multi-line constructs: PEM blocks, YAML block scalars
    /// under a secret key).
    pub fn stream(&self) -> RedactStream<'_> {
        RedactStream::new(self, FileKind::Text)
    }

    /// A per-file stream for a file of the given kind ([`FileKind::detect`]): values of a
    /// structured file are judged by the allow-list.
    pub fn stream_as(&self, kind: FileKind) -> RedactStream<'_> {
        RedactStream::new(self, kind)
    }

    /// The rules compiled once per process, for callers with no redactor at hand.
    pub(crate) fn new_shared() -> &'static Redactor {
        static SHARED: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
        SHARED.get_or_init(Redactor::new)
    }

    /// Copy `input` to `output` redacting, lines capped at `max_line` bytes (at least
    /// 256; longer lines are processed in pieces, never buffered whole). Returns stats.
    pub fn redact_reader<R: io::Read, W: io::Write>(
        &self,
        input: R,
        output: W,
        max_line: usize,
    ) -> io::Result<RedactStats> {
        reader::redact_reader(self, FileKind::Text, input, output, max_line)
    }

    /// [`Redactor::redact_reader`] for a file of the given kind.
    pub fn redact_reader_as<R: io::Read, W: io::Write>(
        &self,
        kind: FileKind,
        input: R,
        output: W,
        max_line: usize,
    ) -> io::Result<RedactStats> {
        reader::redact_reader(self, kind, input, output, max_line)
    }

    /// Convenience for small inputs held in memory: the redacted copy and its stats.
    pub fn redact_bytes(&self, input: &[u8]) -> (Vec<u8>, RedactStats) {
        self.redact_bytes_as(FileKind::Text, input)
    }

    /// [`Redactor::redact_bytes`] for a file of the given kind.
    pub fn redact_bytes_as(&self, kind: FileKind, input: &[u8]) -> (Vec<u8>, RedactStats) {
        let mut stream = self.stream_as(kind);
        let mut out = Vec::with_capacity(input.len());
        for line in input.split_inclusive(|&b| b == b'\n') {
            stream.line(line, &mut out);
        }
        let stats = stream.stats().clone();
        (out, stats)
    }

    /// Leak scan without changing anything: what still looks like a secret in one line
    /// (kind + byte span). Never returns the secret text itself.
    pub fn scan_line(&self, line: &[u8]) -> Vec<SecretHit> {
        let mut hits = Vec::new();
        self.scanner.scan(
            &self.prefilter,
            line,
            &mut prefilter::Triggers::default(),
            &mut hits,
        );
        hits
    }
}

#[cfg(test)]
mod tests;
