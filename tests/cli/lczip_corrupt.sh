#!/usr/bin/env bash
# 250 corrupted or truncated variants of one .lcz file: each must exit with a code in 1..127
# and a message, and none may write an output file.
#   tests/cli/lczip_corrupt.sh LCZIP DATASETS WORKDIR
set -uo pipefail
lczip="$1"; data="$2"; work="$3"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
"$lczip" compress "$data/maia-1900.pb.gz" -o good.lcz --pipeline fast --chunk-weights 200000 || exit 1
/usr/bin/python3 - <<'PY'
import random
good = open("good.lcz", "rb").read()
rng = random.Random(250)
for i in range(250):
    b = bytearray(good)
    kind = i % 5
    if kind == 0:
        b = b[: rng.randrange(len(b))]
    elif kind == 1:
        at = rng.randrange(len(b)); b[at] ^= 1 << rng.randrange(8)
    elif kind == 2:
        at = rng.randrange(len(b)); b[at] = (b[at] + rng.randrange(1, 256)) % 256
    elif kind == 3:
        b.insert(rng.randrange(len(b)), rng.randrange(256))
    else:
        at = rng.randrange(min(64, len(b))); b[at] ^= 0x40
    open("bad%03d.lcz" % i, "wb").write(bytes(b))
PY
failures=0
for f in bad*.lcz; do
  "$lczip" decompress "$f" -o "$f.pb.gz" 2>err.txt
  rc=$?
  if [ "$rc" -lt 1 ] || [ "$rc" -gt 127 ]; then echo "FAIL: $f: exit $rc"; failures=$((failures + 1)); fi
  [ -s err.txt ] || { echo "FAIL: $f: no message"; failures=$((failures + 1)); }
  [ ! -e "$f.pb.gz" ] || { echo "FAIL: $f: wrote an output"; failures=$((failures + 1)); }
done
[ "$(ls -A | grep -c '\.tmp-' || true)" -eq 0 ] || { echo "FAIL: temporary files left"; failures=$((failures + 1)); }
echo "250 variants, $failures failure(s)"
[ "$failures" -eq 0 ]
