// The demo forms: each form is checked by saps-rules (the WASM build of saps-core) on every input
// and blur, and every field's message is shown beside the field in the chosen language.
//
// Served by `saps-server --demo`, the page signs in with a demo role and a form whose check passes
// is sent to its route of the API; the server's verdict is shown the same way. Served as plain
// files, the page has no API and a passing form shows its checked output instead.
import init, * as rules from "../pkg/web/saps_rules.js";
import { claimsOf, demoTokens, retryable, send, serverPrograms, serverToday } from "./api.js";
import { texts } from "./i18n.js";
import { sampleState } from "./sample.js";

const state = {
  locale: "en",
  today: localToday(),
  /** The date an empty Today field means: the API's when it is here, else the browser's. */
  defaultToday: localToday(),
  previewed: false,
  /** The demo tokens by role, or null without an API. */
  tokens: null,
  /** The role signed in as ("" = nobody: browser checks only). */
  role: "",
  /** The partner whose data the forms work on. */
  partner: "",
  /** The voucher validated last: reservation, cancellation and completion act on it. */
  voucher: null,
};

const online = () => Boolean(state.tokens && state.role);

function localToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function t(key) {
  return texts[state.locale][key] ?? texts.en[key] ?? key;
}

// ---------------------------------------------------------------- reading a form into JSON

/** Sets `value` at a JSON path like `consultants[0].exams[0].code`. */
function setPath(target, path, value) {
  const keys = path.match(/[^.[\]]+/g);
  let node = target;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const nextIsIndex = !last && /^\d+$/.test(keys[i + 1]);
    if (last) node[key] = value;
    else node = node[key] ??= nextIsIndex ? [] : {};
  });
}

/** Drops empty objects and arrays left by untouched optional groups. */
function prune(value) {
  if (Array.isArray(value)) {
    const kept = value.map(prune).filter((v) => v !== undefined);
    return kept.length ? kept : undefined;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, prune(v)]).filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

async function sha256Hex(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function readFields(form) {
  const out = {};
  for (const el of form.querySelectorAll("[data-field]")) {
    const path = el.dataset.field;
    if (el.type === "checkbox") {
      if (!el.closest("[hidden]")) setPath(out, path, el.checked);
    } else if ("files" in el.dataset) {
      const files = [...el.files];
      if (files.length) {
        setPath(out, path, await Promise.all(files.map(async (file) => ({
          fileName: file.name, mediaType: file.type, size: file.size, sha256: await sha256Hex(file),
        }))));
      }
    } else if ("list" in el.dataset) {
      const items = el.value.split(",").map((s) => s.trim()).filter(Boolean);
      if (items.length) setPath(out, path, items);
    } else if ("number" in el.dataset) {
      if (el.value !== "") setPath(out, path, Number(el.value));
    } else if (el.value !== "") {
      setPath(out, path, el.value);
    }
  }
  return prune(out) ?? {};
}

// ---------------------------------------------------------------- the forms

const sample = () => sampleState(state.today);

/** The eligibility form's facts; its training and agreement belong to the program checked. */
function factsOf(fields) {
  const { programId, ...facts } = structuredClone(fields);
  facts.complianceTraining?.forEach((c) => (c.programId = programId));
  facts.providerAgreements?.forEach((a) => (a.programId = programId));
  return { programId, facts };
}

const forms = {
  async eligibility(fields) {
    const { programId, facts } = factsOf(fields);
    const checked = rules.checkQualifications(facts, state.today, state.locale);
    if (checked.type === "failure") return checked;
    return rules.eligibility({ programId, context: { facts } }, state.today, state.locale);
  },
  enrollment: (fields) => rules.checkEnrollmentForm(
    { ...fields, context: { partnerLocations: sample().partnerLocations } }, state.today, state.locale),
  profile: (fields) => rules.checkProfileForm(fields, state.today, state.locale),
  validation: (fields) => rules.checkValidationForm(fields, state.today, state.locale),
  reservation: (fields) => rules.checkReservationForm({ acceptTerms: false, ...fields }, state.today, state.locale),
  cancellation: (fields) => rules.checkCancellationForm(fields, state.today, state.locale),
  completion: (fields) => rules.checkCompletionReportForm(fields, state.today, state.locale),
  directory: (fields) => rules.checkSearchForm(fields, state.today, state.locale),
  redemption(fields) {
    // With an API, the server previews its own vouchers: the page checks only the selection.
    if (!state.previewed && online()) {
      return rules.checkRedemptionForm({ ...fields, confirm: true }, state.today, state.locale);
    }
    if (!state.previewed) {
      const { actor, vouchers, enrollments } = sample();
      return rules.redemptionPreview({ voucherNumbers: fields.voucherNumbers, context: { actor, vouchers, enrollments } },
        state.today, state.locale);
    }
    return rules.checkRedemptionForm({ confirm: false, ...fields }, state.today, state.locale);
  },
  claim(fields) {
    const checked = rules.checkClaimForm(fields, state.today, state.locale);
    // With an API, the server computes the amount from its own vouchers.
    if (checked.type === "failure" || online()) return checked;
    const selected = new Set(checked.output.voucherNumbers);
    const vouchers = sample().vouchers.filter((v) => selected.has(v.voucherNumber));
    if (!vouchers.length) return checked;
    const amount = rules.claimAmount({ context: { vouchers } }, state.today, state.locale);
    return amount.type === "success" ? { ...checked, amount: amount.output } : amount;
  },
  // Registering needs the store's word that a voucher of the program was redeemed: the server
  // checks the whole form (rule registerPayee).
  payee: (fields) => ({ type: "success", output: fields }),
  // Deciding needs the stored claim: the server checks the reference and the reason.
  decision: (fields) => (fields.claimId ? { type: "success", output: fields }
    : pageFailure("field.required", "claimIdRequired", "claimId")),
};

// ---------------------------------------------------------------- sending to the API

const call = (method, path, options = {}) =>
  send({ method, path, token: state.tokens?.[state.role], locale: state.locale, ...options });
const partnerPath = () => `/v1/partners/${encodeURIComponent(state.partner)}`;
const voucherPath = () => `/v1/vouchers/${encodeURIComponent(state.voucher)}`;

/** A page-side failure in the §11 shape, for what the page itself must refuse. */
const pageFailure = (code, key, field = "") => ({ type: "failure", status: 0,
  errors: [{ code, message: t(key), fields: field ? [{ field, code, message: t(key) }] : [] }] });

const needVoucher = () => (state.voucher ? null : pageFailure("page.noVoucher", "validateFirst"));

/**
 * Runs one attempt under the form's idempotency key. The key is kept only while the attempt may
 * be retried (no answer, or the store was unavailable): a retry then replays instead of acting
 * twice. An answered attempt drops it, so the next submission is a new request.
 */
async function withKey(form, attempt) {
  form.idempotencyKey ??= crypto.randomUUID();
  const reply = await attempt(form.idempotencyKey);
  if (!retryable(reply)) delete form.idempotencyKey;
  return reply;
}

/** What each form sends once its check passes: the API's reply, tagged like a rules answer. */
const senders = {
  async eligibility(fields) {
    const { programId, facts } = factsOf(fields);
    // Entered facts are recorded first (program administrators only; others get the 403).
    if (Object.keys(facts).length) {
      const recorded = await call("PUT", `${partnerPath()}/qualifications`, { json: facts });
      if (recorded.type === "failure") return recorded;
    }
    const query = programId ? `?${new URLSearchParams({ programId })}` : "";
    return call("GET", `${partnerPath()}/eligibility${query}`);
  },
  enrollment: (fields) => call("POST", `${partnerPath()}/enrollments`, { json: fields }),
  profile: (fields) => call("PUT", `${partnerPath()}/profile`, { json: fields }),
  directory: (fields) => call("GET", `/v1/directory?${new URLSearchParams(fields)}`),
  async validation(fields) {
    const reply = await call("POST", "/v1/vouchers/validate", { json: fields });
    if (reply.type === "success") setVoucher(reply.output.voucherNumber);
    return reply;
  },
  reservation: (fields, form) => needVoucher()
    ?? withKey(form, (key) => call("POST", `${voucherPath()}/reservation`, { json: fields, key })),
  cancellation: (fields) => needVoucher() ?? call("DELETE", `${voucherPath()}/reservation`, { json: fields }),
  async completion(fields, form) {
    const missing = needVoucher();
    if (missing) return missing;
    // Each deliverable is uploaded first; the report then names them by their SHA-256.
    for (const file of form.querySelector("[data-files]").files) {
      const path = `${voucherPath()}/deliverables/${encodeURIComponent(file.name)}`;
      const uploaded = await call("PUT", path, { bytes: file });
      if (uploaded.type === "failure") return onField(uploaded, "deliverables");
    }
    return call("POST", `${voucherPath()}/completion-report`, { json: fields });
  },
  redemption: (fields, form) => withKey(form, (key) => call("POST", "/v1/redemptions", { json: fields, key })),
  payee: ({ programId = "", ...fields }) =>
    call("PUT", `${partnerPath()}/payees/${encodeURIComponent(programId)}`, { json: fields }),
  claim: (fields, form) => withKey(form, (key) => call("POST", "/v1/claims", { json: fields, key })),
  decision({ claimId, decision, reason, paymentReference }) {
    const body = decision === "reject" ? { reason } : decision === "pay" ? { paymentReference } : {};
    return call("POST", `/v1/claims/${encodeURIComponent(claimId)}/${decision}`, { json: body });
  },
};

/** An upload's failure shown beside the form's file field (its paths are the upload's own). */
function onField(reply, field) {
  for (const error of reply.errors) {
    error.fields = error.fields.length ? error.fields.map((f) => ({ ...f, field }))
      : [{ field, code: error.code, message: error.message }];
  }
  return reply;
}

function setVoucher(number) {
  state.voucher = number;
  for (const el of document.querySelectorAll("[data-current-voucher]")) el.textContent = number ?? "—";
}

// ---------------------------------------------------------------- showing messages

/** The element a failing field belongs to: the exact path, else its nearest ancestor path. */
function elementFor(form, path) {
  for (let p = path; p; p = p.replace(/(\[\d+\]|\.[^.[\]]+|^[^.[\]]+)$/, "")) {
    const el = form.querySelector(`[data-field="${CSS.escape(p)}"]`);
    if (el) return el;
  }
  return null;
}

/** The `className` child of `parent`, created (with `attrs`) on first use. */
function slot(parent, tag, className, attrs, place = "append") {
  let el = parent.querySelector(`:scope > .${className}`);
  if (!el) {
    el = document.createElement(tag);
    el.className = className;
    for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
    parent[place](el);
  }
  return el;
}

const messageSlot = (el) => slot(el.closest("label"), "span", "msg", { role: "alert" });
const formSlot = (form) => slot(form, "p", "form-msg", { role: "alert" }, "prepend");

function show(form, answer) {
  const byElement = new Map();
  const general = [];
  if (answer.type === "failure") {
    for (const error of answer.errors) {
      if (!error.fields.length) general.push(error.message);
      for (const f of error.fields) {
        const el = elementFor(form, f.field);
        if (el) byElement.set(el, [...(byElement.get(el) ?? []), f.message]);
        else general.push(f.field ? `${f.field}: ${f.message}` : f.message);
      }
    }
  }
  for (const el of form.querySelectorAll("[data-field]")) {
    const messages = byElement.get(el) ?? [];
    const visible = form.dataset.submitted === "true" || el.dataset.touched === "true";
    const text = visible ? [...new Set(messages)].join("; ") : "";
    messageSlot(el).textContent = text;
    el.setAttribute("aria-invalid", String(Boolean(text)));
  }
  formSlot(form).textContent = form.dataset.submitted === "true" ? general.join("; ") : "";
}

function showResult(form, html) {
  const box = slot(form, "div", "result", { "data-result": "" });
  box.hidden = html === null;
  box.innerHTML = html ?? "";
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function money({ minorUnits, currency }) {
  return `${(minorUnits / 100).toFixed(2)} ${currency}`;
}

function describePrograms(programs) {
  return programs.map((p) => {
    const unmet = p.requirements.filter((r) => !r.met).map((r) => `<li>${escape(t(r.action))}</li>`).join("");
    return `<p><strong>${escape(p.programId)}</strong> — ${t("status")}: <span data-status>${escape(t(p.status))}</span></p>`
      + (unmet ? `<p>${t("unmet")}:</p><ul>${unmet}</ul>` : "");
  }).join("");
}

/** A passing check when no API is behind the page. */
function describe(name, answer) {
  const out = answer.output;
  if (name === "eligibility") return describePrograms(out.programs);
  const amount = answer.amount ? `<p>${t("amount")}: <strong data-amount>${money(answer.amount)}</strong></p>` : "";
  return `<p>${t("checked")}</p><pre>${escape(JSON.stringify(out, null, 2))}</pre>${amount}`;
}

const voucherLine = (v) => `<p><strong data-voucher>${escape(v.voucherNumber)}</strong> ${escape(v.customerName)}`
  + ` — ${t("state")}: <span data-state>${escape(t(v.effectiveState))}</span></p>`;

const claimLine = (c) => `<p>${t("claimId")} <strong data-claim-id>${escape(c.claimId)}</strong>`
  + ` — ${t("amount")}: <strong data-amount>${money(c.amount)}</strong>`
  + ` — ${t("state")}: <span data-state>${escape(t(c.state))}</span></p>`;

function describeEntry(entry) {
  const p = entry.profile;
  return `<li><strong>${escape(p.companyName)}</strong> (${escape(entry.partnerId)}) — ${escape(entry.programs.join(", "))}`
    + ` — ${escape(p.countries.join(", "))} — ${escape(p.languages.join(", "))}</li>`;
}

/** The API's answer to a form. */
function describeReply(name, reply) {
  const out = reply.output;
  let summary;
  switch (name) {
    case "eligibility": summary = describePrograms(out.programs); break;
    case "enrollment": summary = `<p><strong>${escape(out.programId)}</strong> — ${t("status")}: `
      + `<span data-status>${escape(t(out.status))}</span> — ${t("until")} ${escape(out.expiresOn)}</p>`; break;
    case "profile": summary = `<p>${t("published")}: <strong>${escape(out.companyName)}</strong></p>`; break;
    case "directory": summary = out.items.length
      ? `<ul data-directory>${out.items.map(describeEntry).join("")}</ul>` : `<p>${t("noPartners")}</p>`; break;
    case "redemption": summary = out.vouchers.map(voucherLine).join(""); break;
    case "claim": case "decision": summary = claimLine(out); break;
    case "payee": summary = `<p>${t("payeeRegistered")}: <strong data-payee>${escape(out.payeeName)}</strong>`
      + ` — ${escape(out.programId)} — ${escape(out.country)}, ${escape(out.currency)}</p>`; break;
    default: summary = voucherLine(out);
  }
  const replayed = reply.replayed ? ` <span data-replayed>(${t("replayed")})</span>` : "";
  return `<p>${t("sent")} <span data-http-status>${reply.status}</span>${replayed}</p>${summary}`
    + `<details><summary>JSON</summary><pre>${escape(JSON.stringify(out, null, 2))}</pre></details>`;
}

/** The partner's vouchers, each with a button that puts it in the validation form. */
async function refreshVouchers() {
  const box = document.querySelector("[data-vouchers]");
  if (!online() || !state.partner) {
    box.innerHTML = "";
    return;
  }
  const reply = await call("GET", `${partnerPath()}/vouchers`);
  if (reply.type === "failure") {
    box.innerHTML = `<p class="form-msg">${escape(reply.errors.map((e) => e.message).join("; "))}</p>`;
    return;
  }
  const rows = reply.output.items.map((v) => `<tr><td>${escape(v.voucherNumber)}</td><td>${escape(v.customerName)}</td>`
    + `<td>${escape(v.adminEmail)}</td><td data-state>${escape(t(v.effectiveState))}</td><td>${escape(v.expiresOn)}</td>`
    + `<td><button type="button" data-use="${escape(v.voucherNumber)}" data-email="${escape(v.adminEmail)}">`
    + `${t("use")}</button></td></tr>`).join("");
  box.innerHTML = `<table><tr><th>#</th><th>${t("customer")}</th><th>${t("adminEmail")}</th><th>${t("state")}</th>`
    + `<th>${t("expires")}</th><th></th></tr>${rows}</table>`;
}

/** Puts a listed voucher in the validation form (and its email in the reservation form). */
function useVoucher(number, email) {
  const put = (selector, value) => {
    const el = document.querySelector(selector);
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
  put('form[data-form="validation"] [data-field="voucherNumber"]', number);
  put('form[data-form="validation"] [data-field="adminEmail"]', email);
  put('form[data-form="reservation"] [data-field="adminEmail"]', email);
}

function showPreview(form, preview) {
  const rows = preview.lines.map((l) => `<tr><td>${escape(l.voucherNumber)}</td><td>${l.days ?? ""}</td>`
    + `<td>${l.value ? money(l.value) : ""}</td><td>${l.redeemable ? t("yes") : t("no")}`
    + `${l.reasons.map((r) => ` — ${escape(r.message)}`).join("")}</td></tr>`).join("");
  const totals = preview.totals.map(money).join(", ");
  const box = form.querySelector("[data-preview]");
  box.innerHTML = `<table><tr><th>#</th><th>${t("days")}</th><th>${t("value")}</th><th>${t("redeemable")}</th></tr>`
    + `${rows}<tr><th colspan="2">${t("total")}</th><td colspan="2">${escape(totals)}</td></tr></table>`;
  box.hidden = false;
  for (const el of form.querySelectorAll("[data-confirm]")) el.hidden = !preview.redeemable;
  state.previewed = preview.redeemable;
}

function resetPreview(form) {
  state.previewed = false;
  form.querySelector("[data-preview]").hidden = true;
  for (const el of form.querySelectorAll("[data-confirm]")) el.hidden = true;
}

// ---------------------------------------------------------------- wiring

/**
 * Runs `work` while `data-pending` counts it: reading files and calling the API are asynchronous,
 * and a watcher (the e2e tests) knows from it when what the form shows belongs to the latest input.
 */
async function pending(form, work) {
  form.dataset.pending = String(Number(form.dataset.pending ?? 0) + 1);
  try {
    return await work();
  } finally {
    form.dataset.pending = String(Number(form.dataset.pending) - 1);
  }
}

/** Checks the form with saps-rules and shows the messages; answers the check and the fields. */
function check(form) {
  return pending(form, async () => {
    const fields = await readFields(form);
    const answer = await forms[form.dataset.form](fields);
    show(form, answer);
    return { answer, fields };
  });
}

/** Checks, then (with an API) sends; shows the outcome. */
function submit(form) {
  const name = form.dataset.form;
  return pending(form, async () => {
    form.dataset.submitted = "true";
    const { answer, fields } = await check(form);
    if (answer.type === "failure") return showResult(form, null);
    if (!online()) return showResult(form, describe(name, answer));
    const reply = await senders[name](fields, form);
    show(form, reply);
    showResult(form, reply.type === "success" ? describeReply(name, reply) : null);
    if (reply.type === "success") refreshVouchers();
  });
}

/** The redemption's first step: the selection previewed by the API, else by the stand-in state. */
function preview(form) {
  return pending(form, async () => {
    form.dataset.submitted = "true";
    const { answer, fields } = await check(form);
    if (answer.type === "failure") return;
    const previewed = online()
      ? await call("POST", "/v1/redemptions/preview", { json: { voucherNumbers: fields.voucherNumbers } })
      : answer;
    show(form, previewed);
    if (previewed.type === "success") showPreview(form, previewed.output);
  });
}

function wire(form) {
  const name = form.dataset.form;
  const report = (e) => (formSlot(form).textContent = String(e));
  const recheck = () => check(form).catch(report);
  form.addEventListener("input", (event) => {
    if (name === "redemption" && event.target.dataset.field === "voucherNumbers") resetPreview(form);
    // A different body is a different request: it must not reuse the last attempt's key.
    delete form.idempotencyKey;
    showResult(form, null);
    recheck();
  });
  form.addEventListener("change", recheck);
  form.addEventListener("focusout", (event) => {
    if (event.target.dataset?.field) event.target.dataset.touched = "true";
    recheck();
  });
  form.querySelector('[data-action="preview"]')?.addEventListener("click", () => preview(form).catch(report));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form).catch(report);
  });
}

function translate() {
  document.documentElement.lang = state.locale;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const button of document.querySelectorAll("[data-locale]")) {
    button.setAttribute("aria-pressed", String(button.dataset.locale === state.locale));
  }
}

function fillPrograms() {
  const answer = rules.run("programs", {}, state.today, state.locale);
  if (answer.type !== "success") return;
  for (const select of document.querySelectorAll("[data-programs]")) {
    const current = select.value;
    select.innerHTML = `<option value="">${escape(t("choose"))}</option>` + answer.output.map((p) =>
      `<option value="${escape(p.id)}">${escape(p.name[state.locale] ?? p.id)}</option>`).join("");
    select.value = current;
  }
}

function recheckAll() {
  for (const form of document.querySelectorAll("form[data-form]")) check(form);
}

/** Signs in as `role` ("" = nobody) and works on its partner (program admins pick one). */
function signIn(role) {
  state.role = role;
  const claims = role ? claimsOf(state.tokens[role]) : {};
  state.partner = claims.partnerId ?? (role ? state.partner || DEMO_PARTNER : "");
  document.getElementById("partner").value = state.partner;
  document.getElementById("mode").dataset.i18n = online() ? "onlineMode" : "apiAvailable";
  setVoucher(null);
  for (const form of document.querySelectorAll("form[data-form]")) showResult(form, null);
  translate();
  recheckAll();
  refreshVouchers();
}

/** With an API behind the page: the role selector, the voucher list and the API-only forms. */
async function connect() {
  state.tokens = await demoTokens();
  if (!state.tokens) return;
  state.defaultToday = (await serverToday()) ?? state.defaultToday;
  state.today = state.defaultToday;
  // The forms decide on the catalog the server stores, not the sample built into the module.
  const programs = await serverPrograms();
  if (programs) rules.useCatalog(programs);
  for (const el of document.querySelectorAll("[data-api-only]")) el.hidden = false;
  const select = document.getElementById("role");
  for (const role of Object.keys(state.tokens)) {
    select.insertAdjacentHTML("beforeend", `<option value="${escape(role)}" data-i18n="${escape(role)}"></option>`);
  }
  select.addEventListener("change", () => signIn(select.value));
  const partner = document.getElementById("partner");
  partner.addEventListener("change", () => {
    state.partner = partner.value.trim();
    refreshVouchers();
  });
  document.querySelector('[data-action="refresh-vouchers"]').addEventListener("click", refreshVouchers);
  document.querySelector("[data-vouchers]").addEventListener("click", (event) => {
    const button = event.target.closest("[data-use]");
    if (button) useVoucher(button.dataset.use, button.dataset.email);
  });
  document.getElementById("mode").dataset.i18n = "apiAvailable";
}

/** The partner a program administrator works on first: the demo's own. */
const DEMO_PARTNER = "1001";

await init();
const todayInput = document.getElementById("today");
todayInput.value = state.today;
todayInput.addEventListener("change", () => {
  state.today = todayInput.value || state.defaultToday;
  recheckAll();
});
for (const button of document.querySelectorAll("[data-locale]")) {
  button.addEventListener("click", () => {
    state.locale = button.dataset.locale;
    translate();
    fillPrograms();
    recheckAll();
  });
}
await connect();
todayInput.value = state.today;
translate();
fillPrograms();
document.querySelectorAll("form[data-form]").forEach(wire);
recheckAll();
const engine = document.getElementById("engine");
engine.dataset.i18n = "ready";
engine.textContent = t("ready");
document.body.dataset.ready = "true";
