//! Format detection: which reader an input goes to, decided by its first bytes (after gzip is
//! undone), with the file extension only breaking ties. Misnamed files are common in crawl dumps
//! (`.txt` pages, extensionless feeds, `.html` saved JSON), so content wins over the name.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// An input format the reader knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text: one article, the first line a title when it looks like one.
    Text,
    /// JSON lines (or a JSON array) of article objects.
    Jsonl,
    /// One HTML page: its main content becomes one article.
    Html,
    /// A WARC archive (plain or gzip): response records with HTML bodies become articles.
    Warc,
    /// An RSS, Atom or JSON Feed document: items with full text become articles.
    Feed,
}

impl Format {
    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Html => "html",
            Format::Warc => "warc",
            Format::Feed => "feed",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Format::Text,
            "jsonl" | "ndjson" | "json" => Format::Jsonl,
            "html" | "htm" => Format::Html,
            "warc" => Format::Warc,
            "feed" | "rss" | "atom" => Format::Feed,
            other => {
                return Err(format!(
                    "unknown format `{other}` (expected text, jsonl, html, warc or feed)"
                ))
            }
        })
    }
}

/// The gzip magic number.
pub(crate) fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Guesses the format of an input from the start of its (decompressed) content and its extension
/// (lowercase, without the dot; for `x.warc.gz` the caller passes `warc`).
pub fn detect(head: &[u8], ext: &str) -> Format {
    let start = skip_bom_and_space(head);
    if start.starts_with(b"WARC/") {
        return Format::Warc;
    }
    // Markup: look at the first tags, past comments, doctypes and the XML declaration.
    let lower: Vec<u8> = start
        .iter()
        .take(4096)
        .map(u8::to_ascii_lowercase)
        .collect();
    if lower.starts_with(b"<") {
        for tag in [&b"<rss"[..], b"<feed", b"<rdf:rdf", b"<channel"] {
            if find(&lower, tag).is_some_and(|at| !inside_html_body(&lower, at)) {
                return Format::Feed;
            }
        }
        if lower.starts_with(b"<?xml") && !contains_html_tag(&lower) {
            // XML that is neither a feed nor XHTML: read as text, the feed parser would only
            // reject it with a less useful message.
            return match ext {
                "rss" | "atom" => Format::Feed,
                _ => Format::Text,
            };
        }
        if contains_html_tag(&lower) || matches!(ext, "html" | "htm" | "xhtml") {
            return Format::Html;
        }
    }
    if lower.starts_with(b"{") || lower.starts_with(b"[") {
        if find(&lower, b"jsonfeed.org/version").is_some() {
            return Format::Feed;
        }
        return Format::Jsonl;
    }
    match ext {
        "jsonl" | "ndjson" => Format::Jsonl,
        "html" | "htm" | "xhtml" if contains_html_tag(&lower) => Format::Html,
        _ => Format::Text,
    }
}

fn skip_bom_and_space(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A feed's root tag must come before any `<body>`: an HTML page may quote `<rss` in an article
/// about feeds.
fn inside_html_body(lower: &[u8], at: usize) -> bool {
    find(lower, b"<body").is_some_and(|b| b < at) || find(lower, b"<html").is_some_and(|h| h < at)
}

fn contains_html_tag(lower: &[u8]) -> bool {
    [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<meta ",
        b"<title",
        b"<article",
        b"<div",
        b"<p>",
    ]
    .iter()
    .any(|t| find(lower, t).is_some())
}

/// The lowercase extension that says what a file holds: `x.warc.gz` is a WARC, `x.jsonl.gz` JSONL.
pub(super) fn inner_ext(path: &Path) -> String {
    let lower = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let inner = lower.strip_suffix(".gz").unwrap_or(&lower);
    Path::new(inner)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_over_extension() {
        assert_eq!(
            detect(b"WARC/1.1\r\nWARC-Type: warcinfo", "txt"),
            Format::Warc
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF <!DOCTYPE html><html><body><p>x", "txt"),
            Format::Html
        );
        assert_eq!(
            detect(
                b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>",
                ""
            ),
            Format::Feed
        );
        assert_eq!(
            detect(b"<feed xmlns=\"http://www.w3.org/2005/Atom\">", "html"),
            Format::Feed
        );
        assert_eq!(detect(b"{\"text\": \"a\"}\n", "html"), Format::Jsonl);
        assert_eq!(
            detect(
                b"{\"version\": \"https://jsonfeed.org/version/1.1\"}",
                "json"
            ),
            Format::Feed
        );
        assert_eq!(
            detect(b"Port strike ends\n\nThe port...", "html"),
            Format::Text
        );
        assert_eq!(detect(b"Port strike ends", "jsonl"), Format::Jsonl);
    }

    #[test]
    fn an_article_about_rss_is_still_html() {
        let page = b"<html><head><title>Feeds</title></head><body><p>Use <rss> tags";
        assert_eq!(detect(page, "html"), Format::Html);
    }

    #[test]
    fn format_names_round_trip() {
        for f in [
            Format::Text,
            Format::Jsonl,
            Format::Html,
            Format::Warc,
            Format::Feed,
        ] {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!("pdf".parse::<Format>().is_err());
    }
}
