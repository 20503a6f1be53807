//! Subject finding: the speaker a subject phrase names, points to or describes.
//!
//! A phrase is read by comma segments. In order, the first that answers decides:
//! 1. a pronoun or a name the segment marks as a person ([`Resolver::named_subject`]);
//! 2. a definite description: an age or a role noun, resolved to a person named before
//!    ([`Resolver::described_subject`]);
//! 3. a statement's issuer ("a statement from Waitrose");
//! 4. an indefinite description names nobody ("a spokesman");
//! 5. an organisation opening a segment ("Human Rights Watch said");
//! 6. a short phrase of common words is a described speaker, never named ("police").

use super::coreference::Resolver;
use super::people::Mention;
use super::roles::is_age;
use super::tokens::Word;
use crate::quotes::lexicon::{DEFINITE, INDEFINITE, LEADERS, PREPOSITIONS, TITLES};
use crate::text::is_stop_word;

/// What a subject phrase gives: `None` when it says nothing, `Some(None)` when it says the
/// speaker is unnamed (or unresolved), `Some(Some(name))` when it names one.
pub(super) type Subject = Option<Option<String>>;

impl Resolver<'_> {
    /// The speaker named by a subject phrase, if it names, points to or describes one.
    /// `verb_first`: the phrase follows its verb ("said Rep. Nick Rahall, who …"), so its head
    /// is its first segment; otherwise it precedes the verb and the segment next to the verb
    /// is looked at first, appositions ("Stanley Perlo, one of Orozco's lawyers,") after.
    pub(super) fn subject(&self, np: &[Word<'_>], at: usize, verb_first: bool) -> Subject {
        let np: Vec<&Word<'_>> = np
            .iter()
            .skip_while(|w| LEADERS.contains(&w.lower))
            .collect();
        if np.is_empty() {
            return None;
        }
        let segments = comma_segments(&np);
        if let Some(found) = self.named_subject(&segments, at, verb_first) {
            return Some(found);
        }
        let head = &segments[if verb_first { 0 } else { segments.len() - 1 }];
        if let Some(found) = self.described_subject(head, at, verb_first) {
            return Some(found);
        }
        if let Some(issuer) = self.statement_issuer(&segments) {
            return Some(Some(issuer));
        }
        if INDEFINITE.contains(&head[0].lower) {
            return Some(None);
        }
        if let Some(organisation) = self.organisation_subject(&segments) {
            return Some(Some(organisation));
        }
        if np.len() <= 6
            && np
                .iter()
                .all(|w| !w.capitalised() || is_stop_word(&w.lower))
        {
            // "police", "officials": a described speaker, never named.
            return Some(None);
        }
        None
    }

    /// A pronoun opening a segment, or a name the segment marks as the subject: the segments
    /// are read from the one next to the verb outwards.
    fn named_subject(
        &self,
        segments: &[Vec<&Word<'_>>],
        at: usize,
        verb_first: bool,
    ) -> Option<Option<String>> {
        let order: Vec<usize> = if verb_first {
            (0..segments.len()).collect()
        } else {
            (0..segments.len()).rev().collect()
        };
        for (n, &s) in order.iter().enumerate() {
            let seg = &segments[s];
            let first = seg[0].lower.as_str();
            if first == "he" || first == "she" {
                let female = first == "she";
                return Some(self.pronoun(at, female));
            }
            // Before the verb, a segment away from it is an apposition or an adverbial: only a
            // name the text marks as a person there is the subject. The segment next to the verb
            // is an apposition too when a common noun opens it and another segment precedes
            // it ("Gill Sandford, dean of the Faculty of Creative Industries, said").
            let apposition = !verb_first
                && n == 0
                && segments.len() >= 2
                && !seg[0].capitalised()
                && !DEFINITE.contains(first)
                && !matches!(first, "he" | "she" | "they" | "we" | "i");
            let strong_only = !verb_first && n > 0 || apposition;
            let candidates: Vec<&Mention> = self
                .mentions_in(seg)
                .into_iter()
                .filter(|m| {
                    m.personal
                        && !m.possessive
                        && !after_preposition(seg, m)
                        && (!apposition || !in_prepositional_phrase(seg, m))
                        && (!strong_only || self.people.strong[m.who])
                })
                .collect();
            if let Some(m) = self.pick(&candidates, verb_first) {
                return Some(Some(self.joint(m, verb_first)));
            }
        }
        None
    }

    /// After the verb the first name is the subject, through any titles run together with it
    /// ("said Dist. Atty. Steve Cooley"); before it, the name next to the verb.
    fn pick<'m>(&self, candidates: &[&'m Mention], verb_first: bool) -> Option<&'m Mention> {
        if !verb_first {
            return candidates.last().copied();
        }
        candidates.first().map(|&first| {
            let mut m = first;
            for &next in &candidates[1..] {
                if self.doc.text[m.end..next.start].trim().is_empty() {
                    m = next;
                } else {
                    break;
                }
            }
            m
        })
    }

    /// A definite description at the phrase's head: "the 29-year-old" or "the minister".
    fn described_subject(
        &self,
        head: &[&Word<'_>],
        at: usize,
        verb_first: bool,
    ) -> Option<Option<String>> {
        let first = head[0].lower.as_str();
        // "the minister" (a role) but not "the Associated Press" (a name). After the verb the
        // phrase runs on past its head ("according to the Associated Press and was battled"):
        // there capitalised words right after the article, none of them a title, are a name.
        let named_after_article = verb_first && {
            let caps: Vec<&&Word<'_>> = head
                .iter()
                .skip(1)
                .take_while(|w| w.capitalised())
                .collect();
            !caps.is_empty() && caps.iter().all(|w| !TITLES.contains(&w.lower))
        };
        let head_is_name = head.last().is_some_and(|w| w.capitalised()) || named_after_article;
        // "said the 29-year-old": an age stands for the person the passage is about.
        if DEFINITE.contains(first) && head.iter().take(3).any(|w| is_age(&w.lower)) {
            return Some(self.recent_person(at));
        }
        if DEFINITE.contains(first) && !head_is_name {
            let role = head
                .iter()
                .filter(|w| !is_stop_word(&w.lower) && !w.capitalised())
                .map(|w| w.lower.clone())
                .next_back();
            return Some(role.and_then(|r| self.recent_with_role(at, &r)));
        }
        None
    }

    /// "a statement from Waitrose said": the statement speaks for whoever issued it.
    fn statement_issuer(&self, segments: &[Vec<&Word<'_>>]) -> Option<String> {
        for seg in segments {
            let by = seg
                .iter()
                .position(|w| w.lower == "statement")
                .filter(|&k| {
                    seg.get(k + 1)
                        .is_some_and(|w| matches!(w.lower.as_str(), "from" | "by"))
                });
            if let Some(m) = by.and_then(|k| self.mentions_in(&seg[k + 1..]).first().copied()) {
                return Some(self.people.names[m.who].clone());
            }
        }
        None
    }

    /// An organisation as the subject ("Human Rights Watch said", "according to the AP"): a
    /// name opening its segment, past an article and a "New York-based" (which the name
    /// leaves out).
    fn organisation_subject(&self, segments: &[Vec<&Word<'_>>]) -> Option<String> {
        for seg in segments {
            let from = seg
                .iter()
                .rposition(|w| w.lower.ends_with("-based"))
                .map_or(0, |p| p + 1);
            let lead = seg[from..]
                .iter()
                .position(|w| w.lower != "the")
                .map_or(seg[0].start, |p| seg[from + p].start);
            if let Some(m) = self
                .mentions_in(seg)
                .into_iter()
                .find(|m| m.start == lead && !m.possessive)
            {
                return Some(self.people.names[m.who].clone());
            }
        }
        None
    }
}

/// The phrase cut after each word that ends a clause; no segment is empty.
fn comma_segments<'w, 'a>(np: &[&'w Word<'a>]) -> Vec<Vec<&'w Word<'a>>> {
    let mut segments: Vec<Vec<&Word<'_>>> = vec![Vec::new()];
    for w in np {
        if let Some(s) = segments.last_mut() {
            s.push(*w);
        }
        if w.clause_end() {
            segments.push(Vec::new());
        }
    }
    segments.retain(|s| !s.is_empty());
    segments
}

/// "a spokesman for Waitrose", "dean of the Faculty": a name inside a prepositional phrase is
/// not the subject.
fn after_preposition(seg: &[&Word<'_>], m: &Mention) -> bool {
    let Some(k) = seg.iter().position(|w| w.start >= m.start) else {
        return false;
    };
    seg[..k]
        .iter()
        .rev()
        .find(|w| w.lower != "the")
        .is_some_and(|w| PREPOSITIONS.contains(&w.lower))
}

/// A name preceded anywhere in its segment by a preposition ("dean of the Faculty of Creative
/// and Cultural Industries") is inside a prepositional phrase.
fn in_prepositional_phrase(seg: &[&Word<'_>], m: &Mention) -> bool {
    seg.iter()
        .take_while(|w| w.start < m.start)
        .any(|w| PREPOSITIONS.contains(&w.lower))
}
