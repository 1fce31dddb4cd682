//! The local server's extras around the API: the demo forms (`web/`), the `saps-rules` package
//! (`pkg/`), and in demo mode the tokens the forms sign in with.

use crate::api::identity::{Hs256Keys, IssueError};
use crate::demo;
use axum::Json;
use axum::Router;
use axum::routing::get;
use serde_json::{Map, Value};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};
use tower_http::services::ServeDir;

/// How long demo tokens stay valid.
pub const DEMO_TOKEN_SECONDS: u64 = 12 * 60 * 60;

/// A token per demo role, valid for [`DEMO_TOKEN_SECONDS`] from now.
pub fn demo_tokens(keys: &Hs256Keys) -> Result<Map<String, Value>, IssueError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    demo::principals()
        .into_iter()
        .map(|(label, principal)| {
            Ok((
                label.to_owned(),
                Value::String(keys.issue(&principal, now.saturating_add(DEMO_TOKEN_SECONDS))?),
            ))
        })
        .collect()
}

/// `api` plus the static files; with `tokens`, also `GET /demo/tokens` for the demo forms.
pub fn app(api: Router, web: &Path, pkg: &Path, tokens: Option<Map<String, Value>>) -> Router {
    let mut app = api.nest_service("/pkg", ServeDir::new(pkg));
    if let Some(tokens) = tokens {
        let tokens = Value::Object(tokens);
        app = app.route("/demo/tokens", get(move || async move { Json(tokens) }));
    }
    app.fallback_service(ServeDir::new(web))
}
