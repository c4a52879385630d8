#!/usr/bin/env bash
# Publishes VectorDb.GpuBench and the harness self-contained for linux-x64 (no .NET needed on the GPU machine) into
# one folder and packs it as .gpu/gpu.tar.xz (git-ignored) for bench/gpu/run-on-device.sh.
#   bench/gpu/package.sh            # from the repository root; prints the archive's size
# The archive travels to the device machine with the device tool's carry: [".gpu"]; the 20k GloVe slice travels with
# the repository. Both together must stay well under 60 MiB (the carry limit is 64 MiB).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d /tmp/vectordb-gpu-package.XXXXXX)
trap 'rm -rf "$stage"' EXIT
app="$stage/vectordb-gpu"
publish=(-c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -p:DebugType=none -p:DebugSymbols=false
         -p:SatelliteResourceLanguages=en --artifacts-path "$stage/artifacts")
dotnet publish "$root/bench/VectorDb.GpuBench" "${publish[@]}" -o "$app"
dotnet publish "$root/bench/VectorDb.Harness" "${publish[@]}" -o "$app"
rm -f "$app"/*.xml  # API docs of the libraries: not needed to run
git -C "$root" rev-parse HEAD > "$app/COMMIT"
mkdir -p "$root/.gpu"
XZ_OPT=-9 tar -cJf "$root/.gpu/gpu.tar.xz" -C "$stage" vectordb-gpu
archive=$(stat -c %s "$root/.gpu/gpu.tar.xz")
slice=$(du -sb "$root/datasets/glove-100-angular-20k" | cut -f1)
echo "packed $root/.gpu/gpu.tar.xz: $((archive / 1024 / 1024)) MiB ($archive bytes); with the 20k slice ($((slice / 1024 / 1024)) MiB): $(((archive + slice) / 1024 / 1024)) MiB; commit $(cat "$app/COMMIT")"
if (( archive + slice > 60 * 1024 * 1024 )); then
    echo "error: archive + slice exceed 60 MiB" >&2
    exit 1
fi
