#!/usr/bin/env bash
# Success-plan figures: the plan builder page rendered on the server for plans of 30, 100 and
# 300 tasks, the customer's shared page, and the plan as JSON. Release build; loopback only;
# bounded (BENCH_REQUESTS sequential requests per scenario, default 200).
set -euo pipefail
cd "$(dirname "$0")/.."
RUST_LOG=${RUST_LOG:-error} cargo bench -p server --bench plans
