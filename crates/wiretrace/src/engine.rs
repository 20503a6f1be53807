//! The facade: [`Config`] (the parameters of every stage) and [`Engine`], whose
//! [`Engine::analyze`] runs the pipeline ([`crate::pipeline`]) over a batch held in memory, and
//! whose other calls compare one pair directly, for fitting and evaluation.

use std::sync::Arc;

use serde_json::json;

use crate::align::{
    self, AlignConfig, HybridSimilarity, LexicalSimilarity, SentenceFeatures, SentenceSimilarity,
};
use crate::candidates::{Blocking, CandidateConfig};
use crate::classify::{Classifier, PairFeatures};
use crate::corpus::Corpus;
use crate::fingerprint::{CorpusStats, FingerprintConfig};
use crate::model::*;
use crate::params::Params;
use crate::pipeline::{self, Text};
use crate::semantic::Embedder;
use crate::text::Document;

/// Tunable parameters of the engine. Defaults are the fitted, compiled-in values.
#[derive(Clone)]
pub struct Config {
    /// Fingerprint shape.
    pub fingerprint: FingerprintConfig,
    /// Candidate blocking.
    pub candidates: CandidateConfig,
    /// Aligner thresholds.
    pub align: AlignConfig,
    /// Pair classifier.
    pub classifier: Classifier,
    /// Sentence similarity (replaceable: the semantic model plugs in here).
    pub similarity: Arc<dyn SentenceSimilarity>,
    /// The paraphrase model inside `similarity` that scores matches for the lineage evidence
    /// (kept here too so that a store records it with its parameters).
    pub paraphrase: Option<Arc<crate::align::ParaphraseModel>>,
    /// Story clustering: minimum average similarity to merge.
    pub story_link_average: f64,
    /// Sentence embedding model; `None` runs the engine lexically.
    pub embedder: Option<Arc<dyn Embedder>>,
    /// Fast document embedding model (a static model): nearest-neighbour blocking, and the
    /// document similarity of candidates whose sentences `embedder` did not embed. Where it ran,
    /// the position-weighted mean of the sentence embeddings is the document vector. `None`:
    /// documents are compared lexically, and by those sentence means where `embedder` ran.
    pub doc_embedder: Option<Arc<dyn Embedder>>,
    /// Nearest neighbours per document proposed as candidates (with `doc_embedder`).
    pub neighbours: usize,
    /// Most sentences embedded in one `analyze` run (the model runs ~100 sentences/s/core).
    pub semantic_budget: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("fingerprint", &self.fingerprint)
            .field("candidates", &self.candidates)
            .field("align", &self.align)
            .field("classifier", &self.classifier)
            .field(
                "embedder",
                &self.embedder.as_ref().map(|e| e.id().to_string()),
            )
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    /// The lexical engine with the compiled-in parameters.
    fn default() -> Self {
        Config::from_params(&crate::params::PARAMS, None)
    }
}

impl Config {
    /// The semantic engine: the sentence model, the document model, and the parameters fitted
    /// with them.
    pub fn semantic(embedder: Arc<dyn Embedder>, doc_embedder: Option<Arc<dyn Embedder>>) -> Self {
        Config::from_params(&crate::params::PARAMS_SEMANTIC, Some(embedder))
            .with_doc_embedder(doc_embedder)
    }

    /// An engine configuration from a parameter set (the fitting program builds its candidates
    /// this way).
    pub fn from_params(p: &Params, embedder: Option<Arc<dyn Embedder>>) -> Self {
        let paraphrase = p.paraphrase.clone().map(Arc::new);
        Config {
            paraphrase: paraphrase.clone(),
            fingerprint: FingerprintConfig::default(),
            candidates: CandidateConfig::default(),
            align: AlignConfig {
                link_threshold: p.sentence.link_threshold,
                near_verbatim_run: p.sentence.near_verbatim_run,
                context_threshold: p.sentence.context_threshold,
                context_coverage: p.sentence.context_coverage,
                ..AlignConfig::default()
            },
            classifier: Classifier::from_params(p),
            similarity: Arc::new(HybridSimilarity {
                lexical: LexicalSimilarity::from_params(&p.sentence),
                w_semantic: p.sentence.w_semantic,
                floor: p.sentence.semantic_floor,
                paraphrase,
            }),
            story_link_average: p.story.link_average,
            embedder,
            doc_embedder: None,
            neighbours: 10,
            semantic_budget: 20_000,
        }
    }

    /// Adds the fast document model.
    pub fn with_doc_embedder(mut self, e: Option<Arc<dyn Embedder>>) -> Self {
        self.doc_embedder = e;
        self
    }
}

/// Runs the pipeline.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: Config,
}

impl Engine {
    /// An engine with the given configuration.
    pub fn new(config: Config) -> Self {
        Engine { config }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Analyses a batch of articles end to end: prepare → candidates (an index in memory) →
    /// score → assemble.
    pub fn analyze(&self, articles: Vec<Article>) -> Analysis {
        pipeline::analyze(self, articles)
    }

    /// The blocking rules: candidate keys, and the embedding neighbours each document proposes
    /// (`None` without a document model, or with a floor above 1).
    pub fn blocking(&self) -> Blocking {
        Blocking {
            config: self.config.candidates,
            neighbours: self.neighbour_blocking(),
        }
    }

    /// The embedding-neighbour blocking: how many neighbours each document proposes and the
    /// cosine they need, or `None` when it is off (no document model, or a floor above 1).
    pub fn neighbour_blocking(&self) -> Option<(usize, f64)> {
        let floor = self.config.classifier.params.block_semantic;
        (self.config.doc_embedder.is_some() && floor <= 1.0)
            .then_some((self.config.neighbours, floor))
    }

    /// Aligns and scores one pair directly (no candidate generation, corpus = the two articles).
    /// The relation may be [`Relation::Unrelated`]; `similarity` is always computed.
    pub fn compare(&self, a: &Article, b: &Article) -> Pair {
        let corpus = self.two(a, b);
        let mut s = pipeline::score_one(self, &corpus, 0, 1);
        s.features.hours_apart = pipeline::hours_apart(a, b);
        let d = self.config.classifier.classify(&s.features);
        Pair {
            a: a.id.clone(),
            b: b.id.clone(),
            relation: d.relation,
            similarity: align::round4(s.features.graded_similarity(&self.config.classifier.params)),
            confidence: d.confidence,
            reuse: Reuse {
                a: align::round4(s.alignment.reuse_a),
                b: align::round4(s.alignment.reuse_b),
            },
            alignments: s.alignment.links,
            evidence: d.evidence,
        }
    }

    /// The features of one pair, computed as [`Engine::compare`] does (for fitting).
    pub fn pair_features(&self, a: &Article, b: &Article) -> PairFeatures {
        pipeline::score_one(self, &self.two(a, b), 0, 1).features
    }

    /// The features of every candidate pair of a batch, each scored as [`Engine::compare`]
    /// scores a pair (for fitting and evaluation): `(a, b, features)` with document indices.
    pub fn candidate_features(&self, articles: &[Article]) -> Vec<(usize, usize, PairFeatures)> {
        use rayon::prelude::*;
        let corpus = pipeline::prepare(self, articles.to_vec(), Text::Keep);
        let (cands, _) = pipeline::candidates_in_memory(self, &corpus);
        cands
            .par_iter()
            .map(|c| {
                let s = pipeline::score_one(self, &corpus, c.a.index(), c.b.index());
                (s.a, s.b, s.features)
            })
            .collect()
    }

    fn two(&self, a: &Article, b: &Article) -> Corpus {
        pipeline::prepare(self, vec![a.clone(), b.clone()], Text::Keep)
    }

    /// Each document's vector under the document model, or `None` for every document without
    /// one (or when it fails): nearest-neighbour blocking, and the document similarity of pairs
    /// whose sentences the sentence model did not embed.
    pub fn document_vectors(&self, docs: &[Document]) -> Vec<Option<crate::semantic::Vector>> {
        let Some(e) = &self.config.doc_embedder else {
            return vec![None; docs.len()];
        };
        let norms: Vec<String> = docs.iter().map(Document::norm_text).collect();
        let texts: Vec<&str> = norms.iter().map(String::as_str).collect();
        match e.embed(&texts) {
            Ok(vs) => vs
                .into_iter()
                .map(|v| (v.iter().any(|x| *x != 0.0)).then(|| v.into()))
                .collect(),
            Err(_) => vec![None; docs.len()],
        }
    }

    /// Whether two sentences would be linked by the aligner, and how: `None` when not.
    pub fn sentence_link(&self, a: &str, b: &str) -> Option<(LinkKind, f64)> {
        let (fa, fb) = self.sentence_pair_features(a, b);
        let v = self.config.similarity.similarity(&fa, &fb);
        (v >= self.config.align.link_threshold).then(|| {
            (
                align::link_kind(&fa, &fb, &self.config.align),
                align::round4(v),
            )
        })
    }

    /// The similarity of two sentences under the configured similarity function.
    pub fn sentence_similarity(&self, a: &str, b: &str) -> f64 {
        let (fa, fb) = self.sentence_pair_features(a, b);
        self.config.similarity.similarity(&fa, &fb)
    }

    /// Features of two texts, each treated as one sentence, with embeddings when a model is set.
    pub fn sentence_pair_features(&self, a: &str, b: &str) -> (SentenceFeatures, SentenceFeatures) {
        let stats = CorpusStats::default();
        let mut fa = sentence_as_features(a, &stats);
        let mut fb = sentence_as_features(b, &stats);
        if let Some(e) = &self.config.embedder {
            if let Ok(v) = e.embed(&[a, b]) {
                let mut it = v.into_iter();
                fa.embedding = it.next().map(Into::into);
                fb.embedding = it.next().map(Into::into);
            }
        }
        (fa, fb)
    }

    /// The parameters that shape what a store keeps: fingerprints, blocking keys, pair scores
    /// and relations, and the text stages whose output stored alignments point into. A store
    /// records them and refuses to mix in work done under others.
    pub fn stored_parameters(&self) -> serde_json::Value {
        let c = &self.config;
        json!({
            "shingle": c.fingerprint.shingle,
            "permutations": c.fingerprint.permutations,
            "seed": c.fingerprint.seed,
            "bands": c.candidates.bands,
            "rows": c.candidates.rows,
            "terms_per_doc": c.candidates.terms_per_doc,
            "max_df": c.candidates.max_df,
            "min_shared_terms": c.candidates.min_shared_terms,
            "max_bucket": c.candidates.max_bucket,
            "model": c.embedder.as_ref().map(|e| e.id().to_string()),
            "document_model": c.doc_embedder.as_ref().map(|e| e.id().to_string()),
            "neighbours": c.neighbours,
            "link_threshold": c.align.link_threshold,
            "context_threshold": c.align.context_threshold,
            "story_link_average": c.story_link_average,
            "classifier": c.classifier.params,
            // Digests: the models are hundreds of numbers, and a refused store's message names
            // what differs in one line.
            "decision": c.classifier.model.as_deref().map(digest),
            "paraphrase": c.paraphrase.as_deref().map(digest),
            "text": crate::text::TEXT_VERSION,
        })
    }
}

/// A short digest of a fitted model: the xxh3 hash of its JSON, in hex.
fn digest(model: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(model).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(json.as_bytes()))
}

/// Features of a text treated as one sentence, whatever its punctuation.
pub fn sentence_as_features(s: &str, stats: &CorpusStats) -> SentenceFeatures {
    let doc = Document::from_text("s", s.to_string());
    let feats = align::sentence_features(&doc, stats);
    feats
        .into_iter()
        .reduce(|x, y| x.merged(&y))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIRE: &str = "Dockworkers shut the port of Valmora on Monday, leaving 42 cargo ships waiting at anchor. \
        The walkout began at 6 a.m. when about 3,200 members of the union failed to report for work. \
        Port Minister Ana Ruiz said the government would not negotiate while the cranes stood still. \
        The union is demanding a 12 percent pay rise, while the government has offered 3.5 percent. \
        Talks are scheduled to resume on Wednesday at the ministry in the old town.";

    fn rel(a: &str, b: &str) -> Relation {
        Engine::default()
            .compare(&Article::new("a", a), &Article::new("b", b))
            .relation
    }

    #[test]
    fn verbatim_reprint_is_copy() {
        let reprint = format!("{WIRE} (Reporting by Lena Markov.)");
        assert_eq!(rel(WIRE, &reprint), Relation::Copy);
    }

    #[test]
    fn edited_copy_is_light_rewrite() {
        let light = "Dockworkers shut the port of Valmora on Monday, leaving 42 cargo ships stranded at anchor. \
            The strike began at 6 a.m. when about 3,200 union members did not report for work. \
            Port Minister Ana Ruiz said the government would not negotiate while the cranes stood still. \
            The union wants a 12 percent pay rise, while the government has offered 3.5 percent. \
            Cafes near the harbour were empty on Monday.";
        assert_eq!(rel(WIRE, light), Relation::LightRewrite);
    }

    #[test]
    fn spun_copy_is_heavy_rewrite() {
        let spun = "Wharf labourers closed the harbour of Valmora on Monday, stranding 42 freight vessels idle offshore. \
            The stoppage started at 6 a.m. as roughly 3,200 members of the union neglected to turn up for duty. \
            Harbour Minister Ana Ruiz stated the administration would refuse to bargain as long as the hoists remained idle. \
            The union seeks a 12 percent salary increase, whereas the administration has proposed 3.5 percent. \
            Negotiations are set to restart on Wednesday at the ministry in the historic quarter.";
        assert_eq!(rel(WIRE, spun), Relation::HeavyRewrite);
    }

    #[test]
    fn unrelated_texts_are_unrelated() {
        let other = "The Brenhaven city library reopened on Saturday after a two-year renovation. \
            Readers queued from early morning to see the new children's wing and the restored reading room. \
            The architect said the building now uses forty percent less energy.";
        assert_eq!(rel(WIRE, other), Relation::Unrelated);
    }

    #[test]
    fn analyze_never_pairs_everything_and_reports_counts() {
        let mut arts: Vec<Article> = (0..30)
            .map(|i| Article::new(format!("n{i}"), format!("Item {i}: the council of town {i} met on day {i} to discuss road number {i} and budget line {i}.")))
            .collect();
        arts.push(Article::new("wire", WIRE));
        arts.push(Article::new("copy", WIRE));
        let a = Engine::default().analyze(arts);
        assert_eq!(a.stats.all_pairs, 32 * 31 / 2);
        assert!((a.stats.candidate_pairs as u64) < a.stats.all_pairs);
        assert!(a
            .pairs
            .iter()
            .any(|p| p.a == "wire" && p.b == "copy" && p.relation == Relation::Copy));
        assert_eq!(
            a.stories.iter().map(|s| s.articles.len()).sum::<usize>(),
            32
        );
    }

    /// A document model that knows two texts mean the same although they share no word.
    struct Topics;

    impl Embedder for Topics {
        fn id(&self) -> &str {
            "topics"
        }
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            Ok(texts
                .iter()
                .map(|t| {
                    if t.contains("harbour") || t.contains("port") {
                        vec![1.0, 0.0]
                    } else {
                        vec![0.0, 1.0]
                    }
                })
                .collect())
        }
    }

    #[test]
    fn stored_parameters_name_the_model() {
        let p = Engine::default().stored_parameters();
        assert_eq!(p["shingle"], 3);
        assert!(p["model"].is_null());
        assert!(p["classifier"]["copy_verbatim"].is_number());
    }

    #[test]
    fn embedding_neighbours_become_candidates_that_no_shared_word_would_find() {
        let arts = vec![
            Article::new("a", "Dockworkers shut the port of Valmora on Monday."),
            Article::new("b", "Wharf labourers closed the harbour yesterday."),
            Article::new("c", "The library reopened after a long renovation."),
        ];
        let mut p = crate::params::PARAMS.clone();
        p.pair.block_semantic = 0.9;
        p.pair.topic_semantic = 0.5;
        let lexical = Engine::new(Config::from_params(&p, None));
        assert_eq!(lexical.analyze(arts.clone()).stats.candidate_pairs, 0);
        let semantic =
            Engine::new(Config::from_params(&p, None).with_doc_embedder(Some(Arc::new(Topics))));
        let a = semantic.analyze(arts);
        assert_eq!(a.stats.candidate_pairs, 1, "{:?}", a.stats);
        assert_eq!(a.stats.semantic_candidate_pairs, 1);
        let pair = &a.pairs[0];
        assert_eq!((pair.a.as_str(), pair.b.as_str()), ("a", "b"));
    }
}
