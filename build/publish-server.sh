#!/usr/bin/env bash
# Restores and publishes the server (Release) into the folder given. The Dockerfile's build stage runs this on the
# build context (what .dockerignore lets through); CI runs it on the same files exported from git
# (.ci/docker-context.sh), so a change that breaks the image's build fails CI without a Docker daemon.
set -euo pipefail
out="${1:?usage: build/publish-server.sh <output folder>}"
cd "$(dirname "$0")/.."
dotnet restore src/Api/VectorDb.Server/VectorDb.Server.csproj
dotnet publish src/Api/VectorDb.Server/VectorDb.Server.csproj -c Release --no-restore -o "$out"
