#!/usr/bin/env bash
# Every check of the project, in the order a failure is cheapest to find. The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "shared vectors are what tests/vectors/generate.py writes"
python3 tests/vectors/generate.py --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the core's optional wasm feature builds for the browser target"
cargo check --locked -p saps-core --features wasm --target wasm32-unknown-unknown

step "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "the workflow example runs (it fails if the rules accept a shortcut)"
cargo run --quiet --locked -p saps-core --example workflow >/dev/null

step "doctests"
cargo test --workspace --doc --locked

step "unit, vector, property and snapshot tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast --lib --bins --tests
fi
