#!/usr/bin/env bash
# The load and fault test (server/examples/load.rs) against the release
# build, on loopback only. Long form (the figures in BENCHMARKS.md):
#   scripts/load.sh                # 200 users, 60 s per load phase
# Short form (run by scripts/test.sh):
#   scripts/load.sh --short        # 40 users, 10 s per load phase
# Extra arguments go to the driver (e.g. --phases sqlite,pg). It starts its
# own throwaway PostgreSQL cluster and SMTP sink, and needs root for the
# fault cases (a read-only bind mount and a small tmpfs for the data
# directory). The report is printed and written to target/load-report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
args=()
if [ "${1:-}" = "--short" ]; then
  shift
  args=(--users 40 --seconds 10 --fault-seconds 9)
fi
if [ "$(id -u)" != 0 ]; then
  echo "scripts/load.sh needs root: the fault cases mount a read-only bind mount and a small tmpfs" >&2
  exit 1
fi
target_dir="${CARGO_TARGET_DIR:-target}"
if [ ! -x "$target_dir/release/server" ] || [ ! -d "$target_dir/site/pkg" ]; then
  echo "==> Release build (missing)"
  cargo leptos build --release --precompress --split
fi
echo "==> Building the load driver"
cargo build -q -p server --example load --features app/ssr
pg_dir="$(mktemp -d /tmp/gatehouse-load-pg.XXXXXX)"
trap 'scripts/stop-postgres.sh "$pg_dir"' EXIT
eval "$(scripts/start-postgres.sh "$pg_dir")"
echo "==> Load and fault test (PostgreSQL at $TEST_DATABASE_URL)"
LOAD_SERVER_BIN="$target_dir/release/server" \
LEPTOS_SITE_ROOT="$target_dir/site" \
LOAD_PG_URL="$TEST_DATABASE_URL" \
LOAD_PG_DIR="$pg_dir" \
LOAD_SMTP_SINK="$PWD/scripts/smtp_sink.py" \
  "$target_dir/debug/examples/load" "${args[@]}" "$@" | tee "$target_dir/load-report.md"
