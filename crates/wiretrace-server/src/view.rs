//! A pair laid out for reading: both texts as sentences, each word marked by how it was reused,
//! and the words an altered quote changed. The web UI's pair page and check page draw this; it
//! is computed here, with the engine's own tokens, so the browser never re-tokenises text and
//! the marks agree with the alignment the engine made.
//!
//! A word is *reused* when it occurs (same normalised form) in the sentence it is aligned to:
//! `verbatim` when the link is verbatim or near-verbatim, `paraphrase` when it is a paraphrase
//! (function words are not marked there: "the" shared by two paraphrases says nothing). A word
//! is *changed* when it lies in a quote of an altered group and a word diff against the other
//! article's wording of that quote does not match it (`quotes::fidelity::changed_words`, the
//! terminal report's rule). Text is sent as plain strings; the browser inserts it as text.

use std::collections::HashSet;

use serde::Serialize;
use wiretrace::quotes::fidelity::changed_words;
use wiretrace::text::Document;
use wiretrace::{Article, Derivation, LinkKind, Pair, QuoteGroup, QuoteVariant};

/// One pair, ready to draw.
#[derive(Debug, Serialize)]
pub(crate) struct PairView {
    /// The pair as `GET /pairs/{a}/{b}` returns it (`alignments` index the sentences below).
    pub pair: Pair,
    /// The derivation between the two, when its direction is known.
    pub derivation: Option<Derivation>,
    /// Article `pair.a`.
    pub a: ArticleView,
    /// Article `pair.b`.
    pub b: ArticleView,
    /// Quote groups with a variant in both articles.
    pub quotes: Vec<QuoteGroup>,
}

/// An article as sentences.
#[derive(Debug, Serialize)]
pub(crate) struct ArticleView {
    pub id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    /// RFC 3339.
    pub published: Option<String>,
    /// The segmented sentences, in order (indices are the alignment's).
    pub sentences: Vec<SentenceView>,
}

/// One sentence: its text cut into runs of equally marked words.
#[derive(Debug, Serialize)]
pub(crate) struct SentenceView {
    /// The headline (the first sentence of an article with a title).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub heading: bool,
    /// A paragraph starts here (a line break before it in the original).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub paragraph: bool,
    /// Indices into `pair.alignments` of the links that cover this sentence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<usize>,
    /// The text, in runs.
    pub parts: Vec<Part>,
}

/// A run of text with one marking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Part {
    pub text: String,
    /// `verbatim` or `paraphrase` when the words are reused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reuse: Option<&'static str>,
    /// Words an altered quote changed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub changed: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Mark {
    reuse: Option<&'static str>,
    changed: bool,
}

/// Lays out `pair` between `a` and `b` (the pair's `a` and `b` articles, in that order).
/// `quotes` and `derivations` may hold others; only those of these two are kept.
pub(crate) fn pair_view(
    pair: Pair,
    a: &Article,
    b: &Article,
    quotes: &[QuoteGroup],
    derivations: &[Derivation],
) -> PairView {
    let (da, db) = (Document::from_article(a), Document::from_article(b));
    let mut ma = vec![Mark::default(); da.tokens.len()];
    let mut mb = vec![Mark::default(); db.tokens.len()];
    for l in &pair.alignments {
        let ra = sentence_tokens(&da, l.a, l.a_end);
        let rb = sentence_tokens(&db, l.b, l.b_end);
        mark_reuse(&da, &ra, &db, &rb, l.kind, &mut ma);
        mark_reuse(&db, &rb, &da, &ra, l.kind, &mut mb);
    }
    let shared: Vec<QuoteGroup> = quotes
        .iter()
        .filter(|q| {
            q.variants.iter().any(|v| v.article == a.id)
                && q.variants.iter().any(|v| v.article == b.id)
        })
        .cloned()
        .collect();
    for q in shared.iter().filter(|q| q.altered) {
        let va = q.variants.iter().find(|v| v.article == a.id);
        let vb = q.variants.iter().find(|v| v.article == b.id);
        if let (Some(va), Some(vb)) = (va, vb) {
            mark_changed(&da, va, &vb.text, &mut ma);
            mark_changed(&db, vb, &va.text, &mut mb);
        }
    }
    let derivation = derivations
        .iter()
        .find(|d| {
            (d.source == a.id && d.derived == b.id) || (d.source == b.id && d.derived == a.id)
        })
        .cloned();
    let links_a = |i: usize| covering(&pair, i, |l| (l.a, l.a_end));
    let links_b = |i: usize| covering(&pair, i, |l| (l.b, l.b_end));
    let va = article_view(a, &da, &ma, links_a);
    let vb = article_view(b, &db, &mb, links_b);
    PairView {
        pair,
        derivation,
        a: va,
        b: vb,
        quotes: shared,
    }
}

/// Indices of the links whose range on one side (`side` gives first and optional last
/// sentence) covers sentence `i`.
fn covering(
    pair: &Pair,
    i: usize,
    side: impl Fn(&wiretrace::AlignmentLink) -> (usize, Option<usize>),
) -> Vec<usize> {
    pair.alignments
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let (first, last) = side(l);
            first <= i && i <= last.unwrap_or(first).max(first)
        })
        .map(|(k, _)| k)
        .collect()
}

/// Token indices of sentences `first..=last` (clamped to the document).
fn sentence_tokens(d: &Document, first: usize, last: Option<usize>) -> Vec<usize> {
    let last = last.unwrap_or(first).max(first);
    (first..=last)
        .filter_map(|k| d.sentences.get(k))
        .flat_map(|s| s.tokens.clone())
        .filter(|&t| t < d.tokens.len())
        .collect()
}

fn mark_reuse(
    d: &Document,
    mine: &[usize],
    other: &Document,
    theirs: &[usize],
    kind: LinkKind,
    marks: &mut [Mark],
) {
    let (name, skip_stop) = match kind {
        LinkKind::Verbatim | LinkKind::NearVerbatim => ("verbatim", false),
        LinkKind::Paraphrase => ("paraphrase", true),
    };
    let words: HashSet<u64> = theirs
        .iter()
        .filter_map(|&t| other.tokens.get(t))
        .map(|t| t.hash)
        .collect();
    for &t in mine {
        let (Some(tok), Some(m)) = (d.tokens.get(t), marks.get_mut(t)) else {
            continue;
        };
        if skip_stop && tok.stop {
            continue;
        }
        // A word reused verbatim by one link stays verbatim when a paraphrase link shares it.
        if words.contains(&tok.hash) && m.reuse != Some("verbatim") {
            m.reuse = Some(name);
        }
    }
}

/// Marks the words of `v` (a variant in `d`) that a word diff against `other` does not match.
/// The diff is taken on the variant's text (its parts joined) and its words are found again,
/// in order, among the document's tokens inside the variant's span.
fn mark_changed(d: &Document, v: &QuoteVariant, other: &str, marks: &mut [Mark]) {
    let changed: Vec<String> = changed_words(&v.text, other)
        .into_iter()
        .filter_map(|(s, e)| v.text.get(s..e))
        .map(str::to_lowercase)
        .collect();
    let [start, end] = v.span;
    let mut want = changed.iter().peekable();
    for (k, tok) in d.tokens.iter().enumerate() {
        if tok.span().start < start || tok.span().end > end {
            continue;
        }
        let Some(next) = want.peek() else { break };
        let word = d.text.get(tok.span().start..tok.span().end).unwrap_or("");
        if word.to_lowercase() == **next {
            if let Some(m) = marks.get_mut(k) {
                m.changed = true;
            }
            want.next();
        }
    }
}

fn article_view(
    a: &Article,
    d: &Document,
    marks: &[Mark],
    links: impl Fn(usize) -> Vec<usize>,
) -> ArticleView {
    let has_title = a.title.as_deref().is_some_and(|t| !t.trim().is_empty());
    let title_end = a.title.as_deref().map_or(0, |t| t.trim().len());
    let mut prev_end = 0;
    let sentences = d
        .sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let gap = d.text.get(prev_end..s.span.start).unwrap_or("");
            let paragraph = i == 0 || gap.contains('\n');
            prev_end = s.span.end.max(prev_end);
            SentenceView {
                heading: i == 0 && has_title && s.span.end <= title_end,
                paragraph,
                links: links(i),
                parts: parts(d, s, marks),
            }
        })
        .collect();
    ArticleView {
        id: a.id.clone(),
        title: a.title.clone(),
        source: a.source.clone(),
        url: a.url.clone(),
        published: a.published.map(|t| t.to_rfc3339()),
        sentences,
    }
}

/// The sentence's text in runs: each word with its mark, the space between two words with the
/// mark they share (so a reused phrase is one run), anything else plain.
fn parts(d: &Document, s: &wiretrace::text::Sentence, marks: &[Mark]) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    let mut push = |text: &str, mark: Mark| {
        if text.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(p) if p.reuse == mark.reuse && p.changed == mark.changed => p.text.push_str(text),
            _ => out.push(Part {
                text: text.to_string(),
                reuse: mark.reuse,
                changed: mark.changed,
            }),
        }
    };
    let mut pos = s.span.start;
    let mut prev: Option<Mark> = None;
    for t in s.tokens.clone() {
        let (Some(tok), Some(&mark)) = (d.tokens.get(t), marks.get(t)) else {
            continue;
        };
        if tok.span().start < pos || tok.span().end > s.span.end {
            continue;
        }
        let gap = d.text.get(pos..tok.span().start).unwrap_or("");
        let gap_mark = match prev {
            Some(p) if p.reuse == mark.reuse && p.reuse.is_some() => Mark {
                reuse: mark.reuse,
                changed: false,
            },
            _ => Mark::default(),
        };
        push(gap, gap_mark);
        push(
            d.text.get(tok.span().start..tok.span().end).unwrap_or(""),
            mark,
        );
        pos = tok.span().end;
        prev = Some(mark);
    }
    push(d.text.get(pos..s.span.end).unwrap_or(""), Mark::default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(id: &str) -> Article {
        wiretrace::demo::articles()
            .into_iter()
            .find(|a| a.id == id)
            .unwrap()
    }

    #[test]
    fn a_reprint_is_marked_verbatim_and_its_parts_spell_the_sentences() {
        let analysis = wiretrace::Engine::default().analyze(wiretrace::demo::articles());
        let pair = analysis
            .pairs
            .iter()
            .find(|p| {
                let ids = [p.a.as_str(), p.b.as_str()];
                ids.contains(&"wire-original") && ids.contains(&"verbatim-reprint")
            })
            .unwrap()
            .clone();
        let (a, b) = (demo(&pair.a), demo(&pair.b));
        let v = pair_view(pair, &a, &b, &analysis.quotes, &analysis.derivations);
        let da = Document::from_article(&a);
        assert_eq!(v.a.sentences.len(), da.sentences.len());
        for (s, sv) in da.sentences.iter().zip(&v.a.sentences) {
            let joined: String = sv.parts.iter().map(|p| p.text.as_str()).collect();
            assert_eq!(joined, da.text[s.span.start..s.span.end]);
        }
        assert!(v.a.sentences[0].heading);
        let verbatim: usize =
            v.a.sentences
                .iter()
                .flat_map(|s| &s.parts)
                .filter(|p| p.reuse == Some("verbatim"))
                .map(|p| p.text.len())
                .sum();
        assert!(verbatim > 1000, "{verbatim}");
        assert!(v.derivation.is_some());
        assert!(v.a.sentences.iter().any(|s| !s.links.is_empty()));
    }

    #[test]
    fn an_altered_quote_marks_the_changed_words_on_both_sides() {
        let analysis = wiretrace::Engine::default().analyze(wiretrace::demo::articles());
        let q = analysis.quotes.iter().find(|q| q.altered).unwrap();
        let v0 = q.variants.iter().find(|v| v.diff.is_some()).unwrap();
        let against = v0.diff.as_ref().unwrap().against.clone();
        let pair = analysis
            .pairs
            .iter()
            .find(|p| {
                (p.a == v0.article && p.b == against) || (p.b == v0.article && p.a == against)
            })
            .unwrap()
            .clone();
        let (a, b) = (demo(&pair.a), demo(&pair.b));
        let v = pair_view(pair, &a, &b, &analysis.quotes, &analysis.derivations);
        for side in [&v.a, &v.b] {
            let changed: Vec<&str> = side
                .sentences
                .iter()
                .flat_map(|s| &s.parts)
                .filter(|p| p.changed)
                .map(|p| p.text.as_str())
                .collect();
            assert!(!changed.is_empty(), "{}: nothing marked changed", side.id);
        }
        assert!(!v.quotes.is_empty());
    }

    #[test]
    fn links_out_of_range_and_empty_texts_do_not_panic() {
        let a = Article {
            id: "x".into(),
            title: None,
            body: String::new(),
            url: None,
            source: None,
            published: None,
            lang: None,
        };
        let pair = Pair {
            a: "x".into(),
            b: "x".into(),
            relation: wiretrace::Relation::Copy,
            similarity: 1.0,
            confidence: 1.0,
            reuse: wiretrace::Reuse::default(),
            alignments: vec![wiretrace::AlignmentLink {
                a: 7,
                b: 9,
                a_end: Some(3),
                b_end: None,
                kind: LinkKind::Verbatim,
                similarity: 1.0,
            }],
            evidence: Vec::new(),
        };
        let v = pair_view(pair, &a, &a, &[], &[]);
        assert!(v.a.sentences.is_empty());
    }
}
