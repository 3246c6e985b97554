//! The policy: which key names name a secret, and which values under them are secret.
//!
//! Shared by the redaction rule ([`super::keyvalue`]) and the leak scan ([`super::scan`]),
//! so the two never disagree about a near miss (`password_min_length: 8`,
//! `require_client_secret: true`, `key: /var/vcap/jobs/x/config/key.pem`).
//!
//! A key names a secret when its *last* words do: the key is split on `.` (only the last
//! segment counts: `uaa.clients.cf.secret`), `_`, `-` and camelCase, trailing numbers are
//! dropped (`encryption_key_0`), and the final word(s) are looked up. So `nats_password`,
//! `clientSecret`, `X-Auth-Token` name secrets and `password_min_length`, `token_ttl`,
//! `key_name`, `secret_name`, `public_key` do not.

use super::kind::{is_whole_marker, markers_len, SecretKind};

/// How sure a key name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strength {
    /// Every non-trivial value is a secret (`password`, `client_secret`, `private_key`).
    Always,
    /// Only a value that looks like key material (`key`, `tls_key`, `signing_key`,
    /// bare `encryption`): `key: /var/vcap/jobs/x/config/key.pem` and `key: "a_name"` stay.
    Material,
    /// `Authorization`: keep the scheme word (`Basic`, `Bearer`), redact what follows.
    Authorization,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeyClass {
    pub kind: SecretKind,
    pub strength: Strength,
    /// The name is a plural (`keys`, `passwords`, `secrets`, `tokens`): under it, a flow
    /// map's *values* are the secrets whatever their labels (Cloud Controller renders
    /// `database_encryption.keys` as `{"<label>":"<key>", ...}`).
    pub collection: bool,
}

const MAX_WORDS: usize = 12;

/// Classifies a key token such as `--db-password`, `uaa.admin.client_secret`, `DB_PASSWORD`.
pub(crate) fn classify_key(key: &[u8]) -> Option<KeyClass> {
    let key = trim_key(key);
    let last_segment = key.rsplit(|&b| b == b'.').next().unwrap_or(key);
    let mut buf = [[0u8; 24]; MAX_WORDS];
    let mut lens = [0usize; MAX_WORDS];
    let n = split_words(last_segment, &mut buf, &mut lens);
    if n == 0 {
        return None;
    }
    let word = |i: usize| -> &[u8] { &buf[i][..lens[i]] };
    let last = word(n - 1);
    let prev = if n >= 2 { word(n - 2) } else { b"" };
    let prev2 = if n >= 3 { word(n - 3) } else { b"" };
    let encryption = matches!(prev, b"encryption" | b"encrypt");
    use SecretKind::*;
    use Strength::*;
    let collection = matches!(last, b"keys" | b"passwords" | b"secrets" | b"tokens");
    let class = |kind, strength| {
        Some(KeyClass {
            kind,
            strength,
            collection,
        })
    };
    match last {
        b"password" | b"passwords" | b"passwd" | b"pwd" | b"pass" => {
            class(if encryption { EncryptionKey } else { Password }, Always)
        }
        b"passphrase" => class(
            if encryption {
                EncryptionKey
            } else {
                Passphrase
            },
            Always,
        ),
        b"secret" | b"secrets" => class(
            if prev == b"client" {
                ClientSecret
            } else {
                Secret
            },
            Always,
        ),
        b"clientsecret" => class(ClientSecret, Always),
        b"token" | b"tokens" => class(Token, Always),
        b"credential" | b"credentials" | b"creds" => class(Credential, Always),
        b"privatekey" => class(PrivateKey, Always),
        b"apikey" => class(ApiKey, Always),
        b"accesskey" => class(AccessKey, Always),
        b"secretkey" => class(Secret, Always),
        b"encryption" | b"encrypt" => class(EncryptionKey, Material),
        b"authorization" => class(BearerToken, Authorization),
        b"base" if prev == b"key" && prev2 == b"secret" => class(Secret, Always), // `secret_key_base`
        b"key" | b"keys" => match prev {
            b"private" => class(PrivateKey, Always),
            b"public" | b"verification" | b"authorized" | b"ssh" | b"host" => None,
            b"access" if prev2 == b"secret" => class(AwsSecretKey, Always),
            b"access" => class(AccessKey, Always),
            b"secret" => class(Secret, Always),
            b"api" => class(ApiKey, Always),
            b"encryption" | b"encrypt" => class(EncryptionKey, Always),
            _ => class(Key, Material),
        },
        _ => one_word(last).and_then(|(kind, strength)| class(kind, strength)),
    }
}

/// One-word names that hold a secret word (`PGPASSWORD`, `SSHPASS`, `requirepass`,
/// `storepass`, `MYSQL_ROOTPWD`, `apitoken`, `hmackey`): it ends the word, or for the
/// unambiguous ones (password, secret, token) stands anywhere in it.
fn one_word(w: &[u8]) -> Option<(SecretKind, Strength)> {
    let has = |n: &[u8]| memchr::memmem::find(w, n).is_some();
    use SecretKind::*;
    use Strength::*;
    let words_in_pass = [
        &b"bypass"[..],
        b"compass",
        b"surpass",
        b"trespass",
        b"overpass",
    ];
    let pass = w.ends_with(b"pass") && !words_in_pass.iter().any(|x| w.ends_with(x));
    if has(b"password") || has(b"passwd") || pass || w.ends_with(b"pwd") {
        Some((Password, Always))
    } else if has(b"passphrase") {
        Some((Passphrase, Always))
    } else if has(b"secret") {
        Some((Secret, Always))
    } else if has(b"token") && !has(b"tokeniz") {
        Some((Token, Always))
    } else if w.ends_with(b"key") || w.ends_with(b"keys") {
        Some((Key, Material))
    } else {
        None
    }
}

/// Strips what surrounds a key name but is not part of it: `--`, `$`, quotes.
fn trim_key(key: &[u8]) -> &[u8] {
    let start = key
        .iter()
        .position(|b| !matches!(b, b'-' | b'$' | b'_' | b'.'))
        .unwrap_or(key.len());
    let key = &key[start..];
    let end = key
        .iter()
        .rposition(|b| !matches!(b, b'-' | b'_' | b'.'))
        .map_or(0, |i| i + 1);
    &key[..end]
}

/// Splits on non-alphanumerics and camelCase (`signingKey`, `APIKey`), lower-cases, and
/// drops trailing numbers (`encryption_key_0`, `password2`). Returns the word count.
fn split_words(s: &[u8], buf: &mut [[u8; 24]; MAX_WORDS], lens: &mut [usize; MAX_WORDS]) -> usize {
    let mut n = 0;
    let mut start_new = true;
    for (i, &b) in s.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            start_new = true;
            continue;
        }
        let prev = if i > 0 { s[i - 1] } else { 0 };
        let next = s.get(i + 1).copied().unwrap_or(0);
        let camel = b.is_ascii_uppercase()
            && (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_ascii_lowercase()));
        if start_new || camel {
            if n == MAX_WORDS {
                // Keep the last words, which are the ones that matter.
                buf.rotate_left(1);
                lens.rotate_left(1);
                n -= 1;
            }
            lens[n] = 0;
            n += 1;
            start_new = false;
        }
        let w = n - 1;
        if lens[w] < buf[w].len() {
            buf[w][lens[w]] = b.to_ascii_lowercase();
            lens[w] += 1;
        }
    }
    // Trailing digits are an index, not part of the name.
    while n > 0 {
        let w = n - 1;
        while lens[w] > 0 && buf[w][lens[w] - 1].is_ascii_digit() {
            lens[w] -= 1;
        }
        if lens[w] == 0 {
            n -= 1;
        } else {
            break;
        }
    }
    n
}

/// Whether `value` (unquoted, without its delimiters) under a key of class `class` is a
/// secret. `key` is the raw key token, for the odd exception (`PWD=/root`).
pub(crate) fn value_is_secret(class: KeyClass, key: &[u8], value: &[u8]) -> bool {
    // Already redacted: judged by what follows the markers, if anything does.
    let value = &value[markers_len(value)..];
    if is_exempt_value(value) {
        return false;
    }
    let bare = trim_key(key);
    if (bare.eq_ignore_ascii_case(b"pwd") || bare.eq_ignore_ascii_case(b"oldpwd"))
        && value.starts_with(b"/")
    {
        return false; // the shell's working directory, not a password
    }
    // A content hash under a blobstore `*_directory_key` names a directory.
    let directory = memchr::memmem::find(&key.to_ascii_lowercase(), b"directory").is_some()
        && value.len() == 40
        && value.iter().all(u8::is_ascii_hexdigit);
    match class.strength {
        Strength::Always | Strength::Authorization => true,
        Strength::Material => !directory && looks_like_key_material(value),
    }
}

/// Values that are never secrets whatever the key: empty, already redacted, booleans and
/// nulls, and unrendered placeholders (`((var))`, `<%= ... %>`, `{{.Var}}`).
pub(crate) fn is_exempt_value(v: &[u8]) -> bool {
    if v.is_empty() || is_whole_marker(v) {
        return true;
    }
    // `yes`/`no` too: MySQL's `(using password: YES)` says whether one was given.
    if [&b"true"[..], b"false", b"null", b"nil", b"~", b"yes", b"no"]
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w))
    {
        return true;
    }
    let placeholder = |open: &[u8], close: &[u8]| {
        v.len() > open.len() + close.len() && v.starts_with(open) && v.ends_with(close)
    };
    let words_inside = |v: &[u8]| {
        v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(b))
    };
    (placeholder(b"((", b"))") && !v[2..v.len() - 2].contains(&b' '))
        || (placeholder(b"${", b"}") && words_inside(&v[2..v.len() - 1]))
        // `${VAR` as a value extraction that stops at `}` sees it
        || (v.len() > 2 && v.starts_with(b"${") && words_inside(&v[2..]))
        // `$` as the leak scan's value extraction (stopping at `{`) sees `${VAR}`
        || v == b"$"
        || (placeholder(b"<", b">")
            && v[1..v.len() - 1]
                .iter()
                .all(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b' '))
        || v.starts_with(b"<%")
        || (placeholder(b"{{", b"}}"))
}

/// Key material: a long, single-token run of base64/hex/url-safe characters with both
/// letters and digits, or a PEM private key. Not a path, a UUID, a name or a sentence.
pub(crate) fn looks_like_key_material(v: &[u8]) -> bool {
    if v.starts_with(b"-----BEGIN") {
        return memchr::memmem::find(v, b"PRIVATE KEY").is_some();
    }
    if v.len() < 16 || crate::shape::is_uuid(v) {
        return false;
    }
    if v.starts_with(b"/") || v.starts_with(b"./") || v.starts_with(b"../") || v.starts_with(b"~/")
    {
        return false;
    }
    // Bucket or directory names under `*_key` are names.
    if super::shape::is_bucket_name(v) {
        return false;
    }
    let charset_ok = v
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'));
    charset_ok && v.iter().any(u8::is_ascii_digit) && v.iter().any(u8::is_ascii_alphabetic)
}

/// A value that reads like a word of a sentence (`invalid token: expired`): lower-case
/// letters only. Only consulted for an unquoted key in running text followed by `: `.
pub(crate) fn is_prose_word(v: &[u8]) -> bool {
    !v.is_empty() && v.len() <= 20 && v.iter().all(u8::is_ascii_lowercase)
}

/// Bytes that can be part of a key token.
pub(crate) fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The key token around the trigger word at `s..e`: extended over key bytes both ways.
pub(crate) fn key_token_bounds(line: &[u8], s: usize, e: usize) -> (usize, usize) {
    let mut ks = s;
    while ks > 0 && is_key_byte(line[ks - 1]) {
        ks -= 1;
    }
    let mut ke = e;
    while ke < line.len() && is_key_byte(line[ke]) {
        ke += 1;
    }
    (ks, ke)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(k: &str) -> Option<(&'static str, Strength)> {
        classify_key(k.as_bytes()).map(|c| (c.kind.as_str(), c.strength))
    }

    #[test]
    fn compound_names_classify_by_their_last_words() {
        use Strength::*;
        assert_eq!(kind("nats_password"), Some(("password", Always)));
        assert_eq!(kind("DB_PASSWORD"), Some(("password", Always)));
        // Plurals name collections (a flow map's values are the secrets).
        assert_eq!(kind("keys"), Some(("key", Material)));
        assert_eq!(kind("encryption_keys"), Some(("encryption_key", Always)));
        assert!(classify_key(b"keys").unwrap().collection);
        assert!(classify_key(b"passwords").unwrap().collection);
        assert!(!classify_key(b"password").unwrap().collection);
        assert_eq!(kind("--db-password"), Some(("password", Always)));
        assert_eq!(
            kind("uaa.admin.client_secret"),
            Some(("client_secret", Always))
        );
        assert_eq!(kind("clientSecret"), Some(("client_secret", Always)));
        assert_eq!(
            kind("credhub_encryption_password"),
            Some(("encryption_key", Always))
        );
        assert_eq!(kind("encryption_key_0"), Some(("encryption_key", Always)));
        assert_eq!(kind("secret_access_key"), Some(("aws_secret_key", Always)));
        assert_eq!(
            kind("AWS_SECRET_ACCESS_KEY"),
            Some(("aws_secret_key", Always))
        );
        assert_eq!(kind("X-Auth-Token"), Some(("token", Always)));
        assert_eq!(kind("X-Api-Key"), Some(("api_key", Always)));
        assert_eq!(kind("APIKey"), Some(("api_key", Always)));
        assert_eq!(kind("privateKey"), Some(("private_key", Always)));
        assert_eq!(kind("signingKey"), Some(("key", Material)));
        assert_eq!(kind("key"), Some(("key", Material)));
        assert_eq!(kind("Authorization"), Some(("bearer_token", Authorization)));
    }

    #[test]
    fn near_miss_names_are_not_secret() {
        for k in [
            "password_min_length",
            "passwordMinLength",
            "password_policy",
            "token_ttl",
            "key_name",
            "public_key",
            "secret_name",
            "access_key_id",
            "verification_key",
            "key_value",
            "password.txt",
            "bypass",
            "tokenizer",
            "authorized_keys",
            "ssh_keys",
            "public_keys",
            "credentials_source",
        ] {
            assert_eq!(kind(k), None, "{k}");
        }
    }

    #[test]
    fn values_policy() {
        let pw = classify_key(b"password").unwrap();
        let key = classify_key(b"key").unwrap();
        assert!(value_is_secret(pw, b"password", b"s3cr3t"));
        assert!(!value_is_secret(pw, b"password", b""));
        assert!(!value_is_secret(pw, b"password", b"[REDACTED password]"));
        assert!(!value_is_secret(pw, b"password", b"((admin_password))"));
        assert!(!value_is_secret(pw, b"password", b"true"));
        assert!(!value_is_secret(
            classify_key(b"PWD").unwrap(),
            b"PWD",
            b"/var/vcap"
        ));
        assert!(!value_is_secret(
            key,
            b"key",
            b"/var/vcap/jobs/x/config/key.pem"
        ));
        assert!(!value_is_secret(key, b"key", b"some_name"));
        assert!(!value_is_secret(
            key,
            b"key",
            b"0c9f2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6"
        ));
        assert!(value_is_secret(key, b"key", b"q8Zx0vK3mN7pL2wR5tY9uI1o"));
    }

    #[test]
    fn key_material_shapes() {
        assert!(looks_like_key_material(
            b"-----BEGIN RSA PRIVATE KEY-----\\nMII"
        ));
        assert!(!looks_like_key_material(
            b"-----BEGIN CERTIFICATE-----\\nMII"
        ));
        assert!(!looks_like_key_material(
            b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ me@host"
        ));
        assert!(!looks_like_key_material(b"short1"));
    }
}
