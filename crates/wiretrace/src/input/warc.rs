//! WARC archives (ISO 28500, versions 0.x–1.1, plain or gzip — the caller undoes gzip): a
//! streaming record reader that hands over the HTML bodies of `response` (and `resource`)
//! records and counts everything else.
//!
//! Our own reader rather than the `warc` crate: every byte of a crawl is untrusted, and the
//! reader must bound what it allocates (a record claiming a 100 GB Content-Length is skipped by
//! streaming past it, never buffered), survive a wrong Content-Length by re-synchronising on the
//! next `WARC/` line, and decode the HTTP layer inside the record (status, Content-Type charset,
//! chunked transfer, gzip/deflate content encoding) — which the crate leaves to the caller.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};

/// Bounds for one archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarcLimits {
    /// Largest record block buffered (bytes); larger HTML responses are skipped.
    pub max_record_bytes: usize,
    /// Largest decompressed HTTP body (gzip content encoding inside a record).
    pub max_body_bytes: usize,
}

/// One HTML page found in an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcPage {
    /// 1-based record number in the archive.
    pub record: usize,
    /// `WARC-Target-URI`.
    pub target: Option<String>,
    /// `WARC-Date` (capture time, RFC 3339 per the standard).
    pub date: Option<String>,
    /// The charset of the HTTP `Content-Type`, when given.
    pub charset: Option<String>,
    /// The page's bytes (HTTP headers removed, transfer and content encodings undone).
    pub body: Vec<u8>,
}

/// What the reader hands over, record by record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarcItem {
    /// An HTML page.
    Page(WarcPage),
    /// An HTML response that could not be used, with the reason.
    Skipped {
        /// 1-based record number.
        record: usize,
        /// `WARC-Target-URI`.
        target: Option<String>,
        /// Why.
        reason: String,
    },
}

/// Records passed over because they hold no article, by kind (`request`, `metadata`,
/// `response without HTML`, …): counted, not listed one by one.
pub type WarcCounts = BTreeMap<String, usize>;

/// Why reading an archive stopped before its end (the records before it are kept).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WarcError {
    /// The data is not a WARC record where one must start.
    #[error("not a WARC archive (no `WARC/` version line at the start)")]
    NotWarc,
    /// The archive ends inside a record.
    #[error("archive ends inside record {record} (truncated)")]
    Truncated {
        /// 1-based record number.
        record: usize,
    },
    /// Reading failed (I/O, corrupt gzip, or the decompressed-size limit).
    #[error("cannot read record {record}: {source}")]
    Io {
        /// 1-based record number.
        record: usize,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

const MAX_LINE: usize = 64 * 1024;
const MAX_HEADERS: usize = 512;

/// Reads every record of an archive, handing HTML pages and per-page problems to `sink`. Returns
/// the counts of records passed over, or the error that ended reading early together with them.
pub fn read_warc<R: BufRead>(
    mut input: R,
    limits: WarcLimits,
    mut sink: impl FnMut(WarcItem),
) -> Result<WarcCounts, (WarcError, WarcCounts)> {
    let mut counts = WarcCounts::new();
    let mut record = 0usize;
    let mut line = Vec::new();
    loop {
        match next_record(&mut input, &mut line, record, &mut counts) {
            Ok(true) => {}
            Ok(false) => return Ok(counts),
            Err(e) => return Err((e, counts)),
        }
        record += 1;
        if let Err(e) = read_record(&mut input, record, limits, &mut counts, &mut sink) {
            return Err((e, counts));
        }
    }
}

/// Reads up to the version line that starts the next record: `false` at the end of the input.
/// Between records there may be blank lines; anything else means the previous Content-Length was
/// wrong, and we skip to the next version line.
fn next_record<R: BufRead>(
    input: &mut R,
    line: &mut Vec<u8>,
    record: usize,
    counts: &mut WarcCounts,
) -> Result<bool, WarcError> {
    let mut resynced = false;
    loop {
        line.clear();
        let n = read_line(input, line).map_err(|e| WarcError::Io { record, source: e })?;
        if n == 0 {
            return Ok(false);
        }
        if line.starts_with(b"WARC/") {
            return Ok(true);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if record == 0 {
            return Err(WarcError::NotWarc);
        }
        if !resynced {
            resynced = true;
            *counts
                .entry("stretches of data between records (a wrong Content-Length?), skipped to the next record".into())
                .or_default() += 1;
        }
    }
}

/// One record after its version line: headers, then the block, handed over when it may hold a
/// page and passed over (counted) when not.
fn read_record<R: BufRead>(
    input: &mut R,
    record: usize,
    limits: WarcLimits,
    counts: &mut WarcCounts,
    sink: &mut impl FnMut(WarcItem),
) -> Result<(), WarcError> {
    let head = match read_headers(input) {
        Ok(Some(h)) => RecordHead::of(&h),
        Ok(None) => return Err(WarcError::Truncated { record }),
        Err(e) => return Err(WarcError::Io { record, source: e }),
    };
    let Some(length) = head.length else {
        sink(WarcItem::Skipped {
            record,
            target: head.target,
            reason: "WARC record without a valid Content-Length".into(),
        });
        return Ok(()); // the resync in `next_record` finds the next record
    };
    let wanted = head.may_hold_a_page();
    if !wanted {
        pass_over(input, length, record)?;
        *counts.entry(head.counted_as()).or_default() += 1;
        return Ok(());
    }
    if length > limits.max_record_bytes as u64 {
        sink(WarcItem::Skipped {
            record,
            target: head.target,
            reason: format!(
                "WARC record is {} KB, over the {} KB limit for one page",
                length >> 10,
                limits.max_record_bytes >> 10
            ),
        });
        return pass_over(input, length, record);
    }
    let block = read_block(input, length, record)?;
    hand_over(head, record, block, limits, counts, sink);
    Ok(())
}

/// What a record's headers say about it.
struct RecordHead {
    /// `WARC-Type`, lowercase.
    kind: String,
    target: Option<String>,
    length: Option<u64>,
    /// `Content-Type`, lowercase.
    payload_type: String,
    date: Option<String>,
}

impl RecordHead {
    fn of(headers: &[(String, String)]) -> RecordHead {
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        RecordHead {
            kind: get("WARC-Type").unwrap_or_default().to_ascii_lowercase(),
            target: get("WARC-Target-URI").map(|u| u.trim_matches(['<', '>']).to_string()),
            length: get("Content-Length").and_then(|l| l.trim().parse::<u64>().ok()),
            payload_type: get("Content-Type").unwrap_or_default().to_ascii_lowercase(),
            date: get("WARC-Date"),
        }
    }

    /// An HTTP response, or a stored HTML resource.
    fn may_hold_a_page(&self) -> bool {
        match self.kind.as_str() {
            "response" => {
                self.payload_type.contains("application/http") || self.payload_type.is_empty()
            }
            "resource" => is_html_type(&self.payload_type),
            _ => false,
        }
    }

    /// The line of the counts a record passed over is counted in.
    fn counted_as(&self) -> String {
        if self.kind.is_empty() {
            "records without a WARC-Type".to_string()
        } else {
            format!("{} records", self.kind)
        }
    }
}

/// A block that may hold a page: a resource is the page itself; a response is an HTTP message
/// whose body is the page when it is HTML.
fn hand_over(
    head: RecordHead,
    record: usize,
    block: Vec<u8>,
    limits: WarcLimits,
    counts: &mut WarcCounts,
    sink: &mut impl FnMut(WarcItem),
) {
    let RecordHead {
        target,
        date,
        payload_type,
        kind,
        ..
    } = head;
    if kind == "resource" {
        let charset = charset_of(&payload_type);
        sink(WarcItem::Page(WarcPage {
            record,
            target,
            date,
            charset,
            body: block,
        }));
        return;
    }
    match http_body(&block, limits.max_body_bytes) {
        Ok(Http::Html { charset, body }) => sink(WarcItem::Page(WarcPage {
            record,
            target,
            date,
            charset,
            body,
        })),
        Ok(Http::Other(what)) => *counts.entry(what).or_default() += 1,
        Err(reason) => sink(WarcItem::Skipped {
            record,
            target,
            reason,
        }),
    }
}

/// Streams past a record's block, never buffering it: the claimed length is untrusted.
fn pass_over<R: BufRead>(input: &mut R, length: u64, record: usize) -> Result<(), WarcError> {
    match std::io::copy(&mut input.take(length), &mut std::io::sink()) {
        Ok(n) if n < length => Err(WarcError::Truncated { record }),
        Ok(_) => Ok(()),
        Err(e) => Err(WarcError::Io { record, source: e }),
    }
}

/// A record's block, whose length is within the limit.
fn read_block<R: BufRead>(input: &mut R, length: u64, record: usize) -> Result<Vec<u8>, WarcError> {
    let mut block = Vec::with_capacity(length as usize);
    match input.take(length).read_to_end(&mut block) {
        Ok(n) if (n as u64) < length => Err(WarcError::Truncated { record }),
        Ok(_) => Ok(block),
        Err(e) => Err(WarcError::Io { record, source: e }),
    }
}

/// One line, at most [`MAX_LINE`] bytes kept (the rest of an overlong line is consumed and
/// dropped, so a line without an end cannot grow memory).
fn read_line<R: BufRead>(input: &mut R, line: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(total);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_LINE.saturating_sub(line.len()).min(take);
        line.extend_from_slice(&buf[..room]);
        input.consume(take);
        total += take;
        if done {
            return Ok(total);
        }
    }
}

/// Named fields up to the blank line; `None` at end of input. Continuation lines (leading
/// space or tab) extend the previous field.
fn read_headers<R: BufRead>(input: &mut R) -> std::io::Result<Option<Vec<(String, String)>>> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line(input, &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Ok(Some(headers));
        }
        if text.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(text.trim());
            }
            continue;
        }
        if headers.len() < MAX_HEADERS {
            if let Some((k, v)) = text.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
}

fn is_html_type(content_type: &str) -> bool {
    content_type.contains("text/html") || content_type.contains("application/xhtml")
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
            .filter(|c| !c.is_empty())
    })
}

enum Http {
    Html {
        charset: Option<String>,
        body: Vec<u8>,
    },
    /// Not an article; the label counts it.
    Other(String),
}

/// The HTTP response inside a `response` record.
fn http_body(block: &[u8], max_body: usize) -> Result<Http, String> {
    let Some(split) = block
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            block
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        })
    else {
        return Ok(Http::Other("responses without HTTP headers".into()));
    };
    let head = String::from_utf8_lossy(&block[..split.0]);
    let body = &block[split.1..];
    let mut lines = head.lines();
    let status = lines
        .next()
        .filter(|l| l.starts_with("HTTP/"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok());
    let Some(status) = status else {
        return Ok(Http::Other("responses that are not HTTP".into()));
    };
    let header = |name: &str| {
        head.lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_ascii_lowercase())
    };
    if !(200..300).contains(&status) {
        return Ok(Http::Other(format!("HTTP {}xx responses", status / 100)));
    }
    let content_type = header("content-type").unwrap_or_default();
    let sniffed_html = content_type.is_empty()
        && super::detect::detect(&body[..body.len().min(4096)], "") == super::Format::Html;
    if !is_html_type(&content_type) && !sniffed_html {
        return Ok(Http::Other("responses that are not HTML".into()));
    }
    let mut body = body.to_vec();
    if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body).ok_or("malformed chunked transfer encoding in the HTTP response")?;
    }
    match header("content-encoding").as_deref() {
        None | Some("") | Some("identity") => {}
        Some("gzip") | Some("x-gzip") => {
            body = super::inflate(
                flate2::read::MultiGzDecoder::new(&body[..]),
                max_body as u64,
            )
            .map_err(|e| format!("gzip content encoding: {e}"))?;
        }
        Some("deflate") => {
            body = super::inflate(flate2::read::ZlibDecoder::new(&body[..]), max_body as u64)
                .map_err(|e| format!("deflate content encoding: {e}"))?;
        }
        Some(other) => return Err(format!("unsupported content encoding `{other}`")),
    }
    Ok(Http::Html {
        charset: charset_of(&content_type),
        body,
    })
}

/// Undoes HTTP/1.1 chunked transfer encoding; `None` when a chunk size is malformed or runs past
/// the data.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size..)?;
        data = data.strip_prefix(b"\r\n").unwrap_or(data);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const LIMITS: WarcLimits = WarcLimits {
        max_record_bytes: 1 << 20,
        max_body_bytes: 1 << 20,
    };

    /// A WARC record; `length` overrides the true Content-Length.
    pub(crate) fn record(kind: &str, uri: &str, block: &[u8], length: Option<usize>) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2026-03-02T06:15:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            length.unwrap_or(block.len())
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    pub(crate) fn http(content_type: &str, body: &str) -> Vec<u8> {
        format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n{body}").into_bytes()
    }

    fn read_all(data: &[u8]) -> (Vec<WarcItem>, Result<WarcCounts, String>) {
        let mut items = Vec::new();
        let r = read_warc(data, LIMITS, |i| items.push(i)).map_err(|(e, _)| e.to_string());
        (items, r)
    }

    #[test]
    fn html_responses_become_pages_and_the_rest_is_counted() {
        let mut w = record("warcinfo", "", b"software: test", None);
        w.extend(record(
            "request",
            "https://a.example/1",
            b"GET /1 HTTP/1.1\r\n\r\n",
            None,
        ));
        w.extend(record(
            "response",
            "https://a.example/1",
            &http("text/html; charset=ISO-8859-1", "<p>caf\u{e9}</p>"),
            None,
        ));
        w.extend(record(
            "response",
            "https://a.example/i.png",
            &http("image/png", "PNG"),
            None,
        ));
        let (items, counts) = read_all(&w);
        let counts = counts.unwrap();
        assert_eq!(items.len(), 1);
        let WarcItem::Page(p) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(p.record, 3);
        assert_eq!(p.target.as_deref(), Some("https://a.example/1"));
        assert_eq!(p.charset.as_deref(), Some("iso-8859-1"));
        assert_eq!(p.date.as_deref(), Some("2026-03-02T06:15:00Z"));
        assert_eq!(counts.get("warcinfo records"), Some(&1));
        assert_eq!(counts.get("request records"), Some(&1));
        assert_eq!(counts.get("responses that are not HTML"), Some(&1));
    }

    #[test]
    fn a_short_content_length_resyncs_on_the_next_record() {
        let page = http("text/html", "<p>first page text</p>");
        let mut w = record(
            "response",
            "https://a.example/1",
            &page,
            Some(page.len() - 10),
        );
        w.extend(record(
            "response",
            "https://a.example/2",
            &http("text/html", "<p>two</p>"),
            None,
        ));
        let (items, counts) = read_all(&w);
        let targets: Vec<_> = items
            .iter()
            .filter_map(|i| match i {
                WarcItem::Page(p) => p.target.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(targets, vec!["https://a.example/1", "https://a.example/2"]);
        assert!(counts
            .unwrap()
            .keys()
            .any(|k| k.contains("wrong Content-Length")));
    }

    #[test]
    fn a_long_content_length_is_a_truncated_archive() {
        let page = http("text/html", "<p>x</p>");
        let w = record(
            "response",
            "https://a.example/1",
            &page,
            Some(page.len() + 1000),
        );
        let (items, r) = read_all(&w);
        assert!(items.is_empty());
        assert_eq!(r.unwrap_err(), "archive ends inside record 1 (truncated)");
    }

    #[test]
    fn a_huge_claimed_length_is_not_allocated() {
        let mut w =
            b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999999999999\r\n\r\nshort"
                .to_vec();
        w.extend_from_slice(b"\r\n");
        let (items, r) = read_all(&w);
        assert!(
            matches!(&items[..], [WarcItem::Skipped { reason, .. }] if reason.contains("over the"))
        );
        assert_eq!(r.unwrap_err(), "archive ends inside record 1 (truncated)");
    }

    #[test]
    fn chunked_and_gzip_bodies_are_decoded() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<html><body><p>zipped</p></body></html>")
            .unwrap();
        let gz = gz.finish().unwrap();
        let mut chunked = format!("{:x}\r\n", gz.len()).into_bytes();
        chunked.extend_from_slice(&gz);
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend_from_slice(&chunked);
        let (items, _) = read_all(&record("response", "https://a.example/z", &block, None));
        let WarcItem::Page(p) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(p.body, b"<html><body><p>zipped</p></body></html>");
    }

    #[test]
    fn not_a_warc_and_non_2xx() {
        assert_eq!(
            read_all(b"hello\n").1.unwrap_err(),
            "not a WARC archive (no `WARC/` version line at the start)"
        );
        let w = record(
            "response",
            "https://a.example/404",
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>no</p>",
            None,
        );
        let (items, counts) = read_all(&w);
        assert!(items.is_empty());
        assert_eq!(counts.unwrap().get("HTTP 4xx responses"), Some(&1));
    }
}
