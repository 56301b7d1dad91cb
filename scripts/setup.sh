#!/usr/bin/env bash
# Installs what Gatehouse needs to build, run and test, from the package
# registries only (crates.io, npm, Debian). Idempotent: whatever is already
# there at the right version is skipped. Nothing is downloaded from anywhere
# else, so this works behind a firewall that allows only the registries.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

CARGO_LEPTOS_VERSION=0.3.10   # the newest that installs with --locked on rustc 1.95
step() { printf '\n==> %s\n' "$*"; }

command -v cargo >/dev/null || { echo "Rust (cargo) is required: install it with rustup first." >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  step "Installing cargo-leptos $CARGO_LEPTOS_VERSION (takes ~15 minutes once)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

# The CLI must equal the wasm-bindgen library in Cargo.lock exactly.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  step "Installing wasm-bindgen-cli $WB_VERSION (takes ~3 minutes once)"
  # --locked fails: one of its locked dependency versions is gone from crates.io.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v node >/dev/null || missing+=(nodejs npm)
# The SMTP server the mail tests deliver to (scripts/smtp_sink.py).
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
if [ ${#missing[@]} -gt 0 ]; then
  step "Installing ${missing[*]} from Debian"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# wasm-opt (npm `binaryen`; Debian's is too old and breaks hydration),
# Playwright, axe-core for the accessibility checks, Lighthouse.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ] \
   || [ ! -d end2end/node_modules/@axe-core/playwright ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  step "Installing npm packages (binaryen, @playwright/test, @axe-core/playwright, lighthouse)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
echo "Setup complete: cargo-leptos $(cargo leptos --version | awk '{print $2}'), wasm-bindgen $WB_VERSION, $(wasm-opt --version | awk '{print $1, $3}')."
