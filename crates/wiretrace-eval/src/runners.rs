//! One runner per data set: load it, run the engine exactly as `analyze` would (the caller's
//! engine, built-in parameters, nothing tuned on the data being evaluated), score the output
//! and package a [`DatasetReport`] with the README anchors to read it against.
//!
//! Anchors are hard-coded here, each with its provenance, because they are facts about the
//! data sets (their READMEs under `shared/data/<folder>/README.md`), not about our code. Where
//! an anchor was measured on a different portion than the one evaluated, a note says so.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Result};
use rayon::prelude::*;
use wiretrace::union_find::UnionFind;
use wiretrace::{Engine, LinkKind, Pair, Relation, Story};

use crate::loaders::clough::{self, CloughClass};
use crate::loaders::{ecbplus, msrp, reuters, semeval};
use crate::metrics::{
    accuracy, adjusted_rand_index, bcubed, confusion_matrix, pearson, BinaryCounts,
};
use crate::report::{DatasetReport, MetricRow, Table};

/// Said when the data evaluated lies inside the development portion that shared/data/README.md
/// sets aside for fitting (`{portion}` is filled in).
const DEV_NOTE: &str = "{portion} are the development portion (shared/data/README.md), on which \
                        the engine's built-in parameters may have been fitted: development \
                        figures, not held-out ones";

/// MSRP: a pair is predicted a paraphrase iff the aligner would link the two sentences
/// (`Engine::sentence_link` is `Some`, any link kind). Pairs run in parallel.
pub fn run_msrp(engine: &Engine, dir: &Path) -> Result<DatasetReport> {
    let started = Instant::now();
    let set = msrp::load(dir)?;
    if set.pairs.is_empty() {
        bail!(
            "msrp: no well-formed pair in {} ({})",
            set.path.display(),
            set.skipped
        );
    }
    let links: Vec<Option<LinkKind>> = set
        .pairs
        .par_iter()
        .map(|p| engine.sentence_link(&p.s1, &p.s2).map(|(kind, _)| kind))
        .collect();
    let gold: Vec<bool> = set.pairs.iter().map(|p| p.paraphrase).collect();
    let pred: Vec<bool> = links.iter().map(Option::is_some).collect();
    let counts = BinaryCounts::from_labels(&gold, &pred);
    let all_positive = BinaryCounts::from_labels(&gold, &vec![true; gold.len()]);
    let here = format!("all-positive, this {} split (computed)", set.split);

    // Anchors: msrp/README.md, "Anchor scores (test set, accuracy / F1 of the positive class)".
    let metrics = vec![
        MetricRow::new("accuracy", counts.accuracy())
            .anchor("all-positive, test (README)", 0.665)
            .anchor("token Jaccard 0.37, test (README)", 0.730)
            .anchor("Wan et al. 2006, test (README)", 0.756)
            .anchor(here.clone(), all_positive.accuracy()),
        MetricRow::new("f1", counts.f1())
            .anchor("all-positive, test (README)", 0.799)
            .anchor("token Jaccard 0.37, test (README)", 0.813)
            .anchor("Wan et al. 2006, test (README)", 0.830)
            .anchor(here, all_positive.f1()),
        MetricRow::new("precision", counts.precision()),
        MetricRow::new("recall", counts.recall()),
    ];
    let mut notes = Vec::new();
    if set.split != "test" {
        notes.push(format!(
            "evaluated on {} ({}): the development portion (shared/data/README.md), on which \
             the engine may have been tuned, and the README anchors are on the test split — \
             development figures",
            set.split,
            set.path.display()
        ));
    }
    let kind_count = |k: LinkKind| links.iter().filter(|l| **l == Some(k)).count();
    notes.push(format!(
        "predicted positives by link kind: verbatim {}, near_verbatim {}, paraphrase {}",
        kind_count(LinkKind::Verbatim),
        kind_count(LinkKind::NearVerbatim),
        kind_count(LinkKind::Paraphrase)
    ));
    if !set.skipped.is_empty() {
        notes.push(format!("input lines: {}", set.skipped));
    }
    Ok(DatasetReport {
        dataset: "msrp".into(),
        split: set.split,
        items: gold.len(),
        seconds: started.elapsed().as_secs_f64(),
        metrics,
        notes,
        tables: Vec::new(),
    })
}

/// ECB+: `analyze` all documents at once; each story is a cluster and a document in no story
/// is a singleton. Scored against sub-topics (seminal events) and against topics.
pub fn run_ecbplus(engine: &Engine, dir: &Path) -> Result<DatasetReport> {
    let started = Instant::now();
    let set = ecbplus::load(dir)?;
    let docs = &set.documents;
    let articles = set.articles();
    let analysis = engine.analyze(articles);
    let ids: Vec<&str> = docs.iter().map(|d| d.doc_id.as_str()).collect();
    let pred = cluster_labels(&ids, &analysis.stories);
    let subtopics: Vec<&str> = docs.iter().map(|d| d.subtopic.as_str()).collect();
    let topics: Vec<&str> = docs.iter().map(|d| d.topic.as_str()).collect();
    let sub = bcubed(&subtopics, &pred);
    let top = bcubed(&topics, &pred);
    let n_clusters = distinct(&pred);
    let n_subtopics = distinct(&subtopics);
    let n_topics = distinct(&topics);

    // Anchors: ecb_plus/README.md, "Anchor scores" — TF-IDF cosine + average-link HAC on all
    // 982 documents, threshold swept (optimistic); "gold topics split in two" is an oracle.
    let metrics = vec![
        MetricRow::new("bcubed_p", sub.precision).anchor("TF-IDF HAC thr 0.15 (README)", 0.801),
        MetricRow::new("bcubed_r", sub.recall).anchor("TF-IDF HAC thr 0.15 (README)", 0.959),
        MetricRow::new("bcubed_f1", sub.f1)
            .anchor("TF-IDF HAC thr 0.15 (README)", 0.873)
            .anchor("TF-IDF HAC thr 0.2 (README)", 0.882)
            .anchor("gold topics split in two by HAC (README)", 0.898),
        MetricRow::new("ari", adjusted_rand_index(&subtopics, &pred))
            .anchor("TF-IDF HAC thr 0.15 (README)", 0.813)
            .anchor("TF-IDF HAC thr 0.2 (README)", 0.829),
        MetricRow::new("topic_bcubed_f1", top.f1),
        MetricRow::new("topic_ari", adjusted_rand_index(&topics, &pred)),
        MetricRow::new("n_clusters", n_clusters as f64)
            .anchor("gold sub-topics here", n_subtopics as f64)
            .anchor("TF-IDF HAC thr 0.15, 982 docs (README)", 81.0)
            .anchor("TF-IDF HAC thr 0.2, 982 docs (README)", 130.0),
        MetricRow::new("n_topics", n_topics as f64),
    ];
    let multi = analysis
        .stories
        .iter()
        .filter(|s| s.articles.len() > 1)
        .count();
    let mut notes = vec![
        format!(
            "{} documents, {n_topics} topics, {n_subtopics} sub-topics here; the README anchors \
             are on all 982 documents (43 topics) with the threshold swept on them (optimistic)",
            docs.len()
        ),
        format!(
            "engine: {} stories ({multi} with 2+ documents); documents in no story count as \
             singleton clusters",
            analysis.stories.len()
        ),
    ];
    if docs
        .iter()
        .all(|d| d.topic.parse::<u32>().is_ok_and(|t| t <= 35))
    {
        notes.push(DEV_NOTE.replace("{portion}", "topics 1–35"));
    }
    if !analysis.skipped.is_empty() {
        notes.push(format!(
            "engine skipped {} documents (scored as singletons)",
            analysis.skipped.len()
        ));
    }
    if !set.skipped.is_empty() {
        notes.push(format!("input lines: {}", set.skipped));
    }
    Ok(DatasetReport {
        dataset: "ecbplus".into(),
        split: crate::loaders::file_name(&set.path),
        items: docs.len(),
        seconds: started.elapsed().as_secs_f64(),
        metrics,
        notes,
        tables: Vec::new(),
    })
}

/// SemEval-2022 Task 8: `Engine::compare(a, b).similarity` for every monolingual pair (in
/// parallel), Pearson r against −Overall (gold 1 = most similar, so the sign is flipped to make
/// higher better), over en-en pairs and over all monolingual pairs.
pub fn run_semeval8(engine: &Engine, dir: &Path) -> Result<DatasetReport> {
    let started = Instant::now();
    let set = semeval::load(dir)?;
    let mono: Vec<&semeval::SemevalPair> =
        set.pairs.iter().filter(|p| p.is_monolingual()).collect();
    if mono.is_empty() {
        bail!(
            "semeval8: no monolingual pair (lang1 == lang2) in {}",
            set.path.display()
        );
    }
    let scores: Vec<f64> = mono
        .par_iter()
        .map(|p| {
            let (a, b) = p.articles();
            engine.compare(&a, &b).similarity
        })
        .collect();
    let mut notes = Vec::new();
    let bad = scores.iter().filter(|s| !s.is_finite()).count();
    if bad > 0 {
        notes.push(format!(
            "{bad} pairs had a non-finite similarity and were left out"
        ));
    }
    // (score, -Overall, lang) over pairs with a finite score.
    let points: Vec<(f64, f64, &str)> = mono
        .iter()
        .zip(&scores)
        .filter(|(_, s)| s.is_finite())
        .map(|(p, &s)| (s, -p.overall, p.lang1.as_str()))
        .collect();
    let ((r_en, n_en), (r_mono, n_mono)) = semeval_pearson(&points, &mut notes);

    // Anchors: semeval2022_task8_sample/README.md, "Computed here on this sample": TF-IDF cosine
    // vs Overall, en-en −0.720 (354 pairs), monolingual −0.539 (1,269 pairs); sign flipped.
    let metrics = vec![
        MetricRow::new("pearson_en_en", r_en).anchor("TF-IDF cosine, 354 pairs (README)", 0.720),
        MetricRow::new("pearson_mono", r_mono).anchor("TF-IDF cosine, 1269 pairs (README)", 0.539),
        MetricRow::new("pairs_en_en", n_en as f64),
        MetricRow::new("pairs_mono", n_mono as f64),
    ];
    notes.extend(semeval_data_notes(&set, mono.len()));
    Ok(DatasetReport {
        dataset: "semeval8".into(),
        split: set.split,
        items: mono.len(),
        seconds: started.elapsed().as_secs_f64(),
        metrics,
        notes,
        tables: Vec::new(),
    })
}

/// Pearson r and pair count over the en-en `points` and over all of them; says in `notes`
/// which r is undefined, then gives r per language.
fn semeval_pearson(
    points: &[(f64, f64, &str)],
    notes: &mut Vec<String>,
) -> ((f64, usize), (f64, usize)) {
    let r_of = |keep: &dyn Fn(&str) -> bool| -> (f64, usize) {
        let (x, y): (Vec<f64>, Vec<f64>) = points
            .iter()
            .filter(|(_, _, l)| keep(l))
            .map(|&(s, g, _)| (s, g))
            .unzip();
        (pearson(&x, &y).unwrap_or(f64::NAN), x.len())
    };
    let (r_en, n_en) = r_of(&|l| l == "en");
    let (r_mono, n_mono) = r_of(&|_| true);
    for (name, r, n) in [
        ("pearson_en_en", r_en, n_en),
        ("pearson_mono", r_mono, n_mono),
    ] {
        if r.is_nan() {
            notes.push(format!(
                "{name} is undefined on {n} pairs (fewer than 2, or a constant side)"
            ));
        }
    }
    let mut langs: Vec<&str> = points.iter().map(|p| p.2).collect();
    langs.sort_unstable();
    langs.dedup();
    let per_lang: Vec<String> = langs
        .iter()
        .map(|&lang| {
            let (r, n) = r_of(&|l| l == lang);
            let r = if r.is_nan() {
                "n/a".to_owned()
            } else {
                format!("{r:.3}")
            };
            format!("{lang}-{lang} {r} (n={n})")
        })
        .collect();
    notes.push(format!("Pearson r per language: {}", per_lang.join(", ")));
    ((r_en, n_en), (r_mono, n_mono))
}

/// What the SemEval figures are over: the pairs left out, the development portion, the input.
fn semeval_data_notes(set: &semeval::SemevalSet, n_mono: usize) -> Vec<String> {
    let mut notes = vec![format!(
        "{} cross-lingual pairs not scored; the README anchors are on the full 1,464-pair sample \
         (354 en-en, 1,269 monolingual), this folder holds {} pairs",
        set.pairs.len() - n_mono,
        set.pairs.len()
    )];
    if set
        .pairs
        .iter()
        .all(|p| p.from_file.as_deref() == Some("hfl_training_set.csv"))
    {
        notes.push(DEV_NOTE.replace("{portion}", "the hfl_training_set.csv pairs"));
    }
    if set.dropped_non_test > 0 {
        notes.push(format!(
            "kept only the pairs from a testing file (from_file); {} others dropped",
            set.dropped_non_test
        ));
    }
    if !set.skipped.is_empty() {
        notes.push(format!("input lines: {}", set.skipped));
    }
    notes
}

/// Clough & Stevenson: per task, `analyze` the source with all its answers; an answer's class
/// is the relation of its (source, answer) pair (copy → cut, light rewrite → light, heavy
/// rewrite → heavy, anything else or no pair → non).
pub fn run_clough(engine: &Engine, dir: &Path) -> Result<DatasetReport> {
    let started = Instant::now();
    let set = clough::load(dir)?;
    let (gold, pred, confidence, engine_skipped) = clough_classes(engine, &set);
    let gold_idx: Vec<usize> = gold.iter().map(|c| c.index()).collect();
    let pred_idx: Vec<usize> = pred.iter().map(|c| c.index()).collect();
    let matrix = confusion_matrix(&gold_idx, &pred_idx, CloughClass::ALL.len());
    let mut metrics = clough_metrics(&gold, &pred, &matrix);
    // The confidence of each answer the engine relates to its source, against the 4-class
    // verdict being right.
    let (conf, right): (Vec<f64>, Vec<bool>) = confidence
        .iter()
        .zip(gold.iter().zip(&pred))
        .filter_map(|(c, (g, p))| c.map(|c| (c, g == p)))
        .unzip();
    let (calibration, reliability) = crate::calibration::confidence_report(&conf, &right);
    metrics.extend(calibration);
    let labels: Vec<String> = CloughClass::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    Ok(DatasetReport {
        dataset: "clough".into(),
        split: clough::CSV_FILE.into(),
        items: gold.len(),
        seconds: started.elapsed().as_secs_f64(),
        metrics,
        notes: clough_notes(&set, engine_skipped),
        tables: vec![
            Table {
                name: "confusion".into(),
                rows: "gold".into(),
                cols: "predicted".into(),
                row_labels: labels.clone(),
                col_labels: labels,
                cells: matrix,
            },
            reliability,
        ],
    })
}

/// Per answer: gold class, predicted class, the confidence of the relation to its source
/// (`None`: not related); and the number of texts the engine skipped.
type CloughVerdicts = (Vec<CloughClass>, Vec<CloughClass>, Vec<Option<f64>>, usize);

/// The gold and predicted class of every answer, task by task (see [`CloughVerdicts`]).
fn clough_classes(engine: &Engine, set: &clough::CloughSet) -> CloughVerdicts {
    let mut gold = Vec::new();
    let mut pred = Vec::new();
    let mut confidence = Vec::new();
    let mut engine_skipped = 0;
    for task in &set.tasks {
        let mut articles = vec![task.source.to_article()];
        articles.extend(task.answers.iter().map(|a| a.text.to_article()));
        let analysis = engine.analyze(articles);
        engine_skipped += analysis.skipped.len();
        for answer in &task.answers {
            let relation = pair_relation(&analysis.pairs, &task.source.id, &answer.text.id);
            gold.push(answer.gold);
            pred.push(CloughClass::from_relation(relation));
            confidence.push(pair_confidence(
                &analysis.pairs,
                &task.source.id,
                &answer.text.id,
            ));
        }
    }
    (gold, pred, confidence, engine_skipped)
}

/// 4-class and 2-class accuracy with their baselines, and the recall of each class (from the
/// confusion `matrix`, gold by row).
fn clough_metrics(
    gold: &[CloughClass],
    pred: &[CloughClass],
    matrix: &[Vec<usize>],
) -> Vec<MetricRow> {
    let gold_idx: Vec<usize> = gold.iter().map(|c| c.index()).collect();
    let gold2: Vec<bool> = gold.iter().map(|c| c.is_reused()).collect();
    let pred2: Vec<bool> = pred.iter().map(|c| c.is_reused()).collect();
    let recall = |c: CloughClass| {
        let row = &matrix[c.index()];
        let total: usize = row.iter().sum();
        if total == 0 {
            f64::NAN
        } else {
            row[c.index()] as f64 / total as f64
        }
    };
    // Majority-class baselines on the gold labels evaluated here (computed, not tuned).
    let majority = |labels: &[usize]| {
        let mut counts = HashMap::new();
        for &l in labels {
            *counts.entry(l).or_insert(0usize) += 1;
        }
        counts.values().copied().max().unwrap_or(0) as f64 / labels.len().max(1) as f64
    };
    let gold2_idx: Vec<usize> = gold2.iter().map(|&b| usize::from(b)).collect();

    // Anchor: clough_stevenson/README.md, "Best single threshold, plagiarised vs non: accuracy
    // 0.958 (threshold tuned on the same 95 items, so optimistic)".
    let mut metrics = vec![
        MetricRow::new("acc4", accuracy(gold, pred))
            .anchor("majority class, this data (computed)", majority(&gold_idx)),
        MetricRow::new("acc2", accuracy(&gold2, &pred2))
            .anchor("best single threshold, tuned on all 95 (README)", 0.958)
            .anchor("majority class, this data (computed)", majority(&gold2_idx)),
    ];
    let recall_names = ["recall_cut", "recall_light", "recall_heavy", "recall_non"];
    for (c, name) in CloughClass::ALL.into_iter().zip(recall_names) {
        metrics.push(MetricRow::new(name, recall(c)));
    }
    metrics
}

/// What the Clough figures are over: the answers and tasks, their encodings, the development
/// portion, what was skipped.
fn clough_notes(set: &clough::CloughSet, engine_skipped: usize) -> Vec<String> {
    let mut notes = vec![format!(
        "{} answers and {} sources (tasks {}); the README anchor is on all 95 answers of tasks a–e",
        set.n_answers(),
        set.n_sources(),
        set.tasks
            .iter()
            .map(|t| t.task.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )];
    notes.push(format!(
        "{} texts were not UTF-8 and were decoded as Windows-1252",
        set.n_cp1252()
    ));
    if set
        .tasks
        .iter()
        .all(|t| ["a", "b", "c"].contains(&t.task.as_str()))
    {
        notes.push(DEV_NOTE.replace("{portion}", "tasks a–c"));
    }
    if engine_skipped > 0 {
        notes.push(format!(
            "engine skipped {engine_skipped} texts (scored as non)"
        ));
    }
    if !set.skipped.is_empty() {
        notes.push(format!("input: {}", set.skipped));
    }
    notes
}

/// Reuters-21578: `analyze` all bodies at once (timed). A gold exact-duplicate group counts as
/// found when its members are all connected by `copy` pairs; near-duplicate pairs are the
/// `copy` and `light_rewrite` pairs.
pub fn run_reuters(engine: &Engine, dir: &Path) -> Result<DatasetReport> {
    let started = Instant::now();
    let set = reuters::load(dir)?;
    let ids: Vec<String> = set.docs.iter().map(reuters::ReutersDoc::id).collect();
    let articles: Vec<_> = set
        .docs
        .iter()
        .map(reuters::ReutersDoc::to_article)
        .collect();
    let n = articles.len();
    let analyze_started = Instant::now();
    let analysis = engine.analyze(articles);
    let analyze_seconds = analyze_started.elapsed().as_secs_f64();

    let copy_edges = analysis
        .pairs
        .iter()
        .filter(|p| p.relation == Relation::Copy)
        .map(|p| (p.a.as_str(), p.b.as_str()));
    let connected = groups_connected(&ids, &set.exact_groups, copy_edges);
    let metrics = reuters_metrics(&set, &analysis, &connected, analyze_seconds);
    let notes = reuters_notes(&set, &ids, &analysis, &connected);
    Ok(DatasetReport {
        dataset: "reuters".into(),
        split: "all bodies".into(),
        items: n,
        seconds: started.elapsed().as_secs_f64(),
        metrics,
        notes,
        tables: Vec::new(),
    })
}

/// The exact groups found (`connected`, one flag per group) against the README's count, the
/// near-duplicate pairs against the floor the groups set, and the speed and memory of the run.
fn reuters_metrics(
    set: &reuters::ReutersSet,
    analysis: &wiretrace::Analysis,
    connected: &[bool],
    analyze_seconds: f64,
) -> Vec<MetricRow> {
    let n = set.docs.len();
    let count = |r: Relation| analysis.pairs.iter().filter(|p| p.relation == r).count();
    let copy_pairs = count(Relation::Copy);
    let light_pairs = count(Relation::LightRewrite);
    let found = connected.iter().filter(|&&c| c).count();
    let total = set.exact_groups.len();
    let floor_pairs: usize = set
        .exact_groups
        .iter()
        .map(|g| g.len() * (g.len() - 1) / 2)
        .sum();

    // Anchor: reuters21578/README.md — 279 exact-duplicate body groups (281 redundant copies),
    // "a sanity floor any dedup pass must find".
    let mut metrics = vec![
        MetricRow::new("exact_groups_found", found as f64).anchor("README", 279.0),
        MetricRow::new("exact_groups_total", total as f64).anchor("README", 279.0),
        MetricRow::new("near_dup_pairs", (copy_pairs + light_pairs) as f64)
            .anchor("pairs inside exact groups (floor)", floor_pairs as f64),
        MetricRow::new("docs_per_second", n as f64 / analyze_seconds.max(1e-9)),
        MetricRow::new("copy_pairs", copy_pairs as f64),
        MetricRow::new("light_pairs", light_pairs as f64),
        MetricRow::new("candidate_pairs", analysis.stats.candidate_pairs as f64),
        MetricRow::new("analyze_seconds", analyze_seconds),
    ];
    if let Some(mb) = peak_rss_mb() {
        metrics.push(MetricRow::new("peak_rss_mb", mb));
    }
    metrics
}

/// What the Reuters figures are over, and the first exact groups the copy pairs missed, with
/// the relation the engine gave their first two members.
fn reuters_notes(
    set: &reuters::ReutersSet,
    ids: &[String],
    analysis: &wiretrace::Analysis,
    connected: &[bool],
) -> Vec<String> {
    let found = connected.iter().filter(|&&c| c).count();
    let total = set.exact_groups.len();
    let mut notes = vec![
        format!(
            "{} bodies from {} files ({} <REUTERS> elements); {total} exact-duplicate groups \
             ({} redundant copies): bodies equal after entity/control cleaning and whitespace \
             collapsing, `Reuter` signature line included",
            set.docs.len(),
            set.files.len(),
            set.elements,
            set.redundant_copies()
        ),
        "docs_per_second counts the analyze call only; peak_rss_mb is the process's VmHWM \
         (includes loading and anything run before)"
            .to_owned(),
    ];
    let missed: Vec<String> = set
        .exact_groups
        .iter()
        .zip(connected)
        .filter(|(_, &c)| !c)
        .take(5)
        .filter_map(|(g, _)| {
            let (a, b) = (ids.get(*g.first()?)?, ids.get(*g.get(1)?)?);
            let relation = pair_relation(&analysis.pairs, a, b).map_or("no pair", |r| r.as_str());
            Some(format!("{a} ~ {b}: {relation}"))
        })
        .collect();
    if !missed.is_empty() {
        notes.push(format!(
            "exact groups not connected by copy pairs: {} (first members of the first {}: {})",
            total - found,
            missed.len(),
            missed.join("; ")
        ));
    }
    if total != 279 {
        notes.push(format!(
            "this folder yields {total} exact-duplicate groups, not the README's 279 (a \
             different portion of the collection?)"
        ));
    }
    if !analysis.skipped.is_empty() {
        notes.push(format!("engine skipped {} bodies", analysis.skipped.len()));
    }
    let skipped_no_body = set
        .skipped
        .count("elements without <BODY> (BRIEF/UNPROC stories)");
    if set.skipped.total() > skipped_no_body {
        notes.push(format!("input: {}", set.skipped));
    }
    notes
}

/// A cluster label per id: the index of the first story listing it, else a fresh singleton
/// label (`stories.len() + position`).
pub(crate) fn cluster_labels(ids: &[&str], stories: &[Story]) -> Vec<usize> {
    let mut story_of: HashMap<&str, usize> = HashMap::new();
    for (k, story) in stories.iter().enumerate() {
        for id in &story.articles {
            story_of.entry(id.as_str()).or_insert(k);
        }
    }
    ids.iter()
        .enumerate()
        .map(|(i, id)| story_of.get(id).copied().unwrap_or(stories.len() + i))
        .collect()
}

/// The relation of the pair between `x` and `y` (either order); the strongest if listed twice.
pub(crate) fn pair_relation(pairs: &[Pair], x: &str, y: &str) -> Option<Relation> {
    pairs
        .iter()
        .filter(|p| (p.a == x && p.b == y) || (p.a == y && p.b == x))
        .map(|p| p.relation)
        .min()
}

/// The confidence of the strongest relation between `x` and `y` (either order).
pub(crate) fn pair_confidence(pairs: &[Pair], x: &str, y: &str) -> Option<f64> {
    pairs
        .iter()
        .filter(|p| (p.a == x && p.b == y) || (p.a == y && p.b == x))
        .min_by_key(|p| p.relation)
        .map(|p| p.confidence)
}

/// For each of `groups` (indices into `ids`): whether all its members are in one connected
/// component of the graph whose edges are `edges` (pairs of ids; unknown ids are ignored).
pub(crate) fn groups_connected<'a>(
    ids: &[String],
    groups: &[Vec<usize>],
    edges: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<bool> {
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut components = UnionFind::new(ids.len());
    for (a, b) in edges {
        if let (Some(&i), Some(&j)) = (index.get(a), index.get(b)) {
            components.union(i, j);
        }
    }
    groups
        .iter()
        .map(|g| match g.split_first() {
            Some((&first, rest)) if first < ids.len() => rest
                .iter()
                .all(|&m| m < ids.len() && components.connected(first, m)),
            _ => false,
        })
        .collect()
}

/// Number of distinct values.
fn distinct<T: Eq + std::hash::Hash>(labels: &[T]) -> usize {
    labels
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len()
}

/// The process's peak resident set size (`VmHWM` in `/proc/self/status`) in MB, where available.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm_mb(&status)
}

fn parse_vm_hwm_mb(status: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line
        .trim_start_matches("VmHWM:")
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiretrace::Reuse;

    fn story(id: &str, articles: &[&str]) -> Story {
        Story {
            id: id.into(),
            articles: articles.iter().map(|s| s.to_string()).collect(),
            label: String::new(),
            related: Vec::new(),
        }
    }

    fn pair(a: &str, b: &str, relation: Relation) -> Pair {
        Pair {
            a: a.into(),
            b: b.into(),
            relation,
            similarity: 0.5,
            confidence: 0.5,
            reuse: Reuse::default(),
            alignments: Vec::new(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn stories_become_cluster_labels() {
        let stories = [story("s1", &["b", "c"]), story("s2", &["a", "c"])];
        let labels = cluster_labels(&["a", "b", "c", "d", "e"], &stories);
        assert_eq!(labels, vec![1, 0, 0, 5, 6]); // c stays in its first story
    }

    #[test]
    fn pair_relation_either_order_strongest() {
        let pairs = [
            pair("x", "src", Relation::Related),
            pair("src", "y", Relation::HeavyRewrite),
            pair("y", "src", Relation::Copy),
            pair("x", "y", Relation::Copy),
        ];
        assert_eq!(pair_relation(&pairs, "src", "y"), Some(Relation::Copy));
        assert_eq!(pair_relation(&pairs, "src", "x"), Some(Relation::Related));
        assert_eq!(pair_relation(&pairs, "src", "z"), None);
        assert_eq!(
            CloughClass::from_relation(pair_relation(&pairs, "src", "x")),
            CloughClass::Non
        );
    }

    #[test]
    fn groups_found_need_one_component() {
        let ids: Vec<String> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let groups = vec![vec![0, 1, 2], vec![3, 4], vec![0, 5], vec![9, 1]];
        // a–b, b–c chain the first group; d, e unconnected; f joined to a through c.
        let edges = [("a", "b"), ("c", "b"), ("c", "f"), ("zz", "d")];
        assert_eq!(
            groups_connected(&ids, &groups, edges.into_iter()),
            [true, false, true, false]
        );
        assert_eq!(
            groups_connected(&ids, &groups, std::iter::empty()),
            [false; 4]
        );
    }

    #[test]
    fn vm_hwm_parsing() {
        let status = "Name:\tx\nVmPeak:\t  9999 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(parse_vm_hwm_mb(status), Some(2.0));
        assert_eq!(parse_vm_hwm_mb("nothing"), None);
        assert_eq!(parse_vm_hwm_mb("VmHWM: lots kB"), None);
    }
}

/// Quotes: the engine's extractor on every gold article, matched one-to-one with the gold
/// quotes (greedily, best overlap first). Overlap is the Jaccard of the byte sets (a gold quote
/// split in parts counts its parts only), reported at three strictnesses: `exact` (same bytes),
/// `overlap` (≥ 0.8) and `any` (> 0). Speaker accuracy is over the quotes matched at ≥ 0.8: the
/// same person (equal names, or equal last words: "Ruiz" for "Ana Ruiz"), or both unknown.
pub fn run_quotes(_engine: &Engine, dir: &Path) -> Result<DatasetReport> {
    use crate::loaders::quotes;
    let started = Instant::now();
    let set = quotes::load(dir)?;
    let c = quote_counts(&set.articles);
    let mut notes = vec![
        format!(
            "{} gold quotes in {} articles (testdata/quotes, written by the team); {} extracted",
            c.gold,
            set.articles.len(),
            c.system
        ),
        "not_quote_hits: extracted spans that overlap a title, nickname or scare quote the gold \
         set marks as not a quote"
            .to_string(),
        DEV_NOTE.replace("{portion}", "ECB+ topics 1–35 and the SemEval sample texts"),
    ];
    if !set.skipped.is_empty() {
        notes.push(format!("gold: {}", set.skipped));
    }
    Ok(DatasetReport {
        dataset: "quotes".into(),
        split: "testdata/quotes/gold.jsonl".into(),
        items: c.gold,
        seconds: started.elapsed().as_secs_f64(),
        metrics: quote_metrics(&c),
        notes,
        tables: Vec::new(),
    })
}

/// The extractor's quotes on every gold article (in parallel), scored against the gold and
/// summed.
fn quote_counts(articles: &[crate::loaders::quotes::GoldArticle]) -> QuoteCounts {
    let per_article: Vec<QuoteCounts> = articles
        .par_iter()
        .map(|g| {
            let doc = wiretrace::text::Document::from_article(&g.article);
            let sys: Vec<SystemQuote> = wiretrace::quotes::extract(&doc)
                .into_iter()
                .map(|q| {
                    (
                        q.parts.iter().map(|p| (p.start, p.end)).collect(),
                        q.speaker,
                    )
                })
                .collect();
            score_quotes(&g.quotes, &g.not_quotes, &sys)
        })
        .collect();
    let mut c = QuoteCounts::default();
    for x in per_article {
        c.add(&x);
    }
    c
}

/// Precision, recall and F1 at the three strictnesses, and speaker accuracy.
fn quote_metrics(c: &QuoteCounts) -> Vec<MetricRow> {
    let f1 = |m: usize| {
        let (p, r) = (
            m as f64 / c.system.max(1) as f64,
            m as f64 / c.gold.max(1) as f64,
        );
        (
            p,
            r,
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            },
        )
    };
    let (p8, r8, f8) = f1(c.overlap);
    let (_, _, fx) = f1(c.exact);
    let (_, _, fa) = f1(c.any);
    // Anchors: issue 6, citron (BBC) on PARC 3.0: quote F1 0.57 exact, 0.83 overlap; speaker
    // F1 0.82-0.85. Different corpus and annotation: for orientation only.
    vec![
        MetricRow::new("quote_f1", f8).anchor("citron, PARC 3.0, overlap (issue 6)", 0.83),
        MetricRow::new("quote_precision", p8),
        MetricRow::new("quote_recall", r8),
        MetricRow::new("quote_f1_exact", fx).anchor("citron, PARC 3.0, exact (issue 6)", 0.57),
        MetricRow::new("quote_f1_any", fa),
        MetricRow::new(
            "speaker_accuracy",
            c.speaker_ok as f64 / c.overlap.max(1) as f64,
        )
        .anchor("citron, PARC 3.0, speaker F1 (issue 6)", 0.82),
        MetricRow::new("not_quote_hits", c.not_quote_hits as f64),
    ]
}

/// Matching counts of one or more articles.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct QuoteCounts {
    /// Gold quotes.
    pub gold: usize,
    /// Extracted quotes.
    pub system: usize,
    /// Matched with identical bytes.
    pub exact: usize,
    /// Matched at Jaccard ≥ 0.8.
    pub overlap: usize,
    /// Matched at any overlap.
    pub any: usize,
    /// Of `overlap`, speaker right.
    pub speaker_ok: usize,
    /// Extracted spans overlapping a marked non-quote.
    pub not_quote_hits: usize,
}

impl QuoteCounts {
    fn add(&mut self, o: &QuoteCounts) {
        self.gold += o.gold;
        self.system += o.system;
        self.exact += o.exact;
        self.overlap += o.overlap;
        self.any += o.any;
        self.speaker_ok += o.speaker_ok;
        self.not_quote_hits += o.not_quote_hits;
    }
}

/// Same speaker: equal names, or equal last words, case-insensitively; or both unknown.
pub fn same_speaker(gold: Option<&str>, sys: Option<&str>) -> bool {
    match (gold, sys) {
        (None, None) => true,
        (Some(g), Some(s)) => {
            let (g, s) = (g.to_lowercase(), s.to_lowercase());
            g == s || g.split_whitespace().last() == s.split_whitespace().last()
        }
        _ => false,
    }
}

/// An extracted quote: the byte spans of its parts and its speaker.
pub type SystemQuote = (Vec<(usize, usize)>, Option<String>);

/// Scores extracted quotes against the gold quotes of one article. Overlap is the Jaccard of
/// byte sets, both sides counted by their parts (a split quote's attribution belongs to
/// neither).
pub fn score_quotes(
    gold: &[crate::loaders::quotes::GoldQuote],
    not_quotes: &[(usize, usize)],
    sys: &[SystemQuote],
) -> QuoteCounts {
    let inter = |a: (usize, usize), b: (usize, usize)| a.1.min(b.1).saturating_sub(a.0.max(b.0));
    let jaccard = |g: &crate::loaders::quotes::GoldQuote, s: &[(usize, usize)]| {
        let i: usize = g
            .parts
            .iter()
            .flat_map(|&p| s.iter().map(move |&q| inter(p, q)))
            .sum();
        let len: usize = g.parts.iter().map(|p| p.1 - p.0).sum();
        let slen: usize = s.iter().map(|p| p.1 - p.0).sum();
        let u = len + slen - i;
        if u == 0 {
            0.0
        } else {
            i as f64 / u as f64
        }
    };
    let mut cells: Vec<(f64, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (si, s) in sys.iter().enumerate() {
            let j = jaccard(g, &s.0);
            if j > 0.0 {
                cells.push((j, gi, si));
            }
        }
    }
    cells.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_g, mut used_s) = (vec![false; gold.len()], vec![false; sys.len()]);
    let mut c = QuoteCounts {
        gold: gold.len(),
        system: sys.len(),
        ..QuoteCounts::default()
    };
    for (j, gi, si) in cells {
        if used_g[gi] || used_s[si] {
            continue;
        }
        used_g[gi] = true;
        used_s[si] = true;
        c.any += 1;
        if j >= 0.8 {
            c.overlap += 1;
            if same_speaker(gold[gi].speaker.as_deref(), sys[si].1.as_deref()) {
                c.speaker_ok += 1;
            }
        }
        if j >= 1.0 - 1e-12 {
            c.exact += 1;
        }
    }
    c.not_quote_hits = sys
        .iter()
        .filter(|s| {
            not_quotes
                .iter()
                .any(|&n| s.0.iter().any(|&p| inter(n, p) > 0))
        })
        .count();
    c
}

#[cfg(test)]
mod quote_scoring_tests {
    use super::*;
    use crate::loaders::quotes::GoldQuote;

    fn gold(parts: Vec<(usize, usize)>, speaker: Option<&str>) -> GoldQuote {
        GoldQuote {
            parts,
            speaker: speaker.map(str::to_string),
            kind: "direct".into(),
            sha: String::new(),
        }
    }

    #[test]
    fn spans_match_one_to_one_at_three_strictnesses() {
        let g = vec![
            gold(vec![(10, 60)], Some("Ana Ruiz")),
            gold(vec![(100, 120), (140, 160)], None),
            gold(vec![(200, 210)], Some("Tomas Beltran")),
        ];
        let s: Vec<SystemQuote> = vec![
            (vec![(10, 60)], Some("Ruiz".to_string())), // exact, surname only: right speaker
            (vec![(100, 120)], None),                   // half of a split quote: any, not overlap
            (vec![(100, 121)], None), // the same gold quote again: no second match
            (vec![(300, 320)], Some("X".into())), // nothing
            (vec![(205, 210)], Some("Beltran".into())), // 0.5 of the gold: any only
            (vec![(140, 160), (100, 120)], None), // both parts of a split quote: exact
        ];
        let c = score_quotes(&g, &[(300, 305)], &s);
        assert_eq!((c.gold, c.system), (3, 6));
        assert_eq!((c.exact, c.overlap, c.any), (2, 2, 3));
        assert_eq!(c.speaker_ok, 2);
        assert_eq!(c.not_quote_hits, 1);
    }

    #[test]
    fn speakers_agree_on_surnames_and_on_unknown() {
        assert!(same_speaker(Some("Ana Ruiz"), Some("ruiz")));
        assert!(same_speaker(None, None));
        assert!(!same_speaker(Some("Ana Ruiz"), None));
        assert!(!same_speaker(Some("Ana Ruiz"), Some("Beltran")));
    }
}
