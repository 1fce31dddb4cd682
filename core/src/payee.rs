//! Payee registration (SPEC §15.6): a partner's global admin registers the company for
//! payments once per voucher program, after its first redeemed voucher of that program; a claim
//! for a program without a registration is refused.

use crate::calendar::serde_date;
use crate::catalog::Catalog;
use crate::error::{ProblemKind, Problems, Rejection};
use crate::form;
use crate::rule::Env;
use crate::value::{self, Currency, ProgramId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The company registered to be paid for one program's claims.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payee {
    /// The program it is paid for.
    pub program_id: ProgramId,
    /// The legal name payments go to (1–200 characters).
    pub payee_name: String,
    /// The payee's country (ISO 3166-1 alpha-2).
    pub country: String,
    /// The payee's bank currency: informational, claims are paid in the rate's currency.
    pub currency: Currency,
    /// A tax id, if given (1–50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub tax_id: Option<String>,
    /// Day of the (last) registration.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub registered_on: NaiveDate,
}

/// The payee form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayeeForm {
    /// The legal name payments go to.
    #[serde(default)]
    pub payee_name: Option<String>,
    /// The payee's country.
    #[serde(default)]
    pub country: Option<String>,
    /// The payee's bank currency (ISO 4217).
    #[serde(default)]
    pub currency: Option<String>,
    /// A tax id (optional).
    #[serde(default)]
    pub tax_id: Option<String>,
}

/// What a registration is decided on besides its form.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayeeContext {
    /// The program in the address.
    pub program_id: String,
    /// Whether the partner has redeemed a voucher of the program (the store's answer).
    #[serde(default)]
    pub redeemed: bool,
}

/// Registers the payee for `program_id` on `today` (SPEC §15.6): a program of the catalog
/// whose voucher the partner has `redeemed`, a name, a country and a currency, every problem
/// reported. A registration replaces an earlier one.
pub fn register(
    form: &PayeeForm,
    program_id: &str,
    redeemed: bool,
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<Payee, Rejection> {
    let program = catalog
        .program_named(program_id)
        .map_err(|kind| Rejection::one("programId", kind))?;
    let mut problems = Problems::new();
    problems.check(
        redeemed,
        "programId",
        ProblemKind::NothingRedeemed {
            program_id: program.id.to_string(),
        },
    );
    let payee_name = form::parsed(
        &mut problems,
        "payeeName",
        form.payee_name.as_deref(),
        |raw| value::text(raw, 1, 200, false),
    );
    let country = form::parsed(
        &mut problems,
        "country",
        form.country.as_deref(),
        crate::directory::country,
    );
    let currency = form::parsed(&mut problems, "currency", form.currency.as_deref(), |raw| {
        Currency::parse(raw.trim())
    });
    let tax_id = match form.tax_id.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => problems
            .take("taxId", value::text(raw, 1, 50, false))
            .map(Some),
    };
    problems.finish_with(|| {
        Some(Payee {
            program_id: program.id.clone(),
            payee_name: payee_name?,
            country: country?,
            currency: currency?,
            tax_id: tax_id?,
            registered_on: today,
        })
    })
}

/// `registerPayee` (SPEC §15.6).
pub fn register_payee(
    env: &Env<'_>,
    form: PayeeForm,
    context: PayeeContext,
) -> Result<Payee, Rejection> {
    register(
        &form,
        &context.program_id,
        context.redeemed,
        env.catalog,
        env.today,
    )
}
