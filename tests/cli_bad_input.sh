#!/usr/bin/env bash
# The harness CLI on bad input (issue 8): every case exits with the README's code (never
# >= 128, never CLI11's own), says what is wrong on stderr, and ends within its time limit.
# Usage: tests/cli_bad_input.sh path/to/harness
set -uo pipefail
harness="$1"
# Datasets resolve against each config's own folder here, not the shared nets.
unset LCZ_DATASETS
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0

# expect CODE FRAGMENT -- ARGS...: runs the harness (at most 60 s), checks the exit code and
# that stderr (or stdout, for code 0) contains FRAGMENT.
expect() {
  local code="$1" fragment="$2"
  shift 3
  local out rc
  out="$(timeout 60 "$harness" "$@" 2>&1)"
  rc=$?
  if [ "$rc" -eq "$code" ] && grep -qF -- "$fragment" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: harness $* -> exit $rc (expected $code, output containing '$fragment'):" >&2
    head -c 600 <<<"$out" >&2
    echo >&2
  fi
}

pipelines='"pipelines": [{"name": "p", "stages": ["quantize", "zigzag", "varint", "store"]}]'
printf '\x00\x00\x00\x3f\x00\x00\x80\xbe' > "$dir/w.f32"   # 0.5, -0.25
config() { printf '%s' "$2" > "$dir/$1"; echo "$dir/$1"; }

# Usage errors: 2, not CLI11's 105/109; --help: 0.
expect 2 "--repeat" -- --config "$(config ok.json "{\"datasets\": [\"w.f32\"], $pipelines}")" --repeat 0
expect 2 "--repeat" -- --config "$dir/ok.json" --repeat abc
expect 2 "--datasets" -- --config "$dir/ok.json" --datasets /nonexistent
expect 2 "--bogus" -- --bogus
expect 0 "--config" -- --help

# The config file itself.
mkdir -p "$dir/folder.json"
mkfifo "$dir/fifo.json"
expect 2 "is a directory" -- --config "$dir/folder.json"
expect 2 "is a FIFO" -- --config "$dir/fifo.json"
expect 2 "is a character device" -- --config /dev/zero
expect 2 "does not exist" -- --config "$dir/absent.json"
deep="$(head -c 100000 /dev/zero | tr '\0' '[')$(head -c 100000 /dev/zero | tr '\0' ']')"
expect 2 "nested deeper" -- --config "$(config deep1.json "{\"datasets\": [\"w.f32\"], \"pipelines\": [{\"name\": \"p\", \"stages\": [\"quantize\", \"zigzag\", {\"stage\": \"varint\", \"max_bytes\": $deep}, \"store\"]}]}")"
expect 2 "nested deeper" -- --config "$(config deep2.json "{\"x\": $deep}")"
expect 2 "pipelines[0].description" -- --config "$(config deep3.json "{\"datasets\": [\"w.f32\"], \"pipelines\": [{\"name\": \"p\", \"description\": $deep, \"stages\": [\"store\"]}]}")"
expect 2 "tolerance: duplicate key" -- --config "$(config dup.json "{\"tolerance\": \"2^-17\", \"datasets\": [\"w.f32\"], \"tolerance\": \"2^-10\", $pipelines}")"
for t in '"2^-99999999999"' '"2^2147483648"' '1e400' '"2^-999"'; do
  expect 2 "tolerance" -- --config "$(config tol.json "{\"tolerance\": $t, \"datasets\": [\"w.f32\"], $pipelines}")"
done
expect 2 "already used by datasets[0]" -- --config "$(config twice.json "{\"datasets\": [\"w.f32\", \"./w.f32\"], $pipelines}")"
expect 2 "control character" -- --config "$(config newline.json "{\"datasets\": [\"w.f32\"], \"pipelines\": [{\"name\": \"a\\nb\", \"stages\": [\"quantize\", \"zigzag\", \"varint\", \"store\"]}]}")"

# Datasets that are not regular files: 3, named by what they are.
mkdir -p "$dir/folder.f32"
mkfifo "$dir/fifo.f32"
ln -s /dev/zero "$dir/zero.f32"
for name in folder.f32 fifo.f32 zero.f32; do
  expect 3 "$name" -- --config "$(config ds.json "{\"datasets\": [\"$name\"], $pipelines}")"
done

# --out naming a file: refused before the run, as a usage error.
echo "a file" > "$dir/out-file"
expect 2 "--out $dir/out-file" -- --config "$dir/ok.json" --out "$dir/out-file" --repeat 1

# A gzip bomb (2.25 GiB of zeros in ~2 MB) under a 1 GiB address-space limit: refused while
# inflating, with no buffer near the 2 GiB limit.
head -c $((64 << 20)) /dev/zero | gzip -1 > "$dir/member.gz"
for i in $(seq 36); do cat "$dir/member.gz"; done > "$dir/bomb.pb.gz"
config bomb.json "{\"datasets\": [\"bomb.pb.gz\"], $pipelines}" >/dev/null
out="$( (ulimit -v 1000000; timeout 60 "$harness" --config "$dir/bomb.json" --dry-run) 2>&1)"
rc=$?
if [ $rc -eq 3 ] && grep -qF "inflates past" <<<"$out"; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL: gzip bomb -> exit $rc: $out" >&2; fi

# A pipeline name with '|' stays one table cell; the run passes.
out="$("$harness" --config "$(config bar.json "{\"datasets\": [\"w.f32\"], \"pipelines\": [{\"name\": \"a|b\", \"stages\": [\"quantize\", \"zigzag\", \"varint\", \"store\"]}]}")" --repeat 1 --out "$dir/results" 2>/dev/null)"
rc=$?
if [ $rc -eq 0 ] && grep -qF '| w.f32 | a\|b |' <<<"$out"; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL: '|' in a pipeline name -> exit $rc: $out" >&2; fi

# --dry-run says what the run will cost.
expect 0 "cost: 1 rows" -- --config "$dir/ok.json" --dry-run

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
