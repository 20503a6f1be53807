#!/usr/bin/env python3
"""Compares `wiretrace eval ... --json` lines (stdin) with the floors in .ci/floors.json.

Exits non-zero, naming each figure that dropped below its floor, so quality cannot regress
silently. A dataset in the floors file but missing from the input is an error too.
"""
import json
import pathlib
import sys

floors = json.loads((pathlib.Path(__file__).parent / "floors.json").read_text())
floors.pop("_comment", None)
seen: dict[str, dict] = {}
for line in sys.stdin:
    line = line.strip()
    if line:
        rec = json.loads(line)
        seen[rec["dataset"]] = rec["metrics"]

failures = []
for dataset, metrics in floors.items():
    if dataset not in seen:
        failures.append(f"{dataset}: no figures (was it evaluated?)")
        continue
    for name, floor in metrics.items():
        value = seen[dataset].get(name)
        status = "ok" if value is not None and value >= floor else "BELOW FLOOR"
        print(f"  {dataset:8} {name:20} {value!s:>10.6} >= {floor:<8} {status}")
        if status != "ok":
            failures.append(f"{dataset} {name} = {value} < floor {floor}")
if failures:
    print("quality floors failed:\n  " + "\n  ".join(failures), file=sys.stderr)
    sys.exit(1)
print("quality floors: all met")
