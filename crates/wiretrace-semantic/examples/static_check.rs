//! Distils (or loads) the static model and compares it with MiniLM on MSRP train sentence pairs:
//! accuracy of each cosine alone, rank agreement, and throughput of both paths.
//! `cargo run --release -p wiretrace-semantic --example static_check -- [MSRP_DIR]`.
use std::time::Instant;

use wiretrace::semantic::{cosine, Embedder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    let text = std::fs::read_to_string(format!("{dir}/msr_paraphrase_train.txt"))?;
    let mut pairs = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() == 5 {
            pairs.push((f[0] == "1", f[3].to_string(), f[4].to_string()));
        }
    }
    let texts: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p.1.as_str(), p.2.as_str()])
        .collect();
    let t = Instant::now();
    let sv = fast.embed(&texts)?;
    let st = t.elapsed().as_secs_f64();
    eprintln!(
        "static: {} sentences in {:.3} s = {:.0}/s",
        texts.len(),
        st,
        texts.len() as f64 / st
    );
    let single = Instant::now();
    for t in &texts {
        fast.embed(&[t])?;
    }
    let one = single.elapsed().as_secs_f64();
    eprintln!(
        "static, one at a time on one thread: {:.0}/s",
        texts.len() as f64 / one
    );
    let n = 1000.min(texts.len());
    let t = Instant::now();
    let bv = bert.embed(&texts[..n])?;
    let bt = t.elapsed().as_secs_f64();
    eprintln!(
        "MiniLM: {n} sentences in {bt:.1} s = {:.0}/s",
        n as f64 / bt
    );
    let acc = |c: &[(f64, bool)]| {
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
    };
    let s: Vec<(f64, bool)> = sv
        .chunks(2)
        .zip(&pairs)
        .map(|(v, p)| (cosine(&v[0], &v[1]), p.0))
        .collect();
    let b: Vec<(f64, bool)> = bv
        .chunks(2)
        .zip(&pairs)
        .map(|(v, p)| (cosine(&v[0], &v[1]), p.0))
        .collect();
    eprintln!(
        "MSRP train accuracy, cosine alone: static {:.3} (all), MiniLM {:.3} (first {})",
        acc(&s),
        acc(&b),
        b.len()
    );
    eprintln!("static on the same subset: {:.3}", acc(&s[..b.len()]));
    Ok(())
}
