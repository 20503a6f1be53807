//! The similarity matrix of a pair, kept sparse: the cells worth scoring and their scores, best
//! first.

use rustc_hash::FxHashMap;

use super::{AlignConfig, SentenceFeatures, SentenceSimilarity};

/// A scored cell of the matrix: `(similarity, sentence of a, sentence of b)`.
pub(super) type Cell = (f64, usize, usize);

/// A stem found in more sentences of b than this (a repeated refrain) proposes nothing, unless b
/// is long enough that an eighth of it is more.
const MAX_POSTING: usize = 64;
/// Cells kept per sentence of a, so the work stays bounded whatever the input.
const ROW_CELLS: usize = 8;

/// The cells that can score: only those that share a content stem (or, with embeddings on both
/// sides and small documents, every cell), sorted by decreasing similarity, ties by position.
pub(super) fn cells(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    sim: &dyn SentenceSimilarity,
    config: &AlignConfig,
) -> Vec<Cell> {
    let floor = config.link_threshold.min(config.context_threshold);
    let dense = fa.first().is_some_and(|f| f.embedding.is_some())
        && fb.first().is_some_and(|f| f.embedding.is_some())
        && fa.len() * fb.len() <= 10_000;
    let postings = Postings::of(fb);
    let mut cells: Vec<Cell> = Vec::new();
    let mut seen = vec![usize::MAX; fb.len()];
    let mut row: Vec<Cell> = Vec::new();
    for (i, f) in fa.iter().enumerate() {
        row.clear();
        let mut consider = |j: usize, row: &mut Vec<Cell>| {
            if seen[j] != i {
                seen[j] = i;
                let v = sim.similarity(f, &fb[j]);
                if v >= floor {
                    row.push((v, i, j));
                }
            }
        };
        if dense {
            for j in 0..fb.len() {
                consider(j, &mut row);
            }
        } else {
            for &(s, _) in &f.stems {
                for &j in postings.sentences_with(s) {
                    consider(j, &mut row);
                }
            }
        }
        // Sentences without content stems (rare) can still be verbatim.
        if f.stems.is_empty() {
            for &j in postings
                .exact
                .get(f.tokens.as_slice())
                .into_iter()
                .flatten()
            {
                row.push((1.0, i, j));
            }
        }
        row.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.2.cmp(&y.2)));
        cells.extend(row.iter().take(ROW_CELLS));
    }
    cells.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    cells
}

/// Side b's sentences by content stem, and by their whole token sequence for the sentences that
/// have no content stem.
struct Postings<'a> {
    by_stem: FxHashMap<u64, Vec<usize>>,
    exact: FxHashMap<&'a [u64], Vec<usize>>,
    cap: usize,
}

impl<'a> Postings<'a> {
    fn of(fb: &'a [SentenceFeatures]) -> Self {
        let mut by_stem: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
        let mut exact: FxHashMap<&[u64], Vec<usize>> = FxHashMap::default();
        for (j, f) in fb.iter().enumerate() {
            for &(s, _) in &f.stems {
                by_stem.entry(s).or_default().push(j);
            }
            if f.stems.is_empty() && !f.tokens.is_empty() {
                exact.entry(&f.tokens).or_default().push(j);
            }
        }
        Postings {
            by_stem,
            exact,
            cap: MAX_POSTING.max(fb.len() / 8),
        }
    }

    /// Sentences of b holding `stem`; none when the stem is too common to tell anything.
    fn sentences_with(&self, stem: u64) -> &[usize] {
        self.by_stem
            .get(&stem)
            .filter(|js| js.len() <= self.cap)
            .map_or(&[], |js| js.as_slice())
    }
}
