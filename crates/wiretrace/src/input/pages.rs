//! Containers of pages → articles: an HTML page, the items of a feed, the pages of a WARC archive.
//! The parsers are [`html`], [`feed`] and [`warc`]; here their results become articles with ids,
//! and their failures skips.

use std::path::Path;

use super::outcome::gzip_reason;
use super::{feed, html, parse_time, warc, Reader};
use crate::model::Article;

impl Reader<'_> {
    /// An HTML page: its main content, named after the file.
    pub(super) fn html_page(&mut self, path: &Path, root: Option<&Path>, name: &str, bytes: &[u8]) {
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

    /// A feed's items with full text; a link-only item is skipped (nothing is fetched).
    pub(super) fn feed(&mut self, path: &Path, name: &str, bytes: &[u8]) {
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

    /// A WARC file, streamed.
    pub(super) fn warc(&mut self, path: &Path, name: &str, gz: bool) {
        if let Some(input) = self.open_stream(path, name, gz) {
            self.warc_stream(name, input);
        }
    }

    /// A WARC archive's pages, read as they stream past.
    pub(super) fn warc_stream(&mut self, name: &str, input: impl std::io::BufRead) {
        let limits = warc::WarcLimits {
            max_record_bytes: self.limits.max_page_bytes.saturating_add(64 * 1024),
            max_body_bytes: self.limits.max_page_bytes,
        };
        let mut pages = 0usize;
        let result = warc::read_warc(input, limits, |item| match item {
            warc::WarcItem::Page(p) => {
                pages += 1;
                self.warc_page(name, p);
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
        self.warc_summary(name, pages, result);
    }

    /// One page of an archive: its URL names it, and the capture date stands in for a
    /// publication date the page does not give.
    fn warc_page(&mut self, name: &str, p: warc::WarcPage) {
        let at = item_label(name, p.record, p.target.as_deref());
        let text = html::decode_html(&p.body, p.charset.as_deref());
        match html::extract(&text, p.target.as_deref(), self.limits.html()) {
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

    /// The end of an archive: the records that held no article, counted by kind in one skip
    /// rather than listed, and why reading stopped early if it did.
    fn warc_summary(
        &mut self,
        name: &str,
        pages: usize,
        result: Result<warc::WarcCounts, (warc::WarcError, warc::WarcCounts)>,
    ) {
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
}

/// Names the n-th item of a container input (a feed item, a WARC record) in skip lists:
/// `feed.xml#4 <https://…>`.
fn item_label(name: &str, n: usize, url: Option<&str>) -> String {
    match url {
        Some(u) => format!("{name}#{n} <{u}>"),
        None => format!("{name}#{n}"),
    }
}
