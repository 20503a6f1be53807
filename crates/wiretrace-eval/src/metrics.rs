//! Evaluation metrics as pure functions: accuracy, precision/recall/F1 of a positive class,
//! confusion matrices, B³ clustering scores, the adjusted Rand index and Pearson's r.
//!
//! None of them returns NaN: degenerate inputs (empty, constant) have a documented value or,
//! for Pearson's r where no value would be honest, `None`.

use std::collections::HashMap;
use std::hash::Hash;

/// Fraction of positions where `gold` and `pred` agree. Positions present in only one slice
/// count as wrong (the denominator is the longer length); `0.0` when both are empty.
pub fn accuracy<T: PartialEq>(gold: &[T], pred: &[T]) -> f64 {
    let n = gold.len().max(pred.len());
    if n == 0 {
        return 0.0;
    }
    let right = gold.iter().zip(pred).filter(|(g, p)| g == p).count();
    right as f64 / n as f64
}

/// Counts of a binary decision against gold, positive class = `true`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BinaryCounts {
    /// Gold positive, predicted positive.
    pub tp: usize,
    /// Gold negative, predicted positive.
    pub fp: usize,
    /// Gold positive, predicted negative.
    pub fn_: usize,
    /// Gold negative, predicted negative.
    pub tn: usize,
}

impl BinaryCounts {
    /// Counts over the positions both slices have.
    pub fn from_labels(gold: &[bool], pred: &[bool]) -> Self {
        let mut c = BinaryCounts::default();
        for (&g, &p) in gold.iter().zip(pred) {
            match (g, p) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => c.tn += 1,
            }
        }
        c
    }

    /// Items counted.
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// `(tp + tn) / total`; `0.0` when empty.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.total())
    }

    /// `tp / (tp + fp)`; `0.0` when nothing was predicted positive.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `tp / (tp + fn)`; `0.0` when there is no gold positive.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall; `0.0` when both are 0.
    pub fn f1(&self) -> f64 {
        harmonic(self.precision(), self.recall())
    }
}

/// An `n × n` confusion matrix, `m[gold][pred]`. Labels `>= n` are ignored.
pub fn confusion_matrix(gold: &[usize], pred: &[usize], n: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0usize; n]; n];
    for (&g, &p) in gold.iter().zip(pred) {
        if let Some(cell) = m.get_mut(g).and_then(|row| row.get_mut(p)) {
            *cell += 1;
        }
    }
    m
}

/// B³ precision, recall and F1 of a clustering against gold classes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BCubed {
    /// Mean over items of |own cluster ∩ own class| / |own cluster|.
    pub precision: f64,
    /// Mean over items of |own cluster ∩ own class| / |own class|.
    pub recall: f64,
    /// Harmonic mean of the two means.
    pub f1: f64,
}

/// B³ (Bagga & Baldwin 1998), averaged per item. `gold[i]` and `pred[i]` are item `i`'s class
/// and cluster label; only positions both slices have are scored. All zero when empty.
pub fn bcubed<G: Eq + Hash, P: Eq + Hash>(gold: &[G], pred: &[P]) -> BCubed {
    let n = gold.len().min(pred.len());
    if n == 0 {
        return BCubed::default();
    }
    let (gold, pred) = (&gold[..n], &pred[..n]);
    let mut class_size: HashMap<&G, usize> = HashMap::new();
    let mut cluster_size: HashMap<&P, usize> = HashMap::new();
    let mut cell: HashMap<(&G, &P), usize> = HashMap::new();
    for (g, p) in gold.iter().zip(pred) {
        *class_size.entry(g).or_default() += 1;
        *cluster_size.entry(p).or_default() += 1;
        *cell.entry((g, p)).or_default() += 1;
    }
    // Every item of a cell shares the same per-item scores: sum cell by cell.
    let (mut p_sum, mut r_sum) = (0.0, 0.0);
    for (&(g, p), &n_gp) in &cell {
        let n_gp = n_gp as f64;
        p_sum += n_gp * n_gp / cluster_size[p] as f64;
        r_sum += n_gp * n_gp / class_size[g] as f64;
    }
    let precision = p_sum / n as f64;
    let recall = r_sum / n as f64;
    BCubed {
        precision,
        recall,
        f1: harmonic(precision, recall),
    }
}

/// Adjusted Rand index (Hubert & Arabie 1985) from the contingency table. Symmetric in its
/// arguments; 1 for identical partitions, ≈ 0 for independent ones, can be negative. When the
/// index is undefined (fewer than 2 items, or both partitions all-singletons or both a single
/// cluster, where max index = expected index) the partitions agree on every pair, so 1.0.
pub fn adjusted_rand_index<A: Eq + Hash, B: Eq + Hash>(a: &[A], b: &[B]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut a_size: HashMap<&A, u64> = HashMap::new();
    let mut b_size: HashMap<&B, u64> = HashMap::new();
    let mut cell: HashMap<(&A, &B), u64> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *a_size.entry(x).or_default() += 1;
        *b_size.entry(y).or_default() += 1;
        *cell.entry((x, y)).or_default() += 1;
    }
    // Pair counts are exact integers (u128), so the result does not depend on hash order.
    let pairs = |k: u64| u128::from(k) * u128::from(k.saturating_sub(1)) / 2;
    let index = cell.values().map(|&k| pairs(k)).sum::<u128>() as f64;
    let sum_a = a_size.values().map(|&k| pairs(k)).sum::<u128>() as f64;
    let sum_b = b_size.values().map(|&k| pairs(k)).sum::<u128>() as f64;
    let total = pairs(n as u64) as f64;
    if total == 0.0 {
        return 1.0;
    }
    let expected = sum_a * sum_b / total;
    let max = (sum_a + sum_b) / 2.0;
    let denom = max - expected;
    if denom.abs() < 1e-12 {
        return 1.0;
    }
    (index - expected) / denom
}

/// Pearson's correlation coefficient over the positions both slices have. `None` when it is
/// undefined: fewer than 2 points, a constant side, or a non-finite value.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let (x, y) = (&x[..n], &y[..n]);
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    // Two passes (means first) for numerical stability.
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = sxy / (sxx.sqrt() * syy.sqrt());
    r.is_finite().then_some(r.clamp(-1.0, 1.0))
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r <= 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn accuracy_by_hand() {
        assert_eq!(accuracy(&[1, 0, 1, 1], &[1, 1, 1, 0]), 0.5);
        assert_eq!(accuracy::<u8>(&[], &[]), 0.0);
        assert_eq!(accuracy(&[1, 1], &[1]), 0.5); // the missing prediction is wrong
    }

    #[test]
    fn binary_counts_by_hand() {
        // gold: T T T F F ; pred: T F T T F → tp 2, fn 1, fp 1, tn 1.
        let c = BinaryCounts::from_labels(
            &[true, true, true, false, false],
            &[true, false, true, true, false],
        );
        assert_eq!((c.tp, c.fn_, c.fp, c.tn), (2, 1, 1, 1));
        assert!(close(c.accuracy(), 0.6));
        assert!(close(c.precision(), 2.0 / 3.0));
        assert!(close(c.recall(), 2.0 / 3.0));
        assert!(close(c.f1(), 2.0 / 3.0));
        let none = BinaryCounts::from_labels(&[true, false], &[false, false]);
        assert_eq!(
            (none.precision(), none.recall(), none.f1()),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn all_positive_baseline_matches_the_msrp_readme() {
        // MSRP test: 1,147 positives of 1,725 → accuracy 66.5 %, F1 79.9 %.
        let gold: Vec<bool> = (0..1725).map(|i| i < 1147).collect();
        let c = BinaryCounts::from_labels(&gold, &vec![true; 1725]);
        assert_eq!(format!("{:.3}", c.accuracy()), "0.665");
        assert_eq!(format!("{:.3}", c.f1()), "0.799");
    }

    #[test]
    fn confusion_by_hand() {
        let m = confusion_matrix(&[0, 0, 1, 2, 3, 9], &[0, 1, 1, 3, 3, 0], 4);
        assert_eq!(
            m,
            vec![
                vec![1, 1, 0, 0],
                vec![0, 1, 0, 0],
                vec![0, 0, 0, 1],
                vec![0, 0, 0, 1]
            ]
        );
    }

    #[test]
    fn bcubed_by_hand() {
        // Gold {0,1,2} {3,4}; predicted {0,1} {2,3,4}.
        // Precision per item: 1, 1, 1/3, 2/3, 2/3 → 11/15. Recall: 2/3, 2/3, 1/3, 1, 1 → 11/15.
        let b = bcubed(&["x", "x", "x", "y", "y"], &[1, 1, 2, 2, 2]);
        assert!(close(b.precision, 11.0 / 15.0));
        assert!(close(b.recall, 11.0 / 15.0));
        assert!(close(b.f1, 11.0 / 15.0));
        // All in one cluster: recall 1, precision = mean class share = (3·3/5 + 2·2/5)/5.
        let one = bcubed(&["x", "x", "x", "y", "y"], &[0, 0, 0, 0, 0]);
        assert!(close(one.recall, 1.0));
        assert!(close(one.precision, 13.0 / 25.0));
        assert_eq!(bcubed::<u8, u8>(&[], &[]), BCubed::default());
    }

    #[test]
    fn ari_by_hand() {
        // Classic example: a = [0,0,0,1,1,1], b = [0,0,1,1,2,2].
        // Cells: (0,0)=2,(0,1)=1,(1,1)=1,(1,2)=2 → index 2; a sums 3+3=6; b sums 1+1+1=3;
        // total 15; expected 6·3/15 = 1.2; max 4.5; ARI = 0.8/3.3.
        let ari = adjusted_rand_index(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!(close(ari, 0.8 / 3.3), "{ari}");
        // Degenerate cases: no NaN.
        assert_eq!(adjusted_rand_index::<u8, u8>(&[], &[]), 1.0);
        assert_eq!(adjusted_rand_index(&[7], &[3]), 1.0);
        assert_eq!(adjusted_rand_index(&[0, 1, 2], &[5, 6, 7]), 1.0);
        assert_eq!(adjusted_rand_index(&[0, 0, 0], &[1, 1, 1]), 1.0);
        assert_eq!(adjusted_rand_index(&[0, 0, 0], &[1, 2, 3]), 0.0);
    }

    #[test]
    fn pearson_by_hand() {
        // x = 1,2,3 ; y = 1,3,2 → sxy = 1, sxx = syy = 2 → r = 0.5.
        assert!(close(
            pearson(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]).expect("defined"),
            0.5
        ));
        assert_eq!(pearson(&[1.0], &[2.0]), None);
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0, f64::NAN], &[1.0, 2.0]), None);
    }

    fn labels() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(0u8..6, 0..60)
    }

    fn two_labelings() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
        (1usize..60).prop_flat_map(|n| {
            (
                proptest::collection::vec(0u8..6, n),
                proptest::collection::vec(0u8..6, n),
            )
        })
    }

    proptest! {
        #[test]
        fn bcubed_of_identical_is_one(g in labels()) {
            prop_assume!(!g.is_empty());
            let b = bcubed(&g, &g);
            prop_assert!(close(b.precision, 1.0) && close(b.recall, 1.0) && close(b.f1, 1.0));
        }

        #[test]
        fn bcubed_swaps_precision_and_recall((g, p) in two_labelings()) {
            let a = bcubed(&g, &p);
            let b = bcubed(&p, &g);
            prop_assert!(close(a.precision, b.recall) && close(a.recall, b.precision));
            for v in [a.precision, a.recall, a.f1] {
                prop_assert!((0.0..=1.0 + 1e-12).contains(&v));
            }
        }

        #[test]
        fn ari_of_identical_is_one(g in labels()) {
            prop_assert_eq!(adjusted_rand_index(&g, &g), 1.0);
        }

        #[test]
        fn ari_is_symmetric_finite_and_label_free((g, p) in two_labelings()) {
            let ab = adjusted_rand_index(&g, &p);
            prop_assert!(ab.is_finite() && ab <= 1.0 + 1e-12);
            prop_assert_eq!(ab, adjusted_rand_index(&p, &g));
            // Renaming labels changes nothing.
            let renamed: Vec<u32> = p.iter().map(|&x| u32::from(x) * 7 + 100).collect();
            prop_assert!(close(ab, adjusted_rand_index(&g, &renamed)));
        }

        #[test]
        fn pearson_of_linear_is_plus_minus_one(
            x in proptest::collection::vec(-1000.0f64..1000.0, 2..50),
            slope in 0.1f64..10.0,
            intercept in -100.0f64..100.0,
        ) {
            let spread = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                - x.iter().cloned().fold(f64::INFINITY, f64::min);
            prop_assume!(spread > 1e-3);
            let up: Vec<f64> = x.iter().map(|v| slope * v + intercept).collect();
            let down: Vec<f64> = x.iter().map(|v| -slope * v + intercept).collect();
            prop_assert!(close(pearson(&x, &up).expect("defined"), 1.0));
            prop_assert!(close(pearson(&x, &down).expect("defined"), -1.0));
        }

        #[test]
        fn pearson_is_bounded_and_symmetric(
            x in proptest::collection::vec(-1e6f64..1e6, 0..40),
            y in proptest::collection::vec(-1e6f64..1e6, 0..40),
        ) {
            let r = pearson(&x, &y);
            prop_assert_eq!(r, pearson(&y, &x));
            if let Some(r) = r {
                prop_assert!((-1.0..=1.0).contains(&r));
            }
        }

        #[test]
        fn accuracy_is_a_fraction(g in labels(), p in labels()) {
            let a = accuracy(&g, &p);
            prop_assert!((0.0..=1.0).contains(&a));
        }
    }
}
