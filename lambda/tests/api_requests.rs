//! DynamoDB requests per API operation (issue 19, item 6), counted through the real HTTP
//! handlers on DynamoDB Local: each write is one `TransactWriteItems` plus the reads its rule
//! needs, and no other read (the idempotency key is not read before a write; its condition in
//! the transaction does that work).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;

use api::{Backend, Server, start};
use saps_lambda::store::dynamo::RequestCounter;
use serde_json::json;
use std::collections::BTreeMap;

async fn seed(server: &Server, count: usize) -> Vec<String> {
    api::enrolled_partner(server).await;
    let numbers = api::numbered("COUNT", count);
    api::assign_all(server, &numbers).await;
    numbers
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_write_is_one_transaction_plus_the_reads_its_rule_needs() {
    let counter = RequestCounter::new();
    let server = start(Backend::CountedDynamo(counter.clone()), "2026-06-01").await;
    let numbers = seed(&server, 26).await;
    let reservation = api::reservation();
    // The 26th is reserved alone and counted; the first 25 make the batch.
    let single = &numbers[25];

    // A reservation reads the voucher and the partner (its enrollment), then writes once.
    counter.take();
    server
        .post(&format!("/v1/vouchers/{single}/reservation"))
        .signed_as("partner_admin")
        .header("Idempotency-Key", "reserve-0")
        .json(&reservation)
        .send()
        .await
        .expect(200);
    let reserve = counter.take();
    assert_eq!(
        reserve,
        counts(&[("GetItem", 2), ("TransactWriteItems", 1)]),
        "reservation"
    );
    // Its retry: the same reads, the rule refuses the reserved voucher, the key's answer is
    // read and replayed.
    server
        .post(&format!("/v1/vouchers/{single}/reservation"))
        .signed_as("partner_admin")
        .header("Idempotency-Key", "reserve-0")
        .json(&reservation)
        .send()
        .await
        .expect(200);
    let retry = counter.take();
    assert_eq!(retry, counts(&[("GetItem", 3)]), "a reservation's retry");

    let batch = &numbers[..25];
    api::complete_all(&server, batch).await;
    // A redemption of 25 reads the batch at once and writes once...
    counter.take();
    server
        .post("/v1/redemptions")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "redeem-25")
        .json(&json!({ "voucherNumbers": batch, "confirm": true }))
        .send()
        .await
        .expect(200);
    let redeem = counter.take();
    // ...and reads the partner once, for its enrollments (SPEC §15.3).
    assert_eq!(
        redeem,
        counts(&[
            ("GetItem", 1),
            ("BatchGetItem", 1),
            ("TransactWriteItems", 1)
        ]),
        "redemption of 25"
    );

    // A claim of those 25: the same, and the partner read for its registered payees.
    api::register_payee(&server).await;
    counter.take();
    server
        .post("/v1/claims")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "claim-25")
        .json(&json!({ "voucherNumbers": batch, "invoiceNumber": "INV-25" }))
        .send()
        .await
        .expect(201);
    let claim = counter.take();
    assert_eq!(
        claim,
        counts(&[
            ("GetItem", 1),
            ("BatchGetItem", 1),
            ("TransactWriteItems", 1)
        ]),
        "claim of 25"
    );
    eprintln!(
        "DynamoDB requests: reservation {reserve:?}, its retry {retry:?}, redemption of 25 {redeem:?}, claim of 25 {claim:?}"
    );
}
