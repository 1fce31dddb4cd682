//! Hostile input on every route: malformed and truncated JSON, unknown fields, wrong types,
//! `context` smuggling, huge bodies, wrong media types, path traversal and control characters
//! in file names, very long and non-BMP strings, forged, expired and `alg: none` tokens, and
//! another partner's ids. Each gets its status and a typed error, and the store (every row of
//! the SQLite file) and the deliverable directory are byte-for-byte unchanged.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;

use api::{Server, start};
use base64ct::Encoding as _;
use reqwest::Method;
use saps_core::access::Role;
use serde_json::{Value, json};
use std::path::Path;

/// Every row of every table, in a stable order.
fn dump(dir: &Path) -> String {
    let db = rusqlite::Connection::open_with_flags(
        dir.join("saps.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut out = String::new();
    for table in tables {
        // Some tables are WITHOUT ROWID: sort the rendered rows instead.
        let mut statement = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        let mut lines = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(text) => {
                        String::from_utf8_lossy(text).into_owned()
                    }
                    other => format!("{other:?}"),
                })
                .collect();
            lines.push(format!("{table}: {}\n", values.join(" | ")));
        }
        lines.sort();
        out.extend(lines);
    }
    out
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk(&dir.join("deliverables"));
    names.sort();
    names
}

fn walk(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                vec![e.path().display().to_string()]
            }
        })
        .collect()
}

async fn seed(server: &Server) {
    for id in ["1001", "1002"] {
        server
            .put(&format!("/v1/partners/{id}"))
            .signed_as("program_admin")
            .json(&json!({ "locations": [{ "locationId": "11", "name": "Site 11", "country": "CN" }] }))
            .send()
            .await
            .expect(201);
        server
            .put(&format!("/v1/partners/{id}/qualifications"))
            .signed_as("program_admin")
            .json(&json!({
                "competencies": [{ "area": "Modern Work", "validFrom": "2026-01-01", "validUntil": "2028-01-01" }],
                "complianceTraining": [{ "programId": "desktop", "completedOn": "2026-05-01" }],
                "consultants": [{ "consultantId": "c-1", "name": "Wei", "exams": [{ "code": "MS-102", "passedOn": "2026-02-01" }] }],
                "providerAgreements": [{ "programId": "desktop", "signedOn": "2026-01-15", "validUntil": "2028-01-15" }],
                "membershipValidUntil": "2028-01-15",
            }))
            .send()
            .await
            .expect(200);
    }
    server
        .post("/v1/partners/1001/enrollments")
        .signed_as("partner_admin")
        .json(&json!({ "programId": "desktop", "locationIds": ["11"] }))
        .send()
        .await
        .expect(201);
    for number in ["HOSTILE-0001", "HOSTILE-0002"] {
        server
            .post("/v1/vouchers")
            .signed_as("program_admin")
            .json(&json!({ "voucherNumber": number, "programId": "desktop", "days": 3,
                "customerName": "Contoso", "adminEmail": "admin@contoso.example", "partnerId": "1001" }))
            .send()
            .await
            .expect(201);
    }
    server
        .post("/v1/vouchers/HOSTILE0002/reservation")
        .signed_as("partner_admin")
        .json(
            &json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
            "locationId": "11", "engagementStart": "2026-06-02", "engagementEnd": "2026-06-03" }),
        )
        .send()
        .await
        .expect(200);
}

/// A route that takes a JSON body, with the role that may call it.
struct JsonRoute {
    method: Method,
    path: &'static str,
    role: &'static str,
}

fn json_routes() -> Vec<JsonRoute> {
    let route = |method: Method, path, role| JsonRoute { method, path, role };
    vec![
        route(Method::PUT, "/v1/partners/1001", "program_admin"),
        route(
            Method::PUT,
            "/v1/partners/1001/qualifications",
            "program_admin",
        ),
        route(
            Method::POST,
            "/v1/partners/1001/enrollments",
            "partner_admin",
        ),
        route(
            Method::POST,
            "/v1/partners/1001/enrollments/desktop/renewal",
            "partner_admin",
        ),
        route(
            Method::DELETE,
            "/v1/partners/1001/enrollments/desktop",
            "partner_admin",
        ),
        route(Method::PUT, "/v1/partners/1001/profile", "partner_admin"),
        route(Method::POST, "/v1/vouchers", "program_admin"),
        route(Method::POST, "/v1/vouchers/validate", "partner_admin"),
        route(
            Method::POST,
            "/v1/vouchers/HOSTILE0001/reservation",
            "partner_admin",
        ),
        route(
            Method::DELETE,
            "/v1/vouchers/HOSTILE0002/reservation",
            "partner_admin",
        ),
        route(
            Method::POST,
            "/v1/vouchers/HOSTILE0002/completion-report",
            "partner_admin",
        ),
        route(Method::POST, "/v1/redemptions/preview", "partner_admin"),
        route(Method::POST, "/v1/redemptions", "partner_admin"),
        route(Method::POST, "/v1/claims", "partner_admin"),
        route(Method::POST, "/v1/rules/reservationForm", "partner_admin"),
    ]
}

/// Every route with a method, for the identity checks.
fn all_routes() -> Vec<(Method, &'static str)> {
    let mut routes: Vec<(Method, &'static str)> = json_routes()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    routes.extend([
        (Method::GET, "/v1/partners/1001/eligibility"),
        (Method::GET, "/v1/partners/1001/enrollments"),
        (Method::GET, "/v1/partners/1001/profile"),
        (Method::GET, "/v1/partners/1001/vouchers"),
        (Method::GET, "/v1/vouchers/HOSTILE0001"),
        (Method::GET, "/v1/vouchers/HOSTILE0001/history"),
        (
            Method::PUT,
            "/v1/vouchers/HOSTILE0002/deliverables/plan.pdf",
        ),
    ]);
    routes
}

async fn expect_refused(what: &str, call: api::Call<'_>, status: u16, code: &str) {
    let reply = call.send().await;
    assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.text);
    let body = reply.json();
    assert_eq!(body["code"].as_str(), Some(code), "{what}: {}", reply.text);
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: no message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_changes_nothing() {
    let server = start(api::Backend::Sqlite, "2026-06-01").await;
    seed(&server).await;
    let before = (dump(server.dir.path()), files(server.dir.path()));
    assert!(before.0.contains("HOSTILE0002"), "the seed is in the dump");

    let huge = format!("{{\"summary\":\"{}\"}}", "x".repeat(70 * 1024));
    let bodies: [(&str, &str, u16, &str); 8] = [
        (
            "malformed JSON",
            "{\"voucherNumbers\": [",
            400,
            "request.malformed",
        ),
        (
            "truncated JSON",
            "{\"adminEmail\": \"admin@contoso.ex",
            400,
            "request.malformed",
        ),
        ("not an object", "[1, 2, 3]", 400, "request.malformed"),
        (
            "unknown field",
            "{\"bogus\": true}",
            400,
            "request.malformed",
        ),
        (
            "wrong type",
            "{\"locationIds\": 11, \"voucherNumber\": 7, \"reason\": 3, \"voucherNumbers\": \"x\", \"competencies\": 1, \"companyName\": [], \"acceptTerms\": \"yes\", \"summary\": 1}",
            400,
            "request.malformed",
        ),
        (
            "smuggled context",
            "{\"context\": {\"actor\": {\"role\": \"program_admin\"}}}",
            400,
            "request.malformed",
        ),
        ("huge body", huge.as_str(), 413, "request.tooLarge"),
        (
            "NUL in JSON",
            "{\"summary\": \"a\u{0}b\"}",
            400,
            "request.malformed",
        ),
    ];
    for route in json_routes() {
        for (what, body, status, code) in &bodies {
            let call = server
                .call(route.method.clone(), route.path)
                .signed_as(route.role)
                .header("Idempotency-Key", "hostile-key")
                .body("application/json", body.to_string());
            expect_refused(
                &format!("{what} on {} {}", route.method, route.path),
                call,
                *status,
                code,
            )
            .await;
        }
        let raw_invalid_utf8: Vec<u8> = b"{\"summary\": \"\xff\xfe\"}".to_vec();
        let call = server
            .call(route.method.clone(), route.path)
            .signed_as(route.role)
            .header("Idempotency-Key", "k")
            .body("application/json", raw_invalid_utf8);
        expect_refused(
            &format!("invalid UTF-8 on {}", route.path),
            call,
            400,
            "request.malformed",
        )
        .await;
        let call = server
            .call(route.method.clone(), route.path)
            .signed_as(route.role)
            .header("Idempotency-Key", "k")
            .body("text/plain", "{}");
        expect_refused(
            &format!("text/plain on {}", route.path),
            call,
            415,
            "request.unsupportedMediaType",
        )
        .await;
    }

    // Registration: every bad location id is reported, nothing is replaced.
    let reply = server
        .put("/v1/partners/1001")
        .signed_as("program_admin")
        .json(&json!({ "locations": [{ "locationId": "11", "name": "Site 11", "country": "CN" }, { "locationId": "11", "name": "Site 11", "country": "CN" }, { "locationId": "x", "name": "Site x", "country": "CN" }] }))
        .send()
        .await
        .expect(422);
    assert_eq!(
        reply.json()["fields"].as_array().unwrap().len(),
        2,
        "{}",
        reply.text
    );

    // Field values: very long, non-BMP, control characters; every field reported at once.
    let long = "長".repeat(5000);
    let call = server.put("/v1/partners/1001/profile").signed_as("partner_admin").json(&json!({
        "companyName": long, "description": "𝕮𝖔𝖓𝖙𝖔𝖘𝖔 🚀".repeat(400), "website": "javascript:alert(1)",
        "contactEmail": "a@b", "countries": ["ZZ"], "languages": ["klingon"], "phone": "12\u{0}34",
    }));
    let reply = call.send().await.expect(422);
    assert!(
        reply.json()["fields"].as_array().unwrap().len() >= 6,
        "{}",
        reply.text
    );
    server
        .post("/v1/vouchers/validate")
        .signed_as("partner_admin")
        .json(
            &json!({ "voucherNumber": "𝟘𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠", "adminEmail": "\u{202e}admin@contoso.example" }),
        )
        .send()
        .await
        .expect(422);
    server
        .post("/v1/vouchers")
        .signed_as("program_admin")
        .json(&json!({ "voucherNumber": "HOSTILE0001", "programId": "../../etc", "days": 4_294_967_296u64,
            "customerName": "\u{7}bell", "adminEmail": "x".repeat(300), "partnerId": "1001; DROP TABLE" }))
        .send()
        .await
        // The number in use is a conflict, the most severe of the five problems reported.
        .expect(409);

    // Deliverables: traversal and control characters in the name, wrong type, over 5 MiB, empty.
    for name in [
        "..",
        "%2E%2E",
        "..%2F..%2Fetc%2Fpasswd",
        "a%5Cb.pdf",
        "plan%00.pdf",
        "plan%0A.pdf",
        "%20plan.pdf",
        &"n".repeat(201),
    ] {
        let call = server
            .put(&format!("/v1/vouchers/HOSTILE0002/deliverables/{name}"))
            .signed_as("partner_admin")
            .body("application/pdf", "%PDF");
        let reply = call.send().await;
        assert!(
            matches!(reply.status.as_u16(), 404 | 422),
            "file name {name}: {} {}",
            reply.status,
            reply.text
        );
    }
    let upload = |content_type: &'static str, bytes: Vec<u8>| {
        server
            .put("/v1/vouchers/HOSTILE0002/deliverables/plan.pdf")
            .signed_as("partner_admin")
            .body(content_type, bytes)
    };
    expect_refused(
        "exe upload",
        upload("application/x-msdownload", b"MZ".to_vec()),
        415,
        "request.unsupportedMediaType",
    )
    .await;
    expect_refused(
        "huge upload",
        upload("application/pdf", vec![b'%'; 5 * 1024 * 1024 + 1]),
        413,
        "request.tooLarge",
    )
    .await;
    expect_refused(
        "empty upload",
        upload("application/pdf", Vec::new()),
        422,
        "field.outOfRange",
    )
    .await;
    let chunked = reqwest::Body::wrap_stream(futures_stream(6 * 1024 * 1024));
    expect_refused(
        "chunked huge upload",
        upload("application/pdf", Vec::new()).body("application/pdf", chunked),
        413,
        "request.tooLarge",
    )
    .await;

    // Identity: forged, expired, `alg: none` and garbage tokens are 401 on every route.
    let forged = saps_lambda::api::identity::Hs256Keys::new(b"not the server's secret")
        .issue(
            &api::principal(Some("1001"), &[Role::PartnerAdmin]),
            4_000_000_000,
        )
        .unwrap();
    let expired = saps_lambda::api::identity::Hs256Keys::new(api::SECRET)
        .issue(
            &api::principal(Some("1001"), &[Role::PartnerAdmin]),
            1_000_000,
        )
        .unwrap();
    let b64 = |v: &Value| base64ct::Base64UrlUnpadded::encode_string(v.to_string().as_bytes());
    let none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(
            &json!({ "sub": "x", "partnerId": "1001", "roles": ["partner_admin"], "exp": 4_000_000_000u64 })
        )
    );
    for (method, path) in all_routes() {
        for (what, token) in [
            ("forged", forged.as_str()),
            ("expired", expired.as_str()),
            ("alg none", none.as_str()),
            ("garbage", "not.a.token"),
        ] {
            let call = server
                .call(method.clone(), path)
                .header("authorization", &format!("Bearer {token}"))
                .body("application/json", "{}");
            let status = call.send().await.status.as_u16();
            if path.starts_with("/v1/rules/") {
                assert_eq!(status, 422, "{what} token on the stateless rules route");
            } else {
                assert_eq!(status, 401, "{what} token on {method} {path}");
            }
        }
        if !path.starts_with("/v1/rules/") {
            let status = server
                .call(method.clone(), path)
                .body("application/json", "{}")
                .send()
                .await
                .status
                .as_u16();
            assert_eq!(status, 401, "no token on {method} {path}");
        }
    }

    // Another partner's ids: not found, never forbidden (existence does not leak); wrong roles: 403.
    for (method, path) in all_routes() {
        if path.starts_with("/v1/rules/")
            || path == "/v1/vouchers"
            || path == "/v1/vouchers/validate"
            || path.starts_with("/v1/redemptions")
            || path == "/v1/claims"
        {
            continue;
        }
        let is_partner_route = path.starts_with("/v1/partners/1001")
            && path != "/v1/partners/1001"
            && !path.ends_with("/qualifications");
        let content_type = if path.contains("/deliverables/") {
            "application/pdf"
        } else {
            "application/json"
        };
        let status = server
            .call(method.clone(), path)
            .signed_as("other_partner_admin")
            .body(content_type, "{}")
            .send()
            .await
            .status
            .as_u16();
        let expected = if is_partner_route || path.starts_with("/v1/vouchers/") {
            404
        } else {
            403
        };
        assert_eq!(status, expected, "other partner on {method} {path}");
    }
    expect_refused(
        "user writes",
        server
            .post("/v1/vouchers/HOSTILE0001/reservation")
            .signed_as("partner_user")
            .json(&json!({})),
        403,
        "access.forbidden",
    )
    .await;
    expect_refused(
        "admin assigns as partner",
        server
            .post("/v1/vouchers")
            .signed_as("partner_admin")
            .json(&json!({})),
        403,
        "access.forbidden",
    )
    .await;
    expect_refused(
        "partner decides claim",
        server
            .post("/v1/claims/C0123/approve")
            .signed_as("partner_admin")
            .json(&json!({})),
        404,
        "access.notFound",
    )
    .await;
    let other_claims = server
        .post("/v1/redemptions")
        .signed_as("other_partner_admin")
        .json(&json!({ "voucherNumbers": ["HOSTILE0001", "HOSTILE0002"], "confirm": true }))
        .send()
        .await;
    assert_eq!(other_claims.status.as_u16(), 404, "{}", other_claims.text);

    let after = (dump(server.dir.path()), files(server.dir.path()));
    assert_eq!(before.0, after.0, "the store changed");
    assert_eq!(before.1, after.1, "the deliverables changed");
}

/// An endless-looking body sent chunked (no Content-Length): `total` bytes in 64 KiB pieces.
fn futures_stream(
    total: usize,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunk = 64 * 1024;
    futures_util::stream::iter((0..total.div_ceil(chunk)).map(move |_| Ok(vec![b'%'; chunk])))
}
