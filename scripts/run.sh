#!/usr/bin/env bash
# Sets everything up and runs Bellwether on the embedded database (./data), at http://127.0.0.1:3000.
# Extra arguments go to `bellwether serve` (e.g. --bind 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build-site.sh --release
cargo build -p server
exec ./target/debug/bellwether serve "$@"
