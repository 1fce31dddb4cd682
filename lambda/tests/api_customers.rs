//! The customer's side (SPEC §15.5) over real HTTP on SQLite and on DynamoDB Local: a customer
//! registered by the program admin draws vouchers from its planning-day pool, assigns them to a
//! partner, and the partner delivers, redeems and is paid; the pool balance follows its
//! vouchers, and other customers' and partners' callers see nothing of it.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod api;

use api::Server;
use saps_core::access::Role;
use saps_core::value::{CustomerId, VoucherNumber};
use serde_json::{Value, json};

const TODAY: &str = "2026-06-01";

/// Customer 5001 (the demo's `customer_admin` token), entitled to 10 desktop days. Its
/// administrator is the helpers' `admin@contoso.example`, so the partner's reservation names it.
async fn register_customer(server: &Server) -> Value {
    server
        .put("/v1/customers/5001")
        .signed_as("program_admin")
        .json(&json!({ "name": "Contoso Ltd", "country": "CN",
            "adminEmail": "admin@contoso.example", "saEndsOn": "2028-06-30",
            "entitlements": [{ "programId": "desktop", "days": 10 }] }))
        .send()
        .await
        .expect(201)
        .json()
}

async fn draw(server: &Server, key: &str, body: &Value) -> api::Reply {
    server
        .post("/v1/customers/5001/vouchers")
        .signed_as("customer_admin")
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
}

async fn pool(server: &Server) -> Value {
    let customer = server
        .get("/v1/customers/5001")
        .signed_as("customer_admin")
        .send()
        .await
        .expect(200)
        .json();
    customer["pools"][0].clone()
}

async fn customer_to_payment(server: Server) {
    let customer = register_customer(&server).await;
    assert_eq!(customer["version"], 1);
    assert_eq!(
        pool(&server).await,
        json!({ "programId": "desktop", "entitlement": 10, "used": 0, "balance": 10 })
    );

    // Draw 5 days for no partner yet: a server-chosen number, replayed on retry.
    let keyless = server
        .post("/v1/customers/5001/vouchers")
        .signed_as("customer_admin")
        .json(&json!({ "programId": "desktop", "days": 5 }))
        .send()
        .await
        .expect(400);
    assert_eq!(keyless.code(), "request.idempotencyKeyRequired");
    let body = json!({ "programId": "desktop", "days": 5 });
    let drawn = draw(&server, "draw-1", &body).await.expect(201).json();
    assert_eq!(drawn["state"], "created");
    assert_eq!(drawn["customerId"], "5001");
    assert_eq!(drawn["allowedActions"], json!(["assign"]));
    assert!(drawn.get("partnerId").is_none());
    let number = drawn["voucherNumber"].as_str().unwrap().to_owned();
    assert!(number.starts_with("SA") && number.len() == 16, "{number}");
    let retried = draw(&server, "draw-1", &body).await.expect(201);
    assert_eq!(retried.headers["idempotent-replayed"], "true");
    assert_eq!(retried.json()["voucherNumber"], number.as_str());
    assert_eq!(pool(&server).await["balance"], 5);

    // 10 more days do not fit; exactly the 5 left do, for partner 1001 at once.
    let over = draw(
        &server,
        "draw-2",
        &json!({ "programId": "desktop", "days": 10 }),
    )
    .await
    .expect(409);
    assert_eq!(over.code(), "customer.poolTooSmall");
    let unknown_partner = draw(
        &server,
        "draw-3",
        &json!({ "programId": "desktop", "days": 5, "partnerId": "9999" }),
    )
    .await
    .expect(404);
    assert_eq!(unknown_partner.code(), "access.notFound");
    api::enrolled_partner(&server).await;
    let second = draw(
        &server,
        "draw-4",
        &json!({ "programId": "desktop", "days": 5, "partnerId": "1001" }),
    )
    .await
    .expect(201)
    .json();
    assert_eq!(second["state"], "assigned");
    assert_eq!(
        pool(&server).await,
        json!({ "programId": "desktop", "entitlement": 10, "used": 10, "balance": 0 })
    );

    // The partner sees neither a voucher waiting for assignment nor the customer.
    server
        .get(&format!("/v1/vouchers/{number}"))
        .signed_as("partner_admin")
        .send()
        .await
        .expect(404);
    server
        .get("/v1/customers/5001")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(403);

    // Assigned to partner 1001, then reserved, delivered, redeemed, claimed and paid.
    let assigned = server
        .put(&format!("/v1/vouchers/{number}/assignment"))
        .signed_as("customer_admin")
        .json(&json!({ "partnerId": "1001" }))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(assigned["state"], "assigned");
    assert_eq!(assigned["partnerId"], "1001");
    let numbers = vec![number.clone()];
    api::complete_all(&server, &numbers).await;
    api::redeem_all(&server, &numbers).await;
    let claim = server
        .post("/v1/claims")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "claim-customer-walk")
        .json(&json!({ "voucherNumbers": numbers, "invoiceNumber": "INV-5001" }))
        .send()
        .await
        .expect(201)
        .json();
    // 3 days delivered in China at the sample's CN rate.
    assert_eq!(
        claim["amount"],
        json!({ "minorUnits": 252000, "currency": "USD" })
    );
    let claim_id = claim["claimId"].as_str().unwrap();
    server
        .post(&format!("/v1/claims/{claim_id}/approve"))
        .signed_as("program_admin")
        .send()
        .await
        .expect(200);
    server
        .post(&format!("/v1/claims/{claim_id}/pay"))
        .signed_as("program_admin")
        .json(&json!({ "paymentReference": "PAY-5001" }))
        .send()
        .await
        .expect(200);
    let customer = server
        .get("/v1/customers/5001")
        .signed_as("program_admin")
        .send()
        .await
        .expect(200)
        .json();
    let states: Vec<&str> = customer["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["effectiveState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["paid", "assigned"]);
    assert_eq!(
        customer["pools"][0]["balance"], 0,
        "a paid voucher's days stay used"
    );

    // The customer's administrator was told each voucher's number. The outbox keeps one line
    // per voucher and day, the day's latest: the first voucher was drawn, assigned and reserved
    // on one day; the second, drawn for the partner, was told only that.
    let events = |number: String| {
        let store = server.store.clone();
        async move {
            store
                .notifications(&VoucherNumber::parse(&number).unwrap())
                .await
                .unwrap()
                .into_iter()
                .map(|n| {
                    assert_eq!(n.to.as_str(), "admin@contoso.example");
                    assert_eq!(n.voucher_number.as_str(), number);
                    serde_json::to_value(n.event).unwrap()
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(events(number.clone()).await, [json!("reserve")]);
    let second_number = second["voucherNumber"].as_str().unwrap().to_owned();
    assert_eq!(events(second_number).await, [json!("assign")]);
}

async fn unused_days_return_to_the_pool_on_expiry(server: Server) {
    register_customer(&server).await;
    draw(
        &server,
        "draw-1",
        &json!({ "programId": "desktop", "days": 10 }),
    )
    .await
    .expect(201);
    let empty = draw(
        &server,
        "draw-2",
        &json!({ "programId": "desktop", "days": 1 }),
    )
    .await
    .expect(409);
    assert_eq!(empty.code(), "customer.poolTooSmall");
    // Desktop vouchers are valid 180 days: on the 180th the unused one has expired.
    server.clock.set(api::date("2026-11-27"));
    assert_eq!(pool(&server).await["balance"], 0);
    server.clock.set(api::date("2026-11-28"));
    assert_eq!(pool(&server).await["balance"], 10);
    draw(
        &server,
        "draw-3",
        &json!({ "programId": "desktop", "days": 10 }),
    )
    .await
    .expect(201);
}

async fn customers_are_their_administrators_and_the_program_admins(server: Server) {
    register_customer(&server).await;
    let drawn = draw(
        &server,
        "draw-1",
        &json!({ "programId": "desktop", "days": 1 }),
    )
    .await
    .expect(201)
    .json();
    let number = drawn["voucherNumber"].as_str().unwrap();
    let mut other = api::principal(None, &[Role::CustomerAdmin]);
    other.customer_id = Some(CustomerId::parse("5002").unwrap());
    let not_theirs = server
        .get("/v1/customers/5001")
        .signed_by(&other)
        .send()
        .await
        .expect(404);
    assert_eq!(not_theirs.code(), "access.notFound");
    server
        .post("/v1/customers/5001/vouchers")
        .signed_by(&other)
        .header("Idempotency-Key", "k")
        .json(&json!({ "programId": "desktop", "days": 1 }))
        .send()
        .await
        .expect(404);
    let moved = server
        .put(&format!("/v1/vouchers/{number}/assignment"))
        .signed_by(&other)
        .json(&json!({ "partnerId": "1001" }))
        .send()
        .await
        .expect(404);
    assert_eq!(moved.code(), "voucher.notFound");
    let registers = server
        .put("/v1/customers/5001")
        .signed_as("customer_admin")
        .json(&json!({ "name": "Contoso Ltd" }))
        .send()
        .await
        .expect(403);
    assert_eq!(registers.code(), "access.forbidden");
    server
        .post("/v1/customers/5001/vouchers")
        .signed_as("program_admin")
        .header("Idempotency-Key", "k")
        .json(&json!({ "programId": "desktop", "days": 1 }))
        .send()
        .await
        .expect(403);
    server.get("/v1/customers/5001").send().await.expect(401);
    server
        .get("/v1/customers/5999")
        .signed_as("program_admin")
        .send()
        .await
        .expect(404);
    // A stale version of the customer is refused and changes nothing.
    let stale = server
        .put("/v1/customers/5001")
        .signed_as("program_admin")
        .json(
            &json!({ "name": "Contoso", "country": "CN", "adminEmail": "admin@contoso.example",
            "saEndsOn": "2028-06-30", "version": 1 }),
        )
        .send()
        .await
        .expect(409);
    assert_eq!(
        stale.code(),
        "request.staleVersion",
        "the draw moved it to 2"
    );
    let customer = server
        .get("/v1/customers/5001")
        .signed_as("program_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(customer["name"], "Contoso Ltd");
    assert_eq!(customer["version"], 2);
}

/// Two draws racing for the pool's last days: one wins, the other is refused, never both.
async fn racing_draws_never_overdraw_the_pool(server: Server) {
    register_customer(&server).await;
    let body = json!({ "programId": "desktop", "days": 10 });
    let (a, b) = tokio::join!(
        draw(&server, "race-a", &body),
        draw(&server, "race-b", &body)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(pool(&server).await["used"], 10);
}

/// `POST /v1/vouchers` naming a customer draws from its pool; without one it is an import.
async fn operators_draw_from_a_pool_by_customer_id(server: Server) {
    register_customer(&server).await;
    api::enrolled_partner(&server).await;
    let assign = |number: &str, days: u32, customer: Option<&str>| {
        let mut body = json!({ "voucherNumber": number, "programId": "desktop", "days": days,
            "partnerId": "1001" });
        match customer {
            Some(id) => body["customerId"] = json!(id),
            None => {
                body["customerName"] = json!("Contoso Ltd");
                body["adminEmail"] = json!("admin@contoso.example");
            }
        }
        body
    };
    let drawn = server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(&assign("OPS00000001", 10, Some("5001")))
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(drawn["customerId"], "5001");
    assert_eq!(drawn["customerName"], "Contoso Ltd");
    assert_eq!(pool(&server).await["balance"], 0);
    let over = server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(&assign("OPS00000002", 1, Some("5001")))
        .send()
        .await
        .expect(409);
    assert_eq!(over.code(), "customer.poolTooSmall");
    server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(&assign("OPS00000003", 15, None))
        .send()
        .await
        .expect(201);
    assert_eq!(
        pool(&server).await["used"],
        10,
        "an import is outside any pool"
    );
    let customer = server
        .get("/v1/customers/5001")
        .signed_as("customer_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(customer["vouchers"][0]["voucherNumber"], "OPS00000001");
    assert_eq!(customer["vouchers"].as_array().unwrap().len(), 1);
}

on_both_backends!(
    operators_draw_from_a_pool_by_customer_id,
    customer_to_payment,
    unused_days_return_to_the_pool_on_expiry,
    customers_are_their_administrators_and_the_program_admins,
    racing_draws_never_overdraw_the_pool
);
