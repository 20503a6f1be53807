#!/usr/bin/env python3
"""The table of bench/run.sh: reads what run.sh left in the work directory (hyperfine JSON,
GNU time's peak RSS per run, bench/score.py's JSON, bench/dedup.sh's table) and prints one
markdown report; draws wall time and peak RSS against corpus size as a hand-written SVG
(WORK/bench-scaling.svg, log-log, no plotting library).

    python3 bench/report.py --work DIR --mode quick|full --commit SHA NAME:INPUT...
"""
import argparse
import json
import math
import os
import re
import statistics

KINDS = ("copy", "light_rewrite", "heavy_rewrite")


def load(work, name, path):
    h = json.load(open(f"{work}/{name}.hyperfine.json"))["results"][0]
    rss = [int(x) for x in open(f"{work}/{name}.rss").read().split() if x.strip().isdigit()]
    score = json.load(open(f"{work}/{name}.score.json"))
    st = score["stats"]
    secs = st["seconds"]
    times = h["times"]
    mb = os.path.getsize(path) / 1e6
    wall = statistics.median(times)
    return {
        "name": name, "articles": st["articles"], "mb": mb, "runs": len(times), "wall": wall,
        "lo": min(times), "hi": max(times), "io": times[-1] - sum(secs.values()), "secs": secs,
        "aps": st["articles"] / wall, "mbps": mb / wall, "rss": max(rss) / 1024 if rss else None,
        "cand": st["candidate_pairs"], "aligned": st["aligned_pairs"], "score": score,
    }


def fmt_int(n):
    return f"{n:,}"


def table(rows):
    out = ["| corpus | articles | MB | runs | wall s median (min–max) | read+write s | segment s "
           "| fingerprint s | candidates s | align+classify s | cluster s | articles/s | MB/s "
           "| peak RSS MiB | candidate pairs | derivation pairs | recall (copy / light / heavy) "
           "| precision |",
           "|" + " --- |" * 18]
    for r in rows:
        s, sc = r["secs"], r["score"]
        if "recall" in sc:
            k = sc["recall_by_kind"]
            rec = f"{sc['recall']:.3f} ({k['copy']:.3f} / {k['light_rewrite']:.3f} / {k['heavy_rewrite']:.3f})"
            prec = f"{sc['precision']:.3f}"
        else:
            rec = prec = "n/a (no truth)"
        label = "Reuters-21578 bodies" if r["name"] == "reuters" else f"generated {r['name'][4:]}"
        out.append(
            f"| {label} | {fmt_int(r['articles'])} | {r['mb']:.1f} | {r['runs']} "
            f"| {r['wall']:.2f} ({r['lo']:.2f}–{r['hi']:.2f}) | {r['io']:.2f} "
            f"| {s['segment']:.2f} | {s['fingerprint']:.2f} | {s['candidates']:.2f} "
            f"| {s['align']:.2f} | {s['cluster']:.2f} | {r['aps']:,.0f} | {r['mbps']:.2f} "
            f"| {r['rss']:,.0f} | {fmt_int(r['cand'])} | {fmt_int(sc['derivation_pairs'])} "
            f"| {rec} | {prec} |")
    return "\n".join(out)


def svg(rows, path):
    """Two log-log panels: wall seconds and peak RSS (MiB) against articles."""
    W, H, M = 360, 260, 50
    xs = [r["articles"] for r in rows]
    x0, x1 = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))

    targets = {"wall": [(19043, 5), (1_000_000, 1200)], "rss": [(19043, 1024), (1_000_000, 12288)]}
    x1 = max(x1, 1_000_000)

    def panel(ox, key, title, unit):
        vals = [r[key] for r in rows] + [y for _, y in targets[key]]
        y0 = 10 ** math.floor(math.log10(min(vals)))
        y1 = 10 ** math.ceil(math.log10(max(vals)))
        if y1 <= y0:
            y1 = y0 * 10

        def px(x):
            return ox + M + (math.log10(x) - math.log10(x0)) / (math.log10(x1) - math.log10(x0)) * (W - M - 10)

        def py(y):
            return H - M + 10 - (math.log10(y) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)) * (H - M - 20)
        g = [f'<text x="{ox + W / 2:.0f}" y="16" text-anchor="middle" font-weight="bold">{title}</text>',
             f'<rect x="{ox + M}" y="20" width="{W - M - 10}" height="{H - M - 10}" fill="none" stroke="#888"/>']
        e = math.log10(x0)
        while 10 ** e <= x1 * 1.0001:
            x = px(10 ** e)
            g.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{H - M + 10}" stroke="#ddd"/>')
            lab = {0: "1", 3: "1k", 4: "10k", 5: "100k", 6: "1M", 7: "10M"}.get(round(e), f"1e{round(e)}")
            g.append(f'<text x="{x:.1f}" y="{H - M + 24}" text-anchor="middle">{lab}</text>')
            e += 1
        e = math.log10(y0)
        while 10 ** e <= y1 * 1.0001:
            y = py(10 ** e)
            g.append(f'<line x1="{ox + M}" y1="{y:.1f}" x2="{ox + W - 10}" y2="{y:.1f}" stroke="#ddd"/>')
            g.append(f'<text x="{ox + M - 4}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
            e += 1
        g.append(f'<text x="{ox + W / 2 + 20:.0f}" y="{H - 8}" text-anchor="middle">articles</text>')
        g.append(f'<text x="{ox + 12}" y="{H / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 {ox + 12} {H / 2:.0f})">{unit}</text>')
        gen = [r for r in rows if r["name"] != "reuters"]
        pts = " ".join(f"{px(r['articles']):.1f},{py(r[key]):.1f}" for r in gen)
        if len(gen) > 1:
            g.append(f'<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
        for r in gen:
            g.append(f'<circle cx="{px(r["articles"]):.1f}" cy="{py(r[key]):.1f}" r="4" fill="#1f77b4">'
                     f'<title>{r["name"]}: {r[key]:.3g} {unit}</title></circle>')
        for r in rows:
            if r["name"] == "reuters":
                x, y = px(r["articles"]), py(r[key])
                g.append(f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#d62728">'
                         f'<title>Reuters-21578: {r[key]:.3g} {unit}</title></rect>')
        for x, y in targets[key]:
            g.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="6" fill="none" stroke="#2ca02c" '
                     f'stroke-width="2"><title>issue 9 target: {y:g} {unit} at {x:,} articles</title></circle>')
        return g
    body = panel(0, "wall", "Wall time (median)", "seconds") + \
        panel(W + 20, "rss", "Peak RSS", "MiB")
    legend = [f'<circle cx="{M + 10}" cy="{H + 12}" r="4" fill="#1f77b4"/>',
              f'<text x="{M + 18}" y="{H + 16}">generated corpus (bench/generate.py)</text>',
              f'<rect x="{M + 256}" y="{H + 8}" width="8" height="8" fill="#d62728"/>',
              f'<text x="{M + 268}" y="{H + 16}">Reuters-21578 (19,043 bodies)</text>',
              f'<circle cx="{M + 470}" cy="{H + 12}" r="5" fill="none" stroke="#2ca02c" stroke-width="2"/>',
              f'<text x="{M + 480}" y="{H + 16}">issue 9 target</text>']
    doc = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W + 40}" height="{H + 26}" '
           f'font-family="sans-serif" font-size="11">\n'
           f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body + legend) + "\n</svg>\n")
    with open(path, "w") as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--load", default="")
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    rows = [load(a.work, *x.split(":", 1)) for x in a.inputs]
    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")) / 2**20
    print(f"wiretrace --no-model analyze INPUT --json (release build, commit {a.commit}, mode {a.mode}); "
          f"{os.cpu_count()} cores, {mem:.0f} GiB; load average at start {a.load or '?'}")
    print()
    print(table(rows))
    print()
    print("wall = whole process (start, read and parse the JSONL, all stages, write the JSON) timed by "
          "hyperfine; stage seconds from the last run's stats; read+write = that run's wall minus its "
          "stages; peak RSS = max over the runs (GNU time); derivation pair = relation copy, "
          "light_rewrite or heavy_rewrite, unordered; lexical engine (--no-model).")
    dedup = open(f"{a.work}/dedup-table.md").read().strip()
    ratios = re.findall(r"^\| (datasketch|rensa) \|.*?\| ([\d.]+x) \| (\d+/\d+) \|$", dedup, re.M)
    print()
    print("Near-duplicate stage (bench/dedup.sh): " + "; ".join(
        f"{t} takes {x} our time, we find {f} of its pairs" for t, x, f in ratios))
    print()
    print(dedup)
    print()
    print("Targets (issue 9):")
    reu = next((r for r in rows if r["name"] == "reuters"), None)
    if reu:
        ok = reu["wall"] < 5 and reu["rss"] < 1024
        print(f"- Reuters-21578 analyze < 5 s and < 1 GiB: {reu['wall']:.2f} s, {reu['rss']:,.0f} MiB "
              f"-> {'met' if ok else 'MISSED'}")
    big = [r for r in rows if r["name"].startswith("gen-")]
    m = next((r for r in big if r["articles"] >= 1_000_000), None)
    if m:
        ok = m["wall"] < 1200 and m["rss"] < 12 * 1024
        print(f"- 1M generated < 20 min and < 12 GiB: {m['wall'] / 60:.1f} min, {m['rss'] / 1024:.2f} GiB "
              f"-> {'met' if ok else 'MISSED'}")
    else:
        print("- 1M generated < 20 min and < 12 GiB: not measured in this run")
    if os.path.exists(f"{a.work}/skipped.txt"):
        for line in open(f"{a.work}/skipped.txt"):
            print(f"  - {line.strip()}")
    for r in big:
        sc = r["score"]
        ok = sc["recall"] >= 0.95 and sc["precision"] >= 0.95
        print(f"- {r['name']}: derivation recall {sc['recall']:.3f} >= 0.95 at precision "
              f"{sc['precision']:.3f} >= 0.95 -> {'met' if ok else 'MISSED'} "
              f"(false pairs involving a fresh article {sc['false_pairs_with_fresh']}, "
              f"across families {sc['false_pairs_across_families']})")
    svg(rows, f"{a.work}/bench-scaling.svg")
    print()
    print(f"plot: {a.work}/bench-scaling.svg")


if __name__ == "__main__":
    main()
