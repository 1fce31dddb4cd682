//! The conformance suite on the DynamoDB backend against AWS's DynamoDB Local, plus the
//! request budgets of SPEC §13. `SAPS_DYNAMODB_ENDPOINT` names the running server
//! (`scripts/test-all.sh` starts one); each check gets a table of its own.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod conformance;
#[path = "support/dynamodb_local.rs"]
mod dynamodb_local;

use saps_core::value::VoucherNumber;
use saps_lambda::store::Store;
use saps_lambda::store::dynamo::{self, DynamoStore, RequestCounter};
use std::sync::Arc;

async fn store_with(counter: Option<RequestCounter>) -> DynamoStore {
    let store = DynamoStore::new(
        dynamo::local_client_with(&dynamodb_local::endpoint(), counter),
        dynamodb_local::table_name(),
    );
    store.create_table().await.expect("create table");
    store
}

async fn fresh_store() -> Arc<dyn Store> {
    Arc::new(store_with(None).await)
}

conformance_suite!(fresh_store());

#[tokio::test]
async fn a_reservation_is_one_write_request() {
    let counter = RequestCounter::new();
    let store = store_with(Some(counter.clone())).await;
    let (voucher, history) = conformance::assigned("SAPS0200COUNT", "1001", conformance::today());
    conformance::insert(&store, vec![(voucher, history)]).await;
    counter.take();

    // What the API does: read the voucher once, decide with core, commit once.
    let current = conformance::load(&store, "SAPS0200COUNT").await;
    conformance::apply(&store, conformance::reserve(&current))
        .await
        .unwrap();
    let counts = counter.take();
    assert_eq!(counts.get("TransactWriteItems"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("GetItem"), Some(&1), "{counts:?}");
    assert_eq!(counts.values().sum::<usize>(), 2, "{counts:?}");
}

#[tokio::test]
async fn a_25_voucher_redemption_is_one_transaction() {
    let counter = RequestCounter::new();
    let store = store_with(Some(counter.clone())).await;
    let numbers: Vec<String> = (0..25).map(|i| format!("SAPSREDEEM{i:04}")).collect();
    conformance::insert(
        &store,
        numbers
            .iter()
            .map(|n| conformance::completed(n, "1001"))
            .collect(),
    )
    .await;
    counter.take();

    let selection: Vec<VoucherNumber> = numbers.iter().map(|n| conformance::number(n)).collect();
    conformance::redeem(&store, &selection).await.unwrap();
    let counts = counter.take();
    assert_eq!(counts.get("BatchGetItem"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("TransactWriteItems"), Some(&1), "{counts:?}");
    assert_eq!(counts.values().sum::<usize>(), 2, "{counts:?}");
}

#[tokio::test]
async fn the_table_expires_idempotency_records_by_ttl() {
    let table = dynamodb_local::table_name();
    let client = dynamo::local_client(&dynamodb_local::endpoint());
    let store = DynamoStore::new(client.clone(), table.clone());
    store.create_table().await.expect("create table");
    // Creating it again (a restart) keeps the setting instead of failing on it.
    store.create_table().await.expect("create table again");
    let described = client
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let ttl = described.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some(dynamo::EXPIRES_AT));
    assert_eq!(
        ttl.time_to_live_status().map(|s| s.as_str()),
        Some("ENABLED")
    );
}
