//! Fitting and checking calibrated yes/no models: L2-regularised logistic regression
//! (linfa-logistic) with the regularisation chosen out of fold, Platt scaling fitted on
//! out-of-fold scores, grouped folds (no source text on both sides of a split), and the
//! calibration report (reliability table, ECE, Brier score).

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use wiretrace::logistic::{sigmoid, Logistic, Reads};

/// Regularisation strengths tried (the one with the lowest out-of-fold log loss is kept).
const ALPHAS: [f64; 5] = [0.001, 0.01, 0.1, 1.0, 10.0];

/// One labelled example of a question about values of type `X`.
#[derive(Debug, Clone)]
pub struct Example<X> {
    /// What the model reads.
    pub features: X,
    /// The answer.
    pub label: bool,
    /// The group it belongs to (a source text, a topic): folds never split a group.
    pub group: String,
}

/// A fitted question with its out-of-fold evidence.
#[derive(Debug, Clone)]
pub struct Fitted<I> {
    /// The model fitted on all examples, calibrated on their out-of-fold scores.
    pub model: Logistic<I>,
    /// Each example's calibrated probability from models that never saw its group (the Platt
    /// scaling too is fitted without the example's fold).
    pub out_of_fold: Vec<f64>,
    /// The regularisation kept.
    pub alpha: f64,
    /// Folds used.
    pub folds: usize,
}

/// Fold of each example: groups are dealt to `k` folds in order of a hash of their name, so a
/// group's examples stay together and the split does not depend on the examples' order.
pub fn group_folds<X>(examples: &[Example<X>], k: usize) -> Vec<usize> {
    let mut groups: Vec<&str> = examples.iter().map(|e| e.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    groups.sort_by_key(|g| fnv1a(g));
    let fold: BTreeMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(n, g)| (*g, n % k))
        .collect();
    examples.iter().map(|e| fold[e.group.as_str()]).collect()
}

fn fnv1a(s: &str) -> u64 {
    // FNV-1a: stable across builds and platforms, which is all a fold assignment needs.
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Fits one question over `inputs` with `k` grouped folds (fewer when there are fewer groups).
pub fn fit_question<I: Reads<X>, X>(
    inputs: &[I],
    examples: &[Example<X>],
    k: usize,
) -> Result<Fitted<I>> {
    let n_groups = {
        let mut g: Vec<&str> = examples.iter().map(|e| e.group.as_str()).collect();
        g.sort_unstable();
        g.dedup();
        g.len()
    };
    let k = k.min(n_groups);
    if k < 2 {
        bail!("a question needs examples from at least two groups");
    }
    let (mean, scale) = standardisation(inputs, examples);
    let x = matrix(inputs, examples, &mean, &scale);
    let y: Vec<bool> = examples.iter().map(|e| e.label).collect();
    let folds = group_folds(examples, k);
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    for alpha in ALPHAS {
        let scores = out_of_fold_scores(&x, &y, &folds, k, alpha)?;
        let loss = log_loss(&scores.iter().map(|&s| sigmoid(s)).collect::<Vec<_>>(), &y);
        if best.as_ref().is_none_or(|b| loss < b.0) {
            best = Some((loss, alpha, scores));
        }
    }
    let Some((_, alpha, scores)) = best else {
        bail!("no regularisation strength was tried")
    };
    let (weights, bias) = fit_logistic(&x, &y, alpha)?;
    let out_of_fold = calibrated_out_of_fold(&scores, &y, &folds, k)?;
    Ok(Fitted {
        model: Logistic {
            inputs: inputs.to_vec(),
            mean,
            scale,
            weights,
            bias,
            platt: platt(&scores, &y)?,
        },
        out_of_fold,
        alpha,
        folds: k,
    })
}

/// Mean and standard deviation of each input (1 where it does not vary).
fn standardisation<I: Reads<X>, X>(inputs: &[I], examples: &[Example<X>]) -> (Vec<f64>, Vec<f64>) {
    let n = examples.len().max(1) as f64;
    inputs
        .iter()
        .map(|i| {
            let m = examples.iter().map(|e| i.of(&e.features)).sum::<f64>() / n;
            let v = examples
                .iter()
                .map(|e| (i.of(&e.features) - m).powi(2))
                .sum::<f64>()
                / n;
            (m, if v > 1e-12 { v.sqrt() } else { 1.0 })
        })
        .unzip()
}

fn matrix<I: Reads<X>, X>(
    inputs: &[I],
    examples: &[Example<X>],
    mean: &[f64],
    scale: &[f64],
) -> Array2<f64> {
    Array2::from_shape_fn((examples.len(), inputs.len()), |(r, c)| {
        (inputs[c].of(&examples[r].features) - mean[c]) / scale[c]
    })
}

/// Logistic regression weights and intercept of `y` on `x` (already standardised).
fn fit_logistic(x: &Array2<f64>, y: &[bool], alpha: f64) -> Result<(Vec<f64>, f64)> {
    if y.iter().all(|&v| v) || y.iter().all(|&v| !v) {
        bail!("a question needs examples of both answers");
    }
    let data = Dataset::new(x.clone(), Array1::from_vec(y.to_vec()));
    let fitted = LogisticRegression::default()
        .alpha(alpha)
        .max_iterations(500)
        .fit(&data)?;
    // linfa models the more frequent answer as the positive class: turn its log-odds into
    // those of `true`.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok((
        fitted.params().iter().map(|w| sign * w).collect(),
        sign * fitted.intercept(),
    ))
}

/// The raw score (log-odds) of each example from a model fitted on the other folds.
fn out_of_fold_scores(
    x: &Array2<f64>,
    y: &[bool],
    folds: &[usize],
    k: usize,
    alpha: f64,
) -> Result<Vec<f64>> {
    let mut scores = vec![0.0; y.len()];
    for fold in 0..k {
        let train: Vec<usize> = (0..y.len()).filter(|&r| folds[r] != fold).collect();
        let xt = x.select(ndarray::Axis(0), &train);
        let yt: Vec<bool> = train.iter().map(|&r| y[r]).collect();
        let (w, b) = fit_logistic(&xt, &yt, alpha)?;
        for r in (0..y.len()).filter(|&r| folds[r] == fold) {
            scores[r] = b + x.row(r).iter().zip(&w).map(|(v, w)| v * w).sum::<f64>();
        }
    }
    Ok(scores)
}

/// Platt scaling `(a, b)`: `P = σ(a·score + b)`, fitted by logistic regression of the labels
/// on the scores (a vanishing penalty: Platt's method is unregularised).
fn platt(scores: &[f64], y: &[bool]) -> Result<(f64, f64)> {
    let x = Array2::from_shape_fn((scores.len(), 1), |(r, _)| scores[r]);
    let (w, b) = fit_logistic(&x, y, 1e-6)?;
    Ok((w[0], b))
}

/// Calibrated out-of-fold probabilities: each fold's scores mapped by a Platt scaling fitted on
/// the other folds' out-of-fold scores.
fn calibrated_out_of_fold(
    scores: &[f64],
    y: &[bool],
    folds: &[usize],
    k: usize,
) -> Result<Vec<f64>> {
    let mut out = vec![0.0; y.len()];
    for fold in 0..k {
        let rest: Vec<usize> = (0..y.len()).filter(|&r| folds[r] != fold).collect();
        let s: Vec<f64> = rest.iter().map(|&r| scores[r]).collect();
        let l: Vec<bool> = rest.iter().map(|&r| y[r]).collect();
        let (a, b) = platt(&s, &l)?;
        for r in (0..y.len()).filter(|&r| folds[r] == fold) {
            out[r] = sigmoid(a * scores[r] + b);
        }
    }
    Ok(out)
}

/// Mean negative log-likelihood of the labels.
pub fn log_loss(p: &[f64], y: &[bool]) -> f64 {
    let eps = 1e-12;
    p.iter()
        .zip(y)
        .map(|(&p, &y)| -(if y { p.max(eps) } else { (1.0 - p).max(eps) }).ln())
        .sum::<f64>()
        / p.len().max(1) as f64
}

/// Mean squared error of the probabilities (the Brier score).
pub fn brier(p: &[f64], y: &[bool]) -> f64 {
    p.iter()
        .zip(y)
        .map(|(&p, &y)| (p - f64::from(u8::from(y))).powi(2))
        .sum::<f64>()
        / p.len().max(1) as f64
}

/// One bin of a reliability table.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Bin {
    /// Lower edge of the bin's probabilities.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Examples in the bin.
    pub n: usize,
    /// Mean predicted probability in the bin.
    pub predicted: f64,
    /// Share of the bin's examples whose answer is yes.
    pub observed: f64,
}

/// The reliability table: `bins` equal-width probability bins (empty ones left out).
pub fn reliability(p: &[f64], y: &[bool], bins: usize) -> Vec<Bin> {
    let bins = bins.max(1);
    let mut acc = vec![(0usize, 0.0f64, 0usize); bins];
    for (&p, &y) in p.iter().zip(y) {
        let k = ((p * bins as f64) as usize).min(bins - 1);
        acc[k].0 += 1;
        acc[k].1 += p;
        acc[k].2 += usize::from(y);
    }
    acc.iter()
        .enumerate()
        .filter(|(_, a)| a.0 > 0)
        .map(|(k, &(n, sum, pos))| Bin {
            lo: k as f64 / bins as f64,
            hi: (k + 1) as f64 / bins as f64,
            n,
            predicted: sum / n as f64,
            observed: pos as f64 / n as f64,
        })
        .collect()
}

/// Expected calibration error over a reliability table: the example-weighted mean gap between
/// predicted and observed.
pub fn ece(table: &[Bin]) -> f64 {
    let n: usize = table.iter().map(|b| b.n).sum();
    table
        .iter()
        .map(|b| b.n as f64 * (b.predicted - b.observed).abs())
        .sum::<f64>()
        / n.max(1) as f64
}

/// Whether the observed share never falls as the predicted probability rises (bins with fewer
/// than `min_n` examples are too noisy to count).
pub fn is_monotone(table: &[Bin], min_n: usize) -> bool {
    let kept: Vec<f64> = table
        .iter()
        .filter(|b| b.n >= min_n)
        .map(|b| b.observed)
        .collect();
    kept.windows(2).all(|w| w[1] + 1e-12 >= w[0])
}

/// The reliability table as text.
pub fn render_reliability(table: &[Bin]) -> String {
    let mut out = String::from("  predicted      n   mean p  observed\n");
    for b in table {
        out.push_str(&format!(
            "  {:.1}-{:.1}  {:>6}   {:.3}    {:.3}\n",
            b.lo, b.hi, b.n, b.predicted, b.observed
        ));
    }
    out
}

/// The calibration of a report's confidences: `confidence` of each decision and whether it was
/// right. Returns the ECE and Brier metric rows and the reliability table (ten bins of
/// confidence; per bin the decisions and the right ones).
pub fn confidence_report(
    confidence: &[f64],
    right: &[bool],
) -> (Vec<crate::report::MetricRow>, crate::report::Table) {
    use crate::report::{MetricRow, Table};
    let table = reliability(confidence, right, 10);
    let metrics = vec![
        MetricRow::new("confidence_ece", ece(&table)),
        MetricRow::new("confidence_brier", brier(confidence, right)),
    ];
    let table = Table {
        name: "reliability".into(),
        rows: "confidence".into(),
        cols: "decisions".into(),
        row_labels: table
            .iter()
            .map(|b| format!("{:.1}-{:.1} (mean {:.3})", b.lo, b.hi, b.predicted))
            .collect(),
        col_labels: vec!["decisions".into(), "right".into()],
        cells: table
            .iter()
            .map(|b| vec![b.n, (b.observed * b.n as f64).round() as usize])
            .collect(),
    };
    (metrics, table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiretrace::classify::{Input, PairFeatures};

    fn example(x: f64, label: bool, group: usize) -> Example<PairFeatures> {
        Example {
            features: PairFeatures {
                order_evidence: x,
                ..PairFeatures::default()
            },
            label,
            group: format!("g{group}"),
        }
    }

    /// Labels drawn with P(yes) = σ(3x − 3): the fitted, calibrated model recovers
    /// probabilities close to the truth, out of fold too.
    #[test]
    fn a_logistic_truth_is_recovered_and_calibrated() {
        let mut examples = Vec::new();
        let mut state = 7u64;
        for k in 0..2000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let x = (k % 100) as f64 / 50.0;
            examples.push(example(x, u < sigmoid(3.0 * x - 3.0), k % 20));
        }
        let fit = fit_question(&[Input::OrderEvidence], &examples, 5).unwrap();
        for x in [0.0, 1.0, 2.0] {
            let f = PairFeatures {
                order_evidence: x,
                ..PairFeatures::default()
            };
            let truth = sigmoid(3.0 * x - 3.0);
            assert!((fit.model.probability(&f) - truth).abs() < 0.06, "at {x}");
        }
        let y: Vec<bool> = examples.iter().map(|e| e.label).collect();
        let table = reliability(&fit.out_of_fold, &y, 10);
        assert!(ece(&table) < 0.05, "{}", render_reliability(&table));
        assert!(brier(&fit.out_of_fold, &y) < 0.25);
    }

    #[test]
    fn folds_keep_groups_together() {
        let examples: Vec<Example<PairFeatures>> =
            (0..30).map(|k| example(0.0, k % 2 == 0, k % 7)).collect();
        let folds = group_folds(&examples, 3);
        for (a, ea) in examples.iter().enumerate() {
            for (b, eb) in examples.iter().enumerate() {
                if ea.group == eb.group {
                    assert_eq!(folds[a], folds[b]);
                }
            }
        }
        assert!((0..3).all(|f| folds.contains(&f)));
    }

    #[test]
    fn one_answer_only_is_an_error_not_a_panic() {
        let examples: Vec<Example<PairFeatures>> = (0..10).map(|k| example(1.0, true, k)).collect();
        assert!(fit_question(&[Input::OrderEvidence], &examples, 5).is_err());
    }

    #[test]
    fn a_perfect_forecast_has_no_calibration_error() {
        let p = [0.0, 0.0, 1.0, 1.0];
        let y = [false, false, true, true];
        assert_eq!(ece(&reliability(&p, &y, 10)), 0.0);
        assert_eq!(brier(&p, &y), 0.0);
        assert!(is_monotone(&reliability(&p, &y, 10), 1));
    }
}
