#!/usr/bin/env bash
# The API's figures (issue 5), with the binaries built as they ship (Cargo profile `lambda`):
# - the stripped size of `bootstrap`, and its cold start (process start to first answered
#   request, through a loopback Lambda Runtime API: lambda/tests/lambda_runtime.rs), 5 runs;
# - wrk against `saps-server --demo` on the embedded store and on DynamoDB Local: requests/s,
#   p50 and p99 for GET /v1/vouchers/{n}, GET /v1/directory and POST .../reservation, each
#   reservation on a voucher no other request reserved (tests/load/reserve.lua).
# wrk and the server share this machine's cores, so the figures are a lower bound.
# SAPS_LOAD_SECONDS (default 10) sets each read run's length; reservations run for half of it.
# SAPS_LOAD_BACKEND=embedded|dynamodb runs one backend.
# SAPS_LOAD_SMOKE=1 (CI) only checks that every request the runs send is answered 2xx: the debug
# build, 2 s runs, no bootstrap figures, a small pool of vouchers. Its figures mean nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh

seconds=${SAPS_LOAD_SECONDS:-10}
threads=2
connections=16
day=2026-03-02
smoke=${SAPS_LOAD_SMOKE:-}
if [[ -n $smoke ]]; then
  seconds=2 cold_starts=0
  profile=dev target=${CARGO_TARGET_DIR:-$PWD/target}/debug
  export SAPS_LOAD_POOL_EMBEDDED=${SAPS_LOAD_POOL_EMBEDDED:-8000} SAPS_LOAD_POOL_DYNAMODB=${SAPS_LOAD_POOL_DYNAMODB:-2000}
else
  cold_starts=5
  profile=lambda target=${CARGO_TARGET_DIR:-$PWD/target}/lambda
fi

cargo build --quiet --locked --profile "$profile" -p saps-lambda --bins

work=$(mktemp -d)
cleanup() {
  stop_demo_server
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT
start_services

if ((cold_starts > 0)); then
  echo "bootstrap (profile lambda, stripped): $(stat -c %s "$target/bootstrap") B"
fi
for run in $(seq 1 "$cold_starts"); do
  SAPS_BOOTSTRAP="$target/bootstrap" cargo nextest run --locked -p saps-lambda --test lambda_runtime \
    --no-capture 2>&1 | grep -o 'first answered request: .*' | sed "s/^/cold start run $run: /"
done

# wrk_run NAME ARGS...: one wrk run; prints "NAME req/s p50 p99" and fails on any non-2xx answer.
wrk_run() {
  local name=$1 out
  shift
  out=$(wrk --threads "$threads" --connections "$connections" --latency "$@")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "$name: some answers were not 2xx:" >&2
    echo "$out" >&2
    return 1
  fi
  printf '| %s | %s | %s | %s |\n' "$name" \
    "$(awk '/^Requests\/sec/ { printf "%d", $2 }' <<<"$out")" \
    "$(awk '$1 == "50%" { print $2 }' <<<"$out")" \
    "$(awk '$1 == "99%" { print $2 }' <<<"$out")"
}

# load BACKEND POOL [server flags...]: the three runs against a fresh demo server.
load() {
  local backend=$1 pool=$2
  shift 2
  start_demo_server "$target/saps-server" "$work/$backend" --today "$day" "$@"
  local base=$DEMO_BASE partner admin
  partner=$(demo_token partner_admin)
  admin=$(demo_token program_admin)
  curl -fsS -o /dev/null -X POST -H "authorization: Bearer $partner" -H 'content-type: application/json' \
    -d '{"programId":"desktop","locationIds":["11"]}' "$base/v1/partners/1001/enrollments"
  python3 tests/load/assign.py "$base" "$admin" "$pool"

  echo
  echo "$backend ($threads wrk threads, $connections connections; reads ${seconds} s, reservations $((seconds / 2)) s)"
  echo "| request | requests/s | p50 | p99 |"
  echo "| --- | ---: | ---: | ---: |"
  wrk_run "GET /v1/vouchers/{n}" --duration "${seconds}s" \
    --header "Authorization: Bearer $partner" "$base/v1/vouchers/DEMOM3650001"
  wrk_run "GET /v1/directory" --duration "${seconds}s" "$base/v1/directory?programId=desktop"
  export THREADS=$threads TOKEN=$partner DAY=$day
  wrk_run "POST /v1/vouchers/{n}/reservation" \
    --duration "$((seconds / 2))s" --script tests/load/reserve.lua "$base"
  stop_demo_server
}

wants() { [[ -z ${SAPS_LOAD_BACKEND:-} || $SAPS_LOAD_BACKEND == "$1" ]]; }
if wants embedded; then
  load embedded "${SAPS_LOAD_POOL_EMBEDDED:-80000}"
fi
if wants dynamodb; then
  load dynamodb "${SAPS_LOAD_POOL_DYNAMODB:-8000}" --dynamodb-endpoint "$SAPS_DYNAMODB_ENDPOINT" \
    --table "load-$(date +%s)"
fi
