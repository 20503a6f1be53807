//! Scoring: candidate pairs → [`AlignedPair`]s. The screen drops candidates with neither shared
//! text nor topical overlap; the rest are aligned sentence by sentence and turned into pair
//! features, first lexically, then — with a sentence model — the pairs lexical evidence leaves
//! open are aligned again with sentence embeddings, strongest first, as far as the sentence
//! budget reaches.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::align::{self, Alignment, SentenceFeatures};
use crate::candidates::{passes_screen, CandidatePair};
use crate::classify::PairFeatures;
use crate::corpus::Corpus;
use crate::engine::Engine;
use crate::fingerprint::{containment, DocVector};
use crate::model::{Article, Relation};
use crate::semantic::Vector;
use crate::text::Document;

/// A candidate pair aligned and scored: what classification, the later stages and the report
/// read. `a < b` are slots of the corpus at hand.
#[derive(Debug, Clone)]
pub struct AlignedPair {
    /// Lower slot.
    pub a: usize,
    /// Higher slot.
    pub b: usize,
    /// Features.
    pub features: PairFeatures,
    /// Alignment.
    pub alignment: Alignment,
}

/// What scoring did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreCounters {
    /// Candidates that passed the screen and were aligned.
    pub aligned: usize,
    /// Sentences embedded by the semantic pass.
    pub embedded_sentences: usize,
    /// Pairs aligned again with embeddings.
    pub semantic_pairs: usize,
}

/// A pair past the screen: slots, term cosine, shingle containment.
type Kept = (usize, usize, f64, f64);

/// Screens, aligns and scores `cands` (slots of `corpus`). The fingerprints' shingle and term
/// sets are read by the screen and then freed: only their word counts are read afterwards.
pub fn score(
    engine: &Engine,
    corpus: &mut Corpus,
    cands: &[CandidatePair],
) -> (Vec<AlignedPair>, ScoreCounters) {
    let n = corpus.len();
    let valid = |c: &CandidatePair| {
        let (a, b) = (c.a.index(), c.b.index());
        (a < n && b < n && a != b).then_some((a, b))
    };
    let mut used = vec![false; n];
    for (a, b) in cands.iter().filter_map(valid) {
        (used[a], used[b]) = (true, true);
    }
    // Every term's idf once (read per token and term below); equal to `stats.idf`, which
    // stays the fallback.
    let stats = &corpus.stats;
    let idf_table: FxHashMap<u64, f64> = stats
        .df
        .par_iter()
        .map(|(&stem, _)| (stem, stats.idf(stem)))
        .collect();
    let idf = |stem: u64| match idf_table.get(&stem) {
        Some(&v) => v,
        None => stats.idf(stem),
    };
    let vectors: Vec<Option<DocVector>> = corpus
        .fps
        .par_iter()
        .zip(used.par_iter())
        .map(|(fp, &u)| u.then(|| DocVector::with_idf(fp, &idf)))
        .collect();
    let kept = screen(engine, corpus, cands, &vectors, valid);
    for fp in &mut corpus.fps {
        fp.shingles = Vec::new();
        fp.terms = Vec::new();
    }
    let feats = sentence_features(engine, corpus, &kept, &idf);
    let sides = Sides {
        corpus,
        vectors: &vectors,
    };
    let no_vectors = vec![None; n];
    let mut scored: Vec<AlignedPair> = kept
        .par_iter()
        .filter_map(|&(a, b, cos, cont)| sides.pair(engine, (a, b), cos, cont, &feats, &no_vectors))
        .collect();
    let mut counters = ScoreCounters {
        aligned: kept.len(),
        ..ScoreCounters::default()
    };
    if engine.config().embedder.is_some() {
        semantic_pass(engine, &sides, &feats, &mut scored, &mut counters);
    }
    (scored, counters)
}

/// The candidates that pass the screen, with their term cosine and shingle containment.
fn screen(
    engine: &Engine,
    corpus: &Corpus,
    cands: &[CandidatePair],
    vectors: &[Option<DocVector>],
    valid: impl Fn(&CandidatePair) -> Option<(usize, usize)> + Sync,
) -> Vec<Kept> {
    let floor = engine.config().classifier.params.screen_cosine;
    let fps = &corpus.fps;
    cands
        .par_iter()
        .filter_map(|c| {
            let (a, b) = valid(c)?;
            let cos = vectors[a].as_ref()?.cosine(vectors[b].as_ref()?);
            let cont = containment(&fps[a].shingles, &fps[b].shingles);
            passes_screen(floor, c.via, cos, cont).then_some((a, b, cos, cont))
        })
        .collect()
}

/// Sentence features of the documents of kept pairs (`None` for the others).
fn sentence_features(
    engine: &Engine,
    corpus: &Corpus,
    kept: &[Kept],
    idf: &(dyn Fn(u64) -> f64 + Sync),
) -> Vec<Option<Vec<SentenceFeatures>>> {
    let mut needed = vec![false; corpus.len()];
    for &(a, b, _, _) in kept {
        (needed[a], needed[b]) = (true, true);
    }
    let grams = engine.config().similarity.uses_grams();
    corpus
        .docs
        .par_iter()
        .zip(needed.par_iter())
        .map(|(d, &need)| need.then(|| align::sentence_features_idf(d, idf, grams)))
        .collect()
}

/// What aligning a pair reads of the corpus.
struct Sides<'c> {
    corpus: &'c Corpus,
    vectors: &'c [Option<DocVector>],
}

impl Sides<'_> {
    /// Aligns slots `a` and `b` from their sentence features; `sentence_dvs` are document
    /// vectors made from sentence embeddings, preferred to the document model's.
    fn pair(
        &self,
        engine: &Engine,
        (a, b): (usize, usize),
        cos: f64,
        cont: f64,
        feats: &[Option<Vec<SentenceFeatures>>],
        sentence_dvs: &[Option<Vector>],
    ) -> Option<AlignedPair> {
        let (fa, fb) = (feats[a].as_ref()?, feats[b].as_ref()?);
        let (va, vb) = (self.vectors[a].as_ref()?, self.vectors[b].as_ref()?);
        let c = self.corpus;
        Some(aligned(
            engine,
            c,
            (a, b),
            (fa, fb),
            (cos, cont, va.entity_overlap(vb)),
            sentence_dvs,
        ))
    }
}

/// The alignment and features of slots `a` and `b`. `(cosine, containment, entities)` are the
/// term cosine, shingle containment and entity overlap.
fn aligned(
    engine: &Engine,
    c: &Corpus,
    (a, b): (usize, usize),
    (fa, fb): (&[SentenceFeatures], &[SentenceFeatures]),
    (cos, cont, entities): (f64, f64, f64),
    sentence_dvs: &[Option<Vector>],
) -> AlignedPair {
    let config = engine.config();
    let alignment = align::align(fa, fb, config.similarity.as_ref(), &config.align);
    let mut features = PairFeatures::new(
        &alignment,
        c.fps[a].words,
        c.fps[b].words,
        cont,
        cos,
        entities,
    );
    features.hours_apart = hours_apart(&c.articles[a], &c.articles[b]);
    // Document vectors from the sentence model where it embedded both sides (they follow human
    // "same story" judgements much more closely), the document model's otherwise.
    features.semantic =
        semantic_cosine(sentence_dvs, a, b).or_else(|| semantic_cosine(&c.dvs, a, b));
    AlignedPair {
        a,
        b,
        features,
        alignment,
    }
}

/// The pairs lexical evidence leaves open (not a copy or light rewrite), strongest first, as
/// far as the sentence budget reaches, aligned again with sentence embeddings. The budget keeps
/// a large corpus from spending hours in the model.
fn semantic_pass(
    engine: &Engine,
    sides: &Sides<'_>,
    feats: &[Option<Vec<SentenceFeatures>>],
    scored: &mut [AlignedPair],
    counters: &mut ScoreCounters,
) {
    let docs = &sides.corpus.docs;
    let (chosen_docs, chosen_pairs, sentences) = within_budget(engine, docs, scored);
    let mut sem_feats: Vec<Option<Vec<SentenceFeatures>>> = feats
        .iter()
        .zip(&chosen_docs)
        .map(|(f, &c)| if c { f.clone() } else { None })
        .collect();
    let dv = embed_documents(engine, docs, &mut sem_feats);
    if !dv.iter().any(Option::is_some) {
        return;
    }
    counters.embedded_sentences = sentences;
    let redone: Vec<(usize, Option<AlignedPair>)> = chosen_pairs
        .par_iter()
        .map(|&k| {
            let s = &scored[k];
            let (cos, cont) = (s.features.cosine, s.features.containment);
            (
                k,
                sides.pair(engine, (s.a, s.b), cos, cont, &sem_feats, &dv),
            )
        })
        .collect();
    for (k, s) in redone {
        if let Some(s) = s {
            scored[k] = s;
            counters.semantic_pairs += 1;
        }
    }
}

/// The open pairs the budget reaches: which documents to embed, which pairs, and how many
/// sentences that is.
fn within_budget(
    engine: &Engine,
    docs: &[Document],
    scored: &[AlignedPair],
) -> (Vec<bool>, Vec<usize>, usize) {
    let classifier = &engine.config().classifier;
    let mut open: Vec<usize> = (0..scored.len())
        .filter(|&k| {
            !matches!(
                classifier.relation(&scored[k].features),
                Relation::Copy | Relation::LightRewrite
            )
        })
        .collect();
    open.sort_by(|&x, &y| {
        scored[y]
            .features
            .cosine
            .total_cmp(&scored[x].features.cosine)
    });
    let mut chosen_docs = vec![false; docs.len()];
    let mut chosen_pairs = Vec::new();
    let mut sentences = 0usize;
    for k in open {
        let (a, b) = (scored[k].a, scored[k].b);
        let extra = [a, b]
            .iter()
            .filter(|&&d| !chosen_docs[d])
            .map(|&d| docs[d].sentences.len())
            .sum::<usize>();
        if sentences + extra > engine.config().semantic_budget {
            continue;
        }
        sentences += extra;
        (chosen_docs[a], chosen_docs[b]) = (true, true);
        chosen_pairs.push(k);
    }
    (chosen_docs, chosen_pairs, sentences)
}

/// Scores slots `a` and `b` of `corpus` alone, as a pair compared directly: no screen, and
/// with a sentence model both texts are always embedded (for `compare` and fitting).
pub fn score_one(engine: &Engine, corpus: &Corpus, a: usize, b: usize) -> AlignedPair {
    let stats = &corpus.stats;
    let (va, vb) = (
        DocVector::new(&corpus.fps[a], stats),
        DocVector::new(&corpus.fps[b], stats),
    );
    let mut feats = vec![None; corpus.len()];
    for i in [a, b] {
        feats[i] = Some(align::sentence_features(&corpus.docs[i], stats));
    }
    // The sentence embeddings go into the features of this pair only: held for every document
    // of a large batch they would outgrow memory.
    let dv = embed_documents(engine, &corpus.docs, &mut feats);
    let (fa, fb) = (
        feats[a].take().unwrap_or_default(),
        feats[b].take().unwrap_or_default(),
    );
    let cont = containment(&corpus.fps[a].shingles, &corpus.fps[b].shingles);
    let mut s = aligned(
        engine,
        corpus,
        (a, b),
        (&fa, &fb),
        (va.cosine(&vb), cont, va.entity_overlap(&vb)),
        &dv,
    );
    // A pair compared directly carries its own times only when asked (`compare`).
    s.features.hours_apart = None;
    s
}

/// Embeds every sentence of the documents that have features, in one batched call, and returns
/// each document's vector: the position-weighted mean of its sentences
/// ([`crate::semantic::lead_weighted_mean`]; the sentences are embedded for alignment anyway,
/// so the vector costs nothing more). Without a model, or when the model fails, nothing changes
/// and the run stays lexical.
pub(crate) fn embed_documents(
    engine: &Engine,
    docs: &[Document],
    feats: &mut [Option<Vec<SentenceFeatures>>],
) -> Vec<Option<Vector>> {
    let mut out = vec![None; docs.len()];
    let Some(embedder) = &engine.config().embedder else {
        return out;
    };
    let mut texts: Vec<&str> = Vec::new();
    for (d, f) in docs.iter().zip(feats.iter()) {
        if f.is_some() {
            texts.extend((0..d.sentences.len()).map(|i| d.sentence_text(i)));
        }
    }
    if texts.is_empty() {
        return out;
    }
    let Ok(vectors) = embedder.embed(&texts) else {
        return out;
    };
    let mut it = vectors.into_iter();
    for (k, f) in feats.iter_mut().enumerate() {
        if let Some(sf) = f {
            for s in sf.iter_mut() {
                s.embedding = it.next().map(Into::into);
            }
            let vs: Vec<&[f32]> = sf.iter().filter_map(|s| s.embedding.as_deref()).collect();
            // Every sentence was embedded in the one call, so a vector's index is its
            // sentence's position; a short answer from the model leaves the document out.
            if vs.len() == sf.len() {
                out[k] = crate::semantic::lead_weighted_mean(&vs);
            }
        }
    }
    out
}

fn semantic_cosine(v: &[Option<Vector>], a: usize, b: usize) -> Option<f64> {
    Some(crate::semantic::cosine(v.get(a)?.as_ref()?, v.get(b)?.as_ref()?).max(0.0))
}

/// Hours between two articles' publication times, when both are known.
pub(crate) fn hours_apart(a: &Article, b: &Article) -> Option<f64> {
    let (x, y) = (a.published?, b.published?);
    Some((x.timestamp() - y.timestamp()).unsigned_abs() as f64 / 3600.0)
}
