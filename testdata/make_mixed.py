#!/usr/bin/env python3
"""Builds testdata/mixed from the demo corpus (crates/wiretrace/demo/corpus.jsonl): the same eight
fictional articles, delivered the way real news arrives, in four formats at once:

  wire.jsonl          the wire story and the unrelated article, as JSONL
  reprint.html        the verbatim reprint, as a news page with navigation, a cookie banner,
                      share buttons and a related-stories list around it
  crawl.warc.gz       a crawl of the light rewrite and the spun copy (HTML responses), with the
                      request, warcinfo and image records a crawler writes
  feed.xml            an RSS feed: the independent report, the condensed summary and the
                      follow-up with full text, and one link-only item

`wiretrace analyze testdata/mixed` reads them as one corpus; crates/wiretrace-cli/tests/cli.rs
checks what it finds. Standard library only; the output is deterministic.
"""
import gzip
import html
import json
from email.utils import format_datetime
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent / "mixed"
ROOT = HERE.parent.parent
demo = {}
for line in (ROOT / "crates/wiretrace/demo/corpus.jsonl").read_text(encoding="utf-8").splitlines():
    if line.strip():
        a = json.loads(line)
        demo[a["id"]] = a


def paras(text):
    return "".join(f"<p>{html.escape(p.strip())}</p>\n" for p in text.split("\n") if p.strip())


def page(a):
    pub = f'<meta property="article:published_time" content="{a["published"]}">' if a.get("published") else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(a["title"])} | {html.escape(a["source"])}</title>
<meta property="og:site_name" content="{html.escape(a["source"])}">
<link rel="canonical" href="{a["url"]}">
{pub}
<script>window.dataLayer = [{{"page": "article"}}];</script>
</head><body>
<div class="cookie-consent">We use cookies to personalise content and ads. <button>Accept all</button></div>
<header><nav><a href="/">Home</a> <a href="/business">Business</a> <a href="/world">World</a></nav></header>
<main><article>
<h1>{html.escape(a["title"])}</h1>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<div class="article-body">
{paras(a["text"])}</div>
</article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/a">Shipping rates climb as ports clog</a></li>
<li><a href="/b">Union elects new secretary</a></li></ul></aside></main>
<footer>&copy; 2026 {html.escape(a["source"])}. All rights reserved.</footer>
</body></html>
"""


def record(kind, uri, block, ctype):
    head = (f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
            f"WARC-Date: 2026-03-05T10:00:00Z\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(block)}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


def response(a):
    body = page(a).encode()
    http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return (record("request", a["url"], f"GET / HTTP/1.1\r\nHost: x\r\n\r\n".encode(), "application/http; msgtype=request")
            + record("response", a["url"], http + body, "application/http; msgtype=response"))


def main():
    with open(HERE / "wire.jsonl", "w", encoding="utf-8") as f:
        for k in ("wire-original", "unrelated"):
            f.write(json.dumps(demo[k], ensure_ascii=False) + "\n")
    (HERE / "reprint.html").write_text(page(demo["verbatim-reprint"]), encoding="utf-8")
    warc = record("warcinfo", "", b"software: make.py\r\n", "application/warc-fields")
    warc += response(demo["light-rewrite"]) + response(demo["spun-copy"])
    warc += record("response", "https://northshoredaily.example/logo.png",
                   b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG", "application/http; msgtype=response")
    # One gzip member per record, as crawlers write them.
    members = [gzip.compress(r, mtime=0) for r in warc.split(b"WARC/1.1\r\n")[1:] for r in [b"WARC/1.1\r\n" + r]]
    (HERE / "crawl.warc.gz").write_bytes(b"".join(members))
    items = []
    for k in ("independent-report", "condensed-summary", "follow-up"):
        a = demo[k]
        date = format_datetime(datetime.fromisoformat(a["published"].replace("Z", "+00:00")))
        items.append(f"""<item><title>{html.escape(a["title"])}</title><link>{a["url"]}</link>
<pubDate>{date}</pubDate><description>{html.escape(a["text"].split(chr(10))[0][:120])}</description>
<content:encoded><![CDATA[{paras(a["text"])}]]></content:encoded></item>""")
    items.append("""<item><title>Live: Valmora port strike, day two</title><link>https://example.org/live</link>
<description>Follow our live coverage.</description></item>""")
    (HERE / "feed.xml").write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Valmora News Digest</title><link>https://digest.example/</link><description>Port news</description>
{chr(10).join(items)}
</channel></rss>
""", encoding="utf-8")


if __name__ == "__main__":
    main()
