//! Reading in batches: articles handed to a consumer as they are read, so that it works on one
//! batch while the next is read.

use std::path::PathBuf;

use super::{Format, Limits, ReadOutcome, Reader};
use crate::model::Article;

/// [`read_paths_as`](super::read_paths_as), handing the articles to `each` as they are read, in input order, `batch`
/// at a time (the last batch may be shorter): a consumer works on one batch while the next is
/// read. The outcome holds the skips and warnings and no articles.
pub fn read_paths_batched(
    paths: &[PathBuf],
    limits: Limits,
    format: Option<Format>,
    batch: usize,
    each: &mut dyn FnMut(Vec<Article>),
) -> ReadOutcome {
    let mut reader = Reader::new(limits, format);
    reader.sink = Some((batch.max(1), each));
    reader.paths(paths);
    let rest = std::mem::take(&mut reader.out.articles);
    if let (false, Some((_, each))) = (rest.is_empty(), reader.sink.as_mut()) {
        each(rest);
    }
    reader.out
}

/// A batch size and what takes each full batch.
pub(super) type Sink<'a> = (usize, &'a mut dyn FnMut(Vec<Article>));

impl Reader<'_> {
    /// Hands the articles read so far to the sink once they fill a batch.
    pub(super) fn hand_over_full_batch(&mut self) {
        if let Some((batch, each)) = self.sink.as_mut() {
            if self.out.articles.len() >= *batch {
                each(std::mem::take(&mut self.out.articles));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_paths_as;

    /// Batches arrive in input order, full but for the last, and hold what one read holds;
    /// skips and warnings stay in the outcome.
    #[test]
    fn batched_reading_hands_over_every_article_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines: Vec<String> = (0..7)
            .map(|i| format!(r#"{{"id": "a{i}", "text": "Story number {i}."}}"#))
            .collect();
        lines.insert(3, "not json".into());
        lines.push(r#"{"id": "a2", "text": "A second a2."}"#.into());
        lines.push(r#"{"id": "a9", "text": "Dated.", "published": "yesterday"}"#.into());
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, lines.join("\n")).unwrap();
        let paths = [path];
        let whole = read_paths_as(&paths, Limits::default(), None);
        let mut batches: Vec<Vec<Article>> = Vec::new();
        let out = read_paths_batched(&paths, Limits::default(), None, 3, &mut |b| batches.push(b));
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3, 3, 2]
        );
        assert_eq!(batches.concat(), whole.articles);
        assert!(out.articles.is_empty());
        assert_eq!(out.skipped, whole.skipped);
        assert_eq!(out.warnings, whole.warnings);
        assert_eq!((out.skipped.len(), out.warnings.len()), (2, 1));
    }
}
