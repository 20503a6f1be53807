//! Distils (or loads) the static model and compares it with MiniLM on MSRP train sentence pairs:
//! accuracy of each cosine alone, rank agreement, and throughput of both paths.
//! `cargo run --release -p wiretrace-semantic --example static_check -- [MSRP_DIR]`.
use std::time::Instant;

use wiretrace::semantic::{cosine, Embedder};

type Error = Box<dyn std::error::Error>;

/// An MSRP pair: whether it is a paraphrase, and its two sentences.
type Pair = (bool, String, String);

fn main() -> Result<(), Error> {
    let root = wiretrace_semantic::install::cache_root(None);
    let t = Instant::now();
    let (bert, fast) = wiretrace_semantic::load_models(&root, true)?;
    eprintln!(
        "models ready in {:.1} s ({} dims static)",
        t.elapsed().as_secs_f64(),
        fast.dims()
    );
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/msrp".into());
    let pairs = msrp_train(&dir)?;
    let texts: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p.1.as_str(), p.2.as_str()])
        .collect();
    let sv = time_static(&fast, &texts)?;
    let n = 1000.min(texts.len());
    let t = Instant::now();
    let bv = bert.embed(&texts[..n])?;
    let bt = t.elapsed().as_secs_f64();
    eprintln!(
        "MiniLM: {n} sentences in {bt:.1} s = {:.0}/s",
        n as f64 / bt
    );
    let s = pair_cosines(&sv, &pairs);
    let b = pair_cosines(&bv, &pairs);
    eprintln!(
        "MSRP train accuracy, cosine alone: static {:.3} (all), MiniLM {:.3} (first {})",
        best_accuracy(&s),
        best_accuracy(&b),
        b.len()
    );
    eprintln!(
        "static on the same subset: {:.3}",
        best_accuracy(&s[..b.len()])
    );
    Ok(())
}

/// The pairs of MSRP train in `dir`.
fn msrp_train(dir: &str) -> Result<Vec<Pair>, Error> {
    let text = std::fs::read_to_string(format!("{dir}/msr_paraphrase_train.txt"))?;
    let mut pairs = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() == 5 {
            pairs.push((f[0] == "1", f[3].to_string(), f[4].to_string()));
        }
    }
    Ok(pairs)
}

/// Embeds `texts` with the static model, all at once and then one at a time, printing the
/// throughput of both; the vectors of the first pass.
fn time_static(fast: &dyn Embedder, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
    let t = Instant::now();
    let sv = fast.embed(texts)?;
    let st = t.elapsed().as_secs_f64();
    eprintln!(
        "static: {} sentences in {:.3} s = {:.0}/s",
        texts.len(),
        st,
        texts.len() as f64 / st
    );
    let single = Instant::now();
    for t in texts {
        fast.embed(&[t])?;
    }
    let one = single.elapsed().as_secs_f64();
    eprintln!(
        "static, one at a time on one thread: {:.0}/s",
        texts.len() as f64 / one
    );
    Ok(sv)
}

/// The cosine of each pair's two vectors (`vs` holds them in pair order), with its label.
fn pair_cosines(vs: &[Vec<f32>], pairs: &[Pair]) -> Vec<(f64, bool)> {
    vs.chunks(2)
        .zip(pairs)
        .map(|(v, p)| (cosine(&v[0], &v[1]), p.0))
        .collect()
}

/// The accuracy of the best single threshold on `(score, label)`.
fn best_accuracy(c: &[(f64, bool)]) -> f64 {
    let mut c = c.to_vec();
    c.sort_by(|x, y| x.0.total_cmp(&y.0));
    let pos = c.iter().filter(|x| x.1).count();
    let (mut best, mut bp, mut bn) = (0.0f64, 0usize, 0usize);
    for x in &c {
        best = best.max(((pos - bp) + bn) as f64 / c.len() as f64);
        if x.1 {
            bp += 1
        } else {
            bn += 1
        }
    }
    best
}
