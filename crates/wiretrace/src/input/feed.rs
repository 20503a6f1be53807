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
    let utf8 = as_utf8_xml(bytes)?;
    let feed = super::guard("the feed parser (feed-rs)", || {
        feed_rs::parser::parse(&utf8[..])
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
        out.push(item(entry, k + 1, limits, &source, &feed_lang));
    }
    Ok(out)
}

/// One entry of a feed: an article when it carries its full text, else a skip saying why not.
fn item(
    entry: feed_rs::model::Entry,
    index: usize,
    limits: HtmlLimits,
    source: &Option<String>,
    feed_lang: &Option<String>,
) -> FeedItem {
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|l| !l.is_empty());
    let content = entry.content.as_ref().and_then(|c| c.body.as_deref());
    let summary = entry.summary.as_ref().map(|s| s.content.as_str());
    match full_text(content, summary, limits) {
        Some(Ok(text)) => FeedItem::Article {
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
        },
        Some(Err(reason)) => FeedItem::Skipped {
            index,
            link,
            reason,
        },
        None => {
            let reason = if summary.is_some_and(|s| !s.trim().is_empty()) {
                format!("feed item has only a teaser (under {MIN_FULL_TEXT_WORDS} words) and a link; wiretrace does not fetch pages")
            } else {
                "feed item has only a link, no text; wiretrace does not fetch pages".to_string()
            };
            FeedItem::Skipped {
                index,
                link,
                reason,
            }
        }
    }
}

/// The item's full text: its content when it has any words, else its summary when it is long
/// enough not to be a teaser; `None` when neither is, an error when the markup cannot be read.
fn full_text(
    content: Option<&str>,
    summary: Option<&str>,
    limits: HtmlLimits,
) -> Option<Result<String, String>> {
    for (body, is_content) in [(content, true), (summary, false)] {
        let Some(body) = body else { continue };
        match fragment_text(body, limits) {
            Ok(text) => {
                let words = text.split_whitespace().count();
                if words > 0 && (is_content || words >= MIN_FULL_TEXT_WORDS) {
                    return Some(Ok(text));
                }
            }
            Err(e) => return Some(Err(e.to_string())),
        }
    }
    None
}

/// An XML document re-encoded as UTF-8, its declaration replaced by one that says so, or why it
/// cannot be a feed. We decode (BOM, else the declared encoding, else UTF-8 with stray bytes as
/// Windows-1252) rather than let the parser switch decoders mid-stream: quick-xml 0.42 under
/// feed-rs panics when a declaration naming another encoding ends past its 64-byte look-ahead, or
/// comes after the start (both found by the `feed` fuzz target; testdata/fuzz-regressions/feed;
/// a real declaration with `standalone` and line breaks is enough). JSON passes through.
fn as_utf8_xml(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, FeedError> {
    use std::borrow::Cow;
    let text: String = match encoding_rs::Encoding::for_bom(bytes) {
        Some((enc, len)) => enc
            .decode_without_bom_handling(&bytes[len..])
            .0
            .into_owned(),
        None => {
            let lead = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
            match bytes.get(lead) {
                Some(b'<') => {}
                // JSON Feed: no XML parser involved.
                Some(b'{') => return Ok(Cow::Borrowed(bytes)),
                // Text before the root is not XML either, and a declaration after it would
                // reach the same quick-xml panic (third fuzz crash).
                _ => {
                    return Err(FeedError(
                        "neither XML nor JSON (a feed starts with `<` or `{`)".into(),
                    ))
                }
            }
            // The declaration is ASCII in every encoding a feed may declare here.
            let head = String::from_utf8_lossy(&bytes[lead..bytes.len().min(lead + 1024)]);
            match declaration_len(&head).and_then(|n| declared_encoding(&head[..n])) {
                Some(enc) if enc != encoding_rs::UTF_8 => {
                    enc.decode_without_bom_handling(bytes).0.into_owned()
                }
                _ => super::decode(bytes),
            }
        }
    };
    let body = text.trim_start();
    if body.starts_with('{') {
        return Ok(Cow::Owned(text.into_bytes()));
    }
    if !body.starts_with('<') {
        return Err(FeedError(
            "neither XML nor JSON (a feed starts with `<` or `{`)".into(),
        ));
    }
    let skip = text.len() - body.len() + declaration_len(body).unwrap_or(0);
    let body = &text[skip..];
    if let Some(at) = find_declaration(body) {
        return Err(FeedError(format!(
            "an XML declaration (`<?xml`) after the start of the document (byte {} of its text)",
            skip + at
        )));
    }
    let mut out = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>".to_vec();
    out.extend_from_slice(body.as_bytes());
    Ok(Cow::Owned(out))
}

/// Whether `s` is `<?xml` followed by white space or `?` (not `<?xml-stylesheet`).
fn is_declaration(s: &str) -> bool {
    s.len() >= 6
        && s.as_bytes()[..5].eq_ignore_ascii_case(b"<?xml")
        && (s.as_bytes()[5].is_ascii_whitespace() || s.as_bytes()[5] == b'?')
}

/// The length of the XML declaration that opens `s`, when one does and ends.
fn declaration_len(s: &str) -> Option<usize> {
    is_declaration(s).then(|| s.find("?>").map(|e| e + 2))?
}

/// Any XML declaration, anywhere: in markup, CDATA, a comment or an attribute value. Five fuzz
/// crashes reached quick-xml's decoder-switch panic through late declarations that a finer
/// check (skipping quoted text, reading only non-UTF-8 ones) let through, each by another
/// route; refusing every late declaration is the one rule no route gets round. The cost: a
/// feed that quotes `<?xml …?>` inside an item is refused (with this reason) — rare, since feed
/// content escapes markup as `&lt;?xml`.
fn find_declaration(s: &str) -> Option<usize> {
    s.match_indices("<?")
        .map(|(i, _)| i)
        .find(|&i| is_declaration(&s[i..]))
}

fn declared_encoding(decl: &str) -> Option<&'static encoding_rs::Encoding> {
    let decl = decl.to_ascii_lowercase();
    let (_, v) = decl.split_once("encoding")?;
    let v = v.trim_start().strip_prefix('=')?.trim_start();
    // Quoted as XML wants, or bare, which a lenient parser may also take.
    let label = match v.chars().next()? {
        q @ ('"' | '\'') => v[1..].split(q).next()?,
        _ => v
            .split(|c: char| c.is_whitespace() || c == '?' || c == '>')
            .next()?,
    };
    encoding_rs::Encoding::for_label(label.trim().as_bytes())
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
    fn feeds_are_decoded_before_parsing() {
        // A long declaration naming a legacy encoding, and a windows-1252 title.
        let feed = b"<?xml version=\"1.0\"\n     encoding=\"windows-1252\"\n     standalone=\"yes\"  ?>\n<rss version=\"2.0\"><channel><title>Caf\xe9 \x93News\x94</title><item><content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">&lt;p&gt;Text.&lt;/p&gt;</content:encoded></item></channel></rss>";
        let items = read_feed(feed, HtmlLimits::default()).unwrap();
        assert!(
            matches!(&items[..], [FeedItem::Article { source: Some(s), .. }] if s == "Caf\u{e9} \u{201c}News\u{201d}"),
            "{items:?}"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>T</title></channel></rss>"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert!(read_feed(&utf16, HtmlLimits::default()).unwrap().is_empty());
    }

    #[test]
    fn a_late_xml_declaration_is_refused_but_a_stylesheet_is_fine() {
        let late = b"<?xml version=\"1.0\"?><rss><channel><?xml version=\"1.0\" encoding=\"iso-8859-2\"?></channel></rss>";
        let e = read_feed(late, HtmlLimits::default()).unwrap_err();
        assert!(e.to_string().contains("(byte 35 of its text)"), "{e}");
        // A quoted declaration inside CDATA is refused too (see `find_declaration`).
        let quoted = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><description><![CDATA[Start with <?xml version=\"1.0\"?>.]]></description></item></channel></rss>";
        assert!(read_feed(quoted, HtmlLimits::default()).is_err());
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
