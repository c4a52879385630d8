#!/usr/bin/env bash
# Side by side: FAISS (Debian's python3-faiss, a generic non-SIMD build: trust its recall, not its speed) and
# VectorDb on the same dataset folder, single thread, one table. Not run in CI.
#
# usage: bench/compare/compare.sh --data <dir> [--queries N] [--out <dir>]
set -euo pipefail
cd "$(dirname "$0")/../.."

data="" queries=1000 out="bench/results/compare"
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
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
/usr/bin/python3 bench/compare/faiss_baseline.py --data "$data" --queries "$queries" --json "$out/$name-faiss.json"
harness=(dotnet run -c Release --project bench/VectorDb.Harness --)
"${harness[@]}" search --data "$data" --queries "$queries" --scheme eden-unbiased,tq-mse,tq-prod --bits 1,2,4 \
  --rerank none,auto --json "$out/$name-vectordb-flat.json"
"${harness[@]}" search --data "$data" --queries "$queries" --bits 4 --index ivf --nprobe 4,8,16,32,64 \
  --rerank none,auto --json "$out/$name-vectordb-ivf.json"
/usr/bin/python3 bench/compare/table.py "$out/$name-faiss.json" "$out/$name-vectordb-flat.json" "$out/$name-vectordb-ivf.json"
