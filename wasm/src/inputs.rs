//! The TypeScript shapes of the inputs that carry a `context`: a form's own fields at the top
//! level and the state the rule decides on under `context`, as core's entry points read them.
//!
//! These types only describe the `.d.ts`; the values themselves go to core as JSON, which is
//! what checks them.

#![allow(dead_code)] // The fields are read by the TypeScript compiler, not by Rust.

use saps_core::claim::rules::AmountContext;
use saps_core::eligibility::rules::{FactsContext, ProgramFilter};
use saps_core::enrollment::rules::{EnrollContext, EnrollmentContext, EnrollmentForm};
use saps_core::redemption::rules::PreviewForm;
use saps_core::voucher::rules::{VoucherContext, VouchersContext};
use tsify::Tsify;

/// `eligibility`: which program (all when absent) and the partner's facts.
#[derive(Tsify)]
pub struct EligibilityInput {
    #[serde(flatten)]
    form: ProgramFilter,
    #[tsify(optional)]
    context: Option<FactsContext>,
}

/// `enrollmentForm`: the form and the partner's approved locations.
#[derive(Tsify)]
pub struct EnrollmentFormInput {
    #[serde(flatten)]
    form: EnrollmentForm,
    #[tsify(optional)]
    context: Option<EnrollContext>,
}

/// `enrollmentStatus`: the enrollment to describe.
#[derive(Tsify)]
pub struct EnrollmentStatusInput {
    context: EnrollmentContext,
}

/// `redemptionPreview`: the selection and the vouchers it is taken from.
#[derive(Tsify)]
pub struct RedemptionPreviewInput {
    #[serde(flatten)]
    form: PreviewForm,
    context: VouchersContext,
}

/// `voucherState`: the voucher and who looks at it.
#[derive(Tsify)]
pub struct VoucherStateInput {
    context: VoucherContext,
}

/// `claimAmount`: the vouchers to sum.
#[derive(Tsify)]
pub struct ClaimAmountInput {
    context: AmountContext,
}
