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

/// The customer's side (SPEC §15.5): a draw reads the customer's account and the vouchers it
/// lists (and the partner, when one is named), then writes once; reading the customer is the
/// same two reads. The pool is counted from those vouchers, so nothing else is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draw_from_a_pool_is_one_transaction_after_the_account_and_its_vouchers() {
    let counter = RequestCounter::new();
    let server = start(Backend::CountedDynamo(counter.clone()), "2026-06-01").await;
    api::enrolled_partner(&server).await;
    server
        .put("/v1/customers/5001")
        .signed_as("program_admin")
        .json(&json!({ "name": "Contoso Ltd", "country": "CN",
            "adminEmail": "admin@contoso.example", "saEndsOn": "2028-06-30",
            "entitlements": [{ "programId": "desktop", "days": 20 }] }))
        .send()
        .await
        .expect(201);
    let draw = |key: &'static str, body: serde_json::Value| {
        let server = &server;
        async move {
            server
                .post("/v1/customers/5001/vouchers")
                .signed_as("customer_admin")
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .expect(201);
        }
    };
    draw("first", json!({ "programId": "desktop", "days": 5 })).await;
    counter.take();
    draw(
        "second",
        json!({ "programId": "desktop", "days": 5, "partnerId": "1001" }),
    )
    .await;
    assert_eq!(
        counter.take(),
        counts(&[
            ("BatchGetItem", 1),
            ("GetItem", 2),
            ("TransactWriteItems", 1)
        ]),
        "a draw for a partner: account, its vouchers, the partner; one write"
    );
    server
        .get("/v1/customers/5001")
        .signed_as("customer_admin")
        .send()
        .await
        .expect(200);
    assert_eq!(
        counter.take(),
        counts(&[("BatchGetItem", 1), ("GetItem", 1)]),
        "reading a customer: its account and its vouchers"
    );
}
