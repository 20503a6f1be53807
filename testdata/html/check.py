#!/usr/bin/env python3
"""Consistency check for the hand-made HTML extraction evaluation set.

For every NN-name.html in this directory it checks that:

  * NN-name.expected.json exists, parses, and has exactly the keys
    title, published, source, canonical, text (with the right types);
  * the page decodes strictly with the charset it declares (<meta charset>,
    or <meta http-equiv="Content-Type" content="...; charset=...">; the
    WHATWG aliases latin1 / iso-8859-1 / us-ascii mean windows-1252);
  * every paragraph of the expected text occurs, in order, in the page's
    visible text (modulo whitespace and HTML entities);
  * the title occurs in the visible text and is not repeated at the start
    of the text; published is null or ISO-8601; canonical is null or an
    http(s) URL present in the page; source is null or present in the page;
  * the text has 150..600 words and contains at least one quotation.

"Visible text" is the text content of <body> without <script>, <style>,
<noscript>, <template> and <svg>; block-level tags and <br> count as
whitespace, inline tags do not.  Hidden elements (display:none, [hidden])
are kept: the check only proves that the expected text comes from the page,
not that an extractor must find it.

Usage: python3 check.py [DIR]      (DIR defaults to this file's directory)
Exit status 0 when every page passes, 1 otherwise.  Standard library only.
"""

import datetime
import html
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

REQUIRED_KEYS = ("title", "published", "source", "canonical", "text")
MIN_WORDS, MAX_WORDS = 150, 600

# Elements whose content is never visible text.
SKIP = {"script", "style", "noscript", "template", "svg", "head", "title"}
# Elements that do not break a line of text (everything else does).
INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font",
    "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr", "big", "tt", "strike", "nobr", "ins", "del",
}
# WHATWG encoding labels that do not mean what Python's codec of the same name means.
CHARSET_ALIASES = {
    "latin1": "cp1252", "latin-1": "cp1252", "iso-8859-1": "cp1252", "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252", "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "windows-1252": "cp1252", "x-cp1252": "cp1252", "cp1252": "cp1252",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
QUOTE_CHARS = ('"', "\u201c", "\u201d", "\u2018", "\u00ab")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip_depth += 1
        elif tag not in INLINE:
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag not in INLINE and tag not in SKIP:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.skip_depth == 0:
            self.parts.append(data)

    def text(self):
        return "".join(self.parts)


def norm(s):
    """Collapse whitespace (including no-break spaces) to single spaces."""
    return re.sub(r"\s+", " ", html.unescape(s)).strip()


def declared_charset(raw):
    head = raw[:4096].decode("ascii", errors="replace")
    m = re.search(r"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", head, re.I)
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8", "utf-8 (BOM)"
    if not m:
        return "utf-8", "utf-8 (default)"
    label = m.group(1).lower()
    return CHARSET_ALIASES.get(label, label), label


def is_iso8601(s):
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        datetime.date.fromisoformat(s)
        return True
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})", s):
        datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return True
    return False


def check_page(path):
    """Return (problems, info) for one page."""
    problems = []
    info = {"charset": "?", "words": 0, "paras": 0}
    exp_path = path.with_name(path.name[: -len(".html")] + ".expected.json")
    if not exp_path.exists():
        return [f"missing {exp_path.name}"], info
    try:
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return [f"{exp_path.name} does not parse: {e}"], info
    if not isinstance(exp, dict):
        return [f"{exp_path.name} is not a JSON object"], info
    missing = [k for k in REQUIRED_KEYS if k not in exp]
    extra = [k for k in exp if k not in REQUIRED_KEYS]
    if missing:
        problems.append(f"missing keys {missing}")
    if extra:
        problems.append(f"unexpected keys {extra}")
    if missing:
        return problems, info
    for k in ("title", "text"):
        if not isinstance(exp[k], str) or not exp[k].strip():
            problems.append(f"{k} must be a non-empty string")
    for k in ("published", "source", "canonical"):
        if exp[k] is not None and (not isinstance(exp[k], str) or not exp[k].strip()):
            problems.append(f"{k} must be null or a non-empty string")
    if problems:
        return problems, info

    raw = path.read_bytes()
    codec, label = declared_charset(raw)
    info["charset"] = label
    try:
        page = raw.decode(codec)
    except (UnicodeDecodeError, LookupError) as e:
        return problems + [f"does not decode as declared charset {label}: {e}"], info
    if codec != "utf-8":
        try:
            raw.decode("utf-8")
            if any(b > 0x7F for b in raw):
                problems.append("declares a legacy charset but is also valid UTF-8")
        except UnicodeDecodeError:
            pass

    parser = VisibleText()
    parser.feed(page)
    parser.close()
    visible = norm(parser.text())
    page_unescaped = html.unescape(page)

    text = exp["text"]
    if "\r" in text or re.search(r"\n{3,}", text) or re.search(r"(?<!\n)\n(?!\n)", text):
        problems.append("text must separate paragraphs with exactly one blank line")
    paras = [p for p in text.split("\n\n")]
    info["paras"] = len(paras)
    pos = 0
    for i, p in enumerate(paras, 1):
        np = norm(p)
        if not np:
            problems.append(f"paragraph {i} is empty")
            continue
        if np != p:
            problems.append(f"paragraph {i} has stray whitespace or entities")
        at = visible.find(np, pos)
        if at < 0:
            where = visible.find(np)
            if where >= 0:
                problems.append(f"paragraph {i} occurs out of order: {np[:60]!r}")
            else:
                problems.append(f"paragraph {i} not in visible text: {np[:60]!r}")
            continue
        pos = at + len(np)

    words = len(text.split())
    info["words"] = words
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"text has {words} words, want {MIN_WORDS}..{MAX_WORDS}")
    if not any(q in text for q in QUOTE_CHARS):
        problems.append("text has no direct quotation")

    title = norm(exp["title"])
    if title not in visible:
        problems.append(f"title not in visible text: {title!r}")
    if norm(text).startswith(title):
        problems.append("text starts with the headline")
    if exp["published"] is not None:
        try:
            if not is_iso8601(exp["published"]):
                problems.append(f"published is not ISO-8601: {exp['published']!r}")
        except ValueError as e:
            problems.append(f"published is not a valid date: {e}")
    if exp["canonical"] is not None:
        if not re.match(r"https?://", exp["canonical"]):
            problems.append("canonical is not an http(s) URL")
        elif exp["canonical"] not in page_unescaped:
            problems.append("canonical URL does not occur in the page")
    if exp["source"] is not None and norm(exp["source"]) not in norm(page_unescaped):
        problems.append(f"source {exp['source']!r} does not occur in the page")
    return problems, info


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    pages = sorted(root.glob("*.html"))
    orphans = [
        j.name for j in sorted(root.glob("*.expected.json"))
        if not j.with_name(j.name[: -len(".expected.json")] + ".html").exists()
    ]
    failed = 0
    total_words = 0
    charsets = {}
    print(f"{'page':<34} {'charset':<14} {'paras':>5} {'words':>5}  result")
    for path in pages:
        problems, info = check_page(path)
        total_words += info["words"]
        charsets[info["charset"]] = charsets.get(info["charset"], 0) + 1
        status = "ok" if not problems else "FAIL"
        print(f"{path.name:<34} {info['charset']:<14} {info['paras']:>5} {info['words']:>5}  {status}")
        for p in problems:
            print(f"    - {p}")
        failed += bool(problems)
    for o in orphans:
        print(f"orphan expected file without a page: {o}")
    print()
    cs = ", ".join(f"{k}: {v}" for k, v in sorted(charsets.items()))
    print(f"{len(pages)} pages, {len(pages) - failed} ok, {failed} failed; "
          f"{total_words} expected words in total; charsets: {cs}")
    if not pages:
        print("no pages found")
        return 1
    return 1 if failed or orphans else 0


if __name__ == "__main__":
    sys.exit(main())
