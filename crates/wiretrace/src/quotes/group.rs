//! Matching quotes across the articles of a story into groups: one group per statement, one
//! variant per occurrence.
//!
//! Two quotes of different articles of one story are the same statement when their speakers
//! agree (the same surname, so "Ruiz", "Ana Ruiz" and "Port Minister Ana Ruiz" are one person;
//! an unknown speaker agrees with anyone) and one of these holds:
//! - their words overlap: Dice ≥ [`LEXICAL_DICE`], or one is a contiguous run of the other
//!   (a truncation, pieces around an ellipsis included);
//! - both speakers are known and the sentence aligner linked the two quotes' sentences in a
//!   derivation pair: a spun copy rewords a quote beyond any word overlap but keeps it in the
//!   sentence that derives from the original's;
//! - both speakers are known and the semantic model finds the texts mean the same
//!   (cosine ≥ [`SEMANTIC_COSINE`]): two translations of one statement.
//!
//! Matches are joined transitively (union-find); a group needs two articles.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::{fidelity, Quote};
use crate::model::{AlignmentLink, Article, QuoteGroup, Relation};
use crate::semantic::{cosine, Embedder};
use crate::text::Document;
use crate::union_find::UnionFind;

/// Word overlap (Dice over normalised words) at which two quotes are one statement.
pub const LEXICAL_DICE: f64 = 0.5;

/// Embedding cosine at which two quotes of one speaker are one statement.
pub const SEMANTIC_COSINE: f64 = 0.75;

/// The longest run of unlinked sentences between two ordered links that still corresponds.
const MAX_GAP: usize = 3;

/// A scored pair of articles as grouping sees it: the relation and the sentence alignment.
#[derive(Debug, Clone, Copy)]
pub struct PairLinks<'a> {
    /// Lower document index.
    pub a: usize,
    /// Higher document index.
    pub b: usize,
    /// The pair's relation.
    pub relation: Relation,
    /// Its aligned sentences (side a, side b).
    pub links: &'a [AlignmentLink],
}

/// Dice coefficient of two word multisets.
pub fn dice(a: &[String], b: &[String]) -> f64 {
    let mut counts: HashMap<&str, i32> = HashMap::new();
    for w in a {
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut shared = 0;
    for w in b {
        if let Some(c) = counts.get_mut(w.as_str()) {
            if *c > 0 {
                *c -= 1;
                shared += 1;
            }
        }
    }
    2.0 * f64::from(shared) / (a.len() + b.len()).max(1) as f64
}

/// True when `short` is a contiguous run of `long`.
pub fn contains_run(long: &[String], short: &[String]) -> bool {
    !short.is_empty() && short.len() <= long.len() && long.windows(short.len()).any(|w| w == short)
}

/// Surname-level agreement; `None` agrees with anything.
pub fn speakers_agree(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => surname(x) == surname(y),
        _ => true,
    }
}

fn surname(name: &str) -> String {
    name.split_whitespace().last().unwrap_or("").to_lowercase()
}

/// The members of one group: (document, quote).
pub(super) type Member = (usize, Quote);

/// Groups the quotes of all documents; only quotes of articles in the same story are compared.
/// Returns groups with variants in at least two articles, in order of first appearance.
///
/// A group's id names its first appearance: `q{d}.{k}` is the `k`-th quote (1-based) of the
/// document numbered `d` by `number` (1-based; `number[i]` is document `i`'s position in the
/// whole corpus, which is `i` itself unless the documents are a part of it). Such an id does not
/// move when other groups appear or vanish, so a stored corpus keeps it across batches.
pub fn group_quotes(
    articles: &[Article],
    docs: &[Document],
    story_of: &[usize],
    pairs: &[PairLinks<'_>],
    embedder: Option<&dyn Embedder>,
    number: &dyn Fn(usize) -> usize,
) -> Vec<QuoteGroup> {
    let mut story_size: HashMap<usize, usize> = HashMap::new();
    for &s in story_of {
        *story_size.entry(s).or_insert(0) += 1;
    }
    let per_doc: Vec<Vec<Quote>> = docs
        .par_iter()
        .enumerate()
        .map(|(d, doc)| {
            if story_size.get(&story_of[d]).copied().unwrap_or(0) >= 2 {
                super::extract(doc)
            } else {
                Vec::new()
            }
        })
        .collect();
    let items: Vec<(usize, &Quote)> = per_doc
        .iter()
        .enumerate()
        .flat_map(|(d, qs)| qs.iter().map(move |q| (d, q)))
        .collect();
    // The position of each item among its document's quotes, for the group ids.
    let nth: Vec<usize> = per_doc.iter().flat_map(|qs| 0..qs.len()).collect();
    if items.len() < 2 {
        return Vec::new();
    }
    // Meaning is only asked of quotes with a named speaker (the semantic match needs two), so
    // the model embeds no more than that.
    let named: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].1.speaker.is_some())
        .collect();
    let vectors: Option<HashMap<usize, Vec<f32>>> = embedder.and_then(|e| {
        let texts: Vec<String> = named
            .iter()
            .map(|&i| items[i].1.text(&docs[items[i].0].text).into_owned())
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let v = e.embed(&refs).ok().filter(|v| v.len() == refs.len())?;
        Some(named.iter().copied().zip(v).collect())
    });
    let segs: Vec<Vec<Vec<String>>> = items
        .iter()
        .map(|(d, q)| fidelity::segments(&q.text(&docs[*d].text)))
        .collect();
    let linked: HashMap<(usize, usize), &PairLinks<'_>> =
        pairs.iter().map(|p| ((p.a, p.b), p)).collect();
    let mut statements = UnionFind::new(items.len());
    // Only quotes of one story are compared: pairs within each story's bucket.
    let mut by_story: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, (d, _)) in items.iter().enumerate() {
        by_story.entry(story_of[*d]).or_default().push(i);
    }
    let mut buckets: Vec<Vec<usize>> = by_story.into_values().collect();
    buckets.sort_unstable();
    for bucket in &buckets {
        for (k, &i) in bucket.iter().enumerate() {
            let (d, q) = items[i];
            for &j in &bucket[k + 1..] {
                let (e, r) = items[j];
                if d == e || !speakers_agree(q.speaker.as_deref(), r.speaker.as_deref()) {
                    continue;
                }
                let lexical = dice(&q.words, &r.words) >= LEXICAL_DICE
                    || (q.words.len().min(r.words.len()) >= 2
                        && (fidelity::is_truncation(&r.words, &segs[i])
                            || fidelity::is_truncation(&q.words, &segs[j])));
                let both_named = q.speaker.is_some() && r.speaker.is_some();
                let aligned = both_named && aligned_sentences(&linked, d, q, e, r);
                let semantic = both_named
                    && vectors.as_ref().is_some_and(|v| {
                        v.get(&i)
                            .zip(v.get(&j))
                            .is_some_and(|(x, y)| cosine(x, y) >= SEMANTIC_COSINE)
                    });
                if lexical || aligned || semantic {
                    statements.union(i, j);
                }
            }
        }
    }
    statements
        .sets()
        .into_iter()
        .filter(|g| g.iter().map(|&i| items[i].0).collect::<HashSet<_>>().len() >= 2)
        .map(|g| {
            let members: Vec<Member> = g
                .iter()
                .map(|&i| (items[i].0, items[i].1.clone()))
                .collect();
            // Items are numbered in document order, so the group's first is its lowest.
            let id = format!("q{}.{}", number(items[g[0]].0) + 1, nth[g[0]] + 1);
            fidelity::assess(id, articles, docs, &members, &linked)
        })
        .collect()
}

/// The aligner linked the sentences of `q` (in `d`) and `r` (in `e`) in a derivation pair.
fn aligned_sentences(
    linked: &HashMap<(usize, usize), &PairLinks<'_>>,
    d: usize,
    q: &Quote,
    e: usize,
    r: &Quote,
) -> bool {
    let (lo, hi, qa, qb) = if d < e { (d, e, q, r) } else { (e, d, r, q) };
    let Some(p) = linked.get(&(lo, hi)) else {
        return false;
    };
    if !p.relation.is_derivation() {
        return false;
    }
    let overlaps = |from: usize, to: usize, x: &Quote| from <= x.last_sentence && x.sentence <= to;
    if p.links.iter().any(|l| {
        overlaps(l.a, l.a_end.unwrap_or(l.a), qa) && overlaps(l.b, l.b_end.unwrap_or(l.b), qb)
    }) {
        return true;
    }
    // A gap of the same few sentences on both sides between two ordered links: the sentences
    // in it correspond too (a quote reworded past the aligner's threshold, between neighbours
    // that were kept).
    let mut links: Vec<&AlignmentLink> = p.links.iter().collect();
    links.sort_by_key(|l| (l.a, l.b));
    links.windows(2).any(|w| {
        let (x, y) = (w[0], w[1]);
        let (a0, b0) = (x.a_end.unwrap_or(x.a) + 1, x.b_end.unwrap_or(x.b) + 1);
        y.b >= b0
            && y.a - a0 == y.b - b0
            && (1..=MAX_GAP).contains(&(y.a - a0))
            && qa.sentence >= a0
            && qa.last_sentence < y.a
            && qb.sentence >= b0
            && qb.last_sentence < y.b
            && qa.sentence - a0 == qb.sentence - b0
    })
}

/// Articles `a0`, `a1`, … with the given bodies, and their documents: one story for the tests.
#[cfg(test)]
pub(super) fn test_story(bodies: &[&str]) -> (Vec<Article>, Vec<Document>) {
    let arts: Vec<Article> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| Article::new(format!("a{i}"), *b))
        .collect();
    let docs = arts.iter().map(Document::from_article).collect();
    (arts, docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_and_titles_agree_unknown_agrees() {
        assert!(speakers_agree(Some("Port Minister Ana Ruiz"), Some("Ruiz")));
        assert!(speakers_agree(None, Some("Ruiz")));
        assert!(!speakers_agree(Some("Ana Ruiz"), Some("Tomas Beltran")));
    }

    #[test]
    fn dice_and_runs() {
        let w = |s: &str| super::super::words_of(s);
        assert!(dice(&w("a b c d"), &w("a b c e")) > 0.7);
        assert!(contains_run(
            &w("we are ready to talk now"),
            &w("ready to talk")
        ));
        assert!(!contains_run(
            &w("we are ready to talk now"),
            &w("ready talk")
        ));
    }

    /// A stand-in model: texts about talks are one meaning, anything else another.
    struct Meaning;
    impl Embedder for Meaning {
        fn id(&self) -> &str {
            "meaning"
        }
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            Ok(texts
                .iter()
                .map(|t| {
                    let t = t.to_lowercase();
                    if t.contains("talk") || t.contains("negotiat") {
                        vec![1.0, 0.0]
                    } else {
                        vec![0.0, 1.0]
                    }
                })
                .collect())
        }
    }

    #[test]
    fn with_a_model_one_speaker_s_quotes_match_in_meaning() {
        let bodies = [
            "\"We are ready to talk now,\" Ana Ruiz said.",
            "\"Negotiations can begin at once,\" Ruiz told reporters.",
            "\"Negotiations can begin at once,\" Tomas Beltran said.",
        ];
        let (arts, docs) = test_story(&bodies);
        assert!(group_quotes(&arts, &docs, &[0, 0, 0], &[], None, &|i| i)
            .iter()
            .all(|g| g.variants.iter().all(|v| v.article != "a0")));
        let g = group_quotes(&arts, &docs, &[0, 0, 0], &[], Some(&Meaning), &|i| i);
        let with_a0 = g
            .iter()
            .find(|g| g.variants.iter().any(|v| v.article == "a0"))
            .expect("grouped by meaning");
        let members: Vec<&str> = with_a0
            .variants
            .iter()
            .map(|v| v.article.as_str())
            .collect();
        assert_eq!(members, vec!["a0", "a1"]);
        assert!(with_a0.altered);
    }

    #[test]
    fn quotes_without_a_story_are_not_grouped() {
        let arts: Vec<Article> = ["a", "b"]
            .iter()
            .map(|id| Article::new(*id, "\"We are ready to talk now,\" Ruiz said."))
            .collect();
        let docs: Vec<Document> = arts.iter().map(Document::from_article).collect();
        assert!(group_quotes(&arts, &docs, &[0, 1], &[], None, &|i| i).is_empty());
        assert_eq!(
            group_quotes(&arts, &docs, &[0, 0], &[], None, &|i| i).len(),
            1
        );
    }
}
