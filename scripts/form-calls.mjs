// The fixed form checks that both measurements time (scripts/wasm-report.mjs by the clock,
// scripts/wasm-instructions.sh by instruction count), so their figures are of the same calls.
export const validReservation = {
  adminEmail: "it-admin@contoso.example", acceptTerms: true, engagementStart: "2026-03-10", engagementEnd: "2026-03-12",
};

export function fixedCalls(rules) {
  return {
    "checkReservationForm (valid)": () => rules.checkReservationForm(validReservation, "2026-03-02", "en"),
    "checkReservationForm (3 problems, zh-CN)": () => rules.checkReservationForm(
      { adminEmail: "nobody", acceptTerms: false, engagementStart: "2026-03-12", engagementEnd: "2026-03-10" },
      "2026-03-02", "zh-CN"),
    "checkValidationForm (valid)": () => rules.checkValidationForm(
      { voucherNumber: "SAPS-0001-M365", adminEmail: "it-admin@contoso.example" }, "2026-03-02", "en"),
  };
}
