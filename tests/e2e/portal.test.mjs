// The partner portal (portal/, served at / by `saps-server --demo`) in headless Chromium.
// 1. Every page of every role, in English and in Chinese, 1280 and 390 px wide: a screenshot of
//    each in artifacts/portal/, and axe-core finds no serious or critical violation.
// 2. A voucher's life through the portal as people use it: the partner administrator enrolls,
//    reserves from the voucher list (keyboard only), reloads and reports completion with a
//    deliverable, reloads and redeems the ticked row after the preview, reloads and claims; the
//    program administrator approves and records the payment; the customer's administrator
//    creates a voucher from the pool; the read-only user is offered no action.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium } from "playwright-core";
import { chromiumOptions, root, startDemoServer } from "./browser.mjs";

const artifacts = process.env.SAPS_ARTIFACTS ?? join(root, "artifacts/portal");
const TODAY = "2026-03-02";
const VOUCHER = "DEMOM3650001";

let base;
let stopServer;
let browser;
const pageErrors = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  ({ base, stop: stopServer } = await startDemoServer(TODAY));
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  stopServer?.();
  assert.deepStrictEqual(pageErrors, [], "no script error on any page");
});

/** A new page `width` px wide, signed in as `role` ("" = anonymous) in `locale`. */
async function open(role, locale = "en", width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${role} ${locale}: ${error.message}`));
  await page.goto(`${base}/`);
  await page.evaluate(([r, l]) => {
    localStorage.setItem("saps.signedInAs", r);
    localStorage.setItem("saps.locale", l);
  }, [role, locale]);
  return page;
}

/** Goes to `#/hash` with a fresh load (as after a reload) and waits for its data. */
async function visit(page, hash) {
  await page.goto(`${base}/#/${hash}`);
  await page.reload();
  await loaded(page);
}

/** Waits until nothing on the page is loading any more. */
async function loaded(page) {
  await page.locator("main h2").first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll("main [role=progressbar]").length === 0);
}

const PAGES = [
  ["partner_admin", ["dashboard", "vouchers", `vouchers/${VOUCHER}`, "claims", "profile", "directory"]],
  ["program_admin", ["queue", "directory"]],
  ["customer_admin", ["customer"]],
  ["", ["directory"]],
];

test("every page in both languages at 1280 and 390 px: no serious or critical axe violation", async () => {
  for (const locale of ["en", "zh-CN"]) {
    for (const width of [1280, 390]) {
      for (const [role, hashes] of PAGES) {
        const page = await open(role, locale, width);
        for (const hash of hashes) {
          await visit(page, hash);
          const name = `${role || "anonymous"}-${hash.replace("/", "-")}-${locale}-${width}`;
          await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
          // Fluent's focus manager (tabster) adds invisible focusable guards around dialogs and
          // lists, marked `data-tabster-dummy`: they hand focus on and are no content.
          const { violations } = await new AxeBuilder({ page }).exclude("[data-tabster-dummy]").analyze();
          const serious = violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
          assert.deepStrictEqual(serious, [], `${name}: axe`);
          const lang = await page.evaluate(() => document.documentElement.lang);
          assert.equal(lang, locale === "zh-CN" ? "zh-Hans" : "en", `${name}: the page says its language`);
          if (locale === "zh-CN") {
            const text = await page.locator("body").innerText();
            assert.doesNotMatch(text, /优惠券|Loading|Status|Program\b/, `${name}: no English or wrong term left`);
          }
        }
        await page.context().close();
      }
    }
  }
});

test("navigation follows the role: partners never see the claims queue, the directory is for everyone", async () => {
  const tabs = async (role) => {
    const page = await open(role);
    await visit(page, "directory");
    // A Fluent tab's text is there twice (once hidden, to reserve the width of its bold form).
    const names = await page.getByRole("tab").evaluateAll((tabs) =>
      tabs.map((tab) => tab.querySelector(".fui-Tab__content:not(.fui-Tab__content--reserved-space)")?.textContent));
    await page.context().close();
    return names;
  };
  assert.deepStrictEqual(await tabs("partner_admin"), ["Dashboard", "Vouchers", "Claims", "Directory profile", "Find a partner"]);
  assert.deepStrictEqual(await tabs("program_admin"), ["Claims to decide", "Find a partner"]);
  assert.deepStrictEqual(await tabs("customer_admin"), ["Planning days and vouchers", "Find a partner"]);
  assert.deepStrictEqual(await tabs(""), ["Find a partner"]);
});

/** The row of `number` in the voucher table. */
const row = (page, number) => page.getByRole("row").filter({ hasText: number });

async function stateOf(page, number) {
  return (await row(page, number).getByRole("cell").nth(5).innerText()).trim();
}

async function pick(page, label, option) {
  await page.getByRole("combobox", { name: label }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

test("a voucher's life in the portal, with a reload in the middle of each multi-day step", async () => {
  const page = await open("partner_admin");
  await visit(page, "dashboard");

  // Enroll in Desktop Deployment Planning for locations 11 and 12.
  await page.getByRole("button", { name: "Enroll" }).click();
  const enroll = page.getByRole("dialog");
  await enroll.getByRole("checkbox", { name: /^11 · / }).check();
  await enroll.getByRole("checkbox", { name: /^12 · / }).check();
  await enroll.getByRole("button", { name: "Enroll" }).click();
  await page.getByText("Enrolled in Desktop Deployment Planning.").waitFor();
  assert.match(await page.getByRole("table", { name: "Enrollments" }).innerText(), /Active/);

  // Reserve from the list, by keyboard alone; the form checks as it is typed.
  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Assigned");
  await row(page, VOUCHER).getByRole("button", { name: `Reserve ${VOUCHER}` }).focus();
  await page.keyboard.press("Enter");
  const reserve = page.getByRole("dialog");
  await reserve.getByLabel("Customer's voucher administrator email").focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("not-an-email");
  await page.keyboard.press("Tab");
  assert.ok(await reserve.getByText(/email/i).count() > 1, "the email's message shows as soon as the field is left");
  await reserve.getByLabel("Customer's voucher administrator email").fill("it-admin@northwind.example");
  await reserve.getByRole("combobox", { name: "Delivery location" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await reserve.getByLabel("I accept the terms of the planning services").focus();
  await page.keyboard.press("Space");
  await reserve.getByRole("button", { name: "Reserve" }).focus();
  await page.keyboard.press("Enter");
  await page.getByText(`Voucher ${VOUCHER} is reserved.`).waitFor();
  await page.screenshot({ path: join(artifacts, "walk-1-reserved.png") });

  // Days later: reload, and carry on from the list.
  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Reserved");
  await row(page, VOUCHER).getByRole("button", { name: `Report completion ${VOUCHER}` }).click();
  const report = page.getByRole("dialog");
  await report.getByLabel("Lead consultant ID").fill("c-1");
  await report.getByLabel("What was delivered").fill("Assessed the desktop estate and wrote the deployment plan.");
  await report.locator('input[type="file"]').setInputFiles([
    { name: "plan.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\nplanning report\n") },
  ]);
  await report.getByText("plan.pdf").waitFor();
  // Delivered in one day, today: the reservation ran four days further.
  await report.getByLabel("Last delivered day").fill(TODAY);
  await report.getByLabel("Days delivered").fill("1");
  await report.getByRole("button", { name: "Report completion" }).click();
  await page.getByText(`The completion report of voucher ${VOUCHER} is submitted.`).waitFor();

  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Completed");
  await row(page, VOUCHER).getByRole("checkbox").click();
  await page.getByRole("button", { name: "Redeem selected" }).click();
  const redeem = page.getByRole("dialog");
  const preview = redeem.getByRole("table", { name: "What will be redeemed" });
  await preview.waitFor();
  const line = await preview.getByRole("row").nth(1).innerText();
  assert.match(line, /1 of 5/, "the preview shows the days delivered");
  assert.match(line, /\$840\.00/, "1 day at China's rate (Contoso Shanghai), not the voucher's 5 days");
  await redeem.getByLabel(/I confirm/).check();
  await redeem.getByRole("button", { name: "Redeem" }).click();
  await page.getByText("1 vouchers are redeemed.", { exact: false }).waitFor();
  await page.screenshot({ path: join(artifacts, "walk-2-redeemed.png") });

  // The global administrator registers the payee (on the API: the portal's screen for it is to come).
  const tokens = await (await fetch(`${base}/demo/tokens`)).json();
  const payee = await fetch(`${base}/v1/partners/1001/payees/desktop`, {
    method: "PUT",
    headers: { authorization: `Bearer ${tokens.global_admin}`, "content-type": "application/json" },
    body: JSON.stringify({ payeeName: "Contoso Consulting Ltd", country: "CN", currency: "CNY" }),
  });
  assert.equal(payee.status, 200, "payee registered");

  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Redeemed");
  await row(page, VOUCHER).getByRole("checkbox").click();
  await page.getByRole("button", { name: "Claim payment for selected" }).click();
  const claim = page.getByRole("dialog");
  await claim.getByLabel("Invoice number").fill("INV-2026-001");
  await claim.getByRole("button", { name: "Claim payment" }).click();
  const claimed = await page.getByText(/Claim .* is submitted\./).innerText();
  const claimId = claimed.match(/Claim (\S+) for/)[1];
  await page.context().close();

  // The program administrator approves and records the payment.
  const admin = await open("program_admin");
  await visit(admin, "queue");
  await admin.getByRole("button", { name: `Approve ${claimId}` }).click();
  await admin.getByText(`Claim ${claimId} is approved.`).waitFor();
  await pick(admin, "Status", "Approved");
  await admin.getByRole("button", { name: `Record payment ${claimId}` }).click();
  await admin.getByRole("dialog").getByLabel("Payment reference").fill("PAY-77");
  await admin.getByRole("dialog").getByRole("button", { name: "Record payment" }).click();
  await admin.getByText(`The payment of claim ${claimId} is recorded.`).waitFor();
  await admin.context().close();

  const partner = await open("partner_admin", "zh-CN");
  await visit(partner, "claims");
  assert.match(await partner.getByRole("table").innerText(), /已付款/);
  await visit(partner, `vouchers/${VOUCHER}`);
  const history = await partner.getByRole("region", { name: "历史记录" }).innerText();
  for (const step of ["已保留", "已提交完成报告", "已兑换", "已提交付款请求", "已付款"]) {
    assert.match(history, new RegExp(step), `the history shows ${step}`);
  }
  await partner.screenshot({ path: join(artifacts, "walk-3-paid-zh.png"), fullPage: true });
  await partner.context().close();
});

test("the customer's administrator creates a voucher from the pool, checked as typed", async () => {
  const page = await open("customer_admin");
  await visit(page, "customer");
  const pools = page.getByRole("table", { name: "Planning days" });
  const before = await pools.getByRole("row").filter({ hasText: "Desktop" }).innerText();
  await page.getByRole("button", { name: "Create a voucher" }).click();
  const draw = page.getByRole("dialog");
  await pick(page, "Program", /Desktop Deployment Planning/);
  await draw.getByLabel("Days").fill("500");
  await draw.getByLabel("Days").blur();
  await draw.getByText(/days/i).nth(1).waitFor();
  assert.ok(await draw.locator('[role="alert"], .fui-Field__validationMessage').count() > 0, "too many days is refused before sending");
  await draw.getByLabel("Days").fill("5");
  await draw.getByLabel("Partner ID").fill("1001");
  await draw.getByRole("button", { name: "Create a voucher" }).click();
  await page.getByText(/Voucher SA[0-9A-F]{14} is created/).waitFor();
  await page.waitForFunction(
    (was) => [...document.querySelectorAll("tr")].some((tr) => tr.innerText.includes("Desktop") && tr.innerText.trim() !== was.trim()),
    before,
  );
  const after = await pools.getByRole("row").filter({ hasText: "Desktop" }).innerText();
  assert.match(after, /20\s+5\s+15/, "5 of the 20 days are now in the voucher");
  await page.context().close();
});

test("the read-only partner user is offered no action", async () => {
  const page = await open("partner_user");
  await visit(page, "vouchers");
  assert.equal(await row(page, "DEMOM3650002").getByRole("button").count(), 0);
  await visit(page, "profile");
  assert.equal(await page.getByRole("button", { name: "Save" }).count(), 0);
  await page.context().close();
});
