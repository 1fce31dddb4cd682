//! One typed function per form check and per read-only rule the browser forms need.

use crate::answer_js;
use crate::inputs::{
    ClaimAmountInput, EligibilityInput, EnrollmentFormInput, EnrollmentStatusInput,
    RedemptionPreviewInput, VoucherStateInput,
};
use saps_core::claim::{ClaimForm, ClaimRequest};
use saps_core::completion::{CompletionReport, CompletionReportForm};
use saps_core::directory::{CheckedSearch, Profile, ProfileForm, SearchForm};
use saps_core::eligibility::rules::Eligibilities;
use saps_core::eligibility::{QualificationFacts, QualificationFactsForm};
use saps_core::enrollment::EnrollmentView;
use saps_core::enrollment::rules::EnrollmentChoice;
use saps_core::error::Failure;
use saps_core::redemption::rules::RedemptionChoice;
use saps_core::redemption::{Preview, RedemptionForm};
use saps_core::value::Money;
use saps_core::voucher::rules::CancellationChoice;
use saps_core::voucher::{
    CancellationForm, ReservationForm, ReserveRequest, ValidationForm, ValidationRequest,
    VoucherView,
};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

/// The tagged answer of every rule, with `output` typed per function.
#[derive(Tsify)]
#[serde(tag = "type", rename_all = "camelCase")]
#[allow(dead_code)] // Describes the TypeScript type; the values come from core's `Answer`.
pub enum RuleAnswer<T> {
    /// The rule accepted the input.
    Success {
        /// What it produced.
        output: T,
    },
    /// The rule refused; nothing was changed.
    Failure {
        /// One failure with every failing field.
        errors: Vec<Failure>,
    },
}

macro_rules! operations {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $js:literal, $rule:literal: $input:ty => $output:ty as $answer_ts:literal;
    )*) => {$(
        // Docs as `#[doc = "…"]`: forwarded `///` comments reach the .d.ts as raw-string tokens.
        $(#[doc = $doc])*
        #[doc = concat!("

Runs core's `", $rule, "` entry point.")]
        #[wasm_bindgen(js_name = $js, unchecked_return_type = $answer_ts)]
        pub fn $name(
            input: Ts<$input>,
            today: &str,
            #[wasm_bindgen(unchecked_param_type = "Locale")] locale: &str,
        ) -> Ts<RuleAnswer<$output>> {
            Ts::new_unchecked(answer_js($rule, &input.js_value(), today, locale))
        }
    )*};
}

operations! {
    #[doc = "Checks the qualification facts a partner enters (step 1). Core rule: `qualifications`."]
    check_qualifications = "checkQualifications", "qualifications": QualificationFactsForm => QualificationFacts as "RuleAnswer<QualificationFacts>";
    #[doc = "Eligibility status per program, with the unmet requirements (step 1). Core rule: `eligibility`."]
    eligibility = "eligibility", "eligibility": EligibilityInput => Eligibilities as "RuleAnswer<Eligibilities>";
    #[doc = "Checks the enrollment form against the partner's approved locations (step 2). Core rule: `enrollmentForm`."]
    check_enrollment_form = "checkEnrollmentForm", "enrollmentForm": EnrollmentFormInput => EnrollmentChoice as "RuleAnswer<EnrollmentChoice>";
    #[doc = "An enrollment's status on `today` and its renewal window (step 2). Core rule: `enrollmentStatus`."]
    enrollment_status = "enrollmentStatus", "enrollmentStatus": EnrollmentStatusInput => EnrollmentView as "RuleAnswer<EnrollmentView>";
    #[doc = "Checks the directory profile form (step 3). Core rule: `profile`."]
    check_profile_form = "checkProfileForm", "profile": ProfileForm => Profile as "RuleAnswer<Profile>";
    #[doc = "Checks the directory search form before the API searches (step 3). Core rule: `searchForm`."]
    check_search_form = "checkSearchForm", "searchForm": SearchForm => CheckedSearch as "RuleAnswer<CheckedSearch>";
    #[doc = "Checks the voucher validation form: number and administrator email (step 4). Core rule: `validationForm`."]
    check_validation_form = "checkValidationForm", "validationForm": ValidationForm => ValidationRequest as "RuleAnswer<ValidationRequest>";
    #[doc = "Checks the reservation form: terms, email and engagement dates (step 4). Core rule: `reservationForm`."]
    check_reservation_form = "checkReservationForm", "reservationForm": ReservationForm => ReserveRequest as "RuleAnswer<ReserveRequest>";
    #[doc = "Checks the cancellation form (step 4). Core rule: `cancellationForm`."]
    check_cancellation_form = "checkCancellationForm", "cancellationForm": CancellationForm => CancellationChoice as "RuleAnswer<CancellationChoice>";
    #[doc = "Checks the completion report and its deliverables (step 5). Core rule: `completionReportForm`."]
    check_completion_report_form = "checkCompletionReportForm", "completionReportForm": CompletionReportForm => CompletionReport as "RuleAnswer<CompletionReport>";
    #[doc = "Checks the redemption form, confirmation included (step 6). Core rule: `redemptionForm`."]
    check_redemption_form = "checkRedemptionForm", "redemptionForm": RedemptionForm => RedemptionChoice as "RuleAnswer<RedemptionChoice>";
    #[doc = "Previews a redemption batch: days, value and why a voucher cannot be redeemed (step 6). Core rule: `redemptionPreview`."]
    redemption_preview = "redemptionPreview", "redemptionPreview": RedemptionPreviewInput => Preview as "RuleAnswer<Preview>";
    #[doc = "Checks the claim form (step 7). Core rule: `claimForm`."]
    check_claim_form = "checkClaimForm", "claimForm": ClaimForm => ClaimRequest as "RuleAnswer<ClaimRequest>";
    #[doc = "A voucher's effective state and the actions the actor may take next. Core rule: `voucherState`."]
    voucher_state = "voucherState", "voucherState": VoucherStateInput => VoucherView as "RuleAnswer<VoucherView>";
    #[doc = "What Microsoft pays for these vouchers: delivered days times the program's rate. Core rule: `claimAmount`."]
    claim_amount = "claimAmount", "claimAmount": ClaimAmountInput => Money as "RuleAnswer<Money>";
}
