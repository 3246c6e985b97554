//! Secrets recognisable by their own shape, wherever they are: bearer tokens
//! (`Authorization: Bearer x`, `bearer x` in a log), JSON Web Tokens (`eyJ..`.`eyJ..`.`sig`)
//! and AWS access key ids (`AKIA`/`ASIA` + 16 upper-case letters or digits).
//!
//! Each regex runs only on lines whose prefilter found its literal (`bearer`, `eyJ`,
//! `AKIA`/`ASIA`).

use super::edit::Edit;
use super::kind::SecretKind;
use regex::bytes::Regex;

pub(crate) struct TokenRules {
    bearer: Regex,
    jwt: Regex,
    aws: Regex,
}

impl TokenRules {
    pub fn new() -> TokenRules {
        TokenRules {
            // The token: RFC 6750 b64token characters. Short or digit-less words
            // ("bearer token", "Bearer realm") are not tokens; see `bearer_like`.
            bearer: Regex::new(r"(?i)\bbearer(?:\s+|%20|\+)([A-Za-z0-9\-._~+/]+=*)").unwrap(),
            jwt: Regex::new(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
                .unwrap(),
            aws: Regex::new(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b").unwrap(),
        }
    }

    pub fn bearer(&self, line: &[u8], edits: &mut Vec<Edit>) {
        for c in self.bearer.captures_iter(line) {
            let m = c.get(1).expect("group 1 always takes part");
            if bearer_like(m.as_bytes()) {
                edits.push(Edit {
                    start: m.start(),
                    end: m.end(),
                    kind: SecretKind::BearerToken,
                });
            }
        }
    }

    pub fn jwt(&self, line: &[u8], edits: &mut Vec<Edit>) {
        for m in self.jwt.find_iter(line) {
            edits.push(Edit {
                start: m.start(),
                end: m.end(),
                kind: SecretKind::Jwt,
            });
        }
    }

    pub fn aws(&self, line: &[u8], edits: &mut Vec<Edit>) {
        for m in self.aws.find_iter(line) {
            edits.push(Edit {
                start: m.start(),
                end: m.end(),
                kind: SecretKind::AwsAccessKey,
            });
        }
    }
}

/// A bearer token is long or holds a digit; `token`, `realm` and other words are not.
pub(crate) fn bearer_like(t: &[u8]) -> bool {
    t.len() >= 16 || (t.len() >= 8 && t.iter().any(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, normalize};

    fn r(line: &str) -> String {
        let t = TokenRules::new();
        let mut edits = Vec::new();
        t.bearer(line.as_bytes(), &mut edits);
        t.jwt(line.as_bytes(), &mut edits);
        t.aws(line.as_bytes(), &mut edits);
        normalize(&mut edits);
        let mut out = Vec::new();
        apply(line.as_bytes(), &edits, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn shapes() {
        assert_eq!(
            r("GET / Authorization: Bearer 0a1b2c3d4e5f6a7b8c9d"),
            "GET / Authorization: Bearer [REDACTED bearer_token]"
        );
        assert_eq!(
            r("id=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl;"),
            "id=[REDACTED jwt];"
        );
        assert_eq!(
            r("key AKIAABCDEFGHIJKLMNOP used"),
            "key [REDACTED aws_access_key] used"
        );
    }

    #[test]
    fn near_misses() {
        for l in [
            "the bearer token is invalid",
            "WWW-Authenticate: Bearer realm=\"uaa\"",
            "AKIAshort",
            "Asia/Tokyo",
            "eyJhbGciOiJIUzI1NiJ9 alone",
        ] {
            assert_eq!(r(l), l);
        }
    }
}
