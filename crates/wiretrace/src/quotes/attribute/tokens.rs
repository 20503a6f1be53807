//! The words of a passage as attribution reads them: each with its byte span, its letters
//! without surrounding punctuation, its lowercase form, and whether it is possessive; and the
//! punctuation after it, which ends clauses and sentences.

use crate::quotes::lexicon::TITLES;

/// One word of the text with its byte span; `core` drops surrounding punctuation.
#[derive(Debug, Clone)]
pub(super) struct Word<'a> {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) raw: &'a str,
    pub(super) core: &'a str,
    pub(super) lower: String,
    pub(super) possessive: bool,
}

impl Word<'_> {
    pub(super) fn capitalised(&self) -> bool {
        self.core.chars().next().is_some_and(char::is_uppercase)
    }
    /// The punctuation after the word's last letter or digit.
    pub(super) fn tail(&self) -> &str {
        let t = self.raw.trim_end_matches(|c: char| !c.is_alphanumeric());
        &self.raw[t.len()..]
    }
    /// Ends a clause: `,` `;` `:` after the word.
    pub(super) fn clause_end(&self) -> bool {
        self.tail().contains([',', ';', ':'])
    }
    pub(super) fn sentence_end(&self) -> bool {
        self.tail().contains(['.', '!', '?']) && !is_abbreviation(self.core)
    }
    /// The word as a name shows it: an initial keeps its period ("J. Ortega").
    pub(super) fn name_form(&self) -> String {
        if self.core.chars().count() == 1 && self.tail().starts_with('.') {
            format!("{}.", self.core)
        } else {
            self.core.to_string()
        }
    }
}

/// A word whose period does not end a sentence: an initial, a title, a few abbreviations.
fn is_abbreviation(core: &str) -> bool {
    let l = core.to_lowercase();
    // Initials: "J", "A.J", "U.S".
    core.chars().count() <= 5
        && core.chars().all(|c| c.is_uppercase() || c == '.')
        && (core.chars().count() == 1 || core.contains('.'))
        || TITLES.contains(&l)
        || matches!(l.as_str(), "jr" | "sr" | "st" | "u.s" | "u.k" | "no" | "va")
}

/// The words of `text[from..to]`, in order.
pub(super) fn words(text: &str, from: usize, to: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    if from >= to {
        return out;
    }
    let slice = &text[from..to];
    let mut pos = 0;
    for raw in slice.split_whitespace() {
        let Some(off) = slice[pos..].find(raw) else {
            continue;
        };
        let start = from + pos + off;
        pos += off + raw.len();
        let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let stripped = trimmed
            .strip_suffix("'s")
            .or_else(|| trimmed.strip_suffix("\u{2019}s"));
        let core = stripped.unwrap_or(trimmed);
        if core.is_empty() {
            continue;
        }
        let plural_possessive = raw.ends_with("s'") || raw.ends_with("s\u{2019}");
        out.push(Word {
            start,
            end: start + raw.len(),
            raw,
            core,
            lower: core.to_lowercase(),
            possessive: stripped.is_some() || plural_possessive,
        });
    }
    out
}
