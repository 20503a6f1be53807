//! Corpus statistics: how many documents hold each content term, and the term weights (idf)
//! every later stage reads. The only state of the pipeline that depends on the whole corpus.

use rustc_hash::FxHashMap;

use crate::fingerprint::Fingerprint;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn fps(texts: &[&str]) -> Vec<Fingerprint> {
        crate::fingerprint::of_texts(texts)
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
