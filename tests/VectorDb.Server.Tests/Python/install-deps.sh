#!/usr/bin/env bash
# Installs what the Python client test needs, from Debian's own packages: the gRPC runtime for Python and protoc with
# the gRPC Python plugin (Debian's python3-grpc-tools bundles protoc 3.5, too old for proto3 `optional`).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc)
apt-get install -y "${packages[@]}" || { apt-get update && apt-get install -y "${packages[@]}"; }
