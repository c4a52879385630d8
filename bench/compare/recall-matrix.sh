#!/usr/bin/env bash
# Recall rows of a refactor's A/B: runs the harness's `search` over a fixed set of configurations (flat at b = 1/2/4/8,
# IVF, format 1 with batches of 1 and 4, eden-biased and tq-prod, fixed re-rank with float16 originals, the collection
# mean only, cosine, SIFT L2 flat and IVF) in the given checkout and prints each result row without its timings, so
# that two checkouts' outputs can be compared with diff. The harness must be built there (dotnet build -c Release
# bench/VectorDb.Harness). Not run in CI.
#
# usage: bench/compare/recall-matrix.sh <checkout> [<datasets dir>]   (default: ../shared/datasets beside this one)
# e.g.:  git worktree add --detach /tmp/before main && dotnet build -c Release /tmp/before/bench/VectorDb.Harness
#        bench/compare/recall-matrix.sh /tmp/before > before.txt; bench/compare/recall-matrix.sh . > after.txt
#        diff before.txt after.txt
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
checkout="$(cd "${1:?usage: recall-matrix.sh <checkout> [<datasets dir>]}" && pwd)"
D="$(cd "${2:-$here/../shared/datasets}" && pwd)"
cd "$checkout"
run() { dotnet run -c Release --no-build --project bench/VectorDb.Harness -- search "$@" 2>&1 | grep "R@10" | sed -E 's/QPS=.*reranked/reranked/'; }
run --data "$D/debian-minilm-384-20k-angular" --bits 1,2,4,8 --rerank none
run --data "$D/debian-minilm-384-20k-angular" --bits 4 --index ivf --nprobe 4,16 --rerank none,auto
run --data "$D/debian-minilm-384-20k-angular" --bits 4 --format 1 --batch 1,4 --rerank none,auto
run --data "$D/debian-minilm-384-20k-angular" --bits 4 --scheme eden-biased,tq-prod --rerank auto
run --data "$D/debian-minilm-384-20k-angular" --bits 4 --rerank 4 --originals f16
run --data "$D/debian-minilm-384-20k-angular" --bits 4 --code-lists off --batch 4 --rerank none
run --data "$D/debian-minilm-384-20k-angular" --bits 2 --metric cosine --rerank auto
run --data "$D/sift-5k-128-euclidean" --bits 1,4 --rerank none,auto
run --data "$D/sift-5k-128-euclidean" --bits 4 --index ivf --nprobe 8 --rerank auto --batch 1,4
