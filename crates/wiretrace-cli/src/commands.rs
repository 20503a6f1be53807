//! One function per subcommand; each returns the process exit code or an error with context.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use wiretrace::read::{read_paths, Limits, ReadOutcome};
use wiretrace::report::{render_dot, render_text, ReportOptions};
use wiretrace::{Article, Engine};

/// How to print an analysis.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub dot: bool,
    pub show_pairs: usize,
}

pub fn demo(out: &Output, color: bool) -> Result<ExitCode> {
    let articles = wiretrace::demo::articles();
    run(articles, ReadOutcome::default(), out, color)
}

pub fn analyze(paths: &[PathBuf], out: &Output, color: bool) -> Result<ExitCode> {
    let spinner = progress("reading inputs");
    let mut outcome = read_paths(paths, Limits::default());
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
    run(articles, outcome, out, color)
}

fn run(
    articles: Vec<Article>,
    outcome: ReadOutcome,
    out: &Output,
    color: bool,
) -> Result<ExitCode> {
    let spinner = if articles.len() >= 2000 {
        progress(&format!("analysing {} articles", articles.len()))
    } else {
        None
    };
    let engine = Engine::default();
    let mut analysis = engine.analyze(articles.clone());
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    analysis.skipped = outcome.skipped.clone();
    analysis.warnings = outcome.warnings.clone();
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if out.json {
        serde_json::to_writer_pretty(&mut w, &analysis).context("writing JSON")?;
        writeln!(w).context("writing JSON")?;
    } else if out.dot {
        w.write_all(render_dot(&analysis).as_bytes())
            .context("writing DOT")?;
    } else {
        let opts = ReportOptions {
            color,
            aligned_pairs: out.show_pairs,
            ..ReportOptions::default()
        };
        w.write_all(render_text(&analysis, &articles, opts).as_bytes())
            .context("writing report")?;
    }
    w.flush().context("writing output")?;
    summary(&outcome);
    Ok(ExitCode::SUCCESS)
}

/// The end-of-run summary on stderr: every skipped input and every warning, with its reason.
fn summary(outcome: &ReadOutcome) {
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

fn progress(msg: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    Some(pb)
}

pub fn eval(dataset: &str, data: Option<&Path>, json: bool) -> Result<ExitCode> {
    let which: wiretrace_eval::Dataset = dataset.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let shared = Path::new("../shared/data");
    let engine = Engine::default();
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
