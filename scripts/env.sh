# Sourced by the other scripts: puts the project's npm tools (wasm-opt from
# the `binaryen` package, Playwright) and cargo's binaries on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
