//! A crash in the middle of a write burst (issue 19, item 8): `saps-server` on the embedded
//! store is killed with SIGKILL while eight clients reserve and cancel and one redeems batches,
//! then restarted on the same data. Every acknowledged write is there, every voucher's state
//! agrees with its history, no batch is half redeemed, and every acknowledged keyed request
//! still replays its answer.

#![cfg(unix)]
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use saps_core::access::{Principal, Role};
use saps_core::value::PartnerId;
use saps_lambda::api::identity::Hs256Keys;
use serde_json::{Value, json};
use sha2::Digest as _;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

const SECRET: &str = "saps chaos secret, never used outside tests";
const CYCLE_WORKERS: usize = 8;
const VOUCHERS_PER_WORKER: usize = 4;
const BATCHES: usize = 8;
const BATCH: usize = 5;
/// Acknowledged reservations and cancellations of the burst before the kill.
const KILL_AFTER: usize = 120;

struct Running {
    child: Child,
    base: String,
}

async fn start_server(dir: &Path, today: &str) -> Running {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_saps-server"))
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--today")
        .arg(today)
        .arg("--jwt-secret")
        .arg(SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("saps-server starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return Running { child, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("saps-server did not answer at {base}");
}

fn token(partner: Option<&str>, role: Role) -> String {
    let principal = Principal {
        sub: "chaos@example.test".into(),
        partner_id: partner.map(|p| PartnerId::parse(p).unwrap()),
        customer_id: None,
        roles: vec![role],
        grants: Vec::new(),
    };
    Hs256Keys::new(SECRET.as_bytes())
        .issue(&principal, 4_000_000_000)
        .unwrap()
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    admin: String,
    partner: String,
}

/// What a request got: an answer, or none (the connection failed: the server died).
type Outcome = Option<(u16, Value, bool)>;

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Outcome {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let replayed = response.headers().contains_key("idempotent-replayed");
        let text = response.text().await.ok()?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Some((status, body, replayed))
    }

    async fn ok(&self, method: reqwest::Method, path: &str, admin: bool, body: Value) -> Value {
        let token = if admin { &self.admin } else { &self.partner };
        let (status, body, _) = self
            .send(method, path, token, None, Some(&body))
            .await
            .expect("the server answers");
        assert!((200..300).contains(&status), "{path}: {status} {body}");
        body
    }
}

fn reservation(start: &str, end: &str) -> Value {
    json!({ "adminEmail": "admin@contoso.example", "acceptTerms": true,
        "locationId": "11", "engagementStart": start, "engagementEnd": end })
}

fn cycle_number(worker: usize, i: usize) -> String {
    format!("CYCLE{worker:02}{i:02}")
}

fn batch_numbers(batch: usize) -> Vec<String> {
    (0..BATCH)
        .map(|i| format!("BATCH{batch:02}{i:02}"))
        .collect()
}

/// One keyed or unkeyed write of the burst, and what it got.
#[derive(Clone, Debug)]
struct Sent {
    path: String,
    method: reqwest::Method,
    key: Option<String>,
    body: Value,
    outcome: Outcome,
}

async fn seed(dir: &Path) {
    // Day one: a partner enrolled, every voucher assigned, the batch vouchers reserved.
    let mut server = start_server(dir, "2026-06-01").await;
    let client = Client {
        http: reqwest::Client::new(),
        base: server.base.clone(),
        admin: token(None, Role::ProgramAdmin),
        partner: token(Some("1001"), Role::PartnerAdmin),
    };
    use reqwest::Method;
    client
        .ok(
            Method::PUT,
            "/v1/partners/1001",
            true,
            json!({ "locations": [{ "locationId": "11", "name": "Site 11", "country": "CN" }] }),
        )
        .await;
    client
        .ok(Method::PUT, "/v1/partners/1001/qualifications", true, json!({
            "competencies": [{ "area": "Modern Work", "validFrom": "2026-01-01", "validUntil": "2028-01-01" }],
            "complianceTraining": [{ "programId": "desktop", "completedOn": "2026-05-01" }],
            "consultants": [{ "consultantId": "c-1", "name": "Wei", "exams": [{ "code": "MS-102", "passedOn": "2026-02-01" }] }],
            "providerAgreements": [{ "programId": "desktop", "signedOn": "2026-01-15", "validUntil": "2028-01-15" }],
            "membershipValidUntil": "2028-01-15",
        }))
        .await;
    client
        .ok(
            Method::POST,
            "/v1/partners/1001/enrollments",
            false,
            json!({ "programId": "desktop", "locationIds": ["11"] }),
        )
        .await;
    let cycle =
        (0..CYCLE_WORKERS).flat_map(|w| (0..VOUCHERS_PER_WORKER).map(move |i| cycle_number(w, i)));
    let batch: Vec<String> = (0..BATCHES).flat_map(batch_numbers).collect();
    for number in cycle.chain(batch.iter().cloned()) {
        client
            .ok(
                Method::POST,
                "/v1/vouchers",
                true,
                json!({ "voucherNumber": number,
                "programId": "desktop", "days": 3, "customerName": "Contoso",
                "adminEmail": "admin@contoso.example", "partnerId": "1001" }),
            )
            .await;
    }
    for number in &batch {
        client
            .ok(
                Method::POST,
                &format!("/v1/vouchers/{number}/reservation"),
                false,
                reservation("2026-06-02", "2026-06-04"),
            )
            .await;
    }
    server.child.kill().await.expect("stop");
    // Day six: the batch vouchers delivered and reported.
    let mut server = start_server(dir, "2026-06-06").await;
    let client = Client {
        base: server.base.clone(),
        ..client
    };
    let pdf = b"%PDF-1.7 plan".to_vec();
    let digest = format!("{:x}", sha2::Sha256::digest(&pdf));
    for number in &batch {
        let response = client
            .http
            .put(format!(
                "{}/v1/vouchers/{number}/deliverables/plan.pdf",
                client.base
            ))
            .bearer_auth(&client.partner)
            .header("content-type", "application/pdf")
            .body(pdf.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        client
            .ok(Method::POST, &format!("/v1/vouchers/{number}/completion-report"), false, json!({
                "deliveredStart": "2026-06-02", "deliveredEnd": "2026-06-04", "daysDelivered": 3,
                "leadConsultantId": "c-1", "summary": "Planned the migration.",
                "deliverables": [{ "fileName": "plan.pdf", "mediaType": "application/pdf",
                    "size": pdf.len(), "sha256": digest }],
            }))
            .await;
    }
    server.child.kill().await.expect("stop");
}

/// A worker's loop: reserve and cancel its vouchers in turn until the server is gone.
async fn cycle_worker(client: Client, worker: usize, acked: Arc<AtomicUsize>) -> Vec<Sent> {
    let mut sent = Vec::new();
    for round in 0.. {
        for i in 0..VOUCHERS_PER_WORKER {
            let number = cycle_number(worker, i);
            let (method, path, key, body) = if round % 2 == 0 {
                (
                    reqwest::Method::POST,
                    format!("/v1/vouchers/{number}/reservation"),
                    Some(format!("reserve-{number}-{round}")),
                    reservation("2026-06-10", "2026-06-11"),
                )
            } else {
                (
                    reqwest::Method::DELETE,
                    format!("/v1/vouchers/{number}/reservation"),
                    None,
                    json!({ "reason": "engagementCancelled" }),
                )
            };
            let outcome = client
                .send(
                    method.clone(),
                    &path,
                    &client.partner,
                    key.as_deref(),
                    Some(&body),
                )
                .await;
            let died = outcome.is_none();
            if outcome
                .as_ref()
                .is_some_and(|(status, _, _)| *status == 200)
            {
                acked.fetch_add(1, Ordering::SeqCst);
            }
            sent.push(Sent {
                path,
                method,
                key,
                body,
                outcome,
            });
            if died {
                return sent;
            }
        }
    }
    sent
}

/// Redeems the batches one after another, paced so that the kill falls among them.
async fn redeem_worker(client: Client, acked: Arc<AtomicUsize>) -> Vec<Sent> {
    let mut sent = Vec::new();
    for batch in 0..BATCHES {
        let body = json!({ "voucherNumbers": batch_numbers(batch), "confirm": true });
        let key = format!("redeem-{batch}");
        let outcome = client
            .send(
                reqwest::Method::POST,
                "/v1/redemptions",
                &client.partner,
                Some(&key),
                Some(&body),
            )
            .await;
        let died = outcome.is_none();
        if outcome
            .as_ref()
            .is_some_and(|(status, _, _)| *status == 200)
        {
            acked.fetch_add(1, Ordering::SeqCst);
        }
        sent.push(Sent {
            path: "/v1/redemptions".into(),
            method: reqwest::Method::POST,
            key: Some(key),
            body,
            outcome,
        });
        if died {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sent
}

/// A voucher's stored state and its whole history.
async fn voucher_and_history(client: &Client, number: &str) -> (Value, Vec<Value>) {
    let voucher = client
        .send(
            reqwest::Method::GET,
            &format!("/v1/vouchers/{number}"),
            &client.partner,
            None,
            None,
        )
        .await
        .expect("an answer")
        .1;
    let mut history = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/vouchers/{number}/history?limit=100&cursor={c}"),
            None => format!("/v1/vouchers/{number}/history?limit=100"),
        };
        let page = client
            .send(reqwest::Method::GET, &path, &client.partner, None, None)
            .await
            .expect("an answer")
            .1;
        history.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (voucher, history),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;

    let server = Arc::new(Mutex::new(start_server(dir.path(), "2026-06-06").await));
    let base = server.lock().await.base.clone();
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        base,
        admin: token(None, Role::ProgramAdmin),
        partner: token(Some("1001"), Role::PartnerAdmin),
    };
    let acked = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 0..CYCLE_WORKERS {
        workers.push(tokio::spawn(cycle_worker(
            client.clone(),
            worker,
            acked.clone(),
        )));
    }
    let redeemed = Arc::new(AtomicUsize::new(0));
    let redeemer = tokio::spawn(redeem_worker(client.clone(), redeemed.clone()));
    // SIGKILL in the middle of the burst: past KILL_AFTER changes and half the batches.
    while acked.load(Ordering::SeqCst) < KILL_AFTER || redeemed.load(Ordering::SeqCst) < BATCHES / 2
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.lock().await.child.start_kill().expect("SIGKILL");
    let mut cycles = Vec::new();
    for worker in workers {
        cycles.push(worker.await.unwrap());
    }
    let redemptions = redeemer.await.unwrap();
    let acknowledged: usize = cycles
        .iter()
        .chain(std::iter::once(&redemptions))
        .flatten()
        .filter(|s| {
            s.outcome
                .as_ref()
                .is_some_and(|(status, _, _)| *status == 200)
        })
        .count();
    assert!(acknowledged >= KILL_AFTER + BATCHES / 2, "{acknowledged}");
    let in_flight = cycles
        .iter()
        .chain(std::iter::once(&redemptions))
        .flatten()
        .filter(|s| s.outcome.is_none())
        .count();
    eprintln!(
        "killed after {acknowledged} acknowledged writes, {in_flight} in flight, {} of {BATCHES} batches sent",
        redemptions.len()
    );

    let restarted = start_server(dir.path(), "2026-06-06").await;
    let client = Client {
        base: restarted.base.clone(),
        ..client
    };

    // Every voucher agrees with its history, and every acknowledged write is in it.
    for (worker, sent) in cycles.iter().enumerate() {
        for i in 0..VOUCHERS_PER_WORKER {
            let number = cycle_number(worker, i);
            let (voucher, history) = voucher_and_history(&client, &number).await;
            let versions: Vec<u64> = history
                .iter()
                .map(|h| h["version"].as_u64().unwrap())
                .collect();
            assert_eq!(
                versions,
                (1..=versions.len() as u64).collect::<Vec<_>>(),
                "{number}"
            );
            assert_eq!(
                voucher["version"].as_u64(),
                versions.last().copied(),
                "{number}"
            );
            assert_eq!(voucher["state"], history.last().unwrap()["to"], "{number}");
            let mine: Vec<&Sent> = sent.iter().filter(|s| s.path.contains(&number)).collect();
            let acked = mine
                .iter()
                .filter(|s| {
                    s.outcome
                        .as_ref()
                        .is_some_and(|(status, _, _)| *status == 200)
                })
                .count();
            let unknown = mine.iter().filter(|s| s.outcome.is_none()).count();
            // The assignment, each acknowledged change, and at most the one in flight.
            let changes = history.len() - 1;
            assert!(
                changes >= acked && changes <= acked + unknown,
                "{number}: {changes} changes for {acked} acknowledged and {unknown} in flight"
            );
        }
    }

    // No half batch: each batch is all redeemed or all still completed; acknowledged ones redeemed.
    for (batch, sent) in
        (0..BATCHES).zip(redemptions.iter().map(Some).chain(std::iter::repeat(None)))
    {
        let mut states = Vec::new();
        for number in batch_numbers(batch) {
            let (voucher, history) = voucher_and_history(&client, &number).await;
            assert_eq!(voucher["state"], history.last().unwrap()["to"], "{number}");
            states.push(voucher["state"].as_str().unwrap().to_owned());
        }
        assert!(
            states.iter().all(|s| s == "redeemed") || states.iter().all(|s| s == "completed"),
            "batch {batch} is half redeemed: {states:?}"
        );
        if sent.is_some_and(|s| {
            s.outcome
                .as_ref()
                .is_some_and(|(status, _, _)| *status == 200)
        }) {
            assert_eq!(states[0], "redeemed", "batch {batch} was acknowledged");
        }
    }

    // Every acknowledged keyed request replays its answer.
    let keyed = cycles
        .iter()
        .flatten()
        .chain(redemptions.iter())
        .filter(|s| {
            s.key.is_some()
                && s.outcome
                    .as_ref()
                    .is_some_and(|(status, _, _)| *status == 200)
        });
    let mut replays = 0;
    for sent in keyed {
        let (_, first, _) = sent.outcome.clone().unwrap();
        let again = client
            .send(
                sent.method.clone(),
                &sent.path,
                &client.partner,
                sent.key.as_deref(),
                Some(&sent.body),
            )
            .await
            .expect("an answer");
        assert_eq!(again.0, 200, "{}: {}", sent.path, again.1);
        assert!(again.2, "{} was not replayed", sent.path);
        assert_eq!(again.1, first, "{} replayed another answer", sent.path);
        replays += 1;
    }
    assert!(replays > 0);
}
