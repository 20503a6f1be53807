//! Reuters-21578 loader: `reut2-*.sgm.gz` (gzip, Latin-1 SGML), a hand-rolled tolerant scanner,
//! text cleaning, and the exact-duplicate body groups used as gold for the dedup check.
//!
//! The cleaning mirrors `scripts/reuters_to_jsonl.py` so that the engine sees the same articles
//! as `analyze` on the converted JSONL:
//! * bytes are Latin-1; `&lt; &gt; &amp; &quot; &apos; &#N; &#xN;` are unescaped in one pass;
//!   control characters (`&#2; &#3; &#5; &#22; &#127;` … and raw ones) are dropped, except
//!   `\n` and `\t`; `\r\n` and `\r` become `\n`;
//! * the article body is then trimmed and a final line that is only the wire signature
//!   (`Reuter`, `REUTER`, `Reuters`, optionally followed by `...` and/or a literal `^M`) is
//!   removed.
//!
//! Exact-duplicate groups are bodies identical after whitespace normalisation (runs of
//! whitespace collapsed to one space, trimmed), keyed on the cleaned body **before** the
//! signature line is removed. That reproduces the README's 279 groups (281 redundant copies)
//! on the full collection; keying on the signature-less body gives 339 groups instead,
//! because ~60 pairs of stories differ only in `Reuter` vs `REUTER`.
//!
//! The scanner never panics and recovers from missing closing tags: an element ends at
//! `</REUTERS>` or at the next `<REUTERS` start tag, a body at `</BODY>`, else `</TEXT>`,
//! else the end of the element.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use rayon::prelude::*;
use wiretrace::Article;

use super::{decode_latin1, file_name, gunzip, list_files, Skips};

/// Article ids are this prefix followed by the NEWID.
pub const ID_PREFIX: &str = "reuters-";

/// One story with a non-empty body.
#[derive(Debug, Clone, PartialEq)]
pub struct ReutersDoc {
    /// The `NEWID` attribute.
    pub newid: u64,
    /// Cleaned title, whitespace collapsed; `None` when absent or empty.
    pub title: Option<String>,
    /// Cleaned body with the final signature line removed (what the engine sees).
    pub body: String,
    /// `<DATE>` as UTC, when it parses.
    pub published: Option<DateTime<FixedOffset>>,
    /// The `LEWISSPLIT` attribute (`TRAIN`, `TEST`, `NOT-USED`), when present.
    pub lewis_split: Option<String>,
}

impl ReutersDoc {
    /// `reuters-<NEWID>`.
    pub fn id(&self) -> String {
        format!("{ID_PREFIX}{}", self.newid)
    }

    /// The article the engine sees (same fields as the JSONL converter writes).
    pub fn to_article(&self) -> Article {
        let mut a = Article::new(self.id(), self.body.clone());
        a.title = self.title.clone();
        a.source = Some("Reuters".to_owned());
        a.published = self.published;
        a
    }
}

/// The stories of a folder.
#[derive(Debug, Clone)]
pub struct ReutersSet {
    /// The folder that was read.
    pub dir: PathBuf,
    /// Data files read, in order.
    pub files: Vec<String>,
    /// `<REUTERS` elements seen.
    pub elements: usize,
    /// Stories with a non-empty body, in file order.
    pub docs: Vec<ReutersDoc>,
    /// Exact-duplicate body groups (size ≥ 2): indices into `docs`, in order of first member.
    pub exact_groups: Vec<Vec<usize>>,
    /// Elements without a usable body, unreadable files, recovered tags.
    pub skipped: Skips,
}

impl ReutersSet {
    /// Copies beyond the first in each exact group (281 on the full collection).
    pub fn redundant_copies(&self) -> usize {
        self.exact_groups.iter().map(|g| g.len() - 1).sum()
    }
}

/// Loads every `reut2-*.sgm.gz` (or `reut2-*.sgm` when no `.gz` twin exists) of `dir`.
/// Unreadable files are skipped and reported; the run fails only when none can be read.
pub fn load(dir: &Path) -> Result<ReutersSet> {
    super::require_dir("reuters", dir)?;
    let files = data_files(dir)?;
    if files.is_empty() {
        bail!(
            "reuters: no reut2-*.sgm.gz (or reut2-*.sgm) files found in {}",
            dir.display()
        );
    }
    // Files are independent: decompress and scan them in parallel, then merge in file order.
    let parsed: Vec<(PathBuf, std::result::Result<ParsedFile, String>)> = files
        .into_par_iter()
        .map(|path| {
            let result = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|raw| {
                    if path
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
                    {
                        gunzip(&raw).map_err(|e| e.to_string())
                    } else {
                        Ok(raw)
                    }
                })
                .map(|bytes| parse_sgml(&bytes));
            (path, result)
        })
        .collect();

    let mut set = ReutersSet {
        dir: dir.to_path_buf(),
        files: Vec::new(),
        elements: 0,
        docs: Vec::new(),
        exact_groups: Vec::new(),
        skipped: Skips::default(),
    };
    let mut keys = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (path, result) in parsed {
        let name = file_name(&path);
        match result {
            Err(e) => set.skipped.add("unreadable files", format!("{name}: {e}")),
            Ok(file) => {
                set.files.push(name);
                set.elements += file.elements;
                set.skipped.merge(file.skipped);
                for (doc, key) in file.docs {
                    if seen.insert(doc.newid) {
                        set.docs.push(doc);
                        keys.push(key);
                    } else {
                        set.skipped
                            .add("elements with a repeated NEWID", doc.newid.to_string());
                    }
                }
            }
        }
    }
    if set.files.is_empty() {
        bail!(
            "reuters: none of the data files in {} could be read ({})",
            dir.display(),
            set.skipped
        );
    }
    set.exact_groups = exact_duplicate_groups(keys.iter().map(String::as_str));
    Ok(set)
}

/// `reut2-*.sgm.gz`, plus plain `reut2-*.sgm` files that have no `.gz` twin, sorted.
fn data_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let all = list_files(dir, |n| {
        n.starts_with("reut2-") && (n.ends_with(".sgm.gz") || n.ends_with(".sgm"))
    })?;
    let mut chosen: std::collections::BTreeMap<String, PathBuf> = Default::default();
    for path in all {
        let name = file_name(&path);
        let key = name.trim_end_matches(".gz").to_owned();
        if name.ends_with(".gz") || !chosen.contains_key(&key) {
            chosen.insert(key, path);
        }
    }
    Ok(chosen.into_values().collect())
}

/// What one SGML file yields: each story with its duplicate key, and what was skipped.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// `<REUTERS` elements seen.
    pub elements: usize,
    /// Stories with a non-empty body, each with its exact-duplicate key.
    pub docs: Vec<(ReutersDoc, String)>,
    /// Elements without a usable body, recovered tags.
    pub skipped: Skips,
}

/// Scans one SGML file (Latin-1 bytes).
pub fn parse_sgml(bytes: &[u8]) -> ParsedFile {
    let mut out = ParsedFile::default();
    let starts = element_starts(bytes);
    for (i, &start) in starts.iter().enumerate() {
        out.elements += 1;
        let limit = starts.get(i + 1).copied().unwrap_or(bytes.len());
        if let Some(doc) = parse_element(&bytes[start..limit], start, &mut out.skipped) {
            out.docs.push(doc);
        }
    }
    out
}

/// One `<REUTERS` element starting at byte `start` of its file: the story and its duplicate
/// key, or `None` (with the reason in `skipped`).
fn parse_element(
    element: &[u8],
    start: usize,
    skipped: &mut Skips,
) -> Option<(ReutersDoc, String)> {
    // The start tag runs to the first '>' (attributes never contain one).
    let Some(tag_end) = element.iter().position(|&b| b == b'>') else {
        skipped.add(
            "elements with an unterminated start tag",
            format!("byte {start}"),
        );
        return None;
    };
    let attrs = decode_latin1(&element[..tag_end]);
    let mut inner = &element[tag_end + 1..];
    match find_ci(inner, b"</REUTERS>", 0) {
        Some(end) => inner = &inner[..end],
        None => skipped.add(
            "elements without </REUTERS> (recovered)",
            format!("byte {start}"),
        ),
    }
    let Some(newid) = attribute(&attrs, "NEWID").and_then(|v| v.parse::<u64>().ok()) else {
        skipped.add("elements without a numeric NEWID", format!("byte {start}"));
        return None;
    };
    story(inner, &attrs, newid, skipped)
}

/// The story inside an element (`inner`, between its tags), with its exact-duplicate key: the
/// cleaned body before its signature line is stripped.
fn story(
    inner: &[u8],
    attrs: &str,
    newid: u64,
    skipped: &mut Skips,
) -> Option<(ReutersDoc, String)> {
    // Title and body live inside <TEXT>; fall back to the whole element without one.
    let text_part = match open_tag_end(inner, b"TEXT", 0) {
        Some(from) => {
            let to = find_ci(inner, b"</TEXT>", from).unwrap_or(inner.len());
            &inner[from..to]
        }
        None => inner,
    };
    let Some(body_from) = open_tag_end(text_part, b"BODY", 0) else {
        skipped.add(
            "elements without <BODY> (BRIEF/UNPROC stories)",
            newid.to_string(),
        );
        return None;
    };
    let body_to = match find_ci(text_part, b"</BODY>", body_from) {
        Some(to) => to,
        None => {
            skipped.add("bodies without </BODY> (recovered)", newid.to_string());
            text_part.len()
        }
    };
    let cleaned = clean_text(&decode_latin1(&text_part[body_from..body_to]));
    let key = normalise_ws(&cleaned);
    let body = strip_signature(&cleaned).to_owned();
    if body.is_empty() {
        skipped.add(
            "elements with an empty body after cleaning",
            newid.to_string(),
        );
        return None;
    }
    let title = element_text(text_part, b"TITLE")
        .map(|raw| normalise_ws(&clean_text(&decode_latin1(raw))))
        .filter(|t| !t.is_empty());
    let published =
        element_text(inner, b"DATE").and_then(|raw| parse_date(&clean_text(&decode_latin1(raw))));
    let lewis_split = attribute(attrs, "LEWISSPLIT");
    let doc = ReutersDoc {
        newid,
        title,
        body,
        published,
        lewis_split,
    };
    Some((doc, key))
}

/// Byte offsets of every `<REUTERS` start tag (followed by a blank or `>`, any case).
fn element_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(pos) = find_ci(bytes, b"<REUTERS", from) {
        let next = bytes.get(pos + 8).copied();
        if matches!(next, Some(b'>') | Some(b' ' | b'\t' | b'\r' | b'\n')) {
            starts.push(pos);
        }
        from = pos + 8;
    }
    starts
}

/// Offset just past the `>` of the first `<NAME>` / `<NAME attrs>` tag at or after `from`.
fn open_tag_end(hay: &[u8], name: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    loop {
        let at = find_ci(hay, b"<", pos)?;
        let after = at + 1;
        let candidate = hay.get(after..after + name.len())?;
        let next = hay.get(after + name.len()).copied();
        if candidate.eq_ignore_ascii_case(name)
            && matches!(next, Some(b'>') | Some(b' ' | b'\t' | b'\r' | b'\n'))
        {
            let close = find_ci(hay, b">", after + name.len())?;
            return Some(close + 1);
        }
        pos = after;
    }
}

/// Raw content of the first `<NAME>…</NAME>`; without a closing tag, up to the next `<`.
fn element_text<'a>(hay: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let from = open_tag_end(hay, name, 0)?;
    let mut close = Vec::with_capacity(name.len() + 3);
    close.extend_from_slice(b"</");
    close.extend_from_slice(name);
    close.push(b'>');
    let to = find_ci(hay, &close, from)
        .or_else(|| find_ci(hay, b"<", from))
        .unwrap_or(hay.len());
    hay.get(from..to)
}

/// ASCII case-insensitive search for `needle` in `hay` from byte `from`.
fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let tail = hay.get(from..)?;
    if needle.is_empty() || tail.len() < needle.len() {
        return None;
    }
    tail.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// The value of `NAME="value"` (or unquoted) in a start tag's attribute text.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let upper = attrs.to_ascii_uppercase();
    let mut from = 0;
    while let Some(rel) = upper.get(from..)?.find(name) {
        let at = from + rel;
        from = at + name.len();
        // A whole attribute name: not the tail of a longer one (OLDID vs NEWID is fine anyway).
        let before_ok = at == 0
            || upper[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_whitespace());
        let rest = attrs.get(from..)?.trim_start();
        let Some(rest) = rest.strip_prefix('=').filter(|_| before_ok) else {
            continue;
        };
        let rest = rest.trim_start();
        let value = if let Some(q) = rest.strip_prefix('"') {
            q.split('"').next().unwrap_or("")
        } else {
            rest.split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
        };
        return Some(value.trim().to_owned());
    }
    None
}

/// Unescapes entities in one pass, normalises line ends (`\r\n`, `\r` → `\n`) and drops
/// control characters except `\n` and `\t`. Unknown named entities stay verbatim; numeric
/// ones that are not a valid code point are dropped.
pub fn clean_text(raw: &str) -> String {
    let unescaped = unescape(raw);
    let mut out = String::with_capacity(unescaped.len());
    let mut chars = unescaped.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Replaces `&lt; &gt; &amp; &quot; &apos; &#N; &#xN;` in a single left-to-right pass, so
/// `&amp;lt;` becomes `&lt;` and not `<`.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        match decode_entity(after) {
            Some((decoded, len)) => {
                out.extend(decoded);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// For an entity at the start of `s` (which starts with `&`): the character it stands for
/// (`None` when the code point is invalid) and the bytes it spans; `None` when `s` does not
/// start with a known entity.
fn decode_entity(s: &str) -> Option<(Option<char>, usize)> {
    // Entities are short; bounding the search keeps a text full of bare '&' linear.
    let window = s.get(1..).map_or("", |t| {
        let mut end = t.len().min(32);
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        &t[..end]
    });
    let semi = window.find(';')?;
    let name = &window[..semi];
    let c = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()
                }
                Some(_) => return None,
                None if !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) => {
                    num.parse::<u32>().ok()
                }
                None => return None,
            };
            code.and_then(char::from_u32)
        }
    };
    // '&' + name + ';'
    Some((c, semi + 2))
}

/// Trims, then removes a final line that is only the wire signature.
pub fn strip_signature(body: &str) -> &str {
    let body = body.trim();
    let (head, last) = match body.rsplit_once('\n') {
        Some((head, last)) => (head, last),
        None => ("", body),
    };
    if is_signature_line(last) {
        head.trim()
    } else {
        body
    }
}

/// `Reuter` / `Reuters` in any case, optionally followed by `...` (2+ dots) and/or a literal
/// `^M`, with blanks anywhere in between.
fn is_signature_line(line: &str) -> bool {
    let s = line.trim();
    let lower = s.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("reuter") else {
        return false;
    };
    let rest = rest.strip_prefix('s').unwrap_or(rest).trim_start();
    let dots = rest.chars().take_while(|&c| c == '.').count();
    if dots == 1 {
        return false;
    }
    let rest = rest[dots..].trim_start();
    let rest = rest.strip_prefix("^m").unwrap_or(rest);
    rest.trim().is_empty()
}

/// Runs of whitespace collapsed to one space, trimmed.
pub fn normalise_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Groups of indices whose keys are identical, size ≥ 2, members in input order, groups in
/// order of their first member.
pub fn exact_duplicate_groups<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<Vec<usize>> {
    let mut by_key: HashMap<&'a str, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, key) in keys.into_iter().enumerate() {
        match by_key.get(key) {
            Some(&g) => groups[g].push(i),
            None => {
                by_key.insert(key, groups.len());
                groups.push(vec![i]);
            }
        }
    }
    groups.retain(|g| g.len() >= 2);
    groups
}

/// `26-FEB-1987 15:01:01.79` (trailing junk allowed) as UTC; `None` when it does not parse.
fn parse_date(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    let (date, time) = s.split_once(char::is_whitespace)?;
    let mut d = date.split('-');
    let day: u32 = d.next()?.parse().ok()?;
    let month = month_number(d.next()?)?;
    let year: i32 = d.next()?.parse().ok()?;
    let time: String = time
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let mut t = time.split(':');
    let hour: u32 = t.next()?.parse().ok()?;
    let minute: u32 = t.next()?.parse().ok()?;
    let second: u32 = t.next()?.parse().ok()?;
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    Some(FixedOffset::east_opt(0)?.from_utc_datetime(&naive))
}

fn month_number(mon: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let upper = mon.to_ascii_uppercase();
    MONTHS
        .iter()
        .position(|m| *m == upper)
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A small file in the collection's shape, with the dirty parts: control entities, a raw
    /// Latin-1 byte, `&lt;`/`&amp;`, a CRLF, a BRIEF story without body, a story whose
    /// `</BODY>` and `</REUTERS>` are missing, and one with a non-numeric NEWID.
    const FIXTURE: &[u8] = b"<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n\
<REUTERS TOPICS=\"YES\" LEWISSPLIT=\"TRAIN\" CGISPLIT=\"TRAINING-SET\" OLDID=\"5544\" NEWID=\"1\">\n\
<DATE>26-FEB-1987 15:01:01.79</DATE>\n\
<TOPICS><D>cocoa</D></TOPICS>\n\
<TEXT>&#2;\n\
<TITLE>BAHIA COCOA &amp; \n  COFFEE REVIEW</TITLE>\n\
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued in the Bahia\r\n\
cocoa zone, &lt;Comissaria Smith> said. Caf\xE9 prices rose.\n\
 Reuter\n\
&#3;</BODY></TEXT>\n\
</REUTERS>\n\
<REUTERS TOPICS=\"NO\" LEWISSPLIT=\"TEST\" OLDID=\"5545\" NEWID=\"2\">\n\
<DATE> 26-FEB-1987 15:02:20.00&#5;&#5;&#5;F</DATE>\n\
<TEXT TYPE=\"BRIEF\">&#2;\n\
<TITLE>BRIEF ONLY</TITLE>&#3;\n\
</TEXT>\n\
</REUTERS>\n\
<REUTERS NEWID=\"3\">\n\
<DATE>not a date</DATE>\n\
<TEXT><TITLE>NO CLOSING TAGS</TITLE><BODY>Showers continued in the Bahia\n\
cocoa zone, &lt;Comissaria Smith> said.  Caf\xE9 prices rose.\n\
 Reuter\n\
&#3;\n\
<REUTERS NEWID=\"x4\"><TEXT><BODY>bad id</BODY></TEXT></REUTERS>\n\
<REUTERS NEWID=\"5\"><TEXT><BODY>&#5;&#22;&#127;  \n Reuter \n&#3;</BODY></TEXT></REUTERS>\n\
<REUTERS NEWID=\"6\"><TEXT><BODY>Showers continued in the Bahia cocoa zone, &lt;Comissaria Smith> said. Caf\xE9 prices rose. REUTER &#3;</BODY></TEXT></REUTERS>\n";

    #[test]
    fn scans_dirty_sgml() {
        let parsed = parse_sgml(FIXTURE);
        assert_eq!(parsed.elements, 6);
        let ids: Vec<u64> = parsed.docs.iter().map(|(d, _)| d.newid).collect();
        assert_eq!(ids, [1, 3, 6]);

        let (d1, k1) = &parsed.docs[0];
        assert_eq!(d1.id(), "reuters-1");
        assert_eq!(d1.title.as_deref(), Some("BAHIA COCOA & COFFEE REVIEW"));
        assert_eq!(
            d1.body,
            "Showers continued in the Bahia\ncocoa zone, <Comissaria Smith> said. Café prices rose."
        );
        assert_eq!(d1.lewis_split.as_deref(), Some("TRAIN"));
        assert_eq!(
            d1.published.map(|t| t.to_rfc3339()),
            Some("1987-02-26T15:01:01+00:00".to_owned())
        );
        assert!(k1.ends_with("prices rose. Reuter"), "{k1}");

        // Missing </BODY>, </TEXT> and </REUTERS>: recovered up to the next <REUTERS.
        let (d3, k3) = &parsed.docs[1];
        assert_eq!(d3.title.as_deref(), Some("NO CLOSING TAGS"));
        assert!(d3.body.ends_with("Café prices rose."), "{}", d3.body);
        assert_eq!(d3.published, None);
        assert_eq!(k1, k3, "same body up to whitespace");

        // Signature glued to the text is kept (and makes the key differ).
        let (d6, k6) = &parsed.docs[2];
        assert!(d6.body.ends_with("REUTER"));
        assert_ne!(k6, k1);

        let s = &parsed.skipped;
        assert_eq!(s.count("elements without <BODY> (BRIEF/UNPROC stories)"), 1);
        assert_eq!(s.count("elements without a numeric NEWID"), 1);
        assert_eq!(s.count("elements with an empty body after cleaning"), 1);
        assert_eq!(s.count("bodies without </BODY> (recovered)"), 1);
        assert_eq!(s.count("elements without </REUTERS> (recovered)"), 1);
    }

    #[test]
    fn to_article_carries_title_source_and_date() {
        let parsed = parse_sgml(FIXTURE);
        let a = parsed.docs[0].0.to_article();
        assert_eq!(a.id, "reuters-1");
        assert_eq!(a.source.as_deref(), Some("Reuters"));
        assert!(a.title.is_some() && a.published.is_some());
    }

    #[test]
    fn cleaning_rules() {
        assert_eq!(clean_text("a&#2;b&#3;c&#127;d\u{85}e"), "abcde");
        assert_eq!(clean_text("x &amp;lt; y"), "x &lt; y"); // single pass
        assert_eq!(
            clean_text("&#65;&#x42;&nbsp;&#99999999999;&#xD800;"),
            "AB&nbsp;"
        );
        assert_eq!(clean_text("a\r\nb\rc\td"), "a\nb\nc\td");
        assert_eq!(clean_text("AT&T; & co &"), "AT&T; & co &");
        assert_eq!(clean_text("&#"), "&#");
    }

    #[test]
    fn signature_rules() {
        assert_eq!(strip_signature("Text.\n Reuter\n"), "Text.");
        assert_eq!(strip_signature("Text.\nREUTER...^M"), "Text.");
        assert_eq!(strip_signature("Text.\n  reuters "), "Text.");
        assert_eq!(strip_signature("Text. REUTER"), "Text. REUTER");
        assert_eq!(strip_signature("Text.\nREUITER"), "Text.\nREUITER");
        assert_eq!(strip_signature("Text.\nReuter."), "Text.\nReuter.");
        assert_eq!(strip_signature("Reuter"), "");
    }

    #[test]
    fn dates() {
        let d = |s: &str| parse_date(s).map(|t| t.to_rfc3339());
        assert_eq!(
            d("1-MAR-1987 9:05:00"),
            Some("1987-03-01T09:05:00+00:00".into())
        );
        assert_eq!(d("31-FEB-1987 10:00:00"), None);
        assert_eq!(d("5-MAR-1987 605:00:00"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn attributes() {
        let a = r#" TOPICS="YES" OLDID="5544" NEWID = "17" LEWISSPLIT=TEST"#;
        assert_eq!(attribute(a, "NEWID").as_deref(), Some("17"));
        assert_eq!(attribute(a, "OLDID").as_deref(), Some("5544"));
        assert_eq!(attribute(a, "LEWISSPLIT").as_deref(), Some("TEST"));
        assert_eq!(attribute(" XNEWID=\"3\"", "NEWID"), None);
        assert_eq!(attribute(" NEWID", "NEWID"), None);
    }

    #[test]
    fn duplicate_groups() {
        let keys = ["a", "b", "a", "c", "b", "a", "d"];
        assert_eq!(
            exact_duplicate_groups(keys),
            vec![vec![0, 2, 5], vec![1, 4]]
        );
        assert!(exact_duplicate_groups(["x", "y"]).is_empty());
        assert_eq!(normalise_ws("  a \n\t b  "), "a b");
    }

    #[test]
    fn loads_folder_with_gz_and_plain_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load(dir.path()).expect_err("empty");
        assert!(format!("{err:#}").contains("reut2-"));

        let file = std::fs::File::create(dir.path().join("reut2-000.sgm.gz")).expect("create");
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(FIXTURE).expect("write");
        gz.finish().expect("finish");
        // A plain twin of the .gz is ignored; a corrupt .gz is reported, not fatal.
        std::fs::write(dir.path().join("reut2-000.sgm"), b"ignored").expect("write");
        std::fs::write(dir.path().join("reut2-001.sgm.gz"), b"\x1f\x8bjunk").expect("write");
        let plain = b"<REUTERS NEWID=\"1\"><TEXT><BODY>repeated id</BODY></TEXT></REUTERS>\
<REUTERS NEWID=\"9\"><TEXT><BODY>Showers continued in the Bahia cocoa zone, &lt;Comissaria Smith> said. Caf\xE9 prices rose.\nReuter\n</BODY></TEXT></REUTERS>";
        std::fs::write(dir.path().join("reut2-002.sgm"), plain).expect("write");

        let set = load(dir.path()).expect("loads");
        assert_eq!(set.files, ["reut2-000.sgm.gz", "reut2-002.sgm"]);
        assert_eq!(set.skipped.count("unreadable files"), 1);
        assert_eq!(set.skipped.count("elements with a repeated NEWID"), 1);
        let ids: Vec<u64> = set.docs.iter().map(|d| d.newid).collect();
        assert_eq!(ids, [1, 3, 6, 9]);
        assert_eq!(set.exact_groups, vec![vec![0, 1, 3]]);
        assert_eq!(set.redundant_copies(), 2);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = parse_sgml(&bytes);
        }

        #[test]
        fn never_panics_on_tag_soup(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<REUTERS NEWID=\"1\">", "<REUTERS", "</REUTERS>", "<TEXT>", "</TEXT>",
                    "<BODY>", "</BODY>", "<TITLE>", "</TITLE>", "<DATE>", "</DATE>", "&#3;",
                    "&lt;", "&", ";", "\r\n", "Reuter", "x", "\u{e9}", "<", ">", "\"",
                ]),
                0..60,
            )
        ) {
            let text = parts.concat();
            let parsed = parse_sgml(text.as_bytes());
            for (doc, _) in &parsed.docs {
                proptest::prop_assert!(!doc.body.is_empty());
                proptest::prop_assert!(!doc.body.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            }
            let _ = clean_text(&text);
            let _ = strip_signature(&text);
        }
    }
}
