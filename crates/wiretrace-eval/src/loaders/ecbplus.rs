//! ECB+ loader: `ecbplus_documents.jsonl.gz`, one JSON object per document with its gold
//! topic and sub-topic (seminal event). Whatever topics the file holds are evaluated.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use wiretrace::Article;

use super::{decode_text, first_existing, json_str, numbered_lines, read_maybe_gz, Skips};

/// The documents file (a plain `.jsonl` of the same name is accepted too).
pub const FILE: &str = "ecbplus_documents.jsonl.gz";
const PLAIN_FILE: &str = "ecbplus_documents.jsonl";

/// One document with its gold labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcbDocument {
    /// `1_10ecbplus`.
    pub doc_id: String,
    /// Gold topic (`1`…`45`), as text.
    pub topic: String,
    /// Gold sub-topic = seminal event (`1_ecb`, `1_ecbplus`).
    pub subtopic: String,
    /// The document text, one sentence per line.
    pub text: String,
}

impl EcbDocument {
    /// The article the engine sees: id = `doc_id`, body = text, no title (the first line of an
    /// `ecbplus` document is often its headline, but the corpus does not mark it as one).
    pub fn to_article(&self) -> Article {
        Article::new(self.doc_id.clone(), self.text.clone())
    }
}

/// The documents of one file.
#[derive(Debug, Clone)]
pub struct EcbSet {
    /// The file that was read.
    pub path: PathBuf,
    /// Documents in file order.
    pub documents: Vec<EcbDocument>,
    /// Lines that were not a usable document.
    pub skipped: Skips,
}

impl EcbSet {
    /// The documents as the engine reads them, in file order.
    pub fn articles(&self) -> Vec<wiretrace::Article> {
        self.documents.iter().map(EcbDocument::to_article).collect()
    }
}

/// Loads the documents file from `dir`.
pub fn load(dir: &Path) -> Result<EcbSet> {
    super::require_dir("ecbplus", dir)?;
    let Some(path) = first_existing(dir, &[FILE, PLAIN_FILE]) else {
        bail!("ecbplus: {FILE} not found in {}", dir.display());
    };
    let bytes = read_maybe_gz(&path)?;
    let (text, _) = decode_text(&bytes);
    let (documents, skipped) = parse(&text);
    if documents.is_empty() {
        bail!(
            "ecbplus: no usable document in {} ({skipped})",
            path.display()
        );
    }
    Ok(EcbSet {
        path,
        documents,
        skipped,
    })
}

/// Parses JSON lines. A line is skipped (and counted) when it is not a JSON object, lacks
/// `doc_id`, `subtopic` or a string `text`, or repeats an earlier `doc_id` (ids must be unique
/// for the clustering to be scored). A missing `topic` is derived from the sub-topic's prefix
/// (`12_ecb` → `12`), which is how the corpus names them.
pub fn parse(text: &str) -> (Vec<EcbDocument>, Skips) {
    let mut documents = Vec::new();
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
        let (Some(doc_id), Some(subtopic)) =
            (json_str(&value, "doc_id"), json_str(&value, "subtopic"))
        else {
            skipped.add("lines without doc_id or subtopic", format!("line {n}"));
            continue;
        };
        let Some(body) = value.get("text").and_then(|t| t.as_str()) else {
            skipped.add("lines without a text", format!("line {n}"));
            continue;
        };
        let topic = json_str(&value, "topic").unwrap_or_else(|| {
            subtopic
                .split('_')
                .next()
                .unwrap_or(subtopic.as_str())
                .to_owned()
        });
        if !seen.insert(doc_id.clone()) {
            skipped.add("repeated doc_ids", format!("line {n}"));
            continue;
        }
        documents.push(EcbDocument {
            doc_id,
            topic,
            subtopic,
            text: body.to_owned(),
        });
    }
    (documents, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const FIXTURE: &str = r#"{"doc_id": "1_1ecb", "topic": 1, "subtopic": "1_ecb", "component": "ecb", "source_url": null, "n_sentences": 2, "text": "A singer entered rehab.\nHer agent confirmed it."}
{"doc_id": "1_2ecbplus", "topic": 1, "subtopic": "1_ecbplus", "text": "An actress checks into a clinic."}

not json at all
{"doc_id": "2_1ecb", "subtopic": "2_ecb", "text": "An earthquake struck."}
{"doc_id": "2_2ecb", "topic": "2", "text": "no subtopic"}
{"doc_id": "2_3ecb", "topic": 2, "subtopic": "2_ecb", "text": null}
{"doc_id": "1_1ecb", "topic": 1, "subtopic": "1_ecb", "text": "duplicate id"}
[1, 2, 3]
"#;

    #[test]
    fn parses_documents_and_skips_dirty_lines() {
        let (docs, skipped) = parse(FIXTURE);
        let ids: Vec<_> = docs.iter().map(|d| d.doc_id.as_str()).collect();
        assert_eq!(ids, ["1_1ecb", "1_2ecbplus", "2_1ecb"]);
        assert_eq!(docs[0].topic, "1");
        assert_eq!(docs[1].subtopic, "1_ecbplus");
        assert_eq!(docs[2].topic, "2"); // derived from the sub-topic
        assert_eq!(skipped.total(), 5);
        assert_eq!(skipped.count("repeated doc_ids"), 1);
        assert_eq!(skipped.count("lines without doc_id or subtopic"), 2); // incl. the array
        let article = docs[0].to_article();
        assert_eq!(article.id, "1_1ecb");
        assert_eq!(article.title, None);
        assert!(article.body.starts_with("A singer"));
    }

    #[test]
    fn loads_gzip_and_reports_missing_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load(dir.path()).expect_err("missing");
        assert!(format!("{err:#}").contains(FILE));

        let path = dir.path().join(FILE);
        let file = std::fs::File::create(&path).expect("create");
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(FIXTURE.as_bytes()).expect("write");
        gz.finish().expect("finish");
        let set = load(dir.path()).expect("loads");
        assert_eq!(set.documents.len(), 3);
    }

    #[test]
    fn corrupt_gzip_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE), b"\x1f\x8b\x08garbage").expect("write");
        let err = load(dir.path()).expect_err("corrupt");
        assert!(format!("{err:#}").contains(FILE));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }
    }
}
