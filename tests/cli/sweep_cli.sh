#!/usr/bin/env bash
# CLI tests of sweeps (ctest runs each case): tests/cli/sweep_cli.sh CASE HARNESS SOURCE_DIR WORK_DIR
#   shard_merge     --shard 0/2 and 1/2 merged give the rows (sizes, output SHA-256, pass) of one unsharded run
#   merge_refusals  merge refuses a missing shard, a duplicated one and a shard of another config
#   sweep_parallel  scripts/sweep_parallel.sh gives the same rows in one command, with REPORT.md and the PNGs
#   report_plot     harness report and scripts/plot.py write REPORT.md and one PNG per dataset
#   reference       harness report on results/reference/grid-example gives its committed REPORT.md
#   gen             harness gen: exact size, same bytes for a seed, other bytes for another, errors
set -euo pipefail
case_name="$1" harness="$2" src="$3" work="$4/$1"
export LCZ_DATASETS="${LCZ_DATASETS:-$src/../shared/datasets}"  # as the other tests: the shared nets beside the checkout
rm -rf "$work"
mkdir -p "$work"
config="$src/tests/configs/grid_small.json"
fail() { echo "FAIL ($case_name): $*" >&2; exit 1; }
rows() { cut -d, -f1-6,13,19 "$1"; }  # dataset .. compressed_bytes, pass, output_sha256
expect_exit() {  # expected command...
  local want="$1"; shift
  set +e; "$@" >"$work/out.txt" 2>"$work/err.txt"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$work/err.txt" >&2; fail "$* exited $got, expected $want"; }
}
unsharded() { "$harness" --config "$config" --out "$work" --run-id whole >/dev/null 2>&1 || fail "unsharded run failed"; }

case "$case_name" in
  shard_merge)
    unsharded
    for i in 0 1; do "$harness" --config "$config" --shard $i/2 --out "$work" --run-id s$i >/dev/null 2>&1; done
    [ "$(wc -l <"$work/s0/report.csv")" -gt 2 ] && [ "$(wc -l <"$work/s1/report.csv")" -gt 2 ] || fail "a shard ran nothing"
    "$harness" merge "$work/s1" "$work/s0" --out "$work/merged"
    diff <(rows "$work/whole/report.csv") <(rows "$work/merged/report.csv") || fail "merged rows differ from the unsharded run"
    ;;
  merge_refusals)
    for i in 0 1; do "$harness" --config "$config" --shard $i/2 --out "$work" --run-id s$i >/dev/null 2>&1; done
    expect_exit 3 "$harness" merge "$work/s0" --out "$work/m1"
    grep -q "missing job" "$work/err.txt" || fail "no missing job reported"
    [ ! -e "$work/m1/report.csv" ] || fail "a partial merge was written without --allow-missing"
    expect_exit 0 "$harness" merge "$work/s0" --out "$work/m2" --allow-missing
    expect_exit 3 "$harness" merge "$work/s0" "$work/s0" "$work/s1" --out "$work/m3"
    grep -q "duplicated job" "$work/err.txt" || fail "no duplicated job reported"
    "$harness" --config "$config" --shard 1/2 --filter zstd --out "$work" --run-id other >/dev/null 2>&1
    expect_exit 3 "$harness" merge "$work/s0" "$work/other" --out "$work/m4"
    grep -q "cannot merge: configs" "$work/err.txt" || fail "a shard of another config was not refused"
    expect_exit 0 "$harness" merge "$work/s0" "$work/s1" --out "$work/m5"
    expect_exit 2 "$harness" merge "$work/s0" "$work/s1" --out "$work/m5"  # kept unless --force
    ;;
  sweep_parallel)
    unsharded
    HARNESS="$harness" bash "$src/scripts/sweep_parallel.sh" --config "$config" --shards 3 --out "$work/par" >/dev/null 2>&1 ||
      fail "sweep_parallel.sh failed"
    diff <(rows "$work/whole/report.csv") <(rows "$work/par/report.csv") || fail "sweep_parallel.sh rows differ from the unsharded run"
    [ -s "$work/par/REPORT.md" ] && [ -s "$work/par/leela_grouped.f32.png" ] && [ -s "$work/par/maia-1900.pb.gz.png" ] ||
      fail "no REPORT.md or plots"
    ;;
  report_plot)
    unsharded
    "$harness" report "$work/whole"
    /usr/bin/python3 "$src/scripts/plot.py" "$work/whole" 2>/dev/null
    for d in leela_grouped.f32 maia-1900.pb.gz; do
      grep -q "^## $d" "$work/whole/REPORT.md" || fail "REPORT.md has no section for $d"
      grep -q "($d.png)" "$work/whole/REPORT.md" || fail "REPORT.md does not embed $d.png"
      head -c 8 "$work/whole/$d.png" | od -An -tx1 | grep -q "89 50 4e 47" || fail "$d.png is not a PNG"
    done
    grep -q "Recommendation" "$work/whole/REPORT.md" || fail "no recommendation"
    expect_exit 2 "$harness" report "$work/whole"  # an existing REPORT.md is kept unless --force
    expect_exit 3 "$harness" report "$work/no-such-run"
    ;;
  reference)
    ref="$src/results/reference/grid-example"
    "$harness" report "$ref" --out "$work/REPORT.md"
    diff "$ref/REPORT.md" "$work/REPORT.md" || fail "the committed REPORT.md does not match its report.csv"
    for png in $(grep -o '([^()]*\.png)' "$ref/REPORT.md" | tr -d '()'); do [ -s "$ref/$png" ] || fail "missing $png"; done
    ;;
  gen)
    like="$LCZ_DATASETS/maia-1900.pb.gz"
    "$harness" gen --like "$like" --weights 1M -o "$work/a.f32" --seed 5
    "$harness" gen --like "$like" --weights 1000000 -o "$work/b.f32" --seed 5
    "$harness" gen --like "$like" --weights 1M -o "$work/c.f32" --seed 6
    [ "$(stat -c %s "$work/a.f32")" -eq 4000000 ] || fail "not 1M float32"
    cmp -s "$work/a.f32" "$work/b.f32" || fail "the same seed gave other bytes"
    ! cmp -s "$work/a.f32" "$work/c.f32" || fail "another seed gave the same bytes"
    expect_exit 2 "$harness" gen --like "$like" --weights 1M -o "$work/a.f32"  # kept unless --force
    expect_exit 2 "$harness" gen --like "$like" --weights 1.5 -o "$work/d.f32"
    expect_exit 3 "$harness" gen --like "$work/none.pb.gz" --weights 1M -o "$work/d.f32"
    expect_exit 3 "$harness" gen --like "$like" --weights 100 -o "$work/d.f32"  # fewer than the 105 tensors
    ;;
  *) fail "unknown case" ;;
esac
echo "ok: $case_name"
