//! The people of a document: capitalised name sequences outside quotes, each interned as one
//! person (a surname after a full name is that person; "Gene Smith" and "Troy Smith" stay two),
//! with the role words around its mentions, a gender when the text gives one, and whether the
//! text marks it as a person rather than a place or an organisation.
//!
//! Reading a name is a sequence of steps over the words around it ([`NameReader::named`]):
//! leading titles and descriptive words become roles, a "-based" prefix is dropped, lowercase
//! role words before the name and an apposition after it add roles, and honorifics or gendered
//! roles give the gender. [`People::record`] then decides whether the mention is personal.

use std::collections::{HashMap, HashSet};

use super::cues::is_cue;
use super::roles::{is_role_noun, title_in_full};
use super::tokens::{words, Word};
use crate::quotes::lexicon::{FEMALE, MALE, NOT_PERSON, ORGANISATION_NOUNS, SUBJECT_AFTER, TITLES};
use crate::text::{is_calendar_word, is_stop_word, Document, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gender {
    Male,
    Female,
}

/// A person (or organisation) named in the document.
#[derive(Debug, Clone)]
pub(super) struct Mention {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Index into [`People::names`].
    pub(super) who: usize,
    /// A person rather than a place or an organisation (see [`People::strong`]).
    pub(super) personal: bool,
    /// "Ruiz's": the name qualifies something else and is not the subject.
    pub(super) possessive: bool,
}

#[derive(Debug, Default)]
pub(super) struct People {
    /// Fullest form of each name.
    pub(super) names: Vec<String>,
    genders: Vec<(u32, u32)>,
    pub(super) roles: Vec<HashSet<String>>,
    pub(super) organisation: Vec<bool>,
    /// The text says this is a person: a title, a role, an honorific, or the subject of a
    /// reporting verb somewhere. A bare two-word name ("North Carolina") is a weaker guess.
    pub(super) strong: Vec<bool>,
    /// A title or a lowercase role word stands before some mention ("BSP supremo Mayawati",
    /// "Gov. Ivey"): a one-word name so described is a person a pronoun can point to, where
    /// a bare one ("Waitrose said") may be a company.
    pub(super) described: Vec<bool>,
    pub(super) mentions: Vec<Mention>,
    /// Indices of [`People::names`] by lowercased surname, ascending: every name [`People::intern`]
    /// can match shares the surname, so a long article costs a lookup per mention, not a scan
    /// of everyone named so far.
    by_surname: HashMap<String, Vec<usize>>,
    /// Indices of the names of two or more words by their lowercased first word, ascending.
    by_given: HashMap<String, Vec<usize>>,
}

impl People {
    pub(super) fn gender(&self, who: usize) -> Option<Gender> {
        let (m, f) = self.genders[who];
        match m.cmp(&f) {
            std::cmp::Ordering::Greater => Some(Gender::Male),
            std::cmp::Ordering::Less => Some(Gender::Female),
            std::cmp::Ordering::Equal => None,
        }
    }

    fn surname(name: &str) -> String {
        name.split_whitespace().last().unwrap_or("").to_lowercase()
    }

    /// The person a name refers to: the same name, a surname of an earlier full name (the most
    /// recent one), or a new person. "Gene Smith" and "Troy Smith" are two people.
    fn intern(&mut self, name: String, organisation: bool) -> usize {
        let sur = Self::surname(&name);
        let tokens = name.split_whitespace().count();
        let found = self
            .by_surname_match(&sur, &name, tokens, organisation)
            .or_else(|| self.by_given_match(&name, tokens, organisation));
        if let Some(k) = found {
            if tokens > self.names[k].split_whitespace().count() {
                self.names[k] = name;
                self.index_given(k);
            }
            return k;
        }
        let k = self.names.len();
        self.names.push(name);
        self.genders.push((0, 0));
        self.roles.push(HashSet::new());
        self.organisation.push(organisation);
        self.strong.push(false);
        self.described.push(false);
        self.by_surname.entry(sur).or_default().push(k);
        self.index_given(k);
        k
    }

    /// The most recent person of surname `sur` that `name` is: the same name, or one of the
    /// two a bare surname (of a person, not an organisation).
    fn by_surname_match(
        &self,
        sur: &str,
        name: &str,
        tokens: usize,
        organisation: bool,
    ) -> Option<usize> {
        self.by_surname.get(sur).and_then(|ks| {
            ks.iter().rev().copied().find(|&k| {
                let n = &self.names[k];
                n.eq_ignore_ascii_case(name)
                    || (!organisation
                        && !self.organisation[k]
                        && (tokens == 1 || n.split_whitespace().count() == 1))
            })
        })
    }

    /// A given name alone ("said Afieq" after "Afieq Shazwan") when one full name has it.
    fn by_given_match(&self, name: &str, tokens: usize, organisation: bool) -> Option<usize> {
        if tokens != 1 || organisation {
            return None;
        }
        let ks = self.by_given.get(&name.to_lowercase())?;
        let mut given = ks.iter().copied().filter(|&k| {
            !self.organisation[k]
                && self.names[k].split_whitespace().count() >= 2
                && self.names[k]
                    .split_whitespace()
                    .next()
                    .is_some_and(|g| g.eq_ignore_ascii_case(name))
        });
        match (given.next(), given.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
    }

    fn index_given(&mut self, k: usize) {
        let mut words = self.names[k].split_whitespace();
        if let (Some(first), Some(_)) = (words.next(), words.next()) {
            let list = self.by_given.entry(first.to_lowercase()).or_default();
            if let Err(at) = list.binary_search(&k) {
                list.insert(at, k);
            }
        }
    }

    /// Pronouns teach the gender of the person named just before them in the same sentence
    /// (across sentences, the pronoun being resolved would teach itself).
    fn learn_pronoun(&mut self, who: usize, word: &str) {
        match word {
            "he" | "his" | "him" | "himself" => self.genders[who].0 += 1,
            "she" | "her" | "hers" | "herself" => self.genders[who].1 += 1,
            _ => {}
        }
    }

    /// Adds a mention of a name read at one place; returns who it is and whether the mention
    /// is of a person.
    fn record(&mut self, n: Named) -> (usize, bool) {
        let known_before = self.names.len();
        let who = self.intern(n.name, n.organisation);
        // A surname of someone already known as a person is that person.
        let surname_of_person = who < known_before
            && !self.organisation[who]
            && (self.strong[who] || self.names[who].split_whitespace().count() >= 2);
        let personal = !n.organisation
            && (n.words >= 2 || n.titled || surname_of_person || n.speaks || !n.roles.is_empty());
        if personal && (n.titled || n.speaks || !n.roles.is_empty() || n.gender != (0, 0)) {
            self.strong[who] = true;
        }
        self.described[who] |= n.described && personal;
        self.genders[who].0 += n.gender.0;
        self.genders[who].1 += n.gender.1;
        self.roles[who].extend(n.roles);
        self.mentions.push(Mention {
            start: n.start,
            end: n.end,
            who,
            personal,
            possessive: n.possessive,
        });
        (who, personal)
    }

    /// A person's strength counts for every mention, earlier ones included.
    fn mark_persons(&mut self) {
        for m in &mut self.mentions {
            if self.strong[m.who] && !self.organisation[m.who] {
                m.personal = true;
            }
        }
    }
}

/// What one capitalised sequence says about the name in it.
struct Named {
    /// The name as written, titles and role words left out.
    name: String,
    /// Span of the mention: the name's first word to the sequence's last.
    start: usize,
    end: usize,
    /// How many words the name has.
    words: usize,
    /// Lowercase role words: leading titles, descriptive words before and an apposition after.
    roles: Vec<String>,
    organisation: bool,
    /// A title stands before the name.
    titled: bool,
    /// A title or a role noun stands before the name.
    described: bool,
    /// A reporting verb stands right before or after the sequence.
    speaks: bool,
    /// (male, female) weight of the honorifics and gendered roles.
    gender: (u32, u32),
    possessive: bool,
}

/// The words of a document with what reading names needs to know about them.
struct NameReader<'a> {
    text: &'a str,
    all: Vec<Word<'a>>,
    /// Words the text also writes in lowercase: a common noun capitalised at a sentence start,
    /// or a descriptive word ("Union") before a name.
    lowercase_seen: HashSet<&'a str>,
    quoted: &'a [Span],
}

impl<'a> NameReader<'a> {
    fn new(text: &'a str, quoted: &'a [Span]) -> Self {
        let all = words(text, 0, text.len());
        let lowercase_seen = all
            .iter()
            .filter(|w| w.core.chars().next().is_some_and(char::is_lowercase))
            .map(|w| w.core)
            .collect();
        NameReader {
            text,
            all,
            lowercase_seen,
            quoted,
        }
    }

    /// By where the word's letters start: `"We` opens a quote, `today,"` ends one.
    /// `quoted` is in text order and its spans do not overlap: a binary search per word keeps
    /// this linear in the article rather than words × quotes.
    fn inside(&self, w: &Word<'_>) -> bool {
        let at = w.start + w.raw.find(w.core).unwrap_or(0);
        let k = self.quoted.partition_point(|q| q.end <= at);
        self.quoted
            .get(k)
            .is_some_and(|q| q.start <= at && at < q.end)
    }

    fn is_name_word(&self, w: &Word<'_>) -> bool {
        w.capitalised()
            && (!is_stop_word(&w.lower) || TITLES.contains(&w.lower))
            && !is_calendar_word(&w.lower)
            && !self.inside(w)
            && !w.core.chars().all(|c| c.is_ascii_digit())
    }

    /// The end (exclusive) of the name sequence starting at word `i`: it stops at a line break
    /// (unless after a title's period: ECB+ breaks lines there), a clause or sentence end, or a
    /// possessive.
    fn name_end(&self, i: usize) -> usize {
        let all = &self.all;
        let mut j = i;
        while j < all.len() && self.is_name_word(&all[j]) {
            if j > i
                && self.text[all[j - 1].end..all[j].start].contains('\n')
                && !(TITLES.contains(&all[j - 1].lower) && all[j - 1].tail() == ".")
            {
                break;
            }
            j += 1;
            if all[j - 1].clause_end() || all[j - 1].sentence_end() || all[j - 1].possessive {
                break;
            }
        }
        j
    }

    /// The name in the sequence `all[i..j]` and what its surroundings say of it; `None` when
    /// the sequence is only titles or a common word.
    fn named(&self, i: usize, j: usize) -> Option<Named> {
        let seq = &self.all[i..j];
        let (k, mut roles) = self.leading_roles(seq);
        let mut name_words = &seq[k..];
        // "New York-based Human Rights Watch": what a "-based" word says is where, not who.
        if let Some(p) = name_words[..name_words.len() - 1]
            .iter()
            .rposition(|w| w.lower.ends_with("-based"))
        {
            name_words = &name_words[p + 1..];
        }
        let titled = roles.iter().any(|r| TITLES.contains(r));
        // "Gov. Kay Ivey" is "the governor" later on.
        let spelled: Vec<String> = roles
            .iter()
            .filter_map(|r| title_in_full(r).map(str::to_string))
            .collect();
        roles.extend(spelled);
        let only_common =
            name_words.len() == 1 && self.lowercase_seen.contains(name_words[0].lower.as_str());
        if name_words.is_empty() || only_common {
            return None;
        }
        let mut organisation = name_words.iter().any(|w| NOT_PERSON.contains(&w.lower));
        let mut described = titled;
        self.roles_before(i, &mut roles, &mut organisation, &mut described);
        self.apposition_roles(seq, j, name_words.len(), &mut roles);
        let gender = gender_of(&roles);
        let all = &self.all;
        let last = &seq[seq.len() - 1];
        Some(Named {
            name: name_words
                .iter()
                .map(Word::name_form)
                .collect::<Vec<_>>()
                .join(" "),
            start: name_words[0].start,
            end: last.end,
            words: name_words.len(),
            roles,
            organisation,
            titled,
            described,
            speaks: all.get(j).is_some_and(is_cue)
                || (i > 0 && SUBJECT_AFTER.contains(&all[i - 1].lower)),
            gender,
            possessive: last.possessive,
        })
    }

    /// Leading titles and descriptive words ("Port Minister", "Union") are roles: how many
    /// words of `seq` they are, and the roles. The last word is always left for the name.
    fn leading_roles(&self, seq: &[Word<'_>]) -> (usize, Vec<String>) {
        let mut k = 0;
        let mut roles = Vec::new();
        let last_title = seq[..seq.len().saturating_sub(1)]
            .iter()
            .rposition(|w| TITLES.contains(&w.lower))
            .map_or(0, |p| p + 1);
        while k + 1 < seq.len()
            && (k < last_title
                || TITLES.contains(&seq[k].lower)
                || self.lowercase_seen.contains(seq[k].lower.as_str()))
        {
            roles.push(seq[k].lower.clone());
            k += 1;
        }
        (k, roles)
    }

    /// Lowercase role words just before the name at word `i` ("union leader Tomas Beltran").
    /// A noun for an organisation there ("security company Trusteer", "the carrier Ryanair")
    /// says what the name is.
    fn roles_before(
        &self,
        i: usize,
        roles: &mut Vec<String>,
        organisation: &mut bool,
        described: &mut bool,
    ) {
        let mut b = i;
        while b > 0 && i - b < 3 {
            let x = &self.all[b - 1];
            if x.capitalised() || is_stop_word(&x.lower) || x.clause_end() || x.sentence_end() {
                break;
            }
            *organisation |= ORGANISATION_NOUNS.contains(&x.lower);
            roles.push(x.lower.clone());
            *described |= is_role_noun(&x.lower);
            b -= 1;
        }
    }

    /// An apposition after the sequence `seq` (which ends at word `j`): ", the union leader,".
    fn apposition_roles(
        &self,
        seq: &[Word<'_>],
        j: usize,
        name_len: usize,
        roles: &mut Vec<String>,
    ) {
        let all = &self.all;
        if !(seq.last().is_some_and(Word::clause_end) && j < all.len()) {
            return;
        }
        let next = &all[j];
        let determiner = matches!(
            next.lower.as_str(),
            "the" | "a" | "an" | "one" | "who" | "its" | "his" | "her" | "their"
        );
        if determiner || (name_len >= 2 && !next.capitalised() && !is_cue(next)) {
            for x in all[j..].iter().take(8) {
                if !is_stop_word(&x.lower) {
                    roles.push(x.lower.clone());
                }
                if x.clause_end() || x.sentence_end() {
                    break;
                }
            }
        }
    }
}

/// An honorific or a gendered role outweighs any count of nearby pronouns: (male, female).
fn gender_of(roles: &[String]) -> (u32, u32) {
    let mut gender = (0u32, 0u32);
    for r in roles {
        if MALE.contains(r) {
            gender.0 += 10;
        }
        if FEMALE.contains(r) {
            gender.1 += 10;
        }
    }
    gender
}

/// Reads the people of a document, outside the quoted spans.
pub(super) fn people(doc: &Document, quoted: &[Span]) -> People {
    let reader = NameReader::new(&doc.text, quoted);
    let all = &reader.all;
    let mut p = People::default();
    let mut i = 0;
    let mut last_person: Option<(usize, usize)> = None; // (who, word index)
    while i < all.len() {
        let w = &all[i];
        if reader.inside(w) {
            i += 1;
            continue;
        }
        if let Some((who, at)) = last_person {
            if i - at <= 25 {
                p.learn_pronoun(who, &w.lower);
            }
        }
        if w.sentence_end() {
            last_person = None;
        }
        if !reader.is_name_word(w) {
            i += 1;
            continue;
        }
        let j = reader.name_end(i);
        let Some(named) = reader.named(i, j) else {
            i = j.max(i + 1);
            continue;
        };
        let (who, personal) = p.record(named);
        if personal {
            last_person = Some((who, j));
        }
        i = j;
    }
    p.mark_persons();
    p
}
