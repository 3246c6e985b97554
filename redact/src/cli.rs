//! Passwords handed to client programs as short command-line flags, as `ps -eww ... args`
//! shows them (the collector keeps that output): `mysql -uadmin -pS3cret`, `mysqldump
//! -pS3cret ccdb`, `mariadb-dump -pS3cret`, `sshpass -p S3cret ssh ...`, `redis-cli -a
//! S3cret ping`. Long flags (`--password=x`, `--pass x`) are the key/value rule's.
//!
//! Only after one of these programs, within the same command (up to `;`, `|` or `&`): `-p`
//! means a port (`ssh -p 2222`), "parents" (`mkdir -p`) or "preserve" (`tar -p`) to other
//! programs. A bare `mysql -p` (prompt for the password) has nothing to redact.

use super::edit::Edit;
use super::kind::{markers_len, SecretKind};

/// The programs, matched on the last path component of a word, and the flag that takes
/// the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Program {
    /// `mysql*`, `mariadb*`: `-pVALUE`, attached only (`-p VALUE` prompts, then runs
    /// with VALUE as the database name).
    MySql,
    /// `sshpass`: `-pVALUE` or `-p VALUE`.
    SshPass,
    /// `redis-cli`: `-a VALUE` or `-aVALUE`.
    RedisCli,
}

/// The trigger words the prefilter looks for (lower case).
pub(crate) const TRIGGERS: &[&str] = &["mysql", "mariadb", "sshpass", "redis-cli"];

fn program(word: &[u8]) -> Option<Program> {
    let base = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
    let base = base.to_ascii_lowercase();
    if base.starts_with(b"mysql") || base.starts_with(b"mariadb") {
        Some(Program::MySql)
    } else if base == b"sshpass" {
        Some(Program::SshPass)
    } else if base == b"redis-cli" {
        Some(Program::RedisCli)
    } else {
        None
    }
}

fn ends_command(b: u8) -> bool {
    matches!(b, b';' | b'|' | b'&')
}

/// What the next word is to the program being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// A flag, an argument, or another program.
    Word,
    /// The value of a password flag (`sshpass -p VALUE`).
    Secret,
    /// The value of another flag (`sshpass -f FILE`), to pass over.
    Value,
}

/// Appends an edit for every password flag value in `line`.
pub(crate) fn find(line: &[u8], edits: &mut Vec<Edit>) {
    let len = line.len();
    let mut prog: Option<Program> = None;
    let mut next = Next::Word;
    let mut i = 0;
    while i < len {
        if line[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < len && !line[i].is_ascii_whitespace() && !ends_command(line[i]) {
            // A marker is part of its word, whatever spaces it holds (`-p[REDACTED x]`).
            i += markers_len(&line[i..]).max(1);
        }
        let word = &line[start..i];
        match (prog, next) {
            (_, Next::Secret) => {
                next = Next::Word;
                push(start + markers_len(word), i, edits);
            }
            (_, Next::Value) => next = Next::Word,
            (None, Next::Word) => prog = program(word),
            (Some(p), Next::Word) => {
                let flag = if p == Program::RedisCli { b'a' } else { b'p' };
                if word.len() >= 2 && word[0] == b'-' && word[1] == flag {
                    if word.len() > 2 {
                        let v = start + 2;
                        push(v + markers_len(&line[v..i]), i, edits);
                    } else if p != Program::MySql {
                        next = Next::Secret;
                    }
                } else if p == Program::SshPass {
                    // sshpass's own options come first; its first other word is the
                    // command it runs (`ssh -p 2222` is a port).
                    if matches!(word, b"-f" | b"-d" | b"-P") {
                        next = Next::Value;
                    } else if !word.starts_with(b"-") {
                        prog = program(word);
                    }
                } else if let Some(q) = program(word) {
                    prog = Some(q);
                }
            }
        }
        if i < len && ends_command(line[i]) {
            prog = None;
            next = Next::Word;
            i += 1;
        }
    }
}

fn push(start: usize, end: usize, edits: &mut Vec<Edit>) {
    if end > start {
        edits.push(Edit {
            start,
            end,
            kind: SecretKind::Password,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, normalize};

    fn r(line: &str) -> String {
        let mut edits = Vec::new();
        find(line.as_bytes(), &mut edits);
        normalize(&mut edits);
        let mut out = Vec::new();
        apply(line.as_bytes(), &edits, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn client_password_flags() {
        // Illustrative `ps -eww -o ...,args` lines.
        for (input, want) in [
            (
                "/var/vcap/packages/pxc/bin/mysql -uadmin -pS3cret -h 10.0.0.5 ccdb",
                "/var/vcap/packages/pxc/bin/mysql -uadmin -p[REDACTED password] -h 10.0.0.5 ccdb",
            ),
            (
                "mysqldump --single-transaction -u backup -pS3cret ccdb | gzip",
                "mysqldump --single-transaction -u backup -p[REDACTED password] ccdb | gzip",
            ),
            (
                "MARIADB-DUMP -pS3cret x",
                "MARIADB-DUMP -p[REDACTED password] x",
            ),
            (
                "sshpass -p S3cret ssh -p 2222 vcap@10.0.0.1",
                "sshpass -p [REDACTED password] ssh -p 2222 vcap@10.0.0.1",
            ),
            (
                "sshpass -pS3cret scp x y",
                "sshpass -p[REDACTED password] scp x y",
            ),
            (
                "redis-cli -h 10.0.0.1 -a S3cret ping",
                "redis-cli -h 10.0.0.1 -a [REDACTED password] ping",
            ),
            (
                "sshpass -p S3cret ssh h mysql -pInner",
                "sshpass -p [REDACTED password] ssh h mysql -p[REDACTED password]",
            ),
        ] {
            assert_eq!(r(input), want);
            assert_eq!(r(want), want, "idempotent");
        }
    }

    #[test]
    fn other_programs_and_prompts_keep_their_flags() {
        for l in [
            "mysql -p ccdb",
            "mysql -P 3306 -h db",
            "ssh -p 2222 vcap@10.0.0.1",
            "mkdir -p /var/vcap/data/mysql",
            "tar -pxzf mysql-backup.tgz",
            "echo mysql; mkdir -p /x",
            "mysql_exporter --web.listen-address=:9104",
            "redis-server --port 6379",
        ] {
            assert_eq!(r(l), l);
        }
    }
}
