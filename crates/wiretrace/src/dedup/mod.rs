//! Near-duplicate detection on its own (`wiretrace dedup`): which articles are the same text,
//! give or take an edit, without alignment or classification — what an aggregator or a dataset
//! builder needs, and the stage the benchmarks set against datasketch and rensa.
//!
//! The criterion is the usual one, so that results compare: the Jaccard similarity of the sets of
//! 5-word shingles of the lowercased words, estimated by 128 MinHash values, bucketed by LSH
//! bands chosen so that a pair at the threshold is almost surely proposed
//! ([`recall_first_params`]), and every candidate verified on the exact shingle sets. Each stage is a pure function over a batch (texts → signatures,
//! signatures → candidate pairs, pairs → verified pairs), so it runs as an operator of a
//! distributed engine as well as here.
//!
//! Cost: tokenising, shingling and signing are linear in the text and run in parallel; one
//! band's keys are sorted to find collisions (n log n per band); verification is linear in the
//! shingles of the candidate pairs. Nothing is quadratic in the corpus except a bucket of truly
//! identical texts, whose pairs are the answer.

use rayon::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

use crate::fingerprint::{estimate_jaccard, jaccard};
use crate::model::Article;
use crate::union_find::UnionFind;

/// What counts as a near-duplicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DedupConfig {
    /// Words per shingle.
    pub shingle: usize,
    /// MinHash permutations.
    pub permutations: usize,
    /// Smallest verified Jaccard similarity of a near-duplicate pair.
    pub threshold: f64,
    /// Seed of the permutations.
    pub seed: u64,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            shingle: 5,
            permutations: 128,
            threshold: 0.8,
            seed: 0x5EED_D3D0,
        }
    }
}

/// A text the stage compares, given as parts (a title and a body) that read as one text with a
/// paragraph break between them: words never run across parts, so an article is signed without
/// first copying its title and body into one string (that copy was 5% of `wiretrace dedup`'s
/// time on Reuters-21578, perf).
pub trait DedupText: Sync {
    /// The parts, in reading order.
    fn parts(&self) -> impl Iterator<Item = &str> + '_;
}

impl DedupText for &str {
    fn parts(&self) -> impl Iterator<Item = &str> + '_ {
        std::iter::once(*self)
    }
}

/// The words of [`Article::full_text`]: the title, then the body.
impl DedupText for Article {
    fn parts(&self) -> impl Iterator<Item = &str> + '_ {
        let title = self.title.as_deref().map(str::trim);
        title
            .filter(|t| !t.is_empty())
            .into_iter()
            .chain(std::iter::once(self.body.as_str()))
    }
}

/// One text's shingle hashes and MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Hashes of the text's word shingles, in text order with repeats: the signature needs
    /// no more, and [`verify`] sorts the sets of the candidates alone (sorting every text's
    /// set was 14% of `wiretrace dedup`'s time on Reuters-21578, perf).
    pub shingles: Vec<u64>,
    /// MinHash signature of `shingles`.
    pub minhash: Vec<u64>,
}

/// A verified near-duplicate pair, `a < b` (indices into the batch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearDuplicate {
    /// First text.
    pub a: usize,
    /// Second text.
    pub b: usize,
    /// Exact Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// The MinHash estimate of it.
    pub estimated: f64,
}

/// What one run found and how much work it took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DedupResult {
    /// Verified pairs, sorted by `(a, b)`.
    pub pairs: Vec<NearDuplicate>,
    /// Groups of texts joined by verified pairs (connected components), each sorted, largest
    /// first; texts without a near-duplicate are in none.
    pub groups: Vec<Vec<usize>>,
    /// Distinct pairs that shared at least one band.
    pub candidates: usize,
    /// LSH bands and rows per band.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
}

/// Smallest chance that a pair exactly at the threshold is proposed, for [`recall_first_params`].
pub const RECALL_AT_THRESHOLD: f64 = 0.995;

/// Bands for a stage that verifies every candidate: the most rows per band (fewest candidates)
/// such that a pair exactly at `threshold` still shares a band with probability at least
/// [`RECALL_AT_THRESHOLD`]; more similar pairs are proposed with higher probability still.
///
/// The error-balancing choice of [`lsh_params`] (datasketch's) leaves a pair at Jaccard 0.85
/// unproposed about one time in three at threshold 0.8 (9 bands of 13 rows: 1 − (1 − 0.85¹³)⁹ ≈
/// 0.69): on Reuters-21578 that lost 16 of datasketch's 435 pairs, and datasketch lost others
/// by the same chance. Verification is exact and cheap, so extra candidates cost little and
/// missed pairs are gone for good.
pub fn recall_first_params(threshold: f64, permutations: usize) -> (usize, usize) {
    let t = threshold.clamp(0.0, 1.0);
    let n = permutations.max(1);
    (1..=n)
        .rev()
        .map(|r| (n / r, r))
        .find(|&(b, r)| 1.0 - (1.0 - t.powi(r as i32)).powi(b as i32) >= RECALL_AT_THRESHOLD)
        .unwrap_or((n, 1))
}

/// The band count and rows per band that minimise the sum of false-positive and false-negative
/// probability mass around `threshold` (equal weights), over `bands * rows <= permutations`:
/// datasketch's `_optimal_param`, so both libraries bucket alike.
pub fn lsh_params(threshold: f64, permutations: usize) -> (usize, usize) {
    let threshold = threshold.clamp(0.0, 1.0);
    // P(candidate | similarity s) = 1 - (1 - s^r)^b, integrated with the trapezoid rule.
    let integrate = |lo: f64, hi: f64, f: &dyn Fn(f64) -> f64| {
        const STEPS: usize = 1000;
        if hi <= lo {
            return 0.0;
        }
        let h = (hi - lo) / STEPS as f64;
        let inner: f64 = (1..STEPS).map(|i| f(lo + i as f64 * h)).sum();
        h * (inner + (f(lo) + f(hi)) / 2.0)
    };
    let mut best = (f64::INFINITY, 1, permutations.max(1));
    for b in 1..=permutations.max(1) {
        for r in 1..=permutations / b {
            let p = |s: f64| 1.0 - (1.0 - s.powi(r as i32)).powi(b as i32);
            let fp = integrate(0.0, threshold, &p);
            let fneg = integrate(threshold, 1.0, &|s| 1.0 - p(s));
            let err = 0.5 * fp + 0.5 * fneg;
            if err < best.0 {
                best = (err, b, r);
            }
        }
    }
    (best.1, best.2)
}

/// Hashes of a text's lowercased words (Unicode word boundaries), in order.
pub fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    push_word_hashes(text, &mut out);
    out
}

/// [`word_hashes`] appended to `out`, so that a worker reuses one buffer for all its texts.
fn push_word_hashes(text: &str, out: &mut Vec<u64>) {
    if text.is_ascii() {
        // Most news text. The general segmenter was the largest part of `wiretrace dedup`'s
        // time on Reuters-21578 (perf); the words are the same (a property test holds the two
        // to each other), and the bytes are lowercased inside the hash, eight at a time.
        out.extend(ascii_words(text).map(|w| word_hash(w.as_bytes(), lower_ascii8)));
        return;
    }
    let mut buf = String::new();
    out.extend(text.unicode_words().map(|w| {
        buf.clear();
        if w.is_ascii() {
            // A byte-wise lowercase, without decoding characters.
            buf.push_str(w);
            buf.make_ascii_lowercase();
        } else {
            buf.extend(w.chars().flat_map(char::to_lowercase));
        }
        word_hash(buf.as_bytes(), |x| x)
    }));
}

/// A 64-bit hash of a word's bytes, eight at a time, each chunk passed through `lower` first:
/// words of up to seven bytes (most words) map one-to-one onto hashes. xxh3 per word, after a
/// copy to lowercase it, was a third of `wiretrace dedup`'s time on Reuters-21578 (perf).
#[inline]
fn word_hash(bytes: &[u8], lower: impl Fn(u64) -> u64) -> u64 {
    // The length in the top byte: a word of up to seven bytes is `len << 56 | bytes`.
    let mut h = (bytes.len() as u64) << 56;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = (h ^ lower(u64::from_le_bytes(b)))
            .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
            .rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h ^= lower(u64::from_le_bytes(b));
    }
    mix(h)
}

/// ASCII lowercase of eight bytes at once, for bytes under 0x80 (no carry crosses a byte):
/// a byte in `A..=Z` has the high bit set by adding 0x3F but not by adding 0x25, and gains 0x20.
#[inline]
fn lower_ascii8(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let at_least_a = x.wrapping_add(0x3F3F_3F3F_3F3F_3F3F);
    let past_z = x.wrapping_add(0x2525_2525_2525_2525);
    x | ((at_least_a & !past_z & HIGH) >> 2)
}

/// The odd multiplier of the shingles' polynomial hash.
const SHINGLE_BASE: u64 = 0xD6E8_FEB8_6659_FD93;

/// Hashes of the `k`-word shingles of a word-hash sequence, in text order with repeats, as a
/// polynomial of the word hashes rolled along the text (two multiplications per shingle
/// instead of hashing `8k` bytes); a text shorter than `k` words has one shingle of all its
/// words, so short texts still pair.
pub fn rolling_shingles(words: &[u64], k: usize) -> Vec<u64> {
    let k = k.max(1);
    let poly = |ws: &[u64]| {
        ws.iter()
            .fold(0u64, |h, &w| h.wrapping_mul(SHINGLE_BASE).wrapping_add(w))
    };
    if words.len() < k {
        return if words.is_empty() {
            Vec::new()
        } else {
            vec![poly(words)]
        };
    }
    let top = SHINGLE_BASE.wrapping_pow((k - 1) as u32);
    let mut h = poly(&words[..k]);
    let mut out = Vec::with_capacity(words.len() + 1 - k);
    out.push(h);
    for (old, &new) in words.iter().zip(&words[k..]) {
        h = h
            .wrapping_sub(old.wrapping_mul(top))
            .wrapping_mul(SHINGLE_BASE)
            .wrapping_add(new);
        out.push(h);
    }
    out
}

/// A text's shingle set as [`verify`] compares it: sorted, deduplicated.
pub fn shingle_set(text: &str, k: usize) -> Vec<u64> {
    let mut set = rolling_shingles(&word_hashes(text), k);
    set.sort_unstable();
    set.dedup();
    set
}

/// The words `unicode_words` finds in an ASCII text (UAX #29 restricted to ASCII): runs of
/// letters, digits and `_`, joined across one `.`, `'` or `:` between two letters and across
/// one `.`, `'`, `,` or `;` between two digits (rules WB5–WB13b), each holding a letter or a
/// digit.
fn ascii_words(text: &str) -> impl Iterator<Item = &str> {
    #[derive(Clone, Copy, PartialEq)]
    enum C {
        Letter,
        Digit,
        Under,
        MidLetter,
        MidNumLet,
        MidNum,
        Other,
    }
    fn class(b: u8) -> C {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => C::Letter,
            b'0'..=b'9' => C::Digit,
            b'_' => C::Under,
            b':' => C::MidLetter,
            b'.' | b'\'' => C::MidNumLet,
            b',' | b';' => C::MidNum,
            _ => C::Other,
        }
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let start = i;
            let mut last = class(bytes[i]);
            if !matches!(last, C::Letter | C::Digit | C::Under) {
                i += 1;
                continue;
            }
            let mut alnum = last != C::Under;
            i += 1;
            while i < bytes.len() {
                let c = class(bytes[i]);
                match c {
                    C::Letter | C::Digit | C::Under => {
                        alnum |= c != C::Under;
                        last = c;
                        i += 1;
                    }
                    C::MidLetter | C::MidNumLet | C::MidNum => {
                        let next = bytes.get(i + 1).map_or(C::Other, |&b| class(b));
                        let joins = (last == C::Letter
                            && next == C::Letter
                            && matches!(c, C::MidLetter | C::MidNumLet))
                            || (last == C::Digit
                                && next == C::Digit
                                && matches!(c, C::MidNum | C::MidNumLet));
                        if !joins {
                            break;
                        }
                        last = next;
                        i += 2;
                    }
                    C::Other => break,
                }
            }
            if alnum {
                return Some(&text[start..i]);
            }
        }
        None
    })
}

/// One-permutation MinHash with optimal densification (Li, Owen & Zhang 2012; Shrivastava 2017):
/// each shingle is hashed once and falls into one of `k` bins, a bin keeps its smallest hash,
/// and an empty bin borrows the value of the first non-empty bin on its own fixed pseudo-random
/// probe sequence. Two sets agree on a bin with probability close to their Jaccard similarity,
/// as with `k` independent permutations, for one hash per shingle instead of `k` multiply-adds:
/// the classic signature was 39% of `wiretrace dedup`'s time on Reuters-21578 (perf).
#[derive(Debug, Clone, Copy)]
pub struct OnePermutation {
    bins: usize,
    seed: u64,
}

impl OnePermutation {
    /// `bins` signature values (at least one), hashing seeded by `seed`.
    pub fn new(bins: usize, seed: u64) -> Self {
        OnePermutation {
            bins: bins.max(1),
            seed,
        }
    }

    /// The signature of a set of 64-bit element hashes. An empty set gets all `u64::MAX`.
    pub fn sign(&self, set: &[u64]) -> Vec<u64> {
        let k = self.bins;
        let mut sig = vec![u64::MAX; k];
        let mut filled = vec![false; k];
        for &x in set {
            let h = mix(x ^ self.seed);
            // The high bits choose the bin (multiply-high: uniform for any k), the whole hash
            // orders the bin's members.
            let bin = ((h as u128 * k as u128) >> 64) as usize;
            sig[bin] = sig[bin].min(h);
            filled[bin] = true;
        }
        if set.is_empty() || filled.iter().all(|&f| f) {
            return sig;
        }
        (0..k)
            .map(|i| {
                if filled[i] {
                    return sig[i];
                }
                // Each bin's probe sequence depends only on the bin and the attempt, so two
                // texts with the same filled bins borrow the same values.
                (0u64..)
                    .map(|attempt| {
                        let h = mix(self.seed ^ mix((i as u64) << 32 | attempt));
                        ((h as u128 * k as u128) >> 64) as usize
                    })
                    .find(|&j| filled[j])
                    .map_or(u64::MAX, |j| sig[j])
            })
            .collect()
    }
}

/// splitmix64's finaliser: spreads the bits of a hash that may be structured (seed ^ value).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Signs one text.
pub fn signature(text: &str, hasher: &OnePermutation, shingle: usize) -> Signature {
    signature_with(&text, hasher, shingle, &mut Vec::new())
}

/// [`signature`] of a text in parts, with a scratch buffer for the word hashes.
fn signature_with<T: DedupText>(
    text: &T,
    hasher: &OnePermutation,
    shingle: usize,
    words: &mut Vec<u64>,
) -> Signature {
    words.clear();
    for part in text.parts() {
        push_word_hashes(part, words);
    }
    let set = rolling_shingles(words, shingle);
    let minhash = hasher.sign(&set);
    Signature {
        shingles: set,
        minhash,
    }
}

/// Signs a batch of texts in parallel.
pub fn signatures<T: DedupText>(texts: &[T], config: &DedupConfig) -> Vec<Signature> {
    let hasher = OnePermutation::new(config.permutations, config.seed);
    texts
        .par_iter()
        .map_init(Vec::new, |words, t| {
            signature_with(t, &hasher, config.shingle, words)
        })
        .collect()
}

/// Pairs of texts whose signatures agree on all rows of at least one band, each once, `a < b`,
/// sorted. Texts without a shingle take part in none.
pub fn candidate_pairs(sigs: &[Signature], bands: usize, rows: usize) -> Vec<(u32, u32)> {
    let mut pairs: Vec<u64> = (0..bands)
        .into_par_iter()
        .flat_map_iter(|band| {
            let lo = band * rows;
            let mut keys: Vec<(u64, u32)> = sigs
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.shingles.is_empty() && s.minhash.len() >= lo + rows)
                .map(|(i, s)| {
                    // The band's values folded into one key, without a buffer (a vector per
                    // text and band, hashed with xxh3, was 17% of `wiretrace dedup`'s time on
                    // Reuters-21578, perf). Keys that collide by chance only add a candidate,
                    // and verification is exact.
                    let key = s.minhash[lo..lo + rows]
                        .iter()
                        .fold(mix(band as u64), |h, &x| mix(h ^ x));
                    (key, i as u32)
                })
                .collect();
            keys.sort_unstable();
            let mut out = Vec::new();
            for run in keys.chunk_by(|x, y| x.0 == y.0) {
                for (k, x) in run.iter().enumerate() {
                    for y in &run[k + 1..] {
                        out.push(((x.1 as u64) << 32) | y.1 as u64);
                    }
                }
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect()
}

/// The candidate pairs whose exact shingle Jaccard reaches `threshold`.
pub fn verify(sigs: &[Signature], candidates: &[(u32, u32)], threshold: f64) -> Vec<NearDuplicate> {
    // The exact sets (sorted, deduplicated) of the texts in a candidate pair, each made once.
    let mut used = vec![false; sigs.len()];
    for &(a, b) in candidates {
        for i in [a as usize, b as usize] {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        }
    }
    let sets: Vec<Option<Vec<u64>>> = sigs
        .par_iter()
        .zip(used.par_iter())
        .map(|(s, &u)| {
            u.then(|| {
                let mut v = s.shingles.clone();
                v.sort_unstable();
                v.dedup();
                v
            })
        })
        .collect();
    candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            let (sa, sb) = (sigs.get(a as usize)?, sigs.get(b as usize)?);
            let (xa, xb) = (
                sets.get(a as usize)?.as_ref()?,
                sets.get(b as usize)?.as_ref()?,
            );
            let j = jaccard(xa, xb);
            (j >= threshold).then(|| NearDuplicate {
                a: a as usize,
                b: b as usize,
                jaccard: j,
                estimated: estimate_jaccard(&sa.minhash, &sb.minhash),
            })
        })
        .collect()
}

/// Connected components of `pairs` over `n` texts, each sorted, largest first (ties by first
/// member); singletons left out.
pub fn groups(n: usize, pairs: &[NearDuplicate]) -> Vec<Vec<usize>> {
    let mut components = UnionFind::new(n);
    for p in pairs {
        if p.a >= n || p.b >= n {
            continue;
        }
        components.union(p.a, p.b);
    }
    let mut out: Vec<Vec<usize>> = components
        .sets()
        .into_iter()
        .filter(|g| g.len() > 1)
        .collect();
    out.sort_by(|x, y| y.len().cmp(&x.len()).then(x[0].cmp(&y[0])));
    out
}

/// The whole stage on one batch.
pub fn dedup<T: DedupText>(texts: &[T], config: &DedupConfig) -> DedupResult {
    near_duplicates(&signatures(texts, config), config)
}

/// The stage after signing: candidates, verification and groups over the signatures of the
/// whole input (signed in batches as it was read, say), indices as in `sigs`.
pub fn near_duplicates(sigs: &[Signature], config: &DedupConfig) -> DedupResult {
    let (bands, rows) = recall_first_params(config.threshold, config.permutations);
    let candidates = candidate_pairs(sigs, bands, rows);
    let pairs = verify(sigs, &candidates, config.threshold);
    DedupResult {
        groups: groups(sigs.len(), &pairs),
        pairs,
        candidates: candidates.len(),
        bands,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WIRE: &str = "The port of Valmora will reopen on Monday after a three-day strike by dock workers ended with a pay deal, the port authority said on Saturday. Ships waiting offshore will be unloaded first.";

    #[test]
    fn lsh_params_match_datasketch_for_common_thresholds() {
        // datasketch 2.0.0: MinHashLSH(threshold=t, num_perm=128).b, .r
        assert_eq!(lsh_params(0.8, 128), (9, 13));
        assert_eq!(lsh_params(0.5, 128), (25, 5));
        assert_eq!(lsh_params(0.9, 128), (5, 25));
    }

    #[test]
    fn recall_first_bands_propose_a_pair_at_the_threshold_almost_surely() {
        for (t, want) in [(0.8, (21, 6)), (0.5, (42, 3)), (0.9, (14, 9))] {
            let (b, r) = recall_first_params(t, 128);
            assert_eq!((b, r), want, "threshold {t}");
            let p = |s: f64| 1.0 - (1.0 - s.powi(r as i32)).powi(b as i32);
            assert!(p(t) >= RECALL_AT_THRESHOLD);
            // One more row per band would drop under the target: the choice is the tightest.
            let (b2, r2) = (128 / (r + 1), r + 1);
            assert!(1.0 - (1.0 - t.powi(r2 as i32)).powi(b2 as i32) < RECALL_AT_THRESHOLD);
            // And an unrelated pair (Jaccard 0.1) is seldom proposed (4% at threshold 0.5,
            // under 0.1% at 0.8), so candidates stay proportional to the real near-duplicates.
            assert!(p(0.1) < 0.05, "{t}: {}", p(0.1));
            if t >= 0.8 {
                assert!(p(0.1) < 0.001, "{t}: {}", p(0.1));
            }
        }
    }

    #[test]
    fn a_reprint_and_a_light_edit_are_found_and_an_unrelated_text_is_not() {
        // One word changed near the end touches few shingles (one changed in the middle of this
        // short text would touch five of 31 and fall under 0.8, as it should).
        let edited = WIRE.replace("first", "at once");
        let other = "Heavy rain flooded the lower town of Brask overnight and the river is still rising, the mayor said.";
        let texts = [WIRE, WIRE, edited.as_str(), other];
        let r = dedup(&texts, &DedupConfig::default());
        let pairs: Vec<(usize, usize)> = r.pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 2)]);
        assert_eq!(r.pairs[0].jaccard, 1.0);
        assert!(r.pairs[1].jaccard > 0.8 && r.pairs[1].jaccard < 1.0);
        assert_eq!(r.groups, vec![vec![0, 1, 2]]);
        assert_eq!((r.bands, r.rows), (21, 6));
    }

    #[test]
    fn words_lowercase_alike_on_the_ascii_path_and_the_unicode_one() {
        assert_eq!(word_hashes("The PORT"), word_hashes("the port"));
        assert_eq!(word_hashes("ÉTÉ Brûlant"), word_hashes("été brûlant"));
        // "U.S." and "don't" are one word each, as Unicode word boundaries have it.
        assert_eq!(word_hashes("U.S. officials don't").len(), 3);
    }

    #[test]
    fn an_article_signs_as_its_full_text() {
        let a = Article {
            id: "a".into(),
            title: Some("  Port of Valmora to REOPEN ".into()),
            body: WIRE.into(),
            url: None,
            source: None,
            published: None,
            lang: None,
        };
        let h = OnePermutation::new(128, 1);
        let mut words = Vec::new();
        assert_eq!(
            signature_with(&a, &h, 5, &mut words),
            signature(&a.full_text(), &h, 5)
        );
        let untitled = Article { title: None, ..a };
        assert_eq!(
            signature_with(&untitled, &h, 5, &mut words),
            signature(WIRE, &h, 5)
        );
    }

    #[test]
    fn case_and_punctuation_do_not_matter_and_empty_texts_pair_with_nothing() {
        let shouted = WIRE.to_uppercase().replace(',', "");
        let r = dedup(&[WIRE, &shouted, "", "  "], &DedupConfig::default());
        assert_eq!(r.pairs.len(), 1);
        assert_eq!(r.pairs[0].jaccard, 1.0);
    }

    #[test]
    fn one_permutation_signatures_estimate_jaccard() {
        // Two sets of 400 elements sharing 300: Jaccard 300/500 = 0.6. With 128 bins the
        // estimate's standard error is about sqrt(0.6 * 0.4 / 128) = 0.043.
        let a: Vec<u64> = (0..400).collect();
        let b: Vec<u64> = (100..500).collect();
        let h = OnePermutation::new(128, 7);
        let est = estimate_jaccard(&h.sign(&a), &h.sign(&b));
        assert!((est - 0.6).abs() < 0.15, "{est}");
        // Identical sets agree everywhere, also when most bins are empty and borrowed.
        let small: Vec<u64> = vec![3, 99, 12345];
        assert_eq!(h.sign(&small), h.sign(&small.clone()));
        assert!(h.sign(&small).iter().all(|&v| v != u64::MAX));
        assert!(h.sign(&[]).iter().all(|&v| v == u64::MAX));
    }

    #[test]
    fn groups_are_connected_components_largest_first() {
        let p = |a, b| NearDuplicate {
            a,
            b,
            jaccard: 0.9,
            estimated: 0.9,
        };
        let g = groups(8, &[p(5, 6), p(0, 3), p(3, 7), p(9, 1)]);
        assert_eq!(g, vec![vec![0, 3, 7], vec![5, 6]]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Lowercasing eight bytes at once inside the word hash is the byte-wise lowercase.
        #[test]
        fn eight_bytes_lowercase_at_once_as_one_at_a_time(
            word in proptest::collection::vec(0u8..0x80, 0..40)
        ) {
            let lower = word.to_ascii_lowercase();
            prop_assert_eq!(word_hash(&word, lower_ascii8), word_hash(&lower, |x| x));
            for c in word.chunks(8) {
                let mut b = [0u8; 8];
                b[..c.len()].copy_from_slice(c);
                let mut l = b;
                l.make_ascii_lowercase();
                prop_assert_eq!(lower_ascii8(u64::from_le_bytes(b)), u64::from_le_bytes(l));
            }
        }

        /// The rolled hash of each shingle is the polynomial of its own words.
        #[test]
        fn rolled_shingles_are_each_windows_polynomial(
            words in proptest::collection::vec(any::<u64>(), 0..30),
            k in 1usize..7,
        ) {
            let poly = |ws: &[u64]| ws.iter().fold(0u64, |h, &w| {
                h.wrapping_mul(SHINGLE_BASE).wrapping_add(w)
            });
            let want: Vec<u64> = if words.len() < k {
                if words.is_empty() { vec![] } else { vec![poly(&words)] }
            } else {
                words.windows(k).map(poly).collect()
            };
            prop_assert_eq!(rolling_shingles(&words, k), want);
        }

        /// The ASCII path finds exactly the words of the general segmenter, on texts made of
        /// the characters whose word-break classes differ.
        #[test]
        fn ascii_words_are_the_unicode_words(
            text in proptest::collection::vec(
                proptest::sample::select(b"aZq3_.:',;\" -\n\r\t!?/()&$%#@".to_vec()), 0..40)
        ) {
            let text = String::from_utf8(text).unwrap();
            let ours: Vec<&str> = ascii_words(&text).collect();
            let theirs: Vec<&str> = text.unicode_words().collect();
            prop_assert_eq!(ours, theirs);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        // Verification is exact: every reported pair reaches the threshold, whatever LSH
        // proposed, and no pair is reported twice or out of order.
        #[test]
        fn reported_pairs_are_verified_and_unique(
            words in proptest::collection::vec(0u8..12, 0..60),
            edits in proptest::collection::vec((0usize..60, 0u8..12), 0..6),
        ) {
            let text: String = words.iter().map(|w| format!("w{w} ")).collect();
            let mut edited = words.clone();
            for (at, w) in edits {
                if at < edited.len() {
                    edited[at] = w;
                }
            }
            let other: String = edited.iter().map(|w| format!("w{w} ")).collect();
            let texts = [text.as_str(), other.as_str(), text.as_str()];
            let cfg = DedupConfig::default();
            let r = dedup(&texts, &cfg);
            let mut seen = std::collections::HashSet::new();
            for p in &r.pairs {
                prop_assert!(p.a < p.b);
                prop_assert!(seen.insert((p.a, p.b)));
                prop_assert!(p.jaccard >= cfg.threshold);
                let exact = |i: usize| shingle_set(texts[i], cfg.shingle);
                prop_assert_eq!(p.jaccard, jaccard(&exact(p.a), &exact(p.b)));
            }
            // Identical non-empty texts always collide in every band.
            if !words.is_empty() {
                prop_assert!(r.pairs.iter().any(|p| (p.a, p.b) == (0, 2)));
            }
        }
    }
}
