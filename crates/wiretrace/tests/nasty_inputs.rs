//! The nasty inputs of `testdata/nasty` (written by `testdata/make_nasty.py`) and the ones too big
//! to commit (generated here): each has its expected outcome — which articles come out, and which
//! skip with which reason. None may panic, hang or read past a limit.

use std::io::Write;
use std::path::PathBuf;

use wiretrace::input::{read_bytes, read_paths, Format, Limits, ReadOutcome};

fn nasty(name: &str) -> PathBuf {
    wiretrace_testkit::testdata("nasty").join(name)
}

fn read(name: &str) -> ReadOutcome {
    read_paths(&[nasty(name)], Limits::default())
}

fn ids(out: &ReadOutcome) -> Vec<&str> {
    out.articles.iter().map(|a| a.id.as_str()).collect()
}

fn reasons(out: &ReadOutcome) -> Vec<&str> {
    out.skipped.iter().map(|s| s.reason.as_str()).collect()
}

#[test]
fn truncated_gzip_keeps_the_records_before_the_cut_and_says_so() {
    let out = read("truncated.warc.gz");
    let last = out.skipped.last().expect("a skip for the cut");
    assert!(
        last.reason.contains("gzip data is truncated"),
        "{:?}",
        out.skipped
    );
    assert!(last.reason.contains("page(s) before it were read"));
    assert!(out.articles.len() <= 2);
    for a in &out.articles {
        let url = a.url.as_deref().unwrap_or("");
        assert!(url.starts_with("https://harbour.example/"), "{url}");
    }
}

#[test]
fn a_wrong_content_length_costs_no_record() {
    let out = read("wrong-length.warc");
    assert_eq!(ids(&out), vec!["short", "after"]);
    assert_eq!(
        out.articles[1].url.as_deref(),
        Some("https://harbour.example/after")
    );
    assert!(
        reasons(&out)
            .iter()
            .any(|r| r.contains("wrong Content-Length")),
        "{:?}",
        out.skipped
    );
    // The short record lost the end of its page, not its text.
    assert!(out.articles[0].body.contains("Harbour officials"));
}

#[test]
fn invalid_utf8_mid_page_is_read_as_windows_1252_there_only() {
    let out = read("invalid-utf8.html");
    assert_eq!(ids(&out), vec!["invalid-utf8"]);
    let a = &out.articles[0];
    assert_eq!(a.title.as_deref(), Some("Bytes that are not UTF-8"));
    assert!(a.body.contains("\u{ff}\u{fe}\u{c3}("), "{}", a.body);
    assert!(a.body.contains("\u{201c}We are ready,\u{201d}"));
}

#[test]
fn a_50_mb_page_is_skipped_by_size_without_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.html");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"<!doctype html><html><body><article>")
        .unwrap();
    let para = format!(
        "<p>{}</p>\n",
        "The port reopened after the strike. ".repeat(28)
    );
    for _ in 0..(50 << 20) / para.len() + 1 {
        f.write_all(para.as_bytes()).unwrap();
    }
    f.write_all(b"</article></body></html>").unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() >= 50 << 20);
    let start = std::time::Instant::now();
    let out = read_paths(&[path], Limits::default());
    assert!(out.articles.is_empty());
    assert_eq!(
        reasons(&out),
        vec!["HTML page is 51200 KB, over the 16384 KB limit for one page"]
    );
    // Refused from its size: reading and parsing 50 MB would take far longer.
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}

#[test]
fn a_page_of_scripts_is_skipped_as_having_no_text() {
    let out = read("all-scripts.html");
    assert!(out.articles.is_empty());
    assert_eq!(
        reasons(&out),
        vec!["no article text found in the page (only scripts, navigation or markup)"]
    );
}

#[test]
fn an_empty_feed_is_skipped() {
    let out = read("empty-feed.xml");
    assert!(out.articles.is_empty());
    assert_eq!(reasons(&out), vec!["feed has no items"]);
}

#[test]
fn mixed_line_endings_are_normalised() {
    let out = read("mixed-crlf.html");
    assert_eq!(ids(&out), vec!["mixed-crlf"]);
    assert!(!out.articles[0].body.contains('\r'));
    let out = read("mixed-crlf.warc");
    assert_eq!(ids(&out), vec!["lf", "crlf"]);
    assert_eq!(out.articles[0].title.as_deref(), Some("Headers end in LF"));
}

#[test]
fn binary_data_under_an_html_name_is_skipped() {
    let out = read("binary.html");
    assert!(out.articles.is_empty());
    assert_eq!(reasons(&out), vec!["binary file (not text)"]);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a_gzip_bomb_stops_at_the_decompressed_limit() {
    let limits = Limits {
        max_decompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    let bomb = gzip(&vec![b' '; 16 << 20]);
    assert!(bomb.len() < 256 << 10);
    let dir = tempfile::tempdir().unwrap();
    for name in ["bomb.txt.gz", "bomb.warc.gz"] {
        let path = dir.path().join(name);
        let data = if name.contains("warc") {
            let mut w =
                b"WARC/1.1\r\nWARC-Type: metadata\r\nContent-Length: 16777216\r\n\r\n".to_vec();
            w.extend(vec![b' '; 16 << 20]);
            gzip(&w)
        } else {
            bomb.clone()
        };
        std::fs::write(&path, data).unwrap();
        let out = read_paths(&[path], limits);
        assert!(out.articles.is_empty());
        assert!(
            out.skipped.iter().any(|s| s
                .reason
                .contains("decompressed data is over the 1 MB limit")),
            "{name}: {:?}",
            out.skipped
        );
    }
    let out = read_bytes("bomb.gz", &bomb, None, limits);
    assert!(reasons(&out)[0].contains("over the 1 MB limit"));
}

#[test]
fn deep_nesting_is_skipped_with_the_limit() {
    let page = format!(
        "<html><body>{}deep</body></html>",
        "<div><span>".repeat(20_000)
    );
    let out = read_bytes("deep.html", page.as_bytes(), None, Limits::default());
    assert!(out.articles.is_empty());
    assert_eq!(
        reasons(&out),
        vec!["HTML nests elements more than 256 levels deep (not a news page)"]
    );
}

#[test]
fn forcing_a_format_overrides_detection() {
    let page = std::fs::read(nasty("mixed-crlf.html")).unwrap();
    let as_text = read_bytes("p.html", &page, Some(Format::Text), Limits::default());
    assert!(as_text.articles[0].body.contains("<article>"));
    let as_html = read_bytes("p.txt", &page, None, Limits::default());
    assert!(!as_html.articles[0].body.contains("<article>"));
    let as_feed = read_bytes("p.html", &page, Some(Format::Feed), Limits::default());
    assert!(reasons(&as_feed)[0].starts_with("not a readable RSS/Atom/JSON feed"));
}

#[test]
fn every_nasty_file_is_accounted_for() {
    // Whatever is in the folder: each file gives articles or a skip, never silence.
    let dir = wiretrace_testkit::testdata("nasty");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let out = read_paths(std::slice::from_ref(&path), Limits::default());
        assert!(
            !out.articles.is_empty() || !out.skipped.is_empty(),
            "{} gave nothing",
            path.display()
        );
    }
}

/// Every input a fuzz target crashed on (`testdata/fuzz-regressions/<target>/`), through the
/// reader of that target, with its outcome since the fix.
#[test]
fn fuzz_crashes_stay_fixed() {
    let root = wiretrace_testkit::testdata("fuzz-regressions");
    let mut seen = 0;
    for target in std::fs::read_dir(&root).unwrap() {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        for input in std::fs::read_dir(&target).unwrap() {
            let input = input.unwrap().path();
            let bytes = std::fs::read(&input).unwrap();
            seen += 1;
            let format = match name.as_str() {
                "feed" => Format::Feed,
                "warc" => Format::Warc,
                "html" => Format::Html,
                _ => Format::Jsonl,
            };
            let out = read_bytes("regression", &bytes, Some(format), Limits::default());
            assert!(
                !out.articles.is_empty() || !out.skipped.is_empty(),
                "{}",
                input.display()
            );
        }
    }
    assert!(seen >= 1);
    // The first one: quick-xml (under feed-rs) panicked on a second XML declaration.
    let crash = std::fs::read(root.join("feed/second-xml-declaration.xml")).unwrap();
    let out = read_bytes("crash.xml", &crash, None, Limits::default());
    assert_eq!(
        reasons(&out),
        vec!["not a readable RSS/Atom/JSON feed: an XML declaration (`<?xml`) after the start of the document (byte 157 of its text)"]
    );
    // The second: a declaration naming ISO-8859-1 that ends past quick-xml's 64-byte look-ahead.
    let crash = std::fs::read(root.join("feed/long-xml-declaration.xml")).unwrap();
    let out = read_bytes("crash.xml", &crash, Some(Format::Feed), Limits::default());
    assert!(out.articles.is_empty());
    assert!(
        reasons(&out)[0].starts_with("not a readable RSS/Atom/JSON feed: "),
        "{:?}",
        out.skipped
    );
    assert!(!reasons(&out)[0].contains("failed on this input"));
    // The fourth: a late declaration after an unterminated CDATA section.
    let crash = std::fs::read(root.join("feed/unterminated-cdata.xml")).unwrap();
    let out = read_bytes("crash.xml", &crash, Some(Format::Feed), Limits::default());
    assert!(
        reasons(&out)[0].contains("an XML declaration (`<?xml`) after the start"),
        "{:?}",
        out.skipped
    );
    // The fifth: a late declaration whose encoding stands past a `>` inside it.
    let crash = std::fs::read(root.join("feed/long-late-declaration.xml")).unwrap();
    let out = read_bytes("crash.xml", &crash, Some(Format::Feed), Limits::default());
    assert!(
        reasons(&out)[0].contains("an XML declaration (`<?xml`) after the start"),
        "{:?}",
        out.skipped
    );
    // The sixth: a declaration inside an attribute value, after a processing instruction.
    let crash = std::fs::read(root.join("feed/declaration-in-attribute.xml")).unwrap();
    let out = read_bytes("crash.xml", &crash, Some(Format::Feed), Limits::default());
    assert!(
        reasons(&out)[0].contains("an XML declaration (`<?xml`) after the start"),
        "{:?}",
        out.skipped
    );
    // The third: text before a late declaration.
    let crash = std::fs::read(root.join("feed/text-before-declaration.xml")).unwrap();
    let out = read_bytes("crash.xml", &crash, Some(Format::Feed), Limits::default());
    assert_eq!(
        reasons(&out),
        vec!["not a readable RSS/Atom/JSON feed: neither XML nor JSON (a feed starts with `<` or `{`)"]
    );
}

#[test]
fn a_page_just_under_the_page_limit_is_parsed_and_its_text_limited() {
    // 15 MB of paragraphs: parsed and extracted (not refused by size), then the article is
    // over the 2 MB text limit and skipped with that reason.
    let para = format!(
        "<p>{}</p>\n",
        "The port reopened after the strike. ".repeat(28)
    );
    let page = format!(
        "<!doctype html><html><body><article>{}</article></body></html>",
        para.repeat((15 << 20) / para.len())
    );
    let start = std::time::Instant::now();
    let out = read_bytes("big.html", page.as_bytes(), None, Limits::default());
    eprintln!("15 MB page: {:?}", start.elapsed());
    assert!(out.articles.is_empty());
    assert!(
        reasons(&out)[0].contains("over the 2048 KB limit"),
        "{:?}",
        out.skipped
    );
}

/// Regression: a JSONL corpus over the file limit (1M generated articles are 957 MB) was skipped
/// whole; JSON lines are read one at a time, so only a line too long for any article is.
#[test]
fn jsonl_is_streamed_past_the_file_limit_and_only_an_overlong_line_is_skipped() {
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_article_bytes: 1 << 10,
        ..Limits::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"id": "a{i}", "text": "Article number {i} says something."}}"#))
        .collect();
    // Over 6 × the article limit + 1 MB: no article can be that long.
    lines.insert(
        50,
        format!(r#"{{"id": "huge", "text": "{}"}}"#, "x".repeat(8 << 20)),
    );
    let body = lines.join("\n");
    assert!(body.len() as u64 > limits.max_file_bytes);
    for name in ["big.jsonl", "big.jsonl.gz"] {
        let path = dir.path().join(name);
        let data = if name.ends_with(".gz") {
            gzip(body.as_bytes())
        } else {
            body.clone().into_bytes()
        };
        std::fs::write(&path, data).unwrap();
        let out = read_paths(&[path], limits);
        assert_eq!(out.articles.len(), 200, "{name}: {:?}", out.skipped);
        assert_eq!(out.articles[50].id, "a50");
        assert_eq!(out.skipped.len(), 1, "{name}: {:?}", out.skipped);
        assert!(out.skipped[0].input.ends_with(":51"), "{:?}", out.skipped);
        assert_eq!(out.skipped[0].reason, "line is over 1 MB: not an article");
    }
    // Other formats are still read whole, so the file limit holds for them (a JSON array here).
    let path = dir.path().join("big.json");
    std::fs::write(&path, format!("[{}]", lines.join(",\n"))).unwrap();
    let out = read_paths(&[path], limits);
    assert!(out.articles.is_empty());
    assert_eq!(reasons(&out), ["file is 8 MB, over the 1 MB limit"]);
}

/// A gzip JSONL stream cut short keeps the lines before the cut and says where it stopped.
#[test]
fn a_truncated_gzip_jsonl_keeps_the_lines_before_the_cut() {
    let body: String = (0..2000)
        .map(|i| {
            format!(
                "{{\"id\": \"a{i}\", \"text\": \"Article {i} about event {}.\"}}\n",
                i * 7919 % 1000
            )
        })
        .collect();
    let mut data = gzip(body.as_bytes());
    data.truncate(data.len() / 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, data).unwrap();
    let out = read_paths(&[path], Limits::default());
    assert!(!out.articles.is_empty() && out.articles.len() < 2000);
    let last = out.skipped.last().expect("a skip for the cut");
    assert!(
        last.reason.contains("gzip data is truncated"),
        "{:?}",
        out.skipped
    );
    assert!(
        last.reason.contains("lines after line"),
        "{:?}",
        out.skipped
    );
}
