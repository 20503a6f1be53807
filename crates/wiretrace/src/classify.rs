//! Classification: an aligned pair plus document features → [`Relation`] with a confidence.
//!
//! The decision is an ordered cascade of fitted thresholds, strongest relation first, because
//! the relations nest: a copy is also a light rewrite, which is also a heavy rewrite, which also
//! tells the same event. Each rung looks at the evidence that defines it (DESIGN.md):
//!
//! | relation | evidence |
//! | --- | --- |
//! | `copy` | the shorter side is covered by verbatim links |
//! | `light_rewrite` | the shorter side is covered by verbatim and near-verbatim links |
//! | `heavy_rewrite` | the shorter side is covered by an *ordered* alignment with enough similarity |
//! | `same_event` | weighted content-word cosine of the documents |
//! | `related` | a lower cosine |
//!
//! Confidence is `0.5 + 0.5·tanh(margin / scale)` where `margin` is the distance of the deciding
//! feature to the threshold that separates the chosen relation from its nearest neighbour: a
//! pair far above its threshold (and far below the next one) is certain, one on the boundary is a
//! coin toss and says so.

use serde::{Deserialize, Serialize};

use crate::align::Alignment;
use crate::model::Relation;
use crate::params::PairParams;

/// Features of a candidate pair that the classifier and the fitting program see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PairFeatures {
    /// Verbatim-covered share of the shorter side (by words).
    pub verbatim_short: f64,
    /// Near-verbatim-covered share of the shorter side.
    pub near_short: f64,
    /// Paraphrase-covered share of the shorter side.
    pub paraphrase_short: f64,
    /// Aligned share of the shorter side.
    pub reuse_short: f64,
    /// Aligned share of the longer side.
    pub reuse_long: f64,
    /// Order coherence of the alignment.
    pub order: f64,
    /// Mean link similarity.
    pub mean_similarity: f64,
    /// Share of the numbers that aligned sentences agree on.
    #[serde(default)]
    pub number_agreement: f64,
    /// Word-shingle containment of the shorter document in the longer.
    pub containment: f64,
    /// Weighted cosine of content terms.
    pub cosine: f64,
    /// Weighted Jaccard of named entities and numbers.
    pub entity_overlap: f64,
    /// Shorter length over longer length (words).
    pub length_ratio: f64,
    /// Number of alignment links.
    pub links: usize,
    /// Hours between the publication times, when both are known.
    #[serde(default)]
    pub hours_apart: Option<f64>,
    /// Cosine of the documents' embeddings, when a model is present: the position-weighted means
    /// of their MiniLM sentence vectors where both were embedded, else the static model's.
    #[serde(default)]
    pub semantic: Option<f64>,
    /// Share of the shorter side covered by the heaviest monotone chain of links.
    #[serde(default)]
    pub chain_short: f64,
    /// Mean embedding cosine of the links, when a model is present.
    #[serde(default)]
    pub link_semantic: Option<f64>,
}

impl PairFeatures {
    /// Builds the features from an alignment and document-level measures. `a_is_short` says
    /// which side is the shorter.
    pub fn new(
        al: &Alignment,
        words_a: usize,
        words_b: usize,
        containment: f64,
        cosine: f64,
        entity_overlap: f64,
    ) -> Self {
        let a_short = words_a <= words_b;
        let (cov, words, reuse_short, reuse_long, chain_short) = if a_short {
            (al.covered_a, words_a, al.reuse_a, al.reuse_b, al.chain_a)
        } else {
            (al.covered_b, words_b, al.reuse_b, al.reuse_a, al.chain_b)
        };
        let share = |x: usize| {
            if words == 0 {
                0.0
            } else {
                (x as f64 / words as f64).min(1.0)
            }
        };
        let (lo, hi) = (words_a.min(words_b), words_a.max(words_b));
        PairFeatures {
            verbatim_short: share(cov[0]),
            near_short: share(cov[1]),
            paraphrase_short: share(cov[2]),
            reuse_short,
            reuse_long,
            order: al.order,
            mean_similarity: al.mean_similarity,
            number_agreement: al.number_agreement,
            containment,
            cosine,
            entity_overlap,
            length_ratio: if hi == 0 { 0.0 } else { lo as f64 / hi as f64 },
            links: al.links.len(),
            hours_apart: None,
            semantic: None,
            chain_short,
            link_semantic: al.link_semantic,
        }
    }

    /// Topical similarity of the documents: the content-word cosine, blended with the embedding
    /// cosine when a model is present (weight `topic_semantic`).
    pub fn topic(&self, p: &PairParams) -> f64 {
        match self.semantic {
            Some(s) => {
                ((1.0 - p.topic_semantic) * self.cosine + p.topic_semantic * s).clamp(0.0, 1.0)
            }
            None => self.cosine,
        }
    }

    /// Textual reuse: the aligned share of both sides × the mean link similarity.
    fn reuse(&self) -> f64 {
        (self.reuse_short + self.reuse_long) / 2.0 * self.mean_similarity
    }

    /// The story score in [0, 1] under the compiled-in lexical parameters: the stronger of
    /// textual reuse (aligned share of both sides, weighted by link similarity) and topical
    /// overlap.
    pub fn similarity(&self) -> f64 {
        self.similarity_with(&crate::params::PARAMS.pair)
    }

    /// The story score under given weights, on which stories are merged (average linkage): a
    /// weighted mean of textual reuse (aligned share of both sides × link similarity), the
    /// topical similarity ([`PairFeatures::topic`]) and the overlap of names and numbers; a copy
    /// scores at least its reuse. Users see [`PairFeatures::graded_similarity`].
    pub fn similarity_with(&self, p: &PairParams) -> f64 {
        let reuse = self.reuse();
        let total = (p.sim_reuse + p.sim_cosine + p.sim_entity).max(1e-9);
        let mixed = (p.sim_reuse * reuse
            + p.sim_cosine * self.topic(p)
            + p.sim_entity * self.entity_overlap)
            / total;
        mixed.max(reuse).clamp(0.0, 1.0)
    }

    /// The graded similarity in [0, 1] that users see (a pair's `similarity`, the order of
    /// pairs in reports): a weighted mean of textual reuse, the content-word cosine, the
    /// documents' embedding cosine (the content-word cosine where the pair has none) and the
    /// overlap of names and numbers under the weights `p.graded`, fitted apart from the story
    /// score; a copy scores at least its reuse. Without graded weights it is the story score
    /// ([`PairFeatures::similarity_with`]).
    pub fn graded_similarity(&self, p: &PairParams) -> f64 {
        let Some(w) = p.graded else {
            return self.similarity_with(p);
        };
        let reuse = self.reuse();
        let semantic = self.semantic.unwrap_or(self.cosine);
        let total = (w.reuse + w.cosine + w.semantic + w.names).max(1e-9);
        let mixed = (w.reuse * reuse
            + w.cosine * self.cosine
            + w.semantic * semantic
            + w.names * self.entity_overlap)
            / total;
        mixed.max(reuse).clamp(0.0, 1.0)
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

/// The threshold cascade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classifier {
    /// Thresholds.
    pub params: PairParams,
}

impl Default for Classifier {
    fn default() -> Self {
        Classifier {
            params: crate::params::PARAMS.pair,
        }
    }
}

impl Classifier {
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
        let p = &self.params;
        self.relation(f) == Relation::Related
            && f.topic(p) >= p.event_cosine
            && f.hours_apart.is_some_and(|h| h > p.event_window_hours)
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
        let p = &self.params;
        let relation = self.relation(f);
        let topic = f.topic(p);
        let lexical = f.verbatim_short + f.near_short;
        // Margin: distance to the boundary with the nearest other relation.
        let margin = match relation {
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
        };
        let confidence =
            (0.5 + 0.5 * (margin.max(0.0) / p.confidence_scale.max(1e-6)).tanh()).clamp(0.5, 1.0);
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        let mut evidence = Vec::new();
        if f.links > 0 {
            evidence.push(format!(
                "{} aligned sentences cover {} of the shorter article ({} verbatim, {} near-verbatim, {} paraphrased)",
                f.links,
                pct(f.reuse_short),
                pct(f.verbatim_short),
                pct(f.near_short),
                pct(f.paraphrase_short)
            ));
        }
        if relation == Relation::HeavyRewrite {
            evidence.push(format!(
                "alignment keeps the source order ({} of links in order)",
                pct(f.order)
            ));
        }
        if let Some(sem) = f.link_semantic.filter(|_| f.links > 0) {
            evidence.push(format!(
                "one ordered chain of links covers {} of the shorter article; linked sentences mean the same (embedding cosine {:.2})",
                pct(f.chain_short),
                sem
            ));
        }
        if f.containment > 0.0 {
            evidence.push(format!(
                "{} of the shorter article's 3-word sequences occur in the other",
                pct(f.containment)
            ));
        }
        if let Some(h) = f.hours_apart.filter(|&h| {
            relation == Relation::Related && h > p.event_window_hours && topic >= p.event_cosine
        }) {
            evidence.push(format!(
                "published {:.0} hours apart: a later development, not the same event",
                h
            ));
        }
        evidence.push(format!(
            "content-word cosine {:.2}, shared names and numbers {}",
            f.cosine,
            pct(f.entity_overlap)
        ));
        Decision {
            relation,
            confidence: crate::align::round4(confidence),
            evidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> PairFeatures {
        PairFeatures {
            order: 1.0,
            mean_similarity: 0.8,
            number_agreement: 1.0,
            links: 10,
            ..PairFeatures::default()
        }
    }

    #[test]
    fn verbatim_coverage_is_copy() {
        let c = Classifier::default();
        let x = PairFeatures {
            verbatim_short: 0.97,
            reuse_short: 0.97,
            cosine: 0.9,
            ..f()
        };
        let d = c.classify(&x);
        assert_eq!(d.relation, Relation::Copy);
        assert!(d.confidence > 0.8);
    }

    #[test]
    fn edited_coverage_is_light_rewrite() {
        let c = Classifier::default();
        let x = PairFeatures {
            verbatim_short: 0.4,
            near_short: 0.4,
            reuse_short: 0.9,
            cosine: 0.8,
            ..f()
        };
        assert_eq!(c.classify(&x).relation, Relation::LightRewrite);
    }

    #[test]
    fn ordered_paraphrase_is_heavy_rewrite_but_unordered_is_not() {
        let c = Classifier::default();
        let x = PairFeatures {
            paraphrase_short: 0.8,
            reuse_short: 0.8,
            cosine: 0.35,
            ..f()
        };
        assert_eq!(c.classify(&x).relation, Relation::HeavyRewrite);
        let y = PairFeatures { order: 0.3, ..x };
        assert_eq!(c.classify(&y).relation, Relation::SameEvent);
        // A wire template: same words, other figures.
        let z = PairFeatures {
            number_agreement: 0.1,
            ..x
        };
        assert_eq!(c.classify(&z).relation, Relation::SameEvent);
    }

    #[test]
    fn cosine_separates_event_related_unrelated() {
        let c = Classifier::default();
        let p = c.params;
        let mk = |cos| PairFeatures {
            cosine: cos,
            ..PairFeatures::default()
        };
        assert_eq!(
            c.classify(&mk(p.event_cosine + 0.1)).relation,
            Relation::SameEvent
        );
        assert_eq!(
            c.classify(&mk((p.event_cosine + p.related_cosine) / 2.0))
                .relation,
            Relation::Related
        );
        assert_eq!(
            c.classify(&mk(p.related_cosine / 2.0)).relation,
            Relation::Unrelated
        );
    }

    /// The graded similarity stays in [0, 1], a copy scores at least its reuse, and without
    /// graded weights it is the story score.
    #[test]
    fn graded_similarity_is_bounded_and_a_copy_scores_its_reuse() {
        use crate::params::GradedWeights;
        let mut p = crate::params::PARAMS_SEMANTIC.pair;
        let fitted = p
            .graded
            .expect("the semantic parameters carry graded weights");
        let reuse = |f: &PairFeatures| (f.reuse_short + f.reuse_long) / 2.0 * f.mean_similarity;
        let copy = PairFeatures {
            verbatim_short: 1.0,
            reuse_short: 1.0,
            reuse_long: 0.9,
            mean_similarity: 1.0,
            cosine: 0.3,
            entity_overlap: 0.2,
            semantic: Some(0.5),
            ..f()
        };
        for w in [
            fitted,
            GradedWeights {
                reuse: 0.0,
                cosine: 0.0,
                semantic: 1.0,
                names: 0.0,
            },
            GradedWeights {
                reuse: 0.0,
                cosine: 0.0,
                semantic: 0.0,
                names: 0.0,
            },
        ] {
            p.graded = Some(w);
            assert!(copy.graded_similarity(&p) >= reuse(&copy) - 1e-12);
            for x in [0.0, 0.25, 0.5, 1.0] {
                for sem in [None, Some(0.0), Some(0.7), Some(1.0)] {
                    let g = PairFeatures {
                        reuse_short: x,
                        reuse_long: 1.0 - x,
                        mean_similarity: x,
                        cosine: x,
                        entity_overlap: 1.0 - x,
                        semantic: sem,
                        ..f()
                    }
                    .graded_similarity(&p);
                    assert!((0.0..=1.0).contains(&g), "{g} for {w:?}");
                }
            }
        }
        p.graded = None;
        assert_eq!(copy.graded_similarity(&p), copy.similarity_with(&p));
        let lexical = crate::params::PARAMS.pair;
        assert_eq!(
            copy.graded_similarity(&lexical),
            copy.similarity_with(&lexical)
        );
    }

    #[test]
    fn confidence_grows_with_margin() {
        let c = Classifier::default();
        let p = c.params;
        let near = c.classify(&PairFeatures {
            cosine: p.event_cosine + 0.005,
            ..PairFeatures::default()
        });
        let far = c.classify(&PairFeatures {
            cosine: p.event_cosine + 0.3,
            ..PairFeatures::default()
        });
        assert!(far.confidence > near.confidence);
        assert!((0.5..=1.0).contains(&near.confidence));
    }
}
