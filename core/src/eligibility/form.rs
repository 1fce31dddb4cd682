//! The qualification facts as the program admin types them (SPEC §4, §12 `PUT qualifications`):
//! every field optional, so a half-filled fact gets a message at each missing or malformed field
//! (`field.required`, `field.invalidDate`, …) instead of the reader's first complaint.

use super::{
    Competency, ComplianceTraining, Consultant, Exam, ProviderAgreement, QualificationFacts,
};
use crate::calendar::{self, parse_date};
use crate::error::{ChildPath, FieldPath, ProblemKind, Problems, Rejection};
use crate::form::{self, Seen};
use crate::value::{self, ProgramId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The facts as typed. Lists may be absent (none of that kind).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualificationFactsForm {
    /// Company competencies.
    #[serde(default)]
    pub competencies: Option<Vec<CompetencyForm>>,
    /// Completed compliance trainings.
    #[serde(default)]
    pub compliance_training: Option<Vec<ComplianceTrainingForm>>,
    /// The partner's consultants and their exams.
    #[serde(default)]
    pub consultants: Option<Vec<ConsultantForm>>,
    /// Signed provider agreements.
    #[serde(default)]
    pub provider_agreements: Option<Vec<ProviderAgreementForm>>,
    /// The last day of the partner's program membership (optional).
    #[serde(default)]
    pub membership_valid_until: Option<String>,
}

/// A competency as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyForm {
    /// The competency area, 1–100 characters.
    #[serde(default)]
    pub area: Option<String>,
    /// First valid day.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// First day no longer valid.
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// A compliance training as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceTrainingForm {
    /// The program the training is for.
    #[serde(default)]
    pub program_id: Option<String>,
    /// Completion day.
    #[serde(default)]
    pub completed_on: Option<String>,
}

/// A consultant as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsultantForm {
    /// Identifier, 1–64 characters, unique within the partner.
    #[serde(default)]
    pub consultant_id: Option<String>,
    /// Display name, 1–120 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// Exams passed.
    #[serde(default)]
    pub exams: Option<Vec<ExamForm>>,
}

/// An exam as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExamForm {
    /// Exam code, 1–20 characters, e.g. `AZ-305`.
    #[serde(default)]
    pub code: Option<String>,
    /// Day passed.
    #[serde(default)]
    pub passed_on: Option<String>,
    /// First day no longer valid (optional: blank when it does not lapse).
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// A provider agreement as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderAgreementForm {
    /// The program.
    #[serde(default)]
    pub program_id: Option<String>,
    /// Signing day.
    #[serde(default)]
    pub signed_on: Option<String>,
    /// First day no longer valid.
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// An optional date: blank is none, anything else must be `YYYY-MM-DD`.
fn optional_date(
    problems: &mut Problems,
    field: impl Into<FieldPath>,
    raw: Option<&str>,
) -> Option<Option<NaiveDate>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => problems
            .take(field, parse_date(raw).ok_or(ProblemKind::InvalidDate))
            .map(Some),
    }
}

/// `until` must come after `from`: validity intervals are `[from, until)`.
fn ends_after(problems: &mut Problems, field: ChildPath<'_>, from: NaiveDate, until: NaiveDate) {
    problems.check(
        until > from,
        field,
        ProblemKind::EndBeforeStart {
            start: calendar::add_days(from, 1),
        },
    );
}

fn text(
    problems: &mut Problems,
    field: ChildPath<'_>,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    form::parsed(problems, field, raw, |raw| value::text(raw, 1, max, false))
}

fn program(problems: &mut Problems, field: ChildPath<'_>, raw: Option<&str>) -> Option<ProgramId> {
    form::parsed(problems, field, raw, ProgramId::parse)
}

impl QualificationFactsForm {
    /// Checks every fact: required fields, dates, lengths, intervals that end after they start,
    /// unique consultant ids. Every failing field is reported at once.
    pub fn parse(&self) -> Result<QualificationFacts, Rejection> {
        let mut problems = Problems::new();
        let competencies = rows(&self.competencies, "competencies", |at, c| {
            let area = text(&mut problems, at.key("area"), c.area.as_deref(), 100);
            let from = form::date(&mut problems, at.key("validFrom"), c.valid_from.as_deref());
            let until = form::date(
                &mut problems,
                at.key("validUntil"),
                c.valid_until.as_deref(),
            );
            if let (Some(from), Some(until)) = (from, until) {
                ends_after(&mut problems, at.key("validUntil"), from, until);
            }
            Some(Competency {
                area: area?,
                valid_from: from?,
                valid_until: until?,
            })
        });
        let compliance_training = rows(&self.compliance_training, "complianceTraining", |at, t| {
            let program_id = program(&mut problems, at.key("programId"), t.program_id.as_deref());
            let completed_on = form::date(
                &mut problems,
                at.key("completedOn"),
                t.completed_on.as_deref(),
            );
            Some(ComplianceTraining {
                program_id: program_id?,
                completed_on: completed_on?,
            })
        });
        let mut ids = Seen::new();
        let consultants = rows(&self.consultants, "consultants", |at, c| {
            let id = text(
                &mut problems,
                at.key("consultantId"),
                c.consultant_id.as_deref(),
                64,
            );
            if let Some(id) = &id
                && !ids.insert(id.clone())
            {
                problems.push(
                    at.key("consultantId"),
                    ProblemKind::Duplicate { value: id.clone() },
                );
            }
            let name = text(&mut problems, at.key("name"), c.name.as_deref(), 120);
            let exams_at = FieldPath::from(at.key("exams"));
            let exams = rows_at(&c.exams, &exams_at, |at, e| {
                let code = text(&mut problems, at.key("code"), e.code.as_deref(), 20);
                let passed_on =
                    form::date(&mut problems, at.key("passedOn"), e.passed_on.as_deref());
                let valid_until = optional_date(
                    &mut problems,
                    at.key("validUntil"),
                    e.valid_until.as_deref(),
                );
                if let (Some(from), Some(Some(until))) = (passed_on, valid_until) {
                    ends_after(&mut problems, at.key("validUntil"), from, until);
                }
                Some(Exam {
                    code: code?,
                    passed_on: passed_on?,
                    valid_until: valid_until?,
                })
            });
            Some(Consultant {
                consultant_id: id?,
                name: name?,
                exams: exams?,
            })
        });
        let provider_agreements = rows(&self.provider_agreements, "providerAgreements", |at, a| {
            let program_id = program(&mut problems, at.key("programId"), a.program_id.as_deref());
            let signed_on = form::date(&mut problems, at.key("signedOn"), a.signed_on.as_deref());
            let until = form::date(
                &mut problems,
                at.key("validUntil"),
                a.valid_until.as_deref(),
            );
            if let (Some(from), Some(until)) = (signed_on, until) {
                ends_after(&mut problems, at.key("validUntil"), from, until);
            }
            Some(ProviderAgreement {
                program_id: program_id?,
                signed_on: signed_on?,
                valid_until: until?,
            })
        });
        let membership_valid_until = optional_date(
            &mut problems,
            "membershipValidUntil",
            self.membership_valid_until.as_deref(),
        );
        problems.finish_with(|| {
            Some(QualificationFacts {
                competencies: competencies?,
                compliance_training: compliance_training?,
                consultants: consultants?,
                provider_agreements: provider_agreements?,
                membership_valid_until: membership_valid_until?,
            })
        })
    }
}

/// Reads every row of an optional list with `read`; the list is `None` when any row failed
/// (its problems are recorded), and empty when absent.
fn rows<F, T>(
    list: &Option<Vec<F>>,
    name: &str,
    read: impl FnMut(&FieldPath, &F) -> Option<T>,
) -> Option<Vec<T>> {
    rows_at(list, &FieldPath::new(name), read)
}

fn rows_at<F, T>(
    list: &Option<Vec<F>>,
    base: &FieldPath,
    mut read: impl FnMut(&FieldPath, &F) -> Option<T>,
) -> Option<Vec<T>> {
    let mut read_all = Some(Vec::new());
    for (i, item) in list.iter().flatten().enumerate() {
        // Every row is read, even after a failed one, so each reports its own fields.
        match (read(&base.index(i), item), read_all.as_mut()) {
            (Some(value), Some(done)) => done.push(value),
            _ => read_all = None,
        }
    }
    read_all
}
