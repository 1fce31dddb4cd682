//! The bridge to core's rules: request bodies read into core's request types by the entry
//! layer's reader, the environment a rule runs in, and the stateless rule evaluator. Handlers
//! call core's typed rule functions (`saps_core::<domain>::rules`), the same ones the WASM build
//! and the vectors reach through the registry, so every surface's verdict is identical.

use super::Services;
use super::extract::JsonBody;
use super::problem::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::NaiveDate;
use saps_core::catalog::Catalog;
use saps_core::error::{FieldPath, Locale, ProblemKind};
use saps_core::json;
use saps_core::rule::Env;
use saps_core::value::PartnerId;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The environment core's rules run in for one request, on its catalog snapshot.
pub fn env(catalog: &Catalog, today: NaiveDate, locale: Locale) -> Env<'_> {
    Env {
        catalog,
        today,
        locale,
    }
}

/// A request body read into core's request type, as the entry layer reads it: an unknown
/// field or a wrong type is `request.malformed` (400) at its JSON path.
pub fn form<T: DeserializeOwned>(body: JsonBody) -> Result<T, ApiError> {
    Ok(json::read(Value::Object(body.fields), "")?)
}

/// The `?date=` a read asks about (`YYYY-MM-DD`), or today when absent or empty.
pub fn date_or_today(s: &Services, raw: Option<&str>) -> Result<NaiveDate, ApiError> {
    match raw.filter(|d| !d.is_empty()) {
        None => Ok(s.clock.today()),
        Some(raw) => saps_core::calendar::parse_date(raw)
            .ok_or_else(|| ApiError::one("date", ProblemKind::InvalidDate)),
    }
}

/// A path's partner id: one that cannot exist is simply not found.
pub fn partner_in_path(raw: &str) -> Result<PartnerId, ApiError> {
    PartnerId::parse(raw).map_err(|_| ApiError::one("partnerId", ProblemKind::NotFound))
}

/// Query parameters read into a form type: an unknown parameter or a wrong type is a 400
/// `request.malformed` at the parameter's name, in serde's words (which core translates for
/// zh-CN), not axum's.
pub struct QueryForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryForm<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<QueryForm<T>, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let parameters =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(parameters)
            .map(QueryForm)
            .map_err(|error| {
                let name = error.path().to_string();
                let field = if name == "." { String::new() } else { name };
                json::malformed(FieldPath::new(&field), &error.inner().to_string()).into()
            })
    }
}

/// `?date=` of the rule evaluator.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RuleQuery {
    /// The day the rule runs on (`YYYY-MM-DD`, default today).
    #[serde(default)]
    date: Option<String>,
}

/// `POST /v1/rules/{rule}?date=` (anyone): runs one of core's JSON entry points on the body,
/// `context` included, and answers its output (200) or its failure with the status of SPEC §12.
/// Stateless: nothing is read or written, so a client without WASM gets the forms' exact
/// verdicts, and the shared vectors run over HTTP.
#[utoipa::path(
    post,
    path = "/v1/rules/{rule}",
    tag = "rules",
    request_body(content = Object, content_type = "application/json"),
    params(
        ("rule" = String, Path, description = "One of core's entry points, e.g. reservationForm"),
        RuleQuery
    ),
    responses(
        (status = 200, description = "The rule's output", body = Object),
        super::openapi::RuleErrors
    )
)]
pub async fn evaluate(
    axum::extract::State(s): axum::extract::State<super::AppState>,
    super::extract::Lang(locale): super::extract::Lang,
    super::extract::Path(rule): super::extract::Path<String>,
    QueryForm(query): QueryForm<RuleQuery>,
    request: axum::extract::Request,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let today = date_or_today(&s, query.date.as_deref())?;
    let input = super::extract::read_json_text(request).await?;
    let catalog = s.catalog().await?;
    let output = json::decide_str(&catalog, &rule, &input, today, locale)?;
    // The rule wrote its output as JSON text: send that text as it is.
    let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
    Ok((json, output).into_response())
}
