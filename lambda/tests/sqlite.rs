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

#[tokio::test]
async fn expired_idempotency_records_are_swept() {
    use conformance::{DAY, KEYS_WRITTEN_AT, key_only};
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).unwrap();
    store
        .commit(key_only("old", "", KEYS_WRITTEN_AT))
        .await
        .unwrap();
    // The next keyed commit after the old key's expiry deletes its record.
    store
        .commit(key_only("new", "", KEYS_WRITTEN_AT + 2 * DAY))
        .await
        .unwrap();
    let scope = "1001 POST /v1/claims";
    assert!(store.idempotency(scope, "old").await.unwrap().is_none());
    assert!(store.idempotency(scope, "new").await.unwrap().is_some());
}

#[test]
fn a_store_from_before_key_expiry_gets_the_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let connection = rusqlite::Connection::open(dir.path().join("saps.sqlite3")).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE idempotency (scope TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, \
             PRIMARY KEY (scope, key)) WITHOUT ROWID;
             INSERT INTO idempotency VALUES ('s', 'k', '{}');",
        )
        .unwrap();
    drop(connection);
    SqliteStore::open(dir.path()).unwrap();
    let connection = rusqlite::Connection::open(dir.path().join("saps.sqlite3")).unwrap();
    let expires: i64 = connection
        .query_row(
            "SELECT expires_at FROM idempotency WHERE key = 'k'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(expires, 0, "an old record reads as expired");
}
