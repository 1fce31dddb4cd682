//! Claims, the payment requests to Microsoft for redeemed vouchers (SPEC §10).
//!
//! `amount = Σ daysDelivered × dailyRates[country]` in integer minor units, one program and one
//! delivery country per claim (SPEC §15.6). A claim is `submitted`, then
//! `approved` and `paid`, or `rejected` (from `submitted` or `approved`), which puts its vouchers
//! back to `redeemed` so they can be claimed again inside their window.

pub mod rules;

use crate::calendar::serde_date;
use crate::catalog::{Catalog, Program};
use crate::error::{FieldPath, ProblemKind, Problems, Rejection};
use crate::form;
use crate::redemption::{self, batch, parse_selection};
use crate::value::Named as _;
use crate::value::{self, ClaimId, Money, PartnerId, ProgramId, VoucherNumber};
use crate::voucher::{Actor, Transition, Voucher, VoucherEvent, World, transition};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The states of a claim (SPEC §10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ClaimState {
    /// Created by the partner.
    Submitted,
    /// Approved by the program admin.
    Approved,
    /// Paid, with a payment reference (terminal).
    Paid,
    /// Rejected with a reason (terminal; its vouchers are claimable again).
    Rejected,
}

impl ClaimState {
    /// Every state, in the order a claim moves through them.
    pub const ALL: [ClaimState; 4] = [
        ClaimState::Submitted,
        ClaimState::Approved,
        ClaimState::Paid,
        ClaimState::Rejected,
    ];

    /// Reads a list filter (`?state=`): a state's wire name, or none (absent or empty).
    pub fn parse_filter(raw: Option<&str>) -> Result<Option<ClaimState>, ProblemKind> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => ClaimState::ALL
                .into_iter()
                .find(|state| state.name() == raw)
                .map(Some)
                .ok_or_else(|| ProblemKind::UnknownValue {
                    value: raw.to_owned(),
                    allowed: "submitted, approved, paid, rejected",
                }),
        }
    }

    /// Whether the claim still holds its vouchers.
    pub fn is_open(self) -> bool {
        matches!(self, ClaimState::Submitted | ClaimState::Approved)
    }
}

/// A claim (SPEC §10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    /// Its id, chosen by the store.
    pub claim_id: ClaimId,
    /// The claiming partner.
    pub partner_id: PartnerId,
    /// The one program of all its vouchers.
    pub program_id: ProgramId,
    /// The one delivery country of all its vouchers, whose rate it is paid at (SPEC §15.6).
    /// Absent on claims made before rates were per country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub country: Option<String>,
    /// The partner's invoice number.
    pub invoice_number: String,
    /// The vouchers claimed.
    pub voucher_numbers: Vec<VoucherNumber>,
    /// `Σ daysDelivered × dailyRates[country]`.
    pub amount: Money,
    /// Its state.
    pub state: ClaimState,
    /// Day created.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub submitted_on: NaiveDate,
    /// Day of the last decision.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub decided_on: Option<NaiveDate>,
    /// Payment reference, once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
    /// Why it was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// Optimistic-concurrency version.
    #[serde(default)]
    pub version: u64,
}

/// The claim form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimForm {
    /// 1–25 redeemed vouchers of one program.
    #[serde(default)]
    pub voucher_numbers: Option<Vec<String>>,
    /// 1–40 of `[A-Za-z0-9-/]`.
    #[serde(default)]
    pub invoice_number: Option<String>,
}

/// A read claim request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimRequest {
    /// The vouchers.
    pub voucher_numbers: Vec<VoucherNumber>,
    /// The invoice number.
    pub invoice_number: String,
}

/// Checks an invoice number: 1–40 of `[A-Za-z0-9-/]`.
pub fn parse_invoice_number(raw: &str) -> Result<String, ProblemKind> {
    let raw = raw.trim();
    let ok = (1..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ProblemKind::InvalidInvoiceNumber)
    }
}

impl ClaimForm {
    /// Reads the form.
    pub fn parse(&self) -> Result<ClaimRequest, Rejection> {
        let mut problems = Problems::new();
        let voucher_numbers = parse_selection(
            self.voucher_numbers.as_deref(),
            "voucherNumbers",
            &mut problems,
        );
        let invoice_number = form::parsed(
            &mut problems,
            "invoiceNumber",
            self.invoice_number.as_deref(),
            parse_invoice_number,
        );
        problems.finish_with(|| {
            Some(ClaimRequest {
                voucher_numbers,
                invoice_number: invoice_number?,
            })
        })
    }
}

/// `Σ daysDelivered × dailyRates[country]` over `vouchers` of `program`, all delivered in one
/// country (SPEC §15.6): `claim.mixedCountries` when they are not, `voucher.countryNotServed`
/// for one without a paid country, `claim.amountOverflow` when the sum does not fit.
pub fn claim_amount<'a>(
    vouchers: impl IntoIterator<Item = &'a Voucher>,
    program: &Program,
) -> Result<Money, ProblemKind> {
    let mut total: Option<Money> = None;
    let mut country: Option<&str> = None;
    for voucher in vouchers {
        let here = voucher.delivery_country();
        match (country, here) {
            (Some(first), Some(here)) if first != here => {
                return Err(ProblemKind::MixedCountries {
                    country: first.to_owned(),
                });
            }
            _ => country = country.or(here),
        }
        let value = voucher.delivered_value(program)?;
        let sum = match total {
            None => value.minor_units,
            Some(total) => total
                .minor_units
                .checked_add(value.minor_units)
                .ok_or(ProblemKind::AmountOverflow)?,
        };
        total = Some(Money {
            minor_units: sum,
            currency: value.currency,
        });
    }
    total.ok_or(ProblemKind::Required)
}

/// The one program of `vouchers` (SPEC §10: a claim covers one program): none is
/// `field.required` at `field`, a voucher of another program `claim.mixedPrograms` at itself.
pub fn one_program<'c>(
    vouchers: &[Voucher],
    catalog: &'c Catalog,
    field: &str,
) -> Result<&'c Program, Rejection> {
    let Some(first) = vouchers.first() else {
        return Err(Rejection::one(field, ProblemKind::Required));
    };
    let program = catalog.known(&first.program_id, field)?;
    if let Some(other) = vouchers
        .iter()
        .position(|v| v.program_id != first.program_id)
    {
        return Err(Rejection::one(
            FieldPath::new(field).index(other),
            ProblemKind::MixedPrograms {
                program_id: first.program_id.to_string(),
            },
        ));
    }
    Ok(program)
}

/// A created claim and the transitions of its vouchers; the store writes them in one transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimOutcome {
    /// The claim after the change.
    pub claim: Claim,
    /// The changed vouchers.
    pub vouchers: Vec<Transition>,
}

/// Creates claim `claim_id` on `today` (SPEC §10, §15.6): 1–25 vouchers of one program and one
/// delivery country paid a rate, each the actor's, `redeemed` and inside its claim window, for
/// a program among `payees` (those the partner registered a payee for).
pub fn create_claim(
    request: &ClaimRequest,
    vouchers: &[Voucher],
    payees: &[ProgramId],
    actor: &Actor,
    catalog: &Catalog,
    claim_id: &ClaimId,
    today: NaiveDate,
) -> Result<ClaimOutcome, Rejection> {
    let Actor::PartnerAdmin { partner_id } = actor else {
        return Err(Rejection::one("roles", ProblemKind::Forbidden));
    };
    let mut program: Option<&Program> = None;
    let mut country: Option<String> = None;
    let mut problems = Problems::new();
    let transitions = batch(&request.voucher_numbers, "voucherNumbers", |number| {
        let (voucher, this_program) =
            redemption::find(number, vouchers, actor, catalog).map_err(|(_, r)| r)?;
        match program {
            None => program = Some(this_program),
            Some(first) if first.id != this_program.id => {
                return Err(Rejection::one(
                    "voucherNumber",
                    ProblemKind::MixedPrograms {
                        program_id: first.id.to_string(),
                    },
                ));
            }
            Some(_) => {}
        }
        let here = voucher.delivery_country().map(str::to_owned);
        match (&country, here) {
            (None, here) => country = here,
            (Some(first), Some(here)) if first != &here => {
                return Err(Rejection::one(
                    "voucherNumber",
                    ProblemKind::MixedCountries {
                        country: first.clone(),
                    },
                ));
            }
            (Some(_), _) => {}
        }
        if let Err(kind) = voucher.paid_rate(this_program) {
            return Err(Rejection::one("voucherNumber", kind));
        }
        transition(
            voucher,
            &VoucherEvent::CreateClaim(claim_id.clone()),
            actor,
            &World::new(today, this_program),
        )
    });
    let transitions = match transitions {
        Ok(t) => t,
        Err(rejection) => {
            problems.absorb(rejection);
            Vec::new()
        }
    };
    if let Some(program) = program
        && !payees.contains(&program.id)
    {
        problems.push(
            "voucherNumbers",
            ProblemKind::PayeeNotRegistered {
                program_id: program.id.to_string(),
            },
        );
    }
    let amount = program
        .filter(|_| !transitions.is_empty())
        .map(|p| claim_amount(transitions.iter().map(|t| &t.voucher), p))
        .and_then(|amount| {
            amount
                .map_err(|kind| problems.push("voucherNumbers", kind))
                .ok()
        });
    problems.finish_with(|| {
        let program = program?;
        Some(ClaimOutcome {
            claim: Claim {
                claim_id: claim_id.clone(),
                partner_id: partner_id.clone(),
                program_id: program.id.clone(),
                country: country.clone(),
                invoice_number: request.invoice_number.clone(),
                voucher_numbers: request.voucher_numbers.clone(),
                amount: amount?,
                state: ClaimState::Submitted,
                submitted_on: today,
                decided_on: None,
                payment_reference: None,
                rejection_reason: None,
                version: 1,
            },
            vouchers: transitions,
        })
    })
}

/// A program admin's decision on a claim.
#[derive(Clone, Debug, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
pub enum ClaimDecision {
    /// `submitted` → `approved`.
    Approve,
    /// `submitted|approved` → `rejected`, with a reason (1–500 characters).
    Reject(String),
    /// `approved` → `paid`, with a payment reference (1–100 characters).
    Pay(String),
}

impl ClaimDecision {
    /// Reads a rejection reason.
    pub fn reject(raw: Option<&str>) -> Result<ClaimDecision, Rejection> {
        let mut problems = Problems::new();
        let reason = form::parsed(&mut problems, "reason", raw, |r| {
            value::text(r, 1, 500, true)
        });
        problems.finish_with(|| reason.map(ClaimDecision::Reject))
    }

    /// Reads a payment reference.
    pub fn pay(raw: Option<&str>) -> Result<ClaimDecision, Rejection> {
        let mut problems = Problems::new();
        let reference = form::parsed(&mut problems, "paymentReference", raw, |r| {
            value::text(r, 1, 100, false)
        });
        problems.finish_with(|| reference.map(ClaimDecision::Pay))
    }
}

/// Applies a program admin's `decision` to `claim` on `today` (SPEC §10); paying or rejecting
/// moves every voucher of the claim too.
pub fn decide(
    claim: &Claim,
    decision: &ClaimDecision,
    vouchers: &[Voucher],
    actor: &Actor,
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<ClaimOutcome, Rejection> {
    if *actor != Actor::ProgramAdmin {
        return Err(Rejection::one("roles", ProblemKind::Forbidden));
    }
    let next_state = match (claim.state, decision) {
        (ClaimState::Submitted, ClaimDecision::Approve) => ClaimState::Approved,
        (ClaimState::Approved, ClaimDecision::Pay(_)) => ClaimState::Paid,
        (ClaimState::Submitted | ClaimState::Approved, ClaimDecision::Reject(_)) => {
            ClaimState::Rejected
        }
        (state, decision) => {
            return Err(Rejection::one(
                "claimId",
                ProblemKind::ClaimInvalidTransition {
                    state: state.name(),
                    event: <&str>::from(decision),
                },
            ));
        }
    };
    let event = match decision {
        ClaimDecision::Approve => None,
        ClaimDecision::Pay(_) => Some(VoucherEvent::ClaimPaid),
        ClaimDecision::Reject(_) => Some(VoucherEvent::ClaimRejected),
    };
    let transitions = match &event {
        None => Vec::new(),
        Some(event) => batch(&claim.voucher_numbers, "voucherNumbers", |number| {
            let voucher = vouchers
                .iter()
                .find(|v| {
                    &v.voucher_number == number && v.claim_id.as_ref() == Some(&claim.claim_id)
                })
                .ok_or_else(|| Rejection::one("voucherNumber", ProblemKind::VoucherNotFound))?;
            let program = catalog.known(&voucher.program_id, "voucherNumber")?;
            transition(voucher, event, actor, &World::new(today, program))
        })?,
    };
    let mut next = claim.clone();
    next.state = next_state;
    next.decided_on = Some(today);
    next.version = claim.version.saturating_add(1);
    match decision {
        ClaimDecision::Approve => {}
        ClaimDecision::Reject(reason) => next.rejection_reason = Some(reason.clone()),
        ClaimDecision::Pay(reference) => next.payment_reference = Some(reference.clone()),
    }
    Ok(ClaimOutcome {
        claim: next,
        vouchers: transitions,
    })
}
