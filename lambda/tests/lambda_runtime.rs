//! The Lambda path end to end: the real `bootstrap` binary, started as Lambda starts it, polls a
//! Runtime API (played here on loopback) for real API Gateway HTTP API payload-v2 events, runs
//! them through `lambda_http` into the same router, and persists to DynamoDB Local and moto's
//! S3. Identity comes from the JWT authorizer's claims in the request context. Also measures
//! the time from process start to the first answered request.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use base64ct::Encoding as _;
use saps_core::catalog::Catalog;
use saps_lambda::blob::s3::{self, S3Blobs};
use saps_lambda::clock::{Clock as _, SystemClock};
use saps_lambda::demo;
use saps_lambda::store::dynamo::{self, DynamoStore};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc};

#[path = "support/dynamodb_local.rs"]
mod dynamodb_local;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} must be set (bash scripts/test-all.sh starts the services)")
    })
}

/// The Runtime API's side: events waiting to be fetched, answers coming back.
#[derive(Clone)]
struct Runtime {
    events: Arc<Mutex<mpsc::UnboundedReceiver<(String, Value)>>>,
    answers: mpsc::UnboundedSender<(String, Result<Value, Value>)>,
}

async fn next_invocation(State(runtime): State<Runtime>) -> (HeaderMap, String) {
    let (id, event) = runtime.events.lock().await.recv().await.expect("events");
    let mut headers = HeaderMap::new();
    headers.insert(
        "lambda-runtime-aws-request-id",
        HeaderValue::from_str(&id).unwrap(),
    );
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 30_000;
    headers.insert(
        "lambda-runtime-deadline-ms",
        HeaderValue::from_str(&deadline.to_string()).unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:eu-west-1:123456789012:function:saps-api"),
    );
    (headers, event.to_string())
}

async fn invocation_response(
    State(runtime): State<Runtime>,
    Path(id): Path<String>,
    body: String,
) -> StatusCode {
    let _ = runtime.answers.send((
        id,
        Ok(serde_json::from_str(&body).unwrap_or(Value::String(body))),
    ));
    StatusCode::ACCEPTED
}

async fn invocation_error(
    State(runtime): State<Runtime>,
    Path(id): Path<String>,
    body: String,
) -> StatusCode {
    let _ = runtime.answers.send((id, Err(Value::String(body))));
    StatusCode::ACCEPTED
}

/// An API Gateway HTTP API (payload v2) event, as API Gateway sends it to the function.
fn event(
    method: &str,
    path: &str,
    query: &str,
    claims: Option<Value>,
    body: Option<(&str, bool)>,
) -> Value {
    let mut context = json!({
        "accountId": "123456789012", "apiId": "saps12345", "domainName": "saps12345.execute-api.eu-west-1.amazonaws.com",
        "domainPrefix": "saps12345",
        "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0" },
        "requestId": format!("apigw-{}", path.len()), "routeKey": "$default", "stage": "$default",
        "time": "25/Nov/2026:10:00:00 +0000", "timeEpoch": 1_795_600_800_000u64,
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    let mut event = json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": { "accept": "application/json", "host": "saps12345.execute-api.eu-west-1.amazonaws.com",
            "x-forwarded-proto": "https", "accept-language": "en" },
        "requestContext": context, "isBase64Encoded": false,
    });
    if let Some((text, base64)) = body {
        event["headers"]["content-type"] = json!("application/json");
        event["isBase64Encoded"] = json!(base64);
        event["body"] = json!(if base64 {
            base64ct::Base64::encode_string(text.as_bytes())
        } else {
            text.to_owned()
        });
    }
    event
}

fn claims(sub: &str, partner: Option<&str>, roles: &str) -> Value {
    let mut claims =
        json!({ "sub": sub, "roles": roles, "iss": "https://issuer.example", "exp": "4000000000" });
    if let Some(partner) = partner {
        claims["partnerId"] = json!(partner);
    }
    claims
}

/// Sends events one at a time and waits for each answer.
struct Invoker {
    events: mpsc::UnboundedSender<(String, Value)>,
    answers: mpsc::UnboundedReceiver<(String, Result<Value, Value>)>,
    sent: u32,
}

impl Invoker {
    /// The function's answer to one event: its response, or the error it reported.
    async fn answer(&mut self, event: Value) -> Result<Value, Value> {
        self.sent += 1;
        let id = format!("req-{}", self.sent);
        self.events.send((id.clone(), event)).unwrap();
        let (answered, result) = tokio::time::timeout(Duration::from_secs(30), self.answers.recv())
            .await
            .expect("bootstrap answers within 30 s")
            .expect("answer");
        assert_eq!(answered, id);
        result
    }

    /// The status, the parsed body and the whole Lambda response of one event.
    async fn invoke(&mut self, event: Value) -> (u64, Value, Value) {
        let response = self
            .answer(event)
            .await
            .unwrap_or_else(|e| panic!("invocation error: {e}"));
        let status = response["statusCode"].as_u64().unwrap();
        let body: Value = serde_json::from_str(response["body"].as_str().unwrap_or("null"))
            .unwrap_or(Value::Null);
        (status, body, response)
    }
}

/// The loopback Runtime API and the `bootstrap` polling it for `table` and `bucket`, as the
/// `task` function of the stack (`SAPS_TASK`, the API when absent): the binary's path, its
/// process (stdout piped) and the invoker feeding it events.
async fn start_bootstrap(
    table: &str,
    bucket: &str,
    task: Option<&str>,
) -> (String, tokio::process::Child, Invoker) {
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (answer_tx, answer_rx) = mpsc::unbounded_channel();
    let runtime = Runtime {
        events: Arc::new(Mutex::new(event_rx)),
        answers: answer_tx,
    };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(invocation_response),
        )
        .route(
            "/2018-06-01/runtime/invocation/{id}/error",
            post(invocation_error),
        )
        .with_state(runtime);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let runtime_api = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });

    // `SAPS_BOOTSTRAP` runs another build of the binary (scripts/load-api.sh: the release one).
    let binary = std::env::var("SAPS_BOOTSTRAP")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_bootstrap").to_owned());
    let mut command = tokio::process::Command::new(&binary);
    command
        .env("AWS_LAMBDA_RUNTIME_API", &runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "saps-api")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "eu-west-1")
        .env("SAPS_TABLE", table)
        .env("SAPS_BUCKET", bucket)
        // The request lines only: a few hundred bytes per event, well within the pipe.
        .env("SAPS_LOG", "warn,saps::request=info")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true);
    if let Some(task) = task {
        command.env("SAPS_TASK", task);
    }
    let child = command.spawn().expect("bootstrap starts");
    let lambda = Invoker {
        events: event_tx,
        answers: answer_rx,
        sent: 0,
    };
    (binary, child, lambda)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_answers_api_gateway_v2_events() {
    let table = format!("saps-lambda-{}", std::process::id());
    let bucket = format!("saps-lambda-{}", std::process::id());
    let store = DynamoStore::new(
        dynamo::local_client(&env("SAPS_DYNAMODB_ENDPOINT")),
        table.clone(),
    );
    store.create_table().await.expect("table");
    S3Blobs::new(s3::local_client(&env("SAPS_S3_ENDPOINT")), bucket.clone())
        .create_bucket()
        .await
        .expect("bucket");
    let today = SystemClock.today();
    demo::load(&store, Catalog::sample().unwrap(), today)
        .await
        .expect("demo data");

    let started = Instant::now();
    let (binary, mut child, mut lambda) = start_bootstrap(&table, &bucket, None).await;

    let (status, body, _) = lambda
        .invoke(event("GET", "/healthz", "", None, None))
        .await;
    let cold_start = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    // The date the rules run on: the system's UTC date (taken before and after, in case of midnight).
    let dates = [today.to_string(), SystemClock.today().to_string()];
    assert!(dates.iter().any(|d| body["today"] == d.as_str()), "{body}");
    eprintln!(
        "cold start of {binary}: process start to first answered request: {:.1} ms",
        cold_start.as_secs_f64() * 1000.0
    );

    let admin = claims(
        "ana@contoso-consulting.example",
        Some("1001"),
        "[partner_admin]",
    );
    let other = claims(
        "sam@fabrikam-advisory.example",
        Some("1002"),
        "[partner_admin]",
    );
    let operator = claims("ops@planning-services.example", None, "[program_admin]");

    // Claims from the authorizer identify the caller; no authorizer means anonymous.
    let (status, body, response) = lambda
        .invoke(event(
            "GET",
            "/v1/vouchers/DEMO-M365-0001",
            "",
            Some(admin.clone()),
            None,
        ))
        .await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(body["voucherNumber"], "DEMOM3650001");
    assert_eq!(response["headers"]["content-type"], "application/json");
    let (status, body, _) = lambda
        .invoke(event(
            "GET",
            "/v1/vouchers/DEMO-M365-0001",
            "",
            Some(other.clone()),
            None,
        ))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("voucher.notFound"))
    );
    let (status, body, _) = lambda
        .invoke(event("GET", "/v1/vouchers/DEMO-M365-0001", "", None, None))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("access.unauthenticated"))
    );
    let (status, _, _) = lambda
        .invoke(event(
            "GET",
            "/v1/partners/1001/eligibility",
            "date=2026-11-25",
            Some(operator.clone()),
            None,
        ))
        .await;
    assert_eq!(status, 200);

    // Enroll (plain body), then reserve with a base64-encoded body, as API Gateway may send it.
    let (status, _, response) = lambda
        .invoke(event(
            "POST",
            "/v1/partners/1001/enrollments",
            "",
            Some(admin.clone()),
            Some((r#"{"programId":"desktop","locationIds":["11"]}"#, false)),
        ))
        .await;
    assert_eq!(status, 201, "{response}");
    let start = saps_core::calendar::add_days(today, 5);
    let reservation = json!({ "adminEmail": "it-admin@northwind.example", "acceptTerms": true,
        "locationId": "11", "engagementStart": start.to_string(), "engagementEnd": start.to_string() })
    .to_string();
    let (status, body, response) = lambda
        .invoke(event(
            "POST",
            "/v1/vouchers/DEMO-M365-0001/reservation",
            "",
            Some(admin.clone()),
            Some((&reservation, true)),
        ))
        .await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(body["effectiveState"], "reserved");

    // Errors keep their shape and language through the Lambda response.
    let mut zh = event(
        "POST",
        "/v1/vouchers/DEMO-M365-0002/reservation",
        "",
        Some(admin.clone()),
        Some(("{}", false)),
    );
    zh["headers"]["accept-language"] = json!("zh-CN");
    let (status, body, _) = lambda.invoke(zh).await;
    assert_eq!(status, 422);
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("必填"),
        "{body}"
    );
    let (status, body, _) = lambda
        .invoke(event(
            "POST",
            "/v1/vouchers/DEMO-M365-0002/reservation",
            "",
            Some(admin),
            Some(("{not json", false)),
        ))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("request.malformed"))
    );

    // The write went to DynamoDB: the store reads it back.
    let stored = saps_lambda::store::Store::voucher(
        &store,
        &saps_core::value::VoucherNumber::parse("DEMOM3650001").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stored.version, 2);
    child.kill().await.ok();

    // One JSON line per request, with API Gateway's request id and Lambda's invocation id.
    let mut logs = String::new();
    let mut stdout = child.stdout.take().expect("stdout");
    tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut logs)
        .await
        .unwrap();
    let first: Value = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["message"] == "request")
        .unwrap_or_else(|| panic!("no request line in {logs}"));
    assert_eq!(first["path"], "/healthz", "{first}");
    assert_eq!(first["request_id"], "apigw-8", "{first}");
    assert_eq!(first["lambda_request_id"], "req-1", "{first}");
    assert_eq!(first["status"], 200, "{first}");
}

/// The stack's scheduled maintenance function is the same binary with `SAPS_TASK=maintenance`:
/// an EventBridge Scheduler event finishes the directory indexing that died after its
/// partners' commits (here: the demo data loaded while every `BatchWriteItem` fails), a second
/// finds nothing left, and a round that cannot reach its table is a failed invocation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_as_the_maintenance_function_settles_the_directory() {
    let table = dynamodb_local::table_name();
    let bucket = format!("saps-maintenance-{}", std::process::id());
    let dies = dynamodb_local::DiesBeforeIndexing::default();
    let client = dynamo::local_client(&dynamodb_local::endpoint());
    let config = client
        .config()
        .to_builder()
        .interceptor(dies.clone())
        .build();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config), table.clone());
    store.create_table().await.expect("table");
    S3Blobs::new(s3::local_client(&env("SAPS_S3_ENDPOINT")), bucket.clone())
        .create_bucket()
        .await
        .expect("bucket");
    dies.0.store(true, std::sync::atomic::Ordering::SeqCst);
    let (catalog, today) = (Catalog::sample().unwrap(), SystemClock.today());
    demo::load(&store, catalog, today).await.expect("demo data");
    // Each listed partner's records went in with its commit; its filter entries did not.
    let everyone = saps_core::directory::SearchForm::default()
        .parse(catalog)
        .unwrap();
    let listed_partners = saps_lambda::store::directory::search(&store, catalog, &everyone, today)
        .await
        .unwrap()
        .items
        .len();
    assert!(listed_partners > 0);

    let (_, _child, mut lambda) = start_bootstrap(&table, &bucket, Some("maintenance")).await;
    let scheduled = json!({
        "version": "0", "id": "c1e4f8a2-0000-4000-8000-000000000001",
        "detail-type": "Scheduled Event", "source": "aws.scheduler",
        "account": "123456789012", "time": "2026-12-04T06:00:00Z", "region": "eu-west-1",
        "resources": ["arn:aws:scheduler:eu-west-1:123456789012:schedule/default/saps-maintenance"],
        "detail": "{}",
    });
    let first = lambda.answer(scheduled.clone()).await.expect("a report");
    assert_eq!(
        first,
        json!({ "settledPartners": listed_partners, "deletedDeliverables": 0, "failures": [] })
    );
    let second = lambda.answer(scheduled).await.expect("a report");
    assert_eq!(second["settledPartners"], 0, "{second}");

    let (_, _gone, mut lambda) =
        start_bootstrap("saps-no-such-table", &bucket, Some("maintenance")).await;
    let failed = lambda.answer(json!({})).await.expect_err("a failed round");
    assert!(
        failed.to_string().contains("settling the directory"),
        "{failed}"
    );
}
