//! Sentence splitting: lines grouped into units (blank lines, hard-wrapped text), units split at
//! sentence punctuation unless an abbreviation, an initial or an acronym says otherwise.

use super::boilerplate::boilerplate_lines;
use super::words::{SENTENCE_FINAL_ABBREVIATIONS, SENTENCE_OPENERS, TITLE_ABBREVIATIONS};
use super::Span;

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

pub(super) fn ends_with_terminal(s: &str) -> bool {
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
        return SENTENCE_FINAL_ABBREVIATIONS.contains(&lower.as_str()) && next_word_is_opener(next);
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
#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Document;

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

    proptest::proptest! {
        #[test]
        fn sentences_are_ordered_and_disjoint(s in "([A-Za-z]{1,8}[ .!?\"\n]{1,3}){0,60}") {
            let d = Document::from_text("p", s);
            for w in d.sentences.windows(2) {
                proptest::prop_assert!(w[0].span.end <= w[1].span.start);
            }
        }
    }
}
