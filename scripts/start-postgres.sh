#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port, as the
# `postgres` user (initdb refuses root), and prints the URL to use as
# TEST_DATABASE_URL. Usage: eval "$(scripts/start-postgres.sh DIR)"; the
# cluster is stopped with scripts/stop-postgres.sh DIR.
set -euo pipefail
dir="${1:?usage: start-postgres.sh DIR}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries are missing (apt-get install postgresql)" >&2
  exit 1
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$dir"
chown postgres:postgres "$dir" 2>/dev/null || true
run_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
run_as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log" 2>&1
run_as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
