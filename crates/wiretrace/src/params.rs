//! The fitted parameters compiled into the engine (`params.json`, written by the fitting
//! program `wiretrace-eval/examples/fit.rs` from the development data only).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// Sentence-level parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SentenceParams {
    /// Weight of stemmed content-word Dice.
    pub w_stem: f64,
    /// Weight of character 4-gram Jaccard.
    pub w_gram: f64,
    /// Weight of the longest common token run.
    pub w_run: f64,
    /// Weight of stem containment of the shorter sentence.
    pub w_contain: f64,
    /// Weight of the Dice overlap of all tokens.
    #[serde(default)]
    pub w_token: f64,
    /// Share of the score removed when no number agrees.
    #[serde(default)]
    pub number_penalty: f64,
    /// Minimum similarity of an alignment link.
    pub link_threshold: f64,
    /// Minimum run share of the shorter sentence for `near_verbatim`.
    pub near_verbatim_run: f64,
    /// Minimum similarity of a context link (ordered chain of mutual best matches).
    pub context_threshold: f64,
    /// Share of the shorter side the ordered chain must cover.
    pub context_coverage: f64,
    /// Weight of the embedding similarity in a sentence pair's similarity (semantic runs).
    #[serde(default)]
    pub w_semantic: f64,
    /// Embedding cosine that counts as no similarity at all (unrelated sentences of one language
    /// sit well above 0).
    #[serde(default)]
    pub semantic_floor: f64,
}

/// Pair classifier thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairParams {
    /// Verbatim-covered share of the shorter side for `copy`.
    pub copy_verbatim: f64,
    /// Verbatim + near-verbatim share of the shorter side for `light_rewrite`.
    pub light_reuse: f64,
    /// Aligned share of the shorter side for `heavy_rewrite`.
    pub heavy_reuse: f64,
    /// Order coherence for `heavy_rewrite`.
    pub heavy_order: f64,
    /// Mean link similarity for `heavy_rewrite`.
    pub heavy_similarity: f64,
    /// Number agreement of aligned sentences for `heavy_rewrite`. Not fitted: the development
    /// sets carry too few figures to constrain it; set from the definition (a rewrite keeps the
    /// figures) and the Reuters wire templates, which it must reject.
    #[serde(default = "default_heavy_numbers")]
    pub heavy_numbers: f64,
    /// Semantic runs: share of the shorter side that a monotone chain of links must cover for
    /// `heavy_rewrite` when the lexical rung is not met (a spun copy follows its source sentence
    /// by sentence in other words). 2.0 (never) disables the rung.
    #[serde(default = "never")]
    pub heavy_chain: f64,
    /// Semantic runs: mean embedding cosine of the links for the chain rung.
    #[serde(default = "never")]
    pub heavy_semantic: f64,
    /// Semantic runs: document embedding cosine from which nearest neighbours become candidate
    /// pairs (2.0: never).
    #[serde(default = "never")]
    pub block_semantic: f64,
    /// Document cosine for `same_event`.
    pub event_cosine: f64,
    /// Document cosine for `related`.
    pub related_cosine: f64,
    /// Candidate pairs under this cosine and without shared text are not aligned.
    pub screen_cosine: f64,
    /// Weight of textual reuse in the pair similarity.
    #[serde(default = "default_sim_reuse")]
    pub sim_reuse: f64,
    /// Weight of the content-word cosine in the pair similarity.
    #[serde(default = "default_sim_cosine")]
    pub sim_cosine: f64,
    /// Weight of the names-and-numbers overlap in the pair similarity.
    #[serde(default = "default_sim_entity")]
    pub sim_entity: f64,
    /// Weight of the documents' embedding cosine in their topical similarity (semantic runs).
    #[serde(default)]
    pub topic_semantic: f64,
    /// Weights of the graded similarity users see (a pair's `similarity`, the order of pairs in
    /// reports), fitted apart from the story score above; `None` (parameter files without them):
    /// the story score is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graded: Option<GradedWeights>,
    /// Margin that maps to confidence 0.88 (tanh scale).
    pub confidence_scale: f64,
    /// Reports published further apart than this (hours) are a later development, not the
    /// same event, unless their text derives.
    pub event_window_hours: f64,
}

/// Weights of the graded pair similarity ([`crate::classify::PairFeatures::graded_similarity`]):
/// a weighted mean of textual reuse, the content-word cosine, the documents' embedding cosine
/// and the overlap of names and numbers. Fitted for the Pearson r with a graded "same story"
/// target on ECB+ (same sub-topic 1, same topic 0.5, other topics 0), while the story score
/// (`sim_*`, `topic_semantic`) is fitted for story clustering.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GradedWeights {
    /// Weight of textual reuse (aligned share of both sides × link similarity).
    pub reuse: f64,
    /// Weight of the content-word cosine.
    pub cosine: f64,
    /// Weight of the documents' embedding cosine (the content-word cosine stands in for it when
    /// the pair has none).
    pub semantic: f64,
    /// Weight of the names-and-numbers overlap.
    pub names: f64,
}

fn default_sim_reuse() -> f64 {
    0.4
}
fn default_sim_cosine() -> f64 {
    0.4
}
fn default_sim_entity() -> f64 {
    0.2
}

fn never() -> f64 {
    2.0
}

fn default_heavy_numbers() -> f64 {
    0.5
}

/// Story clustering parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StoryParams {
    /// Minimum average pair similarity between two clusters for them to merge.
    pub link_average: f64,
}

/// All fitted parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Provenance of the values.
    #[serde(default)]
    pub note: String,
    /// Sentence level.
    pub sentence: SentenceParams,
    /// Pair level.
    pub pair: PairParams,
    /// Stories.
    pub story: StoryParams,
    /// The fitted decision model ([`crate::classify::DecisionModel`]); parameter files without
    /// one decide by the threshold cascade of `pair`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<crate::classify::DecisionModel>,
    /// The paraphrase model that scores sentence matches for the lineage evidence
    /// ([`crate::align::ParaphraseModel`]); without one, a match's strength is the stronger of
    /// its lexical and embedding similarity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paraphrase: Option<crate::align::ParaphraseModel>,
}

/// The compiled-in parameters of semantic runs (fitted with the embedding model present).
pub static PARAMS_SEMANTIC: LazyLock<Params> = LazyLock::new(|| {
    // Part of the source tree and checked by a unit test, like `params.json`.
    serde_json::from_str(include_str!("params_semantic.json"))
        .expect("params_semantic.json is valid")
});

/// The compiled-in parameters.
pub static PARAMS: LazyLock<Params> = LazyLock::new(|| {
    // The file is part of the source tree and checked by a unit test, so a failure here is a
    // build defect, never a user input problem.
    serde_json::from_str(include_str!("params.json")).expect("params.json is valid")
});

#[cfg(test)]
mod tests {
    #[test]
    fn compiled_params_parse() {
        let p = &*super::PARAMS;
        assert!(p.sentence.link_threshold > 0.0 && p.sentence.link_threshold < 1.0);
        assert!(p.pair.related_cosine <= p.pair.event_cosine);
        let s = &*super::PARAMS_SEMANTIC;
        assert!(s.sentence.w_semantic > 0.0 && s.sentence.w_semantic <= 1.0);
    }
}
