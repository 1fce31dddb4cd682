//! The HTTP API of SPEC §12: one axum [`Router`] that `bootstrap` serves on Lambda (API Gateway
//! HTTP API, payload v2) and `saps-server` serves locally.
//!
//! Handlers are thin: read the request, authorize with core's `access`, load what the rule
//! decides on, run core's JSON entry point (`rules::decide`), commit what it produced in one
//! conditional write, answer. Every failure goes through [`problem::ApiError`].

mod access;
mod claim_lists;
mod customers;
pub mod extract;
mod idempotency;
pub mod identity;
pub mod log;
pub mod openapi;
mod partners;
mod payees;
pub mod problem;
mod redemptions;
mod rules;
mod spreadsheet;
mod vouchers;

use crate::blob::BlobStore;
use crate::catalog::Programs;
use crate::clock::Clock;
use crate::store::Store;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use identity::Identity;
use problem::{ApiError, HttpProblem};
use saps_core::catalog::Catalog;
use std::sync::Arc;

/// What every handler works with; built once at start (SDK clients included).
pub struct Services {
    /// Partners, vouchers, claims, idempotency records.
    pub store: Arc<dyn Store>,
    /// Deliverable bytes.
    pub blobs: Arc<dyn BlobStore>,
    /// The program catalog, as stored (SPEC §15.1).
    pub programs: Programs,
    /// What day it is.
    pub clock: Arc<dyn Clock>,
    /// How callers are identified.
    pub identity: Identity,
}

impl Services {
    /// The catalog one request works with ([`Programs::current`]).
    pub async fn catalog(&self) -> Result<Arc<Catalog>, ApiError> {
        Ok(self.programs.current(self.store.as_ref()).await?)
    }
}

/// The shared state of the router.
pub type AppState = Arc<Services>;

/// The API: every route of SPEC §12 plus `/healthz`, answering JSON 404/405 for anything else
/// under `/v1`. Other paths fall through to whatever the caller adds (the local server's files).
pub fn router(services: Services) -> Router {
    let v1 = Router::new()
        .route("/programs", get(partners::programs))
        .route("/programs/{program_id}", put(partners::put_program))
        .route("/openapi.json", get(openapi::document))
        .route("/rules/{rule}", post(rules::evaluate))
        .route(
            "/partners/{partner_id}",
            put(partners::register).get(partners::read),
        )
        .route(
            "/partners/{partner_id}/eligibility",
            get(partners::eligibility),
        )
        .route(
            "/partners/{partner_id}/qualifications",
            put(partners::qualifications).get(partners::read_qualifications),
        )
        .route(
            "/partners/{partner_id}/enrollments",
            post(partners::enroll).get(partners::enrollments),
        )
        .route(
            "/partners/{partner_id}/enrollments/{program_id}/renewal",
            post(partners::renew),
        )
        .route(
            "/partners/{partner_id}/enrollments/{program_id}",
            axum::routing::delete(partners::withdraw),
        )
        .route(
            "/partners/{partner_id}/profile",
            put(partners::put_profile).get(partners::profile),
        )
        .route(
            "/partners/{partner_id}/payees/{program_id}",
            put(payees::register).get(payees::read),
        )
        .route("/partners/{partner_id}/access", get(access::list))
        .route(
            "/partners/{partner_id}/access/{user_sub}",
            put(access::put).delete(access::revoke),
        )
        .route("/directory", get(partners::directory))
        .route(
            "/customers/{customer_id}",
            put(customers::put).get(customers::read),
        )
        .route("/customers/{customer_id}/vouchers", post(customers::draw))
        .route(
            "/vouchers/{voucher_number}/assignment",
            put(customers::assign),
        )
        .route("/vouchers", post(vouchers::assign))
        .route("/partners/{partner_id}/vouchers", get(vouchers::list))
        .route("/vouchers/validate", post(vouchers::validate))
        .route("/vouchers/{voucher_number}", get(vouchers::read))
        .route("/vouchers/{voucher_number}/history", get(vouchers::history))
        .route(
            "/vouchers/{voucher_number}/reservation",
            post(vouchers::reserve).delete(vouchers::cancel),
        )
        .route(
            "/vouchers/{voucher_number}/deliverables/{file_name}",
            put(vouchers::upload).get(vouchers::download),
        )
        .route(
            "/vouchers/{voucher_number}/completion-report",
            post(vouchers::complete),
        )
        .route("/redemptions/preview", post(redemptions::preview))
        .route("/redemptions", post(redemptions::redeem))
        .route(
            "/claims",
            post(redemptions::create_claim).get(claim_lists::queue),
        )
        .route(
            "/partners/{partner_id}/claims",
            get(claim_lists::partner_claims),
        )
        .route("/claims/{claim_id}", get(redemptions::claim))
        .route("/claims/{claim_id}/{decision}", post(redemptions::decide))
        .route_layer(middleware::from_fn(log::remember_route))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/v1", v1)
        // `nest` leaves `/v1/` itself to the outer router, whose fallback is the caller's.
        .route("/v1/", axum::routing::any(route_not_found))
        .route("/healthz", get(healthz))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(extract::limit_uri))
        .layer(middleware::from_fn(problem::localize))
        .layer(middleware::from_fn(log::log_request))
        .with_state(Arc::new(services))
}

/// Liveness, and the date the rules run on: UTC, or the injected clock. A browser form checks with
/// this date, so its verdict matches the server's even where the local date is another day.
async fn healthz(State(services): State<AppState>) -> impl IntoResponse {
    let today = services.clock.today().to_string();
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({ "status": "ok", "today": today })),
    )
}

async fn route_not_found() -> ApiError {
    HttpProblem::RouteNotFound.into()
}

async fn method_not_allowed() -> ApiError {
    HttpProblem::MethodNotAllowed.into()
}
