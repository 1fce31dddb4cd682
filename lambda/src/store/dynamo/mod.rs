//! The DynamoDB backend: one table, keys and indexes as `lambda/DESIGN.md` lays them out.
//!
//! Every commit is one `TransactWriteItems` whose versioned items are conditional; reads are
//! `GetItem`, `BatchGetItem` and `Query` on keys or GSIs, never `Scan`. Aggregates are stored as
//! their JSON (`doc`) beside the attributes that key, index and version them.

mod directory_index;

use super::directory::{self, DirectoryKey, IndexEntry};
use super::{
    ClaimPage, ClaimQuery, Commit, ConflictItem, CustomerAccount, Engagements, IdempotencyRecord,
    Partner, ProgramSave, Store, StoreError, StoreResult, VoucherPage, VoucherQuery, catalog_order,
    decode_list_cursor, encode_list_cursor, voucher_list_key,
};
use super::{claim_list_key, claim_page};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, Projection, ProjectionType, Put,
    ScalarAttributeType, TransactWriteItem, Update,
};
use saps_core::access::grants::AccessChange;
use saps_core::catalog::Program;
use saps_core::claim::{Claim, ClaimState};
use saps_core::completion::Deliverable;
use saps_core::value::Named as _;
use saps_core::value::{ClaimId, CustomerId, PartnerId, ProgramId, Sha256, VoucherNumber};
use saps_core::voucher::ExpiryBound;
use saps_core::voucher::{CustomerNotification, HistoryEntry, UploadEffect, Voucher, VoucherState};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// DynamoDB's limit of items in one `TransactWriteItems`.
pub const TRANSACTION_LIMIT: usize = 100;
/// DynamoDB's limit of keys in one `BatchGetItem`.
const BATCH_GET_LIMIT: usize = 100;

const PK: &str = "PK";
const SK: &str = "SK";
const DOC: &str = "doc";
const VERSION: &str = "version";
/// Vouchers of a partner in one stored state, by expiry then number.
pub const BY_STATE_INDEX: &str = "GSI1";
/// All vouchers of a partner, by expiry then number.
pub const BY_PARTNER_INDEX: &str = "GSI2";

type Item = HashMap<String, AttributeValue>;

/// The DynamoDB store. Cheap to clone: the SDK client is shared.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(number: u64) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}

fn partner_key(id: &PartnerId) -> Item {
    key(format!("PARTNER#{id}"), "PARTNER")
}

fn voucher_pk(number: &VoucherNumber) -> String {
    format!("VOUCHER#{number}")
}

fn voucher_key(number: &VoucherNumber) -> Item {
    key(voucher_pk(number), "VOUCHER")
}

/// Every program lives in one partition, so one `Query` reads the catalog.
const CATALOG_PK: &str = "CATALOG";

fn program_key(id: &ProgramId) -> Item {
    key(CATALOG_PK.to_owned(), format!("PROGRAM#{id}"))
}

/// A customer and its vouchers' numbers: one item in its own partition (SPEC §15.5).
fn customer_key(id: &CustomerId) -> Item {
    key(format!("CUSTOMER#{id}"), "CUSTOMER".to_owned())
}

/// A partner's 15-day engagements live in the partner's partition of them, one item per
/// program and customer.
fn engagements_key(engagements: &Engagements) -> Item {
    key(
        format!("PARTNER#{}#ENGAGEMENTS", engagements.partner_id),
        format!("{}#{}", engagements.program_id, engagements.customer),
    )
}

/// A partner redeemed a voucher of a program: a marker in the partner's partition.
fn redeemed_key(partner: &PartnerId, program: &ProgramId) -> Item {
    key(format!("PARTNER#{partner}"), format!("REDEEMED#{program}"))
}

/// A partner's claims in one state (GSI1), oldest first.
fn partner_claims_pk(partner: &PartnerId, state: ClaimState) -> String {
    format!("PARTNER#{partner}#CLAIMS#{}", state.name())
}

/// Every partner's claims in one state (GSI2): the program admin's queue, oldest first.
fn claims_pk(state: ClaimState) -> String {
    format!("CLAIMS#{}", state.name())
}

fn claim_key(id: &ClaimId) -> Item {
    key(format!("CLAIM#{id}"), "CLAIM")
}

fn line_sk(kind: &str, version: u64) -> String {
    // Zero-padded so lines sort by version.
    format!("{kind}#{version:020}")
}

fn vouchers_pk(partner: &PartnerId) -> String {
    format!("PARTNER#{partner}#VOUCHERS")
}

fn vouchers_in_state_pk(partner: &PartnerId, state: VoucherState) -> String {
    format!("PARTNER#{partner}#VOUCHERS#{}", state.name())
}

fn unavailable(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

/// Maps an SDK failure: only the service's own word is trusted to mean "nothing happened
/// because of a condition"; everything else (network, timeouts, throttling) is `Unavailable`.
fn sdk_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            StoreError::Unavailable(format!(
                "{}: {}",
                inner.code().unwrap_or("service error"),
                inner.message().unwrap_or_default()
            ))
        }
        other => StoreError::Unavailable(format!("{other:?}")),
    }
}

fn to_doc<T: Serialize>(value: &T) -> StoreResult<AttributeValue> {
    serde_json::to_string(value)
        .map(s)
        .map_err(|e| StoreError::Corrupt {
            key: std::any::type_name::<T>().to_owned(),
            reason: e.to_string(),
        })
}

fn from_item<T: DeserializeOwned>(item: &Item) -> StoreResult<T> {
    let key = || {
        item.get(PK)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    let doc = item
        .get(DOC)
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| StoreError::Corrupt {
            key: key(),
            reason: "no doc attribute".into(),
        })?;
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt {
        key: key(),
        reason: e.to_string(),
    })
}

/// One transaction item and the aggregate its condition guards (to name a conflict).
struct Write {
    item: TransactWriteItem,
    guards: ConflictItem,
}

/// Builds the writes of a commit in a fixed order.
struct Transaction<'a> {
    table: &'a str,
    writes: Vec<Write>,
}

impl Transaction<'_> {
    /// A put; `condition` is `None` (unconditional), `Some(None)` (the item must not exist) or
    /// `Some(Some(v))` (its stored version must be `v`).
    fn put(
        &mut self,
        item: Item,
        condition: Option<Option<u64>>,
        guards: ConflictItem,
    ) -> StoreResult<()> {
        let mut put = Put::builder().table_name(self.table).set_item(Some(item));
        match condition {
            None => {}
            Some(None) => put = put.condition_expression("attribute_not_exists(PK)"),
            Some(Some(version)) => {
                put = put
                    .condition_expression("#version = :expected")
                    .expression_attribute_names("#version", VERSION)
                    .expression_attribute_values(":expected", n(version));
            }
        }
        self.push_put(put, guards)
    }

    /// Adds a built-up put to the transaction.
    fn push_put(
        &mut self,
        put: aws_sdk_dynamodb::types::builders::PutBuilder,
        guards: ConflictItem,
    ) -> StoreResult<()> {
        let put = put.build().map_err(unavailable)?;
        self.writes.push(Write {
            item: TransactWriteItem::builder().put(put).build(),
            guards,
        });
        Ok(())
    }

    /// Replaces `item`, which must exist.
    fn put_existing(&mut self, item: Item, guards: ConflictItem) -> StoreResult<()> {
        let put = Put::builder()
            .table_name(self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(PK)");
        self.push_put(put, guards)
    }

    /// Adds one to the counter item at `key`, which must stay at most `at_most`.
    fn count_up(&mut self, key: Item, at_most: usize, guards: ConflictItem) -> StoreResult<()> {
        let update = Update::builder()
            .table_name(self.table)
            .set_key(Some(key))
            .update_expression("ADD #count :one")
            .condition_expression("attribute_not_exists(#count) OR #count < :most")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":most", n(u64::try_from(at_most).unwrap_or(u64::MAX)))
            .build()
            .map_err(unavailable)?;
        self.writes.push(Write {
            item: TransactWriteItem::builder().update(update).build(),
            guards,
        });
        Ok(())
    }

    /// Puts `item` where no item is, or where the one there has expired by `now` (its TTL
    /// attribute; DynamoDB deletes expired items only within days).
    fn put_unless_live(&mut self, item: Item, now: u64, guards: ConflictItem) -> StoreResult<()> {
        let put = Put::builder()
            .table_name(self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR #expires <= :now")
            .expression_attribute_names("#expires", EXPIRES_AT)
            .expression_attribute_values(":now", n(now));
        self.push_put(put, guards)
    }

    fn delete(&mut self, key: Item) -> StoreResult<()> {
        let delete = Delete::builder()
            .table_name(self.table)
            .set_key(Some(key))
            .build()
            .map_err(unavailable)?;
        self.writes.push(Write {
            item: TransactWriteItem::builder().delete(delete).build(),
            guards: ConflictItem::Unknown,
        });
        Ok(())
    }

    /// A versioned aggregate: new at version 1, else replacing `version - 1`.
    fn versioned(
        &mut self,
        mut item: Item,
        version: u64,
        doc: AttributeValue,
        guards: ConflictItem,
    ) -> StoreResult<()> {
        item.insert(VERSION.to_owned(), n(version));
        item.insert(DOC.to_owned(), doc);
        let condition = if version <= 1 {
            None
        } else {
            Some(version - 1)
        };
        self.put(item, Some(condition), guards)
    }

    fn voucher(&mut self, voucher: &Voucher, history: &HistoryEntry) -> StoreResult<()> {
        let list_key = voucher_list_key(voucher);
        let mut item = voucher_key(&voucher.voucher_number);
        // The partner's lists index it once it has a partner: a customer's voucher not yet
        // assigned (SPEC §15.5) is in no partner's list (a sparse index).
        if let Some(partner) = &voucher.partner_id {
            item.insert(
                "GSI1PK".into(),
                s(vouchers_in_state_pk(partner, voucher.state)),
            );
            item.insert("GSI1SK".into(), s(list_key.clone()));
            item.insert("GSI2PK".into(), s(vouchers_pk(partner)));
            item.insert("GSI2SK".into(), s(list_key));
        }
        let guards = ConflictItem::Voucher(voucher.voucher_number.clone());
        self.versioned(item, voucher.version, to_doc(voucher)?, guards.clone())?;
        self.line(
            &voucher.voucher_number,
            "HISTORY",
            history.version,
            to_doc(history)?,
            guards,
        )
    }

    /// An append-only line (history) under the voucher: it must not exist yet.
    fn line(
        &mut self,
        number: &VoucherNumber,
        kind: &str,
        version: u64,
        doc: AttributeValue,
        guards: ConflictItem,
    ) -> StoreResult<()> {
        let mut item = key(voucher_pk(number), line_sk(kind, version));
        item.insert(DOC.to_owned(), doc);
        self.put(item, Some(None), guards)
    }
}

/// Which index entries a partner save deletes and which it puts: one action per item, as a
/// transaction requires, so an entry kept in place is only put.
fn directory_changes(
    previous: Option<&Partner>,
    next: &Partner,
) -> (Vec<IndexEntry>, Vec<IndexEntry>) {
    let put = directory::record_entries(next);
    let delete = previous
        .map(directory::record_entries)
        .unwrap_or_default()
        .into_iter()
        .filter(|old| {
            !put.iter()
                .any(|new| new.index == old.index && new.key == old.key)
        })
        .collect();
    (delete, put)
}

impl DynamoStore {
    /// A store on `table` through `client` (built once at start and reused).
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// A store on `table` with the SDK's default configuration: region, credentials and
    /// endpoint from the environment, as on Lambda. Build it once at start and reuse it.
    pub async fn from_environment(table: impl Into<String>) -> DynamoStore {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        DynamoStore::new(Client::new(&config), table)
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table with its two GSIs (on-demand billing) and waits until it is active;
    /// an existing table is left as it is. For tests and local runs; production tables come
    /// from infrastructure code with the same definition.
    pub async fn create_table(&self) -> StoreResult<()> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(unavailable)
        };
        let key_schema = |hash: &str, range: &str| -> StoreResult<Vec<KeySchemaElement>> {
            Ok(vec![
                KeySchemaElement::builder()
                    .attribute_name(hash)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(unavailable)?,
                KeySchemaElement::builder()
                    .attribute_name(range)
                    .key_type(KeyType::Range)
                    .build()
                    .map_err(unavailable)?,
            ])
        };
        let index = |name: &str, hash: &str, range: &str| -> StoreResult<GlobalSecondaryIndex> {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .set_key_schema(Some(key_schema(hash, range)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(unavailable)
        };
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(
                ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
                    .into_iter()
                    .map(attribute)
                    .collect::<StoreResult<_>>()?,
            ))
            .set_key_schema(Some(key_schema(PK, SK)?))
            .global_secondary_indexes(index(BY_STATE_INDEX, "GSI1PK", "GSI1SK")?)
            .global_secondary_indexes(index(BY_PARTNER_INDEX, "GSI2PK", "GSI2SK")?)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(SdkError::ServiceError(e)) if e.err().is_resource_in_use_exception() => {}
            Err(e) => return Err(sdk_error(e)),
        }
        for _ in 0..600 {
            let described = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(sdk_error)?;
            let active = described
                .table()
                .and_then(|t| t.table_status())
                .is_some_and(|s| s.as_str() == "ACTIVE");
            if active {
                return self.expire_on(EXPIRES_AT).await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Err(StoreError::Unavailable(format!(
            "table {} did not become active",
            self.table
        )))
    }

    async fn get<T: DeserializeOwned>(&self, key: Item) -> StoreResult<Option<T>> {
        self.get_item(key)
            .await?
            .as_ref()
            .map(from_item)
            .transpose()
    }

    /// One item as stored, read consistently.
    async fn get_item(&self, key: Item) -> StoreResult<Option<Item>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(output.item)
    }

    /// The items at `keys` that exist, in no particular order, read consistently in requests of
    /// 100 keys. A key named twice is read once (BatchGetItem refuses duplicates).
    async fn batch_get(&self, keys: Vec<Item>) -> StoreResult<Vec<Item>> {
        let mut seen = std::collections::HashSet::new();
        let keys: Vec<Item> = keys
            .into_iter()
            .filter(|key| {
                let text = |name: &str| key.get(name).and_then(|v| v.as_s().ok()).cloned();
                seen.insert((text(PK), text(SK)))
            })
            .collect();
        let mut found = Vec::new();
        for chunk in keys.chunks(BATCH_GET_LIMIT) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .consistent_read(true)
                    .build()
                    .map_err(unavailable)?,
            );
            // Unprocessed keys come back when DynamoDB sheds load; ask again for those only.
            for attempt in 0..8u32 {
                let Some(request) = pending.take() else { break };
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                found.extend(
                    output
                        .responses()
                        .and_then(|r| r.get(&self.table))
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
                pending = output
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .filter(|k| !k.keys().is_empty())
                    .cloned();
            }
            if pending.is_some() {
                return Err(StoreError::Unavailable(
                    "batch read kept being throttled".into(),
                ));
            }
        }
        Ok(found)
    }

    /// Every line of one kind under a voucher, oldest first, following pages.
    async fn lines<T: DeserializeOwned>(
        &self,
        number: &VoucherNumber,
        kind: &str,
    ) -> StoreResult<Vec<T>> {
        let mut items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :kind)")
            .expression_attribute_values(":pk", s(voucher_pk(number)))
            .expression_attribute_values(":kind", s(format!("{kind}#")))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut found = Vec::new();
        while let Some(item) = items.try_next().await.map_err(sdk_error)? {
            found.push(from_item(&item)?);
        }
        Ok(found)
    }

    /// Up to `limit` vouchers of one list partition with a key in `[low, high)`, in order.
    async fn list_segment<T: DeserializeOwned>(
        &self,
        (index, partition, key_name): (&str, String, &str),
        low: Option<&str>,
        high: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, T)>> {
        let condition = match (low, high) {
            (Some(low), Some(high)) if low >= high => return Ok(Vec::new()),
            (Some(_), Some(_)) => "#pk = :pk AND #sk BETWEEN :low AND :high",
            (Some(_), None) => "#pk = :pk AND #sk >= :low",
            (None, Some(_)) => "#pk = :pk AND #sk < :high",
            (None, None) => "#pk = :pk",
        };
        let mut found: Vec<(String, T)> = Vec::new();
        let mut start: Option<Item> = None;
        let limit_i32 = i32::try_from(limit).unwrap_or(i32::MAX);
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression(condition)
                .expression_attribute_names("#pk", format!("{key_name}PK"))
                .expression_attribute_values(":pk", s(partition.clone()))
                .limit(limit_i32)
                .set_exclusive_start_key(start.take());
            if low.is_some() || high.is_some() {
                query = query.expression_attribute_names("#sk", format!("{key_name}SK"));
            }
            if let Some(low) = low {
                query = query.expression_attribute_values(":low", s(low));
            }
            if let Some(high) = high {
                // BETWEEN is inclusive; no list key equals a bare date, so `high` itself never
                // matches and the range stays half-open.
                query = query.expression_attribute_values(":high", s(high));
            }
            let output = query.send().await.map_err(sdk_error)?;
            for item in output.items() {
                let list_key = item
                    .get(&format!("{key_name}SK"))
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                found.push((list_key, from_item(item)?));
            }
            match output.last_evaluated_key() {
                Some(last) if found.len() < limit => start = Some(last.clone()),
                _ => return Ok(found),
            }
        }
    }
}

/// Counts the HTTP requests a DynamoDB client sends, per operation (`X-Amz-Target`), retries
/// included. Tests assert request budgets with it; a service can export it as a metric.
#[derive(Clone, Debug, Default)]
pub struct RequestCounter {
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl RequestCounter {
    /// A counter at zero.
    pub fn new() -> RequestCounter {
        RequestCounter::default()
    }

    /// Requests per operation since the last [`RequestCounter::take`].
    pub fn take(&self) -> BTreeMap<String, usize> {
        self.counts
            .lock()
            .map(|mut counts| std::mem::take(&mut *counts))
            .unwrap_or_default()
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or("unknown")
            .to_owned();
        if let Ok(mut counts) = self.counts.lock() {
            *counts.entry(operation).or_default() += 1;
        }
        Ok(())
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn programs(&self) -> StoreResult<Vec<Program>> {
        let mut items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(CATALOG_PK.to_owned()))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut saved = Vec::new();
        while let Some(item) = items.try_next().await.map_err(sdk_error)? {
            saved.push(from_item::<ProgramSave>(&item)?);
        }
        Ok(catalog_order(saved))
    }

    async fn partner(&self, id: &PartnerId) -> StoreResult<Option<Partner>> {
        self.get(partner_key(id)).await
    }

    async fn directory(
        &self,
        filter: &directory::Filter,
        after: Option<&DirectoryKey>,
        limit: usize,
    ) -> StoreResult<Vec<directory::Candidate>> {
        self.directory_candidates(filter, after, limit).await
    }

    async fn settle_directory(&self) -> StoreResult<usize> {
        self.settle_pending().await
    }

    async fn voucher(&self, number: &VoucherNumber) -> StoreResult<Option<Voucher>> {
        self.get(voucher_key(number)).await
    }

    async fn vouchers(&self, numbers: &[VoucherNumber]) -> StoreResult<Vec<Voucher>> {
        let items = self
            .batch_get(numbers.iter().map(voucher_key).collect())
            .await?;
        let mut found: HashMap<String, Voucher> = HashMap::new();
        for item in &items {
            let voucher: Voucher = from_item(item)?;
            found.insert(voucher.voucher_number.to_string(), voucher);
        }
        // In the order asked, like the SQLite backend.
        Ok(numbers
            .iter()
            .filter_map(|number| found.remove(number.as_str()))
            .collect())
    }

    async fn history_page(
        &self,
        number: &VoucherNumber,
        after: Option<u64>,
        limit: usize,
    ) -> StoreResult<Vec<HistoryEntry>> {
        let Some(low) = after.map_or(Some(0), |v| v.checked_add(1)) else {
            return Ok(Vec::new());
        };
        // The paginator goes on past a response DynamoDB cut short (1 MB); reading stops at
        // `limit`, and each request asks for no more than that.
        let mut items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :low AND :high")
            .expression_attribute_values(":pk", s(voucher_pk(number)))
            .expression_attribute_values(":low", s(line_sk("HISTORY", low)))
            .expression_attribute_values(":high", s(line_sk("HISTORY", u64::MAX)))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut found = Vec::new();
        while found.len() < limit {
            match items.try_next().await.map_err(sdk_error)? {
                Some(item) => found.push(from_item(&item)?),
                None => break,
            }
        }
        Ok(found)
    }

    async fn notifications(
        &self,
        number: &VoucherNumber,
    ) -> StoreResult<Vec<CustomerNotification>> {
        self.lines(number, "OUTBOX").await
    }

    async fn uploads(&self, number: &VoucherNumber) -> StoreResult<Vec<Deliverable>> {
        self.lines(number, "UPLOAD").await
    }

    async fn partner_vouchers(
        &self,
        partner: &PartnerId,
        query: VoucherQuery,
        cursor: Option<&str>,
    ) -> StoreResult<VoucherPage> {
        let after = cursor.map(decode_list_cursor).transpose()?;
        // Keys are `YYYY-MM-DD#NUMBER` over [0-9A-Z#-]: `after + "!"` is the least key above
        // `after`. Each stored state's day range is core's `ExpiryBound::stored_range`.
        let low = after.map(|a| format!("{a}!"));
        let range = |bound: ExpiryBound| {
            let (from, until) = bound.stored_range(query.today, query.extension_days);
            (from.map(|d| d.to_string()), until.map(|d| d.to_string()))
        };
        let limit = query.limit.max(1);
        let segments: Vec<((&str, String, &str), Option<String>, Option<String>)> =
            match query.state {
                None => vec![(
                    (BY_PARTNER_INDEX, vouchers_pk(partner), "GSI2"),
                    low.clone(),
                    None,
                )],
                Some(state) => state
                    .stored_as()
                    .into_iter()
                    .map(|(stored, expiry)| {
                        let partition = (
                            BY_STATE_INDEX,
                            vouchers_in_state_pk(partner, stored),
                            "GSI1",
                        );
                        let (from, until) = range(expiry);
                        let floor = [low.clone(), from].into_iter().flatten().max();
                        (partition, floor, until)
                    })
                    .collect(),
            };
        let mut merged: Vec<(String, Voucher)> = Vec::new();
        for (partition, low, high) in segments {
            merged.extend(
                self.list_segment(partition, low.as_deref(), high.as_deref(), limit + 1)
                    .await?,
            );
        }
        merged.sort_by(|a, b| a.0.cmp(&b.0));
        merged.truncate(limit + 1);
        let next_cursor = if merged.len() > limit {
            merged.truncate(limit);
            merged.last().map(|(key, _)| encode_list_cursor(key))
        } else {
            None
        };
        Ok(VoucherPage {
            items: merged.into_iter().map(|(_, v)| v).collect(),
            next_cursor,
        })
    }

    async fn access_audit(&self, partner: &PartnerId) -> StoreResult<Vec<AccessChange>> {
        let mut items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :audit)")
            .expression_attribute_values(":pk", s(format!("PARTNER#{partner}")))
            .expression_attribute_values(":audit", s("AUDIT#".to_owned()))
            .into_paginator()
            .items()
            .send();
        let mut changes = Vec::new();
        while let Some(item) = items.try_next().await.map_err(sdk_error)? {
            changes.push(from_item(&item)?);
        }
        Ok(changes)
    }

    async fn has_redeemed(&self, partner: &PartnerId, program: &ProgramId) -> StoreResult<bool> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(redeemed_key(partner, program)))
            .projection_expression(PK)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(output.item.is_some())
    }

    async fn engagements(&self, key: &Engagements) -> StoreResult<Option<Engagements>> {
        self.get(engagements_key(key)).await
    }

    async fn customer(&self, id: &CustomerId) -> StoreResult<Option<CustomerAccount>> {
        self.get(customer_key(id)).await
    }

    async fn claim(&self, id: &ClaimId) -> StoreResult<Option<Claim>> {
        self.get(claim_key(id)).await
    }

    /// One `Query` per state asked for (four without a state), each from the cursor on; the
    /// pages merge in key order.
    async fn claims(&self, query: &ClaimQuery, cursor: Option<&str>) -> StoreResult<ClaimPage> {
        let after = cursor.map(decode_list_cursor).transpose()?;
        // Keys are `YYYY-MM-DD#CLAIMID` over [0-9A-Za-z#_-]: `after + "!"` is the least key
        // above `after`.
        let low = after.map(|a| format!("{a}!"));
        let limit = query.limit.max(1);
        let states = match query.state {
            Some(state) => vec![state],
            None => ClaimState::ALL.to_vec(),
        };
        let mut merged: Vec<(String, Claim)> = Vec::new();
        for state in states {
            let partition = match &query.partner {
                Some(partner) => (BY_STATE_INDEX, partner_claims_pk(partner, state), "GSI1"),
                None => (BY_PARTNER_INDEX, claims_pk(state), "GSI2"),
            };
            merged.extend(
                self.list_segment(partition, low.as_deref(), None, limit + 1)
                    .await?,
            );
        }
        Ok(claim_page(merged, limit))
    }

    /// A `Scan` of the upload lines: the whole table is read (filtered server-side), which a
    /// periodic blob sweep can afford and a request never does.
    async fn uploaded_digests(&self) -> StoreResult<std::collections::BTreeSet<Sha256>> {
        let mut items = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression("begins_with(SK, :upload)")
            .expression_attribute_values(":upload", s("UPLOAD#".to_owned()))
            .into_paginator()
            .items()
            .send();
        let mut digests = std::collections::BTreeSet::new();
        while let Some(item) = items.try_next().await.map_err(sdk_error)? {
            let deliverable: Deliverable = from_item(&item)?;
            digests.insert(deliverable.sha256);
        }
        Ok(digests)
    }

    async fn idempotency(&self, scope: &str, key: &str) -> StoreResult<Option<IdempotencyRecord>> {
        self.get(idempotency_key(scope, key)).await
    }

    async fn commit(&self, commit: Commit) -> StoreResult<()> {
        if commit.is_empty() {
            return Ok(());
        }
        let mut tx = Transaction {
            table: &self.table,
            writes: Vec::new(),
        };
        for (partner, program) in &commit.redeemed_programs {
            // Unconditional: writing the marker again changes nothing.
            tx.put(redeemed_key(partner, program), None, ConflictItem::Unknown)?;
        }
        if let Some(engagements) = &commit.engagements {
            tx.versioned(
                engagements_key(engagements),
                engagements.version,
                to_doc(engagements)?,
                ConflictItem::Engagements(engagements.key()),
            )?;
        }
        for save in &commit.programs {
            let id = &save.program.id;
            tx.versioned(
                program_key(id),
                save.program.version,
                to_doc(save)?,
                ConflictItem::Program(id.clone()),
            )?;
        }
        if let (Some(change), Some(save)) = (&commit.access_change, &commit.partner) {
            let partner = &save.next;
            let mut item = key(
                format!("PARTNER#{}", partner.partner_id),
                line_sk("AUDIT", partner.version),
            );
            item.insert(DOC.to_owned(), to_doc(change)?);
            tx.put(
                item,
                Some(None),
                ConflictItem::Partner(partner.partner_id.clone()),
            )?;
        }
        if let Some(save) = &commit.partner {
            let partner = &save.next;
            let guards = ConflictItem::Partner(partner.partner_id.clone());
            tx.versioned(
                partner_key(&partner.partner_id),
                partner.version,
                to_doc(partner)?,
                guards,
            )?;
            let (delete, put) = directory_changes(save.previous.as_ref(), partner);
            for entry in &delete {
                tx.delete(directory_index::record_key(entry))?;
            }
            if let Some(record) = directory::record_of(partner) {
                let doc = to_doc(&record)?;
                for entry in &put {
                    let mut item = directory_index::record_key(entry);
                    item.insert(DOC.to_owned(), doc.clone());
                    tx.put(item, None, ConflictItem::Unknown)?;
                }
            }
            if directory_index::reindexes(save.previous.as_ref(), partner) {
                let previous = save.previous.as_ref().and_then(directory::Indexed::of);
                tx.index_later(previous.as_ref(), partner)?;
            }
        }
        for (voucher, history) in &commit.new_vouchers {
            tx.voucher(voucher, history)?;
        }
        for transition in &commit.transitions {
            tx.voucher(&transition.voucher, &transition.history)?;
        }
        for notification in commit.outbox() {
            // Keyed by its slot (its day), unconditionally: the day's latest notification
            // replaces the earlier.
            let number = &notification.voucher_number;
            let mut item = key(voucher_pk(number), line_sk("OUTBOX", notification.slot()));
            item.insert(DOC.to_owned(), to_doc(notification)?);
            tx.put(item, None, ConflictItem::Voucher(number.clone()))?;
        }
        if let Some(account) = &commit.customer {
            let id = &account.customer.customer_id;
            tx.versioned(
                customer_key(id),
                account.customer.version,
                to_doc(account)?,
                ConflictItem::Customer(id.clone()),
            )?;
        }
        if let Some(claim) = &commit.claim {
            let guards = ConflictItem::Claim(claim.claim_id.clone());
            let list_key = claim_list_key(claim);
            let mut item = claim_key(&claim.claim_id);
            item.insert(
                "GSI1PK".into(),
                s(partner_claims_pk(&claim.partner_id, claim.state)),
            );
            item.insert("GSI1SK".into(), s(list_key.clone()));
            item.insert("GSI2PK".into(), s(claims_pk(claim.state)));
            item.insert("GSI2SK".into(), s(list_key));
            tx.versioned(item, claim.version, to_doc(claim)?, guards)?;
        }
        for upload in &commit.uploads {
            let number = &upload.voucher_number;
            let mut item = key(
                voucher_pk(number),
                format!("UPLOAD#{}", upload.deliverable.file_name),
            );
            item.insert(DOC.to_owned(), to_doc(&upload.deliverable)?);
            let guards = ConflictItem::Voucher(number.clone());
            match upload.effect {
                UploadEffect::Adds => {
                    tx.put(item, Some(None), guards.clone())?;
                    // The count of a voucher's files, kept beside them: its condition is what
                    // keeps two racing uploads from passing the cap together.
                    tx.count_up(key(voucher_pk(number), "UPLOADS"), upload.at_most, guards)?;
                }
                UploadEffect::Replaces => tx.put_existing(item, guards)?,
            }
        }
        if let Some(record) = &commit.idempotency {
            let mut item = idempotency_key(&record.scope, &record.key);
            item.insert(DOC.to_owned(), to_doc(record)?);
            item.insert(EXPIRES_AT.to_owned(), n(record.expires_at));
            tx.put_unless_live(
                item,
                record.written_at,
                ConflictItem::IdempotencyKey(record.key.clone()),
            )?;
        }
        // Counted on what was built, so the limit is checked on the real item count.
        if tx.writes.len() > TRANSACTION_LIMIT {
            return Err(StoreError::TooLarge {
                items: tx.writes.len(),
                limit: TRANSACTION_LIMIT,
            });
        }
        let (items, guards): (Vec<_>, Vec<_>) =
            tx.writes.into_iter().map(|w| (w.item, w.guards)).unzip();
        let sent = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match sent {
            Ok(_) => {
                if let Some(save) = &commit.partner {
                    let partner = &save.next.partner_id;
                    // Committed: the filter entries follow. A failure here leaves the pending
                    // item for `settle_directory`; the commit itself stands.
                    if let Err(error) = self.settle(partner).await {
                        tracing::warn!(%error, %partner, "directory indexing left pending");
                    }
                }
                Ok(())
            }
            Err(SdkError::ServiceError(service))
                if service.err().is_transaction_canceled_exception() =>
            {
                Err(cancelled(service.err(), &guards))
            }
            Err(e) => Err(sdk_error(e)),
        }
    }
}

/// The TTL attribute: idempotency records carry their expiry (Unix seconds) in it.
pub const EXPIRES_AT: &str = "expiresAt";

impl DynamoStore {
    /// Turns on DynamoDB's TTL on `attribute`, unless a table made before has it on already
    /// (DynamoDB refuses to turn it on twice).
    async fn expire_on(&self, attribute: &str) -> StoreResult<()> {
        use aws_sdk_dynamodb::types::{TimeToLiveSpecification, TimeToLiveStatus};
        let described = self
            .client
            .describe_time_to_live()
            .table_name(&self.table)
            .send()
            .await
            .map_err(sdk_error)?;
        let current = described.time_to_live_description();
        let on = current.is_some_and(|d| {
            d.attribute_name() == Some(attribute)
                && matches!(
                    d.time_to_live_status(),
                    Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
                )
        });
        if on {
            return Ok(());
        }
        let specification = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(attribute)
            .build()
            .map_err(unavailable)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(specification)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}

fn idempotency_key(scope: &str, key_text: &str) -> Item {
    key(format!("IDEMPOTENCY#{scope}"), key_text)
}

/// Reads why DynamoDB cancelled a transaction: a failed condition or a concurrent
/// transaction on one of its items is a lost race (409); anything else, such as throttling,
/// means the store could not do the work (503).
fn cancelled(
    error: &aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
    guards: &[ConflictItem],
) -> StoreError {
    let aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(
        exception,
    ) = error
    else {
        return unavailable(error);
    };
    let reasons = exception.cancellation_reasons();
    let lost = reasons.iter().zip(guards).find(|(reason, _)| {
        matches!(
            reason.code(),
            Some("ConditionalCheckFailed" | "TransactionConflict")
        )
    });
    match lost {
        Some((reason, item)) => StoreError::Conflict {
            item: item.clone(),
            reason: reason.code().unwrap_or_default().to_owned(),
        },
        None => StoreError::Unavailable(format!(
            "transaction cancelled: {}",
            reasons
                .iter()
                .filter_map(|r| r.code())
                .filter(|c| *c != "None")
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Client settings for a DynamoDB-compatible server at `endpoint` (DynamoDB Local in tests
/// and `--dynamodb-endpoint` runs): a fixed region and placeholder credentials, since such
/// servers accept any signature, and short timeouts so an outage surfaces as `Unavailable`
/// instead of a hung request.
pub fn local_client(endpoint: &str) -> Client {
    local_client_with(endpoint, None)
}

/// [`local_client`] with an interceptor (a [`RequestCounter`]) installed.
pub fn local_client_with(endpoint: &str, counter: Option<RequestCounter>) -> Client {
    let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(2))
        .operation_attempt_timeout(std::time::Duration::from_secs(10))
        .build();
    let mut config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "saps-local",
        ))
        .timeout_config(timeouts)
        .retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard().with_max_attempts(2),
        );
    if let Some(counter) = counter {
        config = config.interceptor(counter);
    }
    Client::from_conf(config.build())
}
