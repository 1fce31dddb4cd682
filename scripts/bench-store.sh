#!/usr/bin/env bash
# The store benchmark (issue 4): ops/s and p50/p99 of get, reserve, redeem-batch and directory
# page on SQLite and on DynamoDB Local, and directory-page latency at 1k vs 100k partners.
# SAPS_BENCH_PARTNERS=20000 makes the large directory smaller; SAPS_BENCH_BACKEND=sqlite|dynamodb
# runs one backend.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/services.sh
source scripts/services.sh
trap stop_services EXIT
start_services
cargo bench --locked -p saps-lambda --bench store
