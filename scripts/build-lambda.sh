#!/usr/bin/env bash
# Builds the Lambda function's `bootstrap` as AWS runs it: arm64 (Graviton) on Amazon Linux 2023,
# so `aarch64-unknown-linux-gnu` linked against glibc 2.34 (AL2023's), with the Cargo profile
# `lambda` (size-optimized, LTO, stripped). cargo-zigbuild links with zig, which comes from the
# PyPI package `ziglang`; nothing else is fetched. The result is target/deploy/bootstrap, the
# SAM template's CodeUri (deploy/template.yaml).
#   bash scripts/build-lambda.sh
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add aarch64-unknown-linux-gnu >/dev/null
python3 -c 'import ziglang' 2>/dev/null || python3 -m pip install -q 'ziglang==0.17.1'
[[ $(cargo-zigbuild --version 2>/dev/null) == *0.24.1* ]] ||
  cargo install --locked cargo-zigbuild --version 0.24.1

cargo zigbuild --quiet --locked --profile lambda -p saps-lambda --bin bootstrap \
  --target aarch64-unknown-linux-gnu.2.34

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
mkdir -p target/deploy
cp "$target_dir/aarch64-unknown-linux-gnu/lambda/bootstrap" target/deploy/bootstrap
echo "built target/deploy/bootstrap: $(stat -c %s target/deploy/bootstrap) B (aarch64, glibc <= 2.34)"
