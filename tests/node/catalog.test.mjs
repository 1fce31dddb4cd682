// The browser's rules follow the catalog the server stores (SPEC §15.1): `useCatalog` with the
// programs of `GET /v1/programs` changes later verdicts, and a catalog that is not one is refused
// with the previous catalog kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const rules = require("../../pkg/node/saps_rules.js");

const voucher = {
  voucherNumber: "SAPS0001DESK", programId: "desktop", days: 5, customerName: "Contoso Ltd",
  adminEmail: "it-admin@contoso.example", partnerId: "1001", createdOn: "2026-01-01",
  expiresOn: "2026-06-30", state: "assigned", version: 1,
};
const stateOn = (today) =>
  rules.run("voucherState", { context: { actor: { role: "partner_admin", partnerId: "1001" }, voucher } }, today, "en");

test("useCatalog makes the stored catalog the rules' catalog", () => {
  const sample = rules.run("programs", {}, "2026-06-30", "en").output;
  assert.equal(stateOn("2026-06-30").output.effectiveState, "expired");

  const extended = structuredClone(sample);
  extended[0].expiryExtensions = [{ createdBefore: "2026-02-01", days: 30, reason: "A disruption" }];
  extended[0].version = 2;
  assert.deepEqual(rules.useCatalog(extended), { type: "success", output: sample.length });
  const view = stateOn("2026-06-30").output;
  assert.equal(view.effectiveState, "assigned");
  assert.equal(view.expiresOn, "2026-07-30");
  assert.equal(view.extendedByDays, 30);

  // Not a catalog: refused, and the extended catalog stays in use.
  const broken = structuredClone(extended);
  broken[0].engagementLengths = [2];
  const refused = rules.useCatalog(broken);
  assert.equal(refused.type, "failure");
  assert.equal(refused.errors[0].code, "request.malformed");
  assert.equal(rules.useCatalog("not programs").type, "failure");
  assert.equal(stateOn("2026-06-30").output.effectiveState, "assigned");

  assert.deepEqual(rules.useCatalog(sample), { type: "success", output: sample.length });
  assert.equal(stateOn("2026-06-30").output.effectiveState, "expired");
});
