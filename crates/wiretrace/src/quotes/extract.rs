//! Finding quotations in a text: pairs quotation marks into quotes of one or more parts.
//!
//! Owns the marks (straight, curly, low-high „…“, guillemets, PTB ``…'' and their single-mark
//! kin) and the rules that pair them. It knows nothing of speakers: the result is a list of
//! [`RawQuote`]s with byte spans of the quoted words and of the marks around them.
//!
//! Pairing is greedy from each opening mark with backtracking: when an opener finds no closer
//! within [`MAX_PART`] bytes or before a blank line, that opener alone is dropped and the scan
//! restarts at the next mark. This is why an unbalanced mark can never swallow the rest of an
//! article: the worst it can do is hide the marks of one part's length behind it.
//!
//! A quote continues across a paragraph (blank line) or a line break only when the new
//! paragraph or line opens with a quotation mark while the quote is still open: the news
//! convention for a multi-paragraph quote, whose earlier paragraphs have no closing mark.

use crate::text::Span;

/// The longest stretch between an opening mark and its closer (or the next part's opener), in
/// bytes. The longest quote part of the gold set is under 750 bytes; an opener unclosed after
/// this far is taken for a stray mark.
pub const MAX_PART: usize = 1200;

/// Single-mark quotes are headline quotes and quotes within quotes: short, on one line.
const MAX_SINGLE: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Double,
    Single,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Open,
    Close,
    Either,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    start: usize,
    end: usize,
    ch: char,
    family: Family,
    shape: Shape,
}

/// A pair (or chain) of marks and what lies between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawQuote {
    /// The quoted words of each part, marks and the spaces next to them excluded.
    pub parts: Vec<Span>,
    /// Start of the first opening mark.
    pub open_at: usize,
    /// End of the last closing mark (the end of the text when it ran out first).
    pub close_end: usize,
}

fn prev_char(text: &str, pos: usize) -> Option<char> {
    text[..pos].chars().next_back()
}

fn next_char(text: &str, pos: usize) -> Option<char> {
    text[pos..].chars().next()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn marks(text: &str) -> Vec<Mark> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut skip_to = 0;
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        let pair = |b: u8| bytes.get(i + 1) == Some(&b);
        let (len, family, shape) = match c {
            '`' if pair(b'`') => (2, Family::Double, Shape::Open),
            '\'' if pair(b'\'') => (2, Family::Double, Shape::Close),
            '"' => (1, Family::Double, Shape::Either),
            '\u{201C}' | '\u{201E}' | '\u{00AB}' => (c.len_utf8(), Family::Double, Shape::Open),
            '\u{201D}' | '\u{00BB}' => (c.len_utf8(), Family::Double, Shape::Close),
            '`' | '\u{2018}' | '\u{201A}' | '\u{2039}' => {
                (c.len_utf8(), Family::Single, Shape::Open)
            }
            '\'' | '\u{2019}' | '\u{203A}' => {
                // An apostrophe inside a word (don't, O'Brien) is not a mark.
                let (p, n) = (prev_char(text, i), next_char(text, i + c.len_utf8()));
                if p.is_some_and(is_word_char) && n.is_some_and(is_word_char) {
                    continue;
                }
                let shape = if c == '\u{203A}' {
                    Shape::Close
                } else {
                    Shape::Either
                };
                (c.len_utf8(), Family::Single, shape)
            }
            _ => continue,
        };
        skip_to = i + len;
        out.push(Mark {
            start: i,
            end: i + len,
            ch: c,
            family,
            shape,
        });
    }
    out
}

/// A mark that reads as a closer: after a word or punctuation, before a space, punctuation or
/// the end.
fn closing_context(text: &str, m: &Mark) -> bool {
    let before = text[..m.start].trim_end_matches([' ', '\t']);
    let after = next_char(text, m.end);
    let p = before.chars().next_back();
    let directly_after_word = prev_char(text, m.start).is_some_and(|c| !c.is_whitespace());
    let punct_before = p.is_some_and(|c| matches!(c, ',' | '.' | '!' | '?' | ';' | '\u{2026}'));
    (directly_after_word || punct_before)
        && !at_line_start(text, m.start)
        && after.is_none_or(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != '`'))
}

fn at_line_start(text: &str, pos: usize) -> bool {
    let line = text[..pos].rsplit('\n').next().unwrap_or("");
    line.trim().is_empty()
}

fn can_open(text: &str, m: &Mark) -> bool {
    match m.shape {
        Shape::Open => {
            !(m.ch == '\u{201C}' && closing_context(text, m) && !opening_context(text, m))
        }
        Shape::Either => {
            m.family == Family::Double && !closing_context(text, m) || opening_context(text, m)
        }
        // A right mark used as an opener (Swedish style, or careless typing).
        Shape::Close => m.ch == '\u{201D}' && opening_context(text, m),
    }
}

/// A mark that reads as an opener: at the start or after a space or bracket, before a word.
fn opening_context(text: &str, m: &Mark) -> bool {
    prev_char(text, m.start)
        .is_none_or(|c| c.is_whitespace() || "([{\u{2014}\u{2013}-/:".contains(c))
        && next_char(text, m.end).is_some_and(is_word_char)
}

fn closes(text: &str, open: &Mark, m: &Mark) -> bool {
    if m.family != open.family {
        return false;
    }
    match (open.ch, m.ch) {
        ('\u{00AB}', c) => c == '\u{00BB}',
        (_, '\u{00BB}') => false,
        // German „…“: the left double mark closes a low-high quote.
        ('\u{201E}', '\u{201C}') => true,
        _ => match m.shape {
            Shape::Close | Shape::Either => true,
            // ECB+ now and then closes with an opening mark: accept it where it reads as a
            // closer.
            Shape::Open => closing_context(text, m),
        },
    }
}

/// The position of the first blank line (a line with only white space) in `text[from..to]`.
fn blank_line(text: &str, from: usize, to: usize) -> Option<(usize, usize)> {
    let s = &text[from..to];
    let mut search = 0;
    while let Some(k) = s[search..].find('\n') {
        let nl = search + k;
        let rest = &s[nl + 1..];
        let ws = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
        if rest[ws..].starts_with('\n') {
            return Some((from + nl, from + nl + 1 + ws + 1));
        }
        search = nl + 1;
    }
    None
}

/// The line break just before `pos` (which starts its line).
fn line_break_before(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').unwrap_or(pos)
}

fn trim_part(text: &str, start: usize, end: usize) -> Option<Span> {
    let s = &text[start..end];
    // Stray double marks next to the quoted words (`` " was set … " '') go with the marks.
    let lead = s.len()
        - s.trim_start_matches(|c: char| c.is_whitespace() || "\"\u{201C}\u{201D}".contains(c))
            .len();
    let t =
        s[lead..].trim_end_matches(|c: char| c.is_whitespace() || "\"\u{201C}\u{201D}".contains(c));
    if !t.chars().any(char::is_alphanumeric) {
        return None;
    }
    Some(Span {
        start: start + lead,
        end: start + lead + t.len(),
    })
}

/// What [`follow`] found: the part spans (untrimmed), the close end and the index of the next
/// mark to look at.
type Followed = (Vec<(usize, usize)>, usize, usize);

/// Follows the opener `marks[i]` to its closer.
fn follow(text: &str, marks: &[Mark], i: usize) -> Option<Followed> {
    let open = marks[i];
    let max = if open.family == Family::Single {
        MAX_SINGLE
    } else {
        MAX_PART
    };
    let mut parts = Vec::new();
    let mut part_start = open.end;
    for (k, m) in marks.iter().enumerate().skip(i + 1) {
        if m.family != open.family {
            continue;
        }
        if m.start - part_start > max {
            return None;
        }
        let reopens = can_open(text, m) && at_line_start(text, m.start);
        if let Some((bl, _)) = blank_line(text, part_start, m.start) {
            // Only a quote reopened at the start of the next paragraph goes on.
            if open.family == Family::Double
                && reopens
                && blank_line(text, bl + 1, m.start).is_none()
            {
                parts.push((part_start, bl));
                part_start = m.end;
                continue;
            }
            return None;
        }
        if open.family == Family::Single && text[part_start..m.start].contains('\n') {
            return None;
        }
        if reopens && open.family == Family::Double && !closing_context(text, m) {
            parts.push((part_start, line_break_before(text, m.start)));
            part_start = m.end;
            continue;
        }
        if closes(text, &open, m) {
            if open.family == Family::Single && !closing_context(text, m) {
                continue;
            }
            parts.push((part_start, m.start));
            return Some((parts, m.end, k + 1));
        }
        if m.shape == Shape::Open {
            // A second opener: the first was unbalanced.
            return None;
        }
    }
    // The text ran out inside the quote (a cut text): the quote runs to the end when that is
    // near and within the paragraph.
    if open.family == Family::Double
        && text.len() - part_start <= max
        && blank_line(text, part_start, text.len()).is_none()
    {
        parts.push((part_start, text.len()));
        return Some((parts, text.len(), marks.len()));
    }
    None
}

fn pair(text: &str, marks: &[Mark], family: Family, out: &mut Vec<RawQuote>) {
    let mut i = 0;
    while i < marks.len() {
        let m = marks[i];
        let opens = m.family == family
            && can_open(text, &m)
            && (family == Family::Double || opening_context(text, &m) || m.ch == '`');
        if !opens {
            i += 1;
            continue;
        }
        match follow(text, marks, i) {
            Some((parts, close_end, next)) => {
                let parts: Vec<Span> = parts
                    .into_iter()
                    .filter_map(|(s, e)| trim_part(text, s, e))
                    .collect();
                if !parts.is_empty() {
                    out.push(RawQuote {
                        parts,
                        open_at: m.start,
                        close_end,
                    });
                }
                i = next;
            }
            None => i += 1,
        }
    }
}

/// Every quotation of `text`, in text order. Single-mark quotes are looked for only outside
/// double-mark ones: a quote within a quote belongs to the outer quote.
pub fn find(text: &str) -> Vec<RawQuote> {
    let all = marks(text);
    let mut out = Vec::new();
    pair(text, &all, Family::Double, &mut out);
    let inside = |pos: usize| {
        out.iter()
            .any(|q: &RawQuote| q.open_at <= pos && pos < q.close_end)
    };
    let singles: Vec<Mark> = all
        .iter()
        .filter(|m| m.family == Family::Single && !inside(m.start))
        .copied()
        .collect();
    let mut single_quotes = Vec::new();
    pair(text, &singles, Family::Single, &mut single_quotes);
    // Quotes never overlap: a single-mark pair reaching into a double-mark quote is a misreading.
    single_quotes.retain(|s| {
        !out.iter()
            .any(|d| s.open_at < d.close_end && d.open_at < s.close_end)
    });
    out.extend(single_quotes);
    out.sort_by_key(|q| q.open_at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<Vec<&str>> {
        find(text)
            .iter()
            .map(|q| q.parts.iter().map(|p| &text[p.start..p.end]).collect())
            .collect()
    }

    #[test]
    fn every_kind_of_mark() {
        let t = "A \"straight one\" and \u{201C}curly one\u{201D} and \u{201E}low high\u{201C} and \u{00AB}guillemet one\u{00BB} and `` ptb one '' and \u{2018}single one\u{2019} end.";
        assert_eq!(
            texts(t),
            vec![
                vec!["straight one"],
                vec!["curly one"],
                vec!["low high"],
                vec!["guillemet one"],
                vec!["ptb one"],
                vec!["single one"]
            ]
        );
    }

    #[test]
    fn apostrophes_are_not_marks_and_nested_quotes_stay_inside() {
        let t = "He said \"don't tell me 'no way' again,\" and left. The players' union's 'final offer' stands.";
        assert_eq!(
            texts(t),
            vec![vec!["don't tell me 'no way' again,"], vec!["final offer"]]
        );
    }

    #[test]
    fn multi_paragraph_quote_is_one_quote_in_parts() {
        let t = "She said: \"We came here to work.\n\n\"We will stay until the job is done.\" Then she left.";
        assert_eq!(
            texts(t),
            vec![vec![
                "We came here to work.",
                "We will stay until the job is done."
            ]]
        );
        // ECB+ style: one sentence per line, the mark repeated at the new line.
        let t = "He wrote: `` First line of it.\n`` Second line of it. ''\nNext.";
        assert_eq!(
            texts(t),
            vec![vec!["First line of it.", "Second line of it."]]
        );
    }

    #[test]
    fn unbalanced_marks_swallow_nothing() {
        let t = "He said \"this never closes.\n\nNext paragraph has \"a real quote here\" inside.";
        assert_eq!(texts(t), vec![vec!["a real quote here"]]);
        let t = format!(
            "A \u{201C}stray opener. {} Then \u{201C}a quote\u{201D} ends.",
            "word ".repeat(300)
        );
        assert_eq!(texts(&t), vec![vec!["a quote"]]);
        // A stray closer before a real pair.
        let t = "Oops\u{201D} here. \u{201C}Real words\u{201D} here.";
        assert_eq!(texts(t), vec![vec!["Real words"]]);
    }

    #[test]
    fn spaces_inside_marks_are_not_part_of_the_quote() {
        let t = "`` We appreciate your time, '' he said.\n\" We all have limits, \" he wrote.";
        assert_eq!(
            texts(t),
            vec![
                vec!["We appreciate your time,"],
                vec!["We all have limits,"]
            ]
        );
    }

    #[test]
    fn a_cut_text_ends_the_quote_at_its_end() {
        let t = "He said: \"The work goes on and";
        assert_eq!(texts(t), vec![vec!["The work goes on and"]]);
    }
}
