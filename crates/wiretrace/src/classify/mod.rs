//! Classification: an aligned pair plus document features → [`Relation`] with a confidence.
//!
//! The decision is the fitted [`DecisionModel`]: a tree of calibrated logistic questions
//! (shared text? → same event? → related?); shared text is graded copy / light / heavy by the
//! fitted rungs of the parameters ([`grade`]). Each question takes its more probable answer from
//! the root down, and the confidence is the probability of the relation reached (see
//! `model.rs`). The features ([`PairFeatures`]) carry
//! the lineage evidence of the aligner: whether one text follows the other in order beyond
//! chance, how much of each side the ordered matches cover, and how strongly they match.
//!
//! Parameter files without a decision model fall back to the older threshold cascade
//! (`cascade.rs`: copy, light, heavy, same event, related by fitted thresholds, confidence
//! `0.5 + 0.5·tanh(margin / scale)`); the compiled-in parameters carry a model.

mod cascade;
mod evidence;
mod features;
mod model;

pub use crate::logistic::sigmoid;
pub use cascade::{grade, Classifier, Decision};
pub use features::PairFeatures;
pub use model::{Answers, DecisionModel, Input, Logistic};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Relation;

    /// The threshold cascade of parameter files without a decision model.
    fn cascade() -> Classifier {
        Classifier {
            params: crate::params::PARAMS.pair,
            model: None,
        }
    }

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
        let c = cascade();
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
        let c = cascade();
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
        let c = cascade();
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
        let c = cascade();
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
        let c = cascade();
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

    #[test]
    fn the_compiled_parameters_carry_well_formed_models() {
        for p in [&*crate::params::PARAMS, &*crate::params::PARAMS_SEMANTIC] {
            let m = p.decision.as_ref().expect("a decision model");
            assert!(m.is_well_formed());
            assert!(!m.note.is_empty());
            assert!(p
                .paraphrase
                .as_ref()
                .expect("a paraphrase model")
                .is_well_formed());
        }
    }

    proptest::proptest! {
        /// With the fitted model, the confidence is the probability of the relation given, and
        /// shared text is called exactly when it is more probable than not (no event window
        /// here: it only moves a same-event pair to related).
        #[test]
        fn the_confidence_is_the_probability_of_the_relation_reached(
            x in proptest::collection::vec(0.0f64..1.0, 12), order in 0.0f64..2.4,
        ) {
            let c = Classifier::default();
            let f = PairFeatures {
                verbatim_short: x[0], near_short: x[1] * (1.0 - x[0]), paraphrase_short: x[2],
                reuse_short: x[3], reuse_long: x[4], mean_similarity: x[5], containment: x[6],
                cosine: x[7], entity_overlap: x[8], lineage_chain: x[9], lineage_cover: x[10] * x[9],
                lineage_strength: x[11], order_evidence: order, length_ratio: x[4],
                ..PairFeatures::default()
            };
            let d = c.classify(&f);
            let p = c.probabilities(&f).unwrap();
            proptest::prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            let k = Relation::ALL.iter().position(|&r| r == d.relation).unwrap();
            proptest::prop_assert!((p[k] - d.confidence).abs() < 1e-4);
            let lineage: f64 = p[..3].iter().sum();
            proptest::prop_assert_eq!(d.relation.is_derivation(), lineage >= 0.5);
        }
    }
}
