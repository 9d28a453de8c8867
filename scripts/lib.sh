# Sourced by every script: where carehook keeps its tools, and the PATH that finds them.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CAREHOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carehook}"
TOOLS="$CACHE/tools"
BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml")"
WORKER_BUILD_VERSION="0.8.7"
BINDGEN_DIR="$TOOLS/wasm-bindgen-$BINDGEN_VERSION"
WORKER_BUILD_DIR="$TOOLS/worker-build-$WORKER_BUILD_VERSION"
PATH="$BINDGEN_DIR/bin:$WORKER_BUILD_DIR/bin:$ROOT/node_modules/.bin:$PATH"
# The Debian route to a wasm32 standard library (see scripts/bootstrap) puts its cargo first.
if [ -e "$CACHE/debian-rust" ]; then PATH="/usr/bin:$PATH"; fi
export PATH CACHE TOOLS ROOT
# worker-build must not download anything: point it at the tools installed here.
export WASM_BINDGEN_BIN="$BINDGEN_DIR/bin/wasm-bindgen"
export WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"
# Local tooling never phones home.
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true WRANGLER_SEND_ERROR_REPORTS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
