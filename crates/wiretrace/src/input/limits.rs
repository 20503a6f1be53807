//! Bounds on what one input may cost: sizes ([`Limits`]), decompressed bytes ([`inflate`],
//! [`Capped`]), line lengths ([`read_line_capped`]) and panics in third-party parsers ([`guard`]).

use std::io::Read;

use super::html;

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
    /// The limits the HTML reader applies, alone or inside a feed or an archive.
    pub(super) fn html(&self) -> html::HtmlLimits {
        html::HtmlLimits {
            max_page_bytes: self.max_page_bytes,
            max_depth: self.max_html_depth,
        }
    }
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

/// Reads a decompressing stream whole, refusing more than `max` bytes.
pub(crate) fn inflate(r: impl Read, max: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    Capped::new(r, max).read_to_end(&mut out)?;
    Ok(out)
}

/// Reads one line (with its `\n`) into `out`, or only past it when it is longer than `cap`
/// bytes: `(bytes read, over the cap)`; `(0, false)` at the end of the input.
pub(super) fn read_line_capped(
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
pub(super) struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Capped<R> {
    pub(super) fn new(inner: R, limit: u64) -> Self {
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
