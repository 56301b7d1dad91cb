#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release
# site, loads the demo organizations (printing how to sign in) and serves
# Gatehouse on http://127.0.0.1:3000 with SQLite in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
printf '\n==> Building Gatehouse (release; the first build takes several minutes)\n'
cargo leptos build --release --precompress
target/release/server demo
exec target/release/server serve
