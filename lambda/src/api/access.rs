//! Delegated access routes (SPEC §15.3): a partner's admins grant named users the voucher
//! tool, revoke it and read the grants with their audit; and the caller of a voucher-tool
//! route is read with the grants stored for it, so a change applies from the next request.

use super::extract::{JsonBody, Path};
use super::identity::Caller;
use super::problem::ApiError;
use super::rules::{self, partner_in_path};
use super::{AppState, Services};
use crate::store::{Commit, Partner, PartnerSave};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use saps_core::access::grants::{self, AccessChange, AccessGrant, GrantsChange, GrantsForm};
use saps_core::access::{Operation, Role};
use saps_core::error::ProblemKind;
use saps_core::value::PartnerId;
use serde::Serialize;

/// The caller with the grants its partner stored for it: only a partner user of `owner` has
/// any (an admin needs none), so only such a caller costs a read.
pub(super) async fn with_grants(
    s: &Services,
    caller: &Caller,
    owner: &PartnerId,
) -> Result<Caller, ApiError> {
    let Caller::Known(principal) = caller else {
        return Ok(caller.clone());
    };
    let reads_grants = principal.has(Role::PartnerUser)
        && !principal.administers()
        && principal.partner_id.as_ref() == Some(owner);
    if !reads_grants {
        return Ok(caller.clone());
    }
    let granted = s
        .store
        .partner(owner)
        .await?
        .and_then(|p| p.access.into_iter().find(|g| g.user_sub == principal.sub))
        .map(|g| g.grants)
        .unwrap_or_default();
    let mut principal = principal.clone();
    principal.grants = granted;
    Ok(Caller::Known(principal))
}

async fn partner(s: &Services, id: &PartnerId) -> Result<Partner, ApiError> {
    s.store
        .partner(id)
        .await?
        .ok_or_else(|| ApiError::one("partnerId", ProblemKind::NotFound))
}

/// `GET /v1/partners/{partnerId}/access`: who holds what, and every change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessList {
    /// The users holding grants, by `sub`.
    users: Vec<AccessGrant>,
    /// Every change, oldest first.
    audit: Vec<AccessChange>,
}

/// `GET /v1/partners/{partnerId}/access` (partner admin, global admin).
#[utoipa::path(
    operation_id = "listAccessGrants",
    get,
    path = "/v1/partners/{partnerId}/access",
    tag = "partners",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 200, description = "The grants and their audit", body = AccessList),
        super::openapi::ReadErrors
    )
)]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
) -> Result<Json<AccessList>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ManageAccess, Some(&partner_id))?;
    let users = partner(&s, &partner_id).await?.access;
    let audit = s.store.access_audit(&partner_id).await?;
    Ok(Json(AccessList { users, audit }))
}

/// Applies `change` to the partner's grants in one conditional write with its audit line.
async fn change_grants(
    s: &Services,
    caller: &Caller,
    partner_id: &PartnerId,
    change: impl FnOnce(&[AccessGrant], &str) -> Result<GrantsChange, ApiError>,
) -> Result<GrantsChange, ApiError> {
    let by = caller.authenticated()?.sub.clone();
    let current = partner(s, partner_id).await?;
    let changed = change(&current.access, &by)?;
    if changed.change.is_some() {
        let mut next = current.next_version();
        next.access = changed.grants.clone();
        s.store
            .commit(Commit {
                partner: Some(PartnerSave {
                    previous: Some(current),
                    next,
                }),
                access_change: changed.change.clone(),
                ..Commit::default()
            })
            .await?;
    }
    Ok(changed)
}

/// `PUT /v1/partners/{partnerId}/access/{userSub}`: `{grants: ["voucherTool"]}` sets the
/// user's grants (an empty list revokes); audited when it changes anything.
#[utoipa::path(
    operation_id = "putAccessGrants",
    put,
    path = "/v1/partners/{partnerId}/access/{userSub}",
    tag = "partners",
    request_body(content = GrantsForm, content_type = "application/json"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ("userSub" = String, Path, description = "The user, as its token's `sub` names it")
    ),
    responses(
        (status = 200, description = "The partner's grants after the change, and its audit line", body = GrantsChange),
        super::openapi::WriteErrors
    )
)]
pub async fn put(
    State(s): State<AppState>,
    caller: Caller,
    Path((partner_id, user_sub)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<GrantsChange>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ManageAccess, Some(&partner_id))?;
    let form: GrantsForm = rules::form(body)?;
    let today = s.clock.today();
    let changed = change_grants(&s, &caller, &partner_id, |current, by| {
        let wanted = form.parse()?;
        Ok(grants::set(current, &user_sub, wanted, by, today)?)
    })
    .await?;
    Ok(Json(changed))
}

/// `DELETE /v1/partners/{partnerId}/access/{userSub}`: revokes every grant of the user
/// (audited); 204 whether or not it held any.
#[utoipa::path(
    delete,
    path = "/v1/partners/{partnerId}/access/{userSub}",
    tag = "partners",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ("userSub" = String, Path, description = "The user, as its token's `sub` names it")
    ),
    responses(
        (status = 204, description = "Revoked"),
        super::openapi::WriteErrors
    )
)]
pub async fn revoke(
    State(s): State<AppState>,
    caller: Caller,
    Path((partner_id, user_sub)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ManageAccess, Some(&partner_id))?;
    let today = s.clock.today();
    change_grants(&s, &caller, &partner_id, |current, by| {
        Ok(grants::set(current, &user_sub, Vec::new(), by, today)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
