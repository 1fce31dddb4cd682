//! The customer's side (SPEC §15.5): the program admin registers customers; a customer's
//! voucher administrator reads its pools and vouchers, draws vouchers from a pool and assigns
//! them to partners.

use super::extract::{IdempotencyKey, JsonBody, Lang, Path};
use super::idempotency::{Keyed, commit_and_answer, once};
use super::identity::Caller;
use super::problem::ApiError;
use super::rules;
use super::{AppState, Services};
use crate::store::{Commit, CustomerAccount};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use saps_core::access::{Operation, Principal, Role};
use saps_core::customer::rules::{self as customer_rules, CustomerContext, PoolContext};
use saps_core::customer::{Customer, CustomerForm, Pool, PoolVoucherForm};
use saps_core::error::{Locale, ProblemKind};
use saps_core::value::{CustomerId, VoucherNumber};
use saps_core::voucher::rules::{self as voucher_rules, VoucherContext};
use saps_core::voucher::{Actor, AssignmentForm, Voucher, VoucherView};
use serde::Serialize;

fn customer_not_found() -> ApiError {
    ApiError::one("customerId", ProblemKind::NotFound)
}

/// The id in the address; a malformed one names no customer.
fn customer_in_path(raw: &str) -> Result<CustomerId, ApiError> {
    CustomerId::parse(raw).map_err(|_| customer_not_found())
}

async fn account(s: &Services, id: &CustomerId) -> Result<CustomerAccount, ApiError> {
    s.store.customer(id).await?.ok_or_else(customer_not_found)
}

/// How the principal acts on the customer's vouchers: its administrator, or a program admin.
fn customer_actor(principal: &Principal, id: &CustomerId) -> Actor {
    if principal.has(Role::CustomerAdmin) && principal.customer_id.as_ref() == Some(id) {
        Actor::CustomerAdmin {
            customer_id: id.clone(),
        }
    } else {
        Actor::ProgramAdmin
    }
}

/// `PUT /v1/customers/{customerId}` (program admin): registers or changes a customer. A
/// `version`, when given, must be the stored one; the change is written on it.
#[utoipa::path(
    operation_id = "putCustomer",
    put,
    path = "/v1/customers/{customerId}",
    tag = "customers",
    request_body(content = CustomerForm, content_type = "application/json"),
    params(("customerId" = String, Path, description = "Customer id (1–10 digits)")),
    responses(
        (status = 201, description = "Registered", body = Customer),
        (status = 200, description = "Changed", body = Customer),
        super::openapi::WriteErrors
    )
)]
pub async fn put(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(customer_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let id = CustomerId::parse(&customer_id).map_err(|k| ApiError::one("customerId", k))?;
    caller.authorize_customer(Operation::RegisterCustomer, &id)?;
    let form: CustomerForm = rules::form(body)?;
    let current = s.store.customer(&id).await?;
    let catalog = s.catalog().await?;
    let customer = customer_rules::register_customer(
        &rules::env(&catalog, s.clock.today(), locale),
        form,
        CustomerContext {
            customer_id,
            current: current.as_ref().map(|a| a.customer.clone()),
        },
    )?;
    let status = if current.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let next = CustomerAccount {
        customer: customer.clone(),
        voucher_numbers: current.map(|a| a.voucher_numbers).unwrap_or_default(),
    };
    s.store
        .commit(Commit {
            customer: Some(next),
            ..Commit::default()
        })
        .await?;
    Ok((status, Json(customer)).into_response())
}

/// A customer as its administrator and the program admin read it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    /// The registered customer.
    #[serde(flatten)]
    pub customer: Customer,
    /// Its planning-day pools today, one per program.
    pub pools: Vec<Pool>,
    /// Its vouchers, with their state today and what the reader may do next.
    pub vouchers: Vec<VoucherView>,
}

/// `GET /v1/customers/{customerId}` (its administrator, program admin): the customer, its
/// pools derived from its vouchers, and the vouchers.
#[utoipa::path(
    operation_id = "readCustomer",
    get,
    path = "/v1/customers/{customerId}",
    tag = "customers",
    params(("customerId" = String, Path, description = "Customer id (1–10 digits)")),
    responses(
        (status = 200, description = "The customer with its pools and vouchers", body = CustomerView),
        super::openapi::ReadErrors
    )
)]
pub async fn read(
    State(s): State<AppState>,
    caller: Caller,
    Path(customer_id): Path<String>,
) -> Result<Json<CustomerView>, ApiError> {
    let id = customer_in_path(&customer_id)?;
    let principal = caller.authorize_customer(Operation::ReadCustomer, &id)?;
    let actor = customer_actor(principal, &id);
    let account = account(&s, &id).await?;
    let vouchers = s.store.vouchers(&account.voucher_numbers).await?;
    let catalog = s.catalog().await?;
    let today = s.clock.today();
    let pools = saps_core::customer::pools(&account.customer, &vouchers, &catalog, today);
    let vouchers = vouchers
        .iter()
        .map(|v| super::vouchers::view(&catalog, v, &actor, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(CustomerView {
        customer: account.customer,
        pools,
        vouchers,
    }))
}

/// `POST /v1/customers/{customerId}/vouchers` (its administrator): draws a voucher from the
/// customer's pool under a number the server derives from the `Idempotency-Key`, `created` or
/// `assigned` to the partner named, and records the customer's notification → 201.
#[utoipa::path(
    post,
    path = "/v1/customers/{customerId}/vouchers",
    tag = "customers",
    request_body(content = PoolVoucherForm, content_type = "application/json"),
    params(
        ("customerId" = String, Path, description = "Customer id (1–10 digits)"),
        ("Idempotency-Key" = String, Header, description = "Required: a retry with the same key and body gets the first answer; the voucher number derives from it")
    ),
    responses(
        (status = 201, description = "Drawn from the pool", body = VoucherView),
        super::openapi::WriteErrors
    )
)]
pub async fn draw(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(customer_id): Path<String>,
    key: IdempotencyKey,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let id = customer_in_path(&customer_id)?;
    caller.authorize_customer(Operation::UseCustomerPool, &id)?;
    let key = key.required()?;
    let route = format!("/v1/customers/{id}/vouchers");
    let keyed = Keyed::new(s.clock.unix_seconds(), &id, "POST", &route, key, &body.raw);
    once(s.store.as_ref(), Some(&keyed), async {
        draw_voucher(&s, locale, &id, body, &keyed).await
    })
    .await
}

/// The voucher number derived from a keyed request: `SA` and 14 hexadecimal digits, so a retry
/// names the same voucher and the store's create condition keeps it to one.
fn derived_number(keyed: &Keyed) -> Result<VoucherNumber, ApiError> {
    let digest = keyed.derived_id("");
    let number = format!(
        "SA{}",
        digest.get(..14).unwrap_or(&digest).to_ascii_uppercase()
    );
    VoucherNumber::parse(&number)
        .map_err(|e| ApiError::Internal(format!("derived voucher number {number}: {e}")))
}

async fn draw_voucher(
    s: &Services,
    locale: Locale,
    id: &CustomerId,
    body: JsonBody,
    keyed: &Keyed,
) -> Result<Response, ApiError> {
    let form: PoolVoucherForm = rules::form(body)?;
    let account = account(s, id).await?;
    let vouchers = s.store.vouchers(&account.voucher_numbers).await?;
    let catalog = s.catalog().await?;
    let today = s.clock.today();
    let number = derived_number(keyed)?;
    let drawn = customer_rules::draw_voucher(
        &rules::env(&catalog, today, locale),
        form,
        PoolContext {
            customer: account.customer.clone(),
            vouchers,
            voucher_number: Some(number.clone()),
        },
    )?;
    super::vouchers::known_partner(s, drawn.voucher.partner_id.as_ref()).await?;
    let actor = Actor::CustomerAdmin {
        customer_id: id.clone(),
    };
    let answer = super::vouchers::view(&catalog, &drawn.voucher, &actor, today)?;
    let commit = Commit {
        new_vouchers: vec![(drawn.voucher, drawn.history)],
        notifications: vec![drawn.notification],
        customer: Some(account.drawing(&number)),
        ..Commit::default()
    };
    commit_and_answer(
        s.store.as_ref(),
        commit,
        Some(keyed),
        StatusCode::CREATED,
        answer,
    )
    .await
}

/// `PUT /v1/vouchers/{voucherNumber}/assignment` (the customer's administrator): `{partnerId}`;
/// a `created` voucher is assigned, an `assigned` one moves to that partner.
#[utoipa::path(
    operation_id = "assignToPartner",
    put,
    path = "/v1/vouchers/{voucherNumber}/assignment",
    tag = "customers",
    request_body(content = AssignmentForm, content_type = "application/json"),
    params(
        ("voucherNumber" = String, Path, description = "Voucher number (normalized: spaces and hyphens dropped, upper case)")
    ),
    responses(
        (status = 200, description = "Assigned", body = VoucherView),
        super::openapi::WriteErrors
    )
)]
pub async fn assign(
    State(s): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    Path(number): Path<String>,
    body: JsonBody,
) -> Result<Json<VoucherView>, ApiError> {
    let not_found = || ApiError::one("voucherNumber", ProblemKind::VoucherNotFound);
    let principal = caller.authenticated()?;
    let customer = principal
        .customer_id
        .clone()
        .filter(|_| principal.has(Role::CustomerAdmin))
        .ok_or_else(|| ApiError::one("roles", ProblemKind::Forbidden))?;
    caller.authorize_customer(Operation::UseCustomerPool, &customer)?;
    let number = VoucherNumber::parse(&number).map_err(|_| not_found())?;
    let voucher: Voucher = s.store.voucher(&number).await?.ok_or_else(not_found)?;
    let form: AssignmentForm = rules::form(body)?;
    let catalog = s.catalog().await?;
    let today = s.clock.today();
    let actor = Actor::CustomerAdmin {
        customer_id: customer,
    };
    let transition = voucher_rules::assign_partner(
        &rules::env(&catalog, today, locale),
        form,
        VoucherContext::new(actor.clone(), Some(voucher)),
    )?;
    super::vouchers::known_partner(&s, transition.voucher.partner_id.as_ref()).await?;
    let answer = super::vouchers::view(&catalog, &transition.voucher, &actor, today)?;
    s.store
        .commit(Commit {
            transitions: vec![transition],
            ..Commit::default()
        })
        .await?;
    Ok(Json(answer))
}
