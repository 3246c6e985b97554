//! Every literal a candidate line contains, none masked by another (a literal hidden
//! inside a longer one is still reported): an overlapping Aho-Corasick search.
//!
//! The automaton holds only each literal's first [`HEAD`] bytes, and a head found is
//! confirmed by comparing the whole literal at that position. A literal occurs only where
//! its head does, so nothing is missed; the automaton has half the states of one over the
//! whole literals (the library's 1,300 literals are 31 KB), and building it was the
//! largest part of start-up.

use aho_corasick::{AhoCorasick, BuildError, MatchKind};
use std::collections::HashMap;

/// How many leading bytes of a literal the automaton holds.
const HEAD: usize = 12;

/// The literals, searchable for all their occurrences in one line.
#[derive(Debug, Clone)]
pub(crate) struct Contains {
    heads: AhoCorasick,
    /// Head index -> the literals that start with it.
    literals_of: Vec<Vec<u32>>,
    literals: Vec<Box<[u8]>>,
}

impl Contains {
    pub(crate) fn new(literals: &[&str]) -> Result<Contains, BuildError> {
        let mut index: HashMap<&[u8], usize> = HashMap::new();
        let mut heads: Vec<&[u8]> = Vec::new();
        let mut literals_of: Vec<Vec<u32>> = Vec::new();
        for (i, lit) in literals.iter().enumerate() {
            let head = &lit.as_bytes()[..lit.len().min(HEAD)];
            let h = *index.entry(head).or_insert_with(|| {
                heads.push(head);
                literals_of.push(Vec::new());
                heads.len() - 1
            });
            literals_of[h].push(i as u32);
        }
        Ok(Contains {
            heads: AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&heads)?,
            literals_of,
            literals: literals.iter().map(|l| l.as_bytes().into()).collect(),
        })
    }

    /// Calls `found` with the index of every literal occurrence in `line` (a literal
    /// occurring twice is reported twice).
    pub(crate) fn each_in(&self, line: &[u8], mut found: impl FnMut(usize)) {
        for m in self.heads.find_overlapping_iter(line) {
            for &lit in &self.literals_of[m.pattern().as_usize()] {
                if line[m.start()..].starts_with(&self.literals[lit as usize]) {
                    found(lit as usize);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(c: &Contains, line: &str) -> Vec<usize> {
        let mut v = Vec::new();
        c.each_in(line.as_bytes(), |i| v.push(i));
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn literals_sharing_a_head_and_hidden_inside_others_are_all_found() {
        let c = Contains::new(&[
            "failed-to-connect-to-bbs",
            "failed-to-connect-to-locket",
            "connect",
            "bbs",
            "short",
        ])
        .unwrap();
        assert_eq!(found(&c, "rep.failed-to-connect-to-bbs"), [0, 2, 3]);
        assert_eq!(found(&c, "rep.failed-to-connect-to-locket"), [1, 2]);
        // The head of both long literals occurs, neither whole literal does.
        assert_eq!(found(&c, "rep.failed-to-connect-to-nats"), [2]);
        assert_eq!(found(&c, "sho"), Vec::<usize>::new());
    }
}
