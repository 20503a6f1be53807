//! Development aid for issue 6: prints every speaker error of `wiretrace eval quotes` (a gold
//! quote matched at Jaccard ≥ 0.8 whose extracted speaker is not the gold one) with the text
//! around it, so attribution rules are chosen from error classes, not guessed.
//!
//!   cargo run --release -p wiretrace-eval --example quote_errors [-- --data DIR]

use wiretrace_eval::loaders::quotes;
use wiretrace_eval::runners::same_speaker;

fn main() -> anyhow::Result<()> {
    let dir = wiretrace_eval::data_dir_arg(&std::env::args().collect::<Vec<_>>());
    let set = quotes::load(&dir)?;
    let (mut errors, mut matched) = (0, 0);
    for g in &set.articles {
        let doc = wiretrace::text::Document::from_article(&g.article);
        let sys = wiretrace::quotes::extract(&doc);
        let text = &doc.text;
        for q in &g.quotes {
            let len: usize = q.parts.iter().map(|p| p.1 - p.0).sum();
            let best = sys
                .iter()
                .map(|s| {
                    let i: usize = q
                        .parts
                        .iter()
                        .flat_map(|&p| {
                            s.parts
                                .iter()
                                .map(move |x| p.1.min(x.end).saturating_sub(p.0.max(x.start)))
                        })
                        .sum();
                    let slen: usize = s.parts.iter().map(|p| p.end - p.start).sum();
                    (i as f64 / (len + slen - i).max(1) as f64, s)
                })
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let Some((j, s)) = best else { continue };
            if j < 0.8 {
                continue;
            }
            matched += 1;
            if same_speaker(q.speaker.as_deref(), s.speaker.as_deref()) {
                continue;
            }
            errors += 1;
            let (from, to) = (q.parts[0].0, q.parts[q.parts.len() - 1].1);
            let mut lo = from.saturating_sub(300);
            while !text.is_char_boundary(lo) {
                lo -= 1;
            }
            let mut hi = (to + 160).min(text.len());
            while !text.is_char_boundary(hi) {
                hi += 1;
            }
            println!(
                "== {} {}  gold: {:?}  ours: {:?}\n{}[[{}]]{}\n",
                g.source,
                g.article.id,
                q.speaker,
                s.speaker,
                text[lo..from].replace('\n', " / "),
                text[from..to].replace('\n', " / "),
                text[to..hi].replace('\n', " / ")
            );
        }
    }
    println!("{errors} speaker errors in {matched} matched quotes");
    Ok(())
}
