//! Incremental ingest: new articles in, the index, pairs and derived tables updated, one
//! transaction per batch.
//!
//! Per batch, the engine's pipeline (`wiretrace::pipeline`) over the store's index: the articles
//! whose content hash is new are prepared (segmented, fingerprinted) and filed in the index
//! tables ([`crate::postings`]); each new article asks the index for its candidates under the
//! engine's blocking rules, the same as `analyze`'s; only those pairs are scored, with document
//! frequencies of the whole stored corpus. Stories,
//! derivations and quotes are then re-derived by the engine's last stage for the connected
//! components of same-story pairs the batch touches, whose rows are replaced; every other row
//! stays (a refresh re-derives everything). No text is segmented unless a stage reads it.
//! All of it commits together, so a killed ingest loses at most the batch in flight, and the
//! batches of a rerun are the same suffix of the same input: it ends where an uninterrupted run
//! ends.
//!
//! What differs from `analyze` on the same articles: between refreshes a pair keeps the corpus
//! statistics of its batch, and so does the label of a story no later batch touched.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use wiretrace::candidates::keys::{band_keys, sentence_keys};
use wiretrace::candidates::{merge, CandidatePair, DocKeys, Postings, PostingsMut, Query};
use wiretrace::fingerprint::CorpusStats;
use wiretrace::pipeline::{self, AlignedPair, Text};
use wiretrace::{Analysis, Article, Corpus, DocIdx, Engine, Relation, Skipped};
use xxhash_rust::xxh3::xxh3_128;

use crate::codec;
use crate::error::{Error, Result};
use crate::postings::{still_a_key, SqlitePostings};
use crate::stored::{doc_idx, Stored, REDERIVE, SCORED_UNDER};
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
        let mut stored = Stored::open(&self.conn, engine)?;
        for chunk in fresh.chunks(options.batch_size.max(1)) {
            let (scored, refreshed, seconds) = ingest_batch(
                &mut self.conn,
                engine,
                &mut stored,
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
        summary.stored_read = stored.reads;
        Ok(summary)
    }

    /// Finds and scores every stored pair again under the current corpus statistics and
    /// re-derives stories, derivations and quotes: afterwards the report is exactly what
    /// `analyze` gives for the stored articles. Returns the number of pairs scored. One
    /// transaction; the cost is that of `analyze` without segmentation and fingerprints.
    pub fn refresh(&mut self, engine: &Engine) -> Result<usize> {
        self.check_parameters(engine)?;
        let mut stored = Stored::open(&self.conn, engine)?;
        if stored.n == 0 {
            return Ok(0);
        }
        // No drift is below -1: the batch of no new articles rescores everything.
        Ok(ingest_batch(&mut self.conn, engine, &mut stored, &[], -1.0)?.0)
    }

    /// Derives stories, derivations and quotes again from the stored pairs, for the whole
    /// corpus at once (no pair is scored again). A batch re-derives only the components it
    /// touches; this gives what re-deriving everything at every batch would, apart from story
    /// labels, which then weigh terms under the current statistics.
    pub fn rederive(&mut self, engine: &Engine) -> Result<()> {
        self.check_parameters(engine)?;
        let mut stored = Stored::open(&self.conn, engine)?;
        let tx = self.conn.transaction()?;
        rederive_all(&tx, engine, &mut stored)?;
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

/// One batch in one transaction; returns the number of pairs scored, whether every stored
/// pair was scored again (the statistics had drifted beyond `max_drift`), and its steps' times.
/// The stages are the engine's (`wiretrace::pipeline`) over the store's index: prepare the new
/// articles and file them, find candidates, score them on the part of the corpus they touch,
/// and re-derive the components they join.
fn ingest_batch(
    conn: &mut Connection,
    engine: &Engine,
    stored: &mut Stored,
    chunk: &[(String, Article)],
    max_drift: f64,
) -> Result<(usize, bool, IngestSeconds)> {
    let mut seconds = IngestSeconds::default();
    let mut clock = Lap::start();
    let tx = conn.transaction()?;
    let base = stored.n;
    file_new(&tx, engine, stored, chunk)?;
    seconds.index = clock.lap();
    // Candidates of each new article, from the index (which now holds the batch too). When the
    // statistics have drifted, every article's: term blocking and every pair's score depend on
    // them, and asking the index for all articles is what one `analyze` over the corpus does.
    let n = stored.n;
    let refresh = CorpusStats::idf_drift(stored.scored_under, n) > max_drift;
    if refresh || stored.rederive {
        stored.read_all(&tx)?;
    }
    let first = if refresh { 0 } else { base };
    let cands = candidates(&tx, engine, stored, first..n)?;
    seconds.candidates = clock.lap();
    let n_scored = score_and_write(&tx, engine, stored, &cands, refresh)?;
    if refresh {
        stored.scored_under = n;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![SCORED_UNDER, n.to_string()],
        )?;
    }
    seconds.score = clock.lap();
    if refresh || stored.rederive {
        rederive_all(&tx, engine, stored)?;
    } else {
        rederive_part(&tx, engine, stored, base)?;
    }
    seconds.derive = clock.lap();
    tx.commit()?;
    seconds.commit = clock.lap();
    Ok((n_scored, refresh, seconds))
}

/// Seconds since the last lap.
struct Lap(std::time::Instant);

impl Lap {
    fn start() -> Self {
        Lap(std::time::Instant::now())
    }

    fn lap(&mut self) -> f64 {
        let t = self.0.elapsed().as_secs_f64();
        self.0 = std::time::Instant::now();
        t
    }
}

/// Prepares the new articles (segments, fingerprints, document vectors), counts their terms,
/// writes their rows and files them in the index; they are kept as read.
fn file_new(
    tx: &Connection,
    engine: &Engine,
    stored: &mut Stored,
    chunk: &[(String, Article)],
) -> Result<()> {
    let base = stored.n;
    let articles: Vec<Article> = chunk.iter().map(|(_, a)| a.clone()).collect();
    let mut new = pipeline::prepare(engine, articles, Text::Keep);
    // One slot per document whatever the model returned, so indices stay aligned.
    new.dvs.resize(new.len(), None);
    stored.count(tx, &new.fps)?;
    let hashes: Vec<&str> = chunk.iter().map(|(h, _)| h.as_str()).collect();
    write_articles(tx, base, &hashes, &new)?;
    let config = engine.config().candidates;
    let mut index = SqlitePostings {
        conn: tx,
        stored,
        config,
    };
    for (k, fp) in new.fps.iter().enumerate() {
        let terms = fp
            .terms
            .iter()
            .map(|t| t.stem)
            .filter(|&stem| still_a_key(&index.stored.stats, stem, config.max_df))
            .collect();
        let keys = DocKeys {
            bands: band_keys(fp, &config),
            sentences: sentence_keys(fp).collect(),
            terms,
            vector: None,
        };
        index.insert(doc_idx(base + k)?, keys)?;
    }
    let mut df = tx.prepare_cached(
        "INSERT INTO term_df (stem, df) VALUES (?1, 1) ON CONFLICT (stem) DO UPDATE SET df = df + 1",
    )?;
    for t in new.fps.iter().flat_map(|fp| &fp.terms) {
        df.execute([t.stem as i64])?;
    }
    stored.adopt(base, new, engine.neighbour_blocking().is_some());
    Ok(())
}

/// Writes the rows of new articles `base..` with their fingerprint and vector.
fn write_articles(tx: &Connection, base: usize, hashes: &[&str], new: &Corpus) -> Result<()> {
    let mut art = tx.prepare_cached(
        "INSERT INTO articles (ord, id, hash, title, body, url, source, published, lang, \
         sentences, words, fingerprint, doc_vector) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for (k, ((a, d), fp)) in new.articles.iter().zip(&new.docs).zip(&new.fps).enumerate() {
        art.execute(params![
            (base + k) as i64,
            a.id,
            hashes.get(k).copied().unwrap_or_default(),
            a.title,
            a.body,
            a.url,
            a.source,
            a.published.map(|t| t.to_rfc3339()),
            a.lang,
            d.sentences.len() as i64,
            d.words() as i64,
            codec::encode_fingerprint(fp),
            new.dvs
                .get(k)
                .and_then(|v| v.as_deref())
                .map(codec::encode_vector),
        ])?;
    }
    Ok(())
}

/// The candidates of articles `asked` through the store's index, under the engine's rules.
/// Stored articles before the first asked one are looked up as reverse neighbours.
pub(crate) fn candidates(
    tx: &Connection,
    engine: &Engine,
    stored: &mut Stored,
    asked: std::ops::Range<usize>,
) -> Result<Vec<CandidatePair>> {
    let blocking = engine.blocking();
    let before = doc_idx(asked.start)?;
    let mut index = SqlitePostings {
        conn: tx,
        stored,
        config: blocking.config,
    };
    let mut found = Vec::new();
    for i in asked {
        let me = doc_idx(i)?;
        let terms = index.term_keys(me)?.into_owned();
        let fp = index.stored.fp(i)?.clone();
        let vector = index.stored.dvs.get(i).cloned().flatten();
        let q = Query {
            me: Some(me),
            fp: &fp,
            terms: &terms,
            vector: vector.as_deref(),
        };
        let near = blocking.find(&mut index, &q, before)?;
        found.extend(
            near.into_iter()
                .map(|(m, via)| CandidatePair::new(me, m, via)),
        );
    }
    Ok(merge(found).0)
}

/// Scores the candidates on the part of the corpus they touch (only those texts are read and
/// segmented) and writes the pairs with their report forms, replacing every stored pair on a
/// refresh. Returns the number of pairs scored.
fn score_and_write(
    tx: &Connection,
    engine: &Engine,
    stored: &mut Stored,
    cands: &[CandidatePair],
    refresh: bool,
) -> Result<usize> {
    let mut touched: Vec<usize> = cands
        .iter()
        .flat_map(|c| [c.a.index(), c.b.index()])
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let mut part = stored.part(tx, &touched)?;
    let local: Vec<CandidatePair> = cands
        .iter()
        .filter_map(|c| {
            let slot = |d: DocIdx| part.slot(d).and_then(DocIdx::from_index);
            Some(CandidatePair {
                a: slot(c.a)?,
                b: slot(c.b)?,
                via: c.via,
            })
        })
        .collect();
    let (mut scored, _) = pipeline::score(engine, &mut part, &local);
    // The report form of a pair depends on nothing but the pair: only the pairs scored in this
    // batch get theirs.
    let reports: Vec<Option<wiretrace::Pair>> = scored
        .iter()
        .map(|s| pipeline::pair_report(engine, &part, s))
        .collect();
    for s in &mut scored {
        (s.a, s.b) = (part.place(s.a), part.place(s.b));
    }
    stored.give_back(part, false);
    if refresh {
        tx.execute("DELETE FROM pairs", [])?;
    }
    insert_pairs(tx, engine, &scored, &reports)?;
    Ok(scored.len())
}

/// Stories, derivations and quotes of the whole corpus, replacing the stored ones.
fn rederive_all(conn: &Connection, engine: &Engine, stored: &mut Stored) -> Result<()> {
    let whole = stored.whole(conn)?;
    let scored = crate::read::load_scored(conn, "", &HashMap::new())?;
    let analysis = pipeline::assemble(engine, &whole, scored);
    stored.give_back(whole, true);
    conn.execute_batch(
        "DELETE FROM stories; DELETE FROM story_members; DELETE FROM derivations; \
         DELETE FROM undirected; DELETE FROM quotes; DELETE FROM quote_variants;",
    )?;
    let ord_of: HashMap<&str, i64> = stored
        .articles
        .iter()
        .map(|(&i, a)| (a.id.as_str(), i as i64))
        .collect();
    insert_derived(conn, &analysis, &ord_of)?;
    conn.execute("DELETE FROM meta WHERE key = ?1", [REDERIVE])?;
    stored.rederive = false;
    Ok(())
}

/// Stories, derivations and quotes of the components the articles from `base` on belong to:
/// the rows of those components are replaced, every other row stays. Every stage of assembly is
/// local to a connected component of the same-story pairs (clusters never cross one; a
/// derivation's direction and a quote group look only within a story), so a part made of whole
/// components, with every pair among its articles, assembles into exactly the whole's stories,
/// derivations and quotes for those articles — except `related` lists, which point across
/// components and are read from the pairs, and story labels, which weigh terms by the
/// statistics of the batch.
fn rederive_part(
    conn: &Connection,
    engine: &Engine,
    stored: &mut Stored,
    base: usize,
) -> Result<()> {
    let members = components(conn, base..stored.n)?;
    let local: HashMap<i64, usize> = members
        .iter()
        .enumerate()
        .map(|(k, &i)| (i as i64, k))
        .collect();
    let marks = members
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // Every pair among the members (a component's pairs never leave it, but `related` ones do,
    // and those between two components of the part count too).
    let scored = crate::read::load_scored(conn, &crate::read::pairs_among(&marks), &local)?;
    let part = stored.part(conn, &members)?;
    let analysis = pipeline::assemble(engine, &part, scored);
    stored.give_back(part, false);
    delete_derived(conn, &marks)?;
    let ord_of: HashMap<&str, i64> = members
        .iter()
        .filter_map(|&i| Some((stored.articles.get(&i)?.id.as_str(), i as i64)))
        .collect();
    insert_derived(conn, &analysis, &ord_of)
}

/// Deletes the stories, derivations and quotes of the articles in `marks` (a list of ords). A
/// stored story, quote group or derivation with one article in the components has all of them
/// there: each lies within one story, and a story within one component.
fn delete_derived(conn: &Connection, marks: &str) -> Result<()> {
    let in_part = |sql: &str| -> Result<()> {
        conn.execute(&sql.replace("{}", marks), [])?;
        Ok(())
    };
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
    let mut dq = conn.prepare_cached("DELETE FROM quotes WHERE ord = ?1")?;
    let mut dv = conn.prepare_cached("DELETE FROM quote_variants WHERE quote = ?1")?;
    for q in quotes {
        dq.execute([q])?;
        dv.execute([q])?;
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

/// Writes scored pairs with their report forms (`reports[i]` is that of `scored[i]`, `None`
/// for an unrelated pair), replacing the stored rows of the same pairs.
fn insert_pairs(
    conn: &Connection,
    engine: &Engine,
    scored: &[AlignedPair],
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
