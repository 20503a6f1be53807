//! Reading inputs: files, folders, JSONL and stdin → [`Article`]s, plus the list of everything
//! that was skipped and why.
//!
//! Reading never fails as a whole because of one bad input: an unreadable file, a binary file, a
//! JSONL line that is not JSON or lacks `text`, a duplicate id, an oversized article — each is
//! recorded as a [`Skipped`] with its reason and the run goes on. Folders are walked recursively
//! in sorted order so output is reproducible. Text is decoded as UTF-8, falling back to
//! Windows-1252 (which maps every byte), after dropping a byte-order mark.
//!
//! Each file's format is detected from its content ([`detect`]), gzip undone first: plain text,
//! JSONL, HTML pages ([`html`]), WARC archives ([`warc`]) and RSS/Atom/JSON feeds ([`feed`]) are
//! read into one corpus. Every size that an input controls is bounded by [`Limits`].

pub mod detect;
pub mod feed;
pub mod html;
pub mod warc;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

pub use detect::Format;

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
    /// Largest decompressed size of one gzip file or gzip-encoded body (bytes): a gzip bomb
    /// stops here.
    pub max_decompressed_bytes: u64,
    /// Largest HTML page, alone or inside a WARC record (bytes).
    pub max_page_bytes: usize,
    /// Deepest element nesting of an HTML page.
    pub max_html_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 512 * 1024 * 1024,
            max_article_bytes: 2 * 1024 * 1024,
            max_decompressed_bytes: 1024 * 1024 * 1024,
            max_page_bytes: 16 * 1024 * 1024,
            max_html_depth: 256,
        }
    }
}

impl Limits {
    fn html(&self) -> html::HtmlLimits {
        html::HtmlLimits {
            max_page_bytes: self.max_page_bytes,
            max_depth: self.max_html_depth,
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

/// [`read_paths_as`], handing the articles to `each` as they are read, in input order, `batch`
/// at a time (the last batch may be shorter): a consumer works on one batch while the next is
/// read. The outcome holds the skips and warnings and no articles.
pub fn read_paths_batched(
    paths: &[PathBuf],
    limits: Limits,
    format: Option<Format>,
    batch: usize,
    each: &mut dyn FnMut(Vec<Article>),
) -> ReadOutcome {
    let mut reader = Reader::new(limits, format);
    reader.sink = Some((batch.max(1), each));
    reader.paths(paths);
    let rest = std::mem::take(&mut reader.out.articles);
    if let (false, Some((_, each))) = (rest.is_empty(), reader.sink.as_mut()) {
        each(rest);
    }
    reader.out
}

impl Reader<'_> {
    /// Reads every path (`-` is stdin) into `self.out`.
    fn paths(&mut self, paths: &[PathBuf]) {
        let (limits, format) = (self.limits, self.format);
        let reader = self;
        for p in paths {
            if p.as_os_str() == "-" {
                let stdin = std::io::stdin().lock();
                let Some(f @ (Format::Html | Format::Feed | Format::Text | Format::Warc)) = format
                else {
                    // JSON lines, the default: streamed like a JSONL file.
                    reader.jsonl_stream("-", BufReader::with_capacity(256 << 10, stdin));
                    continue;
                };
                let mut buf = Vec::new();
                match stdin.take(limits.max_file_bytes + 1).read_to_end(&mut buf) {
                    Ok(_) => {
                        if buf.len() as u64 > limits.max_file_bytes {
                            // Keep the complete lines; say what was not read.
                            let cut = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                            buf.truncate(cut);
                            let reason = format!(
                                concat!(
                                    "stdin is over the {} MB limit for {}; ",
                                    "only its first {} bytes (whole lines) were read"
                                ),
                                limits.max_file_bytes >> 20,
                                f.name(),
                                cut
                            );
                            reader.out.skip("-", reason);
                        }
                        reader.bytes(Path::new("-"), None, "-", buf, f)
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
    }
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

/// A batch size and what takes each full batch.
type Sink<'a> = (usize, &'a mut dyn FnMut(Vec<Article>));

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

impl Reader<'_> {
    fn file(&mut self, path: &Path, root: Option<&Path>) {
        let name = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return self.out.skip(name, io_reason(&e)),
        };
        if !meta.is_file() {
            return self.out.skip(name, "not a regular file");
        }
        let ext = inner_ext(path);
        let head = match std::fs::File::open(path).and_then(|f| {
            let mut b = Vec::new();
            f.take(64 * 1024).read_to_end(&mut b).map(|_| b)
        }) {
            Ok(b) => b,
            Err(e) => return self.out.skip(name, io_reason(&e)),
        };
        let gz = detect::is_gzip(&head);
        let inner_head = if gz {
            let mut b = Vec::new();
            // A short or corrupt stream still yields its first bytes for detection; the full
            // read below reports the damage.
            let _ = flate2::read::MultiGzDecoder::new(&head[..])
                .take(64 * 1024)
                .read_to_end(&mut b);
            b
        } else {
            head
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
        // A plain-text file is one article: when it is far over the article limit, say so without
        // reading it all (unless it may be JSONL, which holds many articles).
        let may_be_json =
            format == Format::Jsonl || decode(&inner_head).trim_start().starts_with(['{', '[']);
        if format == Format::Text
            && !gz
            && !may_be_json
            && meta.len() > 4 * self.limits.max_article_bytes as u64
        {
            return self.out.skip(
                name,
                format!(
                    "article is {} KB, over the {} KB limit",
                    meta.len() >> 10,
                    self.limits.max_article_bytes >> 10
                ),
            );
        }
        if format == Format::Html && !gz && meta.len() > self.limits.max_page_bytes as u64 {
            let e = html::HtmlError::TooLarge {
                size_kb: (meta.len() >> 10) as usize,
                limit_kb: self.limits.max_page_bytes >> 10,
            };
            return self.out.skip(name, e.to_string());
        }
        let bytes = if gz {
            match std::fs::File::open(path).and_then(|f| {
                inflate(
                    flate2::read::MultiGzDecoder::new(BufReader::new(f)),
                    self.limits.max_decompressed_bytes,
                )
            }) {
                Ok(b) => b,
                Err(e) => return self.out.skip(name, gzip_reason(&e)),
            }
        } else {
            match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => return self.out.skip(name, io_reason(&e)),
            }
        };
        self.bytes(path, root, &name, bytes, format);
    }

    /// One input's bytes (gzip undone), read as `format`.
    fn bytes(
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
            let id = self.file_id(path, root, name);
            let (title, body) = split_title(&text);
            let mut a = Article::new(id, body);
            a.title = title;
            self.push(a, name.to_string());
        }
    }

    /// A file's article id: its name without the extension. Two files with one name in
    /// different folders are different articles: the second takes its path under the input
    /// folder as its id.
    fn file_id(&self, path: &Path, root: Option<&Path>, name: &str) -> String {
        let stem = stem_of(path).unwrap_or_else(|| name.to_string());
        match root.and_then(|r| path.strip_prefix(r).ok()) {
            Some(rel) if self.seen.contains_key(&stem) => {
                rel.with_file_name(&stem).to_string_lossy().into_owned()
            }
            _ => stem,
        }
    }

    /// The id of an article known by its URL: the URL's last path segment without its extension
    /// (the slug, as a saved page's file name would be), or the whole URL when another article
    /// already has that id (syndicated copies often keep the slug). Reports stay readable; the
    /// URL itself is in the article's `url`.
    fn url_id(&self, url: &str) -> String {
        let path = url
            .split(['?', '#'])
            .next()
            .unwrap_or(url)
            .split_once("://")
            .map_or(url, |(_, rest)| rest);
        let slug = path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|_| path.trim_end_matches('/').contains('/'))
            .map(|s| {
                s.strip_suffix(".html")
                    .or_else(|| s.strip_suffix(".htm"))
                    .or_else(|| s.strip_suffix(".php"))
                    .unwrap_or(s)
            })
            .filter(|s| !s.is_empty());
        match slug {
            Some(s) if !self.seen.contains_key(s) => s.to_string(),
            _ => url.to_string(),
        }
    }

    fn html_page(&mut self, path: &Path, root: Option<&Path>, name: &str, bytes: &[u8]) {
        let text = html::decode_html(bytes, None);
        match html::extract(&text, None, self.limits.html()) {
            Ok(page) => {
                let id = self.file_id(path, root, name);
                let a = Article {
                    id,
                    title: page.title,
                    body: page.text,
                    url: page.canonical,
                    source: page.source,
                    published: page.published,
                    lang: page.lang,
                };
                self.push(a, name.to_string());
            }
            Err(e) => self.out.skip(name, e.to_string()),
        }
    }

    fn feed(&mut self, path: &Path, name: &str, bytes: &[u8]) {
        let items = match feed::read_feed(bytes, self.limits.html()) {
            Ok(items) => items,
            Err(e) => return self.out.skip(name, e.to_string()),
        };
        if items.is_empty() {
            return self.out.skip(name, "feed has no items");
        }
        let stem = self.file_id(path, None, name);
        for item in items {
            match item {
                feed::FeedItem::Article {
                    index,
                    title,
                    text,
                    link,
                    published,
                    source,
                    lang,
                } => {
                    let a = Article {
                        id: link
                            .as_deref()
                            .map_or_else(|| format!("{stem}#{index}"), |l| self.url_id(l)),
                        title,
                        body: text,
                        url: link,
                        source,
                        published,
                        lang,
                    };
                    self.push(a, format!("{name}#{index}"));
                }
                feed::FeedItem::Skipped {
                    index,
                    link,
                    reason,
                } => {
                    self.out
                        .skip(item_label(name, index, link.as_deref()), reason);
                }
            }
        }
    }

    fn warc(&mut self, path: &Path, name: &str, gz: bool) {
        if let Some(input) = self.open_stream(path, name, gz) {
            self.warc_stream(name, input);
        }
    }

    fn warc_stream(&mut self, name: &str, input: impl std::io::BufRead) {
        let limits = warc::WarcLimits {
            max_record_bytes: self.limits.max_page_bytes.saturating_add(64 * 1024),
            max_body_bytes: self.limits.max_page_bytes,
        };
        let html_limits = self.limits.html();
        let mut pages = 0usize;
        let result = warc::read_warc(input, limits, |item| match item {
            warc::WarcItem::Page(p) => {
                pages += 1;
                let at = item_label(name, p.record, p.target.as_deref());
                let text = html::decode_html(&p.body, p.charset.as_deref());
                match html::extract(&text, p.target.as_deref(), html_limits) {
                    Ok(page) => {
                        let a = Article {
                            id: p
                                .target
                                .as_deref()
                                .map_or_else(|| format!("{name}#{}", p.record), |t| self.url_id(t)),
                            title: page.title,
                            body: page.text,
                            url: page.canonical.or(p.target),
                            source: page.source,
                            published: page
                                .published
                                .or_else(|| p.date.as_deref().and_then(parse_time)),
                            lang: page.lang,
                        };
                        self.push(a, at);
                    }
                    Err(e) => self.out.skip(at, e.to_string()),
                }
            }
            warc::WarcItem::Skipped {
                record,
                target,
                reason,
            } => {
                self.out
                    .skip(item_label(name, record, target.as_deref()), reason);
            }
        });
        let (counts, error) = match result {
            Ok(c) => (c, None),
            Err((e, c)) => (c, Some(e)),
        };
        if !counts.is_empty() {
            let total: usize = counts.values().sum();
            let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            self.out.skip(
                name,
                format!(
                    "{total} WARC record(s) hold no article: {}",
                    parts.join(", ")
                ),
            );
        }
        if let Some(e) = error {
            let reason = match &e {
                warc::WarcError::Io { source, .. } => {
                    format!("{e}; {}", gzip_reason(source))
                }
                _ => e.to_string(),
            };
            self.out.skip(
                name,
                format!("{reason} (the {pages} page(s) before it were read)"),
            );
        } else if pages == 0 && counts.is_empty() {
            self.out.skip(name, "WARC archive holds no records");
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
    fn streams_as_jsonl(&self, head: &[u8], ext: &str) -> bool {
        let utf16 =
            encoding_rs::Encoding::for_bom(head).is_some_and(|(e, _)| e != encoding_rs::UTF_8);
        let start = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let start = &start[start.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
        !utf16
            && start.starts_with(b"{")
            && (self.format == Some(Format::Jsonl) || matches!(ext, "jsonl" | "ndjson"))
    }

    fn jsonl_file(&mut self, path: &Path, name: &str, gz: bool) {
        if let Some(input) = self.open_stream(path, name, gz) {
            self.jsonl_stream(name, input);
        }
    }

    /// A file to read as a stream, gzip undone within the limits; `None` (skipped with the
    /// reason) when it cannot be opened.
    fn open_stream(&mut self, path: &Path, name: &str, gz: bool) -> Option<Box<dyn BufRead>> {
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

    /// JSON lines read one at a time: memory holds one line, not the input. A line longer than
    /// any article could make is skipped unread; a read error ends the input with a reason and
    /// keeps the articles before it.
    fn jsonl_stream(&mut self, name: &str, mut input: impl std::io::BufRead) {
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
    fn jsonl(&mut self, name: &str, text: &str) {
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
        let body = match obj.remove("text") {
            Some(serde_json::Value::String(t)) if !t.trim().is_empty() => t,
            Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
                return self.out.skip(at, "no `text` field (or it is empty)")
            }
            Some(other) => {
                return self.out.skip(
                    at,
                    format!("`text` must be a string, got {}", json_kind(&other)),
                )
            }
        };
        let id = match obj.remove("id") {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            None | Some(serde_json::Value::Null) => default_id.to_string(),
            Some(other) => {
                return self.out.skip(
                    at,
                    format!(
                        "`id` must be a string or a number, got {}",
                        json_kind(&other)
                    ),
                )
            }
        };
        let mut field = |key: &str| -> Option<String> {
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
        if let Some((batch, each)) = self.sink.as_mut() {
            if self.out.articles.len() >= *batch {
                each(std::mem::take(&mut self.out.articles));
            }
        }
    }
}

/// The lowercase extension that says what a file holds: `x.warc.gz` is a WARC, `x.jsonl.gz` JSONL.
fn inner_ext(path: &Path) -> String {
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

/// A file's name without its extension, and without `.gz` first: `feed.jsonl.gz` → `feed`.
fn stem_of(path: &Path) -> Option<String> {
    let file_name = path.file_name()?.to_string_lossy().into_owned();
    let base = file_name.strip_suffix(".gz").unwrap_or(&file_name);
    Path::new(base)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
}

/// Runs a third-party parser so that a panic in it costs one input, not the run: the input is
/// skipped with the parser's message. Our own code does not panic on input (the fuzz targets
/// check it, and they see through this guard: libFuzzer aborts on any panic).
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("{what} failed on this input: {msg}")
    })
}

/// Names the n-th item of a container input (a feed item, a WARC record) in skip lists:
/// `feed.xml#4 <https://…>`.
fn item_label(name: &str, n: usize, url: Option<&str>) -> String {
    match url {
        Some(u) => format!("{name}#{n} <{u}>"),
        None => format!("{name}#{n}"),
    }
}

/// Why a gzip stream could not be read whole.
fn gzip_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "gzip data is truncated".into(),
        std::io::ErrorKind::FileTooLarge => e.to_string(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            format!("corrupt gzip data: {e}")
        }
        _ => io_reason(e),
    }
}

/// Reads a decompressing stream whole, refusing more than `max` bytes.
pub(crate) fn inflate(r: impl Read, max: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    Capped::new(r, max).read_to_end(&mut out)?;
    Ok(out)
}

/// Reads one line (with its `\n`) into `out`, or only past it when it is longer than `cap`
/// bytes: `(bytes read, over the cap)`; `(0, false)` at the end of the input.
fn read_line_capped(
    input: &mut impl std::io::BufRead,
    out: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<(usize, bool)> {
    let (mut read, mut over) = (0usize, false);
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((read, over));
        }
        let (len, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if !over && out.len() + len > cap {
            over = true;
            out.clear();
        }
        if !over {
            out.extend_from_slice(&buf[..len]);
        }
        read += len;
        input.consume(len);
        if done {
            return Ok((read, over));
        }
    }
}

/// A reader that fails, rather than ends, once more than `limit` bytes come out of it: a gzip
/// bomb is an error with a reason, not a silently cut article.
struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Capped<R> {
    fn new(inner: R, limit: u64) -> Self {
        Capped {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::FileTooLarge,
                    format!(
                        "decompressed data is over the {} MB limit (a gzip bomb?)",
                        self.limit >> 20
                    ),
                )),
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// A publication time as pages, feeds and archives write it: RFC 3339, RFC 2822, ISO 8601
/// without seconds or with a `+hhmm` offset, a naive date-time (taken as UTC) or a bare date
/// (midnight UTC).
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let utc = FixedOffset::east_opt(0)?;
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_rfc2822(s))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%z"))
        .ok()
        .or_else(|| {
            let s = s.trim_end_matches('Z');
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
            .or_else(|| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
            .map(|n| n.and_utc().with_timezone(&utc))
        })
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
    /// Batches arrive in input order, full but for the last, and hold what one read holds;
    /// skips and warnings stay in the outcome.
    #[test]
    fn batched_reading_hands_over_every_article_in_order() {
        use super::*;
        let dir = tempfile::tempdir().unwrap();
        let mut lines: Vec<String> = (0..7)
            .map(|i| format!(r#"{{"id": "a{i}", "text": "Story number {i}."}}"#))
            .collect();
        lines.insert(3, "not json".into());
        lines.push(r#"{"id": "a2", "text": "A second a2."}"#.into());
        lines.push(r#"{"id": "a9", "text": "Dated.", "published": "yesterday"}"#.into());
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, lines.join("\n")).unwrap();
        let paths = [path];
        let whole = read_paths_as(&paths, Limits::default(), None);
        let mut batches: Vec<Vec<Article>> = Vec::new();
        let out = read_paths_batched(&paths, Limits::default(), None, 3, &mut |b| batches.push(b));
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3, 3, 2]
        );
        assert_eq!(batches.concat(), whole.articles);
        assert!(out.articles.is_empty());
        assert_eq!(out.skipped, whole.skipped);
        assert_eq!(out.warnings, whole.warnings);
        assert_eq!((out.skipped.len(), out.warnings.len()), (2, 1));
    }

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
            let out = super::read_jsonl_str("x", &line, super::Limits::default());
            assert!(out.skipped.is_empty() && out.warnings.is_empty(), "{out:?}");
            assert_eq!(out.articles, vec![a]);
        }
    }

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
    fn articles_known_by_url_take_the_slug_as_id() {
        let mut r = Reader::new(Limits::default(), None);
        assert_eq!(
            r.url_id("https://a.example/news/port-strike-ends.html?x=1#top"),
            "port-strike-ends"
        );
        assert_eq!(
            r.url_id("https://a.example/news/port-strike-ends/"),
            "port-strike-ends"
        );
        assert_eq!(r.url_id("https://a.example/"), "https://a.example/");
        assert_eq!(r.url_id("https://a.example"), "https://a.example");
        r.seen.insert("port-strike-ends".into(), "x".into());
        assert_eq!(
            r.url_id("https://b.example/port-strike-ends"),
            "https://b.example/port-strike-ends"
        );
    }

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
