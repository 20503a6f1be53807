#!/usr/bin/env bash
# The near-duplicate stage side by side (issue 9, item 2): `wiretrace dedup` against datasketch's
# MinHashLSH and rensa on the same input and criterion (lowercased words, 5-word shingles, 128
# signature values, Jaccard >= 0.8, candidates verified exactly). Prints a table: median seconds
# and spread over RUNS runs, the ratio of each tool's time to ours, pairs found, and how many of
# each tool's pairs we also find.
#
#   bash bench/dedup.sh [INPUT.jsonl] [RUNS]      (default: Reuters-21578 bodies from ../shared/data, 5 runs)
#
# Our time is the whole process (start, reading the JSONL, the stage, writing the pairs), measured
# by hyperfine; theirs is the stage alone inside one Python process (reading excluded), so the
# ratio understates ours. Needs python3 with venv, and hyperfine (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
input="${1:-}"
runs="${2:-5}"
work="${BENCH_DIR:-target/bench}"
mkdir -p "$work"
if [ -z "$input" ]; then
  input="$work/reuters.jsonl"
  [ -s "$input" ] || python3 scripts/reuters_to_jsonl.py --out "$input" >&2
fi
venv="$work/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "datasketch==2.0.0" "rensa==0.5.0"
fi
source bench/ensure.sh
ensure hyperfine hyperfine
cargo build --release --locked -p wiretrace-cli >&2
bin=target/release/wiretrace

hyperfine --runs "$runs" --warmup 1 --export-json "$work/dedup-hyperfine.json" \
  "$bin dedup $input --json > $work/ours.jsonl" >&2
for tool in datasketch rensa; do
  : > "$work/$tool.runs"
  for _ in $(seq "$runs"); do
    "$venv/bin/python" bench/dedup_compare.py "$input" --tool "$tool" >> "$work/$tool.runs"
  done
done

python3 - "$work" "$input" <<'PY'
import json, statistics, sys
work, inp = sys.argv[1], sys.argv[2]
h = json.load(open(f"{work}/dedup-hyperfine.json"))["results"][0]["times"]
ours = {tuple(sorted((d["a"], d["b"]))) for d in map(json.loads, open(f"{work}/ours.jsonl"))}
med = statistics.median(h)
rows = [("wiretrace dedup", med, min(h), max(h), len(ours), "-", "-")]
for tool in ("datasketch", "rensa"):
    runs = [json.loads(l) for l in open(f"{work}/{tool}.runs")]
    secs = [r["seconds"] for r in runs]
    theirs = {tuple(sorted(p)) for p in runs[0]["pairs"]}
    rows.append((tool, statistics.median(secs), min(secs), max(secs), len(theirs),
                 f"{statistics.median(secs) / med:.1f}x", f"{len(theirs & ours)}/{len(theirs)}"))
print(f"input: {inp} ({runs[0]['articles']} articles)")
print(f"| tool | median s | min–max s | pairs | time / ours | their pairs we find |")
print(f"| --- | --- | --- | --- | --- | --- |")
for name, m, lo, hi, n, ratio, found in rows:
    print(f"| {name} | {m:.3f} | {lo:.3f}–{hi:.3f} | {n} | {ratio} | {found} |")
PY
