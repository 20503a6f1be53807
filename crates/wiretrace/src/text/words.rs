//! The word lists of the text stage. Each is a data file in `words/` (one entry a line, `#`
//! comments), compiled in with `include_str!` and parsed once, on first use.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

/// A parsed word list, in the file's order.
type WordList = LazyLock<Vec<&'static str>>;

/// The [`WordList`] of `words/$name.txt`.
macro_rules! from_file {
    ($name:literal) => {
        LazyLock::new(|| word_list(include_str!(concat!("words/", $name, ".txt"))))
    };
}

/// The entries of a word-list file: one a line, trimmed; blank lines and `#` comments skipped.
fn word_list(data: &'static str) -> Vec<&'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// English function words (a set: every token is looked up).
static STOP_WORDS: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    word_list(include_str!("words/stop_words.txt"))
        .into_iter()
        .collect()
});

/// True for an English function word (input already lowercased).
pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.contains(w)
}

/// Abbreviations after which a period does not end a sentence.
pub(super) static TITLE_ABBREVIATIONS: WordList = from_file!("title_abbreviations");

/// The abbreviations of [`TITLE_ABBREVIATIONS`] that can end a sentence.
pub(super) static SENTENCE_FINAL_ABBREVIATIONS: WordList =
    from_file!("sentence_final_abbreviations");

/// Capitalised words that open a sentence.
pub(super) static SENTENCE_OPENERS: WordList = from_file!("sentence_openers");

/// Share-button vocabulary.
pub(super) static SHARE_WORDS: WordList = from_file!("share_words");

/// Month names and abbreviations.
pub(super) static MONTHS: WordList = from_file!("months");

/// Weekday names and abbreviations.
pub(super) static WEEKDAYS: WordList = from_file!("weekdays");

/// The other words of a page's date line.
pub(super) static DATE_WORDS: WordList = from_file!("date_words");

/// First words of an advertisement marker.
pub(super) static ADVERTISEMENT_MARKERS: WordList = from_file!("advertisement_markers");

/// First words of a footer heading.
pub(super) static FOOTER_HEADING_WORDS: WordList = from_file!("footer_heading_words");

/// Openings of a footer heading.
pub(super) static FOOTER_HEADING_OPENINGS: WordList = from_file!("footer_heading_openings");

#[cfg(test)]
mod tests {
    use super::*;

    /// Lookups compare against lowercase input, but for the sentence openers, which are
    /// capitalised: an entry in another case would never match.
    #[test]
    fn word_lists_are_in_the_case_they_are_looked_up_in() {
        let lowercase = [
            &*TITLE_ABBREVIATIONS,
            &*SENTENCE_FINAL_ABBREVIATIONS,
            &*SHARE_WORDS,
            &*MONTHS,
            &*WEEKDAYS,
            &*DATE_WORDS,
            &*ADVERTISEMENT_MARKERS,
            &*FOOTER_HEADING_WORDS,
            &*FOOTER_HEADING_OPENINGS,
        ];
        for list in lowercase {
            assert!(!list.is_empty());
            assert!(list.iter().all(|w| *w == w.to_lowercase()), "{list:?}");
        }
        assert!(STOP_WORDS.iter().all(|w| *w == w.to_lowercase()));
        assert!(SENTENCE_OPENERS
            .iter()
            .all(|w| w.starts_with(char::is_uppercase)));
        assert!(SENTENCE_FINAL_ABBREVIATIONS
            .iter()
            .all(|w| TITLE_ABBREVIATIONS.contains(w)));
    }
}
