//! Lineage evidence of a pair: does one text follow the other **in order beyond chance**?
//!
//! Independent reports of one event cover each other a lot; what a rewrite has and they lack is
//! order: it walks through its source sentence by sentence, in other words or condensed. The
//! evidence is built from *matches*, not links: every sentence's best counterpart on the other
//! side (row-best and column-best cells of the similarity matrix), so that one condensed
//! sentence may match two or three source sentences and no mutual-best rule drops a spun
//! sentence. A match's strength is the stronger of its lexical and embedding similarity
//! ([`super::SentenceSimilarity::strength`]). The heaviest chain of matches increasing in both
//! documents is compared with the same matches in shuffled order: a permutation test with
//! sequential stopping (Besag & Clifford 1991) gives the chance that order this good arises from
//! the matches alone. The chain's coverage and strength are the effect sizes.

use super::matrix::Cell;
use super::{SentenceFeatures, SentenceSimilarity};

/// Shuffles tried at most: the smallest p-value the test can give is 1/(PERMUTATIONS + 1).
const PERMUTATIONS: usize = 199;
/// Shuffles whose chain reaches the observed one after which the test stops: p is then known
/// to be large, and the exact value matters little (Besag & Clifford's sequential test).
const STOP_AFTER: usize = 10;

/// The lineage evidence of a pair (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lineage {
    /// Matches considered (row-best and column-best cells).
    pub matches: usize,
    /// Share of a's words in sentences on the heaviest monotone chain of matches.
    pub chain_a: f64,
    /// Share of b's words in sentences on the same chain.
    pub chain_b: f64,
    /// Mean strength of the chain's matches, weighted like the chain.
    pub strength: f64,
    /// Share of a's words in sentences on the chain whose match is more likely a paraphrase
    /// than not (strength above one half, when strength is the paraphrase model's probability).
    pub cover_a: f64,
    /// The same share of b's words.
    pub cover_b: f64,
    /// Permutation p-value of the chain's weight: the chance that the same matches in a random
    /// order form a chain at least as heavy. 1 when there are fewer than three matches.
    pub order_p: f64,
}

impl Default for Lineage {
    fn default() -> Self {
        Lineage {
            matches: 0,
            chain_a: 0.0,
            chain_b: 0.0,
            strength: 0.0,
            cover_a: 0.0,
            cover_b: 0.0,
            order_p: 1.0,
        }
    }
}

impl Lineage {
    /// The same evidence seen from the other side.
    pub fn mirrored(self) -> Self {
        Lineage {
            chain_a: self.chain_b,
            chain_b: self.chain_a,
            cover_a: self.cover_b,
            cover_b: self.cover_a,
            ..self
        }
    }
}

/// A match: positions in a and b, and its weight in the chain (strength × words of both
/// sentences).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Match {
    a: usize,
    b: usize,
    strength: f64,
    weight: f64,
}

/// The lineage evidence of two documents from their scored cells.
pub(super) fn lineage(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    cells: &[Cell],
    sim: &dyn SentenceSimilarity,
) -> Lineage {
    let matches = best_matches(fa, fb, cells, sim);
    if matches.is_empty() {
        return Lineage::default();
    }
    let (weight, chain) = heaviest(&matches);
    let strong: Vec<usize> = chain
        .iter()
        .copied()
        .filter(|&k| matches[k].strength > 0.5)
        .collect();
    let words = |f: &[SentenceFeatures], on: &dyn Fn(&Match) -> usize, members: &[usize]| {
        let total: usize = f.iter().map(|s| s.words).sum();
        let mut seen: Vec<usize> = members.iter().map(|&k| on(&matches[k])).collect();
        seen.sort_unstable();
        seen.dedup();
        let covered: usize = seen.iter().map(|&i| f[i].words).sum();
        (covered as f64 / total.max(1) as f64).min(1.0)
    };
    let chain_weight: f64 = chain.iter().map(|&k| matches[k].weight).sum();
    let strength = chain
        .iter()
        .map(|&k| matches[k].strength * matches[k].weight)
        .sum::<f64>()
        / chain_weight.max(1e-12);
    Lineage {
        matches: matches.len(),
        chain_a: words(fa, &|m| m.a, &chain),
        chain_b: words(fb, &|m| m.b, &chain),
        cover_a: words(fa, &|m| m.a, &strong),
        cover_b: words(fb, &|m| m.b, &strong),
        strength: if chain_weight > 0.0 { strength } else { 0.0 },
        order_p: order_p(&matches, weight),
    }
}

/// Each sentence's best cell on either side (cells come best first), sorted by position.
fn best_matches(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    cells: &[Cell],
    sim: &dyn SentenceSimilarity,
) -> Vec<Match> {
    let mut row = vec![false; fa.len()];
    let mut col = vec![false; fb.len()];
    let mut picked: Vec<(usize, usize)> = Vec::new();
    for &(v, i, j) in cells {
        if v <= 0.0 || (row[i] && col[j]) {
            continue;
        }
        row[i] = true;
        col[j] = true;
        picked.push((i, j));
    }
    picked.sort_unstable();
    picked
        .into_iter()
        .map(|(a, b)| {
            let strength = sim.strength(&fa[a], &fb[b]);
            Match {
                a,
                b,
                strength,
                weight: strength * (fa[a].words + fb[b].words) as f64,
            }
        })
        .collect()
}

/// The heaviest chain of matches (sorted by position) that never goes back in either document
/// and moves forward in at least one: its weight and its members. Many-to-one matches (one
/// condensed sentence for two source sentences) chain. Quadratic in the matches, which are
/// bounded by the sentences of both sides.
fn heaviest(matches: &[Match]) -> (f64, Vec<usize>) {
    let n = matches.len();
    let mut best = vec![0.0f64; n];
    let mut prev = vec![usize::MAX; n];
    for k in 0..n {
        best[k] = matches[k].weight;
        for m in 0..k {
            let (x, y) = (&matches[m], &matches[k]);
            if x.a <= y.a && x.b <= y.b && best[m] + y.weight > best[k] {
                best[k] = best[m] + y.weight;
                prev[k] = m;
            }
        }
    }
    let Some(end) = (0..n).max_by(|&x, &y| best[x].total_cmp(&best[y])) else {
        return (0.0, Vec::new());
    };
    let mut chain = vec![end];
    while prev[chain[chain.len() - 1]] != usize::MAX {
        chain.push(prev[chain[chain.len() - 1]]);
    }
    (best[end], chain)
}

/// The weight of [`heaviest`]'s chain alone, in `O(M log M)`: the shuffles only need the
/// weight, and a Fenwick tree of the best chain ending at or below each b position replaces the
/// quadratic scan (matches sorted by `(a, b)`: every possible predecessor comes first).
fn heaviest_weight(matches: &[Match]) -> f64 {
    let size = matches.iter().map(|m| m.b + 1).max().unwrap_or(0);
    let mut tree = vec![0.0f64; size + 1];
    let mut best = 0.0f64;
    for m in matches {
        let mut prefix = 0.0f64;
        let mut i = m.b + 1;
        while i > 0 {
            prefix = prefix.max(tree[i]);
            i &= i - 1;
        }
        let here = prefix + m.weight;
        best = best.max(here);
        let mut i = m.b + 1;
        while i <= size {
            tree[i] = tree[i].max(here);
            i += i & i.wrapping_neg();
        }
    }
    best
}

/// The permutation p-value of a chain weight `observed` over `matches`: the b positions are
/// shuffled among the matches (each keeps its a position and weight). Deterministic: the
/// shuffles are seeded from the matches, so a pair always gets the same value.
fn order_p(matches: &[Match], observed: f64) -> f64 {
    if matches.len() < 3 {
        return 1.0;
    }
    let mut rng = SplitMix64::seeded(matches);
    let mut shuffled = matches.to_vec();
    let mut b: Vec<usize> = matches.iter().map(|m| m.b).collect();
    let mut reached = 0usize;
    for done in 1..=PERMUTATIONS {
        rng.shuffle(&mut b);
        for (m, &j) in shuffled.iter_mut().zip(&b) {
            m.b = j;
        }
        shuffled.sort_by_key(|m| (m.a, m.b));
        // A tie counts as reaching: shuffles that keep the order are as good as the original.
        if heaviest_weight(&shuffled) >= observed - 1e-9 {
            reached += 1;
            if reached == STOP_AFTER {
                return reached as f64 / done as f64;
            }
        }
    }
    (reached + 1) as f64 / (PERMUTATIONS + 1) as f64
}

/// SplitMix64 (Steele, Lea & Flood 2014): a fixed generator written out here rather than a
/// crate's, whose algorithm may change between versions — a pair's p-value is part of stored
/// results and of the report, and must not move with a dependency update.
struct SplitMix64(u64);

impl SplitMix64 {
    fn seeded(matches: &[Match]) -> Self {
        let mut h = 0x9e37_79b9_7f4a_7c15u64;
        for m in matches {
            h = (h ^ (m.a as u64)).wrapping_mul(0x0100_0000_01b3);
            h = (h ^ (m.b as u64)).wrapping_mul(0x0100_0000_01b3);
        }
        SplitMix64(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(a: usize, b: usize) -> Match {
        Match {
            a,
            b,
            strength: 0.5,
            weight: 10.0,
        }
    }

    #[test]
    fn a_sentence_by_sentence_rewrite_is_ordered_beyond_chance() {
        let matches: Vec<Match> = (0..12).map(|k| m(k, k)).collect();
        let (w, chain) = heaviest(&matches);
        assert_eq!(chain.len(), 12);
        assert!(order_p(&matches, w) < 0.01);
    }

    #[test]
    fn shuffled_matches_are_not() {
        // The same twelve matches in an order that a shuffle would give.
        let b = [7, 2, 10, 0, 5, 11, 3, 8, 1, 9, 4, 6];
        let matches: Vec<Match> = b.iter().enumerate().map(|(a, &b)| m(a, b)).collect();
        let (w, _) = heaviest(&matches);
        assert!(order_p(&matches, w) > 0.2, "{}", order_p(&matches, w));
    }

    #[test]
    fn a_condensed_sentence_chains_with_all_its_sources() {
        // b0 condenses a0..a2, b1 = a3, b2 condenses a4 and a5.
        let matches = vec![m(0, 0), m(1, 0), m(2, 0), m(3, 1), m(4, 2), m(5, 2)];
        let (_, chain) = heaviest(&matches);
        assert_eq!(chain.len(), 6);
    }

    proptest::proptest! {
        /// The fast weight is the weight of the chain the quadratic search finds.
        #[test]
        fn the_fast_chain_weight_agrees_with_the_quadratic_one(
            points in proptest::collection::btree_set((0usize..30, 0usize..30), 0..60),
            weights in proptest::collection::vec(0.0f64..5.0, 60),
        ) {
            let matches: Vec<Match> = points
                .into_iter()
                .zip(&weights)
                .map(|((a, b), &w)| Match { a, b, strength: 0.5, weight: w })
                .collect();
            let (w, chain) = heaviest(&matches);
            proptest::prop_assert!((heaviest_weight(&matches) - w).abs() < 1e-9);
            let sum: f64 = chain.iter().map(|&k| matches[k].weight).sum();
            proptest::prop_assert!((sum - w).abs() < 1e-9 || matches.is_empty());
        }
    }

    #[test]
    fn too_few_matches_say_nothing() {
        assert_eq!(order_p(&[m(0, 0), m(1, 1)], 20.0), 1.0);
    }

    #[test]
    fn the_test_is_deterministic() {
        let matches: Vec<Match> = (0..8).map(|k| m(k, (k * 3) % 8)).collect();
        let (w, _) = heaviest(&matches);
        assert_eq!(order_p(&matches, w), order_p(&matches, w));
    }
}
