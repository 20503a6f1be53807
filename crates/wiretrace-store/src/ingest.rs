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
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
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
}

/// Content hash of an article: its text as the engine sees it (title and body). Metadata do
/// not make a new article; with the id, it says whether an input is already stored.
pub(crate) fn content_hash(a: &Article) -> String {
    format!("{:032x}", xxh3_128(a.full_text().as_bytes()))
}

/// The corpus in memory during an ingest: what scoring new pairs against old articles and
/// re-deriving stories need. Index `i` is the article with `ord = i`.
pub(crate) struct Corpus {
    pub(crate) articles: Vec<Article>,
    /// Each article's segmentation, made when a stage first needs it: a batch reads only its
    /// candidates and the stories it touches, so segmenting every stored text would be most of
    /// the cost of a small batch into a large store.
    pub(crate) docs: Vec<Option<Document>>,
    pub(crate) fps: Vec<Fingerprint>,
    pub(crate) dvs: Vec<Option<Vector>>,
    pub(crate) stats: CorpusStats,
    pub(crate) scored: Vec<ScoredCandidate>,
    /// The relation of each pair in `scored`.
    pub(crate) relations: Vec<Relation>,
    /// For each article, the positions in `scored` of its pairs.
    pub(crate) pairs_of: Vec<Vec<usize>>,
    /// How many articles the store held when its pairs were last all scored (0: never).
    pub(crate) scored_under: usize,
    /// The derived tables must be rebuilt whole (a store migrated from a schema whose stories
    /// and quotes were numbered by rank).
    pub(crate) rederive: bool,
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
    /// Segments the articles of `idx` that are not segmented yet.
    fn segment(&mut self, idx: &[usize]) {
        let missing: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| self.docs.get(i).is_some_and(Option::is_none))
            .collect();
        let made: Vec<Document> = missing
            .par_iter()
            .map(|&i| Document::from_article(&self.articles[i]))
            .collect();
        for (i, d) in missing.into_iter().zip(made) {
            self.docs[i] = Some(d);
        }
    }

    /// The articles of `idx` (sorted, distinct corpus indices) as a [`Part`].
    fn part(&mut self, idx: &[usize]) -> Part {
        self.segment(idx);
        Part {
            number: idx.to_vec(),
            articles: idx.iter().map(|&i| self.articles[i].clone()).collect(),
            docs: idx
                .iter()
                .map(|&i| {
                    self.docs[i]
                        .clone()
                        .unwrap_or_else(|| Document::from_article(&self.articles[i]))
                })
                .collect(),
            fps: idx.iter().map(|&i| self.fps[i].clone()).collect(),
            dvs: idx.iter().map(|&i| self.dvs[i].clone()).collect(),
        }
    }

    /// Adds scored pairs (corpus indices) to `scored` and its indexes.
    fn add_scored(&mut self, engine: &Engine, scored: Vec<ScoredCandidate>) {
        let classifier = &engine.config().classifier;
        for s in scored {
            let k = self.scored.len();
            for end in [s.a, s.b] {
                if let Some(list) = self.pairs_of.get_mut(end) {
                    list.push(k);
                }
            }
            self.relations.push(classifier.relation(&s.features));
            self.scored.push(s);
        }
    }

    /// Replaces every scored pair.
    fn set_scored(&mut self, engine: &Engine, scored: Vec<ScoredCandidate>) {
        self.scored.clear();
        self.relations.clear();
        self.pairs_of = vec![Vec::new(); self.articles.len()];
        self.add_scored(engine, scored);
    }

    /// The articles connected to `seeds` by same-story pairs, sorted: whole components of the
    /// graph the story stage clusters, so re-deriving them gives what re-deriving the corpus
    /// would give them.
    fn components(&self, seeds: impl Iterator<Item = usize>) -> Vec<usize> {
        let mut seen: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let mut stack: Vec<usize> = seeds.filter(|&i| i < self.articles.len()).collect();
        seen.extend(stack.iter().copied());
        while let Some(x) = stack.pop() {
            for &k in &self.pairs_of[x] {
                if !self.relations[k].is_same_story() {
                    continue;
                }
                let s = &self.scored[k];
                let y = if s.a == x { s.b } else { s.a };
                if seen.insert(y) {
                    stack.push(y);
                }
            }
        }
        let mut out: Vec<usize> = seen.into_iter().collect();
        out.sort_unstable();
        out
    }
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
            let (scored, refreshed) = ingest_batch(
                &mut self.conn,
                engine,
                &mut corpus,
                chunk,
                options.max_drift,
            )?;
            summary.scored_pairs += scored;
            summary.refreshes += usize::from(refreshed);
            summary.added += chunk.len();
            summary.batches += 1;
            progress(Progress::Committed {
                done: summary.added,
                new: fresh.len(),
            });
        }
        Ok(summary)
    }

    /// Finds and scores every stored pair again under the current corpus statistics and
    /// re-derives stories, derivations and quotes: afterwards the report is exactly what
    /// `analyze` gives for the stored articles. Returns the number of pairs scored. One
    /// transaction; the cost is that of `analyze` without segmentation and fingerprints.
    pub fn refresh(&mut self, engine: &Engine) -> Result<usize> {
        self.check_parameters(engine)?;
        let mut corpus = load_corpus(&self.conn, engine)?;
        if corpus.articles.is_empty() {
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

/// Loads every stored article, its fingerprint and document vector, the document frequencies
/// and the scored pairs. Documents are segmented again from the stored text (segmentation is
/// a pure function of it, and cheaper than storing tokens).
pub(crate) fn load_corpus(conn: &Connection, engine: &Engine) -> Result<Corpus> {
    let articles = crate::read::load_articles(conn)?;
    let mut fps = Vec::with_capacity(articles.len());
    let mut dvs = Vec::with_capacity(articles.len());
    let mut stmt = conn.prepare("SELECT fingerprint, doc_vector FROM articles ORDER BY ord")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        fps.push(codec::decode_fingerprint(&r.get::<_, Vec<u8>>(0)?)?);
        dvs.push(
            r.get::<_, Option<Vec<u8>>>(1)?
                .map(|b| codec::decode_vector(&b).map(Vector::from))
                .transpose()?,
        );
    }
    let docs: Vec<Option<Document>> = vec![None; articles.len()];
    let mut df = HashMap::new();
    let mut stmt = conn.prepare("SELECT stem, df FROM term_df")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        df.insert(r.get::<_, i64>(0)? as u64, r.get::<_, u32>(1)?);
    }
    let stats = CorpusStats {
        n: articles.len(),
        df,
    };
    let scored = crate::read::load_scored(conn, "", &HashMap::new())?;
    let meta = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
                r.get::<_, String>(0)
            })
            .optional()?)
    };
    let scored_under = meta(SCORED_UNDER)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let rederive = meta(REDERIVE)?.is_some_and(|v| v == "1");
    let n = articles.len();
    let mut corpus = Corpus {
        articles,
        docs,
        fps,
        dvs,
        stats,
        scored: Vec::new(),
        relations: Vec::new(),
        pairs_of: vec![Vec::new(); n],
        scored_under,
        rederive,
    };
    corpus.set_scored(engine, scored);
    Ok(corpus)
}

/// One batch in one transaction; returns the number of pairs scored and whether every stored
/// pair was scored again (the statistics had drifted beyond `max_drift`).
fn ingest_batch(
    conn: &mut Connection,
    engine: &Engine,
    corpus: &mut Corpus,
    chunk: &[(String, Article)],
    max_drift: f64,
) -> Result<(usize, bool)> {
    let tx = conn.transaction()?;
    let base = corpus.articles.len();
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
                post.execute(params![t.stem as i64, ord])?;
                df.execute([t.stem as i64])?;
            }
        }
    }
    corpus.articles.extend(chunk.iter().map(|(_, a)| a.clone()));
    corpus.docs.extend(docs.into_iter().map(Some));
    corpus.pairs_of.resize(corpus.articles.len(), Vec::new());
    corpus.fps.extend(fps);
    corpus.dvs.extend(dvs);

    // Candidates of each new article, from the index (which now holds the batch too). When the
    // statistics have drifted, every article's: term blocking and every pair's score depend on
    // them, and asking the index for all articles is what one `analyze` over the corpus does.
    let n = corpus.articles.len();
    let refresh = CorpusStats::idf_drift(corpus.scored_under, n) > max_drift;
    let first = if refresh { 0 } else { base };
    let mut cands: BTreeMap<(u32, u32), u8> = BTreeMap::new();
    for i in first..n {
        let keys = salient_terms(&corpus.fps[i], &corpus.stats, &cfg);
        let mut terms_of = |m: i64| -> Result<Vec<u64>> {
            let fp = usize::try_from(m)
                .ok()
                .and_then(|m| corpus.fps.get(m))
                .ok_or_else(|| Error::Corrupt {
                    what: format!("the index names article {m}, which is not stored"),
                })?;
            Ok(salient_terms(fp, &corpus.stats, &cfg))
        };
        for (other, flag) in lookup(
            &tx,
            engine,
            &corpus.fps[i],
            &keys,
            Some(i as i64),
            &mut terms_of,
        )? {
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
    // Scored on the part of the corpus the candidates touch: only those texts are segmented.
    let mut touched: Vec<usize> = cands
        .keys()
        .flat_map(|&(a, b)| [a as usize, b as usize])
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let part = corpus.part(&touched);
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
    drop(part);
    for s in &mut scored {
        (s.a, s.b) = (touched[s.a], touched[s.b]);
    }
    let n_scored = scored.len();
    let first_new_pair = if refresh { 0 } else { corpus.scored.len() };
    if refresh {
        tx.execute("DELETE FROM pairs", [])?;
        insert_pairs(&tx, engine, &scored)?;
        corpus.set_scored(engine, scored);
        corpus.scored_under = n;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![SCORED_UNDER, n.to_string()],
        )?;
    } else {
        insert_pairs(&tx, engine, &scored)?;
        corpus.add_scored(engine, scored);
    }
    {
        // The report form of a pair depends on nothing but the pair: only the pairs scored in
        // this batch get theirs.
        let mut up = tx.prepare_cached("UPDATE pairs SET report = ?1 WHERE a = ?2 AND b = ?3")?;
        for s in &corpus.scored[first_new_pair..] {
            if let Some(p) = engine.pair_report(&corpus.articles, &corpus.fps, s) {
                up.execute(params![json(&p)?, s.a as i64, s.b as i64])?;
            }
        }
    }
    if refresh || corpus.rederive {
        rederive_all(&tx, engine, corpus)?;
    } else {
        rederive_part(&tx, engine, corpus, base)?;
    }
    tx.commit()?;
    Ok((n_scored, refresh))
}

/// Stories, derivations and quotes of the whole corpus, replacing the stored ones.
fn rederive_all(conn: &Connection, engine: &Engine, corpus: &mut Corpus) -> Result<()> {
    let all: Vec<usize> = (0..corpus.articles.len()).collect();
    corpus.segment(&all);
    let docs: Vec<Document> = corpus
        .docs
        .iter_mut()
        .zip(&corpus.articles)
        .map(|(d, a)| d.take().unwrap_or_else(|| Document::from_article(a)))
        .collect();
    let analysis = engine.assemble_scored(
        &corpus.articles,
        &docs,
        &corpus.fps,
        &corpus.stats,
        corpus.scored.clone(),
    );
    for (slot, d) in corpus.docs.iter_mut().zip(docs) {
        *slot = Some(d);
    }
    conn.execute_batch(
        "DELETE FROM stories; DELETE FROM story_members; DELETE FROM derivations; \
         DELETE FROM undirected; DELETE FROM quotes; DELETE FROM quote_variants;",
    )?;
    let ord_of: HashMap<&str, i64> = corpus
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i as i64))
        .collect();
    insert_derived(conn, &analysis, &ord_of)?;
    conn.execute("DELETE FROM meta WHERE key = ?1", [REDERIVE])?;
    corpus.rederive = false;
    Ok(())
}

/// Stories, derivations and quotes of the components the articles from `base` on belong to:
/// the rows of those components are replaced, every other row stays (see
/// [`Engine::assemble_part`] for why that is the whole corpus's answer), and the `related` lists
/// that point into the components are brought up to date.
fn rederive_part(
    conn: &Connection,
    engine: &Engine,
    corpus: &mut Corpus,
    base: usize,
) -> Result<()> {
    let members = corpus.components(base..corpus.articles.len());
    let local: HashMap<usize, usize> = members.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let mut scored: Vec<ScoredCandidate> = Vec::new();
    for &x in &members {
        for &k in &corpus.pairs_of[x] {
            let s = &corpus.scored[k];
            if s.a != x {
                continue;
            }
            if let Some(&b) = local.get(&s.b) {
                let mut s = s.clone();
                (s.a, s.b) = (local[&x], b);
                scored.push(s);
            }
        }
    }
    let part = corpus.part(&members);
    let analysis = engine.assemble_part(
        &part.articles,
        &part.docs,
        &part.fps,
        &corpus.stats,
        scored,
        &part.number,
    );
    drop(part);
    let ords: Vec<i64> = members.iter().map(|&i| i as i64).collect();
    let marks = vec!["?"; ords.len()].join(",");
    let in_part = |sql: &str| -> Result<()> {
        conn.execute(
            &sql.replace("{}", &marks),
            rusqlite::params_from_iter(ords.iter()),
        )?;
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
        .query_map(rusqlite::params_from_iter(ords.iter()), |r| r.get(0))?
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
        .map(|&i| (corpus.articles[i].id.as_str(), i as i64))
        .collect();
    insert_derived(conn, &analysis, &ord_of)?;
    update_related(conn, corpus, &members)
}

/// Rewrites the `related` list of every story with an article in `members` or a `related` pair
/// into them: the stories a `related` pair joins, listed as the report lists stories.
fn update_related(conn: &Connection, corpus: &Corpus, members: &[usize]) -> Result<()> {
    let mut story_of_stmt =
        conn.prepare_cached("SELECT story FROM story_members WHERE article = ?1")?;
    let mut story_of = |a: usize| -> Result<i64> {
        story_of_stmt
            .query_row([a as i64], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::Corrupt {
                what: format!("article {a} is in no story"),
            })
    };
    let mut affected: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    for &x in members {
        affected.insert(story_of(x)?);
        for &k in &corpus.pairs_of[x] {
            if corpus.relations[k] == Relation::Related {
                let s = &corpus.scored[k];
                affected.insert(story_of(if s.a == x { s.b } else { s.a })?);
            }
        }
    }
    let mut members_of =
        conn.prepare_cached("SELECT article FROM story_members WHERE story = ?1")?;
    let mut read = conn.prepare_cached("SELECT id, json FROM stories WHERE ord = ?1")?;
    let mut write = conn.prepare_cached("UPDATE stories SET json = ?1 WHERE ord = ?2")?;
    for story in affected {
        let arts: Vec<i64> = members_of
            .query_map([story], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut related: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
        for a in arts {
            let a = usize::try_from(a).unwrap_or(usize::MAX);
            for &k in corpus
                .pairs_of
                .get(a)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if corpus.relations[k] == Relation::Related {
                    let s = &corpus.scored[k];
                    let other = story_of(if s.a == a { s.b } else { s.a })?;
                    if other != story {
                        related.insert(other);
                    }
                }
            }
        }
        // Story ords sort as the report lists stories, so this is the report's order too.
        let mut ids = Vec::with_capacity(related.len());
        for r in related {
            ids.push(read.query_row([r], |row| row.get::<_, String>(0))?);
        }
        let json_text: String = read.query_row([story], |row| row.get(1))?;
        let mut st: wiretrace::Story =
            serde_json::from_str(&json_text).map_err(|source| Error::Json {
                what: "a story",
                source,
            })?;
        if st.related != ids {
            st.related = ids;
            write.execute(params![json(&st)?, story])?;
        }
    }
    Ok(())
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

fn insert_pairs(conn: &Connection, engine: &Engine, scored: &[ScoredCandidate]) -> Result<()> {
    let classifier = &engine.config().classifier;
    let mut ins = conn.prepare_cached(
        "INSERT OR REPLACE INTO pairs (a, b, relation, rank, similarity, features, links, reuse_a, reuse_b) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for s in scored {
        let relation = classifier.relation(&s.features);
        let rank = Relation::ALL
            .iter()
            .position(|&r| r == relation)
            .unwrap_or(Relation::ALL.len()) as i64;
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
        st.execute(params![key, s.id, json(s)?])?;
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
