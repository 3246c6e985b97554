//! [`Selection`]: the set of signatures one file can see, as a bitset over signature
//! indices.

/// The signatures a file can see (see [`super::Matcher::select`]). An empty selection means
/// the file need not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    words: Vec<u64>,
    universe: usize,
}

impl Selection {
    /// No signature out of `universe`.
    pub fn none(universe: usize) -> Selection {
        Selection {
            words: vec![0; universe.div_ceil(64)],
            universe,
        }
    }

    /// Every signature out of `universe`.
    pub fn all(universe: usize) -> Selection {
        let mut s = Selection::none(universe);
        for i in 0..universe {
            s.insert(i);
        }
        s
    }

    /// Only signature `i` out of `universe`.
    pub fn only(universe: usize, i: usize) -> Selection {
        let mut s = Selection::none(universe);
        s.insert(i);
        s
    }

    /// Adds signature `i`; indices outside the universe are ignored.
    pub fn insert(&mut self, i: usize) {
        if i < self.universe {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        i < self.universe && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// How many signatures are selected.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The selected signature indices, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.universe).filter(|i| self.contains(*i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset_basics() {
        let mut s = Selection::none(130);
        assert!(s.is_empty());
        s.insert(0);
        s.insert(64);
        s.insert(129);
        s.insert(130);
        assert_eq!(s.len(), 3);
        assert!(s.contains(129) && !s.contains(130) && !s.contains(1));
        assert_eq!(s.iter().collect::<Vec<_>>(), [0, 64, 129]);
        assert_eq!(Selection::all(70).len(), 70);
        assert_eq!(Selection::only(3, 2).iter().collect::<Vec<_>>(), [2]);
        assert!(Selection::none(0).is_empty());
    }
}
