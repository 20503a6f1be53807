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
            let read = std::io::stdin()
                .lock()
                .take(limits.max_file_bytes + 1)
                .read_to_end(&mut buf);
            match read {
                Ok(_) if looks_binary(&buf) => reader
                    .out
                    .skip("-", "binary data on stdin (expected JSONL)"),
                Ok(_) => {
                    if buf.len() as u64 > limits.max_file_bytes {
                        // Keep the complete lines; say what was not read.
                        let cut = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                        buf.truncate(cut);
                        reader.out.skip(
                            "-",
                            format!("stdin is over the {} MB limit; only its first {} bytes (whole lines) were read", limits.max_file_bytes >> 20, cut),
                        );
                    }
                    reader.jsonl("-", &decode(&buf));
                }
                Err(e) => reader.out.skip("-", format!("cannot read stdin: {e}")),
            }
        } else if p.is_dir() {
            let mut files: Vec<PathBuf> = Vec::new();
            let walker = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    // Hidden files and folders (.git, editor backups) are not articles; the root
                    // itself is walked even when hidden.
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            let mut hidden = 0usize;
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
                    Ok(e) if e.file_type().is_symlink() => {
                        reader.out.skip(
                            e.path().display().to_string(),
                            "symbolic link not followed (give its target instead)",
                        );
                    }
                    Ok(_) => {}
                    Err(e) => reader
                        .out
                        .skip(p.display().to_string(), format!("cannot walk folder: {e}")),
                }
            }
            if let Ok(rd) = std::fs::read_dir(p) {
                hidden = rd
                    .filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                    .count();
            }
            if hidden > 0 {
                reader.out.warnings.push(Skipped {
                    input: p.display().to_string(),
                    reason: format!(
                        "{hidden} hidden file(s) or folder(s) at its top level not read"
                    ),
                });
            }
            if files.is_empty() {
                reader
                    .out
                    .skip(p.display().to_string(), "folder holds no files");
            }
            for f in files {
                reader.file(&f, Some(p));
            }
        } else {
            reader.file(p, None);
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

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl Reader {
    fn file(&mut self, path: &Path, root: Option<&Path>) {
        let name = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return self.out.skip(name, io_reason(&e)),
        };
        if !meta.is_file() {
            return self.out.skip(name, "not a regular file");
        }
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
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let jsonl_ext = matches!(ext.as_str(), "jsonl" | "ndjson");
        // A plain-text file is one article: when it is far over the article limit, say so without
        // reading it all (unless it may be JSONL, which holds many articles).
        let head = match std::fs::File::open(path).and_then(|f| {
            let mut b = Vec::new();
            f.take(64 * 1024).read_to_end(&mut b).map(|_| b)
        }) {
            Ok(b) => b,
            Err(e) => return self.out.skip(name, io_reason(&e)),
        };
        let head_text = decode(&head);
        let may_be_json = jsonl_ext || head_text.trim_start().starts_with(['{', '[']);
        if !may_be_json && meta.len() > 4 * self.limits.max_article_bytes as u64 {
            return self.out.skip(
                name,
                format!(
                    "article is {} KB, over the {} KB limit",
                    meta.len() >> 10,
                    self.limits.max_article_bytes >> 10
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
        if text.trim_start().starts_with('[') && matches!(ext.as_str(), "json" | "") {
            return self.json_array(&name, &text);
        }
        let is_jsonl = jsonl_ext
            || (ext == "json" || ext.is_empty() || ext == "txt")
                && first_line_is_article_json(&text);
        if is_jsonl {
            self.jsonl(&name, &text);
        } else {
            let stem = path
                .file_stem()
                .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
            // Two files with one name in different folders are different articles: the second
            // takes its path under the input folder as its id.
            let id = match root.and_then(|r| path.strip_prefix(r).ok()) {
                Some(rel) if self.seen.contains_key(&stem) => {
                    rel.with_extension("").to_string_lossy().into_owned()
                }
                _ => stem,
            };
            let (title, body) = split_title(&text);
            let mut a = Article::new(id, body);
            a.title = title;
            self.push(a, name);
        }
    }

    /// A `.json` file holding an array of article objects.
    fn json_array(&mut self, name: &str, text: &str) {
        match serde_json::from_str::<Vec<serde_json::Value>>(text) {
            Ok(items) => {
                if items.is_empty() {
                    self.out.skip(name, "empty JSON array");
                }
                for (k, item) in items.into_iter().enumerate() {
                    let line = item.to_string();
                    let at = format!("{name}[{k}]");
                    self.record(
                        &at,
                        &line,
                        &format!(
                            "{}:{k}",
                            Path::new(name).file_stem().map_or_else(
                                || "json".into(),
                                |s| s.to_string_lossy().into_owned()
                            )
                        ),
                    );
                }
            }
            Err(e) => self.out.skip(
                name,
                format!("starts with `[` but is not a JSON array of articles: {e}"),
            ),
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
            self.record(&at, line, &format!("{stem}:{}", i + 1));
        }
        if !any {
            self.out.skip(name, "no JSON lines");
        }
    }

    /// One JSON object (a JSONL line or an array element) → an article, or a skip with a reason.
    /// Only `text` is required; an optional field of the wrong type costs a warning, not the
    /// article.
    fn record(&mut self, at: &str, json: &str, default_id: &str) {
        let value: serde_json::Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(e) => return self.out.skip(at, format!("not valid JSON: {e}")),
        };
        let Some(obj) = value.as_object() else {
            return self.out.skip(at, "not a JSON object");
        };
        let body = match obj.get("text") {
            Some(serde_json::Value::String(t)) if !t.trim().is_empty() => t.clone(),
            Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
                return self.out.skip(at, "no `text` field (or it is empty)")
            }
            Some(other) => {
                return self.out.skip(
                    at,
                    format!("`text` must be a string, got {}", json_kind(other)),
                )
            }
        };
        let id = match obj.get("id") {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            None | Some(serde_json::Value::Null) => default_id.to_string(),
            Some(other) => {
                return self.out.skip(
                    at,
                    format!(
                        "`id` must be a string or a number, got {}",
                        json_kind(other)
                    ),
                )
            }
        };
        let mut field = |key: &str| -> Option<String> {
            match obj.get(key) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => {
                    Some(s.clone()).filter(|s| !s.trim().is_empty())
                }
                Some(other) => {
                    self.out.warnings.push(Skipped {
                        input: at.to_string(),
                        reason: format!(
                            "`{key}` must be a string, got {}; ignored",
                            json_kind(other)
                        ),
                    });
                    None
                }
            }
        };
        let title = field("title");
        let url = field("url");
        let source = field("source");
        let lang = field("lang");
        let published = match field("published") {
            None => None,
            Some(s) => match DateTime::parse_from_rfc3339(s.trim()) {
                Ok(t) => Some(t),
                Err(_) => {
                    self.out.warnings.push(Skipped {
                        input: at.to_string(),
                        reason: format!(
                            "`published` is not RFC 3339 ({s:?}); article kept without a date"
                        ),
                    });
                    None
                }
            },
        };
        let a = Article {
            id,
            title,
            body,
            url,
            source,
            published,
            lang,
        };
        self.push(a, at.to_string());
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

/// Decodes bytes. A byte-order mark decides (UTF-8, UTF-16 LE/BE) and is dropped; otherwise the
/// text is read as UTF-8, and any byte that is not valid UTF-8 is read as Windows-1252 — so a
/// cp1252 file decodes whole, and one stray byte in a UTF-8 file does not garble the rest. Line
/// endings become `\n` (CRLF and old lone CR alike).
pub fn decode(bytes: &[u8]) -> String {
    let text = if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        enc.decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned()
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => {
                let mut out = String::with_capacity(bytes.len());
                for chunk in bytes.utf8_chunks() {
                    out.push_str(chunk.valid());
                    let bad = chunk.invalid();
                    if !bad.is_empty() {
                        out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(bad).0);
                    }
                }
                out
            }
        }
    };
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// Binary data: NUL bytes, or many control characters, in the first 8 KB.
fn looks_binary(bytes: &[u8]) -> bool {
    if encoding_rs::Encoding::for_bom(bytes).is_some_and(|(e, _)| e != encoding_rs::UTF_8) {
        return false; // UTF-16 text is full of NUL bytes
    }
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
        assert!(out.skipped[0].reason.starts_with("not valid JSON"));
        assert!(out.skipped[1].reason.contains("text"));
        assert!(out.skipped[2].reason.contains("duplicate id"));
        assert_eq!(out.warnings.len(), 1);
        assert!(out.articles[2].published.is_some());
    }

    #[test]
    fn decoding_handles_utf16_stray_bytes_and_line_endings() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Port".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), "Port");
        assert!(!looks_binary(&utf16));
        // One stray byte in UTF-8 text: the curly quotes survive.
        assert_eq!(
            decode("\u{201C}ok\u{201D} caf\u{e9}".as_bytes()),
            "\u{201C}ok\u{201D} caf\u{e9}"
        );
        let mut mixed = "\u{201C}ok\u{201D} ".as_bytes().to_vec();
        mixed.push(0xE9);
        assert_eq!(decode(&mixed), "\u{201C}ok\u{201D} \u{e9}");
        assert_eq!(decode(b"a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn wrong_types_of_optional_fields_cost_a_warning_not_the_article() {
        let out = read_jsonl_str(
            "x",
            "{\"id\":\"a\",\"title\":7,\"text\":\"Body text.\"}\n{\"id\":\"b\",\"text\":42}",
            Limits::default(),
        );
        assert_eq!(out.articles.len(), 1);
        assert_eq!(out.articles[0].title, None);
        assert_eq!(out.warnings.len(), 1);
        assert_eq!(
            out.skipped[0].reason,
            "`text` must be a string, got a number"
        );
    }

    #[test]
    fn folders_report_symlinks_hidden_files_and_name_collisions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("a")).unwrap();
        std::fs::create_dir_all(p.join("b")).unwrap();
        std::fs::create_dir_all(p.join(".git")).unwrap();
        std::fs::write(p.join("a/story.txt"), "One article about the port.").unwrap();
        std::fs::write(p.join("b/story.txt"), "Another article about a library.").unwrap();
        std::fs::write(p.join(".git/config"), "not an article").unwrap();
        std::fs::write(
            p.join("list.json"),
            "[{\"id\":\"j1\",\"text\":\"From an array.\"}]",
        )
        .unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(p.join("a/story.txt"), p.join("link.txt")).unwrap();
        let out = read_paths(&[p.to_path_buf()], Limits::default());
        let ids: Vec<&str> = out.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["story", "b/story", "j1"]);
        #[cfg(unix)]
        assert!(out
            .skipped
            .iter()
            .any(|s| s.reason.starts_with("symbolic link")));
        assert!(out.warnings.iter().any(|w| w.reason.contains("hidden")));
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
