#!/usr/bin/env bash
# Speed side by side in one command: FAISS 1.15 (../shared/tools/faiss-1.15-avx512, AVX-512 build) and VectorDb on
# the same dataset folder, the same first N queries, one thread on both sides. Each side measures one query per call
# (N calls) and batched (all N queries in one call: FAISS's index.search(xq), VectorDb's SearchBatch via
# `--batch N`), REPEAT times in a row per configuration. The two sides run interleaved, R rounds, alternating which
# goes first, with the load average logged before and after each, so a ratio is always taken within one round (the
# median of each side's repetitions) and reported as the range over rounds.
#   FAISS:    bench/compare/faiss_speed_factory.py: PQ{d}x4fs (flat fast scan) and EDEN2 (FAISS's 2-bit EDEN, one
#             repetition per round), indexes trained once and cached for the later rounds; without --flat-only
#             also ../shared/tools/faiss_speed.py (its PQ{d}x4fs row, HNSW32 ef 64/128/256, IVF-PQfs + RFlat
#             nprobe 32/64/128; one repetition each).
#   VectorDb: flat eden-unbiased 4 and 2 bits, no re-rank; without --flat-only also IVF 1024 lists, 4 bits,
#             nprobe 32/64/128, auto re-rank.
# Writes <out>/round<r>-faiss.json, round<r>-vectordb-{flat,ivf}.json, load.tsv and table.md (speed_table.py).
# Not run in CI.
#
# usage: bench/compare/speed.sh --data <dir> [--queries N] [--rounds R] [--repeat N] [--flat-only] [--out <dir>]
set -euo pipefail
cd "$(dirname "$0")/../.."

data="" queries=1000 rounds=3 repeat=3 out="" flat_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --flat-only) flat_only=1; shift ;;
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
batches=$(for _ in $(seq 1 "$repeat"); do printf '1,%s,' "$nq"; done)
harness=(dotnet run -c Release --no-build --project bench/VectorDb.Harness -- search --data "$data" --queries "$nq" --batch "${batches%,}")
faiss_python=(env PYTHONPATH="$tools/faiss-1.15-avx512" OMP_NUM_THREADS=1 /usr/bin/python3)
dim=$(head -c4 "$data/base.fvecs" | od -An -tu4 | tr -d ' ')
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
load1() { cut -d' ' -f1 /proc/loadavg; }

faiss_side() {  # $1 = round
  local file="$out/round$1-faiss.json"
  {
    "${faiss_python[@]}" bench/compare/faiss_speed_factory.py "$data" "$metric" "$nq" "$repeat" "$cache" "PQ${dim}x4fs"
    # EDEN2 scans float codes at ~100-200 QPS: one repetition per round is enough for a ratio of ~30x and up.
    "${faiss_python[@]}" bench/compare/faiss_speed_factory.py "$data" "$metric" "$nq" 1 "$cache" EDEN2
    if [ "$flat_only" = 0 ]; then
      "${faiss_python[@]}" "$tools/faiss_speed.py" "$data" "$metric" "$nq"
    fi
  } > "$file.jsonl"
  "${faiss_python[@]}" - "$file.jsonl" "$file" "$name" "$nq" <<'EOF2'
import json, sys, faiss
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
json.dump({"engine": "faiss", "faiss": faiss.__version__ + " " + faiss.get_compile_options().strip(), "threads": 1,
           "dataset": sys.argv[3], "n_query": int(sys.argv[4]), "rows": rows}, open(sys.argv[2], "w"), indent=1)
EOF2
  rm "$file.jsonl"
}

vectordb_side() {  # $1 = round
  "${harness[@]}" --bits 4,2 --rerank none --json "$out/round$1-vectordb-flat.json"
  if [ "$flat_only" = 0 ]; then
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
