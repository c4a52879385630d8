#!/usr/bin/env bash
# Where IVF starts to beat flat: for GloVe slices of growing size (first N base vectors, first Q queries, exact
# ground truth recomputed by `make-slice`), one flat and one IVF (default nlist, nprobe sweep) run of eden-unbiased
# 4-bit with auto re-rank, single thread. Read off, per size, the flat QPS and the QPS of the smallest nprobe whose
# recall@10 >= 0.95 (bench/results/search-*.md). Not run in CI.
#
# usage: bench/compare/flat-vs-ivf.sh [--data <glove dir>] [--sizes 10000,25000,...] [--queries 1000] [--out <dir>]
#        [--slices <dir>] [--no-build]
# The flat configuration runs twice in one process and the second row counts: the first configuration of a process
# pays for tiered JIT under load (its p50 came out up to 2x slow on the shared machine); IVF's first nprobe warms it.
set -euo pipefail
cd "$(dirname "$0")/../.."

data="../shared/datasets/glove-100-angular" sizes="10000,25000,50000,100000,200000" queries=1000
out="bench/results/search-flat-vs-ivf" slices="${TMPDIR:-/tmp}/vectordb-slices" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --slices) slices="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

[ "$build" = 0 ] || dotnet build -c Release bench/VectorDb.Harness >/dev/null
harness=(dotnet artifacts/bin/VectorDb.Harness/release/VectorDb.Harness.dll)
name=$(basename "$(realpath "$data")")
mkdir -p "$out" "$slices"
IFS=, read -ra list <<< "$sizes"
for n in "${list[@]}"; do
  folder="$slices/$name-$((n / 1000))k"   # the folder name keeps the metric (make-slice reads it from the name)
  if [ ! -s "$folder/groundtruth.ivecs" ]; then
    "${harness[@]}" make-slice --data "$data" --out "$folder" --base "$n" --queries "$queries"
  fi
  echo "== n=$n  $(uptime)"
  "${harness[@]}" search --data "$folder" --queries "$queries" --bits 4 --rerank auto,auto --json "$out/flat-$n.json"
  "${harness[@]}" search --data "$folder" --queries "$queries" --bits 4 --index ivf --nprobe 4,8,16,32,64,128 \
    --rerank auto --json "$out/ivf-$n.json"
done
/usr/bin/python3 bench/compare/flat_vs_ivf_table.py "$out"
