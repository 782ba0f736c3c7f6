#!/usr/bin/env bash
# The harness CLI on bad input (issue 8): every case exits with the README's code (never
# >= 128, never CLI11's own), says what is wrong on stderr, and ends within its time limit.
# With lczip's path too, the classes of issue 15 (files, signals, limits, reports that lie,
# exit codes, names printed raw, unclear messages) for both tools, one section per class.
# Usage: tests/cli_bad_input.sh path/to/harness [path/to/lczip]
set -uo pipefail
harness="$1"
lczip="${2:-}"
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

# ---- Issue 15: files, signals and limits (needs lczip) ----
if [ -n "$lczip" ]; then
h="$harness"; L="$lczip"
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# run CODE FRAGMENT -- COMMAND...: at most 60 s; exit CODE and FRAGMENT in its output.
run() {
  local code="$1" fragment="$2"; shift 3
  local out rc
  out="$(timeout 60 "$@" 2>&1 </dev/null)"
  rc=$?
  if [ "$rc" -eq "$code" ] && grep -qF -- "$fragment" <<<"$out"; then ok; else
    bad "$* -> exit $rc (expected $code, output containing '$fragment'):"; head -c 600 <<<"$out" >&2; echo >&2; fi
}
f15="$dir/i15"; mkdir -p "$f15"
/usr/bin/python3 - "$f15" <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(15)
w = (rng.standard_normal(20000) * 0.05).astype('<f4')
w.tofile(d + '/w.f32')
w[:-1].tofile(d + '/short.f32')
np.save(d + '/scalar.npy', np.float32(0.3125))  # a 0-d array
PY

# Class 1, data loss: a FIFO (or device, folder) is never replaced, even with --force; gen
# writes through a unique hidden temporary file, not the user's X.tmp.
mkfifo "$f15/out.fifo"
run 2 "is a FIFO" -- "$L" compress "$f15/w.f32" -o "$f15/out.fifo" --force
[ -p "$f15/out.fifo" ] && ok || bad "lczip --force replaced a FIFO"
run 2 "is a FIFO" -- "$h" gen --like "$f15/w.f32" --weights 1000 -o "$f15/out.fifo" --force
echo "the user's own file" > "$f15/g.f32.tmp"
run 0 "wrote" -- "$h" gen --like "$f15/w.f32" --weights 1000 -o "$f15/g.f32"
[ "$(cat "$f15/g.f32.tmp" 2>/dev/null)" = "the user's own file" ] && ok || bad "gen overwrote or moved g.f32.tmp"

# Class 2, leftovers: SIGINT, SIGTERM, SIGHUP remove the temporary file and exit 128 + the
# signal. Deterministic: the tool reads a FIFO this script holds open (so it waits there, its
# output already open), and the signal is sent once it holds a file in the output folder.
signal_case() {  # signal_case SIGNAL CODE -- COMMAND... (COMMAND writes into $f15/sig)
  local sig="$1" code="$2"; shift 3
  local sd="$f15/sig" i=0 rc
  rm -rf "$sd" "$f15/in.fifo"; mkdir -p "$sd"; mkfifo "$f15/in.fifo"
  exec 7<>"$f15/in.fifo"
  set -m  # job control: a background job keeps SIGINT (without it, the shell ignores SIGINT there)
  "$@" <&7 >/dev/null 2>"$f15/sig.err" &
  local pid=$!
  set +m
  while [ $i -lt 400 ] && ! ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF -- "$sd/"; do sleep 0.05; i=$((i + 1)); done
  local held; held="$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -F -- "$sd/")"
  kill -"$sig" "$pid"
  wait "$pid"; rc=$?
  exec 7>&-
  if [ -z "$held" ]; then bad "$sig: $* never opened its output"; return; fi
  if [ "$sig" = KILL ]; then  # only an unnamed (O_TMPFILE) file survives SIGKILL unseen
    case "$held" in *"$sd/#"*) ;; *) echo "note: no O_TMPFILE here; SIGKILL case skipped" >&2; ok; return;; esac
  fi
  if [ "$rc" -eq "$code" ] && [ -z "$(ls -A "$sd")" ]; then ok; else
    bad "$sig during $*: exit $rc (expected $code), left: $(ls -A "$sd" | tr '\n' ' ')"; cat "$f15/sig.err" >&2; fi
}
"$L" compress "$f15/w.f32" -o "$f15/w.lcz" 2>/dev/null
signal_case INT 130 -- "$L" compress - --format f32 -o "$f15/sig/out.lcz"
signal_case TERM 143 -- "$L" decompress - -o "$f15/sig/out.f32"
signal_case HUP 129 -- "$L" compress - --format f32 -o "$f15/sig/out.lcz" --force
signal_case KILL 137 -- "$L" compress - --format f32 -o "$f15/sig/out.lcz"
signal_case TERM 143 -- "$h" gen --like "$f15/w.f32" --weights 500M -o "$f15/sig/big.f32"
# A write that fails (a file size limit stands in for a full disk): the reason, and no run folder.
out="$( (ulimit -f 2; timeout 60 "$h" --config "$dir/ok.json" --repeat 1 --out "$f15/full" --run-id r) 2>&1 >/dev/null)"
rc=$?
if [ $rc -eq 3 ] && grep -qF "File too large" <<<"$out" && [ -z "$(ls -A "$f15/full")" ]; then ok; else
  bad "harness --out on a full disk: exit $rc, left $(ls -A "$f15/full" | tr '\n' ' '): $out"; fi

# Class 3, memory and time: a floor on --chunk-weights; integers parsed strictly; inputs that
# are FIFOs or devices refused at once.
run 2 "--chunk-weights 1: at least 4096" -- "$L" compress "$f15/w.f32" -o "$f15/c.lcz" --chunk-weights 1
run 2 "not a whole number" -- "$L" compress "$f15/w.f32" -o "$f15/c.lcz" --chunk-weights -1
run 2 "not a whole number" -- "$L" compress "$f15/w.f32" -o "$f15/c.lcz" --chunk-weights 18446744073709551616
run 2 "is a FIFO" -- "$L" compress "$f15/w.f32" -o "$f15/c.lcz" --config "$f15/out.fifo"
mkdir -p "$f15/run-fifo" "$f15/run-zero"
mkfifo "$f15/run-fifo/report.csv"
ln -s /dev/zero "$f15/run-zero/report.csv"
run 3 "report.csv: is a FIFO" -- "$h" report "$f15/run-fifo" --out -
run 3 "report.csv: is a character device" -- "$h" report "$f15/run-zero" --out -

# Class 4, reports that lie: rows whose claims contradict what they hold are refused.
"$h" --config "$dir/ok.json" --repeat 1 --out "$f15/runs" --run-id real >/dev/null 2>&1
mkdir -p "$f15/runs/pass5x" "$f15/runs/ratio999"
/usr/bin/python3 - "$f15/runs" <<'PY'
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + '/real/report.csv')))
r = rows[1]  # pipeline p: edited to pass at 5x the tolerance
r['max_abs_error'] = repr(float(r['max_abs_error']) * 5); r['max_error_over_tol'] = '5.000000'; r['pass'] = 'true'
w = csv.DictWriter(open(d + '/pass5x/report.csv', 'w', newline=''), fieldnames=rows[0].keys(), lineterminator='\n')
w.writeheader(); w.writerows(rows)
j = json.load(open(d + '/real/report.json'))
j['rows'][1]['compressed_bytes'] = 1; j['rows'][1]['ratio'] = 999
json.dump(j, open(d + '/ratio999/report.json', 'w'))
PY
run 3 "passes with max_abs_error" -- "$h" report "$f15/runs/pass5x" --out -
run 3 "ratio 999 is not" -- "$h" merge "$f15/runs/ratio999" --out "$f15/runs/merged"
[ ! -e "$f15/runs/merged" ] && ok || bad "a refused merge left its --out folder"

# Class 5, exit codes as the README says.
mkdir -p "$f15/cfgdir"
run 2 "is a directory" -- "$L" compress "$f15/w.f32" -o "$f15/c.lcz" --config "$f15/cfgdir"
run 2 "--run-id" -- "$h" --config "$dir/ok.json" --out "$f15/runs" --run-id "$(printf 'x%.0s' $(seq 300))"
run 2 "--weights 1e12" -- "$h" gen --like "$f15/w.f32" --weights 1e12 -o "$f15/g2.f32"
run 3 "19999 vs 20000 weights" -- "$L" verify "$f15/w.lcz" "$f15/short.f32"

# Class 6, silent or raw: an empty value is refused, a 0-d .npy keeps its shape, names are
# printed escaped.
run 2 "--tolerance: an empty value" -- "$L" compress "$f15/w.f32" -o "$f15/c.lcz" --tolerance ""
"$L" compress "$f15/scalar.npy" -o "$f15/scalar.lcz" 2>/dev/null && "$L" decompress "$f15/scalar.lcz" -o "$f15/back.npy" 2>/dev/null
run 0 "()" -- /usr/bin/python3 -c "import numpy as np, sys; print(np.load(sys.argv[1]).shape)" "$f15/back.npy"
evil="$f15/a"$'\x1b'"[31mred"$'\n'"fake line.f32"
cp "$f15/w.f32" "$evil"
"$L" compress "$evil" -o "$f15/evil.lcz" 2>/dev/null
out="$("$L" info "$f15/evil.lcz")"
if grep -qF 'a\x1b[31mred\nfake line.f32' <<<"$out" && ! grep -q $'\x1b' <<<"$out"; then ok; else bad "info prints a name raw: $out"; fi

# Class 7, unclear messages: handled up front, naming the thing and the reason.
run 2 "--output: an empty value" -- "$L" compress "$f15/w.f32" -o ""
out="$("$L" compress - --format f32 -o "$f15/c.lcz" 2>&1 <&-)"; rc=$?
[ $rc -eq 3 ] && grep -qF "standard input: is closed" <<<"$out" && [ ! -e "$f15/c.lcz" ] && ok || bad "closed stdin: exit $rc: $out"
run 2 "standard input can be read only once" -- "$L" verify - -
run 2 "standard input can be read only once" -- "$L" compress - -o "$f15/c.lcz" --base -
run 5 "at step 2^-59" -- "$L" compress "$f15/w.f32" -o "$f15/c.lcz" --tolerance 2^-60 --pipeline fast
mkdir -p "$f15/run-dir/report.csv"
run 3 "report.csv: is a directory" -- "$h" report "$f15/run-dir" --out -
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
