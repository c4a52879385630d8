#!/usr/bin/env bash
# A/B of the flat 4-bit scan (one query per call and four per call, no re-rank, GloVe-style inner product) between an
# older commit and the working tree, in alternating rounds on one machine: bench/compare/scan-ab (least time of R tries
# per query). Writes one JSON line per side and round to <out>/scan-ab.jsonl and prints them. Not run in CI.
#
# usage: bench/compare/scan-ab.sh --before <commit> [--data <dir>] [--queries N] [--repetitions R] [--rounds K]
#        [--before-format2]   the older commit already has code format 2 (else it is built with BEFORE_FORMAT2)
#        [--before-code-lists] the older commit already has residual code lists (else built with BEFORE_CODE_LISTS)
#        [--format <n>]      both sides search code format n (default: format 1 before, 2 after)
#        [--out <dir>]
#        [--paired]  load both builds into one process (bench/compare/scan-ab-paired) and time them query by query
#                    alternately: the ratio then holds under load (separate processes in turn vary ±15% per round)
set -euo pipefail
cd "$(dirname "$0")/../.."
before="" data="../shared/datasets/glove-100-angular" queries=200 repetitions=15 rounds=5 out="" format2=0 codelists=0 paired=0 format=""
while [ $# -gt 0 ]; do
  case "$1" in
    --before) before="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --repetitions) repetitions="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --before-format2) format2=1; shift ;;
    --before-code-lists) codelists=1; format2=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --paired) paired=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$before" ] || { echo "--before <commit> is required" >&2; exit 2; }
defines=()
[ "$format2" = 1 ] || defines+=(BEFORE_FORMAT2)
[ "$codelists" = 1 ] || defines+=(BEFORE_CODE_LISTS)
# Older builds name the vocabulary types differently (bench/compare/scan-ab/OlderVocabulary.cs).
git cat-file -e "$before:src/Vocabulary" 2>/dev/null || defines+=(BEFORE_VOCABULARY)
define=""
[ ${#defines[@]} = 0 ] || define="-p:DefineConstants=$(IFS=';'; echo "${defines[*]}" | sed 's/;/%3B/g')"
out=${out:-bench/results/compare/scan-ab-$(git rev-parse --short "$before")-$(git rev-parse --short HEAD)}
mkdir -p "$out"
work=$(mktemp -d)
trap 'git worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/before" "$before" >/dev/null
cp -r bench/compare/scan-ab "$work/scan-ab-before"
dotnet build -c Release bench/compare/scan-ab -o "$work/after" >/dev/null
dotnet build -c Release "$work/scan-ab-before" -p:Root="$work/before" $define -o "$work/before-bin" >/dev/null
if [ "$paired" = 1 ]; then
  dotnet build -c Release bench/compare/scan-ab-paired -o "$work/host" >/dev/null
  dotnet "$work/host/ScanAbPaired.dll" "$work/before-bin/VectorDb.Benchmarks.dll" "$work/after/VectorDb.Benchmarks.dll" \
    "$data" "$queries" "$repetitions" "$rounds" "${format:-1}" "${format:-2}" | tee "$out/scan-ab-paired.txt"
  exit 0
fi
: > "$out/scan-ab.jsonl"
for round in $(seq 1 "$rounds"); do
  dotnet "$work/before-bin/VectorDb.Benchmarks.dll" "$data" "$queries" "$repetitions" "${format:-1}" "before round $round" | tee -a "$out/scan-ab.jsonl"
  dotnet "$work/after/VectorDb.Benchmarks.dll" "$data" "$queries" "$repetitions" "${format:-2}" "after round $round" | tee -a "$out/scan-ab.jsonl"
done
