#!/usr/bin/env bash
# Speed side by side in one command: FAISS 1.15 (../shared/tools/faiss-1.15-avx512, AVX-512 build) and VectorDb on
# the same dataset folder, the same first N queries, one thread on both sides. Each side measures one query per call
# (N calls) and batched (all N queries in one call: FAISS's index.search(xq), VectorDb's SearchBatch via
# `--batch N`). The two sides run interleaved, R rounds, alternating which goes first, with the load average logged
# before and after each, so a ratio is always taken within one round and reported as the range over rounds.
#   FAISS:    ../shared/tools/faiss_speed.py (PQ{d}x4fs flat fast scan, HNSW32 ef 64/128/256, IVF-PQfs + RFlat
#             nprobe 32/64/128) and bench/compare/faiss_speed_factory.py (EDEN2: FAISS's 2-bit EDEN).
#   VectorDb: flat eden-unbiased 4 and 2 bits, no re-rank; IVF 1024 lists, 4 bits, nprobe 32/64/128, auto re-rank.
# Writes <out>/round<r>-faiss.json, round<r>-vectordb-{flat,ivf}.json, load.tsv and table.md (speed_table.py).
# Not run in CI on the full data (CI runs it on the 20k slice with --queries 20 --rounds 1 --quick as a smoke test).
#
# usage: bench/compare/speed.sh --data <dir> [--queries N] [--rounds R] [--out <dir>] [--quick]
#   --quick  flat rows only on both sides (no HNSW, IVF or EDEN): seconds instead of minutes
set -euo pipefail
cd "$(dirname "$0")/../.."

data="" queries=1000 rounds=3 out="" quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$data" ] || { echo "--data <dir> is required" >&2; exit 2; }
tools="$(realpath ../shared/tools)"
[ -d "$tools/faiss-1.15-avx512" ] || { echo "FAISS 1.15 not found at $tools/faiss-1.15-avx512 (../shared/tools)" >&2; exit 2; }
/usr/bin/python3 -c 'import numpy, packaging' 2>/dev/null || {
  echo "FAISS 1.15 needs Debian's python3-numpy python3-packaging libopenblas0-openmp libgomp1 (apt-get install -y ...)" >&2
  exit 2
}

name=$(basename "$(realpath "$data")")
metric=ip
case "$name" in *euclidean*) metric=l2 ;; esac
nq=$(/usr/bin/python3 -c "import os; f='$data/query.fvecs'; d=int.from_bytes(open(f,'rb').read(4),'little'); print(min($queries, os.path.getsize(f)//(4*(d+1))))")
out="${out:-bench/results/compare/speed-$name-$(date -u +%Y-%m-%d)}"
mkdir -p "$out"
printf 'round\tside\tstart_utc\tload1_before\tload1_after\n' > "$out/load.tsv"

dotnet build bench/VectorDb.Harness -c Release -v quiet -nologo >/dev/null
harness=(dotnet run -c Release --no-build --project bench/VectorDb.Harness -- search --data "$data" --queries "$nq" --batch "1,$nq")
load1() { cut -d' ' -f1 /proc/loadavg; }

faiss_side() {  # $1 = round
  local file="$out/round$1-faiss.json"
  {
    if [ "$quick" = 0 ]; then
      PYTHONPATH="$tools/faiss-1.15-avx512" OMP_NUM_THREADS=1 /usr/bin/python3 "$tools/faiss_speed.py" "$data" "$metric" "$nq"
      PYTHONPATH="$tools/faiss-1.15-avx512" OMP_NUM_THREADS=1 /usr/bin/python3 bench/compare/faiss_speed_factory.py "$data" "$metric" "$nq" EDEN2
    else
      PYTHONPATH="$tools/faiss-1.15-avx512" OMP_NUM_THREADS=1 /usr/bin/python3 bench/compare/faiss_speed_factory.py "$data" "$metric" "$nq" \
        "PQ$(head -c4 "$data/base.fvecs" | od -An -tu4 | tr -d ' ')x4fs"
    fi
  } > "$file.jsonl"
  PYTHONPATH="$tools/faiss-1.15-avx512" /usr/bin/python3 - "$file.jsonl" "$file" "$name" "$nq" <<'EOF'
import json, sys, faiss
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
json.dump({"engine": "faiss", "faiss": faiss.__version__ + " " + faiss.get_compile_options().strip(), "threads": 1,
           "dataset": sys.argv[3], "n_query": int(sys.argv[4]), "rows": rows}, open(sys.argv[2], "w"), indent=1)
EOF
  rm "$file.jsonl"
}

vectordb_side() {  # $1 = round
  "${harness[@]}" --bits 4,2 --rerank none --json "$out/round$1-vectordb-flat.json"
  if [ "$quick" = 0 ]; then
    "${harness[@]}" --bits 4 --index ivf --nlist 1024 --nprobe 32,64,128 --rerank auto --json "$out/round$1-vectordb-ivf.json"
  fi
}

timed_side() {  # $1 = round, $2 = faiss|vectordb
  local before start
  before=$(load1) start=$(date -u +%H:%M:%S)
  echo "round $1: $2 (load $before)" >&2
  "$2_side" "$1" >&2
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$start" "$before" "$(load1)" >> "$out/load.tsv"
}

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then
    timed_side "$round" faiss; timed_side "$round" vectordb
  else
    timed_side "$round" vectordb; timed_side "$round" faiss
  fi
done
/usr/bin/python3 bench/compare/speed_table.py "$out" | tee "$out/table.md"
