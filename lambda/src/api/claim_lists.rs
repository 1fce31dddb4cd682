//! The claims lists (SPEC §15.7): a partner's claims, and the program admin's queue of claims
//! to decide. Both read an index, oldest first, a page at a time.

use super::AppState;
use super::extract::Path;
use super::identity::Caller;
use super::problem::ApiError;
use super::rules::{QueryForm, partner_in_path};
use super::vouchers::page_limit;
use crate::store::ClaimQuery;
use axum::Json;
use axum::extract::State;
use saps_core::access::Operation;
use saps_core::claim::{Claim, ClaimState};
use saps_core::directory::Page;
use saps_core::value::PartnerId;
use serde::Deserialize;

/// A claims list's query parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimListQuery {
    /// Only claims in this state: `submitted`, `approved`, `paid` or `rejected`.
    #[serde(default)]
    state: Option<String>,
    /// Where the previous page ended (its `nextCursor`).
    #[serde(default)]
    cursor: Option<String>,
    /// Page size, 1–100 (default 50).
    #[serde(default)]
    limit: Option<u64>,
}

async fn page(
    s: &AppState,
    partner: Option<PartnerId>,
    query: ClaimListQuery,
) -> Result<Json<Page<Claim>>, ApiError> {
    let state =
        ClaimState::parse_filter(query.state.as_deref()).map_err(|k| ApiError::one("state", k))?;
    let query_of = ClaimQuery {
        partner,
        state,
        limit: page_limit(query.limit)?,
    };
    let found = s.store.claims(&query_of, query.cursor.as_deref()).await?;
    Ok(Json(Page {
        items: found.items,
        next_cursor: found.next_cursor,
    }))
}

/// `GET /v1/partners/{partnerId}/claims?state=`: the partner's claims, oldest first.
#[utoipa::path(
    get,
    path = "/v1/partners/{partnerId}/claims",
    tag = "claims",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ClaimListQuery
    ),
    responses(
        (status = 200, description = "A page of the partner's claims", body = Page<Claim>),
        super::openapi::QueryErrors
    )
)]
pub async fn partner_claims(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
    QueryForm(query): QueryForm<ClaimListQuery>,
) -> Result<Json<Page<Claim>>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    page(&s, Some(partner_id), query).await
}

/// `GET /v1/claims?state=` (program admin): every partner's claims, oldest first; with
/// `state=submitted` or `approved`, the queue to decide.
#[utoipa::path(
    get,
    path = "/v1/claims",
    tag = "claims",
    params(ClaimListQuery),
    responses(
        (status = 200, description = "A page of claims", body = Page<Claim>),
        super::openapi::QueryErrors
    )
)]
pub async fn queue(
    State(s): State<AppState>,
    caller: Caller,
    QueryForm(query): QueryForm<ClaimListQuery>,
) -> Result<Json<Page<Claim>>, ApiError> {
    caller.authorize(Operation::DecideClaim, None)?;
    page(&s, None, query).await
}
