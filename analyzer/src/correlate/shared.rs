//! Fleet-scope links, shared by all the symptoms of a signature.
//!
//! A fleet-scope link reaches the same causes from every symptom of its signature: the
//! scope places no limit and `when` looks at the cause alone. Only the window differs from
//! one symptom to the next, and it cuts the causes sorted by time at one point: a symptom
//! reaches the causes without a time and a prefix of the timed ones. So the causes are
//! joined once into shared nodes of the graph (a balanced tree over the timed causes, one
//! node per distinct prefix), and each symptom gets one edge to its prefix. One edge per
//! (symptom, cause) pair grew with the square of the fleet: 1,600 symptoms x 400 causes
//! at 5,000 VMs.
//!
//! Shared nodes carry no reason (`""`): the reason stays on the symptom's edge.

use super::graph::captures_match;
use super::{Link, ANY};
use crate::finding::Finding;
use jiff::Timestamp;
use std::collections::HashMap;

/// Adds fleet-scope `link` of signature `sig` to the graph: an edge from each of `symptoms`
/// (findings of `sig`) to the node standing for the causes it reaches. `by_sig`: the
/// findings of each signature. The link's cause must not be `sig` itself (a finding never
/// explains itself; such links are followed pair by pair).
pub(super) fn add_fleet_link<'w>(
    link: &'w Link,
    sig: &str,
    symptoms: &[usize],
    findings: &[Finding],
    by_sig: &std::collections::BTreeMap<&str, Vec<usize>>,
    explainers: &mut Vec<Vec<(usize, &'w str)>>,
) {
    let causes: Vec<usize> = if link.cause == ANY {
        (0..findings.len())
            .filter(|&c| findings[c].signature != sig)
            .collect()
    } else {
        by_sig.get(link.cause.as_str()).cloned().unwrap_or_default()
    };
    let (mut timed, untimed): (Vec<usize>, Vec<usize>) = causes
        .into_iter()
        .filter(|&c| captures_match(link, &findings[c]))
        .partition(|&c| findings[c].timestamp.is_some());
    timed.sort_by_key(|&c| findings[c].timestamp);
    // How many timed causes a symptom reaches: those no later than its time plus the window.
    let reach = |s: &Finding| match (link.window, s.timestamp) {
        (Some(w), Some(t)) => {
            let limit = t.checked_add(w).unwrap_or(Timestamp::MAX);
            timed.partition_point(|&c| findings[c].timestamp.is_some_and(|ts| ts <= limit))
        }
        _ => timed.len(),
    };
    let untimed = join(explainers, untimed);
    let tree = Tree::build(explainers, &timed);
    let mut prefixes: HashMap<usize, Option<usize>> = HashMap::new();
    for &s in symptoms {
        let k = reach(&findings[s]);
        let node = *prefixes.entry(k).or_insert_with(|| {
            let mut parts = tree.prefix(k);
            parts.extend(untimed);
            join(explainers, parts)
        });
        if let Some(node) = node {
            explainers[s].push((node, link.why.as_str()));
        }
    }
}

/// A node explained by `members`: none when there are none, the member itself when one,
/// else a new shared node.
fn join(explainers: &mut Vec<Vec<(usize, &str)>>, members: Vec<usize>) -> Option<usize> {
    match members[..] {
        [] => None,
        [one] => Some(one),
        _ => {
            explainers.push(members.into_iter().map(|m| (m, "")).collect());
            Some(explainers.len() - 1)
        }
    }
}

/// A segment tree over causes sorted by time: any prefix is the union of at most two nodes
/// per level, and a chain through it is as deep as the tree (the roots are walked
/// recursively).
struct Tree {
    /// Heap order: node `v` joins `2v` and `2v + 1`; leaves from `width` on.
    nodes: Vec<Option<usize>>,
    width: usize,
}

impl Tree {
    fn build(explainers: &mut Vec<Vec<(usize, &str)>>, sorted: &[usize]) -> Tree {
        let width = sorted.len().next_power_of_two();
        let mut nodes = vec![None; 2 * width];
        for (i, &c) in sorted.iter().enumerate() {
            nodes[width + i] = Some(c);
        }
        for v in (1..width).rev() {
            let children = [nodes[2 * v], nodes[2 * v + 1]];
            nodes[v] = join(explainers, children.into_iter().flatten().collect());
        }
        Tree { nodes, width }
    }

    /// The nodes that together hold the first `k` causes.
    fn prefix(&self, k: usize) -> Vec<usize> {
        let mut parts = Vec::new();
        let (mut l, mut r) = (self.width, self.width + k);
        while l < r {
            if l & 1 == 1 {
                parts.extend(self.nodes[l]);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                parts.extend(self.nodes[r]);
            }
            l >>= 1;
            r >>= 1;
        }
        parts
    }
}
