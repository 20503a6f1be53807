//! Assembly: aligned pairs → the [`Analysis`]. Each pair is classified; the classified pairs
//! are clustered into stories, directed into derivations, and searched for shared quotes; the
//! report forms are ordered as users read them.

use std::collections::HashMap;

use rayon::prelude::*;

use super::score::AlignedPair;
use crate::align;
use crate::corpus::Corpus;
use crate::engine::Engine;
use crate::fingerprint::Fingerprint;
use crate::model::*;
use crate::quotes::{self, fidelity::QuoteEvidence};
use crate::story::{self, direction, ArticleInfo, ClassifiedPair};

/// Stories, derivations, quotes and the report form of `scored` (slots of `corpus`). Ids of
/// stories and quote groups name their first member's place in the whole corpus
/// (`corpus.number`), so that a part made of whole components gets the whole's ids. `stats` of
/// the result are left at their default: the caller knows what work was done.
pub fn assemble(engine: &Engine, corpus: &Corpus, scored: Vec<AlignedPair>) -> Analysis {
    let number = |i: usize| corpus.place(i);
    // Built on the worker threads (in order), whose allocator arenas hold the memory the
    // alignment stage freed: built on this thread they added to the peak.
    let mut pairs: Vec<(ClassifiedPair, Pair)> = scored
        .par_iter()
        .filter_map(|s| classified(engine, &corpus.articles, &corpus.fps, s))
        .collect();
    // The pairs hold what is reported of each alignment: the alignments of all candidates
    // are not held through the rest of the stage.
    drop(scored);
    // By relation, then by the similarity users see (graded), then by the story score: with
    // no graded weights the order of the story score alone.
    pairs.sort_by(|x, y| {
        x.0.relation
            .cmp(&y.0.relation)
            .then(y.1.similarity.total_cmp(&x.1.similarity))
            .then(y.0.similarity.total_cmp(&x.0.similarity))
            .then((x.0.a, x.0.b).cmp(&(y.0.a, y.0.b)))
    });
    let scored_pairs: Vec<ClassifiedPair> = pairs.iter().map(|p| p.0).collect();
    let (stories, story_of) = stories(engine, corpus, &scored_pairs, &number);
    let (derivations, undirected, quotes) =
        provenance(engine, corpus, &scored_pairs, &pairs, &story_of, &number);
    Analysis {
        version: JSON_VERSION,
        articles: summaries(corpus),
        stories,
        pairs: pairs.into_iter().map(|p| p.1).collect(),
        derivations,
        undirected,
        quotes,
        skipped: Vec::new(),
        warnings: Vec::new(),
        stats: RunStats::default(),
    }
}

/// Stories with their labels and `related` lists, and each slot's story.
fn stories(
    engine: &Engine,
    corpus: &Corpus,
    scored_pairs: &[ClassifiedPair],
    number: &(dyn Fn(usize) -> usize + Sync),
) -> (Vec<Story>, Vec<usize>) {
    let articles = &corpus.articles;
    let members = story::cluster(
        articles.len(),
        scored_pairs,
        engine.config().story_link_average,
    );
    let mut story_of = vec![0usize; articles.len()];
    for (s, m) in members.iter().enumerate() {
        for &i in m {
            story_of[i] = s;
        }
    }
    // Labels read every member's tokens: built in parallel (collected in story order).
    let mut stories: Vec<Story> = members
        .par_iter()
        .map(|m| Story {
            id: story::story_id(m, number),
            articles: m.iter().map(|&i| articles[i].id.clone()).collect(),
            label: story::story_label(m, &corpus.docs, &corpus.stats),
            related: Vec::new(),
        })
        .collect();
    let mut related: HashMap<usize, Vec<usize>> = HashMap::new();
    for p in scored_pairs
        .iter()
        .filter(|p| p.relation == Relation::Related)
    {
        let (x, y) = (story_of[p.a], story_of[p.b]);
        if x != y {
            related.entry(x).or_default().push(y);
            related.entry(y).or_default().push(x);
        }
    }
    for (s, mut r) in related {
        r.sort_unstable();
        r.dedup();
        stories[s].related = r
            .into_iter()
            .map(|x| story::story_id(&members[x], number))
            .collect();
    }
    (stories, story_of)
}

/// Derivations, undirected pairs and quote groups. The quote groups' evidence can direct a
/// pair ([`story::direction`] decides every direction), and derivations are then listed in the
/// order of their pairs.
fn provenance(
    engine: &Engine,
    corpus: &Corpus,
    scored_pairs: &[ClassifiedPair],
    pairs: &[(ClassifiedPair, Pair)],
    story_of: &[usize],
    number: &(dyn Fn(usize) -> usize + Sync),
) -> (Vec<Derivation>, Vec<UndirectedDerivation>, Vec<QuoteGroup>) {
    let articles = &corpus.articles;
    let infos: Vec<ArticleInfo<'_>> = articles
        .iter()
        .map(|a| ArticleInfo {
            id: &a.id,
            published: a.published.map(|t| t.timestamp()),
        })
        .collect();
    let (mut derivations, mut undirected) = direction::derivations(&infos, scored_pairs);
    let quote_pairs: Vec<quotes::PairLinks<'_>> = pairs
        .iter()
        .map(|(sp, p)| quotes::PairLinks {
            a: sp.a,
            b: sp.b,
            relation: sp.relation,
            links: &p.alignments,
        })
        .collect();
    let quotes = quotes::group_quotes(
        articles,
        &corpus.docs,
        story_of,
        &quote_pairs,
        engine.config().embedder.as_deref(),
        number,
    );
    let evidence = QuoteEvidence::new(&quotes);
    direction::apply_quote_votes(&mut derivations, &mut undirected, |x, y| {
        evidence.between(x, y)
    });
    // The quote evidence above can turn an undirected pair into a derivation after the others.
    let index: HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let position: HashMap<(usize, usize), usize> = scored_pairs
        .iter()
        .enumerate()
        .map(|(k, p)| ((p.a, p.b), k))
        .collect();
    let rank = |x: &str, y: &str| {
        let (x, y) = (index.get(x).copied(), index.get(y).copied());
        x.zip(y)
            .and_then(|(x, y)| position.get(&(x.min(y), x.max(y))).copied())
            .unwrap_or(usize::MAX)
    };
    derivations.sort_by_cached_key(|d| rank(&d.source, &d.derived));
    undirected.sort_by_cached_key(|u| rank(&u.a, &u.b));
    (derivations, undirected, quotes)
}

fn summaries(corpus: &Corpus) -> Vec<ArticleSummary> {
    corpus
        .articles
        .par_iter()
        .zip(corpus.docs.par_iter())
        .map(|(a, d)| ArticleSummary {
            id: a.id.clone(),
            title: a.title.clone(),
            source: a.source.clone(),
            url: a.url.clone(),
            published: a.published,
            lang: a.lang.clone(),
            sentences: d.sentences.len(),
            words: d.words(),
        })
        .collect()
}

/// A pair as the story stage and the report see it, or `None` when it is unrelated.
pub(crate) fn classified(
    engine: &Engine,
    articles: &[Article],
    fps: &[Fingerprint],
    s: &AlignedPair,
) -> Option<(ClassifiedPair, Pair)> {
    let classifier = &engine.config().classifier;
    let d = classifier.classify(&s.features);
    if d.relation == Relation::Unrelated {
        return None;
    }
    let sp = ClassifiedPair {
        a: s.a,
        b: s.b,
        relation: d.relation,
        similarity: s.features.similarity_with(&classifier.params),
        cosine: s.features.cosine,
        length_ratio: s.features.length_ratio,
        verbatim_short: s.features.verbatim_short,
        a_is_short: fps[s.a].words <= fps[s.b].words,
        later_development: classifier.later_development(&s.features),
    };
    let pair = Pair {
        a: articles[s.a].id.clone(),
        b: articles[s.b].id.clone(),
        relation: d.relation,
        similarity: align::round4(s.features.graded_similarity(&classifier.params)),
        confidence: d.confidence,
        reuse: Reuse {
            a: align::round4(s.alignment.reuse_a),
            b: align::round4(s.alignment.reuse_b),
        },
        alignments: if d.relation <= Relation::SameEvent {
            s.alignment.links.clone()
        } else {
            Vec::new()
        },
        evidence: d.evidence,
    };
    Some((sp, pair))
}
