//! The directory index (SPEC §6): each partner with a profile is indexed once under every
//! program it holds an enrollment in and once under "all programs", ordered by lower-case
//! company name then partner id. A search reads one index from the cursor onward, so its cost
//! follows the page, not the number of partners.

use super::{Partner, Store, StoreResult};
use chrono::NaiveDate;
use saps_core::catalog::Catalog;
use saps_core::directory::{self, DirectoryEntry, Page, Profile, SearchQuery};
use saps_core::enrollment::Enrollment;
use saps_core::value::{PartnerId, ProgramId};
use serde::{Deserialize, Serialize};

/// The index a search without a program filter reads.
pub const ALL_PROGRAMS: &str = "*";

/// A position in the directory order: lower-case company name, then partner id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DirectoryKey {
    /// The company name, lower-cased as core's `directory::sort_key` does.
    pub name: String,
    /// The partner.
    pub partner_id: PartnerId,
}

impl DirectoryKey {
    /// The position of `partner_id` with `profile`: core's `directory::sort_key` order.
    pub fn of(partner_id: &PartnerId, profile: &Profile) -> DirectoryKey {
        DirectoryKey {
            name: saps_core::directory::name_key(profile),
            partner_id: partner_id.clone(),
        }
    }

    /// One string that sorts byte-wise exactly as the (name, id) pair does: names cannot hold
    /// control characters, so U+0001 sorts below every character a name can continue with.
    pub fn sort_text(&self) -> String {
        format!("{}\u{1}{}", self.name, self.partner_id)
    }
}

/// What the index holds for one partner: enough for core to decide the listing on the day of
/// the search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryRecord {
    /// The partner.
    pub partner_id: PartnerId,
    /// Its profile.
    pub profile: Profile,
    /// Its enrollments (the listing's programs derive from them).
    pub enrollments: Vec<Enrollment>,
}

impl DirectoryRecord {
    /// The record's position in the directory order.
    pub fn key(&self) -> DirectoryKey {
        DirectoryKey::of(&self.partner_id, &self.profile)
    }
}

/// One index entry: which index (a program id or [`ALL_PROGRAMS`]) and where in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// The index: a program id, or `*`.
    pub index: String,
    /// The position.
    pub key: DirectoryKey,
}

/// The record `partner` is indexed with, if it has a profile.
pub fn record_of(partner: &Partner) -> Option<DirectoryRecord> {
    partner.profile.as_ref().map(|profile| DirectoryRecord {
        partner_id: partner.partner_id.clone(),
        profile: profile.clone(),
        enrollments: partner.enrollments.clone(),
    })
}

/// Every index entry of `partner`: none without a profile or a live enrollment.
pub fn index_keys(partner: &Partner) -> Vec<IndexEntry> {
    let Some(profile) = &partner.profile else {
        return Vec::new();
    };
    let programs = partner.indexed_programs();
    if programs.is_empty() {
        return Vec::new();
    }
    let key = DirectoryKey::of(&partner.partner_id, profile);
    std::iter::once(ALL_PROGRAMS.to_owned())
        .chain(programs.into_iter().map(String::from))
        .map(|index| IndexEntry {
            index,
            key: key.clone(),
        })
        .collect()
}

/// One page of a directory search (SPEC §6), read from `store`'s index: candidates are read in
/// order from the cursor, core decides each listing on `today` and applies the filters, and
/// reading stops as soon as the page and one more match are found.
pub async fn search(
    store: &dyn Store,
    catalog: &Catalog,
    query: &SearchQuery,
    today: NaiveDate,
) -> StoreResult<Page<DirectoryEntry>> {
    let mut after = query.after.as_ref().map(|(name, id)| DirectoryKey {
        name: name.clone(),
        partner_id: id.clone(),
    });
    // One more than the page tells whether a next page exists.
    let wanted = query.limit.saturating_add(1);
    // Filters drop candidates, so read a little more than wanted per round trip.
    let batch = wanted.max(25);
    let mut items: Vec<DirectoryEntry> = Vec::with_capacity(wanted);
    'reading: loop {
        let records = store
            .directory(query.program_id.as_ref(), after.as_ref(), batch)
            .await?;
        let exhausted = records.len() < batch;
        for record in records {
            after = Some(record.key());
            let entry = directory::listing(
                catalog,
                &record.partner_id,
                &record.profile,
                &record.enrollments,
                today,
            );
            if let Some(entry) = entry.filter(|e| query.matches(e)) {
                items.push(entry);
                if items.len() == wanted {
                    break 'reading;
                }
            }
        }
        if exhausted {
            break;
        }
    }
    let next_cursor = if items.len() > query.limit {
        items.truncate(query.limit);
        items.last().map(|last| {
            let (name, id) = directory::sort_key(last);
            directory::encode_cursor(&name, id)
        })
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The index name of `program` (or of all programs).
pub(crate) fn index_name(program: Option<&ProgramId>) -> &str {
    program.map_or(ALL_PROGRAMS, ProgramId::as_str)
}
