//! Disjoint sets over `0..n` (union-find): the one way the crate joins things transitively.
//!
//! Stories, quote groups and near-duplicate groups are all connected components of a graph
//! whose edges arrive one at a time, and the evaluation asks whether gold groups are connected:
//! all four use this one forest.
//!
//! Union by size with path halving: a `find` costs the inverse Ackermann function of `n`,
//! amortised (Tarjan & van Leeuwen 1984), and the structure is two `usize` per element.
//!
//! Which root survives a union is part of the contract, not an accident: the root of the larger
//! set, or the first argument's on a tie. Story clustering keeps each cluster's member list in
//! merge order beside the forest and reads only the first members of big clusters, so another
//! rule would change which members it reads and so the stories. [`UnionFind::sets`] lists the
//! components in an order that does not depend on the roots at all, for callers that only
//! want the partition.

/// Disjoint sets over the elements `0..n`, each starting alone.
#[derive(Debug, Clone, Default)]
pub struct UnionFind {
    parent: Vec<usize>,
    /// The number of elements under each root; stale for elements that are not roots.
    size: Vec<usize>,
}

/// What a [`UnionFind::union`] that joined two sets did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    /// The root of the joined set: the root of the larger of the two, or of the first argument's
    /// on a tie.
    pub root: usize,
    /// The other set's former root, now under `root`.
    pub absorbed: usize,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The root of `x`'s set; the same for every member until the set is joined to another.
    ///
    /// # Panics
    /// When `x >= self.len()`.
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            // Path halving: every other node on the path skips to its grandparent, so repeated
            // finds flatten the tree without a second pass or recursion.
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`; `None` when they were already one set.
    ///
    /// # Panics
    /// When `a` or `b` is `>= self.len()`.
    pub fn union(&mut self, a: usize, b: usize) -> Option<Merge> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return None;
        }
        let (root, absorbed) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[absorbed] = root;
        self.size[root] += self.size[absorbed];
        Some(Merge { root, absorbed })
    }

    /// True when `a` and `b` are in one set.
    pub fn connected(&mut self, a: usize, b: usize) -> bool {
        self.find(a) == self.find(b)
    }

    /// The number of elements in `x`'s set.
    pub fn set_size(&mut self, x: usize) -> usize {
        let root = self.find(x);
        self.size[root]
    }

    /// Every set, singletons included, each in increasing order, the sets ordered by their
    /// smallest member: the partition alone, whichever roots the unions chose.
    pub fn sets(&mut self) -> Vec<Vec<usize>> {
        let mut slot: Vec<Option<usize>> = vec![None; self.len()];
        let mut out: Vec<Vec<usize>> = Vec::new();
        for x in 0..self.len() {
            let root = self.find(x);
            let k = *slot[root].get_or_insert_with(|| {
                out.push(Vec::new());
                out.len() - 1
            });
            out[k].push(x);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unions_join_transitively() {
        let mut uf = UnionFind::new(6);
        assert_eq!(uf.len(), 6);
        assert!(!uf.connected(0, 1));
        assert!(uf.union(0, 1).is_some());
        assert!(uf.union(2, 1).is_some());
        assert!(uf.union(0, 2).is_none(), "already one set");
        assert!(uf.connected(0, 2));
        assert!(!uf.connected(0, 3));
        assert_eq!(uf.set_size(2), 3);
        assert_eq!(uf.set_size(5), 1);
        assert_eq!(uf.sets(), vec![vec![0, 1, 2], vec![3], vec![4], vec![5]]);
    }

    #[test]
    fn the_larger_set_keeps_its_root_and_the_first_wins_a_tie() {
        let mut uf = UnionFind::new(5);
        assert_eq!(
            uf.union(3, 1),
            Some(Merge {
                root: 3,
                absorbed: 1
            })
        );
        // {3, 1} is larger than {0}, whichever side it is on.
        assert_eq!(
            uf.union(0, 1),
            Some(Merge {
                root: 3,
                absorbed: 0
            })
        );
        assert_eq!(uf.find(0), 3);
        uf.union(2, 4);
        assert_eq!(uf.set_size(4), 2);
        assert_eq!(
            uf.union(4, 3).map(|m| m.absorbed),
            Some(2),
            "the three-member set absorbs the pair"
        );
    }

    #[test]
    fn sets_do_not_depend_on_the_order_of_unions() {
        let mut a = UnionFind::new(5);
        a.union(4, 2);
        a.union(2, 0);
        let mut b = UnionFind::new(5);
        b.union(0, 2);
        b.union(2, 4);
        assert_eq!(a.sets(), b.sets());
        assert_eq!(a.sets(), vec![vec![0, 2, 4], vec![1], vec![3]]);
    }

    #[test]
    fn empty() {
        let mut uf = UnionFind::new(0);
        assert!(uf.is_empty());
        assert!(uf.sets().is_empty());
    }

    fn unions() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
        (1usize..40).prop_flat_map(|n| (Just(n), prop::collection::vec((0..n, 0..n), 0..60)))
    }

    proptest! {
        /// After any sequence of unions, two elements have one root exactly when the unions
        /// connect them, checked against a label per element that every union relabels.
        #[test]
        fn same_root_iff_connected((n, edges) in unions()) {
            let mut uf = UnionFind::new(n);
            let mut label: Vec<usize> = (0..n).collect();
            for &(a, b) in &edges {
                let joined = label[a] != label[b];
                prop_assert_eq!(uf.union(a, b).is_some(), joined);
                let (from, to) = (label[b], label[a]);
                for l in &mut label {
                    if *l == from {
                        *l = to;
                    }
                }
            }
            for x in 0..n {
                for y in 0..n {
                    prop_assert_eq!(uf.find(x) == uf.find(y), label[x] == label[y], "{} {}", x, y);
                }
                let size = label.iter().filter(|&&l| l == label[x]).count();
                prop_assert_eq!(uf.set_size(x), size);
            }
            let sets = uf.sets();
            prop_assert_eq!(sets.iter().map(Vec::len).sum::<usize>(), n);
            for set in &sets {
                prop_assert!(set.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(set.iter().all(|&x| label[x] == label[set[0]]));
            }
            prop_assert!(sets.windows(2).all(|w| w[0][0] < w[1][0]));
        }

        /// The larger set's root survives a union (the first argument's on a tie).
        #[test]
        fn the_larger_root_survives((n, edges) in unions()) {
            let mut uf = UnionFind::new(n);
            for &(a, b) in &edges {
                let (ra, rb) = (uf.find(a), uf.find(b));
                let (sa, sb) = (uf.set_size(a), uf.set_size(b));
                if let Some(m) = uf.union(a, b) {
                    let want = if sa >= sb { (ra, rb) } else { (rb, ra) };
                    prop_assert_eq!((m.root, m.absorbed), want);
                    prop_assert_eq!(uf.find(a), m.root);
                }
            }
        }
    }
}
