#!/usr/bin/env bash
# The main job: builds what is missing (the npm packages, pkg/ and the server) and starts the
# local API with the demo forms on the embedded store, loaded with sample data. It prints a
# token per role; open http://127.0.0.1:3000 to walk the workflow in a browser.
# Extra arguments go to saps-server (see `--help`), e.g. `--today 2027-05-15` or
# `--dynamodb-endpoint http://127.0.0.1:8000`.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -d node_modules ]] || npm ci --no-audit --no-fund
# pkg/ is rebuilt when missing or older than the rules it is built from (a pull that changed
# them would otherwise serve the page an old module).
wasm=pkg/web/saps_rules_bg.wasm
if [[ ! -f pkg/web/saps_rules.js || ! -f $wasm ]] ||
  [[ -n "$(find core/src core/data wasm/src Cargo.lock -newer "$wasm" -type f -print -quit)" ]]; then
  bash scripts/build-pkg.sh
fi
exec cargo run --quiet -p saps-lambda --bin saps-server -- --demo "$@"
