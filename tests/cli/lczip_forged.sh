#!/usr/bin/env bash
# Containers that contradict themselves with every checksum consistent (issue 14): an Lc0
# net's LINEAR16 output ranges doubled or shifted half a step, its LINEAR16 layers set to be
# written as FLOAT16 or FLOAT32, and a raw .f32's two chunks swapped with their checksums.
# decompress and verify must each refuse every one with exit 3 or 5 and a message, and
# decompress must write no output; the unforged files pass both.
#   tests/cli/lczip_forged.sh LCZIP FORGE_LCZ DATASETS WORKDIR
set -uo pipefail
lczip="$1"; forge="$2"; data="$3"; work="$4"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$lczip" compress "$data/maia-1900.pb.gz" -o maia.lcz --pipeline fast --chunk-weights 200000 || exit 1
# 8192 weights of a normal distribution, as two chunks of 4096 (the smallest chunk lczip takes).
/usr/bin/python3 -c "
import numpy as np
np.random.default_rng(14).normal(0, 0.05, 8192).astype('<f4').tofile('small.f32')" || exit 1
"$lczip" compress small.f32 -o small.lcz --pipeline fast --chunk-weights 4096 || exit 1
"$lczip" verify maia.lcz "$data/maia-1900.pb.gz" >/dev/null || fail "the unforged Lc0 container does not verify"
"$lczip" verify small.lcz small.f32 >/dev/null || fail "the unforged .f32 container does not verify"

mkdir forged
"$forge" maia.lcz forged >list.txt || exit 1
"$forge" small.lcz forged >>list.txt || exit 1
for name in maia.range_doubled maia.range_shifted_half_step maia.kind_float16 maia.kind_float32 small.chunks_swapped; do
  grep -q "/$name.lcz$" list.txt || fail "no $name variant was made"
done
original() { case "$1" in */small.*) echo small.f32 ;; *) echo "$data/maia-1900.pb.gz" ;; esac; }
while read -r f; do
  out="$f.out"
  "$lczip" decompress "$f" -o "$out" 2>err.txt
  rc=$?
  [ "$rc" -eq 3 ] || [ "$rc" -eq 5 ] || fail "$f: decompress exit $rc"
  [ -s err.txt ] || fail "$f: decompress gave no message"
  [ ! -e "$out" ] || fail "$f: decompress wrote an output"
  "$lczip" verify "$f" "$(original "$f")" >/dev/null 2>err.txt
  vrc=$?
  [ "$vrc" -eq "$rc" ] || fail "$f: verify exit $vrc, decompress exit $rc"
  echo "$(basename "$f"): exit $rc: $(tr -d '\n' <err.txt | cut -c1-160)"
done <list.txt
[ "$(ls -A forged | grep -c '\.tmp-' || true)" -eq 0 ] || fail "temporary files left"
echo "$(wc -l <list.txt) forged containers, $failures failure(s)"
[ "$failures" -eq 0 ]
