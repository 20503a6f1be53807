//! What reading produced — articles, skips and warnings — and the wording of the reasons an input
//! was skipped.

use crate::model::{Article, Skipped};

/// Errors of the reading layer that concern one input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The input could not be opened or read.
    #[error("cannot read `{path}`")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// What reading produced.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    /// Articles, in input order.
    pub articles: Vec<Article>,
    /// Inputs not read, with reasons.
    pub skipped: Vec<Skipped>,
    /// Problems that did not cost an article (e.g. an unparseable date that was dropped).
    pub warnings: Vec<Skipped>,
}

impl ReadOutcome {
    /// Records an input that was not read, with the reason.
    pub(super) fn skip(&mut self, input: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            input: input.into(),
            reason: reason.into(),
        });
    }
}

/// Why a file could not be read, in a few words.
pub(super) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// Why a gzip stream could not be read whole.
pub(super) fn gzip_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "gzip data is truncated".into(),
        std::io::ErrorKind::FileTooLarge => e.to_string(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            format!("corrupt gzip data: {e}")
        }
        _ => io_reason(e),
    }
}
