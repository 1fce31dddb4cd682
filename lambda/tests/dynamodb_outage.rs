//! Fault test (SPEC §13): DynamoDB Local is killed in the middle of a run of reservations and
//! a redemption batch. Calls during the outage return `Unavailable`; after the server is back
//! on the same data, no voucher is half-changed: each one's version, history and outbox agree,
//! and the batch is wholly in or wholly out.
//!
//! The test runs a server of its own (file-backed, so a restart keeps the data) from the jar
//! that the npm package `amplify-dynamodb-simulator` ships; `SAPS_DYNAMODB_LOCAL_DIR` points
//! elsewhere if needed.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod conformance;

use saps_core::redemption;
use saps_core::value::VoucherNumber;
use saps_core::voucher::{EventKind, VoucherState};
use saps_lambda::store::dynamo::{self, DynamoStore};
use saps_lambda::store::{Commit, Store, StoreError};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

fn emulator_dir() -> PathBuf {
    std::env::var_os("SAPS_DYNAMODB_LOCAL_DIR").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../node_modules/amplify-dynamodb-simulator/emulator")
        },
        PathBuf::from,
    )
}

/// A DynamoDB Local process on `port` keeping its data in `data`; killed when dropped.
struct Server(Child);

impl Server {
    fn start(port: u16, data: &Path) -> Server {
        let emulator = emulator_dir();
        let child = Command::new("java")
            .arg(format!(
                "-Djava.library.path={}",
                emulator.join("DynamoDBLocal_lib").display()
            ))
            .arg("-jar")
            .arg(emulator.join("DynamoDBLocal.jar"))
            .args(["-sharedDb", "-dbPath"])
            .arg(data)
            .args(["-port", &port.to_string(), "-disableTelemetry"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("java runs DynamoDB Local (npm ci installs the jar)");
        Server(child)
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn wait_until_up(store: &DynamoStore) {
    for _ in 0..120 {
        if store
            .voucher(&conformance::number("SAPSPROBE00"))
            .await
            .is_ok()
            || matches!(store.create_table().await, Ok(()))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("DynamoDB Local did not answer within 30 s");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Every voucher agrees with its own history and outbox.
async fn assert_whole(store: &dyn Store, numbers: &[VoucherNumber]) {
    for number in numbers {
        let voucher = store.voucher(number).await.unwrap().expect("voucher kept");
        let history = store.history(number).await.unwrap();
        let versions: Vec<u64> = history.iter().map(|h| h.version).collect();
        assert_eq!(
            versions,
            (1..=voucher.version).collect::<Vec<_>>(),
            "{number}: history matches version"
        );
        assert_eq!(
            history.last().map(|h| h.to),
            Some(voucher.state),
            "{number}: state matches history"
        );
        // One notification per day with a reservation change: that day's last change.
        let mut last_of_day: Vec<(chrono::NaiveDate, EventKind)> = Vec::new();
        for h in history
            .iter()
            .filter(|h| matches!(h.event, EventKind::Reserve | EventKind::CancelReservation))
        {
            match last_of_day.last_mut() {
                Some((day, event)) if *day == h.on => *event = h.event,
                _ => last_of_day.push((h.on, h.event)),
            }
        }
        let outbox: Vec<(chrono::NaiveDate, EventKind)> = store
            .notifications(number)
            .await
            .unwrap()
            .iter()
            .map(|n| (n.on, n.event))
            .collect();
        assert_eq!(outbox, last_of_day, "{number}: outbox matches history");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_outage_changes_nothing_by_halves() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Server::start(port, data.path());
    let store = Arc::new(DynamoStore::new(
        dynamo::local_client(&format!("http://127.0.0.1:{port}")),
        "saps-outage",
    ));
    wait_until_up(&store).await;
    store.create_table().await.unwrap();

    let assigned: Vec<VoucherNumber> = (0..40)
        .map(|i| conformance::number(&format!("SAPSOUT{i:04}")))
        .collect();
    let batch: Vec<VoucherNumber> = (0..25)
        .map(|i| conformance::number(&format!("SAPSOUTB{i:04}")))
        .collect();
    conformance::insert(
        &*store,
        assigned
            .iter()
            .map(|n| conformance::assigned(n.as_str(), "1001", conformance::today()))
            .collect(),
    )
    .await;
    conformance::insert(
        &*store,
        batch
            .iter()
            .map(|n| conformance::completed(n.as_str(), "1001"))
            .collect(),
    )
    .await;

    // Reservations stream in from two tasks while the server is killed part-way.
    let outcomes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let workers: Vec<_> = assigned
        .chunks(20)
        .map(|chunk| {
            let (store, outcomes, chunk) =
                (Arc::clone(&store), Arc::clone(&outcomes), chunk.to_vec());
            tokio::spawn(async move {
                for number in chunk {
                    let outcome = match store.voucher(&number).await {
                        Ok(Some(current)) => {
                            conformance::apply(&*store, conformance::reserve(&current)).await
                        }
                        Ok(None) => panic!("{number} vanished"),
                        Err(e) => Err(e),
                    };
                    outcomes
                        .lock()
                        .unwrap()
                        .push(outcome.map_err(|e| e.to_string()));
                    tokio::time::sleep(Duration::from_millis(40)).await;
                }
            })
        })
        .collect();
    while outcomes
        .lock()
        .unwrap()
        .iter()
        .filter(|o| o.is_ok())
        .count()
        < 6
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The redemption batch is decided while the server is up and sent as it goes down.
    let completed = store.vouchers(&batch).await.unwrap();
    let transitions = redemption::redeem(
        &batch,
        &completed,
        &[conformance::enrollment()],
        &conformance::admin("1001"),
        conformance::catalog(),
        conformance::today(),
    )
    .unwrap();
    let redeeming = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .commit(Commit {
                    transitions,
                    ..Commit::default()
                })
                .await
        })
    };
    server.kill();
    for worker in workers {
        worker.await.unwrap();
    }
    let redeemed = redeeming.await.unwrap();

    // During the outage every call says Unavailable: never a panic, never a conflict.
    let read = store.voucher(&assigned[0]).await;
    assert!(matches!(read, Err(StoreError::Unavailable(_))), "{read:?}");
    let offline = conformance::assigned("SAPSOUT0000", "1001", conformance::today()).0;
    let write = conformance::apply(&*store, conformance::reserve(&offline)).await;
    assert!(
        matches!(write, Err(StoreError::Unavailable(_))),
        "{write:?}"
    );
    let outcomes = outcomes.lock().unwrap().clone();
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    assert!(
        failed > 0,
        "the kill landed after every reservation: {outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .filter_map(|o| o.as_ref().err())
            .all(|e| e.starts_with("store unavailable")),
        "{outcomes:?}"
    );

    // Back on the same data: nothing is half-changed.
    let _server = Server::start(port, data.path());
    wait_until_up(&store).await;
    assert_whole(&*store, &assigned).await;
    assert_whole(&*store, &batch).await;
    let states: Vec<VoucherState> = store
        .vouchers(&batch)
        .await
        .unwrap()
        .iter()
        .map(|v| v.state)
        .collect();
    assert!(
        states.iter().all(|s| *s == states[0]),
        "the batch is wholly redeemed or wholly not: {states:?} (commit said {redeemed:?})"
    );
    if redeemed.is_ok() {
        assert_eq!(states[0], VoucherState::Redeemed);
    }
    let reserved = store
        .vouchers(&assigned)
        .await
        .unwrap()
        .iter()
        .filter(|v| v.state == VoucherState::Reserved)
        .count();
    let succeeded = outcomes.iter().filter(|o| o.is_ok()).count();
    // A reservation whose answer was lost in the outage may still have landed.
    assert!(
        reserved >= succeeded,
        "{reserved} reserved, {succeeded} acknowledged"
    );

    // And work goes on: the vouchers still assigned can be reserved now.
    for number in &assigned {
        let current = store.voucher(number).await.unwrap().unwrap();
        if current.state == VoucherState::Assigned {
            conformance::apply(&*store, conformance::reserve(&current))
                .await
                .unwrap();
        }
    }
    assert_whole(&*store, &assigned).await;
}
