// Every shared vector through the built npm package (pkg/), in Node: each answer must equal the
// native answer that `cargo run -p saps-core --example vector_answers` printed (SAPS_NATIVE_ANSWERS).
// The modules with every rule (pkg/all) answer every vector; the form modules (pkg/web, pkg/node)
// answer the vectors of the rules they list and refuse the others as unknown rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = new URL("../../", import.meta.url);
const answersPath = process.env.SAPS_NATIVE_ANSWERS ?? new URL("target/vector-answers.json", root);
const answered = JSON.parse(readFileSync(answersPath, "utf8"));
const node = require("../../pkg/node/saps_rules.js");
const nodeAll = require("../../pkg/all/node/saps_rules.js");
const everyRule = new Set(answered.map(({ case: c }) => c.rule).filter((rule) => nodeAll.rules().includes(rule)));

async function webBuild(dir) {
  // The browser build is an ES module; in Node it is initialised from the bytes directly.
  const web = await import(new URL(`${dir}/saps_rules.js`, root));
  web.initSync({ module: readFileSync(new URL(`${dir}/saps_rules_bg.wasm`, root)) });
  return web;
}

/** Each vector's answer against the native one; a rule the module does not run must be refused. */
function runAll(rules) {
  const runs = new Set(rules.rules());
  const mismatches = [];
  let refused = 0;
  for (const { file, case: c, native } of answered) {
    const answer = rules.run(c.rule, structuredClone(c.input), c.today, c.locale ?? "en");
    if (everyRule.has(c.rule) && !runs.has(c.rule)) {
      refused += 1;
      if (answer.errors?.[0]?.code !== "request.unknownRule") mismatches.push(`${file}: ${c.name}: not refused`);
      continue;
    }
    try {
      assert.deepStrictEqual(answer, native);
    } catch {
      mismatches.push(`${file}: ${c.name}\n  wasm:   ${JSON.stringify(answer)}\n  native: ${JSON.stringify(native)}`);
    }
  }
  return { mismatches, refused };
}

test("there are vectors to run", () => {
  assert.ok(answered.length >= 300, `only ${answered.length} vectors`);
});

for (const [name, load] of [
  ["Node", () => nodeAll],
  ["web", () => webBuild("pkg/all/web")],
]) {
  test(`the ${name} build with every rule gives the native answer for every vector`, async () => {
    const { mismatches, refused } = runAll(await load());
    assert.equal(mismatches.length, 0, mismatches.join("\n"));
    assert.equal(refused, 0);
  });
}

for (const [name, load] of [
  ["Node", () => node],
  ["web", () => webBuild("pkg/web")],
]) {
  test(`the ${name} form build answers its rules' vectors natively and refuses the rest`, async () => {
    const rules = await load();
    assert.deepStrictEqual(rules.rules().filter((rule) => !nodeAll.rules().includes(rule)), []);
    const { mismatches, refused } = runAll(rules);
    assert.equal(mismatches.length, 0, mismatches.join("\n"));
    assert.ok(refused >= 100, `only ${refused} vectors refused`);
  });
}

test("the typed functions agree with run()", () => {
  const form = { voucherNumber: "saps-0001-m365", adminEmail: "nobody" };
  for (const locale of ["en", "zh-CN"]) {
    const typed = node.checkValidationForm(form, "2026-03-02", locale);
    assert.deepStrictEqual(typed, node.run("validationForm", form, "2026-03-02", locale));
    assert.equal(typed.type, "failure");
    assert.deepStrictEqual(typed.errors[0].fields.map((f) => [f.field, f.code]), [["adminEmail", "field.invalidEmail"]]);
  }
  const zh = node.checkValidationForm(form, "2026-03-02", "zh-CN").errors[0].fields[0].message;
  assert.match(zh, /[\u4e00-\u9fff]/, "the Chinese message is in Chinese");
});

test("nothing throws: bad arguments are tagged failures", () => {
  const bad = [
    node.run("validationForm", {}, "yesterday", "en"),
    node.run("validationForm", {}, "2026-03-02", "de"),
    node.run("validationForm", undefined, "2026-03-02", "en"),
    node.run("validationForm", () => 1, "2026-03-02", "en"),
    node.run("validationForm", { voucherNumber: 10n }, "2026-03-02", "en"),
    node.checkClaimForm(null, "2026-03-02", "en"),
    node.run("noSuchRule", {}, "2026-03-02", "en"),
  ];
  for (const answer of bad) {
    assert.equal(answer.type, "failure", JSON.stringify(answer));
    assert.ok(answer.errors[0].code.startsWith("request."), JSON.stringify(answer));
  }
  assert.ok(node.rules().includes("redemptionForm"));
});

test("the locale is one of core's wire names, exactly", () => {
  const form = { voucherNumber: "SAPS-0001-M365", adminEmail: "it-admin@contoso.example" };
  for (const locale of ["en", "zh-CN"]) {
    assert.equal(node.checkValidationForm(form, "2026-03-02", locale).type, "success", locale);
  }
  for (const locale of ["de", "EN", "zh-cn", "zh", "", "en "]) {
    const answer = node.checkValidationForm(form, "2026-03-02", locale);
    assert.equal(answer.type, "failure", locale);
    assert.deepStrictEqual(answer.errors[0].fields.map((f) => [f.field, f.code]), [["locale", "request.malformed"]], locale);
  }
});
