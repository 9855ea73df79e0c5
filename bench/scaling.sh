#!/usr/bin/env bash
# Scaling curves of a backend (default cpu): pairs/s against households and against products,
# weeks/s against stores.  Writes one JSON per point under OUT (default bench/out-scaling) and
# prints the table bench/RESULTS.md carries; bench/plot_scaling.py draws the SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/retailsynth}
BACKEND=${BACKEND:-cpu}
OUT=${OUT:-bench/out-scaling}
mkdir -p "$OUT"
run() {  # name, then bench flags
  local name=$1
  shift
  "$BIN" bench --backend "$BACKEND" --config configs/default.yaml --json "$OUT/$name.json" "$@" >/dev/null
}
for h in ${HOUSEHOLDS:-500 1000 2000 4000 8000}; do run "households-$h" --households "$h" --weeks 4 --no-end-to-end; done
for p in ${PRODUCTS:-2500 5000 10000 20000 40000}; do run "products-$p" --households 2000 --products "$p" --weeks 4 --no-end-to-end; done
for s in ${STORES:-5 10 25 50 100}; do run "stores-$s" --households 2000 --weeks 8 --set "scale.stores=$s"; done
python3 bench/plot_scaling.py "$OUT" "$BACKEND"
