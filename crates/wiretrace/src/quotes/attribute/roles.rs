//! What a word before or around a name says about the person: a role noun ("supremo",
//! "leader"), the role an abbreviated title stands for ("Gov." is "governor"), an age
//! ("the 29-year-old"). The words are lists in `words/`; the rules that read them are here.

use crate::quotes::lexicon::{NOT_ROLES, ROLE_ENDINGS, ROLE_WORDS, TITLE_ABBREVIATIONS};

/// A lowercase word that names what a person is ("supremo", "leader", "singer"), judged by
/// the agent-noun endings of English and a few common role words. Adjectives and places before
/// a one-word name ("southern Qeshm", "the first Test", "at 90 C") are not: they must not make
/// the name someone a pronoun can point to.
pub(super) fn is_role_noun(w: &str) -> bool {
    w.len() >= 3
        && w.chars().all(|c| c.is_alphabetic() || c == '-')
        && (ROLE_WORDS.contains(w)
            || ROLE_ENDINGS
                .iter()
                .any(|e| w.len() > e.len() + 2 && w.ends_with(e)))
        && !NOT_ROLES.contains(w)
}

/// The role word an abbreviated title stands for.
pub(super) fn title_in_full(t: &str) -> Option<&'static str> {
    TITLE_ABBREVIATIONS.get(t)
}

/// "29-year-old", "61-year-old".
pub(super) fn is_age(word: &str) -> bool {
    word.strip_suffix("-year-old")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}
