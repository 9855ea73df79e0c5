#!/usr/bin/env bash
# One call on a GPU machine, under 8 minutes (BUDGET seconds, default 450), that runs only the
# bundle made here by bench/make_bundle.sh (carry .devlibs: the binaries in .devlibs/bin, their
# libraries beside them; the configs come with the repository):
#   preflight   nvidia-smi, every library resolved (`ldd | grep 'not found'` fails the run), free disk
#   tests       the CUDA cases with RS_REQUIRE_CUDA=1 (a CUDA that cannot start fails, never skips),
#               the end-to-end suite but the MPI test (no mpiexec there), scenarios, campaigns, RNG
#   sanitizer   compute-sanitizer memcheck and initcheck on the small config, 2 weeks
#   scenarios   two policy scenarios on the small config (coupon campaigns included): CPU == GPU
#   default     the default config on both backends: the transaction, truth and campaign files identical
#   bench       `retailsynth bench` on configs/bench/compare.yaml, both backends in one run
#   h200        1M households x 20K products x 52 weeks with zstd on the GPU in the time left; its
#               first 1,000 households == the CPU's `--shard 0/1000` (run first, while time is known)
# Writes $OUT/summary.md (one table row per step: result, seconds, detail) and at most 7 files in all.
# Exit code: 0 when every step passed, 3 when the preflight failed, else 1.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/out-device}
WORK=${WORK:-/tmp/rs-device}
BUNDLE=${BUNDLE:-$ROOT/.devlibs}
BUDGET=${BUDGET:-450}
START=$(date +%s)
BIN=$BUNDLE/bin/retailsynth
TESTS=$BUNDLE/bin/retailsynth_tests
ZSTD=$BUNDLE/bin/zstd
export LD_LIBRARY_PATH=$BUNDLE RS_BINARY=$BIN RS_SOURCE_DIR=$ROOT RS_REQUIRE_CUDA=1
mkdir -p "$OUT"
rm -rf "$WORK" && mkdir -p "$WORK"
SUMMARY=$OUT/summary.md
LOG=$OUT/runs.log
: >"$LOG"
failed=0

left() { echo $((BUDGET - ($(date +%s) - START))); }
# cap SECONDS: a step's timeout, at most SECONDS and what the budget leaves (20 s kept for the end).
cap() { local l=$(($(left) - 20)); echo $((l < $1 ? (l > 1 ? l : 1) : $1)); }
# row STEP RESULT T0 DETAIL: a line of the summary table; RESULT other than ok/skipped fails the run.
row() {
  printf '| %s | %s | %s | %s |\n' "$1" "$2" "$(($(date +%s) - $3))" "$4" | tee -a "$SUMMARY"
  case $2 in ok | skipped) ;; *) failed=1 ;; esac
}
# same NAME A B: byte comparison of two files, or how many lines agree.
same() {
  for f in "$2" "$3"; do [ -f "$f" ] || { echo "$1: $f missing"; return 1; }; done
  if cmp -s "$2" "$3"; then echo "$1 identical ($(wc -l <"$2") lines)"; return 0; fi
  echo "$1 DIFFERS: $(paste -d'\n' "$2" "$3" | awk 'NR%2{a=$0;next} a==$0{s++} END{print s+0}') of $(wc -l <"$2") lines identical"
  return 1
}
gen() { "$BIN" generate --quiet "$@" 2>>"$LOG"; }

{
  echo "# device check, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ)"
  echo
  echo "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
  echo "CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "system: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $(ldd --version | head -1)"
  echo "bundle: $(sed -n '1,2p' "$BUNDLE/BUNDLE.txt" 2>/dev/null | tr '\n' ' ')"
  echo
  echo "| step | result | s | detail |"
  echo "|---|---|---:|---|"
} >"$SUMMARY"
cat "$SUMMARY"

# --- preflight
t0=$(date +%s)
pre=""
nvidia-smi >/dev/null 2>&1 || pre+="nvidia-smi failed; "
for f in "$BIN" "$TESTS" "$ZSTD"; do
  [ -x "$f" ] || { pre+="$f missing (run bench/make_bundle.sh and carry .devlibs); "; continue; }
  miss=$(ldd "$f" 2>&1 | grep 'not found' | tr -s ' \t' ' ' | tr '\n' ';')
  [ -z "$miss" ] || pre+="$(basename "$f"):$miss "
done
free_gb=$(df -BG --output=avail "$WORK" | tail -1 | tr -dc 0-9)
[ "${free_gb:-0}" -ge 20 ] || pre+="only ${free_gb} GB free under $WORK (20 needed); "
"$BIN" --help >/dev/null 2>>"$LOG" || pre+="retailsynth --help failed; "
if [ -n "$pre" ]; then
  row preflight FAILED "$t0" "$pre"
  exit 3
fi
row preflight ok "$t0" "driver and bundle libraries found, ${free_gb} GB free"

# --- tests
t0=$(date +%s)
filter='Cuda.*:CudaGate.*:CudaConfig.*:FloatMode.*:Layout.*:Generate.*:Scenario.*:Campaigns.*:Philox.*:Distributions.*'
filter+='-Generate.TwoMpiRanks*'
timeout "$(cap 120)" "$TESTS" --gtest_filter="$filter" >"$OUT/tests.log" 2>&1
rc=$?
detail="$(grep -E '^\[  (PASSED|FAILED|SKIPPED) +\] [0-9]+ tests?' "$OUT/tests.log" | sed 's/, listed below://' | tr '\n' ' ')"
detail+="$(grep -E '^\[  FAILED  \] [A-Z][A-Za-z]*\.[A-Za-z]+$' "$OUT/tests.log" | head -8 | cut -c14- | tr '\n' ' ')"
[ $rc = 0 ] && row tests ok "$t0" "$detail" || row tests "FAILED (exit $rc)" "$t0" "$detail"

# --- compute-sanitizer on the small config, 2 weeks
SAN=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
: >"$OUT/sanitizer.log"
for tool in memcheck initcheck; do
  t0=$(date +%s)
  [ -x "$SAN" ] || { row "sanitizer $tool" "FAILED" "$t0" "no compute-sanitizer on PATH or in /usr/local/cuda/bin"; continue; }
  timeout "$(cap 75)" "$SAN" --tool "$tool" --error-exitcode 9 --print-limit 20 "$BIN" generate --quiet \
    --config configs/small.yaml --set scale.weeks=2 --backend cuda --out "$WORK/san-$tool" >>"$OUT/sanitizer.log" 2>&1
  rc=$?
  summary_line=$(grep -E 'ERROR SUMMARY' "$OUT/sanitizer.log" | tail -1)
  [ $rc = 0 ] && row "sanitizer $tool" ok "$t0" "$summary_line" || row "sanitizer $tool" "FAILED (exit $rc)" "$t0" "$summary_line"
done

# --- a scenario set on the small config (its coupon campaigns included) on both backends
t0=$(date +%s)
SCEN=(--config configs/small.yaml --scenario configs/scenarios/I_frequent_shallow.yaml --scenario configs/scenarios/IV_rare_deep.yaml)
gen "${SCEN[@]}" --backend cpu --out "$WORK/scen-cpu"
rc1=$?
gen "${SCEN[@]}" --backend cuda --out "$WORK/scen-cuda"
rc=$?
detail="" ok=1
for sc in I_frequent_shallow IV_rare_deep; do
  for f in transaction_data.csv truth/trips.csv truth/store_weeks.csv coupon_redempt.csv truth/outcomes.csv; do
    d=$(same "$sc/$f" "$WORK/scen-cpu/$sc/$f" "$WORK/scen-cuda/$sc/$f") || ok=0
    detail+="$d; "
  done
done
[ $rc1 = 0 ] && [ $rc = 0 ] && [ $ok = 1 ] && row "scenarios + campaigns, CPU == GPU" ok "$t0" "$detail" ||
  row "scenarios + campaigns, CPU == GPU" "FAILED (exit $rc1/$rc)" "$t0" "$detail"

# --- the default config on both backends
declare -A secs
for b in cuda cpu; do
  t0=$(date +%s.%N)
  timeout "$(cap 90)" "$BIN" generate --quiet --config configs/default.yaml --backend "$b" --out "$WORK/default-$b" 2>>"$LOG"
  rc=$?
  secs[$b]=$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")
  [ $rc = 0 ] || secs[$b]="exit $rc"
done
cp "$WORK/default-cuda/manifest.json" "$OUT/manifest-default-cuda.json" 2>/dev/null
t0=$(date +%s)
detail="GPU ${secs[cuda]} s, CPU ${secs[cpu]} s; " ok=1
for f in transaction_data.csv truth/households.csv truth/trips.csv truth/store_weeks.csv product.csv coupon_redempt.csv \
  campaign_table.csv truth/outcomes.csv; do
  d=$(same "$f" "$WORK/default-cpu/$f" "$WORK/default-cuda/$f") || ok=0
  detail+="$d; "
done
[ $ok = 1 ] && row "default, CPU == GPU" ok "$t0" "$detail" || row "default, CPU == GPU" FAILED "$t0" "$detail"
rm -rf "$WORK"/default-* "$WORK"/scen-* "$WORK"/san-*

# --- the benchmark table, both backends in one run
t0=$(date +%s)
if [ "$(left)" -gt 300 ]; then
  timeout "$(cap 60)" "$BIN" bench --config configs/bench/compare.yaml --backend both --json "$OUT/bench-compare.json" \
    >"$WORK/bench.txt" 2>>"$LOG"
  rc=$?
  [ $rc = 0 ] && row bench ok "$t0" "$(tr -s ' ' <"$WORK/bench.txt" | tr '\n' ';')" || row bench "FAILED (exit $rc)" "$t0" ""
else
  row bench skipped "$t0" "$(left) s left, kept for the 1M run"
fi

# --- 1M x 20K x 52 with zstd: the CPU's first shard first, then the GPU run in the time left
H200=(--config configs/bench/h200.yaml --compress zstd)
t0=$(date +%s)
timeout "$(cap 60)" "$BIN" generate --quiet "${H200[@]}" --backend cpu --shard 0/1000 --out "$WORK/h200-cpu" 2>>"$LOG"
rc=$?
row "h200 CPU shard 0/1000" "$([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)")" "$t0" "households 1-1000, all 52 weeks"
t0=$(date +%s)
limit=$(cap 600)
timeout "$limit" "$BIN" generate --quiet "${H200[@]}" --backend cuda --out "$WORK/h200" 2>>"$LOG"
rc=$?
wall=$(($(date +%s) - t0))
cp "$WORK/h200/manifest.json" "$OUT/manifest-h200.json" 2>/dev/null
if [ $rc = 0 ]; then
  row "h200 GPU end to end" ok "$t0" "$(python3 -c "import json;m=json.load(open('$WORK/h200/manifest.json'));print(m['totals'], m['timings_s'])" 2>&1)"
  gpu_dir=$WORK/h200
else
  row "h200 GPU end to end" "$([ $rc = 124 ] && echo "not finished in $limit s" || echo "FAILED (exit $rc)")" "$t0" \
    "the finished blocks of the partial output are compared below"
  gpu_dir=$WORK/h200.partial
fi
# The first 1,000 households of the GPU's files (a prefix: households come in order) against the
# CPU's shard, decompressed; a killed run's zstd stream still decodes up to its last block.
t0=$(date +%s)
detail="" ok=1
for f in transaction_data.csv.zst truth/trips.csv.zst truth/households.csv; do
  part="$WORK/h200-cpu/${f%%.csv*}/part-0-of-1000.csv${f#*.csv}"
  [ -f "$part" ] || { detail+="$f: no CPU shard; "; ok=0; continue; }
  gpu=$(find "$gpu_dir" -path "*${f%%.csv*}.csv*" -type f 2>/dev/null | head -1)
  [ -n "$gpu" ] || { detail+="$f: no GPU file; "; ok=0; continue; }
  if [ "${f%.zst}" != "$f" ]; then "$ZSTD" -dcq "$part" >"$WORK/a.csv"; else cp "$part" "$WORK/a.csv"; fi
  n=$(wc -l <"$WORK/a.csv")
  if [ "${gpu%.zst}" != "$gpu" ]; then "$ZSTD" -dcq "$gpu" 2>/dev/null | head -n "$n" >"$WORK/b.csv"; else head -n "$n" "$gpu" >"$WORK/b.csv"; fi
  d=$(same "$f" "$WORK/a.csv" "$WORK/b.csv") || ok=0
  detail+="$d; "
done
[ $ok = 1 ] && row "h200 first shard, CPU == GPU" ok "$t0" "$detail" || row "h200 first shard, CPU == GPU" FAILED "$t0" "$detail"

echo
echo "total $(($(date +%s) - START)) s of $BUDGET" | tee -a "$SUMMARY"
tail -c 20000 "$LOG" >"$LOG.tail" && mv "$LOG.tail" "$LOG"
exit $failed
