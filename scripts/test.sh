#!/usr/bin/env bash
# Install what is missing, build with tests, run the whole suite: every test once under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), then the ctest suite on the
# Release build. The tests read the real nets from $LCZ_DATASETS (default
# ../shared/datasets) and fail if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
export LCZ_DATASETS="${LCZ_DATASETS:-$(pwd)/../shared/datasets}"
jobs="$(nproc)"

# -g1: line tables for the sanitizers' reports, without full debug info (half the build time).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
      -DLCZ_SANITIZE=ON -DLCZ_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs" --target lcz_tests
echo "== all tests under ASan + UBSan"
build-asan/bin/lcz_tests

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLCZ_BUILD_TESTS=ON -DLCZ_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$jobs"
echo "== ctest (Release)"
cd build
ctest --output-on-failure -j"$jobs"
