//! The fitted decision: calibrated logistic models over a pair's features, arranged as a tree
//! of binary questions, whose product gives each relation a probability.
//!
//! ```text
//! lineage? ─ yes → its grade: copy / light_rewrite / heavy_rewrite
//!          └ no ─ same event? ─ yes → same_event
//!                            └ no ─ related? ─ yes → related
//!                                            └ no → unrelated
//! ```
//!
//! The grade of a pair with shared text is not a question of this model yet: Clough's "cut"
//! answers (assembled from pieces with edits) and the news pairs graded by hand disagree on
//! where a copy ends, and each fitted alone breaks the other (docs/EVALUATION.md). The caller
//! gives the grade by the fitted definitional rungs of the parameters (`copy_verbatim`,
//! `light_reuse`), and the confidence of a derived relation is the probability of shared text.
//!
//! "Lineage" is shared text: one text written from the other, or both from one source. Telling
//! those two apart (a derivation family with no arrow) needs a third text, not the pair alone
//! (measured: docs/EVALUATION.md), and is not decided here yet.
//!
//! Each question is a [`Logistic`] fitted by `wiretrace-eval/examples/fit_decision.rs` on
//! development data and calibrated out of fold (Platt scaling of its out-of-fold scores); the
//! parameter file says which data fitted which question. Each question is answered by its more
//! probable answer, from the root down — shared text or not is decided on its own probability,
//! not after the lineage mass is split among three grades — and the confidence is the
//! probability of the leaf reached (the product of the answers on its path).

use serde::{Deserialize, Serialize};

use super::PairFeatures;
use crate::logistic::Reads;
use crate::model::Relation;

/// A feature of a pair that a model may read (the names are the parameter file's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// [`PairFeatures::verbatim_short`].
    VerbatimShort,
    /// [`PairFeatures::near_short`].
    NearShort,
    /// [`PairFeatures::paraphrase_short`].
    ParaphraseShort,
    /// [`PairFeatures::reuse_short`].
    ReuseShort,
    /// [`PairFeatures::reuse_long`].
    ReuseLong,
    /// [`PairFeatures::mean_similarity`].
    MeanSimilarity,
    /// [`PairFeatures::number_agreement`].
    NumberAgreement,
    /// [`PairFeatures::containment`].
    Containment,
    /// [`PairFeatures::cosine`].
    Cosine,
    /// The documents' embedding cosine ([`PairFeatures::semantic`]); the content-word cosine
    /// where the pair has none.
    Semantic,
    /// [`PairFeatures::entity_overlap`].
    EntityOverlap,
    /// [`PairFeatures::length_ratio`].
    LengthRatio,
    /// [`PairFeatures::lineage_chain`].
    LineageChain,
    /// [`PairFeatures::lineage_chain_long`].
    LineageChainLong,
    /// [`PairFeatures::lineage_cover`].
    LineageCover,
    /// [`PairFeatures::lineage_cover_long`].
    LineageCoverLong,
    /// [`PairFeatures::lineage_strength`].
    LineageStrength,
    /// [`PairFeatures::order_evidence`].
    OrderEvidence,
}

/// A calibrated yes/no model over pair features.
pub type Logistic = crate::logistic::Logistic<Input>;

impl Reads<PairFeatures> for Input {
    fn of(self, f: &PairFeatures) -> f64 {
        match self {
            Input::VerbatimShort => f.verbatim_short,
            Input::NearShort => f.near_short,
            Input::ParaphraseShort => f.paraphrase_short,
            Input::ReuseShort => f.reuse_short,
            Input::ReuseLong => f.reuse_long,
            Input::MeanSimilarity => f.mean_similarity,
            Input::NumberAgreement => f.number_agreement,
            Input::Containment => f.containment,
            Input::Cosine => f.cosine,
            Input::Semantic => f.semantic.unwrap_or(f.cosine),
            Input::EntityOverlap => f.entity_overlap,
            Input::LengthRatio => f.length_ratio,
            Input::LineageChain => f.lineage_chain,
            Input::LineageChainLong => f.lineage_chain_long,
            Input::LineageCover => f.lineage_cover,
            Input::LineageCoverLong => f.lineage_cover_long,
            Input::LineageStrength => f.lineage_strength,
            Input::OrderEvidence => f.order_evidence,
        }
    }
}

/// The tree of questions (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionModel {
    /// Where each question was fitted, for `fit` and for the report's readers.
    pub note: String,
    /// Do the texts share lineage (one from the other, or both from one source)?
    pub lineage: Logistic,
    /// Not derived: do they tell the same event?
    pub same_event: Logistic,
    /// Neither derived nor the same event: are they related?
    pub related: Logistic,
}

impl DecisionModel {
    /// The probability of each relation, in the order of [`Relation::ALL`], when shared text
    /// would be of grade `grade`; they sum to 1.
    pub fn probabilities(&self, f: &PairFeatures, grade: Relation) -> [f64; 6] {
        self.answers(f).leaves(grade)
    }

    /// The relation each question's more probable answer leads to (`grade` for shared text),
    /// and its probability.
    pub fn decide(&self, f: &PairFeatures, grade: Relation) -> (Relation, f64) {
        self.answers(f).decide(grade)
    }

    /// Each question's probability of "yes" for a pair.
    pub fn answers(&self, f: &PairFeatures) -> Answers {
        Answers {
            lineage: self.lineage.probability(f),
            same_event: self.same_event.probability(f),
            related: self.related.probability(f),
        }
    }

    /// Whether every question's vectors agree in length.
    pub fn is_well_formed(&self) -> bool {
        [&self.lineage, &self.same_event, &self.related]
            .iter()
            .all(|m| m.is_well_formed())
    }
}

/// The probability of "yes" to each question of the tree for one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answers {
    /// Shared lineage.
    pub lineage: f64,
    /// Same event, given no lineage.
    pub same_event: f64,
    /// Related, given no lineage and another event.
    pub related: f64,
}

impl Answers {
    /// The probability of each leaf, in the order of [`Relation::ALL`], with shared text of
    /// grade `grade` (a derivation relation; anything else counts as heavy).
    pub fn leaves(&self, grade: Relation) -> [f64; 6] {
        let Answers {
            lineage: s,
            same_event: e,
            related: r,
        } = *self;
        let mut p = [
            0.0,
            0.0,
            0.0,
            (1.0 - s) * e,
            (1.0 - s) * (1.0 - e) * r,
            (1.0 - s) * (1.0 - e) * (1.0 - r),
        ];
        p[grade_index(grade)] = s;
        p
    }

    /// Walks the tree taking each question's more probable answer (a tie goes to "yes", the
    /// stronger relation): the relation reached and its probability.
    pub fn decide(&self, grade: Relation) -> (Relation, f64) {
        let leaves = self.leaves(grade);
        let k = if self.lineage >= 0.5 {
            grade_index(grade)
        } else if self.same_event >= 0.5 {
            3
        } else if self.related >= 0.5 {
            4
        } else {
            5
        };
        (Relation::ALL[k], leaves[k])
    }
}

/// The leaf of a grade of shared text.
fn grade_index(grade: Relation) -> usize {
    match grade {
        Relation::Copy => 0,
        Relation::LightRewrite => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: Input, weight: f64, bias: f64) -> Logistic {
        Logistic {
            inputs: vec![input],
            mean: vec![0.0],
            scale: vec![1.0],
            weights: vec![weight],
            bias,
            platt: (1.0, 0.0),
        }
    }

    fn model() -> DecisionModel {
        DecisionModel {
            note: String::new(),
            lineage: one(Input::OrderEvidence, 4.0, -4.0),
            same_event: one(Input::Cosine, 10.0, -3.0),
            related: one(Input::Cosine, 10.0, -1.0),
        }
    }

    #[test]
    fn probabilities_sum_to_one_and_the_confidence_is_the_leaf_reached() {
        let m = model();
        for (order, verbatim, cosine) in [(0.0, 0.0, 0.0), (2.3, 0.9, 0.5), (2.0, 0.1, 0.4)] {
            let f = PairFeatures {
                order_evidence: order,
                verbatim_short: verbatim,
                cosine,
                ..PairFeatures::default()
            };
            let p = m.probabilities(&f, Relation::HeavyRewrite);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            let (rel, conf) = m.decide(&f, Relation::HeavyRewrite);
            assert_eq!(
                Relation::ALL.iter().position(|&r| r == rel).map(|k| p[k]),
                Some(conf)
            );
            // Shared text is decided on its own probability.
            let lineage: f64 = p[..3].iter().sum();
            assert_eq!(rel.is_derivation(), lineage >= 0.5, "{p:?}");
        }
    }

    #[test]
    fn order_beyond_chance_makes_a_pair_derived() {
        let m = model();
        let ordered = PairFeatures {
            order_evidence: 2.3,
            cosine: 0.5,
            ..PairFeatures::default()
        };
        assert_eq!(
            m.decide(&ordered, Relation::HeavyRewrite).0,
            Relation::HeavyRewrite
        );
        assert_eq!(m.decide(&ordered, Relation::Copy).0, Relation::Copy);
        let scattered = PairFeatures {
            order_evidence: 0.1,
            ..ordered
        };
        assert_eq!(
            m.decide(&scattered, Relation::HeavyRewrite).0,
            Relation::SameEvent
        );
    }

    #[test]
    fn the_model_round_trips_through_json() {
        let m = model();
        let back: DecisionModel =
            serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert!(back.is_well_formed());
    }
}
