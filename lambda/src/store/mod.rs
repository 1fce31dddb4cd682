//! The storage port (SPEC §13): what the API loads, and the one conditional write it saves.
//!
//! Domain decisions come from saps-core; a store only loads aggregates and commits a
//! [`Commit`] atomically: every item is conditional on the version the caller loaded, and either
//! all of it is written or none of it. Two backends implement [`Store`]: DynamoDB
//! ([`dynamo::DynamoStore`], production) and SQLite ([`sqlite::SqliteStore`], local), and both
//! pass one conformance suite (`lambda/tests/conformance`).

pub mod directory;
pub mod dynamo;
pub mod sqlite;
pub mod vouchers;

use async_trait::async_trait;
use chrono::NaiveDate;
use saps_core::access::grants::{AccessChange, AccessGrant};
use saps_core::catalog::Program;
use saps_core::claim::{Claim, ClaimState};
use saps_core::completion::Deliverable;
use saps_core::customer::Customer;
use saps_core::directory::Profile;
use saps_core::eligibility::QualificationFacts;
use saps_core::enrollment::{Enrollment, Location};
use saps_core::payee::Payee;
use saps_core::value::{
    ClaimId, CustomerId, LocationId, PartnerId, ProgramId, Sha256, VoucherNumber,
};
use saps_core::voucher::{
    CustomerNotification, HistoryEntry, Transition, UploadEffect, Voucher, VoucherState,
};
use serde::{Deserialize, Serialize};

pub use directory::{DirectoryKey, DirectoryRecord};

/// Why a store call failed. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition of the commit failed: another writer changed an item first, the item already
    /// exists, or the idempotency key is taken. The API answers 409 (or replays the key).
    #[error("conflict on {item}: {reason}")]
    Conflict {
        /// Which item's condition failed.
        item: ConflictItem,
        /// What the backend said.
        reason: String,
    },
    /// The store cannot be reached or refused to work (network, throttling, I/O). The API
    /// answers 503 with `Retry-After`.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A commit the backend cannot write in one transaction (DynamoDB's 100-item limit).
    #[error("commit too large: {items} items, at most {limit}")]
    TooLarge {
        /// Items the commit needs.
        items: usize,
        /// The backend's limit.
        limit: usize,
    },
    /// A stored item could not be read back: a bug or a foreign writer, never user input.
    #[error("stored item {key} is unreadable: {reason}")]
    Corrupt {
        /// The item's key.
        key: String,
        /// What failed.
        reason: String,
    },
    /// A cursor that this store did not issue.
    #[error("invalid cursor")]
    InvalidCursor,
}

/// The item whose condition failed in a [`StoreError::Conflict`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConflictItem {
    /// A partner record (version moved, or it exists already).
    Partner(PartnerId),
    /// A voucher (version moved, or the number is taken).
    Voucher(VoucherNumber),
    /// A claim (version moved, or the id is taken).
    Claim(ClaimId),
    /// A catalog program (version moved, or it exists already).
    Program(ProgramId),
    /// A partner's 15-day engagements of one program for one customer (another reservation
    /// counted against the cap first).
    Engagements(String),
    /// A customer (version moved: changed, or another voucher drawn from its pool first).
    Customer(CustomerId),
    /// The idempotency key was used by another request first.
    IdempotencyKey(String),
    /// The backend did not say which item (it still wrote nothing).
    Unknown,
}

impl std::fmt::Display for ConflictItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConflictItem::Partner(id) => write!(f, "partner {id}"),
            ConflictItem::Voucher(n) => write!(f, "voucher {n}"),
            ConflictItem::Claim(id) => write!(f, "claim {id}"),
            ConflictItem::Program(id) => write!(f, "program {id}"),
            ConflictItem::Engagements(key) => write!(f, "engagements {key}"),
            ConflictItem::Customer(id) => write!(f, "customer {id}"),
            ConflictItem::IdempotencyKey(k) => write!(f, "idempotency key {k}"),
            ConflictItem::Unknown => f.write_str("an item"),
        }
    }
}

/// Stored programs in catalog order: by position, then id (two programs created at once may
/// share a position).
pub(crate) fn catalog_order(mut saved: Vec<ProgramSave>) -> Vec<Program> {
    saved.sort_by(|a, b| (a.position, &a.program.id).cmp(&(b.position, &b.program.id)));
    saved.into_iter().map(|save| save.program).collect()
}

/// A location as stored: today's shape, or a bare id from before SPEC §15.2.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredLocation {
    Id(LocationId),
    Location(Location),
}

fn stored_locations<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Location>, D::Error> {
    let stored = Vec::<StoredLocation>::deserialize(deserializer)?;
    Ok(stored
        .into_iter()
        .map(|location| match location {
            StoredLocation::Location(location) => location,
            StoredLocation::Id(location_id) => Location {
                name: location_id.to_string(),
                location_id,
                country: None,
            },
        })
        .collect())
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// One partner's own data. Profile and enrollments live together because the directory
/// listing derives from both (SPEC §6), so they change under one version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Partner {
    /// The partner.
    pub partner_id: PartnerId,
    /// Approved company locations (set by the program administrator). Documents written
    /// before locations had names and countries hold bare ids; they read as locations named
    /// by their id, without a country.
    #[serde(default)]
    #[serde(deserialize_with = "stored_locations")]
    pub locations: Vec<Location>,
    /// Qualification facts (SPEC §4).
    #[serde(default)]
    pub facts: QualificationFacts,
    /// One enrollment per program at most (SPEC §5).
    #[serde(default)]
    pub enrollments: Vec<Enrollment>,
    /// The directory profile, once published.
    #[serde(default)]
    pub profile: Option<Profile>,
    /// The payee registered per program (SPEC §15.6), at most one each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payees: Vec<Payee>,
    /// Partner users granted the voucher tool (SPEC §15.3), by `sub`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<AccessGrant>,
    /// Optimistic-concurrency version: 1 when first written, +1 per save.
    pub version: u64,
}

impl Partner {
    /// A partner not stored yet: saving it writes version 1.
    pub fn new(partner_id: PartnerId) -> Partner {
        Partner {
            partner_id,
            locations: Vec::new(),
            facts: QualificationFacts::default(),
            enrollments: Vec::new(),
            profile: None,
            payees: Vec::new(),
            access: Vec::new(),
            version: 0,
        }
    }

    /// The same partner one version on, ready to commit.
    pub fn next_version(&self) -> Partner {
        Partner {
            version: self.version.saturating_add(1),
            ..self.clone()
        }
    }

    /// The programs the directory indexes this partner under: every program with an enrollment
    /// that is not withdrawn (its time window is judged when read), when a profile exists.
    pub fn indexed_programs(&self) -> Vec<ProgramId> {
        if self.profile.is_none() {
            return Vec::new();
        }
        let mut programs: Vec<ProgramId> = self
            .enrollments
            .iter()
            .filter(|e| e.withdrawn_on.is_none())
            .map(|e| e.program_id.clone())
            .collect();
        programs.sort();
        programs.dedup();
        programs
    }
}

/// A stored response for an idempotency key (SPEC §13): replayed when the key comes back with
/// the same request, refused when it comes back with another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdempotencyRecord {
    /// Who and what the key belongs to, e.g. `1001 POST /v1/claims`: keys never collide
    /// across partners or operations.
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// SHA-256 of the request, to tell a retry from a different request reusing the key.
    pub request_sha256: String,
    /// The HTTP status produced.
    pub status: u16,
    /// The response body produced.
    pub body: String,
    /// When it was stored (Unix seconds).
    #[serde(default)]
    pub written_at: u64,
    /// When it expires (Unix seconds): past it the key is free again, and the record is
    /// deleted (DynamoDB's TTL on `expiresAt`; a sweep on SQLite). Records stored before keys
    /// expired read as 0, expired.
    #[serde(default)]
    pub expires_at: u64,
}

impl IdempotencyRecord {
    /// Whether the key is free again at `now` (Unix seconds).
    pub fn expired(&self, now: u64) -> bool {
        self.expires_at <= now
    }
}

/// The 15-day vouchers one partner has reserved for one customer in one program: what the
/// 15-day cap (SPEC §15.4) reads, by key. It only grows (a cancelled or expired voucher stays
/// listed; core judges each one as it is on the day), and every reservation of a 15-day voucher
/// writes it on its version, so two reservations racing for one cap cannot both pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Engagements {
    /// The partner.
    pub partner_id: PartnerId,
    /// The program.
    pub program_id: ProgramId,
    /// The customer, as [`Voucher::customer_key`] names it.
    pub customer: String,
    /// Every 15-day voucher of theirs ever reserved, in order.
    pub voucher_numbers: Vec<VoucherNumber>,
    /// Optimistic-concurrency version: 1 when first written, +1 per reservation.
    pub version: u64,
}

impl Engagements {
    /// The (empty, unstored) engagements `voucher` counts among; none for a voucher without a
    /// partner.
    pub fn of(voucher: &Voucher) -> Option<Engagements> {
        Some(Engagements {
            partner_id: voucher.partner_id.clone()?,
            program_id: voucher.program_id.clone(),
            customer: voucher.customer_key(),
            voucher_numbers: Vec::new(),
            version: 0,
        })
    }

    /// Its key: partner, program and customer (the customer last, as it may hold any
    /// character).
    pub fn key(&self) -> String {
        format!("{}#{}#{}", self.partner_id, self.program_id, self.customer)
    }

    /// The next version, listing `number` (once).
    pub fn reserving(&self, number: &VoucherNumber) -> Engagements {
        let mut next = self.clone();
        if !next.voucher_numbers.contains(number) {
            next.voucher_numbers.push(number.clone());
        }
        next.version = self.version.saturating_add(1);
        next
    }
}

/// A registered customer with the numbers of every voucher drawn from its pools: what the pool
/// balance is counted from (SPEC §15.5), read by key. Each draw writes it on the customer's
/// version, so two draws racing for the last days cannot both pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerAccount {
    /// The customer; its `version` versions the whole account.
    pub customer: Customer,
    /// Every voucher drawn from its pools, in order.
    #[serde(default)]
    pub voucher_numbers: Vec<VoucherNumber>,
}

impl CustomerAccount {
    /// The next version, listing `number` (once).
    pub fn drawing(&self, number: &VoucherNumber) -> CustomerAccount {
        let mut next = self.clone();
        if !next.voucher_numbers.contains(number) {
            next.voucher_numbers.push(number.clone());
        }
        next.customer.version = self.customer.version.saturating_add(1);
        next
    }
}

/// Everything one request changes, written atomically: either every item or none.
///
/// Each versioned item carries its *new* version `n` and is written only if the stored one is
/// `n - 1` (absent when `n` is 1). History and outbox lines are only ever added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Commit {
    /// A partner saved: `previous` is what the caller loaded (`None` for a new partner), so the
    /// backend can retire directory entries the new version no longer has.
    pub partner: Option<PartnerSave>,
    /// New vouchers (assignment), each with its first history line; the number must be unused.
    pub new_vouchers: Vec<(Voucher, HistoryEntry)>,
    /// Voucher transitions, each with its history line and outbox entry.
    pub transitions: Vec<Transition>,
    /// A claim created or decided.
    pub claim: Option<Claim>,
    /// Deliverables uploaded for a voucher (metadata; the bytes are in the blob store).
    pub uploads: Vec<Upload>,
    /// The response to remember for an idempotency key; the key must be unused or its record
    /// expired by the new record's `written_at`.
    pub idempotency: Option<IdempotencyRecord>,
    /// Catalog programs written (the program admin's change, or the seed of an empty store).
    pub programs: Vec<ProgramSave>,
    /// The 15-day engagements a reservation counts against, at their next version.
    pub engagements: Option<Engagements>,
    /// A change of the saved partner's grants: an append-only audit line under the partner,
    /// at the partner's new version (so [`Commit::partner`] must be set).
    pub access_change: Option<AccessChange>,
    /// Programs a partner redeemed a voucher of (a redemption's): recorded once, by key, for
    /// the payee registration's "after its first redeemed voucher" (SPEC §15.6).
    pub redeemed_programs: Vec<(PartnerId, ProgramId)>,
    /// A customer registered or changed, or its account after a draw, at its next version.
    pub customer: Option<CustomerAccount>,
    /// Notifications of new vouchers (a customer's draw), into their outbox.
    pub notifications: Vec<CustomerNotification>,
}

impl Commit {
    /// Every notification to record in the outbox: the transitions' and the new vouchers'.
    pub fn outbox(&self) -> impl Iterator<Item = &CustomerNotification> {
        self.transitions
            .iter()
            .filter_map(|t| t.notification.as_ref())
            .chain(&self.notifications)
    }
}

/// A catalog program to store: version 1 is new (its id must be unused), any other replaces
/// version − 1. `position` orders the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgramSave {
    /// Where the program stands in the catalog's order.
    pub position: u32,
    /// The program.
    pub program: Program,
}

/// A deliverable's metadata recorded under its voucher, kept to the voucher's cap atomically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// The voucher.
    pub voucher_number: VoucherNumber,
    /// What was stored.
    pub deliverable: Deliverable,
    /// A new file name (the voucher's count grows, up to `at_most`; the name must be unused),
    /// or a name already there (its record is replaced; it must exist).
    pub effect: UploadEffect,
    /// The most deliverables the voucher may hold; a commit past it is a `Conflict`.
    pub at_most: usize,
}

/// A partner write with the version it replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerSave {
    /// What the caller loaded (`None`: the partner is new).
    pub previous: Option<Partner>,
    /// What to store; its version is `previous.version + 1`.
    pub next: Partner,
}

impl Commit {
    /// Whether the commit writes nothing.
    pub fn is_empty(&self) -> bool {
        self == &Commit::default()
    }
}

/// A page of a partner's vouchers, with the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoucherPage {
    /// The vouchers, ordered by expiry date then number.
    pub items: Vec<Voucher>,
    /// Opaque; pass back for the next page. Absent on the last page.
    pub next_cursor: Option<String>,
}

/// Which of a partner's vouchers to list: by *effective* state on `today` (SPEC §7), so an
/// expired voucher is never listed as usable even before any sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoucherQuery {
    /// The effective state wanted; `None` lists every voucher.
    pub state: Option<VoucherState>,
    /// The day the effective state is judged on.
    pub today: NaiveDate,
    /// Page size, at least 1.
    pub limit: usize,
    /// The most days the catalog's expiry extensions add to a stored expiry
    /// ([`saps_core::catalog::Catalog::max_extension_days`]). A store widens its key ranges by
    /// it, so a page may hold vouchers of another effective state: read pages through
    /// [`vouchers::partner_vouchers`], which keeps core's verdict.
    pub extension_days: u32,
}

/// Which claims to list (SPEC §15.7): one partner's or everyone's (the program admin's queue),
/// in one state or all, oldest first (by submission day, then id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimQuery {
    /// Only this partner's claims.
    pub partner: Option<PartnerId>,
    /// Only claims in this state.
    pub state: Option<ClaimState>,
    /// Page size, at least 1.
    pub limit: usize,
}

/// A page of claims, with the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimPage {
    /// The claims, oldest first.
    pub items: Vec<Claim>,
    /// Opaque; pass back for the next page. Absent on the last page.
    pub next_cursor: Option<String>,
}

/// Where a claim stands in its lists: `YYYY-MM-DD#CLAIMID`, so lists run oldest first and a
/// cursor is a key like a voucher list's.
pub(crate) fn claim_list_key(claim: &Claim) -> String {
    format!("{}#{}", claim.submitted_on, claim.claim_id)
}

/// The first `limit` of `merged` (several key ranges read with `limit + 1` each) in key order,
/// with the cursor after the last when more remain.
pub(crate) fn claim_page(mut merged: Vec<(String, Claim)>, limit: usize) -> ClaimPage {
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    let more = merged.len() > limit;
    merged.truncate(limit);
    let next_cursor = more
        .then(|| merged.last().map(|(key, _)| encode_list_cursor(key)))
        .flatten();
    ClaimPage {
        items: merged.into_iter().map(|(_, claim)| claim).collect(),
        next_cursor,
    }
}

/// The storage port. Reads are single-key or index queries (never scans); the only write is
/// [`Store::commit`].
#[async_trait]
pub trait Store: Send + Sync {
    /// One partner, with its version.
    async fn partner(&self, id: &PartnerId) -> StoreResult<Option<Partner>>;

    /// The partner's audit of grant changes, oldest first.
    async fn access_audit(&self, partner: &PartnerId) -> StoreResult<Vec<AccessChange>>;

    /// Whether `partner` has redeemed a voucher of `program` ([`Commit::redeemed_programs`]).
    async fn has_redeemed(&self, partner: &PartnerId, program: &ProgramId) -> StoreResult<bool>;

    /// The 15-day engagements of `key`'s partner, program and customer ([`Engagements::key`]);
    /// `None` before the first is reserved.
    async fn engagements(&self, key: &Engagements) -> StoreResult<Option<Engagements>>;

    /// A registered customer with its vouchers' numbers (SPEC §15.5).
    async fn customer(&self, id: &CustomerId) -> StoreResult<Option<CustomerAccount>>;

    /// Up to `limit` directory candidates after `after`, in directory order (lower-case company
    /// name, then partner id), from the index `filter` names. The records are candidates:
    /// whether one is listed today, and matches the filter, is core's decision.
    async fn directory(
        &self,
        filter: &directory::Filter,
        after: Option<&DirectoryKey>,
        limit: usize,
    ) -> StoreResult<Vec<directory::Candidate>>;

    /// Finishes directory indexing that a crash left pending (filter entries written after a
    /// partner's commit); the number of partners settled. Nothing is ever pending where
    /// entries are written in the commit.
    async fn settle_directory(&self) -> StoreResult<usize> {
        Ok(0)
    }

    /// The catalog's programs, in catalog order (SPEC §15.1). Empty until seeded.
    async fn programs(&self) -> StoreResult<Vec<Program>>;

    /// One voucher.
    async fn voucher(&self, number: &VoucherNumber) -> StoreResult<Option<Voucher>>;

    /// Several vouchers at once (a redemption or claim selection), in the order asked; missing
    /// ones are left out and a number asked twice is answered once.
    async fn vouchers(&self, numbers: &[VoucherNumber]) -> StoreResult<Vec<Voucher>>;

    /// Up to `limit` entries of a voucher's history with a version above `after`, oldest first.
    async fn history_page(
        &self,
        number: &VoucherNumber,
        after: Option<u64>,
        limit: usize,
    ) -> StoreResult<Vec<HistoryEntry>>;

    /// A voucher's whole history, oldest first, read a page at a time.
    async fn history(&self, number: &VoucherNumber) -> StoreResult<Vec<HistoryEntry>> {
        const PAGE: usize = 1000;
        let mut all: Vec<HistoryEntry> = Vec::new();
        loop {
            let after = all.last().map(|entry| entry.version);
            let page = self.history_page(number, after, PAGE).await?;
            let last_page = page.len() < PAGE;
            all.extend(page);
            if last_page {
                return Ok(all);
            }
        }
    }

    /// The customer notifications recorded for a voucher, oldest first.
    async fn notifications(&self, number: &VoucherNumber)
    -> StoreResult<Vec<CustomerNotification>>;

    /// The deliverables uploaded for a voucher, by file name.
    async fn uploads(&self, number: &VoucherNumber) -> StoreResult<Vec<Deliverable>>;

    /// One page of a partner's vouchers.
    async fn partner_vouchers(
        &self,
        partner: &PartnerId,
        query: VoucherQuery,
        cursor: Option<&str>,
    ) -> StoreResult<VoucherPage>;

    /// One claim.
    async fn claim(&self, id: &ClaimId) -> StoreResult<Option<Claim>>;

    /// A page of claims after `cursor` (a page's `next_cursor`), by index: the partner's (and
    /// state's), or a state's across partners.
    async fn claims(&self, query: &ClaimQuery, cursor: Option<&str>) -> StoreResult<ClaimPage>;

    /// The digests of every voucher's uploaded deliverables: the blobs still needed (a full
    /// read, for the blob sweep).
    async fn uploaded_digests(&self) -> StoreResult<std::collections::BTreeSet<Sha256>>;

    /// The response stored for an idempotency key, expired or not (DynamoDB deletes expired
    /// items within days, not at once: the caller compares `expires_at`).
    async fn idempotency(&self, scope: &str, key: &str) -> StoreResult<Option<IdempotencyRecord>>;

    /// Writes everything in `commit` in one atomic, conditional transaction.
    async fn commit(&self, commit: Commit) -> StoreResult<()>;
}

/// The sort key of a voucher in a partner's list: expiry date, then number. Both backends
/// order and page by it, so the cursor is the same text everywhere.
pub(crate) fn voucher_list_key(voucher: &Voucher) -> String {
    format!("{}#{}", voucher.expires_on, voucher.voucher_number)
}

/// Cursor text for the position after `key` (base64url, so it is opaque and URL-safe).
pub(crate) fn encode_list_cursor(key: &str) -> String {
    use base64ct::Encoding as _;
    base64ct::Base64UrlUnpadded::encode_string(key.as_bytes())
}

/// The position a list cursor names.
pub(crate) fn decode_list_cursor(cursor: &str) -> StoreResult<String> {
    use base64ct::Encoding as _;
    let bytes =
        base64ct::Base64UrlUnpadded::decode_vec(cursor).map_err(|_| StoreError::InvalidCursor)?;
    let key = String::from_utf8(bytes).map_err(|_| StoreError::InvalidCursor)?;
    // `YYYY-MM-DD#NUMBER`: anything else was not issued here.
    let valid = key.len() > 11
        && key
            .get(..10)
            .is_some_and(|d| saps_core::calendar::parse_date(d).is_some())
        && key.get(10..11) == Some("#");
    valid.then_some(key).ok_or(StoreError::InvalidCursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partner written before locations had names and countries still reads (SPEC §15.2).
    #[test]
    fn a_partner_with_bare_location_ids_still_reads() {
        let doc = r#"{"partnerId":"1001","version":3,"locations":["11",
            {"locationId":"12","name":"Contoso Beijing","country":"CN"}],
            "enrollments":[],"facts":{}}"#;
        let partner: Partner = serde_json::from_str(doc).expect("a legacy partner");
        let id = |raw| LocationId::parse(raw).expect("id");
        assert_eq!(
            partner.locations,
            [
                Location {
                    location_id: id("11"),
                    name: "11".into(),
                    country: None,
                },
                Location {
                    location_id: id("12"),
                    name: "Contoso Beijing".into(),
                    country: Some("CN".into()),
                },
            ]
        );
    }
}
