//! The reader's sink: every entry of every VM streams once through the matcher, and through
//! the structured check that reads it ([`checks::reader`]); what each VM's reading produced
//! is gathered in a [`VmState`].

use crate::checks::{self, Reading, VmChecks};
use crate::finding::Finding;
use crate::input::lines::{Block, Lines, Piece};
use crate::input::{EntryMeta, Sink, Skipped, VmInfo};
use crate::matcher::Matcher;
use crate::model::{Problem, SkippedEntry};
use crate::signature::Signature;
use crate::timestamp::YearHint;
use crate::unrecognised::Miner;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// Files the structured checks read whole are buffered up to this size.
const CHECK_BUFFER: u64 = checks::WHOLE_FILE_CAP;

/// What one VM's reading produced.
pub(super) struct VmState {
    pub(super) info: VmInfo,
    pub(super) files: u64,
    pub(super) bytes: u64,
    pub(super) findings: Vec<Finding>,
    pub(super) checks: VmChecks,
    pub(super) problems: Vec<Problem>,
    /// Error-level lines no signature explained, as templates.
    pub(super) unrecognised: Miner,
}

/// The reader's [`Sink`]: what it delivers, gathered per VM (matcher hits, the checks'
/// facts, counts, unrecognised lines) and shared across reading threads.
pub(super) struct VmSink<'a> {
    pub(super) matcher: &'a Matcher,
    pub(super) sigs: &'a [Signature],
    pub(super) vms: Mutex<BTreeMap<String, Arc<Mutex<VmState>>>>,
    pub(super) skipped: Mutex<Vec<SkippedEntry>>,
}

impl VmSink<'_> {
    fn state(&self, vm: &VmInfo) -> Arc<Mutex<VmState>> {
        let mut vms = lock(&self.vms);
        Arc::clone(vms.entry(vm.origin.clone()).or_insert_with(|| {
            Arc::new(Mutex::new(VmState {
                info: vm.clone(),
                files: 0,
                bytes: 0,
                findings: Vec::new(),
                checks: VmChecks::new(&vm.identity.name),
                problems: Vec::new(),
                unrecognised: Miner::new(),
            }))
        }))
    }
}

impl VmSink<'_> {
    /// Our bundle's manifest: the collector's command records tell the checks what could not
    /// be run (a failed `monit summary` is a finding).
    fn manifest(&self, state: &Mutex<VmState>, data: &mut dyn Read) -> io::Result<()> {
        let mut buf = Vec::new();
        data.take(CHECK_BUFFER).read_to_end(&mut buf)?;
        let mut s = lock(state);
        s.files += 1;
        s.bytes += buf.len() as u64;
        if let Ok(m) = serde_json::from_slice::<bundle::manifest::Manifest>(&buf) {
            for c in &m.commands {
                s.checks.command(c);
            }
        }
        Ok(())
    }
}

impl Sink for VmSink<'_> {
    fn vm(&self, vm: &VmInfo) {
        self.state(vm);
    }

    fn entry(&self, vm: &VmInfo, entry: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
        let state = self.state(vm);
        let sel = self.matcher.select(&entry.path, vm.is_loose);
        // A loose input (stdin, a log file given alone) is pasted text to the checks.
        let reader = checks::reader(&entry.path, vm.is_loose);
        let hint = YearHint {
            now: vm
                .collected_at
                .or_else(|| entry.mtime.and_then(|s| Timestamp::from_second(s).ok())),
        };
        let mut counted = Counting::new(data);
        if entry.path == "manifest.json" {
            return self.manifest(&state, &mut counted);
        }
        // Hits found before a read error (a truncated gzip) are kept; the error is then
        // returned so the reader records the problem.
        let mut errors = Vec::new();
        let scanned = match reader {
            Some(reader) if reader.reading == Reading::Whole => {
                let mut buf = Vec::new();
                (&mut counted).take(CHECK_BUFFER).read_to_end(&mut buf)?;
                lock(&state)
                    .checks
                    .feed_as(reader, &entry.path, &mut &buf[..])?;
                self.matcher.scan_bytes(&sel, &buf, hint)
            }
            // The checks read the lines of the matcher's pass (the stream is read even when
            // no signature reads this file); of a line too long for the buffer, its first piece.
            Some(reader) => {
                let mut lines = Lines::default();
                let mut observe = |block: Block<'_>| {
                    let mut s = lock(&state);
                    lines.block(block, |line| {
                        if line.piece != Piece::Next {
                            s.checks
                                .numbered_line(reader, &entry.path, line.number, line.text());
                        }
                    });
                };
                self.matcher
                    .scan_observed(&sel, &mut counted, hint, &mut observe, &mut errors)
            }
            None => self
                .matcher
                .scan_observed(&sel, &mut counted, hint, &mut |_| {}, &mut errors),
        };
        let findings =
            crate::matcher::to_findings(self.sigs, &scanned.hits, &vm.identity.name, &entry.path);
        let activity = (!vm.is_loose).then(|| counted.activity(hint, scanned.lines));
        let mut s = lock(&state);
        s.files += 1;
        s.bytes += counted.n;
        s.findings.extend(findings);
        for e in errors {
            let vm_name = e.vm.as_deref().unwrap_or(&vm.identity.name);
            let at = format!("{vm_name} {}", entry.path);
            s.unrecognised
                .add(vm_name, &at, e.level, &e.message, &e.example);
        }
        if let Some(a) = activity {
            s.checks.activity(&entry.path, a);
        }
        scanned.error.map_or(Ok(()), Err)
    }

    fn skipped(&self, skipped: Skipped) {
        lock(&self.skipped).push(SkippedEntry {
            vm: skipped.vm,
            path: skipped.path,
            reason: skipped.reason,
        });
    }
}

/// Counts the bytes that go through and keeps the last [`TAIL`]: when a log ends is a fact of
/// the silence checks, and it is read here without a second pass (its lines are counted by
/// the matcher's pass, [`crate::matcher::Scanned::lines`]).
struct Counting<R> {
    inner: R,
    n: u64,
    tail: Vec<u8>,
}

/// Bytes kept of a file's end to find its last timestamped line.
const TAIL: usize = 8 << 10;
/// Lines looked at, from the end, for a timestamp.
const TAIL_LINES: usize = 64;

impl<R> Counting<R> {
    fn new(inner: R) -> Self {
        Counting {
            inner,
            n: 0,
            tail: Vec::new(),
        }
    }

    /// When the file ends (its last timestamped line among the last few), with its `lines`.
    fn activity(&self, hint: YearHint, lines: u64) -> checks::Activity {
        let last = self
            .tail
            .split(|&b| b == b'\n')
            .rev()
            .filter(|l| !l.is_empty())
            .take(TAIL_LINES)
            .find_map(|l| crate::timestamp::parse_line(l, hint).map(|t| (t, l)));
        checks::Activity {
            last: last.map(|(t, _)| t),
            last_line: last.map_or(String::new(), |(_, l)| checks::excerpt(l)),
            lines,
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let got = &buf[..n];
        self.n += n as u64;
        if n >= TAIL {
            self.tail.clear();
            self.tail.extend_from_slice(&got[n - TAIL..]);
        } else {
            self.tail.extend_from_slice(got);
            if self.tail.len() > 2 * TAIL {
                self.tail.drain(..self.tail.len() - TAIL);
            }
        }
        Ok(n)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests;
