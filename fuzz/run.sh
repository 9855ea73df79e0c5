#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang++, ASan + UBSan) and runs each target for a bounded time,
# one after another.  Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, all targets)
#
#   build:      build-fuzz/ (ignored by git); objects are rebuilt when a source or header changed
#   corpus:     seeds in fuzz/corpus/<target>/ (read only); new units go to build-fuzz/corpus/<target>/
#   findings:   crash-*, leak-*, timeout-*, oom-* files in fuzz/regressions/<target>/ (kept as
#               regression inputs for tests/test_fuzz_regressions.cpp)
# Exit status: 0 when every target ran clean, 1 when a target reported a finding.
set -uo pipefail
SECONDS_PER_TARGET=${1:-60}
shift || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${RS_FUZZ_BUILD:-$ROOT/build-fuzz}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(product_table seasonality_table config dataset)
CXX=${CXX_FUZZ:-$(command -v clang++ || command -v clang++-14)}
[ -n "$CXX" ] || { echo "clang++ not found (apt-get install -y clang libclang-rt-14-dev)"; exit 2; }
JOBS=${JOBS:-2}

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CXXFLAGS="-std=c++17 -O1 -g -fno-omit-frame-pointer -ffp-contract=off -fopenmp $SAN -fsanitize=fuzzer-no-link \
  -I$ROOT/include -I$ROOT/host -I$ROOT/kernels -I/usr/include/eigen3"
LIBS="-lyaml-cpp -lfmt -lxxhash -lzstd"

# The readers and what they link against (world.cpp: the non-merchandise department list).
SOURCES=(host/config.cpp host/io/csv.cpp host/seasonality/table.cpp host/analysis/dataset.cpp host/io/output.cpp
         host/world.cpp)
mkdir -p "$BUILD/obj" "$BUILD/corpus"

# The built-in commodity list, as CMake generates it.
GEN=$BUILD/obj/commodities.cpp
if [ ! -f "$GEN" ] || [ "$ROOT/configs/catalog/commodities.csv" -nt "$GEN" ]; then
  { printf '#include "world.h"\nconst char* retailsynth::builtin_commodities_csv() { return R"RSCSV('
    cat "$ROOT/configs/catalog/commodities.csv"
    printf ')RSCSV"; }\n'; } > "$GEN"
fi

# Compile what changed (-MMD dependency files: a changed header rebuilds its objects).
stale() {  # obj src
  local obj=$1 src=$2
  [ -f "$obj" ] || return 0
  [ "$src" -nt "$obj" ] && return 0
  if [ -f "${obj%.o}.d" ]; then
    for dep in $(sed -e 's/\\$//' -e 's/^[^:]*://' "${obj%.o}.d"); do
      [ "$dep" -nt "$obj" ] && return 0
    done
  fi
  return 1
}
JOBLIST=()
OBJS=()
for s in "${SOURCES[@]}"; do
  o=$BUILD/obj/$(echo "$s" | tr / _).o
  OBJS+=("$o")
  stale "$o" "$ROOT/$s" && JOBLIST+=("$ROOT/$s $o")
done
stale "$BUILD/obj/commodities.o" "$GEN" && JOBLIST+=("$GEN $BUILD/obj/commodities.o")
OBJS+=("$BUILD/obj/commodities.o")
for t in "${TARGETS[@]}"; do
  o=$BUILD/obj/fuzz_$t.o
  stale "$o" "$ROOT/fuzz/fuzz_$t.cpp" && JOBLIST+=("$ROOT/fuzz/fuzz_$t.cpp $o")
done
if [ ${#JOBLIST[@]} -gt 0 ]; then
  echo "== compiling ${#JOBLIST[@]} file(s) with $CXX"
  printf '%s\n' "${JOBLIST[@]}" |
    xargs -P "$JOBS" -L 1 sh -c "$CXX $CXXFLAGS -MMD -c \"\$0\" -o \"\$1\" || exit 255" || { echo "build failed"; exit 2; }
fi
for t in "${TARGETS[@]}"; do
  bin=$BUILD/fuzz_$t
  need=0
  [ -f "$bin" ] || need=1
  for o in "${OBJS[@]}" "$BUILD/obj/fuzz_$t.o"; do [ "$o" -nt "$bin" ] && need=1; done
  if [ $need = 1 ]; then
    $CXX -fopenmp $SAN -fsanitize=fuzzer "$BUILD/obj/fuzz_$t.o" "${OBJS[@]}" $LIBS -o "$bin" || { echo "link failed"; exit 2; }
  fi
done

# Run each target in turn.
status=0
SUMMARY=()
for t in "${TARGETS[@]}"; do
  out=$ROOT/fuzz/regressions/$t
  mkdir -p "$out" "$BUILD/corpus/$t"
  log=$BUILD/fuzz_$t.log
  echo "== fuzz_$t: ${SECONDS_PER_TARGET}s"
  before=$(ls "$out" | wc -l)
  start=$(date +%s)
  OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$BUILD/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$out/" "$BUILD/corpus/$t" "$ROOT/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  found=$(( $(ls "$out" | wc -l) - before ))
  if [ $rc -ne 0 ] || [ $found -gt 0 ]; then
    status=1
    echo "   FINDING (exit $rc): new files in $out:"
    ls -t "$out" | head -n "$((found > 0 ? found : 1))" | sed 's/^/     /'
    grep -m3 -E 'ERROR: |runtime error|terminate called|what\(\)' "$log" | sed 's/^/     /'
    echo "   log: $log"
  fi
  SUMMARY+=("$(printf '%-20s %4ss %12s execs  %s' "fuzz_$t" "$secs" "${execs:-?}" "$([ $rc -eq 0 ] && echo clean || echo "FINDING (rc $rc)")")")
done
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
exit $status
