//! Delivery under a location (SPEC §15.4) over real HTTP on SQLite and on DynamoDB Local: a
//! reservation names an enrolled location in a country the program pays, and a partner holds
//! one 15-day engagement of a program per customer unless a new customer division is named.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod api;

use api::Server;
use serde_json::{Value, json};

const TODAY: &str = "2026-06-01";

/// Partner 1001 with locations in China (11), Kenya (12, where the sample pays no rate) and the
/// US (13), enrolled in desktop with 11 and 12 only.
async fn partner_with_sites(server: &Server) {
    server
        .put("/v1/partners/1001")
        .signed_as("program_admin")
        .json(&json!({ "locations": [
            { "locationId": "11", "name": "Contoso Shanghai", "country": "CN" },
            { "locationId": "12", "name": "Contoso Nairobi", "country": "KE" },
            { "locationId": "13", "name": "Contoso Seattle", "country": "US" },
        ] }))
        .send()
        .await
        .expect(201);
    server
        .put("/v1/partners/1001/qualifications")
        .signed_as("program_admin")
        .json(&api::m365_facts())
        .send()
        .await
        .expect(200);
    server
        .post("/v1/partners/1001/enrollments")
        .signed_as("partner_admin")
        .json(&json!({ "programId": "desktop", "locationIds": ["11", "12"] }))
        .send()
        .await
        .expect(201);
}

async fn assign(server: &Server, number: &str, days: u32, admin_email: &str) {
    server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(
            &json!({ "voucherNumber": number, "programId": "desktop", "days": days,
            "customerName": "Contoso", "adminEmail": admin_email, "partnerId": "1001" }),
        )
        .send()
        .await
        .expect(201);
}

fn reservation(location: &str, division: Option<&str>) -> Value {
    let mut body = json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
        "locationId": location, "engagementStart": "2026-06-02", "engagementEnd": "2026-06-04" });
    if let Some(division) = division {
        body["customerDivision"] = json!(division);
    }
    body
}

async fn reserve(server: &Server, number: &str, body: &Value) -> api::Reply {
    server
        .post(&format!("/v1/vouchers/{number}/reservation"))
        .signed_as("partner_admin")
        .json(body)
        .send()
        .await
}

async fn reservations_name_an_enrolled_location_in_a_paid_country(server: Server) {
    partner_with_sites(&server).await;
    assign(&server, "DELIVERY0001", 5, "admin@contoso.example").await;
    let not_enrolled = reserve(&server, "DELIVERY0001", &reservation("13", None))
        .await
        .expect(422);
    assert_eq!(not_enrolled.code(), "voucher.locationNotEnrolled");
    let unpaid = reserve(&server, "DELIVERY0001", &reservation("12", None))
        .await
        .expect(422);
    assert_eq!(unpaid.code(), "voucher.countryNotServed");
    let voucher = server
        .get("/v1/vouchers/DELIVERY0001")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(voucher["state"], "assigned", "a refusal changes nothing");
    let reserved = reserve(&server, "DELIVERY0001", &reservation("11", Some("Retail")))
        .await
        .expect(200)
        .json();
    assert_eq!(
        reserved["reservation"],
        json!({ "reservedOn": TODAY, "engagementStart": "2026-06-02",
            "engagementEnd": "2026-06-04", "locationId": "11", "country": "CN",
            "customerDivision": "Retail" })
    );
}

async fn one_fifteen_day_engagement_per_customer_and_division(server: Server) {
    partner_with_sites(&server).await;
    // One customer, whose administrator's address is once written in another case; a 10-day
    // voucher beside them is not capped.
    assign(&server, "CAP00000001", 15, "admin@contoso.example").await;
    assign(&server, "CAP00000002", 15, "Admin@Contoso.example").await;
    assign(&server, "CAP00000003", 15, "admin@contoso.example").await;
    assign(&server, "CAP00000004", 10, "admin@contoso.example").await;
    reserve(&server, "CAP00000001", &reservation("11", None))
        .await
        .expect(200);
    let second = reserve(&server, "CAP00000002", &reservation("11", None))
        .await
        .expect(409);
    assert_eq!(second.code(), "voucher.fifteenDayCapReached");
    reserve(&server, "CAP00000004", &reservation("11", None))
        .await
        .expect(200);
    reserve(&server, "CAP00000002", &reservation("11", Some("Retail")))
        .await
        .expect(200);
    let same_division = reserve(&server, "CAP00000003", &reservation("11", Some(" retail ")))
        .await
        .expect(409);
    assert_eq!(same_division.code(), "voucher.fifteenDayCapReached");
    // Cancelling the first frees its place; Retail's still counts.
    server
        .delete("/v1/vouchers/CAP00000001/reservation")
        .signed_as("partner_admin")
        .json(&json!({ "reason": "engagementCancelled" }))
        .send()
        .await
        .expect(200);
    let still_held = reserve(&server, "CAP00000003", &reservation("11", None))
        .await
        .expect(409);
    assert_eq!(still_held.code(), "voucher.fifteenDayCapReached");
    reserve(&server, "CAP00000003", &reservation("11", Some("Finance")))
        .await
        .expect(200);
}

on_both_backends!(
    reservations_name_an_enrolled_location_in_a_paid_country,
    one_fifteen_day_engagement_per_customer_and_division
);
