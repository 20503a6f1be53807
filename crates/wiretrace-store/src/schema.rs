//! The schema and its versioned migrations. `PRAGMA user_version` is the schema version; each
//! migration moves a store up by one version inside one transaction, so a store is always at a
//! version this list knows. A store from every released version is kept in `testdata/store/`
//! and a test opens and migrates it.
//!
//! 64-bit hashes (blocking keys, stems) are stored as SQLite integers with the same bits
//! (`u64 as i64`). Article `ord` is the article's position in ingest order, 0-based: it is the
//! index the engine sees, so stored pairs keep their `a < b` order across runs.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::Result;

/// The newest schema version.
pub const LATEST: i64 = 9;

/// Migration `k` takes a store from version `k` to `k + 1`.
const MIGRATIONS: &[Step] = &[
    Step::Sql(V1),
    Step::Sql(V2),
    Step::Sql(V3),
    Step::Sql(V4),
    Step::Sql(V5),
    Step::Sql(V6),
    Step::Sql(V7),
    Step::Sql(V8),
    Step::Code(v9),
];

/// One migration: a script, or code for a step SQL cannot say.
enum Step {
    Sql(&'static str),
    Code(fn(&Connection) -> Result<()>),
}

/// The triggers that keep the count of related pairs (versions 4 and 6 create them).
macro_rules! pairs_count_triggers {
    () => {
        "
CREATE TRIGGER pairs_count_insert AFTER INSERT ON pairs WHEN NEW.relation != 'unrelated'
BEGIN UPDATE counts SET n = n + 1 WHERE name = 'pairs'; END;
CREATE TRIGGER pairs_count_delete AFTER DELETE ON pairs WHEN OLD.relation != 'unrelated'
BEGIN UPDATE counts SET n = n - 1 WHERE name = 'pairs'; END;
CREATE TRIGGER pairs_count_update AFTER UPDATE OF relation ON pairs
BEGIN UPDATE counts SET n = n + (NEW.relation != 'unrelated') - (OLD.relation != 'unrelated')
    WHERE name = 'pairs'; END;
"
    };
}

/// Version 1: articles with their segmentation and fingerprints, the blocking index, pairs, and
/// the tables derived from the pairs (stories, derivations, quotes).
const V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    ord INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    title TEXT,
    body TEXT NOT NULL,
    url TEXT,
    source TEXT,
    published TEXT,
    lang TEXT,
    sentences INTEGER NOT NULL,
    words INTEGER NOT NULL,
    segmentation BLOB NOT NULL,
    fingerprint BLOB NOT NULL,
    doc_vector BLOB
);
CREATE TABLE lsh_keys (key INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (key, article)) WITHOUT ROWID;
CREATE TABLE sentence_keys (key INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (key, article)) WITHOUT ROWID;
CREATE TABLE term_postings (stem INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (stem, article)) WITHOUT ROWID;
CREATE TABLE term_df (stem INTEGER PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE pairs (
    a INTEGER NOT NULL,
    b INTEGER NOT NULL,
    relation TEXT NOT NULL,
    rank INTEGER NOT NULL,
    similarity REAL NOT NULL,
    features TEXT NOT NULL,
    links TEXT NOT NULL,
    reuse_a REAL NOT NULL,
    reuse_b REAL NOT NULL,
    report TEXT,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX pairs_b ON pairs (b);
CREATE INDEX pairs_rank ON pairs (rank, similarity DESC);
CREATE TABLE stories (ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
CREATE TABLE story_members (article INTEGER PRIMARY KEY, story INTEGER NOT NULL);
CREATE TABLE derivations (ord INTEGER PRIMARY KEY, source INTEGER NOT NULL, derived INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE undirected (ord INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE quotes (ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, speaker TEXT, json TEXT NOT NULL);
CREATE TABLE quote_variants (quote INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (quote, article)) WITHOUT ROWID;
CREATE INDEX quote_variants_article ON quote_variants (article);
";

/// Version 2: a page of the story list reads only its stories' members and derivations, which
/// needs them indexed by story and by derived article.
const V2: &str = "
CREATE INDEX story_members_story ON story_members (story);
CREATE INDEX derivations_derived ON derivations (derived);
";

/// Version 3: a batch rewrites only the stories, derivations and quotes of the components it
/// touches. Stories and quote groups are keyed by their first article (ids `s{n}`, `q{n}.{k}`
/// that do not move as the corpus grows; `ord` sorts them in report order), undirected pairs
/// name their articles so a component's rows can be found, and pairs keep the similarity the
/// report shows (`shown`), which orders them after the relation. The rows a version-2 store
/// holds are numbered by rank: they stay readable as they are, and the next write rebuilds them
/// all (`meta.rederive`).
const V3: &str = "
ALTER TABLE pairs ADD COLUMN shown REAL;
UPDATE pairs SET shown = round(similarity, 4);
ALTER TABLE undirected ADD COLUMN a INTEGER;
ALTER TABLE undirected ADD COLUMN b INTEGER;
CREATE INDEX undirected_a ON undirected (a);
INSERT INTO meta (key, value) SELECT 'rederive', '1' WHERE EXISTS (SELECT 1 FROM stories);
";

/// Version 4: what the store holds is counted as it is written. `COUNT(*)` reads a whole index,
/// and every ingest answers with the counts (`POST /articles`, the CLI's summary): at 200,000
/// articles the three counts were ~9 ms of a one-article ingest's ~26 ms, growing linearly. The
/// triggers keep `counts` exact inside each write transaction; pairs count when related at all.
const V4: &str = concat!(
    "
CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counts SELECT 'pairs', COUNT(*) FROM pairs WHERE relation != 'unrelated';
INSERT INTO counts SELECT 'stories', COUNT(*) FROM stories;
INSERT INTO counts SELECT 'quotes', COUNT(*) FROM quotes;
",
    pairs_count_triggers!(),
    "CREATE TRIGGER stories_count_insert AFTER INSERT ON stories
BEGIN UPDATE counts SET n = n + 1 WHERE name = 'stories'; END;
CREATE TRIGGER stories_count_delete AFTER DELETE ON stories
BEGIN UPDATE counts SET n = n - 1 WHERE name = 'stories'; END;
CREATE TRIGGER quotes_count_insert AFTER INSERT ON quotes
BEGIN UPDATE counts SET n = n + 1 WHERE name = 'quotes'; END;
CREATE TRIGGER quotes_count_delete AFTER DELETE ON quotes
BEGIN UPDATE counts SET n = n - 1 WHERE name = 'quotes'; END;
"
);

/// Version 5: an article's pairs and their relations are read from covering indexes. A batch
/// brings the `related` lists of the stories it touches up to date by asking, for every member,
/// which pairs it has; answered from the pairs rows (1–3 KB each, overflowing their pages, and
/// looked up again through `pairs_b` for the `b` side) that was 49% of a one-article ingest into
/// a 1M-article store (perf), and 44,083 page reads for an article with 73 pairs.
const V5: &str = "
CREATE INDEX pairs_a_rank ON pairs (a, rank);
CREATE INDEX pairs_b_rank ON pairs (b, rank);
DROP INDEX pairs_b;
";

/// Version 6: pairs are keyed by `(b, a)`, their small columns first. Ords grow in ingest
/// order and a pair's `b` is its later article, so every pair a batch scores has a new article
/// as `b`: keyed so, the pairs rows of a batch are appended together at the end of the table.
/// Keyed by `(a, b)`, each landed in the leaf of its older article — one page (and a split of
/// leaves holding two or three 1–3 KB rows, and an overflow page) per pair, anywhere in the
/// file: 313 of the 748 pages an ingest of one article with 77 pairs wrote into a 1M-article
/// store, and 80 more for `pairs_rank`, an index no query needs (a whole-store listing sorts the
/// keys instead, read.rs). Every page written is copied again by the checkpoint and synced.
const V6: &str = concat!(
    "
CREATE TABLE pairs_v6 (
    b INTEGER NOT NULL,
    a INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    relation TEXT NOT NULL,
    similarity REAL NOT NULL,
    shown REAL,
    reuse_a REAL NOT NULL,
    reuse_b REAL NOT NULL,
    features TEXT NOT NULL,
    links TEXT NOT NULL,
    report TEXT,
    PRIMARY KEY (b, a)
) WITHOUT ROWID;
INSERT INTO pairs_v6 (b, a, rank, relation, similarity, shown, reuse_a, reuse_b, features, links, report)
SELECT b, a, rank, relation, similarity, shown, reuse_a, reuse_b, features, links, report
FROM pairs ORDER BY b, a;
DROP TABLE pairs;
ALTER TABLE pairs_v6 RENAME TO pairs;
CREATE INDEX pairs_a_rank ON pairs (a, rank);
CREATE INDEX pairs_b_rank ON pairs (b, rank);
",
    pairs_count_triggers!()
);

/// Version 7: postings only for stems that can still be blocking keys. A stem is a key only
/// while it is in at most `max_df` documents (a store parameter), and document frequencies only
/// grow, so the postings of a more common stem are never read; ingest no longer writes them
/// (`postings::still_a_key`) and this step drops those already written. In the 1M-article bench
/// store they were 81.5 of 82.1 million rows, and a random page written per term of every new
/// article. The frequencies table drives the join (one seek per kept stem), so the kept rows
/// arrive in key order without a sort; a store without recorded parameters keeps every posting.
const V7: &str = "
CREATE TABLE term_postings_v7 (stem INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (stem, article)) WITHOUT ROWID;
INSERT INTO term_postings_v7 (stem, article)
SELECT p.stem, p.article FROM term_df d CROSS JOIN term_postings p ON p.stem = d.stem
WHERE d.df <= COALESCE(
    (SELECT json_extract(value, '$.max_df') FROM meta WHERE key = 'parameters'),
    9223372036854775807);
DROP TABLE term_postings;
ALTER TABLE term_postings_v7 RENAME TO term_postings;
";

/// Version 8: stories are stored without their `related` lists, which are read from the pairs
/// (read.rs). Stored, a new article's `related` pairs rewrote the rows of the stories they
/// lead to: an article with 70 of them, 70 story rows anywhere in a 1M-article store's file.
/// An older binary would read the lists as empty, hence a version.
const V8: &str = "
UPDATE stories SET json = json_remove(json, '$.related')
WHERE json_extract(json, '$.related') IS NOT NULL;
";

/// Version 9: the segmentation column goes, and the parameters record the version of the text
/// stage instead (`"text"`, `wiretrace::text::TEXT_VERSION`; 1 for every store written before).
/// Stored alignments point at sentences by number and every reader segments the text again: the
/// column was written and never read, while a segmenter that moved a boundary would have made
/// every stored alignment point at the wrong sentence. A store made by another text stage is now
/// refused, with the `reindex` hint, like any other parameter change.
/// SQLite has no `DROP COLUMN IF EXISTS`, and a store whose version was set back (a test does
/// that) has lost the column already.
fn v9(conn: &Connection) -> Result<()> {
    let has: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('articles') WHERE name = 'segmentation'",
        [],
        |r| r.get(0),
    )?;
    if has {
        conn.execute_batch("ALTER TABLE articles DROP COLUMN segmentation")?;
    }
    conn.execute(
        "UPDATE meta SET value = json_set(value, '$.text', 1) WHERE key = 'parameters'",
        [],
    )?;
    Ok(())
}

/// The schema version of an open store.
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies the migrations a store lacks; returns the version it had. Each step reads the
/// version inside its own write transaction, so two processes opening a new file at once (a
/// server and an ingest) cannot both apply a step. A version newer than [`LATEST`] is left
/// alone (the caller refuses it).
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    let found = version(conn)?;
    if found >= LATEST {
        // The common case, and the only one a reader meets: no write lock taken, so opening a
        // store (each API request does) never waits for an ingest's batch to commit.
        return Ok(found);
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let v = version(&tx)?;
        let Some(step) = usize::try_from(v).ok().and_then(|v| MIGRATIONS.get(v)) else {
            return Ok(found);
        };
        match step {
            Step::Sql(sql) => tx.execute_batch(sql)?,
            Step::Code(run) => run(&tx)?,
        }
        // PRAGMA takes no parameters; `v + 1` is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", v + 1))?;
        tx.commit()?;
    }
}
