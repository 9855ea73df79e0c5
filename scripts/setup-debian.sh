#!/usr/bin/env bash
# Installs the Debian 12 packages RetailSynth builds with (only those missing).
set -euo pipefail
pkgs=(cmake g++ make libeigen3-dev libyaml-cpp-dev libcli11-dev libgtest-dev libbenchmark-dev libzstd-dev zstd
      libfmt-dev nlohmann-json3-dev libxxhash-dev libfccp-dev libopenmpi-dev openmpi-bin python3
      python3-pandas python3-zstandard)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
