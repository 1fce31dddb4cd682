//! A partner's voucher list, filtered by effective state, and its CSV export (SPEC §7).

use super::{Voucher, VoucherState};
use crate::catalog::Catalog;
use crate::error::ProblemKind;
use crate::value::Named as _;
use chrono::NaiveDate;
use std::fmt::Write as _;

/// A filter on effective state; `None` keeps every voucher.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateFilter(pub Option<VoucherState>);

impl StateFilter {
    /// Reads the `state` query parameter; empty means no filter.
    pub fn parse(raw: Option<&str>) -> Result<StateFilter, ProblemKind> {
        match raw.map(str::trim) {
            None | Some("") => Ok(StateFilter(None)),
            Some(raw) => VoucherState::ALL
                .into_iter()
                .find(|s| s.name() == raw)
                .map(|s| StateFilter(Some(s)))
                .ok_or_else(|| ProblemKind::UnknownValue {
                    value: raw.to_owned(),
                    allowed: "assigned, reserved, completed, redeemed, claimed, paid, expired",
                }),
        }
    }
}

/// The vouchers whose effective state on `today` passes `filter`, ordered by voucher number.
pub fn list<'v>(
    vouchers: impl IntoIterator<Item = &'v Voucher>,
    filter: StateFilter,
    catalog: &Catalog,
    today: NaiveDate,
) -> Vec<&'v Voucher> {
    let mut kept: Vec<&Voucher> = vouchers
        .into_iter()
        .filter(|v| {
            filter
                .0
                .is_none_or(|s| v.effective_state_in(catalog, today) == s)
        })
        .collect();
    // Voucher numbers are unique keys, so stability buys nothing.
    kept.sort_unstable_by(|a, b| a.voucher_number.cmp(&b.voucher_number));
    kept
}

/// The export's columns, in order: the CSV's header line and the spreadsheet's first row.
pub const EXPORT_COLUMNS: [&str; 10] = [
    "voucherNumber",
    "programId",
    "days",
    "customerName",
    "adminEmail",
    "state",
    "createdOn",
    "expiresOn",
    "engagementStart",
    "engagementEnd",
];

/// One voucher as the exports show it, with its effective state and expiry on the day asked.
/// Typed, so a spreadsheet gets numbers and dates where a CSV gets text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRow {
    /// `voucherNumber`.
    pub voucher_number: String,
    /// `programId`.
    pub program_id: String,
    /// `days`.
    pub days: u32,
    /// `customerName`.
    pub customer_name: String,
    /// `adminEmail`.
    pub admin_email: String,
    /// `state`: the effective state.
    pub state: &'static str,
    /// `createdOn`.
    pub created_on: NaiveDate,
    /// `expiresOn`: moved by the program's extensions.
    pub expires_on: NaiveDate,
    /// `engagementStart`, once reserved.
    pub engagement_start: Option<NaiveDate>,
    /// `engagementEnd`, once reserved.
    pub engagement_end: Option<NaiveDate>,
}

impl ExportRow {
    /// The row of `voucher` on `today`.
    pub fn of(voucher: &Voucher, catalog: &Catalog, today: NaiveDate) -> ExportRow {
        let reservation = voucher.reservation.as_ref();
        ExportRow {
            voucher_number: voucher.voucher_number.to_string(),
            program_id: voucher.program_id.to_string(),
            days: voucher.days,
            customer_name: voucher.customer_name.clone(),
            admin_email: voucher.admin_email.to_string(),
            state: voucher.effective_state_in(catalog, today).name(),
            created_on: voucher.created_on,
            expires_on: voucher.expiry_in(catalog),
            engagement_start: reservation.map(|r| r.engagement_start),
            engagement_end: reservation.map(|r| r.engagement_end),
        }
    }

    /// The row's cells as text, in [`EXPORT_COLUMNS`] order (an unreserved voucher's engagement
    /// days are empty).
    pub fn cells(&self) -> [String; 10] {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        [
            self.voucher_number.clone(),
            self.program_id.clone(),
            self.days.to_string(),
            self.customer_name.clone(),
            self.admin_email.clone(),
            self.state.to_owned(),
            self.created_on.to_string(),
            self.expires_on.to_string(),
            day(self.engagement_start),
            day(self.engagement_end),
        ]
    }
}

/// The CSV export of `vouchers` with their effective expiry and state on `today` (RFC 4180,
/// CRLF lines). Cells that a spreadsheet would read as a formula are prefixed with `'`.
pub fn export_csv(vouchers: &[&Voucher], catalog: &Catalog, today: NaiveDate) -> String {
    let mut out = String::with_capacity(64 * (vouchers.len() + 1));
    out.push_str(&EXPORT_COLUMNS.join(","));
    out.push_str("\r\n");
    for v in vouchers {
        for (i, cell) in ExportRow::of(v, catalog, today).cells().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_cell(&mut out, cell);
        }
        out.push_str("\r\n");
    }
    out
}

fn write_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let needs_quotes = formula || cell.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
        if formula {
            out.push('\'');
        }
        let _ = write!(out, "{}", cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}
