//! Story names: a story's id (its first member's place in the corpus) and its label (a few
//! salient words its members share).

use rustc_hash::FxHashMap;

use crate::fingerprint::CorpusStats;
use crate::text::Document;

/// A story's id names its first member: `s{n}` where `n` is that article's 1-based position in
/// the corpus (`number` maps the documents at hand to it). Unlike a rank by size, it does not move
/// when other stories grow, so links to a story of a stored corpus keep working as articles
/// arrive; it changes only when the story merges with an earlier one or loses its first member.
pub fn story_id(members: &[usize], number: &(dyn Fn(usize) -> usize + Sync)) -> String {
    format!("s{}", members.first().map_or(0, |&i| number(i)) + 1)
}

/// A few salient words shared by a story's members: content words ranked by how many members use
/// them, how often, and how rare they are in the corpus, shown in their most frequent written
/// form. Calendar words (weekdays, months) say when, not what, and are left out.
pub fn story_label(members: &[usize], docs: &[Document], stats: &CorpusStats) -> String {
    // Fx maps: the result does not depend on their order (ranked and form choices are total
    // orders), and SipHash was most of the cost.
    let mut score: FxHashMap<u64, (f64, usize, usize)> = FxHashMap::default();
    let mut forms: FxHashMap<u64, FxHashMap<&str, usize>> = FxHashMap::default();
    let mut seen = rustc_hash::FxHashSet::default();
    for &m in members.iter().take(50) {
        let d = &docs[m];
        seen.clear();
        for t in d.tokens.iter().filter(|t| !t.stop && !t.numeric()) {
            let surface = &d.text[t.span().start..t.span().end];
            if surface.chars().count() < 3 || crate::text::is_calendar_word(&d.norm_of(t)) {
                continue;
            }
            *forms.entry(t.stem).or_default().entry(surface).or_insert(0) += 1;
            let e = score.entry(t.stem).or_insert((0.0, 0, 0));
            e.2 += 1;
            if seen.insert(t.stem) {
                e.0 += stats.idf(t.stem) * if t.entity() { 1.3 } else { 1.0 };
                e.1 += 1;
            }
        }
    }
    let need = if members.len() > 1 { 2 } else { 1 };
    let mut ranked: Vec<(u64, f64)> = score
        .into_iter()
        .filter(|(_, (_, n, _))| *n >= need.min(members.len()))
        .map(|(k, (s, _, count))| (k, s * (1.0 + (count as f64).ln())))
        .collect();
    ranked.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    ranked
        .iter()
        .take(4)
        .filter_map(|(k, _)| {
            forms.get(k).and_then(|f| {
                f.iter()
                    .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                    .map(|(s, _)| s.to_string())
            })
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
