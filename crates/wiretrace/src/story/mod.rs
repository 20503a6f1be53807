//! Stories and derivations: classified pairs → clusters of articles that tell the same story,
//! and directed source → derived edges.
//!
//! Stories are average-link clusters over the `same_event`-or-stronger pairs: edges are taken
//! strongest first, and two clusters merge only when the mean similarity over *all* their cross
//! pairs (pairs that were never candidates count as 0) reaches `link_average` — except along
//! `copy` edges, which always merge (same text, same story). That is the guard
//! against chaining: one weak link between two events cannot pull them together, because every
//! other cross pair votes against it. Each merge looks at `|A|·|B|` pairs, capped at 64 members
//! per side, so clustering stays linear in the number of candidate edges.
//!
//! Which way a derivation goes (source → derived) is decided in [`direction`], and only there:
//! publication times, an independent third report, excerpting, and the quote evidence the
//! quote stage hands over.

use std::collections::HashMap;

use crate::model::Relation;
use crate::union_find::UnionFind;

pub mod direction;
mod label;

pub use direction::{derivations, ArticleInfo};
pub use label::{story_id, story_label};

/// A pair as classification leaves it: what the story stage needs to know about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifiedPair {
    /// Lower document index.
    pub a: usize,
    /// Higher document index.
    pub b: usize,
    /// Relation.
    pub relation: Relation,
    /// The story score in [0, 1] ([`crate::classify::PairFeatures::similarity_with`]): what
    /// stories merge on. Users see the graded similarity instead (`Pair::similarity`).
    pub similarity: f64,
    /// Content-word cosine of the two documents.
    pub cosine: f64,
    /// Shorter over longer length.
    pub length_ratio: f64,
    /// Verbatim-covered share of the shorter side.
    pub verbatim_short: f64,
    /// True when side a is the shorter.
    pub a_is_short: bool,
    /// The pair would tell the same event but was published too far apart: a later
    /// development. Such a pair is a cannot-link for stories, whatever chains the two articles
    /// (an undated copy can sit close to both the event and its follow-up).
    pub later_development: bool,
}

/// Clusters `n` documents into stories; returns, for each story, its member indices (sorted),
/// stories ordered by decreasing size then first member. Every document is in exactly one story.
pub fn cluster(n: usize, pairs: &[ClassifiedPair], link_average: f64) -> Vec<Vec<usize>> {
    const CAP: usize = 64;
    let sim: HashMap<(usize, usize), f64> =
        pairs.iter().map(|p| ((p.a, p.b), p.similarity)).collect();
    let later: std::collections::HashSet<(usize, usize)> = pairs
        .iter()
        .filter(|p| p.later_development)
        .map(|p| (p.a.min(p.b), p.a.max(p.b)))
        .collect();
    let mut edges: Vec<&ClassifiedPair> = pairs
        .iter()
        .filter(|p| p.relation.is_same_story())
        .collect();
    edges.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let mut clusters = UnionFind::new(n);
    // Each cluster's members in merge order, under its root: the vote below reads the first
    // `CAP` of them, so the order is the forest's (the larger cluster's members first).
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for e in edges {
        let (ra, rb) = (clusters.find(e.a), clusters.find(e.b));
        if ra == rb {
            continue;
        }
        let ma = &members[ra];
        let mb = &members[rb];
        let mut total = 0.0;
        let mut count = 0usize;
        let mut apart = false;
        for &x in ma.iter().take(CAP) {
            for &y in mb.iter().take(CAP) {
                let key = if x < y { (x, y) } else { (y, x) };
                total += sim.get(&key).copied().unwrap_or(0.0);
                apart |= later.contains(&key);
                count += 1;
            }
        }
        if apart && e.relation != Relation::Copy {
            continue;
        }
        // A copy is the same text: it joins its original's story whatever the rest of the
        // cluster, so a story syndicated hundreds of times (whose copies are only chained by
        // the candidate stage) stays one story.
        if e.relation == Relation::Copy || count > 0 && total / count as f64 >= link_average {
            if let Some(merge) = clusters.union(ra, rb) {
                let moved = std::mem::take(&mut members[merge.absorbed]);
                members[merge.root].extend(moved);
            }
        }
    }
    let mut out = clusters.sets();
    out.sort_by(|x, y| y.len().cmp(&x.len()).then(x[0].cmp(&y[0])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pair of the given relation and similarity (its cosine too), equal lengths.
    pub(super) fn sp(a: usize, b: usize, relation: Relation, similarity: f64) -> ClassifiedPair {
        ClassifiedPair {
            a,
            b,
            relation,
            similarity,
            cosine: similarity,
            length_ratio: 1.0,
            verbatim_short: 0.0,
            a_is_short: true,
            later_development: false,
        }
    }

    #[test]
    fn a_later_development_is_never_merged_into_the_event_story() {
        // 0 and 1 report the event; 2 is a follow-up published days later (related to 0 by the
        // time window); 1 is undated and close to both.
        let mut later = sp(0, 2, Relation::Related, 0.6);
        later.later_development = true;
        let pairs = vec![
            sp(0, 1, Relation::HeavyRewrite, 0.7),
            sp(1, 2, Relation::SameEvent, 0.6),
            later,
        ];
        let stories = cluster(3, &pairs, 0.1);
        assert_eq!(stories, vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn one_weak_link_does_not_chain_two_events() {
        // Two tight triangles {0,1,2} and {3,4,5}, joined by a single weak same_event edge 2-3.
        let mut pairs = vec![];
        for (x, y) in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)] {
            pairs.push(sp(x, y, Relation::SameEvent, 0.8));
        }
        pairs.push(sp(2, 3, Relation::SameEvent, 0.35));
        let stories = cluster(6, &pairs, 0.2);
        assert_eq!(stories, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    }

    /// Regression: 2,000 copies of one article, chained by the candidate stage (large LSH buckets
    /// are chained, not paired exhaustively), were split into 182 stories by the average rule.
    #[test]
    fn chained_copies_stay_one_story() {
        let pairs: Vec<ClassifiedPair> = (0..1999)
            .map(|i| sp(i, i + 1, Relation::Copy, 1.0))
            .collect();
        let stories = cluster(2000, &pairs, 0.1);
        assert_eq!(stories.len(), 1);
    }

    #[test]
    fn clustering_is_idempotent_and_covers_everyone() {
        let pairs = vec![
            sp(0, 1, Relation::Copy, 0.9),
            sp(2, 3, Relation::Related, 0.2),
        ];
        let s1 = cluster(5, &pairs, 0.2);
        let s2 = cluster(5, &pairs, 0.2);
        assert_eq!(s1, s2);
        let mut all: Vec<usize> = s1.concat();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
    }
}
