//! Finding what masking replaces in one line: IPv4 and IPv6 addresses, host names (FQDNs
//! anywhere, short names after a host key) and user names in the positions that name one.
//!
//! - **IPv4**: four dotted decimal octets standing alone (`10.0.0.1`, `10.0.0.1:4222`,
//!   `10.0.0.0/16`); a fifth number (`1.2.3.4.5`, a version) makes it no address.
//! - **IPv6**: a run of hex digits and colons with at least two colons that parses as an
//!   address (`fe80::1`, `[2001:abc::5]:8443`, `::ffff:10.0.0.1`); times (`12:34:56`) and
//!   MAC addresses do not parse.
//! - **FQDN**: two or more dot-separated labels (letters, digits, `-`) whose last label is a
//!   top-level domain ([`is_tld`]): `api.sys.example.com`, `q-s0.router.default.cf.bosh`,
//!   `ip-10-0-0-1.ec2.internal`. File names (`rep.stdout.log`, `lager.go`, `app.py`),
//!   versions (`v1.2.3`) and Java/Go identifiers (`org.cloudfoundry.Foo`, `user.id`) end in
//!   no TLD and are left alone.
//! - **Short host names** after `host`, `hostname`, `server_name`, `fqdn`, `node_name`
//!   (`hostname: cell-7`, `"host":"db01"`, `host=db01`).
//! - **User names** after `user`, `username`, `*_user`, `owner` (`user=jdoe`,
//!   `username: jdoe`, `"db_user":"app"`), in `uid=1000(jdoe)` / `gid=...`, `/home/jdoe`,
//!   `jdoe@host` (the part after `@` must be an address or FQDN), URL user info
//!   (`https://jdoe:[REDACTED url_credentials]@...`) and sshd's `for [invalid user] jdoe
//!   from <ip>`.
//!
//! Left as they are: names that identify nothing (`localhost`, loopback, `0.0.0.0`,
//! netmasks, well-known code hosts in stack traces such as `github.com` and
//! `code.cloudfoundry.org`, the fixed service names of cf-deployment under `.cf.internal`),
//! system users every BOSH VM has (`root`, `vcap`, `syslog`, ...), and our own tokens.

use super::map::{is_word_token, keep_ipv4, keep_ipv6};
use regex::bytes::Regex;
use std::net::{Ipv4Addr, Ipv6Addr};

/// What a span of the line is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum What {
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    /// A fully qualified name, lower case.
    Fqdn(String),
    /// A single-label host name.
    Host(String),
    User(String),
}

/// One span to replace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub what: What,
}

/// The compiled position rules.
pub(crate) struct Detector {
    host_key: Regex,
    users: Vec<Regex>,
}

const NAME: &str = r"([A-Za-z_][A-Za-z0-9._-]{0,63})";

impl Detector {
    pub(crate) fn new() -> Detector {
        let rx = |s: &str| Regex::new(s).expect("mask rule compiles");
        Detector {
            host_key: rx(
                r#"(?i)\b(?:host|hostname|host_name|server_name|fqdn|node_name)["']?\s*[:=]\s*["']?([A-Za-z][A-Za-z0-9-]{0,62})"#,
            ),
            users: vec![
                rx(&format!(
                    r#"(?i)\b(?:[a-z0-9]+_)?(?:user|username|user_name|owner)["']?\s*[:=]\s*["']?{NAME}"#
                )),
                rx(r"\b[ug]id=\d+\(([^)\s]{1,64})\)"),
                rx(&format!(r"/home/{NAME}")),
                rx(&format!(
                    r"://{NAME}(?::(?:\[REDACTED [a-z_]+\]|[^@/\s]*))?@"
                )),
                rx(&format!(
                    r"\b(?:for|user) (?:invalid user )?{NAME} from (?:\d{{1,3}}\.|[0-9a-fA-F]*:)"
                )),
                rx(r"(?:^|[\s<(,;:'=])([A-Za-z_][A-Za-z0-9._+-]{0,63})@[\[A-Za-z0-9]"),
            ],
        }
    }

    /// Every span of `line` to mask, unsorted; spans may overlap (the caller keeps the
    /// first of overlapping ones).
    pub(crate) fn find(&self, line: &[u8], out: &mut Vec<Found>) {
        runs(line, out);
        for c in self.host_key.captures_iter(line) {
            let m = c.get(1).expect("group 1");
            let word = m.as_bytes();
            let next = line.get(m.end()).copied();
            if matches!(next, Some(b'.' | b'-' | b'_')) || keep_word(word) {
                continue;
            }
            let name = String::from_utf8_lossy(word).to_ascii_lowercase();
            out.push(found(m.start(), m.end(), What::Host(name)));
        }
        for (i, rule) in self.users.iter().enumerate() {
            let at_rule = i == self.users.len() - 1;
            for c in rule.captures_iter(line) {
                let m = c.get(1).expect("group 1");
                let mut word = m.as_bytes();
                // a trailing dot ends a sentence, not a name
                while let Some(w) = word.strip_suffix(b".") {
                    word = w;
                }
                if word.is_empty() || keep_word(word) || keep_user(word) {
                    continue;
                }
                if at_rule && !host_follows(&line[m.end() + 1..]) {
                    continue;
                }
                let name = String::from_utf8_lossy(word).into_owned();
                out.push(found(m.start(), m.start() + word.len(), What::User(name)));
            }
        }
    }
}

fn found(start: usize, end: usize, what: What) -> Found {
    Found { start, end, what }
}

/// Whether what follows `@` is an address or a host name (`jdoe@10.0.0.1`,
/// `jane@example.com`), not a version (`errors@v0.9.1`).
fn host_follows(rest: &[u8]) -> bool {
    if rest.first() == Some(&b'[') {
        return true;
    }
    let len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        .count();
    let run = trim(&rest[..len]);
    ipv4(run).is_some() || is_fqdn(run) || is_word_token(run)
}

/// Runs of name characters (letters, digits, `.`, `-`, `_`) and of address characters (hex
/// digits, `:`, `.`): IPv4, FQDNs and IPv6.
fn runs(line: &[u8], out: &mut Vec<Found>) {
    let name_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_');
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b.is_ascii_hexdigit() || b == b':' {
            // IPv6 first: its hex groups would otherwise read as names
            let len = line[i..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
                .count();
            let run = &line[i..i + len];
            let run = run.strip_suffix(b".").unwrap_or(run);
            let before = i.checked_sub(1).map(|j| line[j]);
            let after = line.get(i + run.len()).copied();
            let glued = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if memchr::memchr_iter(b':', run).count() >= 2 && !glued(before) && !glued(after) {
                if let Some(ip) = ipv6(run) {
                    if !keep_ipv6(ip) {
                        out.push(found(i, i + run.len(), What::Ipv6(ip)));
                    }
                    i += run.len();
                    continue;
                }
            }
        }
        if !name_char(b) {
            i += 1;
            continue;
        }
        let len = line[i..].iter().take_while(|&&b| name_char(b)).count();
        let raw = &line[i..i + len];
        let run = trim(raw);
        let start = i + (run.as_ptr() as usize - raw.as_ptr() as usize);
        i += len;
        // a name glued to a `/` on the left is a path component (`/var/vcap/x.log`) unless
        // it follows `//` (a URL)
        if let Some(ip) = ipv4(run) {
            if !keep_ipv4(ip) {
                out.push(found(start, start + run.len(), What::Ipv4(ip)));
            }
        } else if is_fqdn(run) && !keep_name(run) {
            let name = String::from_utf8_lossy(run).to_ascii_lowercase();
            out.push(found(start, start + run.len(), What::Fqdn(name)));
        }
    }
}

/// A run without leading `.`/`-`/`_` or trailing `.`/`-`.
fn trim(run: &[u8]) -> &[u8] {
    let s = run
        .iter()
        .position(|b| !matches!(b, b'.' | b'-' | b'_'))
        .unwrap_or(run.len());
    let e = run
        .iter()
        .rposition(|b| !matches!(b, b'.' | b'-'))
        .map_or(s, |e| e + 1);
    &run[s..e.max(s)]
}

fn ipv4(run: &[u8]) -> Option<Ipv4Addr> {
    if run.len() < 7 || run.len() > 15 || !run.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        return None;
    }
    std::str::from_utf8(run).ok()?.parse().ok()
}

fn ipv6(run: &[u8]) -> Option<Ipv6Addr> {
    std::str::from_utf8(run).ok()?.parse().ok()
}

/// Two or more labels of letters, digits and inner `-`, the last one a TLD.
pub(crate) fn is_fqdn(run: &[u8]) -> bool {
    let mut labels = run.split(|&b| b == b'.');
    let mut n = 0;
    let mut last: &[u8] = b"";
    for l in labels.by_ref() {
        let ok = !l.is_empty()
            && l.len() <= 63
            && l.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && l[0] != b'-'
            && l[l.len() - 1] != b'-';
        if !ok {
            return false;
        }
        n += 1;
        last = l;
    }
    n >= 2 && is_tld(last)
}

/// Top-level domains read as the end of a host name: common generic ones, infrastructure
/// ones (`internal`, `local`, `bosh`, `arpa`), and two-letter country codes except those
/// that are also common file extensions or words (`.go`, `.py`, `.sh`, `.md`, `.id`, `.to`...).
pub(crate) fn is_tld(label: &[u8]) -> bool {
    if !label.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let l = label.to_ascii_lowercase();
    const GENERIC: &[&[u8]] = &[
        b"com",
        b"net",
        b"org",
        b"edu",
        b"gov",
        b"mil",
        b"int",
        b"info",
        b"biz",
        b"cloud",
        b"dev",
        b"app",
        b"corp",
        b"internal",
        b"local",
        b"localdomain",
        b"lan",
        b"intranet",
        b"home",
        b"bosh",
        b"arpa",
        b"online",
        b"tech",
        b"site",
        b"example",
        b"test",
        b"invalid",
        b"name",
        b"pro",
        b"aero",
        b"asia",
        b"mobi",
    ];
    const NOT_CC: &[&[u8]] = &[
        b"go", b"rb", b"py", b"sh", b"js", b"ts", b"md", b"gz", b"db", b"so", b"pl", b"pm", b"cc",
        b"hh", b"cs", b"ps", b"rs", b"el", b"mk", b"ml", b"xz", b"bz", b"ko", b"mo", b"po", b"ui",
        b"tf", b"sv", b"vb", b"fs", b"hs", b"jl", b"kt", b"ex", b"lz", b"in", b"id", b"to", b"at",
        b"is", b"me", b"no", b"do", b"be", b"as", b"by", b"my", b"on", b"or", b"an", b"if", b"of",
        b"up", b"am", b"pm", b"ac", b"gs", b"la", b"st", b"sc", b"ai", b"cf", b"tv", b"fm", b"ms",
    ];
    GENERIC.contains(&&l[..]) || (l.len() == 2 && !NOT_CC.contains(&&l[..]))
}

/// Names that identify nothing or belong to everyone: kept.
fn keep_name(name: &[u8]) -> bool {
    let n = name.to_ascii_lowercase();
    const PUBLIC: &[&[u8]] = &[
        b"github.com",
        b"golang.org",
        b"code.cloudfoundry.org",
        b"gopkg.in",
        b"google.golang.org",
        b"go.uber.org",
        b"k8s.io",
        b"sigs.k8s.io",
        b"bosh.io",
        b"cloudfoundry.org",
        b"docs.cloudfoundry.org",
        b"gitlab.com",
        b"rubygems.org",
        b"maven.org",
        b"example.com",
        b"example.org",
        b"example.net",
    ];
    PUBLIC.contains(&&n[..])
        || n.ends_with(b".cf.internal")
        || n.ends_with(b".localdomain")
        || n.split(|&b| b == b'.').any(is_word_token)
}

/// Words that are never names: kept in every position.
fn keep_word(word: &[u8]) -> bool {
    let w = word.to_ascii_lowercase();
    const WORDS: &[&[u8]] = &[
        b"localhost",
        b"true",
        b"false",
        b"null",
        b"nil",
        b"none",
        b"unknown",
        b"any",
        b"all",
        b"default",
        b"host",
        b"user",
        b"domain",
        b"name",
        b"redacted",
        b"empty",
    ];
    WORDS.contains(&&w[..]) || is_word_token(word) || w.iter().all(u8::is_ascii_digit)
}

/// System users every BOSH stemcell has: they identify no one.
fn keep_user(word: &[u8]) -> bool {
    const SYSTEM: &[&[u8]] = &[
        b"root",
        b"vcap",
        b"nobody",
        b"syslog",
        b"daemon",
        b"admin",
        b"bin",
        b"sys",
        b"www-data",
        b"sshd",
        b"messagebus",
        b"systemd-network",
        b"systemd-resolve",
        b"_apt",
        b"bosh_sshd",
    ];
    SYSTEM.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(line: &str) -> Vec<(String, What)> {
        let mut v = Vec::new();
        Detector::new().find(line.as_bytes(), &mut v);
        v.sort_by_key(|f| f.start);
        v.into_iter()
            .map(|f| (line[f.start..f.end].to_string(), f.what))
            .collect()
    }

    fn texts(line: &str) -> Vec<String> {
        spans(line).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn addresses() {
        // Illustrative lines.
        assert_eq!(
            texts("dial tcp 10.0.16.5:4222: connect: connection refused"),
            ["10.0.16.5"]
        );
        assert_eq!(
            texts("route 10.0.0.0/16 via 10.0.0.1."),
            ["10.0.0.0", "10.0.0.1"]
        );
        assert_eq!(
            texts("listen [fd00:1::5]:8443 and fe80::a:b%eth0"),
            ["fd00:1::5", "fe80::a:b"]
        );
        assert_eq!(texts("mapped ::ffff:10.1.2.3 ok"), ["::ffff:10.1.2.3"]);
        for kept in [
            "at 12:34:56.789 and 2019-07-13T00:00:00Z",
            "version 1.2.3.4.5 of v1.2.3",
            "listen 0.0.0.0:8080, 127.0.0.1, ::1, mask 255.255.255.0",
            "mac 02:42:ac:11:00:02 here",
            "token host 240.0.0.7 and 2001:db8::7",
            "sha256:ab12cd34 and deadbeef:cafe",
        ] {
            assert_eq!(texts(kept), Vec::<String>::new(), "{kept}");
        }
    }

    #[test]
    fn host_names() {
        assert_eq!(
            texts("GET https://api.sys.Example.com/v2/info from uaa.service.cf.internal"),
            ["api.sys.Example.com"]
        );
        assert_eq!(
            spans("resolving q-s0.router.default.cf.bosh.")[0].1,
            What::Fqdn("q-s0.router.default.cf.bosh".into())
        );
        assert_eq!(texts("hostname: cell-07"), ["cell-07"]);
        assert_eq!(texts(r#"{"host":"db01","port":3306}"#), ["db01"]);
        assert_eq!(texts("host=db01.corp.internal"), ["db01.corp.internal"]);
        for kept in [
            "/var/vcap/sys/log/rep/rep.stdout.log and lager.go:123 app.py",
            "code.cloudfoundry.org/lager/v3@v3.0.3 github.com/pkg/errors",
            "org.cloudfoundry.Foo user.id request.to",
            "hostname: localhost",
            "host: host-0007 at host-0007.domain-0002",
        ] {
            assert_eq!(texts(kept), Vec::<String>::new(), "{kept}");
        }
    }

    #[test]
    fn user_names() {
        assert_eq!(texts("sudo: pam_unix(sudo:session): user=jdoe"), ["jdoe"]);
        assert_eq!(texts(r#"{"db_user":"ccadmin"}"#), ["ccadmin"]);
        assert_eq!(
            texts("uid=1001(jane.doe) gid=1001(jane.doe)"),
            ["jane.doe", "jane.doe"]
        );
        assert_eq!(texts("cd /home/jdoe/work"), ["jdoe"]);
        assert_eq!(texts("ssh jdoe@10.0.0.5"), ["jdoe", "10.0.0.5"]);
        assert_eq!(
            texts("nats://natsuser:[REDACTED url_credentials]@10.0.0.9:4222"),
            ["natsuser", "10.0.0.9"]
        );
        assert_eq!(
            texts("Failed password for invalid user oracle from 10.0.0.7 port 22"),
            ["oracle", "10.0.0.7"]
        );
        assert_eq!(texts("mail jane@acme.co.uk."), ["jane", "acme.co.uk"]);
        for kept in [
            "user=vcap uid=0(root) /home/vcap",
            "github.com/pkg/errors@v0.9.1",
            "user: user-0002 ssh user-0002@240.0.0.1",
            "waiting for quorum from 3 nodes",
        ] {
            assert_eq!(texts(kept), Vec::<String>::new(), "{kept}");
        }
    }
}
