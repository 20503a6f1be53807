#!/usr/bin/env python3
"""Near-duplicate stage side by side: datasketch's MinHashLSH and rensa on the same JSONL input
and the same criterion as `wiretrace dedup` (lowercased words, 5-word shingles, 128 permutations,
LSH bands for Jaccard 0.8, every candidate verified on the exact shingle sets).

    python3 bench/dedup_compare.py INPUT.jsonl [--threshold 0.8] [--tool datasketch|rensa]

Prints one JSON line: tool, seconds (tokenise + sign + index + query + verify, reading excluded),
candidate and verified pairs, and the verified pairs themselves (ids) for the caller to compare.
Words are split the way Unicode word boundaries split them for news text (letters and digits,
joined across . , ' and ’ inside a word: "U.S", "1,000", "don't"), which is what wiretrace's
unicode-segmentation does; the comparison in bench/run.sh re-checks every pair either side
misses with the other side's exact Jaccard.
"""
import argparse
import json
import re
import sys
import time

WORD = re.compile(r"\w+(?:[.,'\u2019]\w+)*")


def shingles(text, k=5):
    words = WORD.findall(text.lower())
    if not words:
        return set()
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def jaccard(a, b):
    u = len(a | b)
    return len(a & b) / u if u else 0.0


def load(path):
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            title = d.get("title") or ""
            text = d.get("text") or ""
            ids.append(d["id"])
            texts.append((title + "\n\n" + text) if title else text)
    return ids, texts


def query_all(lsh, sigs, sets):
    """Every indexed text queried once: the candidate pairs, each once, (i, j) with i < j."""
    cands = set()
    for i, s in enumerate(sets):
        if not s:
            continue
        for j in lsh.query(sigs[i]):
            if j != i:
                cands.add((min(i, j), max(i, j)))
    return cands


def run_datasketch(sets, threshold, perms):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=perms)
    sigs = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=perms, seed=1)
        m.update_batch([x.encode("utf-8") for x in s])
        sigs.append(m)
        if s:
            lsh.insert(i, m)
    return query_all(lsh, sigs, sets)


def run_rensa(sets, threshold, perms):
    from rensa import RMinHash, RMinHashLSH
    # rensa's LSH takes the band count explicitly and needs it to divide the permutations:
    # datasketch's choice for the threshold (9 bands of 13 rows at 0.8, 128 permutations),
    # moved to the nearest divisor (8 bands of 16 rows), which proposes slightly fewer pairs.
    from datasketch.lsh import _optimal_param
    b, _ = _optimal_param(threshold, perms, 0.5, 0.5)
    b = min((d for d in range(1, perms + 1) if perms % d == 0), key=lambda d: (abs(d - b), d))
    lsh = RMinHashLSH(threshold=threshold, num_perm=perms, num_bands=b)
    sigs = []
    for i, s in enumerate(sets):
        m = RMinHash(num_perm=perms, seed=1)
        m.update(list(s))
        sigs.append(m)
        if s:
            lsh.insert(i, m)
    return query_all(lsh, sigs, sets)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--perms", type=int, default=128)
    ap.add_argument("--tool", choices=["datasketch", "rensa"], default="datasketch")
    a = ap.parse_args()
    ids, texts = load(a.input)
    t0 = time.perf_counter()
    sets = [shingles(t) for t in texts]
    run = run_datasketch if a.tool == "datasketch" else run_rensa
    cands = run(sets, a.threshold, a.perms)
    pairs = sorted((i, j) for i, j in cands if jaccard(sets[i], sets[j]) >= a.threshold)
    seconds = time.perf_counter() - t0
    json.dump({
        "tool": a.tool,
        "articles": len(ids),
        "seconds": round(seconds, 3),
        "candidates": len(cands),
        "verified": len(pairs),
        "pairs": [[ids[i], ids[j]] for i, j in pairs],
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
