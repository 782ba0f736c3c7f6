#!/usr/bin/env bash
# lczip end to end, as a user runs it: compress, decompress, verify, info on the shared nets;
# every exit code of the README; the independent checkers on the rebuilt Lc0 net and ONNX
# models; an existing output kept; a wrong base refused with no file written.
#   tests/cli/lczip_end_to_end.sh LCZIP DATASETS WORKDIR
set -uo pipefail
lczip="$1"; data="$2"; work="$3"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
expect() {  # expect CODE DESCRIPTION -- COMMAND...
  local want="$1" what="$2"; shift 3
  "$@" >out.txt 2>err.txt
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want: $*"; cat err.txt; failures=$((failures + 1))
  else
    echo "ok: $what (exit $got)"
  fi
}
require_message() {
  if [ ! -s err.txt ]; then echo "FAIL: $1: no message on stderr"; failures=$((failures + 1)); fi
}

expect 0 "compress maia-1900 (default strong)" -- "$lczip" compress "$data/maia-1900.pb.gz" -o m.lcz
expect 0 "decompress to .pb.gz" -- "$lczip" decompress m.lcz -o m.pb.gz
expect 0 "verify against the original" -- "$lczip" verify m.lcz "$data/maia-1900.pb.gz"
grep -q "x tolerance" out.txt || { echo "FAIL: verify prints no max error / tol"; failures=$((failures + 1)); }
expect 0 "independent reader: LINEAR16, within 2^-17 as lc0 decodes, fields equal" -- \
  /usr/bin/python3 "$here/../../scripts/check_lc0_net.py" "$data/maia-1900.pb.gz" m.pb.gz
expect 4 "verify against another net breaks the bound" -- "$lczip" verify m.lcz "$data/maia-1100.pb.gz"
expect 3 "verify against a net of another structure is an input error" -- "$lczip" verify m.lcz "$data/leela_grouped.f32"
grep -q "105 tensors\|vs" err.txt || { echo "FAIL: the mismatch does not say what differs"; cat err.txt; failures=$((failures + 1)); }
mkfifo out.fifo
expect 2 "a FIFO output is never replaced, even with --force" -- "$lczip" decompress m.lcz -o out.fifo --force
[ -p out.fifo ] || { echo "FAIL: the FIFO was replaced"; failures=$((failures + 1)); }
rm -f out.fifo
expect 0 "compress maia-1100 (fast)" -- "$lczip" compress "$data/maia-1100.pb.gz" -o m11.lcz --pipeline fast
expect 0 "decompress maia-1100" -- "$lczip" decompress m11.lcz -o m11.pb.gz
expect 0 "independent reader on maia-1100: all five LINEAR16 decoders within 2^-17" -- \
  /usr/bin/python3 "$here/../../scripts/check_lc0_net.py" "$data/maia-1100.pb.gz" m11.pb.gz
# maia-1900's weights re-encoded as nets of each Lc0 encoding (every layer FLOAT16, BFLOAT16,
# FLOAT32, and the four in turn), round-tripped and checked by the independent reader.
/usr/bin/python3 - "$here/../../scripts" "$data/maia-1900.pb.gz" <<'PY' || { echo "FAIL: cannot make the nets of each encoding"; failures=$((failures + 1)); }
import gzip, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import check_lc0_net as c
pb2 = c.load_module()
source = c.read(pb2, sys.argv[2])
def encode(layer, enc):
    values = c.decode(layer, source)
    if enc == c.FLOAT16:
        layer.params = values.astype("<f2").tobytes()
    elif enc == c.BFLOAT16:  # round to nearest even on the upper 16 bits
        bits = values.astype("<f4").view(np.uint32).astype(np.uint64)
        layer.params = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2").tobytes()
    else:
        layer.params = values.astype("<f4").tobytes()
    layer.ClearField("min_val"); layer.ClearField("max_val")
    layer.encoding = enc
for name, plan in [("f16", [c.FLOAT16]), ("bf16", [c.BFLOAT16]), ("f32", [c.FLOAT32]),
                   ("mixed", [c.LINEAR16, c.FLOAT16, c.BFLOAT16, c.FLOAT32])]:
    net = pb2.Net(); net.CopyFrom(source)
    for i, (_, layer) in enumerate(l for l in c.layers(net.weights) if l[1].params):
        if plan[i % len(plan)] != c.LINEAR16:
            encode(layer, plan[i % len(plan)])
    open("enc_%s.pb.gz" % name, "wb").write(gzip.compress(net.SerializeToString()))
PY
for e in f16 bf16 f32 mixed; do
  expect 0 "compress the $e net" -- "$lczip" compress "enc_$e.pb.gz" -o "enc_$e.lcz" --pipeline fast
  expect 0 "decompress the $e net" -- "$lczip" decompress "enc_$e.lcz" -o "enc_$e.out.pb.gz"
  expect 0 "independent reader on the $e net" -- \
    /usr/bin/python3 "$here/../../scripts/check_lc0_net.py" "enc_$e.pb.gz" "enc_$e.out.pb.gz"
done

expect 0 "info" -- "$lczip" info m.lcz
grep -q "tolerance        2^-17" out.txt || { echo "FAIL: info shows no tolerance"; failures=$((failures + 1)); }
# A file of more weights than --max-weights (maia-1900: 868,355) is refused before decoding.
expect 3 "more weights than --max-weights" -- "$lczip" decompress m.lcz -o big.pb.gz --max-weights 868354
grep -q -- "--max-weights" err.txt || { echo "FAIL: the refusal does not name --max-weights"; failures=$((failures + 1)); }
[ ! -e big.pb.gz ] || { echo "FAIL: a refused file left an output"; failures=$((failures + 1)); }
expect 3 "verify with a lower --max-weights" -- "$lczip" verify m.lcz "$data/maia-1900.pb.gz" --max-weights 868354
expect 0 "exactly --max-weights" -- "$lczip" decompress m.lcz -o limit.pb.gz --max-weights 868355

cp m.pb.gz kept.pb.gz
expect 2 "an existing output is kept without --force" -- "$lczip" decompress m.lcz -o m.pb.gz
require_message "existing output"
cmp -s m.pb.gz kept.pb.gz || { echo "FAIL: the existing output changed"; failures=$((failures + 1)); }
expect 0 "--force overwrites" -- "$lczip" decompress m.lcz -o m.pb.gz --force

expect 0 "fast pipeline, one thread" -- "$lczip" compress "$data/maia-1900.pb.gz" -o f1.lcz --pipeline fast --threads 1
expect 0 "fast pipeline, two threads" -- "$lczip" compress "$data/maia-1900.pb.gz" -o f2.lcz --pipeline fast --threads 2
cmp -s f1.lcz f2.lcz || { echo "FAIL: --threads 1 and 2 give different files"; failures=$((failures + 1)); }

expect 0 "leela_grouped.f32 through stdin and stdout" -- sh -c "'$lczip' compress - --format f32 -o - < '$data/leela_grouped.f32' > l.lcz"
expect 0 "decompress to stdout" -- sh -c "'$lczip' decompress l.lcz -o - > l.f32"
expect 0 "verify the .f32" -- "$lczip" verify l.lcz "$data/leela_grouped.f32"
[ "$(stat -c %s l.f32)" = "$(stat -c %s "$data/leela_grouped.f32")" ] || { echo "FAIL: l.f32 has another size"; failures=$((failures + 1)); }

expect 0 "compress against a base" -- "$lczip" compress "$data/maia-1900.pb.gz" --base "$data/maia-1100.pb.gz" -o b.lcz
[ "$(stat -c %s b.lcz)" -le "$(( $(stat -c %s m.lcz) + 40 ))" ] || { echo "FAIL: the base made the file bigger"; failures=$((failures + 1)); }
expect 3 "a wrong base is refused" -- "$lczip" decompress b.lcz --base "$data/maia-1900.pb.gz" -o wrong.pb.gz
require_message "wrong base"
[ ! -e wrong.pb.gz ] || { echo "FAIL: a wrong base left a file"; failures=$((failures + 1)); }
expect 0 "the right base" -- "$lczip" decompress b.lcz --base "$data/maia-1100.pb.gz" -o b.pb.gz

# ONNX (issue 13): both shared models, against the base, and a model made by python3-onnx;
# scripts/check_onnx.py (onnx.checker and the onnx package, not our code) checks each output.
check_onnx="$here/../../scripts/check_onnx.py"
for net in maia-2200 maia2200-64x6-hunter-20000; do
  expect 0 "compress $net.onnx.gz" -- "$lczip" compress "$data/$net.onnx.gz" -o "$net.lcz"
  expect 0 "decompress $net to .onnx.gz" -- "$lczip" decompress "$net.lcz" -o "$net.onnx.gz"
  expect 0 "check_onnx $net: checker, initializers within 2^-17, the rest equal" -- \
    /usr/bin/python3 "$check_onnx" "$data/$net.onnx.gz" "$net.onnx.gz"
  expect 0 "verify $net" -- "$lczip" verify "$net.lcz" "$data/$net.onnx.gz"
done
expect 0 "decompress to a plain .onnx" -- "$lczip" decompress maia-2200.lcz -o maia-2200.onnx
[ "$(head -c 2 maia-2200.onnx | od -An -tx1 | tr -d ' ')" != "1f8b" ] || { echo "FAIL: .onnx output is gzip"; failures=$((failures + 1)); }
expect 0 "check_onnx on the plain .onnx" -- /usr/bin/python3 "$check_onnx" "$data/maia-2200.onnx.gz" maia-2200.onnx
expect 0 "the fine-tune against its base" -- "$lczip" compress "$data/maia2200-64x6-hunter-20000.onnx.gz" \
  --base "$data/maia-2200.onnx.gz" -o hb.lcz
expect 0 "decompress against the base" -- "$lczip" decompress hb.lcz --base "$data/maia-2200.onnx.gz" -o hb.onnx.gz
expect 0 "check_onnx of the fine-tune coded against its base" -- \
  /usr/bin/python3 "$check_onnx" "$data/maia2200-64x6-hunter-20000.onnx.gz" hb.onnx.gz
expect 1 "check_onnx tells two different models apart" -- \
  /usr/bin/python3 "$check_onnx" "$data/maia-2200.onnx.gz" hb.onnx.gz
expect 0 "make a small ONNX model with python3-onnx" -- /usr/bin/python3 "$here/make_onnx_net.py" made.onnx
for p in strong fast; do
  expect 0 "compress the made model ($p)" -- "$lczip" compress made.onnx -o "made-$p.lcz" --pipeline "$p"
  expect 0 "decompress the made model through stdout" -- sh -c "'$lczip' decompress made-$p.lcz -o - > made-$p.onnx"
  expect 0 "check_onnx of the made model ($p): FLOAT16, BFLOAT16, float_data, int64" -- \
    /usr/bin/python3 "$check_onnx" made.onnx "made-$p.onnx"
done
expect 0 "an ONNX model through standard input with --format onnx" -- \
  sh -c "'$lczip' compress - --format onnx -o made-stdin.lcz < made.onnx"
expect 0 "decompress it under a .onnx.gz name" -- "$lczip" decompress made-stdin.lcz -o made-stdin.onnx.gz
expect 0 "check_onnx of the gzip output" -- /usr/bin/python3 "$check_onnx" made.onnx made-stdin.onnx.gz

expect 2 "unknown option" -- "$lczip" compress "$data/maia-1900.pb.gz" -o x.lcz --colour
expect 2 "no subcommand" -- "$lczip"
expect 0 "--help" -- "$lczip" --help
expect 2 "unknown pipeline" -- "$lczip" compress "$data/maia-1900.pb.gz" -o x.lcz --pipeline nope
expect 2 "bad tolerance" -- "$lczip" compress "$data/maia-1900.pb.gz" -o x.lcz --tolerance 2^-99999
expect 3 "missing input" -- "$lczip" compress "$data/no-such-net.pb.gz" -o x.lcz
expect 3 "not a container" -- "$lczip" decompress "$data/maia-1900.pb.gz" -o x.pb.gz
[ ! -e x.lcz ] && [ ! -e x.pb.gz ] || { echo "FAIL: a failed run left an output"; failures=$((failures + 1)); }
leftovers=$(ls -A | grep -c '\.tmp-' || true)
[ "$leftovers" -eq 0 ] || { echo "FAIL: temporary files left behind"; failures=$((failures + 1)); }

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
