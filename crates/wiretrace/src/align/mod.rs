//! Sentence alignment of a candidate pair: two documents → [`Alignment`].
//!
//! Method. Every sentence gets cheap features once ([`SentenceFeatures`]: token hashes, weighted
//! content stems, character 4-grams). A [`SentenceSimilarity`] scores sentence pairs; the default
//! [`LexicalSimilarity`] combines stemmed content-word overlap, the longest common token run
//! and character 4-gram overlap, and is a replaceable part (the semantic model plugs in here).
//! The aligner fills the similarity matrix — only for sentence pairs that share a content stem
//! or a 4-gram, which prunes most of the `|a|·|b|` cells — then:
//!
//! 1. links greedily by decreasing similarity, one-to-one, above the paraphrase threshold (so a
//!    reordered passage still aligns: order is a feature, not a constraint);
//! 2. extends a link to a neighbouring unlinked sentence when the merged pair scores higher than
//!    the single one (a sentence split in two, or two merged into one);
//! 3. types each link: `verbatim` (same tokens), `near_verbatim` (mostly the same token runs),
//!    `paraphrase` (same content, other words).
//!
//! Cost per pair: `O(|a|·|b|)` stem-set checks plus 4-gram merges for the surviving cells; with
//! news articles of 20–40 sentences this is tens of microseconds.

mod features;
mod lineage;
mod links;
mod matrix;
mod measure;
mod order;
mod similarity;

pub use features::{
    sentence_features, sentence_features_idf, sentence_features_with, term_weight, SentenceFeatures,
};
pub use lineage::Lineage;
pub use measure::{link_kind, round4};
pub use similarity::{
    longest_common_run, signals, HybridSimilarity, LexicalSimilarity, ParaphraseModel,
    SentenceEvidence, SentenceInput, SentencePairSignals, SentenceSimilarity,
};

use crate::model::AlignmentLink;
use links::Links;

/// Thresholds of the aligner (fitted; see `params.json`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignConfig {
    /// Minimum similarity of any link.
    pub link_threshold: f64,
    /// Minimum `run_short` (with `token_dice`) for a `near_verbatim` link.
    pub near_verbatim_run: f64,
    /// Minimum gain of a merged link over the single one.
    pub merge_gain: f64,
    /// Minimum similarity of a context link (mutual best match on an ordered chain).
    pub context_threshold: f64,
    /// Share of the shorter side an ordered chain must cover before its context links count.
    pub context_coverage: f64,
}

impl Default for AlignConfig {
    fn default() -> Self {
        let p = &crate::params::PARAMS.sentence;
        AlignConfig {
            link_threshold: p.link_threshold,
            near_verbatim_run: p.near_verbatim_run,
            merge_gain: 0.05,
            context_threshold: p.context_threshold,
            context_coverage: p.context_coverage,
        }
    }
}

/// The alignment of two documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Alignment {
    /// Links, ordered by position in side a.
    pub links: Vec<AlignmentLink>,
    /// Fraction of a's words covered by links.
    pub reuse_a: f64,
    /// Fraction of b's words covered by links.
    pub reuse_b: f64,
    /// Words of a covered by links of each kind (verbatim, near_verbatim, paraphrase).
    pub covered_a: [usize; 3],
    /// Words of b covered by links of each kind.
    pub covered_b: [usize; 3],
    /// Share of links that keep the relative order of both sides (longest increasing run of
    /// b-positions over links sorted by a), in [0, 1].
    pub order: f64,
    /// Mean similarity of the links, weighted by words.
    pub mean_similarity: f64,
    /// Share of the numbers of linked sentences that their counterparts share (Dice over the
    /// links; 1 when the links carry none). Rewrites, even spun ones, keep the figures; wire
    /// templates (earnings, dividends, bond issues) keep the words and change the figures.
    pub number_agreement: f64,
    /// Share of a's words covered by the heaviest monotone chain of links (links increasing in
    /// both documents). A rewrite follows its source in order; independent reports of an event
    /// share scattered sentences. This is the order-aware coverage the classifier reads.
    pub chain_a: f64,
    /// Share of b's words covered by the same chain.
    pub chain_b: f64,
    /// Mean embedding cosine of the links (weighted by words) when the sentences carry
    /// embeddings; `None` without a model.
    pub link_semantic: Option<f64>,
    /// Whether one text follows the other in order beyond chance ([`Lineage`]).
    pub lineage: Lineage,
}

/// Sentences per document that take part in an alignment.
pub const MAX_ALIGN_SENTENCES: usize = 1000;

/// Aligns two documents' sentences. Symmetric by construction: the sides are put in a
/// canonical order (by a hash of their tokens) before aligning and the result is mirrored back,
/// so ties in the greedy matching can never make `align(a, b)` differ from `align(b, a)`.
pub fn align(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    sim: &dyn SentenceSimilarity,
    config: &AlignConfig,
) -> Alignment {
    // A news article has tens of sentences; beyond this many, only the first ones are aligned, so
    // a pathological input (a book, a log file) costs bounded time and memory.
    let fa = &fa[..fa.len().min(MAX_ALIGN_SENTENCES)];
    let fb = &fb[..fb.len().min(MAX_ALIGN_SENTENCES)];
    let key = |f: &[SentenceFeatures]| {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for t in f.iter().flat_map(|s| &s.tokens) {
            h = (h ^ t).wrapping_mul(0x0100_0000_01b3);
        }
        (h, f.len())
    };
    if key(fa) <= key(fb) {
        return align_ordered(fa, fb, sim, config);
    }
    let m = align_ordered(fb, fa, sim, config);
    let mut links: Vec<AlignmentLink> = m
        .links
        .into_iter()
        .map(|l| AlignmentLink {
            a: l.b,
            b: l.a,
            a_end: l.b_end,
            b_end: l.a_end,
            kind: l.kind,
            similarity: l.similarity,
        })
        .collect();
    links.sort_by_key(|l| (l.a, l.b));
    Alignment {
        order: order::order_coherence(&links),
        links,
        reuse_a: m.reuse_b,
        reuse_b: m.reuse_a,
        covered_a: m.covered_b,
        covered_b: m.covered_a,
        mean_similarity: m.mean_similarity,
        number_agreement: m.number_agreement,
        chain_a: m.chain_b,
        chain_b: m.chain_a,
        link_semantic: m.link_semantic,
        lineage: m.lineage.mirrored(),
    }
}

fn align_ordered(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    sim: &dyn SentenceSimilarity,
    config: &AlignConfig,
) -> Alignment {
    let cells = matrix::cells(fa, fb, sim, config);
    let mut links = Links::greedy(&cells, fa.len(), fb.len(), config.link_threshold);
    links.add_context(fa, fb, &cells, config);
    links.merge_neighbours(fa, fb, sim, config);
    Alignment {
        lineage: lineage::lineage(fa, fb, &cells, sim),
        ..measure::summarize(fa, fb, links.into_sorted(), config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::CorpusStats;
    use crate::model::{Article, LinkKind};
    use crate::text::Document;

    fn feats(text: &str) -> (Document, Vec<SentenceFeatures>) {
        let d = Document::from_article(&Article::new("t", text));
        let f = sentence_features(&d, &CorpusStats::default());
        (d, f)
    }

    fn run(a: &str, b: &str) -> Alignment {
        let (_, fa) = feats(a);
        let (_, fb) = feats(b);
        align(
            &fa,
            &fb,
            &LexicalSimilarity::default(),
            &AlignConfig::default(),
        )
    }

    #[test]
    fn identical_texts_align_verbatim() {
        let t = "The port of Valmora closed on Monday. Dockworkers walked out over pay. The minister called for talks.";
        let al = run(t, t);
        assert_eq!(al.links.len(), 3);
        assert!(al.links.iter().all(|l| l.kind == LinkKind::Verbatim));
        assert!((al.reuse_a - 1.0).abs() < 1e-9 && (al.order - 1.0).abs() < 1e-9);
    }

    #[test]
    fn reordered_passages_still_align() {
        let a = "The port of Valmora closed on Monday. Dockworkers walked out over pay. The minister called for talks.";
        let b = "The minister called for talks. The port of Valmora closed on Monday. Dockworkers walked out over pay.";
        let al = run(a, b);
        assert_eq!(al.links.len(), 3);
        assert!(al.order < 1.0);
    }

    #[test]
    fn edited_sentence_is_near_verbatim() {
        let a = "Dockworkers in the port of Valmora walked out on Sunday night over a wage dispute with operators.";
        let b = "Dockworkers in the port of Valmora walked out late on Sunday over a wage dispute with operators.";
        let al = run(a, b);
        assert_eq!(al.links.len(), 1);
        assert_eq!(al.links[0].kind, LinkKind::NearVerbatim);
    }

    #[test]
    fn paraphrase_links_as_paraphrase() {
        let a = "Port Minister Ana Ruiz said the government would not negotiate while ships were blocked in Valmora.";
        let b = "The government refuses to negotiate as long as vessels remain blocked in Valmora, Port Minister Ana Ruiz stated.";
        let al = run(a, b);
        assert_eq!(al.links.len(), 1, "{al:?}");
        assert_eq!(al.links[0].kind, LinkKind::Paraphrase);
    }

    #[test]
    fn split_sentence_merges_two_into_one() {
        let a = "Ferries to the islands were cancelled and Gen. Marco Salas put troops on standby near the harbour gates.";
        let b = "Ferries to the islands were cancelled. Gen. Marco Salas put troops on standby near the harbour gates.";
        let al = run(a, b);
        assert_eq!(al.links.len(), 1, "{al:?}");
        assert_eq!(al.links[0].b_end, Some(1));
    }

    /// The order test on whole texts: a text against itself follows it in order far beyond
    /// chance; against the same sentences shuffled, not.
    #[test]
    fn a_copy_in_order_is_ordered_beyond_chance_and_a_shuffle_is_not() {
        let sentences = [
            "Dockworkers in Valmora walked out on Monday over pay.",
            "Forty freight ships wait at anchor outside the harbour.",
            "The port authority cancelled every ferry to the islands.",
            "Minister Ana Ruiz refused to negotiate while cranes stand idle.",
            "The union wants a twelve percent raise for its members.",
            "Shipping companies warned of shortages in the capital markets.",
            "Fishermen blocked the northern quay with their boats at dawn.",
            "Police closed the coastal road near the container terminal.",
            "A judge will hear the employers' complaint on Thursday morning.",
            "Tourists queued for hours at the airport for extra flights.",
            "The chamber of commerce counted losses of three million a day.",
            "Talks are set to resume at the ministry next Wednesday.",
        ];
        let text = sentences.join(" ");
        let order = [7, 2, 10, 0, 5, 11, 3, 8, 1, 9, 4, 6];
        let shuffled: Vec<&str> = order.iter().map(|&k| sentences[k]).collect();
        let same = run(&text, &text).lineage;
        let mixed = run(&text, &shuffled.join(" ")).lineage;
        assert!(same.order_p < 0.01, "{same:?}");
        assert!(mixed.order_p > 0.1, "{mixed:?}");
        assert!(
            (same.chain_a - 1.0).abs() < 1e-9 && mixed.chain_a < 0.6,
            "{mixed:?}"
        );
    }

    #[test]
    fn unrelated_sentences_do_not_link() {
        let al = run(
            "The port of Valmora closed on Monday after dockworkers walked out.",
            "A library in Brenhaven reopened with new reading rooms for children.",
        );
        assert!(al.links.is_empty());
    }

    proptest::proptest! {
        /// Alignment is symmetric: swapping the sides gives the same links, mirrored.
        #[test]
        fn alignment_is_symmetric(words in proptest::collection::vec("(port|ship|union|pay|talks|minister|Valmora|strike|dock|wage|crane)", 1..60), cut in 1usize..8) {
            let a: String = words.chunks(cut).map(|c| c.join(" ") + ". ").collect();
            let b: String = words.iter().rev().cloned().collect::<Vec<_>>().chunks(cut + 1).map(|c| c.join(" ") + ". ").collect();
            let x = run(&a, &b);
            let y = run(&b, &a);
            proptest::prop_assert_eq!(x.links.len(), y.links.len());
            proptest::prop_assert!((x.reuse_a - y.reuse_b).abs() < 1e-9);
            let mirrored: std::collections::BTreeSet<_> = y.links.iter().map(|m| (m.b, m.a, m.b_end, m.a_end)).collect();
            let direct: std::collections::BTreeSet<_> = x.links.iter().map(|l| (l.a, l.b, l.a_end, l.b_end)).collect();
            proptest::prop_assert_eq!(direct, mirrored);
            for l in &x.links { proptest::prop_assert!((0.0..=1.0).contains(&l.similarity)); }
        }
    }
}
