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

/// Fails every `BatchWriteItem` while armed: to the table, the process died after a partner's
/// commit and before its filter entries (the only writes sent in batches).
#[allow(dead_code)] // not every test crate that includes this file crashes the indexing
#[derive(Clone, Debug, Default)]
pub struct DiesBeforeIndexing(pub std::sync::Arc<std::sync::atomic::AtomicBool>);

impl aws_sdk_dynamodb::config::Intercept for DiesBeforeIndexing {
    fn name(&self) -> &'static str {
        "DiesBeforeIndexing"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context.request().headers().get("x-amz-target");
        let armed = self.0.load(std::sync::atomic::Ordering::SeqCst);
        if armed && target.is_some_and(|t| t.ends_with(".BatchWriteItem")) {
            return Err("the process died".into());
        }
        Ok(())
    }
}
