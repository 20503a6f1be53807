//! "Where did this come from?": one article against the store, without storing it.
//!
//! The article is segmented and fingerprinted, its candidates are looked up in the index as an
//! ingest would, only those pairs are scored, and the engine's last stage derives stories,
//! derivations and quotes over the article and its matches (with the stored pairs among the
//! matches, so a derivation's direction can use a third report). Nothing is written.

use std::collections::HashMap;

use wiretrace::candidates::{salient_terms, CandidatePair, CorpusStats};
use wiretrace::fingerprint::{Fingerprint, Fingerprinter};
use wiretrace::semantic::Vector;
use wiretrace::text::Document;
use wiretrace::{Analysis, Article, Engine, RunStats};

use crate::codec;
use crate::error::Result;
use crate::ingest::{add_df, lookup, neighbours};
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
        let doc = Document::from_article(&article);
        let fp = Fingerprinter::new(engine.config().fingerprint).fingerprint(&doc);
        let dv = engine
            .document_vectors(std::slice::from_ref(&doc))
            .pop()
            .flatten();
        let n: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(ord) + 1, 0) FROM articles", [], |r| {
                    r.get(0)
                })?;
        let mut stats = CorpusStats {
            n: usize::try_from(n).unwrap_or(0) + 1,
            df: Default::default(),
        };
        // The checked article counts itself, as an ingested one would.
        add_df(&self.conn, &mut stats, &fp)?;
        for t in &fp.terms {
            *stats.df.entry(t.stem).or_insert(0) += 1;
        }

        let keys = salient_terms(&fp, &stats, &engine.config().candidates);
        // Articles read while looking up are kept for scoring.
        let mut read: HashMap<i64, (Article, Fingerprint, Option<Vector>)> = HashMap::new();
        let mut terms_of = |m: i64| -> Result<Vec<u64>> {
            let stored = match read.entry(m) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let stored = self.stored_article(m)?;
                    add_df(&self.conn, &mut stats, &stored.1)?;
                    v.insert(stored)
                }
            };
            Ok(salient_terms(
                &stored.1,
                &stats,
                &engine.config().candidates,
            ))
        };
        let mut found = lookup(&self.conn, engine, &fp, &keys, None, &mut terms_of)?;
        if engine.neighbour_blocking().is_some() {
            if let Some(v) = dv.as_deref() {
                let (ords, dvs) = self.stored_vectors()?;
                for j in neighbours(engine, &dvs, 0, Some(v)) {
                    *found.entry(ords[j]).or_insert(0) |= wiretrace::candidates::via::SEMANTIC;
                }
            }
        }

        // The local corpus: the matches in ingest order, then the checked article.
        let ords: Vec<i64> = found.keys().copied().collect();
        let mut articles = Vec::with_capacity(ords.len() + 1);
        let mut fps: Vec<Fingerprint> = Vec::with_capacity(ords.len() + 1);
        let mut dvs: Vec<Option<Vector>> = Vec::with_capacity(ords.len() + 1);
        for &o in &ords {
            let (a, f, v) = match read.remove(&o) {
                Some(r) => r,
                None => self.stored_article(o)?,
            };
            add_df(&self.conn, &mut stats, &f)?;
            articles.push(a);
            fps.push(f);
            dvs.push(v);
        }
        let me = ords.len();
        articles.push(article);
        fps.push(fp);
        dvs.push(dv);
        let docs: Vec<Document> = {
            use rayon::prelude::*;
            articles.par_iter().map(Document::from_article).collect()
        };
        let cands: Vec<CandidatePair> = found
            .values()
            .enumerate()
            .map(|(k, &via)| CandidatePair {
                a: k as u32,
                b: me as u32,
                via,
            })
            .collect();
        let mut scored = engine.score_candidates(&articles, &docs, &fps, &stats, &dvs, &cands);
        let fresh = scored.len();
        if !ords.is_empty() {
            let list = ords
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let remap: HashMap<i64, usize> =
                ords.iter().enumerate().map(|(k, &o)| (o, k)).collect();
            scored.extend(crate::read::load_scored(
                &self.conn,
                &crate::read::pairs_among(&list),
                &remap,
            )?);
        }
        let mut analysis = engine.assemble_scored(&articles, &docs, &fps, &stats, scored);
        let k = articles.len() as u64;
        analysis.stats = RunStats {
            articles: articles.len(),
            sentences: docs.iter().map(|d| d.sentences.len()).sum(),
            candidate_pairs: cands.len(),
            aligned_pairs: fresh,
            all_pairs: k * k.saturating_sub(1) / 2,
            ..RunStats::default()
        };
        Ok(analysis)
    }

    fn stored_article(&self, ord: i64) -> Result<(Article, Fingerprint, Option<Vector>)> {
        crate::read::stored_article(&self.conn, ord, true)
    }

    fn stored_vectors(&self) -> Result<(Vec<i64>, Vec<Option<Vector>>)> {
        let mut stmt = self.conn.prepare(
            "SELECT ord, doc_vector FROM articles WHERE doc_vector IS NOT NULL ORDER BY ord",
        )?;
        let mut rows = stmt.query([])?;
        let (mut ords, mut dvs) = (Vec::new(), Vec::new());
        while let Some(r) = rows.next()? {
            ords.push(r.get::<_, i64>(0)?);
            let b: Vec<u8> = r.get(1)?;
            dvs.push(Some(Vector::from(codec::decode_vector(&b)?)));
        }
        Ok((ords, dvs))
    }
}
