#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release
# site, loads the demo organizations (printing how to sign in) and serves
# Gatehouse on http://127.0.0.1:3000 with SQLite in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
printf '\n==> Building Gatehouse (release; the first build takes several minutes)\n'
cargo leptos build --release --precompress --split
# Honour a CARGO_TARGET_DIR set by the user: the binary and the site live there.
target_dir="${CARGO_TARGET_DIR:-target}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$target_dir/site}"
# Development: emailed links appear at /admin/dev-mailbox instead of being
# sent (unless SMTP_URL is set). A production configuration never sets this.
if [ -z "${SMTP_URL:-}" ]; then
  export GATEHOUSE_DEV_MAILBOX="${GATEHOUSE_DEV_MAILBOX:-true}"
fi
"$target_dir/release/server" demo
exec "$target_dir/release/server" serve
