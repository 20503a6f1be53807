//! SemEval-2022 Task 8 loader: `pairs.jsonl.gz`, one JSON object per article pair with the
//! gold `Overall` score (1 = very similar … 4 = very dissimilar) and both texts.
//!
//! Test data wins when present: a file whose name contains `test` (same format) is preferred
//! to `pairs.jsonl.gz`; and inside one file, when the `from_file` field marks some pairs as
//! coming from a testing file and others not, only the testing pairs are kept.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use wiretrace::Article;

use super::{
    decode_text, file_name, json_f64, json_str, list_files, numbered_lines, read_maybe_gz, Skips,
};

/// The pairs file (a plain `.jsonl` of the same name is accepted too).
pub const FILE: &str = "pairs.jsonl.gz";
const PLAIN_FILE: &str = "pairs.jsonl";

/// One scored article pair.
#[derive(Debug, Clone, PartialEq)]
pub struct SemevalPair {
    /// `1484188861_1483842637`.
    pub pair_id: String,
    /// ISO 639-1 language of the first text (lower case).
    pub lang1: String,
    /// Language of the second text.
    pub lang2: String,
    /// Gold overall score, 1 (very similar) to 4 (very dissimilar).
    pub overall: f64,
    /// First article (title + body, truncated).
    pub text1: String,
    /// Second article.
    pub text2: String,
    /// Which HFL file the pair came from, when given.
    pub from_file: Option<String>,
}

impl SemevalPair {
    /// True when both texts are in the same language.
    pub fn is_monolingual(&self) -> bool {
        self.lang1 == self.lang2
    }

    /// True for English–English pairs.
    pub fn is_en_en(&self) -> bool {
        self.lang1 == "en" && self.lang2 == "en"
    }

    /// The two articles the engine compares: ids `<pair_id>:1` / `<pair_id>:2`, with their
    /// language set (it is part of the data, as it would be in an `analyze` JSONL input).
    pub fn articles(&self) -> (Article, Article) {
        let mut a = Article::new(format!("{}:1", self.pair_id), self.text1.clone());
        a.lang = Some(self.lang1.clone());
        let mut b = Article::new(format!("{}:2", self.pair_id), self.text2.clone());
        b.lang = Some(self.lang2.clone());
        (a, b)
    }
}

/// The pairs of one file.
#[derive(Debug, Clone)]
pub struct SemevalSet {
    /// The file that was read.
    pub path: PathBuf,
    /// The file name, plus the `from_file` filter when one was applied.
    pub split: String,
    /// Pairs in file order.
    pub pairs: Vec<SemevalPair>,
    /// Lines that were not a usable pair.
    pub skipped: Skips,
    /// Pairs dropped because they are not from the testing file (see the module doc).
    pub dropped_non_test: usize,
}

/// Loads the preferred pairs file of `dir`.
pub fn load(dir: &Path) -> Result<SemevalSet> {
    super::require_dir("semeval8", dir)?;
    let path = choose_file(dir)?;
    let bytes = read_maybe_gz(&path)?;
    let (text, _) = decode_text(&bytes);
    let (pairs, skipped) = parse(&text);
    let (pairs, filter) = keep_test_pairs(pairs);
    let mut split = file_name(&path);
    let mut dropped_non_test = 0;
    if let Some((kept_files, dropped)) = filter {
        split = format!("{split} [from_file={}]", kept_files.join("|"));
        dropped_non_test = dropped;
    }
    if pairs.is_empty() {
        bail!("semeval8: no usable pair in {} ({skipped})", path.display());
    }
    Ok(SemevalSet {
        path,
        split,
        pairs,
        skipped,
        dropped_non_test,
    })
}

/// A `*test*.jsonl[.gz]` file if the folder holds one, else `pairs.jsonl[.gz]`.
fn choose_file(dir: &Path) -> Result<PathBuf> {
    let tests = list_files(dir, |name| {
        let lower = name.to_ascii_lowercase();
        lower.contains("test") && (lower.ends_with(".jsonl.gz") || lower.ends_with(".jsonl"))
    })?;
    if let Some(first) = tests.into_iter().next() {
        return Ok(first);
    }
    super::first_existing(dir, &[FILE, PLAIN_FILE]).ok_or_else(|| {
        anyhow::anyhow!(
            "semeval8: {FILE} (or a *test*.jsonl.gz file) not found in {}",
            dir.display()
        )
    })
}

/// When the pairs come from both testing and non-testing files (per `from_file`), keeps only
/// the testing ones; returns the kept `from_file` values and the number dropped.
#[allow(clippy::type_complexity)]
fn keep_test_pairs(pairs: Vec<SemevalPair>) -> (Vec<SemevalPair>, Option<(Vec<String>, usize)>) {
    let is_test = |p: &SemevalPair| {
        p.from_file
            .as_deref()
            .is_some_and(|f| f.to_ascii_lowercase().contains("test"))
    };
    let n_test = pairs.iter().filter(|p| is_test(p)).count();
    if n_test == 0 || n_test == pairs.len() {
        return (pairs, None);
    }
    let total = pairs.len();
    let kept: Vec<SemevalPair> = pairs.into_iter().filter(|p| is_test(p)).collect();
    let files: BTreeSet<String> = kept.iter().filter_map(|p| p.from_file.clone()).collect();
    let dropped = total - kept.len();
    (kept, Some((files.into_iter().collect(), dropped)))
}

/// Parses JSON lines. A line is skipped (and counted) when it is not JSON, lacks `pair_id`,
/// a language, a finite `Overall` or a text, or repeats an earlier `pair_id`.
pub fn parse(text: &str) -> (Vec<SemevalPair>, Skips) {
    let mut pairs = Vec::new();
    let mut skipped = Skips::default();
    let mut seen = HashSet::new();
    for (n, line) in numbered_lines(text) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            skipped.add("lines that are not JSON", format!("line {n}"));
            continue;
        };
        let Some(pair_id) = json_str(&value, "pair_id") else {
            skipped.add("lines without pair_id", format!("line {n}"));
            continue;
        };
        let (Some(lang1), Some(lang2)) = (json_str(&value, "lang1"), json_str(&value, "lang2"))
        else {
            skipped.add("lines without lang1/lang2", format!("line {n}"));
            continue;
        };
        let Some(overall) = json_f64(&value, "Overall") else {
            skipped.add("lines without a numeric Overall", format!("line {n}"));
            continue;
        };
        let text_of = |key: &str| value.get(key).and_then(|t| t.as_str()).map(str::to_owned);
        let (Some(text1), Some(text2)) = (text_of("text1"), text_of("text2")) else {
            skipped.add("lines without text1/text2", format!("line {n}"));
            continue;
        };
        if !seen.insert(pair_id.clone()) {
            skipped.add("repeated pair_ids", format!("line {n}"));
            continue;
        }
        pairs.push(SemevalPair {
            pair_id,
            lang1: lang1.trim().to_ascii_lowercase(),
            lang2: lang2.trim().to_ascii_lowercase(),
            overall,
            text1,
            text2,
            from_file: json_str(&value, "from_file"),
        });
    }
    (pairs, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(id: &str, l1: &str, l2: &str, overall: &str, from: &str) -> String {
        format!(
            r#"{{"pair_id": "{id}", "lang1": "{l1}", "lang2": "{l2}", "Overall": {overall}, "Geography": 1.0, "text1": "Storm hits coast {id}", "text2": "Coast hit by storm", "from_file": "{from}"}}"#
        )
    }

    fn write_gz(path: &Path, text: &str) {
        let file = std::fs::File::create(path).expect("create");
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(text.as_bytes()).expect("write");
        gz.finish().expect("finish");
    }

    #[test]
    fn parses_pairs_and_skips_dirty_lines() {
        let text = [
            line("1_2", "en", "en", "1.5", "train.csv"),
            line("3_4", "DE", "en", "\"3\"", "train.csv"),
            line("5_6", "es", "es", "null", "train.csv"),
            r#"{"pair_id": 7, "lang1": "fr", "lang2": "fr", "Overall": 4, "text1": "a", "text2": "b"}"#
                .to_owned(),
            r#"{"pair_id": "8_9", "lang1": "fr", "lang2": "fr", "Overall": 4, "text1": "a"}"#
                .to_owned(),
            "{broken".to_owned(),
            line("1_2", "en", "en", "2", "train.csv"),
        ]
        .join("\n");
        let (pairs, skipped) = parse(&text);
        let ids: Vec<_> = pairs.iter().map(|p| p.pair_id.as_str()).collect();
        assert_eq!(ids, ["1_2", "3_4", "7"]);
        assert_eq!(pairs[1].lang1, "de"); // lower-cased
        assert_eq!(pairs[1].overall, 3.0); // numeric string accepted
        assert!(pairs[0].is_en_en() && pairs[0].is_monolingual());
        assert!(!pairs[1].is_monolingual());
        assert_eq!(pairs[2].from_file, None);
        assert_eq!(skipped.total(), 4);
        let (a, b) = pairs[0].articles();
        assert_eq!((a.id.as_str(), b.id.as_str()), ("1_2:1", "1_2:2"));
        assert_eq!(a.lang.as_deref(), Some("en"));
    }

    #[test]
    fn prefers_a_test_file_and_reports_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load(dir.path()).expect_err("missing");
        assert!(format!("{err:#}").contains(FILE));

        write_gz(&dir.path().join(FILE), &line("1_2", "en", "en", "1", "x"));
        assert_eq!(load(dir.path()).expect("loads").split, FILE);

        let test = [
            line("5_6", "en", "en", "2", "x"),
            line("7_8", "en", "en", "3", "x"),
        ];
        write_gz(&dir.path().join("pairs_test.jsonl.gz"), &test.join("\n"));
        let set = load(dir.path()).expect("loads");
        assert_eq!(set.split, "pairs_test.jsonl.gz");
        assert_eq!(set.pairs.len(), 2);
    }

    #[test]
    fn keeps_only_testing_pairs_of_a_mixed_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = [
            line("1_2", "en", "en", "1", "hfl_training_set.csv"),
            line("3_4", "en", "en", "2", "hfl_testing_set.csv"),
            line("5_6", "de", "de", "3", "hfl_testing_set.csv"),
        ];
        write_gz(&dir.path().join(FILE), &text.join("\n"));
        let set = load(dir.path()).expect("loads");
        assert_eq!(set.pairs.len(), 2);
        assert_eq!(set.dropped_non_test, 1);
        assert_eq!(set.split, "pairs.jsonl.gz [from_file=hfl_testing_set.csv]");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }
    }
}
