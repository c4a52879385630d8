#!/usr/bin/env bash
# The Docker image's build stage, proven without a Docker daemon: exports the committed tree (git archive HEAD), keeps
# what .dockerignore lets into the build context ("*", then "!<top-level entry>" kept, "**/<name>" dropped at any
# depth; DockerfileTests pins these forms), and runs build/publish-server.sh there, as the Dockerfile's RUN does.
set -euo pipefail
cd "$(dirname "$0")/.."
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
git archive HEAD | tar -x -C "$context/"
keep=() drop=()
while IFS= read -r line; do
  case "$line" in
    ''|'#'*|'*') ;;
    '!'*) keep+=("${line#!}") ;;
    '**/'*) drop+=("${line#\*\*/}") ;;
    *) echo ".dockerignore: unsupported pattern '$line'" >&2; exit 2 ;;
  esac
done < .dockerignore
for entry in "$context"/* "$context"/.[!.]*; do
  [ -e "$entry" ] || continue
  name=$(basename "$entry")
  printf '%s\n' "${keep[@]}" | grep -qxF "$name" || rm -rf "$entry"
done
for name in "${drop[@]}"; do
  find "$context" -depth -type d -name "$name" -exec rm -rf {} +
done
echo "build context: $(find "$context" -type f | wc -l) files in $(ls -A "$context" | tr '\n' ' ')"
bash "$context/build/publish-server.sh" "$context/app"
test -f "$context/app/VectorDb.Server.dll"
echo "docker build stage: published $(ls "$context/app" | wc -l) files"
