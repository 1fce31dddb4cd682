//! Reading requests: the caller's language, JSON bodies (415, 413, 400) and idempotency keys.

use super::problem::{ApiError, HttpProblem};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use bytes::BytesMut;
use http_body_util::BodyExt as _;
use saps_core::error::{Locale, ProblemKind};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Largest JSON body (SPEC §12).
pub const JSON_LIMIT: u64 = 64 * 1024;

/// The locale of `Accept-Language` (English when absent or unsupported).
pub fn locale_of(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Locale::En, Locale::from_accept_language)
}

/// The caller's language.
#[derive(Clone, Copy, Debug)]
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Self::Rejection> {
        Ok(Lang(locale_of(&parts.headers)))
    }
}

/// How much of an oversized body is read and thrown away before answering 413: a client that
/// is still sending then reads the answer instead of a reset connection. Past this, the
/// connection is cut.
const DRAIN_LIMIT: u64 = 1024 * 1024;

/// Reads at most `limit` bytes of `body`: 413 past it, at once when `Content-Length` says
/// so beyond what is worth draining.
async fn read_limited(headers: &HeaderMap, mut body: Body, limit: u64) -> Result<Bytes, ApiError> {
    if declared_length(headers).is_some_and(|n| n > limit.saturating_add(DRAIN_LIMIT)) {
        return Err(HttpProblem::TooLarge { limit }.into());
    }
    let mut collected = BytesMut::new();
    let mut seen: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            ApiError::one(
                "",
                ProblemKind::Malformed {
                    detail: format!("the body could not be read: {error}"),
                },
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len() as u64);
        if seen > limit.saturating_add(DRAIN_LIMIT) {
            break;
        }
        if seen <= limit {
            collected.extend_from_slice(&data);
        }
    }
    if seen > limit {
        return Err(HttpProblem::TooLarge { limit }.into());
    }
    Ok(collected.freeze())
}

/// The body's length as `Content-Length` declares it.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Reads and drops the rest of a body that a request is refused without, so that a client still
/// sending reads the refusal instead of a reset connection: up to `limit` bytes plus 1 MiB, and
/// nothing when it declares more (the connection is then cut).
pub async fn drain(headers: &HeaderMap, mut body: Body, limit: u64) {
    let most = limit.saturating_add(DRAIN_LIMIT);
    if declared_length(headers).is_some_and(|n| n > most) {
        return;
    }
    let mut seen: u64 = 0;
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len() as u64);
            if seen > most {
                return;
            }
        }
    }
}

/// Whether a `Content-Type` value names JSON (`application/json`, with any parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// A JSON object body: the request's own fields, as the rules read them. An empty body is an
/// empty object, so a body-less `POST` (a renewal) needs no `Content-Type`.
#[derive(Debug, Default)]
pub struct JsonBody {
    /// The fields.
    pub fields: Map<String, Value>,
    /// The bytes as sent (what an idempotency key is bound to).
    pub raw: Bytes,
}

/// A JSON body's bytes: 413 past [`JSON_LIMIT`], 415 unless `application/json` (an empty body
/// may have no type).
async fn json_bytes(request: Request) -> Result<Bytes, ApiError> {
    let (parts, body) = request.into_parts();
    let raw = read_limited(&parts.headers, body, JSON_LIMIT).await?;
    if !raw.is_empty() && !is_json(&parts.headers) {
        return Err(HttpProblem::UnsupportedMediaType {
            expected: "application/json".into(),
        }
        .into());
    }
    Ok(raw)
}

/// Reads a JSON body: 413 past [`JSON_LIMIT`], 415 unless `application/json`, 400 unless JSON.
/// An empty body is an empty object.
pub async fn read_json(request: Request) -> Result<(Value, Bytes), ApiError> {
    let raw = json_bytes(request).await?;
    if raw.is_empty() {
        return Ok((Value::Object(Map::new()), raw));
    }
    match serde_json::from_slice::<Value>(&raw) {
        Ok(value) => Ok((value, raw)),
        Err(error) => Err(malformed(error.to_string())),
    }
}

/// A JSON body's text, for a reader that parses it itself (core's entry layer): 413 past
/// [`JSON_LIMIT`], 415 unless `application/json`, 400 unless UTF-8. An empty body is `{}`.
pub async fn read_json_text(request: Request) -> Result<String, ApiError> {
    let raw = json_bytes(request).await?;
    if raw.is_empty() {
        return Ok("{}".into());
    }
    String::from_utf8(raw.to_vec()).map_err(|error| malformed(error.to_string()))
}

/// Reads a JSON object body (see [`read_json`]): 400 unless an object.
pub async fn read_json_object(request: Request) -> Result<JsonBody, ApiError> {
    match read_json(request).await? {
        (Value::Object(fields), raw) => Ok(JsonBody { fields, raw }),
        _ => Err(malformed("the body must be a JSON object".into())),
    }
}

fn malformed(detail: String) -> ApiError {
    ApiError::one("", ProblemKind::Malformed { detail })
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<JsonBody, ApiError> {
        let body = read_json_object(request).await?;
        // The rules read the state they decide on from `context`; only the API may supply it.
        if body.fields.contains_key("context") {
            return Err(malformed("unknown field `context`".into()));
        }
        Ok(body)
    }
}

/// A route's path parameters, as axum's `Path` reads them; a segment that is not UTF-8 once
/// percent-decoded is a JSON 400 (`request.invalidPath`) like every other refusal, not axum's
/// plain-text one.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Path<T>, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(_) => Err(HttpProblem::InvalidPath.into()),
        }
    }
}

/// The longest request target (path and query) the API reads: far above any route's with its
/// longest query, and well under what a proxy or API Gateway passes on.
pub const URI_LIMIT: usize = 8 * 1024;

/// Refuses a request whose target is longer than [`URI_LIMIT`] with a JSON 414.
pub async fn limit_uri(request: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let length = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if length > URI_LIMIT {
        return ApiError::from(HttpProblem::UriTooLong { limit: URI_LIMIT }).into_response();
    }
    next.run(request).await
}

/// The `Idempotency-Key` header, when sent.
#[derive(Clone, Debug, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl IdempotencyKey {
    /// The key, or 400 when the route requires one.
    pub fn required(self) -> Result<String, ApiError> {
        self.0
            .ok_or_else(|| HttpProblem::IdempotencyKeyRequired.into())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<IdempotencyKey, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or(HttpProblem::InvalidIdempotencyKey)?;
        Ok(IdempotencyKey(Some(key.to_owned())))
    }
}
