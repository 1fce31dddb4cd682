//! The program catalog (SPEC §3, §15.1): each planning-services program with its requirements,
//! engagement lengths, daily rates per delivery country, time parameters and cut-off dates. Every number of the rules
//! comes from here.

pub mod rules;

use crate::calendar::serde_date;
use crate::error::{FieldPath, Locale, ProblemKind, Problems, Rejection};
use crate::value::{Money, ProgramId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The sample catalog shipped with the crate (sample data: rates are illustrative): the text of
/// `data/catalog.json` without its layout.
pub const SAMPLE_CATALOG_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

/// The programs on offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalog {
    /// Free text about the data, e.g. that it is sample data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The programs, ids unique.
    pub programs: Vec<Program>,
}

/// One planning-services program (SPEC §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Program {
    /// Slug identifying the program.
    pub id: ProgramId,
    /// Optimistic-concurrency version of the stored program, +1 per change (the sample's are
    /// 1). In a change, the version it replaces; absent or 0 replaces whatever is stored.
    #[serde(default)]
    pub version: u64,
    /// Display name per locale.
    pub name: LocalizedName,
    /// What a partner must hold to be eligible (SPEC §4), at least one.
    pub requirements: Vec<Requirement>,
    /// The voucher lengths on offer, in days: ascending, each one of
    /// [`ENGAGEMENT_LENGTHS`] (SPEC §15.1).
    pub engagement_lengths: Vec<u32>,
    /// What one delivered day is worth, per delivery country (ISO 3166-1 alpha-2, upper case;
    /// SPEC §15.1: Microsoft pays the rate of the country of delivery). A country without a
    /// rate cannot be delivered in.
    pub daily_rates: BTreeMap<String, Money>,
    /// Days from creation until a voucher expires.
    #[serde(default = "defaults::voucher_validity_days")]
    pub voucher_validity_days: u32,
    /// Days before expiry that renewal opens.
    #[serde(default = "defaults::renewal_window_days")]
    pub renewal_window_days: u32,
    /// Days after expiry that renewal stays possible.
    #[serde(default = "defaults::renewal_grace_days")]
    pub renewal_grace_days: u32,
    /// Days a completed compliance training counts.
    #[serde(default = "defaults::compliance_training_validity_days")]
    pub compliance_training_validity_days: u32,
    /// Days after redemption that a claim may be created: `[redeemedOn, redeemedOn + days)`.
    #[serde(default = "defaults::claim_window_days")]
    pub claim_window_days: u32,
    /// The last day a voucher of the program may be created or assigned, if the program is
    /// being retired.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub last_assign_on: Option<NaiveDate>,
    /// The last day a voucher of the program may be redeemed, if the program is being retired.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub last_redeem_on: Option<NaiveDate>,
    /// Extensions of the life of vouchers created before a day, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub expiry_extensions: Vec<ExpiryExtension>,
}

/// Moves the expiry of every voucher of a program created before a day (SPEC §15.1), e.g. 90
/// days for vouchers created before a disruption. It is applied on every read, never written
/// into a voucher, so adding one takes effect at once for vouchers already stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiryExtension {
    /// Vouchers created before this day are extended.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub created_before: NaiveDate,
    /// Days added to their expiry, 1 to [`MAX_EXTENSION_DAYS`].
    pub days: u32,
    /// Why, for the people reading the catalog (1–200 characters).
    pub reason: String,
}

/// The most days one extension adds.
pub const MAX_EXTENSION_DAYS: u32 = 365;

/// Every engagement length the program knows, in days (SPEC §15.1: never more than 15).
pub const ENGAGEMENT_LENGTHS: [u32; 5] = [1, 3, 5, 10, 15];

/// [`ENGAGEMENT_LENGTHS`] as `field.unknownValue` names them (a `'static` text; a test keeps the
/// two equal).
const ENGAGEMENT_LENGTHS_TEXT: &str = "1, 3, 5, 10, 15";

/// The most requirements, and exams per requirement, a program lists.
pub const MAX_REQUIREMENTS: usize = 10;

/// The most delivery countries one program pays a rate for (every ISO 3166-1 country).
pub const MAX_RATES: usize = 250;

/// The largest daily rate, in minor units (ten million of a currency's major unit).
pub const MAX_DAILY_RATE: u64 = 1_000_000_000;

impl Program {
    /// Records every problem of the program as written, at its field's path: names, at least
    /// one requirement, engagement lengths from [`ENGAGEMENT_LENGTHS`], a rate, positive day
    /// counts, cut-off dates in order and well-formed extensions.
    pub fn check_fields(&self, problems: &mut Problems) {
        for (field, name) in [("name.en", &self.name.en), ("name.zh-CN", &self.name.zh_cn)] {
            if let Err(kind) = crate::value::text(name, 1, 120, false) {
                problems.push(field, kind);
            }
        }
        let count = |n: usize| (1..=MAX_REQUIREMENTS).contains(&n);
        problems.check(
            count(self.requirements.len()),
            "requirements",
            ProblemKind::Count {
                min: 1,
                max: MAX_REQUIREMENTS,
            },
        );
        let requirements = FieldPath::new("requirements");
        for (i, requirement) in self.requirements.iter().enumerate() {
            if let Requirement::ConsultantExams { codes } = requirement {
                problems.check(
                    count(codes.len()),
                    requirements.index(i).key("codes"),
                    ProblemKind::Count {
                        min: 1,
                        max: MAX_REQUIREMENTS,
                    },
                );
            }
        }
        let lengths = FieldPath::new("engagementLengths");
        problems.check(
            (1..=ENGAGEMENT_LENGTHS.len()).contains(&self.engagement_lengths.len()),
            "engagementLengths",
            ProblemKind::Count {
                min: 1,
                max: ENGAGEMENT_LENGTHS.len(),
            },
        );
        let mut seen = crate::form::Seen::new();
        for (i, days) in self.engagement_lengths.iter().enumerate() {
            if !ENGAGEMENT_LENGTHS.contains(days) {
                problems.push(
                    lengths.index(i),
                    ProblemKind::UnknownValue {
                        value: days.to_string(),
                        allowed: ENGAGEMENT_LENGTHS_TEXT,
                    },
                );
            } else if !seen.insert(days.to_string()) {
                problems.push(
                    lengths.index(i),
                    ProblemKind::Duplicate {
                        value: days.to_string(),
                    },
                );
            }
        }
        problems.check(
            (1..=MAX_RATES).contains(&self.daily_rates.len()),
            "dailyRates",
            ProblemKind::Count {
                min: 1,
                max: MAX_RATES,
            },
        );
        let rates = FieldPath::new("dailyRates");
        for (country, rate) in &self.daily_rates {
            let at = FieldPath::from(rates.key(country));
            if crate::directory::country(country).as_deref() != Ok(country.as_str()) {
                problems.push(
                    at.clone(),
                    ProblemKind::UnknownCountry {
                        value: country.clone(),
                    },
                );
            }
            problems.check(
                u64::try_from(rate.minor_units).is_ok_and(|rate| rate <= MAX_DAILY_RATE),
                at.key("minorUnits"),
                ProblemKind::OutOfRange {
                    min: 0,
                    max: MAX_DAILY_RATE,
                },
            );
        }
        for (field, days, min, max) in [
            ("voucherValidityDays", self.voucher_validity_days, 1, 3650),
            ("renewalWindowDays", self.renewal_window_days, 0, 365),
            ("renewalGraceDays", self.renewal_grace_days, 0, 365),
            (
                "complianceTrainingValidityDays",
                self.compliance_training_validity_days,
                1,
                3650,
            ),
            ("claimWindowDays", self.claim_window_days, 1, 365),
        ] {
            problems.check(
                (min..=max).contains(&days),
                field,
                ProblemKind::OutOfRange {
                    min: u64::from(min),
                    max: u64::from(max),
                },
            );
        }
        if let (Some(assign), Some(redeem)) = (self.last_assign_on, self.last_redeem_on) {
            problems.check(
                redeem >= assign,
                "lastRedeemOn",
                ProblemKind::EndBeforeStart { start: assign },
            );
        }
        let extensions = FieldPath::new("expiryExtensions");
        for (i, extension) in self.expiry_extensions.iter().enumerate() {
            let at = extensions.index(i);
            problems.check(
                (1..=MAX_EXTENSION_DAYS).contains(&extension.days),
                at.key("days"),
                ProblemKind::OutOfRange {
                    min: 1,
                    max: u64::from(MAX_EXTENSION_DAYS),
                },
            );
            if let Err(kind) = crate::value::text(&extension.reason, 1, 200, false) {
                problems.push(at.key("reason"), kind);
            }
        }
    }

    /// What one day delivered in `country` is worth, if the program pays for deliveries there.
    pub fn rate_in(&self, country: &str) -> Option<&Money> {
        self.daily_rates.get(country)
    }

    /// Whether a voucher of `days` is on offer.
    pub fn offers_length(&self, days: u32) -> bool {
        self.engagement_lengths.contains(&days)
    }

    /// Whether vouchers may still be created or assigned on `today`.
    pub fn assigns_on(&self, today: NaiveDate) -> bool {
        self.last_assign_on.is_none_or(|last| today <= last)
    }

    /// Whether vouchers may still be redeemed on `today`.
    pub fn redeems_on(&self, today: NaiveDate) -> bool {
        self.last_redeem_on.is_none_or(|last| today <= last)
    }

    /// The days the program's extensions add to the life of a voucher created on `created_on`.
    pub fn extension_days(&self, created_on: NaiveDate) -> u32 {
        self.expiry_extensions
            .iter()
            .filter(|extension| created_on < extension.created_before)
            .map(|extension| extension.days)
            .sum()
    }

    /// The most days any voucher of the program is extended by (one created before every
    /// extension's day): how far past its stored `expiresOn` a voucher may still be valid.
    pub fn max_extension_days(&self) -> u32 {
        self.expiry_extensions.iter().map(|e| e.days).sum()
    }
}

mod defaults {
    pub fn voucher_validity_days() -> u32 {
        180
    }
    pub fn renewal_window_days() -> u32 {
        60
    }
    pub fn renewal_grace_days() -> u32 {
        30
    }
    pub fn compliance_training_validity_days() -> u32 {
        365
    }
    pub fn claim_window_days() -> u32 {
        60
    }
}

/// A program name in each supported locale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedName {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
}

impl LocalizedName {
    /// The name in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => &self.en,
            Locale::ZhCn => &self.zh_cn,
        }
    }
}

/// One eligibility requirement of a program (SPEC §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    deny_unknown_fields,
    try_from = "RequirementFields"
)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Requirement {
    /// The company holds a competency in `area`.
    Competency {
        /// The competency area, e.g. `Security`.
        area: String,
    },
    /// Program participants completed the program's compliance training.
    ComplianceTraining,
    /// At least one lead consultant holds every listed exam.
    ConsultantExams {
        /// Exam codes, e.g. `AZ-305`.
        codes: Vec<String>,
    },
    /// The program's provider agreement is signed.
    ProviderAgreement,
    /// The partner's program membership runs at least
    /// [`crate::eligibility::MEMBERSHIP_MARGIN_DAYS`] past the day (SPEC §15.2).
    Membership,
}

/// How a [`Requirement`] is read: its fields side by side, in one pass, as for
/// [`crate::voucher::Actor`] (no buffering of the object); each kind takes only its own field.
#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "internally tagged enum Requirement"
)]
struct RequirementFields {
    kind: RequirementKind,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    codes: Option<Vec<String>>,
}

/// The wire names of the [`Requirement`] variants.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
enum RequirementKind {
    Competency,
    ComplianceTraining,
    ConsultantExams,
    ProviderAgreement,
    Membership,
}

impl TryFrom<RequirementFields> for Requirement {
    type Error = &'static str;

    fn try_from(fields: RequirementFields) -> Result<Requirement, &'static str> {
        use RequirementKind as Kind;
        match (fields.kind, fields.area, fields.codes) {
            (Kind::Competency, Some(area), None) => Ok(Requirement::Competency { area }),
            (Kind::Competency, None, _) => Err("missing field `area`"),
            (Kind::ConsultantExams, None, Some(codes)) => {
                Ok(Requirement::ConsultantExams { codes })
            }
            (Kind::ConsultantExams, _, None) => Err("missing field `codes`"),
            (Kind::ComplianceTraining, None, None) => Ok(Requirement::ComplianceTraining),
            (Kind::ProviderAgreement, None, None) => Ok(Requirement::ProviderAgreement),
            (Kind::Membership, None, None) => Ok(Requirement::Membership),
            (Kind::Competency, _, Some(_)) => Err("unknown field `codes`, expected `area`"),
            (Kind::ConsultantExams, Some(_), _) => Err("unknown field `area`, expected `codes`"),
            (Kind::ComplianceTraining | Kind::ProviderAgreement | Kind::Membership, _, _) => {
                Err("a requirement of this kind has no fields besides `kind`")
            }
        }
    }
}

/// Why a catalog file was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file is not a catalog document of the expected shape.
    #[error("the catalog is not a catalog document: {0}")]
    Malformed(#[from] serde_json::Error),
    /// Two programs share an id.
    #[error("program `{0}` is listed more than once")]
    DuplicateProgram(String),
    /// A program is unusable as written.
    #[error("program `{id}` is invalid: {reason}")]
    InvalidProgram {
        /// The program.
        id: String,
        /// What is wrong, every problem at its field.
        reason: String,
    },
}

impl Catalog {
    /// Reads and checks a catalog document.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = serde_json::from_str(json)?;
        catalog.check()?;
        Ok(catalog)
    }

    /// A catalog of `programs` (a stored one, or one a browser was handed), checked as a file is.
    pub fn from_programs(programs: Vec<Program>) -> Result<Catalog, CatalogError> {
        let catalog = Catalog {
            note: None,
            programs,
        };
        catalog.check()?;
        Ok(catalog)
    }

    /// The embedded sample catalog, parsed once.
    pub fn sample() -> Result<&'static Catalog, &'static CatalogError> {
        static SAMPLE: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        SAMPLE
            .get_or_init(|| Catalog::from_json(SAMPLE_CATALOG_JSON))
            .as_ref()
    }

    /// The most days any voucher of any program is extended by: a store listing vouchers by
    /// expiry reads this far past a day's bound, and core decides on each voucher it reads.
    pub fn max_extension_days(&self) -> u32 {
        self.programs
            .iter()
            .map(Program::max_extension_days)
            .max()
            .unwrap_or(0)
    }

    /// The program with `id`, if any.
    pub fn program(&self, id: &ProgramId) -> Option<&Program> {
        self.programs.iter().find(|p| &p.id == id)
    }

    /// The program with `id`, or `program.unknown` at `field`: a stored id whose program the
    /// catalog no longer has.
    pub fn known(&self, id: &ProgramId, field: &str) -> Result<&Program, Rejection> {
        self.program(id).ok_or_else(|| {
            Rejection::one(field, ProblemKind::UnknownProgram { id: id.to_string() })
        })
    }

    /// The program named by user input `raw`, or `program.unknown`.
    pub fn program_named(&self, raw: &str) -> Result<&Program, ProblemKind> {
        ProgramId::parse(raw)
            .ok()
            .and_then(|id| self.program(&id))
            .ok_or_else(|| ProblemKind::UnknownProgram {
                id: raw.trim().to_owned(),
            })
    }

    fn check(&self) -> Result<(), CatalogError> {
        let mut seen = crate::form::Seen::new();
        for program in &self.programs {
            let id = program.id.as_str();
            if !seen.insert(id.to_owned()) {
                return Err(CatalogError::DuplicateProgram(id.to_owned()));
            }
            let mut problems = Problems::new();
            program.check_fields(&mut problems);
            if !program.engagement_lengths.is_sorted() {
                problems.push(
                    "engagementLengths",
                    ProblemKind::Malformed {
                        detail: "lengths must be listed in ascending order".into(),
                    },
                );
            }
            problems
                .finish(())
                .map_err(|rejection| CatalogError::InvalidProgram {
                    id: id.to_owned(),
                    reason: rejection.to_string(),
                })?;
        }
        Ok(())
    }
}

/// A program change by the program admin (SPEC §15.1, `PUT /v1/programs/{programId}`): the
/// program as `proposed`, for the id in the address, over the `current` stored one (`None`:
/// a new program). Every field is checked at once; engagement lengths are put in order; an
/// extension may be added or lengthened, never removed or shortened (a voucher's life never
/// shrinks); a `version` other than 0 must be the stored one. The answer is what to store,
/// one version up.
pub fn update_program(
    proposed: Program,
    path_id: &ProgramId,
    current: Option<&Program>,
) -> Result<Program, Rejection> {
    let mut problems = Problems::new();
    problems.check(
        &proposed.id == path_id,
        "id",
        ProblemKind::PathMismatch {
            path: path_id.to_string(),
        },
    );
    proposed.check_fields(&mut problems);
    let stored_version = current.map_or(0, |c| c.version);
    if proposed.version != 0 && proposed.version != stored_version {
        problems.push(
            "version",
            ProblemKind::StaleVersion {
                sent: proposed.version,
                current: stored_version,
            },
        );
    }
    for kept in current
        .map(|c| c.expiry_extensions.as_slice())
        .unwrap_or_default()
    {
        let still = proposed
            .expiry_extensions
            .iter()
            .any(|e| e.created_before == kept.created_before && e.days >= kept.days);
        problems.check(
            still,
            "expiryExtensions",
            ProblemKind::ExtensionShortened {
                created_before: kept.created_before,
            },
        );
    }
    let mut next = proposed;
    next.engagement_lengths.sort_unstable();
    next.version = stored_version.saturating_add(1);
    problems.finish(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_catalog_parses_with_defaults() {
        let catalog = Catalog::sample().unwrap();
        assert_eq!(catalog.programs.len(), 7);
        let desktop = catalog
            .program(&ProgramId::parse("desktop").unwrap())
            .unwrap();
        assert_eq!(desktop.voucher_validity_days, 180);
        assert_eq!(desktop.renewal_window_days, 60);
        assert_eq!(desktop.renewal_grace_days, 30);
        assert_eq!(desktop.compliance_training_validity_days, 365);
        assert_eq!(desktop.claim_window_days, 60);
        assert_eq!(desktop.engagement_lengths, ENGAGEMENT_LENGTHS);
        assert_eq!(desktop.last_assign_on, None);
        assert!(
            catalog
                .note
                .as_deref()
                .unwrap_or_default()
                .contains("SAMPLE")
        );
    }

    /// A one-program catalog document with `extra` fields merged into the program.
    fn with_program(extra: &str) -> String {
        format!(
            r#"{{"programs":[{{"id":"a","name":{{"en":"A","zh-CN":"A"}},
            "requirements":[{{"kind":"providerAgreement"}}],
            "dailyRates":{{"US":{{"minorUnits":1,"currency":"USD"}}}}{extra}}}]}}"#
        )
    }

    #[test]
    fn bad_catalogs_are_refused() {
        let good = with_program(r#","engagementLengths":[1,15]"#);
        assert!(Catalog::from_json(&good).is_ok());
        let mut dup: serde_json::Value = serde_json::from_str(&good).unwrap();
        let program = dup["programs"][0].clone();
        dup["programs"].as_array_mut().unwrap().push(program);
        assert!(matches!(
            Catalog::from_json(&dup.to_string()),
            Err(CatalogError::DuplicateProgram(_))
        ));
        let no_req = good.replace(r#"{"kind":"providerAgreement"}"#, "");
        assert!(matches!(
            Catalog::from_json(&no_req),
            Err(CatalogError::InvalidProgram { .. })
        ));
        for lengths in ["[]", "[2]", "[20]", "[5,3]", "[3,3]", "[0]"] {
            let bad = with_program(&format!(r#","engagementLengths":{lengths}"#));
            assert!(
                matches!(
                    Catalog::from_json(&bad),
                    Err(CatalogError::InvalidProgram { .. })
                ),
                "{lengths}"
            );
        }
        let cut_offs_reversed = with_program(
            r#","engagementLengths":[1],"lastAssignOn":"2026-06-30","lastRedeemOn":"2026-06-29""#,
        );
        assert!(matches!(
            Catalog::from_json(&cut_offs_reversed),
            Err(CatalogError::InvalidProgram { .. })
        ));
        let same_day = with_program(
            r#","engagementLengths":[1],"lastAssignOn":"2026-06-30","lastRedeemOn":"2026-06-30""#,
        );
        assert!(Catalog::from_json(&same_day).is_ok());
        assert!(matches!(
            Catalog::from_json("{"),
            Err(CatalogError::Malformed(_))
        ));
    }

    #[test]
    fn the_lengths_text_names_every_length() {
        let named: Vec<String> = ENGAGEMENT_LENGTHS.iter().map(u32::to_string).collect();
        assert_eq!(ENGAGEMENT_LENGTHS_TEXT, named.join(", "));
    }

    #[test]
    fn cut_off_dates_are_the_last_days_allowed() {
        let catalog = Catalog::from_json(&with_program(
            r#","engagementLengths":[1],"lastAssignOn":"2026-06-30","lastRedeemOn":"2027-01-01""#,
        ))
        .unwrap();
        let program = &catalog.programs[0];
        let day = |text| crate::calendar::parse_date(text).unwrap();
        assert!(program.assigns_on(day("2026-06-30")));
        assert!(!program.assigns_on(day("2026-07-01")));
        assert!(program.redeems_on(day("2027-01-01")));
        assert!(!program.redeems_on(day("2027-01-02")));
    }
}
