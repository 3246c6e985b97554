//! Report assembly: one VM's reading finished into its [`VmResult`], and per-VM results
//! merged into the [`Report`] (numbered, sorted, correlated).

use super::policy::{dedupe_same_line, subsumed_by_checks};
use super::rules::rules;
use super::sink::VmState;
use super::{Analysis, Options};
use crate::checks::{self, VmClock};
use crate::correlate;
use crate::model::{Bundle, Certificate, Coverage, Problem, ProblemKind, Report, SCHEMA};
use crate::report::vm_result::{NewestLine, Summary, VmResult};
use crate::signature::Signature;
use crate::unrecognised::Miner;
use std::collections::BTreeSet;

/// One VM's analysis, finished at its own "now": the structured checks judged, findings of
/// the same line said once. Everything [`merge`] needs from this VM, and nothing more.
pub(super) fn finish_vm(vm: VmState, opts: &Options) -> VmResult {
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
            Problem::from(ProblemKind::Truncated {
                findings_kept: t.findings_kept,
                findings_total: t.findings_total,
                certificates_kept: t.certificates_kept,
                certificates_total: t.certificates_total,
            })
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
                        .map(|reason| Problem::from(ProblemKind::Incomplete { reason })),
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

#[cfg(test)]
mod tests;
