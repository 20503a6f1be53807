//! Extraction quality on the 20 hand-written news pages of `testdata/html` (see its README):
//! token-level F1 of the extracted main text against the expected text, and exact-match rates of
//! the metadata. Prints the per-page table (`cargo test -p wiretrace --test html_extraction --
//! --nocapture`; `WIRETRACE_SHOW=<page>` also prints one page's text) and fails below the floors, so a regression in the extractor cannot land
//! silently.

use std::collections::HashMap;
use std::path::PathBuf;

use wiretrace::input::html::{decode_html, extract, HtmlLimits};
use wiretrace::input::parse_time;

/// Macro-averaged token F1 must stay at or above this (0.940 measured 2026-11-23; see
/// docs/EVALUATION.md).
const F1_FLOOR: f64 = 0.92;

fn tokens(text: &str) -> HashMap<String, usize> {
    let mut bag = HashMap::new();
    for raw in text.split_whitespace() {
        let t: String = raw
            .trim_matches(|c: char| !c.is_alphanumeric())
            .chars()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' => '\'',
                '\u{2013}' | '\u{2014}' => '-',
                c => c,
            })
            .flat_map(char::to_lowercase)
            .collect();
        if !t.is_empty() {
            *bag.entry(t).or_insert(0) += 1;
        }
    }
    bag
}

/// (overlap, extracted tokens, expected tokens)
fn overlap(got: &str, want: &str) -> (usize, usize, usize) {
    let g = tokens(got);
    let w = tokens(want);
    let common = g
        .iter()
        .map(|(t, n)| (*n).min(w.get(t).copied().unwrap_or(0)))
        .sum();
    (common, g.values().sum(), w.values().sum())
}

fn f1(common: usize, got: usize, want: usize) -> (f64, f64, f64) {
    let p = if got == 0 {
        0.0
    } else {
        common as f64 / got as f64
    };
    let r = if want == 0 {
        0.0
    } else {
        common as f64 / want as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

#[test]
fn token_f1_on_the_hand_written_pages() {
    let dir = wiretrace_testkit::testdata("html");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("testdata/html")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 20, "the evaluation set has 20 pages");
    let (mut sum_f1, mut all_common, mut all_got, mut all_want) = (0.0, 0, 0, 0);
    let mut hits = [0usize; 4];
    println!(
        "{:<26} {:>6} {:>6} {:>6}  title published source canonical",
        "page", "P", "R", "F1"
    );
    for page in &pages {
        let stem = page.file_stem().unwrap().to_string_lossy().into_owned();
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{stem}.expected.json"))).unwrap(),
        )
        .unwrap();
        let html = decode_html(&std::fs::read(page).unwrap(), None);
        let got = extract(&html, None, HtmlLimits::default()).unwrap_or_default();
        let want = expected["text"].as_str().unwrap();
        // WIRETRACE_SHOW=10-paywall-teaser prints what was extracted from that page.
        if std::env::var("WIRETRACE_SHOW").is_ok_and(|s| s == stem) {
            println!(
                "title {:?}; published {:?}; source {:?}; canonical {:?}",
                got.title, got.published, got.source, got.canonical
            );
            println!("--- {stem} extracted:\n{}\n---", got.text);
        }
        let (c, g, w) = overlap(&got.text, want);
        let (p, r, f) = f1(c, g, w);
        sum_f1 += f;
        all_common += c;
        all_got += g;
        all_want += w;
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let title_ok = got.title.as_deref().map(squash) == expected["title"].as_str().map(squash);
        let want_time = expected["published"].as_str();
        let published_ok = match (got.published, want_time) {
            (None, None) => true,
            (Some(t), Some(w)) if w.len() == 10 => t.format("%Y-%m-%d").to_string() == w,
            (Some(t), Some(w)) => parse_time(w) == Some(t),
            _ => false,
        };
        let source_ok = got.source.as_deref() == expected["source"].as_str();
        let canonical_ok = got.canonical.as_deref() == expected["canonical"].as_str();
        for (k, ok) in [title_ok, published_ok, source_ok, canonical_ok]
            .into_iter()
            .enumerate()
        {
            hits[k] += usize::from(ok);
        }
        let mark = |ok: bool| if ok { "ok" } else { "--" };
        println!(
            "{stem:<26} {p:>6.3} {r:>6.3} {f:>6.3}  {:<5} {:<9} {:<6} {}",
            mark(title_ok),
            mark(published_ok),
            mark(source_ok),
            mark(canonical_ok)
        );
    }
    let n = pages.len() as f64;
    let macro_f1 = sum_f1 / n;
    let (mp, mr, micro_f1) = f1(all_common, all_got, all_want);
    println!(
        "macro F1 {macro_f1:.3}; micro P {mp:.3} R {mr:.3} F1 {micro_f1:.3}; title {}/20, published {}/20, source {}/20, canonical {}/20",
        hits[0], hits[1], hits[2], hits[3]
    );
    assert!(
        macro_f1 >= F1_FLOOR,
        "macro token F1 {macro_f1:.3} fell below the floor {F1_FLOOR}"
    );
}
