//! JSON lines and JSON arrays of article objects, streamed line by line: one object → one
//! article, or a skip with its reason.

use std::path::Path;

use chrono::{DateTime, FixedOffset};

use super::decode::{decode, looks_binary};
use super::ids::stem_of;
use super::limits::read_line_capped;
use super::outcome::gzip_reason;
use super::{Format, Reader};
use crate::model::{Article, Skipped};

/// How a JSON value of the wrong type is named in a reason.
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

/// Text whose first line is an article object: JSON lines, whatever the file is called.
pub(super) fn first_line_is_article_json(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    first.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Value>(first).is_ok_and(|v| v.get("text").is_some())
}

impl Reader<'_> {
    /// A `.json` file holding an array of article objects.
    pub(super) fn json_array(&mut self, name: &str, text: &str) {
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
                            stem_of(Path::new(name)).unwrap_or_else(|| "json".into())
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

    /// A file read as JSON lines, line by line: JSONL by its name or by `--format jsonl`, whose
    /// first line is an object, in UTF-8 (a UTF-16 file is decoded whole).
    pub(super) fn streams_as_jsonl(&self, head: &[u8], ext: &str) -> bool {
        let utf16 =
            encoding_rs::Encoding::for_bom(head).is_some_and(|(e, _)| e != encoding_rs::UTF_8);
        let start = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let start = &start[start.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
        !utf16
            && start.starts_with(b"{")
            && (self.format == Some(Format::Jsonl) || matches!(ext, "jsonl" | "ndjson"))
    }

    pub(super) fn jsonl_file(&mut self, path: &Path, name: &str, gz: bool) {
        if let Some(input) = self.open_stream(path, name, gz) {
            self.jsonl_stream(name, input);
        }
    }

    /// JSON lines read one at a time: memory holds one line, not the input. A line longer than
    /// any article could make is skipped unread; a read error ends the input with a reason and
    /// keeps the articles before it.
    pub(super) fn jsonl_stream(&mut self, name: &str, mut input: impl std::io::BufRead) {
        let stem = stem_of(Path::new(name)).unwrap_or_else(|| "stdin".to_string());
        // JSON escapes (`\u00e9`) take up to 6 bytes per character of text, plus the other fields.
        let max_line = self
            .limits
            .max_article_bytes
            .saturating_mul(6)
            .saturating_add(1 << 20);
        if input.fill_buf().is_ok_and(looks_binary) {
            let what = if name == "-" {
                "binary data on stdin (expected JSONL)"
            } else {
                "binary file (not text)"
            };
            return self.out.skip(name, what);
        }
        let mut line = Vec::new();
        let (mut number, mut blank) = (0usize, true);
        loop {
            line.clear();
            let (read, over) = match read_line_capped(&mut input, &mut line, max_line) {
                Ok(r) => r,
                Err(e) => {
                    let reason = gzip_reason(&e);
                    let after = if number == 0 {
                        String::new()
                    } else {
                        format!("; lines after line {number} not read")
                    };
                    return self.out.skip(name, format!("{reason}{after}"));
                }
            };
            if read == 0 {
                break;
            }
            number += 1;
            let at = format!("{name}:{number}");
            if over {
                blank = false;
                self.out.skip(
                    at,
                    format!("line is over {} MB: not an article", max_line >> 20),
                );
                continue;
            }
            let text = decode(&line);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            blank = false;
            self.record(&at, text, &format!("{stem}:{number}"));
        }
        if blank {
            self.out.skip(name, "empty file");
        }
    }

    /// JSON lines already in memory (a file read whole, an upload): the same reader as a stream.
    pub(super) fn jsonl(&mut self, name: &str, text: &str) {
        self.jsonl_stream(name, text.as_bytes());
    }

    /// One JSON object (a JSONL line or an array element) → an article, or a skip with a reason.
    /// Only `text` is required; an optional field of the wrong type costs a warning, not the
    /// article.
    fn record(&mut self, at: &str, json: &str, default_id: &str) {
        let mut value: serde_json::Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(e) => return self.out.skip(at, format!("not valid JSON: {e}")),
        };
        // Fields are moved out of the object, not copied: a copy of every body was 5% of
        // reading Reuters-21578 (perf).
        let Some(obj) = value.as_object_mut() else {
            return self.out.skip(at, "not a JSON object");
        };
        let (body, id) = match required_fields(obj, default_id) {
            Ok(fields) => fields,
            Err(reason) => return self.out.skip(at, reason),
        };
        let title = self.optional_field(obj, at, "title");
        let url = self.optional_field(obj, at, "url");
        let source = self.optional_field(obj, at, "source");
        let lang = self.optional_field(obj, at, "lang");
        let published = self.published_field(obj, at);
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

    /// An optional string field, taken out of the object; of another type, it is a warning.
    fn optional_field(&mut self, obj: &mut JsonObject, at: &str, key: &str) -> Option<String> {
        match obj.remove(key) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s).filter(|s| !s.trim().is_empty()),
            Some(other) => {
                self.out.warnings.push(Skipped {
                    input: at.to_string(),
                    reason: format!(
                        "`{key}` must be a string, got {}; ignored",
                        json_kind(&other)
                    ),
                });
                None
            }
        }
    }

    /// `published`, which must be RFC 3339: the article is kept without a date otherwise.
    fn published_field(&mut self, obj: &mut JsonObject, at: &str) -> Option<DateTime<FixedOffset>> {
        let s = self.optional_field(obj, at, "published")?;
        match DateTime::parse_from_rfc3339(s.trim()) {
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
        }
    }
}

type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The body and the id of an article object, taken out of it, or why it is no article.
fn required_fields(obj: &mut JsonObject, default_id: &str) -> Result<(String, String), String> {
    let body = match obj.remove("text") {
        Some(serde_json::Value::String(t)) if !t.trim().is_empty() => t,
        Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
            return Err("no `text` field (or it is empty)".into())
        }
        Some(other) => {
            return Err(format!(
                "`text` must be a string, got {}",
                json_kind(&other)
            ))
        }
    };
    let id = match obj.remove("id") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        None | Some(serde_json::Value::Null) => default_id.to_string(),
        Some(other) => {
            return Err(format!(
                "`id` must be a string or a number, got {}",
                json_kind(&other)
            ))
        }
    };
    Ok((body, id))
}

#[cfg(test)]
mod tests {
    use crate::input::{read_jsonl_str, Limits};

    /// `ingest --server` sends articles as input lines: each must read back as itself.
    #[test]
    fn an_article_written_as_an_input_line_reads_back_unchanged() {
        let full = crate::Article {
            id: "wire-1".into(),
            title: Some("Quake hits \"coast\"".into()),
            body: "A strong earthquake struck.\n\nThousands fled, officials said.".into(),
            url: Some("https://news.example/q".into()),
            source: Some("Wire".into()),
            published: chrono::DateTime::parse_from_rfc3339("2026-11-24T08:30:00+01:00").ok(),
            lang: Some("en".into()),
        };
        let bare = crate::Article::new("n2", "Only a body.");
        for a in [full, bare] {
            let line = a.to_input_json().to_string();
            let out = crate::input::read_jsonl_str("x", &line, crate::input::Limits::default());
            assert!(out.skipped.is_empty() && out.warnings.is_empty(), "{out:?}");
            assert_eq!(out.articles, vec![a]);
        }
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
}
