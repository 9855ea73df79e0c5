#!/usr/bin/env bash
# Makes the self-contained bundle that bench/device_check.sh runs on a GPU machine which has the
# NVIDIA driver and a C++ runtime but none of the Debian libraries this build links:
#   build-bundle/       a release build with the CUDA backend and MPI off (no libmpi and its friends)
#   .devlibs/bin/       retailsynth, retailsynth_tests and zstd (to read the compressed output there)
#   .devlibs/*.so*      every library `ldd` resolves for them, except glibc, libstdc++ and libgcc_s,
#                       which the machine's own system provides
#   .devlibs/BUNDLE.txt what is in it, and the newest glibc / libstdc++ symbol versions it needs
# Fails unless the bundle is under 64 MiB with the tracked files of the repository, every library
# outside the system set resolves inside .devlibs, and the binary runs `--help` from the bundle.
# Usage: bench/make_bundle.sh   (JOBS=N for a parallel build; default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build-bundle
DEST=$ROOT/.devlibs
LIMIT_MB=64
SYSTEM_LIBS='^(linux-vdso|libc|libm|libpthread|libdl|librt|ld-linux-x86-64|libstdc\+\+|libgcc_s)\.so'

mkdir -p "$BUILD"
LOG=$BUILD/bundle.log
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DRETAILSYNTH_ENABLE_CUDA=ON -DRETAILSYNTH_ENABLE_MPI=OFF \
  >"$LOG" 2>&1 || { tail -20 "$LOG"; exit 1; }
cmake --build "$BUILD" -j"${JOBS:-1}" --target retailsynth retailsynth_tests >>"$LOG" 2>&1 ||
  { tail -30 "$LOG"; exit 1; }

rm -rf "$DEST"
mkdir -p "$DEST/bin"
cp "$BUILD/retailsynth" "$BUILD/tests/retailsynth_tests" "$(command -v zstd)" "$DEST/bin/"
strip --strip-unneeded "$DEST/bin/retailsynth" "$DEST/bin/retailsynth_tests"  # symbols only: the fatbin stays

# The libraries of the binaries, and of those libraries, by name; the system set stays out.
for f in "$DEST"/bin/*; do
  ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  if ! [[ $name =~ $SYSTEM_LIBS ]]; then cp -L "$path" "$DEST/$name"; fi
done

# Every library outside the system set must now resolve inside the bundle.
fail=0
for f in "$DEST"/bin/*; do
  while read -r name arrow path _; do
    [[ $name =~ $SYSTEM_LIBS ]] && continue
    if [ "$arrow" != "=>" ] || [ "${path#"$DEST"/}" = "$path" ]; then
      echo "make_bundle: $(basename "$f"): $name resolves to '${path:-nothing}', not inside .devlibs" >&2
      fail=1
    fi
  done < <(LD_LIBRARY_PATH=$DEST ldd "$f" | grep '=>')
  if LD_LIBRARY_PATH=$DEST ldd "$f" | grep -q 'not found'; then
    echo "make_bundle: $(basename "$f"): $(LD_LIBRARY_PATH=$DEST ldd "$f" | grep 'not found' | head -1)" >&2
    fail=1
  fi
done
LD_LIBRARY_PATH=$DEST "$DEST/bin/retailsynth" --help >/dev/null || { echo "make_bundle: retailsynth --help failed" >&2; fail=1; }
[ "$fail" = 0 ] || exit 1
# As root: run the binaries in a root that holds the system set and the bundle, nothing else.
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null; then
  jail=$(mktemp -d)
  mkdir -p "$jail/lib64" "$jail/tmp"
  for name in $(ldd "$DEST"/bin/* | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u); do
    if [[ $(basename "$name") =~ $SYSTEM_LIBS ]]; then mkdir -p "$jail$(dirname "$name")" && cp -L "$name" "$jail$name"; fi
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$jail/lib64/"
  cp -r "$DEST" "$jail/bundle"
  LD_LIBRARY_PATH=/bundle chroot "$jail" /bundle/bin/retailsynth --help >/dev/null &&
    LD_LIBRARY_PATH=/bundle chroot "$jail" /bundle/bin/retailsynth_tests --gtest_filter='Philox.*' >/dev/null &&
    LD_LIBRARY_PATH=/bundle chroot "$jail" /bundle/bin/zstd --version >/dev/null || fail=1
  rm -rf "$jail"
  [ "$fail" = 0 ] || { echo "make_bundle: the bundle does not run with only the system libraries beside it" >&2; exit 1; }
  echo "checked: the binaries run in a root holding only glibc, libstdc++, libgcc_s and the bundle"
fi

bundle_bytes=$(du -cb "$DEST" | tail -1 | cut -f1)
tracked_bytes=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | awk '$2 == "total" {s += $1} END {print s + 0}')
needs() { objdump -T "$DEST"/bin/* "$DEST"/*.so* 2>/dev/null | grep -o "$1_[0-9.]*" | sort -uV | tail -1; }
{
  echo "bundle made $(date -u +%FT%TZ) from commit $(git rev-parse --short HEAD) on $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "needs at least: $(needs GLIBC) $(needs GLIBCXX) and an NVIDIA driver for CUDA $(nvcc --version | grep -o 'release [0-9.]*' | cut -d' ' -f2)"
  echo "files:"
  (cd "$DEST" && find . -type f -printf '%s %P\n' | sort -k2)
} >"$DEST/BUNDLE.txt"
total_mb=$(( (bundle_bytes + tracked_bytes) / 1048576 ))
echo "bundle: $((bundle_bytes / 1048576)) MiB in .devlibs, $((tracked_bytes / 1048576)) MiB of tracked files: $total_mb MiB of $LIMIT_MB"
sed -n 2p "$DEST/BUNDLE.txt"
if [ $((bundle_bytes + tracked_bytes)) -ge $((LIMIT_MB * 1048576)) ]; then
  echo "make_bundle: the bundle and the tracked files are over $LIMIT_MB MiB" >&2
  exit 1
fi
