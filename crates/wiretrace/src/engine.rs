//! The facade: [`Engine`] runs the stages in order and assembles the [`Analysis`].
//!
//! Each stage is a pure function over a batch (documents, fingerprints, candidate pairs), run
//! here with rayon; a distributed runner would call the same functions as operators.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::align::{
    self, AlignConfig, Alignment, HybridSimilarity, LexicalSimilarity, SentenceFeatures,
    SentenceSimilarity,
};
use crate::candidates::{self, via, CandidateConfig, CorpusStats};
use crate::classify::{Classifier, PairFeatures};
use crate::fingerprint::{Fingerprint, FingerprintConfig, Fingerprinter};
use crate::model::*;
use crate::params::Params;
use crate::quotes;
use crate::semantic::Embedder;
use crate::story::{self, ArticleInfo, ScoredPair};
use crate::text::Document;

// Incremental entry points for a persistent corpus (a child module, so it reuses the private
// scoring helpers below instead of copying them).
mod incremental;

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
        Config {
            fingerprint: FingerprintConfig::default(),
            candidates: CandidateConfig::default(),
            align: AlignConfig {
                link_threshold: p.sentence.link_threshold,
                near_verbatim_run: p.sentence.near_verbatim_run,
                context_threshold: p.sentence.context_threshold,
                context_coverage: p.sentence.context_coverage,
                ..AlignConfig::default()
            },
            classifier: Classifier { params: p.pair },
            similarity: Arc::new(HybridSimilarity {
                lexical: LexicalSimilarity::from_params(&p.sentence),
                w_semantic: p.sentence.w_semantic,
                floor: p.sentence.semantic_floor,
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

/// Documents, fingerprints, corpus statistics and document embeddings of a batch.
type Prepared = (
    Vec<Document>,
    Vec<Fingerprint>,
    CorpusStats,
    Vec<Option<crate::semantic::Vector>>,
);

/// Runs the pipeline.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    config: Config,
}

/// A scored candidate pair with everything the later stages and the report need.
#[derive(Debug, Clone)]
pub struct ScoredCandidate {
    /// Lower document index.
    pub a: usize,
    /// Higher document index.
    pub b: usize,
    /// Features.
    pub features: PairFeatures,
    /// Alignment.
    pub alignment: Alignment,
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

    /// Analyses a batch of articles end to end.
    pub fn analyze(&self, mut articles: Vec<Article>) -> Analysis {
        let mut seconds = StageSeconds::default();
        let t = Instant::now();
        // The documents keep the only copy of each text: the bodies move into them (the later
        // stages read only the articles' ids, titles and dates).
        let docs: Vec<Document> = articles
            .par_iter_mut()
            .map(|a| {
                let text = take_full_text(a);
                Document::from_text(&a.id, text)
            })
            .collect();
        seconds.segment = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let fper = Fingerprinter::new(self.config.fingerprint);
        let mut fps: Vec<Fingerprint> = docs.par_iter().map(|d| fper.fingerprint(d)).collect();
        let stats = CorpusStats::from_fingerprints(&fps);
        seconds.fingerprint = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let dvs = self.doc_vectors(&docs);
        let (cands, counters) = self.candidates(&fps, &stats, &dvs);
        seconds.candidates = t.elapsed().as_secs_f64();
        // Signatures and sentence hashes served the candidate search only: freed before the
        // term vectors are built, which would otherwise add to them at the peak.
        fps.par_iter_mut().for_each(|fp| {
            fp.minhash = Vec::new();
            fp.sentence_hashes = Vec::new();
        });

        let t = Instant::now();
        // Every term's idf once (the stage reads it per token and term): equal to
        // `stats.idf`, which stays the fallback.
        let idf_table: FxHashMap<u64, f64> = stats
            .df
            .par_iter()
            .map(|(&stem, _)| (stem, stats.idf(stem)))
            .collect();
        let idf = |stem: u64| match idf_table.get(&stem) {
            Some(&v) => v,
            None => stats.idf(stem),
        };
        let vectors: Vec<DocVector> = fps
            .par_iter()
            .map(|fp| DocVector::with_idf(fp, &idf))
            .collect();
        // Screen: pairs without shared text and with little topical overlap are not aligned.
        let screen = self.config.classifier.params.screen_cosine;
        let kept: Vec<(usize, usize, f64, f64)> = cands
            .par_iter()
            .filter_map(|c| {
                let (a, b) = (c.a as usize, c.b as usize);
                let cos = vectors[a].cosine(&vectors[b]);
                let cont = containment(&fps[a].shingles, &fps[b].shingles);
                passes_screen(screen, c.via, cos, cont).then_some((a, b, cos, cont))
            })
            .collect();
        // From here on only the word counts of the fingerprints are read (the term vectors are
        // built): their sets and signatures are freed rather than held to the end.
        for fp in &mut fps {
            fp.shingles = Vec::new();
            fp.terms = Vec::new();
        }
        let mut needed = vec![false; docs.len()];
        for &(a, b, _, _) in &kept {
            needed[a] = true;
            needed[b] = true;
        }
        let grams = self.config.similarity.uses_grams();
        let feats: Vec<Option<Vec<SentenceFeatures>>> = docs
            .par_iter()
            .zip(needed.par_iter())
            .map(|(d, &need)| need.then(|| align::sentence_features_idf(d, &idf, grams)))
            .collect();
        let score_pair = |a: usize,
                          b: usize,
                          cos: f64,
                          cont: f64,
                          feats: &[Option<Vec<SentenceFeatures>>],
                          dv: &[Option<crate::semantic::Vector>]| {
            let (fa, fb) = (feats[a].as_ref()?, feats[b].as_ref()?);
            let alignment =
                align::align(fa, fb, self.config.similarity.as_ref(), &self.config.align);
            let mut features = PairFeatures::new(
                &alignment,
                fps[a].words,
                fps[b].words,
                cont,
                cos,
                vectors[a].entity_overlap(&vectors[b]),
            );
            features.hours_apart = hours_apart(&articles[a], &articles[b]);
            // MiniLM's document vectors where the semantic pass embedded both sides (they follow
            // human "same story" judgements much more closely), the static model's otherwise.
            features.semantic = semantic_cosine(dv, a, b).or_else(|| semantic_cosine(&dvs, a, b));
            Some(ScoredCandidate {
                a,
                b,
                features,
                alignment,
            })
        };
        // Lexical pass over every candidate.
        let no_vectors = vec![None; docs.len()];
        let mut scored: Vec<ScoredCandidate> = kept
            .par_iter()
            .filter_map(|&(a, b, cos, cont)| score_pair(a, b, cos, cont, &feats, &no_vectors))
            .collect();
        // Semantic pass: the pairs that lexical evidence leaves open (not a copy or light rewrite),
        // strongest first, as far as the sentence budget reaches; they are aligned again with
        // embeddings. The budget keeps a large corpus from spending hours in the model.
        let mut embedded_sentences = 0usize;
        let mut semantic_pairs = 0usize;
        if self.config.embedder.is_some() {
            let classifier = &self.config.classifier;
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
            for k in open {
                let (a, b) = (scored[k].a, scored[k].b);
                let extra = [a, b]
                    .iter()
                    .filter(|&&d| !chosen_docs[d])
                    .map(|&d| docs[d].sentences.len())
                    .sum::<usize>();
                if embedded_sentences + extra > self.config.semantic_budget {
                    continue;
                }
                embedded_sentences += extra;
                chosen_docs[a] = true;
                chosen_docs[b] = true;
                chosen_pairs.push(k);
            }
            let mut sem_feats: Vec<Option<Vec<SentenceFeatures>>> = feats
                .iter()
                .zip(&chosen_docs)
                .map(|(f, &c)| if c { f.clone() } else { None })
                .collect();
            let dv = self.embed_documents(&docs, &mut sem_feats);
            if dv.iter().any(Option::is_some) {
                let redone: Vec<(usize, Option<ScoredCandidate>)> = chosen_pairs
                    .par_iter()
                    .map(|&k| {
                        let s = &scored[k];
                        (
                            k,
                            score_pair(
                                s.a,
                                s.b,
                                s.features.cosine,
                                s.features.containment,
                                &sem_feats,
                                &dv,
                            ),
                        )
                    })
                    .collect();
                for (k, s) in redone {
                    if let Some(s) = s {
                        scored[k] = s;
                        semantic_pairs += 1;
                    }
                }
            } else {
                embedded_sentences = 0;
            }
        }
        seconds.align = t.elapsed().as_secs_f64();
        // Sentence features and term vectors are not needed by the last stage.
        drop(feats);
        drop(vectors);
        drop(idf_table);
        let aligned_pairs = kept.len();
        drop(kept);
        let candidate_pairs = cands.len();
        drop(cands);
        drop(dvs);

        let t = Instant::now();
        let mut analysis = self.assemble(&articles, &docs, &fps, &stats, scored, &|i| i);
        seconds.cluster = t.elapsed().as_secs_f64();
        let n = articles.len() as u64;
        analysis.stats = RunStats {
            articles: articles.len(),
            sentences: docs.iter().map(|d| d.sentences.len()).sum(),
            lsh_pairs: counters.lsh,
            term_pairs: counters.terms + counters.sentence,
            semantic_candidate_pairs: counters.semantic,
            candidate_pairs,
            aligned_pairs,
            embedded_sentences,
            semantic_pairs,
            all_pairs: n * n.saturating_sub(1) / 2,
            seconds,
        };
        analysis
    }

    fn assemble(
        &self,
        articles: &[Article],
        docs: &[Document],
        fps: &[Fingerprint],
        stats: &CorpusStats,
        scored: Vec<ScoredCandidate>,
        number: &(dyn Fn(usize) -> usize + Sync),
    ) -> Analysis {
        // Built on the worker threads (in order), whose allocator arenas hold the memory the
        // alignment stage freed: built on this thread they added to the peak.
        let mut pairs: Vec<(ScoredPair, Pair)> = scored
            .par_iter()
            .filter_map(|s| self.scored_pair(articles, fps, s))
            .collect();
        // The pairs hold what is reported of each alignment: the alignments of all candidates
        // are not held through the rest of the stage.
        drop(scored);
        // By relation, then by the similarity users see (graded), then by the story score: with
        // no graded weights the order of the story score alone.
        pairs.sort_by(|x, y| {
            x.0.relation
                .cmp(&y.0.relation)
                .then(y.1.similarity.total_cmp(&x.1.similarity))
                .then(y.0.similarity.total_cmp(&x.0.similarity))
                .then((x.0.a, x.0.b).cmp(&(y.0.a, y.0.b)))
        });
        let scored_pairs: Vec<ScoredPair> = pairs.iter().map(|p| p.0).collect();

        let members = story::cluster(
            articles.len(),
            &scored_pairs,
            self.config.story_link_average,
        );
        let mut story_of = vec![0usize; articles.len()];
        for (s, m) in members.iter().enumerate() {
            for &i in m {
                story_of[i] = s;
            }
        }
        // Labels read every member's tokens: built in parallel (collected in story order).
        let mut stories: Vec<Story> = members
            .par_iter()
            .enumerate()
            .map(|(_, m)| Story {
                id: story_id(m, number),
                articles: m.iter().map(|&i| articles[i].id.clone()).collect(),
                label: story_label(m, docs, stats),
                related: Vec::new(),
            })
            .collect();
        let mut related: HashMap<usize, Vec<usize>> = HashMap::new();
        for p in scored_pairs
            .iter()
            .filter(|p| p.relation == Relation::Related)
        {
            let (x, y) = (story_of[p.a], story_of[p.b]);
            if x != y {
                related.entry(x).or_default().push(y);
                related.entry(y).or_default().push(x);
            }
        }
        for (s, mut r) in related {
            r.sort_unstable();
            r.dedup();
            stories[s].related = r
                .into_iter()
                .map(|x| story_id(&members[x], number))
                .collect();
        }

        let infos: Vec<ArticleInfo<'_>> = articles
            .iter()
            .map(|a| ArticleInfo {
                id: &a.id,
                published: a.published.map(|t| t.timestamp()),
            })
            .collect();
        let (mut derivations, mut undirected) = story::derivations(&infos, &scored_pairs);

        let quote_pairs: Vec<quotes::PairLinks<'_>> = scored_pairs
            .iter()
            .zip(&pairs)
            .map(|(sp, (_, p))| quotes::PairLinks {
                a: sp.a,
                b: sp.b,
                relation: sp.relation,
                links: &p.alignments,
            })
            .collect();
        let quotes = quotes::group_quotes(
            articles,
            docs,
            &story_of,
            &quote_pairs,
            self.config.embedder.as_deref(),
            number,
        );
        quotes::fidelity::apply_corroboration(&quotes, &mut derivations, &mut undirected);
        // Derivations are listed in the order of their pairs (relation, then similarity): the
        // quote evidence above can turn an undirected pair into a derivation after the others.
        let index: HashMap<&str, usize> = articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let position: HashMap<(usize, usize), usize> = scored_pairs
            .iter()
            .enumerate()
            .map(|(k, p)| ((p.a, p.b), k))
            .collect();
        let rank = |x: &str, y: &str| {
            let (x, y) = (index.get(x).copied(), index.get(y).copied());
            x.zip(y)
                .and_then(|(x, y)| position.get(&(x.min(y), x.max(y))).copied())
                .unwrap_or(usize::MAX)
        };
        derivations.sort_by_cached_key(|d| rank(&d.source, &d.derived));
        undirected.sort_by_cached_key(|u| rank(&u.a, &u.b));

        Analysis {
            version: JSON_VERSION,
            articles: articles
                .par_iter()
                .zip(docs.par_iter())
                .map(|(a, d)| ArticleSummary {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    source: a.source.clone(),
                    url: a.url.clone(),
                    published: a.published,
                    lang: a.lang.clone(),
                    sentences: d.sentences.len(),
                    words: d.words(),
                })
                .collect(),
            stories,
            pairs: pairs.into_iter().map(|p| p.1).collect(),
            derivations,
            undirected,
            quotes,
            skipped: Vec::new(),
            warnings: Vec::new(),
            stats: RunStats::default(),
        }
    }

    /// A scored pair as the story stage and the report see it, or `None` when it is unrelated.
    fn scored_pair(
        &self,
        articles: &[Article],
        fps: &[Fingerprint],
        s: &ScoredCandidate,
    ) -> Option<(ScoredPair, Pair)> {
        let classifier = &self.config.classifier;
        let d = classifier.classify(&s.features);
        if d.relation == Relation::Unrelated {
            return None;
        }
        let sp = ScoredPair {
            a: s.a,
            b: s.b,
            relation: d.relation,
            similarity: s.features.similarity_with(&classifier.params),
            cosine: s.features.cosine,
            length_ratio: s.features.length_ratio,
            verbatim_short: s.features.verbatim_short,
            a_is_short: fps[s.a].words <= fps[s.b].words,
            later_development: classifier.later_development(&s.features),
        };
        let pair = Pair {
            a: articles[s.a].id.clone(),
            b: articles[s.b].id.clone(),
            relation: d.relation,
            similarity: align::round4(s.features.graded_similarity(&classifier.params)),
            confidence: d.confidence,
            reuse: Reuse {
                a: align::round4(s.alignment.reuse_a),
                b: align::round4(s.alignment.reuse_b),
            },
            alignments: if d.relation <= Relation::SameEvent {
                s.alignment.links.clone()
            } else {
                Vec::new()
            },
            evidence: d.evidence,
        };
        Some((sp, pair))
    }

    /// Aligns and scores one pair directly (no candidate generation, corpus = the two articles).
    /// The relation may be [`Relation::Unrelated`]; `similarity` is always computed.
    pub fn compare(&self, a: &Article, b: &Article) -> Pair {
        let (docs, fps, stats, dvs) = self.prepare(&[a, b]);
        let mut s = self.score(&docs, &fps, &stats, &dvs, 0, 1);
        s.features.hours_apart = hours_apart(a, b);
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
        let (docs, fps, stats, dvs) = self.prepare(&[a, b]);
        self.score(&docs, &fps, &stats, &dvs, 0, 1).features
    }

    /// The features of every candidate pair of a batch, as [`Engine::analyze`] computes them
    /// (for fitting and evaluation): `(a, b, features)` with document indices.
    pub fn candidate_features(&self, articles: &[Article]) -> Vec<(usize, usize, PairFeatures)> {
        let refs: Vec<&Article> = articles.iter().collect();
        let (docs, fps, stats, dvs) = self.prepare(&refs);
        let (cands, _) = self.candidates(&fps, &stats, &dvs);
        cands
            .par_iter()
            .map(|c| {
                let s = self.score(&docs, &fps, &stats, &dvs, c.a as usize, c.b as usize);
                (s.a, s.b, s.features)
            })
            .collect()
    }

    fn prepare(&self, articles: &[&Article]) -> Prepared {
        let docs: Vec<Document> = articles
            .par_iter()
            .map(|a| Document::from_article(a))
            .collect();
        let fper = Fingerprinter::new(self.config.fingerprint);
        let fps: Vec<Fingerprint> = docs.par_iter().map(|d| fper.fingerprint(d)).collect();
        let stats = CorpusStats::from_fingerprints(&fps);
        let dvs = self.doc_vectors(&docs);
        (docs, fps, stats, dvs)
    }

    /// Candidate pairs from the lexical blockers and, with a document model, from embedding
    /// neighbours.
    fn candidates(
        &self,
        fps: &[Fingerprint],
        stats: &CorpusStats,
        dvs: &[Option<crate::semantic::Vector>],
    ) -> (Vec<candidates::CandidatePair>, candidates::CandidateStats) {
        let (mut cands, mut counters) = candidates::candidates(fps, stats, &self.config.candidates);
        let floor = self.config.classifier.params.block_semantic;
        if floor <= 1.0 {
            let pairs = crate::neighbours::neighbour_pairs(dvs, self.config.neighbours, floor);
            counters.semantic = candidates::add_neighbours(&mut cands, &pairs);
        }
        (cands, counters)
    }

    /// Each document's embedding under the document model (its normalised token forms), or
    /// nothing without one.
    fn doc_vectors(&self, docs: &[Document]) -> Vec<Option<crate::semantic::Vector>> {
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

    fn score(
        &self,
        docs: &[Document],
        fps: &[Fingerprint],
        stats: &CorpusStats,
        dvs: &[Option<crate::semantic::Vector>],
        a: usize,
        b: usize,
    ) -> ScoredCandidate {
        let (va, vb) = (
            DocVector::new(&fps[a], stats),
            DocVector::new(&fps[b], stats),
        );
        let side = |i: usize, v| Side {
            feats: align::sentence_features(&docs[i], stats),
            vector: v,
        };
        self.score_with(docs, fps, dvs, (a, &side(a, va)), (b, &side(b, vb)))
    }

    /// [`Engine::score`] of documents `a` and `b` from their sentence features and term vectors,
    /// which a caller scoring many pairs computes once per document.
    fn score_with(
        &self,
        docs: &[Document],
        fps: &[Fingerprint],
        dvs: &[Option<crate::semantic::Vector>],
        (a, sa): (usize, &Side),
        (b, sb): (usize, &Side),
    ) -> ScoredCandidate {
        let (alignment, doc_vectors) = if self.config.embedder.is_some() {
            // The sentence embeddings go into the features of this pair only: held for every
            // document of a large batch they would outgrow memory.
            let mut pair_feats = vec![None; docs.len()];
            pair_feats[a] = Some(sa.feats.clone());
            pair_feats[b] = Some(sb.feats.clone());
            let doc_vectors = self.embed_documents(docs, &mut pair_feats);
            let fa = pair_feats[a].take().unwrap_or_default();
            let fb = pair_feats[b].take().unwrap_or_default();
            let alignment = align::align(
                &fa,
                &fb,
                self.config.similarity.as_ref(),
                &self.config.align,
            );
            (alignment, doc_vectors)
        } else {
            let alignment = align::align(
                &sa.feats,
                &sb.feats,
                self.config.similarity.as_ref(),
                &self.config.align,
            );
            (alignment, Vec::new())
        };
        let mut features = PairFeatures::new(
            &alignment,
            fps[a].words,
            fps[b].words,
            containment(&fps[a].shingles, &fps[b].shingles),
            sa.vector.cosine(&sb.vector),
            sa.vector.entity_overlap(&sb.vector),
        );
        features.semantic =
            semantic_cosine(&doc_vectors, a, b).or_else(|| semantic_cosine(dvs, a, b));
        ScoredCandidate {
            a,
            b,
            features,
            alignment,
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

    /// Embeds every sentence of the documents that have features, in one batched call, and
    /// returns each document's vector: the position-weighted mean of its sentences
    /// ([`crate::semantic::lead_weighted_mean`]; the sentences are embedded for alignment anyway,
    /// so the vector costs nothing more). Without a model, or when the model fails, nothing
    /// changes and the run stays lexical.
    fn embed_documents(
        &self,
        docs: &[Document],
        feats: &mut [Option<Vec<SentenceFeatures>>],
    ) -> Vec<Option<crate::semantic::Vector>> {
        let mut out = vec![None; docs.len()];
        let Some(embedder) = &self.config.embedder else {
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
}

fn semantic_cosine(v: &[Option<crate::semantic::Vector>], a: usize, b: usize) -> Option<f64> {
    Some(crate::semantic::cosine(v.get(a)?.as_ref()?, v.get(b)?.as_ref()?).max(0.0))
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

fn hours_apart(a: &Article, b: &Article) -> Option<f64> {
    let (x, y) = (a.published?, b.published?);
    Some((x.timestamp() - y.timestamp()).unsigned_abs() as f64 / 3600.0)
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

/// Share of the smaller shingle set found in the larger.
/// The screen before alignment: a candidate with neither shared text nor topical overlap (nor a
/// shared sentence or an embedding-neighbour flag) cannot reach `related` and is not aligned.
/// `analyze` and the store's incremental scoring both apply it.
fn passes_screen(screen_cosine: f64, via_flags: u8, cosine: f64, containment: f64) -> bool {
    cosine >= screen_cosine
        || containment >= 0.1
        || via_flags & (via::SENTENCE | via::SEMANTIC) != 0
}

fn containment(a: &[u64], b: &[u64]) -> f64 {
    let m = a.len().min(b.len());
    if m == 0 {
        0.0
    } else {
        crate::fingerprint::intersection_size(a, b) as f64 / m as f64
    }
}

/// What scoring a pair reads of one of its documents.
struct Side {
    feats: Vec<SentenceFeatures>,
    vector: DocVector,
}

/// A document's weighted content-term vector (sublinear term frequency × term weight).
#[derive(Debug, Clone)]
struct DocVector {
    terms: Vec<(u64, f32, bool)>,
    norm: f32,
}

impl DocVector {
    fn new(fp: &Fingerprint, stats: &CorpusStats) -> Self {
        DocVector::with_idf(fp, &|stem| stats.idf(stem))
    }

    /// [`DocVector::new`] with the idf from `idf` (equal to [`CorpusStats::idf`]).
    fn with_idf(fp: &Fingerprint, idf: &dyn Fn(u64) -> f64) -> Self {
        let terms: Vec<(u64, f32, bool)> = fp
            .terms
            .iter()
            .map(|t| {
                let tf = 1.0 + (t.count as f32).ln();
                (
                    t.stem,
                    tf * align::term_weight(t.entity, t.numeric, idf(t.stem)),
                    t.entity || t.numeric,
                )
            })
            .collect();
        let norm = terms.iter().map(|t| t.1 * t.1).sum::<f32>().sqrt();
        DocVector { terms, norm }
    }

    fn cosine(&self, other: &DocVector) -> f64 {
        if self.norm == 0.0 || other.norm == 0.0 {
            return 0.0;
        }
        let mut dot = 0f32;
        merge_terms(&self.terms, &other.terms, |x, y| dot += x.1 * y.1);
        f64::from(dot / (self.norm * other.norm)).clamp(0.0, 1.0)
    }

    /// Weighted Jaccard of the entity and number terms.
    fn entity_overlap(&self, other: &DocVector) -> f64 {
        let wa: f32 = self.terms.iter().filter(|t| t.2).map(|t| t.1).sum();
        let wb: f32 = other.terms.iter().filter(|t| t.2).map(|t| t.1).sum();
        let mut shared_min = 0f32;
        merge_terms(&self.terms, &other.terms, |x, y| {
            if x.2 || y.2 {
                shared_min += x.1.min(y.1);
            }
        });
        let union = wa + wb - shared_min;
        if union <= 0.0 {
            0.0
        } else {
            f64::from(shared_min / union).clamp(0.0, 1.0)
        }
    }
}

fn merge_terms(
    a: &[(u64, f32, bool)],
    b: &[(u64, f32, bool)],
    mut f: impl FnMut(&(u64, f32, bool), &(u64, f32, bool)),
) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(&a[i], &b[j]);
                i += 1;
                j += 1;
            }
        }
    }
}

/// A story's id names its first member: `s{n}` where `n` is that article's 1-based position in
/// the corpus (`number` maps the documents at hand to it). Unlike a rank by size, it does not move
/// when other stories grow, so links to a story of a stored corpus keep working as articles
/// arrive; it changes only when the story merges with an earlier one or loses its first member.
fn story_id(members: &[usize], number: &(dyn Fn(usize) -> usize + Sync)) -> String {
    format!("s{}", members.first().map_or(0, |&i| number(i)) + 1)
}

/// A few salient words shared by a story's members: content words ranked by how many members use
/// them, how often, and how rare they are in the corpus, shown in their most frequent written
/// form. Calendar words (weekdays, months) say when, not what, and are left out.
fn story_label(members: &[usize], docs: &[Document], stats: &CorpusStats) -> String {
    // Fx maps: the result does not depend on their order (ranked and form choices are total
    // orders), and SipHash was most of the cost.
    let mut score: FxHashMap<u64, (f64, usize, usize)> = FxHashMap::default();
    let mut forms: FxHashMap<u64, FxHashMap<&str, usize>> = FxHashMap::default();
    let mut seen = rustc_hash::FxHashSet::default();
    for &m in members.iter().take(50) {
        let d = &docs[m];
        seen.clear();
        for t in d.tokens.iter().filter(|t| !t.stop && !t.numeric()) {
            let surface = &d.text[t.span().start..t.span().end];
            if surface.chars().count() < 3 || crate::text::is_calendar_word(&d.norm_of(t)) {
                continue;
            }
            *forms.entry(t.stem).or_default().entry(surface).or_insert(0) += 1;
            let e = score.entry(t.stem).or_insert((0.0, 0, 0));
            e.2 += 1;
            if seen.insert(t.stem) {
                e.0 += stats.idf(t.stem) * if t.entity() { 1.3 } else { 1.0 };
                e.1 += 1;
            }
        }
    }
    let need = if members.len() > 1 { 2 } else { 1 };
    let mut ranked: Vec<(u64, f64)> = score
        .into_iter()
        .filter(|(_, (_, n, _))| *n >= need.min(members.len()))
        .map(|(k, (s, _, count))| (k, s * (1.0 + (count as f64).ln())))
        .collect();
    ranked.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    ranked
        .iter()
        .take(4)
        .filter_map(|(k, _)| {
            forms.get(k).and_then(|f| {
                f.iter()
                    .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                    .map(|(s, _)| s.to_string())
            })
        })
        .collect::<Vec<_>>()
        .join(" · ")
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
