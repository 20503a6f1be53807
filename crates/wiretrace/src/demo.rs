//! The built-in demo corpus: a fictional port strike in Valmora, written by the wiretrace team
//! (see `demo/README.md`), compiled into the binary so `wiretrace demo` needs no files.

use crate::input::{read_jsonl_str, Limits};
use crate::model::Article;

/// The demo corpus as JSONL.
pub const DEMO_JSONL: &str = include_str!("../demo/corpus.jsonl");

/// The demo articles, in corpus order.
pub fn articles() -> Vec<Article> {
    read_jsonl_str("demo", DEMO_JSONL, Limits::default()).articles
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_corpus_reads_cleanly() {
        let out = crate::input::read_jsonl_str(
            "demo",
            super::DEMO_JSONL,
            crate::input::Limits::default(),
        );
        assert_eq!(out.articles.len(), 8);
        assert!(out.skipped.is_empty() && out.warnings.is_empty());
    }
}
