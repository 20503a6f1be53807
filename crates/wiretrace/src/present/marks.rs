//! Which words of an aligned pair were reused, and which words an altered quote changed: one
//! [`Mark`] per token of each article, computed once per pair ([`PairMarks::new`]) from the two
//! documents, the pair's alignment links and the quote groups. The terminal report and the web
//! pair view both draw these marks, so the two cannot disagree about a word.
//!
//! A word is *reused* when it occurs (same normalised form) in the sentence it is aligned to:
//! [`Reused::Verbatim`] under a verbatim or near-verbatim link, [`Reused::Paraphrase`] under a
//! paraphrase link. Function words are not marked under a paraphrase link: "the" shared by two
//! paraphrases says nothing about copying, and marking it drowns the content words that do. A
//! word reused verbatim by one link stays verbatim when a paraphrase link also shares it.
//!
//! A word is *changed* when it lies in a variant of an altered quote group that has a variant
//! in both articles, and the word diff against the other article's variant
//! ([`changed_words`]) does not match it. The diff is taken on the variants' texts (the
//! parts of a split quote joined); [`quote_pieces`] marks such a text directly, and
//! [`PairMarks::new`] finds its changed words again, in order, among the article's tokens.
//!
//! Nothing here panics on a link or a quote that does not fit the documents (a pair read back
//! from a store built by another version, say): what lies outside a document marks nothing.

use std::collections::HashSet;

use crate::model::{AlignmentLink, LinkKind, QuoteGroup, QuoteVariant};
use crate::quotes::fidelity::changed_words;
use crate::text::{Document, Span};

/// How a word was reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reused {
    /// Under a verbatim or near-verbatim link.
    Verbatim,
    /// Under a paraphrase link (function words excepted).
    Paraphrase,
}

impl Reused {
    /// The name used in every output (`verbatim`, `paraphrase`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reused::Verbatim => "verbatim",
            Reused::Paraphrase => "paraphrase",
        }
    }

    fn of(kind: LinkKind) -> Reused {
        match kind {
            LinkKind::Verbatim | LinkKind::NearVerbatim => Reused::Verbatim,
            LinkKind::Paraphrase => Reused::Paraphrase,
        }
    }
}

/// The marking of one word (or of a stretch of text between words).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Mark {
    /// How the word was reused, if it was.
    pub reused: Option<Reused>,
    /// A word an altered quote changed.
    pub changed: bool,
    /// A function word the aligned sentence has too, under a paraphrase link: shared, but no
    /// evidence of reuse. Neither reused nor missing from the other side (the terminal report
    /// without colour brackets only the missing ones); runs of text ignore it.
    pub common: bool,
}

/// The marks of both articles of a pair: `a[t]` is the mark of token `t` of the first document,
/// `b[t]` of the second.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairMarks {
    /// One mark per token of the first document.
    pub a: Vec<Mark>,
    /// One mark per token of the second document.
    pub b: Vec<Mark>,
}

impl PairMarks {
    /// Marks the pair `da`–`db` under `links` (indices into the documents' sentences, `a` on
    /// `da`'s side) and the altered groups of `quotes` that have a variant in both documents
    /// (matched by [`Document::id`]; other groups are ignored).
    pub fn new(
        da: &Document,
        db: &Document,
        links: &[AlignmentLink],
        quotes: &[QuoteGroup],
    ) -> PairMarks {
        let mut marks = PairMarks {
            a: vec![Mark::default(); da.tokens.len()],
            b: vec![Mark::default(); db.tokens.len()],
        };
        for l in links {
            let ta = link_tokens(da, l.a, l.a_end);
            let tb = link_tokens(db, l.b, l.b_end);
            let reused = Reused::of(l.kind);
            mark_reuse(&mut marks.a, da, &ta, db, &tb, reused);
            mark_reuse(&mut marks.b, db, &tb, da, &ta, reused);
        }
        for q in shared_quotes(quotes, &da.id, &db.id).filter(|q| q.altered) {
            let va = q.variants.iter().find(|v| v.article == da.id);
            let vb = q.variants.iter().find(|v| v.article == db.id);
            if let (Some(va), Some(vb)) = (va, vb) {
                mark_changed(&mut marks.a, da, va, &vb.text);
                mark_changed(&mut marks.b, db, vb, &va.text);
            }
        }
        marks
    }
}

/// The quote groups with a variant in article `a` and one in article `b`.
pub fn shared_quotes<'q>(
    quotes: &'q [QuoteGroup],
    a: &'q str,
    b: &'q str,
) -> impl Iterator<Item = &'q QuoteGroup> + 'q {
    quotes.iter().filter(move |q| {
        q.variants.iter().any(|v| v.article == a) && q.variants.iter().any(|v| v.article == b)
    })
}

/// Token indices of sentences `first..=last` of `d` (`last` defaults to `first`). Sentences past
/// the end of the document select nothing, so a link that does not fit selects nothing.
pub fn link_tokens(d: &Document, first: usize, last: Option<usize>) -> Vec<usize> {
    let Some(end) = d.sentences.len().checked_sub(1) else {
        return Vec::new();
    };
    // Clamped before iterating: an index read from outside (a store, JSON) may be huge.
    let last = last.unwrap_or(first).max(first).min(end);
    (first..=last)
        .filter_map(|k| d.sentences.get(k))
        .flat_map(|s| s.tokens.clone())
        .filter(|&t| t < d.tokens.len())
        .collect()
}

fn mark_reuse(
    marks: &mut [Mark],
    d: &Document,
    mine: &[usize],
    other: &Document,
    theirs: &[usize],
    reused: Reused,
) {
    let words: HashSet<u64> = theirs
        .iter()
        .filter_map(|&t| other.tokens.get(t))
        .map(|t| t.hash)
        .collect();
    for &t in mine {
        let (Some(tok), Some(m)) = (d.tokens.get(t), marks.get_mut(t)) else {
            continue;
        };
        if !words.contains(&tok.hash) {
            continue;
        }
        if reused == Reused::Paraphrase && tok.stop {
            m.common = m.reused.is_none();
        } else if m.reused != Some(Reused::Verbatim) {
            m.reused = Some(reused);
            m.common = false;
        }
    }
}

/// Marks the tokens of `v` (a variant in `d`) that the diff against `other` does not match.
/// The diff's words are found again in order among the tokens inside the variant's span, by
/// lowercase text: the diff splits words by its own rule, so a word the tokenizer cut
/// differently is passed over rather than guessed.
fn mark_changed(marks: &mut [Mark], d: &Document, v: &QuoteVariant, other: &str) {
    let changed: Vec<String> = quote_pieces(&v.text, other)
        .into_iter()
        .filter(|p| p.mark.changed)
        .map(|p| p.text.to_lowercase())
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

/// A stretch of text with one marking: a word, or the text between words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'t> {
    /// The text, as written.
    pub text: &'t str,
    /// Its marking.
    pub mark: Mark,
    /// A word cut out on its own (by [`pieces`]: every token; by [`quote_pieces`]: every
    /// changed word), not the text between such words.
    pub word: bool,
}

/// The text of `span` in `d`, cut at the words `tokens` (indices into `d.tokens`, in text
/// order), each word with its mark in `marks`. The text between two words takes the reuse they
/// share, so that a reused phrase reads as one stretch; any other text is unmarked. A word
/// outside the span, out of order or without a mark is left in the text, unmarked. Pieces are
/// never empty and spell the span's text.
pub fn pieces<'t>(
    d: &'t Document,
    span: Span,
    tokens: impl IntoIterator<Item = usize>,
    marks: &[Mark],
) -> Vec<Piece<'t>> {
    let mut out = Vec::new();
    let mut push = |text: &'t str, mark: Mark, word: bool| {
        if !text.is_empty() {
            out.push(Piece { text, mark, word });
        }
    };
    let mut pos = span.start;
    let mut prev: Option<Mark> = None;
    for t in tokens {
        let (Some(tok), Some(&mark)) = (d.tokens.get(t), marks.get(t)) else {
            continue;
        };
        let at = tok.span();
        if at.start < pos || at.end > span.end {
            continue;
        }
        let between = match prev {
            Some(p) if p.reused == mark.reused && p.reused.is_some() => Mark {
                reused: mark.reused,
                ..Mark::default()
            },
            _ => Mark::default(),
        };
        push(d.text.get(pos..at.start).unwrap_or(""), between, false);
        push(d.text.get(at.start..at.end).unwrap_or(""), mark, true);
        pos = at.end;
        prev = Some(mark);
    }
    push(
        d.text.get(pos..span.end).unwrap_or(""),
        Mark::default(),
        false,
    );
    out
}

/// The pieces of sentence `i` of `d`: the whole sentence, cut at its words.
pub fn sentence_pieces<'t>(d: &'t Document, i: usize, marks: &[Mark]) -> Vec<Piece<'t>> {
    d.sentences
        .get(i)
        .map_or_else(Vec::new, |s| pieces(d, s.span, s.tokens.clone(), marks))
}

/// A quote's `text` with the words that the word diff against `other` (another article's
/// wording of the quote) does not match cut out and marked `changed`; the text between them is
/// one unmarked piece.
pub fn quote_pieces<'t>(text: &'t str, other: &str) -> Vec<Piece<'t>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let changed = Mark {
        changed: true,
        ..Mark::default()
    };
    for (a, b) in changed_words(text, other) {
        let (Some(before), Some(word)) = (text.get(pos..a), text.get(a..b)) else {
            continue;
        };
        if !before.is_empty() {
            out.push(Piece {
                text: before,
                mark: Mark::default(),
                word: false,
            });
        }
        out.push(Piece {
            text: word,
            mark: changed,
            word: true,
        });
        pos = b;
    }
    if let Some(rest) = text.get(pos..).filter(|r| !r.is_empty()) {
        out.push(Piece {
            text: rest,
            mark: Mark::default(),
            word: false,
        });
    }
    out
}

/// A run of text with one marking: neighbouring pieces of equal marks joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The text, as written.
    pub text: String,
    /// Its marking.
    pub mark: Mark,
}

/// Joins neighbouring pieces with equal marks.
pub fn runs<'t>(pieces: impl IntoIterator<Item = Piece<'t>>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for p in pieces {
        match out.last_mut() {
            Some(r) if (r.mark.reused, r.mark.changed) == (p.mark.reused, p.mark.changed) => {
                r.text.push_str(p.text)
            }
            _ => out.push(Run {
                text: p.text.to_string(),
                mark: p.mark,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Analysis;

    fn doc(id: &str, text: &str) -> Document {
        Document::from_text(id, text.to_string())
    }

    fn link(a: usize, b: usize, kind: LinkKind) -> AlignmentLink {
        AlignmentLink {
            a,
            b,
            a_end: None,
            b_end: None,
            kind,
            similarity: 0.9,
        }
    }

    /// The words of `d` whose mark satisfies `f`, lowercased, in order.
    fn words(d: &Document, marks: &[Mark], f: impl Fn(&Mark) -> bool) -> Vec<String> {
        d.tokens
            .iter()
            .zip(marks)
            .filter(|(_, m)| f(m))
            .map(|(t, _)| d.text[t.span().start..t.span().end].to_lowercase())
            .collect()
    }

    const A: &str = "The minister said the port of Valmora would reopen on Monday.";
    const B: &str = "The port of Valmora will reopen on Monday, the minister said.";

    #[test]
    fn a_verbatim_link_marks_every_shared_word_function_words_included() {
        let (da, db) = (doc("a", A), doc("b", B));
        let m = PairMarks::new(&da, &db, &[link(0, 0, LinkKind::NearVerbatim)], &[]);
        let reused = words(&da, &m.a, |m| m.reused == Some(Reused::Verbatim));
        assert_eq!(
            reused,
            ["the", "minister", "said", "the", "port", "of", "valmora", "reopen", "on", "monday"]
        );
        assert!(words(&db, &m.b, |m| m.reused.is_none()).contains(&"will".to_string()));
    }

    #[test]
    fn a_paraphrase_link_leaves_function_words_unmarked() {
        let (da, db) = (doc("a", A), doc("b", B));
        let m = PairMarks::new(&da, &db, &[link(0, 0, LinkKind::Paraphrase)], &[]);
        let reused = words(&da, &m.a, |m| m.reused == Some(Reused::Paraphrase));
        assert_eq!(reused, ["minister", "port", "valmora", "reopen", "monday"]);
        assert!(m
            .a
            .iter()
            .chain(&m.b)
            .all(|m| m.reused != Some(Reused::Verbatim)));
    }

    #[test]
    fn a_word_reused_verbatim_stays_verbatim_under_a_paraphrase_link() {
        let (da, db) = (doc("a", A), doc("b", B));
        let (v, p) = (
            link(0, 0, LinkKind::Verbatim),
            link(0, 0, LinkKind::Paraphrase),
        );
        let first = PairMarks::new(&da, &db, &[v.clone(), p.clone()], &[]);
        let second = PairMarks::new(&da, &db, &[p, v], &[]);
        assert_eq!(first, second);
        assert!(first.a.iter().all(|m| m.reused != Some(Reused::Paraphrase)));
    }

    #[test]
    fn links_and_quotes_that_do_not_fit_mark_nothing_and_neither_panic_nor_hang() {
        let (da, empty) = (doc("a", A), doc("e", ""));
        let wild = AlignmentLink {
            a: 7,
            b: usize::MAX,
            a_end: Some(usize::MAX),
            b_end: Some(3),
            kind: LinkKind::Verbatim,
            similarity: 1.0,
        };
        let group = QuoteGroup {
            id: "q1".into(),
            speaker: None,
            altered: true,
            fidelity: crate::model::Fidelity::Altered,
            variants: ["a", "e"]
                .map(|article| QuoteVariant {
                    article: article.into(),
                    sentence: 9,
                    text: format!("words of {article}"),
                    span: [usize::MAX - 1, usize::MAX],
                    parts: Vec::new(),
                    fidelity: crate::model::Fidelity::Altered,
                    diff: None,
                    corroborated_by: Vec::new(),
                })
                .to_vec(),
            evidence: Vec::new(),
        };
        for (x, y) in [(&da, &empty), (&empty, &da), (&da, &da), (&empty, &empty)] {
            let m = PairMarks::new(
                x,
                y,
                std::slice::from_ref(&wild),
                std::slice::from_ref(&group),
            );
            assert!(m.a.iter().chain(&m.b).all(|m| *m == Mark::default()));
            assert_eq!(m.a.len(), x.tokens.len());
        }
        assert!(link_tokens(&da, 0, Some(usize::MAX)).len() == da.tokens.len());
        assert!(link_tokens(&empty, 0, None).is_empty());
        assert!(sentence_pieces(&da, usize::MAX, &[]).is_empty());
    }

    #[test]
    fn pieces_spell_the_text_and_a_reused_phrase_is_one_run() {
        let (da, db) = (doc("a", A), doc("b", B));
        let m = PairMarks::new(&da, &db, &[link(0, 0, LinkKind::Verbatim)], &[]);
        let pieces = sentence_pieces(&da, 0, &m.a);
        assert_eq!(pieces.iter().map(|p| p.text).collect::<String>(), A);
        assert!(pieces.iter().all(|p| !p.text.is_empty()));
        let verbatim = Mark {
            reused: Some(Reused::Verbatim),
            ..Mark::default()
        };
        let run = |text: &str, mark| Run {
            text: text.into(),
            mark,
        };
        // The space between a reused and an unreused word belongs to neither.
        assert_eq!(
            runs(pieces),
            [
                run("The minister said the port of Valmora", verbatim),
                run(" would ", Mark::default()),
                run("reopen on Monday", verbatim),
                run(".", Mark::default()),
            ]
        );
    }

    #[test]
    fn quote_pieces_spell_the_quote_and_cut_out_the_changed_words() {
        let text = "This walkout is keeping the entire economy captive,";
        let other = "This strike is holding the whole economy hostage,";
        let pieces = quote_pieces(text, other);
        assert_eq!(pieces.iter().map(|p| p.text).collect::<String>(), text);
        let changed: Vec<&str> = pieces
            .iter()
            .filter(|p| p.mark.changed)
            .map(|p| p.text)
            .collect();
        assert_eq!(changed, ["walkout", "keeping", "entire", "captive"]);
        assert!(quote_pieces("", other).is_empty());
    }

    fn demo() -> (Vec<crate::model::Article>, Analysis) {
        let articles = crate::demo::articles();
        let analysis = crate::Engine::default().analyze(articles.clone());
        (articles, analysis)
    }

    /// The web view marks changed words on the article's tokens, the terminal on the quote's
    /// text: both must find the same words.
    #[test]
    fn an_altered_quote_marks_on_the_tokens_the_words_its_text_marks() {
        let (articles, analysis) = demo();
        let q = analysis.quotes.iter().find(|q| q.altered).unwrap();
        let v = q.variants.iter().find(|v| v.diff.is_some()).unwrap();
        let o = q
            .variants
            .iter()
            .find(|o| o.article == v.diff.as_ref().unwrap().against)
            .unwrap();
        let article = |id: &str| articles.iter().find(|a| a.id == id).unwrap();
        let (dv, d_o) = (
            Document::from_article(article(&v.article)),
            Document::from_article(article(&o.article)),
        );
        let m = PairMarks::new(&dv, &d_o, &[], &analysis.quotes);
        for (d, marks, mine, other) in [(&dv, &m.a, v, o), (&d_o, &m.b, o, v)] {
            let from_text: Vec<String> = quote_pieces(&mine.text, &other.text)
                .iter()
                .filter(|p| p.mark.changed)
                .map(|p| p.text.to_lowercase())
                .collect();
            assert!(!from_text.is_empty());
            // The two articles' other altered quotes are marked too: look inside this one.
            let [start, end] = mine.span;
            let inside: Vec<Mark> = d
                .tokens
                .iter()
                .zip(marks)
                .map(|(t, m)| Mark {
                    changed: m.changed && start <= t.span().start && t.span().end <= end,
                    ..*m
                })
                .collect();
            assert_eq!(words(d, &inside, |m| m.changed), from_text, "{}", d.id);
        }
    }

    /// Marking a pair either way round gives the same marks, swapped: neither view depends on
    /// which article the store or the analysis happened to put first.
    #[test]
    fn marks_of_a_pair_do_not_depend_on_its_order() {
        let (articles, analysis) = demo();
        for pair in analysis.pairs.iter().filter(|p| !p.alignments.is_empty()) {
            let article = |id: &str| articles.iter().find(|a| a.id == id).unwrap();
            let (da, db) = (
                Document::from_article(article(&pair.a)),
                Document::from_article(article(&pair.b)),
            );
            let swapped: Vec<AlignmentLink> = pair
                .alignments
                .iter()
                .map(|l| AlignmentLink {
                    a: l.b,
                    b: l.a,
                    a_end: l.b_end,
                    b_end: l.a_end,
                    ..l.clone()
                })
                .collect();
            let ab = PairMarks::new(&da, &db, &pair.alignments, &analysis.quotes);
            let ba = PairMarks::new(&db, &da, &swapped, &analysis.quotes);
            assert_eq!((&ab.a, &ab.b), (&ba.b, &ba.a), "{} / {}", pair.a, pair.b);
        }
    }
}
