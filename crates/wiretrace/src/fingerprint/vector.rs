//! Term vectors: a fingerprint's content terms weighted under the corpus statistics, for the
//! topical cosine and the entity overlap of a pair (the screen before alignment and the pair
//! features both read them).

use crate::align;
use crate::fingerprint::{CorpusStats, Fingerprint};

/// A document's weighted content-term vector (sublinear term frequency × term weight).
#[derive(Debug, Clone)]
pub struct DocVector {
    terms: Vec<(u64, f32, bool)>,
    norm: f32,
}

impl DocVector {
    /// The vector of `fp` under `stats`.
    pub fn new(fp: &Fingerprint, stats: &CorpusStats) -> Self {
        DocVector::with_idf(fp, &|stem| stats.idf(stem))
    }

    /// [`DocVector::new`] with the idf from `idf` (equal to [`CorpusStats::idf`]).
    pub fn with_idf(fp: &Fingerprint, idf: &dyn Fn(u64) -> f64) -> Self {
        let terms: Vec<(u64, f32, bool)> = fp
            .terms
            .iter()
            .map(|t| {
                let tf = 1.0 + (t.count as f32).ln();
                (
                    t.stem,
                    tf * align::term_weight(t.entity, t.numeric, idf(t.stem)),
                    t.entity || t.numeric,
                )
            })
            .collect();
        let norm = terms.iter().map(|t| t.1 * t.1).sum::<f32>().sqrt();
        DocVector { terms, norm }
    }

    /// Cosine of two term vectors, in [0, 1].
    pub fn cosine(&self, other: &DocVector) -> f64 {
        if self.norm == 0.0 || other.norm == 0.0 {
            return 0.0;
        }
        let mut dot = 0f32;
        merge_terms(&self.terms, &other.terms, |x, y| dot += x.1 * y.1);
        f64::from(dot / (self.norm * other.norm)).clamp(0.0, 1.0)
    }

    /// Weighted Jaccard of the entity and number terms.
    pub fn entity_overlap(&self, other: &DocVector) -> f64 {
        let wa: f32 = self.terms.iter().filter(|t| t.2).map(|t| t.1).sum();
        let wb: f32 = other.terms.iter().filter(|t| t.2).map(|t| t.1).sum();
        let mut shared_min = 0f32;
        merge_terms(&self.terms, &other.terms, |x, y| {
            if x.2 || y.2 {
                shared_min += x.1.min(y.1);
            }
        });
        let union = wa + wb - shared_min;
        if union <= 0.0 {
            0.0
        } else {
            f64::from(shared_min / union).clamp(0.0, 1.0)
        }
    }
}

fn merge_terms(
    a: &[(u64, f32, bool)],
    b: &[(u64, f32, bool)],
    mut f: impl FnMut(&(u64, f32, bool), &(u64, f32, bool)),
) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(&a[i], &b[j]);
                i += 1;
                j += 1;
            }
        }
    }
}
