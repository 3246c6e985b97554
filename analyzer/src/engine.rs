//! The analysis run: inputs are read in parallel (rayon across inputs; the reader
//! parallelizes trees itself), every entry streams once through the matcher (and through the
//! structured checks when they want it), findings are grouped per VM, then correlated into
//! a [`Report`].

use crate::checks::{self, Source, VmChecks, VmClock};
use crate::correlate::{self, Link, Rule, Scope};
use crate::finding::{Finding, Severity};
use crate::input::lines::{Block, Lines, Piece};
use crate::input::{self, EntryMeta, Input, Sink, Skipped, VmInfo};
use crate::matcher::Matcher;
use crate::report::model::{Bundle, Certificate, Coverage, Report, SkippedEntry, SCHEMA};
use crate::report::vm_result::{NewestLine, Summary, VmResult, VmResults};
use crate::signature::{LinkScope, Signature};
use crate::timestamp::YearHint;
use crate::unrecognised::Miner;
use jiff::Timestamp;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// Error-level lines no signature explained, as templates.
    unrecognised: Miner,
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
                unrecognised: Miner::new(),
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
        if let Ok(m) = serde_json::from_slice::<bundle::manifest::Manifest>(&buf) {
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
        // A loose input (stdin, a log file given alone) is pasted text to the checks.
        let source = Source::of(&entry.path).or(vm.is_loose.then_some(Source::Paste));
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
        let (hits, err) = if source.is_some_and(|s| !s.line_based()) {
            let mut buf = Vec::new();
            (&mut counted).take(CHECK_BUFFER).read_to_end(&mut buf)?;
            if let Some(source) = source {
                lock(&state)
                    .checks
                    .feed_as(source, &entry.path, &mut &buf[..])?;
            }
            (self.matcher.scan_slice(&sel, &buf, hint), None)
        } else if source.is_some() {
            // The checks read the lines of the matcher's pass (the stream is read even when
            // no signature reads this file); of a line too long for the buffer, its first piece.
            let source = source.unwrap_or(Source::Paste);
            let mut lines = Lines::default();
            let mut observe = |block: Block<'_>| {
                let mut s = lock(&state);
                lines.block(block, |line| {
                    if line.piece != Piece::Next {
                        s.checks.feed_line_as(source, &entry.path, line.text());
                    }
                });
            };
            self.matcher
                .scan_observed(&sel, &mut counted, hint, &mut observe, &mut errors)
        } else {
            self.matcher
                .scan_observed(&sel, &mut counted, hint, &mut |_| {}, &mut errors)
        };
        let findings =
            crate::matcher::to_findings(self.sigs, &hits, &vm.identity.name, &entry.path);
        let activity = (!vm.is_loose).then(|| counted.activity(hint));
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

/// Counts what goes through and keeps the last [`TAIL`] bytes and the number of lines: when
/// a log ends is a fact of the silence checks, and it is read here without a second pass.
struct Counting<R> {
    inner: R,
    n: u64,
    lines: u64,
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
            lines: 0,
            tail: Vec::new(),
        }
    }

    /// When the file ends (its last timestamped line among the last few) and its lines.
    fn activity(&self, hint: YearHint) -> checks::Activity {
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
            lines: self.lines,
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let got = &buf[..n];
        self.n += n as u64;
        self.lines += memchr::memchr_iter(b'\n', got).count() as u64;
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

/// What reading produced before correlation: one [`VmResult`] per VM (read from bundles, or
/// made elsewhere and read back from a per-VM results document), and what was not read.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub vms: Vec<VmResult>,
    pub skipped: Vec<SkippedEntry>,
    /// Inputs or entries that could not be read.
    pub errors: Vec<String>,
    /// Inputs named (after expanding globs and directories).
    pub inputs: u64,
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
    merge(collect(args, sigs, matcher, opts, progress), sigs, opts)
}

/// Reads `args` and analyzes each VM on its own (matcher and structured checks), without
/// correlating: the per-VM results that [`merge`] correlates, and that `--format vm-result`
/// prints. Per-VM results among the inputs (`report::read_back`) are taken as they are.
pub fn collect(
    args: &[String],
    sigs: &[Signature],
    matcher: &Matcher,
    opts: &Options,
    progress: &(dyn Fn(&str) + Sync),
) -> Analysis {
    let (inputs, problems) = input::discover(args);
    let collector = Collector {
        matcher,
        sigs,
        vms: Mutex::new(BTreeMap::new()),
        skipped: Mutex::new(Vec::new()),
    };
    let mut errors: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let mut results = Analysis::default();
    let per_input: Vec<(String, Vec<String>, Vec<VmResults>)> = inputs
        .par_iter()
        .map(|inp: &Input| {
            let (probs, docs) = match crate::report::read_back::read(inp) {
                Some(back) => (back.problems, back.docs),
                None => (input::read_input(inp, &collector), Vec::new()),
            };
            progress(&inp.name());
            let probs: Vec<String> = probs.iter().map(|p| p.to_string()).collect();
            (inp.name(), probs, docs)
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
    let mut read_back = Vec::new();
    for (name, probs, docs) in per_input {
        let had_docs = !docs.is_empty();
        for doc in docs {
            read_back.extend(doc.vms.into_iter().map(|mut vm| {
                vm.origin = format!("{name}!{}", vm.origin);
                vm
            }));
            results.skipped.extend(doc.skipped);
            errors.extend(doc.errors);
        }
        // The VMs read from this input: itself, or an archive nested in it.
        let nested = format!("{name}!");
        let of_input = |v: &VmState| v.info.origin == name || v.info.origin.starts_with(&nested);
        // An input that held nothing to read is an error too: nothing succeeds silently.
        let files: u64 = vms.iter().filter(|v| of_input(v)).map(|v| v.files).sum();
        if files == 0 && probs.is_empty() && !had_docs {
            errors.push(format!(
                "{name}: nothing to analyze (no log file, archive or bundle in it)"
            ));
        }
        // Attach each input's problems to its VMs (all VMs read from it).
        for vm in vms.iter_mut().filter(|v| of_input(v)) {
            vm.problems.extend(probs.iter().cloned());
        }
        errors.extend(probs);
    }
    results.vms = vms.into_iter().map(|vm| finish_vm(vm, opts)).collect();
    results.vms.extend(read_back);
    results.skipped.extend(
        collector
            .skipped
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
    );
    results.errors = errors;
    results.inputs = inputs.len() as u64;
    results
}
/// One VM's analysis, finished at its own "now": the structured checks judged, findings of
/// the same line said once. Everything [`merge`] needs from this VM, and nothing more.
fn finish_vm(vm: VmState, opts: &Options) -> VmResult {
    let newest = vm
        .findings
        .iter()
        .filter_map(|f| f.last_seen.or(f.timestamp))
        .max();
    let now = opts.at.or(vm.info.collected_at).or(newest);
    let newest_line = vm
        .findings
        .iter()
        .filter_map(|f| f.last_seen.or(f.timestamp).map(|t| (t, f.path.clone())))
        .max()
        .map(|(at, path)| NewestLine { at, path });
    let (check_findings, certificates) = vm.checks.finish(now, opts.warn_days);
    let mut findings = vm.findings;
    findings.extend(check_findings);
    // Both work VM by VM: doing it here and again after merging changes nothing.
    let findings = subsumed_by_checks(dedupe_same_line(findings));
    VmResult {
        summary: Summary::of(&findings, &certificates),
        vm: vm.info.identity,
        origin: vm.info.origin,
        collected_at: vm.info.collected_at,
        now,
        complete: vm.info.bundle_complete,
        incomplete_reason: vm.info.incomplete_reason,
        files: vm.files,
        bytes: vm.bytes,
        problems: vm.problems,
        newest_line,
        unrecognised: {
            let mut u = vm.unrecognised.finish();
            u.truncate(crate::report::vm_result::MAX_UNRECOGNISED);
            u
        },
        loose: vm.info.is_loose,
        findings,
        certificates,
        truncated: None,
    }
}

/// Correlates per-VM results into the report: clock skew across VMs, root causes, grouping.
/// The same whether the results were just read from bundles or read back from documents
/// made on the VMs (or on other machines), in any order.
pub fn merge(analysis: Analysis, sigs: &[Signature], opts: &Options) -> Report {
    let mut findings = Vec::new();
    let mut certificates: Vec<Certificate> = Vec::new();
    let mut bundles = Vec::new();
    let mut clocks = Vec::new();
    let mut coverage = Coverage {
        inputs: analysis.inputs,
        vms: analysis.vms.len() as u64,
        skipped: analysis.skipped,
        errors: analysis.errors,
        ..Coverage::default()
    };
    let unplaced: BTreeSet<String> = analysis
        .vms
        .iter()
        .filter(|v| v.loose)
        .map(|v| v.vm.name.clone())
        .collect();
    let mut unrecognised = Miner::new();
    for vm in analysis.vms {
        for u in vm.unrecognised {
            unrecognised.absorb(u);
        }
        if let Some(at) = vm.collected_at {
            clocks.push(VmClock {
                vm: vm.vm.name.clone(),
                collected_at: at,
                newest_line: vm.newest_line.map(|n| (n.at, n.path)),
            });
        }
        coverage.files += vm.files;
        coverage.bytes += vm.bytes;
        let truncated = vm.truncated.as_ref().map(|t| {
            format!(
                "per-VM result truncated: {} of {} findings and {} of {} certificates kept",
                t.findings_kept, t.findings_total, t.certificates_kept, t.certificates_total
            )
        });
        bundles.push(Bundle {
            path: vm.origin,
            vm: vm.vm.name,
            deployment: vm.vm.deployment,
            az: vm.vm.az,
            collected_at: vm.collected_at,
            complete: vm.complete,
            files: vm.files,
            bytes: vm.bytes,
            problems: vm
                .problems
                .into_iter()
                .chain(
                    vm.incomplete_reason
                        .iter()
                        .map(|r| format!("bundle incomplete: {r}")),
                )
                .chain(truncated)
                .collect(),
        });
        findings.extend(vm.findings);
        certificates.extend(vm.certificates);
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
    let unrecognised = unrecognised.finish();
    let corr = correlate::correlate(&findings, &rules(sigs), &unplaced);
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
        unrecognised,
        coverage,
        fleet: Vec::new(),
    };
    crate::report::fleet::annotate(&mut report);
    report
}

/// One finding per line and category: a structured check and a signature (or two
/// signatures) that read the same line as the same kind of failure say it once. The
/// structured check wins (it knows more), then the more severe, then the first id, then
/// the first excerpt and the larger count.
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
        // A total order, so that the outcome does not depend on the order VMs were read in
        // (two VMs of one name in different deployments meet here).
        let rank = |f: &Finding| -> (bool, Severity, Reverse<String>, Reverse<String>, u64) {
            (
                is_check(f),
                f.severity,
                Reverse(f.signature.clone()),
                Reverse(f.excerpt.clone()),
                f.count,
            )
        };
        match best.get(&key) {
            Some(b) if rank(b) >= rank(&f) => {}
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
    // By (VM, category): a lookup per finding, not a walk through every check of the fleet
    // (that grew with the square of the fleet).
    let mut checks_found: HashMap<(&str, &str), Vec<&Finding>> = HashMap::new();
    for c in findings
        .iter()
        .filter(|f| is_check(f) && !f.captures.is_empty())
    {
        checks_found
            .entry((c.vm.as_str(), c.category.as_str()))
            .or_default()
            .push(c);
    }
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
                    .get(&(f.vm.as_str(), f.category.as_str()))
                    .is_some_and(|cs| cs.iter().any(|c| same_thing(f, c)))
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
                    title: s.title.clone(),
                    job: s.component.rsplit('/').next().map(str::to_string),
                    risk_below: None,
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
            title: id.replace('-', " "),
            job: None,
            risk_below: check_risk_below(id),
        });
    }
    rules
}

/// Which structured checks report risks that have not happened yet, and below which
/// severity: a certificate expiring soon or an unknown issuer never broke anything by
/// itself; a disk at the warning level (medium) is nearly full, at the high level full.
fn check_risk_below(id: &str) -> Option<Severity> {
    match id {
        "cert-expiring-soon" | "cert-unknown-issuer" => Some(Severity::Critical),
        "disk-full" | "inodes-exhausted" | "agent-vitals-disk" => Some(Severity::High),
        _ => None,
    }
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
    ("agent-silent", "The agent stopped logging while the jobs went on: on the VM `sv status agent` (or `systemctl status bosh-agent`), `sv restart agent`; if the VM cannot be reached, `bosh cck` recreates it. Seed 003: a VM stopped for investigation shows as `unresponsive agent`."),
    ("job-log-silent", "The job's process may hang or be gone: `monit summary` on the VM, read the end of the job's log and its stderr, `monit restart <process>`; look for what happened on the VM at the time the log ends."),
    ("restarted-process-silent", "monit restarted the process and it never came back to life: `monit summary`, the job's `*.stderr.log` and ctl logs (it may fail before its logger starts), `monit restart <process>`; a `bpm` job: `bpm logs <job>`."),
    ("agent-vitals-disk", "The agent reports a nearly full disk: free space or grow the disk, as for disk-full."),
];
