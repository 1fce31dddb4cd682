#!/usr/bin/env bash
# schemathesis (PyPI) against the running local server and its own OpenAPI document: as each demo
# role, generated requests to every operation must never get a 5xx, and every status, content
# type, header and body must be one the document declares. The server runs with --demo on a free
# port and a fresh data directory, and is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh

cargo build --quiet --locked -p saps-lambda --bin saps-server
data=$(mktemp -d)
trap 'stop_demo_server; rm -rf "$data"' EXIT
start_demo_server "${CARGO_TARGET_DIR:-target}/debug/saps-server" "$data"

checks=not_a_server_error,status_code_conformance,content_type_conformance
checks+=,response_schema_conformance,response_headers_conformance
for role in partner_admin program_admin customer_admin; do
  token=$(demo_token "$role")
  echo "== schemathesis as $role"
  (cd tests/openapi && PYTHONPATH=. schemathesis --config-file schemathesis.toml run "$DEMO_BASE/v1/openapi.json" \
    --header "Authorization: Bearer $token" --checks "$checks" --workers 2 --no-color)
done
