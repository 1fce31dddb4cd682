//! The customer rules of the entry layer (SPEC §15.5).

use super::{Customer, CustomerForm, DrawRequest, Drawn, Pool, PoolVoucherForm};
use crate::error::{ProblemKind, Rejection};
use crate::rule::{Env, Nothing};
use crate::value::VoucherNumber;
use crate::voucher::Voucher;
use serde::{Deserialize, Serialize};

/// What a customer registration is checked against: the id in the address and the stored
/// customer.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerContext {
    /// The id in the address (`PUT /v1/customers/{customerId}`).
    pub customer_id: String,
    /// The stored customer, absent for a new one.
    #[serde(default)]
    pub current: Option<Customer>,
}

/// A customer and its vouchers: what its pools are counted from.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolContext {
    /// The customer.
    pub customer: Customer,
    /// Its vouchers.
    #[serde(default)]
    pub vouchers: Vec<Voucher>,
    /// The number the server chose for a new voucher (`drawVoucher` only).
    #[serde(default)]
    pub voucher_number: Option<VoucherNumber>,
}

/// `registerCustomer` (SPEC §15.5): the customer to store, at its next version.
pub fn register_customer(
    env: &Env<'_>,
    form: CustomerForm,
    context: CustomerContext,
) -> Result<Customer, Rejection> {
    super::register(
        &form,
        &context.customer_id,
        context.current.as_ref(),
        env.catalog,
    )
}

/// The `customerPools` output.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Pools {
    /// One pool per program, in the catalog's order.
    pub pools: Vec<Pool>,
}

/// `customerPools` (SPEC §15.5): the customer's pools on the day.
pub fn customer_pools(env: &Env<'_>, _: Nothing, context: PoolContext) -> Result<Pools, Rejection> {
    Ok(Pools {
        pools: super::pools(&context.customer, &context.vouchers, env.catalog, env.today),
    })
}

/// `poolVoucherForm` (SPEC §15.5): a voucher to draw from the pool, checked as it is typed.
pub fn pool_voucher_form(
    env: &Env<'_>,
    form: PoolVoucherForm,
    context: PoolContext,
) -> Result<DrawRequest, Rejection> {
    form.check(&context.customer, &context.vouchers, env.catalog, env.today)
}

/// `drawVoucher` (SPEC §15.5): the voucher drawn under the server's number.
pub fn draw_voucher(
    env: &Env<'_>,
    form: PoolVoucherForm,
    context: PoolContext,
) -> Result<Drawn, Rejection> {
    let request = form.check(&context.customer, &context.vouchers, env.catalog, env.today)?;
    let number = context
        .voucher_number
        .ok_or_else(|| Rejection::one("context.voucherNumber", ProblemKind::Required))?;
    let program = env.catalog.known(&request.program_id, "programId")?;
    Ok(super::draw(
        request,
        &context.customer,
        number,
        program,
        env.today,
    ))
}
