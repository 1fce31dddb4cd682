//! The customer's side (SPEC §15.5): customers registered by the program admin, a planning-day
//! pool per program whose balance is derived from the customer's vouchers, and vouchers drawn
//! from it for a partner or for later assignment.
//!
//! The balance is never stored: [`pools`] counts it from the vouchers each time, so it cannot
//! drift from them.

pub mod rules;

use crate::calendar::serde_date;
use crate::catalog::{Catalog, Program};
use crate::error::{FieldPath, ProblemKind, Problems, Rejection};
use crate::form;
use crate::value::{self, CustomerId, Email, PartnerId, ProgramId, VoucherNumber};
use crate::voucher::{CustomerNotification, HistoryEntry, Holder, Voucher, VoucherState};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most days one entitlement may hold: far above any real Software Assurance agreement,
/// low enough that sums of days never overflow.
pub const MAX_ENTITLEMENT_DAYS: u64 = 100_000;

/// A program's planning days a customer's Software Assurance entitles it to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entitlement {
    /// The program.
    pub program_id: ProgramId,
    /// Planning days.
    pub days: u32,
}

/// A customer registered by the program admin (SPEC §15.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// The customer id (1–10 digits).
    pub customer_id: CustomerId,
    /// The customer's name, as its vouchers show it.
    pub name: String,
    /// Its country (ISO 3166-1 alpha-2).
    pub country: String,
    /// Its voucher administrator, who receives the vouchers' notifications.
    pub admin_email: Email,
    /// The last day of its Software Assurance: unused days of vouchers that expire by then
    /// return to the pool.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub sa_ends_on: NaiveDate,
    /// Planning days per program, one entry per program.
    pub entitlements: Vec<Entitlement>,
    /// Optimistic-concurrency version: 1 when registered, +1 per change.
    #[serde(default)]
    pub version: u64,
}

impl Customer {
    /// The days it is entitled to in `program` (0 without an entitlement).
    pub fn entitlement(&self, program: &ProgramId) -> u32 {
        self.entitlements
            .iter()
            .find(|e| &e.program_id == program)
            .map_or(0, |e| e.days)
    }
}

/// The customer form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerForm {
    /// The customer id; if present, the one in the address.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The customer's name (1–200 characters).
    #[serde(default)]
    pub name: Option<String>,
    /// Its country.
    #[serde(default)]
    pub country: Option<String>,
    /// Its voucher administrator's email.
    #[serde(default)]
    pub admin_email: Option<String>,
    /// The last day of its Software Assurance (`YYYY-MM-DD`).
    #[serde(default)]
    pub sa_ends_on: Option<String>,
    /// Planning days per program (may be empty).
    #[serde(default)]
    pub entitlements: Option<Vec<EntitlementForm>>,
    /// The version this change replaces (absent or 0: no check).
    #[serde(default)]
    pub version: Option<u64>,
}

/// One entitlement, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntitlementForm {
    /// The program.
    #[serde(default)]
    pub program_id: Option<String>,
    /// Planning days (0–100,000).
    #[serde(default)]
    pub days: Option<u64>,
}

/// Registers or changes the customer at `path_id` (SPEC §15.5): every field checked, each
/// entitlement's program in the catalog and listed once, and a `version`, if sent, equal to the
/// stored one (`current`). The result carries the next version.
pub fn register(
    form: &CustomerForm,
    path_id: &str,
    current: Option<&Customer>,
    catalog: &Catalog,
) -> Result<Customer, Rejection> {
    let customer_id =
        CustomerId::parse(path_id).map_err(|kind| Rejection::one("customerId", kind))?;
    let mut problems = Problems::new();
    if let Some(raw) = form.customer_id.as_deref()
        && CustomerId::parse(raw).ok().as_ref() != Some(&customer_id)
    {
        problems.push(
            "customerId",
            ProblemKind::PathMismatch {
                path: customer_id.to_string(),
            },
        );
    }
    let name = form::parsed(&mut problems, "name", form.name.as_deref(), |raw| {
        value::text(raw, 1, 200, false)
    });
    let country = form::parsed(
        &mut problems,
        "country",
        form.country.as_deref(),
        crate::directory::country,
    );
    let admin_email = form::parsed(
        &mut problems,
        "adminEmail",
        form.admin_email.as_deref(),
        Email::parse,
    );
    let sa_ends_on = form::date(&mut problems, "saEndsOn", form.sa_ends_on.as_deref());
    let entitlements = entitlements(form, catalog, &mut problems);
    let stored = current.map_or(0, |c| c.version);
    if let Some(sent) = form.version.filter(|v| *v != 0 && *v != stored) {
        problems.push(
            "version",
            ProblemKind::StaleVersion {
                sent,
                current: stored,
            },
        );
    }
    problems.finish_with(|| {
        Some(Customer {
            customer_id,
            name: name?,
            country: country?,
            admin_email: admin_email?,
            sa_ends_on: sa_ends_on?,
            entitlements,
            version: stored.saturating_add(1),
        })
    })
}

/// The entitlements of `form`: each of a catalog program, listed once, with 0–100,000 days.
fn entitlements(
    form: &CustomerForm,
    catalog: &Catalog,
    problems: &mut Problems,
) -> Vec<Entitlement> {
    let typed = form.entitlements.as_deref().unwrap_or_default();
    let max = catalog.programs.len();
    problems.check(
        typed.len() <= max,
        "entitlements",
        ProblemKind::Count { min: 0, max },
    );
    let base = FieldPath::new("entitlements");
    let mut seen = form::Seen::new();
    let mut entitlements = Vec::with_capacity(typed.len());
    for (i, fields) in typed.iter().take(max).enumerate() {
        let at = base.index(i);
        let program = form::parsed(
            problems,
            at.key("programId"),
            fields.program_id.as_deref(),
            |raw| catalog.program_named(raw),
        );
        if let Some(program) = program
            && !seen.insert(program.id.to_string())
        {
            problems.push(
                at.key("programId"),
                ProblemKind::Duplicate {
                    value: program.id.to_string(),
                },
            );
        }
        let days = form::number(
            problems,
            at.key("days"),
            fields.days,
            0,
            MAX_ENTITLEMENT_DAYS,
        );
        if let (Some(program), Some(days)) = (program, days) {
            entitlements.push(Entitlement {
                program_id: program.id.clone(),
                days,
            });
        }
    }
    entitlements
}

/// A customer's planning days in one program, as derived from its vouchers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pool {
    /// The program.
    pub program_id: ProgramId,
    /// The days the customer is entitled to.
    pub entitlement: u32,
    /// The days its vouchers hold (those returned to the pool excepted).
    pub used: u32,
    /// What is left to draw: `entitlement − used`, never below 0.
    pub balance: u32,
}

/// Whether `voucher`'s days are back in `customer`'s pool on `today` (SPEC §15.5): it expired
/// unused (no completion report) while the customer's Software Assurance was still active on
/// its expiry day.
pub fn returned_to_pool(
    voucher: &Voucher,
    customer: &Customer,
    program: &Program,
    today: NaiveDate,
) -> bool {
    voucher.effective_state(program, today) == VoucherState::Expired
        && voucher.completion_report.is_none()
        && customer.sa_ends_on >= voucher.expiry(program)
}

/// The customer's pools on `today`, one per entitled program (and per other program its
/// vouchers draw on), in the catalog's order: the days its `vouchers` hold count as used, except
/// those [`returned_to_pool`]. Vouchers of other customers are ignored.
pub fn pools(
    customer: &Customer,
    vouchers: &[Voucher],
    catalog: &Catalog,
    today: NaiveDate,
) -> Vec<Pool> {
    catalog
        .programs
        .iter()
        .filter_map(|program| {
            let entitlement = customer.entitlement(&program.id);
            let used = used_days(customer, vouchers, program, today);
            (used > 0 || customer_lists(customer, &program.id)).then(|| Pool {
                program_id: program.id.clone(),
                entitlement,
                used,
                balance: entitlement.saturating_sub(used),
            })
        })
        .collect()
}

fn customer_lists(customer: &Customer, program: &ProgramId) -> bool {
    customer
        .entitlements
        .iter()
        .any(|e| &e.program_id == program)
}

/// What is left of `customer`'s pool of `program` on `today`, counted from its `vouchers`.
pub fn balance(
    customer: &Customer,
    vouchers: &[Voucher],
    program: &Program,
    today: NaiveDate,
) -> u32 {
    customer
        .entitlement(&program.id)
        .saturating_sub(used_days(customer, vouchers, program, today))
}

/// The program and days of a new voucher (SPEC §7, §15.1, §15.5), every problem recorded: a
/// program of `catalog` still taking vouchers on `today`, days one of its engagement lengths
/// and, drawn from a customer's `pool` (the customer and its vouchers), at most its balance.
pub(crate) fn program_and_days<'c>(
    problems: &mut Problems,
    catalog: &'c Catalog,
    program_id: Option<&str>,
    days: Option<u64>,
    pool: Option<(&Customer, &[Voucher])>,
    today: NaiveDate,
) -> (Option<&'c Program>, Option<u32>) {
    let program = form::parsed(problems, "programId", program_id, |raw| {
        catalog.program_named(raw)
    });
    if let Some(program) = program
        && let Some(last_assign_on) = program.last_assign_on
        && !program.assigns_on(today)
    {
        problems.push(
            "programId",
            ProblemKind::AssignmentClosed { last_assign_on },
        );
    }
    let days = match (days, program) {
        (None, _) => {
            problems.push("days", ProblemKind::Required);
            None
        }
        (Some(_), None) => None,
        (Some(days), Some(program)) => {
            let offered = u32::try_from(days)
                .ok()
                .filter(|days| program.offers_length(*days));
            match (offered, pool) {
                (None, _) => problems.push("days", crate::voucher::length_not_offered(program)),
                (Some(days), Some((customer, vouchers))) => {
                    let balance = balance(customer, vouchers, program, today);
                    problems.check(
                        days <= balance,
                        "days",
                        ProblemKind::PoolTooSmall { balance },
                    );
                }
                (Some(_), None) => {}
            }
            offered
        }
    };
    (program, days)
}

/// The days `customer`'s vouchers of `program` hold on `today`.
fn used_days(
    customer: &Customer,
    vouchers: &[Voucher],
    program: &Program,
    today: NaiveDate,
) -> u32 {
    vouchers
        .iter()
        .filter(|v| v.customer_id.as_ref() == Some(&customer.customer_id))
        .filter(|v| v.program_id == program.id)
        .filter(|v| !returned_to_pool(v, customer, program, today))
        .fold(0u32, |sum, v| sum.saturating_add(v.days))
}

/// A voucher the customer's administrator draws from the pool, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolVoucherForm {
    /// The program.
    #[serde(default)]
    pub program_id: Option<String>,
    /// Days: one of the program's engagement lengths, at most the pool's balance.
    #[serde(default)]
    pub days: Option<u64>,
    /// The partner to assign it to now (optional: it can be assigned later).
    #[serde(default)]
    pub partner_id: Option<String>,
}

/// A voucher drawn from a pool: the voucher, its first history line and the customer's
/// notification, written together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Drawn {
    /// The new voucher: `created`, or `assigned` when a partner was named.
    pub voucher: Voucher,
    /// Its first history line.
    pub history: HistoryEntry,
    /// The email to the customer's administrator with the voucher number.
    pub notification: CustomerNotification,
}

/// A checked [`PoolVoucherForm`]: what to draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct DrawRequest {
    /// The program.
    pub program_id: ProgramId,
    /// Days.
    pub days: u32,
    /// The partner to assign it to, if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub partner_id: Option<PartnerId>,
}

impl PoolVoucherForm {
    /// Checks the form against `customer`'s pool on `today` (SPEC §15.5): a program still
    /// taking vouchers, days one of its engagement lengths and at most the pool's balance
    /// (counted from the customer's `vouchers`), a well-formed partner id if one is named.
    /// Every problem is reported.
    pub fn check(
        &self,
        customer: &Customer,
        vouchers: &[Voucher],
        catalog: &Catalog,
        today: NaiveDate,
    ) -> Result<DrawRequest, Rejection> {
        let mut problems = Problems::new();
        let (program, days) = program_and_days(
            &mut problems,
            catalog,
            self.program_id.as_deref(),
            self.days,
            Some((customer, vouchers)),
            today,
        );
        let partner_id = match self.partner_id.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => problems.take("partnerId", PartnerId::parse(raw)).map(Some),
        };
        problems.finish_with(|| {
            Some(DrawRequest {
                program_id: program?.id.clone(),
                days: days?,
                partner_id: partner_id?,
            })
        })
    }
}

/// Draws the voucher `request` asks for, numbered `number` (the server's), from `customer`'s
/// pool on `today` (SPEC §15.5): `created`, or `assigned` when a partner is named, with the
/// notification of its number to the customer's administrator.
pub fn draw(
    request: DrawRequest,
    customer: &Customer,
    number: VoucherNumber,
    program: &Program,
    today: NaiveDate,
) -> Drawn {
    let holder = Holder {
        customer_name: customer.name.clone(),
        admin_email: customer.admin_email.clone(),
        customer_id: Some(customer.customer_id.clone()),
        partner_id: request.partner_id,
    };
    let (voucher, history) = Voucher::first(number, program, request.days, holder, today);
    let notification = CustomerNotification {
        voucher_number: voucher.voucher_number.clone(),
        to: customer.admin_email.clone(),
        event: history.event,
        on: today,
        detail: format!("{}, {} days", program.id, voucher.days),
    };
    Drawn {
        voucher,
        history,
        notification,
    }
}
