//! The word lists of the quote stage: reporting verbs, titles, role and organisation nouns,
//! gendered words, function words. Each list is a data file in `words/` (one word a line, `#`
//! starts a comment), compiled in with `include_str!` and parsed once, on first use, into a
//! sorted slice that answers a look-up by binary search.
//!
//! The rules that read these lists live with their concern (`attribute/*`, `mod.rs`); this file
//! owns only the lists and their format, so a word is added by editing a text file.

use std::sync::LazyLock;

/// A set of words from a list file: sorted and deduplicated.
#[derive(Debug)]
pub(crate) struct WordSet(Vec<&'static str>);

impl WordSet {
    /// The words of a list file: each line up to a `#`, trimmed; blank lines are skipped.
    fn parse(text: &'static str) -> Self {
        let mut words: Vec<&'static str> = entries(text).collect();
        words.sort_unstable();
        words.dedup();
        WordSet(words)
    }

    /// True when `word` (compared exactly: lists are lowercase) is in the set.
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.0.binary_search(&word).is_ok()
    }

    /// The words, in sorted order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().copied()
    }
}

/// A two-column list file: each entry is a key and its value, sorted by key.
#[derive(Debug)]
pub(crate) struct WordMap(Vec<(&'static str, &'static str)>);

impl WordMap {
    fn parse(text: &'static str) -> Self {
        let mut pairs: Vec<(&'static str, &'static str)> = entries(text)
            .filter_map(|line| {
                let mut cols = line.split_whitespace();
                Some((cols.next()?, cols.next()?))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        WordMap(pairs)
    }

    /// The value listed for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&'static str> {
        self.0
            .binary_search_by(|p| p.0.cmp(key))
            .ok()
            .map(|k| self.0[k].1)
    }
}

/// The entries of a list file: every line without its comment, trimmed, when not empty.
fn entries(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
}

macro_rules! word_list {
    ($(#[$doc:meta])* $name:ident: $kind:ident = $file:literal) => {
        $(#[$doc])*
        pub(crate) static $name: LazyLock<$kind> =
            LazyLock::new(|| $kind::parse(include_str!(concat!("words/", $file))));
    };
}

word_list!(
    /// Reporting verbs, in the forms news uses.
    CUES: WordSet = "cues.txt"
);
word_list!(
    /// Reporting verbs whose following name is their subject ("said Ruiz"); "told Ruiz" is not.
    SUBJECT_AFTER: WordSet = "subject_after.txt"
);
word_list!(
    /// Title and rank words: part of how a person is named, not of the name.
    TITLES: WordSet = "titles.txt"
);
word_list!(
    /// The role word each abbreviated title stands for.
    TITLE_ABBREVIATIONS: WordMap = "title_abbreviations.txt"
);
word_list!(
    /// Lowercase nouns that, just before a name, make it an organisation.
    ORGANISATION_NOUNS: WordSet = "organisation_nouns.txt"
);
word_list!(
    /// Words that make a capitalised sequence a place or an organisation, never a person.
    NOT_PERSON: WordSet = "not_person.txt"
);
word_list!(
    /// Honorifics and roles of men.
    MALE: WordSet = "male.txt"
);
word_list!(
    /// Honorifics and roles of women.
    FEMALE: WordSet = "female.txt"
);
word_list!(
    /// Role nouns without an agent-noun ending.
    ROLE_WORDS: WordSet = "role_words.txt"
);
word_list!(
    /// Agent-noun endings of English ("-er", "-ist", "-man").
    ROLE_ENDINGS: WordSet = "role_endings.txt"
);
word_list!(
    /// Words with an agent-noun ending that name no role ("after", "former", "giant").
    NOT_ROLES: WordSet = "not_roles.txt"
);
word_list!(
    /// Words that open a subordinate clause before the main one.
    SUBORDINATORS: WordSet = "subordinators.txt"
);
word_list!(
    /// Words that may open a subject clause without being part of it.
    LEADERS: WordSet = "leaders.txt"
);
word_list!(
    /// Prepositions: a name after one is not a subject.
    PREPOSITIONS: WordSet = "prepositions.txt"
);
word_list!(
    /// Determiners of a subject that points to someone named before ("the minister").
    DEFINITE: WordSet = "definite.txt"
);
word_list!(
    /// Determiners of a subject that names nobody ("a spokesman").
    INDEFINITE: WordSet = "indefinite.txt"
);
word_list!(
    /// Function words a title of a work leaves lowercase.
    TITLE_SMALL_WORDS: WordSet = "title_small_words.txt"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_files_parse_to_lowercase_words_without_comments() {
        let all: [&LazyLock<WordSet>; 16] = [
            &CUES,
            &SUBJECT_AFTER,
            &TITLES,
            &ORGANISATION_NOUNS,
            &NOT_PERSON,
            &MALE,
            &FEMALE,
            &ROLE_WORDS,
            &ROLE_ENDINGS,
            &NOT_ROLES,
            &SUBORDINATORS,
            &LEADERS,
            &PREPOSITIONS,
            &DEFINITE,
            &INDEFINITE,
            &TITLE_SMALL_WORDS,
        ];
        for set in all {
            assert!(set.iter().next().is_some());
            for w in set.iter() {
                assert!(!w.contains(['#', ' ']), "{w:?}");
                assert_eq!(w, w.to_lowercase(), "{w:?}");
            }
        }
        assert!(CUES.contains("said") && !CUES.contains("Said"));
        assert!(TITLES.contains("atty") && !TITLES.contains("police"));
        assert_eq!(TITLE_ABBREVIATIONS.get("gov"), Some("governor"));
        assert_eq!(TITLE_ABBREVIATIONS.get("governor"), None);
    }
}
