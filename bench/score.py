#!/usr/bin/env python3
"""Reads `wiretrace analyze --json` output (pretty-printed, as the CLI writes it) line by line,
without loading it whole (it is ~2 GB at 1M articles), and prints one JSON line: the run's
stats and, with --truth (bench/generate.py's TSV), recall and precision of derivation pairs.

    python3 bench/score.py OUT.json [--truth TRUTH.tsv] [--exclude-out IDS.txt]

Scoring (unordered pairs; a pair is a predicted derivation when its relation is copy,
light_rewrite or heavy_rewrite):
* recall: of the (source, derived) pairs of the truth, the share predicted as derivations;
  also per mutation kind;
* precision: of the predicted derivation pairs, the share inside one family — source and
  derived, or two articles derived from the same source (siblings share the source's text, so
  calling them derivations of each other is right; they are not required for recall).
--exclude-out writes, for the caller to give to the generator, the ids of articles that are
in a predicted derivation pair, all but one per connected group (used on Reuters-21578, whose
stories reuse each other's text, so that the generated ground truth has no derivations it
does not know of).
"""
import argparse
import json
import sys

DERIV = {"copy", "light_rewrite", "heavy_rewrite"}


def read(path):
    """(stats dict, [(a, b, relation)]) from the pretty JSON."""
    pairs, section, cur, stats_lines = [], None, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if stats_lines is not None:
                stats_lines.append(line)
                continue
            if line.startswith('  "') and not line.startswith("   "):
                section = line[3:line.index('"', 3)]
                if section == "stats":
                    stats_lines = ["{"]
                continue
            if section == "pairs" and line.startswith('      "') and not line.startswith("       "):
                key, _, val = line.strip().rstrip(",").partition(": ")
                key = key.strip('"')
                if key in ("a", "b", "relation"):
                    cur[key] = json.loads(val)
                    if key == "relation":
                        pairs.append((cur["a"], cur["b"], cur["relation"]))
                        cur = {}
    text = "".join(stats_lines).rstrip()
    stats = json.loads(text[:-1])  # the stats object, without the document's closing brace
    return stats, pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--truth")
    ap.add_argument("--exclude-out")
    args = ap.parse_args()
    stats, pairs = read(args.out)
    pred = {}
    for a, b, rel in pairs:
        if rel in DERIV:
            pred[(a, b) if a < b else (b, a)] = rel
    res = {"stats": stats, "pairs": len(pairs), "derivation_pairs": len(pred)}

    if args.exclude_out:
        parent = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x
        for a, b in pred:
            parent[find(a)] = find(b)
        groups = {}
        for x in parent:
            groups.setdefault(find(x), []).append(x)
        with open(args.exclude_out, "w", encoding="utf-8") as f:
            for members in groups.values():
                for x in sorted(members)[1:]:
                    f.write(x + "\n")
        res["excluded"] = sum(len(m) - 1 for m in groups.values())

    if args.truth:
        fam, role, src = {}, {}, {}
        with open(args.truth, encoding="utf-8") as f:
            next(f)
            for line in f:
                aid, family, r, s = line.rstrip("\n").split("\t")
                role[aid] = r
                if family != "-":
                    fam[aid] = family
                if s != "-":
                    src[aid] = s
        want = {}
        for d, s in src.items():
            want[(d, s) if d < s else (s, d)] = role[d]
        found = {k: 0 for k in DERIV}
        total = {k: 0 for k in DERIV}
        for p, kind in want.items():
            total[kind] += 1
            if p in pred:
                found[kind] += 1
        tp = fp_fresh = fp_cross = 0
        for a, b in pred:
            fa, fb = fam.get(a), fam.get(b)
            if fa is not None and fa == fb:
                tp += 1
            elif fa is None or fb is None:
                fp_fresh += 1
            else:
                fp_cross += 1
        res.update({
            "truth_pairs": len(want),
            "recall": sum(found.values()) / max(1, len(want)),
            "recall_by_kind": {k: found[k] / max(1, total[k]) for k in sorted(DERIV)},
            "precision": tp / max(1, len(pred)),
            "false_pairs_with_fresh": fp_fresh,
            "false_pairs_across_families": fp_cross,
        })
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()
