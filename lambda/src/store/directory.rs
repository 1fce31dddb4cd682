//! The directory index (SPEC §6), ordered by lower-case company name then partner id.
//!
//! Each partner with a profile holds a *record* (its profile and enrollments) under every
//! program it holds an enrollment in and under "all programs". Each also holds a key-only
//! *filter entry* under every combination of program (or all), country (or any) and language
//! (or any) that names a country or a language. A search reads the one index its filters name,
//! from the cursor onward, so the cost of a page does not grow with the number of partners,
//! whichever filters it has (issue 19).
//!
//! Filter entries only say where to look: the search reads each candidate's record and core
//! decides the listing and the filters on it. So an entry left behind by an earlier profile is
//! skipped, never shown, and a backend may write filter entries after the partner's commit
//! (DynamoDB does, since a partner can have thousands: lambda/DESIGN.md).

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

    /// The key [`DirectoryKey::sort_text`] wrote.
    pub fn from_sort_text(text: &str) -> Option<DirectoryKey> {
        let (name, id) = text.split_once('\u{1}')?;
        Some(DirectoryKey {
            name: name.to_owned(),
            partner_id: PartnerId::parse(id).ok()?,
        })
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

/// A place in an index and the record found there: `None` for a filter entry whose partner is
/// no longer listed at that place (filter entries may lag their partner's commit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The place in the index.
    pub key: DirectoryKey,
    /// The partner's record there.
    pub record: Option<DirectoryRecord>,
}

impl From<DirectoryRecord> for Candidate {
    fn from(record: DirectoryRecord) -> Candidate {
        Candidate {
            key: record.key(),
            record: Some(record),
        }
    }
}

/// One index entry: which index (a program id or [`ALL_PROGRAMS`] for records, a
/// [`Filter::name`] for filter entries) and where in it.
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

/// Every record entry of `partner`: none without a profile or a live enrollment.
pub fn record_entries(partner: &Partner) -> Vec<IndexEntry> {
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

/// The index a search reads: its program, country and language filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only partners enrolled in this program.
    pub program: Option<ProgramId>,
    /// Only partners serving this country (upper-case).
    pub country: Option<String>,
    /// Only partners speaking this language (lower-case).
    pub language: Option<String>,
}

impl Filter {
    /// The filters of `query`.
    pub fn of(query: &SearchQuery) -> Filter {
        Filter {
            program: query.program_id.clone(),
            country: query.country.clone(),
            language: query.language.clone(),
        }
    }

    /// Whether a country or a language narrows the search: then it reads filter entries,
    /// else records.
    pub fn narrows(&self) -> bool {
        self.country.is_some() || self.language.is_some()
    }

    /// The index of the records this filter's candidates are read from.
    pub fn record_index(&self) -> &str {
        index_name(self.program.as_ref())
    }

    /// The filter entries' index: `program|country|language`, `*` for each one absent. Codes
    /// and program ids hold no `|`.
    pub fn name(&self) -> String {
        filter_name(
            self.record_index(),
            self.country.as_deref().unwrap_or(ALL_PROGRAMS),
            self.language.as_deref().unwrap_or(ALL_PROGRAMS),
        )
    }
}

fn filter_name(program: &str, country: &str, language: &str) -> String {
    format!("{program}|{country}|{language}")
}

/// What a partner's filter entries derive from: everything else about the partner can change
/// without touching them. Kept by DynamoDB for the entries a later indexing must retire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Indexed {
    /// The lower-case company name.
    pub name: String,
    /// The partner.
    pub partner_id: PartnerId,
    /// The programs it is indexed under.
    pub programs: Vec<ProgramId>,
    /// Its countries.
    pub countries: Vec<String>,
    /// Its languages.
    pub languages: Vec<String>,
}

impl Indexed {
    /// What `partner` is indexed by, if it is listed anywhere.
    pub fn of(partner: &Partner) -> Option<Indexed> {
        let profile = partner.profile.as_ref()?;
        let programs = partner.indexed_programs();
        if programs.is_empty() {
            return None;
        }
        // Sorted and without repeats: one entry per filter value, however the profile lists them.
        let distinct = |values: &[String]| {
            let mut values = values.to_vec();
            values.sort();
            values.dedup();
            values
        };
        Some(Indexed {
            name: saps_core::directory::name_key(profile),
            partner_id: partner.partner_id.clone(),
            programs,
            countries: distinct(&profile.countries),
            languages: distinct(&profile.languages),
        })
    }

    /// Every filter entry: (all programs or each program) × (any country or each) × (any
    /// language or each), less the combinations naming neither a country nor a language (those
    /// read the records). Up to 8 × 51 × 21 for a partner in 7 programs with a profile at its
    /// limits, 2 × 2 × 2 − 2 = 6 for one program, country and language.
    pub fn filter_entries(&self) -> Vec<IndexEntry> {
        let key = DirectoryKey {
            name: self.name.clone(),
            partner_id: self.partner_id.clone(),
        };
        let any = || std::iter::once(ALL_PROGRAMS);
        let mut entries = Vec::new();
        for program in any().chain(self.programs.iter().map(ProgramId::as_str)) {
            for country in any().chain(self.countries.iter().map(String::as_str)) {
                for language in any().chain(self.languages.iter().map(String::as_str)) {
                    if country == ALL_PROGRAMS && language == ALL_PROGRAMS {
                        continue;
                    }
                    entries.push(IndexEntry {
                        index: filter_name(program, country, language),
                        key: key.clone(),
                    });
                }
            }
        }
        entries
    }
}

/// Every filter entry of `partner`: none without a profile or a live enrollment.
pub fn filter_entries(partner: &Partner) -> Vec<IndexEntry> {
    Indexed::of(partner)
        .map(|indexed| indexed.filter_entries())
        .unwrap_or_default()
}

/// One page of a directory search (SPEC §6), read from the index `store` keeps for the query's
/// filters: candidates are read in order from the cursor, core decides each listing on `today`
/// and applies the filters, and reading stops as soon as the page and one more match are found.
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
    // One more than the page tells whether a next page exists. Each filter combination has
    // its own index, so a candidate is dropped only when its entry lags its partner or the
    // partner's enrollment has lapsed since: reading just what is wanted keeps a small page
    // cheap, and a round with drops is followed by another.
    let wanted = query.limit.saturating_add(1);
    let filter = Filter::of(query);
    let mut items: Vec<DirectoryEntry> = Vec::with_capacity(wanted);
    'reading: loop {
        let candidates = store.directory(&filter, after.as_ref(), wanted).await?;
        let exhausted = candidates.len() < wanted;
        for candidate in candidates {
            after = Some(candidate.key);
            // A filter entry whose partner has since moved in the order (a new name) or left.
            let Some(record) = candidate.record else {
                continue;
            };
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
