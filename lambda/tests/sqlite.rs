//! The conformance suite on the embedded SQLite backend, each check in its own data directory.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod conformance;

use saps_lambda::store::Store;
use saps_lambda::store::sqlite::SqliteStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A store in a fresh directory, kept for the life of the test process.
async fn fresh_store() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    Arc::new(SqliteStore::open(&dir).expect("open store"))
}

conformance_suite!(fresh_store());

#[tokio::test]
async fn data_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (voucher, history) = conformance::assigned("SAPS0100KEEP", "1001", conformance::today());
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        conformance::insert(&store, vec![(voucher.clone(), history)]).await;
    }
    let reopened = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(conformance::load(&reopened, "SAPS0100KEEP").await, voucher);
}

#[tokio::test]
async fn expired_idempotency_records_are_swept() {
    use conformance::{DAY, KEYS_WRITTEN_AT, key_only};
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).unwrap();
    store
        .commit(key_only("old", "", KEYS_WRITTEN_AT))
        .await
        .unwrap();
    // The next keyed commit after the old key's expiry deletes its record.
    store
        .commit(key_only("new", "", KEYS_WRITTEN_AT + 2 * DAY))
        .await
        .unwrap();
    let scope = "1001 POST /v1/claims";
    assert!(store.idempotency(scope, "old").await.unwrap().is_none());
    assert!(store.idempotency(scope, "new").await.unwrap().is_some());
}

#[test]
fn a_store_from_before_key_expiry_gets_the_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let connection = rusqlite::Connection::open(dir.path().join("saps.sqlite3")).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE idempotency (scope TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, \
             PRIMARY KEY (scope, key)) WITHOUT ROWID;
             INSERT INTO idempotency VALUES ('s', 'k', '{}');",
        )
        .unwrap();
    drop(connection);
    SqliteStore::open(dir.path()).unwrap();
    let connection = rusqlite::Connection::open(dir.path().join("saps.sqlite3")).unwrap();
    let expires: i64 = connection
        .query_row(
            "SELECT expires_at FROM idempotency WHERE key = 'k'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(expires, 0, "an old record reads as expired");
}

/// Commits that queue up behind a held lock go into one transaction (group commit), and each
/// keeps its own outcome: of two first saves of one partner exactly one wins, and the loser
/// is rolled back with everything it would have written (its directory listing), while the
/// others in its group are written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_grouped_in_one_transaction_keep_their_own_outcomes() {
    use conformance::{enrollment, listed_where, partner_id, profile};
    use saps_lambda::store::{Commit, ConflictItem, Partner, PartnerSave, StoreError};
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let first_save = |id: &str, name: &str| {
        let mut partner = Partner::new(partner_id(id)).next_version();
        partner.enrollments = vec![enrollment()];
        partner.profile = Some(profile(name, &["US"], &["en"]));
        Commit {
            partner: Some(PartnerSave {
                previous: None,
                next: partner,
            }),
            ..Commit::default()
        }
    };
    let commits = [
        first_save("1001", "Alpha"),
        first_save("1002", "Beta"),
        first_save("1001", "Gamma"),
        first_save("1003", "Delta"),
    ];

    // Another connection holds the write lock while all four queue up behind the writer.
    let blocker = rusqlite::Connection::open(dir.path().join("saps.sqlite3")).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let pending: Vec<_> = commits
        .into_iter()
        .map(|commit| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.commit(commit).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    blocker.execute_batch("COMMIT").unwrap();
    let mut outcomes = Vec::new();
    for commit in pending {
        outcomes.push(commit.await.unwrap());
    }

    let [alpha, beta, gamma, delta] = <[_; 4]>::try_from(outcomes).unwrap();
    assert!(beta.is_ok() && delta.is_ok(), "{beta:?} {delta:?}");
    let lost = match (&alpha, &gamma) {
        (Ok(()), Err(lost)) => (lost, "Gamma"),
        (Err(lost), Ok(())) => (lost, "Alpha"),
        other => panic!("exactly one first save of 1001 wins: {other:?}"),
    };
    assert!(
        matches!(lost.0, StoreError::Conflict { item: ConflictItem::Partner(id), .. } if id.as_str() == "1001"),
        "{:?}",
        lost.0
    );
    let listed = listed_where(&*store, Default::default()).await;
    let winner = if lost.1 == "Alpha" { "Gamma" } else { "Alpha" };
    assert!(listed.contains(&winner.to_owned()), "{listed:?}");
    assert!(!listed.contains(&lost.1.to_owned()), "{listed:?}");
    assert_eq!(listed.len(), 3, "{listed:?}");
}

/// Saves partner `i` for the first time, with a description long enough that a few hundred
/// saves fill hundreds of WAL pages.
fn large_first_save(i: usize) -> saps_lambda::store::Commit {
    use conformance::{enrollment, partner_id, profile};
    use saps_lambda::store::{Commit, Partner, PartnerSave};
    let mut partner = Partner::new(partner_id(&(10_000 + i).to_string())).next_version();
    partner.enrollments = vec![enrollment()];
    let mut shown = profile(&format!("Partner {i:05}"), &["US", "NZ"], &["en", "mi"]);
    shown.description = "Deployment planning for Microsoft 365. ".repeat(100);
    partner.profile = Some(shown);
    Commit {
        partner: Some(PartnerSave {
            previous: None,
            next: partner,
        }),
        ..Commit::default()
    }
}

/// Bytes of the store's write-ahead log file.
fn log_bytes(dir: &std::path::Path) -> u64 {
    std::fs::metadata(dir.join("saps.sqlite3-wal")).map_or(0, |m| m.len())
}

/// The writer replaces SQLite's automatic checkpoint with its own: once no commit is waiting
/// the log is copied into the database file, and while commits keep coming the log is still
/// bounded. Either failing leaves every write in an ever-growing log.
#[tokio::test(flavor = "multi_thread")]
async fn the_log_is_checkpointed_when_idle_and_bounded_when_busy() {
    const PAGE: u64 = 4096;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let database = dir.path().join("saps.sqlite3");
    let file_bytes = || std::fs::metadata(&database).map_or(0, |m| m.len());

    // Idle: saves one at a time, so the writer is idle after each; past 256 pages of log the
    // database file holds them.
    for i in 0..200 {
        store.commit(large_first_save(i)).await.unwrap();
    }
    assert!(
        file_bytes() > 200 * PAGE,
        "database file {} B, log {} B",
        file_bytes(),
        log_bytes(dir.path())
    );

    // Busy: 2,000 saves queue up behind another connection's write lock, so once it is
    // released the writer is never idle until the last; the log stays near its 1,000-page
    // limit (plus the group that crossed it) while the data grows far past it.
    let blocker = rusqlite::Connection::open(&database).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let watching = Arc::new(AtomicBool::new(true));
    let watcher = {
        let (watching, dir) = (Arc::clone(&watching), dir.path().to_owned());
        std::thread::spawn(move || {
            let mut largest = 0;
            while watching.load(Ordering::Relaxed) {
                largest = largest.max(log_bytes(&dir));
                std::thread::sleep(Duration::from_millis(1));
            }
            largest
        })
    };
    let saves: Vec<_> = (200..2_200)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.commit(large_first_save(i)).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    blocker.execute_batch("COMMIT").unwrap();
    for save in saves {
        save.await.unwrap().unwrap();
    }
    watching.store(false, Ordering::Relaxed);
    let largest = watcher.join().unwrap();
    assert!(
        file_bytes() > 4_000 * PAGE,
        "database file {} B",
        file_bytes()
    );
    assert!(largest < 1_600 * PAGE, "the log reached {largest} B");
}
