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

use rustc_hash::FxHashMap;

use crate::fingerprint::CorpusStats;
use crate::model::{AlignmentLink, LinkKind};
use crate::text::Document;
use xxhash_rust::xxh3::xxh3_64;

/// Per-sentence features used by the similarity functions.
#[derive(Debug, Clone, Default)]
pub struct SentenceFeatures {
    /// Hashes of all tokens, in order.
    pub tokens: Vec<u64>,
    /// The same hashes sorted (a multiset, for the token Dice overlap). When it does not hold
    /// exactly the hashes of `tokens` (a hand-built value), the overlap sorts `tokens` itself.
    pub sorted_tokens: Vec<u64>,
    /// Content stems (sorted, deduplicated) with their weights.
    pub stems: Vec<(u64, f32)>,
    /// Sum of stem weights.
    pub stem_weight: f32,
    /// Character 4-grams of the normalised content words (sorted, deduplicated).
    pub grams: Vec<u64>,
    /// Number of words.
    pub words: usize,
    /// Hashes of the numbers in the sentence (sorted, deduplicated).
    pub numbers: Vec<u64>,
    /// The figures of the sentence: number stems (sorted, deduplicated).
    pub facts: Vec<u64>,
    /// Sentence embedding, when a model is present.
    pub embedding: Option<crate::semantic::Vector>,
}

impl SentenceFeatures {
    /// Features of the merge of two sentences (for two-to-one links).
    pub fn merged(&self, other: &SentenceFeatures) -> SentenceFeatures {
        let mut tokens = self.tokens.clone();
        tokens.extend_from_slice(&other.tokens);
        let mut sorted_tokens = tokens.clone();
        sorted_tokens.sort_unstable();
        let mut stems: Vec<(u64, f32)> = self.stems.iter().chain(&other.stems).copied().collect();
        stems.sort_unstable_by_key(|s| s.0);
        stems.dedup_by_key(|s| s.0);
        let mut grams: Vec<u64> = self.grams.iter().chain(&other.grams).copied().collect();
        grams.sort_unstable();
        grams.dedup();
        let mut numbers: Vec<u64> = self.numbers.iter().chain(&other.numbers).copied().collect();
        numbers.sort_unstable();
        numbers.dedup();
        let mut facts: Vec<u64> = self.facts.iter().chain(&other.facts).copied().collect();
        facts.sort_unstable();
        facts.dedup();
        let embedding = match (&self.embedding, &other.embedding) {
            (Some(x), Some(y)) => crate::semantic::mean(&[x, y]),
            _ => None,
        };
        SentenceFeatures {
            embedding,
            numbers,
            facts,
            stem_weight: stems.iter().map(|s| s.1).sum(),
            tokens,
            sorted_tokens,
            stems,
            grams,
            words: self.words + other.words,
        }
    }
}

/// Computes sentence features of a document; term weights come from `stats` (entities and
/// numbers weigh more: they carry the facts).
pub fn sentence_features(doc: &Document, stats: &CorpusStats) -> Vec<SentenceFeatures> {
    sentence_features_with(doc, stats, true)
}

/// [`sentence_features`]; without `grams`, the character 4-grams are left empty (for a
/// similarity that does not read them: see [`SentenceSimilarity::uses_grams`]).
pub fn sentence_features_with(
    doc: &Document,
    stats: &CorpusStats,
    grams: bool,
) -> Vec<SentenceFeatures> {
    sentence_features_idf(doc, &|stem| stats.idf(stem), grams)
}

/// [`sentence_features_with`], with the term weights' idf from `idf` (which must agree with
/// [`CorpusStats::idf`]; the engine passes a precomputed table).
pub fn sentence_features_idf(
    doc: &Document,
    idf: &dyn Fn(u64) -> f64,
    grams: bool,
) -> Vec<SentenceFeatures> {
    let with_grams = grams;
    let mut bounds: Vec<usize> = Vec::new();
    (0..doc.sentences.len())
        .map(|i| {
            let toks = doc.sentence_tokens(i);
            let mut stems: Vec<(u64, f32)> = toks
                .iter()
                .filter(|t| !t.stop)
                .map(|t| (t.stem, term_weight(t.entity(), t.numeric(), idf(t.stem))))
                .collect();
            stems.sort_unstable_by_key(|s| s.0);
            stems.dedup_by_key(|s| s.0);
            // Held for every aligned document through the align stage: no growth slack.
            stems.shrink_to_fit();
            let mut grams = Vec::new();
            for t in toks.iter().filter(|t| with_grams && !t.stop) {
                // Character 4-grams, hashed as byte slices of the normalised form: `bounds`
                // holds the byte offset of each character and the end of the word.
                let w = doc.norm_of(t);
                bounds.clear();
                bounds.extend(w.char_indices().map(|(b, _)| b));
                let chars = bounds.len();
                if chars <= 4 {
                    grams.push(xxh3_64(w.as_bytes()));
                } else {
                    bounds.push(w.len());
                    for k in 0..=chars - 4 {
                        grams.push(xxh3_64(&w.as_bytes()[bounds[k]..bounds[k + 4]]));
                    }
                }
            }
            grams.sort_unstable();
            grams.dedup();
            let mut numbers: Vec<u64> = toks
                .iter()
                .filter(|t| t.numeric())
                .map(|t| t.hash)
                .collect();
            numbers.sort_unstable();
            numbers.dedup();
            let mut facts: Vec<u64> = toks
                .iter()
                .filter(|t| t.numeric())
                .map(|t| t.stem)
                .collect();
            facts.sort_unstable();
            facts.dedup();
            SentenceFeatures {
                embedding: None,
                numbers,
                facts,
                tokens: toks.iter().map(|t| t.hash).collect(),
                sorted_tokens: {
                    let mut v: Vec<u64> = toks.iter().map(|t| t.hash).collect();
                    v.sort_unstable();
                    v
                },
                stem_weight: stems.iter().map(|s| s.1).sum(),
                stems,
                grams,
                words: toks.len(),
            }
        })
        .collect()
}

/// Weight of a content term: idf scaled up for named entities and numbers. Names carry the most
/// weight because two events of one kind (two earthquakes, two acquisitions) share their
/// vocabulary but not their names: entity weight 1.5 / 2.0 / 3.0 gave ECB+ story B³ F1
/// 0.881 / 0.887 / 0.879 and SemEval monolingual r 0.568 / 0.582 / 0.588, MSRP and Clough unchanged
/// (each refitted with `examples/fit.rs`). 1.5 stays: at 2.0 the centre of the Clough plateau
/// moves the paraphrase similarity threshold to 0.40, and a machine-spun copy (mean link similarity
/// 0.39 on the demo) falls out of `heavy_rewrite` — the lexical engine's knife edge, which the
/// semantic model is to remove.
pub fn term_weight(entity: bool, numeric: bool, idf: f64) -> f32 {
    let base = if entity {
        1.5
    } else if numeric {
        1.2
    } else {
        1.0
    };
    (base * idf) as f32
}

/// The signals a similarity function sees for one sentence pair.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SentencePairSignals {
    /// Weighted Dice overlap of content stems.
    pub stem_dice: f64,
    /// Weighted share of the smaller side's stems found in the other.
    pub stem_containment: f64,
    /// Longest common token run divided by the longer sentence's length.
    pub run_long: f64,
    /// Longest common token run divided by the shorter sentence's length.
    pub run_short: f64,
    /// Jaccard of character 4-grams.
    pub gram_jaccard: f64,
    /// Dice overlap of all tokens (with function words).
    pub token_dice: f64,
    /// Share of the numbers of either sentence that the other lacks (0 when neither has any):
    /// "sold for $2.5 billion" and "sold for $1.8 billion" are not the same claim.
    pub number_mismatch: f64,
}

/// Measures how alike two sentences are. Implementations must be symmetric and return values in
/// [0, 1]; the semantic model is another implementation of this trait.
pub trait SentenceSimilarity: Send + Sync {
    /// Similarity of two sentences.
    fn similarity(&self, a: &SentenceFeatures, b: &SentenceFeatures) -> f64;

    /// Whether [`SentenceSimilarity::similarity`] reads [`SentenceFeatures::grams`]; when not,
    /// the engine does not compute them (they are the largest part of the features).
    fn uses_grams(&self) -> bool {
        true
    }
}

/// The lexical similarity: a fitted combination of the pair signals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LexicalSimilarity {
    /// Weight of [`SentencePairSignals::stem_dice`].
    pub w_stem: f64,
    /// Weight of [`SentencePairSignals::gram_jaccard`].
    pub w_gram: f64,
    /// Weight of [`SentencePairSignals::run_long`].
    pub w_run: f64,
    /// Weight of [`SentencePairSignals::stem_containment`].
    pub w_contain: f64,
    /// Weight of [`SentencePairSignals::token_dice`].
    pub w_token: f64,
    /// Share of the score removed at full [`SentencePairSignals::number_mismatch`].
    pub number_penalty: f64,
}

impl Default for LexicalSimilarity {
    fn default() -> Self {
        LexicalSimilarity::from_params(&crate::params::PARAMS.sentence)
    }
}

impl LexicalSimilarity {
    /// The similarity described by a parameter set.
    pub fn from_params(p: &crate::params::SentenceParams) -> Self {
        LexicalSimilarity {
            w_stem: p.w_stem,
            w_gram: p.w_gram,
            w_run: p.w_run,
            w_contain: p.w_contain,
            w_token: p.w_token,
            number_penalty: p.number_penalty,
        }
    }
}

impl LexicalSimilarity {
    /// The score of precomputed signals.
    pub fn score(&self, s: &SentencePairSignals) -> f64 {
        let total = self.w_stem + self.w_gram + self.w_run + self.w_contain + self.w_token;
        let v = (self.w_stem * s.stem_dice
            + self.w_gram * s.gram_jaccard
            + self.w_run * s.run_long
            + self.w_contain * s.stem_containment
            + self.w_token * s.token_dice)
            / total.max(1e-9);
        (v * (1.0 - self.number_penalty * s.number_mismatch)).clamp(0.0, 1.0)
    }
}

impl SentenceSimilarity for LexicalSimilarity {
    fn similarity(&self, a: &SentenceFeatures, b: &SentenceFeatures) -> f64 {
        // A signal of weight zero adds exactly 0.0 to the score whatever its (finite) value, so
        // it is not computed (the fitted weights leave out the token run and the 4-grams).
        self.score(&signals_with(a, b, self.w_run != 0.0, self.w_gram != 0.0))
    }

    fn uses_grams(&self) -> bool {
        self.w_gram != 0.0
    }
}

/// Lexical evidence blended with the cosine of sentence embeddings when both sentences have one
/// (else the lexical similarity alone). The cosine is rescaled so that `floor` (what two
/// unrelated sentences of one language typically score) maps to 0.
#[derive(Debug, Clone, PartialEq)]
pub struct HybridSimilarity {
    /// The lexical part.
    pub lexical: LexicalSimilarity,
    /// Weight of the semantic part, in [0, 1].
    pub w_semantic: f64,
    /// Cosine that maps to 0.
    pub floor: f64,
}

impl HybridSimilarity {
    /// The semantic part alone, rescaled, when both sentences have embeddings.
    pub fn semantic(&self, a: &SentenceFeatures, b: &SentenceFeatures) -> Option<f64> {
        let (x, y) = (a.embedding.as_ref()?, b.embedding.as_ref()?);
        let c = crate::semantic::cosine(x, y);
        Some(((c - self.floor) / (1.0 - self.floor).max(1e-9)).clamp(0.0, 1.0))
    }
}

impl SentenceSimilarity for HybridSimilarity {
    fn similarity(&self, a: &SentenceFeatures, b: &SentenceFeatures) -> f64 {
        let lex = self.lexical.similarity(a, b);
        match self.semantic(a, b) {
            Some(sem) => ((1.0 - self.w_semantic) * lex + self.w_semantic * sem).clamp(0.0, 1.0),
            None => lex,
        }
    }

    fn uses_grams(&self) -> bool {
        self.lexical.uses_grams()
    }
}

/// Computes the lexical signals of a sentence pair.
pub fn signals(a: &SentenceFeatures, b: &SentenceFeatures) -> SentencePairSignals {
    signals_with(a, b, true, true)
}

/// [`signals`], leaving `run_long`/`run_short` (without `run`) and `gram_jaccard` (without
/// `grams`) at 0.
fn signals_with(
    a: &SentenceFeatures,
    b: &SentenceFeatures,
    run: bool,
    grams: bool,
) -> SentencePairSignals {
    let (mut i, mut j) = (0, 0);
    let mut shared = 0f32;
    let mut shared_b = 0f32;
    while i < a.stems.len() && j < b.stems.len() {
        match a.stems[i].0.cmp(&b.stems[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += a.stems[i].1;
                shared_b += b.stems[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    let denom = a.stem_weight + b.stem_weight;
    let stem_dice = if denom > 0.0 {
        f64::from((shared + shared_b) / denom)
    } else {
        0.0
    };
    let min_w = a.stem_weight.min(b.stem_weight);
    let stem_containment = if min_w > 0.0 {
        let s = if a.stem_weight <= b.stem_weight {
            shared
        } else {
            shared_b
        };
        f64::from(s / min_w).min(1.0)
    } else {
        0.0
    };
    let gram_jaccard = if grams {
        let inter = crate::fingerprint::intersection_size(&a.grams, &b.grams);
        let union = a.grams.len() + b.grams.len() - inter;
        if union > 0 {
            inter as f64 / union as f64
        } else {
            0.0
        }
    } else {
        0.0
    };
    let run = if run {
        longest_common_run(&a.tokens, &b.tokens)
    } else {
        0
    };
    let long = a.tokens.len().max(b.tokens.len()).max(1) as f64;
    let short = a.tokens.len().min(b.tokens.len()).max(1) as f64;
    SentencePairSignals {
        stem_dice,
        stem_containment,
        run_long: run as f64 / long,
        run_short: run as f64 / short,
        gram_jaccard,
        token_dice: token_dice(a, b),
        number_mismatch: {
            let shared = crate::fingerprint::intersection_size(&a.numbers, &b.numbers);
            let union = a.numbers.len() + b.numbers.len() - shared;
            if union == 0 {
                0.0
            } else {
                (union - shared) as f64 / union as f64
            }
        },
    }
}

/// Dice overlap of the token multisets: each token of `b` matches at most one unmatched equal
/// token of `a`.
fn token_dice(a: &SentenceFeatures, b: &SentenceFeatures) -> f64 {
    if a.tokens.is_empty() || b.tokens.is_empty() {
        return 0.0;
    }
    fn sorted(f: &SentenceFeatures) -> std::borrow::Cow<'_, [u64]> {
        if f.sorted_tokens.len() == f.tokens.len() {
            std::borrow::Cow::Borrowed(&f.sorted_tokens)
        } else {
            let mut v = f.tokens.clone();
            v.sort_unstable();
            std::borrow::Cow::Owned(v)
        }
    }
    let (x, y) = (sorted(a), sorted(b));
    // Merging two sorted multisets counts min(count in a, count in b) for every token.
    let shared = crate::fingerprint::intersection_size(&x, &y);
    2.0 * shared as f64 / (a.tokens.len() + b.tokens.len()) as f64
}

/// Length of the longest common contiguous run of two token sequences (dynamic programming
/// over one row; sentences are short, so the row lives on the stack).
pub fn longest_common_run(a: &[u64], b: &[u64]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    const STACK: usize = 320;
    let mut stack = [0u32; STACK];
    let mut heap = Vec::new();
    let row: &mut [u32] = if b.len() <= STACK {
        &mut stack[..b.len()]
    } else {
        heap.resize(b.len(), 0u32);
        &mut heap
    };
    // row[j]: length of the common run ending at the current token of a and b[j]; updated in
    // place from right to left so row[j - 1] still holds the previous token's value.
    let mut best = 0u32;
    for &x in a {
        for j in (0..b.len()).rev() {
            row[j] = if x == b[j] {
                let v = if j > 0 { row[j - 1] + 1 } else { 1 };
                best = best.max(v);
                v
            } else {
                0
            };
        }
    }
    best as usize
}

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
}

/// Sentences per document that take part in an alignment.
pub const MAX_ALIGN_SENTENCES: usize = 1000;

/// A link under construction: `(a, b, a_end, b_end, similarity)`.
type RawLink = (usize, usize, Option<usize>, Option<usize>, f64);

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
        order: order_coherence(&links),
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
    }
}

fn align_ordered(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    sim: &dyn SentenceSimilarity,
    config: &AlignConfig,
) -> Alignment {
    // Similarity matrix, sparse: only cells that share a content stem can score (or, with
    // embeddings on both sides and small documents, every cell). The work is bounded whatever the
    // input: a stem found in more than `MAX_POSTING` sentences of b (a repeated refrain) proposes
    // nothing, and each row keeps its `ROW_CELLS` best cells.
    const MAX_POSTING: usize = 64;
    const ROW_CELLS: usize = 8;
    let floor = config.link_threshold.min(config.context_threshold);
    let dense = fa.first().is_some_and(|f| f.embedding.is_some())
        && fb.first().is_some_and(|f| f.embedding.is_some())
        && fa.len() * fb.len() <= 10_000;
    let mut cells: Vec<(f64, usize, usize)> = Vec::new();
    let mut index: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    let mut exact: FxHashMap<&[u64], Vec<usize>> = FxHashMap::default();
    for (j, f) in fb.iter().enumerate() {
        for &(s, _) in &f.stems {
            index.entry(s).or_default().push(j);
        }
        if f.stems.is_empty() && !f.tokens.is_empty() {
            exact.entry(&f.tokens).or_default().push(j);
        }
    }
    let posting_cap = MAX_POSTING.max(fb.len() / 8);
    let mut seen = vec![usize::MAX; fb.len()];
    let mut row: Vec<(f64, usize, usize)> = Vec::new();
    for (i, f) in fa.iter().enumerate() {
        row.clear();
        let mut consider = |j: usize, row: &mut Vec<(f64, usize, usize)>| {
            if seen[j] != i {
                seen[j] = i;
                let v = sim.similarity(f, &fb[j]);
                if v >= floor {
                    row.push((v, i, j));
                }
            }
        };
        if dense {
            for j in 0..fb.len() {
                consider(j, &mut row);
            }
        } else {
            for &(s, _) in &f.stems {
                if let Some(js) = index.get(&s).filter(|js| js.len() <= posting_cap) {
                    for &j in js {
                        consider(j, &mut row);
                    }
                }
            }
        }
        // Sentences without content stems (rare) can still be verbatim.
        if f.stems.is_empty() {
            for &j in exact.get(f.tokens.as_slice()).into_iter().flatten() {
                row.push((1.0, i, j));
            }
        }
        row.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.2.cmp(&y.2)));
        cells.extend(row.iter().take(ROW_CELLS));
    }
    cells.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));

    let mut used_a = vec![false; fa.len()];
    let mut used_b = vec![false; fb.len()];
    let mut links: Vec<RawLink> = Vec::new();
    for &(v, i, j) in &cells {
        if v < config.link_threshold || used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        links.push((i, j, None, None, v));
    }
    context_links(fa, fb, &cells, &mut used_a, &mut used_b, &mut links, config);

    // Two-to-one merges with a neighbouring unlinked sentence.
    for link in &mut links {
        let (i, j, _, _, v) = *link;
        let mut best = (v, None, None);
        for nj in [j.checked_sub(1), Some(j + 1)].into_iter().flatten() {
            if nj < fb.len() && !used_b[nj] {
                let (lo, hi) = (j.min(nj), j.max(nj));
                let m = sim.similarity(&fa[i], &fb[lo].merged(&fb[hi]));
                if m > best.0 + config.merge_gain {
                    best = (m, None, Some(nj));
                }
            }
        }
        for ni in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
            if ni < fa.len() && !used_a[ni] {
                let (lo, hi) = (i.min(ni), i.max(ni));
                let m = sim.similarity(&fa[lo].merged(&fa[hi]), &fb[j]);
                if m > best.0 + config.merge_gain {
                    best = (m, Some(ni), None);
                }
            }
        }
        if let (m, Some(ni), None) = best {
            used_a[ni] = true;
            *link = (i.min(ni), j, Some(i.max(ni)), None, m);
        } else if let (m, None, Some(nj)) = best {
            used_b[nj] = true;
            *link = (i, j.min(nj), None, Some(j.max(nj)), m);
        }
    }
    links.sort_by_key(|l| (l.0, l.1));

    let words_a: usize = fa.iter().map(|f| f.words).sum();
    let words_b: usize = fb.iter().map(|f| f.words).sum();
    let mut covered_a = [0usize; 3];
    let mut covered_b = [0usize; 3];
    let mut out = Vec::with_capacity(links.len());
    let mut sim_sum = 0.0;
    let mut sim_words = 0usize;
    let (mut fact_shared, mut fact_total) = (0usize, 0usize);
    let mut link_words = Vec::with_capacity(links.len());
    let (mut sem_sum, mut sem_words) = (0.0, 0usize);
    for (i, j, ie, je, v) in links {
        let ga = gather(fa, i, ie);
        let gb = gather(fb, j, je);
        link_words.push((ga.words, gb.words));
        if let (Some(x), Some(y)) = (&ga.embedding, &gb.embedding) {
            sem_sum += crate::semantic::cosine(x, y) * (ga.words + gb.words) as f64;
            sem_words += ga.words + gb.words;
        }
        let kind = link_kind(&ga, &gb, config);
        let k = kind as usize;
        covered_a[k] += ga.words;
        covered_b[k] += gb.words;
        fact_shared += 2 * crate::fingerprint::intersection_size(&ga.facts, &gb.facts);
        fact_total += ga.facts.len() + gb.facts.len();
        sim_sum += v * (ga.words + gb.words) as f64;
        sim_words += ga.words + gb.words;
        out.push(AlignmentLink {
            a: i,
            b: j,
            a_end: ie,
            b_end: je,
            kind,
            similarity: round4(v),
        });
    }
    let order = order_coherence(&out);
    let (chain_words_a, chain_words_b) = monotone_chain(&out, &link_words);
    Alignment {
        chain_a: ratio(chain_words_a, words_a),
        chain_b: ratio(chain_words_b, words_b),
        link_semantic: (sem_words > 0).then(|| sem_sum / sem_words as f64),
        reuse_a: ratio(covered_a.iter().sum(), words_a),
        reuse_b: ratio(covered_b.iter().sum(), words_b),
        covered_a,
        covered_b,
        order,
        mean_similarity: if sim_words > 0 {
            sim_sum / sim_words as f64
        } else {
            0.0
        },
        number_agreement: if fact_total > 0 {
            fact_shared as f64 / fact_total as f64
        } else {
            1.0
        },
        links: out,
    }
}

/// Words on each side covered by the heaviest chain of links that increase in both documents
/// (`links` sorted by a; `words[k]` = words of link k on each side). Quadratic in the links,
/// which are bounded by the sentences of the shorter side.
fn monotone_chain(links: &[AlignmentLink], words: &[(usize, usize)]) -> (usize, usize) {
    let chain = heaviest_chain(
        links.len(),
        |m, k| {
            links[m].a_end.unwrap_or(links[m].a) < links[k].a
                && links[m].b_end.unwrap_or(links[m].b) < links[k].b
        },
        |k| words[k].0 + words[k].1,
    );
    chain
        .into_iter()
        .fold((0, 0), |(wa, wb), k| (wa + words[k].0, wb + words[k].1))
}

/// The heaviest chain of `n` items sorted by position, where `follows(m, k)` says item k may come
/// after item m: indices, last first (empty when `n` is 0). Quadratic; ties go to the later end.
fn heaviest_chain(
    n: usize,
    follows: impl Fn(usize, usize) -> bool,
    weight: impl Fn(usize) -> usize,
) -> Vec<usize> {
    let mut best = vec![0usize; n];
    let mut prev = vec![usize::MAX; n];
    for k in 0..n {
        best[k] = weight(k);
        for m in 0..k {
            if follows(m, k) && best[m] + weight(k) > best[k] {
                best[k] = best[m] + weight(k);
                prev[k] = m;
            }
        }
    }
    let mut chain = Vec::new();
    let mut k = (0..n).max_by_key(|&k| best[k]);
    while let Some(i) = k {
        chain.push(i);
        k = (prev[i] != usize::MAX).then_some(prev[i]);
    }
    chain
}

/// Adds context links: a paraphrasing tool rewrites every sentence but keeps their order, so
/// each sentence's best match is its counterpart even when the similarity is low. Cells that are
/// the best of both their row and their column, above `context_threshold`, become links when
/// they lie on one ordered chain (with the strong links) that covers `context_coverage` of the
/// shorter side. Independent reports of an event share scattered sentences, not such a chain.
fn context_links(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    cells: &[(f64, usize, usize)],
    used_a: &mut [bool],
    used_b: &mut [bool],
    links: &mut Vec<RawLink>,
    config: &AlignConfig,
) {
    let mut row_best = vec![(0.0f64, usize::MAX); fa.len()];
    let mut col_best = vec![(0.0f64, usize::MAX); fb.len()];
    for &(v, i, j) in cells {
        if v > row_best[i].0 {
            row_best[i] = (v, j);
        }
        if v > col_best[j].0 {
            col_best[j] = (v, i);
        }
    }
    // Points of the chain: strong links (fixed) and candidate context cells.
    let mut points: Vec<(usize, usize, f64, bool)> =
        links.iter().map(|l| (l.0, l.1, l.4, true)).collect();
    for &(v, i, j) in cells {
        if v >= config.context_threshold
            && !used_a[i]
            && !used_b[j]
            && row_best[i].1 == j
            && col_best[j].1 == i
        {
            points.push((i, j, v, false));
        }
    }
    if points.len() < 3 {
        return;
    }
    points.sort_by_key(|p| (p.0, p.1));
    // Longest chain increasing in both coordinates, weighted by the words of side a and b.
    let chain: Vec<(usize, usize, f64, bool)> = heaviest_chain(
        points.len(),
        |m, k| points[m].0 < points[k].0 && points[m].1 < points[k].1,
        |k| fa[points[k].0].words + fb[points[k].1].words,
    )
    .into_iter()
    .map(|k| points[k])
    .collect();
    if chain.is_empty() {
        return;
    }
    let words_a: usize = fa.iter().map(|f| f.words).sum();
    let words_b: usize = fb.iter().map(|f| f.words).sum();
    let cov_a = chain.iter().map(|p| fa[p.0].words).sum::<usize>() as f64 / words_a.max(1) as f64;
    let cov_b = chain.iter().map(|p| fb[p.1].words).sum::<usize>() as f64 / words_b.max(1) as f64;
    let coverage = if words_a <= words_b { cov_a } else { cov_b };
    if coverage < config.context_coverage {
        return;
    }
    for (i, j, v, fixed) in chain {
        if !fixed {
            used_a[i] = true;
            used_b[j] = true;
            links.push((i, j, None, None, v));
        }
    }
}

fn gather(f: &[SentenceFeatures], i: usize, end: Option<usize>) -> SentenceFeatures {
    match end {
        Some(e) => f[i].merged(&f[e]),
        None => f[i].clone(),
    }
}

/// Types a link from its token-level signals.
pub fn link_kind(a: &SentenceFeatures, b: &SentenceFeatures, config: &AlignConfig) -> LinkKind {
    if !a.tokens.is_empty() && a.tokens == b.tokens {
        return LinkKind::Verbatim;
    }
    let s = signals(a, b);
    // One extra or missing word at the edge (a credit, a dateline) is still verbatim.
    if s.run_long >= 0.95 {
        return LinkKind::Verbatim;
    }
    if s.run_short >= config.near_verbatim_run && s.token_dice >= 0.6 || s.token_dice >= 0.85 {
        return LinkKind::NearVerbatim;
    }
    LinkKind::Paraphrase
}

fn ratio(x: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        (x as f64 / n as f64).min(1.0)
    }
}

/// Rounds a score for output (stable JSON, readable reports).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Longest strictly increasing subsequence of b-positions over links sorted by a, as a share of
/// the links. One link is trivially ordered but says nothing, so fewer than three links score 0.5.
fn order_coherence(links: &[AlignmentLink]) -> f64 {
    if links.len() < 3 {
        return 0.5;
    }
    let mut tails: Vec<usize> = Vec::new();
    for l in links {
        let pos = tails.partition_point(|&t| t < l.b);
        if pos == tails.len() {
            tails.push(l.b);
        } else {
            tails[pos] = l.b;
        }
    }
    tails.len() as f64 / links.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Article;

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
