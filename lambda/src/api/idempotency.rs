//! `Idempotency-Key` (SPEC §10, §13): the first request with a key commits its response with
//! its change; a retry with the same request gets that response again, a different request
//! with the same key is refused, and two racing first attempts produce one change.

use super::extract::IdempotencyKey;
use super::problem::{ApiError, HttpProblem};
use crate::store::{Commit, IdempotencyRecord, Store};
use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use saps_core::value::PartnerId;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// Marks an answer that was replayed from an earlier request with the same key.
pub const REPLAYED: &str = "idempotent-replayed";

/// How long a key's answer is kept: a client retries within minutes, and a day covers a
/// retry queue that waited out an outage.
pub const TTL_SECONDS: u64 = 24 * 60 * 60;

/// A keyed request: who sent it, to which route, a digest of exactly what was asked, and when.
#[derive(Clone, Debug)]
pub struct Keyed {
    scope: String,
    key: String,
    request_sha256: String,
    /// When the request arrived (Unix seconds): records expired by then are ignored.
    now: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Keyed {
    /// `key` of `owner` (a partner, or a customer) on `method route` (the route with its ids,
    /// e.g. a voucher number), bound to the body as sent, arriving at `now` (Unix seconds).
    pub fn new(
        now: u64,
        owner: &impl std::fmt::Display,
        method: &str,
        route: &str,
        key: String,
        body: &[u8],
    ) -> Keyed {
        Keyed {
            scope: format!("{owner} {method} {route}"),
            key,
            request_sha256: hex(&Sha256::digest(body)),
            now,
        }
    }

    /// A stable id derived from the key and the request (a claim's id): a retry names the same
    /// claim, so the store's create condition keeps it to one, while the key's next use after
    /// its record expired (another request) names another.
    pub fn derived_id(&self, prefix: &str) -> String {
        let digest = Sha256::digest(format!(
            "{}\n{}\n{}",
            self.scope, self.key, self.request_sha256
        ));
        format!("{prefix}{}", hex(digest.get(..10).unwrap_or_default()))
    }

    /// The stored answer for this key: replayed when the request is the same, 422 when not.
    /// An expired answer is no answer: the key is free again.
    pub async fn replay(&self, store: &dyn Store) -> Result<Option<Response>, ApiError> {
        let Some(record) = store
            .idempotency(&self.scope, &self.key)
            .await?
            .filter(|record| !record.expired(self.now))
        else {
            return Ok(None);
        };
        if record.request_sha256 != self.request_sha256 {
            return Err(HttpProblem::IdempotencyKeyReused.into());
        }
        let status = StatusCode::from_u16(record.status).unwrap_or(StatusCode::OK);
        let body: Value = serde_json::from_str(&record.body)
            .map_err(|e| ApiError::Internal(format!("stored idempotent response: {e}")))?;
        let mut response = (status, Json(body)).into_response();
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
        Ok(Some(response))
    }
}

impl IdempotencyKey {
    /// The key, if sent, bound to `partner`'s `method route` and the body as sent, at `now`.
    pub fn bind(
        self,
        now: u64,
        partner: &PartnerId,
        method: &str,
        route: &str,
        body: &[u8],
    ) -> Option<Keyed> {
        self.0
            .map(|key| Keyed::new(now, partner, method, route, key, body))
    }
}

/// Runs `write` for a request that may carry a key. With a key, the answer stored for it is
/// replayed when the write fails: the write's commit stores the answer under the key in the
/// same transaction, on condition that the key is free, so a retry (or a twin racing the first
/// attempt) either finds the state its first attempt left and is refused by the rule, or loses
/// the key's condition at commit, and in both cases gets the first answer. The key is not read
/// before the write: a request needs no read its rule does not (issue 19, item 6), and a retry
/// costs one failed write instead.
pub async fn once<F>(
    store: &dyn Store,
    keyed: Option<&Keyed>,
    write: F,
) -> Result<Response, ApiError>
where
    F: Future<Output = Result<Response, ApiError>>,
{
    let Some(keyed) = keyed else {
        return write.await;
    };
    match write.await {
        Ok(response) => Ok(response),
        // When the second look fails too, or finds nothing, the write's own failure is the
        // answer; another body's answer under the key is a 422.
        Err(error) => match keyed.replay(store).await {
            Ok(Some(replayed)) => Ok(replayed),
            Err(reused @ ApiError::Http(HttpProblem::IdempotencyKeyReused)) => Err(reused),
            Ok(None) | Err(_) => Err(error),
        },
    }
}

/// Commits `commit` and answers `status` with `body`; with a key, the answer is stored in the
/// same transaction (run it inside [`once`], which replays the answer of an earlier attempt).
pub async fn commit_and_answer(
    store: &dyn Store,
    mut commit: Commit,
    keyed: Option<&Keyed>,
    status: StatusCode,
    body: impl Serialize,
) -> Result<Response, ApiError> {
    let body = serde_json::to_value(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Some(keyed) = keyed {
        commit.idempotency = Some(IdempotencyRecord {
            scope: keyed.scope.clone(),
            key: keyed.key.clone(),
            request_sha256: keyed.request_sha256.clone(),
            status: status.as_u16(),
            body: body.to_string(),
            written_at: keyed.now,
            expires_at: keyed.now.saturating_add(TTL_SECONDS),
        });
    }
    store.commit(commit).await?;
    Ok((status, Json(body)).into_response())
}
