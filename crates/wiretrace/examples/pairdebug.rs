//! Prints the features of every pair of a JSONL corpus (a development aid for the classifier).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let arts = if path.is_empty() {
        wiretrace::demo::articles()
    } else {
        wiretrace::input::read_paths(&[path.into()], Default::default()).articles
    };
    let e = wiretrace::Engine::default();
    let cands = e.candidate_features(&arts);
    for i in 0..arts.len() {
        for j in i + 1..arts.len() {
            let f = e.pair_features(&arts[i], &arts[j]);
            let cand = cands.iter().any(|c| c.0 == i && c.1 == j);
            let p = e
                .config()
                .classifier
                .probabilities(&f)
                .map(|p| p.map(|x| (x * 100.0).round() / 100.0));
            println!("{:>18} {:>18} cand={} rel={:?} p={:?} verb={:.2} near={:.2} para={:.2} reuse_s={:.2} msim={:.2} cont={:.2} cos={:.2} ent={:.2} chain={:.2} cover={:.2} strength={:.2} order={:.2}",
              arts[i].id, arts[j].id, cand, e.config().classifier.relation(&f), p, f.verbatim_short, f.near_short, f.paraphrase_short, f.reuse_short, f.mean_similarity, f.containment, f.cosine, f.entity_overlap, f.lineage_chain, f.lineage_cover, f.lineage_strength, f.order_evidence);
        }
    }
}
