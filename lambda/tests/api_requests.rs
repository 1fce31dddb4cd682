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
use sha2::Digest as _;
use std::collections::BTreeMap;

async fn seed(server: &Server, count: usize) -> Vec<String> {
    server
        .put("/v1/partners/1001")
        .signed_as("program_admin")
        .json(&json!({ "locationIds": ["11"] }))
        .send()
        .await
        .expect(201);
    server
        .put("/v1/partners/1001/qualifications")
        .signed_as("program_admin")
        .json(&json!({
            "competencies": [{ "area": "Modern Work", "validFrom": "2026-01-01", "validUntil": "2028-01-01" }],
            "complianceTraining": [{ "programId": "microsoft-365", "completedOn": "2026-05-01" }],
            "consultants": [{ "consultantId": "c-1", "name": "Wei", "exams": [{ "code": "MS-102", "passedOn": "2026-02-01" }] }],
            "providerAgreements": [{ "programId": "microsoft-365", "signedOn": "2026-01-15", "validUntil": "2028-01-15" }],
        }))
        .send()
        .await
        .expect(200);
    server
        .post("/v1/partners/1001/enrollments")
        .signed_as("partner_admin")
        .json(&json!({ "programId": "microsoft-365", "locationIds": ["11"] }))
        .send()
        .await
        .expect(201);
    let numbers: Vec<String> = (0..count).map(|i| format!("COUNT{i:04}")).collect();
    for number in &numbers {
        server
            .post("/v1/vouchers")
            .signed_as("program_admin")
            .json(&json!({ "voucherNumber": number, "programId": "microsoft-365", "days": 3,
                "customerName": "Contoso", "adminEmail": "admin@contoso.example", "partnerId": "1001" }))
            .send()
            .await
            .expect(201);
    }
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
    let reservation = json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
        "engagementStart": "2026-06-02", "engagementEnd": "2026-06-04" });

    // A reservation reads the voucher and the partner (its enrollment), then writes once.
    counter.take();
    server
        .post(&format!("/v1/vouchers/{}/reservation", numbers[0]))
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
        .post(&format!("/v1/vouchers/{}/reservation", numbers[0]))
        .signed_as("partner_admin")
        .header("Idempotency-Key", "reserve-0")
        .json(&reservation)
        .send()
        .await
        .expect(200);
    let retry = counter.take();
    assert_eq!(retry, counts(&[("GetItem", 3)]), "a reservation's retry");

    for number in &numbers[1..] {
        server
            .post(&format!("/v1/vouchers/{number}/reservation"))
            .signed_as("partner_admin")
            .json(&reservation)
            .send()
            .await
            .expect(200);
    }
    server.clock.set(api::date("2026-06-05"));
    let pdf = b"%PDF-1.7 plan".to_vec();
    let digest = format!("{:x}", sha2::Sha256::digest(&pdf));
    for number in &numbers {
        server
            .put(&format!("/v1/vouchers/{number}/deliverables/plan.pdf"))
            .signed_as("partner_admin")
            .body("application/pdf", pdf.clone())
            .send()
            .await
            .expect(201);
        server
            .post(&format!("/v1/vouchers/{number}/completion-report"))
            .signed_as("partner_admin")
            .json(&json!({
                "deliveredStart": "2026-06-02", "deliveredEnd": "2026-06-04", "daysDelivered": 3,
                "leadConsultantId": "c-1", "summary": "Planned the migration.",
                "deliverables": [{ "fileName": "plan.pdf", "mediaType": "application/pdf",
                    "size": pdf.len(), "sha256": digest }],
            }))
            .send()
            .await
            .expect(200);
    }

    // A redemption of 25 reads the batch at once and writes once.
    let batch = &numbers[..25];
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
    assert_eq!(
        redeem,
        counts(&[("BatchGetItem", 1), ("TransactWriteItems", 1)]),
        "redemption of 25"
    );

    // A claim of those 25: the same.
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
        counts(&[("BatchGetItem", 1), ("TransactWriteItems", 1)]),
        "claim of 25"
    );
    eprintln!(
        "DynamoDB requests: reservation {reserve:?}, its retry {retry:?}, redemption of 25 {redeem:?}, claim of 25 {claim:?}"
    );
}
