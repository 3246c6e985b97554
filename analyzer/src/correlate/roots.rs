//! The tops of the explanation chains, for every node of the graph at once.
//!
//! The graph: `explainers[n]` lists the nodes that explain node `n`. Nodes `0..findings`
//! are findings; the nodes after them are shared sets of causes (see
//! [`super::shared`]), which always explain something, so they are never a top.
//!
//! What correlation needs of a finding is which *signatures* its chains end in (a root
//! cause is a signature grouped across VMs), so that is what is computed, once per node
//! and shared between nodes with the same answer: a fleet has thousands of findings and a
//! handful of distinct answers. Only chains that meet a cycle are walked finding by finding
//! ([`roots_of`]).

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// The tops of one node's chains.
#[derive(Debug, Clone)]
pub(super) enum Roots {
    /// The chains end: the signatures (indexes into the caller's names) of the findings at
    /// their tops, sorted. A finding nothing explains is its own top.
    Signatures(Rc<[u32]>),
    /// The chains meet a cycle: the findings at the top, walked by [`roots_of`].
    Findings(BTreeSet<usize>),
}

/// [`Roots`] of every node. `findings`: how many nodes are findings; `signature[i]` the
/// signature index of finding `i`.
pub(super) fn all_roots(
    explainers: &[Vec<(usize, &str)>],
    findings: usize,
    signature: &[u32],
) -> Vec<Roots> {
    let mut memo = Memo {
        explainers,
        signature,
        state: vec![Visit::New; explainers.len()],
        interned: HashMap::new(),
    };
    (0..explainers.len())
        .map(|n| match memo.roots(n) {
            Some(sigs) => Roots::Signatures(sigs),
            None => Roots::Findings(roots_of(n, explainers, findings)),
        })
        .collect()
}

#[derive(Clone)]
enum Visit {
    New,
    Open,
    /// `None`: a cycle was met on the way.
    Done(Option<Rc<[u32]>>),
}

struct Memo<'a, 'w> {
    explainers: &'a [Vec<(usize, &'w str)>],
    signature: &'a [u32],
    state: Vec<Visit>,
    /// Every distinct set of signatures made, shared.
    interned: HashMap<Vec<u32>, Rc<[u32]>>,
}

impl Memo<'_, '_> {
    fn roots(&mut self, n: usize) -> Option<Rc<[u32]>> {
        match &self.state[n] {
            Visit::Done(r) => return r.clone(),
            Visit::Open => return None,
            Visit::New => {}
        }
        if self.explainers[n].is_empty() {
            let r = Some(self.intern(vec![self.signature[n]]));
            self.state[n] = Visit::Done(r.clone());
            return r;
        }
        self.state[n] = Visit::Open;
        let mut parts: Vec<Rc<[u32]>> = Vec::new();
        let mut cycle = false;
        for k in 0..self.explainers[n].len() {
            match self.roots(self.explainers[n][k].0) {
                Some(r) => parts.push(r),
                None => cycle = true,
            }
        }
        let result = (!cycle).then(|| {
            parts.sort_by_key(|p| Rc::as_ptr(p) as *const u32 as usize);
            parts.dedup_by(|a, b| Rc::ptr_eq(a, b));
            if parts.len() == 1 {
                return Rc::clone(&parts[0]);
            }
            let union: BTreeSet<u32> = parts.iter().flat_map(|p| p.iter().copied()).collect();
            self.intern(union.into_iter().collect())
        });
        self.state[n] = Visit::Done(result.clone());
        result
    }

    fn intern(&mut self, sigs: Vec<u32>) -> Rc<[u32]> {
        Rc::clone(
            self.interned
                .entry(sigs)
                .or_insert_with_key(|s| Rc::from(s.as_slice())),
        )
    }
}

/// The findings at the top of `n`'s explanation chains: every finding reachable from `n`
/// through explainers that nothing explains. When all of them are explained (a cycle with no
/// way out), the reachable findings other than `n` stand together; `n` alone stands for
/// itself. Nodes from `findings` on are shared sets of causes, never a top.
pub(super) fn roots_of(
    n: usize,
    explainers: &[Vec<(usize, &str)>],
    findings: usize,
) -> BTreeSet<usize> {
    let mut reached = BTreeSet::new();
    let mut todo = vec![n];
    while let Some(m) = todo.pop() {
        if reached.insert(m) {
            todo.extend(explainers[m].iter().map(|&(c, _)| c));
        }
    }
    let roots: BTreeSet<usize> = reached
        .iter()
        .copied()
        .filter(|&m| explainers[m].is_empty())
        .collect();
    if !roots.is_empty() {
        return roots;
    }
    let others: BTreeSet<usize> = reached
        .into_iter()
        .filter(|&m| m != n && m < findings)
        .collect();
    if others.is_empty() {
        BTreeSet::from([n])
    } else {
        others
    }
}

/// The findings a shared node `n` (from `findings` on) stands for, through the shared nodes
/// it joins.
pub(super) fn findings_in(
    n: usize,
    explainers: &[Vec<(usize, &str)>],
    findings: usize,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut todo = vec![n];
    while let Some(m) = todo.pop() {
        if m < findings {
            out.push(m);
        } else {
            todo.extend(explainers[m].iter().map(|&(c, _)| c));
        }
    }
    out
}
