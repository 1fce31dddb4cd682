#!/usr/bin/env bash
# Instructions per form-check call from JS in Node, counted by valgrind's callgrind: unlike the
# wall-clock medians of wasm-report.mjs, the count does not move with the load of a shared
# machine, so two builds can be compared by ratio. Run scripts/build-pkg.sh first.
#   bash scripts/wasm-instructions.sh [PKG_DIR]   (default: pkg/)
# For each call it counts a run of N and of 11·N calls; the difference over 10·N is the cost of
# one call, start-up cancelled out. V8 runs in its predictable mode (one thread, fixed seeds)
# and compiles the module once with its optimizing tier, so two counts of one build agree
# within 0.1%.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=$(realpath "${1:-pkg}")
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
n=${SAPS_INSTRUCTION_CALLS:-300}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

count() { # call, calls -> instructions of the whole process
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
    node --predictable --no-liftoff --no-wasm-tier-up scripts/wasm-call-loop.mjs "$pkg" "$1" "$2" 2>"$out" >/dev/null
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out"
}

while IFS= read -r call; do
  few=$(count "$call" "$n")
  many=$(count "$call" $((11 * n)))
  echo "instructions per call, $call: $(((many - few) / (10 * n)))"
done < <(node scripts/wasm-call-loop.mjs "$pkg" --list)
