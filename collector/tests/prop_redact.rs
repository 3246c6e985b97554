//! Properties of the redactor over generated documents: configs and logs made of clean lines,
//! near misses that must stay, and secrets planted in every supported shape (YAML, JSON on
//! one line and pretty, `.properties`, env and `export`, URL credentials, PEM private keys,
//! bearer tokens, JWTs, AWS access key ids).
//!
//! - no planted secret survives, in one pass or streamed in pieces;
//! - every line that holds no secret comes out byte for byte, and a one-line placement
//!   keeps everything outside its secret (`key: [REDACTED kind]`);
//! - redacting twice changes nothing;
//! - UTF-8 in, UTF-8 out.
//!
//! Case counts are kept low so the suite stays fast; `PROPTEST_CASES=5000` runs more.

use proptest::prelude::*;
use redact::Redactor;
use std::sync::LazyLock;

static R: LazyLock<Redactor> = LazyLock::new(Redactor::new);

fn redact(input: &[u8]) -> Vec<u8> {
    R.redact_bytes(input).0
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ------------------------------------------------------------------------------------------
// generated pieces

/// Words with no trigger in them (`pass`, `pwd`, `secret`, `token`, `key`, `credential`,
/// `encrypt`, `authorization`, `://`, `bearer`, `eyJ`, `AKIA`, `ASIA`, `-----BEGIN`).
const WORDS: &[&str] = &[
    "rep",
    "cell",
    "container",
    "started",
    "stopped",
    "info",
    "error",
    "guid",
    "diego",
    "executor",
    "garden",
    "lease",
    "route",
    "emitter",
    "doppler",
    "metron",
    "bbs",
    "auction",
    "completed",
    "failed",
    "retrying",
    "in",
    "for",
    "with",
    "on",
    "to",
    "of",
    "the",
    "café",
    "naïve",
    "日本語",
    "Größe",
    "é",
    "—",
    "ok",
    "200",
    "503",
    "10.0.16.5",
    "0.0.0.0:8080",
    "a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "/var/vcap/data/rep",
    "1478789343.195786953",
];

fn word() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(WORDS).prop_map(str::to_string)
}

/// A line with no trigger word: plain text, a lager JSON line, or YAML without secrets.
fn clean_line() -> impl Strategy<Value = String> {
    let words = || prop::collection::vec(word(), 1..10);
    prop_oneof![
        words().prop_map(|w| w.join(" ")),
        (words(), word()).prop_map(|(w, src)| format!(
            "{{\"timestamp\":\"1478789343.195786953\",\"source\":\"{src}\",\"message\":\"{}\",\"log_level\":1}}",
            w.join(" ")
        )),
        (0usize..6, word(), word()).prop_map(|(i, k, v)| format!("{}{k}_name: {v}", " ".repeat(i))),
        Just(String::new()),
    ]
}

/// Lines that hold a trigger word but no secret: the redactor must keep them byte for byte
/// (`redact/src/lib.rs`, "Kept byte for byte").
const NEAR_MISSES: &[&str] = &[
    "password_min_length: 8",
    "require_client_secret: true",
    "token_ttl: 3600",
    "  password: ((admin_password))",
    "  client_secret: \"((uaa_clients_cf_secret))\"",
    "password: \"\"",
    "token: [REDACTED token]",
    "url: https://uaa.service.cf.internal:8443/oauth/token",
    "public_key_fingerprint: 1f:2e:3d:4c:5b:6a",
    "-----BEGIN CERTIFICATE-----\nMIIDXTCCAkWgAwIBAgIJAKLfake0\n-----END CERTIFICATE-----",
    "{\"password_length\":12,\"uses_tokens\":false}",
];

fn near_miss() -> impl Strategy<Value = String> {
    prop::sample::select(NEAR_MISSES).prop_map(str::to_string)
}

/// A secret value: letters, digits and `-_.`, always with an upper-case letter and a
/// digit (no rule may take it for a word or a number).
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.-]{10,30}".prop_map(|s| format!("Zq9{s}x"))
}

fn alnum_secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{12,30}".prop_map(|s| format!("Zq9{s}"))
}

const YAML_KEYS: &[&str] = &[
    "password",
    "nats_password",
    "admin_password",
    "secret",
    "blobstore_secret",
    "client_secret",
    "token",
    "auth_token",
    "api_key",
    "encryption_password",
    "credhub_encryption_password",
    "credentials",
    "passphrase",
    "secret_access_key",
];

fn yaml_key() -> impl Strategy<Value = String> {
    prop::sample::select(YAML_KEYS).prop_map(str::to_string)
}

/// One planted secret: the lines that hold it, and the secret values in them.
#[derive(Debug, Clone)]
struct Placement {
    text: String,
    secrets: Vec<String>,
    /// A one-line placement whose secret is replaced in place: the text before and after
    /// the secret must stay.
    in_place: bool,
}

fn one(text: String, s: String) -> Placement {
    Placement {
        text,
        secrets: vec![s],
        in_place: true,
    }
}

fn placement() -> impl Strategy<Value = Placement> {
    prop_oneof![
        // YAML: plain, single- and double-quoted, list item, indented
        (0usize..8, yaml_key(), secret(), 0u8..4).prop_map(|(i, k, s, q)| {
            let v = match q {
                0 => s.clone(),
                1 => format!("'{s}'"),
                2 => format!("\"{s}\""),
                _ => s.clone(),
            };
            let dash = if q == 3 { "- " } else { "" };
            one(format!("{}{dash}{k}: {v}", " ".repeat(i)), s)
        }),
        // JSON on one line
        (yaml_key(), secret()).prop_map(|(k, s)| one(
            format!("{{\"user\":\"admin\",\"{k}\":\"{s}\",\"port\":8443}}"),
            s
        )),
        // JSON pretty (one key per line)
        (yaml_key(), secret()).prop_map(|(k, s)| Placement {
            text: format!(
                "{{\n  \"client_id\": \"cc\",\n  \"{k}\": \"{s}\",\n  \"port\": 8443\n}}"
            ),
            secrets: vec![s],
            in_place: false,
        }),
        // .properties
        (yaml_key(), secret()).prop_map(|(k, s)| one(format!("spring.datasource.{k}={s}"), s)),
        // env files and shell
        (
            prop::sample::select(
                &["DB_PASSWORD", "CLIENT_SECRET", "NATS_PASSWORD", "API_TOKEN"][..]
            ),
            alnum_secret(),
            0u8..3
        )
            .prop_map(|(k, s, form)| match form {
                0 => one(format!("export {k}={s}"), s),
                1 => one(format!("{k}=\"{s}\""), s),
                _ => one(format!("{k}={s}"), s),
            }),
        // URL credentials
        (
            prop::sample::select(&["nats", "postgres", "mysql2", "amqp", "https", "redis"][..]),
            alnum_secret()
        )
            .prop_map(|(scheme, s)| one(
                format!("  uri: {scheme}://admin:{s}@10.0.0.1:4222/db"),
                s
            )),
        // PEM private keys (RSA, EC, PKCS#8), indented or not
        (
            prop::sample::select(
                &[
                    "RSA PRIVATE KEY",
                    "EC PRIVATE KEY",
                    "PRIVATE KEY",
                    "ENCRYPTED PRIVATE KEY"
                ][..]
            ),
            prop::collection::vec("[A-Za-z0-9+/]{40,64}", 1..5),
            0usize..5
        )
            .prop_map(|(kind, body, i)| {
                let pad = " ".repeat(i);
                let mut text = format!("{pad}-----BEGIN {kind}-----\n");
                for l in &body {
                    text.push_str(&format!("{pad}{l}\n"));
                }
                text.push_str(&format!("{pad}-----END {kind}-----"));
                Placement {
                    text,
                    secrets: body,
                    in_place: false,
                }
            }),
        // bearer tokens in a log line
        ("[A-Za-z0-9._~+/-]{20,40}", 0u8..2).prop_map(|(t, form)| {
            let t = format!("Zq9{t}");
            match form {
                0 => one(format!("request to uaa with bearer {t} failed"), t),
                _ => one(
                    format!("curl -H 'Authorization: Bearer {t}' https://api"),
                    t,
                ),
            }
        }),
        // JWTs anywhere
        (
            "[A-Za-z0-9_-]{8,30}",
            "[A-Za-z0-9_-]{8,30}",
            "[A-Za-z0-9_-]{10,40}"
        )
            .prop_map(|(h, p, sig)| {
                let jwt = format!("eyJ{h}.eyJ{p}.{sig}");
                one(format!("rep: using {jwt} for the call"), jwt)
            }),
        // Text that starts with a marker (as if redacted before) and goes on with a secret:
        // what follows a marker is judged like any value (a fuzz finding,
        // docs/reliability.md). Illustrative shapes, not from a real file.
        (yaml_key(), alnum_secret(), 0u8..5).prop_map(|(k, s, form)| {
            let m = "[REDACTED password]";
            let text = match form {
                0 => format!("{k}: {m}{s}"),
                1 => format!("{{\"{k}\":\"{m}{s}\"}}"),
                2 => format!("export DB_PASSWORD={m}{s}"),
                3 => format!("  uri: nats://nats:{m}{s}@10.0.0.1:4222"),
                _ => format!(
                    "-----BEGIN PRIVATE KEY-----\n{m}MIIEv{s}\nQEFAASCBKcwggSjAgEAAoIB\n-----END PRIVATE KEY-----"
                ),
            };
            Placement {
                text,
                secrets: vec![s],
                in_place: false,
            }
        }),
        // Client programs' short password flags in `ps` output (illustrative lines)
        (alnum_secret(), 0u8..4).prop_map(|(s, form)| {
            let text = match form {
                0 => format!("root 5150 /var/vcap/packages/pxc/bin/mysql -uadmin -p{s} -h 10.0.0.5 ccdb"),
                1 => format!("root 5151 mysqldump -u backup -p{s} ccdb | gzip -1"),
                2 => format!("root 5152 sshpass -p {s} ssh -p 2222 vcap@10.0.0.9"),
                _ => format!("vcap 5153 redis-cli -h 10.0.0.7 -a {s} ping"),
            };
            one(text, s)
        }),
        // AWS access key ids
        "[A-Z0-9]{16}".prop_map(|k| {
            let id = format!("AKIA{k}");
            one(
                format!("blobstore: access key {id} in region eu-west-1"),
                id,
            )
        }),
    ]
}

/// A piece of a document: clean lines (kept as they are) or a planted secret.
#[derive(Debug, Clone)]
enum Piece {
    Clean(String),
    Secret(Placement),
}

fn document() -> impl Strategy<Value = Vec<Piece>> {
    prop::collection::vec(
        prop_oneof![
            4 => clean_line().prop_map(Piece::Clean),
            1 => near_miss().prop_map(Piece::Clean),
            2 => placement().prop_map(Piece::Secret),
        ],
        1..24,
    )
}

fn render(doc: &[Piece], crlf: bool) -> String {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    for p in doc {
        let text = match p {
            Piece::Clean(t) => t,
            Piece::Secret(pl) => &pl.text,
        };
        for line in text.split('\n') {
            out.push_str(line);
            out.push_str(nl);
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No planted secret survives, whole or streamed through the reader in pieces.
    #[test]
    fn no_planted_secret_survives(doc in document(), crlf in any::<bool>(), piece in 256usize..2048) {
        let input = render(&doc, crlf);
        let once = redact(input.as_bytes());
        let mut streamed = Vec::new();
        R.redact_reader(input.as_bytes(), &mut streamed, piece).unwrap();
        for p in &doc {
            if let Piece::Secret(pl) = p {
                for s in &pl.secrets {
                    prop_assert!(!find(&once, s.as_bytes()), "{s:?} survived in\n{}", lossy(&once));
                    prop_assert!(!find(&streamed, s.as_bytes()), "{s:?} survived streaming in\n{}", lossy(&streamed));
                }
            }
        }
    }

    /// Every piece comes out as the redactor makes it alone: clean lines and near misses byte
    /// for byte, a one-line secret replaced in place with the text around it kept.
    #[test]
    fn text_outside_secrets_is_unchanged(doc in document()) {
        let input = render(&doc, false);
        let out = redact(input.as_bytes());
        let mut want = Vec::new();
        for p in &doc {
            match p {
                Piece::Clean(t) => {
                    want.extend_from_slice(t.as_bytes());
                    want.push(b'\n');
                }
                Piece::Secret(pl) => {
                    let alone = redact(format!("{}\n", pl.text).as_bytes());
                    if pl.in_place {
                        let s = &pl.secrets[0];
                        let at = pl.text.find(s.as_str()).unwrap();
                        let (before, after) = (&pl.text[..at], &pl.text[at + s.len()..]);
                        let got = lossy(&alone);
                        prop_assert!(got.starts_with(before), "{got:?} does not keep {before:?}");
                        prop_assert!(got.ends_with(&format!("{after}\n")), "{got:?} does not keep {after:?}");
                        prop_assert!(got[before.len()..].starts_with("[REDACTED "), "{got:?}");
                    }
                    want.extend_from_slice(&alone);
                }
            }
        }
        prop_assert_eq!(lossy(&out), lossy(&want));
    }

    /// Redacting twice changes nothing; UTF-8 in, UTF-8 out.
    #[test]
    fn idempotent_and_utf8(doc in document(), crlf in any::<bool>()) {
        let input = render(&doc, crlf);
        let (once, _) = R.redact_bytes(input.as_bytes());
        prop_assert!(std::str::from_utf8(&once).is_ok());
        let (twice, stats) = R.redact_bytes(&once);
        prop_assert_eq!(lossy(&twice), lossy(&once));
        prop_assert_eq!(stats.redactions + stats.leak_scan_hits, 0);
    }

    /// Arbitrary bytes: redacting twice changes nothing, and the streaming reader (lines
    /// never cut) gives what `redact_bytes` gives.
    #[test]
    fn arbitrary_bytes_idempotent_and_reader_agrees(
        input in prop::collection::vec(prop_oneof![
            3 => any::<u8>(),
            1 => Just(b'\n'),
            1 => prop::sample::select(&b"pass:= \"'-BEGIN{}"[..]),
        ], 0..600)
    ) {
        let once = redact(&input);
        prop_assert_eq!(lossy(&redact(&once)), lossy(&once));
        let mut streamed = Vec::new();
        R.redact_reader(&input[..], &mut streamed, input.len() + 1).unwrap();
        prop_assert_eq!(lossy(&streamed), lossy(&once));
    }
}

// ------------------------------------------------------------------------------------------
// structured files: the allow-list, whatever the key

/// A value under any key (no secret word in it) of a structured file, in one of its
/// quoting or multi-line styles; the kind it is read as.
fn structured_doc() -> impl Strategy<Value = (redact::FileKind, String, Vec<String>)> {
    use redact::FileKind::*;
    let key = word().prop_map(|w| format!("{w}_setting"));
    // Generated credentials (letters and digits, as credhub and bosh generate them); a
    // secret made of short word-like pieces joined by `-`/`_` is a documented limit.
    (0usize..9, key, alnum_secret(), alnum_secret(), prop::collection::vec(word(), 1..4)).prop_map(
        |(style, k, s1, s2, words)| {
            let clean = words.join("_");
            let (kind, text) = match style {
                0 => (Yaml, format!("top:\n  {k}: {s1}\n  other: {clean}\n")),
                1 => (Yaml, format!("{k}:\n- {s1}\n- name|{s2}|x\n")),
                2 => (Yaml, format!("{k}: \"{s1}\n  {s2}\"\nnext: 1\n")),
                3 => (Yaml, format!("{k}: >-\n  {s1}\n  {s2}\nnext: 1\n")),
                4 => (Json, format!("{{\"{k}\":\"{s1}\",\"n\":[\"{s2}\",2]}}\n")),
                5 => (Ini, format!("[s]\n{k} = '{s1}' ; note\n{clean} {s2}\n")),
                6 => (Env, format!("export {k}=\"{s1}\"\n{clean}='{s2}'\n")),
                7 => (Toml, format!("[t]\n{k} = \"{s1}\"\nl = [\"{s2}\", 1]\n")),
                _ => (Sql, format!("CREATE USER 'u' IDENTIFIED BY '{s1}';\n-- {clean}\nALTER ROLE x PASSWORD '{s2}';\n")),
            };
            (kind, text, vec![s1, s2])
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Unknown values are masked under any key name, in every quoting and multi-line
    /// style, and the file keeps its lines (line numbers stay true).
    #[test]
    fn structured_values_are_masked_whatever_the_key((kind, text, secrets) in structured_doc()) {
        let (out, _) = R.redact_bytes_as(kind, text.as_bytes());
        for s in &secrets {
            prop_assert!(!find(&out, s.as_bytes()), "{kind:?}: {s} survived:\n{}", lossy(&out));
        }
        let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
        prop_assert_eq!(lines(&out), lines(text.as_bytes()));
        let (twice, _) = R.redact_bytes_as(kind, &out);
        prop_assert_eq!(lossy(&twice), lossy(&out), "idempotent");
    }
}
