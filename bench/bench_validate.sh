#!/usr/bin/env bash
# Times `retailsynth validate` on a dataset of about 1M transaction lines (issue 6: under a minute on
# the 2-core development machine).  The dataset is the default world (20,000 products x 50 stores x
# 104 weeks, so truth/promotions.csv keeps its full 17.7M rows: the heavy part of a validation)
# with fewer households.  Not a test: it prints the figures.
#
#   bench/bench_validate.sh [BUILD_DIR (default build)] [WORK_DIR (default /tmp/rs-bench-validate)]
#   RS_BENCH_HOUSEHOLDS=N   households (default 910: about 1.0M lines)
#   RETAILSYNTH_REAL_DATA   real data for the likeness section (default ../shared/data/completejourney)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
WORK=${2:-/tmp/rs-bench-validate}
BIN=$BUILD/retailsynth
HH=${RS_BENCH_HOUSEHOLDS:-910}
REAL=${RETAILSYNTH_REAL_DATA:-../shared/data/completejourney}
[ -x "$BIN" ] || { echo "no binary at $BIN (build first, or pass the build folder)"; exit 1; }
mkdir -p "$WORK"
DATA=$WORK/data-$HH
if [ ! -f "$DATA/transaction_data.csv" ]; then
  echo "generating the dataset ($HH households, default config) into $DATA ..."
  "$BIN" generate --config configs/default.yaml --set scale.households="$HH" --out "$DATA" --force --quiet
fi
lines=$(($(wc -l <"$DATA/transaction_data.csv") - 1))
promos=$(($(wc -l <"$DATA/truth/promotions.csv") - 1))
real_args=()
if [ -f "$REAL/transactions.csv" ] || [ -f "$REAL/transaction_data.csv" ]; then real_args=(--real "$REAL"); fi
echo "validating $lines lines ($promos promoted product-store-weeks in truth) on $(nproc) cores ..."
TIMEFMT='%e s wall, %U s user, %M KiB peak'
/usr/bin/time -f "$TIMEFMT" -o "$WORK/time.txt" "$BIN" validate --data "$DATA" "${real_args[@]}" --out "$WORK/report" \
  >"$WORK/table.txt"
wall=$(cut -d' ' -f1 "$WORK/time.txt")
echo "validate: $lines lines in $(cat "$WORK/time.txt")"
python3 - "$WORK/report/metrics.json" <<'EOF' 2>/dev/null || true
import json, sys
t = json.load(open(sys.argv[1]))["timings_s"]
print("  stages: load %.1f s, load real %.1f s, measure %.1f s, total %.1f s" % (t["load"], t["load_real"], t["measure"], t["total"]))
EOF
awk -v w="$wall" 'BEGIN { if (w < 60) print "  under a minute: yes"; else print "  under a minute: NO" }'
