//! "Where did this come from?": one article against the store, without storing it.
//!
//! The ingest pipeline without the writes: the article is prepared, asks the store's index for
//! its candidates under the engine's rules (as a probe: it is not filed), only those pairs are
//! scored, and the engine's last stage derives stories, derivations and quotes over the article
//! and its matches (with the stored pairs among the matches, so a derivation's direction can use
//! a third report). Nothing is written.

use std::collections::HashMap;

use wiretrace::candidates::keys::salient_terms;
use wiretrace::candidates::{merge, CandidatePair, Query};
use wiretrace::pipeline::{self, Text};
use wiretrace::{Analysis, Article, Corpus, DocIdx, Engine, RunStats};

use crate::error::Result;
use crate::postings::SqlitePostings;
use crate::stored::Stored;
use crate::Store;

impl Store {
    /// The analysis of `article` against the stored corpus: its matches, their relations,
    /// alignments, derivations and quotes. An engine with other parameters than the store's is
    /// refused; an empty store gives an analysis of the article alone.
    pub fn check(&self, engine: &Engine, mut article: Article) -> Result<Analysis> {
        if let Some(stored) = self.parameters()? {
            if stored != engine.stored_parameters() {
                // Same wording as an ingest would give.
                self.check_parameters(engine)?;
            }
        }
        if self.article(&article.id)?.is_some() {
            // The report names articles by id; the checked one must not pass for a stored one.
            article.id = format!("{} (checked)", article.id);
        }
        let probe = pipeline::prepare(engine, vec![article], Text::Keep);
        let mut stored = Stored::open(&self.conn, engine)?;
        // The checked article counts itself, as an ingested one would.
        stored.count(&self.conn, &probe.fps)?;
        let matches = self.matches(engine, &mut stored, &probe)?;
        let ords: Vec<usize> = matches.iter().map(|(d, _)| d.index()).collect();
        let mut corpus = stored.part(&self.conn, &ords)?;
        let me = corpus.len();
        join(&mut corpus, probe);
        // The report's ids are local to it: story `s1` names its first article here.
        corpus.number = (0..corpus.len()).filter_map(DocIdx::from_index).collect();
        let cands: Vec<CandidatePair> = matches
            .iter()
            .enumerate()
            .filter_map(|(k, &(_, via))| {
                Some(CandidatePair::new(
                    DocIdx::from_index(k)?,
                    DocIdx::from_index(me)?,
                    via,
                ))
            })
            .collect();
        let (mut scored, counters) = pipeline::score(engine, &mut corpus, &cands);
        if !ords.is_empty() {
            let list = ords
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let slot: HashMap<i64, usize> = ords
                .iter()
                .enumerate()
                .map(|(k, &o)| (o as i64, k))
                .collect();
            let among = crate::read::pairs_among(&list);
            scored.extend(crate::read::load_scored(&self.conn, &among, &slot)?);
        }
        let mut analysis = pipeline::assemble(engine, &corpus, scored);
        let k = corpus.len() as u64;
        analysis.stats = RunStats {
            articles: corpus.len(),
            sentences: corpus.docs.iter().map(|d| d.sentences.len()).sum(),
            candidate_pairs: cands.len(),
            aligned_pairs: counters.aligned,
            all_pairs: k * k.saturating_sub(1) / 2,
            ..RunStats::default()
        };
        Ok(analysis)
    }

    /// The stored articles the index proposes for the checked article, in ingest order, with
    /// the blockers that proposed each.
    fn matches(
        &self,
        engine: &Engine,
        stored: &mut Stored,
        probe: &Corpus,
    ) -> Result<Vec<(DocIdx, u8)>> {
        let (Some(fp), Some(vector)) = (probe.fps.first(), probe.dvs.first()) else {
            return Ok(Vec::new());
        };
        let blocking = engine.blocking();
        let terms = salient_terms(fp, &stored.stats, &blocking.config);
        let q = Query {
            me: None,
            fp,
            terms: &terms,
            vector: vector.as_deref(),
        };
        let mut index = SqlitePostings {
            conn: &self.conn,
            stored,
            config: blocking.config,
        };
        let found = blocking.find(&mut index, &q, DocIdx(0))?;
        // Pairs with a placeholder for the probe, merged to one entry per stored article.
        let probe_at = DocIdx(u32::MAX);
        let pairs = found
            .into_iter()
            .map(|(m, via)| CandidatePair::new(m, probe_at, via))
            .collect();
        Ok(merge(pairs).0.into_iter().map(|p| (p.a, p.via)).collect())
    }
}

/// Appends the checked article's documents to the corpus of its matches.
fn join(corpus: &mut Corpus, probe: Corpus) {
    corpus.articles.extend(probe.articles);
    corpus.docs.extend(probe.docs);
    corpus.fps.extend(probe.fps);
    corpus.dvs.extend(probe.dvs);
}
