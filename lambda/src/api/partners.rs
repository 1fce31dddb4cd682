//! Partner routes: catalog, registration, eligibility, qualifications, enrollments, profile and
//! the anonymous directory (SPEC §3–§6).

use super::extract::{JsonBody, Lang, Path};
use super::identity::Caller;
use super::problem::ApiError;
use super::rules::{self, QueryForm, partner_in_path};
use super::{AppState, Services};
use crate::store::directory as store_directory;
use crate::store::{Commit, Partner, PartnerSave, ProgramSave};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use saps_core::access::Operation;
use saps_core::catalog::{Catalog, Program};
use saps_core::directory::{DirectoryEntry, Page, Profile, SearchForm};
use saps_core::eligibility::rules::{self as eligibility_rules, FactsContext, ProgramFilter};
use saps_core::eligibility::{ProgramEligibility, QualificationFacts, QualificationFactsForm};
use saps_core::enrollment::rules::{self as enrollment_rules, EnrollContext, EnrollmentContext};
use saps_core::enrollment::{self, EnrollmentView, Location, LocationsForm};
use saps_core::error::ProblemKind;
use saps_core::rule::Nothing;
use saps_core::value::{PartnerId, ProgramId};
use serde::{Deserialize, Serialize};

/// `GET /v1/partners/{partnerId}/eligibility`: the status per program on `date`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EligibilityAnswer {
    partner_id: PartnerId,
    #[serde(with = "saps_core::calendar::serde_date")]
    date: NaiveDate,
    /// One verdict per program asked about, in catalog order.
    programs: Vec<ProgramEligibility>,
}

async fn load(services: &Services, id: &PartnerId) -> Result<Partner, ApiError> {
    services
        .store
        .partner(id)
        .await?
        .ok_or_else(|| ApiError::one("partnerId", ProblemKind::NotFound))
}

/// Saves `next` over `previous` in one conditional write.
async fn save(
    services: &Services,
    previous: Option<Partner>,
    next: Partner,
) -> Result<(), ApiError> {
    services
        .store
        .commit(Commit {
            partner: Some(PartnerSave { previous, next }),
            ..Commit::default()
        })
        .await?;
    Ok(())
}

/// `GET /v1/programs`: the catalog.
#[utoipa::path(
    get,
    path = "/v1/programs",
    tag = "catalog",
    responses(
        (status = 200, description = "The program catalog", body = [Program]),
        super::openapi::ReadErrors
    )
)]
pub async fn programs(
    State(s): State<AppState>,
    Lang(locale): Lang,
) -> Result<Json<Vec<Program>>, ApiError> {
    let catalog = s.catalog().await?;
    let env = rules::env(&catalog, s.clock.today(), locale);
    Ok(Json(saps_core::catalog::rules::programs(
        &env,
        Nothing {},
        Nothing {},
    )?))
}

/// `PUT /v1/programs/{programId}` (program admin): creates or changes a catalog program
/// (SPEC §15.1). The body is the program as `GET /v1/programs` shows it; its `version`, when
/// given, must be the stored one. Checked by core's `update_program` on a fresh read of the
/// catalog and written conditionally on the stored version; this instance serves the change at
/// once, others within the catalog cache's time.
#[utoipa::path(
    put,
    path = "/v1/programs/{programId}",
    tag = "catalog",
    request_body(content = Program, content_type = "application/json"),
    params(
        ("programId" = String, Path, description = "Program id (lower-case letters, digits and `-`)")
    ),
    responses(
        (status = 201, description = "Created", body = Program),
        (status = 200, description = "Changed", body = Program),
        super::openapi::WriteErrors
    )
)]
pub async fn put_program(
    State(s): State<AppState>,
    caller: Caller,
    Path(program_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    caller.authorize(Operation::MaintainCatalog, None)?;
    let path_id = ProgramId::parse(&program_id).map_err(|k| ApiError::one("programId", k))?;
    let proposed: Program = rules::form(body)?;
    let catalog = s.programs.fresh(s.store.as_ref()).await?;
    let stored = catalog.programs.iter().position(|p| p.id == path_id);
    let current = stored.and_then(|at| catalog.programs.get(at));
    let next = saps_core::catalog::update_program(proposed, &path_id, current)?;
    let position = stored.unwrap_or(catalog.programs.len());
    s.store
        .commit(Commit {
            programs: vec![ProgramSave {
                position: u32::try_from(position).unwrap_or(u32::MAX),
                program: next.clone(),
            }],
            ..Commit::default()
        })
        .await?;
    s.programs.changed(&catalog, next.clone());
    let status = if current.is_none() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(next)).into_response())
}

/// `PUT /v1/partners/{partnerId}` (program admin): registers a partner, or replaces its
/// approved locations. Enrollments keep the locations they were made for.
#[utoipa::path(
    operation_id = "registerPartner",
    put,
    path = "/v1/partners/{partnerId}",
    tag = "partners",
    request_body(content = LocationsForm, content_type = "application/json"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 201, description = "Registered", body = PartnerSummary), (status = 200, description = "Locations replaced", body = PartnerSummary),
        super::openapi::WriteErrors
    )
)]
pub async fn register(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    caller.authorize(Operation::MaintainQualifications, None)?;
    let partner_id = partner_in_path(&partner_id)?;
    let form: LocationsForm = rules::form(body)?;
    let locations = form.parse()?;
    let previous = s.store.partner(&partner_id).await?;
    let created = previous.is_none();
    let mut next = previous
        .clone()
        .unwrap_or_else(|| Partner::new(partner_id.clone()))
        .next_version();
    next.locations = locations;
    save(&s, previous, next.clone()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(partner_summary(&next))).into_response())
}

/// `GET /v1/partners/{partnerId}`: the partner's approved locations, which its enrollments and
/// reservations name (the portal offers them as choices).
#[utoipa::path(
    operation_id = "readPartner",
    get,
    path = "/v1/partners/{partnerId}",
    tag = "partners",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 200, description = "The partner", body = PartnerSummary),
        super::openapi::ReadErrors
    )
)]
pub async fn read(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
) -> Result<Json<PartnerSummary>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    Ok(Json(partner_summary(&load(&s, &partner_id).await?)))
}

/// A registered partner: its approved locations and the stored version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerSummary {
    partner_id: PartnerId,
    locations: Vec<Location>,
    version: u64,
}

fn partner_summary(partner: &Partner) -> PartnerSummary {
    PartnerSummary {
        partner_id: partner.partner_id.clone(),
        locations: partner.locations.clone(),
        version: partner.version,
    }
}

/// `?date=` of the eligibility route, and an optional program.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    /// The day to judge on (`YYYY-MM-DD`, default today).
    #[serde(default)]
    date: Option<String>,
    /// Only this program.
    #[serde(default)]
    program_id: Option<String>,
}

/// `GET /v1/partners/{partnerId}/eligibility?date=`: status per program (SPEC §4).
#[utoipa::path(
    get,
    path = "/v1/partners/{partnerId}/eligibility",
    tag = "partners",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        EligibilityQuery
    ),
    responses(
        (status = 200, description = "Status per program", body = EligibilityAnswer),
        super::openapi::QueryErrors
    )
)]
pub async fn eligibility(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(partner_id): Path<String>,
    QueryForm(query): QueryForm<EligibilityQuery>,
) -> Result<Json<EligibilityAnswer>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    let on = rules::date_or_today(&s, query.date.as_deref())?;
    let partner = load(&s, &partner_id).await?;
    let catalog = s.catalog().await?;
    let verdicts = eligibility_rules::eligibility(
        &rules::env(&catalog, on, locale),
        ProgramFilter {
            program_id: query.program_id,
        },
        FactsContext {
            facts: partner.facts,
        },
    )?;
    Ok(Json(EligibilityAnswer {
        partner_id,
        date: on,
        programs: verdicts.programs,
    }))
}

/// `PUT /v1/partners/{partnerId}/qualifications` (program admin): replaces the facts.
#[utoipa::path(
    put,
    path = "/v1/partners/{partnerId}/qualifications",
    tag = "partners",
    request_body(content = QualificationFactsForm, content_type = "application/json"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 200, description = "The facts as stored", body = QualificationFacts),
        super::openapi::WriteErrors
    )
)]
pub async fn qualifications(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(partner_id): Path<String>,
    body: JsonBody,
) -> Result<Json<QualificationFacts>, ApiError> {
    caller.authorize(Operation::MaintainQualifications, None)?;
    let partner_id = partner_in_path(&partner_id)?;
    let today = s.clock.today();
    let catalog = s.catalog().await?;
    let facts = eligibility_rules::qualifications(
        &rules::env(&catalog, today, locale),
        rules::form(body)?,
        Nothing {},
    )?;
    let previous = load(&s, &partner_id).await?;
    let mut next = previous.next_version();
    next.facts = facts.clone();
    save(&s, Some(previous), next).await?;
    Ok(Json(facts))
}

/// `GET /v1/partners/{partnerId}/qualifications`: the facts as stored, which the program admin
/// edits (the portal prefills its form with them) and the partner may read.
#[utoipa::path(
    operation_id = "readQualifications",
    get,
    path = "/v1/partners/{partnerId}/qualifications",
    tag = "partners",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 200, description = "The facts as stored", body = QualificationFacts),
        super::openapi::ReadErrors
    )
)]
pub async fn read_qualifications(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
) -> Result<Json<QualificationFacts>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    Ok(Json(load(&s, &partner_id).await?.facts))
}

fn enrollment_views(catalog: &Catalog, today: NaiveDate, partner: &Partner) -> Vec<EnrollmentView> {
    partner
        .enrollments
        .iter()
        .filter_map(|e| Some(e.view(catalog.program(&e.program_id)?, today)))
        .collect()
}

/// `POST /v1/partners/{partnerId}/enrollments`: `{programId, locationIds}` → 201 (SPEC §5).
#[utoipa::path(
    post,
    path = "/v1/partners/{partnerId}/enrollments",
    tag = "enrollments",
    request_body(content = saps_core::enrollment::rules::EnrollmentForm, content_type = "application/json"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 201, description = "Enrolled", body = EnrollmentView),
        super::openapi::WriteErrors
    )
)]
pub async fn enroll(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(partner_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ManagePartner, Some(&partner_id))?;
    let today = s.clock.today();
    let partner = load(&s, &partner_id).await?;
    let form: enrollment_rules::EnrollmentForm = rules::form(body)?;
    let program = form
        .program_id
        .as_deref()
        .and_then(|p| ProgramId::parse(p).ok());
    let existing = program
        .as_ref()
        .and_then(|p| partner.enrollments.iter().find(|e| &e.program_id == p))
        .cloned();
    let context = EnrollContext {
        partner_locations: partner
            .locations
            .iter()
            .map(|l| l.location_id.clone())
            .collect(),
        facts: partner.facts.clone(),
        existing,
    };
    let catalog = s.catalog().await?;
    let view = enrollment_rules::enroll(&rules::env(&catalog, today, locale), form, context)?;
    let mut next = partner.next_version();
    enrollment::replace(&mut next.enrollments, view.enrollment.clone());
    save(&s, Some(partner), next).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// `GET /v1/partners/{partnerId}/enrollments`: each with its status today.
#[utoipa::path(
    get,
    path = "/v1/partners/{partnerId}/enrollments",
    tag = "enrollments",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 200, description = "Enrollments with their status today", body = [EnrollmentView]),
        super::openapi::ReadErrors
    )
)]
pub async fn enrollments(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
) -> Result<Json<Vec<EnrollmentView>>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    let partner = load(&s, &partner_id).await?;
    let catalog = s.catalog().await?;
    Ok(Json(enrollment_views(&catalog, s.clock.today(), &partner)))
}

/// Core's `renew` or `withdraw`.
type EnrollmentChange = fn(
    &saps_core::rule::Env<'_>,
    Nothing,
    EnrollmentContext,
) -> Result<EnrollmentView, saps_core::error::Rejection>;

/// Runs `change` (`renew` or `withdraw`) on the partner's enrollment in `program_id`.
async fn change_enrollment(
    s: &Services,
    caller: &Caller,
    locale: saps_core::error::Locale,
    partner_id: &str,
    program_id: &str,
    change: EnrollmentChange,
    body: JsonBody,
) -> Result<EnrollmentView, ApiError> {
    let partner_id = partner_in_path(partner_id)?;
    caller.authorize(Operation::ManagePartner, Some(&partner_id))?;
    let today = s.clock.today();
    let partner = load(s, &partner_id).await?;
    let not_enrolled = || ApiError::one("programId", ProblemKind::NotFound);
    let program_id = ProgramId::parse(program_id).map_err(|_| not_enrolled())?;
    let enrollment = partner
        .enrollments
        .iter()
        .find(|e| e.program_id == program_id)
        .ok_or_else(not_enrolled)?;
    let context = EnrollmentContext {
        enrollment: enrollment.clone(),
        facts: partner.facts.clone(),
    };
    let nothing: Nothing = rules::form(body)?;
    let catalog = s.catalog().await?;
    let view = change(&rules::env(&catalog, today, locale), nothing, context)?;
    let mut next = partner.next_version();
    enrollment::replace(&mut next.enrollments, view.enrollment.clone());
    save(s, Some(partner), next).await?;
    Ok(view)
}

/// `POST /v1/partners/{partnerId}/enrollments/{programId}/renewal` (SPEC §5).
#[utoipa::path(
    post,
    path = "/v1/partners/{partnerId}/enrollments/{programId}/renewal",
    tag = "enrollments",
    request_body(content = Option<saps_core::rule::Nothing>, content_type = "application/json", description = "Empty, or `{}`"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ("programId" = String, Path, description = "Program id")
    ),
    responses(
        (status = 200, description = "Renewed", body = EnrollmentView),
        super::openapi::WriteErrors
    )
)]
pub async fn renew(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path((partner_id, program_id)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<EnrollmentView>, ApiError> {
    Ok(Json(
        change_enrollment(
            &s,
            &caller,
            locale,
            &partner_id,
            &program_id,
            enrollment_rules::renew,
            body,
        )
        .await?,
    ))
}

/// `DELETE /v1/partners/{partnerId}/enrollments/{programId}`: withdraws today.
#[utoipa::path(
    delete,
    path = "/v1/partners/{partnerId}/enrollments/{programId}",
    tag = "enrollments",
    request_body(content = Option<saps_core::rule::Nothing>, content_type = "application/json", description = "Empty, or `{}`"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ("programId" = String, Path, description = "Program id")
    ),
    responses(
        (status = 200, description = "Withdrawn", body = EnrollmentView),
        super::openapi::WriteErrors
    )
)]
pub async fn withdraw(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path((partner_id, program_id)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<EnrollmentView>, ApiError> {
    Ok(Json(
        change_enrollment(
            &s,
            &caller,
            locale,
            &partner_id,
            &program_id,
            enrollment_rules::withdraw,
            body,
        )
        .await?,
    ))
}

/// `PUT /v1/partners/{partnerId}/profile` (SPEC §6).
#[utoipa::path(
    put,
    path = "/v1/partners/{partnerId}/profile",
    tag = "directory",
    request_body(content = saps_core::directory::ProfileForm, content_type = "application/json"),
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 200, description = "The profile as stored", body = Profile),
        super::openapi::WriteErrors
    )
)]
pub async fn put_profile(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(partner_id): Path<String>,
    body: JsonBody,
) -> Result<Json<Profile>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ManagePartner, Some(&partner_id))?;
    let today = s.clock.today();
    let catalog = s.catalog().await?;
    let profile = saps_core::directory::rules::profile(
        &rules::env(&catalog, today, locale),
        rules::form(body)?,
        Nothing {},
    )?;
    let partner = load(&s, &partner_id).await?;
    let mut next = partner.next_version();
    next.profile = Some(profile.clone());
    save(&s, Some(partner), next).await?;
    Ok(Json(profile))
}

/// `GET /v1/partners/{partnerId}/profile`.
#[utoipa::path(
    get,
    path = "/v1/partners/{partnerId}/profile",
    tag = "directory",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)")
    ),
    responses(
        (status = 200, description = "The profile", body = Profile),
        super::openapi::ReadErrors
    )
)]
pub async fn profile(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
) -> Result<Json<Profile>, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    load(&s, &partner_id)
        .await?
        .profile
        .map(Json)
        .ok_or_else(|| ApiError::one("profile", ProblemKind::NotFound))
}

/// `GET /v1/directory?programId=&country=&language=&cursor=&limit=` (anonymous, SPEC §6).
#[utoipa::path(
    get,
    path = "/v1/directory",
    tag = "directory",
    params(
        saps_core::directory::SearchForm
    ),
    responses(
        (status = 200, description = "One page of listed partners", body = Page<DirectoryEntry>),
        super::openapi::QueryErrors
    )
)]
pub async fn directory(
    State(s): State<AppState>,
    QueryForm(form): QueryForm<SearchForm>,
) -> Result<Json<Page<DirectoryEntry>>, ApiError> {
    let catalog = s.catalog().await?;
    let query = form.parse(&catalog)?;
    let page = store_directory::search(s.store.as_ref(), &catalog, &query, s.clock.today()).await?;
    Ok(Json(page))
}
