//! Choosing the links of a pair from the scored cells: greedy one-to-one links, context links
//! along an ordered chain, and two-to-one merges with a neighbouring sentence.

use super::matrix::Cell;
use super::order::heaviest_chain;
use super::{AlignConfig, SentenceFeatures, SentenceSimilarity};

/// A link under construction: `(a, b, a_end, b_end, similarity)`.
pub(super) type RawLink = (usize, usize, Option<usize>, Option<usize>, f64);

/// The links chosen so far and the sentences they use: a sentence takes part in one link only.
pub(super) struct Links {
    links: Vec<RawLink>,
    used_a: Vec<bool>,
    used_b: Vec<bool>,
}

impl Links {
    /// Links greedily by decreasing similarity, one-to-one, above `threshold` (so a reordered
    /// passage still aligns: order is a feature, not a constraint).
    pub(super) fn greedy(cells: &[Cell], len_a: usize, len_b: usize, threshold: f64) -> Self {
        let mut used_a = vec![false; len_a];
        let mut used_b = vec![false; len_b];
        let mut links: Vec<RawLink> = Vec::new();
        for &(v, i, j) in cells {
            if v < threshold || used_a[i] || used_b[j] {
                continue;
            }
            used_a[i] = true;
            used_b[j] = true;
            links.push((i, j, None, None, v));
        }
        Links {
            links,
            used_a,
            used_b,
        }
    }

    /// The links, sorted by position in a, then in b.
    pub(super) fn into_sorted(mut self) -> Vec<RawLink> {
        self.links.sort_by_key(|l| (l.0, l.1));
        self.links
    }

    /// Adds context links: a paraphrasing tool rewrites every sentence but keeps their order, so
    /// each sentence's best match is its counterpart even when the similarity is low. Cells that are
    /// the best of both their row and their column, above `context_threshold`, become links when
    /// they lie on one ordered chain (with the strong links) that covers `context_coverage` of the
    /// shorter side. Independent reports of an event share scattered sentences, not such a chain.
    pub(super) fn add_context(
        &mut self,
        fa: &[SentenceFeatures],
        fb: &[SentenceFeatures],
        cells: &[Cell],
        config: &AlignConfig,
    ) {
        let Links {
            links,
            used_a,
            used_b,
        } = self;
        let mut row_best = vec![(0.0f64, usize::MAX); fa.len()];
        let mut col_best = vec![(0.0f64, usize::MAX); fb.len()];
        for &(v, i, j) in cells {
            if v > row_best[i].0 {
                row_best[i] = (v, j);
            }
            if v > col_best[j].0 {
                col_best[j] = (v, i);
            }
        }
        // Points of the chain: strong links (fixed) and candidate context cells.
        let mut points: Vec<(usize, usize, f64, bool)> =
            links.iter().map(|l| (l.0, l.1, l.4, true)).collect();
        for &(v, i, j) in cells {
            if v >= config.context_threshold
                && !used_a[i]
                && !used_b[j]
                && row_best[i].1 == j
                && col_best[j].1 == i
            {
                points.push((i, j, v, false));
            }
        }
        if points.len() < 3 {
            return;
        }
        points.sort_by_key(|p| (p.0, p.1));
        // Longest chain increasing in both coordinates, weighted by the words of side a and b.
        let chain: Vec<(usize, usize, f64, bool)> = heaviest_chain(
            points.len(),
            |m, k| points[m].0 < points[k].0 && points[m].1 < points[k].1,
            |k| fa[points[k].0].words + fb[points[k].1].words,
        )
        .into_iter()
        .map(|k| points[k])
        .collect();
        if chain.is_empty() {
            return;
        }
        let words_a: usize = fa.iter().map(|f| f.words).sum();
        let words_b: usize = fb.iter().map(|f| f.words).sum();
        let cov_a =
            chain.iter().map(|p| fa[p.0].words).sum::<usize>() as f64 / words_a.max(1) as f64;
        let cov_b =
            chain.iter().map(|p| fb[p.1].words).sum::<usize>() as f64 / words_b.max(1) as f64;
        let coverage = if words_a <= words_b { cov_a } else { cov_b };
        if coverage < config.context_coverage {
            return;
        }
        for (i, j, v, fixed) in chain {
            if !fixed {
                used_a[i] = true;
                used_b[j] = true;
                links.push((i, j, None, None, v));
            }
        }
    }

    /// Extends each link to a neighbouring unlinked sentence when the merged pair scores higher
    /// than the single one by `merge_gain` (a sentence split in two, or two merged into one).
    pub(super) fn merge_neighbours(
        &mut self,
        fa: &[SentenceFeatures],
        fb: &[SentenceFeatures],
        sim: &dyn SentenceSimilarity,
        config: &AlignConfig,
    ) {
        for link in self.links.iter_mut() {
            let (i, j, _, _, v) = *link;
            let mut best = (v, None, None);
            for nj in [j.checked_sub(1), Some(j + 1)].into_iter().flatten() {
                if nj < fb.len() && !self.used_b[nj] {
                    let (lo, hi) = (j.min(nj), j.max(nj));
                    let m = sim.similarity(&fa[i], &fb[lo].merged(&fb[hi]));
                    if m > best.0 + config.merge_gain {
                        best = (m, None, Some(nj));
                    }
                }
            }
            for ni in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
                if ni < fa.len() && !self.used_a[ni] {
                    let (lo, hi) = (i.min(ni), i.max(ni));
                    let m = sim.similarity(&fa[lo].merged(&fa[hi]), &fb[j]);
                    if m > best.0 + config.merge_gain {
                        best = (m, Some(ni), None);
                    }
                }
            }
            if let (m, Some(ni), None) = best {
                self.used_a[ni] = true;
                *link = (i.min(ni), j, Some(i.max(ni)), None, m);
            } else if let (m, None, Some(nj)) = best {
                self.used_b[nj] = true;
                *link = (i, j.min(nj), None, Some(j.max(nj)), m);
            }
        }
    }
}
