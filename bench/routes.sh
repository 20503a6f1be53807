#!/usr/bin/env bash
# Latency of each kind of API route on its own (issue 8): a store of BASE articles, `wiretrace
# serve` over it, and for each route kind a bounded run of wrk (one thread, one connection, so
# the figures are service times, not queueing) over the existing paths of that kind. No ingest
# runs at the same time (bench/load.sh measures the mix under a concurrent ingest). Prints one
# markdown table: route, distinct paths, requests, p50 / p90 / p99 / max.
#
#   bench/routes.sh ARTICLES.jsonl [BASE] [REQUESTS_PER_ROUTE]
#
# Defaults: 2000 articles, 400 requests per route kind. The binary is $WIRETRACE (default
# target/release/wiretrace). Needs wrk and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/serve.sh
source bench/serve.sh

input=${1:?usage: bench/routes.sh ARTICLES.jsonl [BASE] [REQUESTS_PER_ROUTE]}
base=${2:-2000}
requests=${3:-400}
bin=${WIRETRACE:-target/release/wiretrace}
command -v wrk > /dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

head -n "$base" "$input" > "$work/base.jsonl"
echo "== ingest $base articles" >&2
"$bin" --no-model ingest "$work/base.jsonl" --db "$work/routes.db" --json > /dev/null
start_server "$bin" "$work/routes.db" "$work/serve.log"

# One file of existing paths per route kind.
mkdir "$work/kinds"
python3 - "$addr" "$work/kinds" <<'PY'
import json, os, sys, urllib.parse, urllib.request
base, out = sys.argv[1], sys.argv[2]
get = lambda p: json.load(urllib.request.urlopen(base + p))
q = lambda s: urllib.parse.quote(s, safe="")
kinds = {
    "GET /healthz": ["/healthz"],
    "GET /stats": ["/stats"],
    "GET /search (list)": ["/search?limit=50"],
    "GET /search?q=": ["/search?q=oil&limit=50", "/search?q=said&limit=50", "/search?q=bank&limit=50"],
    "GET /quotes?speaker=": ["/quotes?speaker=minister", "/quotes?speaker=said"],
    "GET /ui/ (shell)": ["/ui/"],
    "GET /stories/{id}": [], "GET /articles/{id}": [], "GET /articles/{id}/provenance": [],
    "GET /pairs/{a}/{b}": [], "GET /pairs/{a}/{b}/view": [],
}
for s in get("/search?limit=30")["stories"]:
    kinds["GET /stories/{id}"].append(f"/stories/{q(s['id'])}")
    story = get(f"/stories/{q(s['id'])}")
    for a in story["articles"][:3]:
        kinds["GET /articles/{id}"].append(f"/articles/{q(a['id'])}")
        kinds["GET /articles/{id}/provenance"].append(f"/articles/{q(a['id'])}/provenance")
    for p in story["pairs"][:3]:
        kinds["GET /pairs/{a}/{b}"].append(f"/pairs/{q(p['a'])}/{q(p['b'])}")
        kinds["GET /pairs/{a}/{b}/view"].append(f"/pairs/{q(p['a'])}/{q(p['b'])}/view")
for k, (name, paths) in enumerate(kinds.items()):
    with open(os.path.join(out, f"{k:02d}.paths"), "w") as f:
        f.write("\n".join(paths) + "\n")
    with open(os.path.join(out, f"{k:02d}.name"), "w") as f:
        f.write(name)
PY

echo "| route | paths | requests | p50 ms | p90 ms | p99 ms | max ms |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for paths in "$work"/kinds/*.paths; do
  name=$(cat "${paths%.paths}.name")
  n=$(grep -c . "$paths" || true)
  [ "$n" -gt 0 ] || continue
  rm -rf "$work/done"; mkdir "$work/done"
  WRK_PATHS="$paths" WRK_REQUESTS_PER_THREAD="$requests" WRK_DONE_DIR="$work/done" \
    wrk -t1 -c1 -d600s --latency -s bench/load.lua "$addr" > "$work/wrk.txt" &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    if [ -n "$(ls "$work/done")" ]; then
      kill -INT "$wrk_pid" 2>/dev/null || true
      break
    fi
    sleep 0.05
  done
  wait "$wrk_pid" || true
  if ! grep -q "HTTP errors (status >= 400 but 404): 0, socket errors: 0" "$work/wrk.txt" \
    || ! grep -q "not found (404): 0" "$work/wrk.txt"; then
    echo "errors on $name:" >&2; cat "$work/wrk.txt" >&2; exit 1
  fi
  python3 - "$name" "$n" "$requests" "$work/wrk.txt" <<'PY'
import re, sys
name, n, requests, path = sys.argv[1:]
text = open(path).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    x = float(m.group(1))
    return {"us": x / 1000, "ms": x, "s": x * 1000}[m.group(2)]
pct = {k: ms(v) for k, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M)}
mx = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text)
print(f"| {name} | {n} | {requests} | {pct['50']:.2f} | {pct['90']:.2f} | {pct['99']:.2f} | {ms(mx.group(1)):.2f} |")
PY
done
