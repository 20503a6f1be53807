//! The classifier: the fitted decision model when the parameters carry one (each question's
//! more probable answer, the probability of the relation reached as the confidence), else the threshold cascade of older
//! parameter files (the relation a pair's features decide, and how far the pair lies from the
//! boundary with its nearest other relation).

use std::sync::Arc;

use super::evidence::evidence;
use super::{DecisionModel, PairFeatures};
use crate::model::Relation;
use crate::params::PairParams;

/// The grade of shared text by the fitted definitional rungs: `copy` when the shorter side is
/// covered by verbatim links (`copy_verbatim`), `light_rewrite` when by verbatim and
/// near-verbatim ones (`light_reuse`), else `heavy_rewrite`.
pub fn grade(f: &PairFeatures, p: &PairParams) -> Relation {
    if f.verbatim_short >= p.copy_verbatim {
        Relation::Copy
    } else if f.verbatim_short + f.near_short >= p.light_reuse {
        Relation::LightRewrite
    } else {
        Relation::HeavyRewrite
    }
}

/// A decided relation with its confidence and reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The relation.
    pub relation: Relation,
    /// Confidence in [0, 1].
    pub confidence: f64,
    /// Human-readable evidence.
    pub evidence: Vec<String>,
}

/// The pair classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    /// Thresholds (the cascade's, and the event window).
    pub params: PairParams,
    /// The fitted decision model; `None`: the cascade decides.
    pub model: Option<Arc<DecisionModel>>,
}

impl Default for Classifier {
    fn default() -> Self {
        Classifier::from_params(&crate::params::PARAMS)
    }
}

impl Classifier {
    /// The classifier a parameter set describes.
    pub fn from_params(p: &crate::params::Params) -> Self {
        Classifier {
            params: p.pair,
            model: p.decision.clone().map(Arc::new),
        }
    }

    /// The relation the evidence supports before the event window is applied, and its
    /// probability (the cascade's confidence without a model).
    fn leaf(&self, f: &PairFeatures) -> (Relation, f64) {
        match &self.model {
            Some(m) => m.decide(f, grade(f, &self.params)),
            None => {
                let r = self.cascade(f);
                (r, self.cascade_confidence(f, r))
            }
        }
    }

    /// The probability of each relation under the decision model (`None` without one).
    pub fn probabilities(&self, f: &PairFeatures) -> Option<[f64; 6]> {
        let m = self.model.as_ref()?;
        Some(m.probabilities(f, grade(f, &self.params)))
    }

    /// Whether the pair was published further apart than the event window.
    fn beyond_window(&self, f: &PairFeatures) -> bool {
        f.hours_apart
            .is_some_and(|h| h > self.params.event_window_hours)
    }

    /// The heavy-rewrite score: ordered, similar alignment covering the shorter side.
    fn heavy_ok(&self, f: &PairFeatures) -> bool {
        let p = &self.params;
        f.reuse_short >= p.heavy_reuse
            && f.order >= p.heavy_order
            && f.mean_similarity >= p.heavy_similarity
            && f.number_agreement >= p.heavy_numbers
            && f.links >= 2
            || self.chain_ok(f)
    }

    /// The semantic heavy-rewrite rung: the links form one monotone chain through the shorter
    /// side and mean the same thing, though they share few words (a spun or condensed copy).
    fn chain_ok(&self, f: &PairFeatures) -> bool {
        let p = &self.params;
        f.link_semantic.is_some_and(|s| s >= p.heavy_semantic)
            && f.chain_short >= p.heavy_chain
            && f.number_agreement >= p.heavy_numbers
            && f.links >= 3
    }

    /// True when the pair tells the same event by its topic but was published further apart
    /// than the event window: `related` as a later development (and not derived text).
    pub fn later_development(&self, f: &PairFeatures) -> bool {
        if self.model.is_some() {
            return self.beyond_window(f) && self.leaf(f).0 == Relation::SameEvent;
        }
        let p = &self.params;
        self.relation(f) == Relation::Related
            && f.topic(p) >= p.event_cosine
            && self.beyond_window(f)
    }

    /// Signed distance of a pair to the chain rung (positive inside it).
    fn chain_margin(&self, f: &PairFeatures) -> f64 {
        let p = &self.params;
        match f.link_semantic {
            Some(sem) if f.links >= 3 => {
                (f.chain_short - p.heavy_chain).min(sem - p.heavy_semantic)
            }
            _ => -1.0,
        }
    }

    /// Decides the relation only (no evidence strings): the fitting program's hot path.
    pub fn relation(&self, f: &PairFeatures) -> Relation {
        let leaf = self.leaf(f).0;
        self.windowed_for(f, leaf)
    }

    /// The relation a leaf becomes once the event window is applied: with the model, a same-event
    /// pair published too far apart is a later development, `related`.
    fn windowed_for(&self, f: &PairFeatures, leaf: Relation) -> Relation {
        match leaf {
            Relation::SameEvent if self.model.is_some() && self.beyond_window(f) => {
                Relation::Related
            }
            r => r,
        }
    }

    /// The threshold cascade of parameter files without a decision model.
    fn cascade(&self, f: &PairFeatures) -> Relation {
        let p = &self.params;
        let topic = f.topic(p);
        if f.verbatim_short >= p.copy_verbatim {
            Relation::Copy
        } else if f.verbatim_short + f.near_short >= p.light_reuse {
            Relation::LightRewrite
        } else if self.heavy_ok(f) {
            Relation::HeavyRewrite
        } else if topic >= p.event_cosine && f.hours_apart.is_none_or(|h| h <= p.event_window_hours)
        {
            Relation::SameEvent
        } else if topic >= p.related_cosine {
            Relation::Related
        } else {
            Relation::Unrelated
        }
    }

    /// Decides the relation, its confidence and the evidence.
    pub fn classify(&self, f: &PairFeatures) -> Decision {
        // One evaluation of the model (or the cascade) per pair: the leaf gives both.
        let (leaf, confidence) = self.leaf(f);
        let relation = self.windowed_for(f, leaf);
        let confidence = if self.model.is_some() {
            confidence
        } else {
            self.cascade_confidence(f, relation)
        };
        Decision {
            relation,
            confidence: crate::align::round4(confidence),
            evidence: evidence(f, relation, &self.params),
        }
    }

    /// The cascade's confidence: `0.5 + 0.5·tanh(margin / scale)`.
    fn cascade_confidence(&self, f: &PairFeatures, relation: Relation) -> f64 {
        let margin = self.margin(f, relation);
        let scale = self.params.confidence_scale.max(1e-6);
        (0.5 + 0.5 * (margin.max(0.0) / scale).tanh()).clamp(0.5, 1.0)
    }

    /// Distance of the pair to the boundary between `relation` and the nearest other relation.
    fn margin(&self, f: &PairFeatures, relation: Relation) -> f64 {
        let p = &self.params;
        let topic = f.topic(p);
        let lexical = f.verbatim_short + f.near_short;
        match relation {
            Relation::Copy => f.verbatim_short - p.copy_verbatim,
            Relation::LightRewrite => {
                (lexical - p.light_reuse).min(p.copy_verbatim - f.verbatim_short)
            }
            Relation::HeavyRewrite => {
                let lexical_rung = (f.reuse_short - p.heavy_reuse)
                    .min(f.order - p.heavy_order)
                    .min(f.mean_similarity - p.heavy_similarity);
                lexical_rung
                    .max(self.chain_margin(f))
                    .min(f.number_agreement - p.heavy_numbers)
                    .min(p.light_reuse - lexical)
            }
            Relation::SameEvent => {
                let mut below_heavy =
                    if f.order >= p.heavy_order && f.mean_similarity >= p.heavy_similarity {
                        p.heavy_reuse - f.reuse_short
                    } else {
                        0.2
                    };
                if f.link_semantic.is_some() {
                    below_heavy = below_heavy.min(-self.chain_margin(f));
                }
                (topic - p.event_cosine).min(below_heavy)
            }
            Relation::Related => match f.hours_apart {
                Some(h) if h > p.event_window_hours && topic >= p.event_cosine => {
                    ((h - p.event_window_hours) / p.event_window_hours * p.confidence_scale)
                        .min(topic - p.related_cosine)
                }
                _ => (topic - p.related_cosine).min(p.event_cosine - topic),
            },
            Relation::Unrelated => p.related_cosine - topic,
        }
    }
}
