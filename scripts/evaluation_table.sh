#!/usr/bin/env bash
# Prints the figures block of docs/EVALUATION.md: `wiretrace eval all` on today's code.
# Usage: bash scripts/evaluation_table.sh > /tmp/table.txt (then paste it into the doc).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p wiretrace-cli
./target/release/wiretrace eval all
