//! Prints the order-aware semantic features (monotone chain coverage, link embedding cosine) of
//! the Clough & Stevenson answer–source pairs, of ECB+ same-sub-topic candidate pairs and of the
//! demo corpus, under the semantic engine: a development aid for the semantic heavy-rewrite
//! rung. Usage: `cargo run --release -p wiretrace-eval --example chain -- [--data DIR]`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use wiretrace::classify::PairFeatures;
use wiretrace::semantic::{Cached, Embedder};
use wiretrace::{Config, Engine};
use wiretrace_eval::loaders::{clough, ecbplus};

fn row(label: &str, f: &PairFeatures, engine: &Engine) {
    println!(
        "{label:<28} rel={:<13} chain={:.2} sem={:.3} reuse={:.2} order={:.2} msim={:.2} num={:.2} links={} cos={:.2}",
        engine.config().classifier.relation(f).as_str(),
        f.chain_short,
        f.link_semantic.unwrap_or(f64::NAN),
        f.reuse_short,
        f.order,
        f.mean_similarity,
        f.number_agreement,
        f.links,
        f.cosine
    );
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let data = wiretrace_eval::data_dir_arg(&args);
    let root = wiretrace_semantic::install::cache_root(None);
    let (e, fast) = wiretrace_semantic::load_models(&root, true).context("loading the model")?;
    let embedder: Arc<dyn Embedder> = Arc::new(Cached::new(e));
    let engine = Engine::new(Config::semantic(embedder.clone(), Some(Arc::new(fast))));

    if args.iter().any(|a| a == "--msrp") {
        return msrp_cosine(&data, &*embedder);
    }
    let demo = wiretrace::demo::articles();
    for (a, b, f) in engine.candidate_features(&demo) {
        row(&format!("demo {}~{}", demo[a].id, demo[b].id), &f, &engine);
    }
    clough_rows(&data, &engine)?;
    ecb_rows(&data, &engine)
}

/// `--msrp`: the accuracy of the MiniLM cosine alone on MSRP, at its best threshold.
fn msrp_cosine(data: &Path, embedder: &dyn Embedder) -> Result<()> {
    let set = wiretrace_eval::loaders::msrp::load(&data.join("msrp"))?;
    let texts: Vec<&str> = set
        .pairs
        .iter()
        .flat_map(|p| [p.s1.as_str(), p.s2.as_str()])
        .collect();
    let vs = embedder.embed(&texts).map_err(anyhow::Error::msg)?;
    let mut cos: Vec<(f64, bool)> = vs
        .chunks(2)
        .zip(&set.pairs)
        .map(|(v, p)| (wiretrace::semantic::cosine(&v[0], &v[1]), p.paraphrase))
        .collect();
    cos.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = cos.len() as f64;
    let pos = cos.iter().filter(|c| c.1).count();
    let (mut best, mut thr, mut below_pos, mut below_neg) = (0.0, 0.0, 0usize, 0usize);
    for c in &cos {
        let acc = ((pos - below_pos) + below_neg) as f64 / n;
        if acc > best {
            best = acc;
            thr = c.0;
        }
        if c.1 {
            below_pos += 1
        } else {
            below_neg += 1
        }
    }
    println!("msrp cosine alone: accuracy {best:.3} at {thr:.3}");
    Ok(())
}

/// Each Clough & Stevenson answer against its source.
fn clough_rows(data: &Path, engine: &Engine) -> Result<()> {
    let cl = clough::load(&data.join("clough_stevenson"))?;
    for t in &cl.tasks {
        let mut arts = vec![t.source.to_article()];
        arts.extend(t.answers.iter().map(|a| a.text.to_article()));
        let feats = engine.candidate_features(&arts);
        for (k, a) in t.answers.iter().enumerate() {
            match feats.iter().find(|f| f.0 == 0 && f.1 == k + 1) {
                Some(f) => row(
                    &format!("clough {} {}", a.gold.as_str(), a.text.id),
                    &f.2,
                    engine,
                ),
                None => println!("clough {} {} not a candidate", a.gold.as_str(), a.text.id),
            }
        }
    }
    Ok(())
}

/// The ECB+ candidate pairs with at least three links, marked same or different sub-topic.
fn ecb_rows(data: &Path, engine: &Engine) -> Result<()> {
    let ecb = ecbplus::load(&data.join("ecb_plus"))?;
    let arts = ecb.articles();
    for (a, b, f) in engine.candidate_features(&arts) {
        let same = ecb.documents[a].subtopic == ecb.documents[b].subtopic;
        if f.links >= 3 {
            row(
                &format!(
                    "ecb {} {}~{}",
                    if same { "same" } else { "diff" },
                    arts[a].id,
                    arts[b].id
                ),
                &f,
                engine,
            );
        }
    }
    Ok(())
}
