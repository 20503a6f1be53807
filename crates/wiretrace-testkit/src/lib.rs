//! Helpers that more than one crate's tests need, kept in one place so that they cannot drift
//! apart: a blocking HTTP/1.1 client ([`http`]) for the tests that talk to a running server or
//! to chromedriver, and the fixtures every test finds the same way ([`testdata`],
//! [`temp_db`]).
//!
//! A dev-dependency only: it is never published and no binary links it. It depends on nothing
//! of the workspace, so any crate can use it, the engine included, without a cycle.
//!
//! ```
//! let (dir, db) = wiretrace_testkit::temp_db("t.db");
//! assert!(db.starts_with(dir.path()) && !db.exists());
//! assert!(wiretrace_testkit::testdata("store").is_dir());
//! ```
#![deny(missing_docs)]

pub mod http;

use std::path::PathBuf;

/// The guard [`temp_db`] returns, named here so that a test can keep one in a struct without a
/// `tempfile` dependency of its own.
pub use tempfile::TempDir;

/// `testdata/<relative>` at the root of the workspace (the fixtures committed with the code),
/// whichever crate's test asks.
pub fn testdata(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(relative)
}

/// A fresh temporary directory and the path of a store file `name` in it, not yet created.
/// The directory, and the store with it, is deleted when the returned guard drops.
pub fn temp_db(name: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    (dir, path)
}
