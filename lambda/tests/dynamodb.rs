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

/// Filter entries are written after the partner's commit (issue 19): a crash between the two
/// leaves the partner out of filtered searches (never wrongly in), and the next settling
/// brings every filtered listing to the committed profile, retiring entries of every version
/// that was never indexed.
#[tokio::test]
async fn filtered_listings_converge_after_a_crash_between_commit_and_indexing() {
    use conformance::{filter, listed_where, profile, save_partner};
    use saps_core::directory::SearchForm;
    let dies = dynamodb_local::DiesBeforeIndexing::default();
    let client = dynamo::local_client_with(&dynamodb_local::endpoint(), None);
    let config = client
        .config()
        .to_builder()
        .interceptor(dies.clone())
        .build();
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        dynamodb_local::table_name(),
    );
    store.create_table().await.unwrap();
    let by_country = |country: &str| SearchForm {
        country: Some(country.to_owned()),
        ..SearchForm::default()
    };

    // Indexed under US, then two commits whose indexing dies: CN, then FR and a new name.
    let mut first =
        saps_lambda::store::Partner::new(conformance::partner_id("1001")).next_version();
    first.enrollments = vec![conformance::enrollment()];
    first.profile = Some(profile("Contoso", &["US"], &["en"]));
    save_partner(&store, None, first.clone()).await.unwrap();
    assert_eq!(listed_where(&store, by_country("us")).await, ["Contoso"]);
    dies.0.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut second = first.next_version();
    second.profile = Some(profile("Contoso", &["CN"], &["en"]));
    save_partner(&store, Some(first), second.clone())
        .await
        .unwrap();
    let mut third = second.next_version();
    third.profile = Some(profile("Fabrikam", &["FR"], &["fr"]));
    save_partner(&store, Some(second), third).await.unwrap();

    // The commits stand; the filtered listings lag, and list nothing wrongly.
    assert_eq!(
        listed_where(&store, SearchForm::default()).await,
        ["Fabrikam"]
    );
    assert!(listed_where(&store, by_country("fr")).await.is_empty());
    assert!(listed_where(&store, by_country("us")).await.is_empty());
    assert!(listed_where(&store, by_country("cn")).await.is_empty());

    dies.0.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(store.settle_directory().await.unwrap(), 1);
    assert_eq!(listed_where(&store, by_country("fr")).await, ["Fabrikam"]);
    for country in ["US", "CN"] {
        assert!(
            store
                .directory(&filter(None, Some(country), None), None, 10)
                .await
                .unwrap()
                .is_empty(),
            "{country} still holds an entry"
        );
    }
    assert!(
        store
            .directory(&filter(None, None, Some("en")), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.settle_directory().await.unwrap(), 0, "nothing left");
}
