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
# esbuild's own launcher: npm installs it for whatever platform this is (it runs that platform's binary).
export ESBUILD_BIN="$ROOT/node_modules/.bin/esbuild"
# Local tooling never phones home.
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true WRANGLER_SEND_ERROR_REPORTS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false

# Builds skip themselves when nothing they read has changed. A stamp, target/stamps/<name>, holds the settings of the
# last successful build and is timed when that build started (so an input edited during a build is newer).
# `fresh <name> <settings> <output>... -- <input>...` is true when the stamp has these settings, every output exists
# and no input (a file, or a folder searched whole; `!path` leaves a path inside one out) is newer than the stamp.
# CAREHOOK_REBUILD=1 builds anyway.
fresh() {
  local stamp="$ROOT/target/stamps/$1" settings=$2 newer input roots=() prune=()
  shift 2
  [ "${CAREHOOK_REBUILD:-0}" != 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$settings" ] || return 1
  while [ $# -gt 0 ] && [ "$1" != -- ]; do [ -e "$1" ] || return 1; shift; done
  shift
  for input; do
    case $input in
      !*) prune+=(-path "${input#!}" -prune -o) ;;
      *) roots+=("$input") ;;
    esac
  done
  newer="$(find "${roots[@]}" "${prune[@]}" -newer "$stamp" -print -quit)" || return 1
  [ -z "$newer" ]
}
# The settings a Rust build depends on beyond its files: the compiler, and flags from the environment.
rust_settings() { printf '%s\n' "$(rustc -V)" "RUSTFLAGS=${RUSTFLAGS:-}" "$@"; }
# `stamp_begin <name> <settings>` before a build prints the path of a pending stamp (timed now); `stamp_end <name>
# <pending>` after it succeeded puts it in place. A failed build leaves the old stamp, so the next run builds again.
stamp_begin() {
  mkdir -p "$ROOT/target/stamps"
  local pending
  pending="$(mktemp "$ROOT/target/stamps/.$1.XXXXXX")"
  printf '%s' "$2" >"$pending"
  echo "$pending"
}
stamp_end() { mv -f "$2" "$ROOT/target/stamps/$1"; }
