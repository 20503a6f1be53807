//! The blocking index: the seam between the candidate stage and where its postings live.
//!
//! The stage ([`super::find`]) owns the blocking rules; an index only answers look-ups:
//! the members of a bucket, the documents filed under enough of a set of terms, a document's
//! term keys, nearest neighbours by document vector. [`MemoryPostings`] serves `analyze` from a
//! batch held in memory; the store's SQLite tables serve an ingest (crate `wiretrace-store`).
//! Both pass the same conformance suite ([`super::conformance`]).

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::CandidateConfig;
use crate::corpus::DocIdx;
use crate::fingerprint::Fingerprint;
use crate::semantic::Vector;

/// Which kind of bucket a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// A MinHash LSH band.
    Band,
    /// A sentence hash.
    Sentence,
}

/// Where to look for nearest neighbours from.
#[derive(Debug, Clone, Copy)]
pub enum Near<'a> {
    /// A filed document (itself excluded).
    Doc(DocIdx),
    /// A vector that is not filed (a probe).
    Vector(&'a [f32]),
}

/// What a document is filed under.
#[derive(Debug, Clone, Default)]
pub struct DocKeys {
    /// LSH band keys ([`super::keys::band_keys`]).
    pub bands: Vec<u64>,
    /// Sentence keys ([`super::keys::sentence_keys`]).
    pub sentences: Vec<u64>,
    /// Terms: its salient terms for an index whose statistics are fixed, every content term
    /// that can still become one for an index that outlives them.
    pub terms: Vec<u64>,
    /// Document vector.
    pub vector: Option<Vector>,
}

/// A blocking index. Lists come back ascending and without repeats.
pub trait Postings {
    /// What a look-up can fail with.
    type Error;

    /// The members of bucket `key`. An index may leave out buckets of one member (they pair
    /// nothing).
    fn bucket(&mut self, kind: Bucket, key: u64) -> Result<Cow<'_, [DocIdx]>, Self::Error>;

    /// The documents filed under at least `need` of `terms` (distinct).
    fn holders(&mut self, terms: &[u64], need: usize) -> Result<Vec<DocIdx>, Self::Error>;

    /// The term keys of a filed document under the current statistics: its salient terms.
    fn term_keys(&mut self, doc: DocIdx) -> Result<Cow<'_, [u64]>, Self::Error>;

    /// The `k` filed documents nearest to `near` whose cosine is at least `floor`, nearest
    /// first, ties to the lower index.
    fn nearest(&mut self, near: Near<'_>, k: usize, floor: f64)
        -> Result<Vec<DocIdx>, Self::Error>;

    /// The filed documents before `before` whose cosine with `v` is at least `floor`.
    fn within(&mut self, v: &[f32], floor: f64, before: DocIdx)
        -> Result<Vec<DocIdx>, Self::Error>;
}

/// A blocking index that documents can be filed into.
pub trait PostingsMut: Postings {
    /// Files document `doc` (after every document filed so far) under `keys`.
    fn insert(&mut self, doc: DocIdx, keys: DocKeys) -> Result<(), Self::Error>;
}

/// An index in memory, for a batch whose statistics are fixed (terms are filed as salient
/// terms). Built whole with [`MemoryPostings::from_batch`], buckets of one are not kept: most
/// LSH and sentence keys belong to one document, and the index then costs what the pairs it
/// can produce cost.
#[derive(Debug, Default)]
pub struct MemoryPostings {
    buckets: FxHashMap<(Bucket, u64), Vec<DocIdx>>,
    terms: FxHashMap<u64, Vec<DocIdx>>,
    term_keys: Vec<Vec<u64>>,
    vectors: Vec<Option<Vector>>,
    /// Each document's nearest neighbours, found for the whole batch at once (exactly, or
    /// approximately past [`super::neighbours::EXACT_LIMIT`]), for `(k, floor)`.
    nearest: Option<(usize, f64, Vec<Vec<DocIdx>>)>,
}

impl MemoryPostings {
    /// An empty index.
    pub fn new() -> Self {
        MemoryPostings::default()
    }

    /// The index of a whole batch: document `i` with fingerprint `fps[i]` filed under its band
    /// and sentence keys, its salient terms `terms[i]` and its vector `vectors[i]`; with
    /// `neighbours`, each document's `k` nearest at cosine `floor` found at once. Each kind of
    /// key is sorted and grouped in turn, so the peak is one kind's `(key, document)` list.
    pub fn from_batch(
        fps: &[Fingerprint],
        terms: Vec<Vec<u64>>,
        vectors: Vec<Option<Vector>>,
        config: &CandidateConfig,
        neighbours: Option<(usize, f64)>,
    ) -> Self {
        let mut ix = MemoryPostings::new();
        let bands: Vec<(u64, DocIdx)> = fps
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, fp)| {
                let d = DocIdx(i as u32);
                super::keys::band_keys(fp, config)
                    .into_iter()
                    .map(move |k| (k, d))
            })
            .collect();
        ix.group(Bucket::Band, bands);
        let sentences: Vec<(u64, DocIdx)> = fps
            .iter()
            .enumerate()
            .flat_map(|(i, fp)| super::keys::sentence_keys(fp).map(move |k| (k, DocIdx(i as u32))))
            .collect();
        ix.group(Bucket::Sentence, sentences);
        for (i, t) in terms.iter().enumerate() {
            for &stem in t {
                ix.terms.entry(stem).or_default().push(DocIdx(i as u32));
            }
        }
        ix.term_keys = terms;
        ix.vectors = vectors;
        if let Some((k, floor)) = neighbours {
            let lists = super::neighbours::nearest_all(&ix.vectors, k, floor);
            ix.nearest = Some((k, floor, lists));
        }
        ix
    }

    /// The members of a bucket (none for a bucket of one left out).
    fn members(&self, kind: Bucket, key: u64) -> &[DocIdx] {
        self.buckets.get(&(kind, key)).map_or(&[], Vec::as_slice)
    }

    /// The salient terms document `d` was filed under.
    pub fn salient(&self, d: DocIdx) -> &[u64] {
        self.term_keys.get(d.index()).map_or(&[], Vec::as_slice)
    }

    /// Keeps the buckets of two members or more.
    fn group(&mut self, kind: Bucket, mut keys: Vec<(u64, DocIdx)>) {
        keys.par_sort_unstable();
        keys.dedup();
        for run in keys.chunk_by(|x, y| x.0 == y.0) {
            if run.len() > 1 {
                self.buckets
                    .insert((kind, run[0].0), run.iter().map(|r| r.1).collect());
            }
        }
    }
}

/// Look-ups in memory cannot fail.
type Never = std::convert::Infallible;

impl MemoryPostings {
    fn holders_of(&self, terms: &[u64], need: usize) -> Vec<DocIdx> {
        let mut count: FxHashMap<DocIdx, usize> = FxHashMap::default();
        for t in terms {
            for &d in self.terms.get(t).map_or(&[][..], Vec::as_slice) {
                *count.entry(d).or_insert(0) += 1;
            }
        }
        let mut out: Vec<DocIdx> = count
            .into_iter()
            .filter(|&(_, n)| n >= need)
            .map(|(d, _)| d)
            .collect();
        out.sort_unstable();
        out
    }

    fn nearest_of(&self, near: Near<'_>, k: usize, floor: f64) -> Vec<DocIdx> {
        if let (Near::Doc(d), Some((nk, nf, lists))) = (near, &self.nearest) {
            if (*nk, *nf) == (k, floor) {
                return lists.get(d.index()).cloned().unwrap_or_default();
            }
        }
        super::neighbours::nearest_scan(&self.vectors, near, k, floor)
    }
}

/// Implements [`Postings`] for a type that reaches a [`MemoryPostings`] through `self`.
macro_rules! memory_postings {
    ($t:ty) => {
        impl Postings for $t {
            type Error = Never;

            fn bucket(&mut self, kind: Bucket, key: u64) -> Result<Cow<'_, [DocIdx]>, Never> {
                Ok(Cow::Borrowed(self.members(kind, key)))
            }

            fn holders(&mut self, terms: &[u64], need: usize) -> Result<Vec<DocIdx>, Never> {
                Ok(self.holders_of(terms, need))
            }

            fn term_keys(&mut self, doc: DocIdx) -> Result<Cow<'_, [u64]>, Never> {
                Ok(Cow::Borrowed(self.salient(doc)))
            }

            fn nearest(
                &mut self,
                near: Near<'_>,
                k: usize,
                floor: f64,
            ) -> Result<Vec<DocIdx>, Never> {
                Ok(self.nearest_of(near, k, floor))
            }

            fn within(
                &mut self,
                v: &[f32],
                floor: f64,
                before: DocIdx,
            ) -> Result<Vec<DocIdx>, Never> {
                Ok(super::neighbours::within(&self.vectors, v, floor, before))
            }
        }
    };
}

// Shared references answer look-ups too, so that one index serves every worker of a batch.
memory_postings!(MemoryPostings);
memory_postings!(&MemoryPostings);

impl PostingsMut for MemoryPostings {
    fn insert(&mut self, doc: DocIdx, keys: DocKeys) -> Result<(), Self::Error> {
        // Filed in order, so every list stays ascending.
        debug_assert_eq!(doc.index(), self.term_keys.len());
        let mut own: Vec<(Bucket, u64)> = (keys.bands.iter().map(|&k| (Bucket::Band, k)))
            .chain(keys.sentences.iter().map(|&k| (Bucket::Sentence, k)))
            .collect();
        own.sort_unstable_by_key(|&(kind, key)| (kind as u8, key));
        own.dedup();
        for key in own {
            self.buckets.entry(key).or_default().push(doc);
        }
        let mut terms = keys.terms.clone();
        terms.sort_unstable();
        terms.dedup();
        for t in terms {
            self.terms.entry(t).or_default().push(doc);
        }
        self.term_keys.push(keys.terms);
        self.vectors.push(keys.vector);
        // Neighbour lists of a whole batch no longer hold once another document is filed.
        self.nearest = None;
        Ok(())
    }
}
