#!/usr/bin/env bash
# Starts the README's main job (scripts/demo.sh) on a free port and a fresh data directory,
# checks that it answers the API, the portal with its saps-rules module, and the demo tokens, and stops it by pid.
set -euo pipefail
cd "$(dirname "$0")/.."

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
log=$(mktemp)
bash scripts/demo.sh --addr "127.0.0.1:$port" --data-dir "$data" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data" "$log"' EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
grep -q '^  partner_admin ' "$log" || { echo "no partner_admin token printed"; cat "$log"; exit 1; }
token=$(awk '$1 == "partner_admin" { print $2 }' "$log")
# Each body is read whole before it is searched: `curl | grep -q` fails under pipefail when grep
# stops reading at its first match while curl is still writing.
has() { local needle=$1 body; shift; body=$(curl -fsS "$@") && grep -q -- "$needle" <<<"$body"; }
has 'id="root"' "$base/" || { echo "the portal is not served"; exit 1; }
index=$(curl -fsS "$base/")
[[ $index =~ assets/index-[A-Za-z0-9_-]+\.js ]] || { echo "the portal names no script"; exit 1; }
script=$(curl -fsS "$base/${BASH_REMATCH[0]}") || { echo "the portal's script is not served"; exit 1; }
[[ $script =~ saps_rules_bg-[A-Za-z0-9_-]+\.wasm ]] || { echo "the portal's script loads no saps-rules module"; exit 1; }
curl -fsS -o /dev/null "$base/assets/${BASH_REMATCH[0]}" || { echo "the portal's saps-rules module is not served"; exit 1; }
has program_admin "$base/demo/tokens"
has DEMOM3650001 -H "authorization: Bearer $token" "$base/v1/partners/1001/vouchers?state=assigned"
has 'Fabrikam Advisory' "$base/v1/directory"
echo "demo answers on $base"
