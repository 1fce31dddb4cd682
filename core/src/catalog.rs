//! The program catalog (SPEC §3): each planning-services program with its requirements, voucher
//! day range, daily rate and time parameters. Every number of the rules comes from here.

pub mod rules;

use crate::error::{Locale, ProblemKind, Rejection};
use crate::value::{Money, ProgramId};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The sample catalog shipped with the crate (sample data: rates are illustrative): the text of
/// `data/catalog.json` without its layout.
pub const SAMPLE_CATALOG_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

/// The programs on offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Program {
    /// Slug identifying the program.
    pub id: ProgramId,
    /// Display name per locale.
    pub name: LocalizedName,
    /// What a partner must hold to be eligible (SPEC §4), at least one.
    pub requirements: Vec<Requirement>,
    /// Allowed voucher sizes in days.
    pub voucher_days: DayRange,
    /// What one delivered day is worth.
    pub daily_rate: Money,
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
    /// Days after redemption that a claim may be created.
    #[serde(default = "defaults::claim_window_days")]
    pub claim_window_days: u32,
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
        90
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

/// An inclusive range of voucher days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayRange {
    /// Fewest days.
    pub min: u32,
    /// Most days.
    pub max: u32,
}

impl DayRange {
    /// Whether `days` is within the range.
    pub fn contains(&self, days: u32) -> bool {
        (self.min..=self.max).contains(&days)
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
            (Kind::Competency, _, Some(_)) => Err("unknown field `codes`, expected `area`"),
            (Kind::ConsultantExams, Some(_), _) => Err("unknown field `area`, expected `codes`"),
            (Kind::ComplianceTraining | Kind::ProviderAgreement, _, _) => {
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
        /// What is wrong.
        reason: &'static str,
    },
}

impl Catalog {
    /// Reads and checks a catalog document.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = serde_json::from_str(json)?;
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
            let invalid = |reason| CatalogError::InvalidProgram {
                id: id.to_owned(),
                reason,
            };
            if program.requirements.is_empty() {
                return Err(invalid("it has no requirement"));
            }
            if program.voucher_days.min == 0 || program.voucher_days.min > program.voucher_days.max
            {
                return Err(invalid("voucherDays must satisfy 1 <= min <= max"));
            }
            if program.daily_rate.minor_units < 0 {
                return Err(invalid("dailyRate must not be negative"));
            }
            let empty_exams = program
                .requirements
                .iter()
                .any(|r| matches!(r, Requirement::ConsultantExams { codes } if codes.is_empty()));
            if empty_exams {
                return Err(invalid("consultantExams must list at least one exam"));
            }
            if program.voucher_validity_days == 0 || program.claim_window_days == 0 {
                return Err(invalid(
                    "voucherValidityDays and claimWindowDays must be positive",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_catalog_parses_with_defaults() {
        let catalog = Catalog::sample().unwrap();
        assert_eq!(catalog.programs.len(), 5);
        let m365 = catalog
            .program(&ProgramId::parse("microsoft-365").unwrap())
            .unwrap();
        assert_eq!(m365.voucher_validity_days, 180);
        assert_eq!(m365.renewal_window_days, 60);
        assert_eq!(m365.renewal_grace_days, 30);
        assert_eq!(m365.compliance_training_validity_days, 365);
        assert_eq!(m365.claim_window_days, 90);
        assert!(
            catalog
                .note
                .as_deref()
                .unwrap_or_default()
                .contains("SAMPLE")
        );
    }

    #[test]
    fn bad_catalogs_are_refused() {
        let dup = r#"{"programs":[
            {"id":"a","name":{"en":"A","zh-CN":"A"},"requirements":[{"kind":"complianceTraining"}],
             "voucherDays":{"min":1,"max":2},"dailyRate":{"minorUnits":1,"currency":"USD"}},
            {"id":"a","name":{"en":"A","zh-CN":"A"},"requirements":[{"kind":"complianceTraining"}],
             "voucherDays":{"min":1,"max":2},"dailyRate":{"minorUnits":1,"currency":"USD"}}]}"#;
        assert!(matches!(
            Catalog::from_json(dup),
            Err(CatalogError::DuplicateProgram(_))
        ));
        let no_req = r#"{"programs":[
            {"id":"a","name":{"en":"A","zh-CN":"A"},"requirements":[],
             "voucherDays":{"min":1,"max":2},"dailyRate":{"minorUnits":1,"currency":"USD"}}]}"#;
        assert!(matches!(
            Catalog::from_json(no_req),
            Err(CatalogError::InvalidProgram { .. })
        ));
        assert!(matches!(
            Catalog::from_json("{"),
            Err(CatalogError::Malformed(_))
        ));
    }
}
