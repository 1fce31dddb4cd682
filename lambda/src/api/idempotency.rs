//! `Idempotency-Key` (SPEC §10, §13): the first request with a key commits its response with
//! its change; a retry with the same request gets that response again, a different request
//! with the same key is refused, and two racing first attempts produce one change.

use super::extract::IdempotencyKey;
use super::problem::{ApiError, HttpProblem};
use crate::store::{Commit, IdempotencyRecord, Store, StoreError};
use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use saps_core::value::PartnerId;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// Marks an answer that was replayed from an earlier request with the same key.
pub const REPLAYED: &str = "idempotent-replayed";

/// A keyed request: who sent it, to which route, and a digest of exactly what was asked.
#[derive(Clone, Debug)]
pub struct Keyed {
    scope: String,
    key: String,
    request_sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Keyed {
    /// `key` of `partner` on `method route` (the route with its ids, e.g. a voucher number),
    /// bound to the body as sent.
    pub fn new(partner: &PartnerId, method: &str, route: &str, key: String, body: &[u8]) -> Keyed {
        Keyed {
            scope: format!("{partner} {method} {route}"),
            key,
            request_sha256: hex(&Sha256::digest(body)),
        }
    }

    /// A stable id derived from the key, unique per partner and route (a claim's id): a retry
    /// names the same claim, so the store's create condition keeps it to one.
    pub fn derived_id(&self, prefix: &str) -> String {
        let digest = Sha256::digest(format!("{}\n{}", self.scope, self.key));
        format!("{prefix}{}", hex(digest.get(..10).unwrap_or_default()))
    }

    /// The stored answer for this key: replayed when the request is the same, 422 when not.
    pub async fn replay(&self, store: &dyn Store) -> Result<Option<Response>, ApiError> {
        let Some(record) = store.idempotency(&self.scope, &self.key).await? else {
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
    /// The key, if sent, bound to `partner`'s `method route` and the body as sent.
    pub fn bind(
        self,
        partner: &PartnerId,
        method: &str,
        route: &str,
        body: &[u8],
    ) -> Option<Keyed> {
        self.0
            .map(|key| Keyed::new(partner, method, route, key, body))
    }
}

/// Commits `commit` and answers `status` with `body`; with a key, the answer is stored in the
/// same transaction, and a retry that lost the race to its own twin replays the winner.
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
        });
    }
    match (store.commit(commit).await, keyed) {
        (Ok(()), _) => Ok((status, Json(body)).into_response()),
        // Another attempt with this key may have committed first: answer as it did. If none
        // did, the conflict was a real race on the data.
        (Err(StoreError::Conflict { item, reason }), Some(keyed)) => {
            match keyed.replay(store).await? {
                Some(replayed) => Ok(replayed),
                None => Err(StoreError::Conflict { item, reason }.into()),
            }
        }
        (Err(error), _) => Err(error.into()),
    }
}
