//! Webis-CPC-11 loader (`webis_cpc11/`): `articles.jsonl` (one text per original excerpt and
//! per non-empty crowd rewrite) and `gold.json` (rewrite → original pairs labelled `Yes`, an
//! accepted paraphrase, or `No`, a rejected one; and sibling pairs, two rewrites of one
//! original). Every rewrite derives from its original, accepted or not.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, Result};
use wiretrace::Article;

use super::{json_str, numbered_lines, read_maybe_gz, require_dir, Skips};

/// One gold pair: a rewrite and the original it was written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebisPair {
    /// Id of the original (`o0001`).
    pub original: String,
    /// Id of the rewrite (`p0001`).
    pub paraphrase: String,
    /// Whether the reviewers accepted the rewrite as a paraphrase.
    pub accepted: bool,
}

/// The loaded set.
#[derive(Debug, Clone, Default)]
pub struct WebisSet {
    /// The texts, in file order.
    pub articles: Vec<Article>,
    /// The gold pairs whose two texts are both present.
    pub pairs: Vec<WebisPair>,
    /// Two rewrites of one original: derived from a common source, not from each other.
    pub siblings: Vec<(String, String)>,
    /// What was skipped, and why.
    pub skipped: Skips,
}

/// Loads `dir` (the `webis_cpc11` folder).
pub fn load(dir: &Path) -> Result<WebisSet> {
    require_dir("webis", dir)?;
    let mut set = WebisSet::default();
    let text = String::from_utf8_lossy(&read_maybe_gz(&dir.join("articles.jsonl"))?).into_owned();
    for (n, line) in numbered_lines(&text).filter(|(_, l)| !l.trim().is_empty()) {
        let v: Option<serde_json::Value> = serde_json::from_str(line).ok();
        match v
            .as_ref()
            .and_then(|v| Some((json_str(v, "id")?, json_str(v, "text")?)))
        {
            Some((id, text)) => set.articles.push(Article::new(id, text)),
            None => set.skipped.add(
                "article line without id and text",
                format!("line {}", n + 1),
            ),
        }
    }
    let gold: serde_json::Value = serde_json::from_slice(&read_maybe_gz(&dir.join("gold.json"))?)
        .context("webis: gold.json is not JSON")?;
    let ids: HashSet<&str> = set.articles.iter().map(|a| a.id.as_str()).collect();
    let empty = Vec::new();
    for (k, p) in gold["pairs"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        let pair = (|| {
            Some(WebisPair {
                original: json_str(p, "original")?,
                paraphrase: json_str(p, "paraphrase")?,
                accepted: json_str(p, "label")? == "Yes",
            })
        })();
        match pair {
            Some(p) if ids.contains(p.original.as_str()) && ids.contains(p.paraphrase.as_str()) => {
                set.pairs.push(p)
            }
            Some(_) => set
                .skipped
                .add("gold pair naming a missing text", format!("pair {k}")),
            None => set.skipped.add("malformed gold pair", format!("pair {k}")),
        }
    }
    for s in gold["siblings"].as_array().unwrap_or(&empty) {
        if let (Some(a), Some(b)) = (s[0].as_str(), s[1].as_str()) {
            set.siblings.push((a.to_string(), b.to_string()));
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_pairs_and_skips_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("articles.jsonl"),
            "{\"id\":\"o1\",\"text\":\"An old tale.\"}\nnot json\n{\"id\":\"p1\",\"text\":\"A tale of old.\"}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("gold.json"),
            r#"{"pairs":[{"original":"o1","paraphrase":"p1","label":"Yes"},{"original":"o1","paraphrase":"p9","label":"No"}],"siblings":[["p1","p2"]]}"#,
        )
        .unwrap();
        let set = load(dir.path()).unwrap();
        assert_eq!(set.articles.len(), 2);
        assert_eq!(set.pairs.len(), 1);
        assert!(set.pairs[0].accepted);
        assert_eq!(set.siblings.len(), 1);
        assert_eq!(set.skipped.total(), 2);
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        assert!(load(Path::new("/nonexistent/webis")).is_err());
    }
}
