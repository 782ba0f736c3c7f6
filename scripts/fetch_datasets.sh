#!/usr/bin/env bash
# Makes the nets of datasets/manifest.tsv available in datasets/nets/ (git-ignored):
#   scripts/fetch_datasets.sh                 link the nets found in ../shared/datasets
#   scripts/fetch_datasets.sh --link DIR      link the nets found in DIR
#   scripts/fetch_datasets.sh --download      download what is missing (needs a connection)
# Every file is checked against the manifest's SHA-256 where one is known; a mismatch fails.
# Then: build/bin/harness --config configs/sweep.json --datasets datasets/nets
set -euo pipefail
cd "$(dirname "$0")/.."
src="../shared/datasets"
download=0
while [ $# -gt 0 ]; do
  case "$1" in
    --link) src="$2"; shift 2 ;;
    --download) download=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "fetch_datasets.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
dest=datasets/nets
mkdir -p "$dest"
status=0
while IFS=$'\t' read -r name sha bytes url note; do
  [ "$name" = "name" ] && continue
  target="$dest/$name"
  if [ ! -e "$target" ] && [ -f "$src/$name" ]; then
    ln -s "$(cd "$src" && pwd)/$name" "$target"
  fi
  if [ ! -e "$target" ] && [ $download -eq 1 ] && [ "$url" != "-" ]; then
    echo "downloading $name" >&2
    curl -fL --retry 3 -o "$target.part" "$url" && mv "$target.part" "$target" || { rm -f "$target.part"; echo "FAILED to download $name" >&2; status=1; continue; }
  fi
  if [ ! -e "$target" ]; then
    echo "missing:  $name ($note)" >&2
    continue
  fi
  actual=$(sha256sum "$target" | cut -d' ' -f1)
  if [ "$sha" = "-" ]; then
    echo "present:  $name sha256 $actual (no digest in the manifest to check against)"
  elif [ "$actual" = "$sha" ]; then
    echo "verified: $name"
  else
    echo "MISMATCH: $name sha256 $actual, manifest says $sha" >&2
    status=1
  fi
done < datasets/manifest.tsv
exit $status
