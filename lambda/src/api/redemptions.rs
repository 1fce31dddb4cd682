//! Redemption (SPEC §9) and claims (SPEC §10).

use super::extract::{IdempotencyKey, JsonBody, Lang, Path};
use super::idempotency::{Keyed, commit_and_answer, once};
use super::identity::Caller;
use super::problem::{ApiError, HttpProblem};
use super::rules;
use super::{AppState, Services};
use crate::store::Commit;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saps_core::access::{Operation, Principal};
use saps_core::claim::rules::{self as claim_rules, ClaimContext, DecisionForm};
use saps_core::claim::{Claim, ClaimForm, ClaimOutcome};
use saps_core::enrollment::Enrollment;
use saps_core::error::{Category, Locale, ProblemKind};
use saps_core::redemption::Preview;
use saps_core::redemption::rules::{self as redemption_rules, PreviewForm};
use saps_core::value::{ClaimId, VoucherNumber};
use saps_core::voucher::VoucherView;
use saps_core::voucher::rules::VouchersContext;
use saps_core::voucher::{Actor, Voucher};
use serde::Serialize;

/// `POST /v1/redemptions`: every selected voucher, now redeemed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Redemption {
    vouchers: Vec<VoucherView>,
}

/// The partner admin acting for their own partner (403 for anyone else).
fn partner_admin(caller: &Caller) -> Result<(&Principal, Actor), ApiError> {
    let principal = caller.authenticated()?;
    caller.authorize(Operation::ManagePartner, principal.partner_id.as_ref())?;
    let actor = principal
        .partner_actor()
        .ok_or_else(|| ApiError::one("roles", ProblemKind::Forbidden))?;
    Ok((principal, actor))
}

/// The stored vouchers a form's `voucherNumbers` name (those that parse; the rule reports the
/// rest field by field).
async fn selected(s: &Services, listed: Option<&[String]>) -> Result<Vec<Voucher>, ApiError> {
    let mut numbers: Vec<VoucherNumber> = listed
        .unwrap_or_default()
        .iter()
        .filter_map(|n| VoucherNumber::parse(n).ok())
        .collect();
    numbers.sort();
    numbers.dedup();
    // More than a batch is refused by the rule; never read an unbounded list.
    numbers.truncate(26);
    Ok(s.store.vouchers(&numbers).await?)
}

/// `POST /v1/redemptions/preview`: each selected voucher with its days, value and any reason it
/// cannot be redeemed. Read only.
#[utoipa::path(
    post,
    path = "/v1/redemptions/preview",
    tag = "redemptions",
    request_body(content = saps_core::redemption::rules::PreviewForm, content_type = "application/json"),
    responses(
        (status = 200, description = "Each voucher with its value and any reason it cannot be redeemed", body = Preview),
        super::openapi::WriteErrors
    )
)]
pub async fn preview(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    body: JsonBody,
) -> Result<Json<Preview>, ApiError> {
    let (_, actor) = super::vouchers::tool_user(&s, &caller).await?;
    let form: PreviewForm = rules::form(body)?;
    let vouchers = selected(&s, form.voucher_numbers.as_deref()).await?;
    let enrollments = enrollments_of(&s, &actor).await?;
    let catalog = s.catalog().await?;
    Ok(Json(redemption_rules::redemption_preview(
        &rules::env(&catalog, s.clock.today(), locale),
        form,
        VouchersContext {
            enrollments,
            ..batch_context(actor, vouchers)
        },
    )?))
}

/// What a batch rule decides on: the actor and the selected vouchers.
fn batch_context(actor: Actor, vouchers: Vec<Voucher>) -> VouchersContext {
    VouchersContext {
        actor,
        vouchers,
        claim_id: None,
        payees: Vec::new(),
        enrollments: Vec::new(),
    }
}

/// The acting partner's enrollments: redeeming needs a current one in each voucher's program.
async fn enrollments_of(s: &Services, actor: &Actor) -> Result<Vec<Enrollment>, ApiError> {
    Ok(match actor {
        Actor::PartnerAdmin { partner_id } | Actor::PartnerUser { partner_id } => s
            .store
            .partner(partner_id)
            .await?
            .map(|p| p.enrollments)
            .unwrap_or_default(),
        Actor::ProgramAdmin | Actor::CustomerAdmin { .. } => Vec::new(),
    })
}

/// `POST /v1/redemptions`: `{voucherNumbers, confirm: true}`, all or nothing; `Idempotency-Key`
/// optional.
#[utoipa::path(
    post,
    path = "/v1/redemptions",
    tag = "redemptions",
    request_body(content = saps_core::redemption::RedemptionForm, content_type = "application/json"),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Optional: a retry with the same key and body gets the first answer")
    ),
    responses(
        (status = 200, description = "Every selected voucher redeemed", body = Redemption),
        super::openapi::WriteErrors
    )
)]
pub async fn redeem(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    key: IdempotencyKey,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let (principal, actor) = super::vouchers::tool_user(&s, &caller).await?;
    let keyed = principal.partner_id.as_ref().and_then(|partner| {
        key.bind(
            s.clock.unix_seconds(),
            partner,
            "POST",
            "/v1/redemptions",
            &body.raw,
        )
    });
    once(s.store.as_ref(), keyed.as_ref(), async {
        redeem_batch(&s, locale, actor, body, keyed.as_ref()).await
    })
    .await
}

/// Redeems the batch a form names and commits it (with the answer under `keyed`).
async fn redeem_batch(
    s: &Services,
    locale: Locale,
    actor: Actor,
    body: JsonBody,
    keyed: Option<&Keyed>,
) -> Result<Response, ApiError> {
    let form: saps_core::redemption::RedemptionForm = rules::form(body)?;
    let vouchers = selected(s, form.voucher_numbers.as_deref()).await?;
    let today = s.clock.today();
    let context = VouchersContext {
        enrollments: enrollments_of(s, &actor).await?,
        ..batch_context(actor.clone(), vouchers)
    };
    let catalog = s.catalog().await?;
    let redeemed = redemption_rules::redeem(&rules::env(&catalog, today, locale), form, context)?;
    let answer = redeemed
        .vouchers
        .iter()
        .map(|t| super::vouchers::view(&catalog, &t.voucher, &actor, today))
        .collect::<Result<Vec<_>, _>>()?;
    let mut redeemed_programs: Vec<_> = redeemed
        .vouchers
        .iter()
        .filter_map(|t| Some((t.voucher.partner_id.clone()?, t.voucher.program_id.clone())))
        .collect();
    redeemed_programs.sort();
    redeemed_programs.dedup();
    let commit = Commit {
        transitions: redeemed.vouchers,
        redeemed_programs,
        ..Commit::default()
    };
    commit_and_answer(
        s.store.as_ref(),
        commit,
        keyed,
        StatusCode::OK,
        Redemption { vouchers: answer },
    )
    .await
}

/// `POST /v1/claims`: `{voucherNumbers, invoiceNumber}` with a required `Idempotency-Key` → 201.
/// The claim's id derives from the key, so a retry can never make a second claim.
#[utoipa::path(
    post,
    path = "/v1/claims",
    tag = "claims",
    request_body(content = saps_core::claim::ClaimForm, content_type = "application/json"),
    params(
        ("Idempotency-Key" = String, Header, description = "Required: a retry with the same key and body gets the first answer; the claim id derives from it")
    ),
    responses(
        (status = 201, description = "Claim submitted", body = Claim),
        super::openapi::WriteErrors
    )
)]
pub async fn create_claim(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    key: IdempotencyKey,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let (principal, actor) = partner_admin(&caller)?;
    let key = key.required()?;
    let partner = principal
        .partner_id
        .as_ref()
        .ok_or_else(|| ApiError::one("roles", ProblemKind::Forbidden))?;
    let keyed = Keyed::new(
        s.clock.unix_seconds(),
        partner,
        "POST",
        "/v1/claims",
        key,
        &body.raw,
    );
    once(s.store.as_ref(), Some(&keyed), async {
        claim_batch(&s, locale, actor, body, &keyed).await
    })
    .await
}

/// Claims the batch a form names and commits the claim (with the answer under `keyed`).
async fn claim_batch(
    s: &Services,
    locale: Locale,
    actor: Actor,
    body: JsonBody,
    keyed: &Keyed,
) -> Result<Response, ApiError> {
    let claim_id = keyed.derived_id("C");
    let form: ClaimForm = rules::form(body)?;
    let vouchers = selected(s, form.voucher_numbers.as_deref()).await?;
    let payees = match &actor {
        Actor::PartnerAdmin { partner_id } | Actor::PartnerUser { partner_id } => s
            .store
            .partner(partner_id)
            .await?
            .map(|p| p.payees.into_iter().map(|payee| payee.program_id).collect())
            .unwrap_or_default(),
        Actor::ProgramAdmin | Actor::CustomerAdmin { .. } => Vec::new(),
    };
    let context = VouchersContext {
        claim_id: Some(
            ClaimId::parse(&claim_id)
                .map_err(|e| ApiError::Internal(format!("derived claim id {claim_id}: {e}")))?,
        ),
        payees,
        ..batch_context(actor, vouchers)
    };
    let catalog = s.catalog().await?;
    let env = rules::env(&catalog, s.clock.today(), locale);
    let outcome = claim_rules::create_claim(&env, form, context)?;
    let answer = outcome.claim.clone();
    let commit = Commit {
        claim: Some(outcome.claim),
        transitions: outcome.vouchers,
        ..Commit::default()
    };
    commit_and_answer(
        s.store.as_ref(),
        commit,
        Some(keyed),
        StatusCode::CREATED,
        answer,
    )
    .await
}

fn claim_not_found() -> ApiError {
    ApiError::one("claimId", ProblemKind::NotFound)
}

/// The claim at `raw` if the caller may do `operation` on it; another partner's claim is not found.
async fn visible_claim(
    s: &Services,
    caller: &Caller,
    raw: &str,
    operation: Operation,
) -> Result<Claim, ApiError> {
    caller.authenticated()?;
    let id = ClaimId::parse(raw).map_err(|_| claim_not_found())?;
    let claim = s.store.claim(&id).await?.ok_or_else(claim_not_found)?;
    match caller.authorize(operation, Some(&claim.partner_id)) {
        Err(ApiError::Rejected(r)) if r.category() == Category::NotFound => Err(claim_not_found()),
        other => other.map(|_| claim),
    }
}

/// `GET /v1/claims/{claimId}`: the owner partner or a program admin.
#[utoipa::path(
    get,
    path = "/v1/claims/{claimId}",
    tag = "claims",
    params(
        ("claimId" = String, Path, description = "Claim id")
    ),
    responses(
        (status = 200, description = "The claim", body = Claim),
        super::openapi::ReadErrors
    )
)]
pub async fn claim(
    State(s): State<AppState>,
    caller: Caller,
    Path(claim_id): Path<String>,
) -> Result<Json<Claim>, ApiError> {
    Ok(Json(
        visible_claim(&s, &caller, &claim_id, Operation::ReadPartner).await?,
    ))
}

/// `POST /v1/claims/{claimId}/approve|reject|pay` (program admin): `{}`, `{reason}` or
/// `{paymentReference}`.
#[utoipa::path(
    post,
    path = "/v1/claims/{claimId}/{decision}",
    tag = "claims",
    request_body(content = saps_core::claim::rules::DecisionForm, content_type = "application/json", description = "`{}` to approve, `{reason}` to reject, `{paymentReference}` to pay"),
    params(
        ("claimId" = String, Path, description = "Claim id"),
        ("decision" = String, Path, description = "approve, reject (`{reason}`) or pay (`{paymentReference}`)")
    ),
    responses(
        (status = 200, description = "The claim after the decision", body = Claim),
        super::openapi::WriteErrors
    )
)]
pub async fn decide(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path((claim_id, decision)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    type DecisionRule = fn(
        &saps_core::rule::Env<'_>,
        DecisionForm,
        ClaimContext,
    ) -> Result<ClaimOutcome, saps_core::error::Rejection>;
    let rule: DecisionRule = match decision.as_str() {
        "approve" => claim_rules::approve_claim,
        "reject" => claim_rules::reject_claim,
        "pay" => claim_rules::pay_claim,
        _ => return Err(HttpProblem::RouteNotFound.into()),
    };
    let form: DecisionForm = rules::form(body)?;
    let catalog = s.catalog().await?;
    let env = rules::env(&catalog, s.clock.today(), locale);
    // The claim and its vouchers are two reads: a decision committed between them leaves vouchers
    // that no longer match the claim, and the rule refuses what it sees. When the claim has moved
    // on since it was read, the refusal was a lost race: decide again on what is there now (the
    // answer is then the claim's own, a 409 for a claim already decided).
    let mut attempts = 0;
    loop {
        let claim = visible_claim(&s, &caller, &claim_id, Operation::DecideClaim).await?;
        let (id, read_version) = (claim.claim_id.clone(), claim.version);
        let vouchers = s.store.vouchers(&claim.voucher_numbers).await?;
        let context = ClaimContext {
            actor: Actor::ProgramAdmin,
            claim,
            vouchers,
        };
        let outcome = match rule(&env, form.clone(), context) {
            Ok(outcome) => outcome,
            Err(refused) => {
                attempts += 1;
                let now = s.store.claim(&id).await?;
                if attempts < 3 && now.is_some_and(|c| c.version != read_version) {
                    continue;
                }
                return Err(refused.into());
            }
        };
        let answer = outcome.claim.clone();
        let commit = Commit {
            claim: Some(outcome.claim),
            transitions: outcome.vouchers,
            ..Commit::default()
        };
        return commit_and_answer(s.store.as_ref(), commit, None, StatusCode::OK, answer).await;
    }
}
