//! Where the DynamoDB Local server of a test run is, and table names no two tests share.
//! Included with `#[path]` by each test crate that needs it.

use std::sync::atomic::{AtomicU32, Ordering};

/// `SAPS_DYNAMODB_ENDPOINT`, which `scripts/test-all.sh` sets when it starts the server.
pub fn endpoint() -> String {
    std::env::var("SAPS_DYNAMODB_ENDPOINT").expect(
        "SAPS_DYNAMODB_ENDPOINT must name a DynamoDB Local server (bash scripts/test-all.sh starts one)",
    )
}

/// A table name no other test or test process uses.
pub fn table_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "saps-test-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
