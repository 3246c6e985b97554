use super::*;
use proptest::prelude::*;

fn all() -> MaskSpec {
    "hosts,ips,users".parse().unwrap()
}

fn mask(m: &Masker, s: &str) -> String {
    String::from_utf8(m.mask_bytes(s.as_bytes())).unwrap()
}

/// The words of `s` (split at anything that cannot be part of a name or address).
fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || ".-_:".contains(c)))
        .flat_map(|w| w.split(':'))
        .map(|w| w.trim_end_matches('.'))
        .collect()
}

#[test]
fn spec_parses_and_rejects_unknown_classes() {
    assert_eq!(all(), "all".parse().unwrap());
    let ips: MaskSpec = "ips".parse().unwrap();
    assert!(ips.ips && !ips.hosts && !ips.users);
    assert!("hosts,macs"
        .parse::<MaskSpec>()
        .unwrap_err()
        .contains("macs"));
}

#[test]
fn the_same_name_gets_the_same_token_in_every_line() {
    // Illustrative lines of two VMs' logs.
    let m = Masker::new(all(), MaskMap::new());
    let a = mask(
        &m,
        "dial tcp 10.0.16.5:4222 (nats.service.cf.internal) from cell-7.sys.example.com\n\
         Accepted publickey for jdoe from 10.0.1.9 port 50022 ssh2\n",
    );
    assert_eq!(
        a,
        "dial tcp 240.0.0.1:4222 (nats.service.cf.internal) from host-0001.domain-0001\n\
         Accepted publickey for user-0001 from 240.0.0.2 port 50022 ssh2\n"
    );
    let b = mask(
        &m,
        "uaa: user=jdoe logged in from 10.0.1.9 to api.sys.example.com; jdoe again\n",
    );
    assert_eq!(
        b,
        "uaa: user=user-0001 logged in from 240.0.0.2 to host-0002.domain-0001; user-0001 again\n"
    );
    assert_eq!(m.replaced(), 8);
    assert_eq!(mask(&m, &b), b, "masking twice changes nothing");
}

#[test]
fn classes_not_asked_for_are_kept() {
    let m = Masker::new("ips".parse().unwrap(), MaskMap::new());
    assert_eq!(
        mask(&m, "ssh jdoe@10.0.0.5 via db.corp.internal"),
        "ssh jdoe@240.0.0.1 via db.corp.internal"
    );
    let m = Masker::new("users".parse().unwrap(), MaskMap::new());
    assert_eq!(
        mask(&m, "ssh jdoe@10.0.0.5 via db.corp.internal"),
        "ssh user-0001@10.0.0.5 via db.corp.internal"
    );
}

#[test]
fn a_loaded_map_keeps_tokens_and_teaches_its_words() {
    let first = Masker::new(all(), MaskMap::new());
    mask(&first, "hostname: cell-07\nuid=1001(jdoe)\n");
    let second = Masker::new(all(), first.map());
    assert_eq!(
        mask(&second, "rep on cell-07 started by jdoe, then 10.0.0.1"),
        "rep on host-0001 started by user-0001, then 240.0.0.1"
    );
}

#[test]
fn the_writer_masks_lines_split_across_writes() {
    let m = Masker::new(all(), MaskMap::new());
    let mut w = MaskWriter::new(Some(&m), Vec::new());
    w.write_all(b"from 10.0.").unwrap();
    w.write_all(b"0.1\nand api.sys.exa").unwrap();
    w.write_all(b"mple.com").unwrap();
    let out = w.finish().unwrap();
    assert_eq!(out, b"from 240.0.0.1\nand host-0001.domain-0001");
    let mut plain = MaskWriter::new(None, Vec::new());
    plain.write_all(b"from 10.0.0.1").unwrap();
    assert_eq!(plain.finish().unwrap(), b"from 10.0.0.1");
}

fn ip() -> impl Strategy<Value = String> {
    (1u8..=223, any::<u8>(), any::<u8>(), 1u8..=254)
        .prop_filter("loopback", |(a, ..)| *a != 127)
        .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"))
}

fn host() -> impl Strategy<Value = String> {
    (
        prop::collection::vec("[a-z][a-z0-9]{2,7}", 2..4),
        prop::sample::select(vec!["com", "net", "internal", "io", "de", "bosh"]),
    )
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

fn user() -> impl Strategy<Value = String> {
    "[a-z]{4,8}".prop_filter("not a system user or key word", |u| {
        ![
            "root", "vcap", "user", "host", "admin", "none", "null", "true", "name", "from",
        ]
        .contains(&u.as_str())
            && !u.starts_with("host")
            && !u.starts_with("user")
            && !u.starts_with("domain")
    })
}

proptest! {
    /// No original name is left, the same name always maps to the same token, and
    /// masking twice changes nothing.
    #[test]
    fn no_original_survives_and_tokens_are_consistent(
        ips in prop::collection::vec(ip(), 1..4),
        hosts in prop::collection::vec(host(), 1..4),
        users in prop::collection::vec(user(), 1..4),
    ) {
        let m = Masker::new(all(), MaskMap::new());
        let mut text = String::new();
        for ((ip, host), user) in ips.iter().zip(hosts.iter().cycle()).zip(users.iter().cycle()) {
            text.push_str(&format!("ssh {user}@{ip} then GET https://{host}:8443/v2 user={user}\n"));
            text.push_str(&format!("{host} resolved to {ip}; /home/{user}/.ssh\n"));
        }
        let once = mask(&m, &text);
        let all_words = words(&once);
        for original in ips.iter().chain(&hosts).chain(&users) {
            prop_assert!(!all_words.contains(&original.as_str()), "{original} left in {once}");
        }
        prop_assert_eq!(mask(&m, &once), once.clone());
        // a second masker with the first one's map gives the same text
        let again = Masker::new(all(), m.map());
        prop_assert_eq!(mask(&again, &text), once);
    }

    /// Lines of words with no dot, colon, `@`, `=` or `/` pass unchanged.
    #[test]
    fn plain_words_pass_unchanged(line in "[a-zA-Z ,;!?()-]{0,80}") {
        let m = Masker::new(all(), MaskMap::new());
        prop_assert_eq!(mask(&m, &line), line);
    }
}
