//! Direction of a derivation pair: which article is the source and which the derived text.
//! Every rule that decides a direction is here; the other stages only hand over evidence.
//!
//! In order of strength of evidence:
//! 1. publication times, when both are known and differ;
//! 2. corroboration: a third article that tells the same event independently of both (a
//!    `same_event` pair with each) is closer in wording to the source than to the derived text,
//!    because a rewrite moves away from the facts and quotes that independent reporters share;
//! 3. excerpt: when the shorter text is entirely verbatim inside a much longer one, the longer is
//!    the source (news excerpts far more often than it pads);
//! 4. quotes ([`apply_quote_votes`]): a pair left undirected is directed when the quotes vote
//!    for a side (an altered wording in one article, the other's carried by independent
//!    reports); a direction decided above is kept, the quotes' votes added to its evidence, for
//!    or against it.
//!
//! Without such evidence no edge is drawn and the pair is listed as undirected, with the reason.

use std::collections::HashMap;

use super::ClassifiedPair;
use crate::model::{Derivation, Relation, UndirectedDerivation};

/// Confidence of a derivation direction decided by quote corroboration alone.
pub const CORROBORATION_CONFIDENCE: f64 = 0.65;

/// What the direction stage knows about each article.
#[derive(Debug, Clone)]
pub struct ArticleInfo<'a> {
    /// Article id.
    pub id: &'a str,
    /// Publication time as a Unix timestamp, when known.
    pub published: Option<i64>,
}

/// A direction decided for a pair: document indices, confidence and why.
struct Decision {
    source: usize,
    derived: usize,
    confidence: f64,
    evidence: Vec<String>,
}

/// The pairs by their documents, and each document's partners: where a third report is looked
/// for.
struct Neighbourhood<'p> {
    by_pair: HashMap<(usize, usize), &'p ClassifiedPair>,
    neighbours: HashMap<usize, Vec<usize>>,
}

impl<'p> Neighbourhood<'p> {
    fn new(pairs: &'p [ClassifiedPair]) -> Self {
        let by_pair = pairs.iter().map(|p| ((p.a, p.b), p)).collect();
        let mut neighbours: HashMap<usize, Vec<usize>> = HashMap::new();
        for p in pairs {
            neighbours.entry(p.a).or_default().push(p.b);
            neighbours.entry(p.b).or_default().push(p.a);
        }
        Neighbourhood {
            by_pair,
            neighbours,
        }
    }

    fn get(&self, x: usize, y: usize) -> Option<&'p ClassifiedPair> {
        self.by_pair
            .get(&if x < y { (x, y) } else { (y, x) })
            .copied()
    }
}

/// Directs the derivation pairs by rules 1–3 (times, a third report, excerpting).
pub fn derivations(
    articles: &[ArticleInfo<'_>],
    pairs: &[ClassifiedPair],
) -> (Vec<Derivation>, Vec<UndirectedDerivation>) {
    let near = Neighbourhood::new(pairs);
    let mut directed = Vec::new();
    let mut undirected = Vec::new();
    for p in pairs.iter().filter(|p| p.relation.is_derivation()) {
        let decided = by_time(articles, p)
            .or_else(|| by_third_report(articles, &near, p))
            .or_else(|| by_excerpt(articles, p));
        match decided {
            Some(d) => directed.push(Derivation {
                source: articles[d.source].id.to_string(),
                derived: articles[d.derived].id.to_string(),
                relation: p.relation,
                confidence: d.confidence,
                evidence: d.evidence,
            }),
            None => undirected.push(undecided(articles, p)),
        }
    }
    (directed, undirected)
}

/// Rule 1, publication times: the earlier is the source.
fn by_time(articles: &[ArticleInfo<'_>], p: &ClassifiedPair) -> Option<Decision> {
    let (a, b) = (p.a, p.b);
    let (ta, tb) = (articles[a].published?, articles[b].published?);
    if ta == tb {
        return None;
    }
    let (s, d) = if ta < tb { (a, b) } else { (b, a) };
    let minutes = (ta - tb).abs() / 60;
    Some(Decision {
        source: s,
        derived: d,
        confidence: 0.95,
        evidence: vec![format!(
            "{} was published {} before {}",
            articles[s].id,
            human_minutes(minutes),
            articles[d].id
        )],
    })
}

/// Rule 2, corroboration by an independent third report: each article reporting the same
/// event as both votes for the side whose wording is closer to its own.
fn by_third_report(
    articles: &[ArticleInfo<'_>],
    near: &Neighbourhood<'_>,
    p: &ClassifiedPair,
) -> Option<Decision> {
    let (a, b) = (p.a, p.b);
    let mut votes = 0.0f64;
    let mut witnesses = Vec::new();
    if let (Some(na), Some(nb)) = (near.neighbours.get(&a), near.neighbours.get(&b)) {
        for &c in na.iter().filter(|c| nb.contains(c)) {
            let (Some(pa), Some(pb)) = (near.get(a, c), near.get(b, c)) else {
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
    if votes == 0.0 {
        return None;
    }
    let (s, d) = if votes > 0.0 { (a, b) } else { (b, a) };
    Some(Decision {
        source: s,
        derived: d,
        confidence: (0.6 + 0.1 * votes.abs()).min(0.85),
        evidence: vec![format!(
            "the wording of {} is closer to independent report(s) {} than that of {}",
            articles[s].id,
            witnesses.join(", "),
            articles[d].id
        )],
    })
}

/// Rule 3, excerpt: a shorter text almost entirely verbatim in a much longer one derives from it.
fn by_excerpt(articles: &[ArticleInfo<'_>], p: &ClassifiedPair) -> Option<Decision> {
    if !(p.verbatim_short >= 0.9 && p.length_ratio < 0.7) {
        return None;
    }
    let (s, d) = if p.a_is_short { (p.b, p.a) } else { (p.a, p.b) };
    Some(Decision {
        source: s,
        derived: d,
        confidence: 0.6,
        evidence: vec![format!(
            "{} is a verbatim excerpt of the longer {}",
            articles[d].id, articles[s].id
        )],
    })
}

/// A pair no rule directs, with the reason.
fn undecided(articles: &[ArticleInfo<'_>], p: &ClassifiedPair) -> UndirectedDerivation {
    let (a, b) = (p.a, p.b);
    UndirectedDerivation {
        a: articles[a].id.to_string(),
        b: articles[b].id.to_string(),
        relation: p.relation,
        reason: if articles[a].published.is_some() && articles[a].published == articles[b].published
        {
            "same publication time and no textual evidence of direction".into()
        } else {
            "publication times unknown and no textual evidence of direction".into()
        },
    }
}

/// Rule 4, quotes: `votes(x, y)` is the quote evidence on articles `x` and `y` (votes for `x` being
/// the source, negative for `y`, with one evidence line per vote; the quote stage computes it).
/// It is added to the derivations' evidence, and directs the undirected pairs it decides. A
/// direction from the rules above is kept even when quotes disagree; the disagreement is then
/// reported as evidence against it.
pub fn apply_quote_votes(
    derivations: &mut Vec<Derivation>,
    undirected: &mut Vec<UndirectedDerivation>,
    votes: impl Fn(&str, &str) -> (i32, Vec<String>),
) {
    for d in derivations.iter_mut() {
        let (votes, evidence) = votes(&d.source, &d.derived);
        if votes > 0 {
            d.evidence.extend(evidence);
        } else if votes < 0 {
            d.evidence.extend(
                evidence
                    .into_iter()
                    .map(|e| format!("against this direction: {e}")),
            );
        }
    }
    let mut kept = Vec::new();
    for u in undirected.drain(..) {
        let (votes, evidence) = votes(&u.a, &u.b);
        if votes == 0 {
            kept.push(u);
            continue;
        }
        let (source, derived) = if votes > 0 { (u.a, u.b) } else { (u.b, u.a) };
        derivations.push(Derivation {
            source,
            derived,
            relation: u.relation,
            confidence: CORROBORATION_CONFIDENCE,
            evidence,
        });
    }
    *undirected = kept;
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
    use crate::story::tests::sp;

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
