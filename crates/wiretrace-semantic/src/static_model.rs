//! The static model: one vector per WordPiece token, distilled from MiniLM on this machine, so a
//! text's embedding is the normalised sum of its tokens' vectors — tens of thousands of
//! sentences per second per core, cheap enough for every document of a corpus (screening,
//! candidate blocking, story similarity), while MiniLM itself aligns sentences inside pairs.
//!
//! The recipe is model2vec's (Tulkens & van Dongen 2024): each vocabulary token is run through
//! the transformer alone (`[SEP] token [CLS]`, the order model2vec found best) and the mean of
//! the output states is its vector; the vectors are centred (the first step of model2vec's PCA;
//! keeping all 384 dimensions makes the rest of the PCA a rotation, which cosines ignore), then
//! weighted by SIF with frequencies estimated from the vocabulary rank by Zipf's law
//! (`a / (a + p(rank))`, a = 1e-4). No Python and no download beyond MiniLM: the distillation
//! runs once, in about half a minute on two cores, and is cached beside the model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use rayon::prelude::*;
use safetensors::{Dtype, SafeTensors};
use tokenizers::Tokenizer;

use crate::embed::BertEmbedder;
use crate::install::ModelError;

/// File of the distilled vectors in the model folder (safetensors, tensor `embeddings`).
pub const FILE: &str = "static-v1.safetensors";
/// SIF coefficient (model2vec's default).
const SIF: f64 = 1e-4;
/// Token sequences per forward pass during distillation.
const BATCH: usize = 512;

/// A static (token-vector) sentence embedder.
pub struct StaticEmbedder {
    id: String,
    tokenizer: Tokenizer,
    /// `rows × dims`, row = token id; zero rows for special and unused tokens.
    vectors: Vec<f32>,
    dims: usize,
    /// Word pieces of each whitespace-separated chunk seen so far. BERT's tokenization never
    /// crosses whitespace, so tokenizing chunk by chunk equals tokenizing the text, and news
    /// repeats its words: the tokenizer runs once per distinct chunk instead of once per word.
    pieces: RwLock<HashMap<Box<str>, Box<[u32]>>>,
}

/// Distinct chunks remembered before the memo starts over (bounds its memory, ~100 MB).
const MEMO_LIMIT: usize = 1 << 20;

impl std::fmt::Debug for StaticEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticEmbedder")
            .field("id", &self.id)
            .field("dims", &self.dims)
            .finish_non_exhaustive()
    }
}

fn err(context: String, e: impl std::fmt::Display) -> ModelError {
    ModelError::Io {
        context,
        source: std::io::Error::other(e.to_string()),
    }
}

/// Whether a vocabulary entry carries no meaning of its own (`[PAD]`, `[CLS]`, `[unused12]`…).
fn is_special(token: &str) -> bool {
    token.starts_with('[') && token.ends_with(']')
}

impl StaticEmbedder {
    /// The static model in `dir` (MiniLM's folder), distilling it from `bert` first when it is
    /// not there yet.
    pub fn load_or_distill(bert: &BertEmbedder, dir: &Path) -> Result<Self, ModelError> {
        let path = dir.join(FILE);
        if path.exists() {
            if let Ok(m) = Self::load(bert, &path) {
                return Ok(m);
            }
        }
        let m = Self::distill(bert)?;
        m.save(&path)?;
        Ok(m)
    }

    /// Distils the token vectors from the transformer.
    pub fn distill(bert: &BertEmbedder) -> Result<Self, ModelError> {
        let tokenizer = plain_tokenizer(bert.tokenizer());
        let rows = tokenizer.get_vocab_size(true);
        let (cls, sep) = (
            tokenizer.token_to_id("[CLS]").unwrap_or(101),
            tokenizer.token_to_id("[SEP]").unwrap_or(102),
        );
        let keep: Vec<u32> = (0..rows as u32)
            .filter(|&id| tokenizer.id_to_token(id).is_some_and(|t| !is_special(&t)))
            .collect();
        let outputs: Vec<Vec<Vec<f32>>> = keep
            .par_chunks(BATCH)
            .map(|chunk| {
                let ids: Vec<u32> = chunk.iter().flat_map(|&id| [sep, id, cls]).collect();
                bert.mean_hidden(ids, chunk.len())
            })
            .collect::<Result<_, _>>()
            .map_err(|e| err("distilling the static model".into(), e))?;
        let outputs: Vec<Vec<f32>> = outputs.into_iter().flatten().collect();
        let dims = outputs.first().map_or(0, Vec::len);
        // Centre, then weight by SIF over the Zipf-estimated frequency of each kept token's rank.
        let mut centre = vec![0f64; dims];
        for v in &outputs {
            for (c, x) in centre.iter_mut().zip(v) {
                *c += f64::from(*x);
            }
        }
        centre
            .iter_mut()
            .for_each(|c| *c /= outputs.len().max(1) as f64);
        let harmonic: f64 = (0..keep.len()).map(|r| 1.0 / (r as f64 + 2.0)).sum();
        let mut vectors = vec![0f32; rows * dims];
        for (rank, (&id, v)) in keep.iter().zip(&outputs).enumerate() {
            let p = 1.0 / (rank as f64 + 2.0) / harmonic;
            let w = SIF / (SIF + p);
            let row = &mut vectors[id as usize * dims..(id as usize + 1) * dims];
            for ((o, x), c) in row.iter_mut().zip(v).zip(&centre) {
                *o = ((f64::from(*x) - c) * w) as f32;
            }
        }
        Ok(Self::new(bert, tokenizer, vectors, dims))
    }

    fn new(bert: &BertEmbedder, tokenizer: Tokenizer, vectors: Vec<f32>, dims: usize) -> Self {
        StaticEmbedder {
            id: format!("{}-static-v1", bert_id(bert)),
            tokenizer,
            vectors,
            dims,
            pieces: RwLock::default(),
        }
    }

    fn load(bert: &BertEmbedder, path: &Path) -> Result<Self, ModelError> {
        let context = || format!("loading {}", path.display());
        let bytes = std::fs::read(path).map_err(|e| err(context(), e))?;
        let tensors = SafeTensors::deserialize(&bytes).map_err(|e| err(context(), e))?;
        let t = tensors
            .tensor("embeddings")
            .map_err(|_| err(context(), "no `embeddings`"))?;
        let &[rows, dims] = t.shape() else {
            return Err(err(context(), "`embeddings` is not a matrix"));
        };
        if t.dtype() != Dtype::F32 {
            return Err(err(context(), "`embeddings` is not F32"));
        }
        let tokenizer = plain_tokenizer(bert.tokenizer());
        if rows != tokenizer.get_vocab_size(true) {
            return Err(err(
                context(),
                "vocabulary size differs from the tokenizer's",
            ));
        }
        let vectors = crate::encoder::f32_values(t.data());
        Ok(Self::new(bert, tokenizer, vectors, dims))
    }

    /// Writes the vectors (atomically: a temporary file renamed into place).
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let rows = self.vectors.len() / self.dims.max(1);
        let bytes: Vec<u8> = self.vectors.iter().flat_map(|v| v.to_le_bytes()).collect();
        let view = safetensors::tensor::TensorView::new(Dtype::F32, vec![rows, self.dims], &bytes)
            .map_err(|e| err("storing the static model".into(), e))?;
        let tmp: PathBuf = path.with_extension(format!("tmp-{}", std::process::id()));
        safetensors::tensor::serialize_to_file([("embeddings", view)], None, &tmp)
            .map_err(|e| err(format!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, path).map_err(|e| err(format!("writing {}", path.display()), e))
    }

    /// Dimensions of a vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    fn embed_one(&self, text: &str) -> Result<Vec<f32>, String> {
        let mut out = vec![0f32; self.dims];
        let mut add = |ids: &[u32]| {
            for &id in ids {
                let start = id as usize * self.dims;
                if let Some(row) = self.vectors.get(start..start + self.dims) {
                    for (o, x) in out.iter_mut().zip(row) {
                        *o += x;
                    }
                }
            }
        };
        for chunk in text.split_whitespace() {
            let known = self
                .pieces
                .read()
                .ok()
                .and_then(|m| m.get(chunk).map(|ids| add(ids)));
            if known.is_some() {
                continue;
            }
            let enc = self
                .tokenizer
                .encode_fast(chunk, false)
                .map_err(|e| e.to_string())?;
            add(enc.get_ids());
            if let Ok(mut m) = self.pieces.write() {
                if m.len() >= MEMO_LIMIT {
                    m.clear();
                }
                m.insert(chunk.into(), enc.get_ids().into());
            }
        }
        let n = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            out.iter_mut().for_each(|x| *x /= n);
        }
        Ok(out)
    }
}

fn bert_id(bert: &BertEmbedder) -> String {
    wiretrace::semantic::Embedder::id(bert).to_string()
}

/// The tokenizer without padding or truncation (a document is embedded whole).
fn plain_tokenizer(t: &Tokenizer) -> Tokenizer {
    let mut t = t.clone();
    t.with_padding(None);
    // Removing truncation cannot fail.
    let _ = t.with_truncation(None);
    t
}

impl wiretrace::semantic::Embedder for StaticEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        texts.par_iter().map(|t| self.embed_one(t)).collect()
    }
}
