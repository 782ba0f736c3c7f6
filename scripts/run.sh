#!/usr/bin/env bash
# The main job: install what is missing, build Release, run the default sweep on the shared
# datasets. Extra arguments go to the harness (e.g. --config configs/seed.json --repeat 1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLCZ_BUILD_TESTS=OFF -DLCZ_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$(nproc)" --target harness lczip
datasets="${LCZ_DATASETS:-../shared/datasets}"
has_config=0
for a in "$@"; do [ "$a" = "--config" ] && has_config=1; done
if [ $has_config -eq 0 ]; then set -- --config configs/sweep.json "$@"; fi
exec build/bin/harness --datasets "$datasets" "$@"
