# `saps-server --demo` on a free 127.0.0.1 port, sourced by scripts/check-openapi.sh and
# scripts/load-api.sh. Uses free_port and wait_for from scripts/services.sh.
# shellcheck source=scripts/services.sh
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"

DEMO_PID=

# start_demo_server BINARY DATA_DIR [FLAGS...]: sets DEMO_BASE and DEMO_PID; its output (with a
# token per role) goes to $SAPS_SERVICE_LOGS/saps-server.log.
start_demo_server() {
  local binary=$1 data=$2 port
  shift 2
  mkdir -p "$SAPS_SERVICE_LOGS"
  port=$(free_port)
  "$binary" --demo --addr "127.0.0.1:$port" --data-dir "$data" --portal-dir portal/dist "$@" \
    >"$SAPS_SERVICE_LOGS/saps-server.log" 2>&1 &
  DEMO_PID=$!
  DEMO_BASE="http://127.0.0.1:$port"
  wait_for saps-server "$DEMO_BASE/healthz" "$DEMO_PID"
}

# demo_token ROLE: the token the running demo server printed for ROLE.
demo_token() {
  local token
  token=$(awk -v role="$1" '$1 == role { print $2 }' "$SAPS_SERVICE_LOGS/saps-server.log")
  [[ -n $token ]] || { echo "saps-server printed no $1 token" >&2; return 1; }
  echo "$token"
}

stop_demo_server() {
  [[ -n $DEMO_PID ]] || return 0
  kill "$DEMO_PID" 2>/dev/null || true
  wait "$DEMO_PID" 2>/dev/null || true
  DEMO_PID=
}
