//! Webis-CPC-11 (`wiretrace eval webis`): human rewrites of book passages, accepted or rejected
//! as paraphrases, all derived from their original. `analyze` runs over every text at once;
//! then per gold pair the relation the engine gives it.
//!
//! Derived = `copy` / `light_rewrite` / `heavy_rewrite` (an arrow). Precision of arrows counts the gold pairs and every other pair given an
//! arrow, except sibling rewrites (derived from one original: an arrow between them is wrong,
//! and counted apart) and pairs whose texts share a verbatim sentence (overlapping excerpts of
//! one book, in the data itself). The confidence of each gold and sibling pair's relation is
//! checked against whether it was right (an arrow for a gold pair).

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use wiretrace::{Engine, LinkKind, Pair, Relation};

use crate::calibration::confidence_report;
use crate::loaders::webis::{self, WebisSet};
use crate::report::{DatasetReport, MetricRow};
use crate::runners::pair_relation;

/// Runs the engine over the set in `dir` and scores it.
pub fn run_webis(engine: &Engine, dir: &Path) -> Result<DatasetReport> {
    let started = Instant::now();
    let set = webis::load(dir)?;
    let sentences: std::collections::HashMap<String, usize> = set
        .articles
        .iter()
        .map(|a| {
            let d = wiretrace::text::Document::from_article(a);
            (a.id.clone(), d.sentences.len())
        })
        .collect();
    let analysis = engine.analyze(set.articles.clone());
    let mut metrics = recall_rows(&set, &analysis.pairs, &sentences);
    metrics.push(precision_row(&set, &analysis.pairs));
    metrics.extend(sibling_rows(&set, &analysis.pairs));
    let (calibration, table) = calibration_of(&set, &analysis.pairs);
    metrics.extend(calibration);
    Ok(DatasetReport {
        dataset: "webis".into(),
        split: "Webis-CPC-11 development half".into(),
        items: set.pairs.len(),
        seconds: started.elapsed().as_secs_f64(),
        metrics,
        notes: notes(&set, analysis.skipped.len()),
        tables: vec![table],
    })
}

fn share(hits: usize, n: usize) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        hits as f64 / n as f64
    }
}

/// Recall of arrows, of lineage and of any relation on accepted and rejected rewrites, and of
/// arrows by length (the shorter text's sentences).
fn recall_rows(
    set: &WebisSet,
    pairs: &[Pair],
    sentences: &std::collections::HashMap<String, usize>,
) -> Vec<MetricRow> {
    let rel = |p: &webis::WebisPair| pair_relation(pairs, &p.original, &p.paraphrase);
    let rate = |accepted: bool, hit: &dyn Fn(Option<Relation>) -> bool, len: Option<bool>| {
        let chosen: Vec<&webis::WebisPair> = set
            .pairs
            .iter()
            .filter(|p| p.accepted == accepted)
            .filter(|p| {
                let n = sentences[&p.original].min(sentences[&p.paraphrase]);
                len.is_none_or(|short| (n <= 2) == short)
            })
            .collect();
        share(chosen.iter().filter(|p| hit(rel(p))).count(), chosen.len())
    };
    let derived = |r: Option<Relation>| r.is_some_and(Relation::is_derivation);
    let found = |r: Option<Relation>| r.is_some();
    let anchor = "README: TF-IDF cosine, threshold tuned on this half";
    vec![
        MetricRow::new("derived_recall_accepted", rate(true, &derived, None)).anchor(anchor, 0.891),
        MetricRow::new("derived_recall_rejected", rate(false, &derived, None)),
        MetricRow::new(
            "derived_recall_accepted_1_2_sentences",
            rate(true, &derived, Some(true)),
        ),
        MetricRow::new(
            "derived_recall_accepted_3_plus",
            rate(true, &derived, Some(false)),
        ),
        MetricRow::new(
            "derived_recall_rejected_1_2_sentences",
            rate(false, &derived, Some(true)),
        ),
        MetricRow::new(
            "derived_recall_rejected_3_plus",
            rate(false, &derived, Some(false)),
        ),
        MetricRow::new("found_accepted", rate(true, &found, None)),
    ]
}

/// Unordered key of a pair of ids.
fn key(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// Precision of arrows (see the module documentation).
fn precision_row(set: &WebisSet, pairs: &[Pair]) -> MetricRow {
    let gold: HashSet<_> = set
        .pairs
        .iter()
        .map(|p| key(&p.original, &p.paraphrase))
        .collect();
    let siblings: HashSet<_> = set.siblings.iter().map(|(a, b)| key(a, b)).collect();
    let (mut right, mut all) = (0usize, 0usize);
    for p in pairs.iter().filter(|p| p.relation.is_derivation()) {
        let k = key(&p.a, &p.b);
        if gold.contains(&k) {
            right += 1;
            all += 1;
        } else if !siblings.contains(&k)
            && !p.alignments.iter().any(|l| l.kind == LinkKind::Verbatim)
        {
            all += 1;
        }
    }
    MetricRow::new("derived_precision", share(right, all))
}

/// Sibling rewrites given an arrow: wrong (neither was written from the other), and what a
/// derivation family is to fix.
fn sibling_rows(set: &WebisSet, pairs: &[Pair]) -> Vec<MetricRow> {
    let arrows = set
        .siblings
        .iter()
        .filter(|(a, b)| pair_relation(pairs, a, b).is_some_and(Relation::is_derivation))
        .count();
    vec![MetricRow::new(
        "siblings_given_an_arrow",
        share(arrows, set.siblings.len()),
    )]
}

/// The confidence of each gold pair the engine relates, against whether its relation is right
/// (an arrow).
fn calibration_of(set: &WebisSet, pairs: &[Pair]) -> (Vec<MetricRow>, crate::report::Table) {
    let find = |a: &str, b: &str| {
        pairs
            .iter()
            .find(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
    };
    let mut confidence = Vec::new();
    let mut right = Vec::new();
    for p in &set.pairs {
        if let Some(x) = find(&p.original, &p.paraphrase) {
            confidence.push(x.confidence);
            right.push(x.relation.is_derivation());
        }
    }
    confidence_report(&confidence, &right)
}

fn notes(set: &WebisSet, engine_skipped: usize) -> Vec<String> {
    let mut notes = vec![
        format!(
            "{} texts, {} gold pairs ({} accepted), {} sibling pairs; the development half \
             (shared/data/README.md): development figures",
            set.articles.len(),
            set.pairs.len(),
            set.pairs.iter().filter(|p| p.accepted).count(),
            set.siblings.len()
        ),
        "the decision model is fitted on these pairs too (fit_decision); its out-of-fold figures are in docs/EVALUATION.md".into(),
    ];
    if engine_skipped > 0 {
        notes.push(format!("engine skipped {engine_skipped} texts"));
    }
    if !set.skipped.is_empty() {
        notes.push(format!("input: {}", set.skipped));
    }
    notes
}
