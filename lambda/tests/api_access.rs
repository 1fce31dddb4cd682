//! Delegated access to the voucher tool (SPEC §15.3) over real HTTP on SQLite and on DynamoDB
//! Local: a partner admin grants a partner user the tool, the grant applies from the next
//! request, every change is audited, and a revocation closes the tool again.

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

const TODAY: &str = "2026-06-01";
/// The demo's partner user of 1001 (its token's `sub`).
const USER: &str = "li@contoso-consulting.example";

async fn validate(server: &Server, role: &str) -> api::Reply {
    server
        .post("/v1/vouchers/validate")
        .signed_as(role)
        .json(&json!({ "voucherNumber": "ACCESS0001", "adminEmail": "admin@contoso.example" }))
        .send()
        .await
}

async fn grants_apply_from_the_next_request_and_are_audited(server: Server) {
    api::enrolled_partner(&server).await;
    api::assign_all(&server, &["ACCESS0001".to_owned()]).await;
    let closed = validate(&server, "partner_user").await.expect(403);
    assert_eq!(closed.code(), "access.forbidden");

    let refused = server
        .put(&format!("/v1/partners/1001/access/{USER}"))
        .signed_as("partner_user")
        .json(&json!({ "grants": ["voucherTool"] }))
        .send()
        .await
        .expect(403);
    assert_eq!(refused.code(), "access.forbidden");
    let unknown = server
        .put(&format!("/v1/partners/1001/access/{USER}"))
        .signed_as("partner_admin")
        .json(&json!({ "grants": ["everything"] }))
        .send()
        .await
        .expect(422);
    assert_eq!(unknown.code(), "field.unknownValue");
    let granted = server
        .put(&format!("/v1/partners/1001/access/{USER}"))
        .signed_as("partner_admin")
        .json(&json!({ "grants": ["voucherTool"] }))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(granted["change"]["after"], json!(["voucherTool"]));

    // The next request of the user holds the grant: the whole tool opens.
    validate(&server, "partner_user").await.expect(200);
    server
        .post("/v1/vouchers/ACCESS0001/reservation")
        .signed_as("partner_user")
        .json(&api::reservation())
        .send()
        .await
        .expect(200);
    // Claims are not the tool's: still the admins'.
    let claim = server
        .post("/v1/claims")
        .signed_as("partner_user")
        .header("Idempotency-Key", "user-claim")
        .json(&json!({ "voucherNumbers": ["ACCESS0001"], "invoiceNumber": "INV-1" }))
        .send()
        .await
        .expect(403);
    assert_eq!(claim.code(), "access.forbidden");

    let hidden = server
        .get("/v1/partners/1001/access")
        .signed_as("other_partner_admin")
        .send()
        .await
        .expect(404);
    assert_eq!(hidden.code(), "access.notFound");
    for _ in 0..2 {
        server
            .delete(&format!("/v1/partners/1001/access/{USER}"))
            .signed_as("global_admin")
            .send()
            .await
            .expect(204);
    }
    let revoked = server
        .delete("/v1/vouchers/ACCESS0001/reservation")
        .signed_as("partner_user")
        .json(&json!({ "reason": "engagementCancelled" }))
        .send()
        .await
        .expect(403);
    assert_eq!(revoked.code(), "access.forbidden");
    // Reading stays open to the user without any grant.
    server
        .get("/v1/vouchers/ACCESS0001")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200);

    let listed = server
        .get("/v1/partners/1001/access")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(listed["users"], json!([]));
    let audit = listed["audit"].as_array().unwrap();
    assert_eq!(
        audit.len(),
        2,
        "one line per change; the second revocation changed nothing"
    );
    assert_eq!(audit[0]["by"], "ana@contoso-consulting.example");
    assert_eq!(audit[0]["after"], json!(["voucherTool"]));
    assert_eq!(audit[1]["by"], "mei@contoso-consulting.example");
    assert_eq!(audit[1]["before"], json!(["voucherTool"]));
    assert_eq!(audit[1]["after"], json!([]));
}

on_both_backends!(grants_apply_from_the_next_request_and_are_audited);
