//! The enrollment rules of the entry layer (SPEC §5).

use super::{Enrollment, EnrollmentView, parse_locations};
use crate::catalog::Program;
use crate::eligibility::{self, QualificationFacts};
use crate::error::{FieldPath, Problems, Rejection};
use crate::form;
use crate::rule::{Env, Nothing};
use crate::value::{LocationId, ProgramId};
use serde::{Deserialize, Serialize};

/// The enrollment form: a program and the company locations it covers.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollmentForm {
    /// The program.
    #[serde(default)]
    pub program_id: Option<String>,
    /// The approved locations to cover.
    #[serde(default)]
    pub location_ids: Option<Vec<String>>,
}

/// What enrolling decides on: the partner's approved locations, its facts and any existing
/// enrollment in the program.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollContext {
    /// The partner's approved locations.
    #[serde(default)]
    pub partner_locations: Vec<LocationId>,
    /// The partner's qualification facts.
    #[serde(default)]
    pub facts: QualificationFacts,
    /// The partner's enrollment in the program, if any.
    #[serde(default)]
    pub existing: Option<Enrollment>,
}

/// One enrollment and the facts its renewal decides on.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollmentContext {
    /// The enrollment.
    pub enrollment: Enrollment,
    /// The partner's qualification facts.
    #[serde(default)]
    pub facts: QualificationFacts,
}

/// The `enrollmentForm` output: the checked program and locations.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentChoice {
    /// The program to enroll in.
    pub program_id: ProgramId,
    /// The approved locations the enrollment covers.
    pub location_ids: Vec<LocationId>,
}

/// The form read against the catalog and the partner's locations; `None` where a part failed.
fn read_form<'c>(
    env: &Env<'c>,
    form: &EnrollmentForm,
    partner_locations: &[LocationId],
    problems: &mut Problems,
) -> (Option<&'c Program>, Vec<LocationId>) {
    let program = form::parsed(problems, "programId", form.program_id.as_deref(), |raw| {
        env.catalog.program_named(raw)
    });
    let locations = parse_locations(
        form.location_ids.as_deref().unwrap_or_default(),
        partner_locations,
        &FieldPath::new("locationIds"),
        problems,
    );
    (program, locations)
}

/// `enrollmentForm`: the form alone, checked.
pub fn enrollment_form(
    env: &Env<'_>,
    form: EnrollmentForm,
    context: EnrollContext,
) -> Result<EnrollmentChoice, Rejection> {
    let mut problems = Problems::new();
    let (program, location_ids) = read_form(env, &form, &context.partner_locations, &mut problems);
    problems.finish_with(|| {
        Some(EnrollmentChoice {
            program_id: program?.id.clone(),
            location_ids,
        })
    })
}

/// `enroll` (SPEC §5): the form's problems and the enrollment's guards, all reported at once.
pub fn enroll(
    env: &Env<'_>,
    form: EnrollmentForm,
    context: EnrollContext,
) -> Result<EnrollmentView, Rejection> {
    let mut problems = Problems::new();
    let (program, location_ids) = read_form(env, &form, &context.partner_locations, &mut problems);
    let Some(program) = program else {
        return problems.finish_with(|| None);
    };
    let status = eligibility::evaluate(program, &context.facts, env.today).status;
    let existing = context
        .existing
        .as_ref()
        .filter(|e| e.program_id == program.id);
    match super::enroll(program, status, existing, location_ids, env.today) {
        Ok(enrolled) => problems.finish(enrolled.view(program, env.today)),
        Err(guards) => {
            problems.absorb(guards);
            problems.finish_with(|| None)
        }
    }
}

/// `enrollmentStatus`: the enrollment as read on the day.
pub fn enrollment_status(
    env: &Env<'_>,
    _: Nothing,
    context: EnrollmentContext,
) -> Result<EnrollmentView, Rejection> {
    let program = env.catalog.known(
        &context.enrollment.program_id,
        "context.enrollment.programId",
    )?;
    Ok(context.enrollment.view(program, env.today))
}

/// `renew` (SPEC §5).
pub fn renew(
    env: &Env<'_>,
    _: Nothing,
    context: EnrollmentContext,
) -> Result<EnrollmentView, Rejection> {
    let program = env
        .catalog
        .known(&context.enrollment.program_id, "programId")?;
    let status = eligibility::evaluate(program, &context.facts, env.today).status;
    let renewed = super::renew(program, &context.enrollment, status, env.today)?;
    Ok(renewed.view(program, env.today))
}

/// `withdraw` (SPEC §5).
pub fn withdraw(
    env: &Env<'_>,
    _: Nothing,
    context: EnrollmentContext,
) -> Result<EnrollmentView, Rejection> {
    let program = env
        .catalog
        .known(&context.enrollment.program_id, "programId")?;
    let withdrawn = super::withdraw(program, &context.enrollment, env.today)?;
    Ok(withdrawn.view(program, env.today))
}

/// `locationsForm` (SPEC §15.2): the locations a program admin registers for a partner.
pub fn locations_form(
    _: &Env<'_>,
    form: super::LocationsForm,
    _: Nothing,
) -> Result<Vec<super::Location>, Rejection> {
    form.parse()
}
