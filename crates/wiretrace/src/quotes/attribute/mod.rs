//! Who said it: the speaker of each quote of one document.
//!
//! Owns the people of a document (capitalised name sequences outside quotes, with the role
//! words around them and a gender when the text gives one) and the attribution rules:
//! 1. a reporting verb after the quote, with its subject before it (`"…," Ruiz said`, `"…," the
//!    minister told`) or after it (`"…," said Rep. Nick Rahall`);
//! 2. a reporting verb earlier in the quote's sentence, with the clause before it as subject
//!    (`Port Minister Ana Ruiz told reporters: "…"`, `Root believes he is "not far away"`);
//! 3. a colon after a clause whose subject is a name or pronoun (`he was blunt: "…"`);
//! 4. a follow-up quote with no attribution of its own, opening the sentence right after an
//!    attributed quote, takes that quote's speaker.
//!
//! A subject that is a pronoun resolves to the most recent person of matching gender mentioned
//! within [`SCOPE_SENTENCES`]; a definite role noun ("the minister") to the most recent person
//! carrying that role word. An indefinite or unmatched subject ("a spokesman", "police") gives
//! no speaker: `None` is an answer, a guess is not.
//!
//! This file owns the order of the rules ([`attribute`]); the rest is by concern:
//! - `tokens`: the words of a passage with their spans and punctuation;
//! - `people`: the people of the document (names, roles, genders, mentions);
//! - `cues`, `roles`: reading a word as a reporting verb, a role noun, a title, an age (the
//!   word lists themselves are data files, `quotes/words/*.txt`, see `quotes::lexicon`);
//! - `clauses`: the clause after or before a quote and its reporting verb;
//! - `subject`: the speaker a subject phrase names, points to or describes;
//! - `coreference`: what a pronoun or a definite role noun points to.

mod clauses;
mod coreference;
mod cues;
mod people;
mod roles;
mod subject;
mod tokens;

pub use cues::has_cue;

use super::extract::RawQuote;
use crate::text::{Document, Span};
use clauses::{after, before};
use coreference::Resolver;
use people::people;

/// How far back (in sentences) a pronoun or role noun looks for its person.
pub const SCOPE_SENTENCES: usize = 6;

/// What attribution found for one quote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The speaker's fullest name in the document.
    pub speaker: Option<String>,
    /// A reporting verb (or a colon introduction) ties the quote to a subject.
    pub cued: bool,
}

/// The speakers of `quotes` (text order) in `doc`: the rules of the module's documentation,
/// tried in order for each quote until one answers.
pub fn attribute(doc: &Document, quotes: &[RawQuote]) -> Vec<Attribution> {
    let r = Resolver {
        doc,
        people: people(doc, &quoted_spans(quotes)),
    };
    let mut out: Vec<Attribution> = Vec::with_capacity(quotes.len());
    for k in 0..quotes.len() {
        let found = between_parts(&r, &quotes[k])
            .or_else(|| after_quote(&r, quotes, k))
            .or_else(|| before_in_sentence(&r, quotes, k))
            .or_else(|| after_colon_line(&r, quotes, k))
            .or_else(|| follow_up(&r, quotes, k, &out));
        out.push(found.unwrap_or_default());
    }
    out
}

/// The quoted words only, sorted and merged (for the binary search in `people`): the
/// attribution between the parts of a split quote (`"…," Obama said, "…"`) names its speaker
/// and must be read as text.
fn quoted_spans(quotes: &[RawQuote]) -> Vec<Span> {
    let mut quoted: Vec<Span> = quotes
        .iter()
        .flat_map(|q| q.parts.iter().copied())
        .collect();
    quoted.sort_by_key(|q| q.start);
    quoted.dedup_by(|later, kept| {
        if later.start < kept.end {
            kept.end = kept.end.max(later.end);
            true
        } else {
            false
        }
    });
    quoted
}

/// The words between the parts of a split quote are its attribution.
fn between_parts(r: &Resolver<'_>, q: &RawQuote) -> Option<Attribution> {
    q.parts
        .windows(2)
        .find_map(|w| after(r, &r.doc.text, w[0].end, w[1].start))
}

/// The clause after the quote, up to the next quote, unless the quote ends its sentence.
fn after_quote(r: &Resolver<'_>, quotes: &[RawQuote], k: usize) -> Option<Attribution> {
    let text = &r.doc.text;
    let q = &quotes[k];
    let next_open = quotes.get(k + 1).map_or(text.len(), |n| n.open_at);
    let last = q.parts[q.parts.len() - 1];
    let ends_sentence = text[last.start..last.end]
        .trim_end_matches(['\'', '\u{2019}', ' '])
        .ends_with(['.', '\u{2026}']);
    if ends_sentence || q.close_end >= next_open {
        return None;
    }
    after(r, text, q.close_end, next_open)
}

/// The clause before the quote in its sentence (after the previous quote, if any).
fn before_in_sentence(r: &Resolver<'_>, quotes: &[RawQuote], k: usize) -> Option<Attribution> {
    let (doc, text) = (r.doc, &r.doc.text);
    let q = &quotes[k];
    let prev_close = if k > 0 { quotes[k - 1].close_end } else { 0 };
    let from = sentence_start(doc, q.open_at);
    let found = before(r, text, prev_close.max(from), q.open_at);
    // "Lyons said that … "…" – and added, "…"": a verb with no subject of its own after
    // an earlier quote of the sentence shares the sentence's subject.
    // So does a later quote of the sentence with no verb of its own ("made "some
    // progress" but "remains …"").
    if prev_close > from && found.as_ref().is_none_or(|a| a.speaker.is_none()) {
        if let Some(a) = before(r, text, from, q.open_at).filter(|a| a.speaker.is_some()) {
            return Some(a);
        }
    }
    found
}

/// A colon at the end of the line before: `Pensioner Bayram-aga said:` / `"…"`.
fn after_colon_line(r: &Resolver<'_>, quotes: &[RawQuote], k: usize) -> Option<Attribution> {
    let (doc, text) = (r.doc, &r.doc.text);
    let q = &quotes[k];
    if !text[..q.open_at].trim_end().ends_with(':') {
        return None;
    }
    let prev_close = if k > 0 { quotes[k - 1].close_end } else { 0 };
    let colon = text[..q.open_at].trim_end().len();
    let line = text[..colon].rfind('\n').map_or(0, |p| p + 1);
    // Only a line with a reporting verb (or a statement) introduces a quote this way; a
    // line of narrative ending in a colon does not name who speaks.
    let intro = &text[line..colon];
    if line < sentence_start(doc, q.open_at)
        && (has_cue(intro) || intro.to_lowercase().contains("statement"))
    {
        return before(r, text, line.max(prev_close), q.open_at);
    }
    None
}

/// A follow-up quote: opens its sentence, right after the sentence of the last quote, and
/// takes that quote's speaker (`found` holds the attributions of the quotes before `k`).
fn follow_up(
    r: &Resolver<'_>,
    quotes: &[RawQuote],
    k: usize,
    found: &[Attribution],
) -> Option<Attribution> {
    if k == 0 {
        return None;
    }
    let (doc, text) = (r.doc, &r.doc.text);
    let (q, prev) = (&quotes[k], &quotes[k - 1]);
    let s_here = r.sentence_of(q.open_at);
    let s_prev = r.sentence_of(prev.close_end.saturating_sub(1));
    let between = &text[prev.close_end.min(q.open_at)..q.open_at];
    let opens_sentence =
        sentence_start(doc, q.open_at) >= prev.close_end || between.trim().is_empty();
    // The sentence right after, or the one after the last quote's own attribution
    // when that is split by a period ("he told E! News.", "police Const.\nTim Fanning
    // told a news conference.").
    let next =
        s_here <= s_prev + 1 || (found[k - 1].cued && between.len() <= 160 && has_cue(between));
    if opens_sentence && next && !between.contains("\n\n") {
        return Some(Attribution {
            speaker: found[k - 1].speaker.clone(),
            cued: false,
        });
    }
    None
}

/// Where the sentence holding `pos` starts, or its line when that starts later.
fn sentence_start(doc: &Document, pos: usize) -> usize {
    let line = doc.text[..pos].rfind('\n').map_or(0, |p| p + 1);
    doc.sentences
        .iter()
        .rev()
        .find(|s| s.span.start <= pos)
        .map_or(0, |s| s.span.start)
        .max(line)
}

#[cfg(test)]
mod tests {
    use super::super::extract::find;
    use super::*;

    fn speakers(text: &str) -> Vec<Option<String>> {
        let doc = Document::from_text("t", text.to_string());
        let qs = find(&doc.text);
        attribute(&doc, &qs)
            .into_iter()
            .map(|a| a.speaker)
            .collect()
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn verbs_before_and_after_with_titles() {
        assert_eq!(
            speakers("\"The harbour reopens on Monday,\" Ruiz said. Port Minister Ana Ruiz told reporters: \u{201C}We are ready to talk now.\u{201D}"),
            vec![s("Ana Ruiz"), s("Ana Ruiz")]
        );
        assert_eq!(
            speakers(
                "\"We support the plan fully,\" said Rep. Nick Rahall, who chairs the committee."
            ),
            vec![s("Nick Rahall")]
        );
        assert_eq!(
            speakers("\"Most buildings are not safe any more,\" the head of the disaster service, Massoud Dalman, told the television."),
            vec![s("Massoud Dalman")]
        );
    }

    #[test]
    fn pronouns_resolve_to_the_last_person_of_that_gender_across_sentences() {
        let t = "Union leader Tomas Beltran met the minister, Ana Ruiz, on Friday. Mr. Beltran left early. The talks lasted six hours. Ruiz stayed; she spoke to her staff.\n\"We are not done yet,\" he said. \"Nor are we,\" she said.";
        assert_eq!(speakers(t), vec![s("Tomas Beltran"), s("Ana Ruiz")]);
    }

    #[test]
    fn role_nouns_resolve_and_descriptions_stay_unnamed() {
        let t = "Tomas Beltran, the union leader, spoke first. \"We will wait,\" the union leader said. \"Nobody was hurt,\" police said. \"It was loud,\" a witness said.";
        assert_eq!(speakers(t), vec![s("Tomas Beltran"), None, None]);
    }

    #[test]
    fn follow_up_and_colon_and_partial_quotes() {
        let t = "\"The talks failed,\" Ana Ruiz said. \"We will try again next week.\" Later, addressing the crowd, she was blunt: \"No more delays.\" Beltran called the offer \"an insult\" to workers.";
        assert_eq!(
            speakers(t),
            vec![s("Ana Ruiz"), s("Ana Ruiz"), s("Ana Ruiz"), s("Beltran")]
        );
    }

    #[test]
    fn two_people_with_one_surname_stay_two() {
        let t = "Quarterback Troy Smith was suspended. Athletic director Gene Smith, who replaced Andy Geiger, said the report was fair.\n\"What you see is what they found,\" he said. \"We will comply,\" Ohio State president Karen Holbrook said at a news conference.";
        assert_eq!(speakers(t), vec![s("Gene Smith"), s("Karen Holbrook")]);
    }

    #[test]
    fn an_abbreviated_title_is_a_role_and_a_one_word_company_is_no_he() {
        let t = "Gov. Kay Ivey spoke on Monday; she was brief. \"We need the facts first,\" the governor said. Waitrose said the store would reopen. \"It was a shock,\" he said.";
        assert_eq!(speakers(t), vec![s("Kay Ivey"), None]);
    }

    #[test]
    fn a_second_verb_of_the_sentence_shares_its_subject() {
        let t = "Sheriff Anne Lyons said the man \"claimed it was needed\" and added, \"He is dangerous.\"";
        assert_eq!(speakers(t), vec![s("Anne Lyons"), s("Anne Lyons")]);
    }

    #[test]
    fn unresolvable_pronoun_is_null() {
        assert_eq!(speakers("\"It is over,\" he said."), vec![None]);
    }

    // Regression tests for the session-4 rules; each case is a pattern from the development
    // error list of `examples/quote_errors.rs`, rewritten.

    #[test]
    fn the_attribution_inside_a_split_quote_names_its_speaker() {
        let t = "Luck broke the record.\n\"Obviously it's nicer to be in the playoffs, \" Luck said, \"but records are nice.\"";
        let doc = Document::from_text("t", t.to_string());
        let quotes = crate::quotes::extract(&doc);
        assert_eq!(quotes.len(), 1);
        assert_eq!(quotes[0].parts.len(), 2);
        assert_eq!(quotes[0].speaker, s("Luck"));
    }

    #[test]
    fn police_and_court_abbreviations_are_titles_even_across_a_line_break() {
        let t = "\"This is the crime the penalty was made for,\" said Dist. Atty. Steve Cooley.";
        assert_eq!(speakers(t), vec![s("Steve Cooley")]);
        let t = "`` A man came in and shot another man, '' Vancouver police Const.\nTim Fanning told a news conference.";
        assert_eq!(speakers(t), vec![s("Tim Fanning")]);
    }

    #[test]
    fn an_apposition_next_to_the_verb_is_not_the_subject() {
        let t = "\"This is serious,\" Dana Tamir, director at security company Trusteer, told the BBC. \"Hackers are at work,\" she said.";
        assert_eq!(speakers(t), vec![s("Dana Tamir"), s("Dana Tamir")]);
        let t = "Gill Sandford, dean of the Faculty of Creative and Cultural Industries, said: \"The staff are sad.\"";
        assert_eq!(speakers(t), vec![s("Gill Sandford")]);
    }

    #[test]
    fn two_people_joined_by_and_speak_together() {
        let t = "\"We are thrilled to have her host the show,\" said Zadan and Meron.";
        assert_eq!(speakers(t), vec![s("Zadan and Meron")]);
    }

    #[test]
    fn a_leading_subordinate_clause_holds_no_subject_for_a_pronoun() {
        let t = "Phil Ford played here. While offering his congratulations to Tyler Hansbrough, Ford is quick to add that the record matters least.\n\"We never cared who scored,\" he says.";
        assert_eq!(speakers(t), vec![s("Phil Ford")]);
    }

    #[test]
    fn an_age_stands_for_the_person_just_named() {
        let t = "Masters champion Trevor Immelman has become a life member of the tour.\n\"I actually have goosebumps,\" said the 29-year-old on the eve of the Open.";
        assert_eq!(speakers(t), vec![s("Trevor Immelman")]);
    }

    #[test]
    fn the_verb_nearest_the_quote_speaks_it_when_a_name_stands_before_it() {
        let t = "Prosecutor Terry White told The Post that Lohan's lawyer Mark Heller said she was \"ensconced in the bosom\" of the clinic.";
        assert_eq!(speakers(t), vec![s("Mark Heller")]);
        // The first verb still speaks when the nearer one has no named subject.
        let t = "Sheriff Anne Lyons said the man \"claimed it was needed\".";
        assert_eq!(speakers(t), vec![s("Anne Lyons")]);
    }

    #[test]
    fn a_statement_speaks_for_its_issuer_and_a_colon_line_introduces_the_next() {
        let t = "A statement from Waitrose said: \"Damage is extensive.\"";
        assert_eq!(speakers(t), vec![s("Waitrose")]);
        let t = "Pensioner Bayram-aga, a voter in Ashgabat, said:\n`` I remember the elections from the Soviet days. ''";
        assert_eq!(speakers(t), vec![s("Pensioner Bayram-aga")]);
        // A narrative line ending in a colon names nobody.
        let t = "The quake hit Southern Iran, emptying towers across the Gulf:\n\"Witnesses said they felt the ground shake.\"";
        assert_eq!(speakers(t), vec![None]);
    }

    #[test]
    fn a_later_quote_of_the_sentence_shares_the_earlier_ones_speaker() {
        let t = "New York-based Human Rights Watch said in an assessment that the country had made \"some progress\" but \"remains one of the most repressive states\".";
        let got = speakers(t);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], got[1]);
        assert!(got[0]
            .as_deref()
            .is_some_and(|n| n.ends_with("Human Rights Watch")));
    }

    #[test]
    fn a_given_name_alone_is_the_one_full_name_that_has_it() {
        let t = "Afieq Shazwan, a singer, spoke to reporters.\n\"I will not resort to cheap controversy,\" said Afieq, who released a single.";
        assert_eq!(speakers(t), vec![s("Afieq Shazwan")]);
    }

    // Session-5 rules, from the same error list.

    #[test]
    fn an_organisation_after_according_to_speaks_though_the_clause_runs_on() {
        let t = "The fire \"was set at the entrance\" according to the Associated Press and was fought for hours.";
        assert_eq!(speakers(t), vec![s("Associated Press")]);
        // A lowercase role after the article is still a role.
        let t = "Port Minister Ana Ruiz spoke. \"We are ready,\" said the minister.";
        assert_eq!(speakers(t), vec![s("Ana Ruiz")]);
    }

    #[test]
    fn a_described_one_word_name_is_someone_a_pronoun_points_to() {
        let t = "Party leader Mayawati on Monday accused the government of weakening the charter.\n\n\"The new year should not be painful,\" she said.";
        assert_eq!(speakers(t), vec![s("Mayawati")]);
        // A bare one-word name still is not ("Waitrose said").
        let t = "Waitrose said the store would reopen. \"It was a shock,\" she said.";
        assert_eq!(speakers(t), vec![None]);
    }

    #[test]
    fn a_verb_set_off_by_a_comma_has_the_name_after_it_for_its_subject() {
        let t = "Engelhardt spoke at the fair. This, said Engelhardt, was \"not about industry at all.\"";
        assert_eq!(speakers(t), vec![s("Engelhardt")]);
        // Not when a subject stands before the verb: the name after it begins what was said.
        let t = "The police said Jones was \"very calm\" at the time.";
        assert_eq!(speakers(t), vec![None]);
    }

    #[test]
    fn a_follow_up_quote_continues_past_an_attribution_broken_by_a_period() {
        let t = "Matthew Ohara produced the film.\n\"Tara was professional,\" he told E! News.\n\"She came in prepared every day.\"";
        assert_eq!(speakers(t), vec![s("Matthew Ohara"), s("Matthew Ohara")]);
    }

    #[test]
    fn as_someone_put_it_names_the_speaker() {
        let t = "Bocelli says he will sing alone. As Bocelli put it, \"It is an occasion to pray together.\"";
        assert_eq!(speakers(t), vec![s("Bocelli")]);
    }

    #[test]
    fn where_an_organisation_is_based_is_not_part_of_its_name() {
        let t = "London-based Amnesty International said the vote was \"deeply flawed\".";
        assert_eq!(speakers(t), vec![s("Amnesty International")]);
    }
}
