#!/usr/bin/env bash
# Recall per bit, side by side in one command: VectorDb (what `create --bits b` gives: eden-unbiased, format 2 centred
# codes, default options; flat scan, no re-rank) and FAISS 1.15 (../shared/tools/faiss-1.15-avx512: EDEN and RaBitQ,
# each without and with its RR<d> random rotation, via ../shared/tools/faiss_perbit.py) at b = 1, 2, 4, 8, recall@10
# on the same first N queries, with bytes per vector. Recall does not depend on the machine. Not run in CI.
#
# usage: bench/compare/perbit.sh --data <dir> [--queries N] [--out <dir>] [--reuse-faiss] [--ivf <nlist>] [--seeds N]
#   --reuse-faiss  keep <out>/<name>-faiss-perbit.json from an earlier run (FAISS trains 16 indexes: minutes)
#   --ivf <nlist>  also VectorDb IVF with residual codes, every list probed (isolates code quality from probing)
#   --seeds N      also both sides over rotation seeds 1..N (ours: --seed; FAISS: seeded RandomRotationMatrix for the
#                  RR rows) and a table of means: one rotation is one draw, and seed-to-seed spread is a few tenths
set -euo pipefail
cd "$(dirname "$0")/../.."

data="" queries=1000 out="bench/results/compare" reuse=0 ivf=0 seeds=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --reuse-faiss) reuse=1; shift ;;
    --ivf) ivf="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$data" ] || { echo "--data <dir> is required" >&2; exit 2; }
tools="$(realpath ../shared/tools)"
[ -d "$tools/faiss-1.15-avx512" ] || { echo "FAISS 1.15 not found at $tools/faiss-1.15-avx512 (../shared/tools)" >&2; exit 2; }
if ! /usr/bin/python3 -c 'import numpy, packaging' 2>/dev/null; then
  echo "installing Debian's python3-numpy, python3-packaging, OpenBLAS and libgomp (FAISS 1.15's README)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-packaging \
    libopenblas0-openmp libgomp1 >/dev/null
fi

name=$(basename "$(realpath "$data")")
metric=ip
case "$name" in *euclidean*) metric=l2 ;; esac
nq=$(/usr/bin/python3 -c "import os,sys; f='$data/query.fvecs'; d=int.from_bytes(open(f,'rb').read(4),'little'); print(min($queries, os.path.getsize(f)//(4*(d+1))))")
mkdir -p "$out"
faiss_json="$out/$name-faiss-perbit.json"
if [ "$reuse" = 0 ] || [ ! -s "$faiss_json" ]; then
  PYTHONPATH="$tools/faiss-1.15-avx512" OMP_NUM_THREADS=1 /usr/bin/python3 "$tools/faiss_perbit.py" "$data" "$metric" "$nq" "$faiss_json"
fi
harness=(dotnet run -c Release --project bench/VectorDb.Harness --)
"${harness[@]}" search --data "$data" --queries "$nq" --bits 1,2,4,8 --rerank none --json "$out/$name-vectordb-perbit.json"
jsons=("$out/$name-vectordb-perbit.json")
if [ "$ivf" != 0 ]; then
  "${harness[@]}" search --data "$data" --queries "$nq" --bits 1,2,4,8 --rerank none --index ivf --nlist "$ivf" --nprobe "$ivf" \
    --json "$out/$name-vectordb-perbit-ivf.json"
  jsons+=("$out/$name-vectordb-perbit-ivf.json")
fi
/usr/bin/python3 bench/compare/perbit_table.py "$faiss_json" "${jsons[@]}" | tee "$out/$name-perbit-table.txt"
if [ "$seeds" != 0 ]; then
  seeds_json="$out/$name-faiss-perbit-seeds.json"
  if [ "$reuse" = 0 ] || [ ! -s "$seeds_json" ]; then
    PYTHONPATH="$tools/faiss-1.15-avx512" OMP_NUM_THREADS=1 /usr/bin/python3 bench/compare/faiss_perbit_seeds.py "$data" "$metric" "$nq" "$seeds" "$seeds_json"
  fi
  seed_jsons=()
  for seed in $(seq 1 "$seeds"); do
    "${harness[@]}" search --data "$data" --queries "$nq" --bits 1,2,4,8 --rerank none --seed "$seed" \
      --json "$out/$name-vectordb-perbit-seed$seed.json"
    seed_jsons+=("$out/$name-vectordb-perbit-seed$seed.json")
  done
  /usr/bin/python3 bench/compare/perbit_seeds_table.py "$seeds_json" "${seed_jsons[@]}" | tee "$out/$name-perbit-seeds-table.txt"
fi
