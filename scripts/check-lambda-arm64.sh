#!/usr/bin/env bash
# Checks the arm64 `bootstrap` of scripts/build-lambda.sh as Lambda would run it: an AArch64
# ELF whose highest required glibc symbol version is at most 2.34 (Amazon Linux 2023's), and
# that it answers API Gateway v2 events when started under qemu-aarch64 (Debian's qemu-user,
# with Debian's arm64 glibc as its root) against the loopback Lambda Runtime API test
# (lambda/tests/lambda_runtime.rs). Prints its size and its cold start under emulation.
# Needs SAPS_DYNAMODB_ENDPOINT and SAPS_S3_ENDPOINT (scripts/services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

binary=target/deploy/bootstrap
[[ -x $binary ]] || bash scripts/build-lambda.sh

header=$(readelf -h "$binary")
grep -q 'Class:.*ELF64' <<<"$header" || { echo "$binary is not ELF64" >&2; exit 1; }
grep -q 'Machine:.*AArch64' <<<"$header" || { echo "$binary is not AArch64" >&2; exit 1; }

newest=$(readelf -V --wide "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
if [[ $(printf '%s\n2.34\n' "$newest" | sort -V | tail -1) != 2.34 ]]; then
  echo "$binary needs glibc $newest; Amazon Linux 2023 has 2.34" >&2
  exit 1
fi
echo "$binary: AArch64 ELF64, $(stat -c %s "$binary") B, highest glibc symbol version $newest (<= 2.34)"

# Lambda starts the binary itself; here qemu-user starts it, through a one-line wrapper.
wrapper=$(mktemp) out=$(mktemp)
trap 'rm -f "$wrapper" "$out"' EXIT
printf '#!/bin/sh\nexec qemu-aarch64 -L /usr/aarch64-linux-gnu %q "$@"\n' "$PWD/$binary" >"$wrapper"
chmod +x "$wrapper"
if ! SAPS_BOOTSTRAP="$wrapper" cargo nextest run --locked -p saps-lambda --test lambda_runtime \
  --no-capture >"$out" 2>&1; then
  cat "$out" >&2
  echo "the arm64 bootstrap failed the Lambda Runtime API test under qemu-aarch64" >&2
  exit 1
fi
echo "under qemu-aarch64: $(grep -o 'first answered request: .*' "$out")"
