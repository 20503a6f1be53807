//! Incremental ingest: new articles in, the index, pairs and derived tables updated, one
//! transaction per batch.
//!
//! Per batch: the articles whose content hash is new are segmented and fingerprinted; their
//! blocking keys (LSH bands, sentence hashes, content terms) go into the index tables; each new
//! article's candidates are the stored articles that share keys with it, looked up by key (the
//! same three blockers as `analyze`, plus embedding neighbours with a document model). Only those
//! pairs are aligned and scored, with document frequencies of the whole stored corpus. Stories,
//! derivations and quotes are then re-derived by the engine's last stage for the connected
//! components of same-story pairs the batch touches, whose rows are replaced; every other row
//! stays (a refresh re-derives everything). No text is segmented unless a stage reads it.
//! All of it commits together, so a killed ingest loses at most the batch in flight, and the
//! batches of a rerun are the same suffix of the same input: it ends where an uninterrupted run
//! ends.
//!
//! What differs from `analyze` on the same articles: between refreshes a pair keeps the corpus
//! statistics of its batch, and so does the label of a story no later batch touched; a stored
//! article keys on all its content terms (the new one on its most salient), so term blocking
//! proposes a superset of `analyze`'s pairs.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use rusqlite::{params, Connection, OptionalExtension};
use wiretrace::candidates::{band_keys, salient_terms, via, CandidatePair, CorpusStats};
use wiretrace::engine::ScoredCandidate;
use wiretrace::fingerprint::{Fingerprint, Fingerprinter};
use wiretrace::semantic::Vector;
use wiretrace::text::Document;
use wiretrace::{Analysis, Article, Engine, Relation, Skipped};
use xxhash_rust::xxh3::xxh3_128;

use crate::codec;
use crate::error::{Error, Result};
use crate::Store;

/// How to ingest.
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    /// New articles per transaction. Larger batches re-derive stories less often; smaller ones
    /// lose less work to a crash.
    pub batch_size: usize,
    /// How far the corpus statistics may move ([`CorpusStats::idf_drift`]) before every stored
    /// pair is found and scored again under the current ones. A pair scored earlier used the
    /// term weights of a smaller corpus; rescoring when they have drifted by more than this
    /// keeps the store's report close to `analyze` at a cost that stays proportional to the
    /// corpus (the drift of a fixed relative growth shrinks as the corpus grows). `0` rescores
    /// at every batch: the report is then exactly `analyze`'s.
    pub max_drift: f64,
}

/// The default [`IngestOptions::max_drift`]: term weights within 5% of the current ones.
pub const DEFAULT_MAX_DRIFT: f64 = 0.05;

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            batch_size: 256,
            max_drift: DEFAULT_MAX_DRIFT,
        }
    }
}

/// What an ingest reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The new articles are known: this many will be added.
    Start {
        /// New articles.
        new: usize,
    },
    /// A batch was committed.
    Committed {
        /// New articles stored so far in this run.
        done: usize,
        /// New articles in this run.
        new: usize,
    },
}

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IngestSummary {
    /// Articles given.
    pub read: usize,
    /// Articles added.
    pub added: usize,
    /// Articles already stored (same id and content hash), or repeated in the input.
    pub known: usize,
    /// Articles refused: another text is stored under their id.
    pub refused: Vec<Skipped>,
    /// Pairs scored (all relations, `unrelated` included): those of the new articles, and every
    /// stored pair again in a batch that refreshed.
    pub scored_pairs: usize,
    /// Batches that rescored every stored pair because the corpus statistics had drifted
    /// beyond [`IngestOptions::max_drift`] since the pairs were scored.
    pub refreshes: usize,
    /// Transactions committed.
    pub batches: usize,
    /// Stored articles read from the store (their rows decoded): the candidates, the articles
    /// term blocking had to check, and the members of the stories re-derived.
    pub stored_read: usize,
    /// Where the time went, summed over the batches.
    pub seconds: IngestSeconds,
}

/// Wall seconds of an ingest's steps, summed over its batches.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IngestSeconds {
    /// Segmenting and fingerprinting the new articles, and writing them with their index keys.
    pub index: f64,
    /// Looking up each new article's candidates in the index.
    pub candidates: f64,
    /// Aligning, scoring and writing the candidate pairs.
    pub score: f64,
    /// Re-deriving the stories, derivations and quotes the batch touches.
    pub derive: f64,
    /// Committing the transaction.
    pub commit: f64,
}

impl IngestSeconds {
    fn add(&mut self, o: &IngestSeconds) {
        self.index += o.index;
        self.candidates += o.candidates;
        self.score += o.score;
        self.derive += o.derive;
        self.commit += o.commit;
    }
}

impl IngestSummary {
    /// Adds what another ingest did (a later batch sent to a server, say) to this summary.
    pub fn absorb(&mut self, o: IngestSummary) {
        self.read += o.read;
        self.added += o.added;
        self.known += o.known;
        self.refused.extend(o.refused);
        self.scored_pairs += o.scored_pairs;
        self.refreshes += o.refreshes;
        self.batches += o.batches;
        self.stored_read += o.stored_read;
        self.seconds.add(&o.seconds);
    }
}

/// Content hash of an article: its text as the engine sees it (title and body). Metadata do
/// not make a new article; with the id, it says whether an input is already stored.
pub(crate) fn content_hash(a: &Article) -> String {
    format!("{:032x}", xxh3_128(a.full_text().as_bytes()))
}

/// What an ingest reads of the stored corpus: the articles, fingerprints and segmentations a
/// batch needs (its candidates and the components it touches), each read from the store once and
/// kept for the following batches, and the document frequencies of their terms. A batch into a
/// large store reads a few rows through the indexes, not the store; only a refresh reads it all.
/// Index `i` is the article with `ord = i`.
pub(crate) struct Corpus {
    /// Articles stored.
    pub(crate) n: usize,
    articles: HashMap<usize, Article>,
    fps: HashMap<usize, Fingerprint>,
    docs: HashMap<usize, Document>,
    /// Every document vector when the engine proposes embedding neighbours (an exact scan over
    /// all of them), else empty.
    dvs: Vec<Option<Vector>>,
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

/// A part of the corpus as the engine's parallel slices; `number[i]` is the corpus index of
/// document `i`.
struct Part {
    number: Vec<usize>,
    articles: Vec<Article>,
    docs: Vec<Document>,
    fps: Vec<Fingerprint>,
    dvs: Vec<Option<Vector>>,
}

impl Corpus {
    /// Reads the articles of `idx` the corpus has not read yet, with their fingerprints and
    /// the document frequencies of their terms.
    fn read(&mut self, conn: &Connection, idx: &[usize]) -> Result<()> {
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
    fn read_all(&mut self, conn: &Connection) -> Result<()> {
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

    fn fp(&self, i: usize) -> Result<&Fingerprint> {
        self.fps.get(&i).ok_or_else(|| Error::Corrupt {
            what: format!("article {i} was used before it was read"),
        })
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

    /// The articles of `idx` (sorted, distinct corpus indices) as a [`Part`], read and
    /// segmented as needed.
    fn part(&mut self, conn: &Connection, idx: &[usize]) -> Result<Part> {
        self.read(conn, idx)?;
        self.segment(idx);
        let get = |i: &usize| -> Result<(Article, Document, Fingerprint)> {
            match (self.articles.get(i), self.docs.get(i), self.fps.get(i)) {
                (Some(a), Some(d), Some(f)) => Ok((a.clone(), d.clone(), f.clone())),
                _ => Err(Error::Corrupt {
                    what: format!("article {i} could not be read"),
                }),
            }
        };
        let mut part = Part {
            number: idx.to_vec(),
            articles: Vec::with_capacity(idx.len()),
            docs: Vec::with_capacity(idx.len()),
            fps: Vec::with_capacity(idx.len()),
            dvs: idx
                .iter()
                .map(|&i| self.dvs.get(i).cloned().flatten())
                .collect(),
        };
        for i in idx {
            let (a, d, f) = get(i)?;
            part.articles.push(a);
            part.docs.push(d);
            part.fps.push(f);
        }
        Ok(part)
    }
}

/// Whether a stem can still be a blocking key, so that its postings may be read: only stems in
/// at most `max_df` documents are keys, and a document frequency only grows (articles are never
/// removed), so the postings of a stem past `max_df` would never be read again. Writing them
/// was 99.4% of the postings of the 1M-article bench store (82,063,942 rows, of which 532,122
/// for stems at or under 60) and a random index page per term of every ingested article.
/// `stats` holds the frequencies with the whole batch counted, as every later lookup sees them.
fn still_a_key(stats: &CorpusStats, stem: u64, max_df: usize) -> bool {
    stats
        .df
        .get(&stem)
        .is_none_or(|&df| usize::try_from(df).is_ok_and(|df| df <= max_df))
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

/// The stored pairs of article `x`: (other article, relation).
fn stored_pairs_of(conn: &Connection, x: usize) -> Result<Vec<(usize, Relation)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b, rank FROM pairs WHERE a = ?1 UNION ALL SELECT a, rank FROM pairs WHERE b = ?1",
    )?;
    let rows = stmt.query_map([x as i64], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (y, rank) = row?;
        let rel = usize::try_from(rank)
            .ok()
            .and_then(|k| Relation::ALL.get(k).copied())
            .ok_or_else(|| Error::Corrupt {
                what: format!("a stored pair has the unknown relation rank {rank}"),
            })?;
        out.push((usize::try_from(y).unwrap_or(usize::MAX), rel));
    }
    Ok(out)
}

/// The articles connected to `seeds` by stored same-story pairs, sorted: whole components of
/// the graph the story stage clusters, so re-deriving them gives what re-deriving the corpus
/// would give them. A walk over the pairs index: its cost is the components' pairs.
fn components(conn: &Connection, seeds: impl Iterator<Item = usize>) -> Result<Vec<usize>> {
    let mut seen: std::collections::HashSet<usize> = seeds.collect();
    let mut stack: Vec<usize> = seen.iter().copied().collect();
    while let Some(x) = stack.pop() {
        for (y, rel) in stored_pairs_of(conn, x)? {
            if rel.is_same_story() && seen.insert(y) {
                stack.push(y);
            }
        }
    }
    let mut out: Vec<usize> = seen.into_iter().collect();
    out.sort_unstable();
    Ok(out)
}

/// The `meta` key of [`Corpus::rederive`].
pub(crate) const REDERIVE: &str = "rederive";

/// The `meta` key of [`Corpus::scored_under`].
pub(crate) const SCORED_UNDER: &str = "scored_under";

impl Store {
    /// Adds the articles the store does not hold yet, in batches of `options.batch_size`, each
    /// committed with the pairs, stories, derivations and quotes it leads to.
    pub fn ingest(
        &mut self,
        engine: &Engine,
        articles: Vec<Article>,
        options: &IngestOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IngestSummary> {
        self.check_parameters(engine)?;
        let mut summary = IngestSummary {
            read: articles.len(),
            ..IngestSummary::default()
        };
        // An article is known by its id: the same id with the same text is a re-ingest (a
        // no-op); with another text it is refused. The same text under another id is another
        // article — a verbatim copy, whose provenance is the point.
        let mut fresh: Vec<(String, Article)> = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for a in articles {
            let h = content_hash(&a);
            let before = match seen.get(&a.id) {
                Some(h) => Some(h.clone()),
                None => self.stored_hash(&a.id)?,
            };
            match before {
                Some(old) if old == h => summary.known += 1,
                Some(_) => summary.refused.push(Skipped {
                    input: a.id.clone(),
                    reason: "the store holds another text under this id".into(),
                }),
                None => {
                    seen.insert(a.id.clone(), h.clone());
                    fresh.push((h, a));
                }
            }
        }
        if fresh.is_empty() {
            return Ok(summary);
        }
        progress(Progress::Start { new: fresh.len() });
        let mut corpus = load_corpus(&self.conn, engine)?;
        for chunk in fresh.chunks(options.batch_size.max(1)) {
            let (scored, refreshed, seconds) = ingest_batch(
                &mut self.conn,
                engine,
                &mut corpus,
                chunk,
                options.max_drift,
            )?;
            summary.seconds.add(&seconds);
            summary.scored_pairs += scored;
            summary.refreshes += usize::from(refreshed);
            summary.added += chunk.len();
            summary.batches += 1;
            progress(Progress::Committed {
                done: summary.added,
                new: fresh.len(),
            });
        }
        summary.stored_read = corpus.reads;
        Ok(summary)
    }

    /// Finds and scores every stored pair again under the current corpus statistics and
    /// re-derives stories, derivations and quotes: afterwards the report is exactly what
    /// `analyze` gives for the stored articles. Returns the number of pairs scored. One
    /// transaction; the cost is that of `analyze` without segmentation and fingerprints.
    pub fn refresh(&mut self, engine: &Engine) -> Result<usize> {
        self.check_parameters(engine)?;
        let mut corpus = load_corpus(&self.conn, engine)?;
        if corpus.n == 0 {
            return Ok(0);
        }
        // No drift is below -1: the batch of no new articles rescores everything.
        Ok(ingest_batch(&mut self.conn, engine, &mut corpus, &[], -1.0)?.0)
    }

    /// Derives stories, derivations and quotes again from the stored pairs, for the whole
    /// corpus at once (no pair is scored again). A batch re-derives only the components it
    /// touches; this gives what re-deriving everything at every batch would, apart from story
    /// labels, which then weigh terms under the current statistics.
    pub fn rederive(&mut self, engine: &Engine) -> Result<()> {
        self.check_parameters(engine)?;
        let mut corpus = load_corpus(&self.conn, engine)?;
        let tx = self.conn.transaction()?;
        rederive_all(&tx, engine, &mut corpus)?;
        tx.commit()?;
        Ok(())
    }

    fn stored_hash(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT hash FROM articles WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }
}

/// Opens the stored corpus for an ingest: its size, the rescoring state, and the document
/// vectors when the engine proposes embedding neighbours. Articles are read as batches need them.
pub(crate) fn load_corpus(conn: &Connection, engine: &Engine) -> Result<Corpus> {
    // Ords are 0..n in ingest order: the largest is found in the primary key's b-tree, where a
    // count would read every page of the table (texts included).
    let n: i64 = conn.query_row("SELECT COALESCE(MAX(ord) + 1, 0) FROM articles", [], |r| {
        r.get(0)
    })?;
    let n = usize::try_from(n).unwrap_or(0);
    let mut dvs = Vec::new();
    if engine.neighbour_blocking().is_some() {
        dvs.reserve(n);
        let mut stmt = conn.prepare("SELECT doc_vector FROM articles ORDER BY ord")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            dvs.push(
                r.get::<_, Option<Vec<u8>>>(0)?
                    .map(|b| codec::decode_vector(&b).map(Vector::from))
                    .transpose()?,
            );
        }
    }
    let meta = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
                r.get::<_, String>(0)
            })
            .optional()?)
    };
    Ok(Corpus {
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

/// One batch in one transaction; returns the number of pairs scored, whether every stored
/// pair was scored again (the statistics had drifted beyond `max_drift`), and its steps' times.
fn ingest_batch(
    conn: &mut Connection,
    engine: &Engine,
    corpus: &mut Corpus,
    chunk: &[(String, Article)],
    max_drift: f64,
) -> Result<(usize, bool, IngestSeconds)> {
    let mut seconds = IngestSeconds::default();
    let mut clock = std::time::Instant::now();
    let mut lap = || {
        let t = clock.elapsed().as_secs_f64();
        clock = std::time::Instant::now();
        t
    };
    let tx = conn.transaction()?;
    let base = corpus.n;
    let fper = Fingerprinter::new(engine.config().fingerprint);
    let docs: Vec<Document> = chunk
        .par_iter()
        .map(|(_, a)| Document::from_article(a))
        .collect();
    let fps: Vec<Fingerprint> = docs.par_iter().map(|d| fper.fingerprint(d)).collect();
    let mut dvs = engine.document_vectors(&docs);
    // One slot per document whatever the model returned, so indices stay aligned.
    dvs.resize(docs.len(), None);
    let cfg = engine.config().candidates;
    for fp in &fps {
        add_df(&tx, &mut corpus.stats, fp)?;
        for t in &fp.terms {
            *corpus.stats.df.entry(t.stem).or_insert(0) += 1;
        }
    }
    corpus.stats.n += chunk.len();
    {
        let mut art = tx.prepare_cached(
            "INSERT INTO articles (ord, id, hash, title, body, url, source, published, lang, \
             sentences, words, segmentation, fingerprint, doc_vector) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        let mut lsh = tx.prepare_cached("INSERT OR IGNORE INTO lsh_keys VALUES (?1, ?2)")?;
        let mut sent = tx.prepare_cached("INSERT OR IGNORE INTO sentence_keys VALUES (?1, ?2)")?;
        let mut post = tx.prepare_cached("INSERT OR IGNORE INTO term_postings VALUES (?1, ?2)")?;
        let mut df = tx.prepare_cached(
            "INSERT INTO term_df (stem, df) VALUES (?1, 1) ON CONFLICT (stem) DO UPDATE SET df = df + 1",
        )?;
        for (k, (((hash, a), d), fp)) in chunk.iter().zip(&docs).zip(&fps).enumerate() {
            let ord = (base + k) as i64;
            art.execute(params![
                ord,
                a.id,
                hash,
                a.title,
                a.body,
                a.url,
                a.source,
                a.published.map(|t| t.to_rfc3339()),
                a.lang,
                d.sentences.len() as i64,
                d.words() as i64,
                codec::encode_segmentation(d),
                codec::encode_fingerprint(fp),
                dvs.get(k)
                    .and_then(|v| v.as_deref())
                    .map(codec::encode_vector),
            ])?;
            for key in band_keys(fp, &cfg) {
                lsh.execute(params![key as i64, ord])?;
            }
            for &h in fp.sentence_hashes.iter().filter(|&&h| h != 0) {
                sent.execute(params![h as i64, ord])?;
            }
            for t in &fp.terms {
                if still_a_key(&corpus.stats, t.stem, cfg.max_df) {
                    post.execute(params![t.stem as i64, ord])?;
                }
                df.execute([t.stem as i64])?;
            }
        }
    }
    for (k, (((_, a), d), fp)) in chunk.iter().zip(docs).zip(fps).enumerate() {
        corpus.articles.insert(base + k, a.clone());
        corpus.docs.insert(base + k, d);
        corpus.fps.insert(base + k, fp);
    }
    if engine.neighbour_blocking().is_some() {
        corpus.dvs.extend(dvs);
    }
    corpus.n += chunk.len();

    seconds.index = lap();
    // Candidates of each new article, from the index (which now holds the batch too). When the
    // statistics have drifted, every article's: term blocking and every pair's score depend on
    // them, and asking the index for all articles is what one `analyze` over the corpus does.
    let n = corpus.n;
    let refresh = CorpusStats::idf_drift(corpus.scored_under, n) > max_drift;
    if refresh || corpus.rederive {
        corpus.read_all(&tx)?;
    }
    let first = if refresh { 0 } else { base };
    let mut cands: BTreeMap<(u32, u32), u8> = BTreeMap::new();
    for i in first..n {
        let keys = salient_terms(corpus.fp(i)?, &corpus.stats, &cfg);
        let fp = corpus.fp(i)?.clone();
        let found = {
            let mut terms_of = |m: i64| -> Result<Vec<u64>> {
                let m = usize::try_from(m).unwrap_or(usize::MAX);
                corpus.read(&tx, &[m])?;
                Ok(salient_terms(corpus.fp(m)?, &corpus.stats, &cfg))
            };
            lookup(&tx, engine, &fp, &keys, Some(i as i64), &mut terms_of)?
        };
        for (other, flag) in found {
            let (a, b) = (i.min(other as usize) as u32, i.max(other as usize) as u32);
            *cands.entry((a, b)).or_insert(0) |= flag;
        }
        for other in neighbours(engine, &corpus.dvs, i, None) {
            let (a, b) = (i.min(other) as u32, i.max(other) as u32);
            *cands.entry((a, b)).or_insert(0) |= via::SEMANTIC;
        }
        if !refresh {
            // `analyze` takes each document's nearest neighbours: a new article can be among a
            // stored article's nearest without the stored one being among the new one's.
            for other in reverse_neighbours(engine, &corpus.dvs, i, base) {
                let (a, b) = (i.min(other) as u32, i.max(other) as u32);
                *cands.entry((a, b)).or_insert(0) |= via::SEMANTIC;
            }
        }
    }
    seconds.candidates = lap();
    // Scored on the part of the corpus the candidates touch: only those texts are read and
    // segmented.
    let mut touched: Vec<usize> = cands
        .keys()
        .flat_map(|&(a, b)| [a as usize, b as usize])
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let part = corpus.part(&tx, &touched)?;
    let local: HashMap<usize, u32> = touched
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, k as u32))
        .collect();
    let cands: Vec<CandidatePair> = cands
        .into_iter()
        .map(|((a, b), via)| CandidatePair {
            a: local[&(a as usize)],
            b: local[&(b as usize)],
            via,
        })
        .collect();
    let mut scored = engine.score_candidates(
        &part.articles,
        &part.docs,
        &part.fps,
        &corpus.stats,
        &part.dvs,
        &cands,
    );
    // The report form of a pair depends on nothing but the pair: only the pairs scored in this
    // batch get theirs.
    let reports: Vec<Option<wiretrace::Pair>> = scored
        .iter()
        .map(|s| engine.pair_report(&part.articles, &part.fps, s))
        .collect();
    drop(part);
    for s in &mut scored {
        (s.a, s.b) = (touched[s.a], touched[s.b]);
    }
    if refresh {
        tx.execute("DELETE FROM pairs", [])?;
    }
    insert_pairs(&tx, engine, &scored, &reports)?;
    let n_scored = scored.len();
    if refresh {
        corpus.scored_under = n;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![SCORED_UNDER, n.to_string()],
        )?;
    }
    seconds.score = lap();
    if refresh || corpus.rederive {
        rederive_all(&tx, engine, corpus)?;
    } else {
        rederive_part(&tx, engine, corpus, base)?;
    }
    seconds.derive = lap();
    tx.commit()?;
    seconds.commit = lap();
    Ok((n_scored, refresh, seconds))
}

/// Stories, derivations and quotes of the whole corpus, replacing the stored ones.
fn rederive_all(conn: &Connection, engine: &Engine, corpus: &mut Corpus) -> Result<()> {
    corpus.read_all(conn)?;
    let all: Vec<usize> = (0..corpus.n).collect();
    corpus.segment(&all);
    // Moved out of the cache and back rather than cloned: a refresh holds the whole corpus, and
    // a copy would double it.
    let (mut articles, mut docs, mut fps) = (
        Vec::with_capacity(corpus.n),
        Vec::with_capacity(corpus.n),
        Vec::with_capacity(corpus.n),
    );
    for i in &all {
        match (
            corpus.articles.remove(i),
            corpus.docs.remove(i),
            corpus.fps.remove(i),
        ) {
            (Some(a), Some(d), Some(f)) => {
                articles.push(a);
                docs.push(d);
                fps.push(f);
            }
            _ => {
                return Err(Error::Corrupt {
                    what: format!("article {i} could not be read"),
                })
            }
        }
    }
    let scored = crate::read::load_scored(conn, "", &HashMap::new())?;
    let analysis = engine.assemble_scored(&articles, &docs, &fps, &corpus.stats, scored);
    for (i, ((a, d), f)) in articles.into_iter().zip(docs).zip(fps).enumerate() {
        corpus.articles.insert(i, a);
        corpus.docs.insert(i, d);
        corpus.fps.insert(i, f);
    }
    conn.execute_batch(
        "DELETE FROM stories; DELETE FROM story_members; DELETE FROM derivations; \
         DELETE FROM undirected; DELETE FROM quotes; DELETE FROM quote_variants;",
    )?;
    let ord_of: HashMap<&str, i64> = corpus
        .articles
        .iter()
        .map(|(&i, a)| (a.id.as_str(), i as i64))
        .collect();
    insert_derived(conn, &analysis, &ord_of)?;
    conn.execute("DELETE FROM meta WHERE key = ?1", [REDERIVE])?;
    corpus.rederive = false;
    Ok(())
}

/// Stories, derivations and quotes of the components the articles from `base` on belong to:
/// the rows of those components are replaced, every other row stays (see
/// [`Engine::assemble_part`] for why that is the whole corpus's answer). Stories outside the
/// components are not touched: `related` lists are not stored but read from the pairs.
fn rederive_part(
    conn: &Connection,
    engine: &Engine,
    corpus: &mut Corpus,
    base: usize,
) -> Result<()> {
    let members = components(conn, base..corpus.n)?;
    let local: HashMap<i64, usize> = members
        .iter()
        .enumerate()
        .map(|(k, &i)| (i as i64, k))
        .collect();
    let ords: Vec<i64> = members.iter().map(|&i| i as i64).collect();
    let marks = ords
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // Every pair among the members (a component's pairs never leave it, but `related` ones do,
    // and those between two components of the part count too).
    let scored = crate::read::load_scored(conn, &crate::read::pairs_among(&marks), &local)?;
    let part = corpus.part(conn, &members)?;
    let analysis = engine.assemble_part(
        &part.articles,
        &part.docs,
        &part.fps,
        &corpus.stats,
        scored,
        &part.number,
    );
    drop(part);
    let in_part = |sql: &str| -> Result<()> {
        conn.execute(&sql.replace("{}", &marks), [])?;
        Ok(())
    };
    // A stored story, quote group or derivation with one article in the components has all of
    // them there: each lies within one story, and a story within one component.
    in_part(
        "DELETE FROM stories WHERE ord IN \
         (SELECT story FROM story_members WHERE article IN ({}))",
    )?;
    in_part("DELETE FROM story_members WHERE article IN ({})")?;
    in_part("DELETE FROM derivations WHERE derived IN ({})")?;
    in_part("DELETE FROM undirected WHERE a IN ({})")?;
    let quotes: Vec<i64> = conn
        .prepare(&format!(
            "SELECT DISTINCT quote FROM quote_variants WHERE article IN ({marks})"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    {
        let mut dq = conn.prepare_cached("DELETE FROM quotes WHERE ord = ?1")?;
        let mut dv = conn.prepare_cached("DELETE FROM quote_variants WHERE quote = ?1")?;
        for q in quotes {
            dq.execute([q])?;
            dv.execute([q])?;
        }
    }
    let ord_of: HashMap<&str, i64> = members
        .iter()
        .filter_map(|&i| Some((corpus.articles.get(&i)?.id.as_str(), i as i64)))
        .collect();
    insert_derived(conn, &analysis, &ord_of)
}

/// The sort key of a story row: the report lists stories by decreasing size, then first
/// member, and so does `ORDER BY ord`. Keys do not move when other stories change.
fn story_key(size: usize, first: i64) -> i64 {
    let size = i64::try_from(size).unwrap_or(i64::MAX).min((1 << 31) - 1);
    (((1i64 << 31) - size) << 32) | (first & 0xffff_ffff)
}

/// The sort key of a quote row: the report lists quote groups by first appearance (article,
/// then place in it).
fn quote_key(first_article: i64, start: usize) -> i64 {
    (first_article << 32) | i64::try_from(start).unwrap_or(0).min(0xffff_ffff)
}

/// Stored articles the three lexical blockers propose for a document, with their [`via`]
/// flags: `analyze`'s rules, asked of the index. `me` is the document's own `ord` when it is
/// stored (ingest), `None` for a document that is only being checked.
///
/// - LSH bands and sentence hashes: every stored article in the same bucket. A bucket larger than
///   `max_bucket` is boilerplate, not reuse: as in `analyze`, its members are chained, so the
///   document pairs only with the member before it.
/// - Terms: `keys` are the document's salient terms under the current statistics; the postings
///   give the stored articles holding at least `min_shared_terms` of them, and a pair is kept when
///   that many are salient on the other side too (`terms_of` gives an article's salient terms
///   under the same statistics), which is `analyze`'s rule.
pub(crate) fn lookup(
    conn: &Connection,
    engine: &Engine,
    fp: &Fingerprint,
    keys: &[u64],
    me: Option<i64>,
    terms_of: &mut dyn FnMut(i64) -> Result<Vec<u64>>,
) -> Result<BTreeMap<i64, u8>> {
    let cfg = engine.config().candidates;
    let mut out: BTreeMap<i64, u8> = BTreeMap::new();
    let keyed: [(&str, Vec<u64>, u8); 2] = [
        (
            "SELECT article FROM lsh_keys WHERE key = ?1 ORDER BY article",
            band_keys(fp, &cfg),
            via::LSH,
        ),
        (
            "SELECT article FROM sentence_keys WHERE key = ?1 ORDER BY article",
            fp.sentence_hashes
                .iter()
                .copied()
                .filter(|&h| h != 0)
                .collect(),
            via::SENTENCE,
        ),
    ];
    for (sql, bucket_keys, flag) in keyed {
        let mut stmt = conn.prepare_cached(sql)?;
        for key in bucket_keys {
            let members: Vec<i64> = stmt
                .query_map([key as i64], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let others = members.iter().copied().filter(|&m| Some(m) != me);
            if members.len() > cfg.max_bucket {
                let before = others.filter(|&m| me.is_none_or(|me| m < me)).max();
                if let Some(m) = before {
                    *out.entry(m).or_insert(0) |= flag;
                }
            } else {
                for m in others {
                    *out.entry(m).or_insert(0) |= flag;
                }
            }
        }
    }
    let need = cfg.min_shared_terms.max(1);
    if keys.len() >= need {
        let marks = vec!["?"; keys.len()].join(",");
        let sql = format!(
            "SELECT article FROM term_postings WHERE stem IN ({marks}) \
             GROUP BY article HAVING COUNT(*) >= {need}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let ps: Vec<i64> = keys.iter().map(|&t| t as i64).collect();
        let holders: Vec<i64> = stmt
            .query_map(rusqlite::params_from_iter(ps), |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<_>>()?;
        for m in holders.into_iter().filter(|&m| Some(m) != me) {
            let theirs = terms_of(m)?;
            if keys.iter().filter(|k| theirs.contains(k)).count() >= need {
                *out.entry(m).or_insert(0) |= via::TERMS;
            }
        }
    }
    Ok(out)
}

/// The embedding neighbours of document `i` (or of `probe`, a document not in `dvs`): the
/// `k` nearest by document-vector cosine, at or above the engine's floor. Exact search: one dot
/// product per stored vector.
pub(crate) fn neighbours(
    engine: &Engine,
    dvs: &[Option<Vector>],
    i: usize,
    probe: Option<&[f32]>,
) -> Vec<usize> {
    let Some((k, floor)) = engine.neighbour_blocking() else {
        return Vec::new();
    };
    let Some(v) = probe.or_else(|| dvs.get(i).and_then(|v| v.as_deref())) else {
        return Vec::new();
    };
    let mut near: Vec<(f64, usize)> = dvs
        .iter()
        .enumerate()
        .filter(|&(j, _)| probe.is_some() || j != i)
        .filter_map(|(j, w)| {
            let c = wiretrace::semantic::cosine(v, w.as_deref()?);
            (c >= floor).then_some((c, j))
        })
        .collect();
    near.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    near.into_iter().take(k).map(|(_, j)| j).collect()
}

/// Stored articles (before `base`, the first of the batch) that have document `i` among their
/// nearest neighbours now: the other half of `analyze`'s rule for a document added later.
fn reverse_neighbours(
    engine: &Engine,
    dvs: &[Option<Vector>],
    i: usize,
    base: usize,
) -> Vec<usize> {
    let Some((_, floor)) = engine.neighbour_blocking() else {
        return Vec::new();
    };
    let Some(v) = dvs.get(i).and_then(|v| v.as_deref()) else {
        return Vec::new();
    };
    (0..base.min(dvs.len()))
        .filter(|&j| {
            dvs[j]
                .as_deref()
                .is_some_and(|w| wiretrace::semantic::cosine(v, w) >= floor)
        })
        .filter(|&j| neighbours(engine, dvs, j, None).contains(&i))
        .collect()
}

/// Writes scored pairs with their report forms (`reports[i]` is that of `scored[i]`, `None`
/// for an unrelated pair), replacing the stored rows of the same pairs.
fn insert_pairs(
    conn: &Connection,
    engine: &Engine,
    scored: &[ScoredCandidate],
    reports: &[Option<wiretrace::Pair>],
) -> Result<()> {
    let classifier = &engine.config().classifier;
    let mut ins = conn.prepare_cached(
        // An upsert, not INSERT OR REPLACE: the replace's implicit delete would not fire the
        // triggers that keep `counts` (schema 4), the update does.
        "INSERT INTO pairs (a, b, relation, rank, similarity, features, links, reuse_a, reuse_b, shown, report) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
         ON CONFLICT (b, a) DO UPDATE SET relation = excluded.relation, rank = excluded.rank, \
         similarity = excluded.similarity, features = excluded.features, links = excluded.links, \
         reuse_a = excluded.reuse_a, reuse_b = excluded.reuse_b, shown = excluded.shown, \
         report = excluded.report",
    )?;
    for (k, s) in scored.iter().enumerate() {
        let report = match reports.get(k) {
            Some(Some(p)) => Some(json(p)?),
            _ => None,
        };
        let relation = classifier.relation(&s.features);
        let rank = crate::read::rank_of(relation);
        ins.execute(params![
            s.a as i64,
            s.b as i64,
            relation.as_str(),
            rank,
            s.features.similarity_with(&classifier.params),
            json(&s.features)?,
            json(&s.alignment.links)?,
            s.alignment.reuse_a,
            s.alignment.reuse_b,
            wiretrace::align::round4(s.features.graded_similarity(&classifier.params)),
            report,
        ])?;
    }
    Ok(())
}

/// Inserts the stories, derivations and quotes of `analysis` (whose rows must be gone). Rows
/// are keyed so that `ORDER BY ord` lists stories and quotes in the report's order, whatever
/// batch wrote them; derivations are listed in the order of their pairs (read.rs).
fn insert_derived(
    conn: &Connection,
    analysis: &Analysis,
    ord_of: &HashMap<&str, i64>,
) -> Result<()> {
    let ord = |id: &str| ord_in(ord_of, id);
    let mut st = conn.prepare_cached("INSERT INTO stories (ord, id, json) VALUES (?1, ?2, ?3)")?;
    let mut mem =
        conn.prepare_cached("INSERT INTO story_members (article, story) VALUES (?1, ?2)")?;
    for s in &analysis.stories {
        let first = s.articles.first().map(|a| ord(a)).transpose()?.unwrap_or(0);
        let key = story_key(s.articles.len(), first);
        // `related` lists are read from the pairs (read.rs): stored, each new `related` pair
        // rewrote the row of the story it leads to.
        let unlisted = wiretrace::Story {
            related: Vec::new(),
            ..s.clone()
        };
        st.execute(params![key, s.id, json(&unlisted)?])?;
        for a in &s.articles {
            mem.execute(params![ord(a)?, key])?;
        }
    }
    let mut de =
        conn.prepare_cached("INSERT INTO derivations (source, derived, json) VALUES (?1, ?2, ?3)")?;
    for d in &analysis.derivations {
        de.execute(params![ord(&d.source)?, ord(&d.derived)?, json(d)?])?;
    }
    let mut un = conn.prepare_cached("INSERT INTO undirected (a, b, json) VALUES (?1, ?2, ?3)")?;
    for u in &analysis.undirected {
        let (a, b) = (ord(&u.a)?, ord(&u.b)?);
        un.execute(params![a.min(b), a.max(b), json(u)?])?;
    }
    let mut qu =
        conn.prepare_cached("INSERT INTO quotes (ord, id, speaker, json) VALUES (?1, ?2, ?3, ?4)")?;
    let mut qv = conn.prepare_cached("INSERT OR IGNORE INTO quote_variants VALUES (?1, ?2)")?;
    for q in &analysis.quotes {
        let key = match q.variants.first() {
            Some(v) => quote_key(ord(&v.article)?, v.span[0]),
            None => continue,
        };
        qu.execute(params![key, q.id, q.speaker, json(q)?])?;
        for v in &q.variants {
            qv.execute(params![key, ord(&v.article)?])?;
        }
    }
    Ok(())
}

fn ord_in(ord_of: &HashMap<&str, i64>, id: &str) -> Result<i64> {
    ord_of.get(id).copied().ok_or_else(|| Error::Corrupt {
        what: format!("the engine named an article the store does not hold: {id}"),
    })
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|source| Error::Json {
        what: "a value to store",
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use wiretrace::semantic::Embedder;
    use wiretrace::Config;

    use super::*;

    /// Never asked to embed here: the test hands the engine its document vectors directly.
    struct Unused;

    impl Embedder for Unused {
        fn id(&self) -> &str {
            "unused"
        }
        fn embed(&self, _: &[&str]) -> std::result::Result<Vec<Vec<f32>>, String> {
            Err("not used".into())
        }
    }

    fn unit(v: [f32; 3]) -> Option<Vector> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        Some(v.iter().map(|x| x / n).collect::<Vec<f32>>().into())
    }

    /// `analyze` proposes each document's nearest neighbours; a document added later can be
    /// a stored document's nearest without that one being its own.
    #[test]
    fn a_new_article_that_becomes_a_stored_ones_nearest_is_its_candidate() {
        let mut params = wiretrace::params::PARAMS.clone();
        params.pair.block_semantic = 0.5;
        let mut config =
            Config::from_params(&params, None).with_doc_embedder(Some(Arc::new(Unused)));
        config.neighbours = 1;
        let engine = Engine::new(config);
        // Stored: a and b, each the other's nearest. New: c, nearest to a, but closer to b than
        // a is (so it is b's nearest now, while b is not c's).
        let a = unit([1.0, 0.0, 0.0]);
        let b = unit([0.8, 0.6, 0.0]);
        let c = unit([0.97, 0.24, 0.0]);
        let dvs = vec![a, b, c];
        let cos = |i: usize, j: usize| {
            wiretrace::semantic::cosine(dvs[i].as_deref().unwrap(), dvs[j].as_deref().unwrap())
        };
        assert!(cos(2, 0) > cos(2, 1) && cos(2, 1) > cos(0, 1), "the set-up");
        assert_eq!(neighbours(&engine, &dvs, 2, None), vec![0]);
        // c is now the nearest of both stored documents; b is found only this way.
        assert_eq!(reverse_neighbours(&engine, &dvs, 2, 2), vec![0, 1]);
        // Nothing for a document without a vector, or without a document model.
        let mut none = dvs.clone();
        none[2] = None;
        assert!(reverse_neighbours(&engine, &none, 2, 2).is_empty());
        assert!(reverse_neighbours(&Engine::default(), &dvs, 2, 2).is_empty());
    }
}
