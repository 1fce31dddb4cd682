//! Fuzzing the HTTP request extractors (issue 19, item 7): arbitrary requests (method, a route
//! with arbitrary path segments and query, `Content-Type`, `Accept-Language`, `Idempotency-Key`,
//! a signed, forged or absent token, and a body that is a mutated vector input or arbitrary
//! bytes) go through the API's router on the embedded store. No answer may be a 5xx, and every
//! refusal is `{code, message, fields}` JSON. proptest keeps a failing request in
//! `proptest-regressions/`.
//!
//! `SAPS_FUZZ_CASES` sets the number of cases (default 20,000: about 15 s in a debug build).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;

use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt as _;
use proptest::prelude::*;
use saps_core::access::{Principal, Role};
use saps_core::value::PartnerId;
use saps_lambda::api::identity::Hs256Keys;
use saps_lambda::clock::FixedClock;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt as _;

/// Paths that are no documented route, beside the document's own.
const UNDOCUMENTED: &[&str] = &["/v1/{}", "/v1/", "/healthz"];

/// The route templates the API documents (its OpenAPI document's paths), each `{param}` as `{}`.
fn documented_routes(runtime: &tokio::runtime::Runtime, router: &axum::Router) -> Vec<String> {
    let request = Request::get("/v1/openapi.json")
        .body(Body::empty())
        .expect("request");
    let body = runtime.block_on(async {
        let response = router.clone().oneshot(request).await.expect("infallible");
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
    });
    let document: Value = serde_json::from_slice(&body).expect("the OpenAPI document");
    document["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(|path| template_of(path))
        .chain(UNDOCUMENTED.iter().map(|p| (*p).to_owned()))
        .collect()
}

/// `/v1/vouchers/{voucherNumber}` as `/v1/vouchers/{}`.
fn template_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match (c, in_param) {
            ('{', _) => {
                in_param = true;
                out.push_str("{}");
            }
            ('}', _) => in_param = false,
            (c, false) => out.push(c),
            (_, true) => {}
        }
    }
    out
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    routes: Vec<String>,
    tokens: Vec<String>,
    seeds: Vec<Value>,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(FixedClock::new(api::date("2026-06-01")));
        let (services, _) =
            runtime.block_on(api::services(api::Backend::Sqlite, dir.path(), clock));
        let keys = Hs256Keys::new(api::SECRET);
        let principal = |partner: Option<&str>, roles: Vec<Role>| Principal {
            sub: "fuzz@example.test".into(),
            partner_id: partner.map(|p| PartnerId::parse(p).expect("partner id")),
            customer_id: None,
            roles,
            grants: Vec::new(),
        };
        let tokens = [
            principal(Some("1001"), vec![Role::PartnerAdmin]),
            principal(Some("1001"), vec![Role::PartnerUser]),
            principal(None, vec![Role::ProgramAdmin]),
        ]
        .iter()
        .map(|p| keys.issue(p, 4_000_000_000).expect("token"))
        .collect();
        let vectors = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
        let mut seeds = Vec::new();
        for entry in std::fs::read_dir(vectors).expect("vectors") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                let cases: Vec<Value> =
                    serde_json::from_str(&std::fs::read_to_string(path).expect("read"))
                        .expect("json");
                seeds.extend(cases.into_iter().map(|c| c["input"].clone()));
            }
        }
        let router = saps_lambda::api::router(services);
        let routes = documented_routes(&runtime, &router);
        Fixture {
            runtime,
            router,
            routes,
            tokens,
            seeds,
            _dir: dir,
        }
    })
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1001".to_owned()),
        Just("SAPS0001M365".to_owned()),
        Just("desktop".to_owned()),
        Just("approve".to_owned()),
        Just("reserve".to_owned()),
        Just("plan.pdf".to_owned()),
        "[A-Za-z0-9._~-]{0,20}",
        "(%[0-9A-Fa-f]{2}){1,6}",
        "(%[89A-F][0-9A-F]){1,3}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    (
        prop::sample::select(fixture().routes.clone()),
        prop::collection::vec(segment(), 3),
        prop::option::of(
            "[a-zA-Z]{1,10}=([A-Za-z0-9%-]{0,12})(&[a-zA-Z]{1,10}=[A-Za-z0-9%-]{0,8}){0,3}",
        ),
    )
        .prop_map(|(route, segments, query)| {
            let mut path = String::new();
            let mut parts = segments.into_iter();
            for (i, piece) in route.split("{}").enumerate() {
                if i > 0 {
                    path.push_str(&parts.next().unwrap_or_default());
                }
                path.push_str(piece);
            }
            match query {
                Some(q) => format!("{path}?{q}"),
                None => path,
            }
        })
}

#[derive(Clone, Debug)]
enum Payload {
    Empty,
    Vector(prop::sample::Index, Option<(String, Value)>),
    Bytes(Vec<u8>),
}

fn body() -> impl Strategy<Value = Payload> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::String),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ];
    prop_oneof![
        1 => Just(Payload::Empty),
        4 => (any::<prop::sample::Index>(), prop::option::of(("[a-zA-Z]{1,16}", value)))
            .prop_map(|(i, change)| Payload::Vector(i, change)),
        2 => prop::collection::vec(any::<u8>(), 0..200).prop_map(Payload::Bytes),
    ]
}

fn request(
    method: Method,
    path: &str,
    content_type: Option<&str>,
    language: Option<&str>,
    key: Option<&[u8]>,
    token: Option<usize>,
    body: Payload,
) -> Option<Request<Body>> {
    let fixture = fixture();
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    if let Some(language) = language {
        builder = builder.header("accept-language", language);
    }
    if let Some(key) = key {
        builder = builder.header("idempotency-key", key);
    }
    match token {
        Some(i) if i < fixture.tokens.len() => {
            builder = builder.header("authorization", format!("Bearer {}", fixture.tokens[i]));
        }
        Some(_) => builder = builder.header("authorization", "Bearer e30.e30.forged"),
        None => {}
    }
    let bytes = match body {
        Payload::Empty => Vec::new(),
        Payload::Vector(i, change) => {
            let mut input = i.get(&fixture.seeds).clone();
            if let (Some((key, value)), Value::Object(fields)) = (change, &mut input) {
                fields.insert(key, value);
            }
            input.to_string().into_bytes()
        }
        Payload::Bytes(bytes) => bytes,
    };
    builder.body(Body::from(bytes)).ok()
}

fn cases() -> u32 {
    std::env::var("SAPS_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_requests_get_json_answers_and_no_5xx(
        method in prop::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH]),
        path in path(),
        content_type in prop::option::of(prop::sample::select(vec![
            "application/json", "application/json; charset=utf-8", "text/plain", "application/pdf",
            "multipart/form-data", "application/zip",
        ])),
        language in prop::option::of(prop::sample::select(vec!["zh-CN", "en", "zh;q=0.9, en;q=0.1", "xx", "*;q=abc"])),
        key in prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
        token in prop::option::of(0usize..4),
        body in body(),
    ) {
        let fixture = fixture();
        // A header value that http itself refuses never reaches a server.
        let Some(request) = request(method, &path, content_type, language, key.as_deref(), token, body) else {
            return Ok(());
        };
        let (status, content_type, bytes) = fixture.runtime.block_on(async {
            let response = fixture.router.clone().oneshot(request).await.expect("infallible");
            let status = response.status();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let bytes = response.into_body().collect().await.expect("body").to_bytes();
            (status, content_type, bytes)
        });
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(!status.is_server_error(), "{path}: {status} {text}");
        if status.is_client_error() {
            prop_assert!(content_type.starts_with("application/json"), "{path}: {status} {content_type} {text}");
            let failure: Value = serde_json::from_slice(&bytes)
                .map_err(|e| TestCaseError::fail(format!("{path}: {e}: {text}")))?;
            prop_assert!(failure["code"].as_str().is_some_and(|c| c.contains('.')), "{path}: {text}");
            prop_assert!(failure["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {text}");
            prop_assert!(failure["fields"].as_array().is_some_and(|f| !f.is_empty()), "{path}: {text}");
        }
    }
}
