#!/usr/bin/env python3
"""Check testdata/quotes/gold.jsonl against the source texts.

Usage: python3 testdata/quotes/verify.py [DATA_DIR]

DATA_DIR defaults to ../shared/data relative to the repository root (the
directory holding ecb_plus/ and semeval2022_task8_sample/).  The article texts
are never stored in the repository; they are read from DATA_DIR.

Checks, for every quote part and every not_quotes span:
  * the document exists (ECB+ doc_id, or SemEval "<pair_id>:1|2" with lang "en");
  * 0 <= start < end <= len(utf8 text) and both offsets fall on UTF-8 character
    boundaries;
  * the span has no leading/trailing whitespace and does not include the
    quotation marks themselves: it does not start with a quote mark, does not
    end with a double quote mark, and ends with a single mark only when that
    mark closes a nested quote opened inside the span;
  * an opening quote mark precedes the span (only whitespace in between);
  * the sha (first 12 hex of sha256 of the parts joined by one space) matches;
  * no two quotes (and no quote and not_quotes span) overlap; parts are in order;
  * fields and values are well-formed and the file is sorted by (source, doc).
Prints counts; exits 1 on any problem.
"""
import gzip
import hashlib
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GOLD = os.path.join(HERE, "gold.jsonl")

DOUBLE_MARKS = ('"', "\u201c", "\u201d", "``", "''", "\u201e", "\u00ab", "\u00bb")
SINGLE_OPEN = ("\u2018", "`", "'")
SINGLE_CLOSE = ("\u2019", "'")
# characters that may immediately precede (after whitespace) the first char of a span
OPENERS = ('"', "\u201c", "\u201d", "`", "'", "\u2018", "\u2019", "\u201e", "\u00ab")
KINDS = ("direct", "partial")
SOURCES = ("ecbplus", "semeval8")


def load_texts(data_dir):
    texts = {}
    p = os.path.join(data_dir, "ecb_plus", "ecbplus_documents.jsonl.gz")
    with gzip.open(p, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            texts[("ecbplus", r["doc_id"])] = r["text"]
    p = os.path.join(data_dir, "semeval2022_task8_sample", "pairs.jsonl.gz")
    with gzip.open(p, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            for i in (1, 2):
                if r["lang%d" % i] == "en":
                    texts[("semeval8", "%s:%d" % (r["pair_id"], i))] = r["text%d" % i]
    return texts


def is_boundary(b, i):
    return i == len(b) or (0 <= i < len(b) and (b[i] & 0xC0) != 0x80)


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "data")
    data_dir = os.path.normpath(data_dir)
    texts = load_texts(data_dir)
    problems = []

    def bad(where, msg):
        problems.append("%s: %s" % (where, msg))

    def check_span(where, b, s, e):
        """return decoded span text or None"""
        if not (isinstance(s, int) and isinstance(e, int)):
            bad(where, "offsets must be integers")
            return None
        if not (0 <= s < e <= len(b)):
            bad(where, "span [%s,%s] outside text of %d bytes" % (s, e, len(b)))
            return None
        if not (is_boundary(b, s) and is_boundary(b, e)):
            bad(where, "span [%d,%d] not on UTF-8 character boundaries" % (s, e))
            return None
        t = b[s:e].decode("utf-8")
        if t != t.strip():
            bad(where, "span has leading/trailing whitespace: %r" % t[:40])
        if t.startswith(DOUBLE_MARKS) or t.startswith(SINGLE_OPEN + SINGLE_CLOSE):
            bad(where, "span starts with a quote mark: %r" % t[:40])
        if t.endswith(DOUBLE_MARKS):
            bad(where, "span ends with a quote mark: %r" % t[-40:])
        elif t.endswith(SINGLE_CLOSE):
            inner = t[:-1]
            if not ("\u2018" in inner or "`" in inner or " '" in inner):
                bad(where, "span ends with a quote mark: %r" % t[-40:])
        before = b[:s].decode("utf-8").rstrip()
        if not before.endswith(OPENERS):
            bad(where, "no quotation mark before span: ...%r" % before[-20:])
        return t

    n_lines = 0
    keys = []
    c = Counter()
    speakers = set()
    for ln, line in enumerate(open(GOLD, encoding="utf-8"), 1):
        if not line.strip():
            continue
        n_lines += 1
        try:
            r = json.loads(line)
        except ValueError as ex:
            bad("line %d" % ln, "invalid JSON: %s" % ex)
            continue
        where0 = "line %d (%s %s)" % (ln, r.get("source"), r.get("doc"))
        if set(r) != {"source", "doc", "quotes", "not_quotes"}:
            bad(where0, "unexpected keys %s" % sorted(r))
        src, doc = r.get("source"), r.get("doc")
        if src not in SOURCES:
            bad(where0, "unknown source")
            continue
        key = (src, doc)
        keys.append(key)
        if key not in texts:
            bad(where0, "document not found in %s" % data_dir)
            continue
        b = texts[key].encode("utf-8")
        c["articles_" + src] += 1
        if not r["quotes"]:
            c["articles_without_quotes"] += 1
        intervals = []  # (start, end, label)
        for qi, q in enumerate(r["quotes"]):
            where = "%s quote %d" % (where0, qi)
            if set(q) != {"parts", "speaker", "role", "cue", "kind", "sha"}:
                bad(where, "unexpected keys %s" % sorted(q))
                continue
            if q["kind"] not in KINDS:
                bad(where, "bad kind %r" % q["kind"])
            for f in ("speaker", "role", "cue"):
                if q[f] is not None and (not isinstance(q[f], str) or not q[f].strip()):
                    bad(where, "%s must be a non-empty string or null" % f)
            parts = q["parts"]
            if not parts or not all(isinstance(p, list) and len(p) == 2 for p in parts):
                bad(where, "parts must be a non-empty list of [start, end]")
                continue
            pieces = []
            for pi, (s, e) in enumerate(parts):
                t = check_span("%s part %d" % (where, pi), b, s, e)
                if t is None:
                    break
                pieces.append(t)
                intervals.append((s, e, "quote %d" % qi))
            else:
                if any(parts[i][1] > parts[i + 1][0] for i in range(len(parts) - 1)):
                    bad(where, "parts not in order / overlapping")
                sha = hashlib.sha256(" ".join(pieces).encode("utf-8")).hexdigest()[:12]
                if sha != q["sha"]:
                    bad(where, "sha mismatch: file %s, text %s" % (q["sha"], sha))
            c["quotes"] += 1
            c["quotes_" + src] += 1
            c["kind_" + q["kind"]] += 1
            c["speaker_named" if q["speaker"] else "speaker_null"] += 1
            if q["speaker"]:
                speakers.add((src, doc, q["speaker"]))
            if q["role"]:
                c["with_role"] += 1
            if q["cue"]:
                c["with_cue"] += 1
            if len(parts) > 1:
                c["multi_part"] += 1
                gaps = [b[parts[i][1]:parts[i + 1][0]].decode("utf-8", "replace") for i in range(len(parts) - 1)]
                if all(not g.strip().strip("\"'`\u201c\u201d\u2018\u2019").strip() for g in gaps):
                    c["multi_paragraph"] += 1
                else:
                    c["split_by_attribution"] += 1
        for ni, sp in enumerate(r["not_quotes"]):
            if not (isinstance(sp, list) and len(sp) == 2):
                bad(where0, "not_quotes %d must be [start, end]" % ni)
                continue
            if check_span("%s not_quote %d" % (where0, ni), b, sp[0], sp[1]) is not None:
                intervals.append((sp[0], sp[1], "not_quote %d" % ni))
            c["not_quotes"] += 1
        intervals.sort()
        for (s1, e1, l1), (s2, e2, l2) in zip(intervals, intervals[1:]):
            if s2 < e1 and l1 != l2:
                bad(where0, "%s overlaps %s" % (l1, l2))
    if keys != sorted(keys):
        bad("file", "records not sorted by (source, doc)")
    if len(keys) != len(set(keys)):
        bad("file", "duplicate documents")

    print("gold file      : %s" % os.path.relpath(GOLD, REPO))
    print("data dir       : %s" % data_dir)
    print("articles       : %d (ecbplus %d, semeval8 %d; %d without quotes)" % (
        n_lines, c["articles_ecbplus"], c["articles_semeval8"], c["articles_without_quotes"]))
    print("quotes         : %d (ecbplus %d, semeval8 %d)" % (c["quotes"], c["quotes_ecbplus"], c["quotes_semeval8"]))
    print("kind           : direct %d, partial %d" % (c["kind_direct"], c["kind_partial"]))
    print("speaker        : named %d, null %d (%d distinct speaker names per article)" % (
        c["speaker_named"], c["speaker_null"], len(speakers)))
    print("role / cue set : %d / %d" % (c["with_role"], c["with_cue"]))
    print("multi-part     : %d (split by attribution %d, multi-paragraph %d)" % (
        c["multi_part"], c["split_by_attribution"], c["multi_paragraph"]))
    print("not_quotes     : %d" % c["not_quotes"])
    if problems:
        print("\n%d PROBLEM(S):" % len(problems))
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
