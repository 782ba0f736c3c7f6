#!/usr/bin/env bash
# Install what is missing, build with tests, run the whole ctest suite. The tests read the
# real nets from $LCZ_DATASETS (default ../shared/datasets) and fail if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLCZ_BUILD_TESTS=ON -DLCZ_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$(nproc)"
export LCZ_DATASETS="${LCZ_DATASETS:-$(pwd)/../shared/datasets}"
cd build
ctest --output-on-failure -j"$(nproc)"
