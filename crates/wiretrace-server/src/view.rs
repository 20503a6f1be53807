//! A pair laid out for reading: both texts as sentences, each word marked by how it was reused,
//! and the words an altered quote changed. The web UI's pair page and check page draw this. The
//! marks are the engine's ([`wiretrace::present::marks`], the terminal report's too), computed
//! with the engine's own tokens, so the browser never re-tokenises text, the marks agree with
//! the alignment the engine made, and the web page and the terminal mark the same words. This
//! module only lays them out: sentences, paragraphs, the links that cover each sentence, and
//! runs of equally marked text. Text is sent as plain strings; the browser inserts it as text.

use serde::Serialize;
use wiretrace::present::marks::{runs, sentence_pieces, shared_quotes, Mark, PairMarks};
use wiretrace::text::Document;
use wiretrace::{Article, Derivation, Pair, QuoteGroup};

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
    let marks = PairMarks::new(&da, &db, &pair.alignments, quotes);
    let shared: Vec<QuoteGroup> = shared_quotes(quotes, &a.id, &b.id).cloned().collect();
    let derivation = derivations
        .iter()
        .find(|d| {
            (d.source == a.id && d.derived == b.id) || (d.source == b.id && d.derived == a.id)
        })
        .cloned();
    let links_a = |i: usize| covering(&pair, i, |l| (l.a, l.a_end));
    let links_b = |i: usize| covering(&pair, i, |l| (l.b, l.b_end));
    let va = article_view(a, &da, &marks.a, links_a);
    let vb = article_view(b, &db, &marks.b, links_b);
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
                parts: parts(d, i, marks),
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

/// Sentence `i` in runs of equally marked text (a reused phrase is one run, spaces included).
fn parts(d: &Document, i: usize, marks: &[Mark]) -> Vec<Part> {
    runs(sentence_pieces(d, i, marks))
        .into_iter()
        .map(|r| Part {
            text: r.text,
            reuse: r.mark.reused.map(|x| x.as_str()),
            changed: r.mark.changed,
        })
        .collect()
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

    /// Letters and digits of `text` with whether each is marked, by `marked`.
    fn flags(text: &str, marked: bool, out: &mut Vec<(char, bool)>) {
        out.extend(
            text.chars()
                .filter(|c| c.is_alphanumeric())
                .map(|c| (c, marked)),
        );
    }

    /// The terminal report (in colour: reused words in green) and the web view mark the same
    /// words of every aligned sentence of every demo pair. Compared letter by letter,
    /// since the two cut the text differently (the report from a link's first word, on one line).
    #[test]
    fn the_web_view_and_the_terminal_report_mark_the_same_words() {
        let articles = wiretrace::demo::articles();
        let analysis = wiretrace::Engine::default().analyze(articles.clone());
        let opts = wiretrace::present::ReportOptions {
            color: true,
            aligned_pairs: usize::MAX,
            sentences_per_pair: usize::MAX,
            max_pairs: 0,
        };
        let report = wiretrace::present::render_text(&analysis, &articles, opts);
        let mut view = None;
        let mut compared = 0;
        // The passages section: from its heading to the next blank line.
        let passages = report
            .lines()
            .skip_while(|l| !l.contains("Aligned passages"))
            .take_while(|l| !l.is_empty());
        for line in passages {
            let plain = line.replace("\x1b[1m", "").replace("\x1b[0m", "");
            if let Some((a, rest)) = plain.strip_prefix("  ").and_then(|l| l.split_once(" ↔ ")) {
                let b = rest.split_whitespace().next().unwrap();
                let pair = analysis
                    .pairs
                    .iter()
                    .find(|p| p.a == a && p.b == b)
                    .unwrap();
                let v = pair_view(pair.clone(), &demo(a), &demo(b), &analysis.quotes, &[]);
                view = Some(v);
                continue;
            }
            let Some((side, rest)) = line.strip_prefix("      ").and_then(|l| l.split_once('['))
            else {
                continue;
            };
            let (index, text) = rest.split_once("] ").unwrap();
            let first: usize = index.parse().unwrap();
            let v = view.as_ref().unwrap();
            let link = v.pair.alignments.iter().find(|l| match side {
                "a" => l.a == first,
                _ => l.b == first,
            });
            let (end, sentences) = match (side, link.unwrap()) {
                ("a", l) => (l.a_end, &v.a.sentences),
                (_, l) => (l.b_end, &v.b.sentences),
            };
            let mut web = Vec::new();
            for s in &sentences[first..=end.unwrap_or(first)] {
                for p in &s.parts {
                    flags(&p.text, p.reuse.is_some(), &mut web);
                }
            }
            let mut terminal = Vec::new();
            for (k, chunk) in text.split("\x1b[32m").enumerate() {
                let (green, rest) = match k {
                    0 => ("", chunk),
                    _ => chunk.split_once("\x1b[0m").unwrap_or((chunk, "")),
                };
                flags(green, true, &mut terminal);
                flags(rest, false, &mut terminal);
            }
            assert_eq!(web, terminal, "{line}");
            compared += 1;
        }
        assert!(compared > 40, "{compared}");
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
                kind: wiretrace::LinkKind::Verbatim,
                similarity: 1.0,
            }],
            evidence: Vec::new(),
        };
        let v = pair_view(pair, &a, &a, &[], &[]);
        assert!(v.a.sentences.is_empty());
    }
}
