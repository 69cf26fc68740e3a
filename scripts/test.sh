#!/usr/bin/env bash
# Sets everything up and runs every test: unit, integration (real server on mem://, a SIGKILL
# durability test on surrealkv://), and end-to-end (real Chromium driving the real server).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser

echo "== unit and integration tests"
# One build: the server turns on the app's `ssr` feature for both.
cargo test -p app -p server

echo "== end-to-end tests"
./scripts/build-site.sh --release
# The server binary was built by `cargo test -p server` above (the durability test runs it);
# a separate `cargo build` would only rebuild it with other dependency features.
cargo test -p end2end -- --test-threads=1
