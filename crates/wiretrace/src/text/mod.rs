//! Normalisation and segmentation: `Article` → [`Document`] (sentences and tokens with byte
//! spans into the original text).
//!
//! The stage is infallible: any string, however malformed, becomes a (possibly empty) document.
//! Nothing is rewritten in place; the original text is kept and every sentence and token carries
//! a half-open byte span `[start, end)` into it, so every highlight in a report points at the
//! original bytes. Normalisation (NFKC, lowercase, quote/apostrophe/dash unification) applies to
//! the token forms that the later stages compare, never to the stored text.
//!
//! Sentence splitting is a rule layer over the text rather than UAX#29 sentence boundaries,
//! which break after "Mr." and "U.S." (measured, see CRATES.md). The rules
//! (`sentences.rs`):
//! - a blank line always ends a sentence; a single line break ends one unless the text looks
//!   hard-wrapped (most inner lines end mid-sentence, as in Reuters wire copy), in which case only
//!   a short line without final punctuation (a heading, a dateline) ends one;
//! - `.`, `!`, `?`, `…` end a sentence when followed, after any closing quotes or brackets, by
//!   white space and a capital letter, a digit, an opening quote or the end of the text;
//! - a period after a title abbreviation (Mr., Gen., Sen.) or a single capital (an initial, as in
//!   "J. Ortega") never ends one; after a dotted acronym (U.S., a.m.) it ends one only when the
//!   next word is a capitalised function word ("The", "He", "But"), the usual sign of a new
//!   sentence.
//!
//! Boilerplate lines (`boilerplate.rs`) are found by general rules — date-only lines, share-button
//! rows, "related stories"-style footer headings with the link list under them, copyright and
//! advertisement markers — never by a list of strings copied from one site.
//!
//! The files of this folder: `document.rs` (the [`Document`] type and how an article becomes
//! one), `tokens.rs`, `normalize.rs`, `sentences.rs`, `boilerplate.rs`, and `words.rs` with the
//! word lists the rules use (data files in `words/`).

mod boilerplate;
mod document;
mod normalize;
mod sentences;
mod tokens;
mod words;

pub use boilerplate::is_calendar_word;
pub use document::{Document, Sentence, Span, MAX_SENTENCE_TOKENS};
pub use normalize::{normalize, unify_punct};
pub use sentences::sentence_spans;
pub use tokens::{Token, MAX_WORD_BYTES};
pub use words::is_stop_word;

/// The version of this stage's output: sentence boundaries, tokens and their normalised forms.
/// Stored alignments point at sentences by number and every reader segments the text again, so
/// a store records the version it was built with and refuses to mix in another (`reindex`
/// rebuilds it). Raise it with any change that moves a sentence boundary or a token's form; the
/// test `the_segmentation_of_the_demo_is_that_of_this_version` fails until it is raised.
pub const TEXT_VERSION: u32 = 1;

#[cfg(test)]
mod tests {
    use xxhash_rust::xxh3::xxh3_64;

    use super::*;

    /// The segmentation of the demo corpus (every sentence span, every token's span and hash)
    /// hashed: a change of the stage shows here, and must come with a new [`TEXT_VERSION`].
    #[test]
    fn the_segmentation_of_the_demo_is_that_of_this_version() {
        let mut bytes = Vec::new();
        for a in crate::demo::articles() {
            let d = Document::from_article(&a);
            for s in &d.sentences {
                bytes.extend_from_slice(&(s.span.start as u64).to_le_bytes());
                bytes.extend_from_slice(&(s.span.end as u64).to_le_bytes());
            }
            for t in &d.tokens {
                bytes.extend_from_slice(&(t.span().start as u64).to_le_bytes());
                bytes.extend_from_slice(&t.hash.to_le_bytes());
            }
        }
        let got = xxh3_64(&bytes);
        assert_eq!(
            (TEXT_VERSION, got),
            SEGMENTATION_OF_THE_DEMO,
            "the text stage's output changed (hash {got:#x}): raise TEXT_VERSION, record both here"
        );
    }

    /// The version of the text stage and the hash of its output on the demo.
    const SEGMENTATION_OF_THE_DEMO: (u32, u64) = (1, 0x3d41_b5a2_c95c_2b07);
}
