//! The embedded backend: SQLite in a data directory, for local runs (SPEC §13).
//!
//! Same semantics as DynamoDB: a commit is one `BEGIN IMMEDIATE` transaction whose every
//! versioned write is conditional; lists and the directory read ordered indexes from a cursor.
//! Aggregates are stored as their JSON next to the columns that key and order them. SQLite is
//! synchronous, so reads run on tokio's blocking pool on a few reader connections, and commits
//! go to one writer thread (WAL lets readers run beside the writer). The writer commits what
//! has queued up together (group commit): one transaction, each commit in its own savepoint.

use super::directory::{self, DirectoryKey, DirectoryRecord};
use super::{
    ClaimPage, ClaimQuery, Commit, ConflictItem, CustomerAccount, Engagements, IdempotencyRecord,
    Partner, ProgramSave, Store, StoreError, StoreResult, VoucherPage, VoucherQuery, catalog_order,
    claim_page, decode_list_cursor, encode_list_cursor, voucher_list_key,
};
use async_trait::async_trait;
use rusqlite::hooks::Wal;
use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use saps_core::access::grants::AccessChange;
use saps_core::catalog::Program;
use saps_core::claim::Claim;
use saps_core::completion::Deliverable;
use saps_core::value::Named as _;
use saps_core::value::{ClaimId, CustomerId, PartnerId, ProgramId, Sha256, VoucherNumber};
use saps_core::voucher::ExpiryBound;
use saps_core::voucher::{CustomerNotification, HistoryEntry, UploadEffect, Voucher};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// The schema; `IF NOT EXISTS` makes opening an existing data directory a no-op.
const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS programs (
    program_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS partners (
    partner_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS directory (
    idx TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (idx, sort_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS directory_by_partner ON directory (partner_id);
CREATE TABLE IF NOT EXISTS directory_filters (
    idx TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    PRIMARY KEY (idx, sort_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS directory_filters_by_partner ON directory_filters (partner_id);
CREATE TABLE IF NOT EXISTS vouchers (
    voucher_number TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL,
    state TEXT NOT NULL,
    list_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vouchers_by_partner ON vouchers (partner_id, list_key);
CREATE INDEX IF NOT EXISTS vouchers_by_partner_state ON vouchers (partner_id, state, list_key);
CREATE TABLE IF NOT EXISTS history (
    voucher_number TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (voucher_number, version)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TABLE IF NOT EXISTS outbox (
    voucher_number TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (voucher_number, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
    voucher_number TEXT NOT NULL,
    file_name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (voucher_number, file_name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS engagements (
    engagements_key TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS access_audit (
    partner_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (partner_id, version)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS access_audit_no_update BEFORE UPDATE ON access_audit
    BEGIN SELECT RAISE(ABORT, 'the access audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_audit_no_delete BEFORE DELETE ON access_audit
    BEGIN SELECT RAISE(ABORT, 'the access audit is append-only'); END;
CREATE TABLE IF NOT EXISTS redeemed_programs (
    partner_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    PRIMARY KEY (partner_id, program_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (
    claim_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
) WITHOUT ROWID;
-- The claims lists (SPEC §15.7) read these, by partner and state or by state, oldest first.
CREATE INDEX IF NOT EXISTS claims_by_partner ON claims (json_extract(doc, '$.partnerId'),
    json_extract(doc, '$.state'), json_extract(doc, '$.submittedOn'), claim_id);
CREATE INDEX IF NOT EXISTS claims_by_state ON claims (json_extract(doc, '$.state'),
    json_extract(doc, '$.submittedOn'), claim_id);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    expires_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
";

/// What a store made before a column existed lacks: added in place, once.
fn migrate(connection: &Connection) -> StoreResult<()> {
    let has_expiry: bool = connection
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('idempotency') WHERE name = 'expires_at'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(unavailable)?
        > 0;
    if !has_expiry {
        connection
            .execute_batch(
                "ALTER TABLE idempotency ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0",
            )
            .map_err(unavailable)?;
    }
    connection
        .execute_batch("CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at)")
        .map_err(unavailable)?;
    // Version 1: the directory's filter entries, which stores made before them lack.
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(unavailable)?;
    if version < 1 {
        let tx = connection.unchecked_transaction().map_err(unavailable)?;
        let partners: Vec<Partner> = docs(&tx, "SELECT doc FROM partners", [], "partners")?;
        for partner in &partners {
            write_filter_entries(&tx, partner)?;
        }
        tx.execute_batch("PRAGMA user_version = 1")
            .map_err(unavailable)?;
        tx.commit().map_err(unavailable)?;
    }
    // Version 2: programs stored with one `dailyRate` (before rates per delivery country,
    // SPEC §15.1) cannot be read. No country can be assumed for them, so they are dropped and
    // the catalog is seeded again from the sample when none is left.
    if version < 2 {
        let dropped = connection
            .execute(
                "DELETE FROM programs WHERE json_extract(doc, '$.program.dailyRates') IS NULL",
                [],
            )
            .map_err(unavailable)?;
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "dropped stored programs with a single dailyRate; re-create them with dailyRates"
            );
        }
        connection
            .execute_batch("PRAGMA user_version = 2")
            .map_err(unavailable)?;
    }
    Ok(())
}

/// Replaces `partner`'s filter entries with those of its current profile and enrollments.
fn write_filter_entries(connection: &Connection, partner: &Partner) -> StoreResult<()> {
    connection
        .execute(
            "DELETE FROM directory_filters WHERE partner_id = ?1",
            [partner.partner_id.as_str()],
        )
        .map_err(unavailable)?;
    let mut insert = connection
        .prepare_cached(
            "INSERT INTO directory_filters (idx, sort_key, partner_id) VALUES (?1, ?2, ?3)",
        )
        .map_err(unavailable)?;
    for entry in directory::filter_entries(partner) {
        insert
            .execute(params![
                entry.index,
                entry.key.sort_text(),
                partner.partner_id.as_str()
            ])
            .map_err(unavailable)?;
    }
    Ok(())
}

/// Expired idempotency records deleted by each keyed commit: enough to outpace the keys a
/// busy server writes, small enough to keep the commit short.
const SWEEP: i64 = 64;

/// Readers beside the one writer: enough for 2 cores with room for blocking-pool overlap.
const READERS: usize = 4;

/// The most commits one transaction of the writer carries: enough to drain a burst of the
/// local server's writers at once, few enough that one group's transaction stays short.
const GROUP: usize = 64;

/// WAL pages (4 KiB each) past which the writer checkpoints (copies the log into the database
/// file) as soon as no commit is waiting. A checkpoint holds every writer queued behind it, so
/// it is put where none is queued (the reservation p99 under load, measured in
/// lambda/DESIGN.md).
const CHECKPOINT_IDLE_PAGES: i32 = 256;

/// WAL pages past which the writer checkpoints even with commits waiting, so that a writer
/// that is never idle still keeps the log (and each read's walk through it) bounded. SQLite's
/// own automatic checkpoint is replaced by these two.
const CHECKPOINT_PAGES: i32 = 1000;

/// The SQLite store. Cheap to clone; clones share the connections.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// The writer thread's queue; `None` only while dropping.
    writes: Option<mpsc::Sender<Queued>>,
    writer: Option<std::thread::JoinHandle<()>>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    path: PathBuf,
}

impl Drop for Inner {
    /// Closing the queue stops the writer once it has answered what it holds; waiting for it
    /// means the file is closed when the last clone of the store is gone.
    fn drop(&mut self) {
        self.writes.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// A commit waiting for the writer thread, and where its outcome goes.
struct Queued {
    commit: Commit,
    outcome: tokio::sync::oneshot::Sender<StoreResult<()>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

fn unavailable(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

fn open_connection(path: &Path) -> StoreResult<Connection> {
    let connection = Connection::open(path).map_err(unavailable)?;
    // A writer holding the lock briefly must not fail readers or the next writer at once.
    connection
        .busy_timeout(Duration::from_secs(5))
        .map_err(unavailable)?;
    Ok(connection)
}

impl SqliteStore {
    /// Opens (creating when missing) the store in `dir`, as `dir/saps.sqlite3`.
    pub fn open(dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(dir).map_err(unavailable)?;
        let path = dir.join("saps.sqlite3");
        let mut writer = open_connection(&path)?;
        writer.execute_batch(SCHEMA).map_err(unavailable)?;
        migrate(&writer)?;
        let log_pages = Arc::new(AtomicI32::new(0));
        let hook_pages = Arc::clone(&log_pages);
        // The hook replaces SQLite's automatic checkpoint; `write_groups` checkpoints instead.
        writer
            .wal_hook(Some(move |_: &mut Wal, pages| {
                hook_pages.store(pages, Ordering::Relaxed);
                Ok(())
            }))
            .map_err(unavailable)?;
        let readers = (0..READERS)
            .map(|_| open_connection(&path).map(Mutex::new))
            .collect::<StoreResult<Vec<_>>>()?;
        let (writes, queue) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("saps-sqlite-writer".into())
            .spawn(move || write_groups(writer, &queue, &log_pages))
            .map_err(unavailable)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writes: Some(writes),
                writer: Some(writer),
                readers,
                next_reader: AtomicUsize::new(0),
                path,
            }),
        })
    }

    /// Runs `read` on a reader connection, off the async threads.
    async fn read<T, F>(&self, read: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let n = inner.next_reader.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
            let reader = inner
                .readers
                .get(n)
                .ok_or_else(|| unavailable("no reader connection"))?;
            let connection = reader.lock().map_err(|_| unavailable("reader poisoned"))?;
            read(&connection)
        })
        .await
        .map_err(unavailable)?
    }
}

/// The writer thread: takes the first queued commit and every one queued behind it (up to
/// [`GROUP`]) and commits them in one transaction. Each is applied in its own savepoint, so
/// one that fails (a conflict) is rolled back alone and the others still commit; each is
/// answered only once the transaction holding it is committed. Writers that arrive together
/// thus share one `COMMIT` instead of queueing for one each. Between groups it checkpoints
/// the log (`log_pages`: its length after the last commit, kept by the WAL hook) when none is
/// waiting, or when the log is long. Ends when the queue closes.
fn write_groups(mut connection: Connection, queue: &mpsc::Receiver<Queued>, log_pages: &AtomicI32) {
    let mut waiting = None;
    while let Some(first) = waiting.take().or_else(|| queue.recv().ok()) {
        let mut group = vec![first];
        while group.len() < GROUP {
            match queue.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let outcomes = commit_group(&mut connection, group.iter().map(|queued| &queued.commit));
        for (queued, outcome) in group.into_iter().zip(outcomes) {
            // A caller that stopped waiting has nothing to be told.
            let _ = queued.outcome.send(outcome);
        }
        waiting = queue.try_recv().ok();
        let threshold = if waiting.is_some() {
            CHECKPOINT_PAGES
        } else {
            CHECKPOINT_IDLE_PAGES
        };
        if log_pages.load(Ordering::Relaxed) >= threshold {
            // PASSIVE never waits for readers: frames a reader still needs are copied by a
            // later checkpoint. A failure leaves the log as it was, to be tried again.
            match connection.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
                Ok(_) => log_pages.store(0, Ordering::Relaxed),
                Err(error) => tracing::warn!(%error, "checkpoint failed"),
            }
        }
    }
}

/// Commits `commits` in one transaction, each all or nothing; the outcome of each, in order.
fn commit_group<'a>(
    connection: &mut Connection,
    commits: impl ExactSizeIterator<Item = &'a Commit>,
) -> Vec<StoreResult<()>> {
    let count = commits.len();
    let mut tx = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(error) => return (0..count).map(|_| Err(unavailable(&error))).collect(),
    };
    let outcomes: Vec<StoreResult<()>> = commits
        .map(|commit| {
            let savepoint = tx.savepoint().map_err(unavailable)?;
            // Dropping the savepoint on an error rolls back this commit's writes only.
            apply(&savepoint, commit)?;
            savepoint.commit().map_err(unavailable)
        })
        .collect();
    match tx.commit() {
        Ok(()) => outcomes,
        // Nothing of the group was written: those that had applied are unavailable, those that
        // had failed keep their own reason.
        Err(error) => outcomes
            .into_iter()
            .map(|outcome| outcome.and(Err(unavailable(&error))))
            .collect(),
    }
}

fn to_doc<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        key: std::any::type_name::<T>().to_owned(),
        reason: e.to_string(),
    })
}

fn from_doc<T: DeserializeOwned>(key: &str, doc: &str) -> StoreResult<T> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

/// Reads the JSON documents one query returns, in order.
fn docs<T: DeserializeOwned>(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    key: &str,
) -> StoreResult<Vec<T>> {
    let mut statement = connection.prepare_cached(sql).map_err(unavailable)?;
    let rows = statement
        .query_map(params, |row| row.get::<_, String>(0))
        .map_err(unavailable)?;
    rows.map(|doc| from_doc(key, &doc.map_err(unavailable)?))
        .collect()
}

fn one_doc<T: DeserializeOwned>(
    connection: &Connection,
    sql: &str,
    id: &str,
) -> StoreResult<Option<T>> {
    let doc: Option<String> = connection
        .prepare_cached(sql)
        .map_err(unavailable)?
        .query_row([id], |row| row.get(0))
        .optional()
        .map_err(unavailable)?;
    doc.map(|doc| from_doc(id, &doc)).transpose()
}

/// Whether an insert failed only because the key exists.
fn is_duplicate(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

fn conflict(item: ConflictItem, reason: &str) -> StoreError {
    StoreError::Conflict {
        item,
        reason: reason.to_owned(),
    }
}

/// Writes `versioned` as version `version`: inserted when 1, else updated from `version - 1`.
fn versioned_write(
    tx: &Connection,
    (insert, update): (&str, &str),
    id: &str,
    version: u64,
    doc: &str,
    item: impl Fn() -> ConflictItem,
) -> StoreResult<()> {
    let version = i64::try_from(version).map_err(unavailable)?;
    if version == 1 {
        match tx.execute(insert, params![id, version, doc]) {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate(&e) => Err(conflict(item(), "already exists")),
            Err(e) => Err(unavailable(e)),
        }
    } else {
        let changed = tx
            .execute(update, params![id, version, doc, version - 1])
            .map_err(unavailable)?;
        if changed == 1 {
            Ok(())
        } else {
            Err(conflict(item(), "version changed"))
        }
    }
}

fn insert_line(
    tx: &Connection,
    sql: &str,
    number: &VoucherNumber,
    version: u64,
    doc: &str,
) -> StoreResult<()> {
    let version = i64::try_from(version).map_err(unavailable)?;
    match tx.execute(sql, params![number.as_str(), version, doc]) {
        Ok(_) => Ok(()),
        Err(e) if is_duplicate(&e) => Err(conflict(
            ConflictItem::Voucher(number.clone()),
            "history line exists",
        )),
        Err(e) => Err(unavailable(e)),
    }
}

fn write_voucher(tx: &Connection, voucher: &Voucher, history: &HistoryEntry) -> StoreResult<()> {
    let doc = to_doc(voucher)?;
    let version = i64::try_from(voucher.version).map_err(unavailable)?;
    let number = voucher.voucher_number.as_str();
    let columns = params![
        number,
        // Empty for a customer's voucher not yet assigned: no partner's list holds it.
        voucher.partner_id.as_ref().map_or("", |p| p.as_str()),
        voucher.state.name(),
        voucher_list_key(voucher),
        version,
        doc
    ];
    let item = || ConflictItem::Voucher(voucher.voucher_number.clone());
    if voucher.version == 1 {
        match tx.execute(
            "INSERT INTO vouchers (voucher_number, partner_id, state, list_key, version, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            columns,
        ) {
            Ok(_) => {}
            Err(e) if is_duplicate(&e) => return Err(conflict(item(), "number in use")),
            Err(e) => return Err(unavailable(e)),
        }
    } else {
        let changed = tx
            .execute(
                "UPDATE vouchers SET partner_id = ?2, state = ?3, list_key = ?4, version = ?5,
                 doc = ?6 WHERE voucher_number = ?1 AND version = ?5 - 1",
                columns,
            )
            .map_err(unavailable)?;
        if changed != 1 {
            return Err(conflict(item(), "version changed"));
        }
    }
    insert_line(
        tx,
        "INSERT INTO history (voucher_number, version, doc) VALUES (?1, ?2, ?3)",
        &voucher.voucher_number,
        history.version,
        &to_doc(history)?,
    )
}

fn apply(tx: &Connection, commit: &Commit) -> StoreResult<()> {
    for (partner, program) in &commit.redeemed_programs {
        tx.execute(
            "INSERT OR IGNORE INTO redeemed_programs (partner_id, program_id) VALUES (?1, ?2)",
            params![partner.as_str(), program.as_str()],
        )
        .map_err(unavailable)?;
    }
    if let Some(engagements) = &commit.engagements {
        let key = engagements.key();
        versioned_write(
            tx,
            (
                "INSERT INTO engagements (engagements_key, version, doc) VALUES (?1, ?2, ?3)",
                "UPDATE engagements SET version = ?2, doc = ?3
                 WHERE engagements_key = ?1 AND version = ?4",
            ),
            &key,
            engagements.version,
            &to_doc(engagements)?,
            || ConflictItem::Engagements(key.clone()),
        )?;
    }
    for save in &commit.programs {
        let id = &save.program.id;
        versioned_write(
            tx,
            (
                "INSERT INTO programs (program_id, version, doc) VALUES (?1, ?2, ?3)",
                "UPDATE programs SET version = ?2, doc = ?3 WHERE program_id = ?1 AND version = ?4",
            ),
            id.as_str(),
            save.program.version,
            &to_doc(save)?,
            || ConflictItem::Program(id.clone()),
        )?;
    }
    if let (Some(change), Some(save)) = (&commit.access_change, &commit.partner) {
        let version = i64::try_from(save.next.version).map_err(unavailable)?;
        match tx.execute(
            "INSERT INTO access_audit (partner_id, version, doc) VALUES (?1, ?2, ?3)",
            params![save.next.partner_id.as_str(), version, to_doc(change)?],
        ) {
            Ok(_) => {}
            Err(e) if is_duplicate(&e) => {
                return Err(conflict(
                    ConflictItem::Partner(save.next.partner_id.clone()),
                    "audit line exists",
                ));
            }
            Err(e) => return Err(unavailable(e)),
        }
    }
    if let Some(save) = &commit.partner {
        let partner = &save.next;
        versioned_write(
            tx,
            (
                "INSERT INTO partners (partner_id, version, doc) VALUES (?1, ?2, ?3)",
                "UPDATE partners SET version = ?2, doc = ?3 WHERE partner_id = ?1 AND version = ?4",
            ),
            partner.partner_id.as_str(),
            partner.version,
            &to_doc(partner)?,
            || ConflictItem::Partner(partner.partner_id.clone()),
        )?;
        tx.execute(
            "DELETE FROM directory WHERE partner_id = ?1",
            [partner.partner_id.as_str()],
        )
        .map_err(unavailable)?;
        if let Some(record) = directory::record_of(partner) {
            let doc = to_doc(&record)?;
            for entry in directory::record_entries(partner) {
                tx.execute(
                    "INSERT INTO directory (idx, sort_key, partner_id, doc) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        entry.index,
                        entry.key.sort_text(),
                        partner.partner_id.as_str(),
                        doc
                    ],
                )
                .map_err(unavailable)?;
            }
        }
        let indexed = |p: &Partner| directory::Indexed::of(p);
        if save.previous.as_ref().and_then(indexed) != indexed(partner) {
            write_filter_entries(tx, partner)?;
        }
    }
    for (voucher, history) in &commit.new_vouchers {
        write_voucher(tx, voucher, history)?;
    }
    for transition in &commit.transitions {
        write_voucher(tx, &transition.voucher, &transition.history)?;
    }
    for notification in commit.outbox() {
        // The outbox row's `version` is the notification's slot (its day): the day's
        // latest notification replaces the earlier.
        tx.execute(
            "INSERT OR REPLACE INTO outbox (voucher_number, version, doc) VALUES (?1, ?2, ?3)",
            params![
                notification.voucher_number.as_str(),
                i64::try_from(notification.slot()).unwrap_or(i64::MAX),
                to_doc(notification)?
            ],
        )
        .map_err(unavailable)?;
    }
    if let Some(account) = &commit.customer {
        let id = account.customer.customer_id.clone();
        versioned_write(
            tx,
            (
                "INSERT INTO customers (customer_id, version, doc) VALUES (?1, ?2, ?3)",
                "UPDATE customers SET version = ?2, doc = ?3 WHERE customer_id = ?1 AND version = ?4",
            ),
            id.as_str(),
            account.customer.version,
            &to_doc(account)?,
            || ConflictItem::Customer(id.clone()),
        )?;
    }
    if let Some(claim) = &commit.claim {
        versioned_write(
            tx,
            (
                "INSERT INTO claims (claim_id, version, doc) VALUES (?1, ?2, ?3)",
                "UPDATE claims SET version = ?2, doc = ?3 WHERE claim_id = ?1 AND version = ?4",
            ),
            claim.claim_id.as_str(),
            claim.version,
            &to_doc(claim)?,
            || ConflictItem::Claim(claim.claim_id.clone()),
        )?;
    }
    for upload in &commit.uploads {
        let number = upload.voucher_number.as_str();
        let name = &upload.deliverable.file_name;
        let doc = to_doc(&upload.deliverable)?;
        let item = || ConflictItem::Voucher(upload.voucher_number.clone());
        match upload.effect {
            UploadEffect::Adds => {
                match tx.execute(
                    "INSERT INTO uploads (voucher_number, file_name, doc) VALUES (?1, ?2, ?3)",
                    params![number, name, doc],
                ) {
                    Ok(_) => {}
                    Err(e) if is_duplicate(&e) => return Err(conflict(item(), "file name taken")),
                    Err(e) => return Err(unavailable(e)),
                }
                let held: i64 = tx
                    .query_row(
                        "SELECT COUNT(*) FROM uploads WHERE voucher_number = ?1",
                        [number],
                        |row| row.get(0),
                    )
                    .map_err(unavailable)?;
                if usize::try_from(held).unwrap_or(usize::MAX) > upload.at_most {
                    return Err(conflict(item(), "deliverable cap reached"));
                }
            }
            UploadEffect::Replaces => {
                let replaced = tx
                    .execute(
                        "UPDATE uploads SET doc = ?3 WHERE voucher_number = ?1 AND file_name = ?2",
                        params![number, name, doc],
                    )
                    .map_err(unavailable)?;
                if replaced == 0 {
                    return Err(conflict(item(), "file name gone"));
                }
            }
        }
    }
    if let Some(record) = &commit.idempotency {
        let now = i64::try_from(record.written_at).unwrap_or(i64::MAX);
        let expires_at = i64::try_from(record.expires_at).unwrap_or(i64::MAX);
        // A key whose record has expired is free again: its row is replaced.
        let written = tx
            .execute(
                "INSERT INTO idempotency (scope, key, doc, expires_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (scope, key) DO UPDATE SET doc = excluded.doc, \
                 expires_at = excluded.expires_at WHERE idempotency.expires_at <= ?5",
                params![record.scope, record.key, to_doc(record)?, expires_at, now],
            )
            .map_err(unavailable)?;
        if written == 0 {
            return Err(conflict(
                ConflictItem::IdempotencyKey(record.key.clone()),
                "key used",
            ));
        }
        tx.execute(
            "DELETE FROM idempotency WHERE (scope, key) IN \
             (SELECT scope, key FROM idempotency WHERE expires_at <= ?1 LIMIT ?2)",
            params![now, SWEEP],
        )
        .map_err(unavailable)?;
    }
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn programs(&self) -> StoreResult<Vec<Program>> {
        self.read(|c| {
            let saved: Vec<ProgramSave> = docs(c, "SELECT doc FROM programs", [], "programs")?;
            Ok(catalog_order(saved))
        })
        .await
    }

    async fn partner(&self, id: &PartnerId) -> StoreResult<Option<Partner>> {
        let id = id.clone();
        self.read(move |c| {
            one_doc(
                c,
                "SELECT doc FROM partners WHERE partner_id = ?1",
                id.as_str(),
            )
        })
        .await
    }

    async fn directory(
        &self,
        filter: &directory::Filter,
        after: Option<&DirectoryKey>,
        limit: usize,
    ) -> StoreResult<Vec<directory::Candidate>> {
        let records = filter.record_index().to_owned();
        let filters = filter.narrows().then(|| filter.name());
        let after = after.map(DirectoryKey::sort_text).unwrap_or_default();
        let limit = i64::try_from(limit).map_err(unavailable)?;
        self.read(move |c| {
            let Some(filters) = filters else {
                let found: Vec<DirectoryRecord> = docs(
                    c,
                    "SELECT doc FROM directory WHERE idx = ?1 AND sort_key > ?2
                     ORDER BY sort_key LIMIT ?3",
                    params![records, after, limit],
                    "directory",
                )?;
                return Ok(found.into_iter().map(directory::Candidate::from).collect());
            };
            // Entries are written in the partner's commit, so each has its record.
            let found: Vec<DirectoryRecord> = docs(
                c,
                "SELECT d.doc FROM directory_filters f
                 JOIN directory d ON d.idx = ?2 AND d.sort_key = f.sort_key
                 WHERE f.idx = ?1 AND f.sort_key > ?3
                 ORDER BY f.sort_key LIMIT ?4",
                params![filters, records, after, limit],
                "directory",
            )?;
            Ok(found.into_iter().map(directory::Candidate::from).collect())
        })
        .await
    }

    async fn voucher(&self, number: &VoucherNumber) -> StoreResult<Option<Voucher>> {
        let number = number.clone();
        self.read(move |c| {
            one_doc(
                c,
                "SELECT doc FROM vouchers WHERE voucher_number = ?1",
                number.as_str(),
            )
        })
        .await
    }

    async fn vouchers(&self, numbers: &[VoucherNumber]) -> StoreResult<Vec<Voucher>> {
        let numbers = numbers.to_vec();
        self.read(move |c| {
            let mut found = Vec::with_capacity(numbers.len());
            let mut seen = std::collections::HashSet::new();
            for number in numbers.iter().filter(|n| seen.insert(n.as_str())) {
                let voucher: Option<Voucher> = one_doc(
                    c,
                    "SELECT doc FROM vouchers WHERE voucher_number = ?1",
                    number.as_str(),
                )?;
                found.extend(voucher);
            }
            Ok(found)
        })
        .await
    }

    async fn history_page(
        &self,
        number: &VoucherNumber,
        after: Option<u64>,
        limit: usize,
    ) -> StoreResult<Vec<HistoryEntry>> {
        let number = number.clone();
        // SQLite's integers are signed: versions past i64::MAX cannot exist in the file.
        let after = after.map_or(-1, |v| i64::try_from(v).unwrap_or(i64::MAX));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
            docs(
                c,
                "SELECT doc FROM history WHERE voucher_number = ?1 AND version > ?2 \
                 ORDER BY version LIMIT ?3",
                rusqlite::params![number.as_str(), after, limit],
                number.as_str(),
            )
        })
        .await
    }

    async fn notifications(
        &self,
        number: &VoucherNumber,
    ) -> StoreResult<Vec<CustomerNotification>> {
        let number = number.clone();
        self.read(move |c| {
            docs(
                c,
                "SELECT doc FROM outbox WHERE voucher_number = ?1 ORDER BY version",
                [number.as_str()],
                number.as_str(),
            )
        })
        .await
    }

    async fn uploads(&self, number: &VoucherNumber) -> StoreResult<Vec<Deliverable>> {
        let number = number.clone();
        self.read(move |c| {
            docs(
                c,
                "SELECT doc FROM uploads WHERE voucher_number = ?1 ORDER BY file_name",
                [number.as_str()],
                number.as_str(),
            )
        })
        .await
    }

    async fn partner_vouchers(
        &self,
        partner: &PartnerId,
        query: VoucherQuery,
        cursor: Option<&str>,
    ) -> StoreResult<VoucherPage> {
        let after = cursor
            .map(decode_list_cursor)
            .transpose()?
            .unwrap_or_default();
        // Each stored state's key range (core's `ExpiryBound::stored_range`): expired keys end
        // before tomorrow, unexpired ones start at tomorrow less the longest extension.
        let (_, until) = ExpiryBound::Expired.stored_range(query.today, query.extension_days);
        let (from, _) = ExpiryBound::Unexpired.stored_range(query.today, query.extension_days);
        let text = |day: Option<chrono::NaiveDate>| day.map(|d| d.to_string()).unwrap_or_default();
        let (expired_until, unexpired_from) = (text(until), text(from));
        let partner = partner.clone();
        let limit = i64::try_from(query.limit.max(1)).map_err(unavailable)?;
        self.read(move |c| {
            // One ordered index range per stored state, merged by SQLite's ORDER BY.
            let (sql, states): (String, Vec<String>) = match query.state {
                None => (
                    "SELECT doc, list_key FROM vouchers WHERE partner_id = ?1 AND list_key > ?2"
                        .to_owned(),
                    Vec::new(),
                ),
                Some(state) => {
                    let segments = state.stored_as();
                    let parts: Vec<String> = segments
                        .iter()
                        .enumerate()
                        .map(|(i, (_, expiry))| {
                            let bound = match expiry {
                                ExpiryBound::Unexpired => " AND list_key >= ?5",
                                ExpiryBound::Expired => " AND list_key < ?3",
                                ExpiryBound::Any => "",
                            };
                            format!(
                                "SELECT doc, list_key FROM vouchers WHERE partner_id = ?1
                                 AND state = ?{} AND list_key > ?2{bound}",
                                i + 6
                            )
                        })
                        .collect();
                    (
                        parts.join(" UNION ALL "),
                        segments.iter().map(|(s, _)| s.name().to_owned()).collect(),
                    )
                }
            };
            let sql = format!("{sql} ORDER BY list_key LIMIT ?4");
            let mut values: Vec<rusqlite::types::Value> = vec![
                partner.as_str().to_owned().into(),
                after.into(),
                expired_until.into(),
                (limit + 1).into(),
            ];
            // ?5 and the states follow only where a state is asked (SQLite counts the
            // parameters the statement names).
            if !states.is_empty() {
                values.push(unexpired_from.into());
                values.extend(states.into_iter().map(Into::into));
            }
            let mut statement = c.prepare_cached(&sql).map_err(unavailable)?;
            let rows = statement
                .query_map(rusqlite::params_from_iter(values), |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(unavailable)?;
            let mut items = Vec::new();
            let mut keys = Vec::new();
            for row in rows {
                let (doc, key) = row.map_err(unavailable)?;
                items.push(from_doc::<Voucher>(&key, &doc)?);
                keys.push(key);
            }
            let limit = usize::try_from(limit).map_err(unavailable)?;
            let next_cursor = if items.len() > limit {
                items.truncate(limit);
                keys.get(limit - 1).map(|k| encode_list_cursor(k))
            } else {
                None
            };
            Ok(VoucherPage { items, next_cursor })
        })
        .await
    }

    async fn access_audit(&self, partner: &PartnerId) -> StoreResult<Vec<AccessChange>> {
        let partner = partner.as_str().to_owned();
        self.read(move |c| {
            docs(
                c,
                "SELECT doc FROM access_audit WHERE partner_id = ?1 ORDER BY version",
                [partner.as_str()],
                "access_audit",
            )
        })
        .await
    }

    async fn has_redeemed(&self, partner: &PartnerId, program: &ProgramId) -> StoreResult<bool> {
        let (partner, program) = (partner.clone(), program.clone());
        self.read(move |c| {
            c.query_row(
                "SELECT COUNT(*) FROM redeemed_programs WHERE partner_id = ?1 AND program_id = ?2",
                params![partner.as_str(), program.as_str()],
                |row| row.get::<_, i64>(0),
            )
            .map(|count| count > 0)
            .map_err(unavailable)
        })
        .await
    }

    async fn engagements(&self, key: &Engagements) -> StoreResult<Option<Engagements>> {
        let key = key.key();
        self.read(move |c| {
            one_doc(
                c,
                "SELECT doc FROM engagements WHERE engagements_key = ?1",
                key.as_str(),
            )
        })
        .await
    }

    async fn customer(&self, id: &CustomerId) -> StoreResult<Option<CustomerAccount>> {
        let id = id.clone();
        self.read(move |c| {
            one_doc(
                c,
                "SELECT doc FROM customers WHERE customer_id = ?1",
                id.as_str(),
            )
        })
        .await
    }

    async fn claim(&self, id: &ClaimId) -> StoreResult<Option<Claim>> {
        let id = id.clone();
        self.read(move |c| one_doc(c, "SELECT doc FROM claims WHERE claim_id = ?1", id.as_str()))
            .await
    }

    async fn claims(&self, query: &ClaimQuery, cursor: Option<&str>) -> StoreResult<ClaimPage> {
        let after = cursor.map(decode_list_cursor).transpose()?;
        let partner = query.partner.as_ref().map(|p| p.as_str().to_owned());
        let state = query.state.map(|s| s.name());
        let limit = query.limit.max(1);
        let fetch = i64::try_from(limit + 1).unwrap_or(i64::MAX);
        let merged = self
            .read(move |c| {
                let mut statement = c
                    .prepare_cached(
                        "SELECT json_extract(doc, '$.submittedOn') || '#' || claim_id, doc
                         FROM claims
                         WHERE (?1 IS NULL OR json_extract(doc, '$.partnerId') = ?1)
                           AND (?2 IS NULL OR json_extract(doc, '$.state') = ?2)
                           AND (?3 IS NULL
                                OR json_extract(doc, '$.submittedOn') || '#' || claim_id > ?3)
                         ORDER BY json_extract(doc, '$.submittedOn'), claim_id
                         LIMIT ?4",
                    )
                    .map_err(unavailable)?;
                let rows = statement
                    .query_map(params![partner, state, after, fetch], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })
                    .map_err(unavailable)?;
                rows.map(|row| {
                    let (key, doc) = row.map_err(unavailable)?;
                    Ok((key.clone(), from_doc::<Claim>(&key, &doc)?))
                })
                .collect::<StoreResult<Vec<_>>>()
            })
            .await?;
        Ok(claim_page(merged, limit))
    }

    async fn uploaded_digests(&self) -> StoreResult<std::collections::BTreeSet<Sha256>> {
        self.read(|c| {
            let uploads: Vec<Deliverable> = docs(c, "SELECT doc FROM uploads", [], "uploads")?;
            Ok(uploads.into_iter().map(|d| d.sha256).collect())
        })
        .await
    }

    async fn idempotency(&self, scope: &str, key: &str) -> StoreResult<Option<IdempotencyRecord>> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.read(move |c| {
            let doc: Option<String> = c
                .prepare_cached("SELECT doc FROM idempotency WHERE scope = ?1 AND key = ?2")
                .map_err(unavailable)?
                .query_row([&scope, &key], |row| row.get(0))
                .optional()
                .map_err(unavailable)?;
            doc.map(|doc| from_doc(&key, &doc)).transpose()
        })
        .await
    }

    async fn commit(&self, commit: Commit) -> StoreResult<()> {
        if commit.is_empty() {
            return Ok(());
        }
        let stopped = || unavailable("the SQLite writer has stopped");
        let (outcome, answer) = tokio::sync::oneshot::channel();
        let writes = self.inner.writes.as_ref().ok_or_else(stopped)?;
        writes
            .send(Queued { commit, outcome })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}
