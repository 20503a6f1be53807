//! Reporting verbs ("said", "told", "according to"): the cue that ties a quote to a subject.
//! The verbs themselves are a word list (`words/cues.txt`); this file owns how a word is read
//! as one.

use super::tokens::{words, Word};
use crate::quotes::lexicon::CUES;

/// A reporting verb: lowercase ("State" is a name, "state" a verb).
pub(super) fn is_cue(w: &Word<'_>) -> bool {
    !w.capitalised() && CUES.contains(&w.lower)
}

/// True when `text` holds a reporting verb (for joining a quote split by an attribution).
pub fn has_cue(text: &str) -> bool {
    words(text, 0, text.len()).iter().any(is_cue) || text.to_lowercase().contains("according to")
}
