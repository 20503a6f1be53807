//! The BERT encoder's forward pass, written for sentence embedding on a CPU: the sentences of a
//! batch are packed row after row into one matrix instead of being padded to the longest, so the
//! dense layers — nearly all of the arithmetic — run as a few large matrix products with no
//! wasted rows, and only attention looks at where one sentence ends. The matrix products are the
//! `gemm` crate's kernels, chosen at run time for the CPU (AVX-512 where it exists: the crate's
//! `x86-v4` feature is turned on for that).
//!
//! It computes what the Hugging Face `BertModel` computes (absolute positions, token type 0,
//! post-layer-norm, erf GELU), from the same `config.json` and `model.safetensors`; the tests
//! hold it to candle's BERT on a random model, and BENCHMARKS.md records its agreement with
//! the PyTorch reference on real sentences.

use gemm::{gemm, Parallelism};
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;

/// The instruction set the matrix and element-wise kernels run with on this CPU (chosen at run
/// time): what `wiretrace model status` reports, since it sets the speed.
pub fn kernels() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return "AVX-512";
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return "AVX2 + FMA";
        }
        "SSE2 (no AVX2: about 4× slower than AVX-512)"
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        "portable (SIMD as the target allows)"
    }
}

/// The parts of a BERT `config.json` the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
struct BertConfig {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    #[serde(default = "default_act")]
    hidden_act: String,
    max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
}

fn default_act() -> String {
    "gelu".into()
}

fn default_eps() -> f64 {
    1e-12
}

/// A layer norm's scale and shift.
#[derive(Debug)]
struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

/// One transformer layer; every weight matrix is `out × in`, row-major, as stored.
#[derive(Debug)]
struct Layer {
    /// Query, key and value projections stacked (`3h × h`): one product instead of three.
    qkv_w: Vec<f32>,
    qkv_b: Vec<f32>,
    out_w: Vec<f32>,
    out_b: Vec<f32>,
    attn_norm: Norm,
    up_w: Vec<f32>,
    up_b: Vec<f32>,
    down_w: Vec<f32>,
    down_b: Vec<f32>,
    out_norm: Norm,
}

/// Which GELU the model was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// `x·Φ(x)`, with the exact normal CDF (Hugging Face's `gelu`).
    Erf,
    /// The tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    Tanh,
}

/// A loaded BERT encoder.
#[derive(Debug)]
pub struct Encoder {
    hidden: usize,
    heads: usize,
    inter: usize,
    eps: f32,
    act: Act,
    max_positions: usize,
    vocab: usize,
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embed_norm: Norm,
    layers: Vec<Layer>,
}

/// The forward pass as a [`pulp::WithSimd`] operation: unlike a closure's, its body is inlined
/// into the function pulp compiles for each instruction set.
struct Forward<'a> {
    encoder: &'a Encoder,
    seqs: &'a [&'a [u32]],
}

impl pulp::WithSimd for Forward<'_> {
    type Output = Result<Packed, String>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Self::Output {
        self.encoder.forward_packed(self.seqs)
    }
}

/// Sequences packed row after row: the rows of sequence `i` are `starts[i]..starts[i + 1]`.
#[derive(Debug, Clone)]
pub struct Packed {
    /// `rows × width` values, row-major.
    pub values: Vec<f32>,
    /// Row where each sequence starts, and the total row count last.
    pub starts: Vec<usize>,
    /// Values per row.
    pub width: usize,
}

impl Packed {
    /// The rows of sequence `i`, flattened.
    pub fn rows(&self, i: usize) -> &[f32] {
        &self.values[self.starts[i] * self.width..self.starts[i + 1] * self.width]
    }

    /// Number of sequences.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// True when no sequence is packed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The little-endian `f32`s of a safetensors F32 tensor's bytes (also the static model's).
pub(crate) fn f32_values(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Reads the named tensor as `f32`, checking its shape.
fn tensor(
    st: &SafeTensors,
    prefix: &str,
    names: &[&str],
    shape: &[usize],
) -> Result<Vec<f32>, String> {
    let found = names
        .iter()
        .find_map(|n| st.tensor(&format!("{prefix}{n}")).ok().map(|t| (n, t)));
    let Some((name, t)) = found else {
        return Err(format!("tensor `{prefix}{}` is missing", names[0]));
    };
    if t.shape() != shape {
        return Err(format!(
            "tensor `{prefix}{name}` has shape {:?}, the config says {shape:?}",
            t.shape()
        ));
    }
    match t.dtype() {
        Dtype::F32 => Ok(f32_values(t.data())),
        other => Err(format!(
            "tensor `{prefix}{name}` is {other:?}; only F32 weights are read"
        )),
    }
}

impl Encoder {
    /// Builds the encoder from a `config.json` text and the bytes of a `model.safetensors`
    /// (names with or without the `bert.` prefix; layer norms as `weight`/`bias` or the older
    /// `gamma`/`beta`).
    pub fn load(config: &str, weights: &[u8]) -> Result<Self, String> {
        let cfg: BertConfig =
            serde_json::from_str(config).map_err(|e| format!("config.json: {e}"))?;
        let (h, i) = (cfg.hidden_size, cfg.intermediate_size);
        if cfg.num_attention_heads == 0 || h % cfg.num_attention_heads != 0 {
            return Err(format!(
                "config.json: hidden_size {h} is not a multiple of num_attention_heads {}",
                cfg.num_attention_heads
            ));
        }
        let act = match cfg.hidden_act.as_str() {
            "gelu" => Act::Erf,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_approximate" => Act::Tanh,
            other => {
                return Err(format!(
                    "config.json: activation `{other}` is not supported"
                ))
            }
        };
        let st =
            SafeTensors::deserialize(weights).map_err(|e| format!("model.safetensors: {e}"))?;
        let prefix = if st.names().iter().any(|n| n.starts_with("bert.")) {
            "bert."
        } else {
            ""
        };
        let t = |names: &[&str], shape: &[usize]| tensor(&st, prefix, names, shape);
        let norm = |base: &str| -> Result<Norm, String> {
            Ok(Norm {
                weight: t(&[&format!("{base}.weight"), &format!("{base}.gamma")], &[h])?,
                bias: t(&[&format!("{base}.bias"), &format!("{base}.beta")], &[h])?,
            })
        };
        let mut token_type = t(&["embeddings.token_type_embeddings.weight"], &[2, h])
            .or_else(|_| t(&["embeddings.token_type_embeddings.weight"], &[1, h]))?;
        token_type.truncate(h);
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for l in 0..cfg.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let mut qkv_w = Vec::with_capacity(3 * h * h);
            let mut qkv_b = Vec::with_capacity(3 * h);
            for part in ["query", "key", "value"] {
                qkv_w.extend(t(&[&format!("{p}.attention.self.{part}.weight")], &[h, h])?);
                qkv_b.extend(t(&[&format!("{p}.attention.self.{part}.bias")], &[h])?);
            }
            layers.push(Layer {
                qkv_w,
                qkv_b,
                out_w: t(&[&format!("{p}.attention.output.dense.weight")], &[h, h])?,
                out_b: t(&[&format!("{p}.attention.output.dense.bias")], &[h])?,
                attn_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                up_w: t(&[&format!("{p}.intermediate.dense.weight")], &[i, h])?,
                up_b: t(&[&format!("{p}.intermediate.dense.bias")], &[i])?,
                down_w: t(&[&format!("{p}.output.dense.weight")], &[h, i])?,
                down_b: t(&[&format!("{p}.output.dense.bias")], &[h])?,
                out_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        Ok(Encoder {
            hidden: h,
            heads: cfg.num_attention_heads,
            inter: i,
            eps: cfg.layer_norm_eps as f32,
            act,
            max_positions: cfg.max_position_embeddings,
            vocab: cfg.vocab_size,
            word: t(&["embeddings.word_embeddings.weight"], &[cfg.vocab_size, h])?,
            position: t(
                &["embeddings.position_embeddings.weight"],
                &[cfg.max_position_embeddings, h],
            )?,
            token_type,
            embed_norm: norm("embeddings.LayerNorm")?,
            layers,
        })
    }

    /// Longest sequence the position table covers.
    pub fn max_positions(&self) -> usize {
        self.max_positions
    }

    /// The last hidden state of every token of every sequence (all tokens attend to each other
    /// within their sequence: there is no padding to mask). Runs on the calling thread; callers
    /// parallelise over batches.
    pub fn forward(&self, seqs: &[&[u32]]) -> Result<Packed, String> {
        // Compiled once per instruction set and chosen at run time, so the element-wise loops
        // (GELU, layer norms, softmax: a tenth of the time) use AVX-512 where the CPU has it,
        // as the matrix products do; a build for the baseline x86-64 would use 4-wide SSE only.
        pulp::Arch::new().dispatch(Forward {
            encoder: self,
            seqs,
        })
    }

    #[inline(always)]
    fn forward_packed(&self, seqs: &[&[u32]]) -> Result<Packed, String> {
        let h = self.hidden;
        let mut starts = Vec::with_capacity(seqs.len() + 1);
        let mut rows = 0;
        for s in seqs {
            if s.len() > self.max_positions {
                return Err(format!(
                    "a sequence of {} tokens is longer than the model's {} positions",
                    s.len(),
                    self.max_positions
                ));
            }
            if let Some(bad) = s.iter().find(|&&id| id as usize >= self.vocab) {
                return Err(format!("token id {bad} is outside the vocabulary"));
            }
            starts.push(rows);
            rows += s.len();
        }
        starts.push(rows);
        let longest = seqs.iter().map(|s| s.len()).max().unwrap_or(0);

        let mut x = vec![0f32; rows * h];
        for (s, &start) in seqs.iter().zip(&starts) {
            for (p, &id) in s.iter().enumerate() {
                let row = &mut x[(start + p) * h..(start + p + 1) * h];
                let word = &self.word[id as usize * h..(id as usize + 1) * h];
                let pos = &self.position[p * h..(p + 1) * h];
                for (((o, w), q), t) in row.iter_mut().zip(word).zip(pos).zip(&self.token_type) {
                    *o = w + q + t;
                }
            }
        }
        layer_norm(&mut x, h, &self.embed_norm, self.eps);

        let mut qkv = vec![0f32; rows * 3 * h];
        let mut ctx = vec![0f32; rows * h];
        let mut tmp = vec![0f32; rows * h];
        let mut up = vec![0f32; rows * self.inter];
        let mut scores = vec![0f32; longest * longest];
        for layer in &self.layers {
            linear(&mut qkv, &x, &layer.qkv_w, &layer.qkv_b, rows);
            self.attention(&qkv, &mut ctx, &mut scores, &starts);
            linear(&mut tmp, &ctx, &layer.out_w, &layer.out_b, rows);
            add_norm(&mut x, &tmp, &layer.attn_norm, self.eps);
            linear(&mut up, &x, &layer.up_w, &layer.up_b, rows);
            match self.act {
                Act::Erf => up.iter_mut().for_each(|v| *v = gelu_erf(*v)),
                Act::Tanh => up.iter_mut().for_each(|v| *v = gelu_tanh(*v)),
            }
            linear(&mut tmp, &up, &layer.down_w, &layer.down_b, rows);
            add_norm(&mut x, &tmp, &layer.out_norm, self.eps);
        }
        Ok(Packed {
            values: x,
            starts,
            width: h,
        })
    }

    /// Scaled dot-product attention of each head within each sequence: `ctx = softmax(q·kᵀ/√d)·v`.
    /// Two small products per head through gemm (~9% of the time for ~1% of the arithmetic);
    /// hand-written loops were slower (BENCHMARKS.md).
    #[inline(always)]
    fn attention(&self, qkv: &[f32], ctx: &mut [f32], scores: &mut [f32], starts: &[usize]) {
        let h = self.hidden;
        let d = h / self.heads;
        let scale = 1.0 / (d as f32).sqrt();
        for w in starts.windows(2) {
            let (start, n) = (w[0], w[1] - w[0]);
            if n == 0 {
                continue;
            }
            let scores = &mut scores[..n * n];
            for head in 0..self.heads {
                let q = start * 3 * h + head * d;
                let k = q + h;
                let v = q + 2 * h;
                // scores (n × n) = q (n × d, rows 3h apart) · kᵀ (d × n: k's rows as columns).
                matmul(
                    Out::new(scores, 0, n, 1),
                    Operand::new(qkv, q, 3 * h, 1),
                    Operand::new(qkv, k, 1, 3 * h),
                    Shape { m: n, n, k: d },
                    scale,
                );
                for row in scores.chunks_exact_mut(n) {
                    softmax(row);
                }
                // ctx rows (n × d, rows h apart) = scores (n × n) · v (n × d, rows 3h apart).
                matmul(
                    Out::new(ctx, start * h + head * d, h, 1),
                    Operand::new(scores, 0, n, 1),
                    Operand::new(qkv, v, 3 * h, 1),
                    Shape { m: n, n: d, k: n },
                    1.0,
                );
            }
        }
    }
}

/// `out (rows × o) = x (rows × i) · wᵀ + b` for a weight `w` stored `o × i`.
#[inline(always)]
fn linear(out: &mut [f32], x: &[f32], w: &[f32], b: &[f32], rows: usize) {
    let o = b.len();
    let i = w.len() / o.max(1);
    for row in out.chunks_exact_mut(o) {
        row.copy_from_slice(b);
    }
    matmul_acc(
        Out::new(out, 0, o, 1),
        Operand::new(x, 0, i, 1),
        Operand::new(w, 0, 1, i),
        Shape {
            m: rows,
            n: o,
            k: i,
        },
    );
}

/// `x = layer_norm(x + y)`, row by row: the residual connection of a post-norm transformer.
#[inline(always)]
fn add_norm(x: &mut [f32], y: &[f32], norm: &Norm, eps: f32) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
    layer_norm(x, norm.weight.len(), norm, eps);
}

#[inline(always)]
fn layer_norm(x: &mut [f32], width: usize, norm: &Norm, eps: f32) {
    for row in x.chunks_exact_mut(width) {
        let n = width as f32;
        let mean = sum(row, |v| v) / n;
        let var = sum(row, |v| (v - mean) * (v - mean)) / n;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, w), b) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}

/// A sum in 16 lanes: a float sum in one running total cannot be vectorised (the order of the
/// additions would change), sixteen running totals can.
#[inline(always)]
fn sum(values: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0f32; 16];
    let chunks = values.chunks_exact(16);
    let rest: f32 = chunks.remainder().iter().map(|v| f(*v)).sum();
    for chunk in chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += f(*v);
        }
    }
    lanes.iter().sum::<f32>() + rest
}

#[inline(always)]
fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = exp(*v - max);
        sum += *v;
    }
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|v| *v *= inv);
}

/// `eˣ` by Cephes' `expf` (range reduction by ln 2, a degree-6 polynomial, the exponent set
/// by bits): within 2 ulp, and inlined into the softmax loop, which then vectorises — the
/// library's `expf` is a call per element, and attention takes ~50,000 per sentence.
#[inline(always)]
fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // 2ⁿ for n in -126..=127 (the clamp keeps it there), built from its bits.
    y * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// `x·Φ(x)` with `erf` as a rational function of `x²` (Eigen's float erf, the one PyTorch's
/// vectorised CPU kernels use): within 2e-7 of the exact value, with no branch or library call,
/// so the loop over a layer's activations vectorises.
#[inline(always)]
fn gelu_erf(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

#[inline(always)]
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_6e-3;
    p = x2 * p + -1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329e-3;
    q = x2 * q + -1.426_474e-2;
    x * p / q
}

#[inline(always)]
fn gelu_tanh(x: f32) -> f32 {
    const C: f32 = 0.797_884_6; // √(2/π)
    0.5 * x * (1.0 + (C * (x + 0.044_715 * x * x * x)).tanh())
}

/// Where a matrix lives in a slice: first element, and the steps between rows and columns.
#[derive(Clone, Copy)]
struct Layout {
    offset: usize,
    row_step: usize,
    col_step: usize,
}

impl Layout {
    /// One past the last element a `rows × cols` matrix in this layout touches.
    fn end(&self, rows: usize, cols: usize) -> usize {
        if rows == 0 || cols == 0 {
            return self.offset;
        }
        self.offset + (rows - 1) * self.row_step + (cols - 1) * self.col_step + 1
    }
}

struct Operand<'a> {
    data: &'a [f32],
    at: Layout,
}

impl<'a> Operand<'a> {
    fn new(data: &'a [f32], offset: usize, row_step: usize, col_step: usize) -> Self {
        Operand {
            data,
            at: Layout {
                offset,
                row_step,
                col_step,
            },
        }
    }
}

struct Out<'a> {
    data: &'a mut [f32],
    at: Layout,
}

impl<'a> Out<'a> {
    fn new(data: &'a mut [f32], offset: usize, row_step: usize, col_step: usize) -> Self {
        Out {
            data,
            at: Layout {
                offset,
                row_step,
                col_step,
            },
        }
    }
}

/// `m × n` output, `k` summed over.
#[derive(Clone, Copy)]
struct Shape {
    m: usize,
    n: usize,
    k: usize,
}

/// `out = scale · lhs · rhs` (the previous contents of `out` ignored).
fn matmul(out: Out, lhs: Operand, rhs: Operand, s: Shape, scale: f32) {
    product(out, lhs, rhs, s, false, scale);
}

/// `out += lhs · rhs`.
fn matmul_acc(out: Out, lhs: Operand, rhs: Operand, s: Shape) {
    product(out, lhs, rhs, s, true, 1.0);
}

#[allow(unsafe_code)]
fn product(out: Out, lhs: Operand, rhs: Operand, s: Shape, accumulate: bool, scale: f32) {
    // Every element gemm reads or writes lies inside the slices: checked here, so that the
    // unsafe call below cannot go out of bounds whatever the caller passes.
    assert!(
        out.at.end(s.m, s.n) <= out.data.len(),
        "output out of bounds"
    );
    assert!(
        lhs.at.end(s.m, s.k) <= lhs.data.len(),
        "left operand out of bounds"
    );
    assert!(
        rhs.at.end(s.k, s.n) <= rhs.data.len(),
        "right operand out of bounds"
    );
    if s.m == 0 || s.n == 0 {
        return;
    }
    let step = |v: usize| v as isize;
    // SAFETY: the asserts above bound the three matrices inside their slices; `out` is a
    // unique borrow, so it overlaps neither operand; gemm reads and writes nothing else.
    // Measured reason for the raw-pointer kernel: it is the same one candle calls, without
    // candle's tensor bookkeeping, and the packed forward runs 2.6× faster than candle's BERT
    // (BENCHMARKS.md, "The semantic engine's cost per article").
    unsafe {
        gemm(
            s.m,
            s.n,
            s.k,
            out.data.as_mut_ptr().add(out.at.offset),
            step(out.at.col_step),
            step(out.at.row_step),
            accumulate,
            lhs.data.as_ptr().add(lhs.at.offset),
            step(lhs.at.col_step),
            step(lhs.at.row_step),
            rhs.data.as_ptr().add(rhs.at.offset),
            step(rhs.at.col_step),
            step(rhs.at.row_step),
            1.0,
            scale,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf by its Taylor series (f64, many terms): the yardstick for the rational form.
    fn erf_series(x: f64) -> f64 {
        if x.abs() > 3.0 {
            // The series converges slowly out there; erf is 1 to f32 precision beyond 3.9.
            let t = 1.0 / (1.0 + 0.5 * x.abs());
            let y = 1.0
                - t * (-x * x - 1.265_512_23
                    + t * (1.000_023_68
                        + t * (0.374_091_96
                            + t * (0.096_784_18
                                + t * (-0.186_288_06
                                    + t * (0.278_868_07
                                        + t * (-1.135_203_98
                                            + t * (1.488_515_87
                                                + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
                    .exp();
            return y.copysign(x);
        }
        let mut sum = 0.0;
        let mut term = x;
        for n in 0..80 {
            sum += term / (2 * n + 1) as f64;
            term *= -x * x / (n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_matches_the_series_to_float_precision() {
        let mut worst = 0f64;
        for i in -6000..=6000 {
            let x = i as f64 / 1000.0;
            let got = f64::from(erf(x as f32));
            worst = worst.max((got - erf_series(x)).abs());
        }
        assert!(worst < 1e-6, "worst error {worst}");
    }

    #[test]
    fn exp_matches_the_library_to_float_precision() {
        let mut worst = 0f32;
        for i in -87_000..=20_000 {
            let x = i as f32 / 1000.0;
            let want = x.exp();
            worst = worst.max((exp(x) - want).abs() / want);
        }
        assert!(worst < 1e-6, "worst relative error {worst}");
        assert_eq!(exp(f32::NEG_INFINITY), exp(-87.0));
    }

    #[test]
    fn matmul_with_strides_matches_the_definition() {
        // lhs 2×3 row-major, rhs given as its transpose (3 rows of a 2×3 buffer read by column).
        let lhs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let w = [1.0, 0.0, -1.0, 2.0, 1.0, 0.5];
        let mut out = vec![0f32; 4];
        matmul(
            Out::new(&mut out, 0, 2, 1),
            Operand::new(&lhs, 0, 3, 1),
            Operand::new(&w, 0, 1, 3),
            Shape { m: 2, n: 2, k: 3 },
            1.0,
        );
        // row i, col j = Σ lhs[i][t] · w[j][t]
        assert_eq!(out, vec![-2.0, 5.5, -2.0, 16.0]);
    }

    #[test]
    #[should_panic(expected = "out of bounds")]
    fn a_matrix_past_its_slice_is_refused() {
        let a = [1.0f32; 4];
        let mut out = vec![0f32; 4];
        matmul(
            Out::new(&mut out, 0, 2, 1),
            Operand::new(&a, 0, 3, 1),
            Operand::new(&a, 0, 1, 3),
            Shape { m: 2, n: 2, k: 3 },
            1.0,
        );
    }
}
