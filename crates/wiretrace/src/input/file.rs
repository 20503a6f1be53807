//! One file: its format detected from its first bytes (gzip undone), refused early when it is
//! over a size limit, then streamed (WARC, JSON lines) or read whole and handed to the reader of
//! its format.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::decode::{decode, looks_binary};
use super::detect::{self, inner_ext};
use super::jsonl::first_line_is_article_json;
use super::limits::{inflate, Capped};
use super::outcome::{gzip_reason, io_reason};
use super::{html, Format, Reader};

/// How many leading bytes decide a file's format.
const HEAD_BYTES: u64 = 64 * 1024;

impl Reader<'_> {
    /// Reads one file, whatever it holds.
    pub(super) fn file(&mut self, path: &Path, root: Option<&Path>) {
        let name = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return self.out.skip(name, io_reason(&e)),
        };
        if !meta.is_file() {
            return self.out.skip(name, "not a regular file");
        }
        let ext = inner_ext(path);
        let Some((gz, inner_head)) = self.head_of(path, &name) else {
            return;
        };
        let format = self
            .format
            .unwrap_or_else(|| detect::detect(&inner_head, &ext));
        // Archives and JSON lines are read record by record, so their size is not limited (a
        // day of a crawl or a research corpus is gigabytes); every other format is read whole.
        if format == Format::Warc {
            return self.warc(path, &name, gz);
        }
        if format == Format::Jsonl && self.streams_as_jsonl(&inner_head, &ext) {
            return self.jsonl_file(path, &name, gz);
        }
        if let Some(reason) = self.too_large_to_read_whole(meta.len(), format, gz, &inner_head) {
            return self.out.skip(name, reason);
        }
        if let Some(bytes) = self.whole(path, &name, gz) {
            self.bytes(path, root, &name, bytes, format);
        }
    }

    /// Whether the file is gzip, and its first bytes with gzip undone; `None` (skipped with the
    /// reason) when it cannot be read.
    fn head_of(&mut self, path: &Path, name: &str) -> Option<(bool, Vec<u8>)> {
        let head = match std::fs::File::open(path).and_then(|f| {
            let mut b = Vec::new();
            f.take(HEAD_BYTES).read_to_end(&mut b).map(|_| b)
        }) {
            Ok(b) => b,
            Err(e) => {
                self.out.skip(name, io_reason(&e));
                return None;
            }
        };
        let gz = detect::is_gzip(&head);
        if !gz {
            return Some((false, head));
        }
        let mut b = Vec::new();
        // A short or corrupt stream still yields its first bytes for detection; the full read
        // reports the damage.
        let _ = flate2::read::MultiGzDecoder::new(&head[..])
            .take(HEAD_BYTES)
            .read_to_end(&mut b);
        Some((true, b))
    }

    /// Why a file of `len` bytes is not read whole as `format`, if it is not: the limits are
    /// checked on its size before any of it is read.
    fn too_large_to_read_whole(
        &self,
        len: u64,
        format: Format,
        gz: bool,
        inner_head: &[u8],
    ) -> Option<String> {
        let limits = &self.limits;
        if len > limits.max_file_bytes {
            return Some(format!(
                "file is {} MB, over the {} MB limit",
                len >> 20,
                limits.max_file_bytes >> 20
            ));
        }
        // A plain-text file is one article: when it is far over the article limit, say so without
        // reading it all (unless it may be JSONL, which holds many articles).
        let may_be_json =
            format == Format::Jsonl || decode(inner_head).trim_start().starts_with(['{', '[']);
        if format == Format::Text
            && !gz
            && !may_be_json
            && len > 4 * limits.max_article_bytes as u64
        {
            return Some(format!(
                "article is {} KB, over the {} KB limit",
                len >> 10,
                limits.max_article_bytes >> 10
            ));
        }
        if format == Format::Html && !gz && len > limits.max_page_bytes as u64 {
            let e = html::HtmlError::TooLarge {
                size_kb: (len >> 10) as usize,
                limit_kb: limits.max_page_bytes >> 10,
            };
            return Some(e.to_string());
        }
        None
    }

    /// A file's bytes, gzip undone within the limits; `None` (skipped with the reason) when they
    /// cannot be read.
    fn whole(&mut self, path: &Path, name: &str, gz: bool) -> Option<Vec<u8>> {
        let read = if gz {
            std::fs::File::open(path).and_then(|f| {
                inflate(
                    flate2::read::MultiGzDecoder::new(BufReader::new(f)),
                    self.limits.max_decompressed_bytes,
                )
            })
        } else {
            std::fs::read(path)
        };
        match read {
            Ok(b) => Some(b),
            Err(e) => {
                let reason = if gz { gzip_reason(&e) } else { io_reason(&e) };
                self.out.skip(name, reason);
                None
            }
        }
    }

    /// One input's bytes (gzip undone), read as `format`.
    pub(super) fn bytes(
        &mut self,
        path: &Path,
        root: Option<&Path>,
        name: &str,
        bytes: Vec<u8>,
        format: Format,
    ) {
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return self.out.skip(name, "empty file");
        }
        match format {
            Format::Html => return self.html_page(path, root, name, &bytes),
            Format::Feed => return self.feed(path, name, &bytes),
            Format::Warc => return self.warc_stream(name, &bytes[..]),
            Format::Text | Format::Jsonl => {}
        }
        if looks_binary(&bytes) {
            return self.out.skip(name, "binary file (not text)");
        }
        let ext = inner_ext(path);
        let text = decode(&bytes);
        let forced = self.format;
        if forced != Some(Format::Text)
            && text.trim_start().starts_with('[')
            && (forced == Some(Format::Jsonl) || matches!(ext.as_str(), "json" | ""))
        {
            return self.json_array(name, &text);
        }
        let is_jsonl = match forced {
            Some(Format::Jsonl) => true,
            Some(Format::Text) => false,
            _ => {
                matches!(ext.as_str(), "jsonl" | "ndjson")
                    || (ext == "json" || ext.is_empty() || ext == "txt")
                        && first_line_is_article_json(&text)
            }
        };
        if is_jsonl {
            self.jsonl(name, &text);
        } else {
            self.plain_text(path, root, name, &text);
        }
    }

    /// A file to read as a stream, gzip undone within the limits; `None` (skipped with the
    /// reason) when it cannot be opened.
    pub(super) fn open_stream(
        &mut self,
        path: &Path,
        name: &str,
        gz: bool,
    ) -> Option<Box<dyn BufRead>> {
        let file = match std::fs::File::open(path) {
            Ok(f) => BufReader::with_capacity(256 << 10, f),
            Err(e) => {
                self.out.skip(name, io_reason(&e));
                return None;
            }
        };
        Some(if gz {
            let inflated = Capped::new(
                flate2::read::MultiGzDecoder::new(file),
                self.limits.max_decompressed_bytes,
            );
            Box::new(BufReader::with_capacity(256 << 10, inflated))
        } else {
            Box::new(file)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::input::{read_paths, Limits};

    #[test]
    fn gzipped_inputs_are_read_as_what_they_hold() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let gz = |data: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        };
        std::fs::write(
            dir.path().join("feed.jsonl.gz"),
            gz(b"{\"id\":\"z1\",\"text\":\"Zipped line one.\"}\n{\"text\":\"Two.\"}\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("story.txt.gz"),
            gz(b"Zipped headline\n\nA zipped story about the port."),
        )
        .unwrap();
        let out = read_paths(&[dir.path().to_path_buf()], Limits::default());
        let ids: Vec<&str> = out.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["z1", "feed:2", "story"]);
        assert_eq!(out.articles[2].title.as_deref(), Some("Zipped headline"));
    }
}
