#!/usr/bin/env bash
# schemathesis (PyPI) against the running local server and its own OpenAPI document: as each demo
# role, generated requests to every operation must never get a 5xx, and every status, content
# type, header and body must be one the document declares. The server runs with --demo on a free
# port and a fresh data directory, and is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --locked -p saps-lambda --bin saps-server
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
log=$(mktemp)
"${CARGO_TARGET_DIR:-target}/debug/saps-server" --demo --addr "127.0.0.1:$port" --data-dir "$data" \
  --web-dir web --pkg-dir pkg >"$log" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data" "$log"' EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.2
done

checks=not_a_server_error,status_code_conformance,content_type_conformance
checks+=,response_schema_conformance,response_headers_conformance
for role in partner_admin program_admin; do
  token=$(awk -v role="$role" '$1 == role { print $2 }' "$log")
  [[ -n $token ]] || { echo "no $role token printed"; cat "$log"; exit 1; }
  echo "== schemathesis as $role"
  (cd tests/openapi && PYTHONPATH=. schemathesis --config-file schemathesis.toml run "$base/v1/openapi.json" \
    --header "Authorization: Bearer $token" --checks "$checks" --workers 2 --no-color)
done
