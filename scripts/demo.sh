#!/usr/bin/env bash
# The main job: builds what is missing (the npm packages, pkg/, the portal and the server) and
# starts the local API with the partner portal on the embedded store, loaded with sample data. It
# prints a token per role; open http://127.0.0.1:3000 and choose a role under "Signed in as".
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
# The portal is rebuilt when missing or older than its sources, pkg/ or the API it is typed from.
if [[ ! -f portal/dist/index.html ]] ||
  [[ -n "$(find portal/src portal/index.html portal/package-lock.json pkg/web lambda/src -newer portal/dist/index.html -type f -print -quit)" ]]; then
  bash scripts/build-portal.sh
fi
exec cargo run --quiet -p saps-lambda --bin saps-server -- --demo "$@"
