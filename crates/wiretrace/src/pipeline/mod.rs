//! The driver: one sequence of stages for every caller.
//!
//! ```text
//! prepare ──► candidates ──► score ──► assemble
//! articles    Corpus +       Candidate  AlignedPair ──► Analysis
//! → Corpus    Postings       Pair       (classified, stories, derivations, quotes)
//! ```
//!
//! [`prepare`] segments and fingerprints articles into a [`Corpus`]; the candidate stage asks a
//! blocking index ([`crate::candidates::Postings`]) under the rules of
//! [`crate::candidates::Blocking`]; [`score`] screens, aligns and scores the candidates;
//! [`assemble`] classifies them and derives stories, derivations and quotes. [`analyze`] runs
//! them over a batch with an index in memory; a store runs the same stages over the index in
//! its tables (crate `wiretrace-store`: an ingest writes what they give, a check does not).

mod assemble;
mod score;

use std::time::Instant;

use rayon::prelude::*;

pub use assemble::assemble;
pub(crate) use score::hours_apart;
pub use score::{score, score_one, AlignedPair, ScoreCounters};

use crate::candidates::{self, CandidatePair, CandidateStats};
use crate::corpus::{Corpus, DocIdx};
use crate::engine::Engine;
use crate::fingerprint::{CorpusStats, Fingerprint, Fingerprinter};
use crate::model::{Analysis, Article, Pair, RunStats, StageSeconds};
use crate::text::Document;

/// What becomes of an article's text when it is segmented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// The body moves into the document (the report never reads it again): one copy of each
    /// text is held, not two.
    Move,
    /// The article keeps its body (a store writes it).
    Keep,
}

/// Segments `articles` into documents.
pub fn segment(articles: &mut [Article], text: Text) -> Vec<Document> {
    articles
        .par_iter_mut()
        .map(|a| match text {
            Text::Move => {
                let text = take_full_text(a);
                Document::from_text(&a.id, text)
            }
            Text::Keep => Document::from_article(a),
        })
        .collect()
}

/// Fingerprints of `docs` under the engine's fingerprint shape.
pub fn fingerprint(engine: &Engine, docs: &[Document]) -> Vec<Fingerprint> {
    let fper = Fingerprinter::new(engine.config().fingerprint);
    docs.par_iter().map(|d| fper.fingerprint(d)).collect()
}

/// A corpus of `articles` alone: segmented, fingerprinted, counted, and embedded by the
/// document model.
pub fn prepare(engine: &Engine, mut articles: Vec<Article>, text: Text) -> Corpus {
    let docs = segment(&mut articles, text);
    let fps = fingerprint(engine, &docs);
    let stats = CorpusStats::from_fingerprints(&fps);
    let dvs = engine.document_vectors(&docs);
    whole(articles, docs, fps, dvs, stats)
}

/// A corpus that is the whole of one: slot `i` is document `i`.
fn whole(
    articles: Vec<Article>,
    docs: Vec<Document>,
    fps: Vec<Fingerprint>,
    dvs: Vec<Option<crate::semantic::Vector>>,
    stats: CorpusStats,
) -> Corpus {
    Corpus {
        number: (0..docs.len()).filter_map(DocIdx::from_index).collect(),
        articles,
        docs,
        fps,
        dvs,
        stats,
    }
}

/// The candidate pairs of a corpus held whole in memory.
pub fn candidates_in_memory(
    engine: &Engine,
    corpus: &Corpus,
) -> (Vec<CandidatePair>, CandidateStats) {
    candidates::batch(&corpus.fps, &corpus.stats, &corpus.dvs, &engine.blocking())
}

/// [`Engine::analyze`]: prepare → candidates (in memory) → score → assemble, each stage freeing
/// what the later ones do not read.
pub fn analyze(engine: &Engine, articles: Vec<Article>) -> Analysis {
    let mut seconds = StageSeconds::default();
    let t = Instant::now();
    let mut articles = articles;
    let docs = segment(&mut articles, Text::Move);
    seconds.segment = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let fps = fingerprint(engine, &docs);
    let stats = CorpusStats::from_fingerprints(&fps);
    seconds.fingerprint = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let dvs = engine.document_vectors(&docs);
    let mut corpus = whole(articles, docs, fps, dvs, stats);
    let (cands, counters) = candidates_in_memory(engine, &corpus);
    seconds.candidates = t.elapsed().as_secs_f64();
    // Signatures and sentence hashes served the candidate search only: freed before the term
    // vectors are built, which would otherwise add to them at the peak.
    corpus.fps.par_iter_mut().for_each(|fp| {
        fp.minhash = Vec::new();
        fp.sentence_hashes = Vec::new();
    });
    let t = Instant::now();
    let (scored, scoring) = score(engine, &mut corpus, &cands);
    seconds.align = t.elapsed().as_secs_f64();
    let candidate_pairs = cands.len();
    drop(cands);
    corpus.dvs = Vec::new();
    let t = Instant::now();
    let mut analysis = assemble(engine, &corpus, scored);
    seconds.cluster = t.elapsed().as_secs_f64();
    let n = corpus.len() as u64;
    analysis.stats = RunStats {
        articles: corpus.len(),
        sentences: corpus.docs.iter().map(|d| d.sentences.len()).sum(),
        lsh_pairs: counters.lsh,
        term_pairs: counters.terms + counters.sentence,
        semantic_candidate_pairs: counters.semantic,
        candidate_pairs,
        aligned_pairs: scoring.aligned,
        embedded_sentences: scoring.embedded_sentences,
        semantic_pairs: scoring.semantic_pairs,
        all_pairs: n * n.saturating_sub(1) / 2,
        seconds,
    };
    analysis
}

/// The report form of one aligned pair (as in [`Analysis::pairs`]), or `None` when it is
/// unrelated. Slots in `s` point into `corpus`.
pub fn pair_report(engine: &Engine, corpus: &Corpus, s: &AlignedPair) -> Option<Pair> {
    assemble::classified(engine, &corpus.articles, &corpus.fps, s).map(|(_, p)| p)
}

/// [`Article::full_text`], leaving the article's body empty (its text then lives only in the
/// document built from it).
fn take_full_text(a: &mut Article) -> String {
    let body = std::mem::take(&mut a.body);
    match a.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => format!("{t}\n\n{body}"),
        _ => body,
    }
}
