#!/usr/bin/env bash
# The float-mode probe compiled as the project compiles device code (-fmad=false) uses only
# exactly rounded forms, and under --use_fast_math it uses the approximations the probe detects
# (flush-to-zero, approximate division and square root, FMA).  Usage: float_mode_ptx.sh NVCC INCLUDE_DIR SOURCE
set -euo pipefail
nvcc=$1 inc=$2 src=$3
forms() { "$nvcc" "$@" -arch=sm_90 -I"$inc" -ptx "$src" -o - | grep -oE '\b(fma|div|sqrt|mul|add)\.[a-z0-9.]*f32' | sort -u | tr '\n' ' '; }
exact=$(forms -fmad=false)
fast=$(forms --use_fast_math)
echo "-fmad=false: $exact"
echo "--use_fast_math: $fast"
if grep -qE 'ftz|approx|full|fma' <<<"$exact"; then echo "FAIL: an approximate form under -fmad=false"; exit 1; fi
grep -q 'div.rn.f32' <<<"$exact" && grep -q 'sqrt.rn.f32' <<<"$exact" || { echo "FAIL: no exact division or square root"; exit 1; }
for f in ftz div.approx sqrt.approx fma; do
  grep -q "$f" <<<"$fast" || { echo "FAIL: --use_fast_math PTX has no $f: the probe would not see it"; exit 1; }
done
echo ok
