#!/usr/bin/env bash
# Builds lcz_bench and runs the micro-benchmark of every registered stage (encode and decode
# on real tensors, bench/bench_stages.cpp), writing Google Benchmark JSON:
#   scripts/bench.sh [--out FILE.json] [Google Benchmark options, e.g. --benchmark_filter=rans]
# Default output: results/bench-<UTC time>.json. The console table goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
out="results/bench-$(date -u +%Y%m%d-%H%M%S).json"
if [ "${1:-}" = "--out" ]; then out="$2"; shift 2; fi
bash scripts/install_deps.sh
export LCZ_DATASETS="${LCZ_DATASETS:-$(pwd)/../shared/datasets}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLCZ_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$(nproc)" --target lcz_bench
mkdir -p "$(dirname "$out")"
build/bin/lcz_bench --benchmark_out="$out.tmp" --benchmark_out_format=json "$@"
mv "$out.tmp" "$out"
echo "wrote $out" >&2
