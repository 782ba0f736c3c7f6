#!/usr/bin/env bash
# Submits a sweep to Slurm: an array job with one task per shard (harness --shard I/N, one CPU
# each), then a merge job that runs when every task has ended (afterany: a task whose rows failed
# still leaves its report) and writes report.csv/json, REPORT.md and, where python3-matplotlib
# is installed, the plots:
#   scripts/sweep_slurm.sh --config configs/grid-example.json [--shards N] [--out DIR]
#                          [--partition P] [--time MIN] [--wait] [-- more harness options]
# --out: the run folder (default results/<UTC time>-<config>-slurm) on a file system every
# node sees, like the checkout and build; shards go to OUT/shards/shard-I, logs to OUT/logs.
# --wait: block until the merge job ends and exit with its code (0 every row passed, 3 a
# shard is missing, 4/5 rows failed). Without it, prints the job ids and returns.
# Environment: HARNESS (default build/bin/harness), LCZ_DATASETS (passed to the jobs),
# SLURM_CONF (e.g. the single-node cluster of scripts/slurm_single_node.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
harness="${HARNESS:-build/bin/harness}"
config="" shards=4 out="" partition="" time_limit="" wait=0
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    --shards) shards="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --partition) partition="$2"; shift 2 ;;
    --time) time_limit="$2"; shift 2 ;;
    --wait) wait=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "sweep_slurm.sh: unknown argument $1 (harness options go after --)" >&2; exit 2 ;;
  esac
done
[ -n "$config" ] || { echo "sweep_slurm.sh: --config FILE is required" >&2; exit 2; }
[ -x "$harness" ] || { echo "sweep_slurm.sh: $harness not built (cmake --build build --target harness)" >&2; exit 2; }
command -v sbatch >/dev/null || { echo "sweep_slurm.sh: sbatch not found (a Slurm client; scripts/slurm_single_node.sh starts one here)" >&2; exit 2; }
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "sweep_slurm.sh: --shards $shards is not a positive number" >&2; exit 2; }
[ -n "$out" ] || out="results/$(date -u +%Y%m%d-%H%M%S)-$(basename "$config" .json)-slurm"
if [ -e "$out/report.json" ]; then echo "sweep_slurm.sh: $out already holds a report" >&2; exit 2; fi
mkdir -p "$out/shards" "$out/logs"
out="$(cd "$out" && pwd)"
repo="$(pwd)"
harness="$(cd "$(dirname "$harness")" && pwd)/$(basename "$harness")"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"

"$harness" --config "$config" --dry-run "$@" >/dev/null  # one message for a config mistake

extra=""
for a in "$@"; do extra+=" $(printf '%q' "$a")"; done
common=(--parsable --chdir "$repo" --export "ALL")
[ -n "$partition" ] && common+=(--partition "$partition")
[ -n "$time_limit" ] && common+=(--time "$time_limit")

# A task whose rows failed verification (4) or a codec (5) has written its report: the
# array task counts as done, and the merge says what failed.
array_id=$(sbatch "${common[@]}" --job-name lcz-shard --array "0-$((shards - 1))" --cpus-per-task 1 \
  --output "$out/logs/shard-%a.log" \
  --wrap "$(printf '%q' "$harness") --config $(printf '%q' "$config") --shard \${SLURM_ARRAY_TASK_ID}/$shards --out $(printf '%q' "$out/shards") --run-id shard-\${SLURM_ARRAY_TASK_ID}$extra; rc=\$?; [ \$rc -eq 4 ] || [ \$rc -eq 5 ] && exit 0; exit \$rc")
array_id="${array_id%%;*}"
merge_script="$(printf '%q' "$harness") merge $(printf '%q' "$out")/shards/shard-* --out $(printf '%q' "$out"); rc=\$?
if [ -e $(printf '%q' "$out")/report.json ]; then
  $(printf '%q' "$harness") report $(printf '%q' "$out") --force
  /usr/bin/python3 scripts/plot.py $(printf '%q' "$out") || echo 'plot.py failed (python3-matplotlib missing?)' >&2
fi
exit \$rc"
merge_args=("${common[@]}" --job-name lcz-merge --dependency "afterany:$array_id" --output "$out/logs/merge.log")
echo "sweep_slurm.sh: array job $array_id ($shards shards), logs in $out/logs" >&2
if [ $wait -eq 0 ]; then
  merge_id=$(sbatch "${merge_args[@]}" --wrap "$merge_script")
  echo "sweep_slurm.sh: merge job ${merge_id%%;*} runs after it; report in $out" >&2
  exit 0
fi
start=$(date +%s.%N)
set +e
sbatch "${merge_args[@]}" --wait --wrap "$merge_script" >/dev/null
status=$?
set -e
end=$(date +%s.%N)
cat "$out/logs/merge.log" >&2
printf 'sweep_slurm.sh: merge job ended with %s, %.1f s after submission; report in %s\n' "$status" \
  "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$out" >&2
exit $status
