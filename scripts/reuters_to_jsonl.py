#!/usr/bin/env python3
"""Convert the Reuters-21578 SGML collection into wiretrace JSONL documents.

Purpose
-------
Reuters-21578 (Distribution 1.0) is used by wiretrace as a real-news throughput
corpus and as a near-duplicate testbed.  This script reads the 22 SGML files
``reut2-000.sgm.gz`` ... ``reut2-021.sgm.gz`` (Latin-1 bytes, gzipped one by
one) and writes one JSON object per line for every ``<REUTERS>`` element that
has a non-empty ``<BODY>`` (19,043 in the distribution)::

    {"id": "reuters-<NEWID>", "title": <TITLE or null>, "text": <BODY>,
     "source": "Reuters", "published": "1987-02-26T15:01:01Z" or null}

Usage
-----
::

    python3 scripts/reuters_to_jsonl.py [--data DIR] [--out FILE|-]
                                        [--dup-groups FILE]

``--data`` defaults to ``../shared/data/reuters21578`` resolved relative to the
repository root (the parent of this script's directory); ``--out`` defaults to
``-`` (stdout).  A summary (elements read, with body, written, skipped by
reason, unparseable dates, duplicate groups) is printed to stderr.  Standard
library only; plain ``*.sgm`` files are accepted too when no ``.gz`` exists.

Cleaning rules
--------------
* Bytes are decoded as Latin-1; output is UTF-8 JSON (``ensure_ascii=False``).
* ``&lt; &gt; &amp; &quot; &apos;`` and numeric references (``&#N;``,
  ``&#xN;``) are unescaped in a single pass (so ``&amp;lt;`` -> ``&lt;``).
  Other ``&name;`` sequences are left verbatim.
* Control characters (Unicode category ``Cc``: ``\\x00-\\x1f``, ``\\x7f``,
  ``\\x80-\\x9f``) are removed, whether they came from entities such as
  ``&#2; &#3; &#5; &#127;`` or from raw bytes -- except ``\\n`` and ``\\t``.
  ``\\r\\n`` / ``\\r`` become ``\\n``.
* Body: leading/trailing whitespace is stripped; then, if the *last line*
  consists only of the wire signature -- ``Reuter``/``REUTER``/``Reuters`` in
  any case, optionally followed by ``...`` and/or a literal ``^M`` (both occur
  in the data) -- that line is removed and the text is stripped again; this
  repeats, as three stories carry a doubled ``REUTER`` / ``Reuter``.  A
  signature glued to the end of a content line (``... year ago. REUTER``) or
  a misspelt one (``REUITER``) is left alone.  Everything else, including
  line breaks and interior spacing of tables, is kept as is.
* Title: unescaped, control characters removed, whitespace runs collapsed to
  one space; ``null`` when absent or empty.
* Date: ``D-MON-YYYY HH:MM:SS[.ff]`` with optional surrounding whitespace and
  trailing junk (e.g. ``&#5;&#5;&#5;F`` or a ``# guesswork`` comment) is
  accepted; fractional seconds are dropped; times are taken as UTC.  Anything
  else -> ``null`` (one element in the distribution: NEWID 17192,
  ``31-MAR-1987 605:12:19.12``).

Skipped elements (reported by reason on stderr, never fatal): no ``<BODY>``
(BRIEF/UNPROC stories, expected 2,535), body empty after cleaning, ``<BODY>``
without ``</BODY>``, missing/invalid ``NEWID``, duplicate ``NEWID``, element
without ``</REUTERS>``.  Unreadable files are reported and skipped as well
(the exit status is then 1; it is 2 if no data file is found or the output
cannot be opened, else 0).

Duplicate groups (``--dup-groups FILE``)
----------------------------------------
Writes a JSON list of lists of ids: groups of documents whose body is
identical after whitespace normalisation (runs of whitespace collapsed to one
space, then stripped), only groups of size >= 2, ids in input order, groups
ordered by their first member.

The key is the body after entity/control-character cleaning but *before* the
``Reuter`` signature line is removed, i.e. the signature takes part in the
comparison.  This reproduces the data set's README.md exactly: 279 groups,
281 redundant copies (the raw, uncleaned body gives the same figures, since
every body ends in the same ``&#3;``).  Keying on the emitted ``text``
(signature removed) instead gives 339 groups / 343 copies, because ~60 pairs
of stories differ only in ``Reuter`` vs ``REUTER``; that figure is printed on
stderr for information but not written.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, TextIO

SOURCE = "Reuters"
ID_PREFIX = "reuters-"
DEFAULT_DATA = Path("..") / "shared" / "data" / "reuters21578"

_ELEMENT_START = re.compile(r"<REUTERS\b([^>]*)(?:>|\Z)")
_ELEMENT_END = "</REUTERS>"
_NEWID = re.compile(r'\bNEWID\s*=\s*"\s*(\d+)\s*"')
_DATE_VALUE = re.compile(
    r"^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?(?!\d)"
)
_ENTITY = re.compile(r"&(?:#(\d+)|#[xX]([0-9A-Fa-f]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_SIGNATURE_LINE = re.compile(r"\s*reuters?\s*(?:\.{2,})?\s*(?:\^M)?\s*", re.I)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
        start=1,
    )
}
# Control characters (category Cc) to delete; \n and \t are kept.
_DROP_CONTROLS: dict[int, None] = {
    c: None for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (0x09, 0x0A)
}


def _entity_to_text(match: re.Match[str]) -> str:
    dec, hexa, name = match.groups()
    if name is not None:
        return _NAMED[name]
    code = int(dec) if dec is not None else int(hexa, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return ""  # not a valid Unicode scalar value: drop it
    return chr(code)


def clean_text(raw: str) -> str:
    """Unescape entities, normalise newlines and drop control characters."""
    text = _ENTITY.sub(_entity_to_text, raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_DROP_CONTROLS)


def strip_signature(body: str) -> str:
    """Strip whitespace, then final line(s) consisting only of the signature."""
    body = body.strip()
    while body:
        head, sep, last = body.rpartition("\n")
        if not _SIGNATURE_LINE.fullmatch(last):
            break
        body = head.strip() if sep else ""
    return body


def clean_title(raw: str) -> str | None:
    title = " ".join(clean_text(raw).split())
    return title or None


def parse_date(raw: str) -> str | None:
    """Parse a Reuters DATE value into RFC 3339 UTC, or None if unparseable."""
    match = _DATE_VALUE.match(clean_text(raw))
    if match is None:
        return None
    day, mon, year, hour, minute, second = match.groups()
    month = _MONTHS.get(mon.upper())
    if month is None:
        return None
    try:
        stamp = datetime(
            int(year), month, int(day), int(hour), int(minute), int(second),
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_for_dups(text: str) -> str:
    """Whitespace normalisation used for the exact-duplicate groups."""
    return " ".join(text.split())


def tag_content(sgml: str, tag: str, *, to_end: bool = False) -> str | None:
    """Content of the first ``<tag ...>`` element in ``sgml`` (plain str.find).

    Returns None when the start tag is absent, or when the end tag is absent
    and ``to_end`` is false (with ``to_end`` the content runs to the end).
    """
    opener = "<" + tag
    pos = sgml.find(opener)
    while pos >= 0:
        after = pos + len(opener)
        if after < len(sgml) and (sgml[after] == ">" or sgml[after].isspace()):
            break
        pos = sgml.find(opener, after)  # e.g. <TEXTX>: not our tag
    else:
        return None
    start = sgml.find(">", pos)
    if start < 0:
        return None
    start += 1
    end = sgml.find("</" + tag + ">", start)
    if end < 0:
        return sgml[start:] if to_end else None
    return sgml[start:end]


Record = dict[str, str | None]


@dataclass
class DupIndex:
    """Ids grouped by normalised body: the README's key and the emitted text."""

    by_body: dict[str, list[str]] = field(default_factory=dict)
    by_text: dict[str, list[str]] = field(default_factory=dict)

    def add(self, doc_id: str, cleaned_body: str, text: str) -> None:
        self.by_body.setdefault(normalise_for_dups(cleaned_body), []).append(doc_id)
        self.by_text.setdefault(normalise_for_dups(text), []).append(doc_id)

    @staticmethod
    def groups(index: dict[str, list[str]]) -> list[list[str]]:
        return [ids for ids in index.values() if len(ids) >= 2]


@dataclass
class Stats:
    files: int = 0
    read: int = 0
    with_body: int = 0
    written: int = 0
    bad_dates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    bad_files: list[str] = field(default_factory=list)


def data_files(data_dir: Path) -> list[Path]:
    """reut2-NNN.sgm.gz files (or plain .sgm when no .gz exists), sorted."""
    chosen: dict[str, Path] = {}
    for path in sorted(data_dir.glob("reut2-*.sgm*")):
        if path.name.endswith(".sgm.gz"):
            chosen[path.name[: -len(".gz")]] = path
        elif path.name.endswith(".sgm"):
            chosen.setdefault(path.name, path)
    return [chosen[key] for key in sorted(chosen)]


def read_latin1(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("latin-1")


def iter_elements(sgml: str, stats: Stats) -> Iterator[tuple[str, str]]:
    """Yield (attribute string, inner content) per well-formed REUTERS element.

    Each element is delimited by the next ``<REUTERS`` start tag, so one
    unterminated element cannot swallow its neighbours.
    """
    starts = list(_ELEMENT_START.finditer(sgml))
    for i, start in enumerate(starts):
        stats.read += 1
        limit = starts[i + 1].start() if i + 1 < len(starts) else len(sgml)
        end = sgml.find(_ELEMENT_END, start.end(), limit)
        if end < 0:
            stats.skipped["unterminated <REUTERS> element"] += 1
            continue
        yield start.group(1), sgml[start.end() : end]


def convert_element(
    attrs: str, inner: str, seen_ids: set[str], stats: Stats
) -> tuple[Record, str] | None:
    """Build (record, cleaned body before signature removal) for one element.

    Returns None, after counting the reason, when the element is skipped.
    """
    text_part = tag_content(inner, "TEXT", to_end=True)
    if text_part is None:
        text_part = inner

    raw_body = tag_content(text_part, "BODY")
    if raw_body is None:
        if "<BODY>" in text_part:
            stats.skipped["<BODY> without </BODY>"] += 1
        else:
            stats.skipped["no <BODY> (BRIEF/UNPROC story)"] += 1
        return None
    stats.with_body += 1

    id_match = _NEWID.search(attrs)
    if id_match is None:
        stats.skipped["missing/invalid NEWID"] += 1
        return None
    doc_id = ID_PREFIX + str(int(id_match.group(1)))
    if doc_id in seen_ids:
        stats.skipped["duplicate NEWID"] += 1
        return None

    cleaned = clean_text(raw_body)
    body = strip_signature(cleaned)
    if not body:
        stats.skipped["empty body after cleaning"] += 1
        return None

    raw_title = tag_content(text_part, "TITLE")
    title = clean_title(raw_title) if raw_title is not None else None

    raw_date = tag_content(inner, "DATE")
    published = parse_date(raw_date) if raw_date is not None else None
    if published is None:
        stats.bad_dates += 1

    seen_ids.add(doc_id)
    record: Record = {
        "id": doc_id,
        "title": title,
        "text": body,
        "source": SOURCE,
        "published": published,
    }
    return record, cleaned


def convert(files: list[Path], out: TextIO, stats: Stats, dups: DupIndex | None) -> None:
    seen_ids: set[str] = set()
    for path in files:
        try:
            sgml = read_latin1(path)
        except (OSError, EOFError, zlib.error) as err:
            stats.bad_files.append(f"{path.name}: {err}")
            continue
        stats.files += 1
        for attrs, inner in iter_elements(sgml, stats):
            try:
                result = convert_element(attrs, inner, seen_ids, stats)
            except Exception as err:  # defensive: never abort the whole run
                stats.skipped[f"internal error ({type(err).__name__})"] += 1
                continue
            if result is None:
                continue
            record, cleaned = result
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            stats.written += 1
            if dups is not None:
                dups.add(str(record["id"]), cleaned, str(record["text"]))


def write_dup_groups(path: Path, groups: list[list[str]]) -> None:
    lines = ",\n".join("  " + json.dumps(group) for group in groups)
    path.write_text("[\n" + lines + ("\n" if lines else "") + "]\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    repo_root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(
        description="Convert Reuters-21578 SGML into wiretrace JSONL documents."
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=(repo_root / DEFAULT_DATA).resolve(),
        help="directory holding reut2-*.sgm.gz (default: %(default)s)",
    )
    parser.add_argument(
        "--out", default="-", help="output JSONL file, or - for stdout (default: -)"
    )
    parser.add_argument(
        "--dup-groups",
        type=Path,
        metavar="FILE",
        help="write JSON list of exact-duplicate body groups (size >= 2) to FILE",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    files = data_files(args.data)
    if not files:
        print(f"error: no reut2-*.sgm[.gz] files in {args.data}", file=sys.stderr)
        return 2

    stats = Stats()
    dups = DupIndex() if args.dup_groups is not None else None
    if args.out == "-":
        out: TextIO = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    else:
        try:
            out = open(args.out, "w", encoding="utf-8", newline="\n")
        except OSError as err:
            print(f"error: cannot write {args.out}: {err}", file=sys.stderr)
            return 2
    try:
        convert(files, out, stats, dups)
        out.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.write("warning: output pipe closed early\n")
        return 1
    finally:
        if args.out == "-":
            try:
                out.detach()
            except (ValueError, BrokenPipeError):
                pass
        else:
            out.close()

    err = sys.stderr
    print(f"files read:          {stats.files}/{len(files)}", file=err)
    for problem in stats.bad_files:
        print(f"  unreadable file skipped: {problem}", file=err)
    print(f"elements read:       {stats.read}", file=err)
    print(f"with <BODY>:         {stats.with_body}", file=err)
    print(f"written:             {stats.written}", file=err)
    print(f"skipped:             {sum(stats.skipped.values())}", file=err)
    for reason, count in sorted(stats.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {count:7d}  {reason}", file=err)
    print(f"unparseable dates:   {stats.bad_dates} (published=null)", file=err)
    if dups is not None and args.dup_groups is not None:
        groups = DupIndex.groups(dups.by_body)
        write_dup_groups(args.dup_groups, groups)
        redundant = sum(len(ids) - 1 for ids in groups)
        print(
            f"duplicate groups:    {len(groups)} ({redundant} redundant copies)"
            f" -> {args.dup_groups}",
            file=err,
        )
        text_groups = DupIndex.groups(dups.by_text)
        print(
            f"  (on emitted text, signature removed: {len(text_groups)} groups,"
            f" {sum(len(ids) - 1 for ids in text_groups)} redundant copies; not written)",
            file=err,
        )
    print(f"elapsed:             {time.perf_counter() - began:.2f} s", file=err)
    return 1 if stats.bad_files else 0


if __name__ == "__main__":
    sys.exit(main())
