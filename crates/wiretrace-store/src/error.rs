//! The store's one error type: what went wrong opening, migrating, checking or reading a store,
//! each variant worded so the user knows what to do next.

use std::path::PathBuf;

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading commands do not create a store.
    #[error("no store at {path} (create one with `wiretrace ingest --db {path} PATH...`)", path = path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// SQLite could not open the file (not a database, no permission, …).
    #[error("cannot open the store {path}", path = path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer wiretrace.
    #[error("{path} has schema version {found}, newer than this wiretrace knows ({supported}); use a newer wiretrace", path = path.display())]
    TooNew {
        /// The store.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The store was built by an engine with other parameters: mixing its pairs with new ones
    /// would give a corpus no single run could produce.
    #[error("{path} was built with other parameters ({differences}); rebuild it with `wiretrace reindex --db {path}`", path = path.display())]
    Parameters {
        /// The store.
        path: PathBuf,
        /// `name: stored → current`, comma-separated.
        differences: String,
    },
    /// A stored value does not decode (a damaged or hand-edited file).
    #[error("damaged store: {what}")]
    Corrupt {
        /// What could not be read.
        what: String,
    },
    /// A query failed.
    #[error("store query failed")]
    Sql(#[from] rusqlite::Error),
    /// A stored JSON value does not decode.
    #[error("damaged store: bad JSON in {what}")]
    Json {
        /// Which value.
        what: &'static str,
        /// The decoder's message.
        #[source]
        source: serde_json::Error,
    },
}

/// Results of store operations.
pub type Result<T> = std::result::Result<T, Error>;
