//! Command output pasted into any text (stdin, a loose file, a ticket saved in a bundle):
//! the same structured facts as the collector's `commands/` files, per VM.
//!
//! Lines are gathered per file (up to [`super::WHOLE_FILE_CAP`] in all), each under the VM
//! a `bosh ssh -c` prefix names (`diego_cell/0: stdout | ...`) or under the input's own VM,
//! with the file's line number of each (findings name the file's lines). At the end, each
//! VM's text is read for:
//!
//! - `monit summary` (5.2 and 5.18+ layouts, [`super::monit::parse_summary`]);
//! - `df` blocks: a `Filesystem ... Mounted on` header and its rows (`-h`, `-k`, `-P`;
//!   `-i` when the header counts inodes) ([`super::disk`]);
//! - certificates: PEM blocks and `openssl x509 -text`/`-dates`/`-enddate` dumps
//!   ([`super::openssl`]); a paste shows no trust store, so an issuer missing from it says
//!   nothing;
//! - `bosh instances --ps` process rows (`~  rep  failing`) under their instance row, as
//!   monit process states of that instance;
//! - `bosh vms --vitals` disk cells (`31% (100i%)`) of each instance row
//!   (`vitals_table`);
//! - two `date` outputs pasted a few lines apart that disagree by minutes: clock skew
//!   (`date_pair`).
//!
//! Findings name the VM the text names. `unresponsive agent` rows and the instances' own
//! states are lines any signature can match (the line model gives them their VM).

use super::certs::{self, CertFacts};
use super::disk::Usage;
use super::{disk, monit, openssl, Check, Judge, Outcome, Reading, VmCheck};
use crate::finding::Finding;
use crate::line::{cli, prefix};
use crate::model::Certificate;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// The paste check, as registered: it makes the kinds of `monit`, `disk`, `certs`, `vitals`
/// and `clock` from pasted text, none of its own.
pub const CHECK: Check = Check {
    name: "paste",
    kinds: &[],
    reads: |p, loose| (loose || is_pasted(p)).then_some(Reading::Lines),
    per_vm: Some(|_| Box::<Pastes>::default()),
};

/// A file at the VM's root other than our manifest: text saved beside the VM's files.
pub fn is_pasted(p: &str) -> bool {
    !p.is_empty() && !p.contains('/') && p != "manifest.json"
}

/// The pasted text of every file, per VM (`None`: the input's own).
#[derive(Debug, Default)]
pub(crate) struct Pastes {
    files: BTreeMap<String, PasteFile>,
}

#[derive(Debug, Default)]
struct PasteFile {
    bytes: usize,
    /// Per VM: its lines, and the file's line number of each.
    by_vm: BTreeMap<Option<String>, VmText>,
}

#[derive(Debug, Default)]
struct VmText {
    text: String,
    numbers: Vec<u64>,
}

impl VmText {
    /// The file's line number of line `n` (1-based) of this VM's text.
    fn file_line(&self, n: u64) -> u64 {
        let i = usize::try_from(n).unwrap_or(usize::MAX).saturating_sub(1);
        self.numbers.get(i).copied().unwrap_or(n)
    }

    /// `findings` with their lines (of this VM's text, shifted by `offset` lines) made
    /// the file's.
    fn renumbered(&self, findings: Vec<Finding>, offset: u64) -> Vec<Finding> {
        findings
            .into_iter()
            .map(|mut f| {
                f.line = f.line.map(|l| self.file_line(l + offset));
                f
            })
            .collect()
    }
}

impl Pastes {
    /// Line `n` (1-based) of the file at `path`.
    pub(crate) fn line(&mut self, path: &str, n: u64, line: &[u8]) {
        let file = self.files.entry(path.to_string()).or_default();
        if (file.bytes + line.len()) as u64 > super::WHOLE_FILE_CAP {
            return;
        }
        file.bytes += line.len() + 1;
        let (vm, body) = prefix::split_vm(line);
        let t = file.by_vm.entry(vm.map(str::to_string)).or_default();
        t.text.push_str(&String::from_utf8_lossy(body));
        t.text.push('\n');
        t.numbers.push(n);
    }

    /// The findings and certificates of every paste; `vm` names the input's own VM.
    pub(crate) fn finish(
        &self,
        vm: &str,
        now: Option<Timestamp>,
        warn_days: i64,
    ) -> (Vec<Finding>, Vec<Certificate>) {
        let mut findings = Vec::new();
        let mut inventory = Vec::new();
        for (path, file) in &self.files {
            for (named, t) in &file.by_vm {
                let vm = named.as_deref().unwrap_or(vm);
                let text = t.text.as_str();
                let mut m = monit::Monit::default();
                m.summary(path, text.as_bytes());
                findings.extend(t.renumbered(m.findings(vm, now), 0));
                for (instance, summary) in process_rows(text) {
                    let mut m = monit::Monit::default();
                    m.parsed_summary(path, summary);
                    findings.extend(t.renumbered(m.findings(&instance, now), 0));
                }
                for (usage, offset, block) in df_blocks(text) {
                    let found = disk::findings(vm, path, block.as_bytes(), usage);
                    findings.extend(t.renumbered(found, offset));
                }
                findings.extend(t.renumbered(vitals_table::findings(path, text), 0));
                findings.extend(t.renumbered(date_pair::findings(vm, path, text), 0));
                let certs: Vec<CertFacts> = certs::extract(path, text.as_bytes())
                    .into_iter()
                    .chain(openssl::dumps(path, text))
                    .map(|mut c| {
                        c.line = t.file_line(c.line);
                        c
                    })
                    .collect();
                let (found, certs) = certs::evaluate(vm, &certs, now, warn_days);
                findings.extend(
                    found
                        .into_iter()
                        .filter(|f| f.signature != certs::UNKNOWN_ISSUER.id),
                );
                inventory.extend(certs);
            }
        }
        (findings, inventory)
    }
}

impl VmCheck for Pastes {
    fn line(&mut self, path: &str, n: u64, line: &[u8]) {
        Pastes::line(self, path, n, line);
    }

    fn finish(self: Box<Self>, on: &Judge<'_>, out: &mut Outcome) {
        let (findings, certificates) = Pastes::finish(&self, on.vm, on.now, on.warn_days);
        out.findings.extend(findings);
        out.certificates.extend(certificates);
    }
}

/// `df` blocks of `text`: each header with the rows under it (up to a blank line), and the
/// number of lines of `text` before it.
fn df_blocks(text: &str) -> Vec<(Usage, u64, String)> {
    let mut blocks: Vec<(Usage, u64, String)> = Vec::new();
    let mut open = false;
    for (n, line) in text.lines().enumerate() {
        if line.contains("Filesystem") && line.contains("Mounted on") {
            let usage = if line.contains("Inodes") || line.contains("IUse%") {
                Usage::Inodes
            } else {
                Usage::Blocks
            };
            blocks.push((usage, n as u64, String::new()));
            open = true;
        } else if line.trim().is_empty() {
            open = false;
        }
        if let (true, Some((_, _, block))) = (open, blocks.last_mut()) {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
}

/// `bosh instances --ps` process rows (`~  <process>  <state>`) grouped under the instance
/// row above them, as a monit summary of that instance.
fn process_rows(text: &str) -> Vec<(String, monit::Summary)> {
    let mut out: Vec<(String, monit::Summary)> = Vec::new();
    let mut instance: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let Some(row) = cli::parse_row(line, Default::default()) else {
            if !line.trim().is_empty() {
                instance = None;
            }
            continue;
        };
        match (row.vm, row.source) {
            (Some(vm), _) => {
                out.push((vm, monit::Summary::default()));
                instance = Some(out.len() - 1);
            }
            (None, Some(process)) => {
                let Some(k) = instance else { continue };
                out[k].1.services.push(monit::Service {
                    kind: "Process".to_string(),
                    name: process,
                    status: row.message.unwrap_or_default(),
                    line: i as u64 + 1,
                    text: line.trim().to_string(),
                });
            }
            (None, None) => {}
        }
    }
    out.retain(|(_, s)| !s.services.is_empty());
    out
}

mod date_pair;
mod vitals_table;

#[cfg(test)]
mod tests;
