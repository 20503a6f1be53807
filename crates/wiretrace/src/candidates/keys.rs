//! Blocking keys: what a document is filed under in the index. LSH band keys and sentence
//! hashes depend on the document alone; term keys (its most salient content terms) depend on
//! the corpus statistics too, so an index that outlives them (a store) files every term and
//! asks for the salient ones when it looks up.

use xxhash_rust::xxh3::xxh3_64;

use crate::candidates::CandidateConfig;
use crate::fingerprint::{CorpusStats, Fingerprint};

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

/// A document's sentence keys: the hashes of its sentences of five words or more.
pub fn sentence_keys(fp: &Fingerprint) -> impl Iterator<Item = u64> + '_ {
    fp.sentence_hashes.iter().copied().filter(|&h| h != 0)
}
