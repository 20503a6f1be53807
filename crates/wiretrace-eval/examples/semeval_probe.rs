//! Development aid: Pearson correlation with SemEval-2022 Task 8 `Overall` (en-en development
//! pairs) of document vectors made from MiniLM sentence embeddings: the mean of the first k
//! sentences, and position-weighted means of all of them. Usage:
//! `cargo run --release -p wiretrace-eval --example semeval_probe -- [--data DIR]`.

use std::sync::Arc;

use anyhow::{Context, Result};
use wiretrace::semantic::{cosine, Embedder};
use wiretrace::{Config, Engine};
use wiretrace_eval::loaders::semeval;
use wiretrace_eval::metrics::pearson;

/// A named column of scores, one per en-en pair.
type Column = (String, Vec<f64>);

fn main() -> Result<()> {
    let data = wiretrace_eval::data_dir_arg(&std::env::args().collect::<Vec<_>>())
        .join("semeval2022_task8_sample");
    let set = semeval::load(&data)?;
    let root = wiretrace_semantic::install::cache_root(None);
    let (bert, fast) = wiretrace_semantic::load_models(&root, true).context("model")?;
    let bert: Arc<dyn Embedder> = Arc::new(wiretrace::semantic::Cached::new(bert));
    let fast: Arc<dyn Embedder> = Arc::new(fast);
    let engine = Engine::new(Config::semantic(bert.clone(), Some(fast.clone())));
    let pairs: Vec<_> = set.pairs.iter().filter(|p| p.is_en_en()).collect();
    let gold: Vec<f64> = pairs.iter().map(|p| -p.overall).collect();
    // `SEMEVAL_DUMP=FILE`: each en-en pair's sentences as the engine segments them (JSON lines),
    // for checking another encoder outside the engine on exactly these sentences.
    if let Ok(path) = std::env::var("SEMEVAL_DUMP") {
        dump_sentences(&pairs, &path)?;
    }
    let mut cols = lead_columns(&pairs, &*bert, &engine)?;
    let base = cols.len();
    cols.extend(soft_columns(&pairs, &*bert)?);
    // Sums of the weighted mean with each soft variant (equal weights).
    let d1 = cols.iter().position(|c| c.0 == "all_d1").unwrap_or(0);
    for j in 0..cols.len() - base {
        let name = format!("all_d1+{}", cols[base + j].0);
        let xs: Vec<f64> = cols[d1]
            .1
            .iter()
            .zip(&cols[base + j].1)
            .map(|(a, b)| a + b)
            .collect();
        cols.push((name, xs));
    }
    for (name, xs) in &cols {
        println!(
            "{name:<18} r = {:.3}",
            pearson(xs, &gold).unwrap_or(f64::NAN)
        );
    }
    Ok(())
}

/// The sentences of a document as the engine segments them.
fn sentences(d: &wiretrace::text::Document) -> Vec<&str> {
    d.sentences
        .iter()
        .map(|s| &d.text[s.span.start..s.span.end])
        .collect()
}

/// Writes each pair's sentences to `path`, one JSON line per pair.
fn dump_sentences(pairs: &[&semeval::SemevalPair], path: &str) -> Result<()> {
    let sentences = |t: &wiretrace::Article| -> Vec<String> {
        let d = wiretrace::text::Document::from_article(t);
        sentences(&d).into_iter().map(str::to_string).collect()
    };
    let mut out = String::new();
    for p in pairs {
        let (a, b) = p.articles();
        let line = serde_json::json!({"pair": p.pair_id, "overall": p.overall,
            "s1": sentences(&a), "s2": sentences(&b)});
        out += &format!("{line}\n");
    }
    std::fs::write(path, out)?;
    Ok(())
}

/// The normalised weighted mean of the embeddings of `d`'s first `k` sentences, sentence `i`
/// weighing `1/(1+decay·i)`.
fn lead(
    bert: &dyn Embedder,
    d: &wiretrace::text::Document,
    k: usize,
    decay: f32,
) -> Result<Vec<f32>> {
    let s: Vec<&str> = sentences(d).into_iter().take(k).collect();
    let v = bert.embed(&s).map_err(anyhow::Error::msg)?;
    let mut out = vec![0f32; 384];
    for (i, x) in v.iter().enumerate() {
        let w = 1.0 / (1.0 + decay * i as f32);
        for (o, y) in out.iter_mut().zip(x) {
            *o += w * y;
        }
    }
    let n = out.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
    Ok(out.into_iter().map(|x| x / n).collect())
}

/// The cosines of the pairs' document vectors ([`lead`]) in several variants, and the engine's
/// content-word cosine last.
fn lead_columns(
    pairs: &[&semeval::SemevalPair],
    bert: &dyn Embedder,
    engine: &Engine,
) -> Result<Vec<Column>> {
    let variants: Vec<(String, usize, f32)> = vec![
        ("k1".into(), 1, 0.0),
        ("k2".into(), 2, 0.0),
        ("k3".into(), 3, 0.0),
        ("k5".into(), 5, 0.0),
        ("k8".into(), 8, 0.0),
        ("all".into(), 999, 0.0),
        ("all_d0.5".into(), 999, 0.5),
        ("all_d1".into(), 999, 1.0),
        ("k5_d0.5".into(), 5, 0.5),
        ("all_d0.25".into(), 999, 0.25),
        ("all_d1.5".into(), 999, 1.5),
        ("all_d2".into(), 999, 2.0),
        ("all_d3".into(), 999, 3.0),
    ];
    let mut cols: Vec<Column> = variants.iter().map(|v| (v.0.clone(), vec![])).collect();
    cols.push(("cosine".into(), vec![]));
    for p in pairs {
        let (a, b) = p.articles();
        let sa = wiretrace::text::Document::from_article(&a);
        let sb = wiretrace::text::Document::from_article(&b);
        for (i, (_, k, d)) in variants.iter().enumerate() {
            let c = cosine(&lead(bert, &sa, *k, *d)?, &lead(bert, &sb, *k, *d)?);
            cols[i].1.push(c);
        }
        let f = engine.pair_features(&a, &b);
        let n = cols.len();
        cols[n - 1].1.push(f.cosine);
    }
    Ok(cols)
}

/// Soft alignment of the sentence sets: each sentence's best cosine on the other side,
/// averaged with position weights `1/(1+decay·i)` over the first `k`.
fn soft(x: &[Vec<f32>], y: &[Vec<f32>], decay: f32, k: usize) -> f64 {
    let (mut num, mut den) = (0f64, 0f64);
    for (i, u) in x.iter().take(k).enumerate() {
        let best = y.iter().map(|v| cosine(u, v)).fold(-1f64, f64::max);
        let w = 1.0 / (1.0 + f64::from(decay) * i as f64);
        num += w * best;
        den += w;
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// The pairs' [`soft`] alignments in several variants, both directions averaged.
fn soft_columns(pairs: &[&semeval::SemevalPair], bert: &dyn Embedder) -> Result<Vec<Column>> {
    let embed_all = |d: &wiretrace::text::Document| -> Result<Vec<Vec<f32>>> {
        bert.embed(&sentences(d)).map_err(anyhow::Error::msg)
    };
    let soft_variants: Vec<(String, f32, usize)> = vec![
        ("soft_all".into(), 0.0, 999),
        ("soft_d1".into(), 1.0, 999),
        ("soft_d0.5".into(), 0.5, 999),
        ("soft_k5".into(), 0.0, 5),
        ("soft_k10_d1".into(), 1.0, 10),
    ];
    let mut cols: Vec<Column> = soft_variants
        .iter()
        .map(|v| (v.0.clone(), vec![]))
        .collect();
    for p in pairs {
        let (a, b) = p.articles();
        let sa = embed_all(&wiretrace::text::Document::from_article(&a))?;
        let sb = embed_all(&wiretrace::text::Document::from_article(&b))?;
        for (j, (_, d, k)) in soft_variants.iter().enumerate() {
            let c = (soft(&sa, &sb, *d, *k) + soft(&sb, &sa, *d, *k)) / 2.0;
            cols[j].1.push(c);
        }
    }
    Ok(cols)
}
