//! MSRP loader: the tab-separated pair files of the Microsoft Research Paraphrase Corpus
//! (`Quality  #1 ID  #2 ID  #1 String  #2 String`, UTF-8 with a BOM).
//!
//! The test file is preferred when the folder holds it (the README's anchors are on it);
//! otherwise the train file is used and the split is reported as `train`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::{decode_text, file_name, first_existing, numbered_lines, read_maybe_gz, Skips};

/// The test split's file name.
pub const TEST_FILE: &str = "msr_paraphrase_test.txt";
/// The train split's file name.
pub const TRAIN_FILE: &str = "msr_paraphrase_train.txt";

/// One labelled sentence pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsrpPair {
    /// Gold label: `true` when the annotators judged the pair a paraphrase.
    pub paraphrase: bool,
    /// Sentence id of the first string.
    pub id1: String,
    /// Sentence id of the second string.
    pub id2: String,
    /// First sentence.
    pub s1: String,
    /// Second sentence.
    pub s2: String,
}

/// The pairs of one MSRP file.
#[derive(Debug, Clone)]
pub struct MsrpSet {
    /// The file that was read.
    pub path: PathBuf,
    /// `test` or `train`, after the file used.
    pub split: String,
    /// Well-formed pairs in file order.
    pub pairs: Vec<MsrpPair>,
    /// Lines that were not a well-formed pair.
    pub skipped: Skips,
}

/// Loads the test file from `dir` if present, else the train file.
pub fn load(dir: &Path) -> Result<MsrpSet> {
    super::require_dir("msrp", dir)?;
    let Some(path) = first_existing(dir, &[TEST_FILE, TRAIN_FILE]) else {
        bail!(
            "msrp: neither {TEST_FILE} nor {TRAIN_FILE} found in {}",
            dir.display()
        );
    };
    let bytes = read_maybe_gz(&path)?;
    // The corpus is UTF-8; the cp1252 fallback only keeps a stray bad byte from failing the run.
    let (text, _) = decode_text(&bytes);
    let (pairs, skipped) = parse(&text);
    let split = if file_name(&path) == TEST_FILE {
        "test"
    } else {
        "train"
    };
    Ok(MsrpSet {
        path,
        split: split.to_owned(),
        pairs,
        skipped,
    })
}

/// Parses the text of a pair file (BOM already removed or not). Blank lines and the header
/// are ignored; any other line that is not five tab-separated fields with a 0/1 label and two
/// non-empty sentences is skipped and counted.
pub fn parse(text: &str) -> (Vec<MsrpPair>, Skips) {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut pairs = Vec::new();
    let mut skipped = Skips::default();
    let mut seen_content = false;
    for (n, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        let first = !seen_content;
        seen_content = true;
        if first && line.trim_start().starts_with("Quality") {
            continue; // the header
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [label, id1, id2, s1, s2] = fields.as_slice() else {
            skipped.add("lines without 5 tab-separated fields", format!("line {n}"));
            continue;
        };
        let paraphrase = match label.trim() {
            "1" => true,
            "0" => false,
            _ => {
                skipped.add("lines with a label other than 0/1", format!("line {n}"));
                continue;
            }
        };
        let (s1, s2) = (s1.trim(), s2.trim());
        if s1.is_empty() || s2.is_empty() {
            skipped.add("lines with an empty sentence", format!("line {n}"));
            continue;
        }
        pairs.push(MsrpPair {
            paraphrase,
            id1: id1.trim().to_owned(),
            id2: id2.trim().to_owned(),
            s1: s1.to_owned(),
            s2: s2.to_owned(),
        });
    }
    (pairs, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\u{FEFF}Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n";

    #[test]
    fn parses_pairs_and_skips_bad_lines() {
        let text = format!(
            "{HEADER}1\t10\t11\tThe port closed on Monday.\tThe port shut Monday.\n\
             0\t12\t13\tRain fell in Valmora.\tSnow fell in Ostra.\r\n\
             \n\
             x\t14\t15\tBad label.\tStill bad.\n\
             1\t16\t17\tOnly four fields\n\
             1\t18\t19\t  \tEmpty first sentence.\n\
             1\t20\t21\tToo\tmany\tfields\n\
             0\t22\t23\tLast line, no newline.\tIt ends here."
        );
        let (pairs, skipped) = parse(&text);
        assert_eq!(pairs.len(), 3);
        assert!(pairs[0].paraphrase);
        assert_eq!(pairs[0].id1, "10");
        assert_eq!(pairs[0].s2, "The port shut Monday.");
        assert!(!pairs[1].paraphrase);
        assert_eq!(pairs[1].s2, "Snow fell in Ostra."); // CR stripped
        assert_eq!(pairs[2].s1, "Last line, no newline.");
        assert_eq!(skipped.total(), 4);
        assert_eq!(skipped.count("lines with a label other than 0/1"), 1);
        assert_eq!(skipped.count("lines with an empty sentence"), 1);
        assert_eq!(skipped.count("lines without 5 tab-separated fields"), 2);
    }

    #[test]
    fn header_only_and_empty_input() {
        assert!(parse(HEADER).0.is_empty());
        assert!(parse("").0.is_empty());
        assert!(parse("").1.is_empty());
    }

    #[test]
    fn load_prefers_test_then_train_and_reports_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load(dir.path()).expect_err("no files yet");
        let msg = format!("{err:#}");
        assert!(msg.contains(TEST_FILE) && msg.contains(TRAIN_FILE), "{msg}");

        let train = format!("{HEADER}1\t1\t2\tA b c.\tA b c d.\n");
        std::fs::write(dir.path().join(TRAIN_FILE), train).expect("write");
        let set = load(dir.path()).expect("train loads");
        assert_eq!((set.split.as_str(), set.pairs.len()), ("train", 1));

        let test = format!("{HEADER}0\t3\t4\tX.\tY.\n1\t5\t6\tZ.\tZ!\n");
        std::fs::write(dir.path().join(TEST_FILE), test).expect("write");
        let set = load(dir.path()).expect("test loads");
        assert_eq!((set.split.as_str(), set.pairs.len()), ("test", 2));
    }

    #[test]
    fn missing_folder_is_a_clear_error() {
        let err = load(Path::new("/nonexistent/msrp")).expect_err("no folder");
        assert!(err.to_string().contains("/nonexistent/msrp"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC*", tabby in "[\\t\\n\\r01a-z ]*") {
            let _ = parse(&text);
            let _ = parse(&tabby);
        }
    }
}
