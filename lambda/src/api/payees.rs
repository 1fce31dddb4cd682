//! Payee registration routes (SPEC §15.6): the partner's global admin registers who is paid
//! for one program's claims, once a voucher of it is redeemed; the partner and the program
//! admin read it.

use super::extract::{JsonBody, Lang, Path};
use super::identity::Caller;
use super::problem::ApiError;
use super::rules::{self, partner_in_path};
use super::{AppState, Services};
use crate::store::{Commit, Partner, PartnerSave};
use axum::Json;
use axum::extract::State;
use saps_core::access::Operation;
use saps_core::error::ProblemKind;
use saps_core::payee::{self, Payee, PayeeContext, PayeeForm};
use saps_core::value::{PartnerId, ProgramId};

async fn partner(s: &Services, id: &PartnerId) -> Result<Partner, ApiError> {
    s.store
        .partner(id)
        .await?
        .ok_or_else(|| ApiError::one("partnerId", ProblemKind::NotFound))
}

fn payee_not_found() -> ApiError {
    ApiError::one("programId", ProblemKind::NotFound)
}

/// `PUT /v1/partners/{partnerId}/payees/{programId}` (global admin): `{payeeName, country,
/// currency, taxId?}`; replaces an earlier registration of the program.
#[utoipa::path(
    operation_id = "registerPayee",
    put,
    path = "/v1/partners/{partnerId}/payees/{programId}",
    tag = "claims",
    request_body(content = PayeeForm, content_type = "application/json"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ("programId" = String, Path, description = "The program the payee is paid for")
    ),
    responses(
        (status = 200, description = "Registered", body = Payee),
        super::openapi::WriteErrors
    )
)]
pub async fn register(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path((partner_id, program_id)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<Payee>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::RegisterPayee, Some(&partner_id))?;
    let form: PayeeForm = rules::form(body)?;
    let current = partner(&s, &partner_id).await?;
    let redeemed = match ProgramId::parse(&program_id) {
        Ok(program) => s.store.has_redeemed(&partner_id, &program).await?,
        Err(_) => false,
    };
    let catalog = s.catalog().await?;
    let registered = payee::register_payee(
        &rules::env(&catalog, s.clock.today(), locale),
        form,
        PayeeContext {
            program_id,
            redeemed,
        },
    )?;
    let mut next = current.next_version();
    next.payees
        .retain(|p| p.program_id != registered.program_id);
    next.payees.push(registered.clone());
    s.store
        .commit(Commit {
            partner: Some(PartnerSave {
                previous: Some(current),
                next,
            }),
            ..Commit::default()
        })
        .await?;
    Ok(Json(registered))
}

/// `GET /v1/partners/{partnerId}/payees/{programId}`: the registration, or 404.
#[utoipa::path(
    operation_id = "readPayee",
    get,
    path = "/v1/partners/{partnerId}/payees/{programId}",
    tag = "claims",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ("programId" = String, Path, description = "The program the payee is paid for")
    ),
    responses(
        (status = 200, description = "The registered payee", body = Payee),
        super::openapi::ReadErrors
    )
)]
pub async fn read(
    State(s): State<AppState>,
    caller: Caller,
    Path((partner_id, program_id)): Path<(String, String)>,
) -> Result<Json<Payee>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    let program = ProgramId::parse(&program_id).map_err(|_| payee_not_found())?;
    partner(&s, &partner_id)
        .await?
        .payees
        .into_iter()
        .find(|p| p.program_id == program)
        .map(Json)
        .ok_or_else(payee_not_found)
}
