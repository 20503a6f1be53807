//! Fingerprints: `Document` → [`Fingerprint`], computed once per document, independent of the
//! rest of the corpus (a pure map, so it can run anywhere a document is).
//!
//! A fingerprint holds what the candidate stage and the pair features need without going back to
//! the text: an exact hash of the token stream, the set of word-shingle hashes, a MinHash
//! signature of that set, per-sentence hashes, and the content terms (stems) with their counts.
//!
//! MinHash cost: each shingle is hashed once to 64 bits (xxh3 over the token hashes); the
//! `k`-th permutation is the affine map `x · aₖ + bₖ (mod 2⁶⁴)` with odd `aₖ`, so a signature of
//! `P` values costs `P` multiply-adds per shingle and no further hashing. With `P = 126` the
//! estimate of a Jaccard similarity `J` has standard error `√(J(1−J)/P)` ≤ 0.045.

use xxhash_rust::xxh3::xxh3_64;

use crate::text::Document;

mod stats;
mod vector;

pub use stats::CorpusStats;
pub use vector::DocVector;

/// Shape of the fingerprints; persisted with any stored data that depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FingerprintConfig {
    /// Words per shingle.
    pub shingle: usize,
    /// MinHash permutations (a multiple of `rows`).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
}

impl Default for FingerprintConfig {
    fn default() -> Self {
        FingerprintConfig {
            shingle: 3,
            permutations: 126,
            seed: 0x5EED_0F0A_11CE,
        }
    }
}

/// A content term (stem) of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Stem hash.
    pub stem: u64,
    /// Occurrences in the document.
    pub count: u32,
    /// Written capitalised mid-sentence at least once (a named entity).
    pub entity: bool,
    /// A number.
    pub numeric: bool,
}

/// Everything the later stages need to know about one document's text.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    /// Hash of the whole normalised token stream (exact duplicates share it).
    pub exact: u64,
    /// Sorted, deduplicated shingle hashes.
    pub shingles: Vec<u64>,
    /// MinHash signature of `shingles`.
    pub minhash: Vec<u64>,
    /// Hash of each sentence's normalised tokens, `0` for sentences under five words.
    pub sentence_hashes: Vec<u64>,
    /// Content terms, sorted by stem hash.
    pub terms: Vec<Term>,
    /// Number of tokens.
    pub words: usize,
}

/// Computes MinHash signatures; holds the permutation coefficients.
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    /// Permutations drawn from `seed` with splitmix64, so the same seed gives the same hasher
    /// on every machine.
    pub fn new(permutations: usize, seed: u64) -> Self {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut a = Vec::with_capacity(permutations);
        let mut b = Vec::with_capacity(permutations);
        for _ in 0..permutations {
            a.push(next() | 1);
            b.push(next());
        }
        MinHasher { a, b }
    }

    /// The signature of a set of 64-bit element hashes. An empty set gets all `u64::MAX`, which
    /// never collides with a real signature band because bands of empty documents are skipped.
    pub fn sign(&self, set: &[u64]) -> Vec<u64> {
        let mut sig = vec![u64::MAX; self.a.len()];
        for &x in set {
            for ((s, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let h = x.wrapping_mul(a).wrapping_add(b);
                if h < *s {
                    *s = h;
                }
            }
        }
        sig
    }
}

/// Estimated Jaccard similarity from two signatures.
pub fn estimate_jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

/// Exact Jaccard similarity of two sorted, deduplicated sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = intersection_size(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Fingerprints of short texts under the default shape (tests of the later stages).
#[cfg(test)]
pub(crate) fn of_texts(texts: &[&str]) -> Vec<Fingerprint> {
    let f = Fingerprinter::new(FingerprintConfig::default());
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| f.fingerprint(&Document::from_text(&i.to_string(), t.to_string())))
        .collect()
}

/// Share of the smaller sorted set found in the larger (0 when either is empty).
pub fn containment(a: &[u64], b: &[u64]) -> f64 {
    let m = a.len().min(b.len());
    if m == 0 {
        0.0
    } else {
        intersection_size(a, b) as f64 / m as f64
    }
}

/// Size of the intersection of two sorted, deduplicated slices.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Word shingles of a token-hash sequence, sorted and deduplicated. Texts shorter than `k` words
/// get one shingle of the whole text, so short texts still have a fingerprint.
pub fn shingles(tokens: &[u64], k: usize) -> Vec<u64> {
    let k = k.max(1);
    let mut out: Vec<u64> = if tokens.is_empty() {
        Vec::new()
    } else if tokens.len() < k {
        vec![hash_u64s(tokens)]
    } else {
        tokens.windows(k).map(hash_u64s).collect()
    };
    out.sort_unstable();
    out.dedup();
    // Held for every document through candidate search and screening: no slack.
    out.shrink_to_fit();
    out
}

fn hash_u64s(xs: &[u64]) -> u64 {
    let mut buf = [0u8; 64];
    if xs.len() <= 8 {
        for (i, x) in xs.iter().enumerate() {
            buf[i * 8..i * 8 + 8].copy_from_slice(&x.to_le_bytes());
        }
        xxh3_64(&buf[..xs.len() * 8])
    } else {
        let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_le_bytes()).collect();
        xxh3_64(&bytes)
    }
}

/// Builds fingerprints.
#[derive(Debug, Clone)]
pub struct Fingerprinter {
    config: FingerprintConfig,
    hasher: MinHasher,
}

impl Fingerprinter {
    /// A fingerprinter for a configuration.
    pub fn new(config: FingerprintConfig) -> Self {
        Fingerprinter {
            hasher: MinHasher::new(config.permutations, config.seed),
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> FingerprintConfig {
        self.config
    }

    /// Fingerprints one document.
    pub fn fingerprint(&self, doc: &Document) -> Fingerprint {
        let token_hashes: Vec<u64> = doc.tokens.iter().map(|t| t.hash).collect();
        let shingles = shingles(&token_hashes, self.config.shingle);
        let minhash = self.hasher.sign(&shingles);
        let sentence_hashes = doc
            .sentences
            .iter()
            .map(|s| {
                let toks = &token_hashes[s.tokens.clone()];
                if toks.len() >= 5 {
                    hash_u64s(toks)
                } else {
                    0
                }
            })
            .collect();
        let mut terms: Vec<Term> = doc
            .tokens
            .iter()
            .filter(|t| !t.stop)
            .map(|t| Term {
                stem: t.stem,
                count: 1,
                entity: t.entity(),
                numeric: t.numeric(),
            })
            .collect();
        terms.sort_unstable_by_key(|t| t.stem);
        terms.dedup_by(|later, kept| {
            if later.stem == kept.stem {
                kept.count += later.count;
                kept.entity |= later.entity;
                true
            } else {
                false
            }
        });
        // One entry per token was reserved; the distinct stems are held until screening.
        terms.shrink_to_fit();
        Fingerprint {
            exact: hash_u64s(&token_hashes),
            shingles,
            minhash,
            sentence_hashes,
            terms,
            words: doc.tokens.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn identical_sets_have_identical_signatures() {
        let h = MinHasher::new(64, 7);
        let s = vec![1, 5, 9, 200];
        assert_eq!(h.sign(&s), h.sign(&s));
        assert!((estimate_jaccard(&h.sign(&s), &h.sign(&s)) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn short_texts_still_get_a_shingle() {
        assert_eq!(shingles(&[1, 2], 3).len(), 1);
        assert!(shingles(&[], 3).is_empty());
        assert_eq!(shingles(&[1, 2, 3, 4], 3).len(), 2);
    }

    proptest! {
        /// The MinHash estimate stays within 4.5 standard errors (≤ 0.2 at 126 permutations) of the
        /// exact Jaccard similarity: a failure would mean broken permutations, not bad luck
        /// (probability < 1e-5 per case).
        #[test]
        fn minhash_estimates_jaccard(common in 0usize..300, only_a in 0usize..300, only_b in 0usize..300, salt in any::<u64>()) {
            prop_assume!(common + only_a + only_b > 0);
            let mk = |tag: u64, n: usize| (0..n as u64).map(move |i| xxh3_64(&[tag.to_le_bytes(), i.to_le_bytes(), salt.to_le_bytes()].concat()));
            let mut a: Vec<u64> = mk(1, common).chain(mk(2, only_a)).collect();
            let mut b: Vec<u64> = mk(1, common).chain(mk(3, only_b)).collect();
            a.sort_unstable(); a.dedup(); b.sort_unstable(); b.dedup();
            let h = MinHasher::new(126, 42);
            let est = estimate_jaccard(&h.sign(&a), &h.sign(&b));
            let exact = jaccard(&a, &b);
            let se = (exact * (1.0 - exact) / 126.0).sqrt();
            prop_assert!((est - exact).abs() <= 4.5 * se + 1e-9 + 0.02, "est {est} exact {exact}");
        }

        #[test]
        fn jaccard_is_symmetric_and_bounded(mut a in proptest::collection::vec(0u64..50, 0..40), mut b in proptest::collection::vec(0u64..50, 0..40)) {
            a.sort_unstable(); a.dedup(); b.sort_unstable(); b.dedup();
            let j = jaccard(&a, &b);
            prop_assert!((0.0..=1.0).contains(&j));
            prop_assert!((j - jaccard(&b, &a)).abs() < 1e-12);
        }
    }
}
