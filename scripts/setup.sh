#!/usr/bin/env bash
# Installs what Bellwether needs to build and test, idempotently: the WASM target,
# wasm-bindgen-cli (same version as the crate), npm tools (sass, binaryen's wasm-opt,
# playwright-core for the browser tests) and, with --browser, Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the locked set needs a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x node_modules/.bin/sass ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -f node_modules/playwright-core/cli.js ]; then
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
