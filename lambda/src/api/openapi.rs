//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations and core's
//! form types.

use super::{access, claim_lists, customers, partners, payees, redemptions, rules, vouchers};
use axum::http::header;
use axum::response::IntoResponse;
use saps_core::error::Failure;
use std::collections::BTreeSet;
use std::sync::LazyLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
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

/// Serde's `flatten` becomes an `allOf` of the flattened type and the outer fields. A flattened
/// type that denies unknown fields is `additionalProperties: false`, which would then refuse the
/// outer fields (a `VoucherView` would never match): inside an `allOf`, the part stays open.
struct OpenFlattenedParts;

impl Modify for OpenFlattenedParts {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let flattened: BTreeSet<String> = components
            .schemas
            .values()
            .filter_map(|schema| match schema {
                RefOr::T(Schema::AllOf(all)) => Some(&all.items),
                _ => None,
            })
            .flatten()
            .filter_map(|part| match part {
                RefOr::Ref(r) => r.ref_location.rsplit('/').next().map(str::to_owned),
                RefOr::T(_) => None,
            })
            .collect();
        for name in flattened {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                object.additional_properties = None;
            }
        }
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
        partners::put_program,
        partners::register,
        partners::read,
        partners::read_qualifications,
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
        vouchers::download,
        redemptions::preview,
        redemptions::redeem,
        redemptions::create_claim,
        redemptions::claim,
        redemptions::decide,
        payees::register,
        payees::read,
        claim_lists::partner_claims,
        access::list,
        access::put,
        access::revoke,
        claim_lists::queue,
        customers::put,
        customers::read,
        customers::draw,
        customers::assign,
        rules::evaluate,
    ),
    components(schemas(Failure)),
    modifiers(&BearerAuth, &OpenFlattenedParts),
    security(("bearer" = []))
)]
struct ApiDoc;

/// The document, built and serialized once, on the first request for it (not at cold start).
static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_json().unwrap_or_default());

/// The document as JSON: what `GET /v1/openapi.json` answers, and what the portal's API types
/// are generated from (`cargo run -p saps-lambda --example openapi`).
pub fn document_json() -> &'static str {
    DOCUMENT.as_str()
}

/// `GET /v1/openapi.json`.
pub async fn document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
}

/// The error responses of the routes that change data (SPEC §12's statuses).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only its documentation is used; errors are built as `ApiError`s.
pub enum WriteErrors {
    /// Malformed JSON, unknown field or wrong type.
    #[response(status = 400)]
    Malformed(#[to_schema] Failure),
    /// No or bad token.
    #[response(status = 401)]
    Unauthenticated(#[to_schema] Failure),
    /// Wrong role.
    #[response(status = 403)]
    Forbidden(#[to_schema] Failure),
    /// Unknown, or another partner's.
    #[response(status = 404)]
    NotFound(#[to_schema] Failure),
    /// Transition not allowed, or lost a concurrent race.
    #[response(status = 409)]
    Conflict(#[to_schema] Failure),
    /// Body too large (JSON 64 KiB, deliverable 5 MiB).
    #[response(status = 413)]
    TooLarge(#[to_schema] Failure),
    /// The address is longer than 8 KiB (any route).
    #[response(status = 414)]
    UriTooLong(#[to_schema] Failure),
    /// Wrong media type.
    #[response(status = 415)]
    UnsupportedMediaType(#[to_schema] Failure),
    /// Field validation: every failing field at once.
    #[response(status = 422)]
    Invalid(#[to_schema] Failure),
    /// Store unavailable; retry after `Retry-After` seconds.
    #[response(status = 503)]
    Unavailable(#[to_schema] Failure),
}

/// The error responses of reads by id.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ReadErrors {
    /// A path segment is not UTF-8 text once percent-decoded.
    #[response(status = 400)]
    Malformed(#[to_schema] Failure),
    /// No or bad token.
    #[response(status = 401)]
    Unauthenticated(#[to_schema] Failure),
    /// Wrong role.
    #[response(status = 403)]
    Forbidden(#[to_schema] Failure),
    /// Unknown, or another partner's.
    #[response(status = 404)]
    NotFound(#[to_schema] Failure),
    /// The address is longer than 8 KiB (any route).
    #[response(status = 414)]
    UriTooLong(#[to_schema] Failure),
    /// Store unavailable; retry after `Retry-After` seconds.
    #[response(status = 503)]
    Unavailable(#[to_schema] Failure),
}

/// The error responses of reads with query parameters.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum QueryErrors {
    /// Unknown parameter or wrong type.
    #[response(status = 400)]
    Malformed(#[to_schema] Failure),
    /// No or bad token.
    #[response(status = 401)]
    Unauthenticated(#[to_schema] Failure),
    /// Wrong role.
    #[response(status = 403)]
    Forbidden(#[to_schema] Failure),
    /// Unknown, or another partner's.
    #[response(status = 404)]
    NotFound(#[to_schema] Failure),
    /// The address is longer than 8 KiB (any route).
    #[response(status = 414)]
    UriTooLong(#[to_schema] Failure),
    /// A parameter is invalid.
    #[response(status = 422)]
    Invalid(#[to_schema] Failure),
    /// Store unavailable; retry after `Retry-After` seconds.
    #[response(status = 503)]
    Unavailable(#[to_schema] Failure),
}

/// The error responses of the stateless rule evaluator: the rule's own verdict.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum RuleErrors {
    /// Malformed JSON, unknown field, wrong type or unknown rule.
    #[response(status = 400)]
    Malformed(#[to_schema] Failure),
    /// The rule found the voucher or resource unknown.
    #[response(status = 404)]
    NotFound(#[to_schema] Failure),
    /// The rule refused a transition.
    #[response(status = 409)]
    Conflict(#[to_schema] Failure),
    /// Body too large.
    #[response(status = 413)]
    TooLarge(#[to_schema] Failure),
    /// The address is longer than 8 KiB (any route).
    #[response(status = 414)]
    UriTooLong(#[to_schema] Failure),
    /// Wrong media type.
    #[response(status = 415)]
    UnsupportedMediaType(#[to_schema] Failure),
    /// Field validation.
    #[response(status = 422)]
    Invalid(#[to_schema] Failure),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::document_json;
    use std::collections::BTreeMap;

    /// Clients generated from the document (the portal's among them) key operations by their id:
    /// two handlers named alike (`read`) would give one route the other's types.
    #[test]
    fn operation_ids_are_unique() {
        let document: serde_json::Value = serde_json::from_str(document_json()).unwrap();
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str();
                let id = id.unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                seen.entry(id.to_owned())
                    .or_default()
                    .push(format!("{method} {path}"));
            }
        }
        let shared: Vec<_> = seen.iter().filter(|(_, routes)| routes.len() > 1).collect();
        assert!(shared.is_empty(), "operation ids used twice: {shared:?}");
    }
}
