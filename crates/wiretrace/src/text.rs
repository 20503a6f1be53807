//! Normalisation and segmentation: `Article` → [`Document`] (sentences and tokens with byte
//! spans into the original text).
//!
//! The stage is infallible: any string, however malformed, becomes a (possibly empty) document.
//! Nothing is rewritten in place; the original text is kept and every sentence and token carries
//! a half-open byte span `[start, end)` into it, so every highlight in a report points at the
//! original bytes. Normalisation (NFKC, lowercase, quote/apostrophe/dash unification) applies to
//! the token forms that the later stages compare, never to the stored text.
//!
//! Sentence splitting is a rule layer over the text rather than UAX#29 sentence boundaries,
//! which break after "Mr." and "U.S." (measured, see CRATES.md). The rules:
//! - a blank line always ends a sentence; a single line break ends one unless the text looks
//!   hard-wrapped (most inner lines end mid-sentence, as in Reuters wire copy), in which case only
//!   a short line without final punctuation (a heading, a dateline) ends one;
//! - `.`, `!`, `?`, `…` end a sentence when followed, after any closing quotes or brackets, by
//!   white space and a capital letter, a digit, an opening quote or the end of the text;
//! - a period after a title abbreviation (Mr., Gen., Sen.) or a single capital (an initial, as in
//!   "J. Ortega") never ends one; after a dotted acronym (U.S., a.m.) it ends one only when the
//!   next word is a capitalised function word ("The", "He", "But"), the usual sign of a new
//!   sentence.
//!
//! Boilerplate lines are found by general rules — date-only lines, share-button rows, "related
//! stories"-style footer headings with the link list under them, copyright and advertisement
//! markers — never by a list of strings copied from one site.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

use crate::model::Article;

/// The version of this stage's output: sentence boundaries, tokens and their normalised forms.
/// Stored alignments point at sentences by number and every reader segments the text again, so
/// a store records the version it was built with and refuses to mix in another (`reindex`
/// rebuilds it). Raise it with any change that moves a sentence boundary or a token's form; the
/// test `the_segmentation_of_the_demo_is_that_of_this_version` fails until it is raised.
pub const TEXT_VERSION: u32 = 1;

/// Longest sentence kept whole, in words.
pub const MAX_SENTENCE_TOKENS: usize = 150;

/// A half-open byte range `[start, end)` into a document's original text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Longest word kept, in bytes of the original text: a longer "word" (a run of letters without
/// a break, which no language writes) is cut there, at a character boundary.
pub const MAX_WORD_BYTES: usize = u16::MAX as usize;

/// A word of the text.
///
/// Every document keeps all its tokens to the end of a run — they are two thirds of a corpus's
/// memory — so the layout is compact (24 bytes on 64-bit targets): the word's place in the text
/// is a `u32` offset and a `u16` length, and the word-class flags share one byte behind
/// accessors. The normalised form is not stored: it is a function of the word's text
/// ([`Document::norm_of`]), and the stages that compare words compare `hash` and `stem`. A
/// document's tokens stop at 4 GiB of text (articles are capped far below that).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Hash of the normalised form (the token's identity for shingles and verbatim checks).
    pub hash: u64,
    /// Hash of the stem (the token's identity for content-word overlap).
    pub stem: u64,
    /// First byte of the word in the original text.
    start: u32,
    /// Its length in bytes.
    len: u16,
    /// A function word ("the", "said", "of").
    pub stop: bool,
    /// [`Token::CAPITALIZED`], [`Token::NUMERIC`], [`Token::ENTITY`].
    flags: u8,
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Token>() == 24);

impl Token {
    const CAPITALIZED: u8 = 1;
    const NUMERIC: u8 = 2;
    const ENTITY: u8 = 4;

    /// Where the word is in the original text.
    pub fn span(&self) -> Span {
        let start = self.start as usize;
        Span {
            start,
            end: start + usize::from(self.len),
        }
    }
    /// Written with a capital first letter.
    pub fn capitalized(&self) -> bool {
        self.flags & Token::CAPITALIZED != 0
    }
    /// Contains a digit.
    pub fn numeric(&self) -> bool {
        self.flags & Token::NUMERIC != 0
    }
    /// Capitalised and not the first word of its sentence: a cheap named-entity signal.
    pub fn entity(&self) -> bool {
        self.flags & Token::ENTITY != 0
    }
}

/// A segmented sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Where the sentence is in the original text (trimmed).
    pub span: Span,
    /// Range of indices into [`Document::tokens`].
    pub tokens: std::ops::Range<usize>,
}

/// An article after normalisation and segmentation.
#[derive(Debug, Clone)]
pub struct Document {
    /// The article's id.
    pub id: String,
    /// The original text: [`Article::full_text`].
    pub text: String,
    /// Sentences in reading order, boilerplate excluded.
    pub sentences: Vec<Sentence>,
    /// All tokens of all sentences, in order.
    pub tokens: Vec<Token>,
    /// Byte spans of lines dropped as boilerplate (kept for reports and tests).
    pub boilerplate: Vec<Span>,
}

impl Document {
    /// Segments an article.
    pub fn from_article(article: &Article) -> Document {
        Document::from_text(&article.id, article.full_text())
    }

    /// Segments a text.
    pub fn from_text(id: &str, text: String) -> Document {
        let (units, boilerplate) = sentence_spans(&text);
        // One word's normalised form at a time.
        let mut scratch = String::new();
        let mut doc = Document {
            id: id.to_string(),
            sentences: Vec::with_capacity(units.len()),
            tokens: Vec::with_capacity(text.len() / 5),
            boilerplate,
            text: String::new(),
        };
        for span in units {
            let first = doc.tokens.len();
            tokenize_into(&text, span, &mut doc.tokens, &mut scratch);
            // A "sentence" of more than MAX_SENTENCE_TOKENS words is not one (a table, a list, text
            // without punctuation): it is cut into chunks so per-sentence work stays bounded.
            let mut start = first;
            while start < doc.tokens.len() {
                let end = (start + MAX_SENTENCE_TOKENS).min(doc.tokens.len());
                let whole = start == first && end == doc.tokens.len();
                let chunk = if whole {
                    span
                } else {
                    Span {
                        start: doc.tokens[start].span().start,
                        end: doc.tokens[end - 1].span().end,
                    }
                };
                doc.sentences.push(Sentence {
                    span: chunk,
                    tokens: start..end,
                });
                start = end;
            }
        }
        doc.text = text;
        // The capacities above are guesses from the text length; a corpus holds every document
        // to the end of the run, so the slack is returned.
        doc.tokens.shrink_to_fit();
        doc.sentences.shrink_to_fit();
        doc
    }

    /// The original text of a sentence.
    pub fn sentence_text(&self, i: usize) -> &str {
        self.sentences
            .get(i)
            .map_or("", |s| &self.text[s.span.start..s.span.end])
    }

    /// Tokens of a sentence.
    pub fn sentence_tokens(&self, i: usize) -> &[Token] {
        self.sentences
            .get(i)
            .map_or(&[][..], |s| &self.tokens[s.tokens.clone()])
    }

    /// The normalised form of a token (NFKC, lowercase, unified apostrophes and dashes): the
    /// text itself for a lowercase ASCII word, which most words are.
    pub fn norm_of(&self, t: &Token) -> std::borrow::Cow<'_, str> {
        let span = t.span();
        let word = self.text.get(span.start..span.end).unwrap_or("");
        if word
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && b != b'`')
        {
            std::borrow::Cow::Borrowed(word)
        } else {
            let mut out = String::with_capacity(word.len());
            push_norm(word, &mut out);
            std::borrow::Cow::Owned(out)
        }
    }

    /// The normalised forms of all tokens, separated by single spaces (the input of a
    /// document-level model).
    pub fn norm_text(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for t in &self.tokens {
            if !out.is_empty() {
                out.push(' ');
            }
            let span = t.span();
            push_norm(self.text.get(span.start..span.end).unwrap_or(""), &mut out);
        }
        out
    }

    /// Number of words (tokens) in the document.
    pub fn words(&self) -> usize {
        self.tokens.len()
    }
}

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Normalises one character for comparison: typographic quotes, apostrophes and dashes become
/// their ASCII forms. Applied after NFKC.
pub fn unify_punct(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        _ => c,
    }
}

/// NFKC, lowercase and punctuation unification of a whole string (for display-independent
/// comparisons such as quote matching).
pub fn normalize(s: &str) -> String {
    s.nfkc()
        .map(unify_punct)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Appends the normalised form of one word: NFKC (which leaves ASCII as it is), lowercase,
/// unified punctuation (of ASCII, only the backtick changes).
fn push_norm(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| match b {
            b'`' => '\'',
            b => char::from(b.to_ascii_lowercase()),
        }));
    } else {
        for c in word.nfkc().map(unify_punct) {
            out.extend(c.to_lowercase());
        }
    }
}

fn tokenize_into(text: &str, span: Span, tokens: &mut Vec<Token>, norm: &mut String) {
    let slice = &text[span.start..span.end];
    let mut first_word = true;
    for (off, word) in slice.split_word_bound_indices() {
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        let mut word = word;
        if word.len() > MAX_WORD_BYTES {
            let mut end = MAX_WORD_BYTES;
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            word = &word[..end];
        }
        let start = span.start + off;
        if u32::try_from(start + word.len()).is_err() {
            // Text past 4 GiB: the rest of it has no tokens.
            return;
        }
        norm.clear();
        push_norm(word, norm);
        let form = norm.as_str();
        // Possessives and trailing apostrophes do not change the word ("Ruiz's" is Ruiz).
        let base = form
            .strip_suffix("'s")
            .or_else(|| form.strip_suffix('\''))
            .unwrap_or(form);
        let (stem, stop, numeric) = word_info(base);
        let capitalized = word.chars().next().is_some_and(char::is_uppercase);
        let hash = xxh3_64(form.as_bytes());
        tokens.push(Token {
            hash,
            stem,
            start: start as u32,
            len: word.len() as u16,
            stop,
            flags: (u8::from(capitalized) * Token::CAPITALIZED)
                | (u8::from(numeric) * Token::NUMERIC)
                | (u8::from(capitalized && !first_word && !stop) * Token::ENTITY),
        });
        first_word = false;
    }
}

/// Stem hash, stop-word flag and numeric flag of a normalised word base, memoised per thread:
/// a corpus repeats a few tens of thousands of distinct words, and stemming each occurrence
/// was most of the segmentation time.
fn word_info(base: &str) -> (u64, bool, bool) {
    thread_local! {
        static MEMO: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, (u64, bool, bool)>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    /// Entries per thread before the memo starts over (bounds its memory on odd input).
    const MEMO_CAP: usize = 1 << 20;
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(&v) = m.get(base) {
            return v;
        }
        let stop = is_stop_word(base);
        let numeric = base.chars().any(|c| c.is_ascii_digit());
        let stem = if numeric {
            xxh3_64(base.as_bytes())
        } else {
            xxh3_64(STEMMER.stem(base).as_bytes())
        };
        if m.len() >= MEMO_CAP {
            m.clear();
        }
        m.insert(base.into(), (stem, stop, numeric));
        (stem, stop, numeric)
    })
}

/// English function words: they carry no content for overlap and shingle-free signals. Reporting
/// verbs are included because every news article is full of them.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "said",
    "same",
    "says",
    "say",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "told",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "may",
    "might",
    "must",
    "shall",
    "per",
    "via",
    "yet",
    "upon",
    "among",
    "within",
    "without",
    "across",
    "since",
    "s",
    "t",
    "mr",
    "mrs",
    "ms",
    "dr",
    "it's",
    "don't",
    "didn't",
    "won't",
    "can't",
    "isn't",
    "wasn't",
];

/// True for an English function word (input already lowercased).
pub fn is_stop_word(w: &str) -> bool {
    static SET: LazyLock<rustc_hash::FxHashSet<&'static str>> =
        LazyLock::new(|| STOP_WORDS.iter().copied().collect());
    SET.contains(w)
}

/// Title abbreviations: a period after them never ends a sentence.
const TITLE_ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "sir", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "gov",
    "sen", "rep", "rev", "prof", "st", "mt", "ft", "hon", "pres", "supt", "insp", "det", "no",
    "nos", "vs", "v", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec",
    "approx", "dept", "est", "fig", "inc", "co", "corp", "ltd", "jr", "sr", "bros", "etc",
];

/// Capitalised function words that typically open a sentence; after "U.S." or "a.m." they are
/// the evidence that a new sentence began.
const SENTENCE_OPENERS: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "But",
    "And",
    "In",
    "On",
    "At",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "His",
    "Her",
    "Its",
    "Their",
    "Our",
    "As",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "Some",
    "Many",
    "Most",
    "Officials",
    "However",
    "Meanwhile",
];

/// Splits a text into sentence spans and boilerplate spans.
pub fn sentence_spans(text: &str) -> (Vec<Span>, Vec<Span>) {
    let lines = line_spans(text);
    let boiler = boilerplate_lines(text, &lines);
    let hard_wrapped = looks_hard_wrapped(text, &lines);
    let max_len = lines
        .iter()
        .map(|l| text[l.start..l.end].trim().chars().count())
        .max()
        .unwrap_or(0);

    // Group lines into units that may not be split except at sentence punctuation.
    let mut units: Vec<Span> = Vec::new();
    let mut boilerplate = Vec::new();
    let mut current: Option<Span> = None;
    for (i, line) in lines.iter().enumerate() {
        let content = text[line.start..line.end].trim();
        if content.is_empty() || boiler[i] {
            if let Some(u) = current.take() {
                units.push(u);
            }
            if boiler[i] && !content.is_empty() {
                boilerplate.push(*line);
            }
            continue;
        }
        current = Some(match current {
            Some(u) => Span {
                start: u.start,
                end: line.end,
            },
            None => *line,
        });
        let ends_unit = if hard_wrapped {
            let n = content.chars().count();
            !ends_with_terminal(content) && n * 2 < max_len.max(1)
        } else {
            true
        };
        if ends_unit {
            if let Some(u) = current.take() {
                units.push(u);
            }
        }
    }
    if let Some(u) = current.take() {
        units.push(u);
    }

    let mut out = Vec::new();
    for u in units {
        split_unit(text, u, &mut out);
    }
    (out, boilerplate)
}

fn line_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            out.push(Span { start, end: i });
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(Span {
            start,
            end: text.len(),
        });
    }
    out
}

fn ends_with_terminal(s: &str) -> bool {
    let s = s.trim_end_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | ')' | ']' | '\u{201D}' | '\u{2019}' | '\u{00BB}'
        )
    });
    s.ends_with(['.', '!', '?', ':', ';', '\u{2026}'])
}

/// Hard-wrapped text (fixed-width wire copy) has many inner lines — lines followed by another
/// non-empty line — that end mid-sentence.
fn looks_hard_wrapped(text: &str, lines: &[Span]) -> bool {
    let mut inner = 0usize;
    let mut open = 0usize;
    for w in lines.windows(2) {
        let a = text[w[0].start..w[0].end].trim();
        let b = text[w[1].start..w[1].end].trim();
        if a.is_empty() || b.is_empty() {
            continue;
        }
        inner += 1;
        // A line ending in a comma also continues on the next line.
        if !ends_with_terminal(a) {
            open += 1;
        }
    }
    inner >= 3 && open * 2 > inner
}

fn split_unit(text: &str, unit: Span, out: &mut Vec<Span>) {
    let s = &text[unit.start..unit.end];
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut sent_start = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        let (_, c) = chars[i];
        if matches!(c, '.' | '!' | '?' | '\u{2026}') {
            // Absorb runs of terminators and closing quotes/brackets.
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '.' | '!' | '?' | '\u{2026}') {
                j += 1;
            }
            while j < chars.len()
                && matches!(
                    chars[j].1,
                    '"' | '\'' | ')' | ']' | '\u{201D}' | '\u{2019}' | '\u{00BB}'
                )
            {
                j += 1;
            }
            let end_byte = chars.get(j).map_or(s.len(), |&(b, _)| b);
            let at_end = j >= chars.len();
            let followed_by_space = at_end || chars[j].1.is_whitespace();
            if followed_by_space {
                let mut k = j;
                while k < chars.len() && chars[k].1.is_whitespace() {
                    k += 1;
                }
                let next_ok = k >= chars.len() || {
                    let n = chars[k].1;
                    n.is_uppercase()
                        || n.is_ascii_digit()
                        || matches!(
                            n,
                            '"' | '\''
                                | '('
                                | '['
                                | '\u{201C}'
                                | '\u{2018}'
                                | '\u{00AB}'
                                | '\u{201E}'
                        )
                };
                let boundary = next_ok
                    && (c != '.' || j > i + 1 || period_ends_sentence(s, chars[i].0, &chars[k..]));
                if boundary {
                    push_trimmed(unit.start, s, sent_start, end_byte, out);
                    sent_start = chars.get(k).map_or(s.len(), |&(b, _)| b);
                    i = k;
                    continue;
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    push_trimmed(unit.start, s, sent_start, s.len(), out);
}

fn push_trimmed(base: usize, s: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    if start >= end {
        return;
    }
    let piece = &s[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if piece.trim().is_empty() {
        return;
    }
    out.push(Span {
        start: base + start + lead,
        end: base + end - trail,
    });
}

/// Decides whether the period at byte `dot` of `s` ends a sentence, given the characters after
/// the following white space.
fn period_ends_sentence(s: &str, dot: usize, next: &[(usize, char)]) -> bool {
    let before = &s[..dot];
    let word_start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | '"' | '\u{201C}' | '['))
        .map_or(0, |p| {
            p + before[p..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[word_start..];
    if word.is_empty() {
        return true;
    }
    let lower = word.to_lowercase();
    if TITLE_ABBREVIATIONS.contains(&lower.as_str()) {
        // "Inc." or "Co." can end a sentence; titles cannot.
        return matches!(
            lower.as_str(),
            "inc" | "co" | "corp" | "ltd" | "etc" | "bros"
        ) && next_word_is_opener(next);
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() == 1 && word.chars().count() == 1 && letters[0].is_uppercase() {
        return false; // an initial: "J. Ortega"
    }
    if word.contains('.') {
        // Dotted acronym such as U.S or a.m: only a clear sentence opener follows a boundary.
        return next_word_is_opener(next);
    }
    true
}

fn next_word_is_opener(next: &[(usize, char)]) -> bool {
    let w: String = next
        .iter()
        .map(|&(_, c)| c)
        .skip_while(|c| !c.is_alphanumeric())
        .take_while(|c| c.is_alphanumeric())
        .collect();
    SENTENCE_OPENERS.contains(&w.as_str())
}

/// Marks boilerplate lines by general rules.
fn boilerplate_lines(text: &str, lines: &[Span]) -> Vec<bool> {
    let mut out = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let line = text[lines[i].start..lines[i].end].trim();
        if line.is_empty() {
            i += 1;
            continue;
        }
        if is_footer_heading(line) {
            // The heading and the short link-title lines under it.
            out[i] = true;
            let mut j = i + 1;
            while j < lines.len() {
                let l = text[lines[j].start..lines[j].end].trim();
                if l.is_empty() {
                    j += 1;
                    continue;
                }
                if l.split_whitespace().count() <= 16 && !ends_with_terminal(l)
                    || is_boilerplate_line(l)
                {
                    out[j] = true;
                    j += 1;
                } else {
                    break;
                }
            }
            i = j;
            continue;
        }
        out[i] = is_boilerplate_line(line);
        i += 1;
    }
    out
}

/// `words_lower(line).len()` without allocating.
fn word_count(line: &str) -> usize {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

fn words_lower(line: &str) -> Vec<String> {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A short line that introduces a list of other articles.
fn is_footer_heading(line: &str) -> bool {
    let n = word_count(line);
    if n == 0 || n > 6 {
        return false;
    }
    let w = words_lower(line);
    if w.is_empty() || w.len() > 6 || ends_with_terminal(line) && !line.ends_with(':') {
        return false;
    }
    let first = w[0].as_str();
    let joined = w.join(" ");
    matches!(first, "related" | "recommended" | "trending" | "popular")
        || joined.starts_with("more stories")
        || joined.starts_with("more from")
        || joined.starts_with("more news")
        || joined.starts_with("read more")
        || joined.starts_with("read next")
        || joined.starts_with("see also")
        || joined.starts_with("you may also like")
        || joined.starts_with("you might also like")
        || joined.starts_with("most read")
        || joined.starts_with("most popular")
        || joined.starts_with("further reading")
}

const SHARE_WORDS: &[&str] = &[
    "share",
    "shares",
    "tweet",
    "facebook",
    "twitter",
    "x",
    "email",
    "e",
    "mail",
    "print",
    "whatsapp",
    "linkedin",
    "pinterest",
    "reddit",
    "telegram",
    "copy",
    "link",
    "this",
    "article",
    "story",
    "on",
    "via",
    "comments",
    "comment",
    "save",
    "messenger",
    "flipboard",
    "bluesky",
];

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];
const WEEKDAYS: &[&str] = &[
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
];
const DATE_WORDS: &[&str] = &[
    "published",
    "updated",
    "posted",
    "last",
    "am",
    "pm",
    "gmt",
    "utc",
    "edt",
    "est",
    "bst",
    "cet",
    "at",
    "on",
    "by",
    "min",
    "mins",
    "read",
    "ago",
    "hours",
    "hour",
    "minutes",
];

/// True for weekday and month names (lowercase input).
pub fn is_calendar_word(w: &str) -> bool {
    MONTHS.contains(&w) || WEEKDAYS.contains(&w)
}

/// [`is_boilerplate_line`] of an ASCII line, without allocating: for ASCII, lowercasing is
/// `to_ascii_lowercase`, so each rule compares the words case-insensitively against its
/// (lowercase) word lists instead of building lowercase copies.
fn is_boilerplate_line_ascii(line: &str) -> bool {
    let words = || {
        line.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    let n = words().count();
    if n == 0 {
        // Only punctuation or symbols ("* * *", "|"), not text.
        return line.len() < 20;
    }
    if n > 14 {
        return false;
    }
    let in_list = |list: &[&str], x: &str| list.iter().any(|s| s.eq_ignore_ascii_case(x));
    let digits = |x: &str| x.bytes().all(|c| c.is_ascii_digit());
    // Share-button rows: only sharing vocabulary.
    if n <= 12
        && words().all(|x| in_list(SHARE_WORDS, x))
        && words().any(|x| !x.eq_ignore_ascii_case("this") && !x.eq_ignore_ascii_case("on"))
    {
        return true;
    }
    // Page dates.
    if n <= 10
        && !ends_with_terminal(line.trim_end_matches(['.']))
        && words().all(|x| {
            digits(x) || in_list(MONTHS, x) || in_list(WEEKDAYS, x) || in_list(DATE_WORDS, x)
        })
        && words().any(digits)
    {
        return true;
    }
    // Copyright markers (the copyright sign is not ASCII).
    let b = line.as_bytes();
    if b.len() >= 9 && b[..9].eq_ignore_ascii_case(b"copyright")
        || b.windows(19)
            .any(|w| w.eq_ignore_ascii_case(b"all rights reserved"))
    {
        return true;
    }
    n <= 3
        && words().next().is_some_and(|first| {
            ["advertisement", "advertising", "sponsored", "ad"]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(first))
        })
}

/// One line that is page furniture rather than article text.
fn is_boilerplate_line(line: &str) -> bool {
    if line.is_ascii() {
        is_boilerplate_line_ascii(line)
    } else {
        is_boilerplate_line_general(line)
    }
}

/// [`is_boilerplate_line`] of any line.
fn is_boilerplate_line_general(line: &str) -> bool {
    // Every rule below needs a line of at most 14 words (or none).
    if word_count(line) > 14 {
        return false;
    }
    let w = words_lower(line);
    if w.is_empty() {
        // Only punctuation or symbols ("* * *", "|"), not text.
        return line.chars().count() < 20;
    }
    let n = w.len();
    // Share-button rows: only sharing vocabulary.
    if n <= 12
        && w.iter().all(|x| SHARE_WORDS.contains(&x.as_str()))
        && w.iter().any(|x| x != "this" && x != "on")
    {
        return true;
    }
    // Page dates: "March 2, 2026", "Updated: 02/03/2026 14:05 GMT", "5 min read".
    if n <= 10
        && !ends_with_terminal(line.trim_end_matches(['.']))
        && w.iter().all(|x| {
            x.chars().all(|c| c.is_ascii_digit())
                || MONTHS.contains(&x.as_str())
                || WEEKDAYS.contains(&x.as_str())
                || DATE_WORDS.contains(&x.as_str())
        })
        && w.iter().any(|x| x.chars().all(|c| c.is_ascii_digit()))
    {
        return true;
    }
    // Copyright and advertisement markers.
    let lower = line.to_lowercase();
    if n <= 14
        && (line.contains('\u{00A9}')
            || lower.starts_with("copyright")
            || lower.contains("all rights reserved"))
    {
        return true;
    }
    if n <= 3
        && matches!(
            w[0].as_str(),
            "advertisement" | "advertising" | "sponsored" | "ad"
        )
    {
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    /// The segmentation of the demo corpus (every sentence span, every token's span and hash)
    /// hashed: a change of the stage shows here, and must come with a new [`TEXT_VERSION`].
    #[test]
    fn the_segmentation_of_the_demo_is_that_of_this_version() {
        let mut bytes = Vec::new();
        for a in crate::demo::articles() {
            let d = Document::from_article(&a);
            for s in &d.sentences {
                bytes.extend_from_slice(&(s.span.start as u64).to_le_bytes());
                bytes.extend_from_slice(&(s.span.end as u64).to_le_bytes());
            }
            for t in &d.tokens {
                bytes.extend_from_slice(&(t.span().start as u64).to_le_bytes());
                bytes.extend_from_slice(&t.hash.to_le_bytes());
            }
        }
        let got = xxh3_64(&bytes);
        assert_eq!(
            (TEXT_VERSION, got),
            SEGMENTATION_OF_THE_DEMO,
            "the text stage's output changed (hash {got:#x}): raise TEXT_VERSION, record both here"
        );
    }

    /// The version of the text stage and the hash of its output on the demo.
    const SEGMENTATION_OF_THE_DEMO: (u32, u64) = (1, 0x3d41_b5a2_c95c_2b07);

    use super::*;

    #[test]
    fn ascii_boilerplate_rules_match_the_general_ones() {
        let lines = [
            "Share this article",
            "SHARE on Facebook Twitter Email",
            "this on",
            "March 2, 2026",
            "Updated: 02/03/2026 14:05 GMT",
            "5 min read",
            "Published Monday 12 May.",
            "Copyright 2026 Reuters. All Rights Reserved.",
            "(c) 2026 Example News, all rights reserved",
            "COPYRIGHT notice",
            "Advertisement",
            "Sponsored content here",
            "ad",
            "* * *",
            "|",
            "------------------------------",
            "The port of Valmora closed on Monday after dockworkers walked out over pay.",
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen all rights reserved",
            "",
            "Print Email Link",
            "Tweet `x`",
        ];
        for l in lines {
            assert_eq!(
                is_boilerplate_line_ascii(l),
                is_boilerplate_line_general(l),
                "{l:?}"
            );
        }
    }

    fn sentences(text: &str) -> Vec<String> {
        let (spans, _) = sentence_spans(text);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn abbreviations_do_not_split() {
        let s = sentences(
            "Mr. Beltran met Gen. Ortega at 9 a.m. on Monday. Sir Alan left. The U.S. embassy closed.",
        );
        assert_eq!(
            s,
            vec![
                "Mr. Beltran met Gen. Ortega at 9 a.m. on Monday.",
                "Sir Alan left.",
                "The U.S. embassy closed."
            ]
        );
    }

    #[test]
    fn acronym_at_sentence_end_splits_before_opener() {
        let s = sentences("Exports fell in the U.S. The decline was sharp.");
        assert_eq!(
            s,
            vec!["Exports fell in the U.S.", "The decline was sharp."]
        );
    }

    #[test]
    fn initials_do_not_split() {
        let s = sentences("The report was written by J. R. Ortega. It was published today.");
        assert_eq!(
            s,
            vec![
                "The report was written by J. R. Ortega.",
                "It was published today."
            ]
        );
    }

    #[test]
    fn quotes_end_sentences() {
        let s = sentences(
            "\u{201C}We will reopen.\u{201D} The minister left. \"Is it over?\" He smiled.",
        );
        assert_eq!(
            s,
            vec![
                "\u{201C}We will reopen.\u{201D}",
                "The minister left.",
                "\"Is it over?\"",
                "He smiled."
            ]
        );
    }

    #[test]
    fn quote_with_attribution_stays_one_sentence() {
        let s = sentences("\"The talks were useful,\" he said. \"We go on.\"");
        assert_eq!(
            s,
            vec!["\"The talks were useful,\" he said.", "\"We go on.\""]
        );
    }

    #[test]
    fn decimals_and_lowercase_continuations_do_not_split() {
        let s = sentences("Output rose 3.5 pct. in March vs. February, officials said.");
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn hard_wrapped_text_joins_lines() {
        let text = "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since early\nJanuary and improving prospects for the coming temporao,\nalthough normal humidity levels have not been restored.\nComissaria Smith said in its weekly review.";
        let s = sentences(text);
        assert_eq!(s.len(), 2, "{s:?}");
    }

    #[test]
    fn one_sentence_per_line_text_splits_on_lines() {
        let s = sentences("Lindsay Lohan checks into rehab\nMay 03, 2013\nShe arrived on Thursday.\nHer lawyer confirmed it.");
        assert_eq!(
            s,
            vec![
                "Lindsay Lohan checks into rehab",
                "She arrived on Thursday.",
                "Her lawyer confirmed it."
            ]
        );
    }

    #[test]
    fn boilerplate_lines_are_dropped() {
        let text = "Port closes\n\nShare this article: Facebook | Twitter | Email\n\nThe port closed on Monday.\n\nUpdated: March 2, 2026 08:15 GMT\n\nRelated stories\nStrike talks collapse\nMinister under pressure\n";
        let (spans, boiler) = sentence_spans(text);
        let s: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(s, vec!["Port closes", "The port closed on Monday."]);
        assert_eq!(boiler.len(), 5);
    }

    #[test]
    fn tokens_point_into_original_text() {
        let a = Article::new("x", "\u{201C}Ruiz\u{2019}s plan\u{201D} — ﬁne, she said.");
        let d = Document::from_article(&a);
        for t in &d.tokens {
            let orig = &d.text[t.span().start..t.span().end];
            assert!(orig.chars().any(char::is_alphanumeric));
        }
        let norms: Vec<String> = d.tokens.iter().map(|t| d.norm_of(t).into_owned()).collect();
        assert_eq!(norms, vec!["ruiz's", "plan", "fine", "she", "said"]);
    }

    #[test]
    fn overlong_sentences_are_cut_into_chunks() {
        let text = "word ".repeat(400);
        let d = Document::from_text("long", text);
        assert_eq!(d.sentences.len(), 3);
        assert!(d
            .sentences
            .iter()
            .all(|s| s.tokens.len() <= MAX_SENTENCE_TOKENS));
        assert_eq!(
            d.sentences.iter().map(|s| s.tokens.len()).sum::<usize>(),
            400
        );
    }

    #[test]
    fn empty_and_whitespace_texts_give_empty_documents() {
        for t in ["", "   ", "\n\n\n", "...", "\u{FEFF}"] {
            let d = Document::from_text("e", t.to_string());
            assert!(d.sentences.is_empty(), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn segmentation_never_panics_and_spans_are_char_boundaries(s in "\\PC{0,400}") {
            let d = Document::from_text("p", s.clone());
            for sent in &d.sentences {
                proptest::prop_assert!(s.is_char_boundary(sent.span.start) && s.is_char_boundary(sent.span.end));
                proptest::prop_assert!(sent.span.start <= sent.span.end && sent.span.end <= s.len());
            }
            for t in &d.tokens {
                proptest::prop_assert!(s.is_char_boundary(t.span().start) && s.is_char_boundary(t.span().end));
                // The normalised form is recomputed from the text: it must be what was hashed.
                proptest::prop_assert_eq!(t.hash, xxh3_64(d.norm_of(t).as_bytes()));
            }
        }

        #[test]
        fn sentences_are_ordered_and_disjoint(s in "([A-Za-z]{1,8}[ .!?\"\n]{1,3}){0,60}") {
            let d = Document::from_text("p", s);
            for w in d.sentences.windows(2) {
                proptest::prop_assert!(w[0].span.end <= w[1].span.start);
            }
        }
    }
}
