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

use super::fidelity::{assess, Member};
use super::wording::{dice, is_truncation, segments};
use super::{PairLinks, Quote};
use crate::model::{AlignmentLink, Article, QuoteGroup};
use crate::semantic::{cosine, Embedder};
use crate::text::Document;
use crate::union_find::UnionFind;

/// Word overlap (Dice over normalised words) at which two quotes are one statement.
pub const LEXICAL_DICE: f64 = 0.5;

/// Embedding cosine at which two quotes of one speaker are one statement.
pub const SEMANTIC_COSINE: f64 = 0.75;

/// The longest run of unlinked sentences between two ordered links that still corresponds.
const MAX_GAP: usize = 3;

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
    let per_doc = quotes_in_stories(docs, story_of);
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
    let linked: HashMap<(usize, usize), &PairLinks<'_>> =
        pairs.iter().map(|p| ((p.a, p.b), p)).collect();
    let matcher = Matcher {
        items: &items,
        segs: items
            .iter()
            .map(|(d, q)| segments(&q.text(&docs[*d].text)))
            .collect(),
        linked: &linked,
        vectors: embed_named(&items, docs, embedder),
    };
    matcher
        .statements(story_of)
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
            assess(id, articles, docs, &members, &linked)
        })
        .collect()
}

/// The quotes of each document that shares its story with another: a quote of a story of
/// one can match nothing, so its document is not read.
fn quotes_in_stories(docs: &[Document], story_of: &[usize]) -> Vec<Vec<Quote>> {
    let mut story_size: HashMap<usize, usize> = HashMap::new();
    for &s in story_of {
        *story_size.entry(s).or_insert(0) += 1;
    }
    docs.par_iter()
        .enumerate()
        .map(|(d, doc)| {
            if story_size.get(&story_of[d]).copied().unwrap_or(0) >= 2 {
                super::extract(doc)
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Embeddings of the quotes with a named speaker, by item. Meaning is only asked of quotes
/// with a named speaker (the semantic match needs two), so the model embeds no more than that.
fn embed_named(
    items: &[(usize, &Quote)],
    docs: &[Document],
    embedder: Option<&dyn Embedder>,
) -> Option<HashMap<usize, Vec<f32>>> {
    let named: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].1.speaker.is_some())
        .collect();
    embedder.and_then(|e| {
        let texts: Vec<String> = named
            .iter()
            .map(|&i| items[i].1.text(&docs[items[i].0].text).into_owned())
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let v = e.embed(&refs).ok().filter(|v| v.len() == refs.len())?;
        Some(named.iter().copied().zip(v).collect())
    })
}

/// What deciding that two quotes are one statement reads: the quotes (document, quote), their
/// ellipsis pieces, the scored pairs by document pair, and the embeddings of named quotes.
struct Matcher<'a> {
    items: &'a [(usize, &'a Quote)],
    segs: Vec<Vec<Vec<String>>>,
    linked: &'a HashMap<(usize, usize), &'a PairLinks<'a>>,
    vectors: Option<HashMap<usize, Vec<f32>>>,
}

impl Matcher<'_> {
    /// The items joined into statements. Only quotes of one story are compared: pairs within
    /// each story's bucket.
    fn statements(&self, story_of: &[usize]) -> UnionFind {
        let mut statements = UnionFind::new(self.items.len());
        let mut by_story: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, (d, _)) in self.items.iter().enumerate() {
            by_story.entry(story_of[*d]).or_default().push(i);
        }
        let mut buckets: Vec<Vec<usize>> = by_story.into_values().collect();
        buckets.sort_unstable();
        for bucket in &buckets {
            for (k, &i) in bucket.iter().enumerate() {
                for &j in &bucket[k + 1..] {
                    if self.same_statement(i, j) {
                        statements.union(i, j);
                    }
                }
            }
        }
        statements
    }

    /// Items `i` and `j` are one statement: different articles, agreeing speakers, and words
    /// that overlap, aligned sentences, or one meaning (see the module's documentation).
    fn same_statement(&self, i: usize, j: usize) -> bool {
        let (d, q) = self.items[i];
        let (e, r) = self.items[j];
        if d == e || !speakers_agree(q.speaker.as_deref(), r.speaker.as_deref()) {
            return false;
        }
        let lexical = dice(&q.words, &r.words) >= LEXICAL_DICE
            || (q.words.len().min(r.words.len()) >= 2
                && (is_truncation(&r.words, &self.segs[i])
                    || is_truncation(&q.words, &self.segs[j])));
        let both_named = q.speaker.is_some() && r.speaker.is_some();
        let aligned = both_named && aligned_sentences(self.linked, d, q, e, r);
        let semantic = both_named
            && self.vectors.as_ref().is_some_and(|v| {
                v.get(&i)
                    .zip(v.get(&j))
                    .is_some_and(|(x, y)| cosine(x, y) >= SEMANTIC_COSINE)
            });
        lexical || aligned || semantic
    }
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
fn test_story(bodies: &[&str]) -> (Vec<Article>, Vec<Document>) {
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
    use crate::model::{Fidelity, QuoteVariant, Relation};
    use crate::quotes::fidelity::corroboration;

    #[test]
    fn surnames_and_titles_agree_unknown_agrees() {
        assert!(speakers_agree(Some("Port Minister Ana Ruiz"), Some("Ruiz")));
        assert!(speakers_agree(None, Some("Ruiz")));
        assert!(!speakers_agree(Some("Ana Ruiz"), Some("Tomas Beltran")));
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

    // The fidelity of grouped quotes ([`assess`], through `group_quotes`) and the quote
    // evidence of direction it gives.

    /// Groups the quotes of `bodies` (one story) with the given pair relations.
    fn groups(bodies: &[&str], relations: &[(usize, usize, Relation)]) -> Vec<QuoteGroup> {
        let (arts, docs) = test_story(bodies);
        let none: Vec<AlignmentLink> = Vec::new();
        let pairs: Vec<PairLinks<'_>> = relations
            .iter()
            .map(|&(a, b, relation)| PairLinks {
                a,
                b,
                relation,
                links: &none,
            })
            .collect();
        group_quotes(&arts, &docs, &vec![0; bodies.len()], &pairs, None, &|i| i)
    }

    const SAID: &str =
        "\"We are ready to talk, but not while the cranes are standing still,\" Ana Ruiz said.";

    #[test]
    fn the_same_words_are_exact_whatever_the_punctuation_and_case() {
        let g = groups(
            &[SAID, "\u{201C}We are ready to talk but NOT while the cranes are standing still.\u{201D} Ruiz said."],
            &[(0, 1, Relation::Copy)],
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].fidelity, Fidelity::Exact);
        assert!(!g[0].altered);
        assert!(g[0]
            .variants
            .iter()
            .all(|v| v.fidelity == Fidelity::Exact && v.diff.is_none()));
        assert_eq!(g[0].speaker.as_deref(), Some("Ana Ruiz"));
    }

    #[test]
    fn a_contiguous_part_is_truncated_with_or_without_an_ellipsis() {
        let g = groups(
            &[
                SAID,
                "Ruiz said they were \"ready to talk\" and no more.",
                "\"We are ready to talk ... while the cranes are standing still,\" Ruiz said.",
            ],
            &[(0, 1, Relation::SameEvent), (0, 2, Relation::LightRewrite)],
        );
        assert_eq!(g.len(), 1);
        let f: Vec<Fidelity> = g[0].variants.iter().map(|v| v.fidelity).collect();
        assert_eq!(
            f,
            vec![Fidelity::Exact, Fidelity::Truncated, Fidelity::Truncated]
        );
        assert_eq!(g[0].fidelity, Fidelity::Truncated);
        assert!(!g[0].altered);
    }

    #[test]
    fn changed_words_in_a_derived_copy_are_altered_with_the_diff() {
        let g = groups(
            &[
                SAID,
                "\"We are ready to talk, but not while the cranes are idle,\" Ruiz said.",
                SAID,
            ],
            &[
                (0, 1, Relation::LightRewrite),
                (0, 2, Relation::SameEvent),
                (1, 2, Relation::SameEvent),
            ],
        );
        assert_eq!(g.len(), 1);
        assert!(g[0].altered);
        let v = &g[0].variants[1];
        assert_eq!(v.fidelity, Fidelity::Altered);
        let d = v.diff.as_ref().expect("a diff");
        assert_eq!(d.against, "a0");
        assert_eq!(d.removed, vec!["standing", "still"]);
        assert_eq!(d.inserted, vec!["idle"]);
        assert_eq!(g[0].variants[0].corroborated_by, vec!["a2".to_string()]);
        assert!(
            g[0].evidence[0].contains("light_rewrite pair"),
            "{:?}",
            g[0].evidence
        );
        assert!(g[0].evidence[0].contains("independent report(s) a2"));
        // And the direction follows: a0's wording is corroborated, a1's altered one is not.
        let (votes, why) = corroboration(&g, "a0", "a1");
        assert_eq!(votes, 1);
        assert!(why[0].contains("a0's wording is carried by independent report(s) a2"));
    }

    #[test]
    fn two_translations_by_independent_outlets_are_one_group_and_no_spin() {
        // One statement in another language, translated by two outlets; each translation is
        // carried by one more independent report.
        let one = "\"We will not negotiate under pressure from anyone,\" Minister Olaf Berg said.";
        let two = "\"We will not negotiate under anyone's pressure,\" Berg told reporters.";
        let g = groups(
            &[one, two, one, two],
            &[
                (0, 1, Relation::SameEvent),
                (0, 2, Relation::SameEvent),
                (0, 3, Relation::SameEvent),
                (1, 2, Relation::SameEvent),
                (1, 3, Relation::SameEvent),
                (2, 3, Relation::SameEvent),
            ],
        );
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(g[0].altered);
        assert_eq!(g[0].speaker.as_deref(), Some("Olaf Berg"));
        let altered: Vec<&QuoteVariant> = g[0]
            .variants
            .iter()
            .filter(|v| v.fidelity == Fidelity::Altered)
            .collect();
        assert!(!altered.is_empty());
        let d = altered[0]
            .diff
            .as_ref()
            .expect("the translation difference");
        assert!(!d.removed.is_empty() && !d.inserted.is_empty());
        let e = g[0].evidence.join(" | ");
        assert!(e.contains("both wordings are corroborated"), "{e}");
        assert!(e.contains("not a spin"), "{e}");
        assert!(!e.contains("pair and"), "{e}");
        // No direction is read into two independent wordings.
        assert_eq!(corroboration(&g, "a0", "a1").0, 0);
    }

    #[test]
    fn a_different_wording_by_an_independent_outlet_alone_is_not_called_spin() {
        let g = groups(
            &[
                SAID,
                "\"We are willing to talk, though not while the cranes stand still,\" Ruiz said.",
            ],
            &[(0, 1, Relation::SameEvent)],
        );
        assert_eq!(g.len(), 1);
        assert!(g[0].altered);
        assert!(g[0].evidence[0].contains("report independently"));
        assert!(g[0].evidence[0].contains("not by itself a sign of spin"));
    }

    #[test]
    fn different_speakers_are_never_one_group() {
        let g = groups(
            &[SAID, "\"We are ready to talk, but not while the cranes are standing still,\" Tomas Beltran said."],
            &[(0, 1, Relation::SameEvent)],
        );
        assert!(g.is_empty());
    }
}
