#!/usr/bin/env bash
# The README's second command: runs every test. Unit, service (on SQLite and
# PostgreSQL) and HTTP tests with cargo, then the browser tests in Chromium
# against the release build. A part that cannot run (no PostgreSQL, no
# Chromium) fails the run; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  pg_dir="$(mktemp -d /tmp/gatehouse-pg.XXXXXX)"
  trap 'scripts/stop-postgres.sh "$pg_dir"' EXIT
  eval "$(scripts/start-postgres.sh "$pg_dir")"
  echo "==> Throwaway PostgreSQL at $TEST_DATABASE_URL"
fi
export TEST_DATABASE_URL

echo "==> Unit, service and HTTP tests"
cargo test -p app -p server --features app/ssr

echo "==> Release build for the browser tests"
cargo leptos build --release --precompress --split

echo "==> Browser tests (Playwright + /usr/bin/chromium)"
test -x /usr/bin/chromium || { echo "Chromium is missing at /usr/bin/chromium" >&2; exit 1; }
(cd end2end && npx playwright test)

echo "==> Load and fault test, short form"
scripts/load.sh --short
