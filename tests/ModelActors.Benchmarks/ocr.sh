#!/usr/bin/env bash
# The OCR benchmark of docs/BENCHMARKS.md §6: POST /models/ocr/predict with the sample image (3 lines of text),
# 8 concurrent clients (wrk, and modelactors bench), on the default configuration with the recognizer's batching
# on (MaxBatchSize 16) and off (MaxBatchSize 1: one crop per model call), one server after the other.
# Usage: tests/ModelActors.Benchmarks/ocr.sh [seconds per row, default 20] [more serve options, e.g.
#        --ModelActors:Models:text-detector:Replicas=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_ROW="${1:-20}"
shift || true
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi
dotnet build -c Release src/Host >/dev/null
HOST=src/Host/bin/Release/net10.0/ModelActors.Host.dll
DIR="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
dotnet "$HOST" samples "$DIR" >/dev/null
printf '{"image": "%s"}' "$(base64 -w0 "$DIR/text.png")" >"$DIR/body.json"
cat >"$DIR/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$DIR/body.json", "r"); wrk.body = f:read("*a"); f:close()
LUA

echo "| recognizer MaxBatchSize | client | requests/s | p50 | p90 | p99 | not OK |"
echo "|---:|---|---:|---:|---:|---:|---|"
for batch in 16 1; do
  dotnet "$HOST" serve --urls http://127.0.0.1:5093 --ModelActors:Models:text-recognizer:MaxBatchSize=$batch --Logging:LogLevel:Default=Warning "$@" >"$DIR/server.log" 2>&1 &
  server=$!
  until curl -sf http://127.0.0.1:5093/v2/health/ready >/dev/null; do sleep 0.3; done
  wrk -t2 -c8 -d10s -s "$DIR/post.lua" http://127.0.0.1:5093/models/ocr/predict >/dev/null   # warm-up
  wrk -t2 -c8 -d"${SECONDS_PER_ROW}s" --latency -s "$DIR/post.lua" http://127.0.0.1:5093/models/ocr/predict >"$DIR/wrk.out"
  awk -v b="$batch" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "| %s | wrk -c8 | %s | %s | %s | %s | %s |\n", b, rps, p50, p90, p99, (bad==""?"0":bad)}' "$DIR/wrk.out"
  dotnet "$HOST" bench ocr "@$DIR/body.json" --url http://127.0.0.1:5093 -c 8 -d "00:00:$(printf %02d "$SECONDS_PER_ROW")" --json 2>/dev/null | python3 -c '
import json,sys; r=json.load(sys.stdin); l=r["latency_ms"]
print("| %s | modelactors bench -c 8 | %.1f | %.1fms | %.1fms | %.1fms | %d rejected, %d errors |" % (sys.argv[1], r["requests_per_second"], l["p50"], l["p90"], l["p99"], r["rejections"], r["errors"]))' "$batch"
  kill "$server"; wait "$server" 2>/dev/null || true
done
