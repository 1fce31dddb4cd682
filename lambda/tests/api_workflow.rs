//! The whole workflow over real HTTP, on SQLite and on DynamoDB Local: eligibility → enroll →
//! profile → directory → assign → validate → reserve → cancel → reserve → upload → completion
//! report → preview → redeem → claim (retried with its key) → approve → pay; then expiry and
//! renewal with the clock moved.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod api;

use api::Server;
use calamine::{Data, DataType as _, Reader as _, Xlsx};
use serde_json::{Value, json};
use sha2::Digest as _;
use std::io::Cursor;

const TODAY: &str = "2026-06-01";

fn facts() -> Value {
    json!({
        "competencies": [{ "area": "Modern Work", "validFrom": "2026-01-01", "validUntil": "2028-01-01" }],
        "complianceTraining": [{ "programId": "desktop", "completedOn": "2026-05-01" }],
        "consultants": [{ "consultantId": "c-1", "name": "Wei Zhang",
            "exams": [{ "code": "MS-102", "passedOn": "2026-02-01" }] }],
        "providerAgreements": [{ "programId": "desktop", "signedOn": "2026-01-15", "validUntil": "2028-01-15" }],
        "membershipValidUntil": "2028-01-15",
    })
}

/// Registers partner `id` with facts that make it active for Microsoft 365.
async fn onboard(server: &Server, id: &str) {
    server
        .put(&format!("/v1/partners/{id}"))
        .signed_as("program_admin")
        .json(&json!({ "locations": [{ "locationId": "11", "name": "Site 11", "country": "CN" }, { "locationId": "12", "name": "Site 12", "country": "CN" }] }))
        .send()
        .await
        .expect(201);
    server
        .put(&format!("/v1/partners/{id}/qualifications"))
        .signed_as("program_admin")
        .json(&facts())
        .send()
        .await
        .expect(200);
}

async fn assign(server: &Server, number: &str, partner: &str, days: u32) {
    server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(&json!({
            "voucherNumber": number, "programId": "desktop", "days": days,
            "customerName": "Northwind Traders", "adminEmail": "it-admin@northwind.example",
            "partnerId": partner,
        }))
        .send()
        .await
        .expect(201);
}

fn reservation(start: &str, end: &str) -> Value {
    json!({ "adminEmail": "IT-Admin@Northwind.example", "acceptTerms": true,
        "locationId": "11", "engagementStart": start, "engagementEnd": end })
}

async fn state_of(server: &Server, number: &str) -> String {
    let view = server
        .get(&format!("/v1/vouchers/{number}"))
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200)
        .json();
    view["effectiveState"].as_str().unwrap().to_owned()
}

async fn whole_workflow(server: Server) {
    onboard(&server, "1001").await;
    onboard(&server, "1002").await;

    // Eligibility, as the partner's user sees it.
    let eligibility = server
        .get("/v1/partners/1001/eligibility?programId=desktop")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(eligibility["programs"][0]["status"], "active");

    // Enroll; a second enrollment in the same program is refused.
    let enrolled = server
        .post("/v1/partners/1001/enrollments")
        .signed_as("partner_admin")
        .json(&json!({ "programId": "desktop", "locationIds": ["11"] }))
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(enrolled["status"], "active");
    assert_eq!(enrolled["expiresOn"], "2027-06-01");
    let again = server
        .post("/v1/partners/1001/enrollments")
        .signed_as("partner_admin")
        .json(&json!({ "programId": "desktop", "locationIds": ["11"] }))
        .send()
        .await
        .expect(409);
    assert_eq!(again.code(), "enrollment.alreadyEnrolled");

    // Profile, then the anonymous directory lists it under the enrolled program.
    server
        .put("/v1/partners/1001/profile")
        .signed_as("partner_admin")
        .json(&json!({
            "companyName": "Contoso Consulting", "description": "Deployment planning.",
            "website": "https://contoso-consulting.example", "contactEmail": "hello@contoso-consulting.example",
            "countries": ["US", "CN"], "languages": ["en", "zh"],
        }))
        .send()
        .await
        .expect(200);
    let directory = server
        .get("/v1/directory?programId=desktop&country=CN")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(directory["items"][0]["partnerId"], "1001");
    assert_eq!(directory["items"].as_array().unwrap().len(), 1);

    // Assign; the same number twice is refused.
    assign(&server, "SAPS-0001-M365", "1001", 5).await;
    assign(&server, "SAPS-0002-M365", "1002", 5).await;
    let taken = server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(&json!({
            "voucherNumber": "saps 0001 m365", "programId": "desktop", "days": 5,
            "customerName": "Northwind Traders", "adminEmail": "it-admin@northwind.example", "partnerId": "1001",
        }))
        .send()
        .await
        .expect(409);
    assert_eq!(taken.code(), "voucher.numberInUse");

    // Validate: the number and the administrator's email.
    let validated = server
        .post("/v1/vouchers/validate")
        .signed_as("partner_admin")
        .json(&json!({ "voucherNumber": "saps-0001-m365", "adminEmail": "it-admin@northwind.example" }))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(validated["effectiveState"], "assigned");
    let mismatch = server
        .post("/v1/vouchers/validate")
        .signed_as("partner_admin")
        .json(&json!({ "voucherNumber": "SAPS0001M365", "adminEmail": "someone@else.example" }))
        .send()
        .await
        .expect(422);
    assert_eq!(mismatch.code(), "voucher.adminEmailMismatch");
    // Another partner's voucher does not exist for this partner.
    let foreign = server
        .post("/v1/vouchers/validate")
        .signed_as("partner_admin")
        .json(
            &json!({ "voucherNumber": "SAPS0002M365", "adminEmail": "it-admin@northwind.example" }),
        )
        .send()
        .await
        .expect(404);
    assert_eq!(foreign.code(), "voucher.notFound");

    // Reserve, cancel, reserve again.
    let reserved = server
        .post("/v1/vouchers/SAPS0001M365/reservation")
        .signed_as("partner_admin")
        .json(&reservation("2026-06-03", "2026-06-05"))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(reserved["effectiveState"], "reserved");
    let cancelled = server
        .delete("/v1/vouchers/SAPS0001M365/reservation")
        .signed_as("partner_admin")
        .json(&json!({ "reason": "engagementCancelled" }))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(cancelled["effectiveState"], "assigned");
    server
        .post("/v1/vouchers/SAPS0001M365/reservation")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "reserve-0001-second")
        .json(&reservation("2026-06-03", "2026-06-05"))
        .send()
        .await
        .expect(200);
    // The same key again is answered from the record, not reserved twice.
    let replay = server
        .post("/v1/vouchers/SAPS0001M365/reservation")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "reserve-0001-second")
        .json(&reservation("2026-06-03", "2026-06-05"))
        .send()
        .await
        .expect(200);
    assert_eq!(replay.headers["idempotent-replayed"], "true");

    // The engagement is delivered; the deliverable is uploaded and the report submitted.
    server.clock.set(api::date("2026-06-06"));
    let pdf = b"%PDF-1.7 deployment plan".to_vec();
    let digest = format!("{:x}", sha2::Sha256::digest(&pdf));
    let uploaded = server
        .put("/v1/vouchers/SAPS0001M365/deliverables/plan.pdf")
        .signed_as("partner_admin")
        .body("application/pdf", pdf.clone())
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(uploaded["sha256"], digest.as_str());
    assert_eq!(uploaded["size"], pdf.len());
    // The owner and a program admin download it under its name; another partner cannot see it.
    for who in ["partner_admin", "program_admin"] {
        let file = server
            .get("/v1/vouchers/SAPS0001M365/deliverables/plan.pdf")
            .signed_as(who)
            .send()
            .await
            .expect(200);
        assert_eq!(file.text.as_bytes(), pdf.as_slice());
        assert_eq!(file.headers["content-type"], "application/pdf");
        assert_eq!(file.headers["etag"], format!("\"{digest}\"").as_str());
        assert_eq!(
            file.headers["content-disposition"],
            "attachment; filename=\"plan.pdf\"; filename*=UTF-8''plan.pdf"
        );
    }
    for (who, path) in [
        (
            "other_partner_admin",
            "/v1/vouchers/SAPS0001M365/deliverables/plan.pdf",
        ),
        (
            "partner_admin",
            "/v1/vouchers/SAPS0001M365/deliverables/other.pdf",
        ),
    ] {
        server.get(path).signed_as(who).send().await.expect(404);
    }
    let named = "/v1/vouchers/SAPS0001M365/deliverables/%E4%BA%A4%E4%BB%98%20plan.pdf";
    server
        .put(named)
        .signed_as("partner_admin")
        .body("application/pdf", pdf.clone())
        .send()
        .await
        .expect(201);
    let file = server
        .get(named)
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200);
    assert_eq!(
        file.headers["content-disposition"],
        "attachment; filename=\"__ plan.pdf\"; filename*=UTF-8''%E4%BA%A4%E4%BB%98%20plan.pdf"
    );
    let report = json!({
        "deliveredStart": "2026-06-03", "deliveredEnd": "2026-06-05", "daysDelivered": 3,
        "leadConsultantId": "c-1", "summary": "Planned the tenant migration and the security baseline.",
        "deliverables": [{ "fileName": "plan.pdf", "mediaType": "application/pdf", "size": pdf.len(), "sha256": digest }],
    });
    let completed = server
        .post("/v1/vouchers/SAPS0001M365/completion-report")
        .signed_as("partner_admin")
        .json(&report)
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(completed["effectiveState"], "completed");

    // Preview, then redeem with confirmation.
    let preview = server
        .post("/v1/redemptions/preview")
        .signed_as("partner_admin")
        .json(&json!({ "voucherNumbers": ["SAPS0001M365"] }))
        .send()
        .await
        .expect(200)
        .json();
    assert!(preview.to_string().contains("SAPS0001M365"), "{preview}");
    let unconfirmed = server
        .post("/v1/redemptions")
        .signed_as("partner_admin")
        .json(&json!({ "voucherNumbers": ["SAPS0001M365"], "confirm": false }))
        .send()
        .await
        .expect(422);
    assert_eq!(unconfirmed.code(), "redemption.notConfirmed");
    // The payee is registered after the program's first redemption, by the global admin.
    let payee = json!({ "payeeName": "Contoso Consulting Ltd", "country": "CN",
        "currency": "CNY", "taxId": "91310000MA1FL4XX1X" });
    let early = server
        .put("/v1/partners/1001/payees/desktop")
        .signed_as("global_admin")
        .json(&payee)
        .send()
        .await
        .expect(409);
    assert_eq!(early.code(), "payee.nothingRedeemed");
    server
        .post("/v1/redemptions")
        .signed_as("partner_admin")
        .json(&json!({ "voucherNumbers": ["SAPS0001M365"], "confirm": true }))
        .send()
        .await
        .expect(200);
    assert_eq!(state_of(&server, "SAPS0001M365").await, "redeemed");

    let unregistered = server
        .post("/v1/claims")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "claim-before-payee")
        .json(&json!({ "voucherNumbers": ["SAPS0001M365"], "invoiceNumber": "INV-2026/0041" }))
        .send()
        .await
        .expect(409);
    assert_eq!(unregistered.code(), "claim.payeeNotRegistered");
    assert_eq!(state_of(&server, "SAPS0001M365").await, "redeemed");
    let by_partner_admin = server
        .put("/v1/partners/1001/payees/desktop")
        .signed_as("partner_admin")
        .json(&payee)
        .send()
        .await
        .expect(403);
    assert_eq!(by_partner_admin.code(), "access.forbidden");
    server
        .get("/v1/partners/1001/payees/desktop")
        .signed_as("partner_user")
        .send()
        .await
        .expect(404);
    let registered = server
        .put("/v1/partners/1001/payees/desktop")
        .signed_as("global_admin")
        .json(&payee)
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(registered["country"], "CN");
    let read = server
        .get("/v1/partners/1001/payees/desktop")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(read, registered);
    server
        .get("/v1/partners/1001/payees/desktop")
        .signed_as("other_partner_admin")
        .send()
        .await
        .expect(404);

    // Claim: the key is required; a retry answers the same claim; another body is refused.
    let claim_body =
        json!({ "voucherNumbers": ["SAPS0001M365"], "invoiceNumber": "INV-2026/0042" });
    let keyless = server
        .post("/v1/claims")
        .signed_as("partner_admin")
        .json(&claim_body)
        .send()
        .await
        .expect(400);
    assert_eq!(keyless.code(), "request.idempotencyKeyRequired");
    let claim = server
        .post("/v1/claims")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "claim-2026-0042")
        .json(&claim_body)
        .send()
        .await
        .expect(201)
        .json();
    // Delivered under location 11, in China: 3 days at the sample's CN rate.
    assert_eq!(
        claim["amount"],
        json!({ "minorUnits": 252000, "currency": "USD" })
    );
    assert_eq!(claim["country"], "CN");
    assert_eq!(claim["state"], "submitted");
    let retried = server
        .post("/v1/claims")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "claim-2026-0042")
        .json(&claim_body)
        .send()
        .await
        .expect(201);
    assert_eq!(retried.json(), claim);
    assert_eq!(retried.headers["idempotent-replayed"], "true");
    let reused = server
        .post("/v1/claims")
        .signed_as("partner_admin")
        .header("Idempotency-Key", "claim-2026-0042")
        .json(&json!({ "voucherNumbers": ["SAPS0001M365"], "invoiceNumber": "INV-OTHER" }))
        .send()
        .await
        .expect(422);
    assert_eq!(reused.code(), "request.idempotencyKeyReused");
    assert_eq!(state_of(&server, "SAPS0001M365").await, "claimed");

    // The claim is the owner's and the program admin's to see; approve, then pay.
    let claim_id = claim["claimId"].as_str().unwrap();
    server
        .get(&format!("/v1/claims/{claim_id}"))
        .signed_as("partner_user")
        .send()
        .await
        .expect(200);
    let hidden = server
        .get(&format!("/v1/claims/{claim_id}"))
        .signed_as("other_partner_admin")
        .send()
        .await
        .expect(404);
    assert_eq!(hidden.code(), "access.notFound");
    // The partner's list and the program admin's queue of submitted claims both hold it.
    let listed = server
        .get("/v1/partners/1001/claims?state=submitted")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(listed["items"][0]["claimId"], claim_id);
    let queue = server
        .get("/v1/claims?state=submitted&limit=10")
        .signed_as("program_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    assert_eq!(queue["items"][0]["claimId"], claim_id);
    let not_theirs = server
        .get("/v1/claims?state=submitted")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(403);
    assert_eq!(not_theirs.code(), "access.forbidden");
    let other = server
        .get("/v1/partners/1001/claims")
        .signed_as("other_partner_admin")
        .send()
        .await
        .expect(404);
    assert_eq!(other.code(), "access.notFound");
    let unknown_state = server
        .get("/v1/claims?state=lost")
        .signed_as("program_admin")
        .send()
        .await
        .expect(422);
    assert_eq!(unknown_state.code(), "field.unknownValue");
    server
        .post(&format!("/v1/claims/{claim_id}/approve"))
        .signed_as("partner_admin")
        .send()
        .await
        .expect(403);
    let approved = server
        .post(&format!("/v1/claims/{claim_id}/approve"))
        .signed_as("program_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(approved["state"], "approved");
    let paid = server
        .post(&format!("/v1/claims/{claim_id}/pay"))
        .signed_as("program_admin")
        .json(&json!({ "paymentReference": "PAY-77" }))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(paid["state"], "paid");
    assert_eq!(state_of(&server, "SAPS0001M365").await, "paid");

    // History: every step, in order.
    let history = server
        .get("/v1/vouchers/SAPS0001M365/history")
        .signed_as("program_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert!(history.get("nextCursor").is_none(), "one page: {history}");
    let events: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "assign",
            "reserve",
            "cancelReservation",
            "reserve",
            "submitCompletionReport",
            "redeem",
            "createClaim",
            "claimPaid"
        ]
    );

    // The partner's list and its CSV export.
    let list = server
        .get("/v1/partners/1001/vouchers?state=paid")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let csv = server
        .get("/v1/partners/1001/vouchers?format=csv")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(csv.text.lines().count(), 2, "{}", csv.text);
    assert!(csv.text.contains("SAPS0001M365"));

    // The same list as an Excel workbook: the CSV's columns, days a number, dates dates.
    let xlsx = server
        .get("/v1/partners/1001/vouchers?format=xlsx")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200);
    assert_eq!(
        xlsx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.bytes)).unwrap();
    let sheet = workbook.worksheet_range("Vouchers").unwrap();
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), 2, "a header and the one voucher");
    let header: Vec<String> = rows[0].iter().map(|cell| cell.to_string()).collect();
    assert_eq!(header, saps_core::voucher::EXPORT_COLUMNS);
    let voucher = rows[1];
    assert_eq!(voucher[0], Data::String("SAPS0001M365".to_owned()));
    assert_eq!(voucher[2], Data::Float(5.0), "days are a number");
    assert_eq!(voucher[5], Data::String("paid".to_owned()));
    let created = voucher[6].as_date().expect("createdOn is a date");
    let csv_created = csv.text.lines().nth(1).unwrap().split(',').nth(6).unwrap();
    assert_eq!(
        created.to_string(),
        csv_created,
        "the same day as in the CSV"
    );
    let unknown = server
        .get("/v1/partners/1001/vouchers?format=pdf")
        .signed_as("partner_user")
        .send()
        .await
        .expect(422);
    assert_eq!(unknown.code(), "field.unknownValue");
}

/// Vouchers expire 180 days after creation; enrollments renew in their window and lapse after
/// the grace period. The clock is the server's, moved by the test.
async fn expiry_and_renewal(server: Server) {
    onboard(&server, "1001").await;
    server
        .post("/v1/partners/1001/enrollments")
        .signed_as("partner_admin")
        .json(&json!({ "programId": "desktop", "locationIds": ["11", "12"] }))
        .send()
        .await
        .expect(201);
    assign(&server, "EXPIRY-0001", "1001", 3).await;
    assign(&server, "EXPIRY-0002", "1001", 3).await;

    // The day before expiry the voucher is usable; on 2026-11-28 (created + 180) it is not.
    server.clock.set(api::date("2026-11-27"));
    // The health check tells a browser form which day the rules run on: the server's clock.
    let health = server.get("/healthz").send().await.expect(200).json();
    assert_eq!(health, json!({ "status": "ok", "today": "2026-11-27" }));
    assert_eq!(state_of(&server, "EXPIRY0001").await, "assigned");
    server.clock.set(api::date("2026-11-28"));
    assert_eq!(state_of(&server, "EXPIRY0001").await, "expired");
    let late = server
        .post("/v1/vouchers/EXPIRY0001/reservation")
        .signed_as("partner_admin")
        .json(&reservation("2026-11-28", "2026-11-29"))
        .send()
        .await
        .expect(409);
    assert!(late.text.contains("voucher.expired"), "{}", late.text);
    let expired = server
        .get("/v1/partners/1001/vouchers?state=expired")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(expired["items"].as_array().unwrap().len(), 2);
    let usable = server
        .get("/v1/partners/1001/vouchers?state=assigned")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(usable["items"].as_array().unwrap().len(), 0);

    // Renewal opens 60 days before the anniversary (2027-06-01): too early is refused with
    // the date it opens; inside the window it extends by a year from the old expiry.
    server.clock.set(api::date("2027-04-01"));
    let early = server
        .post("/v1/partners/1001/enrollments/desktop/renewal")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(409);
    assert_eq!(early.code(), "enrollment.renewalNotOpen");
    assert!(early.text.contains("2027-04-02"), "{}", early.text);
    // Facts must still be valid on the renewal date: the training was renewed.
    let mut renewed_facts = facts();
    renewed_facts["complianceTraining"] =
        json!([{ "programId": "desktop", "completedOn": "2027-03-01" }]);
    server
        .put("/v1/partners/1001/qualifications")
        .signed_as("program_admin")
        .json(&renewed_facts)
        .send()
        .await
        .expect(200);
    server.clock.set(api::date("2027-05-15"));
    let enrollments = server
        .get("/v1/partners/1001/enrollments")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(enrollments[0]["status"], "renewalDue");
    let renewed = server
        .post("/v1/partners/1001/enrollments/desktop/renewal")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(renewed["expiresOn"], "2028-06-01");
    assert_eq!(renewed["status"], "active");

    // Past the new expiry and the grace period the enrollment has lapsed: no reservations.
    server.clock.set(api::date("2028-07-01"));
    let enrollments = server
        .get("/v1/partners/1001/enrollments")
        .signed_as("partner_user")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(enrollments[0]["status"], "expired");
    let gone = server
        .post("/v1/partners/1001/enrollments/desktop/renewal")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(409);
    // Both problems are reported: the window closed, and the training has lapsed meanwhile.
    let body = gone.json();
    let codes: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"enrollment.renewalClosed"), "{}", gone.text);
}

/// The catalog is stored data the program admin changes (SPEC §15.1): a cut-off date stops
/// assignments at once, a stale version is refused, an extension moves a stored voucher's
/// expiry on the next read (lists included), and an extension cannot be taken back.
async fn catalog_changes(server: Server) {
    let programs = server.get("/v1/programs").send().await.expect(200).json();
    assert_eq!(programs.as_array().unwrap().len(), 7);
    let mut desktop = programs[0].clone();
    assert_eq!(
        (desktop["id"].as_str(), desktop["version"].as_u64()),
        (Some("desktop"), Some(1))
    );
    onboard(&server, "1001").await;
    assign(&server, "CATALOG-0001", "1001", 5).await;

    let put = |body: &Value, who: &str| {
        server
            .put("/v1/programs/desktop")
            .signed_as(who)
            .json(body)
            .send()
    };
    put(&desktop, "partner_admin").await.expect(403);
    desktop["lastAssignOn"] = json!("2026-05-31");
    let changed = put(&desktop, "program_admin").await.expect(200).json();
    assert_eq!(changed["version"], 2);
    let refused = server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(&json!({
            "voucherNumber": "CATALOG-0002", "programId": "desktop", "days": 5,
            "customerName": "Northwind Traders", "adminEmail": "it-admin@northwind.example",
            "partnerId": "1001",
        }))
        .send()
        .await
        .expect(409);
    assert_eq!(refused.json()["code"], "program.assignmentClosed");
    // Version 1 is no longer the stored one.
    let stale = put(&desktop, "program_admin").await.expect(409).json();
    assert_eq!(stale["fields"][0]["code"], "request.staleVersion");

    // 60 more days for vouchers created before tomorrow: CATALOG0001 (created today, stored
    // expiry 2026-11-28) now expires on 2027-01-27, and lists agree on the day between.
    desktop["version"] = json!(2);
    desktop["expiryExtensions"] =
        json!([{ "createdBefore": "2026-06-02", "days": 60, "reason": "Regional disruption" }]);
    put(&desktop, "program_admin").await.expect(200);
    server.clock.set(api::date("2026-12-01"));
    let view = server
        .get("/v1/vouchers/CATALOG0001")
        .signed_as("partner_admin")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(view["expiresOn"], "2027-01-27");
    assert_eq!(view["extendedByDays"], 60);
    assert_eq!(view["effectiveState"], "assigned");
    let listed = |state: &'static str| {
        let server = &server;
        async move {
            let page = server
                .get(&format!("/v1/partners/1001/vouchers?state={state}"))
                .signed_as("partner_admin")
                .send()
                .await
                .expect(200)
                .json();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["voucherNumber"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("assigned").await, ["CATALOG0001"]);
    assert!(listed("expired").await.is_empty());

    // An extension is never taken back; a body for another id is refused; a new id is created.
    desktop["version"] = json!(0);
    desktop["expiryExtensions"] = json!([]);
    let shortened = put(&desktop, "program_admin").await.expect(422).json();
    assert_eq!(shortened["code"], "program.extensionShortened");
    let other = server
        .put("/v1/programs/sharepoint")
        .signed_as("program_admin")
        .json(&desktop)
        .send()
        .await
        .expect(422)
        .json();
    assert_eq!(other["fields"][0]["code"], "field.pathMismatch");
    let mut project = programs[0].clone();
    project["id"] = json!("project-server");
    project["version"] = json!(0);
    let created = server
        .put("/v1/programs/project-server")
        .signed_as("program_admin")
        .json(&project)
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(created["version"], 1);
    let programs = server.get("/v1/programs").send().await.expect(200).json();
    let ids: Vec<_> = programs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
    assert_eq!(ids.last(), Some(&"project-server"));
}

/// A global admin (SPEC §15.3) may do what its partner's admin may, and no more.
async fn global_admin_acts_as_partner_admin(server: Server) {
    onboard(&server, "1001").await;
    server
        .post("/v1/partners/1001/enrollments")
        .signed_as("global_admin")
        .json(&json!({ "programId": "desktop", "locationIds": ["11"] }))
        .send()
        .await
        .expect(201);
    assign(&server, "GLOBAL-0001", "1001", 5).await;
    let reserved = server
        .post("/v1/vouchers/GLOBAL0001/reservation")
        .signed_as("global_admin")
        .json(&reservation("2026-06-03", "2026-06-05"))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(reserved["state"], "reserved");
    server
        .get("/v1/partners/1001/vouchers")
        .signed_as("global_admin")
        .send()
        .await
        .expect(200);
    server
        .get("/v1/partners/1002/eligibility")
        .signed_as("global_admin")
        .send()
        .await
        .expect(404);
    let programs = server.get("/v1/programs").send().await.expect(200).json();
    server
        .put("/v1/programs/desktop")
        .signed_as("global_admin")
        .json(&programs[0])
        .send()
        .await
        .expect(403);
}

on_both_backends!(
    whole_workflow,
    expiry_and_renewal,
    catalog_changes,
    global_admin_acts_as_partner_admin
);
