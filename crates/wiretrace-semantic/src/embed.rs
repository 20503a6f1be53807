//! Sentence embeddings with all-MiniLM-L6-v2 in pure Rust: tokenizers for WordPiece, the packed
//! BERT forward pass of [`crate::encoder`], mean pooling over each sentence's tokens and L2
//! normalisation — the recipe of the sentence-transformers model, reproduced (BENCHMARKS.md
//! records the agreement with the Python reference).
//!
//! Cost: a batch packs its sentences without padding, so its cost is its token count; batches
//! hold about [`BATCH_TOKENS`] tokens and run in parallel with rayon, at least one per thread.
//! Identical texts are embedded once.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

use crate::encoder::{Encoder, Packed};
use crate::install::ModelError;

/// Tokens per forward pass: enough rows for the matrix kernels to run at full speed (the
/// weights are packed once per product), activations ~15 KB per token. Measured on 2,000 MSRP
/// sentences, one thread: 512 to 4,096 all within 3% of each other.
pub const BATCH_TOKENS: usize = 2048;
/// Word pieces kept per sentence (the model was trained with 256).
const MAX_TOKENS: usize = 256;

/// A loaded BERT sentence encoder.
pub struct BertEmbedder {
    id: String,
    encoder: Encoder,
    tokenizer: Tokenizer,
}

impl std::fmt::Debug for BertEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BertEmbedder")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn load_err(what: &str, dir: &Path, e: impl std::fmt::Display) -> ModelError {
    ModelError::Io {
        context: format!("loading {what} from {}", dir.display()),
        source: std::io::Error::other(e.to_string()),
    }
}

impl BertEmbedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from a folder.
    pub fn load(id: &str, dir: &Path) -> Result<Self, ModelError> {
        let config = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| load_err("config.json", dir, e))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| load_err("tokenizer.json", dir, e))?;
        let weights = std::fs::read(dir.join("model.safetensors"))
            .map_err(|e| load_err("model.safetensors", dir, e))?;
        let encoder =
            Encoder::load(&config, &weights).map_err(|e| load_err("the BERT weights", dir, e))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS.min(encoder.max_positions()),
                ..TruncationParams::default()
            }))
            .map_err(|e| load_err("tokenizer.json", dir, e))?;
        Ok(BertEmbedder {
            id: id.to_string(),
            encoder,
            tokenizer,
        })
    }

    /// The tokenizer (WordPiece, with the model's truncation; no padding).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Mean of the last hidden states over every position of each sequence in `ids` (`n`
    /// sequences of equal length): the output embedding of a token in context, as the static
    /// model's distillation needs it. Runs on the calling thread.
    pub fn mean_hidden(&self, ids: Vec<u32>, n: usize) -> Result<Vec<Vec<f32>>, String> {
        let len = ids.len() / n.max(1);
        let seqs: Vec<&[u32]> = ids.chunks(len.max(1)).take(n).collect();
        let out = self.encoder.forward(&seqs)?;
        Ok((0..out.len()).map(|i| mean_rows(&out, i)).collect())
    }

    /// The unit-length last hidden state of every word piece of each text, special tokens left
    /// out: the token embeddings in context that a BERTScore-style greedy alignment of two
    /// sentences compares.
    pub fn token_states(&self, texts: &[&str]) -> Result<Vec<Vec<Vec<f32>>>, String> {
        let enc = self.encode(texts)?;
        self.forward_each(&enc, |out, i, e| {
            out.rows(i)
                .chunks_exact(out.width)
                .zip(e.get_special_tokens_mask())
                .filter(|(_, s)| **s == 0)
                .map(|(v, _)| unit(v.to_vec()))
                .collect()
        })
    }

    /// Runs the encoder over the tokenized texts in parallel batches and maps each text's hidden
    /// states (sequence `i` of the batch's [`Packed`]) with `each`, in the order of `enc`.
    fn forward_each<T: Send>(
        &self,
        enc: &[tokenizers::Encoding],
        each: impl Fn(&Packed, usize, &tokenizers::Encoding) -> T + Sync,
    ) -> Result<Vec<T>, String> {
        let ranges = batches(&enc.iter().map(|e| e.get_ids().len()).collect::<Vec<_>>());
        let parts: Vec<Vec<T>> = ranges
            .par_iter()
            .map(|range| {
                let batch = &enc[range.clone()];
                let seqs: Vec<&[u32]> = batch.iter().map(|e| e.get_ids()).collect();
                let out = self.encoder.forward(&seqs)?;
                Ok(batch
                    .iter()
                    .enumerate()
                    .map(|(i, e)| each(&out, i, e))
                    .collect())
            })
            .collect::<Result<_, String>>()?;
        Ok(parts.into_iter().flatten().collect())
    }

    fn encode(&self, texts: &[&str]) -> Result<Vec<tokenizers::Encoding>, String> {
        self.tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| e.to_string())
    }
}

/// Contiguous ranges of sequences holding about [`BATCH_TOKENS`] tokens each, and at least as
/// many ranges as rayon has threads when there are that many sequences of similar length (a
/// greedy cut at an equal token budget: one long sequence can take a share alone), so a small
/// call still uses every core.
fn batches(lens: &[usize]) -> Vec<std::ops::Range<usize>> {
    let total: usize = lens.iter().sum();
    let parts = total
        .div_ceil(BATCH_TOKENS)
        .max(rayon::current_num_threads())
        .min(lens.len())
        .max(1);
    let budget = total.div_ceil(parts).max(1);
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut acc) = (0, 0);
    for (i, &len) in lens.iter().enumerate() {
        acc += len;
        if acc >= budget {
            out.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    if start < lens.len() {
        out.push(start..lens.len());
    }
    out
}

/// Mean of the rows of sequence `i`.
fn mean_rows(out: &Packed, i: usize) -> Vec<f32> {
    let mut mean = vec![0f32; out.width];
    let rows = out.rows(i);
    for row in rows.chunks_exact(out.width) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    let n = (rows.len() / out.width.max(1)).max(1) as f32;
    mean.iter_mut().for_each(|m| *m /= n);
    mean
}

/// The vector scaled to unit length (cosine becomes a dot product).
fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

impl wiretrace::semantic::Embedder for BertEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        // Unique texts, sorted by length so each batch's sentences are alike.
        let mut unique: Vec<&str> = texts.to_vec();
        unique.sort_by_key(|t| (t.len(), *t));
        unique.dedup();
        let enc = self.encode(&unique)?;
        let vectors = self.forward_each(&enc, |out, i, _| unit(mean_rows(out, i)))?;
        let index: HashMap<&str, &Vec<f32>> = unique.iter().copied().zip(&vectors).collect();
        texts
            .iter()
            .map(|t| {
                index
                    .get(t)
                    .map(|v| (*v).clone())
                    .ok_or_else(|| "embedding missing".to_string())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_every_sequence_once_in_order_and_use_every_thread() {
        for lens in [
            vec![],
            vec![5],
            vec![30; 7],
            vec![300; 40],
            (1..200).collect::<Vec<_>>(),
        ] {
            let ranges = batches(&lens);
            let mut next = 0;
            for r in &ranges {
                assert_eq!(r.start, next, "{lens:?}: {ranges:?}");
                assert!(r.end > r.start);
                next = r.end;
            }
            assert_eq!(next, lens.len());
            let total: usize = lens.iter().sum();
            let want = total
                .div_ceil(BATCH_TOKENS)
                .max(rayon::current_num_threads())
                .min(lens.len());
            assert!(ranges.len() >= want, "{lens:?}: {} < {want}", ranges.len());
        }
    }
}
