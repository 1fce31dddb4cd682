//! Structured JSON logs on stdout (CloudWatch reads stdout on Lambda), filtered by `SAPS_LOG`
//! (default `info`).

use tracing_subscriber::EnvFilter;

/// Installs the JSON subscriber; a second call is a no-op.
pub fn init() {
    let filter = EnvFilter::try_from_env("SAPS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_env_filter(filter)
        .try_init();
}
