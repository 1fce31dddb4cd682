// Runs one fixed form check of a built pkg/ N times, for scripts/wasm-instructions.sh:
//   node scripts/wasm-call-loop.mjs PKG_DIR "CALL NAME" N    (or PKG_DIR --list)
import { createRequire } from "node:module";
import { callsOf, fixedCases } from "./form-calls.mjs";

const [pkg, call, n] = process.argv.slice(2);
const calls = callsOf(createRequire(import.meta.url)(`${pkg}/node/saps_rules.js`), fixedCases);
if (call === "--list") {
  console.log(Object.keys(calls).join("\n"));
} else {
  const run = calls[call];
  if (!run) throw new Error(`no fixed call named ${call}`);
  for (let i = 0; i < Number(n); i++) run();
}
