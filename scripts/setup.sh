#!/usr/bin/env bash
# Installs what Bellwether needs to build and test, idempotently: the WASM target,
# wasm-bindgen-cli (same version as the crate), npm tools (sass, binaryen's wasm-opt,
# playwright-core for the browser tests, swagger-ui-dist for the API reference page),
# and, with --browser (what the tests need), schemathesis for the API's contract test and
# Debian's Chromium.
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

if [ ! -x node_modules/.bin/sass ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -f node_modules/playwright-core/cli.js ] || [ ! -f node_modules/swagger-ui-dist/swagger-ui-bundle.js ]; then
  npm ci --no-audit --no-fund
fi

# schemathesis (PyPI), for the REST API's contract test (server/tests/it/contract.rs), in a
# virtualenv of its own under target/. Only for the tests (`--browser`, as scripts/test.sh asks):
# building and running the app needs no Python.
SCHEMATHESIS_VERSION=4.32.5
if [ "${1:-}" = "--browser" ] && [ "$(target/schemathesis/bin/schemathesis --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]; then
  python3 -m venv target/schemathesis
  target/schemathesis/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
