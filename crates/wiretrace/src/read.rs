//! Reading inputs: files, folders, JSONL and stdin → [`Article`]s, plus the list of everything
//! that was skipped and why.
//!
//! Reading never fails as a whole because of one bad input: an unreadable file, a binary file, a
//! JSONL line that is not JSON or lacks `text`, a duplicate id, an oversized article — each is
//! recorded as a [`Skipped`] with its reason and the run goes on. Folders are walked recursively
//! in sorted order so output is reproducible. Text is decoded as UTF-8, falling back to
//! Windows-1252 (which maps every byte), after dropping a byte-order mark.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use serde::Deserialize;

use crate::model::{Article, Skipped};

/// Errors of the reading layer that concern one input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The input could not be opened or read.
    #[error("cannot read `{path}`")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Size limits that protect the engine from inputs that are not articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read (bytes).
    pub max_file_bytes: u64,
    /// Largest article text (bytes).
    pub max_article_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 512 * 1024 * 1024,
            max_article_bytes: 2 * 1024 * 1024,
        }
    }
}

/// What reading produced.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    /// Articles, in input order.
    pub articles: Vec<Article>,
    /// Inputs not read, with reasons.
    pub skipped: Vec<Skipped>,
    /// Problems that did not cost an article (e.g. an unparseable date that was dropped).
    pub warnings: Vec<Skipped>,
}

impl ReadOutcome {
    fn skip(&mut self, input: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            input: input.into(),
            reason: reason.into(),
        });
    }
}

/// Reads articles from paths (`-` is JSONL on stdin).
pub fn read_paths(paths: &[PathBuf], limits: Limits) -> ReadOutcome {
    let mut reader = Reader {
        limits,
        out: ReadOutcome::default(),
        seen: HashMap::new(),
    };
    for p in paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            match std::io::stdin()
                .lock()
                .take(limits.max_file_bytes)
                .read_to_end(&mut buf)
            {
                Ok(_) => reader.jsonl("-", &decode(&buf)),
                Err(e) => reader.out.skip("-", format!("cannot read stdin: {e}")),
            }
        } else if p.is_dir() {
            let mut files: Vec<PathBuf> = Vec::new();
            for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let name = e.file_name().to_string_lossy();
                        if !name.starts_with('.') {
                            files.push(e.into_path());
                        }
                    }
                    Ok(_) => {}
                    Err(e) => reader
                        .out
                        .skip(p.display().to_string(), format!("cannot walk folder: {e}")),
                }
            }
            for f in files {
                reader.file(&f);
            }
        } else {
            reader.file(p);
        }
    }
    reader.out
}

/// Reads articles from JSONL text (for callers that already hold the bytes). `name` labels
/// skipped lines.
pub fn read_jsonl_str(name: &str, text: &str, limits: Limits) -> ReadOutcome {
    let mut reader = Reader {
        limits,
        out: ReadOutcome::default(),
        seen: HashMap::new(),
    };
    reader.jsonl(name, text);
    reader.out
}

struct Reader {
    limits: Limits,
    out: ReadOutcome,
    /// Article id → input where it was first seen.
    seen: HashMap<String, String>,
}

#[derive(Deserialize)]
struct JsonArticle {
    id: Option<serde_json::Value>,
    title: Option<String>,
    text: Option<String>,
    url: Option<String>,
    source: Option<String>,
    published: Option<String>,
    lang: Option<String>,
}

impl Reader {
    fn file(&mut self, path: &Path) {
        let name = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return self.out.skip(name, io_reason(&e)),
        };
        if meta.len() > self.limits.max_file_bytes {
            return self.out.skip(
                name,
                format!(
                    "file is {} MB, over the {} MB limit",
                    meta.len() >> 20,
                    self.limits.max_file_bytes >> 20
                ),
            );
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return self.out.skip(name, io_reason(&e)),
        };
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return self.out.skip(name, "empty file");
        }
        if looks_binary(&bytes) {
            return self.out.skip(name, "binary file (not text)");
        }
        let text = decode(&bytes);
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_jsonl = matches!(ext.as_str(), "jsonl" | "ndjson")
            || (ext == "json" || ext.is_empty() || ext == "txt")
                && first_line_is_article_json(&text);
        if is_jsonl {
            self.jsonl(&name, &text);
        } else {
            let id = path
                .file_stem()
                .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
            let (title, body) = split_title(&text);
            let mut a = Article::new(id, body);
            a.title = title;
            self.push(a, name);
        }
    }

    fn jsonl(&mut self, name: &str, text: &str) {
        let stem = Path::new(name)
            .file_stem()
            .map_or_else(|| "stdin".to_string(), |s| s.to_string_lossy().into_owned());
        let mut any = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            any = true;
            let at = format!("{name}:{}", i + 1);
            let rec: JsonArticle = match serde_json::from_str(line) {
                Ok(r) => r,
                Err(e) => {
                    self.out.skip(at, format!("not a JSON object: {e}"));
                    continue;
                }
            };
            let Some(body) = rec.text.filter(|t| !t.trim().is_empty()) else {
                self.out.skip(at, "no `text` field (or it is empty)");
                continue;
            };
            let id = match rec.id {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
                Some(serde_json::Value::Number(n)) => n.to_string(),
                None | Some(serde_json::Value::Null) => format!("{stem}:{}", i + 1),
                Some(other) => {
                    self.out.skip(
                        at,
                        format!("`id` must be a string or a number, got {other}"),
                    );
                    continue;
                }
            };
            let published = match rec
                .published
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => None,
                Some(s) => {
                    match DateTime::parse_from_rfc3339(s) {
                        Ok(t) => Some(t),
                        Err(_) => {
                            self.out.warnings.push(Skipped {
                            input: at.clone(),
                            reason: format!("`published` is not RFC 3339 ({s:?}); article kept without a date"),
                        });
                            None
                        }
                    }
                }
            };
            let a = Article {
                id,
                title: rec.title.filter(|t| !t.trim().is_empty()),
                body,
                url: rec.url,
                source: rec.source,
                published,
                lang: rec.lang,
            };
            self.push(a, at);
        }
        if !any {
            self.out.skip(name, "no JSON lines");
        }
    }

    fn push(&mut self, a: Article, input: String) {
        if a.body.len() > self.limits.max_article_bytes {
            return self.out.skip(
                input,
                format!(
                    "article is {} KB, over the {} KB limit",
                    a.body.len() >> 10,
                    self.limits.max_article_bytes >> 10
                ),
            );
        }
        if a.body.trim().is_empty() {
            return self.out.skip(input, "no text");
        }
        if let Some(first) = self.seen.get(&a.id) {
            let reason = format!("duplicate id `{}` (first seen in {first})", a.id);
            return self.out.skip(input, reason);
        }
        self.seen.insert(a.id.clone(), input);
        self.out.articles.push(a);
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// Decodes bytes: BOM dropped, UTF-8 when valid, else Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Binary data: NUL bytes, or many control characters, in the first 8 KB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    controls * 20 > head.len()
}

fn first_line_is_article_json(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    first.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Value>(first).is_ok_and(|v| v.get("text").is_some())
}

/// Splits a plain-text article into title and body when its first line looks like a headline:
/// short, no sentence-final period, followed by more text.
pub fn split_title(text: &str) -> (Option<String>, String) {
    let trimmed = text.trim_start_matches(['\n', '\r', ' ', '\t']);
    if let Some((first, rest)) = trimmed.split_once('\n') {
        let t = first.trim();
        let words = t.split_whitespace().count();
        let headline = (1..=20).contains(&words)
            && t.chars().count() <= 200
            && !t.ends_with(['.', ',', ';', ':'])
            && !rest.trim().is_empty();
        if headline {
            return (
                Some(t.to_string()),
                rest.trim_start_matches(['\n', '\r']).to_string(),
            );
        }
    }
    (None, text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_detection() {
        let (t, b) = split_title("Port closes as strike bites\n\nThe port closed.");
        assert_eq!(t.as_deref(), Some("Port closes as strike bites"));
        assert_eq!(b, "The port closed.");
        let (t, _) = split_title("The port closed on Monday after a strike.\nMore text.");
        assert_eq!(t, None);
        let (t, _) = split_title("Only one line");
        assert_eq!(t, None);
    }

    #[test]
    fn decoding_falls_back_to_cp1252_and_drops_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFcaf\xC3\xA9"), "café");
        assert_eq!(
            decode(b"caf\xE9 \x93quoted\x94"),
            "café \u{201C}quoted\u{201D}"
        );
    }

    #[test]
    fn jsonl_bad_lines_are_skipped_with_reasons() {
        let text = "{\"id\":\"a\",\"text\":\"Hello world.\"}\nnot json\n{\"id\":\"b\"}\n{\"id\":\"a\",\"text\":\"dup\"}\n{\"text\":\"no id\",\"published\":\"yesterday\"}\n{\"id\":7,\"text\":\"numeric id\",\"published\":\"2026-03-02T06:15:00Z\"}\n";
        let out = read_jsonl_str("x.jsonl", text, Limits::default());
        let ids: Vec<&str> = out.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "x:5", "7"]);
        assert_eq!(out.skipped.len(), 3);
        assert!(out.skipped[0].reason.starts_with("not a JSON object"));
        assert!(out.skipped[1].reason.contains("text"));
        assert!(out.skipped[2].reason.contains("duplicate id"));
        assert_eq!(out.warnings.len(), 1);
        assert!(out.articles[2].published.is_some());
    }

    #[test]
    fn oversized_article_is_skipped() {
        let big = "word ".repeat(1000);
        let line = serde_json::json!({"id": "big", "text": big}).to_string();
        let out = read_jsonl_str(
            "x",
            &line,
            Limits {
                max_article_bytes: 100,
                ..Limits::default()
            },
        );
        assert!(out.articles.is_empty());
        assert!(out.skipped[0].reason.contains("limit"));
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000)) {
            let text = decode(&bytes);
            let out = read_jsonl_str("r", &text, Limits::default());
            for a in &out.articles {
                let _ = crate::text::Document::from_article(a);
            }
            let _ = split_title(&text);
            let _ = crate::text::Document::from_text("r", text);
        }
    }
}
