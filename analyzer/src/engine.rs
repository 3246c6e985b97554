//! The analysis run: inputs are read in parallel (rayon across inputs; the reader
//! parallelizes trees itself), every entry streams once through the matcher (and through the
//! structured checks when they want it), findings are grouped per VM, then correlated into
//! a [`Report`].

use crate::checks::{self, Source, VmChecks, VmClock};
use crate::correlate::{self, Link, Rule, Scope};
use crate::finding::Finding;
use crate::input::{self, EntryMeta, Input, Sink, Skipped, VmInfo};
use crate::matcher::Matcher;
use crate::report::model::{Bundle, Certificate, Coverage, Report, SkippedEntry, SCHEMA};
use crate::signature::{LinkScope, Signature};
use crate::timestamp::YearHint;
use jiff::Timestamp;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// How an analysis runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// "Now" for every VM (`--at`); else each VM's collection time.
    pub at: Option<Timestamp>,
    /// Certificates expiring within this many days are findings.
    pub warn_days: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            at: None,
            warn_days: 30,
        }
    }
}

/// Files the structured checks read whole are buffered up to this size.
const CHECK_BUFFER: u64 = checks::WHOLE_FILE_CAP;

/// What one VM's reading produced.
struct VmState {
    info: VmInfo,
    files: u64,
    bytes: u64,
    findings: Vec<Finding>,
    checks: VmChecks,
    problems: Vec<String>,
}

/// Collects what the reader delivers; shared across reading threads.
struct Collector<'a> {
    matcher: &'a Matcher,
    sigs: &'a [Signature],
    vms: Mutex<BTreeMap<String, Arc<Mutex<VmState>>>>,
    skipped: Mutex<Vec<SkippedEntry>>,
}

impl Collector<'_> {
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
            }))
        }))
    }
}

impl Collector<'_> {
    /// Our bundle's manifest: the collector's command records tell the checks what could not
    /// be run (a failed `monit summary` is a finding).
    fn manifest(&self, state: &Mutex<VmState>, data: &mut dyn Read) -> io::Result<()> {
        let mut buf = Vec::new();
        data.take(CHECK_BUFFER).read_to_end(&mut buf)?;
        let mut s = lock(state);
        s.files += 1;
        s.bytes += buf.len() as u64;
        if let Ok(m) = serde_json::from_slice::<collector::manifest::Manifest>(&buf) {
            for c in &m.commands {
                s.checks.command(c);
            }
        }
        Ok(())
    }
}

impl Sink for Collector<'_> {
    fn vm(&self, vm: &VmInfo) {
        self.state(vm);
    }

    fn entry(&self, vm: &VmInfo, entry: &EntryMeta, data: &mut dyn Read) -> io::Result<()> {
        let state = self.state(vm);
        let sel = self.matcher.select(&entry.path, vm.is_loose);
        let source = Source::of(&entry.path);
        let hint = YearHint {
            now: vm
                .collected_at
                .or_else(|| entry.mtime.and_then(|s| Timestamp::from_second(s).ok())),
        };
        let mut counted = Counting { inner: data, n: 0 };
        if entry.path == "manifest.json" {
            return self.manifest(&state, &mut counted);
        }
        // Hits found before a read error (a truncated gzip) are kept; the error is then
        // returned so the reader records the problem.
        let (hits, err) = if source.is_some_and(|s| !s.line_based()) {
            let mut buf = Vec::new();
            (&mut counted).take(CHECK_BUFFER).read_to_end(&mut buf)?;
            lock(&state).checks.feed(&entry.path, &mut &buf[..])?;
            (self.matcher.scan_slice(&sel, &buf, hint), None)
        } else if source.is_some() {
            let mut tee = LineTee {
                inner: &mut counted,
                state: &state,
                path: &entry.path,
                partial: Vec::new(),
            };
            let mut out = self.matcher.scan_partial(&sel, &mut tee, hint);
            if sel.is_empty() {
                // No signature reads this file, the checks still do.
                if let Err(e) = io::copy(&mut tee, &mut io::sink()) {
                    out.1 = Some(e);
                }
            }
            tee.flush();
            out
        } else {
            self.matcher.scan_partial(&sel, &mut counted, hint)
        };
        let findings =
            crate::matcher::to_findings(self.sigs, &hits, &vm.identity.name, &entry.path);
        let mut s = lock(&state);
        s.files += 1;
        s.bytes += counted.n;
        s.findings.extend(findings);
        err.map_or(Ok(()), Err)
    }

    fn skipped(&self, skipped: Skipped) {
        lock(&self.skipped).push(SkippedEntry {
            vm: skipped.vm,
            path: skipped.path,
            reason: skipped.reason,
        });
    }
}

/// Feeds complete lines to the line-based checks while the matcher reads the stream.
struct LineTee<'a, R> {
    inner: R,
    state: &'a Mutex<VmState>,
    path: &'a str,
    partial: Vec<u8>,
}

impl<R: Read> LineTee<'_, R> {
    fn flush(&mut self) {
        if !self.partial.is_empty() {
            lock(self.state).checks.feed_line(self.path, &self.partial);
            self.partial.clear();
        }
    }
}

impl<R: Read> Read for LineTee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut rest = &buf[..n];
        let mut st = None;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            let st = st.get_or_insert_with(|| lock(self.state));
            if self.partial.is_empty() {
                st.checks.feed_line(self.path, &rest[..i]);
            } else {
                self.partial.extend_from_slice(&rest[..i]);
                st.checks.feed_line(self.path, &self.partial);
                self.partial.clear();
            }
            rest = &rest[i + 1..];
        }
        // Lines are capped like the matcher's: a giant line is checked by its first 64 KiB.
        let room = (64usize << 10).saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(&rest[..rest.len().min(room)]);
        Ok(n)
    }
}

struct Counting<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Analyzes `args` (paths, globs, `-`) with the signatures `sigs` and returns the report.
/// Problems reading inputs are in `report.coverage.errors` (and per bundle).
pub fn analyze(
    args: &[String],
    sigs: &[Signature],
    matcher: &Matcher,
    opts: &Options,
    progress: &(dyn Fn(&str) + Sync),
) -> Report {
    let (inputs, problems) = input::discover(args);
    let collector = Collector {
        matcher,
        sigs,
        vms: Mutex::new(BTreeMap::new()),
        skipped: Mutex::new(Vec::new()),
    };
    let mut errors: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let per_input: Vec<(String, Vec<String>)> = inputs
        .par_iter()
        .map(|inp: &Input| {
            let probs = input::read_input(inp, &collector);
            progress(&inp.name());
            (inp.name(), probs.iter().map(|p| p.to_string()).collect())
        })
        .collect();
    let vms: Vec<VmState> = collector
        .vms
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_values()
        .map(|s| {
            Arc::try_unwrap(s)
                .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
                .unwrap_or_else(|_| unreachable!("readers are done"))
        })
        .collect();
    let mut vms = vms;
    for (name, probs) in &per_input {
        errors.extend(probs.iter().cloned());
        // An input that held nothing to read is an error too: nothing succeeds silently.
        let files: u64 = vms
            .iter()
            .filter(|v| v.info.origin == *name || v.info.origin.starts_with(&format!("{name}!")))
            .map(|v| v.files)
            .sum();
        if files == 0 && probs.is_empty() {
            errors.push(format!(
                "{name}: nothing to analyze (no log file, archive or bundle in it)"
            ));
        }
        // Attach each input's problems to its VMs (all VMs read from it).
        for vm in vms
            .iter_mut()
            .filter(|v| v.info.origin == *name || v.info.origin.starts_with(&format!("{name}!")))
        {
            vm.problems.extend(probs.iter().cloned());
        }
    }
    build_report(
        vms,
        sigs,
        opts,
        collector
            .skipped
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
        errors,
        inputs.len() as u64,
    )
}

fn build_report(
    vms: Vec<VmState>,
    sigs: &[Signature],
    opts: &Options,
    skipped: Vec<SkippedEntry>,
    errors: Vec<String>,
    inputs: u64,
) -> Report {
    let mut findings = Vec::new();
    let mut certificates: Vec<Certificate> = Vec::new();
    let mut bundles = Vec::new();
    let mut clocks = Vec::new();
    let mut coverage = Coverage {
        inputs,
        vms: vms.len() as u64,
        skipped,
        errors,
        ..Coverage::default()
    };
    for vm in vms {
        let newest = vm
            .findings
            .iter()
            .filter_map(|f| f.last_seen.or(f.timestamp))
            .max();
        let now = opts.at.or(vm.info.collected_at).or(newest);
        if let Some(at) = vm.info.collected_at {
            let newest_line = vm
                .findings
                .iter()
                .filter_map(|f| f.last_seen.or(f.timestamp).map(|t| (t, f.path.clone())))
                .max();
            clocks.push(VmClock {
                vm: vm.info.identity.name.clone(),
                collected_at: at,
                newest_line,
            });
        }
        let (check_findings, certs) = vm.checks.finish(now, opts.warn_days);
        coverage.files += vm.files;
        coverage.bytes += vm.bytes;
        bundles.push(Bundle {
            path: vm.info.origin.clone(),
            vm: vm.info.identity.name.clone(),
            deployment: vm.info.identity.deployment.clone(),
            az: vm.info.identity.az.clone(),
            collected_at: vm.info.collected_at,
            complete: vm.info.bundle_complete,
            files: vm.files,
            bytes: vm.bytes,
            problems: vm
                .problems
                .iter()
                .cloned()
                .chain(
                    vm.info
                        .incomplete_reason
                        .iter()
                        .map(|r| format!("bundle incomplete: {r}")),
                )
                .collect(),
        });
        findings.extend(vm.findings);
        findings.extend(check_findings);
        certificates.extend(certs);
    }
    findings.extend(checks::skew(&clocks));
    let mut findings = subsumed_by_checks(dedupe_same_line(findings));
    findings.sort_by(|a, b| {
        (&a.vm, &a.path, a.line, &a.signature, &a.excerpt).cmp(&(
            &b.vm,
            &b.path,
            b.line,
            &b.signature,
            &b.excerpt,
        ))
    });
    for (i, f) in findings.iter_mut().enumerate() {
        f.id = format!("f{}", i + 1);
    }
    bundles.sort_by(|a, b| (&a.vm, &a.path).cmp(&(&b.vm, &b.path)));
    certificates.sort_by(|a, b| {
        (a.not_after, &a.vm, &a.path, a.index).cmp(&(b.not_after, &b.vm, &b.path, b.index))
    });
    let corr = correlate::correlate(&findings, &rules(sigs));
    let now = opts
        .at
        .or_else(|| bundles.iter().filter_map(|b| b.collected_at).max())
        .or_else(|| {
            findings
                .iter()
                .filter_map(|f| f.last_seen.or(f.timestamp))
                .max()
        });
    let mut report = Report {
        schema: SCHEMA,
        generated_by: format!("vcap-analyze {}", env!("CARGO_PKG_VERSION")),
        now,
        bundles,
        root_causes: corr.root_causes,
        findings,
        unexplained: corr.unexplained,
        latent: corr.latent,
        certificates,
        coverage,
        fleet: Vec::new(),
    };
    crate::report::fleet::annotate(&mut report);
    report
}

/// One finding per line and category: a structured check and a signature (or two
/// signatures) that read the same line as the same kind of failure say it once. The
/// structured check wins (it knows more), then the more severe, then the first id.
fn dedupe_same_line(findings: Vec<Finding>) -> Vec<Finding> {
    let is_check = |f: &Finding| checks::CHECK_IDS.contains(&f.signature.as_str());
    let mut best: BTreeMap<(String, String, u64, String), Finding> = BTreeMap::new();
    let mut rest = Vec::new();
    for f in findings {
        let Some(line) = f.line else {
            rest.push(f);
            continue;
        };
        let key = (f.vm.clone(), f.path.clone(), line, f.category.clone());
        match best.get(&key) {
            Some(b)
                if (is_check(b), b.severity, std::cmp::Reverse(&b.signature))
                    >= (is_check(&f), f.severity, std::cmp::Reverse(&f.signature)) => {}
            _ => {
                best.insert(key, f);
            }
        }
    }
    rest.extend(best.into_values());
    rest
}

/// A structured check that counted a fact once per VM (an OOM kill by pid and process, a
/// monit process) subsumes the signature findings of the same category on the same VM that
/// name the same thing (every capture both carry is equal, and they share one): the same
/// kill seen in `dmesg` and `kern.log` is one finding.
fn subsumed_by_checks(findings: Vec<Finding>) -> Vec<Finding> {
    let is_check = |f: &Finding| checks::CHECK_IDS.contains(&f.signature.as_str());
    let checks_found: Vec<&Finding> = findings
        .iter()
        .filter(|f| is_check(f) && !f.captures.is_empty())
        .collect();
    let same_thing = |sig: &Finding, chk: &Finding| {
        let shared: Vec<&String> = sig
            .captures
            .keys()
            .filter(|k| chk.captures.contains_key(*k))
            .collect();
        !shared.is_empty() && shared.iter().all(|k| sig.captures[*k] == chk.captures[*k])
    };
    let keep: Vec<bool> = findings
        .iter()
        .map(|f| {
            is_check(f)
                || !checks_found
                    .iter()
                    .any(|c| c.vm == f.vm && c.category == f.category && same_thing(f, c))
        })
        .collect();
    findings
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .collect()
}

/// The correlation rules of the library and of the structured checks.
pub fn rules(sigs: &[Signature]) -> BTreeMap<String, Rule> {
    let mut rules: BTreeMap<String, Rule> = sigs
        .iter()
        .map(|s| {
            let links = s
                .explained_by
                .iter()
                .map(|e| Link {
                    cause: e.id.clone(),
                    scope: match e.scope {
                        LinkScope::Job => Scope::Job,
                        LinkScope::Vm => Scope::Vm,
                        LinkScope::Fleet => Scope::Fleet,
                    },
                    window: e.window().and_then(|w| w.ok()),
                    when: e.when.clone(),
                    why: e.why.clone(),
                })
                .collect();
            (
                s.id.clone(),
                Rule {
                    links,
                    remediation: s.report.remediation.clone(),
                },
            )
        })
        .collect();
    for (id, remediation) in CHECK_REMEDIATION {
        let links = match *id {
            // A process monit gave up on is explained by what its own job logged.
            "monit-process-failed" => vec![Link {
                cause: correlate::ANY.to_string(),
                scope: Scope::Job,
                window: None,
                when: BTreeMap::new(),
                why: "the process's own job logged why it failed".to_string(),
            }],
            _ => Vec::new(),
        };
        rules.entry(id.to_string()).or_insert(Rule {
            links,
            remediation: remediation.to_string(),
        });
    }
    rules
}

/// What to do about each structured check's finding (signatures carry their own).
const CHECK_REMEDIATION: &[(&str, &str)] = &[
    ("cert-expired", "Renew the certificate (CredHub/Vault/ops files), redeploy; if a VM hangs during the redeploy (cells do), put the renewed certificates in its job config by hand and `monit restart all` on it (seed 001)."),
    ("cert-not-yet-valid", "Check the VM's clock (NTP) against the issuer's; reissue the certificate if its notBefore is wrong."),
    ("cert-expiring-soon", "Rotate the certificate before it expires (`credhub regenerate` or your CA process), then redeploy."),
    ("cert-unknown-issuer", "Make sure the issuing CA is in the job's trusted CAs (`ca_cert`/`trusted_certs`); if the CA was rotated, redeploy every consumer."),
    ("monit-process-failed", "On the VM: `monit summary`, read the job's logs in /var/vcap/sys/log/<job>/, then `monit restart <process>` (or `monit restart all`)."),
    ("monit-unavailable", "Monit itself is down: `sv status monit` / `sv start monit` on the VM; the agent reports `unresponsive agent` until it answers again."),
    ("disk-full", "Free space on the filesystem (old logs, orphaned containers/blobs) or give the instance group a bigger disk (`persistent_disk_type` / VM type) and redeploy."),
    ("inodes-exhausted", "Find the directory with millions of small files (`find <mount> -xdev | cut -d/ -f2-4 | sort | uniq -c | sort -n`), clean it, and fix what creates them."),
    ("memory-pressure", "The VM is out of memory: look at `ps` for the biggest process, and scale the instance group's VM type up."),
    ("oom-kill", "The kernel killed a process for memory: raise the VM type's memory or the container's limit; check the killed process for a leak."),
    ("clock-skew", "Fix time sync on the VM (`chronyc sources`, BOSH `ntp` settings); TLS and tokens fail when clocks disagree."),
    ("agent-vitals-disk", "The agent reports a nearly full disk: free space or grow the disk, as for disk-full."),
];
