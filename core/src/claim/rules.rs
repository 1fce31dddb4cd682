//! The claim rules of the entry layer (SPEC §10).

use super::{Claim, ClaimDecision, ClaimForm, ClaimOutcome, ClaimRequest, one_program};
use crate::error::{ProblemKind, Problems, Rejection};
use crate::redemption::{guard, guard_entries};
use crate::rule::{Env, Nothing};
use crate::value::Money;
use crate::voucher::rules::VouchersContext;
use crate::voucher::{Actor, Voucher, VoucherEvent};
use serde::{Deserialize, Serialize};

/// A program administrator's decision fields: none to approve, `reason` to reject,
/// `paymentReference` to pay.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionForm {
    /// Why the claim is rejected.
    #[serde(default)]
    pub reason: Option<String>,
    /// The payment's reference.
    #[serde(default)]
    pub payment_reference: Option<String>,
}

/// The claim a decision applies to, with its vouchers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimContext {
    /// Who decides.
    pub actor: Actor,
    /// The claim.
    pub claim: Claim,
    /// Its vouchers.
    #[serde(default)]
    pub vouchers: Vec<Voucher>,
}

/// The vouchers whose claim amount is wanted.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AmountContext {
    /// The vouchers, all of one program.
    #[serde(default)]
    pub vouchers: Vec<Voucher>,
}

/// `claimForm`: the form alone, checked.
pub fn claim_form(_: &Env<'_>, form: ClaimForm, _: Nothing) -> Result<ClaimRequest, Rejection> {
    form.parse()
}

/// `claimAmount`: `Σ daysDelivered × dailyRates[country]` of vouchers of one program and country.
pub fn claim_amount(env: &Env<'_>, _: Nothing, context: AmountContext) -> Result<Money, Rejection> {
    let program = one_program(&context.vouchers, env.catalog, "context.vouchers")?;
    super::claim_amount(&context.vouchers, program)
        .map_err(|kind| Rejection::one("context.vouchers", kind))
}

/// `createClaim` (SPEC §10): the claim's id comes from the caller (`context.claimId`). A form
/// with problems also reports each listed voucher's own guards.
pub fn create_claim(
    env: &Env<'_>,
    form: ClaimForm,
    context: VouchersContext,
) -> Result<ClaimOutcome, Rejection> {
    let claim_id = context
        .claim_id
        .clone()
        .ok_or_else(|| Rejection::one("context.claimId", ProblemKind::Required))?;
    let request = match form.parse() {
        Ok(request) => request,
        Err(request) => {
            let mut problems = Problems::new();
            problems.absorb(request);
            let event = VoucherEvent::CreateClaim(claim_id);
            let raw = form.voucher_numbers.as_deref();
            guard_entries(raw, "voucherNumbers", &mut problems, |number| {
                let (vouchers, actor) = (&context.vouchers, &context.actor);
                guard(number, &event, vouchers, &[], actor, env.catalog, env.today)
            });
            return problems.finish_with(|| None);
        }
    };
    super::create_claim(
        &request,
        &context.vouchers,
        &context.payees,
        &context.actor,
        env.catalog,
        &claim_id,
        env.today,
    )
}

fn decide(
    env: &Env<'_>,
    decision: Result<ClaimDecision, Rejection>,
    context: &ClaimContext,
) -> Result<ClaimOutcome, Rejection> {
    super::decide(
        &context.claim,
        &decision?,
        &context.vouchers,
        &context.actor,
        env.catalog,
        env.today,
    )
}

/// `approveClaim`: `submitted` → `approved`.
pub fn approve_claim(
    env: &Env<'_>,
    _: DecisionForm,
    context: ClaimContext,
) -> Result<ClaimOutcome, Rejection> {
    decide(env, Ok(ClaimDecision::Approve), &context)
}

/// `rejectClaim`: back to `redeemed`, with a reason.
pub fn reject_claim(
    env: &Env<'_>,
    form: DecisionForm,
    context: ClaimContext,
) -> Result<ClaimOutcome, Rejection> {
    decide(env, ClaimDecision::reject(form.reason.as_deref()), &context)
}

/// `payClaim`: `approved` → `paid`, with a payment reference.
pub fn pay_claim(
    env: &Env<'_>,
    form: DecisionForm,
    context: ClaimContext,
) -> Result<ClaimOutcome, Rejection> {
    decide(
        env,
        ClaimDecision::pay(form.payment_reference.as_deref()),
        &context,
    )
}
