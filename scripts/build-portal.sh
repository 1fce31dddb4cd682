#!/usr/bin/env bash
# Builds the partner portal into portal/dist: its npm packages, its API types regenerated from
# the server's OpenAPI document (portal/src/api/schema.d.ts, committed), a type check, and Vite.
# `--check` also fails when the committed API types differ from the server's document, so a route
# or shape that drifts is caught even before `tsc` is.
# Needs pkg/ (scripts/build-pkg.sh): the portal checks its forms with saps-rules.
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
[[ ${1:-} == --check ]] && check=true

[[ -d portal/node_modules ]] || npm ci --prefix portal --no-audit --no-fund

openapi=$(mktemp --suffix .json)
trap 'rm -f "$openapi"' EXIT
cargo run --quiet --locked -p saps-lambda --example openapi >"$openapi"
(cd portal && SAPS_OPENAPI="$openapi" npm run --silent api-types >/dev/null)
if $check && ! git diff --quiet -- portal/src/api/schema.d.ts; then
  git --no-pager diff --stat -- portal/src/api/schema.d.ts
  echo "portal/src/api/schema.d.ts is not the server's OpenAPI document: run scripts/build-portal.sh and commit it" >&2
  exit 1
fi
(cd portal && npm run --silent check && npm run --silent build -- --logLevel warn)
echo "portal built into portal/dist"
