#!/usr/bin/env bash
# Runs a sweep as shards with GNU parallel, one shard per core (or per host with --sshlogin),
# then merges the shards into one report, writes REPORT.md and draws the plots:
#   scripts/sweep_parallel.sh --config configs/grid-example.json [--shards N] [--out DIR]
#                             [--sshlogin LOGINS] [--no-plot] [-- more harness options]
# --shards: default one per core here (nproc), or per host with --sshlogin. --out: the run
# folder (default results/<UTC time>-<config>-parallel); shards go to OUT/shards/shard-I.
# --sshlogin is passed to GNU parallel (e.g. "2/host1,2/host2"): every host needs the same
# checkout and build at the same path on a shared file system (the shards write their
# reports there). The exit code is harness merge's: 0 every row passed, 3 a shard is missing,
# 4/5 rows failed. Environment: HARNESS (default build/bin/harness), LCZ_DATASETS.
set -euo pipefail
cd "$(dirname "$0")/.."
harness="${HARNESS:-build/bin/harness}"
config="" shards="" out="" sshlogin="" plot=1
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    --shards) shards="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --sshlogin) sshlogin="$2"; shift 2 ;;
    --no-plot) plot=0; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "sweep_parallel.sh: unknown argument $1 (harness options go after --)" >&2; exit 2 ;;
  esac
done
[ -n "$config" ] || { echo "sweep_parallel.sh: --config FILE is required" >&2; exit 2; }
[ -x "$harness" ] || { echo "sweep_parallel.sh: $harness not built (cmake --build build --target harness)" >&2; exit 2; }
command -v parallel >/dev/null || { echo "sweep_parallel.sh: GNU parallel is missing (apt-get install parallel)" >&2; exit 2; }
if [ -z "$shards" ]; then
  shards="$(nproc)"
  [ -n "$sshlogin" ] && shards="$(tr ',' '\n' <<<"$sshlogin" | wc -l)"
fi
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "sweep_parallel.sh: --shards $shards is not a positive number" >&2; exit 2; }
[ -n "$out" ] || out="results/$(date -u +%Y%m%d-%H%M%S)-$(basename "$config" .json)-parallel"
if [ -e "$out/report.json" ]; then echo "sweep_parallel.sh: $out already holds a report" >&2; exit 2; fi
mkdir -p "$out/shards"
out="$(cd "$out" && pwd)"
harness="$(cd "$(dirname "$harness")" && pwd)/$(basename "$harness")"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"

# Validate once here, so a config mistake is one message, not one per shard.
"$harness" --config "$config" --dry-run "$@" >/dev/null

extra=""
for a in "$@"; do extra+=" $(printf '%q' "$a")"; done
start=$(date +%s.%N)
remote=()
[ -n "$sshlogin" ] && remote=(--sshlogin "$sshlogin" --workdir "$PWD")
# Exit codes 4 and 5 (rows that failed) still leave a report: merge decides what to say.
parallel --will-cite --jobs "$([ -n "$sshlogin" ] && echo 1 || echo "$shards")" "${remote[@]}" --line-buffer --tagstring 'shard {}' \
  "'$harness' --config '$config' --shard {}/$shards --out '$out/shards' --run-id shard-{}$extra 2>&1" \
  ::: $(seq 0 $((shards - 1))) || true
end=$(date +%s.%N)

set +e
"$harness" merge "$out"/shards/shard-* --out "$out"
status=$?
set -e
if [ -e "$out/report.json" ]; then
  "$harness" report "$out" --force
  if [ $plot -eq 1 ]; then /usr/bin/python3 scripts/plot.py "$out" || echo "sweep_parallel.sh: plot.py failed (python3-matplotlib missing?)" >&2; fi
fi
printf 'sweep_parallel.sh: %s shards in %.1f s wall-clock; report in %s\n' "$shards" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$out" >&2
exit $status
