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

const HEADER: &str = "voucherNumber,programId,days,customerName,adminEmail,state,createdOn,expiresOn,engagementStart,engagementEnd";

/// The CSV export of `vouchers` with their effective expiry and state on `today` (RFC 4180,
/// CRLF lines). Cells that a spreadsheet would read as a formula are prefixed with `'`.
pub fn export_csv(vouchers: &[&Voucher], catalog: &Catalog, today: NaiveDate) -> String {
    let mut out = String::with_capacity(64 * (vouchers.len() + 1));
    out.push_str(HEADER);
    out.push_str("\r\n");
    for v in vouchers {
        let reservation = v.reservation.as_ref();
        let cells = [
            v.voucher_number.to_string(),
            v.program_id.to_string(),
            v.days.to_string(),
            v.customer_name.clone(),
            v.admin_email.to_string(),
            v.effective_state_in(catalog, today).name().to_owned(),
            v.created_on.to_string(),
            v.expiry_in(catalog).to_string(),
            reservation
                .map(|r| r.engagement_start.to_string())
                .unwrap_or_default(),
            reservation
                .map(|r| r.engagement_end.to_string())
                .unwrap_or_default(),
        ];
        for (i, cell) in cells.iter().enumerate() {
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
