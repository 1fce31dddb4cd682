//! The directory rules of the entry layer (SPEC §6).

use super::{
    CheckedSearch, DirectoryEntry, Page, Profile, ProfileForm, SearchForm, listing as list, search,
    sort,
};
use crate::enrollment::Enrollment;
use crate::error::Rejection;
use crate::rule::{Env, Nothing};
use crate::value::PartnerId;
use serde::{Deserialize, Serialize};

/// One partner's directory record: profile and enrollments.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerRecord {
    /// The partner.
    pub partner_id: PartnerId,
    /// Its published profile.
    pub profile: Profile,
    /// Its enrollments.
    #[serde(default)]
    pub enrollments: Vec<Enrollment>,
}

/// The partners a directory search runs over.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryContext {
    /// Every partner with a profile.
    #[serde(default)]
    pub partners: Vec<PartnerRecord>,
}

/// The `listing` output.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Listing {
    /// Whether the partner is listed on the day.
    pub listed: bool,
    /// Its entry, when listed.
    pub entry: Option<DirectoryEntry>,
}

/// `profile`: the profile form, checked.
pub fn profile(_: &Env<'_>, form: ProfileForm, _: Nothing) -> Result<Profile, Rejection> {
    form.parse()
}

/// `searchForm`: the search form, checked.
pub fn search_form(
    env: &Env<'_>,
    form: SearchForm,
    _: Nothing,
) -> Result<CheckedSearch, Rejection> {
    form.check(env.catalog)
}

/// `listing`: whether and how one partner is listed on the day.
pub fn listing(env: &Env<'_>, _: Nothing, record: PartnerRecord) -> Result<Listing, Rejection> {
    let entry = list(
        env.catalog,
        &record.partner_id,
        &record.profile,
        &record.enrollments,
        env.today,
    );
    Ok(Listing {
        listed: entry.is_some(),
        entry,
    })
}

/// `directorySearch`: one page of the listed partners, in directory order.
pub fn directory_search(
    env: &Env<'_>,
    form: SearchForm,
    context: DirectoryContext,
) -> Result<Page<DirectoryEntry>, Rejection> {
    let query = form.parse(env.catalog)?;
    let mut entries: Vec<DirectoryEntry> = context
        .partners
        .iter()
        .filter_map(|p| {
            list(
                env.catalog,
                &p.partner_id,
                &p.profile,
                &p.enrollments,
                env.today,
            )
        })
        .collect();
    sort(&mut entries);
    let page = search(&entries, &query);
    Ok(Page {
        items: page.items.into_iter().cloned().collect(),
        next_cursor: page.next_cursor,
    })
}
