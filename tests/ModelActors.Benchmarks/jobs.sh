#!/usr/bin/env bash
# BENCHMARKS section 11: a durable job's items/s against the same items sent as requests, on SQLite and on a
# throwaway PostgreSQL server started here from Debian's package (initdb and pg_ctl, no systemd; the postgres user
# when run as root), and the journal's bytes per item. Usage: tests/ModelActors.Benchmarks/jobs.sh [noop items] [mlp items]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
noop=${1:-200000}
mlp=${2:-5000}
dotnet build -c Release "$here" --nologo -v q >/dev/null
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql): SQLite only" >&2
  exec dotnet "$here/bin/Release/net10.0/linux-x64/ModelActors.Benchmarks.dll" jobs "$noop" "$mlp"
fi
data=$(mktemp -d)
port=55433
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
as_pg "$bin/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; rm -rf "$data"' EXIT
as_pg "$bin/createdb" -h 127.0.0.1 -p $port -U postgres jobbench
dotnet "$here/bin/Release/net10.0/linux-x64/ModelActors.Benchmarks.dll" jobs "$noop" "$mlp" "Host=127.0.0.1;Port=$port;Database=jobbench;Username=postgres"
