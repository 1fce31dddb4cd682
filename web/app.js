// The demo forms: each form is checked by saps-rules (the WASM build of saps-core) on every input
// and blur, and every field's message is shown beside the field in the chosen language.
// A form whose check passes shows its checked output (the submit handler in `wire`).
import init, * as rules from "../pkg/web/saps_rules.js";
import { texts } from "./i18n.js";
import { sampleState } from "./sample.js";

const state = { locale: "en", today: localToday(), previewed: false };

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

const forms = {
  async eligibility(fields) {
    const { programId, ...facts } = fields;
    // Training and agreement belong to the program being checked.
    facts.complianceTraining?.forEach((c) => (c.programId = programId));
    facts.providerAgreements?.forEach((a) => (a.programId = programId));
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
  redemption(fields) {
    if (!state.previewed) {
      const { actor, vouchers } = sample();
      return rules.redemptionPreview({ voucherNumbers: fields.voucherNumbers, context: { actor, vouchers } },
        state.today, state.locale);
    }
    return rules.checkRedemptionForm({ confirm: false, ...fields }, state.today, state.locale);
  },
  claim(fields) {
    const checked = rules.checkClaimForm(fields, state.today, state.locale);
    if (checked.type === "failure") return checked;
    const selected = new Set(checked.output.voucherNumbers);
    const vouchers = sample().vouchers.filter((v) => selected.has(v.voucherNumber));
    if (!vouchers.length) return checked;
    const amount = rules.claimAmount({ context: { vouchers } }, state.today, state.locale);
    return amount.type === "success" ? { ...checked, amount: amount.output } : amount;
  },
};

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

function describe(name, answer) {
  const out = answer.output;
  if (name === "eligibility") {
    return out.programs.map((p) => {
      const unmet = p.requirements.filter((r) => !r.met).map((r) => `<li>${escape(t(r.action))}</li>`).join("");
      return `<p><strong>${escape(p.programId)}</strong> — ${t("status")}: <span data-status>${escape(t(p.status))}</span></p>`
        + (unmet ? `<p>${t("unmet")}:</p><ul>${unmet}</ul>` : "");
    }).join("");
  }
  const amount = answer.amount ? `<p>${t("amount")}: <strong data-amount>${money(answer.amount)}</strong></p>` : "";
  return `<p>${t("checked")}</p><pre>${escape(JSON.stringify(out, null, 2))}</pre>${amount}`;
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

async function check(form) {
  // Reading files is asynchronous; `data-pending` tells a watcher (the e2e test) when the
  // messages on screen belong to the latest input.
  form.dataset.pending = String(Number(form.dataset.pending ?? 0) + 1);
  try {
    const answer = await forms[form.dataset.form](await readFields(form));
    show(form, answer);
    return answer;
  } finally {
    form.dataset.pending = String(Number(form.dataset.pending) - 1);
  }
}

function wire(form) {
  const name = form.dataset.form;
  const recheck = () => check(form).catch((e) => (formSlot(form).textContent = String(e)));
  form.addEventListener("input", (event) => {
    if (name === "redemption" && event.target.dataset.field === "voucherNumbers") resetPreview(form);
    showResult(form, null);
    recheck();
  });
  form.addEventListener("change", recheck);
  form.addEventListener("focusout", (event) => {
    if (event.target.dataset?.field) event.target.dataset.touched = "true";
    recheck();
  });
  form.querySelector('[data-action="preview"]')?.addEventListener("click", async () => {
    form.dataset.submitted = "true";
    const answer = await check(form);
    if (answer.type === "success") showPreview(form, answer.output);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.dataset.submitted = "true";
    const answer = await check(form);
    showResult(form, answer.type === "success" ? describe(name, answer) : null);
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

await init();
const todayInput = document.getElementById("today");
todayInput.value = state.today;
todayInput.addEventListener("change", () => {
  state.today = todayInput.value || localToday();
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
translate();
fillPrograms();
document.querySelectorAll("form[data-form]").forEach(wire);
recheckAll();
const engine = document.getElementById("engine");
engine.dataset.i18n = "ready";
engine.textContent = t("ready");
document.body.dataset.ready = "true";
