//! Fidelity of a quote's variants: exact, truncated or altered; the words an altered variant
//! changed; which wordings independent reports corroborate; and what that says about the
//! direction of a derivation.
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

use super::group::{dice, Member, PairLinks};
use super::words_of;
use crate::model::{
    Article, Derivation, Fidelity, QuoteGroup, QuoteVariant, UndirectedDerivation, WordDiff,
};
use crate::text::Document;

/// Confidence of a derivation direction decided by quote corroboration alone.
pub const CORROBORATION_CONFIDENCE: f64 = 0.65;

/// The words of a quote, cut at each ellipsis: the pieces a truncated quote keeps.
pub fn segments(text: &str) -> Vec<Vec<String>> {
    text.replace('\u{2026}', "...")
        .split("...")
        .map(words_of)
        .filter(|w| !w.is_empty())
        .collect()
}

/// True when every piece of `short` is a contiguous run of `long`, in order, and together they
/// are shorter than `long` (a truncation, not the same words).
pub fn is_truncation(long: &[String], short: &[Vec<String>]) -> bool {
    let total: usize = short.iter().map(Vec::len).sum();
    if short.is_empty() || total >= long.len() {
        return false;
    }
    let mut from = 0;
    for piece in short {
        match long[from..]
            .windows(piece.len())
            .position(|w| w == piece.as_slice())
        {
            Some(p) => from += p + piece.len(),
            None => return false,
        }
    }
    true
}

struct View<'a> {
    doc: usize,
    article: &'a str,
    words: &'a [String],
    segs: Vec<Vec<String>>,
}

fn same_wording(x: &View<'_>, y: &View<'_>) -> bool {
    x.words == y.words || is_truncation(x.words, &y.segs) || is_truncation(y.words, &x.segs)
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
    let relation = |x: usize, y: usize| linked.get(&(x.min(y), x.max(y))).map(|p| p.relation);
    let independent =
        |x: usize, y: usize| x != y && !relation(x, y).is_some_and(|r| r.is_derivation());

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
    let fidelity: Vec<Fidelity> = views
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
        .collect();
    let corroborated: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let mut by: Vec<String> = views
                .iter()
                .filter(|u| independent(u.doc, v.doc) && same_wording(u, v))
                .map(|u| u.article.to_string())
                .collect();
            by.dedup();
            by
        })
        .collect();

    let mut evidence = Vec::new();
    let mut diffs: Vec<Option<WordDiff>> = vec![None; views.len()];
    let mut explained: Vec<(usize, usize)> = Vec::new();
    for (i, v) in views.iter().enumerate() {
        if fidelity[i] != Fidelity::Altered {
            continue;
        }
        let Some(c) = (0..views.len())
            .filter(|&j| views[j].doc != v.doc && views[j].words != v.words)
            .max_by(|&x, &y| {
                dice(views[x].words, v.words)
                    .total_cmp(&dice(views[y].words, v.words))
                    .then(
                        (fidelity[y] == Fidelity::Altered).cmp(&(fidelity[x] == Fidelity::Altered)),
                    )
                    .then(y.cmp(&x))
            })
        else {
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
        let (va, ca) = (v.article, views[c].article);
        match relation(v.doc, views[c].doc).filter(|r| r.is_derivation()) {
            Some(rel) => {
                let mut e = format!(
                    "{va} and {ca} are a {} pair and {va}'s words of the quote differ: {change}",
                    rel.as_str()
                );
                if !corroborated[c].is_empty() && corroborated[i].is_empty() {
                    e.push_str(&format!(
                        "; {ca}'s wording is the one independent report(s) {} carry",
                        corroborated[c].join(", ")
                    ));
                }
                evidence.push(e);
            }
            None if !corroborated[i].is_empty() && !corroborated[c].is_empty() => {
                evidence.push(format!(
                    "{va} and {ca} report independently and both wordings are corroborated \
                     ({va}'s by {}, {ca}'s by {}): two translations or transcriptions of one \
                     statement, not a spin; they differ in {change}",
                    corroborated[i].join(", "),
                    corroborated[c].join(", ")
                ));
            }
            None => evidence.push(format!(
                "{va} and {ca} report independently: the wording differs ({change}), as \
                 independent translations or transcriptions do; not by itself a sign of spin"
            )),
        }
    }

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

/// Adds quote corroboration to the derivations' evidence, and directs the undirected pairs it
/// decides. A direction from publication times is kept even when quotes disagree; the
/// disagreement is then reported as evidence against it.
pub fn apply_corroboration(
    groups: &[QuoteGroup],
    derivations: &mut Vec<Derivation>,
    undirected: &mut Vec<UndirectedDerivation>,
) {
    if groups.iter().all(|g| !g.altered) {
        return;
    }
    // Each pair looks only at the groups quoted in both of its articles: scanning every group
    // for every derivation made this step quadratic in the corpus (75% of a 200,000-article
    // run, bench/run.sh).
    let mut by_article: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, g) in groups.iter().enumerate() {
        for v in &g.variants {
            let ks = by_article.entry(v.article.as_str()).or_default();
            if ks.last() != Some(&k) {
                ks.push(k);
            }
        }
    }
    let shared = |x: &str, y: &str| -> Vec<usize> {
        match (by_article.get(x), by_article.get(y)) {
            (Some(a), Some(b)) => a.iter().copied().filter(|k| b.contains(k)).collect(),
            _ => Vec::new(),
        }
    };
    let corroboration = |x: &str, y: &str| corroboration_among(groups, shared(x, y), x, y);
    for d in derivations.iter_mut() {
        let (votes, evidence) = corroboration(&d.source, &d.derived);
        if votes > 0 {
            d.evidence.extend(evidence);
        } else if votes < 0 {
            d.evidence.extend(
                evidence
                    .into_iter()
                    .map(|e| format!("against this direction: {e}")),
            );
        }
    }
    let mut kept = Vec::new();
    for u in undirected.drain(..) {
        let (votes, evidence) = corroboration(&u.a, &u.b);
        if votes == 0 {
            kept.push(u);
            continue;
        }
        let (source, derived) = if votes > 0 { (u.a, u.b) } else { (u.b, u.a) };
        derivations.push(Derivation {
            source,
            derived,
            relation: u.relation,
            confidence: CORROBORATION_CONFIDENCE,
            evidence,
        });
    }
    *undirected = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AlignmentLink, Relation};
    use crate::quotes::group::group_quotes;

    /// Groups the quotes of `bodies` (one story) with the given pair relations.
    fn groups(bodies: &[&str], relations: &[(usize, usize, Relation)]) -> Vec<QuoteGroup> {
        let (arts, docs) = crate::quotes::group::test_story(bodies);
        let none: Vec<AlignmentLink> = Vec::new();
        let pairs: Vec<PairLinks<'_>> = relations
            .iter()
            .map(|&(a, b, relation)| PairLinks {
                a,
                b,
                relation,
                links: &none,
            })
            .collect();
        group_quotes(&arts, &docs, &vec![0; bodies.len()], &pairs, None, &|i| i)
    }

    const SAID: &str =
        "\"We are ready to talk, but not while the cranes are standing still,\" Ana Ruiz said.";

    #[test]
    fn the_same_words_are_exact_whatever_the_punctuation_and_case() {
        let g = groups(
            &[SAID, "\u{201C}We are ready to talk but NOT while the cranes are standing still.\u{201D} Ruiz said."],
            &[(0, 1, Relation::Copy)],
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].fidelity, Fidelity::Exact);
        assert!(!g[0].altered);
        assert!(g[0]
            .variants
            .iter()
            .all(|v| v.fidelity == Fidelity::Exact && v.diff.is_none()));
        assert_eq!(g[0].speaker.as_deref(), Some("Ana Ruiz"));
    }

    #[test]
    fn a_contiguous_part_is_truncated_with_or_without_an_ellipsis() {
        let g = groups(
            &[
                SAID,
                "Ruiz said they were \"ready to talk\" and no more.",
                "\"We are ready to talk ... while the cranes are standing still,\" Ruiz said.",
            ],
            &[(0, 1, Relation::SameEvent), (0, 2, Relation::LightRewrite)],
        );
        assert_eq!(g.len(), 1);
        let f: Vec<Fidelity> = g[0].variants.iter().map(|v| v.fidelity).collect();
        assert_eq!(
            f,
            vec![Fidelity::Exact, Fidelity::Truncated, Fidelity::Truncated]
        );
        assert_eq!(g[0].fidelity, Fidelity::Truncated);
        assert!(!g[0].altered);
    }

    #[test]
    fn changed_words_in_a_derived_copy_are_altered_with_the_diff() {
        let g = groups(
            &[
                SAID,
                "\"We are ready to talk, but not while the cranes are idle,\" Ruiz said.",
                SAID,
            ],
            &[
                (0, 1, Relation::LightRewrite),
                (0, 2, Relation::SameEvent),
                (1, 2, Relation::SameEvent),
            ],
        );
        assert_eq!(g.len(), 1);
        assert!(g[0].altered);
        let v = &g[0].variants[1];
        assert_eq!(v.fidelity, Fidelity::Altered);
        let d = v.diff.as_ref().expect("a diff");
        assert_eq!(d.against, "a0");
        assert_eq!(d.removed, vec!["standing", "still"]);
        assert_eq!(d.inserted, vec!["idle"]);
        assert_eq!(g[0].variants[0].corroborated_by, vec!["a2".to_string()]);
        assert!(
            g[0].evidence[0].contains("light_rewrite pair"),
            "{:?}",
            g[0].evidence
        );
        assert!(g[0].evidence[0].contains("independent report(s) a2"));
        // And the direction follows: a0's wording is corroborated, a1's altered one is not.
        let (votes, why) = corroboration(&g, "a0", "a1");
        assert_eq!(votes, 1);
        assert!(why[0].contains("a0's wording is carried by independent report(s) a2"));
    }

    #[test]
    fn two_translations_by_independent_outlets_are_one_group_and_no_spin() {
        // One statement in another language, translated by two outlets; each translation is
        // carried by one more independent report.
        let one = "\"We will not negotiate under pressure from anyone,\" Minister Olaf Berg said.";
        let two = "\"We will not negotiate under anyone's pressure,\" Berg told reporters.";
        let g = groups(
            &[one, two, one, two],
            &[
                (0, 1, Relation::SameEvent),
                (0, 2, Relation::SameEvent),
                (0, 3, Relation::SameEvent),
                (1, 2, Relation::SameEvent),
                (1, 3, Relation::SameEvent),
                (2, 3, Relation::SameEvent),
            ],
        );
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(g[0].altered);
        assert_eq!(g[0].speaker.as_deref(), Some("Olaf Berg"));
        let altered: Vec<&QuoteVariant> = g[0]
            .variants
            .iter()
            .filter(|v| v.fidelity == Fidelity::Altered)
            .collect();
        assert!(!altered.is_empty());
        let d = altered[0]
            .diff
            .as_ref()
            .expect("the translation difference");
        assert!(!d.removed.is_empty() && !d.inserted.is_empty());
        let e = g[0].evidence.join(" | ");
        assert!(e.contains("both wordings are corroborated"), "{e}");
        assert!(e.contains("not a spin"), "{e}");
        assert!(!e.contains("pair and"), "{e}");
        // No direction is read into two independent wordings.
        assert_eq!(corroboration(&g, "a0", "a1").0, 0);
    }

    #[test]
    fn a_different_wording_by_an_independent_outlet_alone_is_not_called_spin() {
        let g = groups(
            &[
                SAID,
                "\"We are willing to talk, though not while the cranes stand still,\" Ruiz said.",
            ],
            &[(0, 1, Relation::SameEvent)],
        );
        assert_eq!(g.len(), 1);
        assert!(g[0].altered);
        assert!(g[0].evidence[0].contains("report independently"));
        assert!(g[0].evidence[0].contains("not by itself a sign of spin"));
    }

    #[test]
    fn different_speakers_are_never_one_group() {
        let g = groups(
            &[SAID, "\"We are ready to talk, but not while the cranes are standing still,\" Tomas Beltran said."],
            &[(0, 1, Relation::SameEvent)],
        );
        assert!(g.is_empty());
    }

    fn w(s: &str) -> Vec<String> {
        words_of(s)
    }

    #[test]
    fn truncation_with_and_without_ellipsis() {
        let long = w("We are ready to talk, but not while the cranes are standing still");
        assert!(is_truncation(&long, &segments("ready to talk")));
        assert!(is_truncation(
            &long,
            &segments("We are ready to talk … while the cranes are standing still")
        ));
        assert!(!is_truncation(
            &long,
            &segments("We are ready to negotiate")
        ));
        assert!(!is_truncation(
            &long,
            &segments("We are ready to talk, but not while the cranes are standing still")
        ));
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
