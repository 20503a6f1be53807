//! Calibrated logistic models: `P(yes) = σ(a·(bias + Σ wᵢ·(xᵢ − meanᵢ)/scaleᵢ) + b)` over
//! named inputs read from some value (a pair's features, a sentence pair's signals). They are
//! fitted by `wiretrace-eval` (its `calibration` module) on development data, and only
//! evaluated here.

use serde::{Deserialize, Serialize};

/// An input a model reads from a value of type `X`.
pub trait Reads<X>: Copy {
    /// The input's value for `x`.
    fn of(self, x: &X) -> f64;
}

/// A calibrated logistic model of one yes/no question over inputs of kind `I`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic<I> {
    /// The inputs read, in the order of the other vectors.
    pub inputs: Vec<I>,
    /// Mean of each input on the fitting data (standardisation).
    pub mean: Vec<f64>,
    /// Standard deviation of each input on the fitting data (1 where it was 0).
    pub scale: Vec<f64>,
    /// Coefficient of each standardised input.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// Platt scaling of the score, fitted on out-of-fold scores: `(a, b)`.
    pub platt: (f64, f64),
}

impl<I: Copy> Logistic<I> {
    /// The uncalibrated score (log-odds) of `x`.
    pub fn score<X>(&self, x: &X) -> f64
    where
        I: Reads<X>,
    {
        self.inputs
            .iter()
            .zip(&self.mean)
            .zip(&self.scale)
            .zip(&self.weights)
            .map(|(((i, m), s), w)| w * (i.of(x) - m) / s)
            .sum::<f64>()
            + self.bias
    }

    /// The calibrated probability of "yes" for `x`.
    pub fn probability<X>(&self, x: &X) -> f64
    where
        I: Reads<X>,
    {
        sigmoid(self.platt.0 * self.score(x) + self.platt.1)
    }

    /// Whether the vectors agree in length (a parameter file could be edited by hand).
    pub fn is_well_formed(&self) -> bool {
        let n = self.inputs.len();
        self.mean.len() == n && self.scale.len() == n && self.weights.len() == n
    }
}

/// The logistic function.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
