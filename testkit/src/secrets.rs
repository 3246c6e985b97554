//! The list of secrets a fake VM was seeded with, so a test can prove none of them
//! survives collection ("the ticket-safety promise" in DESIGN.md).

use std::fmt;

/// One planted secret: its value and where it was put.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlantedSecret {
    /// What it is, e.g. `settings.json mbus NATS password`.
    pub label: String,
    /// The secret itself (a PEM block for private keys).
    pub value: String,
    /// Path relative to the VM root where it was planted.
    pub path: String,
}

impl PlantedSecret {
    /// Substrings that must not appear in a bundle. For a PEM block: each base64 body line
    /// (so a half-redacted key is still caught, and a JSON-escaped key is still found);
    /// otherwise the value itself.
    pub fn needles(&self) -> Vec<&str> {
        if self.value.contains("-----BEGIN ") {
            self.value
                .lines()
                .map(str::trim)
                .filter(|l| !l.starts_with("-----") && l.len() >= 40)
                .collect()
        } else {
            vec![self.value.as_str()]
        }
    }
}

/// Every secret planted in a fake VM.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlantedSecrets {
    items: Vec<PlantedSecret>,
}

impl PlantedSecrets {
    /// An empty list.
    pub fn new() -> PlantedSecrets {
        PlantedSecrets::default()
    }

    /// Record a secret.
    pub fn add(
        &mut self,
        label: impl Into<String>,
        value: impl Into<String>,
        path: impl Into<String>,
    ) {
        let value = value.into();
        assert!(
            value.len() >= 8,
            "a planted secret must be distinctive: {value:?}"
        );
        self.items.push(PlantedSecret {
            label: label.into(),
            value,
            path: path.into(),
        });
    }

    /// All planted secrets.
    pub fn iter(&self) -> std::slice::Iter<'_, PlantedSecret> {
        self.items.iter()
    }

    /// How many secrets were planted.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing was planted.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The secrets whose needles occur in `haystack` (bytes of one file, or of a whole
    /// decompressed bundle).
    pub fn found_in(&self, haystack: &[u8]) -> Vec<&PlantedSecret> {
        self.items
            .iter()
            .filter(|s| s.needles().iter().any(|n| contains(haystack, n.as_bytes())))
            .collect()
    }

    /// Panic, naming each leaked secret, if any occurs in `haystack`. `what` says where
    /// the bytes came from (a bundle entry name) for the panic message.
    pub fn assert_none_in(&self, what: &str, haystack: &[u8]) {
        let leaked = self.found_in(haystack);
        if !leaked.is_empty() {
            let list: Vec<String> = leaked
                .iter()
                .map(|s| format!("  {} (planted in {})", s.label, s.path))
                .collect();
            panic!(
                "{} planted secret(s) leaked into {what}:\n{}",
                leaked.len(),
                list.join("\n")
            );
        }
    }
}

impl<'a> IntoIterator for &'a PlantedSecrets {
    type Item = &'a PlantedSecret;
    type IntoIter = std::slice::Iter<'a, PlantedSecret>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl Extend<PlantedSecret> for PlantedSecrets {
    fn extend<T: IntoIterator<Item = PlantedSecret>>(&mut self, iter: T) {
        self.items.extend(iter);
    }
}

impl fmt::Display for PlantedSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.items {
            writeln!(f, "{}: {}", s.path, s.label)?;
        }
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_needles_are_body_lines() {
        let mut p = PlantedSecrets::new();
        p.add("key", crate::certs::BBS_CLIENT_KEY_PEM, "x.key");
        p.add("pw", "UB2wXDtzdpJYvgZnYujYbApz817nth", "settings.json");
        let key = &p.iter().next().unwrap();
        assert!(key.needles().len() >= 2);
        assert!(key.needles().iter().all(|n| !n.contains("BEGIN")));
        // A JSON-escaped key is still found.
        let escaped = crate::certs::BBS_CLIENT_KEY_PEM.replace('\n', "\\n");
        assert_eq!(p.found_in(escaped.as_bytes()).len(), 1);
        assert!(p
            .found_in(b"-----BEGIN EC PRIVATE KEY-----\n[REDACTED private key]")
            .is_empty());
        assert_eq!(
            p.found_in(b"nats://nats:UB2wXDtzdpJYvgZnYujYbApz817nth@10.0.0.6")
                .len(),
            1
        );
    }

    #[test]
    #[should_panic(expected = "leaked into bundle")]
    fn assert_none_in_names_the_leak() {
        let mut p = PlantedSecrets::new();
        p.add("pw", "UB2wXDtzdpJYvgZnYujYbApz817nth", "settings.json");
        p.assert_none_in("bundle", b"xxUB2wXDtzdpJYvgZnYujYbApz817nthxx");
    }
}
