//! The features of a candidate pair ([`PairFeatures`]) that the classifier, the story merge and
//! the fitting program read, and the similarity scores derived from them.

use serde::{Deserialize, Serialize};

use crate::align::Alignment;
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
    /// Lineage evidence ([`crate::align::Lineage`]): share of the shorter side on the heaviest
    /// monotone chain of matches (many-to-one allowed).
    #[serde(default)]
    pub lineage_chain: f64,
    /// Share of the longer side on the same chain: a source covers its derived text; two texts
    /// from one source each carry what the other lacks.
    #[serde(default)]
    pub lineage_chain_long: f64,
    /// Share of the shorter side on that chain in matches more likely paraphrases than not.
    #[serde(default)]
    pub lineage_cover: f64,
    /// The same share of the longer side.
    #[serde(default)]
    pub lineage_cover_long: f64,
    /// Mean strength of that chain's matches.
    #[serde(default)]
    pub lineage_strength: f64,
    /// `-log10` of the permutation p-value of that chain: how far beyond chance one text
    /// follows the other in order (0: no evidence; at most `log10(200)` ≈ 2.3).
    #[serde(default)]
    pub order_evidence: f64,
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
        let l = if a_short {
            al.lineage
        } else {
            al.lineage.mirrored()
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
            lineage_chain: l.chain_a,
            lineage_chain_long: l.chain_b,
            lineage_cover: l.cover_a,
            lineage_cover_long: l.cover_b,
            lineage_strength: al.lineage.strength,
            order_evidence: -al.lineage.order_p.max(1e-12).log10(),
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
