// Stand-in state for the forms that decide on more than their own fields (redemption preview,
// claim amount, enrollment locations) when no API is behind the page. Dates follow `today`.

const SHA = "a".repeat(64);

function shift(today, days) {
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function voucher(today, n, state) {
  return {
    voucherNumber: `SAPS${String(n).padStart(4, "0")}DEMO`,
    programId: "desktop",
    days: 5,
    customerName: "Contoso Ltd",
    adminEmail: "it-admin@contoso.example",
    partnerId: "1001",
    createdOn: shift(today, -40),
    expiresOn: shift(today, 140),
    state,
    version: 3,
    reservation: { reservedOn: shift(today, -30), engagementStart: shift(today, -20), engagementEnd: shift(today, -18),
      locationId: "11", country: "CN" },
    completionReport: {
      deliveredStart: shift(today, -20),
      deliveredEnd: shift(today, -18),
      daysDelivered: 3 + (n % 3),
      leadConsultantId: "c-1",
      summary: "Planned the tenant migration and the security baseline.",
      deliverables: [{ fileName: "plan.pdf", mediaType: "application/pdf", size: 1024, sha256: SHA }],
    },
    ...(state === "redeemed" ? { redeemedOn: shift(today, -5) } : {}),
  };
}

export function sampleState(today) {
  return {
    actor: { role: "partner_admin", partnerId: "1001" },
    partnerLocations: ["11", "12", "13"],
    // Redeeming needs a current enrollment in the voucher's program (SPEC §15.3).
    enrollments: [{ programId: "desktop", locationIds: ["11"], enrolledOn: shift(today, -60), expiresOn: shift(today, 305) }],
    vouchers: [1, 2, 3].map((n) => voucher(today, n, "completed"))
      .concat([4, 5].map((n) => voucher(today, n, "redeemed"))),
  };
}
