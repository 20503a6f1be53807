//! Development aid: Pearson correlation with SemEval-2022 Task 8 `Overall` (en-en development
//! pairs) of document vectors made from MiniLM sentence embeddings: the mean of the first k
//! sentences, and position-weighted means of all of them. Usage:
//! `cargo run --release -p wiretrace-eval --example semeval_probe`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use wiretrace::semantic::{cosine, Embedder};
use wiretrace::{Config, Engine};
use wiretrace_eval::loaders::semeval;
use wiretrace_eval::metrics::pearson;

fn main() -> Result<()> {
    let data = PathBuf::from("../shared/data/semeval2022_task8_sample");
    let set = semeval::load(&data)?;
    let root = wiretrace_semantic::model::cache_root(None);
    let (bert, fast) = wiretrace_semantic::load_models(&root, true).context("model")?;
    let bert: Arc<dyn Embedder> = Arc::new(wiretrace::semantic::Cached::new(bert));
    let fast: Arc<dyn Embedder> = Arc::new(fast);
    let engine = Engine::new(Config::semantic(bert.clone(), Some(fast.clone())));
    let pairs: Vec<_> = set.pairs.iter().filter(|p| p.is_en_en()).collect();
    let gold: Vec<f64> = pairs.iter().map(|p| -p.overall).collect();
    let lead = |d: &wiretrace::text::Document, k: usize, decay: f32| -> Result<Vec<f32>> {
        let s: Vec<&str> = d
            .sentences
            .iter()
            .take(k)
            .map(|s| &d.text[s.span.start..s.span.end])
            .collect();
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
    };
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
    ];
    let mut cols: Vec<(String, Vec<f64>)> =
        variants.iter().map(|v| (v.0.clone(), vec![])).collect();
    cols.push(("cosine".into(), vec![]));
    for p in &pairs {
        let (a, b) = p.articles();
        let sa = wiretrace::text::Document::from_article(&a);
        let sb = wiretrace::text::Document::from_article(&b);
        for (i, (_, k, d)) in variants.iter().enumerate() {
            let c = cosine(&lead(&sa, *k, *d)?, &lead(&sb, *k, *d)?);
            cols[i].1.push(c);
        }
        let f = engine.pair_features(&a, &b);
        let n = cols.len();
        cols[n - 1].1.push(f.cosine);
    }
    for (name, xs) in &cols {
        println!(
            "{name:<18} r = {:.3}",
            pearson(xs, &gold).unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
