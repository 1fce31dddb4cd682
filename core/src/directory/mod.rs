//! The partner directory (SPEC §6): profile validation, the listing rule and anonymous search.
//!
//! Search is a pure function over a slice already sorted by [`sort_key`]: it seeks the cursor by
//! binary search and walks forward only as far as the page needs, so its cost follows the page,
//! not the number of partners.

mod codes;
pub mod rules;

use crate::catalog::Catalog;
use crate::enrollment::Enrollment;
use crate::error::{FieldPath, ProblemKind, Problems, Rejection};
use crate::form;
use crate::value::{self, Email, PartnerId, ProgramId};
use base64ct::{Base64UrlUnpadded, Encoding as _};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use codes::{COUNTRIES, LANGUAGES};

/// A country as typed (any case, spaces around ignored): an ISO 3166-1 alpha-2 code, answered
/// upper-case.
pub fn country(raw: &str) -> Result<String, ProblemKind> {
    let code = raw.trim().to_ascii_uppercase();
    if codes::listed(&COUNTRIES, &code) {
        Ok(code)
    } else {
        Err(ProblemKind::UnknownCountry {
            value: raw.trim().to_owned(),
        })
    }
}

/// Default page size of a search.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page size of a search.
pub const MAX_LIMIT: usize = 50;

/// A profile as typed into the form: every field optional so each missing one is reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileForm {
    /// 2–120 characters.
    #[serde(default)]
    pub company_name: Option<String>,
    /// At most 2000 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// An `https://` URL of at most 200 characters.
    #[serde(default)]
    pub website: Option<String>,
    /// Where customers write to.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// Optional, E.164.
    #[serde(default)]
    pub phone: Option<String>,
    /// 1–50 ISO 3166-1 alpha-2 codes.
    #[serde(default)]
    pub countries: Option<Vec<String>>,
    /// 1–20 BCP 47 primary language tags.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
}

/// A checked, normalised directory profile (SPEC §6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    /// Company name.
    pub company_name: String,
    /// Free description.
    #[serde(default)]
    pub description: String,
    /// Company website.
    pub website: String,
    /// Contact email.
    pub contact_email: Email,
    /// Phone in E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Upper-case country codes.
    pub countries: Vec<String>,
    /// Lower-case language tags.
    pub languages: Vec<String>,
}

impl ProfileForm {
    /// Checks every field and reports every problem at once (SPEC §6, §11).
    pub fn parse(&self) -> Result<Profile, Rejection> {
        let mut problems = Problems::new();
        let company_name =
            form::required(&mut problems, "companyName", self.company_name.as_deref())
                .and_then(|raw| problems.take("companyName", value::text(raw, 2, 120, false)));
        let description = problems.take(
            "description",
            value::text(
                self.description.as_deref().unwrap_or_default(),
                0,
                2000,
                true,
            ),
        );
        let website = form::required(&mut problems, "website", self.website.as_deref())
            .and_then(|raw| problems.take("website", parse_website(raw)));
        let contact_email =
            form::required(&mut problems, "contactEmail", self.contact_email.as_deref())
                .and_then(|raw| problems.take("contactEmail", Email::parse(raw)));
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => problems.take("phone", parse_phone(raw)).map(Some),
        };
        let countries = code_list(
            &mut problems,
            "countries",
            self.countries.as_deref(),
            50,
            |c| c.trim().to_ascii_uppercase(),
            |c| codes::listed(&COUNTRIES, c),
            |value| ProblemKind::UnknownCountry { value },
        );
        let languages = code_list(
            &mut problems,
            "languages",
            self.languages.as_deref(),
            20,
            |c| c.trim().to_ascii_lowercase(),
            |c| codes::listed(&LANGUAGES, c),
            |value| ProblemKind::UnknownLanguage { value },
        );
        problems.finish_with(|| {
            Some(Profile {
                company_name: company_name?,
                description: description?,
                website: website?,
                contact_email: contact_email?,
                phone: phone?,
                countries,
                languages,
            })
        })
    }
}

fn code_list(
    problems: &mut Problems,
    field: &str,
    raw: Option<&[String]>,
    max: usize,
    normalise: impl Fn(&str) -> String,
    known: impl Fn(&str) -> bool,
    unknown: impl Fn(String) -> ProblemKind,
) -> Vec<String> {
    let raw = raw.unwrap_or_default();
    let base = FieldPath::new(field);
    form::list_len(problems, &base, raw.len(), max);
    let mut seen = form::Seen::new();
    let mut codes = Vec::with_capacity(raw.len());
    for (i, item) in raw.iter().enumerate() {
        let code = normalise(item);
        if !known(&code) {
            problems.push(base.index(i), unknown(item.clone()));
        } else if !seen.insert(code.clone()) {
            problems.push(base.index(i), ProblemKind::Duplicate { value: code });
        } else {
            codes.push(code);
        }
    }
    codes
}

/// Checks an `https://` URL: at most 200 characters, a host with a dot, no user info, no spaces
/// or control characters.
pub fn parse_website(raw: &str) -> Result<String, ProblemKind> {
    let url = raw.trim();
    let rest = url
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .and_then(|_| url.get(8..))
        .ok_or(ProblemKind::InvalidUrl)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return Err(ProblemKind::InvalidUrl),
        None => authority,
    };
    let host_ok = host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let chars_ok = url.bytes().all(|b| b.is_ascii_graphic());
    if url.len() <= 200 && host_ok && chars_ok {
        Ok(format!("https://{rest}"))
    } else {
        Err(ProblemKind::InvalidUrl)
    }
}

/// Checks an E.164 phone number (`+` and 7–15 digits, no leading zero); spaces, hyphens and
/// parentheses are dropped first.
pub fn parse_phone(raw: &str) -> Result<String, ProblemKind> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').ok_or(ProblemKind::InvalidPhone)?;
    let ok = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(compact)
    } else {
        Err(ProblemKind::InvalidPhone)
    }
}

/// A listed partner: profile plus the programs derived from current enrollments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    /// The partner.
    pub partner_id: PartnerId,
    /// Its profile.
    pub profile: Profile,
    /// Programs with an `active` or `renewalDue` enrollment, sorted.
    pub programs: Vec<ProgramId>,
}

/// The directory entry of a partner on `today`, or `None` when it is not listed: a profile is
/// listed only while at least one enrollment is current; its programs are never typed in (§6).
pub fn listing(
    catalog: &Catalog,
    partner_id: &PartnerId,
    profile: &Profile,
    enrollments: &[Enrollment],
    today: NaiveDate,
) -> Option<DirectoryEntry> {
    let mut programs: Vec<ProgramId> = enrollments
        .iter()
        .filter(|e| {
            catalog
                .program(&e.program_id)
                .is_some_and(|p| e.status(p, today).is_current())
        })
        .map(|e| e.program_id.clone())
        .collect();
    // Equal ids are identical, so stability buys nothing.
    programs.sort_unstable();
    programs.dedup();
    (!programs.is_empty()).then(|| DirectoryEntry {
        partner_id: partner_id.clone(),
        profile: profile.clone(),
        programs,
    })
}

/// Puts `entries` in directory order ([`sort_key`]), each key computed once.
pub fn sort(entries: &mut [DirectoryEntry]) {
    entries.sort_by_cached_key(|e| {
        let (name, id) = sort_key(e);
        (name, id.clone())
    });
}

/// The order of the directory: company name ignoring case, then partner id (SPEC §6).
pub fn sort_key(entry: &DirectoryEntry) -> (String, &PartnerId) {
    (name_key(&entry.profile), &entry.partner_id)
}

/// The name part of [`sort_key`]: the company name ignoring case. A store's index sorts by it.
pub fn name_key(profile: &Profile) -> String {
    crate::value::lowercase(&profile.company_name)
}

/// A search as typed (query string parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct SearchForm {
    /// Only partners enrolled in this program.
    #[serde(default)]
    pub program_id: Option<String>,
    /// Only partners serving this country.
    #[serde(default)]
    pub country: Option<String>,
    /// Only partners speaking this language.
    #[serde(default)]
    pub language: Option<String>,
    /// Where the previous page ended.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size, 1–50 (default 20).
    #[serde(default)]
    pub limit: Option<u64>,
}

/// A checked search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    /// Program filter.
    pub program_id: Option<ProgramId>,
    /// Country filter, upper-case.
    pub country: Option<String>,
    /// Language filter, lower-case.
    pub language: Option<String>,
    /// Position after which the page starts: (lower-case company name, partner id).
    pub after: Option<(String, PartnerId)>,
    /// Page size.
    pub limit: usize,
}

/// A search form as the search reads it (the `searchForm` rule, SPEC §6, which a browser runs
/// before asking the API): filters normalised, absent ones left out, the page size filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct CheckedSearch {
    /// Program filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program_id: Option<ProgramId>,
    /// Country filter, upper-case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Language filter, lower-case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The cursor, trimmed: one that this search issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size.
    pub limit: u64,
}

impl SearchForm {
    /// Checks the search parameters; empty strings count as absent.
    pub fn parse(&self, catalog: &Catalog) -> Result<SearchQuery, Rejection> {
        let mut problems = Problems::new();
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let program_id = present(&self.program_id).and_then(|raw| {
            let parsed = ProgramId::parse(&raw)
                .ok()
                .filter(|id| catalog.program(id).is_some());
            problems.check(
                parsed.is_some(),
                "programId",
                ProblemKind::UnknownProgram { id: raw },
            );
            parsed
        });
        let country = present(&self.country).and_then(|raw| {
            let code = raw.to_ascii_uppercase();
            let known = codes::listed(&COUNTRIES, &code);
            problems.check(known, "country", ProblemKind::UnknownCountry { value: raw });
            known.then_some(code)
        });
        let language = present(&self.language).and_then(|raw| {
            let code = raw.to_ascii_lowercase();
            let known = codes::listed(&LANGUAGES, &code);
            problems.check(
                known,
                "language",
                ProblemKind::UnknownLanguage { value: raw },
            );
            known.then_some(code)
        });
        let after = present(&self.cursor).and_then(|raw| {
            let decoded = decode_cursor(&raw);
            problems.check(decoded.is_some(), "cursor", ProblemKind::InvalidCursor);
            decoded
        });
        let limit = match self.limit {
            None => Some(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT as u64).contains(&n) => usize::try_from(n).ok(),
            Some(_) => {
                problems.push(
                    "limit",
                    ProblemKind::OutOfRange {
                        min: 1,
                        max: MAX_LIMIT as u64,
                    },
                );
                None
            }
        };
        problems.finish_with(|| {
            Some(SearchQuery {
                program_id,
                country,
                language,
                after,
                limit: limit?,
            })
        })
    }

    /// The form as the search reads it, or every problem with it (the `searchForm` rule, SPEC
    /// §6): what a browser checks before it asks the API to search.
    pub fn check(&self, catalog: &Catalog) -> Result<CheckedSearch, Rejection> {
        let query = self.parse(catalog)?;
        Ok(CheckedSearch {
            cursor: query
                .after
                .and(self.cursor.as_deref())
                .map(|cursor| cursor.trim().to_owned()),
            program_id: query.program_id,
            country: query.country,
            language: query.language,
            limit: u64::try_from(query.limit).unwrap_or(u64::MAX),
        })
    }
}

impl SearchQuery {
    /// Whether `entry` passes the filters.
    pub fn matches(&self, entry: &DirectoryEntry) -> bool {
        self.program_id
            .as_ref()
            .is_none_or(|p| entry.programs.contains(p))
            && self
                .country
                .as_ref()
                .is_none_or(|c| entry.profile.countries.contains(c))
            && self
                .language
                .as_ref()
                .is_none_or(|l| entry.profile.languages.contains(l))
    }
}

/// One page of results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The entries of this page, in directory order.
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The opaque cursor of a position: base64url of `[name, partnerId]`.
pub fn encode_cursor(name: &str, partner_id: &PartnerId) -> String {
    let pair = (name, partner_id.as_str());
    let json = serde_json::to_string(&pair).unwrap_or_default();
    Base64UrlUnpadded::encode_string(json.as_bytes())
}

fn decode_cursor(raw: &str) -> Option<(String, PartnerId)> {
    let text = String::from_utf8(Base64UrlUnpadded::decode_vec(raw).ok()?).ok()?;
    let (name, id): (String, String) = serde_json::from_str(&text).ok()?;
    Some((name, PartnerId::parse(&id).ok()?))
}

/// Searches `sorted` (ordered by [`sort_key`]) for one page (SPEC §6).
pub fn search<'a>(sorted: &'a [DirectoryEntry], query: &SearchQuery) -> Page<&'a DirectoryEntry> {
    let start = match &query.after {
        Some((name, id)) => sorted.partition_point(|e| {
            let (entry_name, entry_id) = sort_key(e);
            (entry_name.as_str(), entry_id) <= (name.as_str(), id)
        }),
        None => 0,
    };
    let mut matching = sorted
        .get(start..)
        .unwrap_or_default()
        .iter()
        .filter(|e| query.matches(e));
    let items: Vec<&DirectoryEntry> = matching.by_ref().take(query.limit).collect();
    let next_cursor = match (items.last(), matching.next()) {
        (Some(last), Some(_)) => {
            let (name, id) = sort_key(last);
            Some(encode_cursor(&name, id))
        }
        _ => None,
    };
    Page { items, next_cursor }
}
