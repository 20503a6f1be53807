#!/usr/bin/env bash
# The whole-pipeline benchmark of issue 9 (items 1 and 5): `wiretrace --no-model analyze` on
# Reuters-21578 and on generated corpora of growing size, timed as whole processes by hyperfine,
# with peak RSS, stage seconds, throughput, candidate pairs and recall/precision of derivation
# pairs against the generator's ground truth; then bench/dedup.sh (datasketch, rensa). Prints
# one markdown table (also written to $BENCH_DIR/results.md) and draws wall time and peak RSS
# against corpus size ($BENCH_DIR/bench-scaling.svg).
#
#   bash bench/run.sh            # Reuters (5 runs), generated 5k (5), 50k (3), 200k (1), 1M (1)
#   bash bench/run.sh --quick    # Reuters (3 runs), generated 5k (3), 20k (1); dedup 1 run (< 3 min)
#   SIZES="5000 50000" bash bench/run.sh    # other generated sizes
#   SEMANTIC_N=300 bash bench/run.sh --quick  # also the semantic engine on 300 articles (full mode: 1000)
#   WIRETRACE=path/to/wiretrace ...          # that binary, no build (dedup.sh still builds)
#   SKIP_DEDUP=1 ...                         # reuse the last bench/dedup.sh table
#   EMBED=1 ... / EMBED=0 ...                # the encoder beside PyTorch (bench/embed.sh): on in full mode
#   REUSE=1 ...                              # keep corpora already measured (add sizes to a run)
#
# Inputs are made under ${BENCH_DIR:-target/bench} from ../shared/data (never copied into the
# repository): Reuters bodies by scripts/reuters_to_jsonl.py, generated corpora by
# bench/generate.py (seed ${SEED:-9}), kept between runs while the generator is unchanged.
# Needs python3; hyperfine and GNU time (/usr/bin/time, for RSS) are installed from Debian if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; fi
work="${BENCH_DIR:-target/bench}"
seed="${SEED:-9}"
mkdir -p "$work"
load=$(cut -d" " -f1-3 /proc/loadavg)
source bench/ensure.sh
ensure hyperfine hyperfine
[ -x /usr/bin/time ] || ensure /usr/bin/time time
if [ "$quick" = 1 ]; then
  sizes="${SIZES:-5000 20000}"; small_runs=3; dedup_runs=1
else
  sizes="${SIZES:-5000 50000 200000 1000000}"; small_runs=5; dedup_runs=5
fi
runs_for() {  # hyperfine runs for a corpus of $1 articles
  if [ "$1" -le 19043 ]; then echo "$small_runs"; elif [ "$1" -le 50000 ] && [ "$quick" = 0 ]; then echo 3; else echo 1; fi
}

bin="${WIRETRACE:-target/release/wiretrace}"
if [ -z "${WIRETRACE:-}" ]; then nice cargo build --release --locked -p wiretrace-cli >&2; fi
reuters="$work/reuters.jsonl"
[ -s "$reuters" ] || python3 scripts/reuters_to_jsonl.py --out "$reuters" >&2

# One corpus: hyperfine over the whole process (each run's peak RSS appended by GNU time), the
# last run's JSON kept for its stage seconds and pairs.
measure() {  # name input runs
  local name=$1 input=$2 runs=$3
  if [ "${REUSE:-0}" = 1 ] && [ -s "$work/$name.score.json" ]; then
    echo "REUSE=1: keeping the last measurement of $name" >&2
    return
  fi
  : > "$work/$name.rss"
  hyperfine --style basic --runs "$runs" --command-name "$name" \
    --export-json "$work/$name.hyperfine.json" \
    "/usr/bin/time -f %M -a -o $work/$name.rss $bin --no-model analyze $input --json > $work/$name.out.json" >&2
}

names=()
measure reuters "$reuters" "$(runs_for 19043)"
[ -s "$work/reuters.out.json" ] && python3 bench/score.py "$work/reuters.out.json" > "$work/reuters.score.json"
names+=("reuters:$reuters")

stamp=$(cat bench/generate.py "$reuters" | sha256sum | cut -c1-16)
: > "$work/skipped.txt"
kb_per_article=0
for n in $sizes; do
  # Peak RSS grows about linearly with the corpus: a size whose projection from the last one
  # measured exceeds 90% of the available memory is skipped (FORCE=1 runs it anyway), rather
  # than left to the OOM killer on a shared machine.
  avail=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
  need=$((kb_per_article * n))
  if [ "${FORCE:-0}" != 1 ] && [ "$need" -gt $((avail * 9 / 10)) ]; then
    echo "gen-$n: skipped, projected peak RSS $((need / 1048576)) GiB > 90% of the $((avail / 1048576)) GiB available" \
      | tee -a "$work/skipped.txt" >&2
    continue
  fi
  corpus="$work/gen-$n.jsonl"
  truth="$work/gen-$n.truth.tsv"
  if [ "$(cat "$work/gen-$n.stamp" 2> /dev/null)" != "$stamp-$seed" ] || [ ! -s "$corpus" ]; then
    nice python3 bench/generate.py --reuters "$reuters" --n "$n" --seed "$seed" \
      --out "$corpus" --truth "$truth" >&2
    echo "$stamp-$seed" > "$work/gen-$n.stamp"
  fi
  measure "gen-$n" "$corpus" "$(runs_for "$n")"
  if [ -s "$work/gen-$n.out.json" ]; then
    python3 bench/score.py "$work/gen-$n.out.json" --truth "$truth" > "$work/gen-$n.score.json"
  fi
  if [ "$n" -ge 200000 ]; then rm -f "$work/gen-$n.out.json"; fi  # ~2 GB at 1M
  names+=("gen-$n:$corpus")
  kb_per_article=$(( $(sort -n "$work/gen-$n.rss" | tail -1) / n + 1 ))
done

if [ "${SKIP_DEDUP:-0}" = 1 ] && [ -s "$work/dedup-table.md" ]; then
  echo "SKIP_DEDUP=1: reusing $work/dedup-table.md" >&2
else
  bash bench/dedup.sh "" "$dedup_runs" > "$work/dedup-table.md"
fi

# The semantic engine's cost per article (issue 5): one run with the sentence model on the first
# SEMANTIC_N Reuters bodies (default 1000; full mode only unless SEMANTIC_N is set; skipped when
# the model is not installed — `wiretrace model fetch` gets it).
semantic_n=${SEMANTIC_N:-}
if [ -z "$semantic_n" ] && [ "$quick" = 0 ]; then semantic_n=1000; fi
: > "$work/semantic.md"
if [ -n "$semantic_n" ]; then
  if ! "$bin" model status --json 2>/dev/null | grep -q "\"installed\":true"; then
    echo "semantic: skipped, the model is not installed (wiretrace model fetch)" | tee "$work/semantic.md" >&2
  else
    head -n "$semantic_n" "$reuters" > "$work/semantic-input.jsonl"
    /usr/bin/time -f "%e %M" -o "$work/semantic.time" \
      "$bin" analyze "$work/semantic-input.jsonl" --json > "$work/semantic.out.json"
    python3 - "$work" "$semantic_n" > "$work/semantic.md" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
wall, rss_kb = open(f"{work}/semantic.time").read().split()
st = json.load(open(f"{work}/semantic.out.json"))["stats"]
wall = float(wall)
emb = st.get("embedded_sentences", 0)
print("| semantic engine (sentence model) | articles | wall s | peak RSS MiB | sentences embedded | sentences/s | ms per article | pairs aligned with embeddings |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
print(f"| Reuters-21578, first {n} | {st['articles']:,} | {wall:.2f} | {int(rss_kb) // 1024:,} | {emb:,} | {emb / wall:,.0f} | {1000 * wall / max(st['articles'], 1):.1f} | {st.get('semantic_pairs', 0):,} |")
PY
  fi
fi

mode=full
if [ "$quick" = 1 ]; then mode=quick; fi
python3 bench/report.py --work "$work" --mode "$mode" --commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates Cargo.lock || echo +uncommitted-engine-changes)" --load "$load" \
  "${names[@]}" | tee "$work/results.md"
if [ -s "$work/semantic.md" ]; then
  echo | tee -a "$work/results.md"
  tee -a "$work/results.md" < "$work/semantic.md"
fi
# The sentence encoder beside the PyTorch reference (issue 5's throughput ratio).
embed=${EMBED:-}
if [ -z "$embed" ]; then if [ "$quick" = 1 ]; then embed=0; else embed=1; fi; fi
if [ "$embed" = 1 ]; then
  echo | tee -a "$work/results.md"
  bash bench/embed.sh | tee -a "$work/results.md"
fi
