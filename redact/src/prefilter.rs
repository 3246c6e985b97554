//! The one literal pass every line goes through: an ASCII case-insensitive Aho-Corasick
//! search for trigger words. A line with no trigger (the bulk of lager JSON logs) is
//! copied as is and no regex ever runs on it; a line with triggers runs only the rules
//! whose triggers it contains.
//!
//! Case-insensitivity is done by folding: the line is copied with every byte OR 0x20
//! (upper-case ASCII letters become lower-case) and searched for lower-case literals.
//! That finds every case-insensitive match (plus a few spurious ones: some control bytes
//! fold onto `-`, `/`, `:`, which only costs a rule run), and it keeps aho-corasick on its
//! SIMD literal searcher: measured on generated CF logs, 3.0 GB/s against 0.35 GB/s for
//! the automaton's own `ascii_case_insensitive` mode.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Which family of rule a trigger literal wakes up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// A secret word that can be (part of) a key name: the key/value rule.
    KeyName,
    /// `://`: credentials in a URL.
    Url,
    /// `bearer`: a bearer token in free text or a header.
    Bearer,
    /// `eyJ`: a JWT.
    Jwt,
    /// `AKIA`/`ASIA`: an AWS access key id.
    Aws,
    /// `-----BEGIN`: a PEM block.
    Pem,
    /// A client program that takes a password as a short flag (`mysql -pX`; `cli.rs`).
    Cli,
    /// A credential position of running text (`logline.rs`): a signature query
    /// parameter, `Basic`, a client program's flags, an audit record.
    LogToken,
}

/// The trigger literals and their families. The token rule's literals are narrow (`?code=`,
/// `curl `): words as common as `session` or `code=` in lager logs would send every line
/// down the slow path. Key-name words are the shortest stem that
/// still names a secret (`pass` covers password, passwd, passphrase).
const TRIGGERS: &[(&str, Family)] = &[
    ("pass", Family::KeyName),
    ("pwd", Family::KeyName),
    ("secret", Family::KeyName),
    ("token", Family::KeyName),
    ("key", Family::KeyName),
    ("credential", Family::KeyName),
    ("encrypt", Family::KeyName),
    ("authorization", Family::KeyName),
    ("://", Family::Url),
    ("bearer", Family::Bearer),
    ("eyj", Family::Jwt),
    ("akia", Family::Aws),
    ("asia", Family::Aws),
    ("-----begin", Family::Pem),
    ("sig=", Family::LogToken),
    ("signature=", Family::LogToken),
    ("?code=", Family::LogToken),
    ("&code=", Family::LogToken),
    ("md5=", Family::LogToken),
    ("?auth=", Family::LogToken),
    ("&auth=", Family::LogToken),
    ("?session", Family::LogToken),
    ("&session", Family::LogToken),
    ("x-amz-", Family::LogToken),
    ("x-goog-", Family::LogToken),
    ("awsaccesskeyid", Family::LogToken),
    ("basic ", Family::LogToken),
    ("cookie:", Family::LogToken),
    ("proctitle=", Family::LogToken),
    ("execve", Family::LogToken),
    ("curl ", Family::LogToken),
    ("credhub", Family::LogToken),
    ("uaac", Family::LogToken),
    ("cf ", Family::LogToken),
    ("bosh ", Family::LogToken),
    ("keytool", Family::LogToken),
    ("openssl", Family::LogToken),
    ("htpasswd", Family::LogToken),
    ("psql", Family::LogToken),
    ("pg_dump", Family::LogToken),
    ("wget", Family::LogToken),
    ("rabbitmqctl", Family::LogToken),
    ("mongo", Family::LogToken),
    ("ldapsearch", Family::LogToken),
    ("smbclient", Family::LogToken),
];

/// Bit set of [`Family`] found in a line, plus where the key-name words are.
#[derive(Default, Debug)]
pub(crate) struct Triggers {
    mask: u8,
    /// Byte ranges of key-name trigger words, in order.
    pub key_words: Vec<(usize, usize)>,
    /// Scratch: the folded copy of the line.
    folded: Vec<u8>,
}

impl Triggers {
    pub fn any(&self) -> bool {
        self.mask != 0
    }
    pub fn has(&self, f: Family) -> bool {
        self.mask & (1 << f as u8) != 0
    }
    fn clear(&mut self) {
        self.mask = 0;
        self.key_words.clear();
    }
}

pub(crate) struct Prefilter {
    ac: AhoCorasick,
    /// The family of each pattern of `ac`, by pattern index.
    families: Vec<Family>,
}

impl Prefilter {
    pub fn new() -> Prefilter {
        let triggers: Vec<(&str, Family)> = TRIGGERS
            .iter()
            .copied()
            .chain(super::cli::TRIGGERS.iter().map(|w| (*w, Family::Cli)))
            .collect();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(triggers.iter().map(|(lit, _)| lit))
            .expect("trigger literals are valid");
        let families = triggers.iter().map(|(_, f)| *f).collect();
        Prefilter { ac, families }
    }

    /// Fills `t` with what `line` contains (reusing its allocation).
    pub fn scan(&self, line: &[u8], t: &mut Triggers) {
        t.clear();
        fold_into(line, &mut t.folded);
        let Triggers {
            mask,
            key_words,
            folded,
        } = t;
        for m in self.ac.find_iter(&folded[..]) {
            let family = self.families[m.pattern().as_usize()];
            *mask |= 1 << family as u8;
            if family == Family::KeyName {
                key_words.push((m.start(), m.end()));
            }
        }
    }

    /// Where the first trigger of `folded` (many lines, already [`fold`]ed) starts.
    pub fn first_trigger(&self, folded: &[u8]) -> Option<usize> {
        self.ac.find(folded).map(|m| m.start())
    }
}

/// `dst` = `src` with ASCII letters lower-cased (every byte OR 0x20; vectorizes).
pub(crate) fn fold(src: &[u8], dst: &mut [u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = s | 0x20;
    }
}

fn fold_into(s: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(s.iter().map(|b| b | 0x20));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_families_case_insensitively() {
        let p = Prefilter::new();
        let mut t = Triggers::default();
        p.scan(b"DB_PASSWORD=x nats://a:b@c", &mut t);
        assert!(t.has(Family::KeyName) && t.has(Family::Url) && !t.has(Family::Jwt));
        assert_eq!(t.key_words, vec![(3, 7)]);
        p.scan(
            br#"{"timestamp":"1.5","source":"rep","message":"rep.started","log_level":1}"#,
            &mut t,
        );
        assert!(!t.any());
        p.scan(b"dbPaSsWoRd: x; -----BEGIN", &mut t);
        assert!(t.has(Family::KeyName) && t.has(Family::Pem));
        for w in super::super::cli::TRIGGERS {
            p.scan(w.to_ascii_uppercase().as_bytes(), &mut t);
            assert!(t.has(Family::Cli), "{w}");
        }
        let mut folded = [0u8; 12];
        fold(b"a\nb\nc SECRET", &mut folded);
        assert_eq!(&folded, b"a*b*c secret");
        assert_eq!(p.first_trigger(&folded), Some(6));
        assert_eq!(p.first_trigger(&folded[..5]), None);
    }
}
