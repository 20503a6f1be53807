//! Development aid (issue 5): a graded pair similarity of its own, apart from the story score.
//!
//! Over the ECB+ candidate pairs (topics 1–35) it builds the graded target `fit.rs` uses (same
//! sub-topic 1, same topic 0.5, other topics 0) and, for a grid of weights of
//! `max(reuse, (w_reuse·reuse + w_cosine·cosine + w_semantic·semantic + w_names·names) / Σw)`
//! (`PairFeatures::graded_similarity`), the Pearson r with it; the setting with the best r is chosen **on ECB+ alone**. Only then is
//! SemEval-2022 Task 8 read, to *report* the chosen setting's Pearson r with `Overall` (en-en
//! and monolingual), beside today's `similarity_with` for comparison. SemEval never chooses.
//!
//! Usage: `cargo run --release -p wiretrace-eval --example graded_probe -- [--semantic]
//! [--data DIR]`. The features of both sets are cached under `target/tmp/` (delete them after a
//! change to the engine).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use rayon::prelude::*;
use wiretrace::classify::PairFeatures;
use wiretrace::params::{GradedWeights, Params, PARAMS, PARAMS_SEMANTIC};
use wiretrace::semantic::{Cached, Embedder};
use wiretrace::{Config, Engine};
use wiretrace_eval::loaders::{ecbplus, semeval};
use wiretrace_eval::metrics::pearson;

/// Weights of the graded similarity: reuse, lexical cosine, embedding cosine, names.
type Weights = [f64; 4];

/// [`PairFeatures::graded_similarity`] under weights `w`.
fn graded(f: &PairFeatures, w: &Weights) -> f64 {
    let mut p = PARAMS.pair;
    p.graded = Some(GradedWeights {
        reuse: w[0],
        cosine: w[1],
        semantic: w[2],
        names: w[3],
    });
    f.graded_similarity(&p)
}

fn cached<T: serde::Serialize + serde::de::DeserializeOwned>(
    file: &Path,
    make: impl FnOnce() -> Result<T>,
) -> Result<T> {
    if let Ok(s) = std::fs::read_to_string(file) {
        if let Ok(v) = serde_json::from_str(&s) {
            eprintln!("read {}", file.display());
            return Ok(v);
        }
    }
    let v = make()?;
    if let Some(d) = file.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(file, serde_json::to_string(&v)?)?;
    eprintln!("wrote {}", file.display());
    Ok(v)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let data = wiretrace_eval::data_dir_arg(&args);
    let semantic = args.iter().any(|a| a == "--semantic");
    let engine = engine(semantic)?;
    let params = if semantic {
        &*PARAMS_SEMANTIC
    } else {
        &*PARAMS
    };
    let tag = if semantic { "semantic" } else { "lexical" };
    let tmp = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp");

    let ecb = EcbTarget::load(&data, &engine, &tmp, tag)?;
    let grid = weight_grid(semantic);
    let scored = ecb.choose(&grid, params, tag);
    let best = scored[0].1;

    // SemEval: read only now, to report the chosen setting (nothing is chosen below).
    let set = semeval::load(&data.join("semeval2022_task8_sample")).context("loading SemEval")?;
    let mono: Vec<&semeval::SemevalPair> =
        set.pairs.iter().filter(|p| p.is_monolingual()).collect();
    let sem_feats: Vec<PairFeatures> = cached(
        &tmp.join(format!("graded_probe_semeval_{tag}.json")),
        || {
            Ok(mono
                .par_iter()
                .map(|p| {
                    let (a, b) = p.articles();
                    engine.pair_features(&a, &b)
                })
                .collect())
        },
    )?;
    report_semeval(&mono, &sem_feats, "story score (similarity_with)", &|f| {
        f.similarity_with(&params.pair)
    });
    report_semeval(&mono, &sem_feats, "chosen graded similarity", &|f| {
        graded(f, &best)
    });
    choose_on_semeval(&mono, &sem_feats, &grid, &scored);
    Ok(())
}

/// The engine: lexical, or with both embedding models.
fn engine(semantic: bool) -> Result<Engine> {
    if !semantic {
        return Ok(Engine::new(Config::default()));
    }
    let root = wiretrace_semantic::install::cache_root(None);
    let (e, fast) =
        wiretrace_semantic::load_models(&root, true).context("loading the embedding model")?;
    let e: Arc<dyn Embedder> = Arc::new(Cached::new(e));
    let fast: Arc<dyn Embedder> = Arc::new(fast);
    Ok(Engine::new(Config::semantic(e, Some(fast))))
}

/// The grid: weights on a simplex in steps of 0.05 (no embedding term without the model).
fn weight_grid(semantic: bool) -> Vec<Weights> {
    let steps: Vec<f64> = (0..=20).map(|i| f64::from(i) / 20.0).collect();
    let mut grid: Vec<Weights> = Vec::new();
    for &wr in &steps {
        for &ws in if semantic { &steps[..] } else { &steps[..1] } {
            for &we in &steps {
                let wc = 1.0 - wr - ws - we;
                if wc >= -1e-9 {
                    grid.push([wr, (wc.max(0.0) * 1000.0).round() / 1000.0, ws, we]);
                }
            }
        }
    }
    grid
}

/// ECB+ 1–35 candidate pairs and the graded target, as fit.rs builds them.
struct EcbTarget {
    feats: Vec<(usize, usize, PairFeatures)>,
    target: Vec<f64>,
}

impl EcbTarget {
    fn load(data: &Path, engine: &Engine, tmp: &Path, tag: &str) -> Result<EcbTarget> {
        let ecb = ecbplus::load(&data.join("ecb_plus")).context("loading ECB+")?;
        let arts = ecb.articles();
        let feats: Vec<(usize, usize, PairFeatures)> =
            cached(&tmp.join(format!("graded_probe_ecb_{tag}.json")), || {
                Ok(engine.candidate_features(&arts))
            })?;
        let sub: Vec<&str> = ecb.documents.iter().map(|d| d.subtopic.as_str()).collect();
        let topic: Vec<&str> = ecb.documents.iter().map(|d| d.topic.as_str()).collect();
        let target: Vec<f64> = feats
            .iter()
            .map(|f| {
                if sub[f.0] == sub[f.1] {
                    1.0
                } else if topic[f.0] == topic[f.1] {
                    0.5
                } else {
                    0.0
                }
            })
            .collect();
        Ok(EcbTarget { feats, target })
    }

    /// Pearson r of `score` with the graded target.
    fn r(&self, score: &dyn Fn(&PairFeatures) -> f64) -> f64 {
        let x: Vec<f64> = self.feats.iter().map(|f| score(&f.2)).collect();
        pearson(&x, &self.target).unwrap_or(f64::NAN)
    }

    /// Every setting of the grid with its r, best first; prints the best and the single terms.
    fn choose(&self, grid: &[Weights], params: &Params, tag: &str) -> Vec<(f64, Weights)> {
        let mut scored: Vec<(f64, Weights)> = grid
            .par_iter()
            .map(|w| (self.r(&|f| graded(f, w)), *w))
            .collect();
        scored.sort_by(|x, y| y.0.total_cmp(&x.0));
        let today = self.r(&|f| f.similarity_with(&params.pair));
        println!(
            "ECB+ 1-35 ({tag}, {} candidate pairs): graded Pearson of today's similarity_with {today:.4}",
            self.feats.len()
        );
        println!("ECB+ graded Pearson, best settings (reuse/cosine/semantic/names):");
        for (r, w) in scored.iter().take(10) {
            println!(
                "  {:.4}  {:.2}/{:.2}/{:.2}/{:.2}",
                r, w[0], w[1], w[2], w[3]
            );
        }
        for (name, w) in [
            ("reuse", [1.0, 0.0, 0.0, 0.0]),
            ("cosine", [0.0, 1.0, 0.0, 0.0]),
            ("semantic", [0.0, 0.0, 1.0, 0.0]),
            ("names", [0.0, 0.0, 0.0, 1.0]),
        ] {
            println!(
                "  one term alone, {name}: {:.4}",
                self.r(&|f| graded(f, &w))
            );
        }
        let (best_r, best) = scored[0];
        println!(
            "chosen on ECB+ alone: {:.2}/{:.2}/{:.2}/{:.2} (graded Pearson {best_r:.4})",
            best[0], best[1], best[2], best[3]
        );
        scored
    }
}

/// Prints the Pearson r of `score` with SemEval's `Overall`: en-en, all monolingual pairs and
/// per language.
fn report_semeval(
    mono: &[&semeval::SemevalPair],
    sem_feats: &[PairFeatures],
    name: &str,
    score: &dyn Fn(&PairFeatures) -> f64,
) {
    let r_of = |keep: &dyn Fn(&semeval::SemevalPair) -> bool| {
        let (x, y): (Vec<f64>, Vec<f64>) = mono
            .iter()
            .zip(sem_feats)
            .filter(|(p, _)| keep(p))
            .map(|(p, f)| (wiretrace::align::round4(score(f)), -p.overall))
            .unzip();
        pearson(&x, &y).unwrap_or(f64::NAN)
    };
    let mut langs: Vec<&str> = mono.iter().map(|p| p.lang1.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    let per: Vec<String> = langs
        .iter()
        .map(|&l| format!("{l} {:.3}", r_of(&|p| p.lang1 == l)))
        .collect();
    println!(
        "SemEval {name}: en-en {:.4}, monolingual {:.4} (per language: {})",
        r_of(&|p| p.is_en_en()),
        r_of(&|_| true),
        per.join(", ")
    );
}

/// A SemEval pair as the alternative choice reads it: negated `Overall` (1 = most similar)
/// and the pair's features.
type Graded<'a> = (f64, &'a PairFeatures);

/// Pearson r of the graded similarity under `w` with the gold of `rows`.
fn r_on(rows: &[&Graded<'_>], w: &Weights) -> f64 {
    let (x, y): (Vec<f64>, Vec<f64>) = rows
        .iter()
        .map(|(g, f)| (wiretrace::align::round4(graded(f, w)), *g))
        .unzip();
    pearson(&x, &y).unwrap_or(f64::NAN)
}

/// The setting of `grid` with the best r on `rows`.
fn best_on(grid: &[Weights], rows: &[&Graded<'_>]) -> Weights {
    grid.par_iter()
        .map(|w| (r_on(rows, w), *w))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or([0.0, 1.0, 0.0, 0.0], |b| b.1)
}

/// The alternative: choose the weights on SemEval itself. Out-of-fold Pearson over the en-en
/// pairs (10 folds by position; each fold scored with the weights best on the other nine),
/// and the weights best on the monolingual pairs of the other languages, scored on en-en.
fn choose_on_semeval(
    mono: &[&semeval::SemevalPair],
    sem_feats: &[PairFeatures],
    grid: &[Weights],
    scored: &[(f64, Weights)],
) {
    let rows = |en_en: bool| -> Vec<Graded<'_>> {
        mono.iter()
            .zip(sem_feats)
            .filter(|(p, _)| p.is_en_en() == en_en)
            .map(|(p, f)| (-p.overall, f))
            .collect()
    };
    let en = rows(true);
    let all: Vec<&Graded<'_>> = en.iter().collect();
    out_of_fold(&en, grid);
    undominated(scored, &all);
    let others = rows(false);
    let others: Vec<&Graded<'_>> = others.iter().collect();
    let w_o = best_on(grid, &others);
    println!(
        "SemEval, weights chosen on the other languages: {:.2}/{:.2}/{:.2}/{:.2}, en-en r {:.4}",
        w_o[0],
        w_o[1],
        w_o[2],
        w_o[3],
        r_on(&all, &w_o)
    );
}

/// Prints the out-of-fold r over `en` and the weights best on all of it.
fn out_of_fold(en: &[Graded<'_>], grid: &[Weights]) {
    let folds = 10;
    let mut oof = vec![0.0; en.len()];
    for k in 0..folds {
        let train: Vec<&Graded<'_>> = en
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != k)
            .map(|x| x.1)
            .collect();
        let w = best_on(grid, &train);
        println!(
            "  fold {k}: {:.2}/{:.2}/{:.2}/{:.2}",
            w[0], w[1], w[2], w[3]
        );
        for (i, (_, f)) in en.iter().enumerate().filter(|(i, _)| i % folds == k) {
            oof[i] = wiretrace::align::round4(graded(f, &w));
        }
    }
    let gold: Vec<f64> = en.iter().map(|x| x.0).collect();
    let all: Vec<&Graded<'_>> = en.iter().collect();
    let w_all = best_on(grid, &all);
    println!(
        "SemEval en-en, weights chosen on SemEval en-en: out-of-fold r {:.4} ({folds} folds); \
         on all {} pairs {:.2}/{:.2}/{:.2}/{:.2}, in-sample r {:.4}",
        pearson(&oof, &gold).unwrap_or(f64::NAN),
        en.len(),
        w_all[0],
        w_all[1],
        w_all[2],
        w_all[3],
        r_on(&all, &w_all)
    );
}

/// Both at once: prints the settings no other setting beats on both ECB+'s graded r and
/// SemEval en-en's r (in-sample on both), best SemEval first.
fn undominated(scored: &[(f64, Weights)], en: &[&Graded<'_>]) {
    let mut both: Vec<(f64, f64, Weights)> = scored
        .iter()
        .map(|(r_e, w)| (*r_e, r_on(en, w), *w))
        .collect();
    both.sort_by(|x, y| y.1.total_cmp(&x.1));
    let mut best_ecb = f64::MIN;
    println!("ECB+ graded r and SemEval en-en r, the settings neither beats on both:");
    for (r_e, r_s, w) in &both {
        if *r_e > best_ecb {
            best_ecb = *r_e;
            println!(
                "  ECB+ {r_e:.4}  SemEval {r_s:.4}  {:.2}/{:.2}/{:.2}/{:.2}",
                w[0], w[1], w[2], w[3]
            );
        }
    }
}
