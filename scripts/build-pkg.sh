#!/usr/bin/env bash
# Builds pkg/, the npm package `saps-rules`: saps-wasm for browsers (pkg/web, an ES module that
# needs no bundler) and for Node (pkg/node), optimized with binaryen's wasm-opt from npm. Each
# flavour twice: the form rules (pkg/web, pkg/node: what a browser form runs) and every rule
# (pkg/all/web, pkg/all/node: the feature `all-rules`, state changes included).
# Needs only crates.io and npm; installs the pinned wasm-bindgen CLI when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' Cargo.toml)
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $pinned" ]]; then
  echo "installing wasm-bindgen-cli $pinned" >&2
  # No --locked: the CLI's own lock file names a registry this machine cannot reach.
  cargo install wasm-bindgen-cli --version "$pinned"
fi
[[ -x node_modules/.bin/wasm-opt ]] || npm ci --no-audit --no-fund

# One `cargo metadata` gives both the shared target directory and the crate's version.
IFS=$'\t' read -r target_dir version < <(cargo metadata --format-version 1 --no-deps | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const m = JSON.parse(s);
    console.log(m.target_directory + "\t" + m.packages.find((p) => p.name === "saps-wasm").version);
  })')
rm -rf pkg && mkdir -p pkg
for module in forms all; do
  if [[ $module == all ]]; then features=(--features all-rules) prefix=pkg/all; else features=() prefix=pkg; fi
  cargo build -p saps-wasm --target wasm32-unknown-unknown --profile wasm-release "${features[@]}"
  wasm="$target_dir/wasm32-unknown-unknown/wasm-release/saps_wasm.wasm"
  for flavour in web:web node:nodejs; do
    dir="$prefix/${flavour%%:*}"
    wasm-bindgen --target "${flavour##*:}" --out-dir "$dir" --out-name saps_rules "$wasm"
    # Keep the names section out of the shipped module; -Oz for size, run to a fixed point
    # (--converge), with the first KB of memory known unused (Rust's data starts at 1 MiB):
    # 3.8 KB less gzipped than -Oz alone (2026-12-03).
    node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
      --strip-debug --strip-producers \
      "$dir/saps_rules_bg.wasm" -o "$dir/saps_rules_bg.wasm"
    # Each flavour declares its own module system, so Node never has to guess. The JavaScript
    # snippets (wasm/js/) are ES modules in both; the Node flavour loads them with require(esm).
    if [[ ${flavour%%:*} == web ]]; then type=module; else type=commonjs; fi
    echo "{ \"type\": \"$type\" }" > "$dir/package.json"
    echo '{ "type": "module" }' > "$dir/snippets/package.json"
  done
done

sed "s/@VERSION@/$version/" wasm/npm/package.json > pkg/package.json
cp wasm/npm/README.md pkg/README.md
echo "built pkg/ (saps-rules $version): $(du -b pkg/web/saps_rules_bg.wasm | cut -f1) bytes of wasm" \
  "($(du -b pkg/all/web/saps_rules_bg.wasm | cut -f1) with every rule, pkg/all)"
