//! RSS 0.9x/1.0/2.0, Atom and JSON Feed documents → items, each either an article (it carries its
//! full text) or a skip (only a link or a teaser: wiretrace never fetches over the network).
//!
//! Parsing is feed-rs, the maintained crate that normalises the feed dialects (and their date
//! formats) into one model; what counts as "full text" is ours.

use chrono::{DateTime, FixedOffset};

use super::html::{fragment_text, HtmlLimits};

/// A summary or description shorter than this many words is a teaser, not the article: feeds
/// that carry full text in `<description>` (common in RSS 2.0) are far above it, teasers are one
/// or two sentences.
pub const MIN_FULL_TEXT_WORDS: usize = 80;

/// One feed item.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedItem {
    /// An item with its full text.
    Article {
        /// 1-based position in the feed.
        index: usize,
        /// The item's headline.
        title: Option<String>,
        /// Plain text, paragraphs separated by a blank line.
        text: String,
        /// The item's link.
        link: Option<String>,
        /// Publication (else update) time.
        published: Option<DateTime<FixedOffset>>,
        /// The feed's title (the outlet).
        source: Option<String>,
        /// Item language, else the feed's.
        lang: Option<String>,
    },
    /// An item that yields no article.
    Skipped {
        /// 1-based position in the feed.
        index: usize,
        /// The item's link, when it has one.
        link: Option<String>,
        /// Why.
        reason: String,
    },
}

/// Why a feed could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("not a readable RSS/Atom/JSON feed: {0}")]
pub struct FeedError(String);

/// Reads a feed document's items.
pub fn read_feed(bytes: &[u8], limits: HtmlLimits) -> Result<Vec<FeedItem>, FeedError> {
    if let Some(at) = late_xml_declaration(bytes) {
        // Invalid XML (the declaration may only open the document), and quick-xml 0.42, under
        // feed-rs, panics when such a late declaration names another encoding (found by the
        // `feed` fuzz target; testdata/fuzz-regressions/feed).
        return Err(FeedError(format!(
            "an XML declaration (`<?xml`) at byte {at}, after the start of the document"
        )));
    }
    let feed = super::guard("the feed parser (feed-rs)", || {
        feed_rs::parser::parse(bytes)
    })
    .map_err(FeedError)?
    .map_err(|e| FeedError(e.to_string()))?;
    let source = feed
        .title
        .as_ref()
        .and_then(|t| squash(&t.content))
        .or_else(|| {
            feed.links
                .iter()
                .find_map(|l| super::html::host_of(&l.href).map(str::to_string))
        });
    let feed_lang = feed.language.clone();
    let mut out = Vec::with_capacity(feed.entries.len());
    for (k, entry) in feed.entries.into_iter().enumerate() {
        let index = k + 1;
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first())
            .map(|l| l.href.trim().to_string())
            .filter(|l| !l.is_empty());
        let content = entry.content.as_ref().and_then(|c| c.body.as_deref());
        let summary = entry.summary.as_ref().map(|s| s.content.as_str());
        let mut chosen = None;
        for (body, is_content) in [(content, true), (summary, false)] {
            let Some(body) = body else { continue };
            match fragment_text(body, limits) {
                Ok(text) => {
                    let words = text.split_whitespace().count();
                    if words > 0 && (is_content || words >= MIN_FULL_TEXT_WORDS) {
                        chosen = Some(Ok(text));
                        break;
                    }
                }
                Err(e) => {
                    chosen = Some(Err(e.to_string()));
                    break;
                }
            }
        }
        match chosen {
            Some(Ok(text)) => out.push(FeedItem::Article {
                index,
                title: entry.title.as_ref().and_then(|t| {
                    fragment_text(&t.content, limits)
                        .ok()
                        .and_then(|t| squash(&t))
                }),
                text,
                link,
                published: entry.published.or(entry.updated).map(|t| t.fixed_offset()),
                source: source.clone(),
                lang: entry.language.clone().or_else(|| feed_lang.clone()),
            }),
            Some(Err(reason)) => out.push(FeedItem::Skipped {
                index,
                link,
                reason,
            }),
            None => {
                let reason = if summary.is_some_and(|s| !s.trim().is_empty()) {
                    format!("feed item has only a teaser (under {MIN_FULL_TEXT_WORDS} words) and a link; wiretrace does not fetch pages")
                } else {
                    "feed item has only a link, no text; wiretrace does not fetch pages".to_string()
                };
                out.push(FeedItem::Skipped {
                    index,
                    link,
                    reason,
                });
            }
        }
    }
    Ok(out)
}

/// The byte offset of an XML declaration anywhere but at the very start (after a BOM and white
/// space). `<?xml-stylesheet` and other processing instructions are fine.
fn late_xml_declaration(bytes: &[u8]) -> Option<usize> {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").map_or(0, |_| 3);
    let first = start
        + bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    bytes
        .windows(6)
        .enumerate()
        .filter(|&(i, w)| {
            i != first
                && w[..5].eq_ignore_ascii_case(b"<?xml")
                && (w[5].is_ascii_whitespace() || w[5] == b'?')
        })
        .map(|(i, _)| i)
        .next()
}

fn squash(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(words: usize) -> String {
        "The harbour reopened after the strike. ".repeat(words / 6 + 1)
    }

    #[test]
    fn rss_items_with_text_become_articles_and_link_only_items_are_skipped() {
        let rss = format!(
            r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Harbour Post</title><link>https://harbour.example/</link>
<item><title>Full story</title><link>https://harbour.example/1</link><pubDate>Mon, 02 Mar 2026 06:15:00 +0100</pubDate><content:encoded><![CDATA[<p>{}</p><p>Second paragraph.</p>]]></content:encoded></item>
<item><title>Teaser</title><link>https://harbour.example/2</link><description>Short teaser only.</description></item>
<item><title>Bare</title><link>https://harbour.example/3</link></item>
<item><title>Long description</title><description>{}</description></item>
</channel></rss>"#,
            body(20),
            body(100)
        );
        let items = read_feed(rss.as_bytes(), HtmlLimits::default()).unwrap();
        assert_eq!(items.len(), 4);
        let FeedItem::Article {
            title,
            text,
            link,
            published,
            source,
            ..
        } = &items[0]
        else {
            panic!("{:?}", items[0])
        };
        assert_eq!(title.as_deref(), Some("Full story"));
        assert!(text.ends_with("\n\nSecond paragraph."));
        assert_eq!(link.as_deref(), Some("https://harbour.example/1"));
        assert_eq!(published.unwrap().to_rfc3339(), "2026-03-02T05:15:00+00:00");
        assert_eq!(source.as_deref(), Some("Harbour Post"));
        assert!(matches!(&items[1], FeedItem::Skipped { reason, .. } if reason.contains("teaser")));
        assert!(
            matches!(&items[2], FeedItem::Skipped { reason, .. } if reason.contains("only a link"))
        );
        assert!(matches!(&items[3], FeedItem::Article { link: None, .. }));
    }

    #[test]
    fn atom_content_is_read() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:x</id><updated>2026-03-02T06:15:00Z</updated>
<entry><title>Port reopens</title><id>urn:1</id><updated>2026-03-02T06:15:00Z</updated><link href="https://wire.example/1"/><content type="html">&lt;p&gt;The port reopened.&lt;/p&gt;</content></entry></feed>"#;
        let items = read_feed(atom.as_bytes(), HtmlLimits::default()).unwrap();
        assert!(
            matches!(&items[..], [FeedItem::Article { text, .. }] if text == "The port reopened.")
        );
    }

    #[test]
    fn a_late_xml_declaration_is_refused_but_a_stylesheet_is_fine() {
        let late = b"<?xml version=\"1.0\"?><rss><channel><?xml version=\"1.0\" encoding=\"iso-8859-2\"?></channel></rss>";
        let e = read_feed(late, HtmlLimits::default()).unwrap_err();
        assert!(e.to_string().contains("at byte 35"), "{e}");
        let styled = b"\xEF\xBB\xBF\n<?xml version=\"1.0\"?><?xml-stylesheet href=\"s.xsl\"?><rss version=\"2.0\"><channel><title>T</title></channel></rss>";
        assert!(read_feed(styled, HtmlLimits::default()).unwrap().is_empty());
    }

    #[test]
    fn an_empty_feed_has_no_items_and_garbage_is_an_error() {
        let empty = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Nothing</title></channel></rss>"#;
        assert!(read_feed(empty.as_bytes(), HtmlLimits::default())
            .unwrap()
            .is_empty());
        assert!(read_feed(b"<rss><channel><item>", HtmlLimits::default()).is_err());
    }
}
