#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ (or the ones named) for SECONDS each:
#   bash scripts/fuzz.sh 600                  every target, 10 minutes each
#   bash scripts/fuzz.sh 600 lc0 config       only these
# Builds build-fuzz/ with clang + libFuzzer + ASan + UBSan; each target starts from a fresh
# corpus folder build-fuzz/corpus/<target>/ holding the seeds fuzz_make_seeds writes
# (build-fuzz/fuzz-seeds/<target>/), the fuzzed inputs of tests/fuzz/<target>/ and, for the
# net readers, small slices of the shared nets in $LCZ_DATASETS (all made here, never
# committed). Findings go to build-fuzz/findings/<target>/; the log of each run, with its
# execution count, to build-fuzz/logs/<target>.log. Exits 1 if any target found something.
# With LCZ_FUZZ_MERGE=1, the inputs of a clean run that reach edges the committed corpus does
# not are added to tests/fuzz/<target>/ (libFuzzer -merge=1, edges only), for ctest to replay.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:?usage: scripts/fuzz.sh SECONDS [target...]}"
shift
bash scripts/install_deps.sh --fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^lcz_fuzz_target(\([a-z0-9_]*\)[ )].*$/\1/p' CMakeLists.txt))
fi
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
      -DLCZ_FUZZ=ON -DLCZ_BUILD_TESTS=OFF -DLCZ_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_make_seeds $(printf 'fuzz_%s ' "${targets[@]}")
build-fuzz/bin/fuzz_make_seeds build-fuzz/fuzz-seeds

datasets="${LCZ_DATASETS:-../shared/datasets}"
status=0
mkdir -p build-fuzz/logs
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  findings="build-fuzz/findings/$t"
  rm -rf "$corpus" "$findings"
  mkdir -p "$corpus" "$findings"
  cp build-fuzz/fuzz-seeds/"$t"/* "$corpus"/
  cp tests/fuzz/"$t"/* "$corpus"/ 2>/dev/null || true  # a target may have no fuzzed inputs yet
  case "$t" in
    f32) [ -f "$datasets/leela_grouped.f32" ] && head -c 4096 "$datasets/leela_grouped.f32" > "$corpus/real-leela-head.f32" ;;
    lc0) [ -f "$datasets/maia-1900.pb.gz" ] && gzip -dc "$datasets/maia-1900.pb.gz" | head -c 4096 > "$corpus/real-maia-head.pb" || true ;;
  esac
  echo "== fuzz_$t for ${seconds}s" >&2
  if ! build-fuzz/bin/fuzz_"$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/" "$corpus" > build-fuzz/logs/"$t".log 2>&1; then
    echo "FINDING in fuzz_$t: see build-fuzz/logs/$t.log and $findings/" >&2
    status=1
  fi
  if [ "${LCZ_FUZZ_MERGE:-0}" = 1 ] && [ -z "$(ls -A "$findings")" ]; then
    # Merged against the seeds and the committed inputs, so that neither is added again; what
    # libFuzzer adds is named by its SHA-1.
    merged="build-fuzz/merge/$t"
    rm -rf "$merged" && mkdir -p "$merged"
    cp build-fuzz/fuzz-seeds/"$t"/* "$merged"/
    cp tests/fuzz/"$t"/* "$merged"/ 2>/dev/null || true
    build-fuzz/bin/fuzz_"$t" -merge=1 -use_counters=0 "$merged" "$corpus" >> build-fuzz/logs/"$t".log 2>&1
    mkdir -p tests/fuzz/"$t"
    find "$merged" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -exec cp -n {} tests/fuzz/"$t"/ \;
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' build-fuzz/logs/"$t".log | tail -1)
  echo "fuzz_$t: ${execs:-?} executions in ${seconds}s" >&2
done
exit $status
