//! Prints the best-matching sentence of b for each sentence of a (a development aid).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arts = wiretrace::demo::articles();
    let a = arts.iter().find(|x| x.id == args[1]).unwrap();
    let b = arts.iter().find(|x| x.id == args[2]).unwrap();
    let da = wiretrace::text::Document::from_article(a);
    let db = wiretrace::text::Document::from_article(b);
    let st = wiretrace::fingerprint::CorpusStats::default();
    let fa = wiretrace::align::sentence_features(&da, &st);
    let fb = wiretrace::align::sentence_features(&db, &st);
    let sim = wiretrace::align::LexicalSimilarity::default();
    use wiretrace::align::SentenceSimilarity;
    for (i, f) in fa.iter().enumerate() {
        let mut row: Vec<(f64, usize)> = fb
            .iter()
            .enumerate()
            .map(|(j, g)| (sim.similarity(f, g), j))
            .collect();
        row.sort_by(|x, y| y.0.total_cmp(&x.0));
        println!(
            "a{i:>2} -> b{:>2} {:.2} | 2nd b{:>2} {:.2} | diag {:.2}",
            row[0].1,
            row[0].0,
            row[1].1,
            row[1].0,
            fb.get(i).map_or(0.0, |g| sim.similarity(f, g))
        );
    }
}
