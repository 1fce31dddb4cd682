// End to end in headless Chromium (playwright-core driving Debian's /usr/bin/chromium): for every
// demo form, bad input shows beside each field exactly the messages saps-rules gives for that
// input, in English and in Chinese, and good input clears them. Screenshots go to
// artifacts/e2e/ (SAPS_ARTIFACTS overrides), which is not committed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve-forms.mjs";
import { chromiumOptions, settled } from "./browser.mjs";
import { sampleState } from "../../web/sample.js";

const require = createRequire(import.meta.url);
const rules = require("../../pkg/node/saps_rules.js");
const TODAY = "2026-03-02";
const artifacts = process.env.SAPS_ARTIFACTS ?? new URL("../../artifacts/e2e/", import.meta.url).pathname;
const sample = sampleState(TODAY);
const PDF = "application/pdf";


let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await serve(0);
  browser = await chromium.launch(chromiumOptions);
  page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector("body[data-ready=true]");
  await page.fill("#today", TODAY);
  await page.dispatchEvent("#today", "change");
});

after(async () => {
  await browser?.close();
  server?.close();
});

function file(name, mediaType, text) {
  const buffer = Buffer.from(text);
  return { upload: { name, mimeType: mediaType, buffer },
    fields: { fileName: name, mediaType, size: buffer.length, sha256: createHash("sha256").update(buffer).digest("hex") } };
}

const exe = file("run.exe", "application/x-msdownload", "MZ");
const plan = file("plan.pdf", PDF, "%PDF-1.7 plan");

// For each form: what to type, and the input saps-rules must judge the same way.
const cases = [
  {
    form: "eligibility",
    bad: { "programId": "desktop", "competencies[0].area": "Modern Work",
      "competencies[0].validFrom": "2026-05-01", "competencies[0].validUntil": "2026-01-01" },
    expected: (locale) => rules.checkQualifications(
      { competencies: [{ area: "Modern Work", validFrom: "2026-05-01", validUntil: "2026-01-01" }] }, TODAY, locale),
    good: { "competencies[0].validFrom": "2025-01-01", "competencies[0].validUntil": "2027-01-01" },
    result: /Modern Work|desktop/,
  },
  {
    form: "enrollment",
    bad: { locationIds: "11, 99" },
    expected: (locale) => rules.checkEnrollmentForm(
      { locationIds: ["11", "99"], context: { partnerLocations: sample.partnerLocations } }, TODAY, locale),
    good: { programId: "desktop", locationIds: "11, 12" },
  },
  {
    form: "profile",
    bad: { contactEmail: "hello", website: "ftp://fabrikam", phone: "call me", countries: "ZZ", languages: "en" },
    expected: (locale) => rules.checkProfileForm({ contactEmail: "hello", website: "ftp://fabrikam", phone: "call me",
      countries: ["ZZ"], languages: ["en"] }, TODAY, locale),
    good: { companyName: "Fabrikam Consulting", description: "Deployment planning for Microsoft 365.",
      contactEmail: "hello@fabrikam.example", website: "https://fabrikam.example", phone: "+14255550100",
      countries: "US, CN", languages: "en, zh" },
  },
  {
    form: "directory",
    bad: { country: "ZZZ", language: "english" },
    expected: (locale) => rules.checkSearchForm({ country: "ZZZ", language: "english" }, TODAY, locale),
    good: { programId: "desktop", country: "GB", language: "en" },
  },
  {
    form: "validation",
    bad: { voucherNumber: "12", adminEmail: "nobody" },
    expected: (locale) => rules.checkValidationForm({ voucherNumber: "12", adminEmail: "nobody" }, TODAY, locale),
    good: { voucherNumber: "SAPS-0001-M365", adminEmail: "it-admin@contoso.example" },
  },
  {
    form: "reservation",
    bad: { adminEmail: "nobody", engagementStart: "2026-03-12", engagementEnd: "2026-03-10" },
    expected: (locale) => rules.checkReservationForm({ adminEmail: "nobody", acceptTerms: false,
      engagementStart: "2026-03-12", engagementEnd: "2026-03-10" }, TODAY, locale),
    good: { adminEmail: "it-admin@contoso.example", engagementEnd: "2026-03-14", acceptTerms: true, locationId: "11" },
  },
  {
    form: "cancellation",
    bad: {},
    expected: (locale) => rules.checkCancellationForm({}, TODAY, locale),
    good: { reason: "offerChanged" },
  },
  {
    form: "completion",
    bad: { deliveredStart: "2026-02-20", deliveredEnd: "2026-02-10", daysDelivered: "0", deliverables: [exe] },
    expected: (locale) => rules.checkCompletionReportForm({ deliveredStart: "2026-02-20", deliveredEnd: "2026-02-10",
      daysDelivered: 0, deliverables: [exe.fields] }, TODAY, locale),
    good: { deliveredStart: "2026-02-10", deliveredEnd: "2026-02-12", daysDelivered: "3", leadConsultantId: "c-1",
      summary: "Planned the tenant migration.", deliverables: [plan] },
  },
  {
    form: "redemption",
    bad: { voucherNumbers: "SAPS0001DEMO, saps-0001-demo, x" },
    submit: "preview",
    expected: (locale) => rules.redemptionPreview({ voucherNumbers: ["SAPS0001DEMO", "saps-0001-demo", "x"],
      context: { actor: sample.actor, vouchers: sample.vouchers, enrollments: sample.enrollments } }, TODAY, locale),
    good: { voucherNumbers: "SAPS0001DEMO, SAPS0002DEMO" },
    confirm: true,
  },
  {
    form: "claim",
    bad: { invoiceNumber: "" },
    expected: (locale) => rules.checkClaimForm({}, TODAY, locale),
    good: { voucherNumbers: "SAPS0004DEMO, SAPS0005DEMO", invoiceNumber: "INV-2026/001" },
    result: /\d+\.\d{2} USD/,
  },
];

async function fill(form, values) {
  for (const [field, value] of Object.entries(values)) {
    const input = form.locator(`[data-field="${field}"]`);
    if (Array.isArray(value)) await input.setInputFiles(value.map((f) => f.upload));
    else if (typeof value === "boolean") await input.setChecked(value);
    else if (await input.evaluate((el) => el.tagName === "SELECT")) await input.selectOption(value);
    else await input.fill(value);
    await input.blur();
  }
}

async function submit(form, kind = "submit") {
  const button = kind === "preview" ? form.locator('[data-action="preview"]') : form.locator('button[type="submit"]');
  await button.click();
  await settled(form);
}


/** The text each field's slot must show: the messages of the answer's fields that map to it. */
async function expectedSlots(form, answer) {
  const fields = await form.locator("[data-field]").evaluateAll((els) => els.map((el) => el.dataset.field));
  const slots = Object.fromEntries(fields.map((f) => [f, []]));
  const general = [];
  for (const error of answer.errors ?? []) {
    for (const f of error.fields) {
      let path = f.field;
      while (path && !(path in slots)) path = path.replace(/(\[\d+\]|\.[^.[\]]+|^[^.[\]]+)$/, "");
      if (path) slots[path].push(f.message);
      else general.push(f.field ? `${f.field}: ${f.message}` : f.message);
    }
  }
  return { slots: Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, [...new Set(v)].join("; ")])), general };
}

async function shownSlots(form) {
  return form.locator("[data-field]").evaluateAll((els) => Object.fromEntries(els.map((el) =>
    [el.dataset.field, el.closest("label").querySelector(".msg")?.textContent ?? ""])));
}

async function setLocale(locale) {
  await page.click(`[data-locale="${locale}"]`);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
  for (const form of await page.locator("form[data-form]").all()) await settled(form);
}

for (const c of cases) {
  test(`the ${c.form} form shows the rules' messages in both languages and clears them`, async () => {
    const form = page.locator(`form[data-form="${c.form}"]`);
    await setLocale("en");
    await fill(form, c.bad);
    await submit(form, c.submit);
    for (const locale of ["en", "zh-CN"]) {
      await setLocale(locale);
      const answer = c.expected(locale);
      assert.equal(answer.type, "failure", `the bad ${c.form} input must fail`);
      const { slots, general } = await expectedSlots(form, answer);
      assert.ok(Object.values(slots).some(Boolean), "some field has a message");
      assert.deepStrictEqual(await shownSlots(form), slots, `${c.form} messages in ${locale}`);
      assert.equal(await form.locator(".form-msg").textContent(), general.join("; "));
      if (locale === "zh-CN") {
        assert.match(Object.values(slots).join(""), /[\u4e00-\u9fff]/, "Chinese messages");
      }
      await form.screenshot({ path: `${artifacts}/${c.form}-bad-${locale}.png` });
    }
    await setLocale("en");
    await fill(form, c.good);
    await submit(form, c.submit);
    if (c.confirm) {
      assert.ok(await form.locator("[data-preview] table").isVisible(), "the preview is shown");
      await submit(form);
      const confirmMessage = await form.locator('[data-field="confirm"]').evaluate(
        (el) => el.closest("label").querySelector(".msg")?.textContent);
      const expected = rules.checkRedemptionForm({ voucherNumbers: ["SAPS0001DEMO", "SAPS0002DEMO"], confirm: false },
        TODAY, "en").errors[0].fields[0].message;
      assert.equal(confirmMessage, expected, "redeeming needs the confirmation");
      await fill(form, { confirm: true });
      await submit(form);
    }
    const shown = await shownSlots(form);
    assert.deepStrictEqual(Object.values(shown).filter(Boolean), [], `no message left on ${c.form}`);
    const result = form.locator("[data-result]");
    await result.waitFor({ state: "visible" });
    if (c.result) assert.match(await result.textContent(), c.result);
    await form.screenshot({ path: `${artifacts}/${c.form}-good.png` });
  });
}

test("the page raised no errors", () => {
  assert.deepStrictEqual(pageErrors, []);
});
