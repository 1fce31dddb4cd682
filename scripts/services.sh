# Local stand-ins for AWS, sourced by scripts/test-all.sh and scripts/bench-store.sh:
# AWS's own DynamoDB Local (the jar in the npm package amplify-dynamodb-simulator, on Java 17)
# and moto's S3 server, both on 127.0.0.1 at free ports. `start_services` exports
# SAPS_DYNAMODB_ENDPOINT and SAPS_S3_ENDPOINT; `stop_services` stops them by pid.

SAPS_SERVICE_PIDS=()
SAPS_SERVICE_LOGS="${SAPS_SERVICE_LOGS:-target/services}"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for NAME URL PID: until URL answers over HTTP (any status), or the process dies.
wait_for() {
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 240); do
    if curl -s -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited; its log:" >&2
      cat "$SAPS_SERVICE_LOGS/$name.log" >&2
      return 1
    fi
    sleep 0.25
  done
  echo "$name did not answer at $url within 60 s" >&2
  return 1
}

start_services() {
  mkdir -p "$SAPS_SERVICE_LOGS"
  local emulator=node_modules/amplify-dynamodb-simulator/emulator
  [[ -f $emulator/DynamoDBLocal.jar ]] || npm ci --no-audit --no-fund
  export SAPS_DYNAMODB_LOCAL_DIR="$PWD/$emulator"

  local ddb_port s3_port
  ddb_port=$(free_port)
  java -Djava.library.path="$emulator/DynamoDBLocal_lib" -jar "$emulator/DynamoDBLocal.jar" \
    -inMemory -port "$ddb_port" -disableTelemetry >"$SAPS_SERVICE_LOGS/dynamodb.log" 2>&1 &
  SAPS_SERVICE_PIDS+=($!)
  wait_for dynamodb "http://127.0.0.1:$ddb_port/" "$!"
  export SAPS_DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port"

  s3_port=$(free_port)
  python3 -m moto.server -H 127.0.0.1 -p "$s3_port" >"$SAPS_SERVICE_LOGS/moto.log" 2>&1 &
  SAPS_SERVICE_PIDS+=($!)
  wait_for moto "http://127.0.0.1:$s3_port/" "$!"
  export SAPS_S3_ENDPOINT="http://127.0.0.1:$s3_port"
  echo "DynamoDB Local at $SAPS_DYNAMODB_ENDPOINT, moto S3 at $SAPS_S3_ENDPOINT"
}

stop_services() {
  local pid
  for pid in "${SAPS_SERVICE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SAPS_SERVICE_PIDS=()
}
