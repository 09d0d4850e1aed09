#!/usr/bin/env bash
# The gRPC benchmark of docs/BENCHMARKS.md §7: the same v2 inference (one FP32 [1,256] tensor) on the no-op tensor model
# and the ONNX MLP of §4, over gRPC (raw contents) and over HTTP (v2 JSON), from one C# client, side by side in one run
# against one server process. Usage: tests/ModelActors.Benchmarks/grpc.sh [seconds per row, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_ROW="${1:-10}"
dotnet build -c Release src/Host >/dev/null
dotnet build -c Release tests/ModelActors.Benchmarks >/dev/null
HOST=src/Host/bin/Release/net10.0/ModelActors.Host.dll
BENCH=tests/ModelActors.Benchmarks/bin/Release/net10.0/linux-x64/ModelActors.Benchmarks.dll
DIR="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
dotnet "$BENCH" http-setup "$DIR"
dotnet "$HOST" serve --config "$DIR/bench.json" --model-repository "$DIR/repo" --urls http://127.0.0.1:5091 --grpc-url http://127.0.0.1:5093 >"$DIR/server.log" 2>&1 &
until curl -sf http://127.0.0.1:5091/v2/health/ready >/dev/null; do sleep 0.2; done
dotnet "$BENCH" grpc-load http://127.0.0.1:5093 http://127.0.0.1:5091 "$DIR/body.json" "$SECONDS_PER_ROW"
