//! Certificates described by pasted `openssl x509` output rather than PEM: `-text`
//! (`Not Before: Jul 13 22:25:49 2018 GMT` / `Not After : ...`, `Subject: CN = ...`,
//! `Issuer: ...`, `Serial Number:`), `-dates` (`notBefore=...`, `notAfter=...`), `-enddate`
//! (`notAfter=...` alone) and `-subject`/`-issuer`/`-serial` (`subject=...`). Each
//! `notAfter` closes one certificate; the fields seen since the previous one belong to it.
//! Judged like any certificate, against the collection time or `--at`.
//!
//! A certificate without a `notBefore` (`-enddate`) is taken as valid since the epoch: only
//! its end is known.
//!
//! A date field may follow one label, as a listing of many files prints it: `cert-0.crt
//! Not After : Mar  5 09:11:31 2020 GMT` (a loop over a bundle's files, govuk-paas/paas-cf#2241)
//! or `certs/a.pem:notAfter=...` (`grep -H`). Such a line is read only when its date reads,
//! and a new label starts the next certificate, shown by its label when no subject is.

use super::certs::CertFacts;
use jiff::Timestamp;

/// Every certificate `text` describes in `openssl x509` output, in order, for `path`.
pub fn dumps(path: &str, text: &str) -> Vec<CertFacts> {
    let mut out = Vec::new();
    let mut current = Pending::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line == "Certificate:" {
            current.flush(path, &mut out);
            continue;
        }
        let (key, value, label) = match field(line)
            .map(|(k, v)| (k, v, None))
            .or_else(|| labelled(line))
        {
            Some(kv) => kv,
            None if current.serial_next => {
                current.serial = Some(line.to_ascii_lowercase());
                current.serial_next = false;
                continue;
            }
            None => continue,
        };
        current.serial_next = false;
        // A field seen twice starts the next certificate.
        let relabelled =
            matches!((label, current.label.as_deref()), (Some(new), Some(old)) if new != old);
        let again = relabelled
            || match key {
                "notbefore" => current.not_before.is_some() || current.not_after.is_some(),
                "notafter" => current.not_after.is_some(),
                "subject" => current.subject.is_some(),
                "issuer" => current.issuer.is_some(),
                _ => false,
            };
        if again {
            current.flush(path, &mut out);
        }
        current.line.get_or_insert(i as u64 + 1);
        if label.is_some() {
            current.label = label.map(str::to_string);
        }
        match key {
            "notbefore" => current.not_before = date(value),
            "notafter" => current.not_after = date(value),
            "subject" => current.subject = Some(value.to_string()),
            "issuer" => current.issuer = Some(value.to_string()),
            "serial" if value.is_empty() => current.serial_next = true,
            "serial" => current.serial = Some(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    current.flush(path, &mut out);
    out
}

impl Pending {
    /// The certificate gathered so far, if it has a `notAfter`; starts afresh.
    fn flush(&mut self, path: &str, out: &mut Vec<CertFacts>) {
        let p = std::mem::take(self);
        let Some(not_after) = p.not_after else {
            return;
        };
        let subject = p.subject.unwrap_or_else(|| match p.label {
            Some(label) => format!("(subject not shown; listed as {label})"),
            None => "(subject not shown)".into(),
        });
        let issuer = p.issuer.unwrap_or_else(|| "(issuer not shown)".into());
        out.push(CertFacts {
            path: path.to_string(),
            index: out.len() as u32,
            line: p.line.unwrap_or(1),
            self_signed: subject == issuer,
            subject,
            issuer,
            sans: Vec::new(),
            serial: p.serial.unwrap_or_default(),
            is_ca: false,
            not_before: p.not_before.unwrap_or(Timestamp::UNIX_EPOCH),
            not_after,
        });
    }
}

#[derive(Default)]
struct Pending {
    not_before: Option<Timestamp>,
    not_after: Option<Timestamp>,
    subject: Option<String>,
    issuer: Option<String>,
    serial: Option<String>,
    /// `Serial Number:` of `-text` puts the value on the next line.
    serial_next: bool,
    line: Option<u64>,
    /// The label of labelled date lines (a file name).
    label: Option<String>,
}

/// `(normalised key, value)` of a dump line.
fn field(line: &str) -> Option<(&'static str, &str)> {
    const KEYS: &[(&str, &str)] = &[
        ("Not Before:", "notbefore"),
        ("Not After :", "notafter"),
        ("Not After:", "notafter"),
        ("notBefore=", "notbefore"),
        ("notAfter=", "notafter"),
        ("Subject:", "subject"),
        ("subject=", "subject"),
        ("Issuer:", "issuer"),
        ("issuer=", "issuer"),
        ("Serial Number:", "serial"),
        ("serial=", "serial"),
    ];
    KEYS.iter()
        .find_map(|(prefix, key)| line.strip_prefix(prefix).map(|v| (*key, v.trim())))
}

/// `(key, value, label)` of a date field after one label: `name  Not After : ...`,
/// `name:notAfter=...`. Only date fields, and only when the date reads.
fn labelled(line: &str) -> Option<(&'static str, &str, Option<&str>)> {
    let cut = line.find(|c: char| c.is_whitespace() || c == ':')?;
    let (label, rest) = line.split_at(cut);
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
    let (key, value) = field(rest)?;
    let dated = matches!(key, "notbefore" | "notafter") && date(value).is_some();
    (dated && !label.is_empty()).then_some((key, value, Some(label)))
}

/// `Jul 12 22:25:49 2019 GMT` (the day may be space-padded).
fn date(value: &str) -> Option<Timestamp> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let [month, day, time, year, ..] = words.as_slice() else {
        return None;
    };
    let text = format!("{month} {day:0>2} {time} {year}");
    let dt = jiff::civil::DateTime::strptime("%b %d %H:%M:%S %Y", &text).ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_enddate_and_text_dumps() {
        // seeds/001: `openssl x509 -noout -dates -in cert_file`.
        let certs = dumps(
            "ticket.txt",
            "$ openssl x509 -noout  -dates -in cert_file\n\n\nnotBefore=Jul 13 22:25:49 2018 GMT\nnotAfter=Jul 12 22:25:49 2019 GMT\n",
        );
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].not_before.to_string(), "2018-07-13T22:25:49Z");
        assert_eq!(certs[0].not_after.to_string(), "2019-07-12T22:25:49Z");
        assert_eq!(certs[0].line, 4);
        // Illustrative: `-enddate` alone, and the `-text` layout with a padded day.
        let certs = dumps("t", "notAfter=Feb  1 00:00:00 2020 GMT\n");
        assert_eq!(certs[0].not_before, Timestamp::UNIX_EPOCH);
        let text = "Certificate:\n    Data:\n        Serial Number:\n            0a:1b:2c\n        Issuer: CN = cf-ca\n        Validity\n            Not Before: Jul 13 22:25:49 2018 GMT\n            Not After : Jul 12 22:25:49 2019 GMT\n        Subject: CN = cell.service.cf.internal\n";
        let certs = dumps("t", text);
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].issuer, "CN = cf-ca");
        assert_eq!(certs[0].serial, "0a:1b:2c");
        assert_eq!(certs[0].line, 3);
        assert_eq!(certs[0].subject, "CN = cell.service.cf.internal");
        assert!(dumps("t", "notAfter=soon\nno dates here").is_empty());
    }

    #[test]
    fn a_listing_of_labelled_dates_is_one_certificate_per_label() {
        // govuk-paas/paas-cf#2241 (2020-03-04): a loop over the RDS CA bundle's files.
        let listing = "cert-0.crt       Not After : Mar  5 09:11:31 2020 GMT\n\
                       cert-1.crt       Not After : Mar  5 22:03:06 2020 GMT\n\
                       cert-10.crt      Not After : Mar  5 00:05:46 2020 GMT\n";
        let certs = dumps("ticket.txt", listing);
        let got: Vec<(String, String, u64)> = certs
            .iter()
            .map(|c| (c.subject.clone(), c.not_after.to_string(), c.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "(subject not shown; listed as cert-0.crt)".into(),
                    "2020-03-05T09:11:31Z".into(),
                    1
                ),
                (
                    "(subject not shown; listed as cert-1.crt)".into(),
                    "2020-03-05T22:03:06Z".into(),
                    2
                ),
                (
                    "(subject not shown; listed as cert-10.crt)".into(),
                    "2020-03-05T00:05:46Z".into(),
                    3
                ),
            ]
        );
        // Illustrative: `grep -H` over `-dates` output; one label, one certificate.
        let grep = "certs/a.pem:notBefore=Jul 13 22:25:49 2018 GMT\ncerts/a.pem:notAfter=Jul 12 22:25:49 2019 GMT\n";
        let certs = dumps("t", grep);
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].not_before.to_string(), "2018-07-13T22:25:49Z");
        // A label before no date, or before a date that does not read, is no certificate.
        assert!(dumps("t", "cert-0.crt  Not After : soon\nrunning Subject: x\n").is_empty());
    }
}
