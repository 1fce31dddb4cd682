// The fixed form checks that both measurements time (scripts/wasm-report.mjs by the clock,
// scripts/wasm-instructions.sh by instruction count), so their figures are of the same calls.
export const fixedCases = {
  "checkReservationForm (valid)": {
    fn: "checkReservationForm", today: "2026-03-02", locale: "en",
    input: { adminEmail: "it-admin@contoso.example", acceptTerms: true, engagementStart: "2026-03-10", engagementEnd: "2026-03-12" },
  },
  "checkReservationForm (3 problems, zh-CN)": {
    fn: "checkReservationForm", today: "2026-03-02", locale: "zh-CN",
    input: { adminEmail: "nobody", acceptTerms: false, engagementStart: "2026-03-12", engagementEnd: "2026-03-10" },
  },
  "checkValidationForm (valid)": {
    fn: "checkValidationForm", today: "2026-03-02", locale: "en",
    input: { voucherNumber: "SAPS-0001-M365", adminEmail: "it-admin@contoso.example" },
  },
};

// One call of `rules` per case, by the case's name.
export function callsOf(rules, cases) {
  return Object.fromEntries(Object.entries(cases).map(([name, { fn, input, today, locale }]) =>
    [name, () => rules[fn](input, today, locale)]));
}
