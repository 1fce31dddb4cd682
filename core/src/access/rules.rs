//! The access rule of the entry layer (SPEC §1).

use super::{Operation, Principal, authorize as decide, authorize_customer};
use crate::error::{ProblemKind, Problems, Rejection};
use crate::rule::Env;
use crate::value::{CustomerId, PartnerId};
use serde::{Deserialize, Serialize};

/// The operation to authorize, and the partner that owns its target.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeForm {
    /// What is asked.
    #[serde(default)]
    pub operation: Option<Operation>,
    /// The partner that owns the target, if any.
    #[serde(default)]
    pub owner_partner_id: Option<String>,
    /// The customer that owns the target, for a customer's operations (SPEC §15.5).
    #[serde(default)]
    pub owner_customer_id: Option<String>,
}

/// Who asks: nobody when absent.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeContext {
    /// The caller.
    #[serde(default)]
    pub principal: Option<Principal>,
}

/// The `authorize` output.
#[derive(Clone, Copy, Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Allowed {
    /// Always `true`: a refusal is a rejection.
    pub allowed: bool,
}

/// `authorize` (SPEC §1).
pub fn authorize(
    _: &Env<'_>,
    form: AuthorizeForm,
    context: AuthorizeContext,
) -> Result<Allowed, Rejection> {
    let mut problems = Problems::new();
    if form.operation.is_none() {
        problems.push("operation", ProblemKind::Required);
    }
    let owner = match form.owner_partner_id.as_deref() {
        None => None,
        Some(raw) => problems.take("ownerPartnerId", PartnerId::parse(raw)),
    };
    let customer = match form.owner_customer_id.as_deref() {
        None => None,
        Some(raw) => problems.take("ownerCustomerId", CustomerId::parse(raw)),
    };
    let operation = problems.finish_with(|| form.operation)?;
    match &customer {
        Some(customer) => authorize_customer(context.principal.as_ref(), operation, customer)?,
        None => decide(context.principal.as_ref(), operation, owner.as_ref())?,
    }
    Ok(Allowed { allowed: true })
}
