//! Stories and derivations: classified pairs → clusters of articles that tell the same story,
//! and directed source → derived edges.
//!
//! Stories are average-link clusters over the `same_event`-or-stronger pairs: edges are taken
//! strongest first, and two clusters merge only when the mean similarity over *all* their cross
//! pairs (pairs that were never candidates count as 0) reaches `link_average` — except along
//! `copy` edges, which always merge (same text, same story). That is the guard
//! against chaining: one weak link between two events cannot pull them together, because every
//! other cross pair votes against it. Each merge looks at `|A|·|B|` pairs, capped at 64 members
//! per side, so clustering stays linear in the number of candidate edges.
//!
//! Direction of a derivation pair, in order of strength of evidence:
//! 1. publication times, when both are known and differ;
//! 2. corroboration: a third article that tells the same event independently of both (a
//!    `same_event` pair with each) is closer in wording to the source than to the derived text,
//!    because a rewrite moves away from the facts and quotes that independent reporters share;
//! 3. excerpt: when the shorter text is entirely verbatim inside a much longer one, the longer is
//!    the source (news excerpts far more often than it pads).
//!
//! Without such evidence no edge is drawn and the pair is listed as undirected, with the reason.

use std::collections::HashMap;

use crate::model::{Derivation, Relation, UndirectedDerivation};
use crate::union_find::UnionFind;

mod label;

pub use label::{story_id, story_label};

/// What the story stage needs to know about a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// Lower document index.
    pub a: usize,
    /// Higher document index.
    pub b: usize,
    /// Relation.
    pub relation: Relation,
    /// The story score in [0, 1] ([`crate::classify::PairFeatures::similarity_with`]): what
    /// stories merge on. Users see the graded similarity instead (`Pair::similarity`).
    pub similarity: f64,
    /// Content-word cosine of the two documents.
    pub cosine: f64,
    /// Shorter over longer length.
    pub length_ratio: f64,
    /// Verbatim-covered share of the shorter side.
    pub verbatim_short: f64,
    /// True when side a is the shorter.
    pub a_is_short: bool,
    /// The pair would tell the same event but was published too far apart: a later
    /// development. Such a pair is a cannot-link for stories, whatever chains the two articles
    /// (an undated copy can sit close to both the event and its follow-up).
    pub later_development: bool,
}

/// Clusters `n` documents into stories; returns, for each story, its member indices (sorted),
/// stories ordered by decreasing size then first member. Every document is in exactly one story.
pub fn cluster(n: usize, pairs: &[ScoredPair], link_average: f64) -> Vec<Vec<usize>> {
    const CAP: usize = 64;
    let sim: HashMap<(usize, usize), f64> =
        pairs.iter().map(|p| ((p.a, p.b), p.similarity)).collect();
    let later: std::collections::HashSet<(usize, usize)> = pairs
        .iter()
        .filter(|p| p.later_development)
        .map(|p| (p.a.min(p.b), p.a.max(p.b)))
        .collect();
    let mut edges: Vec<&ScoredPair> = pairs
        .iter()
        .filter(|p| p.relation.is_same_story())
        .collect();
    edges.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let mut clusters = UnionFind::new(n);
    // Each cluster's members in merge order, under its root: the vote below reads the first
    // `CAP` of them, so the order is the forest's (the larger cluster's members first).
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for e in edges {
        let (ra, rb) = (clusters.find(e.a), clusters.find(e.b));
        if ra == rb {
            continue;
        }
        let ma = &members[ra];
        let mb = &members[rb];
        let mut total = 0.0;
        let mut count = 0usize;
        let mut apart = false;
        for &x in ma.iter().take(CAP) {
            for &y in mb.iter().take(CAP) {
                let key = if x < y { (x, y) } else { (y, x) };
                total += sim.get(&key).copied().unwrap_or(0.0);
                apart |= later.contains(&key);
                count += 1;
            }
        }
        if apart && e.relation != Relation::Copy {
            continue;
        }
        // A copy is the same text: it joins its original's story whatever the rest of the
        // cluster, so a story syndicated hundreds of times (whose copies are only chained by
        // the candidate stage) stays one story.
        if e.relation == Relation::Copy || count > 0 && total / count as f64 >= link_average {
            if let Some(merge) = clusters.union(ra, rb) {
                let moved = std::mem::take(&mut members[merge.absorbed]);
                members[merge.root].extend(moved);
            }
        }
    }
    let mut out = clusters.sets();
    out.sort_by(|x, y| y.len().cmp(&x.len()).then(x[0].cmp(&y[0])));
    out
}

/// What the direction stage knows about each article.
#[derive(Debug, Clone)]
pub struct ArticleInfo<'a> {
    /// Article id.
    pub id: &'a str,
    /// Publication time as a Unix timestamp, when known.
    pub published: Option<i64>,
}

/// Directs the derivation pairs.
pub fn derivations(
    articles: &[ArticleInfo<'_>],
    pairs: &[ScoredPair],
) -> (Vec<Derivation>, Vec<UndirectedDerivation>) {
    let by_pair: HashMap<(usize, usize), &ScoredPair> =
        pairs.iter().map(|p| ((p.a, p.b), p)).collect();
    let mut neighbours: HashMap<usize, Vec<usize>> = HashMap::new();
    for p in pairs {
        neighbours.entry(p.a).or_default().push(p.b);
        neighbours.entry(p.b).or_default().push(p.a);
    }
    let get = |x: usize, y: usize| by_pair.get(&if x < y { (x, y) } else { (y, x) }).copied();

    let mut directed = Vec::new();
    let mut undirected = Vec::new();
    for p in pairs.iter().filter(|p| p.relation.is_derivation()) {
        let (a, b) = (p.a, p.b);
        let decided: Option<(usize, usize, f64, Vec<String>)> = 'decide: {
            // 1. Publication times.
            if let (Some(ta), Some(tb)) = (articles[a].published, articles[b].published) {
                if ta != tb {
                    let (s, d) = if ta < tb { (a, b) } else { (b, a) };
                    let minutes = (ta - tb).abs() / 60;
                    break 'decide Some((
                        s,
                        d,
                        0.95,
                        vec![format!(
                            "{} was published {} before {}",
                            articles[s].id,
                            human_minutes(minutes),
                            articles[d].id
                        )],
                    ));
                }
            }
            // 2. Corroboration by an independent third report.
            let mut votes = 0.0f64;
            let mut witnesses = Vec::new();
            if let (Some(na), Some(nb)) = (neighbours.get(&a), neighbours.get(&b)) {
                for &c in na.iter().filter(|c| nb.contains(c)) {
                    let (Some(pa), Some(pb)) = (get(a, c), get(b, c)) else {
                        continue;
                    };
                    if pa.relation != Relation::SameEvent || pb.relation != Relation::SameEvent {
                        continue;
                    }
                    let diff = pa.cosine - pb.cosine;
                    if diff.abs() >= 0.03 {
                        votes += diff.signum();
                        witnesses.push(articles[c].id);
                    }
                }
            }
            if votes != 0.0 {
                let (s, d) = if votes > 0.0 { (a, b) } else { (b, a) };
                let conf = (0.6 + 0.1 * votes.abs()).min(0.85);
                break 'decide Some((
                    s,
                    d,
                    conf,
                    vec![format!(
                        "the wording of {} is closer to independent report(s) {} than that of {}",
                        articles[s].id,
                        witnesses.join(", "),
                        articles[d].id
                    )],
                ));
            }
            // 3. Excerpt.
            if p.verbatim_short >= 0.9 && p.length_ratio < 0.7 {
                let (s, d) = if p.a_is_short { (b, a) } else { (a, b) };
                break 'decide Some((
                    s,
                    d,
                    0.6,
                    vec![format!(
                        "{} is a verbatim excerpt of the longer {}",
                        articles[d].id, articles[s].id
                    )],
                ));
            }
            None
        };
        match decided {
            Some((s, d, confidence, evidence)) => directed.push(Derivation {
                source: articles[s].id.to_string(),
                derived: articles[d].id.to_string(),
                relation: p.relation,
                confidence,
                evidence,
            }),
            None => undirected.push(UndirectedDerivation {
                a: articles[a].id.to_string(),
                b: articles[b].id.to_string(),
                relation: p.relation,
                reason: if articles[a].published.is_some()
                    && articles[a].published == articles[b].published
                {
                    "same publication time and no textual evidence of direction".into()
                } else {
                    "publication times unknown and no textual evidence of direction".into()
                },
            }),
        }
    }
    (directed, undirected)
}

fn human_minutes(m: i64) -> String {
    if m < 60 {
        format!("{m} min")
    } else if m < 48 * 60 {
        format!("{}h{:02}", m / 60, m % 60)
    } else {
        format!("{} days", m / (24 * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(a: usize, b: usize, relation: Relation, similarity: f64) -> ScoredPair {
        ScoredPair {
            a,
            b,
            relation,
            similarity,
            cosine: similarity,
            length_ratio: 1.0,
            verbatim_short: 0.0,
            a_is_short: true,
            later_development: false,
        }
    }

    #[test]
    fn a_later_development_is_never_merged_into_the_event_story() {
        // 0 and 1 report the event; 2 is a follow-up published days later (related to 0 by the
        // time window); 1 is undated and close to both.
        let mut later = sp(0, 2, Relation::Related, 0.6);
        later.later_development = true;
        let pairs = vec![
            sp(0, 1, Relation::HeavyRewrite, 0.7),
            sp(1, 2, Relation::SameEvent, 0.6),
            later,
        ];
        let stories = cluster(3, &pairs, 0.1);
        assert_eq!(stories, vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn one_weak_link_does_not_chain_two_events() {
        // Two tight triangles {0,1,2} and {3,4,5}, joined by a single weak same_event edge 2-3.
        let mut pairs = vec![];
        for (x, y) in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)] {
            pairs.push(sp(x, y, Relation::SameEvent, 0.8));
        }
        pairs.push(sp(2, 3, Relation::SameEvent, 0.35));
        let stories = cluster(6, &pairs, 0.2);
        assert_eq!(stories, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    }

    /// Regression: 2,000 copies of one article, chained by the candidate stage (large LSH buckets
    /// are chained, not paired exhaustively), were split into 182 stories by the average rule.
    #[test]
    fn chained_copies_stay_one_story() {
        let pairs: Vec<ScoredPair> = (0..1999)
            .map(|i| sp(i, i + 1, Relation::Copy, 1.0))
            .collect();
        let stories = cluster(2000, &pairs, 0.1);
        assert_eq!(stories.len(), 1);
    }

    #[test]
    fn clustering_is_idempotent_and_covers_everyone() {
        let pairs = vec![
            sp(0, 1, Relation::Copy, 0.9),
            sp(2, 3, Relation::Related, 0.2),
        ];
        let s1 = cluster(5, &pairs, 0.2);
        let s2 = cluster(5, &pairs, 0.2);
        assert_eq!(s1, s2);
        let mut all: Vec<usize> = s1.concat();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn direction_from_time_then_corroboration_else_undirected() {
        let arts = [
            ArticleInfo {
                id: "wire",
                published: None,
            },
            ArticleInfo {
                id: "spun",
                published: None,
            },
            ArticleInfo {
                id: "indep",
                published: None,
            },
            ArticleInfo {
                id: "x",
                published: Some(100),
            },
            ArticleInfo {
                id: "y",
                published: Some(40),
            },
        ];
        let mut spun = sp(0, 1, Relation::HeavyRewrite, 0.6);
        spun.length_ratio = 0.95;
        let mut w_i = sp(0, 2, Relation::SameEvent, 0.5);
        w_i.cosine = 0.5;
        let mut s_i = sp(1, 2, Relation::SameEvent, 0.3);
        s_i.cosine = 0.3;
        let xy = sp(3, 4, Relation::Copy, 0.99);
        let (d, u) = derivations(&arts, &[spun, w_i, s_i, xy]);
        assert_eq!(d.len(), 2);
        assert!(d.iter().any(|e| e.source == "wire" && e.derived == "spun"));
        assert!(d.iter().any(|e| e.source == "y" && e.derived == "x"));
        assert!(u.is_empty());
        let (d, u) = derivations(&arts[..2], &[spun]);
        assert!(d.is_empty());
        assert_eq!(u.len(), 1);
    }
}
