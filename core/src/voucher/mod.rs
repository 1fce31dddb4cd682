//! Vouchers (SPEC §7): one state enum, one event enum and one pure [`transition`] function.
//!
//! Expiry is derived: [`Voucher::effective_state`] reports `expired` from `expiresOn` on, before
//! any sweep has stored it. Every guard of an event runs, and every failing one is reported.

mod export;
mod forms;
pub mod rules;

pub use export::{EXPORT_COLUMNS, ExportRow, StateFilter, export_csv, list};
pub(crate) use forms::length_not_offered;
pub use forms::{
    AssignForm, AssignmentForm, CancelReason, CancellationForm, ReservationForm, ReserveRequest,
    ValidationForm, ValidationRequest, assign, assign_from_pool, validate,
};

use crate::calendar::{self, serde_date};
use crate::catalog::{Catalog, Program};
use crate::completion::{self, CompletionReport, Deliverable, ReservedVoucher};
use crate::eligibility::QualificationFacts;
use crate::enrollment::{Enrollment, Location};
use crate::error::{ProblemKind, Problems, Rejection};
use crate::value::Named as _;
use crate::value::{
    ClaimId, CustomerId, Email, LocationId, Money, PartnerId, ProgramId, VoucherNumber,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The states of a voucher (SPEC §7).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VoucherState {
    /// Created from a customer's pool, not yet assigned to a partner (SPEC §15.5).
    Created,
    /// Assigned to a partner, available to reserve.
    Assigned,
    /// Reserved for a scheduled engagement.
    Reserved,
    /// The completion report is in.
    Completed,
    /// Redeemed, awaiting a claim.
    Redeemed,
    /// In an open claim.
    Claimed,
    /// The claim was paid (terminal).
    Paid,
    /// Expired unused (terminal).
    Expired,
}

impl VoucherState {
    /// Whether a voucher in this state holds an engagement: reserved, completed, redeemed,
    /// claimed or paid (SPEC §15.4's count).
    pub fn is_engaged(self) -> bool {
        !matches!(
            self,
            VoucherState::Created | VoucherState::Assigned | VoucherState::Expired
        )
    }

    /// Every state.
    pub const ALL: [VoucherState; 8] = [
        VoucherState::Created,
        VoucherState::Assigned,
        VoucherState::Reserved,
        VoucherState::Completed,
        VoucherState::Redeemed,
        VoucherState::Claimed,
        VoucherState::Paid,
        VoucherState::Expired,
    ];

    /// States that turn `expired` when time reaches `expiresOn`.
    pub fn can_expire(self) -> bool {
        matches!(
            self,
            VoucherState::Created
                | VoucherState::Assigned
                | VoucherState::Reserved
                | VoucherState::Completed
        )
    }

    /// The stored states whose vouchers read as this effective state on a day, each with the
    /// bound their expiry must meet (SPEC §7: expiry is derived, so `expired` also gathers the
    /// states that can expire, once their day has come). A store lists by these keys.
    pub fn stored_as(self) -> Vec<(VoucherState, ExpiryBound)> {
        if self == VoucherState::Expired {
            let lapsed = VoucherState::ALL
                .into_iter()
                .filter(|s| s.can_expire())
                .map(|s| (s, ExpiryBound::Expired));
            std::iter::once((self, ExpiryBound::Any))
                .chain(lapsed)
                .collect()
        } else if self.can_expire() {
            vec![(self, ExpiryBound::Unexpired)]
        } else {
            vec![(self, ExpiryBound::Any)]
        }
    }
}

/// What a stored voucher's `expiresOn` must be, against the day asked, for its stored state to
/// read as a given effective state ([`VoucherState::stored_as`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryBound {
    /// After the day: still usable.
    Unexpired,
    /// On or before the day: expired.
    Expired,
    /// The stored state alone decides.
    Any,
}

impl ExpiryBound {
    /// The stored expiries `[from, until)` a store reads for this bound on `today` when the
    /// catalog's extensions add at most `slack` days to a voucher's stored expiry (`None`:
    /// open). Without extensions the range is exact; with them it holds every voucher that
    /// can meet the bound, and core's [`Voucher::effective_state`] decides on each one read.
    pub fn stored_range(
        self,
        today: NaiveDate,
        slack: u32,
    ) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let tomorrow = calendar::add_days(today, 1);
        match self {
            ExpiryBound::Unexpired => (Some(calendar::sub_days(tomorrow, slack)), None),
            ExpiryBound::Expired => (None, Some(tomorrow)),
            ExpiryBound::Any => (None, None),
        }
    }

    /// Whether a stored `expires_on` lies in [`ExpiryBound::stored_range`].
    pub fn reads(self, expires_on: NaiveDate, today: NaiveDate, slack: u32) -> bool {
        let (from, until) = self.stored_range(today, slack);
        from.is_none_or(|from| expires_on >= from) && until.is_none_or(|until| expires_on < until)
    }
}

/// The engagement a voucher is reserved for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reservation {
    /// Day of the reservation.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub reserved_on: NaiveDate,
    /// First engagement day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub engagement_start: NaiveDate,
    /// Last engagement day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub engagement_end: NaiveDate,
    /// The partner's location the engagement is reserved, delivered and invoiced under
    /// (SPEC §15.4). Absent on reservations made before locations were named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub location_id: Option<LocationId>,
    /// The delivery country: the location's, whose daily rate pays the engagement. Absent on
    /// reservations made before locations had countries; such a voucher cannot be claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub country: Option<String>,
    /// The customer's division the engagement is for, if named (SPEC §15.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub customer_division: Option<String>,
}

/// A Software Assurance planning voucher (SPEC §7). Its history lives beside it in the store,
/// one [`HistoryEntry`] per transition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Voucher {
    /// Normalised voucher number.
    pub voucher_number: VoucherNumber,
    /// The program it pays for.
    pub program_id: ProgramId,
    /// Engagement days it is worth.
    pub days: u32,
    /// The customer holding it.
    pub customer_name: String,
    /// The customer's voucher administrator.
    pub admin_email: Email,
    /// The partner it is assigned to; none while a customer's voucher waits to be assigned
    /// (`created`, SPEC §15.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub partner_id: Option<PartnerId>,
    /// The registered customer whose pool it was drawn from, if any (SPEC §15.5); an
    /// operator's import outside any pool has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub customer_id: Option<CustomerId>,
    /// Creation day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub created_on: NaiveDate,
    /// First day it is no longer valid, as stored: `createdOn + voucherValidityDays` of the
    /// day it was created. The program's expiry extensions move it on read
    /// ([`Voucher::expiry`]); a [`VoucherView`] shows the moved day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub expires_on: NaiveDate,
    /// Stored state (see [`Voucher::effective_state`] for the state on a day).
    pub state: VoucherState,
    /// The reservation, while reserved or later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation: Option<Reservation>,
    /// The completion report, once submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_report: Option<CompletionReport>,
    /// Day of redemption.
    #[serde(
        default,
        with = "serde_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "string | null", optional))]
    pub redeemed_on: Option<NaiveDate>,
    /// The open or paid claim it is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<ClaimId>,
    /// Optimistic-concurrency version, +1 per transition.
    #[serde(default)]
    pub version: u64,
}

/// Who a new voucher is for: its customer as the vouchers show it, the registered customer
/// whose pool it is drawn from (if any), and the partner it goes to (if any yet).
#[derive(Clone, Debug)]
pub struct Holder {
    /// The customer's name.
    pub customer_name: String,
    /// The customer's voucher administrator.
    pub admin_email: Email,
    /// The registered customer, for a voucher drawn from a pool.
    pub customer_id: Option<CustomerId>,
    /// The partner: `assigned` to it, else `created` for later assignment.
    pub partner_id: Option<PartnerId>,
}

/// The engagement length the 15-day cap applies to (SPEC §15.4).
pub const CAPPED_DAYS: u32 = 15;

impl Voucher {
    /// A new voucher numbered `number` of `days` in `program`, created on `today` for `holder`
    /// (SPEC §7, §15.5), with its first history line: `assigned` to the holder's partner, or
    /// `created` without one; it expires `voucherValidityDays` later.
    pub fn first(
        number: VoucherNumber,
        program: &Program,
        days: u32,
        holder: Holder,
        today: NaiveDate,
    ) -> (Voucher, HistoryEntry) {
        let (state, event) = match &holder.partner_id {
            Some(_) => (VoucherState::Assigned, EventKind::Assign),
            None => (VoucherState::Created, EventKind::Create),
        };
        let history = HistoryEntry {
            version: 1,
            on: today,
            event,
            from: None,
            to: state,
            detail: holder.partner_id.as_ref().map(ToString::to_string),
        };
        let voucher = Voucher {
            voucher_number: number,
            program_id: program.id.clone(),
            days,
            customer_name: holder.customer_name,
            admin_email: holder.admin_email,
            partner_id: holder.partner_id,
            customer_id: holder.customer_id,
            created_on: today,
            expires_on: calendar::add_days(today, program.voucher_validity_days),
            state,
            reservation: None,
            completion_report: None,
            redeemed_on: None,
            claim_id: None,
            version: 1,
        };
        (voucher, history)
    }

    /// Whether the 15-day cap concerns it: a reservation of it needs the partner's other
    /// 15-day vouchers of the program for the same customer ([`World::engagements`]).
    pub fn capped(&self) -> bool {
        self.days == CAPPED_DAYS
    }

    /// The country the engagement was reserved to be delivered in, if recorded.
    pub fn delivery_country(&self) -> Option<&str> {
        self.reservation.as_ref()?.country.as_deref()
    }

    /// The daily rate `program` pays for its delivery country (SPEC §15.6):
    /// `voucher.countryNotServed` when it has no delivery country or the program pays no rate
    /// there.
    pub fn paid_rate<'p>(&self, program: &'p Program) -> Result<&'p Money, ProblemKind> {
        let country = self.delivery_country();
        country
            .and_then(|country| program.rate_in(country))
            .ok_or_else(|| ProblemKind::CountryNotServed {
                country: country.map(str::to_owned),
            })
    }

    /// What the delivered days are worth under `program`: `daysDelivered × dailyRates[country]`
    /// of its delivery country. Fails as [`Voucher::paid_rate`] does, or with
    /// `claim.amountOverflow` when the value does not fit.
    pub fn delivered_value(&self, program: &Program) -> Result<Money, ProblemKind> {
        let days = self
            .completion_report
            .as_ref()
            .map_or(0, |report| report.days_delivered);
        self.paid_rate(program)?
            .times(days)
            .ok_or(ProblemKind::AmountOverflow)
    }

    /// The customer the 15-day cap counts per (SPEC §15.5): its registered customer id, else
    /// the administrator's mailbox (the two cannot collide: a mailbox holds an `@`).
    pub fn customer_key(&self) -> String {
        match &self.customer_id {
            Some(customer) => customer.to_string(),
            None => self.admin_email.mailbox(),
        }
    }

    /// Whether it is assigned to `partner`.
    pub fn held_by(&self, partner: &PartnerId) -> bool {
        self.partner_id.as_ref() == Some(partner)
    }

    /// The first day it is no longer valid: the stored `expiresOn` moved by every extension of
    /// its `program` that applies to its creation day (SPEC §15.1). Never before `expiresOn`.
    pub fn expiry(&self, program: &Program) -> NaiveDate {
        calendar::add_days(self.expires_on, program.extension_days(self.created_on))
    }

    /// The state on `today`: `expired` from its [`Voucher::expiry`] for states that can expire
    /// (SPEC §7).
    pub fn effective_state(&self, program: &Program, today: NaiveDate) -> VoucherState {
        self.state_before(self.expiry(program), today)
    }

    /// [`Voucher::effective_state`] under its program in `catalog`; a voucher whose program the
    /// catalog no longer has keeps its stored expiry.
    pub fn effective_state_in(&self, catalog: &Catalog, today: NaiveDate) -> VoucherState {
        self.state_before(self.expiry_in(catalog), today)
    }

    /// The state on `today` of a voucher valid until `expiry` (SPEC §7's derived expiry).
    fn state_before(&self, expiry: NaiveDate, today: NaiveDate) -> VoucherState {
        if self.state.can_expire() && today >= expiry {
            VoucherState::Expired
        } else {
            self.state
        }
    }

    /// [`Voucher::expiry`] under its program in `catalog`, else the stored expiry.
    pub fn expiry_in(&self, catalog: &Catalog) -> NaiveDate {
        catalog
            .program(&self.program_id)
            .map_or(self.expires_on, |program| self.expiry(program))
    }

    /// The voucher as read on `today`, with its effective expiry and state and what `actor`
    /// may do next.
    pub fn view(&self, actor: &Actor, program: &Program, today: NaiveDate) -> VoucherView {
        let mut voucher = self.clone();
        voucher.expires_on = self.expiry(program);
        VoucherView {
            effective_state: self.effective_state(program, today),
            allowed_actions: allowed_actions(self, actor, program, today),
            extended_by_days: program.extension_days(self.created_on),
            voucher,
        }
    }
}

/// A voucher as read on a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherView {
    /// The stored voucher, its `expiresOn` moved by the program's extensions.
    #[serde(flatten)]
    pub voucher: Voucher,
    /// Its state on the day asked.
    pub effective_state: VoucherState,
    /// Days the program's extensions added to its stored expiry (SPEC §15.1).
    #[serde(default, skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub extended_by_days: u32,
    /// What the reader may do next.
    pub allowed_actions: Vec<EventKind>,
}

fn is_zero(days: &u32) -> bool {
    *days == 0
}

/// Who acts on a voucher. A partner acts only on its own vouchers: any other answers
/// `voucher.notFound`, so existence does not leak (SPEC §1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "role",
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    try_from = "ActorFields"
)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
// utoipa does not read `rename_all_fields`: the variants repeat it for the OpenAPI schema.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Actor {
    /// A partner admin of `partnerId`.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    PartnerAdmin {
        /// The partner.
        partner_id: PartnerId,
    },
    /// A partner user of `partnerId` (read only).
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    PartnerUser {
        /// The partner.
        partner_id: PartnerId,
    },
    /// The program operator.
    ProgramAdmin,
    /// A customer's voucher administrator of `customerId` (SPEC §15.5).
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    CustomerAdmin {
        /// The customer.
        customer_id: CustomerId,
    },
}

/// How an [`Actor`] is read: its fields side by side, in one pass. serde's own reading of an
/// internally tagged enum buffers the object and reads it a second time (its `Content`
/// machinery, most of 15 KB of the WASM module with [`crate::catalog::Requirement`]); the
/// messages are the same, and a bad `partnerId` is reported at itself.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "internally tagged enum Actor")]
struct ActorFields {
    role: ActorRole,
    #[serde(default)]
    partner_id: Option<PartnerId>,
    #[serde(default)]
    customer_id: Option<CustomerId>,
}

/// The wire names of the [`Actor`] variants.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActorRole {
    PartnerAdmin,
    PartnerUser,
    ProgramAdmin,
    CustomerAdmin,
}

impl TryFrom<ActorFields> for Actor {
    type Error = &'static str;

    fn try_from(fields: ActorFields) -> Result<Actor, &'static str> {
        let partner_id = || fields.partner_id.ok_or("missing field `partnerId`");
        Ok(match fields.role {
            ActorRole::PartnerAdmin => Actor::PartnerAdmin {
                partner_id: partner_id()?,
            },
            ActorRole::PartnerUser => Actor::PartnerUser {
                partner_id: partner_id()?,
            },
            ActorRole::ProgramAdmin => Actor::ProgramAdmin,
            ActorRole::CustomerAdmin => Actor::CustomerAdmin {
                customer_id: fields.customer_id.ok_or("missing field `customerId`")?,
            },
        })
    }
}

impl Actor {
    /// Whether this actor may see `voucher`.
    pub fn can_see(&self, voucher: &Voucher) -> bool {
        match self {
            Actor::PartnerAdmin { partner_id } | Actor::PartnerUser { partner_id } => {
                voucher.held_by(partner_id)
            }
            Actor::ProgramAdmin => true,
            Actor::CustomerAdmin { customer_id } => {
                voucher.customer_id.as_ref() == Some(customer_id)
            }
        }
    }
}

/// The kinds of event, as named on the wire and in history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    /// Created from a customer's pool, for no partner yet (SPEC §15.5).
    Create,
    /// Created for a partner (by a program admin or from a customer's pool), or assigned to
    /// one by the customer's administrator.
    Assign,
    /// Checked by number and administrator email (read only).
    Validate,
    /// Reserved for an engagement.
    Reserve,
    /// Reservation cancelled.
    CancelReservation,
    /// Completion report submitted.
    SubmitCompletionReport,
    /// Redeemed in a batch.
    Redeem,
    /// Put in a claim.
    CreateClaim,
    /// Its claim was paid.
    ClaimPaid,
    /// Its claim was rejected.
    ClaimRejected,
    /// Reached `expiresOn` unused.
    Expire,
}

impl EventKind {
    /// Whether it is a voucher-tool action of the partner's (reserve, cancel, report
    /// completion, redeem), which needs a current enrollment in the voucher's program.
    pub fn is_tool_action(self) -> bool {
        matches!(
            self,
            EventKind::Reserve
                | EventKind::CancelReservation
                | EventKind::SubmitCompletionReport
                | EventKind::Redeem
        )
    }

    /// The state the event applies to, and the state it leads to.
    pub fn edge(self) -> Option<(VoucherState, VoucherState)> {
        use VoucherState::*;
        match self {
            EventKind::Create | EventKind::Assign | EventKind::Validate | EventKind::Expire => None,
            EventKind::Reserve => Some((Assigned, Reserved)),
            EventKind::CancelReservation => Some((Reserved, Assigned)),
            EventKind::SubmitCompletionReport => Some((Reserved, Completed)),
            EventKind::Redeem => Some((Completed, Redeemed)),
            EventKind::CreateClaim => Some((Redeemed, Claimed)),
            EventKind::ClaimPaid => Some((Claimed, Paid)),
            EventKind::ClaimRejected => Some((Claimed, Redeemed)),
        }
    }
}

/// Whether `enrollment` is the partner's current (`active` or `renewalDue`) enrollment in
/// `program` on `today`: what every voucher-tool action needs (SPEC §15.3).
pub fn enrolled_on(enrollment: Option<&Enrollment>, program: &Program, today: NaiveDate) -> bool {
    enrollment
        .filter(|e| e.program_id == program.id)
        .is_some_and(|e| e.status(program, today).is_current())
}

/// Something that happens to an existing voucher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoucherEvent {
    /// Assign to a partner (the customer's administrator, SPEC §15.5): a `created` voucher, or
    /// an `assigned` one to another partner.
    Assign(PartnerId),
    /// Reserve for an engagement (partner admin).
    Reserve(ReserveRequest),
    /// Cancel the reservation (partner admin); it returns to `assigned`.
    CancelReservation(CancelReason),
    /// Submit the completion report (partner admin).
    SubmitCompletionReport(CompletionReport),
    /// Redeem (partner admin, as part of a batch).
    Redeem,
    /// Put in claim `ClaimId` (partner admin).
    CreateClaim(ClaimId),
    /// The claim was paid (program admin).
    ClaimPaid,
    /// The claim was rejected (program admin): back to `redeemed`.
    ClaimRejected,
    /// Store the derived expiry (a sweep).
    Expire,
}

impl VoucherEvent {
    /// Its kind.
    pub fn kind(&self) -> EventKind {
        match self {
            VoucherEvent::Assign(_) => EventKind::Assign,
            VoucherEvent::Reserve(_) => EventKind::Reserve,
            VoucherEvent::CancelReservation(_) => EventKind::CancelReservation,
            VoucherEvent::SubmitCompletionReport(_) => EventKind::SubmitCompletionReport,
            VoucherEvent::Redeem => EventKind::Redeem,
            VoucherEvent::CreateClaim(_) => EventKind::CreateClaim,
            VoucherEvent::ClaimPaid => EventKind::ClaimPaid,
            VoucherEvent::ClaimRejected => EventKind::ClaimRejected,
            VoucherEvent::Expire => EventKind::Expire,
        }
    }
}

/// What the guards may consult besides the voucher: the day, its program, and facts of the
/// acting partner. The store loads these; the rules never fetch anything.
#[derive(Clone, Copy, Debug)]
pub struct World<'a> {
    /// The day of the event.
    pub today: NaiveDate,
    /// The voucher's program.
    pub program: &'a Program,
    /// The partner's enrollment in that program, if any (reserve needs it current).
    pub enrollment: Option<&'a Enrollment>,
    /// The partner's qualification facts (the completion report's lead consultant).
    pub facts: Option<&'a QualificationFacts>,
    /// Deliverables uploaded for this voucher.
    pub uploaded: &'a [Deliverable],
    /// The partner's registered locations (a reservation names one, enrolled in the program).
    pub locations: &'a [Location],
    /// The partner's other 15-day vouchers of the program for the voucher's customer, as far as
    /// the store knows them (see [`Voucher::capped`]): the input of the 15-day cap. Vouchers
    /// that do not count (another customer, not engaged, expired) are ignored, so a superset is
    /// fine.
    pub engagements: &'a [Voucher],
}

impl<'a> World<'a> {
    /// A world with only the day and program known.
    pub fn new(today: NaiveDate, program: &'a Program) -> World<'a> {
        World {
            today,
            program,
            enrollment: None,
            facts: None,
            uploaded: &[],
            locations: &[],
            engagements: &[],
        }
    }
}

/// One line of a voucher's append-only history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// The version the event produced.
    pub version: u64,
    /// Day of the event.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub on: NaiveDate,
    /// What happened.
    pub event: EventKind,
    /// State before (absent on assignment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<VoucherState>,
    /// State after.
    pub to: VoucherState,
    /// Free detail, e.g. the cancellation reason or claim id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// An email to the customer's voucher administrator, recorded in the outbox (SPEC §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerNotification {
    /// The voucher.
    pub voucher_number: VoucherNumber,
    /// The recipient.
    pub to: Email,
    /// Why.
    pub event: EventKind,
    /// Day recorded.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub on: NaiveDate,
    /// The engagement reserved, or the cancellation reason.
    pub detail: String,
}

impl CustomerNotification {
    /// The notification's place in the voucher's outbox: its day. A voucher's notifications of
    /// one day share it, the latest replacing the earlier, so the customer's administrator hears
    /// each day's outcome once, however often the reservation changed that day.
    pub fn slot(&self) -> u64 {
        u64::try_from(chrono::Datelike::num_days_from_ce(&self.on)).unwrap_or(0)
    }
}

/// The outcome of an accepted event: the new voucher, its history line and any notification.
/// The store writes all of them in one conditional write on the old version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transition {
    /// The voucher after the event.
    pub voucher: Voucher,
    /// Its new history line.
    pub history: HistoryEntry,
    /// An email to record in the outbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<CustomerNotification>,
}

/// Applies `event` to `voucher` (SPEC §7): ownership first (another partner's voucher is
/// `voucher.notFound`), then the state, then every guard of the event, all reported.
pub fn transition(
    voucher: &Voucher,
    event: &VoucherEvent,
    actor: &Actor,
    world: &World<'_>,
) -> Result<Transition, Rejection> {
    let to = check(voucher, event, actor, world)?;
    Ok(apply(voucher, event, to, world))
}

/// Runs every check of [`transition`] without building the new voucher: the state it would
/// reach, or every problem. Previews use it to stay cheap.
pub fn check(
    voucher: &Voucher,
    event: &VoucherEvent,
    actor: &Actor,
    world: &World<'_>,
) -> Result<VoucherState, Rejection> {
    let mut problems = Problems::new();
    let to = check_kind(voucher, event.kind(), actor, world, &mut problems)?;
    let today = world.today;
    match event {
        VoucherEvent::Reserve(request) => reserve_guards(voucher, request, world, &mut problems),
        VoucherEvent::SubmitCompletionReport(report) => {
            let reserved_on = voucher
                .reservation
                .as_ref()
                .map_or(voucher.created_on, |r| r.reserved_on);
            let no_facts = QualificationFacts::default();
            completion::check_against_voucher(
                report,
                ReservedVoucher {
                    reserved_on,
                    expires_on: voucher.expiry(world.program),
                    days: voucher.days,
                },
                world.program,
                world.facts.unwrap_or(&no_facts),
                world.uploaded,
                today,
                &mut problems,
            );
        }
        VoucherEvent::CreateClaim(_) => {
            let closes = claim_window_end(voucher, world.program);
            if let Some(closed_on) = closes.filter(|end| today >= *end) {
                problems.push(
                    "voucherNumber",
                    ProblemKind::ClaimWindowClosed { closed_on },
                );
            }
        }
        VoucherEvent::Assign(_) => {
            problems.check(
                world.program.assigns_on(today),
                "partnerId",
                ProblemKind::AssignmentClosed {
                    last_assign_on: world.program.last_assign_on.unwrap_or(today),
                },
            );
        }
        VoucherEvent::CancelReservation(_)
        | VoucherEvent::Redeem
        | VoucherEvent::ClaimPaid
        | VoucherEvent::ClaimRejected
        | VoucherEvent::Expire => {}
    }
    problems.finish(to)
}

/// The guards of an event of `kind` that need none of its request: the voucher is the actor's,
/// the actor's role may act, the state allows it (all three stop at once), then it has not
/// expired and, for a reservation, the partner's enrollment is current (recorded in `problems`).
/// A rule whose request is malformed still reports these beside the request's problems.
pub fn check_kind(
    voucher: &Voucher,
    kind: EventKind,
    actor: &Actor,
    world: &World<'_>,
    problems: &mut Problems,
) -> Result<VoucherState, Rejection> {
    if !actor.can_see(voucher) {
        return Err(Rejection::one(
            "voucherNumber",
            ProblemKind::VoucherNotFound,
        ));
    }
    if let Some(rejection) = role_rejection(kind, actor) {
        return Err(rejection);
    }
    let today = world.today;
    let effective = voucher.effective_state(world.program, today);
    let to = match kind {
        EventKind::Expire if voucher.state.can_expire() && effective == VoucherState::Expired => {
            VoucherState::Expired
        }
        EventKind::Assign
            if matches!(
                voucher.state,
                VoucherState::Created | VoucherState::Assigned
            ) =>
        {
            VoucherState::Assigned
        }
        _ => match kind.edge() {
            Some((from, to)) if voucher.state == from => to,
            _ => return Err(state_rejection(voucher, kind, world.program, today)),
        },
    };
    if effective == VoucherState::Expired && kind != EventKind::Expire {
        problems.push(
            "voucherNumber",
            ProblemKind::VoucherExpired {
                expires_on: voucher.expiry(world.program),
            },
        );
    }
    if kind.is_tool_action() {
        problems.check(
            enrolled_on(world.enrollment, world.program, world.today),
            "voucherNumber",
            ProblemKind::EnrollmentNotActive { on: world.today },
        );
    }
    if kind == EventKind::Redeem
        && let Some(last_redeem_on) = world.program.last_redeem_on
    {
        problems.check(
            world.program.redeems_on(today),
            "voucherNumber",
            ProblemKind::RedemptionClosed { last_redeem_on },
        );
    }
    Ok(to)
}

/// Builds the outcome of an event that passed [`check`].
fn apply(
    voucher: &Voucher,
    event: &VoucherEvent,
    to: VoucherState,
    world: &World<'_>,
) -> Transition {
    let today = world.today;
    let kind = event.kind();
    let mut next = voucher.clone();
    let mut detail = None;
    let mut notification = None;
    match event {
        VoucherEvent::Assign(partner_id) => {
            next.partner_id = Some(partner_id.clone());
            detail = Some(partner_id.to_string());
            notification = Some(notify(voucher, kind, today, partner_id.to_string()));
        }
        VoucherEvent::Reserve(request) => {
            next.reservation = Some(Reservation {
                reserved_on: today,
                engagement_start: request.engagement_start,
                engagement_end: request.engagement_end,
                location_id: Some(request.location_id.clone()),
                country: world
                    .locations
                    .iter()
                    .find(|l| l.location_id == request.location_id)
                    .and_then(|l| l.country.clone()),
                customer_division: request.customer_division.clone(),
            });
            let mut engagement = calendar::iso(request.engagement_start);
            engagement.push_str("..");
            engagement.push_str(&calendar::iso(request.engagement_end));
            detail = Some(engagement.clone());
            notification = Some(notify(voucher, kind, today, engagement));
        }
        VoucherEvent::CancelReservation(reason) => {
            next.reservation = None;
            detail = Some(reason.name().to_owned());
            notification = Some(notify(voucher, kind, today, reason.name().to_owned()));
        }
        VoucherEvent::SubmitCompletionReport(report) => {
            next.completion_report = Some(report.clone());
        }
        VoucherEvent::Redeem => next.redeemed_on = Some(today),
        VoucherEvent::CreateClaim(claim_id) => {
            next.claim_id = Some(claim_id.clone());
            detail = Some(claim_id.to_string());
        }
        VoucherEvent::ClaimPaid | VoucherEvent::Expire => {}
        VoucherEvent::ClaimRejected => {
            detail = voucher.claim_id.as_ref().map(ToString::to_string);
            next.claim_id = None;
        }
    }
    next.state = to;
    next.version = voucher.version.saturating_add(1);
    let history = HistoryEntry {
        version: next.version,
        on: today,
        event: kind,
        from: Some(voucher.state),
        to,
        detail,
    };
    Transition {
        voucher: next,
        history,
        notification,
    }
}

fn role_rejection(kind: EventKind, actor: &Actor) -> Option<Rejection> {
    let by_program_admin = matches!(
        kind,
        EventKind::ClaimPaid | EventKind::ClaimRejected | EventKind::Expire
    );
    let by_customer = kind == EventKind::Assign;
    let allowed = match actor {
        Actor::PartnerAdmin { .. } => !by_program_admin && !by_customer,
        Actor::PartnerUser { .. } => false,
        Actor::ProgramAdmin => by_program_admin,
        Actor::CustomerAdmin { .. } => by_customer,
    };
    (!allowed).then(|| Rejection::one("roles", ProblemKind::Forbidden))
}

fn state_rejection(
    voucher: &Voucher,
    kind: EventKind,
    program: &Program,
    today: NaiveDate,
) -> Rejection {
    let effective = voucher.effective_state(program, today);
    if effective == VoucherState::Expired {
        Rejection::one(
            "voucherNumber",
            ProblemKind::VoucherExpired {
                expires_on: voucher.expiry(program),
            },
        )
    } else {
        Rejection::one(
            "voucherNumber",
            ProblemKind::VoucherInvalidTransition {
                state: effective.name(),
                event: kind.name(),
            },
        )
    }
}

/// The guards of `reserve` beyond the voucher's state (SPEC §7): the administrator email
/// matches, the terms are accepted, the partner's enrollment is current, and
/// `today <= engagementStart <= engagementEnd < expiresOn`.
fn reserve_guards(
    voucher: &Voucher,
    request: &ReserveRequest,
    world: &World<'_>,
    problems: &mut Problems,
) {
    reservation_against(
        voucher,
        world.program,
        Some(&request.admin_email),
        Some(request.engagement_end),
        problems,
    );
    request.check_alone(world.today, problems);
    delivery_guards(voucher, &request.location_id, world, problems);
    fifteen_day_cap(
        voucher,
        request.customer_division.as_deref(),
        world,
        problems,
    );
}

/// The location a reservation names (SPEC §15.4): one of the partner's locations enrolled in
/// the voucher's program, in a country the program pays a rate for.
pub(crate) fn delivery_guards(
    voucher: &Voucher,
    location_id: &LocationId,
    world: &World<'_>,
    problems: &mut Problems,
) {
    // Without an enrollment in the program, `enrollment.notActive` says it all.
    let Some(enrollment) = world
        .enrollment
        .filter(|e| e.program_id == voucher.program_id)
    else {
        return;
    };
    let enrolled = enrollment.location_ids.contains(location_id);
    let location = world
        .locations
        .iter()
        .find(|l| &l.location_id == location_id);
    let Some(location) = location.filter(|_| enrolled) else {
        problems.push(
            "locationId",
            ProblemKind::LocationNotEnrolled {
                id: location_id.to_string(),
            },
        );
        return;
    };
    let served = location
        .country
        .as_deref()
        .is_some_and(|country| world.program.rate_in(country).is_some());
    problems.check(
        served,
        "locationId",
        ProblemKind::CountryNotServed {
            country: location.country.clone(),
        },
    );
}

/// The 15-day cap (SPEC §15.4): one 15-day engagement of a program per partner and customer,
/// unless the new one names a customer division no such engagement names.
pub(crate) fn fifteen_day_cap(
    voucher: &Voucher,
    division: Option<&str>,
    world: &World<'_>,
    problems: &mut Problems,
) {
    if !voucher.capped() {
        return;
    }
    let customer = voucher.customer_key();
    let division = division.map(crate::value::lowercase);
    let held = world.engagements.iter().find(|other| {
        other.voucher_number != voucher.voucher_number
            && other.partner_id == voucher.partner_id
            && other.program_id == voucher.program_id
            && other.capped()
            && other.customer_key() == customer
            && other
                .effective_state(world.program, world.today)
                .is_engaged()
            && match &division {
                None => true,
                Some(division) => other
                    .reservation
                    .as_ref()
                    .and_then(|r| r.customer_division.as_deref())
                    .is_some_and(|theirs| &crate::value::lowercase(theirs) == division),
            }
    });
    if let Some(held) = held {
        problems.push(
            "customerDivision",
            ProblemKind::FifteenDayCapReached {
                voucher_number: held.voucher_number.to_string(),
            },
        );
    }
}

/// The reservation's guards against the voucher, on whichever fields are known: the
/// administrator's email matches, and the engagement ends before the voucher expires (its
/// [`Voucher::expiry`] under `program`).
pub fn reservation_against(
    voucher: &Voucher,
    program: &Program,
    admin_email: Option<&Email>,
    engagement_end: Option<NaiveDate>,
    problems: &mut Problems,
) {
    if let Some(email) = admin_email {
        problems.check(
            email.same_mailbox(&voucher.admin_email),
            "adminEmail",
            ProblemKind::AdminEmailMismatch,
        );
    }
    if let Some(end) = engagement_end {
        let expires_on = voucher.expiry(program);
        problems.check(
            end < expires_on,
            "engagementEnd",
            ProblemKind::EngagementEndAfterExpiry { expires_on },
        );
    }
}

fn notify(
    voucher: &Voucher,
    event: EventKind,
    on: NaiveDate,
    detail: String,
) -> CustomerNotification {
    CustomerNotification {
        voucher_number: voucher.voucher_number.clone(),
        to: voucher.admin_email.clone(),
        event,
        on,
        detail,
    }
}

/// The first day a redeemed voucher can no longer be claimed: `redeemedOn + claimWindowDays`.
pub fn claim_window_end(voucher: &Voucher, program: &Program) -> Option<NaiveDate> {
    voucher
        .redeemed_on
        .map(|on| calendar::add_days(on, program.claim_window_days))
}

/// What an accepted upload does to a voucher's deliverables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UploadEffect {
    /// A file under a new name: one more deliverable.
    Adds,
    /// A file under a name already uploaded: it replaces that one.
    Replaces,
}

/// Whether a deliverable named `file_name` may be uploaded for `voucher` in `world` (SPEC §8,
/// §15.3): under a current enrollment in its program, only while its completion report can
/// still be written (the voucher is reserved), and at most
/// [`completion::MAX_DELIVERABLES`] files per voucher, so an upload beside those uploaded
/// (`world.uploaded`) either replaces one of them or adds one under the cap.
pub fn check_upload(
    voucher: &Voucher,
    world: &World<'_>,
    file_name: &str,
) -> Result<UploadEffect, Rejection> {
    let (program, today, uploaded) = (world.program, world.today, world.uploaded);
    if !enrolled_on(world.enrollment, program, today) {
        return Err(Rejection::one(
            "voucherNumber",
            ProblemKind::EnrollmentNotActive { on: today },
        ));
    }
    let state = voucher.effective_state(program, today);
    if state != VoucherState::Reserved {
        return Err(Rejection::one(
            "voucherNumber",
            ProblemKind::VoucherInvalidTransition {
                state: state.name(),
                event: EventKind::SubmitCompletionReport.name(),
            },
        ));
    }
    if uploaded.iter().any(|d| d.file_name == file_name) {
        return Ok(UploadEffect::Replaces);
    }
    if uploaded.len() >= completion::MAX_DELIVERABLES {
        return Err(Rejection::one(
            "fileName",
            ProblemKind::TooManyDeliverables {
                max: completion::MAX_DELIVERABLES,
            },
        ));
    }
    Ok(UploadEffect::Adds)
}

/// What `actor` may do next with `voucher` on `today` (SPEC §7), for forms to offer.
pub fn allowed_actions(
    voucher: &Voucher,
    actor: &Actor,
    program: &Program,
    today: NaiveDate,
) -> Vec<EventKind> {
    if !actor.can_see(voucher) {
        return Vec::new();
    }
    match (actor, voucher.effective_state(program, today)) {
        (Actor::PartnerAdmin { .. }, VoucherState::Assigned) => {
            vec![EventKind::Validate, EventKind::Reserve]
        }
        (Actor::PartnerAdmin { .. }, VoucherState::Reserved) => {
            vec![
                EventKind::CancelReservation,
                EventKind::SubmitCompletionReport,
            ]
        }
        (Actor::PartnerAdmin { .. }, VoucherState::Completed) => vec![EventKind::Redeem],
        (Actor::PartnerAdmin { .. }, VoucherState::Redeemed)
            if claim_window_end(voucher, program).is_some_and(|end| today < end) =>
        {
            vec![EventKind::CreateClaim]
        }
        (Actor::ProgramAdmin, VoucherState::Claimed) => {
            vec![EventKind::ClaimPaid, EventKind::ClaimRejected]
        }
        (Actor::ProgramAdmin, VoucherState::Expired) if voucher.state.can_expire() => {
            vec![EventKind::Expire]
        }
        (Actor::CustomerAdmin { .. }, VoucherState::Created | VoucherState::Assigned)
            if program.assigns_on(today) =>
        {
            vec![EventKind::Assign]
        }
        _ => Vec::new(),
    }
}
