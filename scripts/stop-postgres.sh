#!/usr/bin/env bash
# Stops and removes a cluster started by scripts/start-postgres.sh DIR.
set -uo pipefail
dir="${1:?usage: stop-postgres.sh DIR}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -d "$dir/data" ]; then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1
  else "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1; fi
fi
rm -rf "$dir"
