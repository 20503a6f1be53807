//! Embeds sentences given as arguments (or a fixed set) and prints their pairwise cosines and the
//! throughput: `cargo run --release -p wiretrace-semantic --example embed -- [--wheel FILE] [TEXT...]`.
//!
//! `--file F` embeds the lines of F and prints the time the embedding took (model load apart) to
//! stderr, `--dump` writes one JSON line per text with its vector: bench/embed.sh compares both
//! with the PyTorch reference.
use std::time::Instant;

use wiretrace::semantic::{cosine, Embedder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = wiretrace_semantic::install::cache_root(None);
    if let Some(i) = args.iter().position(|a| a == "--wheel") {
        let wheel = std::path::PathBuf::from(&args[i + 1]);
        std::fs::create_dir_all(&root)?;
        wiretrace_semantic::install::install_wheel(&wheel, &root, &wiretrace_semantic::MINILM)?;
    }
    let texts: Vec<String> = match args.iter().position(|a| a == "--file") {
        Some(i) => std::fs::read_to_string(&args[i + 1])?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect(),
        None => args
            .iter()
            .filter(|a| !a.starts_with("--") && !a.ends_with(".whl"))
            .cloned()
            .collect(),
    };
    let texts = if texts.is_empty() {
        vec![
            "The harbour reopens on Monday.".to_string(),
            "The port is set to resume operations at the start of the week.".to_string(),
            "A library in Brenhaven reopened with new reading rooms.".to_string(),
        ]
    } else {
        texts
    };
    let t = Instant::now();
    let e = wiretrace_semantic::load_minilm(&root, true)?;
    eprintln!("loaded in {:.2}s", t.elapsed().as_secs_f64());
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let t = Instant::now();
    let v = e.embed(&refs)?;
    let took = t.elapsed().as_secs_f64();
    if args.iter().any(|a| a == "--file") {
        eprintln!(
            "{} sentences in {took:.3}s: {:.1}/s ({} threads)",
            refs.len(),
            refs.len() as f64 / took,
            rayon::current_num_threads()
        );
        if !args.iter().any(|a| a == "--dump") {
            return Ok(());
        }
    }
    if args.iter().any(|a| a == "--dump") {
        // One JSON line per text: {"text": ..., "vector": [...]}, for comparison with a reference.
        for (t, vec) in texts.iter().zip(&v) {
            println!("{}", serde_json::json!({"text": t, "vector": vec}));
        }
        return Ok(());
    }
    for i in 0..v.len() {
        for j in i + 1..v.len() {
            println!("{:.4}  {} | {}", cosine(&v[i], &v[j]), texts[i], texts[j]);
        }
    }
    let many: Vec<String> = (0..512)
        .map(|i| {
            format!("Sentence number {i} about the port strike in Valmora and the union talks.")
        })
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let t = Instant::now();
    e.embed(&refs)?;
    eprintln!(
        "{} sentences in {:.2}s: {:.0}/s",
        many.len(),
        t.elapsed().as_secs_f64(),
        many.len() as f64 / t.elapsed().as_secs_f64()
    );
    Ok(())
}
