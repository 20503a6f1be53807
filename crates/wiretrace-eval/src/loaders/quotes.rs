//! The quote gold set: `testdata/quotes/gold.jsonl` (written by the team, compiled in), whose
//! offsets point into article texts that stay in the shared data (ECB+ documents and SemEval
//! sample texts): the texts are read from there at evaluation time and every span is checked
//! against its recorded hash, so a drifted text is reported, not scored.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use wiretrace::Article;

use super::{ecbplus, semeval, Skips};

/// The annotations, compiled into the binary (they are ours; the texts are not).
pub const GOLD: &str = include_str!("../../../../testdata/quotes/gold.jsonl");

/// One annotated quote.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GoldQuote {
    /// Byte spans of the quoted words (marks excluded); several for a quote split by an
    /// attribution or running over paragraphs.
    pub parts: Vec<(usize, usize)>,
    /// The speaker's fullest name in the article, or `None` when never named.
    pub speaker: Option<String>,
    /// `direct` or `partial`.
    pub kind: String,
    /// First 12 hex digits of the sha256 of the parts joined by one space.
    pub sha: String,
}

#[derive(Debug, Deserialize)]
struct GoldLine {
    source: String,
    doc: String,
    quotes: Vec<GoldQuote>,
    #[serde(default)]
    not_quotes: Vec<(usize, usize)>,
}

/// One article with its gold quotes.
#[derive(Debug, Clone)]
pub struct GoldArticle {
    /// `ecbplus` or `semeval8`.
    pub source: String,
    /// The article (id = the gold `doc`).
    pub article: Article,
    /// Every direct quote of the article.
    pub quotes: Vec<GoldQuote>,
    /// Quote-like spans that are not quotes (titles, nicknames, scare quotes).
    pub not_quotes: Vec<(usize, usize)>,
}

/// The gold set joined with its texts.
#[derive(Debug, Clone)]
pub struct QuoteSet {
    /// Articles in gold-file order.
    pub articles: Vec<GoldArticle>,
    /// Annotations that could not be used (text missing, span out of range, hash mismatch).
    pub skipped: Skips,
}

/// Reads the gold annotations and the texts under the shared data root `root`.
pub fn load(root: &Path) -> Result<QuoteSet> {
    let ecb = ecbplus::load(&root.join("ecb_plus")).context("quotes: the ECB+ texts")?;
    let sem = semeval::load(&root.join("semeval2022_task8_sample"))
        .context("quotes: the SemEval texts")?;
    let mut texts: HashMap<(String, String), String> = HashMap::new();
    for d in ecb.documents {
        texts.insert(("ecbplus".into(), d.doc_id), d.text);
    }
    for p in sem.pairs {
        texts.insert(("semeval8".into(), format!("{}:1", p.pair_id)), p.text1);
        texts.insert(("semeval8".into(), format!("{}:2", p.pair_id)), p.text2);
    }
    Ok(join(GOLD, &texts))
}

/// Joins gold lines with texts keyed by `(source, doc)`.
pub fn join(gold: &str, texts: &HashMap<(String, String), String>) -> QuoteSet {
    let mut skipped = Skips::default();
    let mut articles = Vec::new();
    for (n, line) in gold.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let g: GoldLine = match serde_json::from_str(line) {
            Ok(g) => g,
            Err(_) => {
                skipped.add("gold line is not valid", format!("line {}", n + 1));
                continue;
            }
        };
        let Some(text) = texts.get(&(g.source.clone(), g.doc.clone())) else {
            skipped.add("text not in the data", g.doc.clone());
            continue;
        };
        let ok = |q: &GoldQuote| {
            let parts: Option<Vec<&str>> = q.parts.iter().map(|&(s, e)| text.get(s..e)).collect();
            parts.is_some_and(|p| sha12(&p.join(" ")) == q.sha)
        };
        if let Some(bad) = g.quotes.iter().find(|q| !ok(q)) {
            skipped.add(
                "span does not match its hash (text changed?)",
                format!("{} {:?}", g.doc, bad.parts),
            );
            continue;
        }
        let mut article = Article::new(g.doc.clone(), text.clone());
        if g.source == "semeval8" {
            article.lang = Some("en".into());
        }
        articles.push(GoldArticle {
            source: g.source,
            article,
            quotes: g.quotes,
            not_quotes: g.not_quotes,
        });
    }
    QuoteSet { articles, skipped }
}

fn sha12(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_lines_join_texts_and_hashes_catch_drift() {
        let text = "He said \"the port will reopen\" on Monday.";
        let span = (9, 30);
        let sha = sha12(&text[span.0..span.1]);
        let line = format!(
            r#"{{"source":"ecbplus","doc":"d1","quotes":[{{"parts":[[9,30]],"speaker":"Ana Ruiz","kind":"direct","sha":"{sha}"}}]}}"#
        );
        let mut texts = HashMap::new();
        texts.insert(("ecbplus".to_string(), "d1".to_string()), text.to_string());
        let set = join(&line, &texts);
        assert_eq!(set.articles.len(), 1);
        assert_eq!(
            set.articles[0].quotes[0].speaker.as_deref(),
            Some("Ana Ruiz")
        );
        texts.insert(
            ("ecbplus".to_string(), "d1".to_string()),
            text.replace("port", "dock"),
        );
        let set = join(&line, &texts);
        assert!(set.articles.is_empty());
        assert_eq!(set.skipped.total(), 1);
        let set = join("not json\n", &texts);
        assert_eq!(set.skipped.total(), 1);
    }

    #[test]
    fn the_compiled_gold_set_parses() {
        let n = GOLD
            .lines()
            .filter(|l| serde_json::from_str::<GoldLine>(l).is_ok())
            .count();
        assert_eq!(n, GOLD.lines().filter(|l| !l.trim().is_empty()).count());
        assert!(n >= 40);
    }
}
