//! Enrollment and annual renewal (SPEC §5).
//!
//! An enrollment is valid in `[enrolledOn, expiresOn)`, one year long; renewal is possible in
//! `[expiresOn - renewalWindowDays, expiresOn + renewalGraceDays)` and extends `expiresOn` by one
//! year from the old expiry, so renewing early loses no day and renewing late keeps the
//! anniversary.

pub mod rules;

use crate::calendar::{self, DateWindow, serde_date};
use crate::catalog::Program;
use crate::eligibility::EligibilityStatus;
use crate::error::{FieldPath, ProblemKind, Problems, Rejection};
use crate::value::{LocationId, ProgramId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Most locations one enrollment may cover, and one partner may register.
pub const MAX_LOCATIONS: usize = 50;

/// An approved company location of a partner (SPEC §15.2): engagements are reserved,
/// delivered and invoiced under one, in its country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    /// Its id (1–10 digits).
    pub location_id: LocationId,
    /// Its name, 1–120 characters.
    pub name: String,
    /// ISO 3166-1 alpha-2 country. Absent only for a location registered before countries
    /// were recorded: nothing can be delivered under it until the program admin records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub country: Option<String>,
}

/// The program admin's registration of a partner's locations (`PUT /v1/partners/{partnerId}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocationsForm {
    /// 1–50 locations with distinct ids.
    #[serde(default)]
    pub locations: Option<Vec<LocationFields>>,
}

/// One location as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocationFields {
    /// 1–10 digits.
    #[serde(default)]
    pub location_id: Option<String>,
    /// 1–120 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 (any case).
    #[serde(default)]
    pub country: Option<String>,
}

impl LocationsForm {
    /// The locations, every problem at its field: 1–50 of them, distinct ids, a name, and a
    /// known country (stored upper-case).
    pub fn parse(&self) -> Result<Vec<Location>, Rejection> {
        let mut problems = Problems::new();
        let typed = self.locations.as_deref().unwrap_or_default();
        problems.check(
            (1..=MAX_LOCATIONS).contains(&typed.len()),
            "locations",
            ProblemKind::Count {
                min: 1,
                max: MAX_LOCATIONS,
            },
        );
        let base = FieldPath::new("locations");
        let mut seen = crate::form::Seen::new();
        let mut locations = Vec::with_capacity(typed.len());
        for (i, fields) in typed.iter().enumerate() {
            let at = base.index(i);
            let id = crate::form::parsed(
                &mut problems,
                at.key("locationId"),
                fields.location_id.as_deref(),
                LocationId::parse,
            );
            if let Some(id) = &id
                && !seen.insert(id.as_str().to_owned())
            {
                problems.push(
                    at.key("locationId"),
                    ProblemKind::Duplicate {
                        value: id.to_string(),
                    },
                );
            }
            let name = crate::form::parsed(
                &mut problems,
                at.key("name"),
                fields.name.as_deref(),
                |raw| crate::value::text(raw, 1, 120, false),
            );
            let country = crate::form::parsed(
                &mut problems,
                at.key("country"),
                fields.country.as_deref(),
                crate::directory::country,
            );
            if let (Some(location_id), Some(name), Some(country)) = (id, name, country) {
                locations.push(Location {
                    location_id,
                    name,
                    country: Some(country),
                });
            }
        }
        problems.finish(locations)
    }
}

/// A partner's enrollment in one program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrollment {
    /// The program.
    pub program_id: ProgramId,
    /// The enrolled company locations.
    pub location_ids: Vec<LocationId>,
    /// First day of the enrollment.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub enrolled_on: NaiveDate,
    /// First day it is no longer valid.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub expires_on: NaiveDate,
    /// Day of the last renewal.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub renewed_on: Option<NaiveDate>,
    /// Day the partner withdrew, ending the enrollment.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub withdrawn_on: Option<NaiveDate>,
}

/// The effective status of an enrollment on a date (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EnrollmentStatus {
    /// Before `enrolledOn` (an enrollment dated in the future).
    Pending,
    /// Valid, renewal not yet open.
    Active,
    /// Valid, and the renewal window is open.
    RenewalDue,
    /// From `expiresOn` on.
    Expired,
    /// Ended by the partner.
    Withdrawn,
}

impl EnrollmentStatus {
    /// Whether the partner may deliver the program (and is listed in the directory).
    pub fn is_current(self) -> bool {
        matches!(
            self,
            EnrollmentStatus::Active | EnrollmentStatus::RenewalDue
        )
    }
}

/// An enrollment's status with the dates a partner plans around.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollmentView {
    /// The enrollment itself.
    #[serde(flatten)]
    pub enrollment: Enrollment,
    /// Its status on the date asked.
    pub status: EnrollmentStatus,
    /// `[opens, closes)` of the renewal window.
    pub renewal_window: DateWindow,
}

impl Enrollment {
    /// Status on `on` (SPEC §5).
    pub fn status(&self, program: &Program, on: NaiveDate) -> EnrollmentStatus {
        if self.withdrawn_on.is_some_and(|w| w <= on) {
            EnrollmentStatus::Withdrawn
        } else if on < self.enrolled_on {
            EnrollmentStatus::Pending
        } else if on >= self.expires_on {
            EnrollmentStatus::Expired
        } else if on >= self.renewal_window(program).start {
            EnrollmentStatus::RenewalDue
        } else {
            EnrollmentStatus::Active
        }
    }

    /// `[expiresOn - renewalWindowDays, expiresOn + renewalGraceDays)`.
    pub fn renewal_window(&self, program: &Program) -> DateWindow {
        DateWindow {
            start: calendar::sub_days(self.expires_on, program.renewal_window_days),
            end: calendar::add_days(self.expires_on, program.renewal_grace_days),
        }
    }

    /// The enrollment with its status and renewal window on `on`.
    pub fn view(&self, program: &Program, on: NaiveDate) -> EnrollmentView {
        EnrollmentView {
            enrollment: self.clone(),
            status: self.status(program, on),
            renewal_window: self.renewal_window(program),
        }
    }
}

/// Parses a list of location ids (SPEC §5): 1–50, each 1–10 digits, distinct. Answers the
/// distinct ids with their index in the list; every problem goes to `problems`.
pub fn parse_location_ids(
    requested: &[String],
    field: &FieldPath,
    problems: &mut Problems,
) -> Vec<(usize, LocationId)> {
    if !(1..=MAX_LOCATIONS).contains(&requested.len()) {
        problems.push(
            field.clone(),
            ProblemKind::Count {
                min: 1,
                max: MAX_LOCATIONS,
            },
        );
    }
    let mut seen = crate::form::Seen::new();
    let mut ids = Vec::with_capacity(requested.len());
    for (i, raw) in requested.iter().enumerate() {
        let Some(id) = problems.take(field.index(i), LocationId::parse(raw)) else {
            continue;
        };
        if seen.insert(id.as_str().to_owned()) {
            ids.push((i, id));
        } else {
            problems.push(
                field.index(i),
                ProblemKind::Duplicate {
                    value: id.to_string(),
                },
            );
        }
    }
    ids
}

/// Parses requested location ids: 1–50, distinct, each a known location of the partner.
pub fn parse_locations(
    requested: &[String],
    approved: &[LocationId],
    field: &FieldPath,
    problems: &mut Problems,
) -> Vec<LocationId> {
    parse_location_ids(requested, field, problems)
        .into_iter()
        .filter_map(|(i, id)| {
            if approved.contains(&id) {
                Some(id)
            } else {
                problems.push(
                    field.index(i),
                    ProblemKind::UnknownLocation { id: id.to_string() },
                );
                None
            }
        })
        .collect()
}

/// Records `enrollment` among a partner's `enrollments`: one per program, so a new one replaces
/// a lapsed one; kept in program order.
pub fn replace(enrollments: &mut Vec<Enrollment>, enrollment: Enrollment) {
    enrollments.retain(|e| e.program_id != enrollment.program_id);
    enrollments.push(enrollment);
    enrollments.sort_by(|a, b| a.program_id.cmp(&b.program_id));
}

/// Enrolls in `program` on `today` (SPEC §5): eligibility must be `active`, the locations
/// valid, and no current enrollment (nor one still renewable) may exist.
pub fn enroll(
    program: &Program,
    eligibility: EligibilityStatus,
    existing: Option<&Enrollment>,
    location_ids: Vec<LocationId>,
    today: NaiveDate,
) -> Result<Enrollment, Rejection> {
    let mut problems = Problems::new();
    problems.check(
        eligibility == EligibilityStatus::Active,
        "programId",
        ProblemKind::EligibilityNotActive { on: today },
    );
    if let Some(existing) = existing {
        match existing.status(program, today) {
            EnrollmentStatus::Active | EnrollmentStatus::RenewalDue | EnrollmentStatus::Pending => {
                problems.push(
                    "programId",
                    ProblemKind::AlreadyEnrolled {
                        expires_on: existing.expires_on,
                    },
                );
            }
            EnrollmentStatus::Expired => {
                let window = existing.renewal_window(program);
                problems.check(
                    !window.contains(today),
                    "programId",
                    ProblemKind::InRenewalGrace {
                        closes_on: window.end,
                    },
                );
            }
            EnrollmentStatus::Withdrawn => {}
        }
    }
    problems.finish(Enrollment {
        program_id: program.id.clone(),
        location_ids,
        enrolled_on: today,
        expires_on: calendar::add_one_year(today),
        renewed_on: None,
        withdrawn_on: None,
    })
}

/// Renews on `today` (SPEC §5): inside the renewal window, eligibility `active`, not withdrawn.
/// The new expiry is the old one plus one year.
pub fn renew(
    program: &Program,
    enrollment: &Enrollment,
    eligibility: EligibilityStatus,
    today: NaiveDate,
) -> Result<Enrollment, Rejection> {
    let mut problems = Problems::new();
    let window = enrollment.renewal_window(program);
    if let Some(on) = enrollment.withdrawn_on.filter(|w| *w <= today) {
        problems.push("programId", ProblemKind::Withdrawn { on });
    } else if today < window.start {
        problems.push(
            "programId",
            ProblemKind::RenewalNotOpen {
                opens_on: window.start,
            },
        );
    } else if today >= window.end {
        problems.push(
            "programId",
            ProblemKind::RenewalClosed {
                closed_on: window.end,
            },
        );
    }
    problems.check(
        eligibility == EligibilityStatus::Active,
        "programId",
        ProblemKind::EligibilityNotActive { on: today },
    );
    problems.finish(Enrollment {
        expires_on: calendar::add_one_year(enrollment.expires_on),
        renewed_on: Some(today),
        ..enrollment.clone()
    })
}

/// Withdraws on `today` (SPEC §5): the enrollment ends today. Only a current one can be withdrawn.
pub fn withdraw(
    program: &Program,
    enrollment: &Enrollment,
    today: NaiveDate,
) -> Result<Enrollment, Rejection> {
    match enrollment.status(program, today) {
        EnrollmentStatus::Withdrawn => Err(Rejection::one(
            "programId",
            ProblemKind::Withdrawn {
                on: enrollment.withdrawn_on.unwrap_or(today),
            },
        )),
        status if status.is_current() || status == EnrollmentStatus::Pending => Ok(Enrollment {
            withdrawn_on: Some(today),
            ..enrollment.clone()
        }),
        _ => Err(Rejection::one(
            "programId",
            ProblemKind::EnrollmentNotActive { on: today },
        )),
    }
}
