//! The clause around a quote that attributes it: after the quote (`"…," Ruiz said`, `"…," said
//! Rep. Nick Rahall`) or before it, in its sentence (`Ruiz told reporters: "…"`, `Root believes
//! he is "not far away"`, a colon introduction). Each finds the reporting verb and hands the
//! words on the subject's side of it to [`Resolver::subject`].

use super::coreference::Resolver;
use super::cues::is_cue;
use super::subject::Subject;
use super::tokens::{words, Word};
use super::Attribution;
use crate::quotes::lexicon::{SUBJECT_AFTER, TITLES};
use crate::text::is_stop_word;

/// `"…," Ruiz said` / `"…," said Ruiz` / `"…," the minister told`: the clause after a quote.
pub(super) fn after(r: &Resolver<'_>, text: &str, from: usize, to: usize) -> Option<Attribution> {
    let mut end = to.min(from + 200).max(from);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // The clause ends at the line's end, unless a title does ("police Const.\nTim Fanning
    // told": ECB+ breaks lines after every period).
    let mut search = from;
    while let Some(nl) = text[search..end].find('\n') {
        let line = text[from..search + nl].trim_end();
        let last = line.rsplit(char::is_whitespace).next().unwrap_or("");
        let title =
            last.ends_with('.') && TITLES.contains(&last.trim_end_matches('.').to_lowercase());
        if !title {
            end = search + nl;
            break;
        }
        search += nl + 1;
    }
    let ws = words(text, from, end);
    let mut k = None;
    for (i, w) in ws.iter().enumerate().take(12) {
        if is_cue(w) {
            k = Some(i);
            break;
        }
        if w.lower == "according" && ws.get(i + 1).is_some_and(|n| n.lower == "to") {
            k = Some(i + 1);
            break;
        }
        if w.sentence_end() || (i > 0 && w.raw.contains([';'])) {
            break;
        }
    }
    let k = k?;
    let speaker = if k == 0 || ws[k].lower == "to" {
        let np: Vec<Word<'_>> = ws[k + 1..]
            .iter()
            .take(12)
            .scan(false, |stop, w| {
                if *stop {
                    return None;
                }
                *stop = w.sentence_end();
                Some(w.clone())
            })
            .collect();
        r.subject(&np, from, true)
    } else {
        r.subject(&ws[..k], from, false)
    }?;
    cued(speaker)
}

/// `Ruiz told reporters: "…"` / `Root believes he is "not far away"` / `he was blunt: "…"`.
pub(super) fn before(r: &Resolver<'_>, text: &str, from: usize, to: usize) -> Option<Attribution> {
    let ws = words(text, from, to);
    if ws.is_empty() {
        return None;
    }
    let start = clause_start(&ws);
    let cues = clause_cues(&ws, start);
    // The verb nearest the quote speaks it when it names someone ("White told The Post that
    // Heller said she was "ensconced""); else the first verb of the clause does ("Lyons said
    // the man "claimed it was needed"").
    if cues.len() > 1 {
        if let Some(speaker) = nearest_named(r, &ws, start, &cues, to) {
            return cued(Some(speaker));
        }
    }
    for &k in &cues {
        if let Some(speaker) = cue_subject(r, &ws, start, k, to) {
            return cued(speaker);
        }
    }
    if !cues.is_empty() {
        return cued(None);
    }
    // A colon introduction: the clause before the colon names or points to the speaker.
    if text[..to].trim_end().ends_with(':') {
        if let Some(speaker) = r.subject(&ws[start..], to, false) {
            return cued(speaker);
        }
    }
    None
}

/// An attribution tied to its subject by a verb (or a colon introduction).
fn cued(speaker: Option<String>) -> Option<Attribution> {
    Some(Attribution {
        speaker,
        cued: true,
    })
}

/// The clause: after the last `;`, `:` or sentence end that is not the word before the quote.
fn clause_start(ws: &[Word<'_>]) -> usize {
    ws[..ws.len() - 1]
        .iter()
        .rposition(|w| w.tail().contains([';', ':']) || w.sentence_end())
        .map_or(0, |p| p + 1)
}

/// The reporting verbs of the clause from `start`, in order; "according to" counts as its
/// "to", and "as … put it" as its "put".
fn clause_cues(ws: &[Word<'_>], start: usize) -> Vec<usize> {
    (start..ws.len())
        .filter(|&i| {
            is_cue(&ws[i])
                || (ws[i].lower == "to" && i > start && ws[i - 1].lower == "according")
                // "As Bocelli put it, "…"".
                || (ws[i].lower == "put"
                    && ws.get(i + 1).is_some_and(|w| w.lower == "it")
                    && ws[start..i].iter().any(|w| w.lower == "as"))
        })
        .collect()
}

/// The subject of the verb at `k`: what follows "according to", a name right after an
/// inverted verb, or else the clause before the verb.
fn cue_subject(r: &Resolver<'_>, ws: &[Word<'_>], start: usize, k: usize, to: usize) -> Subject {
    if ws[k].lower == "to" {
        return r.subject(&ws[k + 1..], to, true);
    }
    // "This, said Engelhardt, was "…"": a verb opening its clause, or set off by a comma,
    // with a name after it has that name for its subject. Not "police said Jones was …",
    // where the name after the verb begins what was said.
    let inverted = SUBJECT_AFTER.contains(&ws[k].lower)
        && (k == start || ws[k - 1].clause_end())
        && ws.get(k + 1).is_some_and(|w| w.capitalised());
    if inverted {
        if let Some(Some(name)) = r.subject(&ws[k + 1..], to, true) {
            return Some(Some(name));
        }
    }
    r.subject(&ws[start..k], to, false)
}

/// The speaker named right before the last verb of the clause, when there are several verbs.
/// Only a name standing right before that verb counts: what lies between two verbs is mostly
/// the first one's object.
fn nearest_named(
    r: &Resolver<'_>,
    ws: &[Word<'_>],
    start: usize,
    cues: &[usize],
    to: usize,
) -> Option<String> {
    let &k = cues.last().filter(|&&k| {
        ws[k].lower != "to"
            && ws[k - 1].capitalised()
            && !ws[k - 1].clause_end()
            && !ws[k - 1].possessive
    })?;
    let mut b = k - 1;
    while b > start + 1 && k - b < 6 {
        let x = &ws[b - 1];
        if x.clause_end() || (!x.capitalised() && is_stop_word(&x.lower)) {
            break;
        }
        b -= 1;
    }
    r.subject(&ws[b..k], to, false).flatten()
}
