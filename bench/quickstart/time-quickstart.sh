#!/usr/bin/env bash
# Wall time of README's quick start on a fresh clone, step by step: clone, server start (its first `dotnet run` builds
# it), CLI set-up, create, import of the 20k GloVe slice, search of its 200 queries, count.
#   --cli run:  every CLI command through `dotnet run` (README's quick start before issue 15)
#   --cli tool: `dotnet pack` + `dotnet tool install --tool-path .tools` once, then .tools/vectordb (after)
# The tool is installed with a private NuGet package folder, so that this run neither reads nor leaves a cached
# VectorDb.Cli package in ~/.nuget/packages. Prints "step<TAB>seconds" lines.
# usage: bench/quickstart/time-quickstart.sh --repo <path or url> [--rev <commit>] --cli run|tool [--port <grpc port>]
set -euo pipefail
repo="" rev="" cli="" port=7334
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo="$2"; shift 2 ;;
    --rev) rev="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$repo" ] && [[ "$cli" =~ ^(run|tool)$ ]] || { sed -n 2,9p "$0" >&2; exit 2; }
rest=$((port + 1))
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
step() { printf '%s\t%.1f\n' "$1" "$(echo "$(now) - $2" | bc)"; }

t=$(now); git clone --quiet "$repo" "$work/repo"; [ -z "$rev" ] || git -C "$work/repo" checkout --quiet "$rev"; step clone "$t"
cd "$work/repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

t=$(now)
dotnet run -c Release --project src/Api/VectorDb.Server -- --urls "http://127.0.0.1:$port" --rest-urls "http://127.0.0.1:$rest" \
  > "$work/server.log" 2>&1 &
server_pid=$!
until curl -sf "http://127.0.0.1:$rest/collections" > /dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
step "server start (first run builds it)" "$t"

if [ "$cli" = tool ]; then
  t=$(now)
  dotnet pack -c Release src/Api/VectorDb.Cli -o artifacts/tools > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }
  NUGET_PACKAGES="$work/nuget-packages" dotnet tool install --tool-path .tools --add-source artifacts/tools VectorDb.Cli > "$work/install.log" 2>&1 \
    || { cat "$work/install.log"; exit 1; }
  step "cli set-up (pack + tool install)" "$t"
  run_cli() { .tools/vectordb --server "http://127.0.0.1:$port" "$@"; }
else
  run_cli() { dotnet run -c Release --project src/Api/VectorDb.Cli -- --server "http://127.0.0.1:$port" "$@"; }
fi

t=$(now); run_cli create glove --dim 100 --metric cosine --bits 4 > /dev/null; step create "$t"
t=$(now); run_cli import glove datasets/glove-100-angular-20k/base.fvecs --quiet > /dev/null; step "import 20k" "$t"
t=$(now); run_cli search glove --queries datasets/glove-100-angular-20k/query.fvecs --k 10 --json "$work/results.json" --quiet > /dev/null
step "search 200 queries" "$t"
t=$(now); run_cli count glove > /dev/null; step "count" "$t"
