//! Candidate pairs: fingerprints → the few pairs worth aligning. Never all pairs.
//!
//! Three blocking keys, each a map from key to documents followed by a pairing within each
//! bucket (a sort of `(key, doc)` tuples and a scan of equal runs, so the stage is a
//! group-by-key that a dataflow engine runs as a shuffle):
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
//!    same-event reports that share few n-grams but the same names and numbers.
//!
//! Growth: a bucket of size `m` yields `m(m−1)/2` pairs, so every bucket is capped. Term buckets
//! hold at most `max_df` documents by construction; LSH and sentence buckets larger than
//! `max_bucket` (boilerplate, not reuse) are paired as a chain of neighbours, which keeps them
//! connected for clustering at linear cost. The number of candidates is therefore at most
//! `N · (bands + sentences/doc) · max_bucket / 2 + N · terms_per_doc · max_df / 2` — linear in
//! the corpus size `N` for a fixed configuration — and in practice far lower, because most
//! buckets hold one document.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use xxhash_rust::xxh3::xxh3_64;

use crate::fingerprint::Fingerprint;

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

/// Adds embedding-neighbour pairs to sorted candidates (flag [`via::SEMANTIC`]); returns how
/// many pairs no other blocker had proposed.
pub fn add_neighbours(cands: &mut Vec<CandidatePair>, pairs: &[(u32, u32)]) -> usize {
    let mut fresh = Vec::new();
    for &(a, b) in pairs {
        match cands.binary_search_by_key(&(a, b), |p| (p.a, p.b)) {
            Ok(k) => cands[k].via |= via::SEMANTIC,
            Err(_) => fresh.push(CandidatePair {
                a,
                b,
                via: via::SEMANTIC,
            }),
        }
    }
    let n = fresh.len();
    cands.extend(fresh);
    cands.sort_unstable_by_key(|p| (p.a, p.b));
    n
}

/// A pair of document indices `a < b` and the blockers that proposed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CandidatePair {
    /// Lower document index.
    pub a: u32,
    /// Higher document index.
    pub b: u32,
    /// [`via`] flags.
    pub via: u8,
}

/// Document frequencies of content terms over a corpus (for rare-term keys and term weights).
#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    /// Number of documents.
    pub n: usize,
    /// Documents containing each stem (Fx-hashed: stems are already hashes, and an ingest looks
    /// each one up for every term of every candidate).
    pub df: FxHashMap<u64, u32>,
}

impl CorpusStats {
    /// Counts document frequencies.
    pub fn from_fingerprints(fps: &[Fingerprint]) -> Self {
        let mut df: FxHashMap<u64, u32> = FxHashMap::default();
        for fp in fps {
            for t in &fp.terms {
                *df.entry(t.stem).or_insert(0) += 1;
            }
        }
        CorpusStats { n: fps.len(), df }
    }

    /// Inverse document frequency, normalised to [0, 1] and shrunk towards a prior of 0.7 for
    /// small corpora, where document frequencies say little (two documents share every term
    /// that makes them similar). With `n` documents the corpus estimate has weight `n/(n+100)`.
    pub fn idf(&self, stem: u64) -> f64 {
        let df = self.df.get(&stem).copied().unwrap_or(0).max(1);
        idf_of(self.n, f64::from(df))
    }

    /// How far [`CorpusStats::idf`] can have moved between a corpus of `from` documents and one
    /// of `to`, for a term that keeps its share of the documents: the largest relative change
    /// over shares from one document to half of them. Zero when the sizes are equal; the same
    /// relative growth moves it less in a larger corpus, which is what lets a store rescore its
    /// pairs rarely and still stay close to `analyze` (see `wiretrace-store`). A term's own
    /// count moving (a rare name turning up again) is not drift: that is news, and the pairs it
    /// touches are new ones.
    pub fn idf_drift(from: usize, to: usize) -> f64 {
        if from == to {
            return 0.0;
        }
        if from == 0 || to == 0 {
            return f64::INFINITY;
        }
        let at = |n: usize, share: f64| idf_of(n, (share * n as f64).max(1.0));
        (0..=40)
            .map(|k| 0.5 * 0.75f64.powi(k))
            .map(|share| (at(to, share) / at(from, share) - 1.0).abs())
            .fold(0.0, f64::max)
    }
}

/// [`CorpusStats::idf`] of a term in `df` of `n` documents.
fn idf_of(n: usize, df: f64) -> f64 {
    const PRIOR: f64 = 0.7;
    if n == 0 {
        return PRIOR;
    }
    let n = n as f64;
    let idf = ((n + 1.0) / df).ln() / (n + 1.0).ln().max(1e-9);
    (n * idf.clamp(0.0, 1.0) + IDF_PRIOR_WEIGHT * PRIOR) / (n + IDF_PRIOR_WEIGHT)
}

/// Pseudo-documents of the idf prior: with `n` documents the corpus estimate weighs
/// `n/(n+IDF_PRIOR_WEIGHT)`.
const IDF_PRIOR_WEIGHT: f64 = 100.0;

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

/// The LSH keys of a document: one hash per band of its MinHash signature (none for a document
/// without shingles, whose signature is all `u64::MAX`). A persistent index stores these keys, so
/// a new document finds its band collisions without the other signatures.
pub fn band_keys(fp: &Fingerprint, config: &CandidateConfig) -> Vec<u64> {
    if fp.shingles.is_empty() {
        return Vec::new();
    }
    fp.minhash
        .chunks(config.rows.max(1))
        .take(config.bands)
        .enumerate()
        .map(|(band, chunk)| {
            let mut bytes = Vec::with_capacity(8 + chunk.len() * 8);
            bytes.extend_from_slice(&(band as u64).to_le_bytes());
            for v in chunk {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            xxh3_64(&bytes)
        })
        .collect()
}

/// A document's rare-term keys: its `terms_per_doc` most salient content terms (frequent in the
/// document, rare in the corpus, names first) among those whose document frequency lies in
/// `[2, max_df]` under `stats`.
pub fn salient_terms(fp: &Fingerprint, stats: &CorpusStats, config: &CandidateConfig) -> Vec<u64> {
    let mut chosen: Vec<(f64, u64)> = fp
        .terms
        .iter()
        .filter_map(|t| {
            let df = stats.df.get(&t.stem).copied().unwrap_or(0);
            (df >= 2 && df as usize <= config.max_df).then(|| {
                let tf = 1.0 + f64::from(t.count).ln();
                let boost = if t.entity { 1.5 } else { 1.0 };
                (tf * boost * stats.idf(t.stem), t.stem)
            })
        })
        .collect();
    // The stem breaks ties so the choice is deterministic.
    chosen.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    chosen
        .into_iter()
        .take(config.terms_per_doc)
        .map(|(_, stem)| stem)
        .collect()
}

/// Finds candidate pairs among fingerprints.
pub fn candidates(
    fps: &[Fingerprint],
    stats: &CorpusStats,
    config: &CandidateConfig,
) -> (Vec<CandidatePair>, CandidateStats) {
    let mut counters = CandidateStats::default();
    let mut all: Vec<CandidatePair> = Vec::new();

    // 1. LSH bands.
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(fps.len() * config.bands);
    for (d, fp) in fps.iter().enumerate() {
        keys.extend(band_keys(fp, config).into_iter().map(|k| (k, d as u32)));
    }
    let n0 = all.len();
    pair_buckets(keys, config.max_bucket, via::LSH, &mut all);
    counters.lsh = all.len() - n0;

    // 2. Shared sentences.
    let mut keys: Vec<(u64, u32)> = Vec::new();
    for (d, fp) in fps.iter().enumerate() {
        for &h in &fp.sentence_hashes {
            if h != 0 {
                keys.push((h, d as u32));
            }
        }
    }
    let n0 = all.len();
    pair_buckets(keys, config.max_bucket, via::SENTENCE, &mut all);
    counters.sentence = all.len() - n0;

    // 3. Rare terms: pairs sharing at least `min_shared_terms` keys.
    let mut keys: Vec<(u64, u32)> = Vec::new();
    for (d, fp) in fps.iter().enumerate() {
        keys.extend(
            salient_terms(fp, stats, config)
                .into_iter()
                .map(|stem| (stem, d as u32)),
        );
    }
    keys.sort_unstable();
    let mut shared: HashMap<(u32, u32), usize> = HashMap::new();
    for run in keys.chunk_by(|x, y| x.0 == y.0) {
        if run.len() < 2 || run.len() > config.max_df {
            continue;
        }
        for i in 0..run.len() {
            for j in i + 1..run.len() {
                let (a, b) = ordered(run[i].1, run[j].1);
                *shared.entry((a, b)).or_insert(0) += 1;
            }
        }
    }
    let n0 = all.len();
    all.extend(
        shared
            .into_iter()
            .filter(|&(_, n)| n >= config.min_shared_terms)
            .map(|((a, b), _)| CandidatePair {
                a,
                b,
                via: via::TERMS,
            }),
    );
    counters.terms = all.len() - n0;

    // Merge: one entry per pair with the union of flags.
    all.sort_unstable_by_key(|p| (p.a, p.b));
    let mut merged: Vec<CandidatePair> = Vec::with_capacity(all.len());
    for p in all {
        match merged.last_mut() {
            Some(last) if last.a == p.a && last.b == p.b => last.via |= p.via,
            _ => merged.push(p),
        }
    }
    (merged, counters)
}

fn ordered(x: u32, y: u32) -> (u32, u32) {
    if x < y {
        (x, y)
    } else {
        (y, x)
    }
}

/// Pairs the documents of each bucket: all pairs for small buckets, a chain for large ones.
/// Pairs inside one bucket are emitted once; duplicates across buckets are merged later.
fn pair_buckets(
    mut keys: Vec<(u64, u32)>,
    max_bucket: usize,
    flag: u8,
    out: &mut Vec<CandidatePair>,
) {
    keys.sort_unstable();
    keys.dedup();
    let start = out.len();
    for run in keys.chunk_by(|x, y| x.0 == y.0) {
        if run.len() < 2 {
            continue;
        }
        if run.len() <= max_bucket {
            for i in 0..run.len() {
                for j in i + 1..run.len() {
                    let (a, b) = ordered(run[i].1, run[j].1);
                    out.push(CandidatePair { a, b, via: flag });
                }
            }
        } else {
            for w in run.windows(2) {
                let (a, b) = ordered(w[0].1, w[1].1);
                out.push(CandidatePair { a, b, via: flag });
            }
        }
    }
    // Dedup within this blocker so its counter counts distinct pairs.
    let tail = &mut out[start..];
    tail.sort_unstable_by_key(|p| (p.a, p.b));
    let mut v: Vec<CandidatePair> = out.drain(start..).collect();
    v.dedup_by_key(|p| (p.a, p.b));
    out.extend(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{FingerprintConfig, Fingerprinter};
    use crate::text::Document;

    fn fps(texts: &[&str]) -> Vec<Fingerprint> {
        let f = Fingerprinter::new(FingerprintConfig::default());
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| f.fingerprint(&Document::from_text(&i.to_string(), t.to_string())))
            .collect()
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
                        pairs.iter().any(|p| p.a == i as u32 && p.b == j as u32),
                        "missed {i},{j} J={jac}"
                    );
                }
            }
        }
        assert!(!pairs.iter().any(|p| p.b == 21), "unrelated text paired");
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

    #[test]
    fn idf_drift_is_zero_for_equal_sizes_and_shrinks_as_the_corpus_grows() {
        assert_eq!(CorpusStats::idf_drift(500, 500), 0.0);
        assert!(CorpusStats::idf_drift(0, 8).is_infinite());
        // The same relative growth moves idf less in a larger corpus.
        let small = CorpusStats::idf_drift(100, 125);
        let large = CorpusStats::idf_drift(100_000, 125_000);
        assert!(small > large, "{small} vs {large}");
        assert!(CorpusStats::idf_drift(1000, 2000) > CorpusStats::idf_drift(1000, 1100));
        // It bounds the actual change of a term that keeps its share of the documents, up to
        // the coarseness of the grid of shares it looks at.
        for (from, to) in [(50usize, 80usize), (1000, 1300), (20_000, 30_000)] {
            // Shares up to a half, as the drift looks at.
            for df_from in [1u32, 3, 17, 25] {
                let df_to = f64::from(df_from) * to as f64 / from as f64;
                let before = CorpusStats {
                    n: from,
                    df: [(7u64, df_from)].into_iter().collect(),
                }
                .idf(7);
                let moved = (idf_of(to, df_to) / before - 1.0).abs();
                let bound = CorpusStats::idf_drift(from, to);
                assert!(
                    moved <= bound * 1.05 + 1e-3,
                    "{from} -> {to}, df {df_from}: idf moved {moved}, bound {bound}"
                );
            }
        }
    }

    #[test]
    fn idf_is_bounded_and_shrinks_for_small_corpora() {
        let fp = fps(&["alpha beta", "alpha gamma"]);
        let s = CorpusStats::from_fingerprints(&fp);
        for t in fp.iter().flat_map(|f| &f.terms) {
            let v = s.idf(t.stem);
            assert!((0.0..=1.0).contains(&v));
            assert!(
                (v - 0.7).abs() < 0.05,
                "small corpus should stay near the prior: {v}"
            );
        }
    }
}
