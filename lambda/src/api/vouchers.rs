//! Voucher routes (SPEC §7, §8): assign, read, history, list and CSV export, validate, reserve,
//! cancel, deliverable upload and the completion report.

use super::extract::{IdempotencyKey, JsonBody, Lang, Path, declared_length, drain};
use super::idempotency::{Keyed, commit_and_answer, once};
use super::identity::Caller;
use super::problem::{ApiError, HttpProblem};
use super::rules::{self, QueryForm, partner_in_path};
use super::spreadsheet;
use super::{AppState, Services};
use crate::store::vouchers as store_vouchers;
use crate::store::{Commit, ConflictItem, Engagements, StoreError, Upload, VoucherQuery};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use http_body_util::{BodyDataStream, BodyExt as _};
use saps_core::access::{Operation, Principal, Role};
use saps_core::catalog::Catalog;
use saps_core::completion::{self, Deliverable, MAX_DELIVERABLE_BYTES, MediaType};
use saps_core::directory::Page;
use saps_core::enrollment::Enrollment;
use saps_core::error::{Category, Locale, ProblemKind, Rejection};
use saps_core::rule::Env;
use saps_core::value::{CustomerId, PartnerId, VoucherNumber};
use saps_core::voucher::rules::{self as voucher_rules, AssignContext, UploadForm, VoucherContext};
use saps_core::voucher::{
    self, Actor, ExportRow, HistoryEntry, StateFilter, Transition, Voucher, VoucherView,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio_util::io::StreamReader;

fn not_found() -> ApiError {
    ApiError::one("voucherNumber", ProblemKind::VoucherNotFound)
}

/// The voucher at `raw` if the caller may do `operation` on it. An unknown voucher and another
/// partner's answer alike (`voucher.notFound`), so existence does not leak (SPEC §1).
async fn visible(
    s: &Services,
    caller: &Caller,
    raw: &str,
    operation: Operation,
) -> Result<(Voucher, Actor), ApiError> {
    caller.authenticated()?;
    let number = VoucherNumber::parse(raw).map_err(|_| not_found())?;
    let voucher = s.store.voucher(&number).await?.ok_or_else(not_found)?;
    // A customer's voucher not yet assigned has no partner: only a program admin sees it here.
    let owner = voucher.partner_id.clone();
    let caller = match (&owner, operation) {
        (Some(owner), Operation::UseVoucherTool) => {
            super::access::with_grants(s, caller, owner).await?
        }
        // Not a partner's yet: as unknown to every partner as a voucher that does not exist.
        (None, _) if !caller.authenticated()?.has(Role::ProgramAdmin) => return Err(not_found()),
        _ => caller.clone(),
    };
    match caller.authorize(operation, owner.as_ref()) {
        Err(ApiError::Rejected(r)) if r.category() == Category::NotFound => return Err(not_found()),
        other => other?,
    };
    let principal = caller.authenticated()?;
    let actor = match &owner {
        Some(owner) => principal.actor_for(owner),
        None => principal
            .has(Role::ProgramAdmin)
            .then_some(Actor::ProgramAdmin),
    }
    .ok_or_else(not_found)?;
    Ok((voucher, actor))
}

/// The caller as a voucher-tool user of its own partner (an admin, or a partner user granted
/// the tool), with the actor it acts as.
pub(super) async fn tool_user(
    s: &Services,
    caller: &Caller,
) -> Result<(Principal, Actor), ApiError> {
    let own = caller.authenticated()?.partner_id.clone();
    let caller = match &own {
        Some(own) => super::access::with_grants(s, caller, own).await?,
        None => caller.clone(),
    };
    caller.authorize(Operation::UseVoucherTool, own.as_ref())?;
    let principal = caller.authenticated()?.clone();
    let actor = principal
        .partner_actor()
        .ok_or_else(|| ApiError::one("roles", ProblemKind::Forbidden))?;
    Ok((principal, actor))
}

/// The partner a voucher the caller acts on is assigned to: [`visible`] lets a partner act only
/// on a voucher that has one.
fn owner(voucher: &Voucher) -> Result<&PartnerId, ApiError> {
    voucher.partner_id.as_ref().ok_or_else(not_found)
}

/// A partner a voucher goes to must be registered (`access.notFound` on `partnerId`).
pub(super) async fn known_partner(
    s: &Services,
    partner: Option<&PartnerId>,
) -> Result<(), ApiError> {
    match partner {
        Some(partner) if s.store.partner(partner).await?.is_none() => {
            Err(ApiError::one("partnerId", ProblemKind::NotFound))
        }
        _ => Ok(()),
    }
}

/// The owner's enrollment in the voucher's program: every voucher-tool action needs a current
/// one (SPEC §15.3).
async fn enrollment_for(s: &Services, voucher: &Voucher) -> Result<Option<Enrollment>, ApiError> {
    Ok(s.store.partner(owner(voucher)?).await?.and_then(|p| {
        p.enrollments
            .into_iter()
            .find(|e| e.program_id == voucher.program_id)
    }))
}

/// The voucher as `actor` reads it on `today` (one date per request: the one its rule ran on).
pub(super) fn view(
    catalog: &Catalog,
    voucher: &Voucher,
    actor: &Actor,
    today: NaiveDate,
) -> Result<VoucherView, ApiError> {
    let program = catalog.program(&voucher.program_id).ok_or_else(|| {
        ApiError::Internal(format!("voucher of unknown program {}", voucher.program_id))
    })?;
    Ok(voucher.view(actor, program, today))
}

/// `POST /v1/vouchers` (program admin): assigns a voucher to a partner → 201.
#[utoipa::path(
    operation_id = "assignVoucher",
    post,
    path = "/v1/vouchers",
    tag = "vouchers",
    request_body(content = saps_core::voucher::AssignForm, content_type = "application/json"),
    responses(
        (status = 201, description = "Assigned", body = VoucherView),
        super::openapi::WriteErrors
    )
)]
pub async fn assign(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    body: JsonBody,
) -> Result<Response, ApiError> {
    caller.authorize(Operation::AssignVoucher, None)?;
    let today = s.clock.today();
    let form: voucher::AssignForm = rules::form(body)?;
    let number = form
        .voucher_number
        .as_deref()
        .and_then(|n| VoucherNumber::parse(n).ok());
    let number_in_use = match &number {
        Some(n) => s.store.voucher(n).await?.is_some(),
        None => false,
    };
    // A voucher naming a registered customer draws from its pool (SPEC §15.5): its account
    // is read for the balance and written back, on its version, listing the new voucher.
    let customer_id = form
        .customer_id
        .as_deref()
        .and_then(|raw| CustomerId::parse(raw).ok());
    let account = match &customer_id {
        Some(id) => s.store.customer(id).await?,
        None => None,
    };
    let customer_vouchers = match &account {
        Some(account) => s.store.vouchers(&account.voucher_numbers).await?,
        None => Vec::new(),
    };
    let catalog = s.catalog().await?;
    let assigned = voucher_rules::assign(
        &rules::env(&catalog, today, locale),
        form,
        AssignContext {
            number_in_use,
            customer: account.as_ref().map(|a| a.customer.clone()),
            customer_vouchers,
        },
    )?;
    known_partner(&s, assigned.voucher.partner_id.as_ref()).await?;
    let answer = view(&catalog, &assigned.voucher, &Actor::ProgramAdmin, today)?;
    let customer = account.map(|a| a.drawing(&assigned.voucher.voucher_number));
    let commit = Commit {
        new_vouchers: vec![(assigned.voucher, assigned.history)],
        customer,
        ..Commit::default()
    };
    match s.store.commit(commit).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(answer)).into_response()),
        // Another assignment took the number between the check and the write.
        Err(StoreError::Conflict {
            item: ConflictItem::Voucher(_),
            ..
        }) => Err(ApiError::one(
            "voucherNumber",
            ProblemKind::VoucherNumberInUse,
        )),
        Err(error) => Err(error.into()),
    }
}

/// `GET /v1/vouchers/{voucherNumber}`: the voucher with its state today.
#[utoipa::path(
    operation_id = "readVoucher",
    get,
    path = "/v1/vouchers/{voucherNumber}",
    tag = "vouchers",
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)")
    ),
    responses(
        (status = 200, description = "The voucher with its state today and allowed actions", body = VoucherView),
        super::openapi::ReadErrors
    )
)]
pub async fn read(
    State(s): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Json<VoucherView>, ApiError> {
    let (voucher, actor) = visible(&s, &caller, &number, Operation::ReadPartner).await?;
    let catalog = s.catalog().await?;
    Ok(Json(view(&catalog, &voucher, &actor, s.clock.today())?))
}

/// `GET /v1/vouchers/{voucherNumber}/history?cursor=&limit=`: the events, oldest first, a page
/// at a time (a voucher reserved and cancelled for years has a long history).
#[utoipa::path(
    get,
    path = "/v1/vouchers/{voucherNumber}/history",
    tag = "vouchers",
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)"),
        PageQuery
    ),
    responses(
        (status = 200, description = "A page of events, oldest first", body = Page<HistoryEntry>),
        super::openapi::QueryErrors
    )
)]
pub async fn history(
    State(s): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    QueryForm(query): QueryForm<PageQuery>,
) -> Result<Json<Page<HistoryEntry>>, ApiError> {
    let limit = page_limit(query.limit)?;
    // The cursor is the version the previous page ended on.
    let after = match query.cursor.as_deref() {
        None => None,
        Some(cursor) => Some(
            cursor
                .parse::<u64>()
                .map_err(|_| StoreError::InvalidCursor)?,
        ),
    };
    let (voucher, _) = visible(&s, &caller, &number, Operation::ReadPartner).await?;
    // One more than the page tells whether another page follows.
    let mut items = s
        .store
        .history_page(&voucher.voucher_number, after, limit.saturating_add(1))
        .await?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|entry| entry.version.to_string())
    } else {
        None
    };
    Ok(Json(Page { items, next_cursor }))
}

/// Paging of a list: where the previous page ended and how long a page is.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Where the previous page ended (its `nextCursor`).
    #[serde(default)]
    cursor: Option<String>,
    /// Page size, 1–100 (default 50).
    #[serde(default)]
    limit: Option<u64>,
}

/// A page size asked for, 1–[`MAX_PAGE`] ([`DEFAULT_PAGE`] when none is asked).
pub(super) fn page_limit(asked: Option<u64>) -> Result<usize, ApiError> {
    let limit = asked.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::one(
            "limit",
            ProblemKind::OutOfRange {
                min: 1,
                max: MAX_PAGE,
            },
        ));
    }
    Ok(usize::try_from(limit).unwrap_or(usize::MAX))
}

/// Largest page of a voucher list.
const MAX_PAGE: u64 = 100;
/// The list's exports: every matching voucher at once.
#[derive(Clone, Copy, Debug)]
enum Export {
    Csv,
    Xlsx,
}

/// Page size when none is asked.
const DEFAULT_PAGE: u64 = 50;

/// The list's query parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only vouchers in this effective state.
    #[serde(default)]
    state: Option<String>,
    /// `csv` or `xlsx` for an export of every matching voucher (no paging).
    #[serde(default)]
    format: Option<String>,
    /// Where the previous page ended.
    #[serde(default)]
    cursor: Option<String>,
    /// Page size, 1–100 (default 50).
    #[serde(default)]
    limit: Option<u64>,
}

/// `GET /v1/partners/{partnerId}/vouchers?state=&format=csv|xlsx`: by expiry date, then number.
#[utoipa::path(
    operation_id = "listVouchers",
    get,
    path = "/v1/partners/{partnerId}/vouchers",
    tag = "vouchers",
    params(
        ("partnerId" = String, Path, description = "Partner id (1–10 digits)"),
        ListQuery
    ),
    responses(
        (status = 200, description = "A page of vouchers (JSON) or every matching voucher (CSV, Excel)", content((Page<VoucherView> = "application/json"), (String = "text/csv"), (BinaryBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        super::openapi::QueryErrors
    )
)]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Path(partner_id): Path<String>,
    QueryForm(query): QueryForm<ListQuery>,
) -> Result<Response, ApiError> {
    let partner_id = partner_in_path(&partner_id)?;
    let principal = caller.authorize(Operation::ReadPartner, Some(&partner_id))?;
    let actor = principal
        .and_then(|p| p.actor_for(&partner_id))
        .ok_or_else(|| ApiError::one("partnerId", ProblemKind::NotFound))?;
    let filter =
        StateFilter::parse(query.state.as_deref()).map_err(|k| ApiError::one("state", k))?;
    let export = match query.format.as_deref() {
        None | Some("json") => None,
        Some("csv") => Some(Export::Csv),
        Some("xlsx") => Some(Export::Xlsx),
        Some(other) => {
            return Err(ApiError::one(
                "format",
                ProblemKind::UnknownValue {
                    value: other.to_owned(),
                    allowed: "json, csv, xlsx",
                },
            ));
        }
    };
    let limit = page_limit(query.limit)?;
    let today = s.clock.today();
    let catalog = s.catalog().await?;
    let page_query = |limit: usize| VoucherQuery {
        state: filter.0,
        today,
        limit,
        extension_days: 0,
    };
    if let Some(export) = export {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = store_vouchers::partner_vouchers(
                &*s.store,
                &catalog,
                &partner_id,
                page_query(MAX_PAGE as usize),
                cursor.as_deref(),
            )
            .await?;
            all.extend(page.items);
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        let refs: Vec<&Voucher> = all.iter().collect();
        let (media_type, extension, body) = match export {
            Export::Csv => (
                "text/csv; charset=utf-8",
                "csv",
                voucher::export_csv(&refs, &catalog, today).into_bytes(),
            ),
            Export::Xlsx => {
                let rows: Vec<ExportRow> = refs
                    .iter()
                    .map(|v| ExportRow::of(v, &catalog, today))
                    .collect();
                let workbook = spreadsheet::vouchers_xlsx(&rows)
                    .map_err(|e| ApiError::Internal(format!("xlsx export: {e}")))?;
                (spreadsheet::XLSX, "xlsx", workbook)
            }
        };
        return Ok((
            [
                (header::CONTENT_TYPE, media_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"vouchers-{partner_id}.{extension}\""),
                ),
            ],
            body,
        )
            .into_response());
    }
    let page = store_vouchers::partner_vouchers(
        &*s.store,
        &catalog,
        &partner_id,
        page_query(limit),
        query.cursor.as_deref(),
    )
    .await?;
    let items = page
        .items
        .iter()
        .map(|v| view(&catalog, v, &actor, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Page {
        items,
        next_cursor: page.next_cursor,
    })
    .into_response())
}

/// `POST /v1/vouchers/validate`: `{voucherNumber, adminEmail}`, read only.
#[utoipa::path(
    post,
    path = "/v1/vouchers/validate",
    tag = "vouchers",
    request_body(content = saps_core::voucher::ValidationForm, content_type = "application/json"),
    responses(
        (status = 200, description = "Valid for this partner", body = VoucherView),
        super::openapi::WriteErrors
    )
)]
pub async fn validate(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    body: JsonBody,
) -> Result<Json<VoucherView>, ApiError> {
    let (_, actor) = tool_user(&s, &caller).await?;
    let form: voucher::ValidationForm = rules::form(body)?;
    let number = form
        .voucher_number
        .as_deref()
        .and_then(|n| VoucherNumber::parse(n).ok());
    let voucher = match &number {
        Some(n) => s.store.voucher(n).await?,
        None => None,
    };
    let enrollment = match voucher.as_ref().filter(|v| actor.can_see(v)) {
        Some(voucher) => enrollment_for(&s, voucher).await?,
        None => None,
    };
    let catalog = s.catalog().await?;
    Ok(Json(voucher_rules::validate(
        &rules::env(&catalog, s.clock.today(), locale),
        form,
        VoucherContext {
            enrollment,
            ..VoucherContext::new(actor, voucher)
        },
    )?))
}

/// A voucher transition rule of core.
type TransitionRule<F> = fn(&Env<'_>, F, VoucherContext) -> Result<Transition, Rejection>;

/// Runs a voucher transition rule on the body and commits its outcome with what `commit`
/// already holds, keyed when asked.
async fn transition<F: DeserializeOwned>(
    s: &Services,
    rule: TransitionRule<F>,
    body: JsonBody,
    context: VoucherContext,
    commit: Commit,
    keyed: Option<&Keyed>,
    locale: Locale,
) -> Result<Response, ApiError> {
    let today = s.clock.today();
    let actor = context.actor.clone();
    let catalog = s.catalog().await?;
    let outcome = rule(
        &rules::env(&catalog, today, locale),
        rules::form(body)?,
        context,
    )?;
    let answer = view(&catalog, &outcome.voucher, &actor, today)?;
    let commit = Commit {
        transitions: vec![outcome],
        ..commit
    };
    commit_and_answer(s.store.as_ref(), commit, keyed, StatusCode::OK, answer).await
}

/// `POST /v1/vouchers/{voucherNumber}/reservation`: `{adminEmail, acceptTerms, engagementStart,
/// engagementEnd}`; `Idempotency-Key` optional.
#[utoipa::path(
    post,
    path = "/v1/vouchers/{voucherNumber}/reservation",
    tag = "vouchers",
    request_body(content = saps_core::voucher::ReservationForm, content_type = "application/json"),
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional: a retry with the same key and body gets the first answer")
    ),
    responses(
        (status = 200, description = "Reserved", body = VoucherView),
        super::openapi::WriteErrors
    )
)]
pub async fn reserve(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(number): Path<String>,
    key: IdempotencyKey,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let (voucher, actor) = visible(&s, &caller, &number, Operation::UseVoucherTool).await?;
    let route = format!("/v1/vouchers/{}/reservation", voucher.voucher_number);
    let keyed = key.bind(
        s.clock.unix_seconds(),
        owner(&voucher)?,
        "POST",
        &route,
        &body.raw,
    );
    once(s.store.as_ref(), keyed.as_ref(), async {
        reserve_voucher(&s, locale, voucher, actor, body, keyed.as_ref()).await
    })
    .await
}

/// Reserves `voucher` under its partner's enrollment and commits it (with the answer under
/// `keyed`).
async fn reserve_voucher(
    s: &Services,
    locale: Locale,
    voucher: Voucher,
    actor: Actor,
    body: JsonBody,
    keyed: Option<&Keyed>,
) -> Result<Response, ApiError> {
    let partner = s.store.partner(owner(&voucher)?).await?;
    let enrollment = partner.as_ref().and_then(|p| {
        p.enrollments
            .iter()
            .find(|e| e.program_id == voucher.program_id)
    });
    // The 15-day cap's input, read (and written back on its version) only for a voucher the
    // cap concerns, so other reservations cost what they did.
    let (engagements, others) = if voucher.capped() {
        let empty = Engagements::of(&voucher).ok_or_else(not_found)?;
        let held = s.store.engagements(&empty).await?.unwrap_or(empty);
        let others = if held.voucher_numbers.is_empty() {
            Vec::new()
        } else {
            s.store.vouchers(&held.voucher_numbers).await?
        };
        (Some(held.reserving(&voucher.voucher_number)), others)
    } else {
        (None, Vec::new())
    };
    let context = VoucherContext {
        enrollment: enrollment.cloned(),
        locations: partner.map(|p| p.locations).unwrap_or_default(),
        engagements: others,
        ..VoucherContext::new(actor, Some(voucher))
    };
    let reserve = voucher_rules::reserve;
    let commit = Commit {
        engagements,
        ..Commit::default()
    };
    transition(s, reserve, body, context, commit, keyed, locale).await
}

/// `DELETE /v1/vouchers/{voucherNumber}/reservation`: `{reason}`; back to `assigned`.
#[utoipa::path(
    delete,
    path = "/v1/vouchers/{voucherNumber}/reservation",
    tag = "vouchers",
    request_body(content = saps_core::voucher::CancellationForm, content_type = "application/json"),
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)")
    ),
    responses(
        (status = 200, description = "Back to assigned", body = VoucherView),
        super::openapi::WriteErrors
    )
)]
pub async fn cancel(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(number): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let (voucher, actor) = visible(&s, &caller, &number, Operation::UseVoucherTool).await?;
    let context = VoucherContext {
        enrollment: enrollment_for(&s, &voucher).await?,
        ..VoucherContext::new(actor, Some(voucher))
    };
    let cancel = voucher_rules::cancel_reservation;
    transition(&s, cancel, body, context, Commit::default(), None, locale).await
}

/// `POST /v1/vouchers/{voucherNumber}/completion-report` (SPEC §8).
#[utoipa::path(
    post,
    path = "/v1/vouchers/{voucherNumber}/completion-report",
    tag = "vouchers",
    request_body(content = saps_core::completion::CompletionReportForm, content_type = "application/json"),
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)")
    ),
    responses(
        (status = 200, description = "Completed", body = VoucherView),
        super::openapi::WriteErrors
    )
)]
pub async fn complete(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(number): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let (voucher, actor) = visible(&s, &caller, &number, Operation::UseVoucherTool).await?;
    let partner = s.store.partner(owner(&voucher)?).await?;
    let enrollment = partner.as_ref().and_then(|p| {
        p.enrollments
            .iter()
            .find(|e| e.program_id == voucher.program_id)
            .cloned()
    });
    let facts = partner.map(|p| p.facts).unwrap_or_default();
    let uploaded = s.store.uploads(&voucher.voucher_number).await?;
    let context = VoucherContext {
        facts: Some(facts),
        enrollment,
        uploaded,
        ..VoucherContext::new(actor, Some(voucher))
    };
    let submit = voucher_rules::submit_completion_report;
    transition(&s, submit, body, context, Commit::default(), None, locale).await
}

/// Whether an upload may start, before a byte of it is read: the caller, then core's rule on
/// the voucher's state, the name and the cap, then the media type and the declared length.
async fn accept_upload(
    s: &Services,
    caller: &Caller,
    locale: Locale,
    number: &str,
    file_name: String,
    headers: &axum::http::HeaderMap,
) -> Result<(VoucherNumber, voucher_rules::AcceptedUpload, MediaType), ApiError> {
    let (voucher, actor) = visible(s, caller, number, Operation::UseVoucherTool).await?;
    let number = voucher.voucher_number.clone();
    let context = VoucherContext {
        uploaded: s.store.uploads(&number).await?,
        enrollment: enrollment_for(s, &voucher).await?,
        ..VoucherContext::new(actor, Some(voucher))
    };
    let form = UploadForm {
        file_name: Some(file_name),
    };
    let catalog = s.catalog().await?;
    let accepted = voucher_rules::upload_deliverable(
        &rules::env(&catalog, s.clock.today(), locale),
        form,
        context,
    )?;
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| MediaType::parse(v).ok())
        .ok_or_else(|| HttpProblem::UnsupportedMediaType {
            expected: MediaType::ALL.map(MediaType::mime).join(", "),
        })?;
    // A body declared too large is refused before it is read; an empty one, by the blob store
    // before anything is kept.
    if declared_length(headers).is_some_and(|length| length > MAX_DELIVERABLE_BYTES) {
        return Err(HttpProblem::TooLarge {
            limit: MAX_DELIVERABLE_BYTES,
        }
        .into());
    }
    Ok((number, accepted, media_type))
}

/// Raw bytes (a deliverable, an Excel export), for the OpenAPI document only: the body is not
/// JSON, so it is declared as a binary string rather than as an array of numbers.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryBody(#[expect(dead_code, reason = "only the schema is used")] Vec<u8>);

/// `GET /v1/vouchers/{voucherNumber}/deliverables/{fileName}` (the owner partner, a program
/// admin): the uploaded file's bytes with its media type, as an attachment under its name. The
/// bytes are checked against the recorded SHA-256 before they leave.
#[utoipa::path(
    get,
    path = "/v1/vouchers/{voucherNumber}/deliverables/{fileName}",
    tag = "vouchers",
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)"),
        ("fileName" = String, Path, description = "The name it was uploaded under")
    ),
    responses(
        (status = 200, description = "The deliverable's bytes",
            content(
                (BinaryBody = "application/pdf"),
                (BinaryBody = "application/zip"),
                (BinaryBody = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (BinaryBody = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                (BinaryBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            )
        ),
        super::openapi::ReadErrors
    )
)]
pub async fn download(
    State(s): State<AppState>,
    caller: Caller,
    Path((number, file_name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (voucher, _) = visible(&s, &caller, &number, Operation::ReadPartner).await?;
    let uploads = s.store.uploads(&voucher.voucher_number).await?;
    let deliverable = uploads
        .into_iter()
        .find(|d| d.file_name == file_name)
        .ok_or_else(|| ApiError::one("fileName", ProblemKind::NotFound))?;
    let bytes = s.blobs.get(&deliverable.sha256).await?.ok_or_else(|| {
        ApiError::Internal(format!("the blob of {} is missing", deliverable.sha256))
    })?;
    if crate::blob::digest_of(&bytes).as_ref() != Some(&deliverable.sha256) {
        return Err(ApiError::Internal(format!(
            "the blob of {} does not match its digest",
            deliverable.sha256
        )));
    }
    let headers = [
        (
            header::CONTENT_TYPE,
            deliverable.media_type.mime().to_owned(),
        ),
        (
            header::CONTENT_DISPOSITION,
            attachment(&deliverable.file_name),
        ),
        (header::ETAG, format!("\"{}\"", deliverable.sha256)),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
    ];
    Ok((headers, bytes).into_response())
}

/// `Content-Disposition` for a download named `file_name` (RFC 6266): an ASCII fallback, and
/// the name itself in UTF-8 (RFC 8187), so 交付计划.pdf arrives under its own name.
fn attachment(file_name: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 8187's attr-char: letters, digits and `!#$&+-.^_`|~` stay as they are.
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let fallback: String = file_name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(file_name, ATTR)
    )
}

/// `PUT /v1/vouchers/{voucherNumber}/deliverables/{fileName}`: the raw bytes with their
/// `Content-Type` (pdf, docx, pptx, xlsx, zip), at most 5 MiB → 201 with the stored digest.
#[utoipa::path(
    put,
    path = "/v1/vouchers/{voucherNumber}/deliverables/{fileName}",
    tag = "vouchers",
    request_body(
        description = "The deliverable's bytes (at most 5 MiB)",
        content(
            (BinaryBody = "application/pdf"),
            (BinaryBody = "application/zip"),
            (BinaryBody = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (BinaryBody = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            (BinaryBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
    ),
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)"),
        ("fileName" = String, Path, description = "1–200 characters, no path separators")
    ),
    responses(
        (status = 201, description = "Stored, with its SHA-256", body = Deliverable),
        super::openapi::WriteErrors
    )
)]
pub async fn upload(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path((number, file_name)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let (number, accepted, media_type) =
        match accept_upload(&s, &caller, locale, &number, file_name, &parts.headers).await {
            Ok(accepted) => accepted,
            Err(error) => {
                drain(&parts.headers, body, MAX_DELIVERABLE_BYTES).await;
                return Err(error);
            }
        };
    // Streamed into the blob store a chunk at a time, hashed on the way: an upload holds one
    // chunk in memory, not the file.
    let mut bytes = StreamReader::new(BodyDataStream::new(body.map_err(std::io::Error::other)));
    let stored = s.blobs.put(&mut bytes, MAX_DELIVERABLE_BYTES).await?;
    let deliverable = Deliverable {
        file_name: accepted.file_name,
        media_type,
        size: stored.size,
        sha256: stored.sha256,
    };
    s.store
        .commit(Commit {
            uploads: vec![Upload {
                voucher_number: number,
                deliverable: deliverable.clone(),
                effect: accepted.effect,
                at_most: completion::MAX_DELIVERABLES,
            }],
            ..Commit::default()
        })
        .await?;
    Ok((StatusCode::CREATED, Json(deliverable)).into_response())
}
