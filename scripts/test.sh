#!/usr/bin/env bash
# Sets everything up and runs every test: unit, integration (real server on mem://, a SIGKILL
# durability test on surrealkv://), and end-to-end (real Chromium driving the real server).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser

echo "== unit and integration tests"
# SurrealDB's debug-build query execution runs deep on a test thread's 2 MiB default stack (one
# survey test was measured within ~300 KB of it); 8 MiB keeps a margin that future queries won't eat.
export RUST_MIN_STACK=8388608
# The real SurrealDB server (`surreal`) the multi-node and backup tests start.
cargo build -p surreal-server
# One build: the server turns on the app's `ssr` feature for both.
cargo test -p app -p server

echo "== end-to-end tests"
./scripts/build-site.sh --release
# The download budget: fails if the first load grew past it.
./scripts/wasm-size.sh
# The server binary was built by `cargo test -p server` above (the durability test runs it);
# a separate `cargo build` would only rebuild it with other dependency features.
cargo test -p end2end -- --test-threads=1
