#!/usr/bin/env bash
# docs/BENCHMARKS.md §8, overload: the server on the MLP of §4 (http-setup), its capacity measured closed-loop
# (`modelactors bench --url`, 64 connections, after a warm-up), then an open-loop load at FACTOR × that capacity for
# SECONDS with up to MAXCONN client connections (OverloadBenchmark), the server's RSS sampled every second.
# Usage: tests/ModelActors.Benchmarks/overload.sh [seconds, default 300] [max connections, default 16000] [factor, default 3] [serve options...]
# CONNECTION_COST=1 then also measures what an open connection costs a fresh server (ConnectionCostBenchmark).
# Extra environment for the server (GC settings, say) passes through: DOTNET_gcServer=0 tests/.../overload.sh 60
# The server runs on core 0 and every client on core 1 (taskset): on a 2-core machine a client that shares the
# server's cores takes its capacity, and no client here could offer 3x a 2-core server's rate.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_SECONDS="${1:-300}"
MAXCONN="${2:-16000}"
FACTOR="${3:-3}"
shift $(( $# < 3 ? $# : 3 ))
PORT=5093
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" # where the hard limit is lower (20,000 here), MAXCONN must stay under it

dotnet build -c Release src/Host >/dev/null
dotnet build -c Release tests/ModelActors.Benchmarks >/dev/null
HOST=src/Host/bin/Release/net10.0/ModelActors.Host.dll
BENCH=tests/ModelActors.Benchmarks/bin/Release/net10.0/linux-x64/ModelActors.Benchmarks.dll
DIR="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; cp "$DIR/server.log" "${TMPDIR:-/tmp}/overload-server.log" 2>/dev/null; rm -rf "$DIR"' EXIT
dotnet "$BENCH" http-setup "$DIR"

taskset -c 0 dotnet "$HOST" serve --config "$DIR/bench.json" --model-repository "$DIR/repo" --urls "http://127.0.0.1:$PORT" --grpc-url "" \
  --ModelActors:DefaultTimeout=00:00:05 "$@" >"$DIR/server.log" 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null; do sleep 0.2; done
rss() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$SERVER/status"; }
echo "server RSS when ready: $(rss) MiB"

URL="http://127.0.0.1:$PORT/v2/models/mlp/infer"
taskset -c 1 dotnet "$HOST" bench mlp "@$DIR/body.json" --url "http://127.0.0.1:$PORT" -c 64 -d 00:00:20 --json >/dev/null # warm-up (JIT)
CAPACITY=$(taskset -c 1 dotnet "$HOST" bench mlp "@$DIR/body.json" --url "http://127.0.0.1:$PORT" -c 64 -d 00:00:20 --json \
  | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["requests_per_second"]))')
echo "capacity (closed loop, 64 connections): $CAPACITY requests/s; server RSS idle after warm-up: $(rss) MiB"
RATE=$((CAPACITY * FACTOR))
echo "open loop: $RATE requests/s for $RUN_SECONDS s, up to $MAXCONN connections, deadline 5 s (+2 s for the client)"
taskset -c 1 dotnet "$BENCH" overload "$URL" "$DIR/body.json" "$RATE" "$RUN_SECONDS" "$MAXCONN" 5000 "$SERVER"
if [ "${CONNECTION_COST:-0}" = 1 ]; then # what an open connection costs, on a fresh server
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  dotnet "$HOST" serve --config "$DIR/bench.json" --model-repository "$DIR/repo" --urls "http://127.0.0.1:$PORT" --grpc-url "" >"$DIR/server.log" 2>&1 &
  SERVER=$!
  until curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null; do sleep 0.2; done
  dotnet "$BENCH" connection-cost "127.0.0.1:$PORT" "$MAXCONN" "$SERVER"
fi
kill -0 "$SERVER" 2>/dev/null && echo "server still up; RSS $(rss) MiB" || echo "SERVER DIED (its log: ${TMPDIR:-/tmp}/overload-server.log)"
