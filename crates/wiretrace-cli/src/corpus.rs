//! The commands over a stored corpus (`--db`): `ingest`, `stats`, `report`, `check`, `reindex`.
//! Each opens the store, calls `wiretrace-store`, and prints what `analyze` would print for the
//! same question.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use wiretrace::input::{read_paths_as, Format, Limits, ReadOutcome};
use wiretrace_store::{IngestOptions, Progress, Store};

use crate::commands::{engine, print_analysis, summary, ModelChoice, Output};

/// What to ingest.
pub struct IngestArgs<'a> {
    pub paths: &'a [PathBuf],
    pub demo: bool,
    pub format: Option<Format>,
    pub batch_size: usize,
    pub max_drift: f64,
    pub json: bool,
}

pub fn ingest(db: &Path, args: &IngestArgs<'_>, model: &ModelChoice) -> Result<ExitCode> {
    let (outcome, articles) = read_for_ingest(args)?;
    let mut store = open_store(db, true)?;
    let engine = store_engine(&store, model)?;
    let bar = ingest_bar();
    let mut on_progress = |p: Progress| {
        if let Some(pb) = &bar {
            match p {
                Progress::Start { new } => {
                    pb.set_length(new as u64);
                    pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                Progress::Committed { done, .. } => pb.set_position(done as u64),
            }
        }
    };
    let options = IngestOptions {
        batch_size: args.batch_size,
        max_drift: args.max_drift,
    };
    let done = store
        .ingest(&engine, articles, &options, &mut on_progress)
        .with_context(|| format!("ingesting into {}", db.display()))?;
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    let stats = store.stats().context("reading the store")?;
    report_ingest(
        &db.display().to_string(),
        &done,
        &stats,
        &outcome,
        args.json,
    )
}

/// `ingest --server`: the same inputs, stored by a running `wiretrace serve`.
pub fn ingest_remote(url: &str, token: Option<String>, args: &IngestArgs<'_>) -> Result<ExitCode> {
    let Some(token) = token else {
        bail!("--server needs the server's token: --token or WIRETRACE_TOKEN (a server started without --token takes no writes)");
    };
    let server = crate::remote::Server::new(url, token)?;
    let (outcome, articles) = read_for_ingest(args)?;
    let bar = ingest_bar();
    if let Some(pb) = &bar {
        pb.set_length(articles.len() as u64);
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    let (done, stats) = server.ingest(&articles, args.batch_size, &mut |sent| {
        if let Some(pb) = &bar {
            pb.set_position(sent as u64);
        }
    })?;
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    let Some(stats) = stats else {
        bail!("{url} answered no batch");
    };
    report_ingest(url, &done, &stats, &outcome, args.json)
}

/// The inputs of an ingest, the demo corpus first when asked for; an error when nothing is
/// readable (after saying what was skipped and why).
fn read_for_ingest(args: &IngestArgs<'_>) -> Result<(ReadOutcome, Vec<wiretrace::Article>)> {
    let mut outcome = if args.paths.is_empty() {
        ReadOutcome::default()
    } else {
        read_paths_as(args.paths, Limits::default(), args.format)
    };
    let mut articles = std::mem::take(&mut outcome.articles);
    if args.demo {
        articles.splice(0..0, wiretrace::demo::articles());
    }
    if articles.is_empty() {
        summary(&outcome);
        bail!(
            "nothing to ingest: no readable article in {} input(s)",
            args.paths.len()
        );
    }
    Ok((outcome, articles))
}

/// A bar on a terminal; nothing when stderr is a pipe or a file (the summary says it all).
fn ingest_bar() -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::hidden();
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} new articles ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    })
}

/// What an ingest did, the same whether this process or a server stored the articles: one
/// JSON line with `--json`, and the summary on stderr.
fn report_ingest(
    target: &str,
    done: &wiretrace_store::IngestSummary,
    stats: &wiretrace_store::StoreStats,
    outcome: &ReadOutcome,
    json: bool,
) -> Result<ExitCode> {
    if json {
        let v = serde_json::json!({"ingest": done, "store": stats, "skipped": outcome.skipped});
        writeln!(std::io::stdout(), "{v}").context("writing JSON")?;
    }
    let mut e = std::io::stderr().lock();
    let _ = writeln!(
        e,
        "{target}: {} new article(s), {} already stored, {} refused; {} pair(s) scored in {} batch(es). The store holds {} articles, {} pairs, {} stories, {} quotes.",
        done.added,
        done.known,
        done.refused.len(),
        done.scored_pairs,
        done.batches,
        stats.articles,
        stats.pairs,
        stats.stories,
        stats.quotes
    );
    for r in &done.refused {
        let _ = writeln!(e, "  refused {}: {}", r.input, r.reason);
    }
    drop(e);
    summary(outcome);
    Ok(ExitCode::SUCCESS)
}

/// Opens a store (`create`: or makes a new one), saying first on stderr when it will be
/// upgraded to this binary's schema: the upgrade runs once, inside the command, and on a store
/// of a million articles takes minutes (schema 6 rewrites every pair), so a silent wait would
/// look like a hang.
fn open_store(db: &Path, create: bool) -> Result<Store> {
    let latest = wiretrace_store::schema::LATEST;
    if let Ok(Some(v)) = Store::version_at(db) {
        if v < latest {
            let _ = writeln!(
                std::io::stderr(),
                "note: upgrading {} from schema {v} to {latest} (once; minutes for millions of articles)",
                db.display()
            );
        }
    }
    if create {
        Store::create(db).with_context(|| format!("opening {}", db.display()))
    } else {
        // The store's own errors already name the file and what to do.
        Ok(Store::open(db)?)
    }
}

pub fn stats(db: &Path, json: bool) -> Result<ExitCode> {
    let store = open_store(db, false)?;
    let s = store.stats().context("reading the store")?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&s).context("stats as JSON")?
        )?;
    } else {
        writeln!(out, "store:          {}", db.display())?;
        writeln!(out, "schema version: {}", s.schema_version)?;
        writeln!(out, "articles:       {}", s.articles)?;
        writeln!(out, "pairs:          {}", s.pairs)?;
        writeln!(out, "stories:        {}", s.stories)?;
        writeln!(out, "quotes:         {}", s.quotes)?;
        writeln!(out, "parameters:     {}", s.parameters)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn report(db: &Path, out: &Output, color: bool) -> Result<ExitCode> {
    let store = open_store(db, false)?;
    let analysis = store.analysis().context("reading the store")?;
    // The terminal report quotes sentences; JSON and DOT need no text.
    let articles = if out.json || out.dot {
        Vec::new()
    } else {
        store.articles().context("reading the store")?
    };
    print_analysis(&analysis, &articles, out, color)?;
    Ok(ExitCode::SUCCESS)
}

pub fn check(
    db: &Path,
    file: &Path,
    format: Option<Format>,
    out: &Output,
    color: bool,
    model: &ModelChoice,
) -> Result<ExitCode> {
    let store = open_store(db, false)?;
    let mut outcome = read_paths_as(&[file.to_path_buf()], Limits::default(), format);
    let mut articles = std::mem::take(&mut outcome.articles);
    if articles.len() != 1 {
        summary(&outcome);
        bail!(
            "{} holds {} articles; check takes one",
            file.display(),
            articles.len()
        );
    }
    let article = articles.remove(0);
    let engine = store_engine(&store, model)?;
    let analysis = store
        .check(&engine, article.clone())
        .with_context(|| format!("checking against {}", db.display()))?;
    let articles = if out.json || out.dot {
        Vec::new()
    } else {
        // The stored matches, and the checked article (the one the store does not hold; its
        // id may have been renamed apart from a stored one).
        let mut shown = Vec::new();
        for s in &analysis.articles {
            match store.article(&s.id).context("reading the store")? {
                Some(a) => shown.push(a),
                None => shown.push(wiretrace::Article {
                    id: s.id.clone(),
                    ..article.clone()
                }),
            }
        }
        shown
    };
    print_analysis(&analysis, &articles, out, color)?;
    summary(&outcome);
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds a store under the current parameters from the articles it holds: a fresh store is
/// built beside it and replaces it only when complete.
pub fn reindex(db: &Path, batch_size: usize, model: &ModelChoice) -> Result<ExitCode> {
    let articles = open_store(db, false)?
        .articles()
        .context("reading the store")?;
    let fresh = sibling(db, "reindex");
    remove_store_files(&fresh)?;
    let engine = engine(model);
    let n = articles.len();
    {
        let mut store = Store::create(&fresh)?;
        store
            .ingest(
                &engine,
                articles,
                &IngestOptions {
                    batch_size,
                    ..IngestOptions::default()
                },
                &mut |_| {},
            )
            .with_context(|| format!("rebuilding into {}", fresh.display()))?;
        // The batches scored their pairs as the corpus grew; one last pass under the final
        // statistics makes the rebuilt store's report exactly `analyze`'s.
        store
            .refresh(&engine)
            .with_context(|| format!("rescoring {}", fresh.display()))?;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(db, suffix));
    }
    std::fs::rename(&fresh, db)
        .with_context(|| format!("replacing {} with {}", db.display(), fresh.display()))?;
    let _ = writeln!(
        std::io::stderr(),
        "{}: rebuilt from its {n} article(s) with the current parameters",
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `db` with a suffix: `x.db` → `x.db-wal`, or `x.db.reindex` for a word.
fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    if !suffix.starts_with('-') {
        s.push(".");
    }
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_store_files(db: &Path) -> Result<()> {
    for p in [db.to_path_buf(), sibling(db, "-wal"), sibling(db, "-shm")] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", p.display())),
        }
    }
    Ok(())
}

/// The engine for work on a store: the one the store was built with. A store built lexically
/// (`--no-model`) stays lexical without the flag being repeated on every command — otherwise
/// a plain `serve` or `check` would load the model only to have every write and check refused
/// for its other parameters. A store built with the model needs it: without it, ingest and
/// check refuse with the store's own error (which names the rebuild command).
fn store_engine(store: &Store, model: &ModelChoice) -> Result<wiretrace::Engine> {
    match built_with_model(store)? {
        Some(false) if model.enabled => {
            let _ = writeln!(
                std::io::stderr(),
                "note: {} was built without the semantic model (--no-model), so it is used lexically; `wiretrace reindex --db {}` rebuilds it with the model",
                store.path().display(),
                store.path().display()
            );
            Ok(wiretrace::Engine::default())
        }
        _ => Ok(engine(model)),
    }
}

/// Whether the store's pairs were scored with the sentence model (`None`: nothing stored yet).
fn built_with_model(store: &Store) -> Result<Option<bool>> {
    Ok(store
        .parameters()
        .context("reading the store's parameters")?
        .map(|p| !p["model"].is_null()))
}

/// `wiretrace refresh`: every pair rescored under the current statistics, in one transaction.
pub fn refresh(db: &Path, json: bool, model: &ModelChoice) -> Result<ExitCode> {
    let mut store = open_store(db, false)?;
    let engine = store_engine(&store, model)?;
    let t = std::time::Instant::now();
    let scored = store
        .refresh(&engine)
        .with_context(|| format!("refreshing {}", db.display()))?;
    let seconds = t.elapsed().as_secs_f64();
    let stats = store.stats().context("reading the store")?;
    if json {
        let v = serde_json::json!({"refresh": {"scored_pairs": scored, "seconds": seconds}, "store": stats});
        writeln!(std::io::stdout(), "{v}").context("writing JSON")?;
    }
    let _ = writeln!(
        std::io::stderr(),
        "{}: {scored} pair(s) scored again in {seconds:.1} s. The store holds {} articles, {} pairs, {} stories, {} quotes.",
        db.display(),
        stats.articles,
        stats.pairs,
        stats.stories,
        stats.quotes
    );
    Ok(ExitCode::SUCCESS)
}

/// What `wiretrace serve` takes besides the store and the address.
pub struct ServeArgs {
    pub token: Option<String>,
    pub max_body_mb: usize,
    pub max_drift: f64,
}

pub fn serve(db: &Path, addr: &str, args: ServeArgs, model: &ModelChoice) -> Result<ExitCode> {
    let ServeArgs {
        token,
        max_body_mb,
        max_drift,
    } = args;
    // A missing or foreign store is an error before anything listens.
    let store = open_store(db, false)?;
    let engine = store_engine(&store, model)?;
    if !model.enabled && built_with_model(&store)? == Some(true) {
        let _ = writeln!(
            std::io::stderr(),
            "note: {} was built with the semantic model and this server runs without it (--no-model): reading works, checks and writes will be refused",
            db.display()
        );
    }
    drop(store);
    let writes = if token.is_some() {
        "writes with the bearer token"
    } else {
        "read-only: no --token"
    };
    let config = wiretrace_server::ServerConfig {
        token,
        max_body: max_body_mb << 20,
        max_drift,
        ..wiretrace_server::ServerConfig::new(db.to_path_buf())
    };
    wiretrace_server::run(addr, config, engine, |bound| {
        let _ = writeln!(
            std::io::stderr(),
            "serving {} on http://{bound} ({writes}); Ctrl-C stops",
            db.display()
        );
    })
    .with_context(|| format!("serving on {addr}"))?;
    Ok(ExitCode::SUCCESS)
}
