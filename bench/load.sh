#!/usr/bin/env bash
# The HTTP API under load: a bounded number of requests from wrk (a second process, loopback)
# against `wiretrace serve` while `wiretrace ingest` adds articles to the same store.
# Prints wrk's figures (errors, p50/p90/p99) and whether the ingest overlapped the whole load.
#
#   bench/load.sh ARTICLES.jsonl [BASE] [LATER] [REQUESTS]
#
# ARTICLES.jsonl: e.g. `python3 scripts/reuters_to_jsonl.py --out /tmp/reuters.jsonl`. The first
# BASE articles (default 2000) are ingested before the server starts; the next LATER (default
# 500) are ingested in batches of 25 while wrk sends REQUESTS (default 20000) over 8
# connections. The binary is $WIRETRACE (default target/release/wiretrace). Needs wrk
# (`apt-get install -y wrk`), curl and python3 (to pick the paths from the API).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/serve.sh
source bench/serve.sh

input=${1:?usage: bench/load.sh ARTICLES.jsonl [BASE] [LATER] [REQUESTS]}
base=${2:-2000}
later=${3:-500}
requests=${4:-20000}
bin=${WIRETRACE:-target/release/wiretrace}
threads=2
connections=8

work=$(mktemp -d)
server=""
ingest=""
cleanup() {
  if [ -n "$ingest" ]; then kill "$ingest" 2>/dev/null || true; fi
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

head -n "$base" "$input" > "$work/base.jsonl"
sed -n "$((base + 1)),$((base + later))p" "$input" > "$work/later.jsonl"
echo "== ingest $base articles (before the load)"
/usr/bin/time -f "   wall %e s" "$bin" --no-model ingest "$work/base.jsonl" --db "$work/load.db" --json > /dev/null

start_server "$bin" "$work/load.db" "$work/serve.log"
echo "== serve on $addr"

# Paths that exist: the story list and searches, the largest stories, their pairs (and the
# pair views the UI draws), their articles, quotes, stats, the UI shell and a script.
python3 - "$addr" > "$work/paths.txt" <<'PY'
import json, sys, urllib.parse, urllib.request
base = sys.argv[1]
get = lambda p: json.load(urllib.request.urlopen(base + p))
q = urllib.parse.quote
paths = ["/healthz", "/stats", "/search?limit=50", "/search?q=oil&limit=50", "/search?q=said&limit=50",
         "/quotes?speaker=minister", "/ui/", "/ui/assets/app.js"]
for s in get("/search?limit=20")["stories"]:
    paths.append(f"/stories/{q(s['id'])}")
    story = get(f"/stories/{q(s['id'])}")
    for a in story["articles"][:3]:
        paths.append(f"/articles/{q(a['id'], safe='')}")
        paths.append(f"/articles/{q(a['id'], safe='')}/provenance")
    for p in story["pairs"][:3]:
        paths.append(f"/pairs/{q(p['a'], safe='')}/{q(p['b'], safe='')}")
        paths.append(f"/pairs/{q(p['a'], safe='')}/{q(p['b'], safe='')}/view")
print("\n".join(paths))
PY
echo "== $(wc -l < "$work/paths.txt") distinct paths"

echo "== ingest $later more articles (batches of 25) while wrk sends $requests requests"
( /usr/bin/time -f "%e" -o "$work/ingest.time" "$bin" --no-model ingest "$work/later.jsonl" \
    --db "$work/load.db" --batch-size 25 --json > "$work/ingest.json" 2> "$work/ingest.log" ) &
ingest=$!
sleep 0.5
running_at_start=no
kill -0 "$ingest" 2>/dev/null && running_at_start=yes
mkdir "$work/done"
echo "wrk -t$threads -c$connections -d600s --latency -s bench/load.lua $addr  (WRK_REQUESTS_PER_THREAD=$((requests / threads)))"
WRK_PATHS="$work/paths.txt" WRK_REQUESTS_PER_THREAD=$((requests / threads)) WRK_DONE_DIR="$work/done" \
  wrk -t"$threads" -c"$connections" -d600s --latency -s bench/load.lua "$addr" > "$work/wrk.txt" &
wrk_pid=$!
load_start=$(date +%s.%N)
# Every thread has had its share answered: end the run (wrk prints its report on SIGINT).
while kill -0 "$wrk_pid" 2>/dev/null; do
  if [ "$(find "$work/done" -type f | wc -l)" -ge "$threads" ]; then
    kill -INT "$wrk_pid" 2>/dev/null || true
    break
  fi
  sleep 0.05
done
wait "$wrk_pid" || true
load_end=$(date +%s.%N)
cat "$work/wrk.txt"
running_at_end=no
kill -0 "$ingest" 2>/dev/null && running_at_end=yes
wait "$ingest"
ingest=""
echo "== wall: load $(python3 -c "print(f'{$load_end - $load_start:.1f}')") s (started 0.5 s into the ingest); ingest $(cat "$work/ingest.time") s"
echo "== ingest running when wrk started: $running_at_start; when it finished: $running_at_end"
echo "== ingest: $(python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["ingest"]))' < "$work/ingest.json")"
if grep -q "^error" "$work/serve.log"; then
  echo "== the server logged errors:"; grep "^error" "$work/serve.log"; exit 1
fi
grep -q "HTTP errors (status >= 400 but 404): 0, socket errors: 0" "$work/wrk.txt" || { echo "== errors under load"; exit 1; }
# A 404 under load is only right for a path that is gone at the end: a pair the ingest's
# rescoring no longer relates, a story id that merging retired.
gone=$(awk -F': ' '/^not found \(404\)/ {print $2}' "$work/wrk.txt")
vanished=0
while read -r path; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$addr$path")
  if [ "$code" = 404 ]; then vanished=$((vanished + 1)); echo "   gone: $path"; fi
done < "$work/paths.txt"
echo "== 404 answers under load: ${gone:-0}; paths gone after the ingest: $vanished of $(wc -l < "$work/paths.txt")"
if [ "${gone:-0}" -gt 0 ] && [ "$vanished" -eq 0 ]; then
  echo "== 404s under load for paths that still exist"; exit 1
fi
echo "== no errors"
