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

mod cascade;
mod evidence;
mod features;

pub use cascade::{Classifier, Decision};
pub use features::PairFeatures;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Relation;

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
