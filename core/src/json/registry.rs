//! The one list of rules: each wire name with its typed function. It yields [`RULES`],
//! [`FORM_RULES`] and the dispatchers; adding a rule is one line here plus its function.

use super::{Encoder, split};
use crate::error::{ProblemKind, Rejection};
use crate::rule::Env;
use crate::{
    access, catalog, claim, customer, directory, eligibility, enrollment, payee, redemption,
    voucher,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads a rule's input, calls it and writes its output.
fn call<F, C, O, E>(
    rule: fn(&Env<'_>, F, C) -> Result<O, Rejection>,
    input: &str,
    env: &Env<'_>,
) -> Result<E::Out, Rejection>
where
    F: DeserializeOwned,
    C: DeserializeOwned,
    O: Serialize,
    E: Encoder,
{
    let (form, context) = split(input)?;
    let output = rule(env, form, context)?;
    E::encode(&output).map_err(|detail| Rejection::one("", ProblemKind::Malformed { detail }))
}

macro_rules! rules {
    (
        form { $($form_name:literal => $form_fn:path,)* }
        server { $($server_name:literal => $server_fn:path,)* }
    ) => {
        /// The rules a browser form runs: every form check, and the read-only views a form shows
        /// beside it (the catalog's programs, eligibility, enrollment status, a voucher's state,
        /// a redemption preview, a claim's amount).
        pub const FORM_RULES: &[&str] = &[$($form_name),*];

        /// Every rule: [`FORM_RULES`], then those that change state or answer queries over the
        /// server's own records, which the HTTP API runs.
        pub const RULES: &[&str] = &[$($form_name,)* $($server_name),*];

        /// Runs a rule of [`FORM_RULES`]; any other name is an unknown rule.
        pub(super) fn dispatch_form<E: Encoder>(
            rule: &str,
            input: &str,
            env: &Env<'_>,
        ) -> Result<E::Out, Rejection> {
            match rule {
                $($form_name => call::<_, _, _, E>($form_fn, input, env),)*
                other => Err(Rejection::one(
                    "",
                    ProblemKind::UnknownRule { name: other.to_owned() },
                )),
            }
        }

        /// Runs any rule of [`RULES`].
        pub(super) fn dispatch<E: Encoder>(
            rule: &str,
            input: &str,
            env: &Env<'_>,
        ) -> Result<E::Out, Rejection> {
            match rule {
                $($server_name => call::<_, _, _, E>($server_fn, input, env),)*
                _ => dispatch_form::<E>(rule, input, env),
            }
        }
    };
}

rules! {
    form {
        "programs" => catalog::rules::programs,
        "eligibility" => eligibility::rules::eligibility,
        "qualifications" => eligibility::rules::qualifications,
        "enrollmentForm" => enrollment::rules::enrollment_form,
        "enrollmentStatus" => enrollment::rules::enrollment_status,
        "profile" => directory::rules::profile,
        "searchForm" => directory::rules::search_form,
        "validationForm" => voucher::rules::validation_form,
        "reservationForm" => voucher::rules::reservation_form,
        "cancellationForm" => voucher::rules::cancellation_form,
        "completionReportForm" => voucher::rules::completion_report_form,
        "voucherState" => voucher::rules::voucher_state,
        "redemptionForm" => redemption::rules::redemption_form,
        "redemptionPreview" => redemption::rules::redemption_preview,
        "claimForm" => claim::rules::claim_form,
        "claimAmount" => claim::rules::claim_amount,
    }
    server {
        "locationsForm" => enrollment::rules::locations_form,
        "enroll" => enrollment::rules::enroll,
        "renew" => enrollment::rules::renew,
        "withdraw" => enrollment::rules::withdraw,
        "listing" => directory::rules::listing,
        "directorySearch" => directory::rules::directory_search,
        "assign" => voucher::rules::assign,
        "validate" => voucher::rules::validate,
        "reserve" => voucher::rules::reserve,
        "cancelReservation" => voucher::rules::cancel_reservation,
        "submitCompletionReport" => voucher::rules::submit_completion_report,
        "uploadDeliverable" => voucher::rules::upload_deliverable,
        "expire" => voucher::rules::expire,
        "listVouchers" => voucher::rules::list_vouchers,
        "exportCsv" => voucher::rules::export_csv,
        "redeem" => redemption::rules::redeem,
        "createClaim" => claim::rules::create_claim,
        "approveClaim" => claim::rules::approve_claim,
        "rejectClaim" => claim::rules::reject_claim,
        "payClaim" => claim::rules::pay_claim,
        "registerPayee" => payee::register_payee,
        // The customer's administrator's forms run these from pkg/all, with the customer's
        // other rules: the partners' form module does not carry the customer's shapes.
        "customerPools" => customer::rules::customer_pools,
        "poolVoucherForm" => customer::rules::pool_voucher_form,
        "registerCustomer" => customer::rules::register_customer,
        "drawVoucher" => customer::rules::draw_voucher,
        "assignPartner" => voucher::rules::assign_partner,
        "authorize" => access::rules::authorize,
        "setGrants" => access::grants::set_grants,
        // The program admin's catalog form runs it from pkg/all: reading a whole program
        // would add 40 KB to the partners' form module.
        "updateProgram" => catalog::rules::update_program,
    }
}
