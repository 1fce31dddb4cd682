//! What a partner can make grow, bounded (issue 19, item 4), over real HTTP on SQLite and on
//! DynamoDB Local: a voucher's history is read a page at a time, idempotency keys expire, and a
//! voucher takes at most 20 deliverables, only while its report can be written.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod api;

use api::Server;
use serde_json::json;
use sha2::Digest as _;

const TODAY: &str = "2026-06-01";

/// Partner 1001 enrolled, with voucher GROWTH0001 assigned to it.
async fn enrolled_partner(server: &Server) {
    api::enrolled_partner(server).await;
    api::assign_all(server, &["GROWTH0001".to_owned()]).await;
}

async fn history_is_paged(server: Server) {
    enrolled_partner(&server).await;
    // 1 assignment + 2 × 30 reserve/cancel cycles = 61 events.
    for _ in 0..30 {
        server
            .post("/v1/vouchers/GROWTH0001/reservation")
            .signed_as("partner_admin")
            .json(
                &json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
                "locationId": "11", "engagementStart": "2026-06-02", "engagementEnd": "2026-06-03" }),
            )
            .send()
            .await
            .expect(200);
        server
            .delete("/v1/vouchers/GROWTH0001/reservation")
            .signed_as("partner_admin")
            .json(&json!({ "reason": "engagementCancelled" }))
            .send()
            .await
            .expect(200);
    }
    let first = server
        .get("/v1/vouchers/GROWTH0001/history")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(first["items"].as_array().unwrap().len(), 50, "default page");
    let mut versions = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/vouchers/GROWTH0001/history?limit=25&cursor={c}"),
            None => "/v1/vouchers/GROWTH0001/history?limit=25".to_owned(),
        };
        let page = server
            .get(&path)
            .signed_as("partner_admin")
            .send()
            .await
            .expect(200)
            .json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 25);
        versions.extend(items.iter().map(|e| e["version"].as_u64().unwrap()));
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(versions, (1..=61).collect::<Vec<u64>>());
    // A page that ends exactly at the last event says so: no empty page follows.
    let exact = server
        .get("/v1/vouchers/GROWTH0001/history?limit=61")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert!(exact.get("nextCursor").is_none(), "{exact}");
    for (query, status, field) in [
        ("limit=0", 422, "limit"),
        ("limit=101", 422, "limit"),
        ("cursor=not-a-version", 422, "cursor"),
        ("page=2", 400, "page"),
    ] {
        let refused = server
            .get(&format!("/v1/vouchers/GROWTH0001/history?{query}"))
            .signed_as("partner_admin")
            .send()
            .await
            .expect(status)
            .json();
        assert_eq!(refused["fields"][0]["field"], field, "{query}: {refused}");
    }
    // Sixty reservation changes in one day tell the customer once: the day's last change.
    let number = saps_core::value::VoucherNumber::parse("GROWTH0001").unwrap();
    let outbox = server.store.notifications(&number).await.unwrap();
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(
        outbox[0].event,
        saps_core::voucher::EventKind::CancelReservation
    );
    server.clock.set(api::date("2026-06-02"));
    server
        .post("/v1/vouchers/GROWTH0001/reservation")
        .signed_as("partner_admin")
        .json(
            &json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
            "locationId": "11", "engagementStart": "2026-06-03", "engagementEnd": "2026-06-04" }),
        )
        .send()
        .await
        .expect(200);
    assert_eq!(server.store.notifications(&number).await.unwrap().len(), 2);
}

/// `count` vouchers of partner 1001 taken to redeemed (the clock ends on 2026-06-06).
async fn redeemed(server: &Server, prefix: &str, count: usize) -> Vec<String> {
    let numbers = api::numbered(prefix, count);
    api::assign_all(server, &numbers).await;
    api::complete_all(server, &numbers).await;
    api::redeem_all(server, &numbers).await;
    numbers
}

async fn idempotency_keys_expire_after_a_day(server: Server) {
    enrolled_partner(&server).await;
    let numbers = redeemed(&server, "KEYTTL", 2).await;
    let claim = |number: &str| json!({ "voucherNumbers": [number], "invoiceNumber": "INV-1" });
    let send = |body: serde_json::Value| {
        server
            .post("/v1/claims")
            .signed_as("partner_admin")
            .header("Idempotency-Key", "monthly-claim")
            .json(&body)
            .send()
    };
    let first = send(claim(&numbers[0])).await.expect(201).json();
    // Within the day: the same request replays, another is refused.
    let replayed = send(claim(&numbers[0])).await.expect(201);
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(replayed.json(), first);
    send(claim(&numbers[1])).await.expect(422);
    // A day later the key is free: another request under it is a new claim.
    server.clock.set(api::date("2026-06-07"));
    let second = send(claim(&numbers[1])).await.expect(201);
    assert!(!second.headers.contains_key("idempotent-replayed"));
    assert_ne!(second.json()["claimId"], first["claimId"]);
    // The key now belongs to that request: the first one, sent again, is another request.
    let again = send(claim(&numbers[0])).await.expect(422);
    assert_eq!(again.code(), "request.idempotencyKeyReused");
}

async fn upload(server: &Server, number: &str, name: &str) -> api::Reply {
    server
        .put(&format!("/v1/vouchers/{number}/deliverables/{name}"))
        .signed_as("partner_admin")
        .body("application/pdf", format!("%PDF-1.7 {name}").into_bytes())
        .send()
        .await
}

async fn uploads_are_capped_and_only_while_the_report_is_open(server: Server) {
    enrolled_partner(&server).await;
    // Assigned: the report cannot be written yet, so nothing is stored.
    let early = upload(&server, "GROWTH0001", "plan.pdf").await.expect(409);
    assert_eq!(early.code(), "voucher.invalidTransition");
    server
        .post("/v1/vouchers/GROWTH0001/reservation")
        .signed_as("partner_admin")
        .json(
            &json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
            "locationId": "11", "engagementStart": "2026-06-02", "engagementEnd": "2026-06-03" }),
        )
        .send()
        .await
        .expect(200);
    for i in 0..20 {
        upload(&server, "GROWTH0001", &format!("part-{i:02}.pdf"))
            .await
            .expect(201);
    }
    let over = upload(&server, "GROWTH0001", "part-20.pdf")
        .await
        .expect(422);
    assert_eq!(over.code(), "completion.tooManyDeliverables");
    assert_eq!(over.json()["fields"][0]["field"], "fileName");
    // A name already there is replaced, within the cap.
    let replaced = upload(&server, "GROWTH0001", "part-07.pdf")
        .await
        .expect(201)
        .json();
    assert_eq!(replaced["size"], "%PDF-1.7 part-07.pdf".len());
    // Once the report is in, uploads stop.
    server.clock.set(api::date("2026-06-04"));
    let bytes = b"%PDF-1.7 part-00.pdf".to_vec();
    let digest = format!("{:x}", sha2::Sha256::digest(&bytes));
    server
        .post("/v1/vouchers/GROWTH0001/completion-report")
        .signed_as("partner_admin")
        .json(&json!({
            "deliveredStart": "2026-06-02", "deliveredEnd": "2026-06-03", "daysDelivered": 2,
            "leadConsultantId": "c-1", "summary": "Planned the migration.",
            "deliverables": [{ "fileName": "part-00.pdf", "mediaType": "application/pdf",
                "size": bytes.len(), "sha256": digest }],
        }))
        .send()
        .await
        .expect(200);
    let late = upload(&server, "GROWTH0001", "late.pdf").await.expect(409);
    assert_eq!(late.code(), "voucher.invalidTransition");
}

on_both_backends!(
    history_is_paged,
    idempotency_keys_expire_after_a_day,
    uploads_are_capped_and_only_while_the_report_is_open
);
