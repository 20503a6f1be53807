//! Semantic blocking: each document's nearest neighbours by embedding cosine become candidate
//! pairs. This is the blocking key for the pairs the lexical keys cannot see — a spun or
//! condensed copy shares few 3-word shingles and few rare terms with its source, but its
//! document embedding lies next to the source's.
//!
//! Cost: an exact search is `n²·d` multiply-adds (19,000 documents × 384 dimensions ≈ 70 G,
//! seconds on two cores), so it is used up to [`EXACT_LIMIT`] documents; beyond, an HNSW index
//! (instant-distance) answers each query in `O(log n)`, at the price of missing a few true
//! neighbours (recall measured in the tests).

use rayon::prelude::*;

use super::postings::Near;
use crate::corpus::DocIdx;
use crate::semantic::Vector;

/// Documents up to which the neighbours are found exactly.
pub const EXACT_LIMIT: usize = 25_000;

/// Each document's `k` nearest neighbours with cosine at least `min_cosine`, nearest first
/// (ties to the lower index): exactly up to [`EXACT_LIMIT`] documents with a vector, by HNSW
/// beyond. Documents without a vector have none and are nobody's.
pub fn nearest_all(vectors: &[Option<Vector>], k: usize, min_cosine: f64) -> Vec<Vec<DocIdx>> {
    let present: Vec<(usize, &[f32])> = vectors
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_deref().map(|v| (i, v)))
        .collect();
    let mut out = vec![Vec::new(); vectors.len()];
    if k == 0 || present.len() < 2 {
        return out;
    }
    let lists = if present.len() <= EXACT_LIMIT {
        exact(&present, k, min_cosine)
    } else {
        approximate(&present, k, min_cosine)
    };
    for (list, &(i, _)) in lists.into_iter().zip(&present) {
        out[i] = list.into_iter().map(|(_, j)| DocIdx(j as u32)).collect();
    }
    out
}

/// The `k` documents nearest to `near` (exact scan), as [`nearest_all`] orders them.
pub fn nearest_scan(
    vectors: &[Option<Vector>],
    near: Near<'_>,
    k: usize,
    min_cosine: f64,
) -> Vec<DocIdx> {
    let (v, skip) = match near {
        Near::Doc(d) => match vectors.get(d.index()).and_then(|v| v.as_deref()) {
            Some(v) => (v, Some(d.index())),
            None => return Vec::new(),
        },
        Near::Vector(v) => (v, None),
    };
    if k == 0 {
        return Vec::new();
    }
    let floor = min_cosine as f32;
    let mut top: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
    for (j, w) in vectors.iter().enumerate() {
        if Some(j) == skip {
            continue;
        }
        if let Some(w) = w.as_deref() {
            let c = dot(v, w);
            if c >= floor {
                push_top(&mut top, k, c, j);
            }
        }
    }
    sort_nearest(&mut top);
    top.into_iter().map(|(_, j)| DocIdx(j as u32)).collect()
}

/// The documents before `before` whose cosine with `v` is at least `min_cosine`.
pub fn within(
    vectors: &[Option<Vector>],
    v: &[f32],
    min_cosine: f64,
    before: DocIdx,
) -> Vec<DocIdx> {
    let floor = min_cosine as f32;
    vectors
        .iter()
        .take(before.index())
        .enumerate()
        .filter(|(_, w)| w.as_deref().is_some_and(|w| dot(v, w) >= floor))
        .map(|(j, _)| DocIdx(j as u32))
        .collect()
}

/// Nearest first, ties to the lower index.
fn sort_nearest(top: &mut [(f32, usize)]) {
    top.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
}

/// Dot product in eight lanes, so the compiler vectorises it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Keeps the `k` best `(cosine, index)` of a stream (ties broken by the lower index, so the
/// result does not depend on the order of the stream).
fn push_top(top: &mut Vec<(f32, usize)>, k: usize, c: f32, j: usize) {
    let worse = |x: &(f32, usize), y: &(f32, usize)| x.0 < y.0 || (x.0 == y.0 && x.1 > y.1);
    if top.len() < k {
        top.push((c, j));
    } else if let Some(w) =
        (0..top.len()).reduce(|x, y| if worse(&top[y], &top[x]) { y } else { x })
    {
        if worse(&top[w], &(c, j)) {
            top[w] = (c, j);
        }
    }
}

fn exact(present: &[(usize, &[f32])], k: usize, min_cosine: f64) -> Vec<Vec<(usize, usize)>> {
    let floor = min_cosine as f32;
    present
        .par_iter()
        .map(|&(i, v)| {
            let mut top: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
            for &(j, w) in present {
                if j != i {
                    let c = dot(v, w);
                    if c >= floor {
                        push_top(&mut top, k, c, j);
                    }
                }
            }
            sort_nearest(&mut top);
            top.into_iter().map(|(_, j)| (i, j)).collect()
        })
        .collect()
}

/// A document vector as an HNSW point (distance = 1 − cosine).
#[derive(Clone)]
struct Point(Vector);

impl instant_distance::Point for Point {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - dot(&self.0, &other.0)
    }
}

fn approximate(present: &[(usize, &[f32])], k: usize, min_cosine: f64) -> Vec<Vec<(usize, usize)>> {
    let points: Vec<Point> = present.iter().map(|(_, v)| Point((*v).into())).collect();
    let ids: Vec<usize> = present.iter().map(|(i, _)| *i).collect();
    // A fixed seed: the same corpus gives the same layers.
    let map = instant_distance::Builder::default()
        .seed(0x5717_e7ace)
        .ef_search(k.max(32) * 2)
        .build(points.clone(), ids);
    points
        .par_iter()
        .zip(present.par_iter())
        .map(|(p, &(i, _))| {
            let mut search = instant_distance::Search::default();
            map.search(p, &mut search)
                .filter(|item| *item.value != i && f64::from(1.0 - item.distance) >= min_cosine)
                .take(k)
                .map(|item| (i, *item.value))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: Vec<f32>) -> Option<Vector> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        Some(v.into_iter().map(|x| x / n).collect::<Vec<_>>().into())
    }

    /// Points on a noisy grid of directions: vector i is close to i±1.
    fn corpus(n: usize, dims: usize) -> Vec<Option<Vector>> {
        (0..n)
            .map(|i| {
                unit(
                    (0..dims)
                        .map(|d| {
                            ((i as f32 * 0.05 + d as f32 * 1.3).sin() + 1.1)
                                * (1.0 + d as f32 * 0.01)
                        })
                        .collect(),
                )
            })
            .collect()
    }

    /// The pairs the neighbour lists make, `a < b`, sorted.
    fn neighbour_pairs(v: &[Option<Vector>], k: usize, floor: f64) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> = nearest_all(v, k, floor)
            .into_iter()
            .enumerate()
            .flat_map(|(i, l)| l.into_iter().map(move |j| (i as u32, j.0)))
            .map(|(x, y)| (x.min(y), x.max(y)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    #[test]
    fn nearest_neighbours_are_paired_and_far_ones_are_not() {
        let v = vec![
            unit(vec![1.0, 0.0, 0.0]),
            unit(vec![0.95, 0.05, 0.0]),
            unit(vec![0.0, 1.0, 0.0]),
            unit(vec![0.0, 0.97, 0.1]),
            None,
        ];
        let p = neighbour_pairs(&v, 1, 0.5);
        assert_eq!(p, vec![(0, 1), (2, 3)]);
        assert!(neighbour_pairs(&v, 0, 0.5).is_empty());
        assert!(neighbour_pairs(&v, 3, 1.1).is_empty());
    }

    #[test]
    fn approximate_search_finds_most_exact_neighbours() {
        let v = corpus(2_000, 16);
        let present: Vec<(usize, &[f32])> = v
            .iter()
            .enumerate()
            .map(|(i, x)| (i, x.as_deref().unwrap()))
            .collect();
        let flat = |l: Vec<Vec<(usize, usize)>>| -> std::collections::HashSet<(usize, usize)> {
            l.into_iter().flatten().collect()
        };
        let e = flat(exact(&present, 5, 0.0));
        let a = flat(approximate(&present, 5, 0.0));
        let recall = e.intersection(&a).count() as f64 / e.len() as f64;
        assert!(recall > 0.9, "HNSW recall {recall}");
    }

    #[test]
    fn a_scan_finds_the_lists_of_the_whole_batch() {
        let v = corpus(300, 8);
        let all = nearest_all(&v, 4, 0.2);
        for (i, list) in all.iter().enumerate() {
            let d = DocIdx(i as u32);
            assert_eq!(
                &nearest_scan(&v, Near::Doc(d), 4, 0.2),
                list,
                "document {i}"
            );
        }
    }

    #[test]
    fn dot_matches_the_plain_sum() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.1).collect();
        let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.05).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4);
    }
}
