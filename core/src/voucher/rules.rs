//! The voucher rules of the entry layer (SPEC §7, §8): the forms, the transitions and the
//! partner's list. A transition whose request is malformed still reports the guards that need
//! none of it (SPEC §11: every problem at once).

use super::{
    Actor, AssignForm, AssignmentForm, CancelReason, CancellationForm, EventKind, HistoryEntry,
    ReservationForm, ReserveRequest, StateFilter, Transition, ValidationForm, ValidationRequest,
    Voucher, VoucherEvent, VoucherView, World,
};
use crate::catalog::Program;
use crate::completion::{CompletionReport, CompletionReportForm, Deliverable};
use crate::customer::Customer;
use crate::eligibility::QualificationFacts;
use crate::enrollment::{Enrollment, Location};
use crate::error::{ProblemKind, Problems, Rejection};
use crate::rule::{Env, Nothing};
use crate::value::{ClaimId, ProgramId};
use serde::{Deserialize, Serialize};

/// Whether the voucher number is already taken, and the pool a voucher naming a customer is
/// drawn from.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignContext {
    /// The store's answer.
    #[serde(default)]
    pub number_in_use: bool,
    /// The customer the form names, if registered.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// That customer's vouchers.
    #[serde(default)]
    pub customer_vouchers: Vec<Voucher>,
}

/// The state a voucher rule decides on.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoucherContext {
    /// Who acts.
    pub actor: Actor,
    /// The voucher, when it exists.
    #[serde(default)]
    pub voucher: Option<Voucher>,
    /// The partner's enrollment in the voucher's program, if any.
    #[serde(default)]
    pub enrollment: Option<Enrollment>,
    /// The partner's qualification facts.
    #[serde(default)]
    pub facts: Option<QualificationFacts>,
    /// The deliverables uploaded for the voucher.
    #[serde(default)]
    pub uploaded: Vec<Deliverable>,
    /// The partner's registered locations.
    #[serde(default)]
    pub locations: Vec<Location>,
    /// The partner's other 15-day vouchers of the program for the voucher's customer (the
    /// 15-day cap's input; only a 15-day voucher's reservation needs them).
    #[serde(default)]
    pub engagements: Vec<Voucher>,
}

impl VoucherContext {
    /// The context of `actor` acting on `voucher`, with nothing else known.
    pub fn new(actor: Actor, voucher: Option<Voucher>) -> VoucherContext {
        VoucherContext {
            actor,
            voucher,
            enrollment: None,
            facts: None,
            uploaded: Vec::new(),
            locations: Vec::new(),
            engagements: Vec::new(),
        }
    }
}

/// The vouchers a list, redemption or claim rule runs over.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VouchersContext {
    /// Who acts.
    pub actor: Actor,
    /// The vouchers.
    #[serde(default)]
    pub vouchers: Vec<Voucher>,
    /// The id of a claim to create.
    #[serde(default)]
    pub claim_id: Option<ClaimId>,
    /// The programs the partner registered a payee for (a claim needs its program's).
    #[serde(default)]
    pub payees: Vec<ProgramId>,
    /// The partner's enrollments (redeeming needs a current one in the voucher's program).
    #[serde(default)]
    pub enrollments: Vec<Enrollment>,
}

/// The voucher list filter.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateForm {
    /// An effective state; all when absent or empty.
    #[serde(default)]
    pub state: Option<String>,
}

/// The `assign` output.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Assigned {
    /// The new voucher.
    pub voucher: Voucher,
    /// Its first history entry.
    pub history: HistoryEntry,
}

/// The `exportCsv` output.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Exported {
    /// The CSV text.
    pub csv: String,
}

/// The `cancellationForm` output: the checked reason.
#[derive(Clone, Copy, Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct CancellationChoice {
    /// Why the reservation is cancelled.
    pub reason: CancelReason,
}

fn program_of<'c>(env: &Env<'c>, voucher: &Voucher) -> Result<&'c Program, Rejection> {
    env.catalog.known(&voucher.program_id, "voucherNumber")
}

/// The context's voucher, when the actor may see it.
fn visible_voucher(context: &VoucherContext) -> Result<&Voucher, Rejection> {
    context
        .voucher
        .as_ref()
        .filter(|v| context.actor.can_see(v))
        .ok_or_else(|| Rejection::one("voucherNumber", ProblemKind::VoucherNotFound))
}

/// `assign` (SPEC §7).
pub fn assign(
    env: &Env<'_>,
    form: AssignForm,
    context: AssignContext,
) -> Result<Assigned, Rejection> {
    let pool = context
        .customer
        .as_ref()
        .map(|customer| (customer, context.customer_vouchers.as_slice()));
    let (voucher, history) =
        super::forms::assign_from_pool(&form, env.catalog, context.number_in_use, pool, env.today)?;
    Ok(Assigned { voucher, history })
}

/// `validationForm`: the form alone, checked.
pub fn validation_form(
    _: &Env<'_>,
    form: ValidationForm,
    _: Nothing,
) -> Result<ValidationRequest, Rejection> {
    form.parse()
}

/// `validate` (SPEC §7, read only; a partner administrator's).
pub fn validate(
    env: &Env<'_>,
    form: ValidationForm,
    context: VoucherContext,
) -> Result<VoucherView, Rejection> {
    if !matches!(context.actor, Actor::PartnerAdmin { .. }) {
        return Err(Rejection::one("roles", ProblemKind::Forbidden));
    }
    let request = form.parse()?;
    let Some(voucher) = context.voucher.as_ref() else {
        return Err(Rejection::one(
            "voucherNumber",
            ProblemKind::VoucherNotFound,
        ));
    };
    let program = program_of(env, voucher)?;
    let world = World {
        enrollment: context.enrollment.as_ref(),
        ..World::new(env.today, program)
    };
    super::validate(Some(voucher), &request, &context.actor, &world)
}

/// `reservationForm`: the form and every rule that needs no voucher.
pub fn reservation_form(
    env: &Env<'_>,
    form: ReservationForm,
    _: Nothing,
) -> Result<ReserveRequest, Rejection> {
    form.check(env.today)
}

/// `cancellationForm`: the reason, checked.
pub fn cancellation_form(
    _: &Env<'_>,
    form: CancellationForm,
    _: Nothing,
) -> Result<CancellationChoice, Rejection> {
    Ok(CancellationChoice {
        reason: form.parse()?,
    })
}

/// `completionReportForm`: the report form alone, checked.
pub fn completion_report_form(
    _: &Env<'_>,
    form: CompletionReportForm,
    _: Nothing,
) -> Result<CompletionReport, Rejection> {
    form.parse()
}

/// `uploadDeliverable`'s request: the file's name as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadForm {
    /// The deliverable's file name.
    #[serde(default)]
    pub file_name: Option<String>,
}

/// An upload `uploadDeliverable` accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedUpload {
    /// The file name, checked.
    pub file_name: String,
    /// Whether it adds a deliverable or replaces the one of its name.
    pub effect: super::UploadEffect,
}

/// `uploadDeliverable` (SPEC §8): the partner admin uploads a file for a reserved voucher,
/// beside the `uploaded` ones, at most 20 per voucher.
pub fn upload_deliverable(
    env: &Env<'_>,
    form: UploadForm,
    context: VoucherContext,
) -> Result<AcceptedUpload, Rejection> {
    let voucher = visible_voucher(&context)?;
    if !matches!(context.actor, Actor::PartnerAdmin { .. }) {
        return Err(Rejection::one("roles", ProblemKind::Forbidden));
    }
    let file_name = match form.file_name.as_deref() {
        None => return Err(Rejection::one("fileName", ProblemKind::Required)),
        Some(raw) => {
            crate::completion::parse_file_name(raw).map_err(|k| Rejection::one("fileName", k))?
        }
    };
    let program = program_of(env, voucher)?;
    let world = World {
        enrollment: context.enrollment.as_ref(),
        uploaded: &context.uploaded,
        ..World::new(env.today, program)
    };
    let effect = super::check_upload(voucher, &world, &file_name)?;
    Ok(AcceptedUpload { file_name, effect })
}

/// `voucherState`: the voucher as read on the day.
pub fn voucher_state(
    env: &Env<'_>,
    _: Nothing,
    context: VoucherContext,
) -> Result<VoucherView, Rejection> {
    let voucher = visible_voucher(&context)?;
    let program = program_of(env, voucher)?;
    Ok(voucher.view(&context.actor, program, env.today))
}

/// Applies the event read from a request, or reports the request's problems together with
/// every guard that needs none of it.
fn apply(
    env: &Env<'_>,
    context: &VoucherContext,
    kind: EventKind,
    event: Result<VoucherEvent, Rejection>,
    partial_guards: impl FnOnce(&Voucher, &World<'_>, &mut Problems),
) -> Result<Transition, Rejection> {
    let voucher = visible_voucher(context)?;
    let world = World {
        today: env.today,
        program: program_of(env, voucher)?,
        enrollment: context.enrollment.as_ref(),
        facts: context.facts.as_ref(),
        uploaded: &context.uploaded,
        locations: &context.locations,
        engagements: &context.engagements,
    };
    match event {
        Ok(event) => super::transition(voucher, &event, &context.actor, &world),
        Err(request) => {
            let mut problems = Problems::new();
            match super::check_kind(voucher, kind, &context.actor, &world, &mut problems) {
                // A refusal that stops at once (not found, role, state) says it all.
                Err(refusal) => return Err(refusal),
                Ok(_) => {
                    problems.absorb(request);
                    partial_guards(voucher, &world, &mut problems);
                }
            }
            problems.finish_with(|| None)
        }
    }
}

/// `reserve` (SPEC §7).
pub fn reserve(
    env: &Env<'_>,
    form: ReservationForm,
    context: VoucherContext,
) -> Result<Transition, Rejection> {
    let event = form.check(env.today).map(VoucherEvent::Reserve);
    apply(
        env,
        &context,
        EventKind::Reserve,
        event,
        |voucher, world, problems| {
            form.check_against(voucher, world, problems);
        },
    )
}

/// `assignPartner` (SPEC §15.5): the customer's administrator assigns its `created` voucher,
/// or moves an `assigned` one, to a partner.
pub fn assign_partner(
    env: &Env<'_>,
    form: AssignmentForm,
    context: VoucherContext,
) -> Result<Transition, Rejection> {
    let event = form.parse().map(VoucherEvent::Assign);
    apply(env, &context, EventKind::Assign, event, |_, _, _| {})
}

/// `cancelReservation` (SPEC §7): back to `assigned`.
pub fn cancel_reservation(
    env: &Env<'_>,
    form: CancellationForm,
    context: VoucherContext,
) -> Result<Transition, Rejection> {
    let event = form.parse().map(VoucherEvent::CancelReservation);
    apply(
        env,
        &context,
        EventKind::CancelReservation,
        event,
        |_, _, _| {},
    )
}

/// `submitCompletionReport` (SPEC §8).
pub fn submit_completion_report(
    env: &Env<'_>,
    form: CompletionReportForm,
    context: VoucherContext,
) -> Result<Transition, Rejection> {
    let event = form.parse().map(VoucherEvent::SubmitCompletionReport);
    apply(
        env,
        &context,
        EventKind::SubmitCompletionReport,
        event,
        |_, _, _| {},
    )
}

/// `expire`: stores the derived expiry (a program admin's sweep).
pub fn expire(env: &Env<'_>, _: Nothing, context: VoucherContext) -> Result<Transition, Rejection> {
    apply(
        env,
        &context,
        EventKind::Expire,
        Ok(VoucherEvent::Expire),
        |_, _, _| {},
    )
}

/// The actor's vouchers that pass the form's filter, ordered by number.
fn listed<'v>(
    env: &Env<'_>,
    form: &StateForm,
    context: &'v VouchersContext,
) -> Result<Vec<&'v Voucher>, Rejection> {
    let filter =
        StateFilter::parse(form.state.as_deref()).map_err(|k| Rejection::one("state", k))?;
    let visible = context.vouchers.iter().filter(|v| context.actor.can_see(v));
    Ok(super::list(visible, filter, env.catalog, env.today))
}

/// `listVouchers`: the actor's vouchers as read on the day.
pub fn list_vouchers(
    env: &Env<'_>,
    form: StateForm,
    context: VouchersContext,
) -> Result<Vec<VoucherView>, Rejection> {
    listed(env, &form, &context)?
        .into_iter()
        .map(|v| Ok(v.view(&context.actor, program_of(env, v)?, env.today)))
        .collect()
}

/// `exportCsv`: the same list as CSV.
pub fn export_csv(
    env: &Env<'_>,
    form: StateForm,
    context: VouchersContext,
) -> Result<Exported, Rejection> {
    let listed = listed(env, &form, &context)?;
    Ok(Exported {
        csv: super::export_csv(&listed, env.catalog, env.today),
    })
}
