//! Words: a [`Token`] per word of a sentence, with the hashes of its normalised form and of its
//! stem, its stop-word flag and its word-class flags.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

use super::normalize::push_norm;
use super::words::is_stop_word;
use super::Span;

/// Longest word kept, in bytes of the original text: a longer "word" (a run of letters without
/// a break, which no language writes) is cut there, at a character boundary.
pub const MAX_WORD_BYTES: usize = u16::MAX as usize;

/// A word of the text.
///
/// Every document keeps all its tokens to the end of a run — they are two thirds of a corpus's
/// memory — so the layout is compact (24 bytes on 64-bit targets): the word's place in the text
/// is a `u32` offset and a `u16` length, and the word-class flags share one byte behind
/// accessors. The normalised form is not stored: it is a function of the word's text
/// ([`Document::norm_of`]), and the stages that compare words compare `hash` and `stem`. A
/// document's tokens stop at 4 GiB of text (articles are capped far below that).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Hash of the normalised form (the token's identity for shingles and verbatim checks).
    pub hash: u64,
    /// Hash of the stem (the token's identity for content-word overlap).
    pub stem: u64,
    /// First byte of the word in the original text.
    start: u32,
    /// Its length in bytes.
    len: u16,
    /// A function word ("the", "said", "of").
    pub stop: bool,
    /// [`Token::CAPITALIZED`], [`Token::NUMERIC`], [`Token::ENTITY`].
    flags: u8,
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Token>() == 24);

impl Token {
    const CAPITALIZED: u8 = 1;
    const NUMERIC: u8 = 2;
    const ENTITY: u8 = 4;

    /// Where the word is in the original text.
    pub fn span(&self) -> Span {
        let start = self.start as usize;
        Span {
            start,
            end: start + usize::from(self.len),
        }
    }
    /// Written with a capital first letter.
    pub fn capitalized(&self) -> bool {
        self.flags & Token::CAPITALIZED != 0
    }
    /// Contains a digit.
    pub fn numeric(&self) -> bool {
        self.flags & Token::NUMERIC != 0
    }
    /// Capitalised and not the first word of its sentence: a cheap named-entity signal.
    pub fn entity(&self) -> bool {
        self.flags & Token::ENTITY != 0
    }
}

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

pub(super) fn tokenize_into(text: &str, span: Span, tokens: &mut Vec<Token>, norm: &mut String) {
    let slice = &text[span.start..span.end];
    let mut first_word = true;
    for (off, word) in slice.split_word_bound_indices() {
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        let mut word = word;
        if word.len() > MAX_WORD_BYTES {
            let mut end = MAX_WORD_BYTES;
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            word = &word[..end];
        }
        let start = span.start + off;
        if u32::try_from(start + word.len()).is_err() {
            // Text past 4 GiB: the rest of it has no tokens.
            return;
        }
        norm.clear();
        push_norm(word, norm);
        let form = norm.as_str();
        // Possessives and trailing apostrophes do not change the word ("Ruiz's" is Ruiz).
        let base = form
            .strip_suffix("'s")
            .or_else(|| form.strip_suffix('\''))
            .unwrap_or(form);
        let (stem, stop, numeric) = word_info(base);
        let capitalized = word.chars().next().is_some_and(char::is_uppercase);
        let hash = xxh3_64(form.as_bytes());
        tokens.push(Token {
            hash,
            stem,
            start: start as u32,
            len: word.len() as u16,
            stop,
            flags: (u8::from(capitalized) * Token::CAPITALIZED)
                | (u8::from(numeric) * Token::NUMERIC)
                | (u8::from(capitalized && !first_word && !stop) * Token::ENTITY),
        });
        first_word = false;
    }
}

/// Stem hash, stop-word flag and numeric flag of a normalised word base, memoised per thread:
/// a corpus repeats a few tens of thousands of distinct words, and stemming each occurrence
/// was most of the segmentation time.
fn word_info(base: &str) -> (u64, bool, bool) {
    thread_local! {
        static MEMO: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, (u64, bool, bool)>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    /// Entries per thread before the memo starts over (bounds its memory on odd input).
    const MEMO_CAP: usize = 1 << 20;
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(&v) = m.get(base) {
            return v;
        }
        let stop = is_stop_word(base);
        let numeric = base.chars().any(|c| c.is_ascii_digit());
        let stem = if numeric {
            xxh3_64(base.as_bytes())
        } else {
            xxh3_64(STEMMER.stem(base).as_bytes())
        };
        if m.len() >= MEMO_CAP {
            m.clear();
        }
        m.insert(base.into(), (stem, stop, numeric));
        (stem, stop, numeric)
    })
}
#[cfg(test)]
mod tests {
    use crate::model::Article;
    use crate::text::Document;

    #[test]
    fn tokens_point_into_original_text() {
        let a = Article::new("x", "\u{201C}Ruiz\u{2019}s plan\u{201D} — ﬁne, she said.");
        let d = Document::from_article(&a);
        for t in &d.tokens {
            let orig = &d.text[t.span().start..t.span().end];
            assert!(orig.chars().any(char::is_alphanumeric));
        }
        let norms: Vec<String> = d.tokens.iter().map(|t| d.norm_of(t).into_owned()).collect();
        assert_eq!(norms, vec!["ruiz's", "plan", "fine", "she", "said"]);
    }
}
