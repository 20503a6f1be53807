//! The seam for sentence embeddings: the [`Embedder`] trait the engine calls, and the vector
//! helpers the similarity functions use. The models themselves live in `wiretrace-semantic`, so
//! the engine carries no inference dependency and works lexically without them.

use std::sync::Arc;

/// Turns sentences into unit-length vectors whose dot product measures closeness of meaning.
pub trait Embedder: Send + Sync {
    /// Identifies the model (stored with any data that depends on it).
    fn id(&self) -> &str;
    /// Embeds a batch of texts; each vector has unit length. On failure the engine falls back to
    /// lexical similarity for the batch.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String>;
}

/// A shared embedding vector.
pub type Vector = Arc<[f32]>;

/// Dot product (cosine for unit vectors), clamped to [-1, 1].
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let d: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    f64::from(d).clamp(-1.0, 1.0)
}

/// The normalised sum of vectors (the embedding of a merged passage, or of a document).
pub fn mean(vs: &[&[f32]]) -> Option<Vector> {
    weighted_mean(vs.iter().map(|v| (*v, 1.0)))
}

/// The normalised position-weighted mean of a document's sentence vectors, sentence `i`
/// (counted from 0) weighing `1 / (1 + i)`: news puts the gist first, so the lead sentences say
/// most of what an article is about, while later ones still count. The weights are a stated
/// choice, not a fitted one: of the document vectors compared by the `semeval_probe` example
/// (means of the first k sentences, decays 1/(1 + d·i)), this one followed human "same story"
/// judgements best without being cut to a fixed number of sentences.
pub fn lead_weighted_mean(vs: &[&[f32]]) -> Option<Vector> {
    weighted_mean(
        vs.iter()
            .enumerate()
            .map(|(i, v)| (*v, 1.0 / (1.0 + i as f32))),
    )
}

/// The normalised sum of `weight × vector`; `None` for no vectors.
fn weighted_mean<'a>(vs: impl IntoIterator<Item = (&'a [f32], f32)>) -> Option<Vector> {
    let mut it = vs.into_iter().peekable();
    let mut out = vec![0f32; it.peek()?.0.len()];
    for (v, w) in it {
        for (o, x) in out.iter_mut().zip(v.iter()) {
            *o += w * x;
        }
    }
    let n = out.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        out.iter_mut().for_each(|x| *x /= n);
    }
    Some(out.into())
}

/// An [`Embedder`] that remembers every text it embedded: repeated sentences (wire boilerplate,
/// the same quote in many articles, a fitting program's grid search) are embedded once.
pub struct Cached<E> {
    inner: E,
    cache: std::sync::Mutex<std::collections::HashMap<String, Vector>>,
}

impl<E: Embedder> Cached<E> {
    /// Wraps an embedder.
    pub fn new(inner: E) -> Self {
        Cached {
            inner,
            cache: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

impl<E: Embedder> Embedder for Cached<E> {
    fn id(&self) -> &str {
        self.inner.id()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        let missing: Vec<&str> = {
            let cache = self
                .cache
                .lock()
                .map_err(|_| "embedding cache poisoned".to_string())?;
            let mut m: Vec<&str> = texts
                .iter()
                .copied()
                .filter(|t| !cache.contains_key(*t))
                .collect();
            m.sort_unstable();
            m.dedup();
            m
        };
        if !missing.is_empty() {
            let vs = self.inner.embed(&missing)?;
            let mut cache = self
                .cache
                .lock()
                .map_err(|_| "embedding cache poisoned".to_string())?;
            for (t, v) in missing.iter().zip(vs) {
                cache.insert((*t).to_string(), v.into());
            }
        }
        let cache = self
            .cache
            .lock()
            .map_err(|_| "embedding cache poisoned".to_string())?;
        texts
            .iter()
            .map(|t| {
                cache
                    .get(*t)
                    .map(|v| v.to_vec())
                    .ok_or_else(|| "embedding missing".to_string())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counting(std::sync::atomic::AtomicUsize);
    impl Embedder for Counting {
        fn id(&self) -> &str {
            "counting"
        }
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            self.0
                .fetch_add(texts.len(), std::sync::atomic::Ordering::SeqCst);
            Ok(texts.iter().map(|t| vec![t.len() as f32, 1.0]).collect())
        }
    }

    #[test]
    fn cached_embedder_embeds_each_text_once() {
        let c = Cached::new(Counting(std::sync::atomic::AtomicUsize::new(0)));
        let a = c.embed(&["x", "yy", "x"]).unwrap();
        let b = c.embed(&["yy", "zzz"]).unwrap();
        assert_eq!(a[0], a[2]);
        assert_eq!(a[1], b[0]);
        assert_eq!(c.inner.0.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn mean_of_unit_vectors_is_unit_and_cosine_is_bounded() {
        let a = [1.0f32, 0.0];
        let b = [0.0f32, 1.0];
        let m = mean(&[&a, &b]).unwrap();
        assert!((cosine(&m, &m) - 1.0).abs() < 1e-6);
        assert!((cosine(&a, &b)).abs() < 1e-9);
        assert!(mean(&[]).is_none());
    }

    #[test]
    fn lead_weighted_mean_weighs_sentence_i_by_one_over_one_plus_i() {
        let (a, b, c) = ([1.0f32, 0.0, 0.0], [0.0f32, 1.0, 0.0], [0.0f32, 0.0, 1.0]);
        let m = lead_weighted_mean(&[&a, &b, &c]).unwrap();
        // Weights 1, 1/2, 1/3, then normalised.
        let n = (1.0f32 + 0.25 + 1.0 / 9.0).sqrt();
        for (got, want) in m.iter().zip([1.0 / n, 0.5 / n, 1.0 / (3.0 * n)]) {
            assert!((got - want).abs() < 1e-6, "{m:?}");
        }
        // The lead counts more: swapping the first two sentences moves the vector.
        let swapped = lead_weighted_mean(&[&b, &a, &c]).unwrap();
        assert!(cosine(&m, &a) > cosine(&swapped, &a));
        // One sentence is its own document vector; none gives none.
        assert_eq!(&*lead_weighted_mean(&[&b]).unwrap(), &b[..]);
        assert!(lead_weighted_mean(&[]).is_none());
    }
}
