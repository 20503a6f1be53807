//! The store's blocking index: the engine's [`Postings`] answered from the key tables
//! (`lsh_keys`, `sentence_keys`, `term_postings`) and the document vectors held in memory.
//! Terms are filed whole (every content term that can still become a key), because the
//! statistics that make a term salient move as the store grows; a document's salient terms are
//! worked out when they are asked for, under the statistics of that moment.

use std::borrow::Cow;

use rusqlite::{params, Connection};
use wiretrace::candidates::keys::salient_terms;
use wiretrace::candidates::neighbours::{nearest_scan, within};
use wiretrace::candidates::{Bucket, CandidateConfig, DocKeys, Near, Postings, PostingsMut};
use wiretrace::fingerprint::CorpusStats;
use wiretrace::DocIdx;

use crate::error::{Error, Result};
use crate::stored::Stored;

/// The index of a store, over one connection (inside the batch's transaction).
pub(crate) struct SqlitePostings<'a> {
    pub(crate) conn: &'a Connection,
    pub(crate) stored: &'a mut Stored,
    pub(crate) config: CandidateConfig,
}

impl SqlitePostings<'_> {
    fn ords(&self, sql: &str, key: i64) -> Result<Vec<DocIdx>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([key], |r| r.get::<_, i64>(0))?;
        rows.map(|o| ord(o?)).collect()
    }
}

/// A stored `ord` as a document.
fn ord(o: i64) -> Result<DocIdx> {
    u32::try_from(o).map(DocIdx).map_err(|_| Error::Corrupt {
        what: format!("an index row names the article {o}, which no store numbers"),
    })
}

impl Postings for SqlitePostings<'_> {
    type Error = Error;

    fn bucket(&mut self, kind: Bucket, key: u64) -> Result<Cow<'_, [DocIdx]>> {
        let sql = match kind {
            Bucket::Band => "SELECT article FROM lsh_keys WHERE key = ?1 ORDER BY article",
            Bucket::Sentence => "SELECT article FROM sentence_keys WHERE key = ?1 ORDER BY article",
        };
        Ok(Cow::Owned(self.ords(sql, key as i64)?))
    }

    fn holders(&mut self, terms: &[u64], need: usize) -> Result<Vec<DocIdx>> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; terms.len()].join(",");
        let sql = format!(
            "SELECT article FROM term_postings WHERE stem IN ({marks}) \
             GROUP BY article HAVING COUNT(*) >= {need} ORDER BY article"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let ps = terms.iter().map(|&t| t as i64);
        let rows = stmt.query_map(rusqlite::params_from_iter(ps), |r| r.get::<_, i64>(0))?;
        rows.map(|o| ord(o?)).collect()
    }

    fn term_keys(&mut self, doc: DocIdx) -> Result<Cow<'_, [u64]>> {
        let i = doc.index();
        self.stored.read(self.conn, &[i])?;
        let keys = salient_terms(self.stored.fp(i)?, &self.stored.stats, &self.config);
        Ok(Cow::Owned(keys))
    }

    fn nearest(&mut self, near: Near<'_>, k: usize, floor: f64) -> Result<Vec<DocIdx>> {
        Ok(nearest_scan(&self.stored.dvs, near, k, floor))
    }

    fn within(&mut self, v: &[f32], floor: f64, before: DocIdx) -> Result<Vec<DocIdx>> {
        Ok(within(&self.stored.dvs, v, floor, before))
    }
}

impl PostingsMut for SqlitePostings<'_> {
    fn insert(&mut self, doc: DocIdx, keys: DocKeys) -> Result<()> {
        let ord = i64::from(doc.0);
        let mut lsh = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO lsh_keys VALUES (?1, ?2)")?;
        for key in keys.bands {
            lsh.execute(params![key as i64, ord])?;
        }
        let mut sent = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO sentence_keys VALUES (?1, ?2)")?;
        for key in keys.sentences {
            sent.execute(params![key as i64, ord])?;
        }
        let mut post = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO term_postings VALUES (?1, ?2)")?;
        for t in keys.terms {
            post.execute(params![t as i64, ord])?;
        }
        Ok(())
    }
}

/// Whether a stem can still be a blocking key, so that its postings may be read: only stems in
/// at most `max_df` documents are keys, and a document frequency only grows (articles are never
/// removed), so the postings of a stem past `max_df` would never be read again. Writing them
/// was 99.4% of the postings of the 1M-article bench store (82,063,942 rows, of which 532,122
/// for stems at or under 60) and a random index page per term of every ingested article.
/// `stats` holds the frequencies with the whole batch counted, as every later lookup sees them.
pub(crate) fn still_a_key(stats: &CorpusStats, stem: u64, max_df: usize) -> bool {
    stats
        .df
        .get(&stem)
        .is_none_or(|&df| usize::try_from(df).is_ok_and(|df| df <= max_df))
}

#[cfg(test)]
mod tests {
    use wiretrace::candidates::conformance;
    use wiretrace::candidates::keys::{band_keys, sentence_keys};

    use super::*;

    /// The store's index answers as the engine's rules expect (the suite the in-memory index
    /// passes too). The fixture's fingerprints are put in the read cache, so only the key
    /// tables are exercised; filing every term checks that salience is worked out on asking.
    #[test]
    fn the_store_index_conforms() {
        let dir = tempfile::tempdir().unwrap();
        for (k, fx) in conformance::fixtures().iter().enumerate() {
            let store = crate::Store::create(&dir.path().join(format!("{k}.db"))).unwrap();
            let mut stored = Stored::for_fixture(&fx.fps, &fx.stats, &fx.vectors);
            let mut ix = SqlitePostings {
                conn: &store.conn,
                stored: &mut stored,
                config: fx.blocking.config,
            };
            for (i, fp) in fx.fps.iter().enumerate() {
                let keys = DocKeys {
                    bands: band_keys(fp, &fx.blocking.config),
                    sentences: sentence_keys(fp).collect(),
                    terms: fp.terms.iter().map(|t| t.stem).collect(),
                    vector: None,
                };
                ix.insert(DocIdx(i as u32), keys).unwrap();
            }
            conformance::check(fx, &mut ix);
        }
    }

    fn unit(v: [f32; 3]) -> Option<wiretrace::semantic::Vector> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        Some(v.iter().map(|x| x / n).collect::<Vec<f32>>().into())
    }

    /// `analyze` proposes each document's nearest neighbours; a document added later can be
    /// a stored document's nearest without that one being its own.
    #[test]
    fn a_new_article_that_becomes_a_stored_ones_nearest_is_its_candidate() {
        use wiretrace::candidates::{via, Blocking};
        let fp = wiretrace::pipeline::prepare(
            &wiretrace::Engine::default(),
            vec![wiretrace::Article::new("x", "")],
            wiretrace::pipeline::Text::Keep,
        )
        .fps
        .remove(0);
        // Stored: a and b, each the other's nearest. New: c, nearest to a, but closer to b than
        // a is (so it is b's nearest now, while b is not c's).
        let (a, b, c) = (
            unit([1.0, 0.0, 0.0]),
            unit([0.8, 0.6, 0.0]),
            unit([0.97, 0.24, 0.0]),
        );
        let dvs = vec![a, b, c.clone()];
        let cos = |i: usize, j: usize| {
            wiretrace::semantic::cosine(dvs[i].as_deref().unwrap(), dvs[j].as_deref().unwrap())
        };
        assert!(cos(2, 0) > cos(2, 1) && cos(2, 1) > cos(0, 1), "the set-up");
        let fps = vec![fp.clone(), fp.clone(), fp.clone()];
        let stats = CorpusStats::default();
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::create(&dir.path().join("s.db")).unwrap();
        let blocking = Blocking {
            config: CandidateConfig::default(),
            neighbours: Some((1, 0.5)),
        };
        let find = |dvs: &[Option<wiretrace::semantic::Vector>], blocking: &Blocking| {
            let mut stored = Stored::for_fixture(&fps, &stats, dvs);
            let mut ix = SqlitePostings {
                conn: &store.conn,
                stored: &mut stored,
                config: blocking.config,
            };
            let q = wiretrace::candidates::Query {
                me: Some(DocIdx(2)),
                fp: &fp,
                terms: &[],
                vector: dvs[2].as_deref(),
            };
            let mut found = blocking.find(&mut ix, &q, DocIdx(2)).unwrap();
            found.sort_unstable();
            found.dedup();
            found
        };
        assert_eq!(ix_nearest(&store, &fps, &dvs), vec![DocIdx(0)]);
        // c is now the nearest of both stored documents; b is found only this way.
        assert_eq!(
            find(&dvs, &blocking),
            vec![(DocIdx(0), via::SEMANTIC), (DocIdx(1), via::SEMANTIC)]
        );
        // Nothing for a document without a vector, or without a document model.
        let mut none = dvs.clone();
        none[2] = None;
        assert!(find(&none, &blocking).is_empty());
        let off = Blocking {
            neighbours: None,
            ..blocking
        };
        assert!(find(&dvs, &off).is_empty());
    }

    fn ix_nearest(
        store: &crate::Store,
        fps: &[wiretrace::fingerprint::Fingerprint],
        dvs: &[Option<wiretrace::semantic::Vector>],
    ) -> Vec<DocIdx> {
        let mut stored = Stored::for_fixture(fps, &CorpusStats::default(), dvs);
        let mut ix = SqlitePostings {
            conn: &store.conn,
            stored: &mut stored,
            config: CandidateConfig::default(),
        };
        ix.nearest(Near::Doc(DocIdx(2)), 1, 0.5).unwrap()
    }
}
