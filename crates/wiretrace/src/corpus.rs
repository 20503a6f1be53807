//! The documents at hand: [`DocIdx`], the one way to name a document in a corpus, and
//! [`Corpus`], the documents with what the stages computed from them (fingerprints, corpus
//! statistics, document vectors). `analyze` holds a whole batch; a store holds a part of its
//! corpus (the articles a batch touches), each slot numbered with its place in the whole.

use crate::fingerprint::{CorpusStats, Fingerprint};
use crate::model::Article;
use crate::semantic::Vector;
use crate::text::Document;

/// A document's place in a corpus: its position in a batch, or its `ord` in a store (the
/// order of ingest). Four bytes: the blocking index holds one per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DocIdx(pub u32);

impl DocIdx {
    /// As a slice index.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The document at position `i`, or `None` past `u32::MAX` documents.
    pub fn from_index(i: usize) -> Option<DocIdx> {
        u32::try_from(i).ok().map(DocIdx)
    }
}

impl std::fmt::Display for DocIdx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Documents with what the stages computed from them, slot by slot. Slot `i` is document
/// `number[i]` of the whole corpus (increasing); for a whole batch, `number` is `0..len`.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// The corpus place of each slot, increasing.
    pub number: Vec<DocIdx>,
    /// The articles (ids, titles, dates; `analyze` moves their texts into `docs`).
    pub articles: Vec<Article>,
    /// Segmented texts.
    pub docs: Vec<Document>,
    /// Fingerprints.
    pub fps: Vec<Fingerprint>,
    /// Document vectors (`None` without a document model).
    pub dvs: Vec<Option<Vector>>,
    /// Statistics of the whole corpus the documents belong to.
    pub stats: CorpusStats,
}

impl Corpus {
    /// Documents at hand.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// No document.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The slot of corpus document `d`, when it is at hand.
    pub fn slot(&self, d: DocIdx) -> Option<usize> {
        self.number.binary_search(&d).ok()
    }

    /// The corpus place of slot `i` (`i` itself past the end, which no caller asks for).
    pub fn place(&self, i: usize) -> usize {
        self.number.get(i).map_or(i, |d| d.index())
    }
}
