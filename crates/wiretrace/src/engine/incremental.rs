//! The engine's stages as a persistent corpus calls them: one batch of new articles at a time,
//! against documents it has kept, instead of one [`Engine::analyze`] over everything.
//!
//! `analyze` owns its whole batch: it finds candidates among all documents, scores them, then
//! clusters. A store (crate `wiretrace-store`) keeps the fingerprints and an index of their
//! blocking keys, finds the candidates of new documents itself, and calls here to score only
//! those pairs ([`Engine::score_candidates`]) and to re-derive stories, derivations and quotes
//! from every stored pair ([`Engine::assemble_scored`]). Both run the same code as `analyze`, so
//! a pair scored here gets the features, alignment and relation `analyze` would give it under
//! the same corpus statistics.

use serde_json::json;

use super::{containment, hours_apart, passes_screen, DocVector, Engine, ScoredCandidate, Side};
use crate::align;
use crate::candidates::{CandidatePair, CorpusStats};
use crate::fingerprint::Fingerprint;
use crate::model::{Analysis, Article};
use crate::semantic::Vector;
use crate::text::Document;

impl Engine {
    /// Each document's vector under the document model, or `None` for every document without
    /// one (or when it fails): the store keeps them for nearest-neighbour blocking.
    pub fn document_vectors(&self, docs: &[Document]) -> Vec<Option<Vector>> {
        self.doc_vectors(docs)
    }

    /// The embedding-neighbour blocking of `analyze`: how many neighbours each document proposes
    /// and the cosine they need, or `None` when it is off (no document model, or a floor above 1).
    pub fn neighbour_blocking(&self) -> Option<(usize, f64)> {
        let floor = self.config.classifier.params.block_semantic;
        (self.config.doc_embedder.is_some() && floor <= 1.0)
            .then_some((self.config.neighbours, floor))
    }

    /// Screens, aligns and scores candidate pairs of `docs` as `analyze` does: a pair with
    /// neither shared text nor topical overlap (nor a shared sentence or an embedding-neighbour
    /// flag) is dropped unaligned. `articles`, `docs`, `fps` and `dvs` are parallel; `stats` are
    /// the statistics of the whole corpus the documents belong to.
    pub fn score_candidates(
        &self,
        articles: &[Article],
        docs: &[Document],
        fps: &[Fingerprint],
        stats: &CorpusStats,
        dvs: &[Option<Vector>],
        candidates: &[CandidatePair],
    ) -> Vec<ScoredCandidate> {
        use rayon::prelude::*;
        let screen = self.config.classifier.params.screen_cosine;
        let valid = |c: &CandidatePair| {
            let (a, b) = (c.a as usize, c.b as usize);
            (a < docs.len() && b < docs.len() && a != b).then_some((a, b))
        };
        // Each document's term vector and sentence features once, as `analyze` computes them,
        // not once per pair: a new article with 70 candidates was weighed 70 times over, and
        // the idf lookups were most of an ingest's scoring (perf).
        let mut used = vec![false; docs.len()];
        for (a, b) in candidates.iter().filter_map(valid) {
            (used[a], used[b]) = (true, true);
        }
        let vectors: Vec<Option<DocVector>> = fps
            .par_iter()
            .zip(used.par_iter())
            .map(|(fp, &u)| u.then(|| DocVector::new(fp, stats)))
            .collect();
        let kept: Vec<(usize, usize)> = candidates
            .par_iter()
            .filter_map(|c| {
                let (a, b) = valid(c)?;
                let cos = vectors[a].as_ref()?.cosine(vectors[b].as_ref()?);
                let cont = containment(&fps[a].shingles, &fps[b].shingles);
                passes_screen(screen, c.via, cos, cont).then_some((a, b))
            })
            .collect();
        let mut needed = vec![false; docs.len()];
        for &(a, b) in &kept {
            (needed[a], needed[b]) = (true, true);
        }
        let grams = self.config.similarity.uses_grams();
        let sides: Vec<Option<Side>> = vectors
            .into_par_iter()
            .zip(docs.par_iter())
            .zip(needed.par_iter())
            .map(|((v, d), &need)| {
                Some(Side {
                    feats: need.then(|| align::sentence_features_with(d, stats, grams))?,
                    vector: v?,
                })
            })
            .collect();
        kept.par_iter()
            .filter_map(|&(a, b)| {
                let mut s = self.score_with(
                    docs,
                    fps,
                    dvs,
                    (a, sides[a].as_ref()?),
                    (b, sides[b].as_ref()?),
                );
                s.features.hours_apart = hours_apart(&articles[a], &articles[b]);
                Some(s)
            })
            .collect()
    }

    /// Stories, derivations, quotes and the report form of the pairs, from scored pairs: the
    /// last stage of `analyze`, for pairs that were scored earlier (and stored). Indices in
    /// `scored` point into the parallel `articles`, `docs` and `fps`. `stats` of the result are
    /// left at their default: the caller knows what work was done.
    pub fn assemble_scored(
        &self,
        articles: &[Article],
        docs: &[Document],
        fps: &[Fingerprint],
        stats: &CorpusStats,
        scored: Vec<ScoredCandidate>,
    ) -> Analysis {
        self.assemble(articles, docs, fps, stats, scored, &|i| i)
    }

    /// [`Engine::assemble_scored`] for a part of a corpus: document `i` here is article
    /// `number[i]` of the whole (increasing), and the ids of stories and quote groups are those
    /// the whole corpus would give them. Every stage of the assembly is local to a connected
    /// component of the same-story pairs (clusters never cross one; a derivation's direction and
    /// a quote group look only within a story), so a part made of whole components, with every
    /// pair among its articles, assembles into exactly the whole's stories, derivations and quotes
    /// for those articles — except `related` lists, which point across components and are the
    /// caller's to complete, and story labels, which weigh terms by `stats`.
    pub fn assemble_part(
        &self,
        articles: &[Article],
        docs: &[Document],
        fps: &[Fingerprint],
        stats: &CorpusStats,
        scored: Vec<ScoredCandidate>,
        number: &[usize],
    ) -> Analysis {
        self.assemble(articles, docs, fps, stats, scored, &|i| {
            number.get(i).copied().unwrap_or(i)
        })
    }

    /// The report form of one scored pair (as in [`Analysis::pairs`]), or `None` when it is
    /// unrelated. Indices in `s` point into `articles` and `fps`.
    pub fn pair_report(
        &self,
        articles: &[Article],
        fps: &[Fingerprint],
        s: &ScoredCandidate,
    ) -> Option<crate::model::Pair> {
        self.scored_pair(articles, fps, s).map(|(_, p)| p)
    }

    /// The parameters that shape what a store keeps: fingerprints, blocking keys, pair scores
    /// and relations. A store records them and refuses to mix in work done under others.
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidates::{candidates, CandidateConfig};
    use crate::fingerprint::Fingerprinter;

    /// Scoring the candidates of a batch and assembling them is `analyze`: same pairs, same
    /// stories, same derivations, same quotes.
    #[test]
    fn scoring_and_assembling_the_candidates_is_analyze() {
        let engine = Engine::default();
        let articles = crate::demo::articles();
        let docs: Vec<Document> = articles.iter().map(Document::from_article).collect();
        let fper = Fingerprinter::new(engine.config().fingerprint);
        let fps: Vec<Fingerprint> = docs.iter().map(|d| fper.fingerprint(d)).collect();
        let stats = CorpusStats::from_fingerprints(&fps);
        let (cands, _) = candidates(&fps, &stats, &CandidateConfig::default());
        let dvs = vec![None; docs.len()];
        let scored = engine.score_candidates(&articles, &docs, &fps, &stats, &dvs, &cands);
        let stepwise = engine.assemble_scored(&articles, &docs, &fps, &stats, scored);
        let whole = engine.analyze(articles);
        assert_eq!(stepwise.pairs, whole.pairs);
        assert_eq!(stepwise.stories, whole.stories);
        assert_eq!(stepwise.derivations, whole.derivations);
        assert_eq!(stepwise.undirected, whole.undirected);
        assert_eq!(stepwise.quotes, whole.quotes);
    }

    #[test]
    fn stored_parameters_name_the_model() {
        let p = Engine::default().stored_parameters();
        assert_eq!(p["shingle"], 3);
        assert!(p["model"].is_null());
        assert!(p["classifier"]["copy_verbatim"].is_number());
    }
}
