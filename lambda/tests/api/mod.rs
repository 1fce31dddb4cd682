//! A real saps API on a loopback port for the HTTP tests: SQLite in a temporary directory or a
//! fresh DynamoDB Local table, deliverables in a temporary directory, a clock the test moves,
//! and a token per demo role.

#![allow(dead_code)]

#[path = "../support/dynamodb_local.rs"]
mod dynamodb_local;

use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use saps_core::access::{Principal, Role};
use saps_core::calendar;
use saps_core::catalog::Catalog;
use saps_core::value::PartnerId;
use saps_lambda::api::identity::{Hs256Keys, Identity};
use saps_lambda::api::{self, Services};
use saps_lambda::blob::fs::FsBlobs;
use saps_lambda::clock::FixedClock;
use saps_lambda::demo;
pub use saps_lambda::serve::Limits;
use saps_lambda::store::Store;
use saps_lambda::store::dynamo::{self, DynamoStore, RequestCounter};
use saps_lambda::store::sqlite::SqliteStore;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

pub const SECRET: &[u8] = b"saps test secret, never used outside tests";

pub fn date(text: &str) -> NaiveDate {
    calendar::parse_date(text).expect("date")
}

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Dynamo,
    /// DynamoDB Local, with every request the store makes counted.
    CountedDynamo(RequestCounter),
}

pub struct Server {
    pub base: String,
    pub clock: Arc<FixedClock>,
    pub store: Arc<dyn Store>,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    tokens: HashMap<String, String>,
    keys: Hs256Keys,
}

/// The services of a test server; `clock` starts at `today`.
pub async fn services(
    backend: Backend,
    dir: &std::path::Path,
    clock: Arc<FixedClock>,
) -> (Services, Arc<dyn Store>) {
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(SqliteStore::open(dir).expect("sqlite")),
        Backend::Dynamo | Backend::CountedDynamo(_) => {
            let counter = match backend {
                Backend::CountedDynamo(counter) => Some(counter),
                _ => None,
            };
            let store = DynamoStore::new(
                dynamo::local_client_with(&dynamodb_local::endpoint(), counter),
                dynamodb_local::table_name(),
            );
            store.create_table().await.expect("create table");
            Arc::new(store)
        }
    };
    let blobs = Arc::new(FsBlobs::open(&dir.join("deliverables")).expect("blobs"));
    let programs = saps_lambda::catalog::Programs::new(saps_lambda::catalog::DEFAULT_TTL);
    programs
        .seed(store.as_ref(), Catalog::sample().expect("catalog"))
        .await
        .expect("seed the catalog");
    let services = Services {
        store: store.clone(),
        blobs,
        programs,
        clock,
        identity: Identity::Hs256(Box::new(Hs256Keys::new(SECRET))),
    };
    (services, store)
}

pub async fn start(backend: Backend, today: &str) -> Server {
    start_limited(backend, today, Limits::default()).await
}

/// [`start`] with the server's connection limits set.
pub async fn start_limited(backend: Backend, today: &str, limits: Limits) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(FixedClock::new(date(today)));
    let (services, store) = services(backend, dir.path(), clock.clone()).await;
    let app = api::router(services);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(saps_lambda::serve::serve(
        listener,
        app,
        limits,
        std::future::pending(),
    ));
    let keys = Hs256Keys::new(SECRET);
    let tokens = demo::principals()
        .into_iter()
        .map(|(label, p)| {
            (
                label.to_owned(),
                keys.issue(&p, 4_000_000_000).expect("token"),
            )
        })
        .collect();
    Server {
        base,
        clock,
        store,
        dir,
        client: reqwest::Client::new(),
        tokens,
        keys,
    }
}

/// A token for a partner admin of `partner`.
pub fn principal(partner: Option<&str>, roles: &[Role]) -> Principal {
    Principal {
        sub: "someone@example.test".into(),
        partner_id: partner.map(|p| PartnerId::parse(p).expect("partner id")),
        customer_id: None,
        roles: roles.to_vec(),
        grants: Vec::new(),
    }
}

/// What a call answered.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    /// The body as text (lossy where it is not UTF-8).
    pub text: String,
    /// The body's bytes, for answers that are not text (a workbook).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The error code of a failure body.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }
}

/// One request, built step by step.
pub struct Call<'a> {
    server: &'a Server,
    builder: reqwest::RequestBuilder,
}

impl<'a> Call<'a> {
    pub fn signed_as(mut self, label: &str) -> Call<'a> {
        let token = self
            .server
            .tokens
            .get(label)
            .unwrap_or_else(|| panic!("no token {label}"));
        self.builder = self.builder.bearer_auth(token);
        self
    }

    pub fn signed_by(mut self, principal: &Principal) -> Call<'a> {
        let token = self
            .server
            .keys
            .issue(principal, 4_000_000_000)
            .expect("token");
        self.builder = self.builder.bearer_auth(token);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Call<'a> {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn json(mut self, body: &Value) -> Call<'a> {
        self.builder = self.builder.json(body);
        self
    }

    pub fn body(mut self, content_type: &str, bytes: impl Into<reqwest::Body>) -> Call<'a> {
        self.builder = self
            .builder
            .header("content-type", content_type)
            .body(bytes);
        self
    }

    pub async fn send(self) -> Reply {
        let response = self.builder.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            headers,
            text,
            bytes,
        }
    }
}

impl Server {
    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            server: self,
            builder: self.client.request(method, format!("{}{path}", self.base)),
        }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Call<'_> {
        self.call(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
    }

    pub fn today(&self) -> NaiveDate {
        use saps_lambda::clock::Clock as _;
        self.clock.today()
    }
}

/// The qualification facts that make a partner active for Microsoft 365 on 2026-06-01.
pub fn m365_facts() -> Value {
    serde_json::json!({
        "competencies": [{ "area": "Modern Work", "validFrom": "2026-01-01", "validUntil": "2028-01-01" }],
        "complianceTraining": [{ "programId": "desktop", "completedOn": "2026-05-01" }],
        "consultants": [{ "consultantId": "c-1", "name": "Wei", "exams": [{ "code": "MS-102", "passedOn": "2026-02-01" }] }],
        "providerAgreements": [{ "programId": "desktop", "signedOn": "2026-01-15", "validUntil": "2028-01-15" }],
        "membershipValidUntil": "2028-01-15",
    })
}

/// Partner 1001 registered (location 11), active for Microsoft 365 and enrolled in it.
pub async fn enrolled_partner(server: &Server) {
    server
        .put("/v1/partners/1001")
        .signed_as("program_admin")
        .json(&serde_json::json!({ "locations": [{ "locationId": "11", "name": "Site 11", "country": "CN" }] }))
        .send()
        .await
        .expect(201);
    server
        .put("/v1/partners/1001/qualifications")
        .signed_as("program_admin")
        .json(&m365_facts())
        .send()
        .await
        .expect(200);
    server
        .post("/v1/partners/1001/enrollments")
        .signed_as("partner_admin")
        .json(&serde_json::json!({ "programId": "desktop", "locationIds": ["11"] }))
        .send()
        .await
        .expect(201);
}

/// Assigns each of `numbers` (Microsoft 365, 3 days, Contoso) to partner 1001.
pub async fn assign_all(server: &Server, numbers: &[String]) {
    for number in numbers {
        server
            .post("/v1/vouchers")
            .signed_as("program_admin")
            .json(
                &serde_json::json!({ "voucherNumber": number, "programId": "desktop",
                "days": 3, "customerName": "Contoso", "adminEmail": "admin@contoso.example",
                "partnerId": "1001" }),
            )
            .send()
            .await
            .expect(201);
    }
}

/// A reservation of 2026-06-02 to 2026-06-04, terms accepted.
pub fn reservation() -> Value {
    serde_json::json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
        "locationId": "11", "engagementStart": "2026-06-02", "engagementEnd": "2026-06-04" })
}

/// Each of `numbers` (assigned on 2026-06-01) reserved, delivered and reported complete with one
/// uploaded plan; the clock ends on 2026-06-06.
pub async fn complete_all(server: &Server, numbers: &[String]) {
    for number in numbers {
        server
            .post(&format!("/v1/vouchers/{number}/reservation"))
            .signed_as("partner_admin")
            .json(&reservation())
            .send()
            .await
            .expect(200);
    }
    server.clock.set(date("2026-06-06"));
    let pdf = b"%PDF-1.7 plan".to_vec();
    let digest = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&pdf));
    for number in numbers {
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
            .json(&serde_json::json!({
                "deliveredStart": "2026-06-02", "deliveredEnd": "2026-06-04", "daysDelivered": 3,
                "leadConsultantId": "c-1", "summary": "Planned the migration.",
                "deliverables": [{ "fileName": "plan.pdf", "mediaType": "application/pdf",
                    "size": pdf.len(), "sha256": digest }],
            }))
            .send()
            .await
            .expect(200);
    }
}

/// Redeems `numbers` in one confirmed batch, then registers partner 1001's payee for desktop
/// (its global admin's step, open once a voucher is redeemed) so they can be claimed.
pub async fn redeem_all(server: &Server, numbers: &[String]) {
    server
        .post("/v1/redemptions")
        .signed_as("partner_admin")
        .json(&serde_json::json!({ "voucherNumbers": numbers, "confirm": true }))
        .send()
        .await
        .expect(200);
    register_payee(server).await;
}

/// Partner 1001's payee for desktop, registered by its global admin.
pub async fn register_payee(server: &Server) {
    server
        .put("/v1/partners/1001/payees/desktop")
        .signed_as("global_admin")
        .json(
            &serde_json::json!({ "payeeName": "Contoso Consulting Ltd", "country": "CN",
            "currency": "CNY" }),
        )
        .send()
        .await
        .expect(200);
}

/// `count` voucher numbers `PREFIX0000`, `PREFIX0001`, ...
pub fn numbered(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i:04}")).collect()
}

/// One `#[tokio::test]` per check on SQLite and one on DynamoDB Local, each on a fresh server
/// whose clock starts at the including file's `TODAY`.
#[macro_export]
macro_rules! on_both_backends {
    ($($check:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    super::$check(super::api::start(super::api::Backend::Sqlite, super::TODAY).await).await;
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    super::$check(super::api::start(super::api::Backend::Dynamo, super::TODAY).await).await;
                }
            )*
        }
    };
}
