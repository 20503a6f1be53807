//! Fits the decision model (`wiretrace::classify::DecisionModel`: derived? copy? light? same
//! event? related?) on the development data in ../shared/data, and only there, and reports it
//! out of fold.
//!
//! Examples (every pair the engine makes a candidate, with the features it computes today):
//! - Clough & Stevenson tasks a–c: each answer against its task's source (derived unless the
//!   answer is `non`; cut → copy, light → light, heavy → heavy; a `non` answer tells the same
//!   event), and answer against answer where one of them is `non` (not derived, same event).
//!   Two derived answers of one task are siblings: left out of the fit, reported.
//! - Webis-CPC-11: each rewrite against its original (derived, accepted or not). Sibling
//!   rewrites and other pairs are left out (the data overlaps itself in places).
//! - Reuters-21578: the first two members of each exact-duplicate group (a copy), and 200 pairs
//!   labelled by hand (`labels/reuters_lineage.tsv`: versions of one story, wire templates filled
//!   with other facts, independent reports).
//! - ECB+ topics 1–35: every candidate pair, as written and cut to its first sentences (same
//!   event when the sub-topics agree; related when only the topics do; not derived when they
//!   report different events — reports of one event include wire reprints: 200 of those pairs
//!   were read and labelled by hand, `labels/ecbplus_lineage.tsv`), and a sample of pairs from
//!   different topics whether or not they are candidates (not related).
//!
//! Each question is an L2 logistic regression, its penalty chosen by grouped out-of-fold log
//! loss (groups: Clough task, Webis original, ECB+ topic), calibrated by Platt scaling of its
//! out-of-fold scores. Every figure printed is out of fold: each example's probabilities come
//! from models (and Platt scalings) fitted without its group.
//!
//! Usage: `cargo run --release -p wiretrace-eval --example fit_decision -- [--data DIR]
//! [--semantic] [--write]`. `--semantic` computes the features with the embedding model and
//! writes `params_semantic.json`; otherwise `params.json`. Without `--write` nothing is written.
//! `--dump FILE` writes every labelled pair with its features as JSON lines, for analysis.
//! Run it after `fit` (it starts from the compiled-in parameters and replaces only `decision`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use wiretrace::classify::{grade, Answers, DecisionModel, Input, PairFeatures};
use wiretrace::params::PairParams;
use wiretrace::params::{Params, PARAMS, PARAMS_SEMANTIC};
use wiretrace::semantic::{Cached, Embedder};
use wiretrace::{Config, Engine, Relation};
use wiretrace_eval::calibration::{
    brier, ece, fit_question, is_monotone, log_loss, reliability, render_reliability, Example,
    Fitted,
};

use wiretrace::align::{ParaphraseModel, SentenceEvidence, SentenceInput};
use wiretrace::engine::sentence_as_features;
use wiretrace::fingerprint::CorpusStats;
use wiretrace_eval::loaders::{clough, ecbplus, msrp, reuters, webis};

const FOLDS: usize = 5;

/// What a labelled pair says about each question (`None`: the pair does not inform it).
#[derive(Debug, Clone, serde::Serialize)]
struct Row {
    set: &'static str,
    group: String,
    features: PairFeatures,
    lineage: Option<bool>,
    grade: Option<Relation>,
    same_event: Option<bool>,
    related: Option<bool>,
    /// Webis: whether the rewrite was accepted; Clough: the gold class; for the report.
    tag: &'static str,
    /// The two texts' ids.
    ids: (String, String),
    /// Sentences of the shorter text.
    sentences: usize,
}

impl Row {
    fn new(set: &'static str, group: String, features: PairFeatures, tag: &'static str) -> Self {
        Row {
            set,
            group,
            features,
            lineage: None,
            grade: None,
            same_event: None,
            related: None,
            tag,
            ids: Default::default(),
            sentences: 0,
        }
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let data = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| PathBuf::from("../shared/data"), PathBuf::from);
    let semantic = args.iter().any(|a| a == "--semantic");
    let mut params = if semantic {
        PARAMS_SEMANTIC.clone()
    } else {
        PARAMS.clone()
    };
    params.decision = None;
    params.paraphrase = None;
    let embedder = embedder(semantic)?;
    params.paraphrase = Some(fit_paraphrase(&data, embedder.as_ref().map(|e| &e.0))?);
    let engine = engine(&params, embedder);
    let mut rows = clough_rows(&data, &engine)?;
    rows.extend(webis_rows(&data, &engine)?);
    rows.extend(ecb_rows(&data, &engine)?);
    rows.extend(reuters_rows(&data, &engine)?);
    if let Some(path) = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
    {
        let lines: Vec<String> = rows
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?;
        std::fs::write(path, lines.join("\n") + "\n").with_context(|| format!("writing {path}"))?;
    }
    let (model, oof) = fit_tree(&rows)?;
    report(&rows, &oof, &params.pair);
    params.decision = Some(model);
    if args.iter().any(|a| a == "--write") {
        let path = wiretrace_eval::write_params(&params, semantic)?;
        eprintln!("wrote {}", path.display());
    } else {
        println!("{}", serde_json::to_string_pretty(&params.decision)?);
    }
    Ok(())
}

/// The sentence model (behind a cache) and the document model.
type Models = (Arc<dyn Embedder>, Arc<dyn Embedder>);

/// With `--semantic`, the models.
fn embedder(semantic: bool) -> Result<Option<Models>> {
    if !semantic {
        return Ok(None);
    }
    let root = wiretrace_semantic::install::cache_root(None);
    let (e, fast) =
        wiretrace_semantic::load_models(&root, true).context("loading the embedding model")?;
    Ok(Some((Arc::new(Cached::new(e)), Arc::new(fast))))
}

fn engine(params: &Params, models: Option<Models>) -> Engine {
    let (e, doc) = models.unzip();
    Engine::new(Config::from_params(params, e).with_doc_embedder(doc))
}

/// Step 1, the paraphrase model that scores sentence matches: STS news headlines 2013–2014
/// (a pair is the same claim at grade 4, "mostly equivalent", or 5) and MSRP train (its labels).
/// Grouped by STS file line and MSRP first sentence.
fn fit_paraphrase(data: &Path, embedder: Option<&Arc<dyn Embedder>>) -> Result<ParaphraseModel> {
    let mut pairs: Vec<(String, String, bool, String)> = Vec::new();
    for file in ["sts2013.headlines.tsv", "sts2014.headlines.tsv"] {
        let path = data.join("sts").join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let mut f = line.split('\t');
            let (Some(score), Some(a), Some(b)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let Ok(score) = score.trim().parse::<f64>() else {
                continue;
            };
            pairs.push((
                a.to_string(),
                b.to_string(),
                score >= 4.0,
                format!("{file}:{n}"),
            ));
        }
    }
    let set = msrp::load(&data.join("msrp")).context("loading MSRP")?;
    for p in &set.pairs {
        pairs.push((
            p.s1.clone(),
            p.s2.clone(),
            p.paraphrase,
            format!("msrp:{}", p.id1),
        ));
    }
    let examples = sentence_examples(&pairs, embedder)?;
    use SentenceInput::*;
    let mut inputs = vec![
        StemDice,
        StemContainment,
        TokenDice,
        RunShort,
        RunLong,
        NumberMismatch,
    ];
    if embedder.is_some() {
        inputs.push(Cosine);
    }
    let fit = fit_question(&inputs, &examples, FOLDS).context("fitting the paraphrase model")?;
    let y: Vec<bool> = examples.iter().map(|e| e.label).collect();
    let table = reliability(&fit.out_of_fold, &y, 10);
    let acc = fit
        .out_of_fold
        .iter()
        .zip(&y)
        .filter(|(p, y)| (**p >= 0.5) == **y)
        .count() as f64
        / y.len() as f64;
    println!(
        "## paraphrase (sentence pairs: STS headlines 2013-14 at grade >= 4, MSRP train): {} examples ({} yes), alpha {}\nout of fold: accuracy at 0.5 {:.3}, log loss {:.3}, Brier {:.3}, ECE {:.3}, monotone {}\n{}",
        y.len(), y.iter().filter(|&&v| v).count(), fit.alpha, acc,
        log_loss(&fit.out_of_fold, &y), brier(&fit.out_of_fold, &y), ece(&table), is_monotone(&table, 10), render_reliability(&table)
    );
    Ok(fit.model)
}

/// The sentence evidence of each pair (embeddings computed in batches).
fn sentence_examples(
    pairs: &[(String, String, bool, String)],
    embedder: Option<&Arc<dyn Embedder>>,
) -> Result<Vec<Example<SentenceEvidence>>> {
    let stats = CorpusStats::default();
    let mut vectors: HashMap<&str, wiretrace::semantic::Vector> = HashMap::new();
    if let Some(e) = embedder {
        let mut texts: Vec<&str> = pairs
            .iter()
            .flat_map(|p| [p.0.as_str(), p.1.as_str()])
            .collect();
        texts.sort_unstable();
        texts.dedup();
        for chunk in texts.chunks(256) {
            let vs = e.embed(chunk).map_err(anyhow::Error::msg)?;
            vectors.extend(chunk.iter().copied().zip(vs.into_iter().map(Into::into)));
        }
    }
    Ok(pairs
        .iter()
        .map(|(a, b, label, group)| {
            let mut fa = sentence_as_features(a, &stats);
            let mut fb = sentence_as_features(b, &stats);
            fa.embedding = vectors.get(a.as_str()).cloned();
            fb.embedding = vectors.get(b.as_str()).cloned();
            Example {
                features: SentenceEvidence::of(&fa, &fb),
                label: *label,
                group: group.clone(),
            }
        })
        .collect())
}

/// Candidate features of a small corpus, by unordered pair of indexes.
fn features_of(
    engine: &Engine,
    arts: &[wiretrace::Article],
) -> HashMap<(usize, usize), PairFeatures> {
    engine
        .candidate_features(arts)
        .into_iter()
        .map(|(a, b, f)| ((a.min(b), a.max(b)), f))
        .collect()
}

fn clough_rows(data: &Path, engine: &Engine) -> Result<Vec<Row>> {
    let cl = clough::load(&data.join("clough_stevenson")).context("loading Clough & Stevenson")?;
    let mut rows = Vec::new();
    for t in &cl.tasks {
        let mut arts = vec![t.source.to_article()];
        arts.extend(t.answers.iter().map(|a| a.text.to_article()));
        let feats = features_of(engine, &arts);
        for (k, a) in t.answers.iter().enumerate() {
            let Some(f) = feats.get(&(0, k + 1)) else {
                continue;
            };
            let mut r = Row::new("clough", t.task.clone(), *f, a.gold.as_str());
            r.ids = (t.source.id.clone(), a.text.id.clone());
            r.lineage = Some(a.gold.is_reused());
            r.grade = match a.gold {
                clough::CloughClass::Cut => Some(Relation::Copy),
                clough::CloughClass::Light => Some(Relation::LightRewrite),
                clough::CloughClass::Heavy => Some(Relation::HeavyRewrite),
                clough::CloughClass::Non => None,
            };
            r.same_event = (!a.gold.is_reused()).then_some(true);
            rows.push(r);
        }
        for (x, ax) in t.answers.iter().enumerate() {
            for (y, ay) in t.answers.iter().enumerate().skip(x + 1) {
                let Some(f) = feats.get(&(x + 1, y + 1)) else {
                    continue;
                };
                let both = ax.gold.is_reused() && ay.gold.is_reused();
                let mut r = Row::new(
                    "clough-answers",
                    t.task.clone(),
                    *f,
                    if both { "sibling" } else { "independent" },
                );
                r.ids = (ax.text.id.clone(), ay.text.id.clone());
                r.lineage = Some(both);
                r.same_event = (!both).then_some(true);
                rows.push(r);
            }
        }
    }
    Ok(rows)
}

fn webis_rows(data: &Path, engine: &Engine) -> Result<Vec<Row>> {
    let set = webis::load(&data.join("webis_cpc11")).context("loading Webis-CPC-11")?;
    let index: HashMap<&str, usize> = set
        .articles
        .iter()
        .enumerate()
        .map(|(k, a)| (a.id.as_str(), k))
        .collect();
    let feats = features_of(engine, &set.articles);
    let mut rows = Vec::new();
    for p in &set.pairs {
        let (a, b) = (index[p.original.as_str()], index[p.paraphrase.as_str()]);
        let f = feats.get(&(a.min(b), a.max(b))).copied();
        let tag = if p.accepted { "accepted" } else { "rejected" };
        // A gold pair the engine did not make a candidate is a miss, kept for the report only.
        let mut r = Row::new("webis", p.original.clone(), f.unwrap_or_default(), tag);
        r.ids = (p.original.clone(), p.paraphrase.clone());
        r.sentences = [a, b]
            .iter()
            .map(|&k| {
                wiretrace::text::Document::from_article(&set.articles[k])
                    .sentences
                    .len()
            })
            .min()
            .unwrap_or(0);
        if f.is_some() {
            r.lineage = Some(true);
        } else {
            r.tag = if p.accepted {
                "accepted, not a candidate"
            } else {
                "rejected, not a candidate"
            };
        }
        rows.push(r);
    }
    for (p, q) in &set.siblings {
        let (Some(&a), Some(&b)) = (index.get(p.as_str()), index.get(q.as_str())) else {
            continue;
        };
        if let Some(f) = feats.get(&(a.min(b), a.max(b))) {
            let mut r = Row::new("webis-siblings", p.clone(), *f, "sibling");
            r.ids = (p.clone(), q.clone());
            r.lineage = Some(true);
            rows.push(r);
        }
    }
    Ok(rows)
}

/// Reuters-21578: the first two members of each exact-duplicate group (bodies equal after
/// cleaning: a copy by definition, the copy question's only copies beyond Clough's few), and 200
/// pairs labelled by hand ([`REUTERS_LABELS`]).
fn reuters_rows(data: &Path, engine: &Engine) -> Result<Vec<Row>> {
    let set = reuters::load(&data.join("reuters21578")).context("loading Reuters-21578")?;
    let mut rows: Vec<Row> = set
        .exact_groups
        .iter()
        .filter(|g| g.len() >= 2)
        .map(|g| {
            let (a, b) = (&set.docs[g[0]], &set.docs[g[1]]);
            let f = engine.pair_features(&a.to_article(), &b.to_article());
            let mut r = Row::new("reuters", a.id(), f, "exact duplicate");
            r.ids = (a.id(), b.id());
            // Only the grade: as lineage examples they are trivially separable and would only
            // move the lineage question's base rate.
            r.grade = Some(Relation::Copy);
            r
        })
        .collect();
    let grades = grade_labels();
    let by_id: HashMap<String, &reuters::ReutersDoc> =
        set.docs.iter().map(|d| (d.id(), d)).collect();
    for line in REUTERS_LABELS.lines().skip(1) {
        let mut f = line.split('\t');
        let (Some(a), Some(b), Some(label)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let (Some(da), Some(db)) = (by_id.get(a), by_id.get(b)) else {
            continue;
        };
        let features = engine.pair_features(&da.to_article(), &db.to_article());
        let tag = match label {
            "derived" => "checked derived",
            "template" => "checked template",
            "independent" => "checked independent",
            _ => "checked unrelated",
        };
        let mut r = Row::new("reuters-checked", a.to_string(), features, tag);
        r.ids = (a.to_string(), b.to_string());
        r.lineage = Some(label == "derived");
        r.same_event = (label != "derived").then_some(label == "independent");
        r.grade = grades.get(&(a, b)).copied();
        rows.push(r);
    }
    Ok(rows)
}

/// Pairs of Reuters-21578 items read and labelled by hand: `derived` (a version of the other),
/// `template` (the same wire format filled with other facts: not derived), `independent` (one
/// event, own words), `unrelated`. Drawn from the pairs an early lineage model called derived
/// (the wire-template failure) and from its same-event pairs. Ours: ids only.
const REUTERS_LABELS: &str = include_str!("../labels/reuters_lineage.tsv");

/// ECB+ candidate pairs, once as written and once cut to their first [`LEAD`] sentences: the
/// derived examples (Webis) are short, and independent reports must be seen at that length too,
/// or a model learns the length of a text instead of its lineage.
fn ecb_rows(data: &Path, engine: &Engine) -> Result<Vec<Row>> {
    let ecb = ecbplus::load(&data.join("ecb_plus")).context("loading ECB+")?;
    let arts = ecb.articles();
    let leads: Vec<_> = arts.iter().map(lead).collect();
    let mut rows = ecb_pairs(&ecb.documents, engine.candidate_features(&arts), "");
    rows.extend(ecb_pairs(
        &ecb.documents,
        engine.candidate_features(&leads),
        " (lead)",
    ));
    rows.extend(ecb_pairs(
        &ecb.documents,
        other_topics(engine, &ecb.documents, &arts),
        " (sampled)",
    ));
    Ok(rows)
}

/// Pairs of reports from different topics drawn without regard to the candidates (every
/// [`SAMPLE_STEP`]-th pair of a fixed shuffle): blocking keeps few of them, and the related and
/// lineage questions must see unrelated pairs as they are.
fn other_topics(
    engine: &Engine,
    docs: &[ecbplus::EcbDocument],
    arts: &[wiretrace::Article],
) -> Vec<(usize, usize, PairFeatures)> {
    let n = arts.len();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .filter(|&(a, b)| docs[a].topic != docs[b].topic)
        .enumerate()
        .filter(|(k, _)| (*k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) % SAMPLE_STEP == 0)
        .map(|(_, p)| p)
        .collect();
    pairs
        .into_iter()
        .map(|(a, b)| (a, b, engine.pair_features(&arts[a], &arts[b])))
        .collect()
}

/// One cross-topic pair in this many is sampled (about a thousand of ECB+ 1–35's).
const SAMPLE_STEP: u64 = 400;

/// The lineage of a sample of ECB+ same-event pairs, read and labelled by hand (`derived`,
/// `family` or `independent`, with a note): 100 pairs drawn at random and 100 among the pairs
/// that share text, from topics 1–35. Ours, not the data set's: ids only.
const HAND_LABELS: &str = include_str!("../labels/ecbplus_lineage.tsv");

fn hand_labels() -> HashMap<(&'static str, &'static str), &'static str> {
    HAND_LABELS
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (a, b, label) = (f.next()?, f.next()?, f.next()?);
            Some([((a, b), label), ((b, a), label)])
        })
        .flatten()
        .collect()
}

/// How the shared text of the hand-labelled derived and family pairs (ECB+ and Reuters) was
/// reused, graded by hand (`copy`, `light_rewrite`, `heavy_rewrite`): the grade questions' only
/// news-length examples besides Reuters' exact duplicates.
const GRADE_LABELS: &str = include_str!("../labels/lineage_grades.tsv");

fn grade_labels() -> HashMap<(&'static str, &'static str), Relation> {
    GRADE_LABELS
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (a, b, grade) = (f.next()?, f.next()?, f.next()?);
            let g = match grade {
                "copy" => Relation::Copy,
                "light_rewrite" => Relation::LightRewrite,
                "heavy_rewrite" => Relation::HeavyRewrite,
                _ => return None,
            };
            Some([((a, b), g), ((b, a), g)])
        })
        .flatten()
        .collect()
}

/// Sentences an article is cut to for the short independent examples.
const LEAD: usize = 3;

fn lead(a: &wiretrace::Article) -> wiretrace::Article {
    let d = wiretrace::text::Document::from_article(a);
    let text: Vec<&str> = (0..d.sentences.len().min(LEAD))
        .map(|i| d.sentence_text(i))
        .collect();
    wiretrace::Article::new(a.id.clone(), text.join(" "))
}

fn ecb_pairs(
    docs: &[ecbplus::EcbDocument],
    feats: Vec<(usize, usize, PairFeatures)>,
    suffix: &str,
) -> Vec<Row> {
    let hand = hand_labels();
    let grades = grade_labels();
    feats
        .into_iter()
        .map(|(a, b, f)| {
            let same_sub = docs[a].subtopic == docs[b].subtopic;
            let same_topic = docs[a].topic == docs[b].topic;
            let tag = match (same_sub, same_topic, suffix) {
                (true, _, "") => "same event",
                (true, _, _) => "same event (lead)",
                (false, true, "") => "same topic",
                (false, true, _) => "same topic (lead)",
                (false, false, "") => "other topic",
                (false, false, " (lead)") => "other topic (lead)",
                (false, false, _) => "other topic (sampled)",
            };
            let mut r = Row::new("ecb+", docs[a].topic.clone(), f, tag);
            r.ids = (docs[a].doc_id.clone(), docs[b].doc_id.clone());
            // Reports of one event in ECB+ include wire reprints and versions of one wire
            // story: only the pairs checked by hand say what their lineage is; reports of
            // different events share none.
            let checked = suffix
                .is_empty()
                .then(|| hand.get(&(r.ids.0.as_str(), r.ids.1.as_str())))
                .flatten();
            r.lineage = match (same_sub, checked.copied()) {
                (false, _) => Some(false),
                (true, Some("derived" | "family")) => Some(true),
                (true, Some("independent")) => Some(false),
                (true, _) => None,
            };
            if checked.is_some_and(|c| *c != "independent") {
                r.grade = grades.get(&(r.ids.0.as_str(), r.ids.1.as_str())).copied();
            }
            if checked.is_some() {
                r.tag = match checked.copied() {
                    Some("independent") => "same event, checked independent",
                    Some("family") => "same event, checked family",
                    _ => "same event, checked derived",
                };
            }
            r.same_event = Some(same_sub);
            r.related = (!same_sub).then_some(same_topic);
            r
        })
        .collect()
}

/// Out-of-fold answers of each row (the final model's where the row did not take part in that
/// question's fit: it never saw the row either).
type OutOfFold = Vec<Answers>;

fn fit_tree(rows: &[Row]) -> Result<(DecisionModel, OutOfFold)> {
    use Input::*;
    // What describes the pair's text reuse, not its texts' lengths (those differ between the
    // sets: book excerpts, essays, news, and would teach the set instead of the lineage); and
    // whether the figures agree: a rewrite keeps them, a wire template filled with another
    // company's dividend does not. (Shared names were tried too: essays and book passages name
    // few, and they cost Clough's derived answers more than they saved on templates.)
    let lineage = [
        VerbatimShort,
        NearShort,
        ReuseShort,
        MeanSimilarity,
        Containment,
        Cosine,
        Semantic,
        LineageChain,
        LineageCover,
        LineageStrength,
        OrderEvidence,
        NumberAgreement,
    ];
    let topic = [Cosine, Semantic, EntityOverlap];
    let q_lineage = question("lineage (shared text)", rows, &lineage, |r| r.lineage)?;
    grade_questions(rows)?;
    let q_event = question("same event (no lineage)", rows, &topic, |r| r.same_event)?;
    let q_related = question("related (no lineage, other event)", rows, &topic, |r| {
        r.related
    })?;
    let model = DecisionModel {
        note: "Fitted by `cargo run --release -p wiretrace-eval --example fit_decision` on development data only. Lineage: Clough & Stevenson a-c (answer vs source; answer vs answer), Webis-CPC-11 (rewrite vs original; sibling rewrites), ECB+ 1-35 (different-event candidate pairs, as written and cut to 3 sentences; 200 same-event pairs labelled by hand) and 200 Reuters-21578 pairs labelled by hand (wire templates are not derived). Same event and related: ECB+ 1-35 sub-topics and topics, Clough's non-derived answers, Reuters' hand-labelled pairs. The grade of shared text is the parameters' fitted rungs. L2 logistic regressions, penalty by grouped 5-fold out-of-fold log loss, Platt scaling fitted on out-of-fold scores.".into(),
        lineage: q_lineage.0.model.clone(),
        same_event: q_event.0.model.clone(),
        related: q_related.0.model.clone(),
    };
    let (l, e, r) = (
        spread(rows, &q_lineage),
        spread(rows, &q_event),
        spread(rows, &q_related),
    );
    let oof = (0..rows.len())
        .map(|k| Answers {
            lineage: l[k],
            same_event: e[k],
            related: r[k],
        })
        .collect();
    Ok((model, oof))
}

/// The grade questions (copy? light?), fitted and reported out of fold but not kept: Clough's
/// "cut" answers and the news pairs graded by hand disagree on where a copy ends (fitted on
/// both, the model calls the demo's and the news' light rewrites copies, or Clough's cut answers
/// light ones), so the engine grades by the parameters' fitted rungs until the labels agree.
fn grade_questions(rows: &[Row]) -> Result<()> {
    use Input::*;
    let grade = [
        VerbatimShort,
        NearShort,
        ParaphraseShort,
        Containment,
        MeanSimilarity,
        LineageStrength,
    ];
    question("copy (lineage; report only)", rows, &grade, |r| {
        r.grade.map(|g| g == Relation::Copy)
    })?;
    question(
        "light (lineage, not copy; report only)",
        rows,
        &grade,
        |r| {
            r.grade
                .filter(|&g| g != Relation::Copy)
                .map(|g| g == Relation::LightRewrite)
        },
    )?;
    Ok(())
}

/// Fits one question on the rows that inform it and prints its out-of-fold calibration.
fn question(
    name: &str,
    rows: &[Row],
    inputs: &[Input],
    label: impl Fn(&Row) -> Option<bool>,
) -> Result<(Fitted<Input>, Vec<usize>)> {
    let used: Vec<usize> = (0..rows.len())
        .filter(|&k| label(&rows[k]).is_some())
        .collect();
    let examples: Vec<Example<PairFeatures>> = used
        .iter()
        .map(|&k| Example {
            features: rows[k].features,
            label: label(&rows[k]).unwrap_or(false),
            group: format!("{}:{}", rows[k].set, rows[k].group),
        })
        .collect();
    let fit = fit_question(inputs, &examples, FOLDS).with_context(|| format!("fitting {name}"))?;
    let y: Vec<bool> = examples.iter().map(|e| e.label).collect();
    let table = reliability(&fit.out_of_fold, &y, 10);
    println!(
        "\n## {name}: {} examples ({} yes), {} folds, alpha {}\nout of fold: log loss {:.3}, Brier {:.3}, ECE {:.3}, reliability monotone (bins of >= 10): {}\n{}",
        y.len(),
        y.iter().filter(|&&v| v).count(),
        fit.folds,
        fit.alpha,
        log_loss(&fit.out_of_fold, &y),
        brier(&fit.out_of_fold, &y),
        ece(&table),
        is_monotone(&table, 10),
        render_reliability(&table)
    );
    let weights: Vec<String> = inputs
        .iter()
        .zip(&fit.model.weights)
        .map(|(i, w)| format!("{i:?} {w:+.2}"))
        .collect();
    println!("weights (standardised inputs): {}", weights.join(", "));
    Ok((fit, used))
}

/// A question's probability for every row: out of fold where the row took part in its fit.
fn spread(rows: &[Row], q: &(Fitted<Input>, Vec<usize>)) -> Vec<f64> {
    let mut p: Vec<f64> = rows
        .iter()
        .map(|r| q.0.model.probability(&r.features))
        .collect();
    for (n, &k) in q.1.iter().enumerate() {
        p[k] = q.0.out_of_fold[n];
    }
    p
}

/// Each row with its out-of-fold relation, and the share of chosen rows whose relation is a hit.
struct Figures<'a> {
    rows: &'a [Row],
    rel: Vec<Relation>,
}

impl Figures<'_> {
    fn share(&self, pick: impl Fn(&Row) -> bool, hit: impl Fn(Relation) -> bool) -> String {
        let idx: Vec<usize> = (0..self.rows.len())
            .filter(|&k| pick(&self.rows[k]))
            .collect();
        let n = idx.iter().filter(|&&k| hit(self.rel[k])).count();
        format!(
            "{}/{} = {:.3}",
            n,
            idx.len(),
            n as f64 / idx.len().max(1) as f64
        )
    }

    fn line(&self, what: &str, pick: impl Fn(&Row) -> bool, hit: impl Fn(Relation) -> bool) {
        println!("{what}: {}", self.share(pick, hit));
    }
}

/// The development figures, out of fold, per set.
fn report(rows: &[Row], oof: &OutOfFold, rungs: &PairParams) {
    let rel = (0..rows.len())
        .map(|k| {
            if rows[k].tag.ends_with("not a candidate") {
                Relation::Unrelated
            } else {
                oof[k].decide(grade(&rows[k].features, rungs)).0
            }
        })
        .collect();
    let f = Figures { rows, rel };
    println!(
        "\n## Out-of-fold development figures (relation = each question's more probable answer)"
    );
    clough_report(&f);
    webis_report(&f);
    ecb_report(&f);
    f.line(
        "Reuters exact-duplicate pairs called copy",
        |r| r.set == "reuters",
        |x| x == Relation::Copy,
    );
    f.line(
        "Reuters hand-checked template pairs called derived",
        |r| r.tag == "checked template",
        Relation::is_derivation,
    );
    f.line(
        "Reuters hand-checked independent pairs called derived",
        |r| r.tag == "checked independent",
        Relation::is_derivation,
    );
    f.line(
        "Reuters hand-checked derived pairs called derived",
        |r| r.tag == "checked derived",
        Relation::is_derivation,
    );
}

fn clough_report(f: &Figures) {
    let grade_of = |r: &Row| match r.tag {
        "cut" => Relation::Copy,
        "light" => Relation::LightRewrite,
        "heavy" => Relation::HeavyRewrite,
        _ => Relation::SameEvent,
    };
    let idx: Vec<usize> = (0..f.rows.len())
        .filter(|&k| f.rows[k].set == "clough")
        .collect();
    let right4 = |k: usize| {
        let g = grade_of(&f.rows[k]);
        if Relation::is_derivation(g) {
            f.rel[k] == g
        } else {
            !Relation::is_derivation(f.rel[k])
        }
    };
    let acc4 = idx.iter().filter(|&&k| right4(k)).count();
    let acc2 = idx
        .iter()
        .filter(|&&k| {
            Relation::is_derivation(grade_of(&f.rows[k])) == Relation::is_derivation(f.rel[k])
        })
        .count();
    let n = idx.len().max(1) as f64;
    println!("Clough a-c (answer vs source, candidates): 4-class accuracy {:.3}, 2-class {:.3} ({} answers)", acc4 as f64 / n, acc2 as f64 / n, idx.len());
    f.line(
        "Clough answer vs source called derived",
        |r| r.set == "clough" && r.tag != "non",
        Relation::is_derivation,
    );
    f.line(
        "Clough answer pairs with a non-derived answer called derived",
        |r| r.set == "clough-answers" && r.tag == "independent",
        Relation::is_derivation,
    );
    f.line(
        "Clough sibling answer pairs called derived (families are not told apart yet)",
        |r| r.set == "clough-answers" && r.tag == "sibling",
        Relation::is_derivation,
    );
}

fn webis_report(f: &Figures) {
    for name in ["accepted", "rejected"] {
        f.line(
            &format!("Webis {name} rewrites called derived"),
            |r| r.set == "webis" && r.tag.starts_with(name),
            Relation::is_derivation,
        );
        for (len, short) in [("1-2 sentences", true), ("3+ sentences", false)] {
            let pick = |r: &Row| {
                r.set == "webis" && r.tag.starts_with(name) && (r.sentences <= 2) == short
            };
            f.line(&format!("  {len}"), pick, Relation::is_derivation);
        }
    }
    f.line(
        "Webis sibling rewrites called derived",
        |r| r.set == "webis-siblings",
        Relation::is_derivation,
    );
    let arrows = (0..f.rows.len())
        .filter(|&k| f.rows[k].set.starts_with("webis") && Relation::is_derivation(f.rel[k]))
        .count();
    let right = (0..f.rows.len())
        .filter(|&k| f.rows[k].set == "webis" && Relation::is_derivation(f.rel[k]))
        .count();
    println!("Webis precision of derived (gold pairs among gold and sibling pairs called derived): {right}/{arrows} = {:.3}", right as f64 / arrows.max(1) as f64);
}

fn ecb_report(f: &Figures) {
    let ecb = |r: &Row| r.set == "ecb+";
    f.line(
        "ECB+ hand-checked independent same-event pairs called derived",
        |r| r.tag == "same event, checked independent",
        Relation::is_derivation,
    );
    f.line(
        "ECB+ hand-checked derived pairs called derived",
        |r| r.tag == "same event, checked derived",
        Relation::is_derivation,
    );
    f.line(
        "ECB+ hand-checked family pairs called derived (families are not told apart yet)",
        |r| r.tag == "same event, checked family",
        Relation::is_derivation,
    );
    f.line(
        "ECB+ same-event candidate pairs (unchecked) called derived",
        |r| ecb(r) && r.tag == "same event",
        Relation::is_derivation,
    );
    f.line(
        "ECB+ different-event candidate pairs called derived",
        |r| ecb(r) && !r.tag.starts_with("same event"),
        Relation::is_derivation,
    );
    f.line(
        "ECB+ same-event pairs called same_event",
        |r| ecb(r) && r.tag.starts_with("same event") && !r.tag.contains("lead"),
        |x| x == Relation::SameEvent,
    );
    f.line(
        "ECB+ other-topic candidate pairs called unrelated",
        |r| ecb(r) && r.tag == "other topic",
        |x| x == Relation::Unrelated,
    );
    f.line(
        "ECB+ sampled other-topic pairs called unrelated",
        |r| ecb(r) && r.tag == "other topic (sampled)",
        |x| x == Relation::Unrelated,
    );
}
