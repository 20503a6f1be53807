//! Fidelity of a quote's variants: exact, truncated or altered; the words an altered variant
//! changed; which wordings independent reports corroborate; and the quote evidence of a
//! derivation's direction, which this module computes and `story::direction` weighs.
//!
//! The reference wording of a group is the variant most other variants agree with (equal words,
//! or one a truncation of the other), the fuller one on a tie. Against it a variant is `exact`
//! (same words, or the reference is a truncation of it), `truncated` (its words, pieces around
//! an ellipsis included, are contiguous runs of the reference, in order) or `altered`.
//!
//! An altered wording is only a spin when a derived text changed it. Two outlets reporting one
//! statement independently (no derivation between them) often carry two translations or two
//! transcriptions: the evidence says so and never calls that a spin; when each wording is also
//! carried by another independent report, it says both versions are corroborated.

use std::collections::HashMap;

use similar::{capture_diff_slices, Algorithm, DiffTag};

use super::wording::{dice, is_truncation, segments};
use super::{words_of, PairLinks, Quote};
use crate::model::{Article, Fidelity, QuoteGroup, QuoteVariant, Relation, WordDiff};
use crate::text::Document;

/// The members of one group: (document, quote).
pub(super) type Member = (usize, Quote);

struct View<'a> {
    doc: usize,
    article: &'a str,
    words: &'a [String],
    segs: Vec<Vec<String>>,
}

fn same_wording(x: &View<'_>, y: &View<'_>) -> bool {
    x.words == y.words || is_truncation(x.words, &y.segs) || is_truncation(y.words, &x.segs)
}

/// The relations of the scored pairs, by document pair (lower first).
struct Relations<'l, 'p>(&'l HashMap<(usize, usize), &'l PairLinks<'p>>);

impl Relations<'_, '_> {
    fn of(&self, x: usize, y: usize) -> Option<Relation> {
        self.0.get(&(x.min(y), x.max(y))).map(|p| p.relation)
    }

    /// Two different documents with no derivation between them.
    fn independent(&self, x: usize, y: usize) -> bool {
        x != y && !self.of(x, y).is_some_and(|r| r.is_derivation())
    }
}

/// Builds the output group of `members`, with fidelity, diffs, corroboration and evidence.
pub(super) fn assess(
    id: String,
    articles: &[Article],
    docs: &[Document],
    members: &[Member],
    linked: &HashMap<(usize, usize), &PairLinks<'_>>,
) -> QuoteGroup {
    let mut members: Vec<&Member> = members.iter().collect();
    members.sort_by_key(|(d, q)| (*d, q.span.start));
    let views: Vec<View<'_>> = members
        .iter()
        .map(|(d, q)| View {
            doc: *d,
            article: &articles[*d].id,
            words: &q.words,
            segs: segments(&q.text(&docs[*d].text)),
        })
        .collect();
    let relations = Relations(linked);
    let fidelity = fidelities(&views);
    let corroborated = corroborations(&views, &relations);
    let (diffs, evidence) = alterations(&views, &fidelity, &corroborated, &relations);
    let speaker = group_speaker(members.iter().filter_map(|(_, q)| q.speaker.as_deref()));
    let worst = fidelity.iter().copied().max().unwrap_or(Fidelity::Exact);
    let variants = members
        .iter()
        .zip(fidelity)
        .zip(diffs)
        .zip(corroborated)
        .map(|((((d, q), f), diff), by)| QuoteVariant {
            article: articles[*d].id.clone(),
            sentence: q.sentence,
            text: q.text(&docs[*d].text).into_owned(),
            span: [q.span.start, q.span.end],
            parts: if q.parts.len() > 1 {
                q.parts.iter().map(|p| [p.start, p.end]).collect()
            } else {
                Vec::new()
            },
            fidelity: f,
            diff,
            corroborated_by: by,
        })
        .collect();
    QuoteGroup {
        id,
        speaker,
        altered: worst == Fidelity::Altered,
        fidelity: worst,
        variants,
        evidence,
    }
}

/// Each variant against the reference: the variant most others agree with, the fuller one on
/// a tie, the earlier one on a tie of both.
fn fidelities(views: &[View<'_>]) -> Vec<Fidelity> {
    let support = |i: usize| {
        (0..views.len())
            .filter(|&j| j != i && same_wording(&views[i], &views[j]))
            .count()
    };
    let reference = (0..views.len())
        .max_by(|&i, &j| {
            support(i)
                .cmp(&support(j))
                .then(views[i].words.len().cmp(&views[j].words.len()))
                .then(j.cmp(&i))
        })
        .unwrap_or(0);
    let r = &views[reference];
    views
        .iter()
        .map(|v| {
            if v.words == r.words || is_truncation(v.words, &r.segs) {
                Fidelity::Exact
            } else if is_truncation(r.words, &v.segs) {
                Fidelity::Truncated
            } else {
                Fidelity::Altered
            }
        })
        .collect()
}

/// For each variant, the articles that carry the same wording independently of it.
fn corroborations(views: &[View<'_>], relations: &Relations<'_, '_>) -> Vec<Vec<String>> {
    views
        .iter()
        .map(|v| {
            let mut by: Vec<String> = views
                .iter()
                .filter(|u| relations.independent(u.doc, v.doc) && same_wording(u, v))
                .map(|u| u.article.to_string())
                .collect();
            by.dedup();
            by
        })
        .collect()
}

/// The diff of each altered variant against its closest other wording, and one evidence line
/// per pair of articles whose wordings differ.
fn alterations(
    views: &[View<'_>],
    fidelity: &[Fidelity],
    corroborated: &[Vec<String>],
    relations: &Relations<'_, '_>,
) -> (Vec<Option<WordDiff>>, Vec<String>) {
    let mut evidence = Vec::new();
    let mut diffs: Vec<Option<WordDiff>> = vec![None; views.len()];
    let mut explained: Vec<(usize, usize)> = Vec::new();
    for (i, v) in views.iter().enumerate() {
        if fidelity[i] != Fidelity::Altered {
            continue;
        }
        let Some(c) = closest(views, fidelity, i) else {
            continue;
        };
        let (removed, inserted) = word_diff(views[c].words, v.words);
        diffs[i] = Some(WordDiff {
            against: views[c].article.to_string(),
            removed: removed.clone(),
            inserted: inserted.clone(),
        });
        let key = (v.doc.min(views[c].doc), v.doc.max(views[c].doc));
        if explained.contains(&key) {
            continue;
        }
        explained.push(key);
        let change = format!(
            "\u{201C}{}\u{201D} → \u{201C}{}\u{201D}",
            removed.join(" "),
            inserted.join(" ")
        );
        let relation = relations
            .of(v.doc, views[c].doc)
            .filter(|r| r.is_derivation());
        let (va, ca) = (v.article, views[c].article);
        evidence.push(alteration_evidence(
            (va, &corroborated[i]),
            (ca, &corroborated[c]),
            relation,
            &change,
        ));
    }
    (diffs, evidence)
}

/// The variant an altered variant `i` is compared with: another article's different wording,
/// the closest in words, an unaltered one on a tie, the earlier one on a tie of both.
fn closest(views: &[View<'_>], fidelity: &[Fidelity], i: usize) -> Option<usize> {
    let v = &views[i];
    (0..views.len())
        .filter(|&j| views[j].doc != v.doc && views[j].words != v.words)
        .max_by(|&x, &y| {
            dice(views[x].words, v.words)
                .total_cmp(&dice(views[y].words, v.words))
                .then((fidelity[y] == Fidelity::Altered).cmp(&(fidelity[x] == Fidelity::Altered)))
                .then(y.cmp(&x))
        })
}

/// What a difference in wording between article `va` (altered) and `ca` says, each with the
/// independent reports that carry its wording: a change in a derived copy when a derivation
/// `relation` joins them, otherwise two independent renderings of one statement.
fn alteration_evidence(
    (va, va_by): (&str, &[String]),
    (ca, ca_by): (&str, &[String]),
    relation: Option<Relation>,
    change: &str,
) -> String {
    match relation {
        Some(rel) => {
            let mut e = format!(
                "{va} and {ca} are a {} pair and {va}'s words of the quote differ: {change}",
                rel.as_str()
            );
            if !ca_by.is_empty() && va_by.is_empty() {
                e.push_str(&format!(
                    "; {ca}'s wording is the one independent report(s) {} carry",
                    ca_by.join(", ")
                ));
            }
            e
        }
        None if !va_by.is_empty() && !ca_by.is_empty() => format!(
            "{va} and {ca} report independently and both wordings are corroborated \
             ({va}'s by {}, {ca}'s by {}): two translations or transcriptions of one \
             statement, not a spin; they differ in {change}",
            va_by.join(", "),
            ca_by.join(", ")
        ),
        None => format!(
            "{va} and {ca} report independently: the wording differs ({change}), as \
             independent translations or transcriptions do; not by itself a sign of spin"
        ),
    }
}

/// Words of `from` missing in `to`, and words of `to` not in `from`, in order.
pub fn word_diff(from: &[String], to: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut removed, mut inserted) = (Vec::new(), Vec::new());
    for op in capture_diff_slices(Algorithm::Myers, from, to) {
        let (tag, old, new) = op.as_tag_tuple();
        if matches!(tag, DiffTag::Delete | DiffTag::Replace) {
            removed.extend(from[old].iter().cloned());
        }
        if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
            inserted.extend(to[new].iter().cloned());
        }
    }
    (removed, inserted)
}

/// Byte ranges of the words of `text` that a word diff against `other` does not match: what a
/// report marks as changed.
pub fn changed_words(text: &str, other: &str) -> Vec<(usize, usize)> {
    let located = |s: &str| -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
            let word_char = c.is_alphanumeric() || c == '\'' || c == '\u{2019}';
            match (start, word_char) {
                (None, true) => start = Some(i),
                (Some(b), false) => {
                    let w = words_of(&s[b..i]).join(" ");
                    if !w.is_empty() {
                        out.push((b, i, w));
                    }
                    start = None;
                }
                _ => {}
            }
        }
        out
    };
    let mine = located(text);
    let theirs = located(other);
    let a: Vec<&str> = theirs.iter().map(|w| w.2.as_str()).collect();
    let b: Vec<&str> = mine.iter().map(|w| w.2.as_str()).collect();
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (tag, _, new) = op.as_tag_tuple();
        if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
            out.extend(mine[new].iter().map(|w| (w.0, w.1)));
        }
    }
    out
}

/// The speaker most variants name (by surname), in its fullest form.
fn group_speaker<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut by_surname: HashMap<String, (usize, &'a str)> = HashMap::new();
    let mut order = Vec::new();
    for n in names {
        let s = n.split_whitespace().last().unwrap_or("").to_lowercase();
        let e = by_surname.entry(s.clone()).or_insert_with(|| {
            order.push(s);
            (0, n)
        });
        e.0 += 1;
        if n.split_whitespace().count() > e.1.split_whitespace().count() {
            e.1 = n;
        }
    }
    order
        .iter()
        .max_by(|x, y| by_surname[*x].0.cmp(&by_surname[*y].0).then(y.cmp(x)))
        .map(|s| by_surname[s].1.to_string())
}

/// What the quotes say about the direction between articles `x` and `y`: votes for `x` being
/// the source (negative: `y`), with one evidence line per quote that voted. A quote votes when
/// one article's variant is altered, the other's is not, and only the unaltered wording is
/// carried by an independent report.
pub fn corroboration(groups: &[QuoteGroup], x: &str, y: &str) -> (i32, Vec<String>) {
    corroboration_among(groups, 0..groups.len(), x, y)
}

/// [`corroboration`] over the groups at `among` (ascending), which must hold every group with
/// a variant in both articles.
fn corroboration_among(
    groups: &[QuoteGroup],
    among: impl IntoIterator<Item = usize>,
    x: &str,
    y: &str,
) -> (i32, Vec<String>) {
    let mut votes = 0;
    let mut evidence = Vec::new();
    for g in among.into_iter().map(|k| &groups[k]) {
        let vx = g.variants.iter().find(|v| v.article == x);
        let vy = g.variants.iter().find(|v| v.article == y);
        let (Some(vx), Some(vy)) = (vx, vy) else {
            continue;
        };
        let altered = |v: &QuoteVariant| v.fidelity == Fidelity::Altered;
        let (kept, changed, sign) = match (altered(vx), altered(vy)) {
            (false, true) => (vx, vy, 1),
            (true, false) => (vy, vx, -1),
            _ => continue,
        };
        if kept.corroborated_by.is_empty() || !changed.corroborated_by.is_empty() {
            continue;
        }
        votes += sign;
        evidence.push(format!(
            "quote {}{}: {}'s wording is carried by independent report(s) {}; {}'s altered wording by none",
            g.id,
            g.speaker
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default(),
            kept.article,
            kept.corroborated_by.join(", "),
            changed.article
        ));
    }
    (votes, evidence)
}

/// The quote evidence of direction, handed to `story::direction` (which decides): for a pair of
/// articles, what [`corroboration`] says. Only groups with an altered variant can vote, and a
/// pair looks only at those quoted in both its articles: scanning every group for every
/// derivation made this step quadratic in the corpus (75% of a 200,000-article run,
/// bench/run.sh).
pub struct QuoteEvidence<'a> {
    groups: &'a [QuoteGroup],
    /// Indices of the altered groups by article, ascending.
    by_article: HashMap<&'a str, Vec<usize>>,
}

impl<'a> QuoteEvidence<'a> {
    /// Indexes the altered groups of `groups`.
    pub fn new(groups: &'a [QuoteGroup]) -> Self {
        let mut by_article: HashMap<&str, Vec<usize>> = HashMap::new();
        for (k, g) in groups.iter().enumerate().filter(|(_, g)| g.altered) {
            for v in &g.variants {
                let ks = by_article.entry(v.article.as_str()).or_default();
                if ks.last() != Some(&k) {
                    ks.push(k);
                }
            }
        }
        QuoteEvidence { groups, by_article }
    }

    /// What the quotes say about articles `x` and `y`: votes for `x` being the source
    /// (negative: `y`), with one evidence line per quote that voted (see [`corroboration`]).
    pub fn between(&self, x: &str, y: &str) -> (i32, Vec<String>) {
        let shared: Vec<usize> = match (self.by_article.get(x), self.by_article.get(y)) {
            (Some(a), Some(b)) => a.iter().copied().filter(|k| b.contains(k)).collect(),
            _ => Vec::new(),
        };
        corroboration_among(self.groups, shared, x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words_of(s)
    }

    #[test]
    fn word_diff_lists_removed_and_inserted_words_in_order() {
        let (r, i) = word_diff(
            &w("This strike is holding the whole economy hostage"),
            &w("This walkout is keeping the entire economy captive"),
        );
        assert_eq!(r, vec!["strike", "holding", "whole", "hostage"]);
        assert_eq!(i, vec!["walkout", "keeping", "entire", "captive"]);
    }

    #[test]
    fn changed_words_are_located_in_the_text() {
        let t = "This walkout is keeping the entire economy captive,";
        let marked: Vec<&str> =
            changed_words(t, "This strike is holding the whole economy hostage,")
                .into_iter()
                .map(|(s, e)| &t[s..e])
                .collect();
        assert_eq!(marked, vec!["walkout", "keeping", "entire", "captive"]);
    }

    #[test]
    fn speaker_is_the_most_named_in_its_fullest_form() {
        let names = ["Ruiz", "Port Minister Ana Ruiz", "Beltran", "Ruiz"];
        assert_eq!(
            group_speaker(names.into_iter()).as_deref(),
            Some("Port Minister Ana Ruiz")
        );
        assert_eq!(group_speaker(std::iter::empty()), None);
    }
}
