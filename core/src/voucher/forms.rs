//! The voucher forms (SPEC §7): assignment, validation, reservation and cancellation, each read
//! from optional fields into a typed request with every problem reported.

use super::{Actor, HistoryEntry, Holder, Voucher, VoucherState, VoucherView, World};
use crate::calendar;
use crate::catalog::{Catalog, Program};
use crate::customer::Customer;
use crate::error::{ProblemKind, Problems, Rejection};
use crate::form;
use crate::value::Named as _;
use crate::value::{self, CustomerId, Email, LocationId, PartnerId, VoucherNumber};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A voucher assignment as typed by a program admin.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignForm {
    /// The voucher number.
    #[serde(default)]
    pub voucher_number: Option<String>,
    /// The program.
    #[serde(default)]
    pub program_id: Option<String>,
    /// Days: one of the program's engagement lengths.
    #[serde(default)]
    pub days: Option<u64>,
    /// The customer.
    #[serde(default)]
    pub customer_name: Option<String>,
    /// The customer's voucher administrator.
    #[serde(default)]
    pub admin_email: Option<String>,
    /// The partner it goes to.
    #[serde(default)]
    pub partner_id: Option<String>,
    /// The registered customer whose pool it is drawn from (SPEC §15.5); absent: an import
    /// outside any pool. With it, `customerName` and `adminEmail` default to the customer's.
    #[serde(default)]
    pub customer_id: Option<String>,
}

/// Creates a voucher on `today` (SPEC §7 `assign`, §15.1): a known program still taking vouchers,
/// days one of its engagement lengths, a valid email, and a voucher number not in use
/// (`number_in_use` is the store's answer). A form naming a customer needs
/// [`assign_from_pool`].
pub fn assign(
    form: &AssignForm,
    catalog: &Catalog,
    number_in_use: bool,
    today: NaiveDate,
) -> Result<(Voucher, HistoryEntry), Rejection> {
    assign_from_pool(form, catalog, number_in_use, None, today)
}

/// [`assign`] for an operator (SPEC §15.5): a form naming `customerId` draws from that
/// customer's pool, `pool` being the registered customer with its vouchers (`None`: not
/// registered, `access.notFound`); the days must fit its balance.
pub fn assign_from_pool(
    form: &AssignForm,
    catalog: &Catalog,
    number_in_use: bool,
    pool: Option<(&Customer, &[Voucher])>,
    today: NaiveDate,
) -> Result<(Voucher, HistoryEntry), Rejection> {
    let mut problems = Problems::new();
    let customer_id = match form.customer_id.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => problems
            .take("customerId", CustomerId::parse(raw))
            .map(Some),
    };
    let pool = match (&customer_id, pool) {
        (Some(Some(id)), Some((customer, vouchers))) if &customer.customer_id == id => {
            Some((customer, vouchers))
        }
        (Some(Some(_)), _) => {
            problems.push("customerId", ProblemKind::NotFound);
            None
        }
        _ => None,
    };
    let voucher_number = form::parsed(
        &mut problems,
        "voucherNumber",
        form.voucher_number.as_deref(),
        VoucherNumber::parse,
    );
    problems.check(
        !number_in_use,
        "voucherNumber",
        ProblemKind::VoucherNumberInUse,
    );
    let (program, days) = crate::customer::program_and_days(
        &mut problems,
        catalog,
        form.program_id.as_deref(),
        form.days,
        pool,
        today,
    );
    let customer_name = match (typed(form.customer_name.as_deref()), pool) {
        (None, Some((customer, _))) => Some(customer.name.clone()),
        (raw, _) => form::parsed(&mut problems, "customerName", raw, |raw| {
            value::text(raw, 1, 200, false)
        }),
    };
    let admin_email = match (typed(form.admin_email.as_deref()), pool) {
        (None, Some((customer, _))) => Some(customer.admin_email.clone()),
        (raw, _) => form::parsed(&mut problems, "adminEmail", raw, Email::parse),
    };
    let partner_id = form::parsed(
        &mut problems,
        "partnerId",
        form.partner_id.as_deref(),
        PartnerId::parse,
    );
    problems.finish_with(|| {
        let holder = Holder {
            customer_name: customer_name?,
            admin_email: admin_email?,
            customer_id: customer_id?,
            partner_id: Some(partner_id?),
        };
        Some(Voucher::first(
            voucher_number?,
            program?,
            days?,
            holder,
            today,
        ))
    })
}

/// A field's text unless absent or blank.
fn typed(raw: Option<&str>) -> Option<&str> {
    raw.filter(|r| !r.trim().is_empty())
}

/// `program.lengthNotOffered`, naming the lengths `program` offers.
pub(crate) fn length_not_offered(program: &Program) -> ProblemKind {
    let allowed: Vec<String> = program
        .engagement_lengths
        .iter()
        .map(u32::to_string)
        .collect();
    ProblemKind::LengthNotOffered {
        allowed: allowed.join(", "),
    }
}

/// The voucher validation form: number and the customer's administrator email.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationForm {
    /// The voucher number.
    #[serde(default)]
    pub voucher_number: Option<String>,
    /// The customer's voucher administrator email.
    #[serde(default)]
    pub admin_email: Option<String>,
}

/// A checked validation request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationRequest {
    /// Normalised number.
    pub voucher_number: VoucherNumber,
    /// The email given.
    pub admin_email: Email,
}

impl ValidationForm {
    /// Reads the form.
    pub fn parse(&self) -> Result<ValidationRequest, Rejection> {
        let mut problems = Problems::new();
        let voucher_number = form::parsed(
            &mut problems,
            "voucherNumber",
            self.voucher_number.as_deref(),
            VoucherNumber::parse,
        );
        let admin_email = form::parsed(
            &mut problems,
            "adminEmail",
            self.admin_email.as_deref(),
            Email::parse,
        );
        problems.finish_with(|| {
            Some(ValidationRequest {
                voucher_number: voucher_number?,
                admin_email: admin_email?,
            })
        })
    }
}

/// Validates a voucher for `actor` in `world` (SPEC §7, §15.3, read only): it exists, is the
/// actor's, is `assigned`, the administrator email matches, it has not expired, and the
/// partner's enrollment in its program is current.
pub fn validate(
    voucher: Option<&Voucher>,
    request: &ValidationRequest,
    actor: &Actor,
    world: &World<'_>,
) -> Result<VoucherView, Rejection> {
    let (program, today) = (world.program, world.today);
    let Some(voucher) =
        voucher.filter(|v| v.voucher_number == request.voucher_number && actor.can_see(v))
    else {
        return Err(Rejection::one(
            "voucherNumber",
            ProblemKind::VoucherNotFound,
        ));
    };
    let mut problems = Problems::new();
    match voucher.effective_state(program, today) {
        VoucherState::Assigned => {}
        VoucherState::Expired => problems.push(
            "voucherNumber",
            ProblemKind::VoucherExpired {
                expires_on: voucher.expiry(program),
            },
        ),
        state => problems.push(
            "voucherNumber",
            ProblemKind::VoucherInvalidTransition {
                state: state.name(),
                event: "validate",
            },
        ),
    }
    problems.check(
        request.admin_email.same_mailbox(&voucher.admin_email),
        "adminEmail",
        ProblemKind::AdminEmailMismatch,
    );
    problems.check(
        super::enrolled_on(world.enrollment, program, today),
        "voucherNumber",
        ProblemKind::EnrollmentNotActive { on: today },
    );
    problems.finish(voucher.view(actor, program, today))
}

/// The reservation form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReservationForm {
    /// The customer's voucher administrator email.
    #[serde(default)]
    pub admin_email: Option<String>,
    /// The terms must be accepted.
    #[serde(default)]
    pub accept_terms: Option<bool>,
    /// First engagement day.
    #[serde(default)]
    pub engagement_start: Option<String>,
    /// Last engagement day.
    #[serde(default)]
    pub engagement_end: Option<String>,
    /// The partner's location to deliver under: one enrolled in the voucher's program, in a
    /// country the program pays a rate for (SPEC §15.4).
    #[serde(default)]
    pub location_id: Option<String>,
    /// The customer's division the engagement is for (optional, 1–120 characters).
    #[serde(default)]
    pub customer_division: Option<String>,
}

/// A read reservation request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReserveRequest {
    /// The email given.
    pub admin_email: Email,
    /// Whether the terms were accepted.
    pub accept_terms: bool,
    /// First engagement day.
    #[serde(with = "calendar::serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub engagement_start: NaiveDate,
    /// Last engagement day.
    #[serde(with = "calendar::serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub engagement_end: NaiveDate,
    /// The location delivered under.
    pub location_id: LocationId,
    /// The customer's division, if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub customer_division: Option<String>,
}

/// The most characters of a customer division's name.
pub const MAX_DIVISION_CHARS: usize = 120;

/// The reservation form's fields, each parsed on its own (`None` where it failed; a division
/// not given is `Some(None)`).
struct ReservationParts {
    admin_email: Option<Email>,
    accept_terms: Option<bool>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    location_id: Option<LocationId>,
    division: Option<Option<String>>,
}

impl ReservationForm {
    fn parts(&self, problems: &mut Problems) -> ReservationParts {
        ReservationParts {
            admin_email: form::parsed(
                problems,
                "adminEmail",
                self.admin_email.as_deref(),
                Email::parse,
            ),
            accept_terms: form::flag(problems, "acceptTerms", self.accept_terms),
            start: form::date(
                problems,
                "engagementStart",
                self.engagement_start.as_deref(),
            ),
            end: form::date(problems, "engagementEnd", self.engagement_end.as_deref()),
            location_id: form::parsed(
                problems,
                "locationId",
                self.location_id.as_deref(),
                LocationId::parse,
            ),
            // An emptied form field names no division.
            division: match self.customer_division.as_deref() {
                None => Some(None),
                Some(raw) if raw.trim().is_empty() => Some(None),
                Some(raw) => problems
                    .take(
                        "customerDivision",
                        value::text(raw, 1, MAX_DIVISION_CHARS, false),
                    )
                    .map(Some),
            },
        }
    }

    /// Reads the form (formats only; see [`ReserveRequest::check_alone`] for the rules).
    pub fn parse(&self) -> Result<ReserveRequest, Rejection> {
        let mut problems = Problems::new();
        let parts = self.parts(&mut problems);
        problems.finish_with(|| parts.request())
    }

    /// Reads the form and applies every rule that needs no voucher (what a browser can check).
    /// The rules run on every field that parsed, so one answer lists every problem.
    pub fn check(&self, today: NaiveDate) -> Result<ReserveRequest, Rejection> {
        let mut problems = Problems::new();
        let parts = self.parts(&mut problems);
        reservation_rules(
            parts.accept_terms,
            parts.start,
            parts.end,
            today,
            &mut problems,
        );
        problems.finish_with(|| parts.request())
    }
}

impl ReservationForm {
    /// The guards against `voucher` in `world` on whichever fields parse, for a form that has
    /// problems of its own (those are not recorded here).
    pub fn check_against(&self, voucher: &Voucher, world: &World<'_>, problems: &mut Problems) {
        let parts = self.parts(&mut Problems::new());
        super::reservation_against(
            voucher,
            world.program,
            parts.admin_email.as_ref(),
            parts.end,
            problems,
        );
        if let Some(location_id) = &parts.location_id {
            super::delivery_guards(voucher, location_id, world, problems);
        }
        if let Some(division) = &parts.division {
            super::fifteen_day_cap(voucher, division.as_deref(), world, problems);
        }
    }
}

impl ReservationParts {
    fn request(self) -> Option<ReserveRequest> {
        Some(ReserveRequest {
            admin_email: self.admin_email?,
            accept_terms: self.accept_terms?,
            engagement_start: self.start?,
            engagement_end: self.end?,
            location_id: self.location_id?,
            customer_division: self.division?,
        })
    }
}

impl ReserveRequest {
    /// The reservation rules that need no voucher: terms accepted and
    /// `today <= engagementStart <= engagementEnd` (SPEC §7).
    pub fn check_alone(&self, today: NaiveDate, problems: &mut Problems) {
        reservation_rules(
            Some(self.accept_terms),
            Some(self.engagement_start),
            Some(self.engagement_end),
            today,
            problems,
        );
    }
}

/// The voucher-free reservation rules, on whichever fields are known.
fn reservation_rules(
    accept_terms: Option<bool>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    today: NaiveDate,
    problems: &mut Problems,
) {
    if accept_terms == Some(false) {
        problems.push("acceptTerms", ProblemKind::TermsNotAccepted);
    }
    if start.is_some_and(|start| start < today) {
        problems.push(
            "engagementStart",
            ProblemKind::EngagementStartInPast { today },
        );
    }
    if let (Some(start), Some(end)) = (start, end) {
        problems.check(
            end >= start,
            "engagementEnd",
            ProblemKind::EndBeforeStart { start },
        );
    }
}

/// Why a reservation is cancelled (SPEC §7, from the VVR tool).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CancelReason {
    /// The offer changed.
    OfferChanged,
    /// The engagement was cancelled.
    EngagementCancelled,
    /// The customer chose another partner.
    CustomerChoseAnotherPartner,
}

impl CancelReason {
    const ALLOWED: &'static str = "offerChanged, engagementCancelled, customerChoseAnotherPartner";

    /// Reads a wire name.
    pub fn parse(raw: &str) -> Result<CancelReason, ProblemKind> {
        [
            CancelReason::OfferChanged,
            CancelReason::EngagementCancelled,
            CancelReason::CustomerChoseAnotherPartner,
        ]
        .into_iter()
        .find(|r| r.name() == raw.trim())
        .ok_or_else(|| ProblemKind::UnknownValue {
            value: raw.to_owned(),
            allowed: CancelReason::ALLOWED,
        })
    }
}

/// The assignment of a customer's voucher to a partner, as typed (SPEC §15.5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentForm {
    /// The partner to assign it to.
    #[serde(default)]
    pub partner_id: Option<String>,
}

impl AssignmentForm {
    /// The partner named.
    pub fn parse(&self) -> Result<PartnerId, Rejection> {
        let mut problems = Problems::new();
        let partner_id = form::parsed(
            &mut problems,
            "partnerId",
            self.partner_id.as_deref(),
            PartnerId::parse,
        );
        problems.finish_with(|| partner_id)
    }
}

/// The cancellation form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancellationForm {
    /// One of `offerChanged`, `engagementCancelled`, `customerChoseAnotherPartner`.
    #[serde(default)]
    pub reason: Option<String>,
}

impl CancellationForm {
    /// Reads the form.
    pub fn parse(&self) -> Result<CancelReason, Rejection> {
        let mut problems = Problems::new();
        let reason = form::parsed(
            &mut problems,
            "reason",
            self.reason.as_deref(),
            CancelReason::parse,
        );
        problems.finish_with(|| reason)
    }
}
