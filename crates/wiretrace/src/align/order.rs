//! The order of links: the heaviest chain increasing in both documents, and how much of the
//! alignment keeps the relative order of both sides.

use crate::model::AlignmentLink;

/// Words on each side covered by the heaviest chain of links that increase in both documents
/// (`links` sorted by a; `words[k]` = words of link k on each side). Quadratic in the links,
/// which are bounded by the sentences of the shorter side.
pub(super) fn monotone_chain(links: &[AlignmentLink], words: &[(usize, usize)]) -> (usize, usize) {
    let chain = heaviest_chain(
        links.len(),
        |m, k| {
            links[m].a_end.unwrap_or(links[m].a) < links[k].a
                && links[m].b_end.unwrap_or(links[m].b) < links[k].b
        },
        |k| words[k].0 + words[k].1,
    );
    chain
        .into_iter()
        .fold((0, 0), |(wa, wb), k| (wa + words[k].0, wb + words[k].1))
}

/// The heaviest chain of `n` items sorted by position, where `follows(m, k)` says item k may come
/// after item m: indices, last first (empty when `n` is 0). Quadratic; ties go to the later end.
pub(super) fn heaviest_chain(
    n: usize,
    follows: impl Fn(usize, usize) -> bool,
    weight: impl Fn(usize) -> usize,
) -> Vec<usize> {
    let mut best = vec![0usize; n];
    let mut prev = vec![usize::MAX; n];
    for k in 0..n {
        best[k] = weight(k);
        for m in 0..k {
            if follows(m, k) && best[m] + weight(k) > best[k] {
                best[k] = best[m] + weight(k);
                prev[k] = m;
            }
        }
    }
    let mut chain = Vec::new();
    let mut k = (0..n).max_by_key(|&k| best[k]);
    while let Some(i) = k {
        chain.push(i);
        k = (prev[i] != usize::MAX).then_some(prev[i]);
    }
    chain
}

/// Longest strictly increasing subsequence of b-positions over links sorted by a, as a share of
/// the links. One link is trivially ordered but says nothing, so fewer than three links score 0.5.
pub(super) fn order_coherence(links: &[AlignmentLink]) -> f64 {
    if links.len() < 3 {
        return 0.5;
    }
    let mut tails: Vec<usize> = Vec::new();
    for l in links {
        let pos = tails.partition_point(|&t| t < l.b);
        if pos == tails.len() {
            tails.push(l.b);
        } else {
            tails[pos] = l.b;
        }
    }
    tails.len() as f64 / links.len() as f64
}
