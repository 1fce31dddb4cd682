//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations and core's
//! form types.

use super::{partners, redemptions, rules, vouchers};
use axum::Json;
use serde_json::Value;
use std::sync::LazyLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Bearer JWTs: verified by API Gateway's authorizer on Lambda, by the server locally.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "saps",
        description = "Software Assurance Planning Services partner workflow (SPEC §12). Errors are `{code, message, fields}`; `Accept-Language: zh-CN` gives Chinese messages."
    ),
    paths(
        partners::programs,
        partners::register,
        partners::eligibility,
        partners::qualifications,
        partners::enroll,
        partners::enrollments,
        partners::renew,
        partners::withdraw,
        partners::put_profile,
        partners::profile,
        partners::directory,
        vouchers::assign,
        vouchers::read,
        vouchers::history,
        vouchers::list,
        vouchers::validate,
        vouchers::reserve,
        vouchers::cancel,
        vouchers::complete,
        vouchers::upload,
        redemptions::preview,
        redemptions::redeem,
        redemptions::create_claim,
        redemptions::claim,
        redemptions::decide,
        rules::evaluate,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

static DOCUMENT: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null));

/// The document (built once).
pub fn spec() -> &'static Value {
    &DOCUMENT
}

/// `GET /v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec().clone())
}
