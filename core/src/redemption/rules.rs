//! The redemption rules of the entry layer (SPEC §9).

use super::{Preview, RedemptionForm, guard, guard_entries, preview, redeem as redeem_all};
use crate::error::{Problems, Rejection};
use crate::rule::{Env, Nothing};
use crate::value::VoucherNumber;
use crate::voucher::rules::VouchersContext;
use crate::voucher::{Transition, VoucherEvent};
use serde::{Deserialize, Serialize};

/// The vouchers selected for a redemption preview.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewForm {
    /// 1–25 distinct voucher numbers.
    #[serde(default)]
    pub voucher_numbers: Option<Vec<String>>,
}

/// The `redemptionForm` output: the confirmed selection, normalized.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RedemptionChoice {
    /// The distinct voucher numbers to redeem.
    pub voucher_numbers: Vec<VoucherNumber>,
}

/// The `redeem` output: every voucher's transition, all or none.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Redeemed {
    /// The redeemed vouchers.
    pub vouchers: Vec<Transition>,
}

/// `redemptionForm`: the confirmed selection, checked.
pub fn redemption_form(
    _: &Env<'_>,
    form: RedemptionForm,
    _: Nothing,
) -> Result<RedemptionChoice, Rejection> {
    Ok(RedemptionChoice {
        voucher_numbers: form.parse_confirmed()?,
    })
}

/// `redemptionPreview`: each selected voucher with its value and what stops it.
pub fn redemption_preview(
    env: &Env<'_>,
    form: PreviewForm,
    context: VouchersContext,
) -> Result<Preview, Rejection> {
    let selection = RedemptionForm {
        voucher_numbers: form.voucher_numbers,
        confirm: None,
    }
    .parse_selection()?;
    Ok(preview(
        &selection,
        &context.vouchers,
        &context.enrollments,
        &context.actor,
        env.catalog,
        env.today,
        env.locale,
    ))
}

/// `redeem`: every selected voucher or none. A form with problems also reports each listed
/// voucher's own guards.
pub fn redeem(
    env: &Env<'_>,
    form: RedemptionForm,
    context: VouchersContext,
) -> Result<Redeemed, Rejection> {
    let selection = match form.parse_confirmed() {
        Ok(selection) => selection,
        Err(request) => {
            let mut problems = Problems::new();
            problems.absorb(request);
            let raw = form.voucher_numbers.as_deref();
            guard_entries(raw, "voucherNumbers", &mut problems, |number| {
                let (vouchers, actor) = (&context.vouchers, &context.actor);
                guard(
                    number,
                    &VoucherEvent::Redeem,
                    vouchers,
                    &context.enrollments,
                    actor,
                    env.catalog,
                    env.today,
                )
            });
            return problems.finish_with(|| None);
        }
    };
    let vouchers = redeem_all(
        &selection,
        &context.vouchers,
        &context.enrollments,
        &context.actor,
        env.catalog,
        env.today,
    )?;
    Ok(Redeemed { vouchers })
}
