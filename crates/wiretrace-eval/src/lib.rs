//! wiretrace-eval: measures the wiretrace engine on public evaluation sets — the library behind
//! `wiretrace eval DATASET [--data DIR] [--json]`.
//!
//! * [`dataset`]: the data set names and their default folders;
//! * [`loaders`]: one tolerant reader per corpus format (never panics on dirty input);
//! * [`metrics`]: accuracy, F1, confusion matrices, B³, adjusted Rand index, Pearson r;
//! * [`runners`]: run the engine as `analyze` would and score it, one runner per data set;
//! * [`report`]: [`DatasetReport`], its JSON line and the text table.
//!
//! ```no_run
//! use std::path::Path;
//! use wiretrace::Engine;
//! use wiretrace_eval::{render_table, run, Dataset};
//!
//! let reports = run(Dataset::All, None, Path::new("../shared/data"), &Engine::default())?;
//! print!("{}", render_table(&reports));
//! # anyhow::Ok(())
//! ```
#![warn(missing_docs)]

pub mod calibration;
pub mod dataset;
pub mod loaders;
pub mod metrics;
pub mod report;
pub mod runners;
pub mod webis;

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use wiretrace::Engine;

pub use dataset::Dataset;
pub use report::{render_table, DatasetReport, MetricRow, Table};

/// Writes a fitted parameter set into the engine's source tree: `params_semantic.json` for a
/// semantic fit, else `params.json` (the fitting programs' `--write`). Returns the path.
pub fn write_params(params: &wiretrace::params::Params, semantic: bool) -> Result<PathBuf> {
    let file = if semantic {
        "params_semantic.json"
    } else {
        "params.json"
    };
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../wiretrace/src")
        .join(file);
    let json = serde_json::to_string_pretty(params)? + "\n";
    std::fs::write(&out, json).map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
    Ok(out)
}

/// Runs `dataset` (each single data set in turn for [`Dataset::All`]) and returns one report per
/// data set.
///
/// Folders: for a single data set, `data` is its folder, defaulting to
/// `shared_root/<folder>`; for `All`, `data` (if given) replaces `shared_root` as the parent of
/// the default folders. Every folder is checked before anything runs, so `all` fails fast
/// naming the missing path; a missing file inside a folder fails with the file and folder.
pub fn run(
    dataset: Dataset,
    data: Option<&Path>,
    shared_root: &Path,
    engine: &Engine,
) -> Result<Vec<DatasetReport>> {
    plan(dataset, data, shared_root)?
        .into_iter()
        .map(|(d, dir)| run_one(d, &dir, engine))
        .collect()
}

/// The `(data set, folder)` pairs [`run`] would evaluate, after checking the folders exist.
/// Lets a caller run them one by one (e.g. to print each JSON line as soon as it is ready).
pub fn plan(
    dataset: Dataset,
    data: Option<&Path>,
    shared_root: &Path,
) -> Result<Vec<(Dataset, PathBuf)>> {
    let mut out = Vec::new();
    for single in dataset.expand() {
        let Some(folder) = single.folder() else {
            continue; // unreachable: expand() yields single data sets only
        };
        let dir = match (dataset, data) {
            (Dataset::All, Some(root)) => root.join(folder),
            (Dataset::All, None) => shared_root.join(folder),
            (_, Some(dir)) => dir.to_path_buf(),
            (_, None) => shared_root.join(folder),
        };
        if !dir.is_dir() {
            let hint = if dataset == Dataset::All {
                "`eval all` expects the data set folders under one directory"
            } else {
                "pass --data DIR to point at it"
            };
            bail!("{single}: data folder {} not found ({hint})", dir.display());
        }
        out.push((single, dir));
    }
    Ok(out)
}

/// Evaluates one single data set from `dir`.
pub fn run_one(dataset: Dataset, dir: &Path, engine: &Engine) -> Result<DatasetReport> {
    match dataset {
        Dataset::Msrp => runners::run_msrp(engine, dir),
        Dataset::EcbPlus => runners::run_ecbplus(engine, dir),
        Dataset::Semeval8 => runners::run_semeval8(engine, dir),
        Dataset::Clough => runners::run_clough(engine, dir),
        Dataset::Reuters => runners::run_reuters(engine, dir),
        Dataset::Quotes => runners::run_quotes(engine, dir),
        Dataset::Webis => webis::run_webis(engine, dir),
        Dataset::All => bail!("run_one takes a single data set; use run() for `all`"),
    }
}

/// The data root a development program (the `examples/`) was pointed at: the value after
/// `--data` in `args` (the program's arguments, as `std::env::args()` gives them), else
/// [`default_data_dir`].
pub fn data_dir_arg(args: &[String]) -> PathBuf {
    args.iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map_or_else(default_data_dir, PathBuf::from)
}

/// `../shared/data` relative to the workspace root (this crate is `crates/wiretrace-eval` in
/// it), wherever the program is run from.
pub fn default_data_dir() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = crate_dir.ancestors().nth(2).unwrap_or(crate_dir);
    workspace.join("../shared/data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_arg_takes_the_value_after_data_else_the_shared_folder() {
        let args = |v: &[&str]| v.iter().map(|a| (*a).to_string()).collect::<Vec<_>>();
        assert_eq!(
            data_dir_arg(&args(&["fit", "--semantic", "--data", "/d", "--write"])),
            PathBuf::from("/d")
        );
        let default = default_data_dir();
        assert!(default.ends_with("../shared/data"), "{}", default.display());
        assert_eq!(data_dir_arg(&args(&["fit", "--write"])), default);
        assert_eq!(data_dir_arg(&args(&["fit", "--data"])), default);
    }

    #[test]
    fn plan_resolves_folders() {
        let root = tempfile::tempdir().expect("tempdir");
        for d in Dataset::SINGLE {
            std::fs::create_dir_all(root.path().join(d.folder().expect("single"))).expect("mkdir");
        }
        let all = plan(Dataset::All, None, root.path()).expect("all present");
        assert_eq!(all.len(), Dataset::SINGLE.len());
        assert_eq!(all.last(), Some(&(Dataset::Quotes, root.path().join("."))));
        assert_eq!(all[1], (Dataset::EcbPlus, root.path().join("ecb_plus")));

        let via_data = plan(Dataset::All, Some(root.path()), Path::new("/nope")).expect("root");
        assert_eq!(via_data.len(), Dataset::SINGLE.len());

        let custom = root.path().join("msrp");
        let one = plan(Dataset::Clough, Some(&custom), Path::new("/nope")).expect("custom dir");
        assert_eq!(one, vec![(Dataset::Clough, custom)]);
    }

    #[test]
    fn plan_names_the_missing_folder() {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(root.path().join("msrp")).expect("mkdir");
        let err = plan(Dataset::All, None, root.path()).expect_err("ecb_plus missing");
        let msg = err.to_string();
        assert!(
            msg.starts_with("ecbplus:") && msg.contains("ecb_plus"),
            "{msg}"
        );

        let err = plan(Dataset::Reuters, None, root.path()).expect_err("missing");
        assert!(err.to_string().contains("reuters21578"));
    }

    #[test]
    fn run_one_rejects_all() {
        let err = run_one(Dataset::All, Path::new("."), &Engine::default()).expect_err("all");
        assert!(err.to_string().contains("single"));
    }

    #[test]
    fn missing_file_errors_name_file_and_folder() {
        // The loaders fail before the engine is called, so this is safe while it is todo!().
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Engine::default();
        let shown = dir.path().display().to_string();
        for (d, file) in [
            (Dataset::Msrp, "msr_paraphrase_train.txt"),
            (Dataset::EcbPlus, "ecbplus_documents.jsonl.gz"),
            (Dataset::Semeval8, "pairs.jsonl.gz"),
            (Dataset::Clough, "file_information.csv"),
            (Dataset::Reuters, "reut2-"),
        ] {
            let msg = format!(
                "{:#}",
                run_one(d, dir.path(), &engine).expect_err("missing")
            );
            assert!(msg.contains(file) && msg.contains(&shown), "{msg}");
        }
    }
}
