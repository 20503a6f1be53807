//! What an ingest or a check has read of the stored corpus: the articles, fingerprints and
//! documents (segmented again from the text) it needed (candidates, the components a batch touches), each read from the store
//! once and kept for the following batches, and the document frequencies of their terms. A batch
//! into a large store reads a few rows through the indexes, not the store; only a refresh reads
//! it all. Index `i` is the article with `ord = i`.

use std::collections::HashMap;

use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension};
use wiretrace::fingerprint::{CorpusStats, Fingerprint};
use wiretrace::semantic::Vector;
use wiretrace::text::Document;
use wiretrace::{Article, Corpus, DocIdx, Engine};

use crate::codec;
use crate::error::{Error, Result};

/// The `meta` key of [`Stored::rederive`].
pub(crate) const REDERIVE: &str = "rederive";

/// The `meta` key of [`Stored::scored_under`].
pub(crate) const SCORED_UNDER: &str = "scored_under";

/// The stored corpus as far as it has been read.
pub(crate) struct Stored {
    /// Articles stored.
    pub(crate) n: usize,
    pub(crate) articles: HashMap<usize, Article>,
    fps: HashMap<usize, Fingerprint>,
    docs: HashMap<usize, Document>,
    /// Every document vector when the engine proposes embedding neighbours (an exact scan over
    /// all of them), else empty.
    pub(crate) dvs: Vec<Option<Vector>>,
    /// `n` and the document frequency of every term read so far (a term of a read article or of
    /// a new one; `salient_terms`, document vectors, sentence weights and labels ask for no
    /// other).
    pub(crate) stats: CorpusStats,
    /// How many articles the store held when its pairs were last all scored (0: never).
    pub(crate) scored_under: usize,
    /// The derived tables must be rebuilt whole (a store migrated from a schema whose stories
    /// and quotes were numbered by rank).
    pub(crate) rederive: bool,
    /// Stored articles read so far.
    pub(crate) reads: usize,
}

impl Stored {
    /// Opens the stored corpus: its size, the rescoring state, and the document vectors when
    /// the engine proposes embedding neighbours. Articles are read as they are needed.
    pub(crate) fn open(conn: &Connection, engine: &Engine) -> Result<Stored> {
        // Ords are 0..n in ingest order: the largest is found in the primary key's b-tree, where
        // a count would read every page of the table (texts included).
        let n: i64 = conn.query_row("SELECT COALESCE(MAX(ord) + 1, 0) FROM articles", [], |r| {
            r.get(0)
        })?;
        let n = usize::try_from(n).unwrap_or(0);
        let dvs = if engine.neighbour_blocking().is_some() {
            vectors(conn, n)?
        } else {
            Vec::new()
        };
        let meta = |key: &str| -> Result<Option<String>> {
            Ok(conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?)
        };
        Ok(Stored {
            n,
            articles: HashMap::new(),
            fps: HashMap::new(),
            docs: HashMap::new(),
            dvs,
            stats: CorpusStats {
                n,
                df: Default::default(),
            },
            scored_under: meta(SCORED_UNDER)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            rederive: meta(REDERIVE)?.is_some_and(|v| v == "1"),
            reads: 0,
        })
    }

    /// Reads the articles of `idx` not read yet, with their fingerprints and the document
    /// frequencies of their terms.
    pub(crate) fn read(&mut self, conn: &Connection, idx: &[usize]) -> Result<()> {
        for &i in idx {
            if self.fps.contains_key(&i) {
                continue;
            }
            let (article, fp, _) = crate::read::stored_article(conn, i as i64, false)?;
            self.reads += 1;
            add_df(conn, &mut self.stats, &fp)?;
            self.articles.insert(i, article);
            self.fps.insert(i, fp);
        }
        Ok(())
    }

    /// Reads every stored article (a refresh scores every pair again).
    pub(crate) fn read_all(&mut self, conn: &Connection) -> Result<()> {
        if self.fps.len() == self.n {
            return Ok(());
        }
        let all: Vec<usize> = (0..self.n).collect();
        // Every term's frequency in one pass rather than one lookup per term.
        let mut stmt = conn.prepare("SELECT stem, df FROM term_df")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            self.stats
                .df
                .insert(r.get::<_, i64>(0)? as u64, r.get::<_, u32>(1)?);
        }
        self.read(conn, &all)
    }

    /// The fingerprint of read article `i`.
    pub(crate) fn fp(&self, i: usize) -> Result<&Fingerprint> {
        self.fps.get(&i).ok_or_else(|| Error::Corrupt {
            what: format!("article {i} was used before it was read"),
        })
    }

    /// Counts the terms of new documents into the statistics (after adding the stored
    /// frequencies of those terms), as every later look-up sees them.
    pub(crate) fn count(&mut self, conn: &Connection, fps: &[Fingerprint]) -> Result<()> {
        for fp in fps {
            add_df(conn, &mut self.stats, fp)?;
            for t in &fp.terms {
                *self.stats.df.entry(t.stem).or_insert(0) += 1;
            }
        }
        self.stats.n += fps.len();
        Ok(())
    }

    /// Keeps new articles `base..` (just written) as read.
    pub(crate) fn adopt(&mut self, base: usize, new: Corpus, neighbours: bool) {
        let k = new.len();
        for (i, ((a, d), f)) in new
            .articles
            .into_iter()
            .zip(new.docs)
            .zip(new.fps)
            .enumerate()
        {
            self.articles.insert(base + i, a);
            self.docs.insert(base + i, d);
            self.fps.insert(base + i, f);
        }
        if neighbours {
            self.dvs.extend(new.dvs);
        }
        self.n += k;
    }

    /// Segments the read articles of `idx` that are not segmented yet.
    fn segment(&mut self, idx: &[usize]) {
        let missing: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|i| !self.docs.contains_key(i))
            .collect();
        let made: Vec<(usize, Document)> = missing
            .par_iter()
            .filter_map(|i| Some((*i, Document::from_article(self.articles.get(i)?))))
            .collect();
        self.docs.extend(made);
    }

    /// The articles of `idx` (sorted, distinct) as a corpus, read and segmented as needed.
    /// The corpus takes the statistics along; [`Stored::give_back`] returns them.
    pub(crate) fn part(&mut self, conn: &Connection, idx: &[usize]) -> Result<Corpus> {
        self.read(conn, idx)?;
        self.segment(idx);
        let mut part = Corpus {
            dvs: idx
                .iter()
                .map(|&i| self.dvs.get(i).cloned().flatten())
                .collect(),
            ..Corpus::default()
        };
        for &i in idx {
            let (Some(a), Some(d), Some(f)) =
                (self.articles.get(&i), self.docs.get(&i), self.fps.get(&i))
            else {
                return Err(Error::Corrupt {
                    what: format!("article {i} could not be read"),
                });
            };
            part.number.push(doc_idx(i)?);
            part.articles.push(a.clone());
            part.docs.push(d.clone());
            part.fps.push(f.clone());
        }
        part.stats = std::mem::take(&mut self.stats);
        Ok(part)
    }

    /// Every stored article as a corpus, moved out of the cache rather than cloned (a refresh
    /// holds the whole corpus, and a copy would double it); [`Stored::give_back`] returns it.
    pub(crate) fn whole(&mut self, conn: &Connection) -> Result<Corpus> {
        self.read_all(conn)?;
        let all: Vec<usize> = (0..self.n).collect();
        self.segment(&all);
        let mut whole = Corpus::default();
        for i in all {
            match (
                self.articles.remove(&i),
                self.docs.remove(&i),
                self.fps.remove(&i),
            ) {
                (Some(a), Some(d), Some(f)) => {
                    whole.number.push(doc_idx(i)?);
                    whole.articles.push(a);
                    whole.docs.push(d);
                    whole.fps.push(f);
                }
                _ => {
                    return Err(Error::Corrupt {
                        what: format!("article {i} could not be read"),
                    })
                }
            }
        }
        whole.stats = std::mem::take(&mut self.stats);
        Ok(whole)
    }

    /// Takes back the statistics a corpus took, and its documents when it was [`Stored::whole`].
    pub(crate) fn give_back(&mut self, corpus: Corpus, whole: bool) {
        self.stats = corpus.stats;
        if !whole {
            return;
        }
        for (i, ((a, d), f)) in corpus
            .articles
            .into_iter()
            .zip(corpus.docs)
            .zip(corpus.fps)
            .enumerate()
        {
            self.articles.insert(i, a);
            self.docs.insert(i, d);
            self.fps.insert(i, f);
        }
    }
}

#[cfg(test)]
impl Stored {
    /// A corpus whose fingerprints are all read already (the index's conformance test).
    pub(crate) fn for_fixture(
        fps: &[Fingerprint],
        stats: &CorpusStats,
        dvs: &[Option<Vector>],
    ) -> Stored {
        Stored {
            n: fps.len(),
            articles: HashMap::new(),
            fps: fps.iter().cloned().enumerate().collect(),
            docs: HashMap::new(),
            dvs: dvs.to_vec(),
            stats: stats.clone(),
            scored_under: 0,
            rederive: false,
            reads: 0,
        }
    }
}

/// An `ord` as a document of the corpus.
pub(crate) fn doc_idx(i: usize) -> Result<DocIdx> {
    DocIdx::from_index(i).ok_or_else(|| Error::Corrupt {
        what: format!("article {i} is past the four billion a store can number"),
    })
}

/// Every stored document vector, by `ord`.
fn vectors(conn: &Connection, n: usize) -> Result<Vec<Option<Vector>>> {
    let mut dvs = Vec::with_capacity(n);
    let mut stmt = conn.prepare("SELECT doc_vector FROM articles ORDER BY ord")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        dvs.push(
            r.get::<_, Option<Vec<u8>>>(0)?
                .map(|b| codec::decode_vector(&b).map(Vector::from))
                .transpose()?,
        );
    }
    Ok(dvs)
}

/// Adds the stored document frequencies of `fp`'s terms that `stats` does not hold yet.
pub(crate) fn add_df(conn: &Connection, stats: &mut CorpusStats, fp: &Fingerprint) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT df FROM term_df WHERE stem = ?1")?;
    for t in &fp.terms {
        if stats.df.contains_key(&t.stem) {
            continue;
        }
        let df: Option<u32> = stmt.query_row([t.stem as i64], |r| r.get(0)).optional()?;
        stats.df.insert(t.stem, df.unwrap_or(0));
    }
    Ok(())
}
