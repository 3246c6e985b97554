//! PEM private key blocks: `-----BEGIN <RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP|...> PRIVATE KEY-----`.
//!
//! The BEGIN and END lines stay, so a reader knows a key was there; the body becomes one
//! `[REDACTED private_key]`. Three shapes:
//! - multi-line (`.key` files, YAML block scalars): the header line opens a state the
//!   stream keeps until the END line (or end of file: an unterminated block is redacted
//!   to the end);
//! - one line with escaped newlines (`"-----BEGIN RSA PRIVATE KEY-----\nMII...\n-----END
//!   RSA PRIVATE KEY-----\n"` in JSON): the body between the markers is replaced, the
//!   `\n` around it kept;
//! - one line cut in pieces (a long JSON line): the body runs to the end of the piece and
//!   the state continues into the next piece.
//!
//! Certificates, public keys, CSRs and parameters are public and pass byte for byte.

use super::edit::Edit;
use super::kind::{is_whole_marker, markers_len, SecretKind};
use memchr::memmem;

pub(crate) const BEGIN: &[u8] = b"-----BEGIN ";
pub(crate) const END: &[u8] = b"-----END";

/// The header starting at `at` (which holds `-----BEGIN `): its end, and whether it is a
/// private key.
pub(crate) fn header(line: &[u8], at: usize) -> Option<(usize, bool)> {
    let label_start = at + BEGIN.len();
    let rest = line.get(label_start..)?;
    let label_len = rest
        .iter()
        .take(64)
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b' ')
        .count();
    if !rest[label_len..].starts_with(b"-----") {
        return None;
    }
    let label = &rest[..label_len];
    let private = memmem::find(label, b"PRIVATE KEY").is_some();
    Some((label_start + label_len + 5, private))
}

/// Skips separators between PEM parts: white space and escaped newlines (`\n`, `\\r\\n`).
pub(crate) fn skip_seps(line: &[u8], mut p: usize) -> usize {
    loop {
        match line.get(p) {
            Some(b) if b.is_ascii_whitespace() => p += 1,
            Some(b'\\') => {
                let nb = line[p..].iter().take_while(|&&b| b == b'\\').count();
                if matches!(line.get(p + nb), Some(b'n' | b'r' | b't')) {
                    p += nb + 1;
                } else {
                    return p;
                }
            }
            _ => return p,
        }
    }
}

/// Moves `end` back over separators, not past `start`.
pub(crate) fn trim_seps_end(line: &[u8], start: usize, mut end: usize) -> usize {
    while end > start {
        let b = line[end - 1];
        if b.is_ascii_whitespace() {
            end -= 1;
        } else if matches!(b, b'n' | b'r' | b't') && end - 1 > start && line[end - 2] == b'\\' {
            end -= 1;
            while end > start && line[end - 1] == b'\\' {
                end -= 1;
            }
        } else {
            break;
        }
    }
    end
}

fn is_body_byte(b: u8) -> bool {
    // base64, plus what the legacy `Proc-Type: 4,ENCRYPTED` / `DEK-Info:` headers hold.
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b':' | b',' | b'-' | b' ')
}

/// From `p`, the end of a run that looks like a PEM body (base64 lines and separators),
/// if it holds at least 16 base64 characters.
fn body_run(line: &[u8], mut p: usize) -> Option<usize> {
    let mut b64 = 0;
    let mut end = p;
    loop {
        let q = skip_seps(line, p);
        if line[q..].starts_with(END) {
            break;
        }
        let run = line[q..].iter().take_while(|&&b| is_body_byte(b)).count();
        if run == 0 {
            break;
        }
        b64 += line[q..q + run]
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .count();
        p = q + run;
        end = p;
    }
    let end = trim_seps_end(line, 0, end);
    (b64 >= 16).then_some(end)
}

/// What a line does to the multi-line state.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Open {
    /// No private key left open.
    No,
    /// A header ended the line: the body follows on the next lines.
    BodyFollows,
    /// The body ran to the end of this piece and was redacted: the next piece continues it.
    Continues,
}

/// Redacts private key bodies in one line; tells whether a block is left open.
pub(crate) fn find(line: &[u8], is_piece: bool, edits: &mut Vec<Edit>) -> Open {
    let mut from = 0;
    let mut open = Open::No;
    while let Some(off) = memmem::find(&line[from..], BEGIN) {
        let at = from + off;
        let Some((hdr_end, private)) = header(line, at) else {
            from = at + BEGIN.len();
            continue;
        };
        from = hdr_end;
        if !private {
            continue;
        }
        let mut body_start = skip_seps(line, hdr_end);
        let markers = markers_len(&line[body_start..]);
        if markers > 0 {
            // Already redacted (idempotence); what follows the markers is judged as body.
            body_start += markers;
            let after = skip_seps(line, body_start);
            if after == line.len() || line[after..].starts_with(END) {
                from = after;
                continue;
            }
        }
        if let Some(end_off) = memmem::find(&line[hdr_end..], END) {
            let end_at = hdr_end + end_off;
            let body_end = trim_seps_end(line, body_start, end_at);
            if body_end > body_start && !is_whole_marker(&line[body_start..body_end]) {
                edits.push(Edit {
                    start: body_start,
                    end: body_end,
                    kind: SecretKind::PrivateKey,
                });
            }
            from = end_at + END.len();
            open = Open::No;
        } else if body_start == line.len() || line[body_start..].iter().all(u8::is_ascii_whitespace)
        {
            return Open::BodyFollows;
        } else if let Some(run_end) = body_run(line, body_start) {
            edits.push(Edit {
                start: body_start,
                end: run_end,
                kind: SecretKind::PrivateKey,
            });
            if is_piece && trim_seps_end(line, run_end, line.len()) == run_end {
                return Open::Continues;
            }
            // A body cut short (a truncated key in a JSON value): a later header on the
            // same line may still open a block.
            from = run_end;
            open = Open::No;
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, normalize};

    fn run(line: &str, is_piece: bool) -> (String, Open) {
        let mut edits = Vec::new();
        let open = find(line.as_bytes(), is_piece, &mut edits);
        normalize(&mut edits);
        let mut out = Vec::new();
        apply(line.as_bytes(), &edits, &mut out);
        (String::from_utf8(out).unwrap(), open)
    }

    #[test]
    fn escaped_one_line_key_keeps_markers_and_newlines() {
        let l = r#"{"key":"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFakeFakeFakeFakeFake\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY-----\n","x":1}"#;
        let want = r#"{"key":"-----BEGIN EC PRIVATE KEY-----\n[REDACTED private_key]\n-----END EC PRIVATE KEY-----\n","x":1}"#;
        assert_eq!(run(l, false), (want.to_string(), Open::No));
        assert_eq!(run(want, false), (want.to_string(), Open::No));
    }

    #[test]
    fn certificates_pass() {
        let l = r#""ca":"-----BEGIN CERTIFICATE-----\nMIIDFakeFakeFakeFakeFake\n-----END CERTIFICATE-----\n""#;
        assert_eq!(run(l, false), (l.to_string(), Open::No));
    }

    #[test]
    fn header_alone_opens_a_block() {
        assert_eq!(
            run("  -----BEGIN OPENSSH PRIVATE KEY-----", false).1,
            Open::BodyFollows
        );
        assert_eq!(run("-----BEGIN PUBLIC KEY-----", false).1, Open::No);
    }

    #[test]
    fn body_cut_at_end_of_piece_continues() {
        let (out, open) = run(
            r#""k":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF"#,
            true,
        );
        assert_eq!(
            out,
            r#""k":"-----BEGIN PRIVATE KEY-----\n[REDACTED private_key]"#
        );
        assert_eq!(open, Open::Continues);
    }

    #[test]
    fn a_header_after_a_cut_one_line_key_still_opens_a_block() {
        // Found by fuzzing (target `redact`): a truncated one-line key in a JSON value,
        // then a header ending the line. Only the first header was looked at, so the block
        // after it was never opened and its body lines were copied as they were.
        let l = r#""k":"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG","x":1 -----BEGIN PRIVATE KEY-----"#;
        let (out, open) = run(l, false);
        assert_eq!(open, Open::BodyFollows);
        assert_eq!(
            out,
            r#""k":"-----BEGIN PRIVATE KEY-----\n[REDACTED private_key]","x":1 -----BEGIN PRIVATE KEY-----"#
        );
        // The same after an already redacted one-line key.
        let l = r#""k":"-----BEGIN PRIVATE KEY-----\n[REDACTED private_key]","x":1 -----BEGIN PRIVATE KEY-----"#;
        assert_eq!(run(l, false), (l.to_string(), Open::BodyFollows));
    }

    #[test]
    fn prose_mentioning_a_header_is_kept() {
        let l = r#"error: "-----BEGIN RSA PRIVATE KEY-----" expected"#;
        assert_eq!(run(l, false), (l.to_string(), Open::No));
    }

    #[test]
    fn separators() {
        assert_eq!(skip_seps(br"\n\r\nAB", 0), 6);
        assert_eq!(trim_seps_end(br"AB\n", 0, 4), 2);
        assert_eq!(trim_seps_end(b"ABn", 0, 3), 3);
    }
}
