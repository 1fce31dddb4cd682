// The whole workflow in headless Chromium through the demo forms, against the real local server
// (`saps-server --demo` on a free port and a fresh data directory): a person signs in as the
// partner administrator, checks eligibility, enrolls, publishes a profile, finds it in the
// directory, validates, reserves, cancels and reserves a voucher again, reports completion with a
// deliverable, previews and redeems, claims (the first claim's answer is lost on the way and the
// retry is replayed), and the program administrator approves and pays. Another partner cannot see
// the voucher, a read-only user cannot enroll, and errors come back in Chinese when asked.
// Screenshots of every step go to artifacts/e2e/ (SAPS_ARTIFACTS overrides).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { chromiumOptions, root, settled, startDemoServer } from "./browser.mjs";

const require = createRequire(import.meta.url);
const rules = require("../../pkg/node/saps_rules.js");
const artifacts = process.env.SAPS_ARTIFACTS ?? join(root, "artifacts/e2e");
const TODAY = "2026-03-02";
const VOUCHER = "DEMOM3650001";
const NORTHWIND = "it-admin@northwind.example";

let stopServer;
let base;
let browser;
let page;
let shot = 0;
const pageErrors = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  ({ base, stop: stopServer } = await startDemoServer(TODAY));
  browser = await chromium.launch(chromiumOptions);
  page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${base}/forms/`);
  await page.waitForSelector("body[data-ready=true]");
  // The page checks with the server's date (its --today), not the browser's.
  assert.equal(await page.inputValue("#today"), TODAY);
});

after(async () => {
  await browser?.close();
  stopServer?.();
});

const form = (name) => page.locator(`form[data-form="${name}"]`);


async function fill(name, values) {
  for (const [field, value] of Object.entries(values)) {
    const input = form(name).locator(`[data-field="${field}"]`);
    if (value?.buffer) await input.setInputFiles([value]);
    else if (typeof value === "boolean") await input.setChecked(value);
    else if (await input.evaluate((el) => el.tagName === "SELECT")) await input.selectOption(value);
    else await input.fill(value);
  }
  await settled(form(name));
}

/** Fills and submits a form; answers the text of its result (or null) and its messages. */
async function submit(name, values = {}, button = 'button[type="submit"]') {
  await fill(name, values);
  await form(name).locator(button).click();
  await settled(form(name));
  const result = form(name).locator("[data-result]");
  const shown = await result.count() && await result.isVisible() ? await result.textContent() : null;
  const messages = await form(name).locator(".msg, .form-msg").allTextContents();
  await screenshot(name, page.locator("section", { has: form(name) }));
  return { result: shown, messages: messages.filter(Boolean) };
}

/** Saves a picture of `what` (the viewport by default) as the walk's next step. */
async function screenshot(label, what = page) {
  shot += 1;
  await what.screenshot({ path: join(artifacts, `workflow-${String(shot).padStart(2, "0")}-${label}.png`) });
}

async function signIn(role) {
  await page.selectOption("#role", role);
  await page.waitForFunction(() => document.getElementById("mode").dataset.i18n === "onlineMode");
}

/** The state the voucher list shows for `number`, once it shows `expected`. */
async function listedState(number, expected) {
  await page.waitForFunction(([n, s]) => [...document.querySelectorAll("[data-vouchers] tr")]
    .some((tr) => tr.textContent.includes(n) && tr.querySelector("[data-state]")?.textContent === s),
  [number, expected]);
}

async function api(path, role) {
  const tokens = await (await fetch(`${base}/demo/tokens`)).json();
  const reply = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
  assert.equal(reply.status, 200, `${path} as ${role}`);
  return reply.json();
}

test("the page offers the demo roles and lists the partner's vouchers", async () => {
  const roles = await page.locator("#role option").evaluateAll((els) => els.map((el) => el.value));
  assert.deepStrictEqual(roles, ["", "customer_admin", "global_admin", "other_partner_admin", "partner_admin", "partner_user", "program_admin",
    "tool_user"]);
  await signIn("partner_admin");
  assert.equal(await page.inputValue("#partner"), "1001");
  await listedState(VOUCHER, "Assigned");
  const listed = await page.locator("[data-vouchers] tr td:first-child").allTextContents();
  assert.deepStrictEqual(listed, ["DEMOM3650001", "DEMOM3650002", "DEMOM3650003", "DEMOM3650004"]);
  await screenshot("signed-in");
});

test("eligibility, enrollment, profile and the directory", async () => {
  const eligibility = await submit("eligibility", { programId: "desktop" });
  assert.match(eligibility.result, /desktop — Status: Active/);

  const enrolled = await submit("enrollment", { programId: "desktop", locationIds: "11, 12" });
  assert.match(enrolled.result, /Sent; the API answered 201/);
  assert.match(enrolled.result, /Status: Active — until 2027-03-02/);
  const again = await submit("enrollment");
  assert.equal(again.result, null, "a second enrollment is refused");
  assert.equal(again.messages.length, 1);

  const profile = await submit("profile", { companyName: "Contoso Consulting",
    description: "Deployment planning for Microsoft 365.", website: "https://contoso-consulting.example",
    contactEmail: "hello@contoso-consulting.example", phone: "+14255550100", countries: "US, CN", languages: "en, zh" });
  assert.match(profile.result, /Published: Contoso Consulting/);

  const found = await submit("directory", { programId: "desktop", country: "CN" });
  assert.match(found.result, /Contoso Consulting \(1001\) — desktop — US, CN — en, zh/);
  assert.doesNotMatch(found.result, /Fabrikam/, "Fabrikam serves GB and IE only");
  const everyone = await submit("directory", { country: "" });
  assert.match(everyone.result, /Contoso Consulting/);
  assert.match(everyone.result, /Fabrikam Advisory/);
});

test("validate, reserve, cancel, reserve again, report completion with a deliverable", async () => {
  await page.locator(`[data-vouchers] [data-use="${VOUCHER}"]`).click();
  await settled(form("validation"));
  const validated = await submit("validation");
  assert.match(validated.result, new RegExp(`${VOUCHER} Northwind Traders — State: Assigned`));
  assert.equal(await form("reservation").locator("[data-current-voucher]").textContent(), VOUCHER);

  const reserved = await submit("reservation", { engagementStart: TODAY, engagementEnd: TODAY, acceptTerms: true,
    locationId: "11", customerDivision: "Retail" });
  assert.match(reserved.result, /State: Reserved/);
  await listedState(VOUCHER, "Reserved");

  const cancelled = await submit("cancellation", { reason: "engagementCancelled" });
  assert.match(cancelled.result, /State: Assigned/);
  await listedState(VOUCHER, "Assigned");

  // The same form sent again is a new request (its key went with the first answer).
  const again = await submit("reservation");
  assert.match(again.result, /State: Reserved/);
  assert.doesNotMatch(again.result, /replay/);

  const plan = { name: "plan.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7 deployment plan") };
  const completed = await submit("completion", { deliveredStart: TODAY, deliveredEnd: TODAY, daysDelivered: "1",
    leadConsultantId: "c-1", summary: "Planned the tenant migration and the security baseline.", deliverables: plan });
  assert.match(completed.result, /State: Completed/);
  const voucher = await api(`/v1/vouchers/${VOUCHER}`, "partner_admin");
  assert.equal(voucher.completionReport.deliverables[0].size, plan.buffer.length);
});

test("preview, confirm and redeem", async () => {
  const previewed = await submit("redemption", { voucherNumbers: `${VOUCHER}, DEMOM3650002` },
    '[data-action="preview"]');
  const table = await form("redemption").locator("[data-preview]").textContent();
  assert.match(table, new RegExp(`${VOUCHER}`));
  assert.deepStrictEqual(previewed.messages, []);
  assert.equal(await form("redemption").locator('[data-field="confirm"]').isVisible(), false,
    "an assigned voucher in the selection blocks the confirmation");

  await submit("redemption", { voucherNumbers: VOUCHER }, '[data-action="preview"]');
  assert.equal(await form("redemption").locator('[data-field="confirm"]').isVisible(), true);
  const unconfirmed = await submit("redemption");
  assert.equal(unconfirmed.result, null, "redeeming needs the confirmation");
  const redeemed = await submit("redemption", { confirm: true });
  assert.match(redeemed.result, new RegExp(`${VOUCHER} Northwind Traders — State: Redeemed`));
  await listedState(VOUCHER, "Redeemed");
});

test("the global admin registers the payee for the program once a voucher is redeemed", async () => {
  const payee = { programId: "desktop", payeeName: "Contoso Consulting Ltd", country: "cn", currency: "CNY" };
  const refused = await submit("payee", payee);
  assert.equal(refused.result, null, "a partner admin may not register the payee");
  await signIn("global_admin");
  const registered = await submit("payee");
  assert.match(registered.result, /Payee registered: Contoso Consulting Ltd — desktop — CN, CNY/);
  await signIn("partner_admin");
});

test("a claim whose answer is lost is retried under the same key and replayed", async () => {
  const keys = [];
  await page.route("**/v1/claims", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length === 1) {
      await route.fetch(); // the server creates the claim; the browser never hears back
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  const lost = await submit("claim", { voucherNumbers: VOUCHER, invoiceNumber: "INV-2026/001" });
  assert.equal(lost.result, null);
  assert.equal(lost.messages.length, 1, "the lost answer is reported");
  const retried = await submit("claim");
  await page.unroute("**/v1/claims");
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], "the retry carries the first attempt's key");
  assert.match(retried.result, /a replay of the first answer/);

  const claimId = await form("claim").locator("[data-claim-id]").textContent();
  const claim = await api(`/v1/claims/${encodeURIComponent(claimId)}`, "partner_admin");
  assert.deepStrictEqual(claim.voucherNumbers, [VOUCHER]);
  const programs = rules.run("programs", {}, TODAY, "en").output;
  // Delivered under location 11, Contoso Shanghai: paid at the CN rate.
  assert.equal(claim.country, "CN");
  const rate = programs.find((p) => p.id === "desktop").dailyRates.CN;
  assert.deepStrictEqual(claim.amount, { minorUnits: rate.minorUnits, currency: rate.currency }, "1 day delivered");
  const shown = (rate.minorUnits / 100).toFixed(2);
  assert.match(retried.result, new RegExp(`Claim amount: ${shown} ${rate.currency} — State: Submitted`));
  await listedState(VOUCHER, "Claimed");

  await signIn("program_admin");
  const approved = await submit("decision", { claimId, decision: "approve" });
  assert.match(approved.result, /State: Approved/);
  const unpaid = await submit("decision", { decision: "pay", paymentReference: "" });
  assert.equal(unpaid.result, null, "paying needs a reference");
  const paid = await submit("decision", { paymentReference: "PAY-2026-0001" });
  assert.match(paid.result, /State: Paid/);
  await signIn("partner_admin");
  await listedState(VOUCHER, "Paid");
});

test("another partner cannot see the voucher; a read-only user cannot enroll; errors in Chinese", async () => {
  await signIn("other_partner_admin");
  assert.equal(await page.inputValue("#partner"), "1002");
  const hidden = await submit("validation", { voucherNumber: "DEMOM3650002", adminEmail: NORTHWIND });
  assert.equal(hidden.result, null);
  assert.equal(hidden.messages.length, 1, "not found, exactly as an unknown voucher");

  // The demo's partner user granted the voucher tool validates; one without the grant cannot.
  await signIn("tool_user");
  const granted = await submit("validation", { voucherNumber: "DEMOM3650002", adminEmail: NORTHWIND });
  assert.match(granted.result, /DEMOM3650002 Northwind Traders — State: Assigned/);
  await signIn("partner_user");
  const ungranted = await submit("validation");
  assert.equal(ungranted.result, null, "without the grant the voucher tool is closed");

  await signIn("partner_user");
  await page.click('[data-locale="zh-CN"]');
  const refused = await submit("enrollment", { programId: "desktop", locationIds: "13" });
  assert.equal(refused.result, null);
  assert.match(refused.messages.join(""), /[\u4e00-\u9fff]/, "the server's message is in Chinese");
  await page.click('[data-locale="en"]');
});

test("the page raised no errors", () => {
  assert.deepStrictEqual(pageErrors, []);
});
