#!/usr/bin/env bash
# Installs what a fresh machine lacks for scripts/test-all.sh: the pinned toolchain's components
# and the wasm and arm64 targets, Debian's chromium and chromium-driver, a CJK font, python3, wrk,
# qemu-user with arm64 glibc, cargo-nextest, cargo-zigbuild with zig, moto, schemathesis, cfn-lint
# and the npm packages. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The toolchain, components and wasm target pinned in rust-toolchain.toml (rustup installs any
# that are missing on first use; asking explicitly makes a failure obvious here).
rustup show active-toolchain >/dev/null
rustup component add rustfmt clippy >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null
# The Lambda function is built for arm64 (scripts/build-lambda.sh).
rustup target add aarch64-unknown-linux-gnu >/dev/null

# Debian packages: headless Chromium and its driver for the browser tests, a CJK font so the
# Chinese screenshots are legible, python3 for the vector generator and moto, curl to see the
# local services answer, wrk for the API's load figures (scripts/load-api.sh).
# qemu-user and Debian's arm64 glibc run the arm64 Lambda binary (scripts/check-lambda-arm64.sh);
# binutils' readelf reads its header and symbol versions.
wanted=(python3 chromium chromium-driver fonts-wqy-microhei curl wrk qemu-user libc6-arm64-cross binutils)
# DynamoDB Local runs on Java 17; install Debian's headless JRE only when no java is present.
command -v java >/dev/null || wanted+=(openjdk-17-jre-headless)
python3 -m pip --version >/dev/null 2>&1 || wanted+=(python3-pip)
# Node and npm may come from elsewhere than Debian; install Debian's only when they are absent.
command -v node >/dev/null || wanted+=(nodejs)
command -v npm >/dev/null || wanted+=(npm)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo nextest --version >/dev/null 2>&1 || cargo install cargo-nextest
# moto's S3 server stands in for S3 in the blob-store tests.
python3 -c 'import moto.server' 2>/dev/null || python3 -m pip install -q 'moto[server]==5.2.5'
# schemathesis checks the API against its own OpenAPI document (scripts/check-openapi.sh).
[[ $(schemathesis --version 2>/dev/null) == *4.32.5 ]] || python3 -m pip install -q 'schemathesis==4.32.5'
# zig (PyPI's ziglang) and cargo-zigbuild link the arm64 Lambda binary against glibc 2.34.
python3 -c 'import ziglang' 2>/dev/null || python3 -m pip install -q 'ziglang==0.17.1'
[[ $(cargo-zigbuild --version 2>/dev/null) == *0.24.1* ]] ||
  cargo install --locked cargo-zigbuild --version 0.24.1
# cfn-lint checks the AWS SAM template (deploy/template.yaml).
[[ $(cfn-lint --version 2>/dev/null) == *1.58.0 ]] || python3 -m pip install -q 'cfn-lint==1.58.0'
# npm ci also brings the DynamoDB Local jar (amplify-dynamodb-simulator).
npm ci --no-audit --no-fund
npm ci --prefix portal --no-audit --no-fund
# scripts/build-pkg.sh installs the pinned wasm-bindgen CLI when it is missing.
