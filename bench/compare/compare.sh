#!/usr/bin/env bash
# Side by side: FAISS (Debian's python3-faiss 1.7.3, a generic non-SIMD build: trust its recall, not its speed) and
# VectorDb on the same dataset folder and the same first N queries, single thread, one table.
# FAISS: exact Flat, SQ8, SQ4, PQ (8-bit codes) and PQ fast scan (4-bit) at 4, 2 and 1 bits per coordinate, HNSW32
# (efSearch 16..256), IVF-PQ fast scan with and without exact re-rank. VectorDb: flat eden-unbiased / tq-mse /
# tq-prod at 1, 2, 4 bits (re-rank none and auto) and IVF 4-bit (nprobe sweep, re-rank none and auto).
# Not run in CI.
#
# usage: bench/compare/compare.sh --data <dir> [--queries N] [--nlist N] [--out <dir>] [--reuse-faiss]
#   --reuse-faiss  keep <out>/<name>-faiss.json from an earlier run (the FAISS side takes minutes to hours here)
set -euo pipefail
cd "$(dirname "$0")/../.."

data="" queries=200 nlist=0 out="bench/results/compare" reuse=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --nlist) nlist="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --reuse-faiss) reuse=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$data" ] || { echo "--data <dir> is required" >&2; exit 2; }

if ! /usr/bin/python3 -c 'import faiss, numpy' 2>/dev/null; then
  echo "installing Debian's python3-faiss and python3-numpy" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-faiss python3-numpy >/dev/null
fi

name=$(basename "$(realpath "$data")")
mkdir -p "$out"
if [ "$reuse" = 0 ] || [ ! -s "$out/$name-faiss.json" ]; then
  /usr/bin/python3 bench/compare/faiss_baseline.py --data "$data" --queries "$queries" --json "$out/$name-faiss.json"
fi
harness=(dotnet run -c Release --project bench/VectorDb.Harness --)
"${harness[@]}" search --data "$data" --queries "$queries" --scheme eden-unbiased,tq-mse,tq-prod --bits 1,2,4 \
  --rerank none,auto --json "$out/$name-vectordb-flat.json"
"${harness[@]}" search --data "$data" --queries "$queries" --bits 4 --index ivf --nlist "$nlist" \
  --nprobe 4,8,16,32,64,128 --rerank none,auto --json "$out/$name-vectordb-ivf.json"
/usr/bin/python3 bench/compare/table.py "$out/$name-faiss.json" "$out/$name-vectordb-flat.json" "$out/$name-vectordb-ivf.json" \
  | tee "$out/$name-table.txt"
