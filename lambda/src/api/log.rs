//! One structured log line per request, with its id.

use super::problem::PendingFailure;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use lambda_http::request::RequestContext;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const REQUEST_ID: &str = "x-request-id";

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

static STARTED_AT: LazyLock<String> = LazyLock::new(|| {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{millis:x}")
});

/// The route template a request matched, carried out to [`log_request`] on the response.
#[derive(Clone, Debug)]
struct Route(MatchedPath);

/// Copies the matched route onto the response (routing happens inside the logging layer).
pub async fn remember_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(Route(route));
    }
    response
}

/// The request's id: API Gateway's, else a sane `x-request-id` from the client, else one made
/// here (process start time and a sequence number: unique without randomness).
fn request_id(request: &Request) -> String {
    if let Some(RequestContext::ApiGatewayV2(context)) =
        request.extensions().get::<RequestContext>()
        && let Some(id) = context.request_id.as_ref()
    {
        return id.clone();
    }
    if let Some(id) = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()))
    {
        return id.to_owned();
    }
    format!(
        "{}-{}",
        *STARTED_AT,
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    )
}

/// On Lambda, the invocation's own id (the one in Lambda's `START`/`REPORT` lines), which ties a
/// request line to the function's duration, memory and any crash report.
fn lambda_request_id(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<lambda_http::Context>()
        .map(|context| context.request_id.clone())
}

/// Logs method, route, status, duration and any error code; echoes the id as `x-request-id`.
/// On Lambda the line also carries the invocation's id (`lambda_request_id`).
pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    let lambda_id = lambda_request_id(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map(|r| r.0.as_str().to_owned());
    let code = response
        .extensions()
        .get::<PendingFailure>()
        .map(|p| p.code().to_owned());
    tracing::info!(
        target: "saps::request",
        request_id = %id,
        lambda_request_id = lambda_id.as_deref().unwrap_or(""),
        method = %method,
        route = route.as_deref().unwrap_or(""),
        path = %path,
        status = response.status().as_u16(),
        duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        code = code.as_deref().unwrap_or(""),
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}
