#!/usr/bin/env bash
# THE command a session with a GPU runs on the device machine, from the repository root (device tool `run` with
# carry: [".gpu"], made by bench/gpu/package.sh):
#   bash bench/gpu/run-on-device.sh            # everything, about 6-9 minutes on an H100
#   bash bench/gpu/run-on-device.sh search     # only the harness part (if a first run was cut at the 10-minute limit)
# Writes to $OUT (the device tool's output folder; /tmp/vectordb-gpu-out when unset):
#   nvidia-smi.txt, gpubench.log + gpu.json        GPU checks vs the CPU scorer, 1M x 768 scoring rate, batch of 64
#   search-<set>-<cpu|gpu>.json/.log               flat 4-bit, re-rank x4 / x8 / auto (recall@10 >= 0.99 settings),
#                                                  exact scoring on the CPU or the GPU
#   exact-<set>-<cpu|gpu>.json/.log                exact brute force (--index exact), one query per call and batches of 64
#   summary.txt                                    exit code and seconds of every step
# Every step has its own time limit; a failed step is recorded and the next one runs. Exit code: 0 when every step
# passed.
set -uo pipefail
OUT=${OUT:-/tmp/vectordb-gpu-out}
what=${1:-all}
mkdir -p "$OUT"
summary="$OUT/summary.txt"
failures=0

step() {  # step <name> <seconds> <command...>: runs with a limit, logs to $OUT/<name>.log, records the exit code
    local name=$1 limit=$2
    shift 2
    local start=$SECONDS
    timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
    local rc=$?
    echo "$name rc=$rc $((SECONDS - start))s" | tee -a "$summary"
    tail -n 25 "$OUT/$name.log"
    if (( rc != 0 )); then failures=$((failures + 1)); fi
}

bin=/tmp/vectordb-gpu/vectordb-gpu
if [[ ! -x $bin/VectorDb.Harness ]]; then
    mkdir -p /tmp/vectordb-gpu && tar -xJf .gpu/gpu.tar.xz -C /tmp/vectordb-gpu || { echo "no .gpu/gpu.tar.xz: run bench/gpu/package.sh and carry .gpu" >&2; exit 2; }
fi
echo "package from commit $(cat $bin/COMMIT); $(date -u +%FT%TZ)" | tee -a "$summary"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.max.memory,driver_version --format=csv > "$OUT/nvidia-smi.txt" 2>&1
cat "$OUT/nvidia-smi.txt"

if [[ $what == all || $what == bench ]]; then
    step gpubench 330 "$bin/VectorDb.GpuBench" --json "$OUT/gpu.json"
fi

if [[ $what == all || $what == search ]]; then
    harness="$bin/VectorDb.Harness"
    # name, folder, queries. The shared sets are used when the checkout has them (shared/ travels with the tree).
    sets=("glove20k datasets/glove-100-angular-20k 200")
    for name in glove-100-angular fashion-mnist-784-euclidean; do
        for folder in shared/datasets/$name ../shared/datasets/$name; do
            if [[ -f $folder/base.fvecs ]]; then sets+=("$name $folder 1000"); break; fi
        done
    done
    for entry in "${sets[@]}"; do
        read -r name folder queries <<< "$entry"
        for on in cpu gpu; do
            step "search-$name-$on" 150 "$harness" search --data "$folder" --queries "$queries" --bits 4 --rerank 4,8,auto \
                --rerank-on "$on" --json "$OUT/search-$name-$on.json"
            step "exact-$name-$on" 120 "$harness" search --data "$folder" --queries "$queries" --index exact \
                --rerank-on "$on" --threads "$(nproc)" --json "$OUT/exact-$name-$on.json"
        done
    done
fi
echo "failed steps: $failures" | tee -a "$summary"
exit $(( failures > 0 ))
