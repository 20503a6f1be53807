//! HTML pages → one article each: the page's main text (navigation, ads, related-story lists,
//! cookie banners, share widgets and comments dropped) and its metadata (headline, publication
//! time, outlet, canonical URL, language).
//!
//! Main-content selection is dom_smoothie, a maintained Rust port of Mozilla's readability.js
//! (the algorithm behind Firefox Reader View), over html5ever via dom_query. The metadata is our
//! own: readability.js prefers `<title>`-derived headlines and modified times, while provenance
//! needs the visible headline and the *original* publication time, in the order the
//! `testdata/html` conventions give (JSON-LD, then `<meta>`, then `<time>`).
//!
//! Untrusted pages are bounded before any scoring runs: the page size, and the nesting depth of
//! the parsed tree (measured level by level, without recursion), so that no page can exhaust the
//! stack or the clock of a later pass.

use chrono::{DateTime, FixedOffset};
use dom_query::{Document, NodeRef};

/// Bounds on one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtmlLimits {
    /// Largest page (bytes of HTML).
    pub max_page_bytes: usize,
    /// Deepest element nesting accepted.
    pub max_depth: usize,
}

impl Default for HtmlLimits {
    fn default() -> Self {
        HtmlLimits {
            max_page_bytes: 16 * 1024 * 1024,
            max_depth: 256,
        }
    }
}

/// Why a page gave no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HtmlError {
    /// The page is larger than [`HtmlLimits::max_page_bytes`].
    #[error("HTML page is {size_kb} KB, over the {limit_kb} KB limit for one page")]
    TooLarge {
        /// Page size in KB.
        size_kb: usize,
        /// The limit in KB.
        limit_kb: usize,
    },
    /// Elements nest deeper than [`HtmlLimits::max_depth`].
    #[error("HTML nests elements more than {limit} levels deep (not a news page)")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The extractor failed on this page (a bug in it; the page is skipped, the run goes on).
    #[error("{0}")]
    Extractor(String),
    /// Nothing that reads as article text was found.
    #[error("no article text found in the page (only scripts, navigation or markup)")]
    NoText,
}

/// What one page yields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlArticle {
    /// The visible headline.
    pub title: Option<String>,
    /// The main text, paragraphs separated by a blank line.
    pub text: String,
    /// `<link rel=canonical>`, else `og:url`.
    pub canonical: Option<String>,
    /// `og:site_name`, else the JSON-LD publisher, else the host of the page's URL.
    pub source: Option<String>,
    /// Original publication time.
    pub published: Option<DateTime<FixedOffset>>,
    /// Primary language subtag of `<html lang>`.
    pub lang: Option<String>,
}

/// Decodes an HTML page's bytes: a byte-order mark wins, then the charset of the HTTP
/// `Content-Type` (when the page came with one), then a `<meta>` charset in the first 4 KB; else
/// UTF-8 with stray bytes read as Windows-1252 (see [`super::decode`]).
pub fn decode_html(bytes: &[u8], header_charset: Option<&str>) -> String {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return super::decode(bytes);
    }
    let declared = header_charset
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()))
        .or_else(|| {
            // A `<meta>` cannot declare UTF-16 (the bytes it is written in would disagree);
            // the WHATWG rule maps such a label to UTF-8.
            meta_charset(&bytes[..bytes.len().min(4096)])
                .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
                .map(|e| e.output_encoding())
        });
    match declared {
        Some(enc) if enc != encoding_rs::UTF_8 => {
            let text = enc.decode_without_bom_handling(bytes).0;
            if text.contains('\r') {
                text.replace("\r\n", "\n").replace('\r', "\n")
            } else {
                text.into_owned()
            }
        }
        _ => super::decode(bytes),
    }
}

/// The charset label of `<meta charset=…>` or `<meta http-equiv=Content-Type content="…;
/// charset=…">`, read from raw bytes (the label is ASCII in every encoding a page may use).
fn meta_charset(head: &[u8]) -> Option<String> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let start = from + at;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let label: String = rest
                    .iter()
                    .skip_while(|b| matches!(b, b' ' | b'"' | b'\''))
                    .take_while(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')
                    })
                    .map(|&b| b as char)
                    .collect();
                if !label.is_empty() {
                    return Some(label);
                }
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Extracts the article of one decoded page. `url` is where the page came from (a WARC
/// record's target), used for the outlet's host when the page names none.
pub fn extract(
    html: &str,
    url: Option<&str>,
    limits: HtmlLimits,
) -> Result<HtmlArticle, HtmlError> {
    let doc = parse_bounded(html, limits, |h| Document::from(h))?;
    let meta = Metadata::read(&doc);
    drop_non_content(&doc);
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let text = super::guard("the readability extractor (dom_smoothie)", || {
        dom_smoothie::Readability::with_document(doc, None, Some(cfg))
            .ok()
            .and_then(|mut r| r.parse().ok())
            .map(|a| a.text_content.to_string())
    })
    .map_err(HtmlError::Extractor)?
    .map(|t| clean_text(&t, meta.title.as_deref()))
    .unwrap_or_default();
    if text.split_whitespace().next().is_none() {
        return Err(HtmlError::NoText);
    }
    let canonical = meta.canonical.or(meta.og_url);
    let source = meta.site_name.or(meta.publisher).or_else(|| {
        canonical
            .as_deref()
            .or(url)
            .and_then(host_of)
            .map(str::to_string)
    });
    Ok(HtmlArticle {
        title: meta.title,
        text,
        canonical,
        source,
        published: meta.published,
        lang: meta.lang,
    })
}

/// Text of an HTML fragment (a feed item's content), paragraphs separated by a blank line. No
/// main-content selection: a feed item's content is the article.
pub fn fragment_text(html: &str, limits: HtmlLimits) -> Result<String, HtmlError> {
    let doc = parse_bounded(html, limits, |h| Document::fragment(h))?;
    doc.select("script, style, noscript, template, svg")
        .remove();
    Ok(clean_text(&doc.formatted_text(), None))
}

/// Removes what HTML itself marks as not the article, before readability scores the rest:
/// hidden elements, captions, navigation, asides (pull quotes, related lists), dialogs (cookie
/// consent), buttons and embedded frames, and page footers. Readability weighs candidates by
/// class names and link density, but keeps whatever sits inside the winning container; these
/// semantic markers are what trafilatura also drops. (Not `<form>`: ASP.NET pages wrap the
/// whole page in one. Not an `<article>`'s own footer: credit lines live there.)
fn drop_non_content(doc: &Document) {
    doc.select(
        "[hidden], [aria-hidden=\"true\"], figcaption, nav, aside, button, iframe, \
         [role=\"dialog\"], [role=\"alertdialog\"], [role=\"navigation\"], \
         [role=\"complementary\"], [style*=\"display:none\"], [style*=\"display: none\"]",
    )
    .remove();
    for footer in doc.select("footer").nodes() {
        if !footer
            .ancestors_it(None)
            .any(|a| a.node_name().is_some_and(|n| &*n == "article"))
        {
            footer.remove_from_parent();
        }
    }
}

/// Parses a page or fragment within the size and depth limits.
fn parse_bounded(
    html: &str,
    limits: HtmlLimits,
    parse: fn(&str) -> Document,
) -> Result<Document, HtmlError> {
    if html.len() > limits.max_page_bytes {
        return Err(HtmlError::TooLarge {
            size_kb: html.len() >> 10,
            limit_kb: limits.max_page_bytes >> 10,
        });
    }
    if markup_depth_exceeds(html.as_bytes(), limits.max_depth) {
        return Err(HtmlError::TooDeep {
            limit: limits.max_depth,
        });
    }
    let doc = parse(html);
    if depth_exceeds(&doc, limits.max_depth) {
        return Err(HtmlError::TooDeep {
            limit: limits.max_depth,
        });
    }
    Ok(doc)
}

const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"keygen",
    b"frame",
    b"basefont",
    b"bgsound",
];
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"plaintext",
];

type TagNames = &'static [&'static [u8]];

/// For an element that an open sibling of its kind closes implicitly (`<p>`, `<li>`, table
/// cells…): the names that count as that sibling, and the containers that stop the search.
fn implicit_peers(name: &[u8]) -> Option<(TagNames, TagNames)> {
    Some(match name {
        b"p" => (
            &[b"p"],
            &[b"table", b"td", b"th", b"button", b"caption", b"template"],
        ),
        b"li" => (&[b"li"], &[b"ul", b"ol", b"menu"]),
        b"dt" | b"dd" => (&[b"dt", b"dd"], &[b"dl"]),
        b"td" | b"th" => (&[b"td", b"th"], &[b"tr", b"table"]),
        b"tr" => (
            &[b"tr", b"td", b"th"],
            &[b"table", b"tbody", b"thead", b"tfoot"],
        ),
        b"tbody" | b"thead" | b"tfoot" => (
            &[b"tbody", b"thead", b"tfoot", b"tr", b"td", b"th"],
            &[b"table"],
        ),
        b"option" => (&[b"option"], &[b"select", b"datalist"]),
        _ => return None,
    })
}

/// Nesting depth read from the markup itself, before any tree is built: html5ever checks the
/// stack of open elements at every tag, so a page of 40,000 nested `<div>`s costs seconds to
/// *parse* (42 s in a debug build). The scan follows what the tree builder does with void
/// elements, raw-text elements, end tags and the common implicit closes (`<p>`, `<li>`, cells), so
/// it tracks the real depth closely; the exact depth is checked again on the parsed tree. Cost:
/// one pass, the stack bounded by the limit.
fn markup_depth_exceeds(html: &[u8], limit: usize) -> bool {
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut foreign = 0usize; // open <svg>/<math>, where `/>` closes an element
    let mut i = 0;
    while let Some(off) = html[i..].iter().position(|&b| b == b'<') {
        let at = i + off;
        if let Some(next) = past_comment_or_declaration(html, at) {
            i = next;
            continue;
        }
        let closing = html.get(at + 1) == Some(&b'/');
        let name_at = at + 1 + usize::from(closing);
        let name = tag_name(&html[name_at..]);
        if name.is_empty() || !name[0].is_ascii_alphabetic() {
            i = at + 1;
            continue;
        }
        let end = tag_end(html, name_at + name.len());
        let self_closing = end > 0 && end < html.len() && html[end - 1] == b'/';
        i = (end + 1).min(html.len());
        if closing {
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                close_from(&mut stack, pos, &mut foreign);
            }
            continue;
        }
        if VOID.contains(&name.as_slice()) || (self_closing && foreign > 0) {
            continue;
        }
        if RAW_TEXT.contains(&name.as_slice()) {
            i = past_raw_text(html, i, &name);
            continue;
        }
        close_implicit_peers(&mut stack, &name, &mut foreign);
        if matches!(name.as_slice(), b"svg" | b"math") {
            foreign += 1;
        }
        stack.push(name);
        if stack.len() > limit {
            return true;
        }
    }
    false
}

/// Where the scan goes on after a comment, doctype or processing instruction starting at `at`
/// (which opens no element); `None` when a tag starts there.
fn past_comment_or_declaration(html: &[u8], at: usize) -> Option<usize> {
    let rest = &html[at + 1..];
    if rest.starts_with(b"!--") {
        return Some(find(&html[at + 4..], b"-->").map_or(html.len(), |e| at + 4 + e + 3));
    }
    if rest.starts_with(b"!") || rest.starts_with(b"?") {
        return Some(find(rest, b">").map_or(html.len(), |e| at + 1 + e + 1));
    }
    None
}

/// The lowercase tag name at the start of `from`.
fn tag_name(from: &[u8]) -> Vec<u8> {
    from.iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_'))
        .map(u8::to_ascii_lowercase)
        .collect()
}

/// Where the tag whose attributes start at `from` ends: the first `>` outside a quoted
/// attribute value (the end of the page when there is none).
fn tag_end(html: &[u8], from: usize) -> usize {
    let mut quote = None;
    for (k, &b) in html[from..].iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return from + k,
            _ => {}
        }
    }
    html.len()
}

/// Where the content of a raw-text element (`<script>`, `<style>`, …) opened before `i` ends:
/// at its end tag, whatever markup it holds.
fn past_raw_text(html: &[u8], i: usize, name: &[u8]) -> usize {
    let mut close = b"</".to_vec();
    close.extend_from_slice(name);
    let lower: Vec<u8> = html[i..].iter().map(u8::to_ascii_lowercase).collect();
    find(&lower, &close).map_or(html.len(), |e| i + e)
}

/// The implicit close an opening `name` causes (a `<p>` closes an open `<p>`, a `<li>` an open
/// `<li>`): the outermost open peer below the nearest container closes, with what it holds.
fn close_implicit_peers(stack: &mut Vec<Vec<u8>>, name: &[u8], foreign: &mut usize) {
    let Some((peers, stops)) = implicit_peers(name) else {
        return;
    };
    let mut cut = None;
    for pos in (0..stack.len()).rev() {
        if stops.contains(&stack[pos].as_slice()) {
            break;
        }
        if peers.contains(&stack[pos].as_slice()) {
            cut = Some(pos);
        }
    }
    if let Some(pos) = cut {
        close_from(stack, pos, foreign);
    }
}

/// Closes the open elements from `pos` up, keeping count of the foreign (SVG, MathML) ones.
fn close_from(stack: &mut Vec<Vec<u8>>, pos: usize, foreign: &mut usize) {
    *foreign -= stack[pos..]
        .iter()
        .filter(|n| matches!(n.as_slice(), b"svg" | b"math"))
        .count();
    stack.truncate(pos);
}

/// Level-by-level walk: deep trees are refused before any recursive pass can see them.
fn depth_exceeds(doc: &Document, limit: usize) -> bool {
    let mut level: Vec<NodeRef> = vec![doc.root()];
    let mut depth = 0;
    while !level.is_empty() {
        depth += 1;
        if depth > limit {
            return true;
        }
        level = level.iter().flat_map(|n| n.element_children()).collect();
    }
    false
}

/// Paragraphs with inner whitespace collapsed; the headline dropped when the extractor repeats
/// it as the first paragraph (the engine prepends the title itself).
fn clean_text(raw: &str, title: Option<&str>) -> String {
    let mut paras: Vec<String> = raw
        .split("\n\n")
        .flat_map(|block| block.split('\n'))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    if let (Some(first), Some(t)) = (paras.first(), title) {
        if first.eq_ignore_ascii_case(t.trim()) {
            paras.remove(0);
        }
    }
    paras.join("\n\n")
}

/// The host of an absolute http(s) URL, without `www.`.
pub(crate) fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

#[derive(Debug, Default)]
struct Metadata {
    title: Option<String>,
    canonical: Option<String>,
    og_url: Option<String>,
    site_name: Option<String>,
    publisher: Option<String>,
    published: Option<DateTime<FixedOffset>>,
    lang: Option<String>,
}

fn squash(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

impl Metadata {
    fn read(doc: &Document) -> Metadata {
        let ld = json_ld(doc);
        Metadata {
            title: title_of(doc),
            canonical: canonical_of(doc),
            og_url: meta(doc, "og:url"),
            site_name: meta(doc, "og:site_name").or_else(|| meta(doc, "application-name")),
            publisher: publisher_of(doc, &ld),
            published: published_of(doc, &ld),
            lang: lang_of(doc),
        }
    }
}

/// The content of a `<meta>` named `key` (by `property`, `name` or `itemprop`).
fn meta(doc: &Document, key: &str) -> Option<String> {
    doc.select(&format!(
        "meta[property=\"{key}\"], meta[name=\"{key}\"], meta[itemprop=\"{key}\"]"
    ))
    .nodes()
    .iter()
    .find_map(|n| n.attr("content").and_then(|c| squash(&c)))
}

fn title_of(doc: &Document) -> Option<String> {
    // The article's own <h1> before the page's: old themes put the site name in an <h1>.
    ["article h1, main h1, [itemprop=\"headline\"]", "body h1"]
        .iter()
        .find_map(|sel| {
            doc.select(sel)
                .nodes()
                .iter()
                .find_map(|n| squash(&n.text()))
        })
        .or_else(|| meta(doc, "og:title"))
        .or_else(|| {
            let t = squash(&doc.select("head title").text())?;
            // "Headline | Outlet" → "Headline": the suffix is the site, not the story.
            let cut = [" | ", " - ", " – ", " — ", " :: "]
                .iter()
                .filter_map(|sep| t.rfind(sep))
                .max()
                .filter(|&i| i > 0)
                .unwrap_or(t.len());
            squash(&t[..cut])
        })
}

fn canonical_of(doc: &Document) -> Option<String> {
    doc.select("link[rel=\"canonical\"]")
        .nodes()
        .iter()
        .find_map(|n| n.attr("href").and_then(|h| squash(&h)))
        .filter(|h| h.starts_with("http://") || h.starts_with("https://"))
}

/// The publication time, from the most to the least reliable of the places pages give it.
fn published_of(doc: &Document, ld: &[(serde_json::Value, bool)]) -> Option<DateTime<FixedOffset>> {
    ld.iter()
        .find_map(|(v, article)| article.then(|| date_field(v)).flatten())
        .or_else(|| ld.iter().find_map(|(v, _)| date_field(v)))
        .or_else(|| {
            [
                "article:published_time",
                "datePublished",
                "pubdate",
                "publishdate",
            ]
            .iter()
            .find_map(|k| meta(doc, k).and_then(|d| super::parse_time(&d)))
        })
        .or_else(|| {
            doc.select("[itemprop=\"datePublished\"]")
                .nodes()
                .iter()
                .find_map(|n| {
                    n.attr("datetime")
                        .or_else(|| n.attr("content"))
                        .and_then(|d| super::parse_time(&d))
                })
        })
        .or_else(|| {
            let parsely = meta(doc, "parsely-page")?;
            let v: serde_json::Value = serde_json::from_str(&parsely).ok()?;
            super::parse_time(v.get("pub_date")?.as_str()?)
        })
        .or_else(|| {
            doc.select("time[datetime]")
                .nodes()
                .iter()
                .find_map(|n| n.attr("datetime").and_then(|d| super::parse_time(&d)))
        })
}

fn publisher_of(doc: &Document, ld: &[(serde_json::Value, bool)]) -> Option<String> {
    ld.iter()
        .find_map(|(v, _)| {
            let p = v.get("publisher")?;
            let p = p.as_array().and_then(|a| a.first()).unwrap_or(p);
            squash(p.get("name")?.as_str()?)
        })
        .or_else(|| {
            // schema.org microdata: <div itemprop="publisher" …><meta itemprop="name" …>
            doc.select("[itemprop=\"publisher\"] [itemprop=\"name\"]")
                .nodes()
                .iter()
                .find_map(|n| {
                    n.attr("content")
                        .and_then(|c| squash(&c))
                        .or_else(|| squash(&n.text()))
                })
        })
}

/// The two- or three-letter language of `<html lang>`, without its region.
fn lang_of(doc: &Document) -> Option<String> {
    doc.select("html")
        .attr("lang")
        .and_then(|l| {
            l.split(['-', '_'])
                .next()
                .map(|s| s.trim().to_ascii_lowercase())
        })
        .filter(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Every object of the page's JSON-LD blocks (top level, arrays and `@graph`), each with whether
/// its `@type` is an article kind.
fn json_ld(doc: &Document) -> Vec<(serde_json::Value, bool)> {
    let mut out = Vec::new();
    for script in doc.select("script[type=\"application/ld+json\"]").nodes() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&script.text()) else {
            continue;
        };
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Array(items) => stack.extend(items.into_iter().rev()),
                serde_json::Value::Object(mut o) => {
                    if let Some(g) = o.remove("@graph") {
                        stack.push(g);
                    }
                    let kind = match o.get("@type") {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(serde_json::Value::Array(a)) => a
                            .iter()
                            .filter_map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        _ => String::new(),
                    };
                    let article = kind.contains("Article") || kind.contains("Posting");
                    out.push((serde_json::Value::Object(o), article));
                }
                _ => {}
            }
        }
    }
    out
}

fn date_field(v: &serde_json::Value) -> Option<DateTime<FixedOffset>> {
    super::parse_time(v.get("datePublished")?.as_str()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head>
<title>Port strike ends | The Harbour Post</title>
<meta property="og:site_name" content="The Harbour Post">
<link rel="canonical" href="https://harbour.example/port-strike-ends">
<script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"x"},{"@type":"NewsArticle","datePublished":"2026-03-02T06:15:00+01:00","dateModified":"2026-03-03T06:15:00Z"}]}</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<article><h1>Port strike ends</h1>
<p>Dockworkers in Valmora voted on Monday to end a nine-day strike that had shut the country's largest port, union leaders said, after the operator agreed to raise night-shift pay by twelve percent.</p>
<p>"This is a fair deal and our members have earned it," said union secretary Ana Ruiz, speaking outside the port gates as the first cranes started moving again.</p>
<p>Shipping agents said it would take at least a week to clear the backlog of more than forty container vessels waiting at anchor outside the harbour.</p>
</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Strike talks stall</a></li><li><a href="/b">Port closes</a></li></ul></aside>
<footer>Copyright 2026 The Harbour Post</footer>
</body></html>"#;

    #[test]
    fn a_news_page_gives_its_text_and_metadata() {
        let a = extract(PAGE, None, HtmlLimits::default()).unwrap();
        assert_eq!(a.title.as_deref(), Some("Port strike ends"));
        assert_eq!(a.source.as_deref(), Some("The Harbour Post"));
        assert_eq!(
            a.canonical.as_deref(),
            Some("https://harbour.example/port-strike-ends")
        );
        assert_eq!(
            a.published.map(|t| t.to_rfc3339()),
            Some("2026-03-02T06:15:00+01:00".to_string())
        );
        assert_eq!(a.lang.as_deref(), Some("en"));
        assert!(a.text.starts_with("Dockworkers in Valmora"), "{}", a.text);
        assert_eq!(a.text.split("\n\n").count(), 3, "{}", a.text);
        for junk in [
            "Home",
            "cookies",
            "Related",
            "Copyright",
            "Strike talks stall",
        ] {
            assert!(!a.text.contains(junk), "{junk} in {}", a.text);
        }
    }

    #[test]
    fn source_falls_back_to_the_host() {
        let page = PAGE
            .replace(
                "<meta property=\"og:site_name\" content=\"The Harbour Post\">",
                "",
            )
            .replace(
                "<link rel=\"canonical\" href=\"https://harbour.example/port-strike-ends\">",
                "",
            );
        let a = extract(
            &page,
            Some("https://www.quay.example/x"),
            HtmlLimits::default(),
        )
        .unwrap();
        assert_eq!(a.source.as_deref(), Some("quay.example"));
        assert_eq!(a.canonical, None);
    }

    #[test]
    fn charset_from_bom_header_and_meta() {
        let cp1252 = b"<html><head><meta charset=\"windows-1252\"></head><body>caf\xe9 \x93ok\x94</body></html>";
        assert!(decode_html(cp1252, None).contains("caf\u{e9} \u{201c}ok\u{201d}"));
        let latin =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">\xa9";
        assert!(decode_html(latin, None).ends_with('\u{a9}'));
        // The HTTP header wins over the page's own claim.
        let koi = b"<meta charset=utf-8>\xc1";
        assert!(decode_html(koi, Some("koi8-r")).ends_with('\u{430}'));
        // A meta that claims UTF-16 is read as UTF-8.
        assert!(decode_html("<meta charset=utf-16>é".as_bytes(), None).ends_with('é'));
        assert!(decode_html(b"\xEF\xBB\xBF<p>\xc3\xa9", Some("windows-1252")).ends_with('é'));
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let deep = format!("<html><body>{}text", "<div>".repeat(5000));
        assert_eq!(
            extract(&deep, None, HtmlLimits::default()),
            Err(HtmlError::TooDeep { limit: 256 })
        );
        // Just under the limit is read normally.
        let ok = format!(
            "<html><body>{}<p>{}</p>",
            "<div>".repeat(240),
            "A sentence about the port strike and its end. ".repeat(20)
        );
        assert!(extract(&ok, None, HtmlLimits::default()).is_ok());
    }

    #[test]
    fn the_markup_scan_follows_implicit_closes() {
        // 1,000 unclosed paragraphs, list items and cells are siblings, not a deep tree.
        let flat = format!(
            "<html><body>{}<ul>{}</ul><table>{}</table><svg>{}</svg><br><img src=x>",
            "<p>para".repeat(1000),
            "<li>item".repeat(1000),
            "<tr><td>a<td>b".repeat(1000),
            "<path d='>'/>".repeat(1000)
        );
        assert!(!markup_depth_exceeds(flat.as_bytes(), 256));
        // Scripts and comments hold no markup.
        let hidden = format!(
            "<script>{}</script><!-- {} --><p>x",
            "<div>".repeat(1000),
            "<div>".repeat(1000)
        );
        assert!(!markup_depth_exceeds(hidden.as_bytes(), 256));
        assert!(markup_depth_exceeds("<div>".repeat(300).as_bytes(), 256));
        assert!(markup_depth_exceeds("<b><i>".repeat(200).as_bytes(), 256));
        // `/>` does not close an HTML element (the tree builder ignores it).
        assert!(markup_depth_exceeds("<div/>".repeat(300).as_bytes(), 256));
    }

    #[test]
    fn a_page_of_scripts_has_no_text() {
        let page = format!(
            "<html><head><script>{}</script></head><body><script>var a = 1;</script></body></html>",
            "window.x = 1;".repeat(1000)
        );
        assert_eq!(
            extract(&page, None, HtmlLimits::default()),
            Err(HtmlError::NoText)
        );
    }

    #[test]
    fn fragments_keep_paragraphs() {
        let t = fragment_text(
            "<p>First paragraph.</p><script>x()</script><p>Second <b>one</b>.</p>",
            HtmlLimits::default(),
        )
        .unwrap();
        assert_eq!(t, "First paragraph.\n\nSecond one.");
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://www.a.example:8080/x?y"), Some("a.example"));
        assert_eq!(host_of("ftp://a.example"), None);
        assert_eq!(host_of("http:///x"), None);
    }
}
