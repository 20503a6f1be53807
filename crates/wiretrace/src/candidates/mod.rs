//! Candidate pairs: fingerprints → the few pairs worth aligning. Never all pairs.
//!
//! Every document asks a blocking index ([`Postings`]) for the documents filed under its keys,
//! and the rules below turn the answers into pairs: the same rules whether the index is a batch
//! in memory (`analyze`) or a store's tables (an ingest, a check). Four blockers:
//!
//! 1. **MinHash LSH bands** (`bands × rows` of the signature): copies and light rewrites. The
//!    probability that a pair with shingle Jaccard `J` collides in at least one band is
//!    `1 − (1 − J^rows)^bands`; with 42 × 3 that is 0.29 at J = 0.2, 0.68 at J = 0.3, 0.99 at J = 0.5.
//! 2. **Shared sentences** (hash of a sentence's normalised tokens, five words or more): excerpts
//!    and condensed copies whose shingle Jaccard is low because one side is much shorter.
//! 3. **Salient terms and entities**: each document keys on its `terms_per_doc` most salient
//!    content terms (sublinear tf × idf, names weighted up) whose document frequency lies in
//!    `[2, max_df]`; a pair is a
//!    candidate when it shares at least `min_shared_terms` keys. This reaches heavy rewrites and
//!    same-event reports that share few n-grams but the same names and numbers. The keys must
//!    be salient on both sides.
//! 4. **Embedding neighbours** (with a document model): each document's `k` nearest by document
//!    vector, both ways — a document added later proposes its own nearest and is proposed by
//!    the stored documents it has become nearest to ([`neighbours`]).
//!
//! Then the screen ([`passes_screen`]): a candidate with neither shared text nor topical
//! overlap is not aligned.
//!
//! Growth: a bucket of size `m` yields `m(m−1)/2` pairs, so every bucket is capped. Term buckets
//! hold at most `max_df` documents by construction; LSH and sentence buckets larger than
//! `max_bucket` (boilerplate, not reuse) are paired as a chain of neighbours, which keeps them
//! connected for clustering at linear cost. The number of candidates is therefore at most
//! `N · (bands + sentences/doc) · max_bucket / 2 + N · terms_per_doc · max_df / 2` — linear in
//! the corpus size `N` for a fixed configuration — and in practice far lower, because most
//! buckets hold one document.

pub mod conformance;
pub mod keys;
pub mod neighbours;
pub mod postings;

pub use postings::{Bucket, DocKeys, MemoryPostings, Near, Postings, PostingsMut};

use rayon::prelude::*;

use crate::corpus::DocIdx;
use crate::fingerprint::{CorpusStats, Fingerprint};
use crate::semantic::Vector;

/// Parameters of the candidate stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandidateConfig {
    /// LSH bands.
    pub bands: usize,
    /// Signature rows per band.
    pub rows: usize,
    /// Rare terms each document keys on.
    pub terms_per_doc: usize,
    /// Terms shared by more documents than this are not rare.
    pub max_df: usize,
    /// Shared rare terms needed for a term candidate.
    pub min_shared_terms: usize,
    /// Buckets larger than this are chained instead of paired exhaustively.
    pub max_bucket: usize,
}

impl Default for CandidateConfig {
    fn default() -> Self {
        CandidateConfig {
            bands: 42,
            rows: 3,
            terms_per_doc: 12,
            max_df: 60,
            min_shared_terms: 3,
            max_bucket: 100,
        }
    }
}

/// Which blockers proposed a pair (bit flags).
pub mod via {
    /// MinHash LSH band collision.
    pub const LSH: u8 = 1;
    /// A shared sentence.
    pub const SENTENCE: u8 = 2;
    /// Shared rare terms.
    pub const TERMS: u8 = 4;
    /// Nearest neighbours by document embedding.
    pub const SEMANTIC: u8 = 8;
}

/// A pair of documents `a < b` and the blockers that proposed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CandidatePair {
    /// Lower document.
    pub a: DocIdx,
    /// Higher document.
    pub b: DocIdx,
    /// [`via`] flags.
    pub via: u8,
}

impl CandidatePair {
    /// The pair of `x` and `y` (in either order) proposed by `via`.
    pub fn new(x: DocIdx, y: DocIdx, via: u8) -> Self {
        CandidatePair {
            a: x.min(y),
            b: x.max(y),
            via,
        }
    }
}

/// The blocking rules with their parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blocking {
    /// Keys and caps.
    pub config: CandidateConfig,
    /// Embedding neighbours each document proposes and the cosine they need; `None`: off.
    pub neighbours: Option<(usize, f64)>,
}

/// A document asking for its candidates.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The document when it is filed in the index (it is not its own candidate, and in a chained
    /// bucket it pairs with the member before it); `None` for a probe that is not filed.
    pub me: Option<DocIdx>,
    /// Its fingerprint (band and sentence keys).
    pub fp: &'a Fingerprint,
    /// Its salient terms under the index's statistics.
    pub terms: &'a [u64],
    /// Its document vector.
    pub vector: Option<&'a [f32]>,
}

impl Blocking {
    /// The documents the index proposes for `q`, each with the blockers that proposed it (in no
    /// order; a document may come more than once). Reverse neighbours are looked for among the
    /// documents before `reverse_before`: those that are not asked themselves.
    pub fn find<P: Postings>(
        &self,
        index: &mut P,
        q: &Query<'_>,
        reverse_before: DocIdx,
    ) -> Result<Vec<(DocIdx, u8)>, P::Error> {
        let mut out = Vec::new();
        self.shared_buckets(index, q, &mut out)?;
        self.shared_terms(index, q, &mut out)?;
        self.nearest(index, q, reverse_before, &mut out)?;
        Ok(out)
    }

    /// LSH bands and sentences: every other member of a bucket. A bucket larger than
    /// `max_bucket` is boilerplate, not reuse: its members are chained, each paired with the
    /// member before it, which keeps them connected at linear cost.
    fn shared_buckets<P: Postings>(
        &self,
        index: &mut P,
        q: &Query<'_>,
        out: &mut Vec<(DocIdx, u8)>,
    ) -> Result<(), P::Error> {
        let bands = keys::band_keys(q.fp, &self.config);
        let sentences: Vec<u64> = keys::sentence_keys(q.fp).collect();
        for (kind, flag, keys) in [
            (Bucket::Band, via::LSH, bands),
            (Bucket::Sentence, via::SENTENCE, sentences),
        ] {
            for key in keys {
                let members = index.bucket(kind, key)?;
                if members.len() > self.config.max_bucket {
                    // Members are ascending: the one before `me` is found, not scanned for.
                    let before = match q.me {
                        Some(me) => members.partition_point(|&m| m < me).checked_sub(1),
                        None => members.len().checked_sub(1),
                    };
                    out.extend(before.map(|k| (members[k], flag)));
                } else {
                    let others = members.iter().copied().filter(|&m| Some(m) != q.me);
                    out.extend(others.map(|m| (m, flag)));
                }
            }
        }
        Ok(())
    }

    /// Terms: the documents sharing at least `min_shared_terms` of `q`'s salient terms, where
    /// they are salient too.
    fn shared_terms<P: Postings>(
        &self,
        index: &mut P,
        q: &Query<'_>,
        out: &mut Vec<(DocIdx, u8)>,
    ) -> Result<(), P::Error> {
        let need = self.config.min_shared_terms.max(1);
        if q.terms.len() < need {
            return Ok(());
        }
        for m in index.holders(q.terms, need)? {
            if Some(m) == q.me {
                continue;
            }
            let theirs = index.term_keys(m)?;
            if q.terms.iter().filter(|k| theirs.contains(k)).count() >= need {
                out.push((m, via::TERMS));
            }
        }
        Ok(())
    }

    /// Embedding neighbours both ways: `q`'s nearest, and the documents before
    /// `reverse_before` that now have `q` among their nearest.
    fn nearest<P: Postings>(
        &self,
        index: &mut P,
        q: &Query<'_>,
        reverse_before: DocIdx,
        out: &mut Vec<(DocIdx, u8)>,
    ) -> Result<(), P::Error> {
        let Some((k, floor)) = self.neighbours else {
            return Ok(());
        };
        let near = match (q.me, q.vector) {
            (Some(me), _) => Near::Doc(me),
            (None, Some(v)) => Near::Vector(v),
            (None, None) => return Ok(()),
        };
        for m in index.nearest(near, k, floor)? {
            out.push((m, via::SEMANTIC));
        }
        let (Some(me), Some(v)) = (q.me, q.vector) else {
            return Ok(());
        };
        for j in index.within(v, floor, reverse_before)? {
            if j != me && index.nearest(Near::Doc(j), k, floor)?.contains(&me) {
                out.push((j, via::SEMANTIC));
            }
        }
        Ok(())
    }
}

/// The candidate pairs of a batch held in memory: each document files its keys in one index
/// (terms: its salient terms under `stats`) and asks it for its candidates.
pub fn batch(
    fps: &[Fingerprint],
    stats: &CorpusStats,
    dvs: &[Option<Vector>],
    blocking: &Blocking,
) -> (Vec<CandidatePair>, CandidateStats) {
    let terms: Vec<Vec<u64>> = fps
        .par_iter()
        .map(|fp| keys::salient_terms(fp, stats, &blocking.config))
        .collect();
    let index = MemoryPostings::from_batch(
        fps,
        terms,
        dvs.to_vec(),
        &blocking.config,
        blocking.neighbours,
    );
    let all: Vec<CandidatePair> = (0..fps.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let me = DocIdx(i as u32);
            let mut ix = &index;
            let terms = index.salient(me);
            let q = Query {
                me: Some(me),
                fp: &fps[i],
                terms,
                vector: dvs.get(i).and_then(|v| v.as_deref()),
            };
            // Every document asks, so no document needs its reverse neighbours looked up.
            let found = match blocking.find(&mut ix, &q, DocIdx(0)) {
                Ok(found) => found,
                Err(never) => match never {},
            };
            found
                .into_iter()
                .map(move |(m, via)| CandidatePair::new(me, m, via))
        })
        .collect();
    merge(all)
}

/// One entry per pair with the union of its flags, sorted by `(a, b)`, and the counters.
pub fn merge(mut all: Vec<CandidatePair>) -> (Vec<CandidatePair>, CandidateStats) {
    all.sort_unstable_by_key(|p| (p.a, p.b));
    let mut merged: Vec<CandidatePair> = Vec::with_capacity(all.len());
    for p in all {
        match merged.last_mut() {
            Some(last) if (last.a, last.b) == (p.a, p.b) => last.via |= p.via,
            _ => merged.push(p),
        }
    }
    let count = |f: u8| merged.iter().filter(|p| p.via & f != 0).count();
    let counters = CandidateStats {
        lsh: count(via::LSH),
        sentence: count(via::SENTENCE),
        terms: count(via::TERMS),
        semantic: merged.iter().filter(|p| p.via == via::SEMANTIC).count(),
    };
    (merged, counters)
}

/// The screen before alignment: a candidate with neither shared text nor topical overlap (nor
/// a shared sentence or an embedding-neighbour flag) cannot reach `related` and is not aligned.
pub fn passes_screen(screen_cosine: f64, via_flags: u8, cosine: f64, containment: f64) -> bool {
    cosine >= screen_cosine
        || containment >= 0.1
        || via_flags & (via::SENTENCE | via::SEMANTIC) != 0
}

/// Counters of the candidate stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CandidateStats {
    /// Pairs from LSH bands.
    pub lsh: usize,
    /// Pairs from shared sentences.
    pub sentence: usize,
    /// Pairs from rare terms.
    pub terms: usize,
    /// Pairs only the embedding neighbours proposed.
    pub semantic: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batch rules without a document model.
    fn candidates(
        fps: &[Fingerprint],
        stats: &CorpusStats,
        config: &CandidateConfig,
    ) -> (Vec<CandidatePair>, CandidateStats) {
        let blocking = Blocking {
            config: *config,
            neighbours: None,
        };
        batch(fps, stats, &vec![None; fps.len()], &blocking)
    }

    fn fps(texts: &[&str]) -> Vec<Fingerprint> {
        crate::fingerprint::of_texts(texts)
    }

    /// Brute force is the oracle: every pair with shingle Jaccard ≥ 0.6 must be found by LSH.
    #[test]
    fn lsh_finds_every_high_jaccard_pair() {
        let base = "The port of Valmora closed on Monday after dockworkers walked out over pay and the minister called for talks with the union leaders in the capital";
        let mut texts = vec![base.to_string()];
        for i in 0..20 {
            texts.push(format!("{base} update number {i} was filed late"));
        }
        texts.push("A library reopened in Brenhaven with new reading rooms for children".into());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let fp = fps(&refs);
        let stats = CorpusStats::from_fingerprints(&fp);
        let (pairs, _) = candidates(&fp, &stats, &CandidateConfig::default());
        for i in 0..fp.len() {
            for j in i + 1..fp.len() {
                let jac = crate::fingerprint::jaccard(&fp[i].shingles, &fp[j].shingles);
                if jac >= 0.6 {
                    assert!(
                        pairs
                            .iter()
                            .any(|p| p.a == DocIdx(i as u32) && p.b == DocIdx(j as u32)),
                        "missed {i},{j} J={jac}"
                    );
                }
            }
        }
        assert!(
            !pairs.iter().any(|p| p.b == DocIdx(21)),
            "unrelated text paired"
        );
    }

    #[test]
    fn shared_sentence_finds_excerpt() {
        let long = "Intro sentence about many things here. The port of Valmora closed on Monday after dockworkers walked out. Another long sentence follows with different words in it. And yet another one that talks about the weather in the north.";
        let short = "The port of Valmora closed on Monday after dockworkers walked out.";
        let fp = fps(&[long, short]);
        let (pairs, c) = candidates(
            &fp,
            &CorpusStats::from_fingerprints(&fp),
            &CandidateConfig::default(),
        );
        assert_eq!(pairs.len(), 1);
        assert!(c.sentence == 1);
        assert!(pairs[0].via & via::SENTENCE != 0);
    }
}
