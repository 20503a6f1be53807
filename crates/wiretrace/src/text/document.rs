//! The output of the stage: a [`Document`] — the original text, its sentences and its tokens,
//! each with a byte [`Span`] into the text — and how an article becomes one.

use super::normalize::push_norm;
use super::sentences::sentence_spans;
use super::tokens::{tokenize_into, Token};
use crate::model::Article;

/// Longest sentence kept whole, in words.
pub const MAX_SENTENCE_TOKENS: usize = 150;

/// A half-open byte range `[start, end)` into a document's original text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// A segmented sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Where the sentence is in the original text (trimmed).
    pub span: Span,
    /// Range of indices into [`Document::tokens`].
    pub tokens: std::ops::Range<usize>,
}

/// An article after normalisation and segmentation.
#[derive(Debug, Clone)]
pub struct Document {
    /// The article's id.
    pub id: String,
    /// The original text: [`Article::full_text`].
    pub text: String,
    /// Sentences in reading order, boilerplate excluded.
    pub sentences: Vec<Sentence>,
    /// All tokens of all sentences, in order.
    pub tokens: Vec<Token>,
    /// Byte spans of lines dropped as boilerplate (kept for reports and tests).
    pub boilerplate: Vec<Span>,
}

impl Document {
    /// Segments an article.
    pub fn from_article(article: &Article) -> Document {
        Document::from_text(&article.id, article.full_text())
    }

    /// Segments a text.
    pub fn from_text(id: &str, text: String) -> Document {
        let (units, boilerplate) = sentence_spans(&text);
        // One word's normalised form at a time.
        let mut scratch = String::new();
        let mut doc = Document {
            id: id.to_string(),
            sentences: Vec::with_capacity(units.len()),
            tokens: Vec::with_capacity(text.len() / 5),
            boilerplate,
            text: String::new(),
        };
        for span in units {
            let first = doc.tokens.len();
            tokenize_into(&text, span, &mut doc.tokens, &mut scratch);
            // A "sentence" of more than MAX_SENTENCE_TOKENS words is not one (a table, a list, text
            // without punctuation): it is cut into chunks so per-sentence work stays bounded.
            let mut start = first;
            while start < doc.tokens.len() {
                let end = (start + MAX_SENTENCE_TOKENS).min(doc.tokens.len());
                let whole = start == first && end == doc.tokens.len();
                let chunk = if whole {
                    span
                } else {
                    Span {
                        start: doc.tokens[start].span().start,
                        end: doc.tokens[end - 1].span().end,
                    }
                };
                doc.sentences.push(Sentence {
                    span: chunk,
                    tokens: start..end,
                });
                start = end;
            }
        }
        doc.text = text;
        // The capacities above are guesses from the text length; a corpus holds every document
        // to the end of the run, so the slack is returned.
        doc.tokens.shrink_to_fit();
        doc.sentences.shrink_to_fit();
        doc
    }

    /// The original text of a sentence.
    pub fn sentence_text(&self, i: usize) -> &str {
        self.sentences
            .get(i)
            .map_or("", |s| &self.text[s.span.start..s.span.end])
    }

    /// Tokens of a sentence.
    pub fn sentence_tokens(&self, i: usize) -> &[Token] {
        self.sentences
            .get(i)
            .map_or(&[][..], |s| &self.tokens[s.tokens.clone()])
    }

    /// The normalised form of a token (NFKC, lowercase, unified apostrophes and dashes): the
    /// text itself for a lowercase ASCII word, which most words are.
    pub fn norm_of(&self, t: &Token) -> std::borrow::Cow<'_, str> {
        let span = t.span();
        let word = self.text.get(span.start..span.end).unwrap_or("");
        if word
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && b != b'`')
        {
            std::borrow::Cow::Borrowed(word)
        } else {
            let mut out = String::with_capacity(word.len());
            push_norm(word, &mut out);
            std::borrow::Cow::Owned(out)
        }
    }

    /// The normalised forms of all tokens, separated by single spaces (the input of a
    /// document-level model).
    pub fn norm_text(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for t in &self.tokens {
            if !out.is_empty() {
                out.push(' ');
            }
            let span = t.span();
            push_norm(self.text.get(span.start..span.end).unwrap_or(""), &mut out);
        }
        out
    }

    /// Number of words (tokens) in the document.
    pub fn words(&self) -> usize {
        self.tokens.len()
    }
}
#[cfg(test)]
mod tests {
    use xxhash_rust::xxh3::xxh3_64;

    use super::*;

    #[test]
    fn overlong_sentences_are_cut_into_chunks() {
        let text = "word ".repeat(400);
        let d = Document::from_text("long", text);
        assert_eq!(d.sentences.len(), 3);
        assert!(d
            .sentences
            .iter()
            .all(|s| s.tokens.len() <= MAX_SENTENCE_TOKENS));
        assert_eq!(
            d.sentences.iter().map(|s| s.tokens.len()).sum::<usize>(),
            400
        );
    }

    #[test]
    fn empty_and_whitespace_texts_give_empty_documents() {
        for t in ["", "   ", "\n\n\n", "...", "\u{FEFF}"] {
            let d = Document::from_text("e", t.to_string());
            assert!(d.sentences.is_empty(), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn segmentation_never_panics_and_spans_are_char_boundaries(s in "\\PC{0,400}") {
            let d = Document::from_text("p", s.clone());
            for sent in &d.sentences {
                proptest::prop_assert!(s.is_char_boundary(sent.span.start) && s.is_char_boundary(sent.span.end));
                proptest::prop_assert!(sent.span.start <= sent.span.end && sent.span.end <= s.len());
            }
            for t in &d.tokens {
                proptest::prop_assert!(s.is_char_boundary(t.span().start) && s.is_char_boundary(t.span().end));
                // The normalised form is recomputed from the text: it must be what was hashed.
                proptest::prop_assert_eq!(t.hash, xxh3_64(d.norm_of(t).as_bytes()));
            }
        }
    }
}
