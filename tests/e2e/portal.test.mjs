// The partner portal (portal/, served at / by `saps-server --demo`) in headless Chromium.
// 1. Every page of every role, in English and in Chinese, 1280 and 390 px wide: a screenshot of
//    each in artifacts/portal/, and axe-core finds no serious or critical violation.
// 2. A voucher's life through the portal as people use it: the partner administrator enrolls,
//    publishes a profile (found in the directory), reserves from the voucher list (keyboard
//    only), cancels and reserves again, reloads and reports completion with a deliverable,
//    reloads and redeems the ticked row after the preview; the global administrator registers
//    the payee; the partner claims (the first answer is lost and the retry replayed); the
//    program administrator approves and records the payment; the history reads in Chinese.
// 3. The customer's administrator creates a voucher from the pool; the read-only user is offered
//    no action; forms speak the reader's language and switch with it; another partner's voucher
//    is not found; the program administrator records qualifications field by field; the global
//    administrator grants the voucher tool; the list exports CSV and Excel.
// The tests share one server and run in order: those after the walk use what it did (the
// enrollment that opens the voucher tool, the registered payee).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
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
  ["global_admin", ["payees", "access"]],
  ["partner_user", ["dashboard", "vouchers"]],
  ["program_admin", ["queue", "qualifications", "directory"]],
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
  assert.deepStrictEqual(await tabs("partner_admin"), ["Dashboard", "Vouchers", "Claims", "Directory profile", "Voucher tool access", "Find a partner"]);
  assert.deepStrictEqual(await tabs("global_admin"), ["Dashboard", "Vouchers", "Claims", "Directory profile", "Payees", "Voucher tool access", "Find a partner"]);
  assert.deepStrictEqual(await tabs("program_admin"), ["Claims to decide", "Partner qualifications", "Find a partner"]);
  assert.deepStrictEqual(await tabs("customer_admin"), ["Planning days and vouchers", "Find a partner"]);
  assert.deepStrictEqual(await tabs(""), ["Find a partner"]);
});

/** Moves the keyboard's focus to `target` and presses `key` there: no pointer involved. */
async function press(target, key) {
  await target.focus();
  await target.page().keyboard.press(key);
}

/** Types `text` into `field` from the keyboard, replacing what it held. */
async function type(field, text) {
  await field.focus();
  await field.page().keyboard.press("Control+A");
  await field.page().keyboard.type(text);
}

/** The row of `number` in the voucher table. */
const row = (page, number) => page.getByRole("row").filter({ hasText: number });

async function stateOf(page, number) {
  return (await row(page, number).getByRole("cell").nth(5).innerText()).trim();
}

/** Waits until the list, reloading after an action, shows `number` in `state`. */
async function stateBecomes(page, number, state) {
  await row(page, number).getByRole("cell").nth(5).filter({ hasText: state }).waitFor();
}

async function pick(page, label, option) {
  await page.getByRole("combobox", { name: label }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

test("a voucher's life in the portal, by keyboard, with a reload in the middle of each multi-day step", async () => {
  const page = await open("partner_admin");
  await visit(page, "dashboard");

  // Enroll in Desktop Deployment Planning for locations 11 and 12.
  await page.getByRole("button", { name: "Enroll" }).click();
  const enroll = page.getByRole("dialog");
  await press(enroll.getByRole("checkbox", { name: /^11 · / }), "Space");
  await press(enroll.getByRole("checkbox", { name: /^12 · / }), "Space");
  await press(enroll.getByRole("button", { name: "Enroll" }), "Enter");
  await page.getByText("Enrolled in Desktop Deployment Planning.").waitFor();
  assert.match(await page.getByRole("table", { name: "Enrollments" }).innerText(), /Active/);

  // Publish the directory profile; a customer then finds the partner by country and language.
  await visit(page, "profile");
  await page.getByLabel("Company name").fill("Contoso Consulting");
  await page.getByLabel("Website").fill("https://contoso-consulting.example");
  await page.getByLabel("Contact email").fill("planning@contoso-consulting.example");
  await page.getByLabel("Countries served").fill("CN, US");
  await page.getByLabel("Languages").fill("zh, en");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Your profile is saved").waitFor();
  await visit(page, "profile");
  assert.equal(await page.getByLabel("Countries served").inputValue(), "CN, US", "the saved profile prefills the form");
  const customer = await open("");
  await visit(customer, "directory");
  await customer.getByLabel("Country").fill("CN");
  await customer.getByRole("textbox", { name: "Language" }).fill("zh");
  await customer.getByRole("button", { name: "Search" }).click();
  await customer.getByRole("listitem").filter({ hasText: "Contoso Consulting" }).waitFor();
  await customer.context().close();

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

  // The customer changes the dates: cancel the reservation (back to Assigned), reserve again.
  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Reserved");
  await press(row(page, VOUCHER).getByRole("button", { name: `Cancel reservation ${VOUCHER}` }), "Enter");
  const cancel = page.getByRole("dialog");
  await press(cancel.getByRole("combobox", { name: "Reason" }), "Enter");
  await page.keyboard.press("Enter");
  assert.equal(await cancel.getByRole("combobox", { name: "Reason" }).innerText(), "The offer changed");
  await press(cancel.getByRole("button", { name: "Cancel reservation" }), "Enter");
  await page.getByText(`The reservation of voucher ${VOUCHER} is cancelled`).waitFor();
  await stateBecomes(page, VOUCHER, "Assigned");
  await row(page, VOUCHER).getByRole("button", { name: `Reserve ${VOUCHER}` }).click();
  await pick(page, "Delivery location", /^11 · Contoso Shanghai/);
  await page.getByRole("dialog").getByLabel("I accept the terms of the planning services").check();
  await page.getByRole("dialog").getByRole("button", { name: "Reserve" }).click();
  await page.getByText(`Voucher ${VOUCHER} is reserved.`).waitFor();

  // Days later: reload, and carry on from the list.
  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Reserved");
  await press(row(page, VOUCHER).getByRole("button", { name: `Report completion ${VOUCHER}` }), "Enter");
  const report = page.getByRole("dialog");
  await type(report.getByLabel("Lead consultant ID"), "c-1");
  await type(report.getByLabel("What was delivered"), "Assessed the desktop estate and wrote the deployment plan.");
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    press(report.getByRole("button", { name: "Add files" }), "Enter"),
  ]);
  await chooser.setFiles([
    { name: "plan.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\nplanning report\n") },
  ]);
  await report.getByText("plan.pdf").waitFor();
  // Delivered in one day, today: the reservation ran four days further.
  await report.getByLabel("Last delivered day").fill(TODAY);
  await type(report.getByLabel("Days delivered"), "1");
  await press(report.getByRole("button", { name: "Report completion" }), "Enter");
  await page.getByText(`The completion report of voucher ${VOUCHER} is submitted.`).waitFor();

  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Completed");
  await press(row(page, VOUCHER).getByRole("checkbox"), "Space");
  await press(page.getByRole("button", { name: "Redeem selected" }), "Enter");
  const redeem = page.getByRole("dialog");
  const preview = redeem.getByRole("table", { name: "What will be redeemed" });
  await preview.waitFor();
  const line = await preview.getByRole("row").nth(1).innerText();
  assert.match(line, /1 of 5/, "the preview shows the days delivered");
  assert.match(line, /\$840\.00/, "1 day at China's rate (Contoso Shanghai), not the voucher's 5 days");
  await press(redeem.getByLabel(/I confirm/), "Space");
  await press(redeem.getByRole("button", { name: "Redeem" }), "Enter");
  await page.getByText("1 vouchers are redeemed.", { exact: false }).waitFor();
  await page.screenshot({ path: join(artifacts, "walk-2-redeemed.png") });

  // The global administrator registers the payee, possible now that a Desktop voucher is redeemed.
  const global = await open("global_admin");
  await visit(global, "payees");
  await global.getByRole("button", { name: "Register Desktop Deployment Planning" }).click();
  const payee = global.getByRole("dialog");
  await payee.getByLabel("Legal name of the payee").fill("Contoso Consulting Ltd");
  await payee.getByLabel("Country").fill("CN");
  await payee.getByLabel("Bank account currency").fill("CNY");
  await payee.getByRole("button", { name: "Save" }).click();
  await global.getByText("The payee for Desktop Deployment Planning is saved.").waitFor();
  await global.context().close();
  const tokens = await (await fetch(`${base}/demo/tokens`)).json();

  await visit(page, "vouchers");
  assert.equal(await stateOf(page, VOUCHER), "Redeemed");
  await row(page, VOUCHER).getByRole("checkbox").click();
  await page.getByRole("button", { name: "Claim payment for selected" }).click();
  const claim = page.getByRole("dialog");
  await claim.getByLabel("Invoice number").fill("INV-2026-001");
  // The first answer is lost on the way back: the server made the claim, the browser never hears.
  const keys = [];
  await page.route("**/v1/claims", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length === 1) {
      await route.fetch();
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  await claim.getByRole("button", { name: "Claim payment" }).click();
  await claim.getByText("The service could not be reached").waitFor();
  await claim.getByRole("button", { name: "Claim payment" }).click();
  const claimed = await page.getByText(/Claim .* is submitted\./).innerText();
  await page.unroute("**/v1/claims");
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], "the retry carries the first attempt's key, so it is replayed");
  const claimId = claimed.match(/Claim (\S+) for/)[1];
  const claims = await (await fetch(`${base}/v1/partners/1001/claims`, {
    headers: { authorization: `Bearer ${tokens.partner_admin}` },
  })).json();
  assert.deepStrictEqual(claims.items.map((c) => c.claimId), [claimId], "one claim, not two");
  await page.context().close();

  // The program administrator approves and records the payment.
  const admin = await open("program_admin");
  await visit(admin, "queue");
  await press(admin.getByRole("button", { name: `Approve ${claimId}` }), "Enter");
  await admin.getByText(`Claim ${claimId} is approved.`).waitFor();
  await pick(admin, "Status", "Approved");
  await press(admin.getByRole("button", { name: `Record payment ${claimId}` }), "Enter");
  await admin.getByRole("dialog").getByLabel("Payment reference").fill("PAY-77");
  await press(admin.getByRole("dialog").getByRole("button", { name: "Record payment" }), "Enter");
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
  const [deliverable] = await Promise.all([
    partner.waitForEvent("download"),
    partner.getByRole("button", { name: "下载 plan.pdf" }).click(),
  ]);
  assert.equal(await readFile(await deliverable.path(), "utf8"), "%PDF-1.7\nplanning report\n", "the deliverable comes back whole");
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
  // Refused before sending (saps-rules/all loads with the dialog; the message comes once it has).
  await draw.locator(".fui-Field__validationMessage").first().waitFor();
  await draw.getByLabel("Days").fill("5");
  await draw.getByLabel("Partner ID").fill("1001");
  await draw.getByRole("button", { name: "Create a voucher" }).click();
  const first = (await page.getByText(/Voucher SA[0-9A-F]{14} is created/).innerText()).match(/SA[0-9A-F]{14}/)[0];
  await page.waitForFunction(
    (was) => [...document.querySelectorAll("tr")].some((tr) => tr.innerText.includes("Desktop") && tr.innerText.trim() !== was.trim()),
    before,
  );
  const after = await pools.getByRole("row").filter({ hasText: "Desktop" }).innerText();
  assert.match(after, /20\s+5\s+15/, "5 of the 20 days are now in the voucher");

  // A voucher drawn without a partner waits as Created; the administrator assigns it later.
  await page.getByRole("button", { name: "Create a voucher" }).click();
  await pick(page, "Program", /SQL Server Deployment Planning/);
  await page.getByRole("dialog").getByLabel("Days").fill("3");
  await page.getByRole("dialog").getByRole("button", { name: "Create a voucher" }).click();
  // The first confirmation was cleared when the dialog opened: this one names the new voucher.
  const created = await page.getByText(/Voucher SA[0-9A-F]{14} is created/).innerText();
  const number = created.match(/SA[0-9A-F]{14}/)[0];
  assert.notEqual(number, first, "the confirmation names the voucher just created");
  const vouchers = page.getByRole("table", { name: "Vouchers" });
  await vouchers.getByRole("row").filter({ hasText: number }).getByText("Created").waitFor();
  await page.getByRole("button", { name: `Assign to a partner ${number}` }).click();
  const partner = page.getByRole("dialog").getByLabel("Partner ID");
  await partner.fill("Contoso");
  await partner.blur();
  await page.getByRole("dialog").locator(".fui-Field__validationMessage").waitFor(); // checked before sending
  await partner.fill("1001");
  await page.getByRole("dialog").getByRole("button", { name: "Assign to a partner" }).click();
  await page.getByText(`Voucher ${number} is assigned to partner 1001.`).waitFor();
  await vouchers.getByRole("row").filter({ hasText: number }).getByText("Assigned").waitFor();
  await page.context().close();
});

test("a voucher number and the customer's administrator email open the voucher (the forwarded email)", async () => {
  const page = await open("partner_admin");
  await visit(page, "vouchers");
  await page.getByLabel("Voucher number").fill("demo-m365-0003");
  await page.getByLabel("Customer's voucher administrator email").first().fill("wrong@tailspin.example");
  await page.getByRole("button", { name: "Open voucher" }).click();
  // The server's refusal stands beside the email field, as the rules' own messages do.
  await page.locator(".fui-Field__validationMessage", { hasText: "does not match the voucher administrator's email" }).waitFor();
  assert.equal(new URL(page.url()).hash, "#/vouchers", "a wrong email opens nothing");
  const tokens = await (await fetch(`${base}/demo/tokens`)).json();
  const email = await (await fetch(`${base}/v1/vouchers/DEMOM3650003`, {
    headers: { authorization: `Bearer ${tokens.partner_admin}` },
  })).json();
  await page.getByLabel("Customer's voucher administrator email").first().fill(email.adminEmail);
  await page.getByRole("button", { name: "Open voucher" }).click();
  await page.getByRole("heading", { name: "Voucher DEMOM3650003" }).waitFor();
  assert.equal(new URL(page.url()).hash, "#/vouchers/DEMOM3650003");

  // A colleague reserves the voucher while the dialog is open: the refusal names the voucher
  // (a field the dialog has not) and still shows, above the buttons.
  await press(page.getByRole("button", { name: "Reserve DEMOM3650003" }), "Enter");
  const dialog = page.getByRole("dialog");
  await pick(page, "Delivery location", /^11 · Contoso Shanghai/);
  await dialog.getByLabel("I accept the terms of the planning services").check();
  const taken = await fetch(`${base}/v1/vouchers/DEMOM3650003/reservation`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.partner_admin}`, "content-type": "application/json" },
    body: JSON.stringify({ adminEmail: email.adminEmail, engagementStart: TODAY, engagementEnd: TODAY, locationId: "11", acceptTerms: true }),
  });
  assert.equal(taken.status, 200);
  await dialog.getByRole("button", { name: "Reserve" }).click();
  await dialog.getByText("cannot reserve a voucher that is reserved").waitFor();
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

test("forms speak the reader's language as typed, and switch with it", async () => {
  const page = await open("partner_admin", "zh-CN");
  await visit(page, "vouchers");
  await row(page, "DEMOM3650002").getByRole("button", { name: "保留 DEMOM3650002" }).click();
  const dialog = page.getByRole("dialog");
  const email = dialog.getByLabel("客户凭证管理员的电子邮件");
  await email.fill("not-an-email");
  await email.blur();
  const message = dialog.locator(".fui-Field__validationMessage").first();
  assert.match(await message.innerText(), /[\u4e00-\u9fff]/, "the rule's message is Chinese");
  await dialog.getByRole("button", { name: "关闭" }).click();
  await page.getByRole("combobox", { name: "语言" }).click();
  await page.getByRole("option", { name: "English" }).click();
  await page.getByRole("tab", { name: "Vouchers" }).waitFor();
  assert.match(await page.getByRole("table", { name: "Your vouchers" }).innerText(), /Assigned/, "the table re-renders in English");
  await row(page, "DEMOM3650002").getByRole("button", { name: "Reserve DEMOM3650002" }).click();
  await page.getByRole("dialog").getByLabel("Customer's voucher administrator email").fill("not-an-email");
  await page.getByRole("dialog").getByLabel("Customer's voucher administrator email").blur();
  assert.doesNotMatch(
    await page.getByRole("dialog").locator(".fui-Field__validationMessage").first().innerText(),
    /[\u4e00-\u9fff]/,
  );
  await page.context().close();
});

test("another partner cannot open the voucher; the server's refusals come in the reader's language", async () => {
  const page = await open("other_partner_admin", "zh-CN");
  await visit(page, `vouchers/${VOUCHER}`);
  const refusal = await page.getByRole("main").innerText();
  assert.match(refusal, /没有此凭证/, "404 in Chinese, as if the voucher did not exist");
  await page.context().close();
});

test("the program administrator records a partner's qualifications, checked field by field", async () => {
  const page = await open("program_admin");
  await visit(page, "qualifications");
  await page.getByLabel("Partner ID").fill("1002");
  await page.getByRole("button", { name: "Open" }).click();
  await page.getByRole("button", { name: "Add a consultant" }).waitFor();
  await page.getByRole("button", { name: "Add a consultant" }).click();
  await page.getByRole("button", { name: "Add an exam" }).last().click();
  await page.getByRole("button", { name: "Save" }).click();
  // A half-filled fact: each empty field says so beside itself, in words, not a parser's.
  const messages = await page.locator(".fui-Field__validationMessage").allInnerTexts();
  assert.ok(messages.length >= 4, `every empty field has its message: ${messages}`);
  for (const m of messages) assert.doesNotMatch(m, /missing field|invalid type|serde|at `/);
  const last = page.getByRole("region", { name: "Consultants and their exams" });
  const box = (name) => last.getByRole("textbox", { name, exact: true }).last();
  await box("Consultant ID").fill("c-9");
  await box("Name").fill("Zhang Min");
  await box("Exam").fill("MS-102");
  await last.getByLabel("Passed on").last().fill("2026-01-15");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("The qualifications of partner 1002 are saved.").waitFor();
  await page.screenshot({ path: join(artifacts, "qualifications-saved.png"), fullPage: true });
  await page.context().close();
});

test("the global administrator sees payees and grants the voucher tool", async () => {
  const page = await open("global_admin");
  await visit(page, "access");
  await page.getByRole("textbox", { name: "User" }).fill("zhao@contoso.example");
  await page.getByRole("button", { name: "Grant the voucher tool" }).click();
  await page.getByText("zhao@contoso.example may now use the voucher tool.").waitFor();
  await page.getByRole("table", { name: "Users with access" }).getByText("zhao@contoso.example").waitFor();
  await page.getByRole("button", { name: "Revoke zhao@contoso.example" }).click();
  await page.getByText("zhao@contoso.example may no longer use the voucher tool.").waitFor();
  await visit(page, "payees");
  // The payee registered in the walk.
  await page.getByRole("table", { name: "Payees" }).getByText(/Contoso Consulting Ltd \(CN, CNY\)/).waitFor();
  await page.context().close();
});

test("the voucher list exports CSV with a BOM and an Excel workbook", async () => {
  const page = await open("partner_admin");
  await visit(page, "vouchers");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export (CSV)" }).click()]);
  const text = await readFile(await csv.path(), "utf8");
  assert.ok(text.startsWith("\uFEFF"), "a BOM, so Excel reads UTF-8");
  assert.match(text, /DEMOM3650002/);
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export (Excel)" }).click()]);
  const bytes = await readFile(await xlsx.path());
  assert.equal(bytes.subarray(0, 2).toString(), "PK", "an xlsx workbook (a zip)");
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  await page.context().close();
});
