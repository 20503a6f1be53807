//! Micro-benchmarks of the engine's hot paths (issue 9): segmentation, shingling + MinHash, the
//! LSH candidate query, sentence alignment, and the near-duplicate stage of `wiretrace dedup`. Each benchmark first checks that its stage gives
//! the right answer on the demo corpus, so `cargo bench -p wiretrace -- --test` (which runs every
//! benchmark once, in CI) is also a correctness test of the optimised build.
//!
//! Whole-run speed and memory are measured by `bench/run.sh` (hyperfine, the process as a user
//! runs it); these isolate one stage each, for comparing implementations of it.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wiretrace::align::{align, sentence_features};
use wiretrace::candidates::{batch, Blocking, CandidateConfig};
use wiretrace::fingerprint::{jaccard, CorpusStats, Fingerprint, Fingerprinter};
use wiretrace::text::Document;
use wiretrace::DocIdx;
use wiretrace::{Article, Engine};

fn demo(id: &str) -> Article {
    wiretrace::demo::articles()
        .into_iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("the demo corpus has no article {id}"))
}

/// The demo corpus, then `copies` renamed copies of each article with one word changed per
/// copy, so the candidate stage has buckets to fill and pairs to find.
fn corpus(copies: usize) -> Vec<Article> {
    let demo = wiretrace::demo::articles();
    let mut out = demo.clone();
    for k in 0..copies {
        for a in &demo {
            let mut c = a.clone();
            c.id = format!("{}-{k}", a.id);
            c.body = c.body.replacen("the", &format!("the{k}"), 1);
            out.push(c);
        }
    }
    out
}

fn segment(c: &mut Criterion) {
    let wire = demo("wire-original");
    let doc = Document::from_article(&wire);
    assert!(
        doc.sentences.len() >= 10,
        "the wire story has {} sentences",
        doc.sentences.len()
    );
    let mut g = c.benchmark_group("segment");
    g.throughput(Throughput::Bytes(wire.full_text().len() as u64));
    g.bench_function("wire story", |b| {
        b.iter(|| Document::from_article(black_box(&wire)))
    });
    g.finish();
}

fn fingerprint(c: &mut Criterion) {
    let engine = Engine::default();
    let fper = Fingerprinter::new(engine.config().fingerprint);
    let doc = |id: &str| Document::from_article(&demo(id));
    let (wire, reprint, unrelated) = (
        doc("wire-original"),
        doc("verbatim-reprint"),
        doc("unrelated"),
    );
    let (fw, fr, fu) = (
        fper.fingerprint(&wire),
        fper.fingerprint(&reprint),
        fper.fingerprint(&unrelated),
    );
    let agree = |a: &Fingerprint, b: &Fingerprint| {
        a.minhash
            .iter()
            .zip(&b.minhash)
            .filter(|(x, y)| x == y)
            .count() as f64
            / a.minhash.len() as f64
    };
    // The MinHash estimate follows the exact shingle Jaccard: high for the reprint, low for
    // an unrelated story.
    let exact = jaccard(&fw.shingles, &fr.shingles);
    assert!(exact > 0.8, "reprint shingle Jaccard {exact}");
    assert!(
        (agree(&fw, &fr) - exact).abs() < 0.15,
        "estimate {} vs exact {exact}",
        agree(&fw, &fr)
    );
    assert!(
        agree(&fw, &fu) < 0.1,
        "unrelated estimate {}",
        agree(&fw, &fu)
    );
    let mut g = c.benchmark_group("fingerprint");
    g.throughput(Throughput::Elements(wire.words() as u64));
    g.bench_function("shingles + minhash, wire story", |b| {
        b.iter(|| fper.fingerprint(black_box(&wire)))
    });
    g.finish();
}

fn lsh_query(c: &mut Criterion) {
    let engine = Engine::default();
    let fper = Fingerprinter::new(engine.config().fingerprint);
    let articles = corpus(60);
    let fps: Vec<Fingerprint> = articles
        .iter()
        .map(|a| fper.fingerprint(&Document::from_article(a)))
        .collect();
    let stats = CorpusStats::from_fingerprints(&fps);
    let blocking = Blocking {
        config: CandidateConfig::default(),
        neighbours: None,
    };
    let dvs = vec![None; fps.len()];
    let (pairs, _) = batch(&fps, &stats, &dvs, &blocking);
    let index = |id: &str| DocIdx(articles.iter().position(|a| a.id == id).unwrap() as u32);
    let has = |a: &str, b: &str| {
        let (x, y) = (index(a).min(index(b)), index(a).max(index(b)));
        pairs.iter().any(|p| (p.a, p.b) == (x, y))
    };
    assert!(has("wire-original", "verbatim-reprint"));
    assert!(has("wire-original", "wire-original-7"));
    let all = articles.len() * (articles.len() - 1) / 2;
    assert!(pairs.len() < all / 4, "{} of {all} pairs", pairs.len());
    let mut g = c.benchmark_group("candidates");
    g.throughput(Throughput::Elements(articles.len() as u64));
    g.bench_function(format!("{} documents", articles.len()), |b| {
        b.iter(|| batch(black_box(&fps), &stats, &dvs, &blocking))
    });
    g.finish();
}

fn alignment(c: &mut Criterion) {
    let engine = Engine::default();
    let cfg = engine.config();
    let docs = [
        Document::from_article(&demo("wire-original")),
        Document::from_article(&demo("light-rewrite")),
    ];
    let fps: Vec<Fingerprint> = docs
        .iter()
        .map(|d| Fingerprinter::new(cfg.fingerprint).fingerprint(d))
        .collect();
    let stats = CorpusStats::from_fingerprints(&fps);
    let (fa, fb) = (
        sentence_features(&docs[0], &stats),
        sentence_features(&docs[1], &stats),
    );
    let al = align(&fa, &fb, cfg.similarity.as_ref(), &cfg.align);
    assert!(
        al.links.len() >= 8 && al.reuse_a > 0.6 && al.order > 0.9,
        "{} links, reuse {:.2}, order {:.2}",
        al.links.len(),
        al.reuse_a,
        al.order
    );
    let mut g = c.benchmark_group("align");
    g.throughput(Throughput::Elements((fa.len() * fb.len()) as u64));
    g.bench_function("wire story x light rewrite", |b| {
        b.iter(|| {
            align(
                black_box(&fa),
                black_box(&fb),
                cfg.similarity.as_ref(),
                &cfg.align,
            )
        })
    });
    g.finish();
}

/// `wiretrace dedup`'s stage: one article signed, and the whole stage on the demo corpus with
/// one-word-edited copies (each copy is a near-duplicate of its original, the rewrites are not).
fn dedup(c: &mut Criterion) {
    use wiretrace::dedup::{dedup, signature, DedupConfig, OnePermutation};
    let config = DedupConfig::default();
    let hasher = OnePermutation::new(config.permutations, config.seed);
    let wire = demo("wire-original");
    let text = wire.full_text();
    let articles = corpus(20);
    let found = dedup(&articles, &config);
    let pair = |a: &str, b: &str| {
        found.pairs.iter().any(|p| {
            let ids = (articles[p.a].id.as_str(), articles[p.b].id.as_str());
            ids == (a, b) || ids == (b, a)
        })
    };
    assert!(pair("wire-original", "verbatim-reprint"));
    assert!(pair("wire-original", "wire-original-3"));
    assert!(!pair("wire-original", "spun-copy"));
    assert!(found.pairs.iter().all(|p| p.jaccard >= config.threshold));
    let mut g = c.benchmark_group("dedup");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("sign, wire story", |b| {
        b.iter(|| signature(black_box(&text), &hasher, config.shingle))
    });
    let bytes: usize = articles.iter().map(|a| a.body.len()).sum();
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("whole stage, {} articles", articles.len()), |b| {
        b.iter(|| dedup(black_box(&articles), &config))
    });
    g.finish();
}

criterion_group!(benches, segment, fingerprint, lsh_query, alignment, dedup);
criterion_main!(benches);
