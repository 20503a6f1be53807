#!/usr/bin/env python3
"""Latency of adding one article to a stored corpus, as a user adds it (issue 9: one article
into a large store, p99 under 50 ms).

    python3 bench/ingest_latency.py --wiretrace target/release/wiretrace --db STORE.db \
        --articles HELD_OUT.jsonl [--n 200] [--model] [--api | --server-cli] [--max-drift F] \
        [--pace MS] [--dump FILE]

Each article of HELD_OUT.jsonl (the first --n) is added on its own: one
`wiretrace ingest FILE --db STORE` process per article, in file order, so the store grows by one
article per step and every step pays what a user's one-off ingest pays (process start, opening
the store, reading what the batch needs, scoring, re-deriving the touched stories, the commit).
The store is changed: pass a copy. `--no-model` is passed unless --model is given (the store must
have been built the same way). With --api, a `wiretrace serve --db STORE --token T` is started
on a free loopback port instead and each article is sent alone as `POST /articles` (the request's
round trip is timed: a service's one-article ingest, without the process start; the server
checkpoints its log when writes pause, so --pace, a wait between articles, lets it do so as a
real stream of news would). With --server-cli, the same server is started and each article is
added by its own `wiretrace ingest FILE --server ADDR` process (timed from spawn to exit: what a
feed poller that hands articles to a running server pays, process start included). Prints the store
size and p50 / p90 / p99 / max wall time in ms; then where the time of the median ingest and of
the slowest 5% went, from the `seconds` each ingest reports for its steps (index, candidates,
score, derive, commit; "outside" is the rest of the wall time: process start, opening the
store, reading the input, and closing it, which checkpoints the write-ahead log), with the pairs
scored and stored articles read; and one JSON line with the same figures for scripts.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def percentile(xs, q):
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))
    return s[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wiretrace", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--articles", required=True)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--model", action="store_true")
    ap.add_argument("--api", action="store_true")
    ap.add_argument("--server-cli", action="store_true",
                    help="start `wiretrace serve` and add each article with `wiretrace ingest "
                    "--server` (one process per article)")
    ap.add_argument("--max-drift", type=float, default=None,
                    help="passed to each `wiretrace ingest` (with --api, to `wiretrace serve`). "
                         "A store built with a large --max-drift is due for a refresh under the "
                         "default; between refreshes an ingest does the same work whatever the "
                         "limit (the drift is a formula of two counts)")
    ap.add_argument("--pace", type=float, default=0.0, metavar="MS",
                    help="wait this long between articles (untimed): a stream of news arrives "
                         "with gaps, which a server uses to checkpoint its log; 0 sends them "
                         "back to back (the worst case)")
    ap.add_argument("--dump", metavar="FILE",
                    help="also write one JSON line per ingest: its wall ms and its own report")
    args = ap.parse_args()
    drift = [] if args.max_drift is None else ["--max-drift", str(args.max_drift)]

    with open(args.articles, encoding="utf-8") as f:
        lines = [l for l in f if l.strip()][: args.n]
    if not lines:
        sys.exit(f"no article in {args.articles}")
    base = [args.wiretrace] + ([] if args.model else ["--no-model"])
    stats = json.loads(
        subprocess.run(base + ["stats", "--db", args.db, "--json"], check=True,
                       capture_output=True, text=True).stdout)
    # Whatever a copy of the store left dirty in the page cache would be flushed by the first
    # commit's sync and counted against it.
    os.sync()
    # times: wall ms per ingest; done: each ingest's own report ({"seconds", "scored_pairs", …})
    if args.api:
        times, done = through_api(base, args.db, lines, drift, args.pace)
    elif args.server_cli:
        proc, addr = start_server(base, args.db, drift)
        try:
            times, done = through_cli(base, lines, ["--server", addr], [], args.pace,
                                      {**os.environ, "WIRETRACE_TOKEN": TOKEN})
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    else:
        times, done = through_cli(base, lines, ["--db", args.db], drift, args.pace, None)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for t, d in zip(times, done):
                f.write(json.dumps({"wall_ms": round(t, 2), "ingest": d}) + "\n")
    out = {
        "pace_ms": args.pace,
        "path": " ".join(["wiretrace serve" if args.api or args.server_cli else "wiretrace ingest"]
                         + drift)
        + (": POST /articles" if args.api else "")
        + (": wiretrace ingest --server" if args.server_cli else ""),
        "stored": stats["articles"],
        "added": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(percentile(times, 90), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
        "steps_ms": {"median": steps(times, done, 0.45, 0.55), "slowest_5pct": steps(times, done, 0.95, 1.0)},
    }
    print(f"one article into a store of {out['stored']:,} ({out['path']}): {out['added']} ingests, "
          f"p50 {out['p50_ms']} ms, p90 {out['p90_ms']} ms, p99 {out['p99_ms']} ms, "
          f"max {out['max_ms']} ms")
    for name, st in out["steps_ms"].items():
        parts = ", ".join(f"{k} {v}" for k, v in st.items())
        print(f"  {name:>12}: {parts}")
    print(json.dumps(out))


STEPS = ["index", "candidates", "score", "derive", "commit"]


def steps(times, done, lo, hi):
    """Mean of each step (ms), of the pairs scored and of the stored articles read, over the
    ingests whose wall time ranks between quantiles lo and hi."""
    order = sorted(range(len(times)), key=lambda k: times[k])
    pick = order[int(lo * len(order)): max(int(lo * len(order)) + 1, int(hi * len(order)))]
    if not pick or len(done) != len(times):
        return {}
    mean = lambda xs: round(sum(xs) / len(xs), 1)
    out = {s: mean([done[k]["seconds"][s] * 1000 for k in pick]) for s in STEPS}
    out["outside"] = mean([times[k] - sum(done[k]["seconds"].values()) * 1000 for k in pick])
    out["wall"] = mean([times[k] for k in pick])
    out["pairs"] = mean([done[k]["scored_pairs"] for k in pick])
    out["read"] = mean([done[k]["stored_read"] for k in pick])
    return out


TOKEN = "bench-token"


def through_cli(base, lines, target, drift, pace, env):
    """Times one `wiretrace ingest FILE TARGET --json` process per line."""
    times, done = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k, line in enumerate(lines):
            time.sleep(pace / 1000)
            path = os.path.join(tmp, f"a{k}.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.write(line)
            t = time.perf_counter()
            r = subprocess.run(base + ["ingest", path] + target + ["--json"] + drift,
                               capture_output=True, text=True, env=env)
            times.append((time.perf_counter() - t) * 1000)
            if r.returncode != 0:
                sys.exit(f"ingest of article {k + 1} failed: {r.stderr.strip()}")
            done.append(json.loads(r.stdout)["ingest"])
    return times, done


def start_server(base, db, drift):
    """`wiretrace serve` on the store, on a free loopback port, taking writes: (process, URL)."""
    proc = subprocess.Popen(base + ["serve", "--db", db, "--addr", "127.0.0.1:0", "--token", TOKEN]
                            + drift,
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "http://" in line:
            return proc, "http://" + line.split("http://", 1)[1].split()[0]
    proc.terminate()
    sys.exit("the server did not say where it listens")


def through_api(base, db, lines, drift, pace):
    """Times `POST /articles` of each line against a server on the store."""
    token = TOKEN
    proc, addr = start_server(base, db, drift)
    try:
        times, done = [], []
        for k, line in enumerate(lines):
            time.sleep(pace / 1000)
            req = urllib.request.Request(
                addr + "/articles", data=line.encode("utf-8"), method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=120) as r:
                body = r.read()
                if r.status != 200:
                    sys.exit(f"POST of article {k + 1}: status {r.status}")
            times.append((time.perf_counter() - t) * 1000)
            done.append(json.loads(body)["ingest"])
        return times, done
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
