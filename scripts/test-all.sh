#!/usr/bin/env bash
# Every check of the project, in the order a failure is cheapest to find. The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step shows the disk left: a cold build is several GB, and a full disk is the first thing to rule out.
step() { printf '\n== %s (disk free: %s)\n' "$*" "$(df -h --output=avail . | tail -1 | tr -d ' ')"; }

# A fresh machine lacks the browser and the npm tools: install them first (once).
for tool in node npm /usr/bin/chromium /usr/bin/chromedriver cargo-nextest java curl wrk cargo-zigbuild qemu-aarch64; do
  command -v "$tool" >/dev/null || { bash scripts/install-prereqs.sh; break; }
done
python3 -c 'import moto.server' 2>/dev/null || bash scripts/install-prereqs.sh
command -v schemathesis >/dev/null || bash scripts/install-prereqs.sh
command -v cfn-lint >/dev/null || bash scripts/install-prereqs.sh
[[ -d node_modules/@axe-core/playwright ]] || npm ci --no-audit --no-fund

step "format"
cargo fmt --all --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy on the browser target (saps-wasm and its tests)"
cargo clippy -p saps-wasm --all-targets --target wasm32-unknown-unknown --locked -- -D warnings
cargo clippy -p saps-wasm --all-targets --target wasm32-unknown-unknown --features all-rules --locked -- -D warnings

step "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "the rules' workflow example runs (it fails if the rules accept a shortcut)"
cargo run --quiet --locked -p saps-core --example workflow >/dev/null

step "doctests"
cargo test --workspace --doc --locked

step "start DynamoDB Local and moto's S3 on 127.0.0.1 (stopped by pid on exit)"
# shellcheck source=scripts/services.sh
source scripts/services.sh
answers=$(mktemp)
cleanup() { stop_services; rm -f "$answers"; }
trap cleanup EXIT
start_services

step "the AWS SAM template: cfn-lint with no warnings; its table equal to the store's create_table, and its table and bucket made in DynamoDB Local and moto for the tests below"
cfn-lint deploy/template.yaml
cargo build --quiet --locked -p saps-lambda --bin saps-server
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export SAPS_TEMPLATE_TABLE="$target_dir/template-table.json"
python3 deploy/check_table.py "$SAPS_DYNAMODB_ENDPOINT" "$target_dir/debug/saps-server" "$SAPS_TEMPLATE_TABLE"
export SAPS_TEMPLATE_BUCKET="saps-template-$$"
python3 deploy/local_bucket.py "$SAPS_S3_ENDPOINT" "$SAPS_TEMPLATE_BUCKET"

step "unit, vector, property, snapshot, fuzz (core's JSON entry points, the HTTP extractors; 20,000 cases each) and store conformance tests (both backends)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast --lib --bins --tests
fi

step "the arm64 Lambda build (scripts/build-lambda.sh): an AArch64 ELF needing glibc <= 2.34 that answers API Gateway events under qemu-aarch64"
bash scripts/build-lambda.sh
bash scripts/check-lambda-arm64.sh

# ---- the WASM surface (issue 3): Node, pkg/, headless Chromium

step "build pkg/ (saps-rules: the form module and every rule's, web + node, wasm-opt -Oz)"
bash scripts/build-pkg.sh

step "every vector through WASM in Node (both rule sets) and in headless Chromium (wasm-bindgen-test-runner)"
cargo test --locked -p saps-wasm --target wasm32-unknown-unknown
cargo test --locked -p saps-wasm --target wasm32-unknown-unknown --features all-rules
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/wasm/webdriver.json" \
  cargo test --locked -p saps-wasm --target wasm32-unknown-unknown --features all-rules --test vectors

step "every vector through pkg/ in Node equals the native answer"
cargo run --quiet --locked -p saps-core --example vector_answers >"$answers"
SAPS_NATIVE_ANSWERS="$answers" node --test tests/node/

step "a TypeScript consumer type-checks against pkg/'s .d.ts"
node_modules/.bin/tsc --noEmit -p tests/node

step "the portal: its API types are the server's OpenAPI document (regenerated and diffed), tsc, Vite build"
bash scripts/build-portal.sh --check

step "the portal in headless Chromium: every page in both languages at 1280 and 390 px with axe-core, a voucher's life with reloads, every role's screens (screenshots in artifacts/portal/)"
node --test --test-concurrency=1 tests/e2e/

step "schemathesis against saps-server --demo and its /v1/openapi.json: no 5xx, every answer as documented"
bash scripts/check-openapi.sh

step "the load script's requests (scripts/load-api.sh) are all answered 2xx on both backends (a smoke on the debug build; its figures mean nothing)"
SAPS_LOAD_SMOKE=1 bash scripts/load-api.sh

step "the README's main job (scripts/demo.sh) serves the API and the portal with demo data"
bash scripts/check-demo.sh

step "size and speed of pkg/ (report: pkg/web against its 150 KB gzipped budget, pkg/all against 200 KB)"
node scripts/wasm-report.mjs
