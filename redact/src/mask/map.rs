//! The mask map: which original name became which token, kept on the operator's machine
//! only (never inside a bundle), like `sos clean`'s mapping file and troubleshoot's
//! redaction map.
//!
//! Tokens keep the shape of what they replace, so a masked bundle still reads (and parses)
//! like the original:
//!
//! | what               | token                                  | example                  |
//! |--------------------|----------------------------------------|--------------------------|
//! | short host name    | `host-NNNN`                            | `host-0007`              |
//! | FQDN (3+ labels)   | `host-NNNN.domain-MMMM` (domain shared) | `host-0007.domain-0002` |
//! | domain (2 labels)  | `domain-MMMM`                          | `domain-0002`            |
//! | IPv4               | `240.a.b.c` (reserved 240.0.0.0/4, n-th) | `240.0.0.7`            |
//! | IPv6               | `2001:db8::n` (documentation prefix)   | `2001:db8::7`            |
//! | user name          | `user-NNNN`                            | `user-0002`              |
//!
//! The file is JSON (`{"version":1,"hosts":{...},"domains":{...},"ips":{...},"users":
//! {...}}`, original -> token), written mode 0600 through a temporary file and a rename.
//! Passing it back (`--mask-map FILE`) keeps every token of an earlier run and numbers new
//! names after them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The map's format version.
const VERSION: u32 = 1;

/// Original -> token, by class. Host names and domains are keyed in lower case.
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq, Eq)]
pub struct MaskMap {
    pub version: u32,
    #[serde(default)]
    pub hosts: BTreeMap<String, String>,
    #[serde(default)]
    pub domains: BTreeMap<String, String>,
    #[serde(default)]
    pub ips: BTreeMap<String, String>,
    #[serde(default)]
    pub users: BTreeMap<String, String>,
}

/// Which table a name goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Host,
    Domain,
    Ipv4,
    Ipv6,
    User,
}

impl MaskMap {
    pub fn new() -> MaskMap {
        MaskMap {
            version: VERSION,
            ..MaskMap::default()
        }
    }

    /// Reads a map written by [`MaskMap::save`]; a missing file is an empty map.
    pub fn load(path: &Path) -> io::Result<MaskMap> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(MaskMap::new()),
            Err(e) => return Err(e),
        };
        let map: MaskMap = serde_json::from_slice(&bytes).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("not a mask map: {e}"))
        })?;
        if map.version != VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "mask map version {} (this build reads {VERSION})",
                    map.version
                ),
            ));
        }
        Ok(map)
    }

    /// Writes the map to `path`, mode 0600, replacing it atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let mut json = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        json.push(b'\n');
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let written = (|| {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            fs::rename(&tmp, path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// Number of names mapped, all classes together.
    pub fn len(&self) -> usize {
        self.hosts.len() + self.domains.len() + self.ips.len() + self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn table(&mut self, class: Class) -> &mut BTreeMap<String, String> {
        match class {
            Class::Host => &mut self.hosts,
            Class::Domain => &mut self.domains,
            Class::Ipv4 | Class::Ipv6 => &mut self.ips,
            Class::User => &mut self.users,
        }
    }

    /// The token of `original` (already normalised by the caller), made on first sight.
    /// Returns it and whether it is new.
    pub(crate) fn token(&mut self, class: Class, original: &str) -> (String, bool) {
        if let Some(t) = self.table(class).get(original) {
            return (t.clone(), false);
        }
        let mut n = self.count(class) + 1;
        let t = loop {
            let t = make(class, n as u32);
            // a hand-edited map may hold this token already: take the next number
            if !self.table(class).values().any(|v| *v == t) {
                break t;
            }
            n += 1;
        };
        self.table(class).insert(original.to_string(), t.clone());
        (t, true)
    }

    /// How many tokens of this class exist (the next one is numbered after them).
    fn count(&mut self, class: Class) -> usize {
        match class {
            Class::Ipv4 => self.ips.values().filter(|v| !v.contains(':')).count(),
            Class::Ipv6 => self.ips.values().filter(|v| v.contains(':')).count(),
            _ => self.table(class).len(),
        }
    }
}

/// The n-th token of a class (n from 1).
fn make(class: Class, n: u32) -> String {
    match class {
        Class::Host => format!("host-{n:04}"),
        Class::Domain => format!("domain-{n:04}"),
        Class::User => format!("user-{n:04}"),
        Class::Ipv4 => Ipv4Addr::from(0xF000_0000 | (n & 0x0FFF_FFFF)).to_string(),
        Class::Ipv6 => {
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, (n >> 16) as u16, n as u16).to_string()
        }
    }
}

/// Whether a word is one of our own tokens (`host-0007`, `domain-0002`, `user-0003`):
/// masking twice changes nothing.
pub(crate) fn is_word_token(word: &[u8]) -> bool {
    [&b"host-"[..], b"domain-", b"user-"].iter().any(|p| {
        word.strip_prefix(*p)
            .is_some_and(|d| d.len() >= 4 && d.iter().all(u8::is_ascii_digit))
    })
}

/// Whether an IPv4 address is left as it is: tokens (240.0.0.0/4), and addresses that name
/// no machine (0.0.0.0/8, loopback, netmasks and broadcast 255.x).
pub(crate) fn keep_ipv4(ip: Ipv4Addr) -> bool {
    matches!(ip.octets()[0], 0 | 127 | 240..=255)
}

/// Whether an IPv6 address is left as it is: tokens (2001:db8::/32), `::` and `::1`.
pub(crate) fn keep_ipv6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified() || ip.is_loopback() || (s[0] == 0x2001 && s[1] == 0xdb8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn tokens_are_numbered_per_class_and_stable() {
        let mut m = MaskMap::new();
        assert_eq!(m.token(Class::Host, "cell-1"), ("host-0001".into(), true));
        assert_eq!(m.token(Class::Host, "cell-2").0, "host-0002");
        assert_eq!(m.token(Class::Host, "cell-1"), ("host-0001".into(), false));
        assert_eq!(m.token(Class::Ipv4, "10.0.0.1").0, "240.0.0.1");
        assert_eq!(m.token(Class::Ipv6, "fe80::1").0, "2001:db8::1");
        assert_eq!(m.token(Class::Ipv4, "10.0.0.2").0, "240.0.0.2");
        assert_eq!(m.token(Class::User, "jdoe").0, "user-0001");
        assert!(keep_ipv4("240.0.0.2".parse().unwrap()));
        assert!(keep_ipv6("2001:db8::1".parse().unwrap()));
        assert!(is_word_token(b"host-0001") && !is_word_token(b"host-a"));
    }

    #[test]
    fn a_hand_edited_map_never_gets_a_token_twice() {
        let mut m = MaskMap::new();
        m.users.insert("alice".into(), "user-0002".into());
        assert_eq!(m.token(Class::User, "bob").0, "user-0003");
        assert_eq!(m.users.len(), 2);
    }

    #[test]
    fn saved_mode_0600_and_read_back() {
        let dir = std::env::temp_dir().join(format!("vcap-mask-map-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("map.json");
        let mut m = MaskMap::new();
        m.token(Class::Host, "api.sys.example.com");
        m.save(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(MaskMap::load(&path).unwrap(), m);
        assert_eq!(
            MaskMap::load(&dir.join("absent.json")).unwrap(),
            MaskMap::new()
        );
        fs::write(&path, b"{}").unwrap();
        assert!(MaskMap::load(&path).is_err(), "version 0 is refused");
        fs::remove_dir_all(&dir).unwrap();
    }
}
