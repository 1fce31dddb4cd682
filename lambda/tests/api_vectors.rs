//! Every shared vector (SPEC §14) over HTTP: `POST /v1/rules/{rule}?date=` answers exactly what
//! the native entry point answers, in the vector's language, with the status of SPEC §12.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;

#[path = "../../tests/vectors/files.rs"]
mod files;
#[path = "../../tests/vectors/matcher.rs"]
mod vectors;

use saps_core::catalog::Catalog;
use saps_core::error::Locale;
use saps_core::json::{self, Answer};
use serde_json::Value;
use std::path::PathBuf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_gives_the_native_verdict_over_http() {
    let server = api::start(api::Backend::Sqlite, "2026-01-01").await;
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let files = files::read_vector_files(&files::vector_dirs(shared)).expect("vector files");
    let answered = vectors::answer_files(files.iter().map(|f| (f.name.as_str(), f.text.as_str())))
        .expect("vectors");
    assert!(answered.len() >= 300, "only {} vectors", answered.len());
    let catalog = Catalog::sample().unwrap();
    let mut failures = Vec::new();
    for item in &answered {
        let case = &item.case;
        let locale = case.locale.unwrap_or_default();
        let reply = server
            .post(&format!("/v1/rules/{}?date={}", case.rule, case.today))
            .header("accept-language", locale.tag())
            .body("application/json", case.input.to_string())
            .send()
            .await;
        let body: Value = reply.json();
        let (over_http, expected_status) =
            match json::decide(catalog, &case.rule, case.input.clone(), case.today, locale) {
                Ok(_) => (Answer::Success { output: body }, 200),
                Err(rejection) => (
                    Answer::Failure {
                        errors: vec![serde_json::from_value(body).expect("failure body")],
                    },
                    rejection.category().http_status(),
                ),
            };
        if reply.status.as_u16() != expected_status {
            failures.push(format!(
                "{} / {}: status {} (expected {expected_status})",
                item.file, case.name, reply.status
            ));
        } else if over_http != item.native {
            failures.push(format!(
                "{} / {}: HTTP answered {:?}, native {:?}",
                item.file, case.name, over_http, item.native
            ));
        } else if let Err(why) = vectors::check(case, &over_http) {
            failures.push(format!("{} / {}: {why}", item.file, case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ over HTTP:\n{}",
        failures.len(),
        answered.len(),
        failures.join("\n")
    );
    // Locale reaches the messages: a Chinese request answers in Chinese.
    let reply = server
        .post("/v1/rules/validationForm")
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")
        .body("application/json", "{}")
        .send()
        .await
        .expect(422);
    assert_eq!(Locale::from_accept_language("zh-CN,zh;q=0.9"), Locale::ZhCn);
    assert!(reply.text.contains("必填"), "{}", reply.text);
}

/// `GET /v1/openapi.json` is OpenAPI 3.1 and documents every route of SPEC §12 with its errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_route() {
    let server = api::start(api::Backend::Sqlite, "2026-01-01").await;
    let document = server
        .get("/v1/openapi.json")
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(document["openapi"], "3.1.0");
    let routes = [
        ("get", "/v1/programs"),
        ("get", "/v1/partners/{partnerId}/eligibility"),
        ("put", "/v1/partners/{partnerId}/qualifications"),
        ("post", "/v1/partners/{partnerId}/enrollments"),
        ("get", "/v1/partners/{partnerId}/enrollments"),
        (
            "post",
            "/v1/partners/{partnerId}/enrollments/{programId}/renewal",
        ),
        ("delete", "/v1/partners/{partnerId}/enrollments/{programId}"),
        ("put", "/v1/partners/{partnerId}/profile"),
        ("get", "/v1/partners/{partnerId}/profile"),
        ("get", "/v1/directory"),
        ("post", "/v1/vouchers"),
        ("get", "/v1/partners/{partnerId}/vouchers"),
        ("get", "/v1/vouchers/{voucherNumber}"),
        ("get", "/v1/vouchers/{voucherNumber}/history"),
        ("post", "/v1/vouchers/validate"),
        ("post", "/v1/vouchers/{voucherNumber}/reservation"),
        ("delete", "/v1/vouchers/{voucherNumber}/reservation"),
        (
            "put",
            "/v1/vouchers/{voucherNumber}/deliverables/{fileName}",
        ),
        ("post", "/v1/vouchers/{voucherNumber}/completion-report"),
        ("post", "/v1/redemptions/preview"),
        ("post", "/v1/redemptions"),
        ("post", "/v1/claims"),
        ("get", "/v1/claims/{claimId}"),
        ("post", "/v1/claims/{claimId}/{decision}"),
    ];
    for (method, path) in routes {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(
            operation["responses"].as_object().unwrap().len() >= 2,
            "{method} {path} documents no errors"
        );
    }
    let claim_key = &document["paths"]["/v1/claims"]["post"]["parameters"];
    assert!(
        claim_key.to_string().contains("Idempotency-Key"),
        "{claim_key}"
    );
    assert!(document["components"]["schemas"]["Failure"].is_object());
}
