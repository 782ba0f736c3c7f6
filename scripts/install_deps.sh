#!/usr/bin/env bash
# Installs the Debian packages the build needs, only those that are missing.
#   scripts/install_deps.sh          the build, tests and benchmarks (what CI needs)
#   scripts/install_deps.sh --fuzz   also clang and libFuzzer, for scripts/fuzz.sh
set -euo pipefail
packages=(g++ cmake make pkg-config git
          libbz2-dev libzstd-dev liblzma-dev libbrotli-dev zlib1g-dev libssl-dev
          libprotobuf-dev protobuf-compiler nlohmann-json3-dev libcli11-dev
          catch2 libbenchmark-dev libxxhash-dev
          python3-protobuf python3-numpy  # scripts/check_lc0_net.py, the independent Lc0 reader
          python3-onnx                    # scripts/check_onnx.py: onnx.checker, the independent ONNX reader
          parallel python3-matplotlib)    # the CLI tests of scripts/sweep_parallel.sh and scripts/plot.py
# The fuzz targets build with clang 14 and its libFuzzer; CI replays their corpora with g++.
if [ "${1:-}" = "--fuzz" ]; then packages+=(clang-14 libfuzzer-14-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
