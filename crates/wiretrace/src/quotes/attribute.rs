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

use std::collections::{HashMap, HashSet};

use super::extract::RawQuote;
use crate::text::{is_calendar_word, is_stop_word, Document, Span};

/// How far back (in sentences) a pronoun or role noun looks for its person.
pub const SCOPE_SENTENCES: usize = 6;

/// Reporting verbs, in the forms news uses.
const CUES: &[&str] = &[
    "say",
    "says",
    "said",
    "saying",
    "tell",
    "tells",
    "told",
    "add",
    "adds",
    "added",
    "state",
    "states",
    "stated",
    "remark",
    "remarks",
    "remarked",
    "assert",
    "asserts",
    "asserted",
    "declare",
    "declares",
    "declared",
    "warn",
    "warns",
    "warned",
    "explain",
    "explains",
    "explained",
    "insist",
    "insists",
    "insisted",
    "note",
    "notes",
    "noted",
    "argue",
    "argues",
    "argued",
    "claim",
    "claims",
    "claimed",
    "write",
    "writes",
    "wrote",
    "announce",
    "announces",
    "announced",
    "stress",
    "stresses",
    "stressed",
    "acknowledge",
    "acknowledges",
    "acknowledged",
    "concede",
    "concedes",
    "conceded",
    "urge",
    "urges",
    "urged",
    "reply",
    "replies",
    "replied",
    "continue",
    "continues",
    "continued",
    "ask",
    "asks",
    "asked",
    "tweet",
    "tweets",
    "tweeted",
    "posted",
    "confirm",
    "confirms",
    "confirmed",
    "describe",
    "describes",
    "described",
    "call",
    "calls",
    "called",
    "admit",
    "admits",
    "admitted",
    "believe",
    "believes",
    "believed",
    "think",
    "thinks",
    "thought",
    "suggest",
    "suggests",
    "suggested",
    "recall",
    "recalls",
    "recalled",
    "predict",
    "predicts",
    "predicted",
    "promise",
    "promises",
    "promised",
    "vow",
    "vows",
    "vowed",
    "complain",
    "complains",
    "complained",
    "deny",
    "denies",
    "denied",
    "respond",
    "responds",
    "responded",
    "answer",
    "answers",
    "answered",
    "testify",
    "testifies",
    "testified",
    "report",
    "reports",
    "reported",
    "agree",
    "agrees",
    "agreed",
    "shout",
    "shouts",
    "shouted",
    "yell",
    "yelled",
    "scream",
    "screamed",
    "chant",
    "chanted",
    "joke",
    "jokes",
    "joked",
    "quip",
    "quips",
    "quipped",
    "caution",
    "cautions",
    "cautioned",
    "inform",
    "informs",
    "informed",
    "reckon",
    "reckons",
    "reckoned",
    "exclaim",
    "exclaimed",
    "emphasise",
    "emphasised",
    "emphasize",
    "emphasized",
    "observe",
    "observed",
    "mention",
    "mentioned",
    "label",
    "labels",
    "labeled",
    "labelled",
    "dub",
    "dubbed",
    "brand",
    "branded",
    "accuse",
    "accused",
    "remind",
    "reminded",
    "maintain",
    "maintains",
    "maintained",
    "conclude",
    "concluded",
    "recount",
    "recounted",
    "pledge",
    "pledged",
    "hint",
    "hinted",
    "demand",
    "demanded",
    "plead",
    "pleaded",
    "muse",
    "mused",
    "sigh",
    "sighed",
    "laugh",
    "laughed",
    "writing",
    "telling",
    "adding",
    "asking",
    "noting",
    "warning",
    "explaining",
    "calling",
    "describing",
    "insisting",
    "arguing",
    "claiming",
    "stating",
    "stressing",
    "tweeting",
    "confirming",
    "recalling",
    "suggesting",
];

/// Title and rank words: part of how a person is named, not of the name.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sir",
    "dame",
    "lady",
    "lord",
    "gen",
    "general",
    "col",
    "colonel",
    "lt",
    "sgt",
    "sergeant",
    "capt",
    "captain",
    "cmdr",
    "adm",
    "admiral",
    "maj",
    "major",
    "gov",
    "governor",
    "sen",
    "senator",
    "rep",
    "representative",
    "rev",
    "reverend",
    "prof",
    "professor",
    "president",
    "minister",
    "secretary",
    "chancellor",
    "premier",
    "mayor",
    "judge",
    "justice",
    "chief",
    "officer",
    "inspector",
    "detective",
    "sheriff",
    "undersheriff",
    "commissioner",
    "director",
    "chairman",
    "chairwoman",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "father",
    "bishop",
    "deputy",
    "superintendent",
    "supt",
    "insp",
    "det",
    "hon",
    "pres",
    "attorney",
    "coach",
    "sheikh",
    "ayatollah",
    "st",
    // Police and court abbreviations ("Const. Tim Fanning", "Dist. Atty. Steve Cooley").
    "const",
    "cpl",
    "pvt",
    "dist",
    "atty",
];

/// Lowercase nouns that, just before a name, make it an organisation.
const ORGANISATION_NOUNS: &[&str] = &[
    "company",
    "firm",
    "group",
    "agency",
    "bank",
    "airline",
    "carrier",
    "retailer",
    "broadcaster",
    "newspaper",
    "magazine",
    "website",
    "charity",
    "startup",
    "manufacturer",
    "maker",
    "insurer",
    "publisher",
    "organisation",
    "organization",
];

/// Words that make a capitalised sequence a place or an organisation, never a person.
const NOT_PERSON: &[&str] = &[
    "street",
    "avenue",
    "road",
    "square",
    "institute",
    "university",
    "college",
    "school",
    "union",
    "party",
    "company",
    "corporation",
    "inc",
    "corp",
    "ltd",
    "llc",
    "group",
    "news",
    "times",
    "post",
    "journal",
    "press",
    "agency",
    "ministry",
    "department",
    "council",
    "committee",
    "court",
    "house",
    "office",
    "association",
    "church",
    "hospital",
    "police",
    "service",
    "services",
    "bank",
    "club",
    "team",
    "league",
    "city",
    "county",
    "state",
    "states",
    "republic",
    "island",
    "islands",
    "sea",
    "river",
    "port",
    "airport",
    "station",
    "centre",
    "center",
    "chamber",
    "commerce",
    "authority",
    "federation",
    "foundation",
    "fund",
    "organisation",
    "organization",
    "network",
    "tv",
    "radio",
    "daily",
    "herald",
    "gazette",
    "wire",
    "watch",
    "nations",
    "army",
    "navy",
    "force",
    "guard",
    "board",
    "commission",
    "administration",
    "government",
    "parliament",
    "congress",
    "senate",
    "assembly",
    "museum",
    "library",
    "stadium",
    "park",
    "hall",
    "bridge",
    "gate",
    "airlines",
    "motors",
    "media",
];

const MALE: &[&str] = &[
    "mr",
    "sir",
    "lord",
    "king",
    "prince",
    "father",
    "brother",
    "son",
    "husband",
    "uncle",
    "spokesman",
    "chairman",
    "businessman",
    "congressman",
    "boyfriend",
    "actor",
    "nephew",
    "grandfather",
    "man",
];
const FEMALE: &[&str] = &[
    "mrs",
    "ms",
    "miss",
    "dame",
    "lady",
    "queen",
    "princess",
    "mother",
    "sister",
    "daughter",
    "wife",
    "aunt",
    "spokeswoman",
    "chairwoman",
    "businesswoman",
    "congresswoman",
    "girlfriend",
    "actress",
    "niece",
    "grandmother",
    "woman",
];

/// Words that open a subordinate clause before the main one.
const SUBORDINATORS: &[&str] = &[
    "while",
    "after",
    "before",
    "although",
    "though",
    "when",
    "since",
    "as",
    "if",
    "because",
    "despite",
    "unlike",
    "like",
    "following",
    "during",
];

/// Words that may open a subject clause without being part of it.
const LEADERS: &[&str] = &["but", "and", "so", "yet", "then", "later", "also", "now"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

/// One word of the text with its byte span; `core` drops surrounding punctuation.
#[derive(Debug, Clone)]
struct Word<'a> {
    start: usize,
    end: usize,
    raw: &'a str,
    core: &'a str,
    lower: String,
    possessive: bool,
}

impl Word<'_> {
    fn capitalised(&self) -> bool {
        self.core.chars().next().is_some_and(char::is_uppercase)
    }
    /// The punctuation after the word's last letter or digit.
    fn tail(&self) -> &str {
        let t = self.raw.trim_end_matches(|c: char| !c.is_alphanumeric());
        &self.raw[t.len()..]
    }
    /// Ends a clause: `,` `;` `:` after the word.
    fn clause_end(&self) -> bool {
        self.tail().contains([',', ';', ':'])
    }
    fn sentence_end(&self) -> bool {
        self.tail().contains(['.', '!', '?']) && !is_abbreviation(self.core)
    }
    /// The word as a name shows it: an initial keeps its period ("J. Ortega").
    fn name_form(&self) -> String {
        if self.core.chars().count() == 1 && self.tail().starts_with('.') {
            format!("{}.", self.core)
        } else {
            self.core.to_string()
        }
    }
}

fn is_abbreviation(core: &str) -> bool {
    let l = core.to_lowercase();
    // Initials: "J", "A.J", "U.S".
    core.chars().count() <= 5
        && core.chars().all(|c| c.is_uppercase() || c == '.')
        && (core.chars().count() == 1 || core.contains('.'))
        || TITLES.contains(&l.as_str())
        || matches!(l.as_str(), "jr" | "sr" | "st" | "u.s" | "u.k" | "no" | "va")
}

fn words(text: &str, from: usize, to: usize) -> Vec<Word<'_>> {
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

/// A person (or organisation) named in the document.
#[derive(Debug, Clone)]
struct Mention {
    start: usize,
    end: usize,
    /// Index into [`People::names`].
    who: usize,
    /// A person rather than a place or an organisation (see [`People::strong`]).
    personal: bool,
    /// "Ruiz's": the name qualifies something else and is not the subject.
    possessive: bool,
}

#[derive(Debug, Default)]
struct People {
    /// Fullest form of each name.
    names: Vec<String>,
    genders: Vec<(u32, u32)>,
    roles: Vec<HashSet<String>>,
    organisation: Vec<bool>,
    /// The text says this is a person: a title, a role, an honorific, or the subject of a
    /// reporting verb somewhere. A bare two-word name ("North Carolina") is a weaker guess.
    strong: Vec<bool>,
    /// A title or a lowercase role word stands before some mention ("BSP supremo Mayawati",
    /// "Gov. Ivey"): a one-word name so described is a person a pronoun can point to, where
    /// a bare one ("Waitrose said") may be a company.
    described: Vec<bool>,
    mentions: Vec<Mention>,
    /// Indices of [`People::names`] by lowercased surname, ascending: every name [`People::intern`]
    /// can match shares the surname, so a long article costs a lookup per mention, not a scan
    /// of everyone named so far.
    by_surname: HashMap<String, Vec<usize>>,
    /// Indices of the names of two or more words by their lowercased first word, ascending.
    by_given: HashMap<String, Vec<usize>>,
}

impl People {
    fn gender(&self, who: usize) -> Option<Gender> {
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
        let found = self.by_surname.get(&sur).and_then(|ks| {
            ks.iter().rev().copied().find(|&k| {
                let n = &self.names[k];
                n.eq_ignore_ascii_case(&name)
                    || (!organisation
                        && !self.organisation[k]
                        && (tokens == 1 || n.split_whitespace().count() == 1))
            })
        });
        // A given name alone ("said Afieq" after "Afieq Shazwan") when one full name has it.
        let found = found.or_else(|| {
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
                        .is_some_and(|g| g.eq_ignore_ascii_case(&name))
            });
            match (given.next(), given.next()) {
                (Some(k), None) => Some(k),
                _ => None,
            }
        });
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

    fn index_given(&mut self, k: usize) {
        let mut words = self.names[k].split_whitespace();
        if let (Some(first), Some(_)) = (words.next(), words.next()) {
            let list = self.by_given.entry(first.to_lowercase()).or_default();
            if let Err(at) = list.binary_search(&k) {
                list.insert(at, k);
            }
        }
    }
}

/// Reporting verbs whose following name is their subject ("said Ruiz"); "told Ruiz" is not.
const SUBJECT_AFTER: &[&str] = &["said", "says", "added", "wrote", "asked", "continued"];

/// Reads the people of a document, outside the quoted spans.
fn people(doc: &Document, quoted: &[Span]) -> People {
    let text = &doc.text;
    let all = words(text, 0, text.len());
    let lowercase_seen: HashSet<&str> = all
        .iter()
        .filter(|w| w.core.chars().next().is_some_and(char::is_lowercase))
        .map(|w| w.core)
        .collect();
    // By where the word's letters start: `"We` opens a quote, `today,"` ends one.
    // `quoted` is in text order and its spans do not overlap: a binary search per word keeps
    // this linear in the article rather than words × quotes.
    let inside = |w: &Word<'_>| {
        let at = w.start + w.raw.find(w.core).unwrap_or(0);
        let k = quoted.partition_point(|q| q.end <= at);
        quoted.get(k).is_some_and(|q| q.start <= at && at < q.end)
    };
    let mut p = People::default();
    let mut i = 0;
    let mut last_person: Option<(usize, usize)> = None; // (who, word index)
    while i < all.len() {
        let w = &all[i];
        if inside(w) {
            i += 1;
            continue;
        }
        // Pronouns teach the gender of the person named just before them in the same sentence
        // (across sentences, the pronoun being resolved would teach itself).
        if let Some((who, at)) = last_person {
            if i - at <= 25 {
                match w.lower.as_str() {
                    "he" | "his" | "him" | "himself" => p.genders[who].0 += 1,
                    "she" | "her" | "hers" | "herself" => p.genders[who].1 += 1,
                    _ => {}
                }
            }
        }
        if w.sentence_end() {
            last_person = None;
        }
        let is_name_word = |w: &Word<'_>| {
            w.capitalised()
                && (!is_stop_word(&w.lower) || TITLES.contains(&w.lower.as_str()))
                && !is_calendar_word(&w.lower)
                && !inside(w)
                && !w.core.chars().all(|c| c.is_ascii_digit())
        };
        if !is_name_word(w) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < all.len() && is_name_word(&all[j]) {
            if j > i
                && text[all[j - 1].end..all[j].start].contains('\n')
                && !(TITLES.contains(&all[j - 1].lower.as_str()) && all[j - 1].tail() == ".")
            {
                break;
            }
            j += 1;
            if all[j - 1].clause_end() || all[j - 1].sentence_end() || all[j - 1].possessive {
                break;
            }
        }
        let seq = &all[i..j];
        // Leading titles and descriptive words ("Port Minister", "Union") are roles.
        let mut k = 0;
        let mut roles = Vec::new();
        let last_title = seq[..seq.len().saturating_sub(1)]
            .iter()
            .rposition(|w| TITLES.contains(&w.lower.as_str()))
            .map_or(0, |p| p + 1);
        while k + 1 < seq.len()
            && (k < last_title
                || TITLES.contains(&seq[k].lower.as_str())
                || lowercase_seen.contains(seq[k].lower.as_str()))
        {
            roles.push(seq[k].lower.clone());
            k += 1;
        }
        let mut name_words = &seq[k..];
        // "New York-based Human Rights Watch": what a "-based" word says is where, not who.
        if let Some(p) = name_words[..name_words.len() - 1]
            .iter()
            .rposition(|w| w.lower.ends_with("-based"))
        {
            name_words = &name_words[p + 1..];
        }
        let titled = roles.iter().any(|r| TITLES.contains(&r.as_str()));
        // "Gov. Kay Ivey" is "the governor" later on.
        let spelled: Vec<String> = roles
            .iter()
            .filter_map(|r| title_in_full(r).map(str::to_string))
            .collect();
        roles.extend(spelled);
        let only_common =
            name_words.len() == 1 && lowercase_seen.contains(name_words[0].lower.as_str());
        if name_words.is_empty() || only_common {
            i = j.max(i + 1);
            continue;
        }
        let organisation = name_words
            .iter()
            .any(|w| NOT_PERSON.contains(&w.lower.as_str()));
        let name = name_words
            .iter()
            .map(Word::name_form)
            .collect::<Vec<_>>()
            .join(" ");
        // Lowercase role words just before the name ("union leader Tomas Beltran"). A noun for
        // an organisation there ("security company Trusteer") says what the name is.
        let mut b = i;
        let mut organisation = organisation;
        let mut described = titled;
        while b > 0 && i - b < 3 {
            let x = &all[b - 1];
            if x.capitalised() || is_stop_word(&x.lower) || x.clause_end() || x.sentence_end() {
                break;
            }
            organisation |= ORGANISATION_NOUNS.contains(&x.lower.as_str());
            roles.push(x.lower.clone());
            described |= is_role_noun(&x.lower);
            b -= 1;
        }
        // An apposition after it: ", the union leader,".
        if seq.last().is_some_and(Word::clause_end) && j < all.len() {
            let next = &all[j];
            let determiner = matches!(
                next.lower.as_str(),
                "the" | "a" | "an" | "one" | "who" | "its" | "his" | "her" | "their"
            );
            if determiner || (name_words.len() >= 2 && !next.capitalised() && !is_cue(next)) {
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
        // "security company Trusteer", "the carrier Ryanair": a common noun for an organisation
        // just before the name says what the name is.
        let mut gender = (0u32, 0u32);
        for r in &roles {
            // An honorific or a gendered role outweighs any count of nearby pronouns.
            if MALE.contains(&r.as_str()) {
                gender.0 += 10;
            }
            if FEMALE.contains(&r.as_str()) {
                gender.1 += 10;
            }
        }
        let last = &seq[seq.len() - 1];
        let speaks = all.get(j).is_some_and(is_cue)
            || (i > 0 && SUBJECT_AFTER.contains(&all[i - 1].lower.as_str()));
        let known_before = p.names.len();
        let who = p.intern(name, organisation);
        let surname_of_person = who < known_before
            && !p.organisation[who]
            && (p.strong[who] || p.names[who].split_whitespace().count() >= 2);
        let personal = !organisation
            && (name_words.len() >= 2
                || titled
                || surname_of_person
                || speaks
                || !roles.is_empty());
        if personal && (titled || speaks || !roles.is_empty() || gender != (0, 0)) {
            p.strong[who] = true;
        }
        p.described[who] |= described && personal;
        p.genders[who].0 += gender.0;
        p.genders[who].1 += gender.1;
        p.roles[who].extend(roles);
        p.mentions.push(Mention {
            start: name_words[0].start,
            end: last.end,
            who,
            personal,
            possessive: last.possessive,
        });
        if personal {
            last_person = Some((who, j));
        }
        i = j;
    }
    // A person's strength counts for every mention, earlier ones included.
    for m in &mut p.mentions {
        if p.strong[m.who] && !p.organisation[m.who] {
            m.personal = true;
        }
    }
    p
}

/// A lowercase word that names what a person is ("supremo", "leader", "singer"), judged by
/// the agent-noun endings of English and a few common role words. Adjectives and places before
/// a one-word name ("southern Qeshm", "the first Test", "at 90 C") are not: they must not make
/// the name someone a pronoun can point to.
fn is_role_noun(w: &str) -> bool {
    const ROLE_WORDS: &[&str] = &[
        "supremo",
        "chief",
        "head",
        "boss",
        "star",
        "aide",
        "envoy",
        "spokesperson",
        "coach",
        "mp",
        "mep",
        "legend",
        "veteran",
        "icon",
        "rapper",
        "poet",
        "artist",
        "model",
        "pianist",
        "guitarist",
        "economist",
        "scientist",
        "analyst",
        "activist",
        "chef",
        "nurse",
        "doctor",
        "judge",
        "priest",
        "monk",
        "rabbi",
        "imam",
        "cleric",
        "general",
        "captain",
        "minister",
        "president",
        "mayor",
        "governor",
        "senator",
        "premier",
        "prince",
        "princess",
        "king",
        "queen",
        "actress",
        "heiress",
        "hostess",
        "waitress",
        "duchess",
        "countess",
    ];
    const ENDINGS: &[&str] = &["er", "or", "ist", "ian", "man", "woman", "ee", "ant", "ent"];
    w.len() >= 3
        && w.chars().all(|c| c.is_alphabetic() || c == '-')
        && (ROLE_WORDS.contains(&w)
            || ENDINGS
                .iter()
                .any(|e| w.len() > e.len() + 2 && w.ends_with(e)))
        && !matches!(
            w,
            "after"
                | "under"
                | "over"
                | "other"
                | "ever"
                | "never"
                | "later"
                | "former"
                | "recent"
                | "different"
                | "current"
                | "silent"
                | "present"
                | "ancient"
                | "apparent"
                | "important"
                | "significant"
                | "giant"
                | "meantime"
        )
}

/// The role word an abbreviated title stands for.
fn title_in_full(t: &str) -> Option<&'static str> {
    Some(match t {
        "gov" => "governor",
        "sen" => "senator",
        "rep" => "representative",
        "gen" => "general",
        "lt" => "lieutenant",
        "sgt" => "sergeant",
        "capt" => "captain",
        "col" => "colonel",
        "maj" => "major",
        "adm" => "admiral",
        "dr" => "doctor",
        "prof" => "professor",
        "supt" => "superintendent",
        "det" => "detective",
        "insp" => "inspector",
        "pres" => "president",
        "rev" => "reverend",
        "const" => "constable",
        "cpl" => "corporal",
        "atty" => "attorney",
        _ => return None,
    })
}

const PREPOSITIONS: &[&str] = &[
    "of", "for", "at", "from", "with", "in", "on", "by", "to", "into", "near", "outside", "about",
];

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
        .is_some_and(|w| PREPOSITIONS.contains(&w.lower.as_str()))
}

/// A name preceded anywhere in its segment by a preposition ("dean of the Faculty of Creative
/// and Cultural Industries") is inside a prepositional phrase.
fn in_prepositional_phrase(seg: &[&Word<'_>], m: &Mention) -> bool {
    seg.iter()
        .take_while(|w| w.start < m.start)
        .any(|w| PREPOSITIONS.contains(&w.lower.as_str()))
}

/// "29-year-old", "61-year-old".
fn is_age(word: &str) -> bool {
    word.strip_suffix("-year-old")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// What attribution found for one quote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The speaker's fullest name in the document.
    pub speaker: Option<String>,
    /// A reporting verb (or a colon introduction) ties the quote to a subject.
    pub cued: bool,
}

/// A reporting verb: lowercase ("State" is a name, "state" a verb).
fn is_cue(w: &Word<'_>) -> bool {
    !w.capitalised() && CUES.contains(&w.lower.as_str())
}

/// True when `text` holds a reporting verb (for joining a quote split by an attribution).
pub fn has_cue(text: &str) -> bool {
    words(text, 0, text.len()).iter().any(is_cue) || text.to_lowercase().contains("according to")
}

const DEFINITE: &[&str] = &["the", "this", "that", "his", "her", "its", "their"];
const INDEFINITE: &[&str] = &["a", "an", "one", "another", "some", "several", "many"];

struct Resolver<'a> {
    doc: &'a Document,
    people: People,
}

impl Resolver<'_> {
    fn sentence_of(&self, pos: usize) -> usize {
        self.doc
            .sentences
            .iter()
            .position(|s| s.span.end > pos)
            .unwrap_or(self.doc.sentences.len().saturating_sub(1))
    }

    fn mentions_in(&self, ws: &[&Word<'_>]) -> Vec<&Mention> {
        let (Some(first), Some(last)) = (ws.first(), ws.last()) else {
            return Vec::new();
        };
        self.people
            .mentions
            .iter()
            .filter(|m| m.start >= first.start && m.end <= last.end)
            .collect()
    }

    /// The speaker named by a subject phrase, if it names, points to or describes one.
    /// `verb_first`: the phrase follows its verb ("said Rep. Nick Rahall, who …"), so its head
    /// is its first segment; otherwise it precedes the verb and the segment next to the verb
    /// is looked at first, appositions ("Stanley Perlo, one of Orozco's lawyers,") after.
    fn subject(&self, np: &[Word<'_>], at: usize, verb_first: bool) -> Option<Option<String>> {
        let np: Vec<&Word<'_>> = np
            .iter()
            .skip_while(|w| LEADERS.contains(&w.lower.as_str()))
            .collect();
        if np.is_empty() {
            return None;
        }
        let mut segments: Vec<Vec<&Word<'_>>> = vec![Vec::new()];
        for w in &np {
            if let Some(s) = segments.last_mut() {
                s.push(*w);
            }
            if w.clause_end() {
                segments.push(Vec::new());
            }
        }
        segments.retain(|s| !s.is_empty());
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
                && !DEFINITE.contains(&first)
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
            // After the verb the first name is the subject, through any titles run together
            // with it ("said Dist. Atty. Steve Cooley"); before it, the name next to the verb.
            let pick = if verb_first {
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
            } else {
                candidates.last().copied()
            };
            if let Some(m) = pick {
                return Some(Some(self.joint(m, verb_first)));
            }
        }
        let head = &segments[if verb_first { 0 } else { segments.len() - 1 }];
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
            !caps.is_empty() && caps.iter().all(|w| !TITLES.contains(&w.lower.as_str()))
        };
        let head_is_name = head.last().is_some_and(|w| w.capitalised()) || named_after_article;
        // "said the 29-year-old": an age stands for the person the passage is about.
        if DEFINITE.contains(&first) && head.iter().take(3).any(|w| is_age(&w.lower)) {
            return Some(self.recent_person(at));
        }
        if DEFINITE.contains(&first) && !head_is_name {
            let role = head
                .iter()
                .filter(|w| !is_stop_word(&w.lower) && !w.capitalised())
                .map(|w| w.lower.clone())
                .next_back();
            return Some(role.and_then(|r| self.recent_with_role(at, &r)));
        }
        // "a statement from Waitrose said": the statement speaks for whoever issued it.
        for seg in &segments {
            let by = seg
                .iter()
                .position(|w| w.lower == "statement")
                .filter(|&k| {
                    seg.get(k + 1)
                        .is_some_and(|w| matches!(w.lower.as_str(), "from" | "by"))
                });
            if let Some(m) = by.and_then(|k| self.mentions_in(&seg[k + 1..]).first().copied()) {
                return Some(Some(self.people.names[m.who].clone()));
            }
        }
        if INDEFINITE.contains(&first) {
            return Some(None);
        }
        // An organisation as the subject ("Human Rights Watch said", "according to the AP").
        for seg in &segments {
            // Past an article and a "New York-based" (which the name leaves out).
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
                return Some(Some(self.people.names[m.who].clone()));
            }
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
                if SUBORDINATORS.contains(&opener.as_str()) {
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
    fn pronoun(&self, at: usize, female: bool) -> Option<String> {
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
    fn joint(&self, m: &Mention, verb_first: bool) -> String {
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
    fn recent_person(&self, at: usize) -> Option<String> {
        self.scope(at)
            .iter()
            .find_map(|s| s.iter().find(|m| self.people.strong[m.who]))
            .map(|m| self.people.names[m.who].clone())
    }

    /// "the minister": the most recent person in scope carrying that role word.
    fn recent_with_role(&self, at: usize, role: &str) -> Option<String> {
        self.scope(at)
            .iter()
            .flat_map(|s| s.iter().rev())
            .find(|m| self.people.roles[m.who].contains(role))
            .map(|m| self.people.names[m.who].clone())
    }
}

/// The speakers of `quotes` (text order) in `doc`.
pub fn attribute(doc: &Document, quotes: &[RawQuote]) -> Vec<Attribution> {
    let text = &doc.text;
    // The quoted words only: the attribution between the parts of a split quote (`"…," Obama
    // said, "…"`) names its speaker and must be read as text.
    let mut quoted: Vec<Span> = quotes
        .iter()
        .flat_map(|q| q.parts.iter().copied())
        .collect();
    // Sorted and merged, for the binary search in `people`.
    quoted.sort_by_key(|q| q.start);
    quoted.dedup_by(|later, kept| {
        if later.start < kept.end {
            kept.end = kept.end.max(later.end);
            true
        } else {
            false
        }
    });
    let r = Resolver {
        doc,
        people: people(doc, &quoted),
    };
    let mut out: Vec<Attribution> = Vec::with_capacity(quotes.len());
    for (k, q) in quotes.iter().enumerate() {
        let next_open = quotes.get(k + 1).map_or(text.len(), |n| n.open_at);
        let prev_close = if k > 0 { quotes[k - 1].close_end } else { 0 };
        let mut found: Option<Attribution> = None;
        // The words between the parts of a split quote are its attribution.
        for w in q.parts.windows(2) {
            if found.is_none() {
                found = after(&r, text, w[0].end, w[1].start);
            }
        }
        let last = q.parts[q.parts.len() - 1];
        let ends_sentence = text[last.start..last.end]
            .trim_end_matches(['\'', '\u{2019}', ' '])
            .ends_with(['.', '\u{2026}']);
        if found.is_none() && !ends_sentence && q.close_end < next_open {
            found = after(&r, text, q.close_end, next_open);
        }
        if found.is_none() {
            let from = sentence_start(doc, q.open_at);
            found = before(&r, text, prev_close.max(from), q.open_at);
            // "Lyons said that … "…" – and added, "…"": a verb with no subject of its own after
            // an earlier quote of the sentence shares the sentence's subject.
            // So does a later quote of the sentence with no verb of its own ("made "some
            // progress" but "remains …"").
            if prev_close > from && found.as_ref().is_none_or(|a| a.speaker.is_none()) {
                if let Some(a) = before(&r, text, from, q.open_at).filter(|a| a.speaker.is_some()) {
                    found = Some(a);
                }
            }
        }
        if found.is_none() && text[..q.open_at].trim_end().ends_with(':') {
            // A colon at the end of the line before: `Pensioner Bayram-aga said:` / `"…"`.
            let colon = text[..q.open_at].trim_end().len();
            let line = text[..colon].rfind('\n').map_or(0, |p| p + 1);
            // Only a line with a reporting verb (or a statement) introduces a quote this way; a
            // line of narrative ending in a colon does not name who speaks.
            let intro = &text[line..colon];
            if line < sentence_start(doc, q.open_at)
                && (has_cue(intro) || intro.to_lowercase().contains("statement"))
            {
                found = before(&r, text, line.max(prev_close), q.open_at);
            }
        }
        if found.is_none() && k > 0 {
            // A follow-up quote: opens its sentence, right after the sentence of the last quote.
            let prev = &quotes[k - 1];
            let s_here = r.sentence_of(q.open_at);
            let s_prev = r.sentence_of(prev.close_end.saturating_sub(1));
            let between = &text[prev.close_end.min(q.open_at)..q.open_at];
            let opens_sentence =
                sentence_start(doc, q.open_at) >= prev.close_end || between.trim().is_empty();
            // The sentence right after, or the one after the last quote's own attribution
            // when that is split by a period ("he told E! News.", "police Const.\nTim Fanning
            // told a news conference.").
            let next = s_here <= s_prev + 1
                || (out[k - 1].cued && between.len() <= 160 && has_cue(between));
            if opens_sentence && next && !between.contains("\n\n") {
                found = Some(Attribution {
                    speaker: out[k - 1].speaker.clone(),
                    cued: false,
                });
            }
        }
        out.push(found.unwrap_or_default());
    }
    out
}

fn sentence_start(doc: &Document, pos: usize) -> usize {
    let line = doc.text[..pos].rfind('\n').map_or(0, |p| p + 1);
    doc.sentences
        .iter()
        .rev()
        .find(|s| s.span.start <= pos)
        .map_or(0, |s| s.span.start)
        .max(line)
}

/// `"…," Ruiz said` / `"…," said Ruiz` / `"…," the minister told`: the clause after a quote.
fn after(r: &Resolver<'_>, text: &str, from: usize, to: usize) -> Option<Attribution> {
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
        let title = last.ends_with('.')
            && TITLES.contains(&last.trim_end_matches('.').to_lowercase().as_str());
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
    Some(Attribution {
        speaker,
        cued: true,
    })
}

/// `Ruiz told reporters: "…"` / `Root believes he is "not far away"` / `he was blunt: "…"`.
fn before(r: &Resolver<'_>, text: &str, from: usize, to: usize) -> Option<Attribution> {
    let ws = words(text, from, to);
    if ws.is_empty() {
        return None;
    }
    // The clause: after the last `;`, `:` or sentence end that is not the word before the quote.
    let start = ws[..ws.len() - 1]
        .iter()
        .rposition(|w| w.tail().contains([';', ':']) || w.sentence_end())
        .map_or(0, |p| p + 1);
    let cues: Vec<usize> = (start..ws.len())
        .filter(|&i| {
            is_cue(&ws[i])
                || (ws[i].lower == "to" && i > start && ws[i - 1].lower == "according")
                // "As Bocelli put it, "…"".
                || (ws[i].lower == "put"
                    && ws.get(i + 1).is_some_and(|w| w.lower == "it")
                    && ws[start..i].iter().any(|w| w.lower == "as"))
        })
        .collect();
    let subject_of = |k: usize| {
        if ws[k].lower == "to" {
            return r.subject(&ws[k + 1..], to, true);
        }
        // "This, said Engelhardt, was "…"": a verb opening its clause, or set off by a comma,
        // with a name after it has that name for its subject. Not "police said Jones was …",
        // where the name after the verb begins what was said.
        let inverted = SUBJECT_AFTER.contains(&ws[k].lower.as_str())
            && (k == start || ws[k - 1].clause_end())
            && ws.get(k + 1).is_some_and(|w| w.capitalised());
        if inverted {
            if let Some(Some(name)) = r.subject(&ws[k + 1..], to, true) {
                return Some(Some(name));
            }
        }
        r.subject(&ws[start..k], to, false)
    };
    // The verb nearest the quote speaks it when it names someone ("White told The Post that
    // Heller said she was "ensconced""); else the first verb of the clause does ("Lyons said
    // the man "claimed it was needed"").
    // Only a name standing right before that verb counts: what lies between two verbs is
    // mostly the first one's object.
    if cues.len() > 1 {
        if let Some(&k) = cues.last().filter(|&&k| {
            ws[k].lower != "to"
                && ws[k - 1].capitalised()
                && !ws[k - 1].clause_end()
                && !ws[k - 1].possessive
        }) {
            let mut b = k - 1;
            while b > start + 1 && k - b < 6 {
                let x = &ws[b - 1];
                if x.clause_end() || (!x.capitalised() && is_stop_word(&x.lower)) {
                    break;
                }
                b -= 1;
            }
            let near = r.subject(&ws[b..k], to, false);
            if let Some(Some(speaker)) = near {
                return Some(Attribution {
                    speaker: Some(speaker),
                    cued: true,
                });
            }
        }
    }
    for &k in &cues {
        if let Some(speaker) = subject_of(k) {
            return Some(Attribution {
                speaker,
                cued: true,
            });
        }
    }
    if !cues.is_empty() {
        return Some(Attribution {
            speaker: None,
            cued: true,
        });
    }
    // A colon introduction: the clause before the colon names or points to the speaker.
    if text[..to].trim_end().ends_with(':') {
        if let Some(speaker) = r.subject(&ws[start..], to, false) {
            return Some(Attribution {
                speaker,
                cued: true,
            });
        }
    }
    None
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
