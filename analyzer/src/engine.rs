//! The analysis run: inputs are read in parallel (rayon across inputs; the reader
//! parallelizes trees itself), every entry streams once through the matcher (and through the
//! structured checks when they want it), findings are grouped per VM, then correlated into
//! a [`Report`].
//!
//! - `sink`: the reader's sink, per VM (matcher and checks on one pass of each entry);
//! - `assemble`: one VM finished into its result, results merged into the report;
//! - `policy`: one finding per fact (same line, same thing counted by a check);
//! - [`rules`]: the correlation rules of the signatures and the checks.

mod assemble;
mod policy;
mod rules;
mod sink;

use assemble::finish_vm;
pub use assemble::merge;
pub use rules::rules;

use crate::input::{self, Input};
use crate::matcher::Matcher;
use crate::model::{Problem, ProblemKind, Report, SkippedEntry};
use crate::report::vm_result::{VmResult, VmResults};
use crate::signature::Signature;
use jiff::Timestamp;
use rayon::prelude::*;
use sink::{VmSink, VmState};
use std::collections::BTreeMap;
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

/// What reading produced before correlation: one [`VmResult`] per VM (read from bundles, or
/// made elsewhere and read back from a per-VM results document), and what was not read.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub vms: Vec<VmResult>,
    pub skipped: Vec<SkippedEntry>,
    /// Inputs or entries that could not be read.
    pub errors: Vec<Problem>,
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
    let sink = VmSink {
        matcher,
        sigs,
        vms: Mutex::new(BTreeMap::new()),
        skipped: Mutex::new(Vec::new()),
    };
    let mut errors: Vec<Problem> = problems.into_iter().map(Problem::from).collect();
    let mut results = Analysis::default();
    let schedule = input::Schedule::new(inputs.len());
    let per_input: Vec<(String, Vec<Problem>, Vec<VmResults>)> = inputs
        .par_iter()
        .map(|inp: &Input| {
            let how = schedule.start();
            let (probs, docs) = match crate::report::read_back::read(inp) {
                Some(back) => (back.problems, back.docs),
                None => (input::read_input_as(inp, &sink, how), Vec::new()),
            };
            progress(&inp.name());
            let probs: Vec<Problem> = probs.into_iter().map(Problem::from).collect();
            (inp.name(), probs, docs)
        })
        .collect();
    let vms: Vec<VmState> = sink
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
            errors.push(
                ProblemKind::NothingToAnalyze {
                    input: name.clone(),
                }
                .into(),
            );
        }
        // Attach each input's problems to its VMs (all VMs read from it).
        for vm in vms.iter_mut().filter(|v| of_input(v)) {
            vm.problems.extend(probs.iter().cloned());
        }
        errors.extend(probs);
    }
    results.vms = vms.into_iter().map(|vm| finish_vm(vm, opts)).collect();
    results.vms.extend(read_back);
    results
        .skipped
        .extend(sink.skipped.into_inner().unwrap_or_else(|e| e.into_inner()));
    results.errors = errors;
    results.inputs = inputs.len() as u64;
    results
}
