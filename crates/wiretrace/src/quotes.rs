//! Direct quotes: extraction from each document and grouping across the articles of a story.
//!
//! Extraction pairs opening and closing quotation marks (straight, curly, guillemets, „low-high“)
//! within one paragraph, so an unbalanced mark never swallows the rest of an article. A quote
//! needs three words or more. The speaker is the capitalised name next to a reporting verb just
//! before or after the quote ("…," Ruiz said / Port Minister Ana Ruiz told reporters: "…"); a
//! pronoun ("she said") resolves to the last named speaker of the same article; otherwise the
//! speaker is unknown (null), never a guess.
//!
//! Grouping: two quotes of one story are the same quote when their normalised words overlap
//! (Dice ≥ 0.5, or one contains the other). A group is `altered` when two variants differ
//! beyond punctuation, case or truncation.

use std::collections::HashMap;

use crate::model::{Article, QuoteGroup, QuoteVariant};
use crate::text::{normalize, Document, Span};

/// A quote found in one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// Byte span of the quoted words (marks excluded) in the document text.
    pub span: Span,
    /// Sentence index where the quote starts.
    pub sentence: usize,
    /// Attributed speaker.
    pub speaker: Option<String>,
    /// Normalised words.
    pub words: Vec<String>,
}

const REPORTING_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "stated",
    "remarked",
    "asserted",
    "declared",
    "warned",
    "explained",
    "insisted",
    "noted",
    "argued",
    "claimed",
    "wrote",
    "announced",
    "stressed",
    "acknowledged",
    "conceded",
    "urged",
    "replied",
    "continued",
];

fn is_open(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201E}' | '\u{00AB}')
}

fn closes(open: char, c: char) -> bool {
    match open {
        '"' => c == '"' || c == '\u{201D}',
        '\u{201C}' => c == '\u{201D}' || c == '"',
        '\u{201E}' => c == '\u{201C}' || c == '\u{201D}',
        '\u{00AB}' => c == '\u{00BB}',
        _ => false,
    }
}

/// Extracts the quotes of a document.
pub fn extract(doc: &Document) -> Vec<Quote> {
    let text = &doc.text;
    let mut out = Vec::new();
    let mut last_speaker: Option<String> = None;
    // Paragraph by paragraph: a mark left open at a blank line is dropped.
    let mut para_start = 0;
    let bytes = text.as_bytes();
    let mut bounds = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n'
            && text[i + 1..]
                .trim_start_matches([' ', '\t', '\r'])
                .starts_with('\n')
        {
            bounds.push((para_start, i));
            para_start = i + 1;
        }
        i += 1;
    }
    bounds.push((para_start, text.len()));
    for (ps, pe) in bounds {
        let para = &text[ps..pe];
        let mut open: Option<(usize, char)> = None;
        for (off, c) in para.char_indices() {
            match open {
                None if is_open(c) => open = Some((off + c.len_utf8(), c)),
                Some((start, o)) if closes(o, c) => {
                    open = None;
                    let inner = &para[start..off];
                    let words: Vec<String> = normalize(inner)
                        .split(|ch: char| !ch.is_alphanumeric() && ch != '\'')
                        .filter(|w| !w.is_empty())
                        .map(str::to_string)
                        .collect();
                    if words.len() < 3 {
                        continue;
                    }
                    let span = Span {
                        start: ps + start,
                        end: ps + off,
                    };
                    let after = &para[off + c.len_utf8()..];
                    let before = &para[..start.saturating_sub(o.len_utf8())];
                    let speaker = speaker_near(before, after, &mut last_speaker);
                    let sentence = doc
                        .sentences
                        .iter()
                        .position(|s| s.span.end > span.start)
                        .unwrap_or(doc.sentences.len().saturating_sub(1));
                    out.push(Quote {
                        span,
                        sentence,
                        speaker,
                        words,
                    });
                }
                _ => {}
            }
        }
    }
    out
}

/// Finds a speaker in the words right after or right before a quote.
fn speaker_near(before: &str, after: &str, last: &mut Option<String>) -> Option<String> {
    let after_words: Vec<&str> = after.split_whitespace().take(8).collect();
    let before_words: Vec<&str> = before
        .split_whitespace()
        .rev()
        .take(10)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let clean = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.')
            .trim_end_matches('.')
            .to_string()
    };
    let name_at = |ws: &[&str]| -> Option<String> {
        let mut name: Vec<String> = Vec::new();
        for w in ws {
            let c = clean(w);
            if c.chars().next().is_some_and(char::is_uppercase)
                && !crate::text::is_stop_word(&c.to_lowercase())
            {
                name.push(c);
                if w.ends_with([',', ':', ';', '.']) {
                    break;
                }
            } else if !name.is_empty() {
                break;
            }
        }
        (!name.is_empty()).then(|| name.join(" "))
    };
    // "…," Ruiz said / "…," said Ruiz / "…," she said.
    for (k, w) in after_words.iter().enumerate() {
        let lw = clean(w).to_lowercase();
        if REPORTING_VERBS.contains(&lw.as_str()) {
            if k == 0 {
                if let Some(n) = name_at(&after_words[1..]) {
                    return Some(remember(n, last));
                }
            } else if let Some(n) = name_at(&after_words[..k]) {
                return Some(remember(n, last));
            } else if matches!(
                clean(after_words[k - 1]).to_lowercase().as_str(),
                "he" | "she"
            ) {
                return last.clone();
            }
            break;
        }
    }
    // Port Minister Ana Ruiz said: "…" / she told reporters: "…"
    for (k, w) in before_words.iter().enumerate().rev() {
        let lw = clean(w).to_lowercase();
        if REPORTING_VERBS.contains(&lw.as_str()) {
            let head = &before_words[..k];
            let start = head
                .iter()
                .rposition(|w| !clean(w).chars().next().is_some_and(char::is_uppercase))
                .map_or(0, |p| p + 1);
            if let Some(n) = name_at(&head[start..]) {
                return Some(remember(n, last));
            }
            if head
                .last()
                .is_some_and(|w| matches!(clean(w).to_lowercase().as_str(), "he" | "she"))
            {
                return last.clone();
            }
            break;
        }
    }
    None
}

fn remember(name: String, last: &mut Option<String>) -> String {
    *last = Some(name.clone());
    name
}

fn dice(a: &[String], b: &[String]) -> f64 {
    let mut counts: HashMap<&str, i32> = HashMap::new();
    for w in a {
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut shared = 0;
    for w in b {
        if let Some(c) = counts.get_mut(w.as_str()) {
            if *c > 0 {
                *c -= 1;
                shared += 1;
            }
        }
    }
    2.0 * f64::from(shared) / (a.len() + b.len()).max(1) as f64
}

fn contains_run(long: &[String], short: &[String]) -> bool {
    short.len() <= long.len() && long.windows(short.len()).any(|w| w == short)
}

/// A group being built: `(story, speaker, variants as (document, quote))`.
type PendingGroup = (usize, Option<String>, Vec<(usize, Quote)>);

/// Groups the quotes of all documents; only quotes of articles in the same story are compared.
/// Returns groups with at least two variants, in order of first appearance.
pub fn group_quotes(
    articles: &[Article],
    docs: &[Document],
    story_of: &[usize],
) -> Vec<QuoteGroup> {
    let mut groups: Vec<PendingGroup> = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for q in extract(doc) {
            let found = groups.iter_mut().find(|(story, _, vs)| {
                *story == story_of[d]
                    && vs.iter().any(|(_, v)| {
                        dice(&v.words, &q.words) >= 0.5
                            || contains_run(&v.words, &q.words)
                            || contains_run(&q.words, &v.words)
                    })
            });
            match found {
                Some(g) => {
                    if g.1.is_none() {
                        g.1.clone_from(&q.speaker);
                    }
                    g.2.push((d, q));
                }
                None => groups.push((story_of[d], q.speaker.clone(), vec![(d, q)])),
            }
        }
    }
    groups
        .into_iter()
        .filter(|g| {
            g.2.iter()
                .map(|(d, _)| d)
                .collect::<std::collections::HashSet<_>>()
                .len()
                >= 2
        })
        .enumerate()
        .map(|(k, (_, speaker, vs))| {
            let altered = vs.iter().any(|(_, x)| {
                vs.iter().any(|(_, y)| {
                    x.words != y.words
                        && !contains_run(&x.words, &y.words)
                        && !contains_run(&y.words, &x.words)
                })
            });
            QuoteGroup {
                id: format!("q{}", k + 1),
                speaker,
                altered,
                variants: vs
                    .into_iter()
                    .map(|(d, q)| QuoteVariant {
                        article: articles[d].id.clone(),
                        sentence: q.sentence,
                        text: docs[d].text[q.span.start..q.span.end].to_string(),
                        span: [q.span.start, q.span.end],
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotes(text: &str) -> Vec<Quote> {
        extract(&Document::from_text("t", text.to_string()))
    }

    #[test]
    fn finds_speaker_after_and_before_and_by_pronoun() {
        let q = quotes("\"The harbour reopens on Monday,\" Ruiz said. Port Minister Ana Ruiz told reporters: \u{201C}We are ready to talk now.\u{201D} \"We will not give in to threats,\" she added.");
        assert_eq!(q.len(), 3);
        assert_eq!(q[0].speaker.as_deref(), Some("Ruiz"));
        assert_eq!(q[1].speaker.as_deref(), Some("Port Minister Ana Ruiz"));
        assert_eq!(q[2].speaker.as_deref(), Some("Port Minister Ana Ruiz"));
    }

    #[test]
    fn unbalanced_mark_does_not_swallow_the_article() {
        let q = quotes(
            "He said \"this never closes.\n\nNext paragraph has \"a real quote here\" inside.",
        );
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].words, vec!["a", "real", "quote", "here"]);
    }

    #[test]
    fn unattributed_quote_has_no_speaker() {
        let q = quotes("The sign read \"closed until further notice\" all week.");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker, None);
    }
}
