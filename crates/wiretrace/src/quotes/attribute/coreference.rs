//! Speaker resolution: what a pronoun ("he", "she"), a definite role noun ("the minister") or
//! an age ("the 29-year-old") points to. Each looks back through [`SCOPE_SENTENCES`] sentences,
//! nearest first, and within a sentence prefers its subject (its first person, unless a leading
//! subordinate clause holds that name).

use super::people::{Gender, Mention, People};
use super::tokens::Word;
use super::SCOPE_SENTENCES;
use crate::quotes::lexicon::SUBORDINATORS;
use crate::text::Document;

/// The people of one document, and the document, for resolving the subjects of its quotes.
pub(super) struct Resolver<'a> {
    pub(super) doc: &'a Document,
    pub(super) people: People,
}

impl Resolver<'_> {
    pub(super) fn sentence_of(&self, pos: usize) -> usize {
        self.doc
            .sentences
            .iter()
            .position(|s| s.span.end > pos)
            .unwrap_or(self.doc.sentences.len().saturating_sub(1))
    }

    pub(super) fn mentions_in(&self, ws: &[&Word<'_>]) -> Vec<&Mention> {
        let (Some(first), Some(last)) = (ws.first(), ws.last()) else {
            return Vec::new();
        };
        self.people
            .mentions
            .iter()
            .filter(|m| m.start >= first.start && m.end <= last.end)
            .collect()
    }

    /// Sentences from the one holding `at` back through the scope, each with its mentions
    /// before `at` in text order (the first is the sentence's subject, usually).
    fn scope(&self, at: usize) -> Vec<Vec<&Mention>> {
        let s = self.sentence_of(at);
        let lo = s.saturating_sub(SCOPE_SENTENCES);
        (lo..=s)
            .rev()
            .filter_map(|k| self.doc.sentences.get(k))
            .map(|sent| {
                let mut in_sentence: Vec<&Mention> = self
                    .people
                    .mentions
                    .iter()
                    .filter(|m| {
                        m.start >= sent.span.start && m.end <= sent.span.end.min(at) && m.personal
                    })
                    .collect();
                // "While congratulating Hansbrough, Ford added": a leading subordinate clause
                // holds no subject, so its names come last.
                let body = &self.doc.text[sent.span.start..sent.span.end];
                let opener = body.split_whitespace().next().unwrap_or("").to_lowercase();
                if SUBORDINATORS.contains(&opener) {
                    if let Some(comma) = body.find(',') {
                        let cut = sent.span.start + comma;
                        in_sentence.sort_by_key(|m| m.start < cut);
                    }
                }
                in_sentence
            })
            .collect()
    }

    /// "he" / "she": the subject-most person of matching gender in the nearest sentence that
    /// has one; people the text marks as persons first, bare names only when there are none.
    pub(super) fn pronoun(&self, at: usize, female: bool) -> Option<String> {
        let fits = |who: usize| {
            self.people.gender(who) != Some(if female { Gender::Male } else { Gender::Female })
        };
        // A one-word name nobody calls "he" or "she" is as likely a company or a place
        // ("Waitrose said", "told AFP") as a person: a pronoun does not point to it.
        let fits = |who: usize| {
            fits(who)
                && (self.people.names[who].split_whitespace().count() >= 2
                    || self.people.gender(who).is_some()
                    || self.people.described[who])
        };
        let scope = self.scope(at);
        for strong_only in [true, false] {
            for sentence in &scope {
                if let Some(m) = sentence
                    .iter()
                    .find(|m| fits(m.who) && (!strong_only || self.people.strong[m.who]))
                {
                    return Some(self.people.names[m.who].clone());
                }
            }
        }
        None
    }

    /// Two people joined by "and" speak together ("said Zadan and Meron"): the name `m` picked
    /// from `candidates`, with its partner when there is one.
    /// The partner need not be known as a person on its own: "and" next to one makes it one.
    pub(super) fn joint(&self, m: &Mention, verb_first: bool) -> String {
        let text = &self.doc.text;
        let people = &self.people;
        let partner = people.mentions.iter().find(|n| {
            !people.organisation[n.who]
                && n.who != m.who
                && if verb_first {
                    n.start >= m.end && text[m.end..n.start].trim() == "and"
                } else {
                    n.end <= m.start && text[n.end..m.start].trim() == "and"
                }
        });
        let name = |x: &Mention| self.people.names[x.who].clone();
        match partner {
            Some(p) if verb_first => format!("{} and {}", name(m), name(p)),
            Some(p) => format!("{} and {}", name(p), name(m)),
            None => name(m),
        }
    }

    /// The subject-most person the text marks as one in the nearest sentence that has one.
    pub(super) fn recent_person(&self, at: usize) -> Option<String> {
        self.scope(at)
            .iter()
            .find_map(|s| s.iter().find(|m| self.people.strong[m.who]))
            .map(|m| self.people.names[m.who].clone())
    }

    /// "the minister": the most recent person in scope carrying that role word.
    pub(super) fn recent_with_role(&self, at: usize, role: &str) -> Option<String> {
        self.scope(at)
            .iter()
            .flat_map(|s| s.iter().rev())
            .find(|m| self.people.roles[m.who].contains(role))
            .map(|m| self.people.names[m.who].clone())
    }
}
