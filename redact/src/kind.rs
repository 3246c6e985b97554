//! The kinds of secret the redactor removes, as named in the replacement text
//! (`[REDACTED password]`) and counted in the manifest.

use std::fmt;

/// What was removed. [`SecretKind::as_str`] is the stable name used in the marker
/// `[REDACTED <kind>]` and as the key of [`RedactStats::by_kind`](super::RedactStats).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    /// `password`, `passwd`, `pwd`, `pass` and compounds (`nats_password`).
    Password,
    /// `secret` and compounds (`blobstore_secret`, `uaa.clients.cf.secret`).
    Secret,
    /// `token` and compounds (`auth_token`, `session_token`, `X-Auth-Token`).
    Token,
    /// `private_key` values and PEM private key bodies.
    PrivateKey,
    /// `credential(s)`.
    Credential,
    /// `passphrase`.
    Passphrase,
    /// `encryption_key`, `encryption_password`, bare `encryption` holding key material.
    EncryptionKey,
    /// `client_secret`, `clientSecret`.
    ClientSecret,
    /// `access_key` (the secret half in S3-compatible stores that call it so).
    AccessKey,
    /// `api_key`, `apikey`, `X-Api-Key`.
    ApiKey,
    /// The password part of `scheme://user:PASSWORD@host`.
    UrlCredentials,
    /// `Bearer <token>` and the credentials of an `Authorization:` header.
    BearerToken,
    /// A JSON Web Token (`eyJ...`.`eyJ...`.`sig`).
    Jwt,
    /// An AWS access key id (`AKIA...`, `ASIA...`).
    AwsAccessKey,
    /// `secret_access_key`, `aws_secret_access_key`.
    AwsSecretKey,
    /// A value under a generic `*key` name (`key`, `signing_key`, `tls_key`) that looks
    /// like key material.
    Key,
    /// A value of a structured file (YAML, JSON, TOML, ini, env, conf, SQL) whose shape
    /// is not on the allow-list (`shape.rs`): unknown, so masked.
    Value,
    /// A long random-looking token in running text (the entropy rule, `logline.rs`).
    HighEntropy,
}

impl SecretKind {
    /// Stable lower-case name: `"password"`, `"private_key"`, `"url_credentials"`, `"jwt"`...
    pub fn as_str(&self) -> &'static str {
        match self {
            SecretKind::Password => "password",
            SecretKind::Secret => "secret",
            SecretKind::Token => "token",
            SecretKind::PrivateKey => "private_key",
            SecretKind::Credential => "credential",
            SecretKind::Passphrase => "passphrase",
            SecretKind::EncryptionKey => "encryption_key",
            SecretKind::ClientSecret => "client_secret",
            SecretKind::AccessKey => "access_key",
            SecretKind::ApiKey => "api_key",
            SecretKind::UrlCredentials => "url_credentials",
            SecretKind::BearerToken => "bearer_token",
            SecretKind::Jwt => "jwt",
            SecretKind::AwsAccessKey => "aws_access_key",
            SecretKind::AwsSecretKey => "aws_secret_key",
            SecretKind::Key => "key",
            SecretKind::Value => "value",
            SecretKind::HighEntropy => "high_entropy",
        }
    }

    /// The replacement text, `[REDACTED <kind>]`.
    pub fn marker(&self) -> String {
        format!("{MARKER_PREFIX}{}]", self.as_str())
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every replacement starts with this. A value made only of complete markers is left
/// alone, which makes redaction idempotent; what follows a marker is judged like any text.
pub(crate) const MARKER_PREFIX: &str = "[REDACTED ";

/// The length of the complete marker `[REDACTED <kind>]` that `v` starts with, or 0. A
/// marker cut short (no `]` right after the kind word) is not one: it is text like any
/// other, so it can neither hide a value nor run on over the keys after it.
pub(crate) fn marker_len(v: &[u8]) -> usize {
    let n = MARKER_PREFIX.len();
    if !v.starts_with(MARKER_PREFIX.as_bytes()) {
        return 0;
    }
    let kind = v[n..]
        .iter()
        .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
        .count();
    if kind > 0 && v.get(n + kind) == Some(&b']') {
        n + kind + 1
    } else {
        0
    }
}

/// The length of the run of complete markers `v` starts with (`[REDACTED key][REDACTED
/// access_key]`), 0 when it starts with none.
pub(crate) fn markers_len(v: &[u8]) -> usize {
    let mut at = 0;
    loop {
        match marker_len(&v[at..]) {
            0 => return at,
            n => at += n,
        }
    }
}

/// Whether `v` ends with a complete marker.
pub(crate) fn ends_with_marker(v: &[u8]) -> bool {
    memchr::memmem::rfind(v, MARKER_PREFIX.as_bytes())
        .is_some_and(|at| marker_len(&v[at..]) == v.len() - at)
}

/// Whether `v` is complete markers and nothing else: what a line inside a multi-line
/// secret may be to pass unchanged, and a value to be left alone (a value that only
/// starts with a marker is judged by what follows it, or that would pass unread).
pub(crate) fn is_whole_marker(v: &[u8]) -> bool {
    !v.is_empty() && markers_len(v) == v.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_and_markers_bracketed() {
        assert_eq!(SecretKind::PrivateKey.as_str(), "private_key");
        assert_eq!(
            SecretKind::UrlCredentials.marker(),
            "[REDACTED url_credentials]"
        );
        assert!(is_whole_marker(SecretKind::Jwt.marker().as_bytes()));
        assert_eq!(marker_len(b"[REDACTED password], x]"), 19);
        // Found by fuzzing: a marker cut short is no marker (it used to run to a later `]`).
        assert_eq!(marker_len(b"[REDACTED tok secret: [REDACTED secret]"), 0);
        assert_eq!(marker_len(b"[REDACTED"), 0);
        assert_eq!(marker_len(b"[REDACTED ]"), 0);
        assert_eq!(markers_len(b"[REDACTED key][REDACTED access_key],y"), 35);
        assert!(is_whole_marker(b"[REDACTED key][REDACTED access_key]"));
        assert!(!is_whole_marker(b"[REDACTED key]MIIEvQIBADANBgkqhkiG9w0B"));
        assert!(!is_whole_marker(b""));
        assert!(ends_with_marker(b"token=[REDACTED token]"));
        assert!(!ends_with_marker(b"token=[REDACTED token]x"));
        assert!(!ends_with_marker(b"token=[REDACTED tok"));
    }
}
