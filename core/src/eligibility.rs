//! Eligibility per partner and program (SPEC §4): which requirements the partner's qualification
//! facts meet on a date, and the resulting status `notStarted` / `inProgress` / `active`.

pub mod form;
pub mod rules;

pub use form::QualificationFactsForm;

use crate::calendar::{self, serde_date};
use crate::catalog::{Program, Requirement};
use crate::value::ProgramId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A partner's qualification facts, each with its validity interval (SPEC §4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualificationFacts {
    /// Company competencies.
    #[serde(default)]
    pub competencies: Vec<Competency>,
    /// Completed compliance trainings, one per program and completion.
    #[serde(default)]
    pub compliance_training: Vec<ComplianceTraining>,
    /// The partner's consultants and their exams.
    #[serde(default)]
    pub consultants: Vec<Consultant>,
    /// Signed provider agreements.
    #[serde(default)]
    pub provider_agreements: Vec<ProviderAgreement>,
    /// The last day of the partner's program membership (SPEC §15.2), if known.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub membership_valid_until: Option<NaiveDate>,
}

/// How many days past the day of enrolling or renewing the membership must still run
/// (SPEC §15.2: a membership that ends within 90 days is renewed first).
pub const MEMBERSHIP_MARGIN_DAYS: u32 = 90;

/// A company competency, valid in `[validFrom, validUntil)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Competency {
    /// The competency area, matched exactly against the catalog.
    pub area: String,
    /// First valid day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub valid_from: NaiveDate,
    /// First day no longer valid.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub valid_until: NaiveDate,
}

/// A completed compliance training, valid for the program's `complianceTrainingValidityDays`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceTraining {
    /// The program the training is for.
    pub program_id: ProgramId,
    /// Completion day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub completed_on: NaiveDate,
}

/// A consultant of the partner with the exams they passed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consultant {
    /// Identifier, unique within the partner.
    pub consultant_id: String,
    /// Display name.
    pub name: String,
    /// Exams passed.
    #[serde(default)]
    pub exams: Vec<Exam>,
}

/// A passed exam, valid from `passedOn` until `validUntil` (exclusive) or indefinitely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exam {
    /// Exam code, e.g. `AZ-305`.
    pub code: String,
    /// Day passed.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub passed_on: NaiveDate,
    /// First day no longer valid, if it lapses.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub valid_until: Option<NaiveDate>,
}

/// A signed provider agreement for a program, valid in `[signedOn, validUntil)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderAgreement {
    /// The program.
    pub program_id: ProgramId,
    /// Signing day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub signed_on: NaiveDate,
    /// First day no longer valid.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub valid_until: NaiveDate,
}

impl QualificationFacts {
    /// The consultant with `id`, if any.
    pub fn consultant(&self, id: &str) -> Option<&Consultant> {
        self.consultants.iter().find(|c| c.consultant_id == id)
    }
}

/// The three states of SPEC §4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EligibilityStatus {
    /// No requirement is met.
    NotStarted,
    /// Some but not all requirements are met.
    InProgress,
    /// Every requirement is met.
    Active,
}

/// What still has to be done for an unmet requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RequiredAction {
    /// Obtain the competency.
    ObtainCompetency,
    /// Complete (or renew) the program's compliance training.
    CompleteComplianceTraining,
    /// Have a lead consultant pass every listed exam.
    PassConsultantExams,
    /// Sign the program's provider agreement.
    SignProviderAgreement,
    /// Renew the program membership before enrolling or renewing.
    RenewMembership,
}

/// The fact that meets a requirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
// utoipa does not read `rename_all_fields`: the variants repeat it for the OpenAPI schema.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MetBy {
    /// A competency.
    Competency {
        /// Its area.
        area: String,
    },
    /// A compliance training completion.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    ComplianceTraining {
        /// Its completion day.
        #[serde(with = "serde_date")]
        #[cfg_attr(feature = "wasm", tsify(type = "string"))]
        completed_on: NaiveDate,
    },
    /// A consultant holding every listed exam.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    Consultant {
        /// The consultant's id.
        consultant_id: String,
        /// The consultant's name.
        name: String,
    },
    /// A provider agreement.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    ProviderAgreement {
        /// Its signing day.
        #[serde(with = "serde_date")]
        #[cfg_attr(feature = "wasm", tsify(type = "string"))]
        signed_on: NaiveDate,
    },
    /// The program membership.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    Membership {
        /// Its last day.
        #[serde(with = "serde_date")]
        #[cfg_attr(feature = "wasm", tsify(type = "string"))]
        valid_until: NaiveDate,
    },
}

/// The verdict on one requirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequirementCheck {
    /// The requirement.
    pub requirement: Requirement,
    /// Whether it is met on the date.
    pub met: bool,
    /// The fact that meets it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub met_by: Option<MetBy>,
    /// The first day the meeting fact no longer holds (absent when it never lapses or is unmet).
    #[serde(
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none",
        default
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub lapses_on: Option<NaiveDate>,
    /// What to do when unmet.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub action: Option<RequiredAction>,
}

/// Eligibility of a partner for one program on one date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramEligibility {
    /// The program.
    pub program_id: ProgramId,
    /// The derived status.
    pub status: EligibilityStatus,
    /// Every requirement with its verdict, in catalog order.
    pub requirements: Vec<RequirementCheck>,
}

/// Evaluates every requirement of `program` against `facts` on `on` (SPEC §4).
pub fn evaluate(
    program: &Program,
    facts: &QualificationFacts,
    on: NaiveDate,
) -> ProgramEligibility {
    let requirements: Vec<RequirementCheck> = program
        .requirements
        .iter()
        .map(|requirement| check_requirement(program, requirement, facts, on))
        .collect();
    let met = requirements.iter().filter(|r| r.met).count();
    let status = if met == 0 {
        EligibilityStatus::NotStarted
    } else if met == requirements.len() {
        EligibilityStatus::Active
    } else {
        EligibilityStatus::InProgress
    };
    ProgramEligibility {
        program_id: program.id.clone(),
        status,
        requirements,
    }
}

/// The candidate fact that lasts longest wins; `None` (never lapses) outlasts any date.
fn longest<T>(
    candidates: impl Iterator<Item = (T, Option<NaiveDate>)>,
) -> Option<(T, Option<NaiveDate>)> {
    candidates.max_by(|(_, a), (_, b)| match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(a), Some(b)) => a.cmp(b),
    })
}

fn check_requirement(
    program: &Program,
    requirement: &Requirement,
    facts: &QualificationFacts,
    on: NaiveDate,
) -> RequirementCheck {
    let (found, action) = match requirement {
        Requirement::Competency { area } => (
            longest(
                facts
                    .competencies
                    .iter()
                    .filter(|c| &c.area == area && c.valid_from <= on && on < c.valid_until)
                    .map(|c| {
                        (
                            MetBy::Competency {
                                area: c.area.clone(),
                            },
                            Some(c.valid_until),
                        )
                    }),
            ),
            RequiredAction::ObtainCompetency,
        ),
        Requirement::ComplianceTraining => (
            longest(facts.compliance_training.iter().filter_map(|t| {
                let until =
                    calendar::add_days(t.completed_on, program.compliance_training_validity_days);
                (t.program_id == program.id && t.completed_on <= on && on < until).then_some({
                    (
                        MetBy::ComplianceTraining {
                            completed_on: t.completed_on,
                        },
                        Some(until),
                    )
                })
            })),
            RequiredAction::CompleteComplianceTraining,
        ),
        Requirement::ConsultantExams { codes } => (
            longest(facts.consultants.iter().filter_map(|c| {
                exams_held(c, codes, on).ok().map(|lapses| {
                    (
                        MetBy::Consultant {
                            consultant_id: c.consultant_id.clone(),
                            name: c.name.clone(),
                        },
                        lapses,
                    )
                })
            })),
            RequiredAction::PassConsultantExams,
        ),
        Requirement::ProviderAgreement => (
            longest(
                facts
                    .provider_agreements
                    .iter()
                    .filter(|a| {
                        a.program_id == program.id && a.signed_on <= on && on < a.valid_until
                    })
                    .map(|a| {
                        (
                            MetBy::ProviderAgreement {
                                signed_on: a.signed_on,
                            },
                            Some(a.valid_until),
                        )
                    }),
            ),
            RequiredAction::SignProviderAgreement,
        ),
        Requirement::Membership => (
            facts.membership_valid_until.and_then(|valid_until| {
                // Met while `on + 90 <= validUntil`: it lapses the day after `validUntil - 90`.
                let lapses_on =
                    calendar::add_days(calendar::sub_days(valid_until, MEMBERSHIP_MARGIN_DAYS), 1);
                (on < lapses_on).then_some((MetBy::Membership { valid_until }, Some(lapses_on)))
            }),
            RequiredAction::RenewMembership,
        ),
    };
    match found {
        Some((met_by, lapses_on)) => RequirementCheck {
            requirement: requirement.clone(),
            met: true,
            met_by: Some(met_by),
            lapses_on,
            action: None,
        },
        None => RequirementCheck {
            requirement: requirement.clone(),
            met: false,
            met_by: None,
            lapses_on: None,
            action: Some(action),
        },
    }
}

/// Whether `consultant` holds every exam of `codes` on `on`: `Ok` with the first day one of them
/// lapses (`None` if none lapses), or `Err` with the codes missing.
pub fn exams_held(
    consultant: &Consultant,
    codes: &[String],
    on: NaiveDate,
) -> Result<Option<NaiveDate>, Vec<String>> {
    let mut missing = Vec::new();
    let mut lapses: Option<NaiveDate> = None;
    for code in codes {
        let best = longest(
            consultant
                .exams
                .iter()
                .filter(|e| {
                    &e.code == code && e.passed_on <= on && e.valid_until.is_none_or(|u| on < u)
                })
                .map(|e| ((), e.valid_until)),
        );
        match best {
            Some((_, Some(until))) => lapses = Some(lapses.map_or(until, |l| l.min(until))),
            Some((_, None)) => {}
            None => missing.push(code.clone()),
        }
    }
    if missing.is_empty() {
        Ok(lapses)
    } else {
        Err(missing)
    }
}

/// The exam codes a program requires of its lead consultant (SPEC §8 uses them too).
pub fn required_exams(program: &Program) -> Vec<String> {
    program
        .requirements
        .iter()
        .filter_map(|r| match r {
            Requirement::ConsultantExams { codes } => Some(codes.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}
