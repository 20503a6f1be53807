//! wiretrace-store: the persistent corpus, the only crate that speaks SQL.
//!
//! A [`Store`] is one SQLite file (WAL mode) holding every article ingested so far with what the
//! engine computed from it — fingerprint, blocking keys (LSH bands, sentence hashes,
//! term postings and document frequencies), document vector — the scored pairs with their
//! alignments, and the stories, derivations and quotes derived from those pairs. The parameters
//! that shaped the data (shingle size, permutations, seed, blocking, model ids, classifier
//! thresholds) are recorded at creation; [`Store::ingest`] and [`Store::check`] refuse an engine
//! with other parameters, while the reading calls work on any store.
//!
//! [`Store::ingest`] adds only articles it does not hold (by id and content hash), finds their candidates through
//! the stored index (never all pairs), scores only the new pairs, re-derives the stories,
//! derivations and quotes of the components they touch, and commits each batch in one transaction: a
//! process killed at any moment leaves the store as it was after the last whole batch, and
//! running the same ingest again ends in the same state as an uninterrupted run.
//!
//! ```
//! use wiretrace::Engine;
//! use wiretrace_store::{IngestOptions, Store};
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::create(&dir.path().join("corpus.db")).unwrap();
//! let engine = Engine::default();
//! let done = store
//!     .ingest(&engine, wiretrace::demo::articles(), &IngestOptions::default(), &mut |_| {})
//!     .unwrap();
//! assert_eq!(done.added, 8);
//! let again = store
//!     .ingest(&engine, wiretrace::demo::articles(), &IngestOptions::default(), &mut |_| {})
//!     .unwrap();
//! assert_eq!((again.added, again.known), (0, 8));
//! assert_eq!(store.stats().unwrap().articles, 8);
//! ```
#![deny(missing_docs)]

mod check;
pub mod codec;
mod error;
mod ingest;
mod postings;
mod read;
pub mod schema;
mod stored;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use wiretrace::Engine;

pub use error::{Error, Result};
pub use ingest::{IngestOptions, IngestSeconds, IngestSummary, Progress, DEFAULT_MAX_DRIFT};
pub use read::{SearchMatch, StoryList, StoryOverview};

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The file's identity when it was opened (device, inode), to tell a file replaced at the
    /// path ([`Store::has_moved`]).
    file_id: Option<(u64, u64)>,
}

/// A file's (device, inode) on Unix; `None` elsewhere or when it cannot be read.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// What a store holds (`wiretrace stats --json`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StoreStats {
    /// Articles stored.
    pub articles: usize,
    /// Pairs with a relation above `unrelated`.
    pub pairs: usize,
    /// Stories (every article is in one).
    pub stories: usize,
    /// Quote groups.
    pub quotes: usize,
    /// Schema version of the file.
    pub schema_version: i64,
    /// The parameters the data was computed with (`null` for a store nothing was ingested into).
    pub parameters: serde_json::Value,
}

impl Store {
    /// Opens a store, creating the file when it does not exist, and migrates it to the newest
    /// schema.
    pub fn create(path: &Path) -> Result<Store> {
        Self::open_with(path, OpenFlags::default())
    }

    /// Opens an existing store and migrates it; a missing file is [`Error::Missing`] (reading
    /// commands never create one).
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::Missing {
                path: path.to_path_buf(),
            });
        }
        Self::open_with(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    }

    /// The schema version of the store at `path`, read without migrating it (`None`: no file,
    /// or a new empty one). A caller can say that an upgrade is coming before [`Store::open`]
    /// runs it: rewriting every pair (schema 6) takes minutes on a store of a million articles.
    pub fn version_at(path: &Path) -> Result<Option<i64>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let v = schema::version(&conn)?;
        Ok((v > 0).then_some(v))
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Store> {
        let open_err = |source| Error::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        // WAL: readers (a server) never block the one writer (an ingest), and a commit is one
        // append, so a killed writer leaves the last committed state. NORMAL sync is durable
        // against a killed process; only a power cut can lose the last commits, never corrupt.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        let found = schema::version(&conn)?;
        if found > schema::LATEST {
            return Err(Error::TooNew {
                path: path.to_path_buf(),
                found,
                supported: schema::LATEST,
            });
        }
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            file_id: file_id(path),
        })
    }

    /// Leaves write-ahead-log checkpoints to [`Store::checkpoint`]: for a long-lived writer
    /// (a server) that checkpoints off its requests' path. By default SQLite checkpoints in the
    /// commit that takes the log past 1,000 pages, so one write in a few pays for the others;
    /// and when the last connection closes, which a one-off process pays at every exit.
    pub fn defer_checkpoints(&self) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }

    /// Copies what the write-ahead log holds into the store file, as far as no reader still
    /// needs the log (a passive checkpoint: it waits for nobody), so the log can start over.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Whether the file this store was opened on is no longer at its path (renamed over, as
    /// `wiretrace reindex` does, or deleted): a connection kept open would go on with a file
    /// nobody reads (SQLite refuses to write to it, `SQLITE_READONLY_DBMOVED`, which also keeps
    /// the close of such a connection from checkpointing into it and deleting the log at its
    /// path, now the new file's). One `stat` of the path, compared with the file opened (asking
    /// SQLite, `SQLITE_FCNTL_HAS_MOVED`, measured ~1 ms slower per write on a 1M store). Always
    /// `false` where the file's identity is unknown (not Unix).
    pub fn has_moved(&self) -> bool {
        self.file_id.is_some() && file_id(&self.path) != self.file_id
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parameters the stored data was computed with, if anything was stored.
    pub fn parameters(&self) -> Result<Option<serde_json::Value>> {
        let v: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'parameters'", [], |r| {
                r.get(0)
            })
            .optional()?;
        v.map(|s| {
            serde_json::from_str(&s).map_err(|source| Error::Json {
                what: "parameters",
                source,
            })
        })
        .transpose()
    }

    /// Refuses an engine whose parameters differ from the store's ([`Error::Parameters`]); a
    /// store without parameters yet takes the engine's.
    pub fn check_parameters(&self, engine: &Engine) -> Result<()> {
        let current = engine.stored_parameters();
        match self.parameters()? {
            None => {
                self.conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('parameters', ?1)",
                    [current.to_string()],
                )?;
                Ok(())
            }
            Some(stored) if stored == current => Ok(()),
            Some(stored) => Err(Error::Parameters {
                path: self.path.clone(),
                differences: differences(&stored, &current, ""),
            }),
        }
    }

    /// Counts of what the store holds.
    pub fn stats(&self) -> Result<StoreStats> {
        let count = |sql: &str| -> Result<usize> {
            let n: Option<i64> = self.conn.query_row(sql, [], |r| r.get(0)).optional()?;
            Ok(n.and_then(|n| usize::try_from(n).ok()).unwrap_or(0))
        };
        let counted = |name: &str| count(&format!("SELECT n FROM counts WHERE name = '{name}'"));
        Ok(StoreStats {
            // Ords are 0..n: the count is in the primary key; the others are kept by triggers
            // (schema 4), since counting them read whole indexes at every ingest.
            articles: count("SELECT COALESCE(MAX(ord) + 1, 0) FROM articles")?,
            pairs: counted("pairs")?,
            stories: counted("stories")?,
            quotes: counted("quotes")?,
            schema_version: schema::version(&self.conn)?,
            parameters: self.parameters()?.unwrap_or(serde_json::Value::Null),
        })
    }
}

/// `name: stored → current` for every differing leaf, comma-separated.
fn differences(stored: &serde_json::Value, current: &serde_json::Value, prefix: &str) -> String {
    use serde_json::Value;
    let mut out = Vec::new();
    match (stored, current) {
        (Value::Object(s), Value::Object(c)) => {
            let mut keys: Vec<&String> = s.keys().chain(c.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (x, y) = (
                    s.get(k).unwrap_or(&Value::Null),
                    c.get(k).unwrap_or(&Value::Null),
                );
                if x != y {
                    out.push(differences(x, y, &format!("{prefix}{k}.")));
                }
            }
        }
        _ => out.push(format!(
            "{}: {stored} → {current}",
            prefix.trim_end_matches('.')
        )),
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: "both sides in the list" was planned as one primary-key seek per pair of
    /// list members (|list|² seeks), so a batch touching 20,000 articles ran for minutes.
    /// Schema 6 keys pairs by `(b, a)`: one seek per `b`.
    #[test]
    fn pairs_among_a_list_seek_each_first_side_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("plan.db")).unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT a, b, features, links FROM pairs WHERE {}",
            read::pairs_among("1,2,3,4,5,6,7,8")
        );
        let plan: Vec<String> = store
            .conn
            .prepare(&sql)
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(plan, ["SEARCH pairs USING PRIMARY KEY (b=?)"]);
    }

    /// Regression: a story's `related` list was rebuilt from every pair of every member, read
    /// from the pairs rows (44,083 page reads for one article into a 1M-article store); the
    /// related pairs of an article come from the covering indexes (schema 5).
    #[test]
    fn an_articles_related_pairs_come_from_the_covering_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("plan.db")).unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", read::RELATED_OF))
            .unwrap()
            .query_map([1, 4], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.contains(
                &"SEARCH pairs USING COVERING INDEX pairs_a_rank (a=? AND rank=?)".into()
            ) && plan.contains(
                &"SEARCH pairs USING COVERING INDEX pairs_b_rank (b=? AND rank=?)".into()
            ),
            "{plan:?}"
        );
    }

    #[test]
    fn differences_name_each_changed_leaf() {
        let a =
            serde_json::json!({"shingle": 3, "model": null, "classifier": {"x": 1.0, "y": 2.0}});
        let b = serde_json::json!({"shingle": 4, "model": "minilm", "classifier": {"x": 1.0, "y": 2.5}});
        assert_eq!(
            differences(&a, &b, ""),
            "classifier.y: 2.0 → 2.5, model: null → \"minilm\", shingle: 3 → 4"
        );
    }
}
