//! Development aid for the MSRP target of issue 5: how far a logistic regression over the
//! sentence-pair signals gets, with the MiniLM sentence cosine and a BERTScore-style greedy
//! alignment of MiniLM token states added. Only MSRP train is read (the test split is held out
//! and not in ../shared/data), so every figure is a 10-fold cross-validation on train: the
//! model and its decision threshold are fitted on nine folds and scored on the tenth.
//! Usage: `cargo run --release -p wiretrace-eval --example msrp_probe -- [--data DIR]`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::{Context, Result};
use rayon::prelude::*;
use wiretrace::align::signals;
use wiretrace::engine::sentence_as_features;
use wiretrace::fingerprint::CorpusStats;
use wiretrace::semantic::{cosine, Cached, Embedder};
use wiretrace::{Config, Engine};
use wiretrace_eval::loaders::msrp;

const FOLDS: usize = 10;

fn main() -> Result<()> {
    let data = wiretrace_eval::data_dir_arg(&std::env::args().collect::<Vec<_>>());
    let set = msrp::load(&data.join("msrp")).context("MSRP")?;
    eprintln!("MSRP {} ({} pairs)", set.split, set.pairs.len());
    let root = wiretrace_semantic::install::cache_root(None);
    let bert = wiretrace_semantic::load_minilm(&root, true).context("model")?;
    let texts: Vec<&str> = set
        .pairs
        .iter()
        .flat_map(|p| [p.s1.as_str(), p.s2.as_str()])
        .collect();
    let t = std::time::Instant::now();
    let tokens = bert.token_states(&texts).map_err(anyhow::Error::msg)?;
    eprintln!("token states: {:.0} s", t.elapsed().as_secs_f64());
    let bert: Arc<dyn Embedder> = Arc::new(Cached::new(bert));
    let vs = bert.embed(&texts).map_err(anyhow::Error::msg)?;
    let engine = Engine::new(Config::semantic(bert.clone(), None));
    let rows: Vec<Vec<f64>> = set
        .pairs
        .par_iter()
        .enumerate()
        .map(|(k, p)| {
            let tokens = (&tokens[2 * k][..], &tokens[2 * k + 1][..]);
            let vectors = (&vs[2 * k][..], &vs[2 * k + 1][..]);
            feature_row(&engine, p, tokens, vectors)
        })
        .collect();
    let gold: Vec<bool> = set.pairs.iter().map(|p| p.paraphrase).collect();
    // `MSRP_DUMP=FILE`: the rows as TSV (label, the 13 features, both sentences) for outside tools.
    if let Ok(path) = std::env::var("MSRP_DUMP") {
        dump(&path, &rows, &set.pairs, &gold, &vs)?;
    }
    for (name, cols) in &feature_sets() {
        let x: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| cols.iter().map(|&c| r[c]).collect())
            .collect();
        let (acc, f1) = cross_validate(&x, &gold);
        println!("{name:<40} 10-fold CV on train: accuracy {acc:.3}, F1 {f1:.3}");
    }
    Ok(())
}

/// One pair's features: the engine's similarity, the MiniLM cosine, the lexical signals,
/// BERTScore (lower and higher direction, F), the length ratio, then the [`surface`] signals.
fn feature_row(
    engine: &Engine,
    p: &msrp::MsrpPair,
    (ta, tb): (&[Vec<f32>], &[Vec<f32>]),
    (va, vb): (&[f32], &[f32]),
) -> Vec<f64> {
    let stats = CorpusStats::default();
    let (fa, fb) = (
        sentence_as_features(&p.s1, &stats),
        sentence_as_features(&p.s2, &stats),
    );
    let s = signals(&fa, &fb);
    let (pr, re) = (greedy(ta, tb), greedy(tb, ta));
    let f = if pr + re > 0.0 {
        2.0 * pr * re / (pr + re)
    } else {
        0.0
    };
    let (la, lb) = (ta.len() as f64, tb.len() as f64);
    let mut row = vec![
        engine.sentence_similarity(&p.s1, &p.s2),
        cosine(va, vb),
        s.stem_dice,
        s.stem_containment,
        s.run_long,
        s.run_short,
        s.gram_jaccard,
        s.token_dice,
        s.number_mismatch,
        pr.min(re),
        pr.max(re),
        f,
        la.min(lb) / la.max(lb).max(1.0),
    ];
    row.extend(surface(&p.s1, &p.s2));
    row
}

/// Writes the rows as TSV to `path` and the sentence vectors to `path.vec`.
fn dump(
    path: &str,
    rows: &[Vec<f64>],
    pairs: &[msrp::MsrpPair],
    gold: &[bool],
    vs: &[Vec<f32>],
) -> Result<()> {
    let mut out = String::new();
    for ((r, p), g) in rows.iter().zip(pairs).zip(gold) {
        let cols: Vec<String> = r.iter().map(|x| format!("{x:.6}")).collect();
        out += &format!(
            "{}\t{}\t{}\t{}\n",
            u8::from(*g),
            cols.join("\t"),
            p.s1,
            p.s2
        );
    }
    std::fs::write(path, out)?;
    let vecs: Vec<String> = vs
        .iter()
        .map(|v| {
            v.iter()
                .map(|x| format!("{x:.5}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    std::fs::write(format!("{path}.vec"), vecs.join("\n"))?;
    Ok(())
}

/// The feature sets compared, as columns of [`feature_row`].
fn feature_sets() -> Vec<(&'static str, Vec<usize>)> {
    let extra = |from: &[usize], groups: &[&[usize]]| -> Vec<usize> {
        let mut v = from.to_vec();
        for g in groups {
            v.extend(g.iter().map(|i| 13 + i));
        }
        v
    };
    let lex_cos: Vec<usize> = (1..=8).collect();
    let all_surface: Vec<usize> = (0..SURFACE).collect();
    vec![
        ("engine hybrid similarity", vec![0]),
        ("MiniLM cosine", vec![1]),
        ("BERTScore F", vec![11]),
        ("lexical signals", (2..=8).collect()),
        ("lexical + cosine", lex_cos.clone()),
        ("lexical + cosine + BERTScore", (1..=11).collect()),
        ("all + length ratio", (1..=12).collect()),
        ("surface signals (19)", extra(&[], &[&all_surface])),
        ("lexical + cosine + numbers", extra(&lex_cos, &[&[10, 11]])),
        ("lexical + cosine + lengths", extra(&lex_cos, &[&[12, 13]])),
        (
            "lexical + cosine + surface",
            extra(&lex_cos, &[&all_surface]),
        ),
        ("engine hybrid + numbers", extra(&[0], &[&[10, 11]])),
        (
            "engine hybrid + numbers + lengths",
            extra(&[0], &[&[10, 11, 12, 13]]),
        ),
        (
            "everything (hybrid, BERTScore, surface)",
            extra(&(0..=12).collect::<Vec<_>>(), &[&all_surface]),
        ),
    ]
}

/// How many [`surface`] signals there are.
const SURFACE: usize = 19;

/// Surface signals of the kind machine-translation metrics use, from the raw sentences:
/// clipped n-gram precision for n = 1..4 (lower and higher of the two directions), character
/// 3- and 4-gram Jaccard, numbers (how many one side lacks, whether the sets are equal),
/// lengths (difference, shorter), unmatched words (each way, the larger), whether negations
/// differ, how many capitalised words one side lacks.
fn surface(s1: &str, s2: &str) -> Vec<f64> {
    let (a, b) = (tokens(s1), tokens(s2));
    let mut f = Vec::with_capacity(SURFACE);
    for n in 1..=4 {
        let (p, r) = (clipped_precision(&a, &b, n), clipped_precision(&b, &a, n));
        f.push(p.min(r));
        f.push(p.max(r));
    }
    for n in [3, 4] {
        f.push(char_jaccard(s1, s2, n));
    }
    let is_num = |w: &&String| w.chars().next().is_some_and(|c| c.is_ascii_digit());
    let na: HashSet<&String> = a.iter().filter(is_num).collect();
    let nb: HashSet<&String> = b.iter().filter(is_num).collect();
    f.push(na.symmetric_difference(&nb).count() as f64);
    f.push(f64::from(u8::from(na == nb)));
    f.push((a.len() as f64 - b.len() as f64).abs());
    f.push(a.len().min(b.len()) as f64);
    word_differences(s1, s2, &a, &b, &mut f);
    f
}

/// Lowercased words (runs of alphanumerics and `_`) and punctuation marks, in order.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Clipped n-gram precision of `x` against `y`, as BLEU counts it.
fn clipped_precision(x: &[String], y: &[String], n: usize) -> f64 {
    let grams = |t: &[String]| -> HashMap<Vec<String>, usize> {
        let mut m = HashMap::new();
        for w in t.windows(n) {
            *m.entry(w.to_vec()).or_insert(0) += 1;
        }
        m
    };
    let (gx, gy) = (grams(x), grams(y));
    let total: usize = gx.values().sum();
    if total == 0 {
        return 0.0;
    }
    let hit: usize = gx
        .iter()
        .map(|(g, c)| (*c).min(gy.get(g).copied().unwrap_or(0)))
        .sum();
    hit as f64 / total as f64
}

/// Jaccard of the lowercased sentences' character n-grams.
fn char_jaccard(s1: &str, s2: &str, n: usize) -> f64 {
    let chars = |s: &str| -> HashSet<Vec<char>> {
        let c: Vec<char> = s.to_lowercase().chars().collect();
        c.windows(n).map(<[char]>::to_vec).collect()
    };
    let (x, y) = (chars(s1), chars(s2));
    let union = x.union(&y).count().max(1);
    x.intersection(&y).count() as f64 / union as f64
}

/// Pushes the words each side lacks (each way, the larger), whether negations differ and how
/// many capitalised words one side lacks.
fn word_differences(s1: &str, s2: &str, a: &[String], b: &[String], f: &mut Vec<f64>) {
    let words = |t: &[String]| -> HashSet<String> {
        t.iter()
            .filter(|w| w.chars().all(char::is_alphabetic))
            .cloned()
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    let (oa, ob) = (wa.difference(&wb).count(), wb.difference(&wa).count());
    f.extend([oa as f64, ob as f64, oa.max(ob) as f64]);
    let neg = |t: &[String]| -> HashSet<String> {
        t.iter()
            .filter(|w| ["not", "no", "never", "nor", "without", "t"].contains(&w.as_str()))
            .cloned()
            .collect()
    };
    f.push(f64::from(u8::from(neg(a) != neg(b))));
    let caps = |s: &str| -> HashSet<String> {
        s.split(|c: char| !c.is_alphabetic())
            .filter(|w| {
                let mut c = w.chars();
                c.next().is_some_and(char::is_uppercase) && c.next().is_some_and(char::is_lowercase)
            })
            .map(str::to_string)
            .collect()
    };
    f.push(caps(s1).symmetric_difference(&caps(s2)).count() as f64);
}

/// Mean over `a`'s tokens of the best cosine with a token of `b` (BERTScore's precision).
fn greedy(a: &[Vec<f32>], b: &[Vec<f32>]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    a.iter()
        .map(|x| b.iter().map(|y| cosine(x, y)).fold(f64::MIN, f64::max))
        .sum::<f64>()
        / a.len() as f64
}

/// Accuracy and F1 over the held-out folds (fold = index mod 10).
fn cross_validate(x: &[Vec<f64>], y: &[bool]) -> (f64, f64) {
    let mut pred = vec![false; y.len()];
    for fold in 0..FOLDS {
        let train: Vec<usize> = (0..y.len()).filter(|i| i % FOLDS != fold).collect();
        let model = Logistic::fit(x, y, &train);
        // The threshold that is most accurate on the training folds.
        let mut scored: Vec<(f64, bool)> =
            train.iter().map(|&i| (model.score(&x[i]), y[i])).collect();
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
        let thr = best_threshold(&scored);
        for i in (0..y.len()).filter(|i| i % FOLDS == fold) {
            pred[i] = model.score(&x[i]) >= thr;
        }
    }
    let tp = pred.iter().zip(y).filter(|(p, g)| **p && **g).count() as f64;
    let fp = pred.iter().zip(y).filter(|(p, g)| **p && !**g).count() as f64;
    let fneg = pred.iter().zip(y).filter(|(p, g)| !**p && **g).count() as f64;
    let correct = pred.iter().zip(y).filter(|(p, g)| p == g).count() as f64;
    (correct / y.len() as f64, 2.0 * tp / (2.0 * tp + fp + fneg))
}

/// Threshold with the best accuracy on sorted `(score, label)`.
fn best_threshold(sorted: &[(f64, bool)]) -> f64 {
    let pos = sorted.iter().filter(|s| s.1).count();
    let (mut best, mut thr) = (pos, f64::MIN);
    let mut correct = pos;
    for (k, s) in sorted.iter().enumerate() {
        // Predict negative for items 0..=k.
        if s.1 {
            correct -= 1;
        } else {
            correct += 1;
        }
        if correct > best && sorted.get(k + 1).is_none_or(|n| n.0 > s.0) {
            best = correct;
            thr = sorted.get(k + 1).map_or(s.0 + 1e-9, |n| (s.0 + n.0) / 2.0);
        }
    }
    thr
}

/// Logistic regression on standardised features, fitted by Newton's method with a small ridge.
struct Logistic {
    mean: Vec<f64>,
    sd: Vec<f64>,
    w: Vec<f64>,
}

impl Logistic {
    fn fit(x: &[Vec<f64>], y: &[bool], rows: &[usize]) -> Self {
        let d = x[0].len();
        let n = rows.len() as f64;
        let mean: Vec<f64> = (0..d)
            .map(|j| rows.iter().map(|&i| x[i][j]).sum::<f64>() / n)
            .collect();
        let sd: Vec<f64> = (0..d)
            .map(|j| {
                (rows
                    .iter()
                    .map(|&i| (x[i][j] - mean[j]).powi(2))
                    .sum::<f64>()
                    / n)
                    .sqrt()
                    .max(1e-9)
            })
            .collect();
        let mut m = Logistic {
            mean,
            sd,
            w: vec![0.0; d + 1],
        };
        for _ in 0..25 {
            let mut g = vec![0.0; d + 1];
            let mut h = vec![vec![0.0; d + 1]; d + 1];
            for &i in rows {
                let z = m.features(&x[i]);
                let p = sigmoid(dot(&m.w, &z));
                let r = p - f64::from(u8::from(y[i]));
                for a in 0..=d {
                    g[a] += r * z[a];
                    for b in 0..=d {
                        h[a][b] += p * (1.0 - p) * z[a] * z[b];
                    }
                }
            }
            for a in 0..=d {
                g[a] += 1e-3 * m.w[a];
                h[a][a] += 1e-3;
            }
            let step = solve(h, g);
            for (w, s) in m.w.iter_mut().zip(&step) {
                *w -= s;
            }
        }
        m
    }

    fn features(&self, x: &[f64]) -> Vec<f64> {
        std::iter::once(1.0)
            .chain(
                x.iter()
                    .zip(self.mean.iter().zip(&self.sd))
                    .map(|(v, (m, s))| (v - m) / s),
            )
            .collect()
    }

    fn score(&self, x: &[f64]) -> f64 {
        sigmoid(dot(&self.w, &self.features(x)))
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `h · s = g` by Gaussian elimination with partial pivoting.
fn solve(mut h: Vec<Vec<f64>>, mut g: Vec<f64>) -> Vec<f64> {
    let n = g.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&a, &b| h[a][c].abs().total_cmp(&h[b][c].abs()))
            .unwrap_or(c);
        h.swap(c, p);
        g.swap(c, p);
        for r in c + 1..n {
            let f = h[r][c] / h[c][c];
            let (upper, lower) = h.split_at_mut(r);
            for (x, y) in lower[0][c..n].iter_mut().zip(&upper[c][c..n]) {
                *x -= f * y;
            }
            g[r] -= f * g[c];
        }
    }
    let mut s = vec![0.0; n];
    for c in (0..n).rev() {
        s[c] = (g[c] - (c + 1..n).map(|k| h[c][k] * s[k]).sum::<f64>()) / h[c][c];
    }
    s
}
