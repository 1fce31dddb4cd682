//! The directory on DynamoDB (`super::super::directory` says what is indexed).
//!
//! Records live under `DIRECTORY#<program or *>` and are written in the partner's transaction.
//! Filter entries are key-only items under `DIRFILTER#<program>|<country>|<language>`; a
//! partner at the profile's limits has thousands, past a transaction's 100 items, so they are
//! written after the commit. The commit leaves a *pending* item (`DIRECTORY#PENDING`, the
//! partner id) naming the version to index and every earlier indexing whose entries may still
//! be in place; indexing puts the current entries, deletes the earlier ones it no longer has,
//! then removes the pending item if no newer commit has replaced it. Every step is idempotent,
//! so a crash between the commit and the indexing is finished by the next run
//! ([`DynamoStore::settle_pending`]), and a search in between at worst misses the partner
//! under a filter, never lists it wrongly: core decides every candidate on its record.

use super::{DynamoStore, Item, SK, Transaction, VERSION, from_item, key, n, s};
use super::{sdk_error, unavailable};
use crate::store::directory::{
    Candidate, DirectoryKey, DirectoryRecord, Filter, IndexEntry, Indexed,
};
use crate::store::{ConflictItem, Partner, StoreError, StoreResult};
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, PutRequest, TransactWriteItem, Update, WriteRequest,
};
use saps_core::value::PartnerId;
use std::collections::HashSet;
use std::time::Duration;

/// The partition of pending indexings, one item per partner.
const PENDING: &str = "DIRECTORY#PENDING";
/// The pending item's list of earlier indexings (JSON of [`Indexed`]).
const STALE: &str = "stale";
/// BatchWriteItem's most requests.
const BATCH_WRITE_LIMIT: usize = 25;

pub(super) fn record_key(entry: &IndexEntry) -> Item {
    key(format!("DIRECTORY#{}", entry.index), entry.key.sort_text())
}

fn pending_key(partner: &PartnerId) -> Item {
    key(PENDING.to_owned(), partner.to_string())
}

impl Transaction<'_> {
    /// Records that `next`'s filter entries are to be written, and that those of `previous`
    /// (if it had any) are to be retired unless `next` keeps them: appended to what an
    /// unfinished earlier indexing left.
    pub(super) fn index_later(
        &mut self,
        previous: Option<&Indexed>,
        next: &Partner,
    ) -> StoreResult<()> {
        let stale = previous
            .map(|indexed| {
                serde_json::to_string(indexed).map_err(|e| StoreError::Corrupt {
                    key: PENDING.to_owned(),
                    reason: e.to_string(),
                })
            })
            .transpose()?
            .map(s)
            .into_iter()
            .collect();
        let update = Update::builder()
            .table_name(self.table)
            .set_key(Some(pending_key(&next.partner_id)))
            .update_expression(
                "SET #version = :version, #stale = list_append(if_not_exists(#stale, :none), :stale)",
            )
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_names("#stale", STALE)
            .expression_attribute_values(":version", n(next.version))
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":stale", AttributeValue::L(stale))
            .build()
            .map_err(unavailable)?;
        self.writes.push(super::Write {
            item: TransactWriteItem::builder().update(update).build(),
            guards: ConflictItem::Unknown,
        });
        Ok(())
    }
}

/// What a pending item asks for.
struct Pending {
    version: u64,
    stale: Vec<Indexed>,
}

fn pending_of(item: &Item) -> StoreResult<Pending> {
    let corrupt = |reason: String| StoreError::Corrupt {
        key: PENDING.to_owned(),
        reason,
    };
    let version = item
        .get(VERSION)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| corrupt("no version".into()))?;
    let stale = match item.get(STALE) {
        Some(AttributeValue::L(list)) => list
            .iter()
            .map(|doc| {
                let text = doc.as_s().map_err(|_| corrupt("not a string".into()))?;
                serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))
            })
            .collect::<StoreResult<Vec<Indexed>>>()?,
        _ => Vec::new(),
    };
    Ok(Pending { version, stale })
}

/// The entries of `indexed`, keyed for a set.
fn entry_keys(indexed: Option<&Indexed>) -> Vec<(String, String)> {
    indexed
        .map(Indexed::filter_entries)
        .unwrap_or_default()
        .iter()
        .map(|entry| (entry.index.clone(), entry.key.sort_text()))
        .collect()
}

fn filter_item((index, sort): &(String, String)) -> Item {
    key(format!("DIRFILTER#{index}"), sort.clone())
}

impl DynamoStore {
    /// Candidates from the records' index, or from the filter entries' index with each one's
    /// record read in one batch.
    pub(super) async fn directory_candidates(
        &self,
        filter: &Filter,
        after: Option<&DirectoryKey>,
        limit: usize,
    ) -> StoreResult<Vec<Candidate>> {
        if !filter.narrows() {
            let items = self
                .index_page(format!("DIRECTORY#{}", filter.record_index()), after, limit)
                .await?;
            return items
                .iter()
                .map(|item| from_item::<DirectoryRecord>(item).map(Candidate::from))
                .collect();
        }
        let entries = self
            .index_page(format!("DIRFILTER#{}", filter.name()), after, limit)
            .await?;
        let keys: Vec<DirectoryKey> = entries
            .iter()
            .map(|item| {
                item.get(SK)
                    .and_then(|sk| sk.as_s().ok())
                    .and_then(|sk| DirectoryKey::from_sort_text(sk))
                    .ok_or_else(|| StoreError::Corrupt {
                        key: format!("DIRFILTER#{}", filter.name()),
                        reason: "an entry's sort key is not a directory key".into(),
                    })
            })
            .collect::<StoreResult<_>>()?;
        let records = self
            .batch_get(
                keys.iter()
                    .map(|key| {
                        record_key(&IndexEntry {
                            index: filter.record_index().to_owned(),
                            key: key.clone(),
                        })
                    })
                    .collect(),
            )
            .await?
            .iter()
            .map(from_item::<DirectoryRecord>)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(keys
            .into_iter()
            .map(|key| Candidate {
                record: records.iter().find(|r| r.key() == key).cloned(),
                key,
            })
            .collect())
    }

    /// Up to `limit` items of one index partition after `after`, in order.
    async fn index_page(
        &self,
        partition: String,
        after: Option<&DirectoryKey>,
        limit: usize,
    ) -> StoreResult<Vec<Item>> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_values(":pk", s(partition))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        query = match after {
            Some(after) => query
                .key_condition_expression("PK = :pk AND SK > :after")
                .expression_attribute_values(":after", s(after.sort_text())),
            None => query.key_condition_expression("PK = :pk"),
        };
        // The paginator goes on past a response cut short by DynamoDB's 1 MB cap.
        let mut items = query.into_paginator().items().send();
        let mut found = Vec::with_capacity(limit);
        while found.len() < limit {
            match items.try_next().await.map_err(sdk_error)? {
                Some(item) => found.push(item),
                None => break,
            }
        }
        Ok(found)
    }

    /// Settles every pending indexing; the number settled.
    pub(super) async fn settle_pending(&self) -> StoreResult<usize> {
        let mut items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(PENDING.to_owned()))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut partners = Vec::new();
        while let Some(item) = items.try_next().await.map_err(sdk_error)? {
            let id = item
                .get(SK)
                .and_then(|sk| sk.as_s().ok())
                .and_then(|sk| PartnerId::parse(sk).ok())
                .ok_or_else(|| StoreError::Corrupt {
                    key: PENDING.to_owned(),
                    reason: "not a partner id".into(),
                })?;
            partners.push(id);
        }
        for partner in &partners {
            self.settle(partner).await?;
        }
        Ok(partners.len())
    }

    /// Writes `partner`'s filter entries as its stored version has them and retires those of
    /// earlier indexings, if its pending item says so.
    pub(super) async fn settle(&self, partner: &PartnerId) -> StoreResult<()> {
        let Some(item) = self.get_item(pending_key(partner)).await? else {
            return Ok(());
        };
        let pending = pending_of(&item)?;
        let stored: Option<Partner> = self.get(super::partner_key(partner)).await?;
        let current = stored.as_ref().and_then(Indexed::of);
        let put = entry_keys(current.as_ref());
        let keep: HashSet<&(String, String)> = put.iter().collect();
        let retire: HashSet<(String, String)> = pending
            .stale
            .iter()
            .flat_map(|indexed| entry_keys(Some(indexed)))
            .filter(|entry| !keep.contains(entry))
            .collect();
        let requests = put
            .iter()
            .map(|entry| put_request(filter_item(entry)))
            .chain(
                retire
                    .iter()
                    .map(|entry| delete_request(filter_item(entry))),
            )
            .collect::<StoreResult<Vec<_>>>()?;
        self.batch_write(requests).await?;
        let done = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(pending_key(partner)))
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":version", n(pending.version))
            .send()
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(aws_sdk_dynamodb::error::SdkError::ServiceError(e))
                if e.err().is_conditional_check_failed_exception() =>
            {
                // A newer commit came while this one wrote. Its indexing retires these entries,
                // unless it finished before this one wrote them: then retire them here.
                if self.get_item(pending_key(partner)).await?.is_none() {
                    let newest: Option<Partner> = self.get(super::partner_key(partner)).await?;
                    let newest = entry_keys(newest.as_ref().and_then(Indexed::of).as_ref());
                    let newest: HashSet<&(String, String)> = newest.iter().collect();
                    let requests = put
                        .iter()
                        .filter(|entry| !newest.contains(entry))
                        .map(|entry| delete_request(filter_item(entry)))
                        .collect::<StoreResult<Vec<_>>>()?;
                    self.batch_write(requests).await?;
                }
                Ok(())
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    /// Sends `requests` in batches of 25, sending again what DynamoDB leaves unprocessed.
    async fn batch_write(&self, requests: Vec<WriteRequest>) -> StoreResult<()> {
        for chunk in requests.chunks(BATCH_WRITE_LIMIT) {
            let mut pending = chunk.to_vec();
            for attempt in 0..8u32 {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_millis(20 << attempt)).await;
                }
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, std::mem::take(&mut pending))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                pending = output
                    .unprocessed_items()
                    .and_then(|u| u.get(&self.table))
                    .cloned()
                    .unwrap_or_default();
            }
            if !pending.is_empty() {
                return Err(StoreError::Unavailable(
                    "batch write kept being throttled".into(),
                ));
            }
        }
        Ok(())
    }
}

fn put_request(item: Item) -> StoreResult<WriteRequest> {
    let put = PutRequest::builder()
        .set_item(Some(item))
        .build()
        .map_err(unavailable)?;
    Ok(WriteRequest::builder().put_request(put).build())
}

fn delete_request(key: Item) -> StoreResult<WriteRequest> {
    let delete = DeleteRequest::builder()
        .set_key(Some(key))
        .build()
        .map_err(unavailable)?;
    Ok(WriteRequest::builder().delete_request(delete).build())
}

/// Whether the filter entries of `previous` and `next` differ (then the commit leaves a pending
/// indexing).
pub(super) fn reindexes(previous: Option<&Partner>, next: &Partner) -> bool {
    previous.and_then(Indexed::of) != Indexed::of(next)
}
