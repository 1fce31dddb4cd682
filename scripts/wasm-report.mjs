// Size and speed report of pkg/ (run scripts/build-pkg.sh first):
//   node scripts/wasm-report.mjs [--json]
// Sizes: the .wasm after wasm-opt, raw and gzipped (level 9), and the JS glue. Speed: median
// time per form-validation call from JS in Node, over 100,000 calls in 100 batches of 1,000
// (the functions' batches interleaved): three fixed calls, then every form check of the demo
// page on a valid and on an invalid input from the shared vectors (the invalid one with the most
// failing fields). Beside each call, its JSON hand-over alone, timed the same way without
// WebAssembly: its input written as JSON and copied out as UTF-8, its answer's UTF-8 decoded and
// parsed, as the bindings do around every call. No change to the module can take a call below
// that figure.
// Budgets (issue 18): the form module a browser loads (pkg/web) <= 150 KB gzipped (aim: 110 KB)
// and the module with every rule (pkg/all/web) <= 200 KB gzipped. serde's derives do not meet
// them yet (156.8 and 202.6 KB on 2026-12-03): each miss is reported loudly, not failed, while
// issue 18 stays open for them.
// Per-call time is reported as a median and as a ratio to its JSON hand-over, with no pass or
// fail on microseconds.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { callsOf, fixedCases } from "./form-calls.mjs";

const require = createRequire(import.meta.url);
const pkg = new URL("../pkg/", import.meta.url);
const rules = require("../pkg/node/saps_rules.js");
const bytes = (path) => readFileSync(new URL(path, pkg));
const wasm = bytes("web/saps_rules_bg.wasm");
const wasmAll = bytes("all/web/saps_rules_bg.wasm");
const KB = 1000;
// A flavour's JavaScript: the generated glue and the snippets it loads (wasm/js/).
const glueBytes = (flavour) => bytes(`${flavour}/saps_rules.js`).length
  + readdirSync(new URL(`${flavour}/snippets/`, pkg), { recursive: true })
    .filter((name) => name.endsWith(".js"))
    .reduce((sum, name) => sum + bytes(`${flavour}/snippets/${name}`).length, 0);

const cases = { ...fixedCases };

// The typed form checks of the demo page and the core rule each runs.
const formChecks = {
  checkQualifications: "qualifications",
  checkEnrollmentForm: "enrollmentForm",
  checkProfileForm: "profile",
  checkSearchForm: "searchForm",
  checkValidationForm: "validationForm",
  checkReservationForm: "reservationForm",
  checkCancellationForm: "cancellationForm",
  checkCompletionReportForm: "completionReportForm",
  checkRedemptionForm: "redemptionForm",
  checkClaimForm: "claimForm",
};
const vectorsDir = new URL("../tests/vectors/", import.meta.url);
const vectors = readdirSync(vectorsDir).filter((name) => name.endsWith(".json"))
  .flatMap((name) => JSON.parse(readFileSync(new URL(name, vectorsDir), "utf8")));
for (const [fn, rule] of Object.entries(formChecks)) {
  const ofRule = vectors.filter((c) => c.rule === rule);
  const valid = ofRule.find((c) => "output" in c.expect);
  const invalid = ofRule.filter((c) => "error" in c.expect)
    .sort((a, b) => b.expect.error.fields.length - a.expect.error.fields.length)[0];
  for (const [label, c] of [["valid", valid], [`${invalid?.expect.error.fields.length} problems`, invalid]]) {
    if (!c) throw new Error(`tests/vectors has no ${label} case of ${rule}`);
    const locale = c.locale ?? "en";
    cases[`${fn} (${label}, ${locale})`] = { fn, input: c.input, today: c.today, locale };
  }
}
const calls = callsOf(rules, cases);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Median µs per call of each function, over `batches` batches of `size` calls. The batches take
// turns across the functions, so a change of the machine's load during the run (a shared CI
// machine) falls on every function alike instead of on whichever was being timed.
function perCall(fns, batches = 100, size = 1000) {
  for (const fn of Object.values(fns)) for (let i = 0; i < 5000; i++) fn(); // warm up the JIT and the allocator
  const samples = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
  for (let b = 0; b < batches; b++) {
    for (const [name, fn] of Object.entries(fns)) {
      const start = performance.now();
      for (let i = 0; i < size; i++) fn();
      samples[name].push(((performance.now() - start) * 1000) / size);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, +median(s).toFixed(2)]));
}

// Each call's JSON hand-over alone, without WebAssembly (see the top of this file).
const scratch = new Uint8Array(1 << 20);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HAND_OVER = "hand-over: ";
const handOvers = Object.fromEntries(Object.entries(cases).map(([name, { input }]) => {
  const answerBytes = encoder.encode(JSON.stringify(calls[name]()));
  const handOver = () => {
    encoder.encodeInto(JSON.stringify(input), scratch);
    return JSON.parse(decoder.decode(answerBytes));
  };
  return [HAND_OVER + name, handOver];
}));

const timed = perCall({ ...calls, ...handOvers });
const perForm = Object.fromEntries(Object.keys(calls).map((name) => [name, timed[name]]));
const handOverOnly = Object.fromEntries(Object.keys(calls).map((name) => [name, timed[HAND_OVER + name]]));
const report = {
  wasmRawBytes: wasm.length,
  wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
  jsGlueBytes: { web: glueBytes("web"), node: glueBytes("node") },
  allRules: { wasmRawBytes: wasmAll.length, wasmGzipBytes: gzipSync(wasmAll, { level: 9 }).length },
  medianMicrosPerCall: perForm,
  medianMicrosHandOverOnly: handOverOnly,
};

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;
  console.log(`pkg/web wasm (after wasm-opt -Oz): ${report.wasmRawBytes} B raw (${kb(report.wasmRawBytes)}), `
    + `${report.wasmGzipBytes} B gzipped -9 (${kb(report.wasmGzipBytes)}; budget <= 150 KB, aim 110 KB)`);
  console.log(`pkg/all/web wasm: ${report.allRules.wasmRawBytes} B raw (${kb(report.allRules.wasmRawBytes)}), `
    + `${report.allRules.wasmGzipBytes} B gzipped (${kb(report.allRules.wasmGzipBytes)}; budget <= 200 KB)`);
  console.log(`JS glue (with its snippets): web ${report.jsGlueBytes.web} B, node ${report.jsGlueBytes.node} B`);
  for (const [name, us] of Object.entries(report.medianMicrosPerCall)) {
    const handOver = report.medianMicrosHandOverOnly[name];
    console.log(`median per call, ${name}: ${us} µs, ${(us / handOver).toFixed(2)}× its JSON hand-over alone (${handOver} µs, no wasm)`);
  }
}

for (const [name, bytes, budget] of [
  ["pkg/web", report.wasmGzipBytes, 150],
  ["pkg/all/web", report.allRules.wasmGzipBytes, 200],
]) {
  if (bytes > budget * KB) {
    console.log(`${name} MISSES its budget: ${bytes} B gzipped, over ${budget} KB (issue 18 open)`);
  }
}
