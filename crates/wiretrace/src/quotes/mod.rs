//! Direct quotes: who said what in each article, where each quote travelled across the articles
//! of a story, and which versions were altered.
//!
//! - [`extract`] pairs quotation marks into quotes (split and multi-paragraph quotes are one
//!   quote of several parts);
//! - [`attribute`] finds each quote's speaker;
//! - [`group`] matches the quotes of one story's articles (speaker + words, or meaning with the
//!   semantic model, or a sentence alignment of a derived text);
//! - [`fidelity`] calls each variant exact, truncated or altered, diffs the altered ones, says
//!   which wording independent reports corroborate, and computes the quote evidence of a
//!   derivation's direction (which `story::direction` weighs);
//! - [`wording`] compares the words of two quotes (overlap, runs, truncation), for grouping and
//!   fidelity alike; `lexicon` holds the word lists (`words/*.txt`).
//!
//! Dependencies go one way: `group` → `fidelity` → `wording`, all on this file's types.
//! This file owns the per-document result ([`Quote`]), the per-pair input of grouping
//! ([`PairLinks`]) and the rules that decide what between marks is a quote at all (titles and
//! nicknames are not).

pub mod attribute;
pub mod extract;
pub mod fidelity;
pub mod group;
mod lexicon;
pub mod wording;

pub use group::group_quotes;

use crate::model::{AlignmentLink, Relation};
use crate::text::{normalize, Document, Span};
use extract::RawQuote;
use lexicon::TITLE_SMALL_WORDS;

/// A quote found in one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// Byte span from the start of the first part to the end of the last (marks excluded).
    pub span: Span,
    /// The quoted words of each part: one, or several for a quote split by an attribution or
    /// running over paragraphs.
    pub parts: Vec<Span>,
    /// Sentence index where the quote starts.
    pub sentence: usize,
    /// Last sentence the quote reaches.
    pub last_sentence: usize,
    /// Attributed speaker.
    pub speaker: Option<String>,
    /// Normalised words of all parts.
    pub words: Vec<String>,
}

impl Quote {
    /// The quoted words as written, parts joined by one space.
    pub fn text<'a>(&self, doc_text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.parts.len() == 1 {
            std::borrow::Cow::Borrowed(&doc_text[self.span.start..self.span.end])
        } else {
            std::borrow::Cow::Owned(
                self.parts
                    .iter()
                    .map(|p| &doc_text[p.start..p.end])
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }
    }
}

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

/// Normalised words (NFKC, lowercase, unified apostrophes): what fidelity compares.
pub fn words_of(s: &str) -> Vec<String> {
    normalize(s)
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Titles of works and events, nicknames, labels: capitalised words in marks that are nobody's
/// words. Every word that is not a short function word is capitalised, and there are at most
/// twelve of them (a long quote in title case is a shouted quote, not a title).
fn looks_like_a_title(text: &str) -> bool {
    let ws: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    if ws.is_empty() || ws.len() > 12 {
        return false;
    }
    ws.iter().all(|w| {
        TITLE_SMALL_WORDS.contains(&w.to_lowercase())
            || w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    }) && ws[0]
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// `"The talks," he said, "were useful."`: two pairs of marks, one quote.
fn join_split(text: &str, raw: Vec<RawQuote>) -> Vec<RawQuote> {
    let mut out: Vec<RawQuote> = Vec::with_capacity(raw.len());
    for q in raw {
        if let Some(prev) = out.last_mut() {
            let gap = &text[prev.close_end.min(q.open_at)..q.open_at];
            let last = prev.parts[prev.parts.len() - 1];
            let comma_before =
                text[last.start..last.end].ends_with(',') || gap.trim_start().starts_with(',');
            if comma_before
                && gap.trim_end().ends_with(',')
                && !gap.contains('\n')
                && gap.split_whitespace().count() <= 12
                && attribute::has_cue(gap)
            {
                prev.parts.extend(q.parts);
                prev.close_end = q.close_end;
                continue;
            }
        }
        out.push(q);
    }
    out
}

/// The quotes of a document, in text order, with their speakers.
pub fn extract(doc: &Document) -> Vec<Quote> {
    let text = &doc.text;
    let raw: Vec<RawQuote> = extract::find(text)
        .into_iter()
        .filter(|q| {
            q.parts.len() > 1 || !looks_like_a_title(&text[q.parts[0].start..q.parts[0].end])
        })
        .collect();
    let raw = join_split(text, raw);
    let attributions = attribute::attribute(doc, &raw);
    let sentence_of = |pos: usize| {
        doc.sentences
            .iter()
            .position(|s| s.span.end > pos)
            .unwrap_or(doc.sentences.len().saturating_sub(1))
    };
    raw.into_iter()
        .zip(attributions)
        .map(|(q, a)| {
            let span = Span {
                start: q.parts[0].start,
                end: q.parts[q.parts.len() - 1].end,
            };
            let words = q
                .parts
                .iter()
                .flat_map(|p| words_of(&text[p.start..p.end]))
                .collect();
            Quote {
                span,
                sentence: sentence_of(span.start),
                last_sentence: sentence_of(span.end.saturating_sub(1)),
                parts: q.parts,
                speaker: a.speaker,
                words,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn quotes(text: &str) -> Vec<Quote> {
        extract(&Document::from_text("t", text.to_string()))
    }

    #[test]
    fn split_quote_is_one_quote_with_its_speaker() {
        let t = "\"The talks,\" he said, \"were useful.\" It was Beltran's first word on it.";
        let t = format!("Tomas Beltran left the room. {t}");
        let q = quotes(&t);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].parts.len(), 2);
        assert_eq!(q[0].words, vec!["the", "talks", "were", "useful"]);
        assert_eq!(q[0].speaker.as_deref(), Some("Tomas Beltran"));
        assert_eq!(q[0].text(&t), "The talks, were useful.");
    }

    #[test]
    fn a_closed_then_reopened_quote_is_two_quotes() {
        let q = quotes("\"The talks were long,\" Ruiz said. \"They were useful.\"");
        assert_eq!(q.len(), 2);
        assert_eq!(q[1].speaker.as_deref(), Some("Ruiz"));
    }

    #[test]
    fn titles_and_nicknames_are_not_quotes() {
        let q = quotes(
            "Vincent \"The Chin\" Gigante starred in \"Love Won Out\" and called it \"a mess\".",
        );
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].words, vec!["a", "mess"]);
    }

    #[test]
    fn unbalanced_marks_never_swallow_the_article() {
        let t = format!(
            "He said \u{201C}this never closes. {} \u{201C}Last words here,\u{201D} Ruiz said.",
            "More text. ".repeat(200)
        );
        let q = quotes(&t);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].words, vec!["last", "words", "here"]);
    }

    proptest! {
        #[test]
        fn extraction_never_panics_and_spans_are_valid(
            s in "([\"'`\u{201C}\u{201D}\u{201E}\u{2018}\u{2019}\u{00AB}\u{00BB},.:;!? \n]|[a-zA-Z]{1,6}|said|he|she|Ruiz|Ana|\u{00E9}t\u{00E9}){0,80}"
        ) {
            let doc = Document::from_text("p", s.clone());
            for q in extract(&doc) {
                prop_assert!(q.span.start <= q.span.end && q.span.end <= s.len());
                prop_assert!(s.is_char_boundary(q.span.start) && s.is_char_boundary(q.span.end));
                for p in &q.parts {
                    prop_assert!(p.start < p.end && p.end <= s.len());
                    prop_assert!(s.is_char_boundary(p.start) && s.is_char_boundary(p.end));
                    prop_assert!(q.span.start <= p.start && p.end <= q.span.end);
                }
                prop_assert!(q.sentence <= q.last_sentence);
            }
        }
    }
}
