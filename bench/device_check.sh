#!/usr/bin/env bash
# One call on a GPU machine (under 5 minutes): the GPU tests, the CPU == GPU equivalence check
# on the default config, the CPU-vs-GPU benchmark table (configs/bench/compare.yaml, both
# backends in one run) and the GPU end-to-end target run (configs/bench/h200.yaml:
# 1,000,000 households x 20,000 products x 52 weeks).  Runs a build made elsewhere (carry build/ and
# .devlibs/, the Debian shared libraries the binary needs) or builds here if none is present.
# Writes logs and a summary table under $OUT (default: out-device/).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/out-device}
WORK=${WORK:-/tmp/rs-device}
mkdir -p "$OUT"
rm -rf "$WORK" && mkdir -p "$WORK"
[ -d "$ROOT/.devlibs" ] && export LD_LIBRARY_PATH="$ROOT/.devlibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
BIN=$ROOT/build/retailsynth
TESTS=$ROOT/build/tests/retailsynth_tests
if [ ! -x "$BIN" ]; then
  cmake --preset release >"$OUT/build.log" 2>&1 && cmake --build --preset release -j"$(nproc)" >>"$OUT/build.log" 2>&1 ||
    { echo "build failed"; tail -20 "$OUT/build.log"; exit 1; }
fi
now() { date +%s.%N; }
{
  echo "== machine"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} | tee "$OUT/summary.txt"

echo "== tests (CUDA cases, the end-to-end suite, scenarios and campaigns on the default backend)"
RS_BINARY=$BIN RS_SOURCE_DIR=$ROOT timeout 120 "$TESTS" --gtest_brief=1 --gtest_filter='Cuda.*:Generate.*:Scenario.*:Campaigns.*:Philox.*:Distributions.*' \
  >"$OUT/tests.log" 2>&1
tests_rc=$?
grep -E "^\[  (PASSED|FAILED|SKIPPED)|FAILED|Failure|rows identical" "$OUT/tests.log" | head -40
echo "tests exit code: $tests_rc" | tee -a "$OUT/summary.txt"

echo "== default config, both backends"
CONFIG=${CONFIG:-configs/default.yaml}
declare -A secs
for b in cuda cpu; do
  t0=$(now)
  "$BIN" generate --quiet --config "$CONFIG" --backend "$b" --out "$WORK/$b" ${EXTRA:-} 2>"$OUT/gen-$b.err"
  rc=$?
  t1=$(now)
  secs[$b]=$(python3 -c "print(round($t1 - $t0, 2))")
  echo "$b: exit $rc, ${secs[$b]} s, $(python3 -c "import json;m=json.load(open('$WORK/$b/manifest.json'));print(m['totals'], m['timings_s'])" 2>/dev/null)" | tee -a "$OUT/summary.txt"
  cp "$WORK/$b/manifest.json" "$OUT/manifest-$b.json" 2>/dev/null
done
for f in transaction_data.csv truth/households.csv product.csv coupon_redempt.csv campaign_table.csv truth/outcomes.csv; do
  if cmp -s "$WORK/cpu/$f" "$WORK/cuda/$f"; then
    echo "CPU == GPU: $f identical ($(wc -l <"$WORK/cpu/$f") lines)" | tee -a "$OUT/summary.txt"
  else
    same=$(paste -d'\n' "$WORK/cpu/$f" "$WORK/cuda/$f" | awk 'NR%2{a=$0;next} a==$0{s++} END{print s+0}')
    echo "CPU != GPU: $f: $same of $(wc -l <"$WORK/cpu/$f") lines identical" | tee -a "$OUT/summary.txt"
  fi
done
echo "speed-up GPU over CPU ($(nproc) cores): $(python3 -c "print(round(${secs[cpu]} / ${secs[cuda]}, 1))")x" | tee -a "$OUT/summary.txt"

echo "== benchmark: both backends on configs/bench/compare.yaml"
timeout 120 "$BIN" bench --config configs/bench/compare.yaml --backend both --json "$OUT/bench-compare.json" 2>&1 |
  tee -a "$OUT/summary.txt"
echo "== GPU end to end: configs/bench/h200.yaml (1M households x 20k products x 52 weeks, CSV written)"
t0=$(now)
timeout ${H200_TIMEOUT:-150} "$BIN" generate --quiet --config configs/bench/h200.yaml --backend cuda --out "$WORK/h200" --force \
  2>"$OUT/gen-h200.err"
rc=$?
t1=$(now)
echo "h200 end to end: exit $rc, $(python3 -c "print(round($t1 - $t0, 1))") s, $(python3 -c "import json;m=json.load(open('$WORK/h200/manifest.json'));print(m['totals'], m['timings_s'])" 2>/dev/null)" |
  tee -a "$OUT/summary.txt"
cp "$WORK/h200/manifest.json" "$OUT/manifest-h200.json" 2>/dev/null
exit $tests_rc
