//! Reading inputs: files, folders, JSONL and stdin → [`Article`]s, plus the list of everything
//! that was skipped and why.
//!
//! Reading never fails as a whole because of one bad input: an unreadable file, a binary file, a
//! JSONL line that is not JSON or lacks `text`, a duplicate id, an oversized article — each is
//! recorded as a [`Skipped`](crate::Skipped) with its reason and the run goes on. Folders are walked recursively
//! in sorted order so output is reproducible. Text is decoded as UTF-8, falling back to
//! Windows-1252 (which maps every byte), after dropping a byte-order mark.
//!
//! Each file's format is detected from its content ([`detect`]), gzip undone first: plain text,
//! JSONL, HTML pages ([`html`]), WARC archives ([`warc`]) and RSS/Atom/JSON feeds ([`feed`]) are
//! read into one corpus. Every size that an input controls is bounded by [`Limits`].
//!
//! One `Reader` carries a run's state (the outcome so far, the ids seen, the batch sink); its steps
//! live in the files of this folder, one concern each: `walk.rs` (stdin, folders), `file.rs`
//! (sniffing, size limits, loading), `plain.rs`, `jsonl.rs` and `pages.rs` (the readers by
//! format), `ids.rs`, `batch.rs`, `decode.rs`, `time.rs`, `limits.rs` and `outcome.rs`.

mod batch;
mod decode;
pub mod detect;
pub mod feed;
mod file;
pub mod html;
mod ids;
mod jsonl;
mod limits;
mod outcome;
mod pages;
mod plain;
mod time;
mod walk;
pub mod warc;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use batch::read_paths_batched;
pub use decode::decode;
pub use detect::Format;
pub use limits::Limits;
pub(crate) use limits::{guard, inflate};
pub use outcome::{ReadError, ReadOutcome};
pub use plain::split_title;
pub use time::parse_time;

use batch::Sink;
use detect::inner_ext;
use outcome::gzip_reason;

use crate::model::Article;

/// Reads articles from paths (`-` is JSONL on stdin), each file's format detected from its
/// content.
pub fn read_paths(paths: &[PathBuf], limits: Limits) -> ReadOutcome {
    read_paths_as(paths, limits, None)
}

/// [`read_paths`], with every input read as `format` when one is given.
pub fn read_paths_as(paths: &[PathBuf], limits: Limits, format: Option<Format>) -> ReadOutcome {
    let mut reader = Reader::new(limits, format);
    reader.paths(paths);
    reader.out
}

/// Reads articles from JSONL text (for callers that already hold the bytes). `name` labels
/// skipped lines.
pub fn read_jsonl_str(name: &str, text: &str, limits: Limits) -> ReadOutcome {
    let mut reader = Reader::new(limits, None);
    reader.jsonl(name, text);
    reader.out
}

/// Reads one input already in memory (an upload, a fuzz input): gzip undone within the limits,
/// the format detected from the content unless given. `name` labels the articles' ids and the
/// skipped entries, as a file name would.
pub fn read_bytes(name: &str, bytes: &[u8], format: Option<Format>, limits: Limits) -> ReadOutcome {
    let mut reader = Reader::new(limits, format);
    let bytes = if detect::is_gzip(bytes) {
        match inflate(
            flate2::read::MultiGzDecoder::new(bytes),
            limits.max_decompressed_bytes,
        ) {
            Ok(b) => b,
            Err(e) => {
                reader.out.skip(name, gzip_reason(&e));
                return reader.out;
            }
        }
    } else {
        bytes.to_vec()
    };
    let path = Path::new(name);
    let ext = inner_ext(path);
    let format =
        format.unwrap_or_else(|| detect::detect(&bytes[..bytes.len().min(64 * 1024)], &ext));
    reader.bytes(path, None, name, bytes, format);
    reader.out
}

/// One reading run: what it has produced so far and what it has seen.
struct Reader<'a> {
    limits: Limits,
    /// Forced format (`--format`), else detected per file.
    format: Option<Format>,
    out: ReadOutcome,
    /// Article id → input where it was first seen.
    seen: HashMap<String, String>,
    /// Where full batches of articles go as they are read ([`read_paths_batched`]).
    sink: Option<Sink<'a>>,
}

impl<'a> Reader<'a> {
    fn new(limits: Limits, format: Option<Format>) -> Self {
        Reader {
            limits,
            format,
            out: ReadOutcome::default(),
            seen: HashMap::new(),
            sink: None,
        }
    }

    /// Adds an article unless it is over the size limit, empty or a duplicate id (a skip then),
    /// handing over a batch once one is full.
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
        self.hand_over_full_batch();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        /// Every format's reader, on a plausible start followed by random bytes: no panic, every
        /// article within the limits and with text, every skip with a reason.
        #[test]
        fn every_reader_survives_random_bytes(
            start in 0usize..6,
            forced in 0usize..6,
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3000),
        ) {
            let starts: [&[u8]; 6] = [
                b"",
                b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\n",
                b"<!doctype html><html><body><article><p>",
                b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><description>",
                b"{\"text\": \"",
                b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
            ];
            let format = [None, Some(Format::Text), Some(Format::Jsonl), Some(Format::Html), Some(Format::Warc), Some(Format::Feed)][forced];
            let mut bytes = starts[start].to_vec();
            bytes.extend(tail);
            let limits = Limits { max_article_bytes: 4096, ..Limits::default() };
            let out = read_bytes("p.bin", &bytes, format, limits);
            for a in &out.articles {
                proptest::prop_assert!(a.body.len() <= 4096 && !a.body.trim().is_empty());
            }
            for s in &out.skipped {
                proptest::prop_assert!(!s.reason.is_empty());
            }
        }

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
