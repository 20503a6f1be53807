//! Sentence embeddings with all-MiniLM-L6-v2 in pure Rust: tokenizers for WordPiece, candle for
//! the 6-layer BERT, mean pooling over the attention mask and L2 normalisation — the recipe of the
//! sentence-transformers model, reproduced exactly (CRATES.md measured cosine 1.000000 against
//! the Python reference).
//!
//! Cost: the forward pass is quadratic in sequence length, so texts are sorted by length and
//! batched with their neighbours (little padding); batches are embedded in parallel with rayon,
//! each on its own thread, because candle's CPU kernels use one thread per call for small
//! matrices. Identical texts are embedded once.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use rayon::prelude::*;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::model::ModelError;

/// Sentences per forward pass.
const BATCH: usize = 32;
/// Word pieces kept per sentence (the model was trained with 256).
const MAX_TOKENS: usize = 256;

/// A loaded BERT sentence encoder.
pub struct BertEmbedder {
    id: String,
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
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
        let device = Device::Cpu;
        let config: Config = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| load_err("config.json", dir, e))
            .and_then(|s| serde_json::from_str(&s).map_err(|e| load_err("config.json", dir, e)))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| load_err("tokenizer.json", dir, e))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| load_err("tokenizer.json", dir, e))?;
        let weights = std::fs::read(dir.join("model.safetensors"))
            .map_err(|e| load_err("model.safetensors", dir, e))?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
            .map_err(|e| load_err("model.safetensors", dir, e))?;
        let model =
            BertModel::load(vb, &config).map_err(|e| load_err("the BERT weights", dir, e))?;
        Ok(BertEmbedder {
            id: id.to_string(),
            model,
            tokenizer,
            device,
        })
    }

    /// The tokenizer (WordPiece, with the model's padding and truncation settings).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Mean of the last hidden states over every position of each sequence in `ids` (`n`
    /// sequences of equal length, no padding): the output embedding of a token in context, as
    /// the static model's distillation needs it.
    pub fn mean_hidden(&self, ids: Vec<u32>, n: usize) -> Result<Vec<Vec<f32>>, String> {
        let len = ids.len() / n.max(1);
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (n, len), &self.device)?;
            let mask = ids.ones_like()?;
            let types = ids.zeros_like()?;
            let hidden = self.model.forward(&ids, &types, Some(&mask))?;
            hidden.mean(1)?.to_vec2::<f32>()
        };
        run().map_err(|e| e.to_string())
    }

    /// The unit-length last hidden state of every word piece of each text, special tokens left
    /// out: the token embeddings in context that a BERTScore-style greedy alignment of two
    /// sentences compares. One text per forward pass (no padding to mask out).
    pub fn token_states(&self, texts: &[&str]) -> Result<Vec<Vec<Vec<f32>>>, String> {
        texts
            .par_iter()
            .map(|t| {
                let enc = self.tokenizer.encode(*t, true).map_err(|e| e.to_string())?;
                let ids: Vec<u32> = enc.get_ids().to_vec();
                let special = enc.get_special_tokens_mask().to_vec();
                let n = ids.len();
                let run = || -> candle_core::Result<Vec<Vec<f32>>> {
                    let ids = Tensor::from_vec(ids, (1, n), &self.device)?;
                    let mask = ids.ones_like()?;
                    let types = ids.zeros_like()?;
                    let hidden = self.model.forward(&ids, &types, Some(&mask))?.squeeze(0)?;
                    unit_rows(&hidden)?.to_vec2::<f32>()
                };
                let states = run().map_err(|e| e.to_string())?;
                Ok(states
                    .into_iter()
                    .zip(special)
                    .filter(|(_, s)| *s == 0)
                    .map(|(v, _)| v)
                    .collect())
            })
            .collect()
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| e.to_string())?;
        let n = enc.len();
        let len = enc
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut ids = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for e in &enc {
            let (i, m) = (e.get_ids(), e.get_attention_mask());
            ids.extend(i.iter().copied().chain(std::iter::repeat(0)).take(len));
            mask.extend(m.iter().copied().chain(std::iter::repeat(0)).take(len));
        }
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (n, len), &self.device)?;
            let mask = Tensor::from_vec(mask, (n, len), &self.device)?;
            let types = ids.zeros_like()?;
            let hidden = self.model.forward(&ids, &types, Some(&mask))?;
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&m)?.sum(1)?;
            let counts = m.sum(1)?.clamp(1e-9, f64::MAX)?;
            let pooled = summed.broadcast_div(&counts)?;
            unit_rows(&pooled)?.to_vec2::<f32>()
        };
        run().map_err(|e| e.to_string())
    }
}

/// Each row of a 2-D tensor scaled to unit length (cosine becomes a dot product).
fn unit_rows(t: &Tensor) -> candle_core::Result<Tensor> {
    let norm = t.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
    t.broadcast_div(&norm)
}

impl wiretrace::semantic::Embedder for BertEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        // Unique texts, sorted by length so each batch pads little.
        let mut unique: Vec<&str> = texts.to_vec();
        unique.sort_by_key(|t| (t.len(), *t));
        unique.dedup();
        let batches: Vec<&[&str]> = unique.chunks(BATCH).collect();
        let vectors: Vec<Vec<Vec<f32>>> = batches
            .par_iter()
            .map(|b| self.embed_batch(b))
            .collect::<Result<_, _>>()?;
        let index: HashMap<&str, &Vec<f32>> = unique
            .iter()
            .copied()
            .zip(vectors.iter().flatten())
            .collect();
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
