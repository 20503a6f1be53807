//! Boilerplate: lines that are page furniture rather than article text — share-button rows, page
//! dates, copyright and advertisement markers, and "related stories"-style footer headings with
//! the link list under them — found by general rules, never by a list of strings copied from one
//! site.

use super::sentences::ends_with_terminal;
use super::words::{
    ADVERTISEMENT_MARKERS, DATE_WORDS, FOOTER_HEADING_OPENINGS, FOOTER_HEADING_WORDS, MONTHS,
    SHARE_WORDS, WEEKDAYS,
};
use super::Span;

/// Marks boilerplate lines by general rules.
pub(super) fn boilerplate_lines(text: &str, lines: &[Span]) -> Vec<bool> {
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
    FOOTER_HEADING_WORDS.contains(&first)
        || FOOTER_HEADING_OPENINGS
            .iter()
            .any(|opening| joined.starts_with(opening))
}

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
        && words().all(|x| in_list(&SHARE_WORDS, x))
        && words().any(|x| !x.eq_ignore_ascii_case("this") && !x.eq_ignore_ascii_case("on"))
    {
        return true;
    }
    // Page dates.
    if n <= 10
        && !ends_with_terminal(line.trim_end_matches(['.']))
        && words().all(|x| {
            digits(x) || in_list(&MONTHS, x) || in_list(&WEEKDAYS, x) || in_list(&DATE_WORDS, x)
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
            ADVERTISEMENT_MARKERS
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
    if n <= 3 && ADVERTISEMENT_MARKERS.contains(&w[0].as_str()) {
        return true;
    }
    false
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::sentence_spans;

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

    #[test]
    fn boilerplate_lines_are_dropped() {
        let text = "Port closes\n\nShare this article: Facebook | Twitter | Email\n\nThe port closed on Monday.\n\nUpdated: March 2, 2026 08:15 GMT\n\nRelated stories\nStrike talks collapse\nMinister under pressure\n";
        let (spans, boiler) = sentence_spans(text);
        let s: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(s, vec!["Port closes", "The port closed on Monday."]);
        assert_eq!(boiler.len(), 5);
    }
}
