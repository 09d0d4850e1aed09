#!/usr/bin/env bash
# The HTTP benchmark of docs/BENCHMARKS.md §4: POST /v2/models/{m}/infer on the no-op tensor model and the ONNX MLP,
# 1 and 64 connections, measured with wrk (an independent client, from Debian's packages) and `modelactors bench`,
# side by side in one run with a bare Kestrel endpoint that parses the same body, and with the same models in-process.
# Usage: tests/ModelActors.Benchmarks/http.sh [seconds per row, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_ROW="${1:-10}"
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi

dotnet build -c Release src/Host >/dev/null
dotnet build -c Release tests/ModelActors.Benchmarks >/dev/null
HOST=src/Host/bin/Release/net10.0/ModelActors.Host.dll
BENCH=tests/ModelActors.Benchmarks/bin/Release/net10.0/linux-x64/ModelActors.Benchmarks.dll
DIR="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
dotnet "$BENCH" http-setup "$DIR"

dotnet "$HOST" serve --config "$DIR/bench.json" --model-repository "$DIR/repo" --urls http://127.0.0.1:5091 >"$DIR/server.log" 2>&1 &
dotnet "$BENCH" bare-kestrel http://127.0.0.1:5092 >"$DIR/bare.log" 2>&1 &
until curl -sf http://127.0.0.1:5091/v2/health/ready >/dev/null && curl -s -o /dev/null http://127.0.0.1:5092/; do sleep 0.2; done

cat >"$DIR/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$DIR/body.json", "r"); wrk.body = f:read("*a"); f:close()
LUA

wrk_row() { # label url connections
  local threads=1; [ "$3" -gt 1 ] && threads=2
  wrk -t"$threads" -c"$3" -d"${SECONDS_PER_ROW}s" --latency -s "$DIR/post.lua" "$2" >"$DIR/wrk.out"
  awk -v label="$1" -v c="$3" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {non2xx=$NF}
    /Socket errors/ {errors=$0}
    END {printf "| %s | %d | %s | %s | %s | %s | %s |\n", label, c, rps, p50, p90, p99, (non2xx==""?"0":non2xx) (errors==""?"":" ("errors")")}' "$DIR/wrk.out"
}

bench_row() { # label connections args...
  local label="$1" c="$2"; shift 2
  dotnet "$HOST" bench "$@" -c "$c" -d "00:00:$(printf %02d "$SECONDS_PER_ROW")" --json 2>/dev/null | python3 -c '
import json,sys; r=json.load(sys.stdin); l=r["latency_ms"]
print("| %s | %s | %.0f | %.3fms | %.3fms | %.3fms | %d rejected, %d errors |" % (sys.argv[1], sys.argv[2], r["requests_per_second"], l["p50"], l["p90"], l["p99"], r["rejections"], r["errors"]))' "$label" "$c"
}

# Warm-up: the JIT needs ~15 s of load before these servers reach their steady rate (measured: 3k → 7k → 11k req/s
# over the first three 5 s runs), so every route gets 20 s of load first; the figures below are steady state.
for url in http://127.0.0.1:5092/v2/models/noop/infer http://127.0.0.1:5091/v2/models/noop/infer http://127.0.0.1:5091/v2/models/mlp/infer; do
  wrk -t2 -c64 -d20s -s "$DIR/post.lua" "$url" >/dev/null
done

echo "| client → target | connections | requests/s | p50 | p90 | p99 | not OK |"
echo "|---|---:|---:|---:|---:|---:|---|"
for c in 1 64; do
  wrk_row "wrk → bare Kestrel (parse + write back)" http://127.0.0.1:5092/v2/models/noop/infer "$c"
  for model in noop mlp; do
    wrk_row "wrk → ModelActors $model" "http://127.0.0.1:5091/v2/models/$model/infer" "$c"
    bench_row "modelactors bench → ModelActors $model (HTTP)" "$c" "$model" "@$DIR/body.json" --url http://127.0.0.1:5091
    bench_row "modelactors bench → $model in-process" "$c" "$model" "@$DIR/body.json" --config "$DIR/bench.json" --model-repository "$DIR/repo"
  done
done
