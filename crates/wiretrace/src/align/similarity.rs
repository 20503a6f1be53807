//! How alike two sentences are: the lexical signals of a pair, the [`SentenceSimilarity`]
//! seam and its lexical and hybrid (lexical + embedding) implementations.

use super::SentenceFeatures;

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

    /// How strongly two sentences match as evidence of lineage: the stronger of the signals
    /// the similarity combines (a spun sentence shares few words but keeps the meaning, so a
    /// blend tuned for lexical paraphrase would hide it). Defaults to the similarity.
    fn strength(&self, a: &SentenceFeatures, b: &SentenceFeatures) -> f64 {
        self.similarity(a, b)
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

/// What a sentence pair shows: its lexical signals and, when both sentences were embedded, the
/// cosine of their embeddings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SentenceEvidence {
    /// The lexical signals.
    pub signals: SentencePairSignals,
    /// The embedding cosine, when both sides have an embedding.
    pub cosine: Option<f64>,
}

impl SentenceEvidence {
    /// The evidence of two sentences.
    pub fn of(a: &SentenceFeatures, b: &SentenceFeatures) -> Self {
        SentenceEvidence {
            signals: signals_with(a, b, true, false),
            cosine: match (&a.embedding, &b.embedding) {
                (Some(x), Some(y)) => Some(crate::semantic::cosine(x, y)),
                _ => None,
            },
        }
    }
}

/// An input of the paraphrase model: a lexical signal of a sentence pair or its embedding cosine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentenceInput {
    /// [`SentencePairSignals::stem_dice`].
    StemDice,
    /// [`SentencePairSignals::stem_containment`].
    StemContainment,
    /// [`SentencePairSignals::token_dice`].
    TokenDice,
    /// [`SentencePairSignals::run_short`].
    RunShort,
    /// [`SentencePairSignals::run_long`].
    RunLong,
    /// [`SentencePairSignals::number_mismatch`].
    NumberMismatch,
    /// The embedding cosine (0 without embeddings: a model fitted with it is only used where
    /// both sentences carry one).
    Cosine,
}

impl crate::logistic::Reads<SentenceEvidence> for SentenceInput {
    fn of(self, e: &SentenceEvidence) -> f64 {
        let s = &e.signals;
        match self {
            SentenceInput::StemDice => s.stem_dice,
            SentenceInput::StemContainment => s.stem_containment,
            SentenceInput::TokenDice => s.token_dice,
            SentenceInput::RunShort => s.run_short,
            SentenceInput::RunLong => s.run_long,
            SentenceInput::NumberMismatch => s.number_mismatch,
            SentenceInput::Cosine => e.cosine.unwrap_or(0.0),
        }
    }
}

/// The paraphrase model: the calibrated probability that two sentences say the same thing
/// (fitted on graded news headlines and MSRP; see `fit_decision`).
pub type ParaphraseModel = crate::logistic::Logistic<SentenceInput>;

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
    /// The paraphrase model that gives a match its strength, when the parameters carry one.
    pub paraphrase: Option<std::sync::Arc<ParaphraseModel>>,
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

    fn strength(&self, a: &SentenceFeatures, b: &SentenceFeatures) -> f64 {
        if let Some(m) = &self.paraphrase {
            return m.probability(&SentenceEvidence::of(a, b));
        }
        let lex = self.lexical.similarity(a, b);
        self.semantic(a, b).map_or(lex, |sem| sem.max(lex))
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
