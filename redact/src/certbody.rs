//! Following a certificate or public key over lines: which bytes of a line continue the
//! body of a public PEM block opened on an earlier line, so that the entropy rule leaves
//! them (a certificate's base64 is public and random-looking).
//!
//! Two choices keep this fail-closed and idempotent:
//! - The state is carried on what is *written*, never on what was read. A BEGIN line a
//!   rule rewrote (a header inside a value redacted to the end of its line) opens no
//!   block, so redacting the output again follows the same blocks as the first pass.
//! - Only a line that looks like a body line (base64, whitespace, `\n` escapes, quotes,
//!   complete markers) continues a block; any other line ends it. A BEGIN never followed
//!   by its END cannot exempt the rest of a file, and text after an END on the same line
//!   (an escaped private key in the next JSON value) is judged like any other.

use super::kind::marker_len;
use super::logline::public_header;
use super::pem;

/// How a line continues the public block open before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Continues {
    /// The line's first `public_len` bytes are body (and, when `closed`, the END line up to
    /// its closing dashes).
    pub public_len: usize,
    /// The block ends on this line.
    pub closed: bool,
}

/// `Some` when `line`, read while a public block is open, continues its body.
pub(crate) fn continues(line: &[u8]) -> Option<Continues> {
    let end_at = crate::literal::find!(line, pem::END);
    if !is_body(&line[..end_at.unwrap_or(line.len())]) {
        return None;
    }
    Some(match end_at {
        None => Continues {
            public_len: line.len(),
            closed: false,
        },
        Some(e) => {
            let label = e + pem::END.len();
            let close = crate::literal::find!(&line[label..], b"-----")
                .map_or(line.len(), |c| label + c + 5);
            Continues {
                public_len: close,
                closed: true,
            }
        }
    })
}

/// Whether a public block is open after the line `written` (as written), given whether
/// one was open before it.
pub(crate) fn open_after(written: &[u8], open_before: bool) -> bool {
    match crate::literal::rfind!(written, pem::BEGIN) {
        Some(b) => {
            public_header(&written[b..]) && crate::literal::find!(&written[b..], pem::END).is_none()
        }
        None => open_before && continues(written).is_some_and(|c| !c.closed),
    }
}

/// Base64 text, whitespace, escapes (`\n`), quotes, commas and complete markers only.
fn is_body(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        let m = marker_len(&s[i..]);
        if m > 0 {
            i += m;
            continue;
        }
        let b = s[i];
        let ok = b.is_ascii_alphanumeric()
            || b.is_ascii_whitespace()
            || matches!(b, b'+' | b'/' | b'=' | b'\\' | b'"' | b'\'' | b',');
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_line_continues_and_an_end_line_closes_at_its_dashes() {
        let body = b"MIIDTjCCAjagAwIBAgICEAAwDQYJKoZIhvcNAQELBQAwSDELMAkGA1UEBhMCVVMx";
        assert_eq!(
            continues(body),
            Some(Continues {
                public_len: body.len(),
                closed: false
            })
        );
        let line = br#"BjB6l6uu69k/20Qy==\n-----END CERTIFICATE-----\n","private_key":"x""#;
        let c = continues(line).unwrap();
        assert!(c.closed);
        assert_eq!(
            &line[..c.public_len],
            br#"BjB6l6uu69k/20Qy==\n-----END CERTIFICATE-----"#
        );
    }

    #[test]
    fn a_line_that_is_not_body_ends_the_block() {
        // Illustrative lines, not copied from a component.
        for line in [
            &b"DB_PASSWORD='x y y\\nw7vuafiV/thzu+YA3i2CHWcZHB0Y9k6mhtjuNBzLFqjqjL0URb00IF'"[..],
            b"2026-12-03T10:00:00.000Z [APP/PROC/WEB/0] OUT token=abc",
            b"{\"timestamp\":\"1700000000.1\",\"message\":\"rep.started\"}",
        ] {
            assert_eq!(continues(line), None, "{}", String::from_utf8_lossy(line));
            assert!(!open_after(line, true));
        }
    }

    #[test]
    fn markers_left_by_a_first_pass_do_not_end_the_block() {
        assert!(continues(b"MIIDTjCCAjag[REDACTED aws_access_key]wDQYJKoZIhvcNAQ").is_some());
        assert!(open_after(
            b"MIIDTjCCAjag[REDACTED aws_access_key]wDQYJKoZIhvcNAQ",
            true
        ));
    }

    #[test]
    fn the_last_begin_of_a_written_line_decides() {
        assert!(open_after(
            br#"{"ca":"-----BEGIN CERTIFICATE-----\nMIID"#,
            false
        ));
        assert!(!open_after(
            br#"{"key":"-----BEGIN PRIVATE KEY-----\nMIIE"#,
            false
        ));
        assert!(!open_after(
            br#""-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----""#,
            false
        ));
        // The header itself rewritten by a rule: nothing opens.
        assert!(!open_after(
            b"export AWS_SECRET_ACCESS_KEY=[REDACTED aws_secret_key]",
            false
        ));
    }
}
