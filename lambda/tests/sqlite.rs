//! The conformance suite on the embedded SQLite backend, each check in its own data directory.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod conformance;

use saps_lambda::store::Store;
use saps_lambda::store::sqlite::SqliteStore;
use std::sync::Arc;

/// A store in a fresh directory, kept for the life of the test process.
async fn fresh_store() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    Arc::new(SqliteStore::open(&dir).expect("open store"))
}

conformance_suite!(fresh_store());

#[tokio::test]
async fn data_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (voucher, history) = conformance::assigned("SAPS0100KEEP", "1001", conformance::today());
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        conformance::insert(&store, vec![(voucher.clone(), history)]).await;
    }
    let reopened = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(conformance::load(&reopened, "SAPS0100KEEP").await, voucher);
}
