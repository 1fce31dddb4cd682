//! Errors (SPEC §11): stable dotted codes, JSON field paths, messages in `en` and `zh-CN`.
//!
//! A rule never stops at the first problem: it collects every [`Problem`] into a [`Rejection`],
//! and nothing is changed. [`Rejection::to_failure`] renders the wire shape
//! `{code, message, fields: [{field, code, message}]}` in the requested [`Locale`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The language of human messages (SPEC §11): English by default, or Simplified Chinese.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Locale {
    /// Reads a BCP 47 tag (`en`, `en-GB`, `zh-CN`, `zh-Hans`, ...); unknown tags give `None`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Some(Locale::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Picks the first supported language of an HTTP `Accept-Language` header, honouring `q`
    /// weights; English when none is supported.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(u16, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .map_or(1000, |q| (q.clamp(0.0, 1.0) * 1000.0) as u16);
            if let Some(locale) = Locale::from_tag(tag)
                && weight > 0
                && best.is_none_or(|(w, _)| weight > w)
            {
                best = Some((weight, locale));
            }
        }
        best.map_or(Locale::En, |(_, locale)| locale)
    }

    /// Reads a locale's exact wire name (`en` or `zh-CN`, as serde writes it); anything else,
    /// a longer tag or another case included, gives `None`. [`Locale::from_tag`] is the lenient
    /// reader for HTTP headers.
    pub fn from_wire(name: &str) -> Option<Locale> {
        match name {
            "en" => Some(Locale::En),
            "zh-CN" => Some(Locale::ZhCn),
            _ => None,
        }
    }

    /// The BCP 47 tag of this locale.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }
}

/// How a problem maps onto an HTTP status (SPEC §12); the HTTP layer takes the most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Category {
    /// 400: the input is not JSON of the expected shape.
    Malformed,
    /// 422: a field is invalid.
    Invalid,
    /// 409: the state of the world does not allow it.
    Conflict,
    /// 403: the principal's role does not allow it.
    Forbidden,
    /// 404: unknown, or not the principal's to see.
    NotFound,
    /// 401: no or bad credentials.
    Unauthenticated,
}

impl Category {
    /// The HTTP status of this category.
    pub fn http_status(self) -> u16 {
        match self {
            Category::Malformed => 400,
            Category::Invalid => 422,
            Category::Conflict => 409,
            Category::Forbidden => 403,
            Category::NotFound => 404,
            Category::Unauthenticated => 401,
        }
    }
}

/// What is wrong, without where: every variant has one stable dotted code (SPEC §11).
///
/// The `Display` text is the English message; [`ProblemKind::message`] gives any locale.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemKind {
    /// `request.malformed`: not JSON, a wrong type or an unknown field.
    #[error("is not valid input: {detail}")]
    Malformed {
        /// What the parser said.
        detail: String,
    },
    /// `request.unknownRule`
    #[error("`{name}` is not a rule")]
    UnknownRule {
        /// The rule asked for.
        name: String,
    },
    /// `field.required`
    #[error("is required")]
    Required,
    /// `field.length`: text length in characters.
    #[error("must be {min} to {max} characters long")]
    Length {
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
    },
    /// `field.count`: number of items in a list.
    #[error("must list {min} to {max} items")]
    Count {
        /// Fewest items.
        min: usize,
        /// Most items.
        max: usize,
    },
    /// `field.outOfRange`: a number outside its range.
    #[error("must be between {min} and {max}")]
    OutOfRange {
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
    /// `field.duplicate`
    #[error("`{value}` is listed more than once")]
    Duplicate {
        /// The repeated value.
        value: String,
    },
    /// `field.controlCharacters`
    #[error("must not contain control characters")]
    ControlCharacters,
    /// `field.invalidDate`
    #[error("must be a date like `2026-01-31`")]
    InvalidDate,
    /// `field.invalidEmail`
    #[error("must be an email address like `name@example.com`")]
    InvalidEmail,
    /// `field.invalidVoucherNumber`
    #[error("must be 8 to 16 letters and digits (spaces and hyphens are ignored)")]
    InvalidVoucherNumber,
    /// `field.invalidId`
    #[error("must be 1 to 10 digits")]
    InvalidId,
    /// `field.invalidUrl`
    #[error("must be an `https://` address of at most 200 characters")]
    InvalidUrl,
    /// `field.invalidPhone`
    #[error("must be an international number like `+14255550100`")]
    InvalidPhone,
    /// `field.unknownCountry`
    #[error("`{value}` is not an ISO 3166-1 alpha-2 country code")]
    UnknownCountry {
        /// The rejected value.
        value: String,
    },
    /// `field.unknownLanguage`
    #[error("`{value}` is not a supported language tag")]
    UnknownLanguage {
        /// The rejected value.
        value: String,
    },
    /// `field.invalidFileName`
    #[error("must be 1 to 200 characters with no path separators or control characters")]
    InvalidFileName,
    /// `field.unsupportedMediaType`
    #[error("`{value}` is not accepted: use PDF, DOCX, PPTX, XLSX or ZIP")]
    UnsupportedMediaType {
        /// The rejected media type.
        value: String,
    },
    /// `field.invalidSha256`
    #[error("must be 64 lower-case hexadecimal characters")]
    InvalidSha256,
    /// `field.invalidInvoiceNumber`
    #[error("must be 1 to 40 letters, digits, `-` or `/`")]
    InvalidInvoiceNumber,
    /// `field.invalidCursor`
    #[error("is not a cursor returned by this search")]
    InvalidCursor,
    /// `field.unknownValue`: not one of an enumeration.
    #[error("`{value}` is not one of {allowed}")]
    UnknownValue {
        /// The rejected value.
        value: String,
        /// The accepted values, comma-separated.
        allowed: &'static str,
    },
    /// `field.pathMismatch`: a body's id differs from the one in the address.
    #[error("must equal `{path}`, the id in the address")]
    PathMismatch {
        /// The id in the address.
        path: String,
    },
    /// `request.staleVersion`: the body replaces a version that is no longer the stored one.
    #[error("replaces version {sent}, but version {current} is stored: read it again")]
    StaleVersion {
        /// The version the body named.
        sent: u64,
        /// The stored version.
        current: u64,
    },
    /// `field.endBeforeStart`
    #[error("must not be before {start}")]
    EndBeforeStart {
        /// The start it must not precede.
        start: NaiveDate,
    },
    /// `program.lengthNotOffered`: a voucher length the program does not offer.
    #[error("must be one of the program's engagement lengths: {allowed} days")]
    LengthNotOffered {
        /// The lengths on offer, comma-separated.
        allowed: String,
    },
    /// `program.assignmentClosed`: the program's `lastAssignOn` has passed.
    #[error("the program stopped taking new vouchers after {last_assign_on}")]
    AssignmentClosed {
        /// The last day vouchers could be created or assigned.
        last_assign_on: NaiveDate,
    },
    /// `customer.poolTooSmall`: a voucher of more days than the customer's pool has left for
    /// the program (SPEC §15.5).
    #[error("the customer's planning-day pool for this program has {balance} days left")]
    PoolTooSmall {
        /// The days left in the pool.
        balance: u32,
    },
    /// `program.redemptionClosed`: the program's `lastRedeemOn` has passed.
    #[error("the program stopped redeeming vouchers after {last_redeem_on}")]
    RedemptionClosed {
        /// The last day vouchers could be redeemed.
        last_redeem_on: NaiveDate,
    },
    /// `program.extensionShortened`: an existing expiry extension removed or shortened.
    #[error(
        "extensions can be added or lengthened, never removed or shortened: vouchers created before {created_before} would lose days"
    )]
    ExtensionShortened {
        /// The `createdBefore` of the extension that would shrink.
        created_before: NaiveDate,
    },
    /// `program.unknown`
    #[error("`{id}` is not a program of the catalog")]
    UnknownProgram {
        /// The requested program id.
        id: String,
    },
    /// `eligibility.notActive`
    #[error("eligibility for this program is not active on {on}")]
    EligibilityNotActive {
        /// The date of the check.
        on: NaiveDate,
    },
    /// `enrollment.alreadyEnrolled`
    #[error("already enrolled in this program until {expires_on}: renew instead")]
    AlreadyEnrolled {
        /// When the current enrollment expires.
        expires_on: NaiveDate,
    },
    /// `enrollment.inRenewalGrace`
    #[error("the enrollment can still be renewed until {closes_on}: renew instead")]
    InRenewalGrace {
        /// The first day the renewal is no longer possible.
        closes_on: NaiveDate,
    },
    /// `enrollment.unknownLocation`
    #[error("`{id}` is not an approved location of this partner")]
    UnknownLocation {
        /// The requested location id.
        id: String,
    },
    /// `enrollment.notActive` (422, SPEC §15.3)
    #[error("the partner has no active enrollment in this program on {on}")]
    EnrollmentNotActive {
        /// The date of the check.
        on: NaiveDate,
    },
    /// `enrollment.renewalNotOpen`
    #[error("renewal opens on {opens_on}")]
    RenewalNotOpen {
        /// The first day of the renewal window.
        opens_on: NaiveDate,
    },
    /// `enrollment.renewalClosed`
    #[error("renewal closed on {closed_on}: enroll anew")]
    RenewalClosed {
        /// The first day renewal was no longer possible.
        closed_on: NaiveDate,
    },
    /// `enrollment.withdrawn`
    #[error("the enrollment was withdrawn on {on}: enroll anew")]
    Withdrawn {
        /// The day of withdrawal.
        on: NaiveDate,
    },
    /// `voucher.notFound`: unknown, or assigned to another partner (which must not leak).
    #[error("no such voucher")]
    VoucherNotFound,
    /// `voucher.numberInUse`
    #[error("this voucher number is already in use")]
    VoucherNumberInUse,
    /// `voucher.adminEmailMismatch`
    #[error("does not match the voucher administrator's email")]
    AdminEmailMismatch,
    /// `voucher.expired`
    #[error("the voucher expired on {expires_on}")]
    VoucherExpired {
        /// The first day the voucher is no longer valid.
        expires_on: NaiveDate,
    },
    /// `voucher.invalidTransition`
    #[error("cannot {} a voucher that is {state}", en_event(event))]
    VoucherInvalidTransition {
        /// The voucher's effective state.
        state: &'static str,
        /// The attempted event.
        event: &'static str,
    },
    /// `voucher.termsNotAccepted`
    #[error("the terms must be accepted")]
    TermsNotAccepted,
    /// `voucher.engagementStartInPast`
    #[error("must not be before today ({today})")]
    EngagementStartInPast {
        /// The date of the request.
        today: NaiveDate,
    },
    /// `voucher.engagementEndAfterExpiry`
    #[error("must be before the voucher expires on {expires_on}")]
    EngagementEndAfterExpiry {
        /// The voucher's expiry.
        expires_on: NaiveDate,
    },
    /// `voucher.locationNotEnrolled`: the reservation's location is not one of the partner's
    /// locations enrolled in the voucher's program (SPEC §15.4).
    #[error("location `{id}` is not enrolled in this voucher's program")]
    LocationNotEnrolled {
        /// The location id given.
        id: String,
    },
    /// `voucher.countryNotServed`: the program pays no rate for deliveries in the location's
    /// country, or the location has no country recorded (SPEC §15.1).
    #[error("{}", match country {
        Some(country) => format!("the program pays no daily rate for deliveries in `{country}`"),
        None => "the location has no country recorded: the program administrator records it first".to_owned(),
    })]
    CountryNotServed {
        /// The location's country, if recorded.
        country: Option<String>,
    },
    /// `voucher.fifteenDayCapReached`: the partner holds a 15-day engagement of the program for
    /// this customer (and division) already (SPEC §15.4).
    #[error(
        "voucher {voucher_number} already holds a 15-day engagement of this program for this customer: name a customer division that no such engagement names"
    )]
    FifteenDayCapReached {
        /// The engagement already held.
        voucher_number: String,
    },
    /// `completion.startBeforeReservation`
    #[error("must not be before the reservation on {reserved_on}")]
    DeliveredBeforeReservation {
        /// The reservation date.
        reserved_on: NaiveDate,
    },
    /// `completion.endInFuture`
    #[error("must not be after today ({today})")]
    DeliveredInFuture {
        /// The date of the request.
        today: NaiveDate,
    },
    /// `completion.endAfterExpiry`
    #[error("must be before the voucher expires on {expires_on}")]
    DeliveredAfterExpiry {
        /// The voucher's expiry.
        expires_on: NaiveDate,
    },
    /// `completion.daysExceedVoucher`
    #[error("must not exceed the voucher's {days} days")]
    DaysExceedVoucher {
        /// The voucher's days.
        days: u32,
    },
    /// `completion.unknownConsultant`
    #[error("`{id}` is not a consultant of this partner")]
    UnknownConsultant {
        /// The consultant id.
        id: String,
    },
    /// `completion.consultantNotQualified`
    #[error("the consultant does not hold {missing} on {on}")]
    ConsultantNotQualified {
        /// The exams missing, comma-separated.
        missing: String,
        /// The date of the check.
        on: NaiveDate,
    },
    /// `completion.deliverableNotUploaded`
    #[error("`{file_name}` has not been uploaded")]
    DeliverableNotUploaded {
        /// The file name of the deliverable.
        file_name: String,
    },
    /// `completion.tooManyDeliverables`
    #[error(
        "a voucher holds at most {max} deliverables; upload under an existing file name to replace one"
    )]
    TooManyDeliverables {
        /// The most a voucher holds.
        max: usize,
    },
    /// `redemption.notConfirmed`
    #[error("the redemption must be confirmed")]
    NotConfirmed,
    /// `claim.windowClosed`
    #[error("the claim window closed on {closed_on}")]
    ClaimWindowClosed {
        /// The first day claims were no longer accepted.
        closed_on: NaiveDate,
    },
    /// `claim.payeeNotRegistered`: no payee is registered for the claim's program (SPEC §15.6).
    #[error(
        "no payee is registered for program `{program_id}`: the global admin registers one first"
    )]
    PayeeNotRegistered {
        /// The claim's program.
        program_id: String,
    },
    /// `payee.nothingRedeemed`: a payee is registered after the program's first redeemed
    /// voucher (SPEC §15.6).
    #[error("a payee can be registered once a voucher of program `{program_id}` is redeemed")]
    NothingRedeemed {
        /// The program.
        program_id: String,
    },
    /// `claim.mixedCountries`: a claim covers one delivery country (SPEC §15.6).
    #[error("all vouchers of a claim must be delivered in `{country}`")]
    MixedCountries {
        /// The delivery country of the first voucher.
        country: String,
    },
    /// `claim.mixedPrograms`
    #[error("all vouchers of a claim must belong to program `{program_id}`")]
    MixedPrograms {
        /// The program of the first voucher.
        program_id: String,
    },
    /// `claim.invalidTransition`
    #[error("cannot {} a claim that is {state}", en_event(event))]
    ClaimInvalidTransition {
        /// The claim's state.
        state: &'static str,
        /// The attempted event.
        event: &'static str,
    },
    /// `claim.amountOverflow`
    #[error("the claim amount is too large")]
    AmountOverflow,
    /// `access.unauthenticated`
    #[error("sign in first")]
    Unauthenticated,
    /// `access.forbidden`
    #[error("your role does not allow this")]
    Forbidden,
    /// `access.notFound`: unknown, or another partner's (which must not leak).
    #[error("not found")]
    NotFound,
}

impl ProblemKind {
    /// One example of every kind, for message catalogues, snapshots and coverage checks.
    pub fn examples() -> Vec<ProblemKind> {
        use ProblemKind::*;
        let day = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
        let text = |s: &str| s.to_owned();
        vec![
            Malformed {
                detail: text("expected `,` or `}` at line 1 column 9"),
            },
            UnknownRule {
                name: text("noSuchRule"),
            },
            Required,
            Length { min: 2, max: 120 },
            Count { min: 1, max: 25 },
            OutOfRange { min: 1, max: 20 },
            Duplicate {
                value: text("SAPS0001"),
            },
            ControlCharacters,
            InvalidDate,
            InvalidEmail,
            InvalidVoucherNumber,
            InvalidId,
            InvalidUrl,
            InvalidPhone,
            UnknownCountry { value: text("XX") },
            UnknownLanguage { value: text("xx") },
            InvalidFileName,
            UnsupportedMediaType {
                value: text("image/png"),
            },
            InvalidSha256,
            InvalidInvoiceNumber,
            InvalidCursor,
            UnknownValue {
                value: text("bored"),
                allowed: "offerChanged, engagementCancelled, customerChoseAnotherPartner",
            },
            PathMismatch {
                path: text("desktop"),
            },
            StaleVersion {
                sent: 1,
                current: 2,
            },
            EndBeforeStart { start: day },
            LengthNotOffered {
                allowed: text("1, 3, 5, 10, 15"),
            },
            AssignmentClosed {
                last_assign_on: day,
            },
            RedemptionClosed {
                last_redeem_on: day,
            },
            ExtensionShortened {
                created_before: day,
            },
            UnknownProgram { id: text("nope") },
            EligibilityNotActive { on: day },
            AlreadyEnrolled { expires_on: day },
            InRenewalGrace { closes_on: day },
            UnknownLocation { id: text("99") },
            EnrollmentNotActive { on: day },
            RenewalNotOpen { opens_on: day },
            RenewalClosed { closed_on: day },
            Withdrawn { on: day },
            VoucherNotFound,
            VoucherNumberInUse,
            PoolTooSmall { balance: 2 },
            AdminEmailMismatch,
            VoucherExpired { expires_on: day },
            VoucherInvalidTransition {
                state: "reserved",
                event: "reserve",
            },
            TermsNotAccepted,
            EngagementStartInPast { today: day },
            EngagementEndAfterExpiry { expires_on: day },
            LocationNotEnrolled { id: text("13") },
            CountryNotServed {
                country: Some(text("XX")),
            },
            FifteenDayCapReached {
                voucher_number: text("SAPS0001M365"),
            },
            DeliveredBeforeReservation { reserved_on: day },
            DeliveredInFuture { today: day },
            DeliveredAfterExpiry { expires_on: day },
            DaysExceedVoucher { days: 5 },
            UnknownConsultant { id: text("c-404") },
            ConsultantNotQualified {
                missing: text("MS-102"),
                on: day,
            },
            DeliverableNotUploaded {
                file_name: text("plan.pdf"),
            },
            TooManyDeliverables { max: 20 },
            NotConfirmed,
            ClaimWindowClosed { closed_on: day },
            MixedCountries {
                country: text("CN"),
            },
            PayeeNotRegistered {
                program_id: text("desktop"),
            },
            NothingRedeemed {
                program_id: text("desktop"),
            },
            MixedPrograms {
                program_id: text("private-cloud"),
            },
            ClaimInvalidTransition {
                state: "paid",
                event: "reject",
            },
            AmountOverflow,
            Unauthenticated,
            Forbidden,
            NotFound,
        ]
    }

    /// The stable dotted machine code (SPEC §11).
    pub fn code(&self) -> &'static str {
        use ProblemKind::*;
        match self {
            Malformed { .. } => "request.malformed",
            UnknownRule { .. } => "request.unknownRule",
            Required => "field.required",
            Length { .. } => "field.length",
            Count { .. } => "field.count",
            OutOfRange { .. } => "field.outOfRange",
            Duplicate { .. } => "field.duplicate",
            ControlCharacters => "field.controlCharacters",
            InvalidDate => "field.invalidDate",
            InvalidEmail => "field.invalidEmail",
            InvalidVoucherNumber => "field.invalidVoucherNumber",
            InvalidId => "field.invalidId",
            InvalidUrl => "field.invalidUrl",
            InvalidPhone => "field.invalidPhone",
            UnknownCountry { .. } => "field.unknownCountry",
            UnknownLanguage { .. } => "field.unknownLanguage",
            InvalidFileName => "field.invalidFileName",
            UnsupportedMediaType { .. } => "field.unsupportedMediaType",
            InvalidSha256 => "field.invalidSha256",
            InvalidInvoiceNumber => "field.invalidInvoiceNumber",
            InvalidCursor => "field.invalidCursor",
            UnknownValue { .. } => "field.unknownValue",
            PathMismatch { .. } => "field.pathMismatch",
            StaleVersion { .. } => "request.staleVersion",
            EndBeforeStart { .. } => "field.endBeforeStart",
            LengthNotOffered { .. } => "program.lengthNotOffered",
            AssignmentClosed { .. } => "program.assignmentClosed",
            RedemptionClosed { .. } => "program.redemptionClosed",
            ExtensionShortened { .. } => "program.extensionShortened",
            UnknownProgram { .. } => "program.unknown",
            EligibilityNotActive { .. } => "eligibility.notActive",
            AlreadyEnrolled { .. } => "enrollment.alreadyEnrolled",
            InRenewalGrace { .. } => "enrollment.inRenewalGrace",
            UnknownLocation { .. } => "enrollment.unknownLocation",
            EnrollmentNotActive { .. } => "enrollment.notActive",
            RenewalNotOpen { .. } => "enrollment.renewalNotOpen",
            RenewalClosed { .. } => "enrollment.renewalClosed",
            Withdrawn { .. } => "enrollment.withdrawn",
            VoucherNotFound => "voucher.notFound",
            VoucherNumberInUse => "voucher.numberInUse",
            PoolTooSmall { .. } => "customer.poolTooSmall",
            AdminEmailMismatch => "voucher.adminEmailMismatch",
            VoucherExpired { .. } => "voucher.expired",
            VoucherInvalidTransition { .. } => "voucher.invalidTransition",
            TermsNotAccepted => "voucher.termsNotAccepted",
            EngagementStartInPast { .. } => "voucher.engagementStartInPast",
            EngagementEndAfterExpiry { .. } => "voucher.engagementEndAfterExpiry",
            LocationNotEnrolled { .. } => "voucher.locationNotEnrolled",
            CountryNotServed { .. } => "voucher.countryNotServed",
            FifteenDayCapReached { .. } => "voucher.fifteenDayCapReached",
            DeliveredBeforeReservation { .. } => "completion.startBeforeReservation",
            DeliveredInFuture { .. } => "completion.endInFuture",
            DeliveredAfterExpiry { .. } => "completion.endAfterExpiry",
            DaysExceedVoucher { .. } => "completion.daysExceedVoucher",
            UnknownConsultant { .. } => "completion.unknownConsultant",
            ConsultantNotQualified { .. } => "completion.consultantNotQualified",
            DeliverableNotUploaded { .. } => "completion.deliverableNotUploaded",
            TooManyDeliverables { .. } => "completion.tooManyDeliverables",
            NotConfirmed => "redemption.notConfirmed",
            ClaimWindowClosed { .. } => "claim.windowClosed",
            MixedPrograms { .. } => "claim.mixedPrograms",
            MixedCountries { .. } => "claim.mixedCountries",
            PayeeNotRegistered { .. } => "claim.payeeNotRegistered",
            NothingRedeemed { .. } => "payee.nothingRedeemed",
            ClaimInvalidTransition { .. } => "claim.invalidTransition",
            AmountOverflow => "claim.amountOverflow",
            Unauthenticated => "access.unauthenticated",
            Forbidden => "access.forbidden",
            NotFound => "access.notFound",
        }
    }

    /// How the HTTP layer reports this problem (SPEC §12).
    pub fn category(&self) -> Category {
        use ProblemKind::*;
        match self {
            Malformed { .. } | UnknownRule { .. } => Category::Malformed,
            UnknownProgram { .. } | UnknownLocation { .. } | AdminEmailMismatch => {
                Category::Invalid
            }
            EligibilityNotActive { .. }
            | AlreadyEnrolled { .. }
            | InRenewalGrace { .. }
            | RenewalNotOpen { .. }
            | RenewalClosed { .. }
            | Withdrawn { .. }
            | VoucherNumberInUse
            | PoolTooSmall { .. }
            | VoucherExpired { .. }
            | VoucherInvalidTransition { .. }
            | ClaimWindowClosed { .. }
            | FifteenDayCapReached { .. }
            | PayeeNotRegistered { .. }
            | NothingRedeemed { .. }
            | AssignmentClosed { .. }
            | RedemptionClosed { .. }
            | StaleVersion { .. }
            | ClaimInvalidTransition { .. } => Category::Conflict,
            VoucherNotFound | NotFound => Category::NotFound,
            Forbidden => Category::Forbidden,
            Unauthenticated => Category::Unauthenticated,
            _ => Category::Invalid,
        }
    }

    /// The human message in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match locale {
            Locale::En => self.to_string(),
            Locale::ZhCn => self.message_zh(),
        }
    }

    fn message_zh(&self) -> String {
        use ProblemKind::*;
        match self {
            Malformed { detail } => format!("不是有效的输入：{}", malformed_zh(detail)),
            UnknownRule { name } => format!("`{name}` 不是规则"),
            Required => "必填".into(),
            Length { min, max } => format!("长度须为 {min} 到 {max} 个字符"),
            Count { min, max } => format!("须列出 {min} 到 {max} 项"),
            OutOfRange { min, max } => format!("须在 {min} 到 {max} 之间"),
            Duplicate { value } => format!("`{value}` 重复列出"),
            ControlCharacters => "不得包含控制字符".into(),
            InvalidDate => "须为日期，例如 `2026-01-31`".into(),
            InvalidEmail => "须为电子邮件地址，例如 `name@example.com`".into(),
            InvalidVoucherNumber => "须为 8 到 16 位字母和数字（空格和连字符会被忽略）".into(),
            InvalidId => "须为 1 到 10 位数字".into(),
            InvalidUrl => "须为不超过 200 个字符的 `https://` 地址".into(),
            InvalidPhone => "须为国际号码，例如 `+14255550100`".into(),
            UnknownCountry { value } => format!("`{value}` 不是 ISO 3166-1 二字母国家代码"),
            UnknownLanguage { value } => format!("`{value}` 不是受支持的语言标记"),
            InvalidFileName => "须为 1 到 200 个字符，且不含路径分隔符或控制字符".into(),
            UnsupportedMediaType { value } => {
                format!("不接受 `{value}`：请使用 PDF、DOCX、PPTX、XLSX 或 ZIP")
            }
            InvalidSha256 => "须为 64 个小写十六进制字符".into(),
            InvalidInvoiceNumber => "须为 1 到 40 个字母、数字、`-` 或 `/`".into(),
            InvalidCursor => "不是此搜索返回的游标".into(),
            UnknownValue { value, allowed } => format!("`{value}` 不是以下之一：{allowed}"),
            PathMismatch { path } => format!("须与地址中的编号 `{path}` 相同"),
            StaleVersion { sent, current } => {
                format!("替换的是版本 {sent}，但已存储的是版本 {current}：请重新读取")
            }
            EndBeforeStart { start } => format!("不得早于 {start}"),
            LengthNotOffered { allowed } => format!("须为本计划提供的服务天数之一：{allowed} 天"),
            AssignmentClosed { last_assign_on } => {
                format!("本计划已于 {last_assign_on} 之后停止创建和分配凭证")
            }
            RedemptionClosed { last_redeem_on } => {
                format!("本计划已于 {last_redeem_on} 之后停止兑换凭证")
            }
            ExtensionShortened { created_before } => format!(
                "延期只能新增或延长，不能删除或缩短：{created_before} 之前创建的凭证会失去天数"
            ),
            UnknownProgram { id } => format!("`{id}` 不是目录中的计划"),
            EligibilityNotActive { on } => format!("{on} 时此计划的资格未生效"),
            AlreadyEnrolled { expires_on } => {
                format!("已注册此计划，有效期至 {expires_on}：请改为续订")
            }
            InRenewalGrace { closes_on } => {
                format!("注册在 {closes_on} 之前仍可续订：请改为续订")
            }
            UnknownLocation { id } => format!("`{id}` 不是该合作伙伴已批准的地点"),
            EnrollmentNotActive { on } => format!("{on} 时该合作伙伴在此计划中没有有效注册"),
            RenewalNotOpen { opens_on } => format!("续订将于 {opens_on} 开放"),
            RenewalClosed { closed_on } => format!("续订已于 {closed_on} 关闭：请重新注册"),
            Withdrawn { on } => format!("注册已于 {on} 撤销：请重新注册"),
            VoucherNotFound => "没有此凭证".into(),
            VoucherNumberInUse => "此凭证编号已被使用".into(),
            PoolTooSmall { balance } => format!("客户此计划的规划日池仅剩 {balance} 天"),
            AdminEmailMismatch => "与凭证管理员的电子邮件不符".into(),
            VoucherExpired { expires_on } => format!("凭证已于 {expires_on} 过期"),
            VoucherInvalidTransition { state, event } => {
                format!(
                    "无法对处于 {} 状态的凭证执行 {}",
                    zh_state(state),
                    zh_event(event)
                )
            }
            TermsNotAccepted => "必须接受条款".into(),
            EngagementStartInPast { today } => format!("不得早于今天（{today}）"),
            EngagementEndAfterExpiry { expires_on } => {
                format!("须早于凭证过期日 {expires_on}")
            }
            LocationNotEnrolled { id } => format!("地点 `{id}` 未注册此凭证的计划"),
            CountryNotServed {
                country: Some(country),
            } => format!("本计划不为在 `{country}` 交付的服务支付日费率"),
            CountryNotServed { country: None } => "该地点未记录国家：请先由计划管理员记录".into(),
            FifteenDayCapReached { voucher_number } => format!(
                "凭证 {voucher_number} 已为该客户占用本计划的 15 天服务：请填写其他此类服务未使用的客户部门"
            ),
            DeliveredBeforeReservation { reserved_on } => {
                format!("不得早于保留日 {reserved_on}")
            }
            DeliveredInFuture { today } => format!("不得晚于今天（{today}）"),
            DeliveredAfterExpiry { expires_on } => format!("须早于凭证过期日 {expires_on}"),
            DaysExceedVoucher { days } => format!("不得超过凭证的 {days} 天"),
            UnknownConsultant { id } => format!("`{id}` 不是该合作伙伴的顾问"),
            ConsultantNotQualified { missing, on } => {
                format!("该顾问在 {on} 时未持有 {missing}")
            }
            DeliverableNotUploaded { file_name } => format!("`{file_name}` 尚未上传"),
            TooManyDeliverables { max } => {
                format!("每张凭证最多保存 {max} 个交付文件；以已有的文件名上传可替换该文件")
            }
            NotConfirmed => "必须确认兑换".into(),
            ClaimWindowClosed { closed_on } => format!("付款请求期限已于 {closed_on} 结束"),
            MixedPrograms { program_id } => {
                format!("一个付款请求中的所有凭证都必须属于计划 `{program_id}`")
            }
            MixedCountries { country } => {
                format!("一个付款请求中的所有凭证都必须在 `{country}` 交付")
            }
            PayeeNotRegistered { program_id } => {
                format!("计划 `{program_id}` 尚未登记收款方：请先由全局管理员登记")
            }
            NothingRedeemed { program_id } => {
                format!("计划 `{program_id}` 有凭证兑换后才能登记收款方")
            }
            ClaimInvalidTransition { state, event } => {
                format!(
                    "无法对处于 {} 状态的付款请求执行 {}",
                    zh_state(state),
                    zh_event(event)
                )
            }
            AmountOverflow => "付款请求金额过大".into(),
            Unauthenticated => "请先登录".into(),
            Forbidden => "您的角色不允许此操作".into(),
            NotFound => "未找到".into(),
        }
    }
}

/// An event's name as a person would say it: the events' own names (`createClaim`) are for code.
fn en_event(event: &str) -> &str {
    match event {
        "cancelReservation" => "cancel the reservation of",
        "submitCompletionReport" => "report the completion of",
        "createClaim" => "claim",
        "claimPaid" => "record the payment of",
        "claimRejected" => "reject the claim of",
        other => other,
    }
}

fn zh_state(state: &str) -> &str {
    match state {
        "created" => "已创建",
        "assigned" => "已分配",
        "reserved" => "已保留",
        "completed" => "已完成",
        "redeemed" => "已兑换",
        "claimed" => "已请求付款",
        "paid" => "已付款",
        "expired" => "已过期",
        "submitted" => "已提交",
        "approved" => "已批准",
        "rejected" => "已拒绝",
        other => other,
    }
}

fn zh_event(event: &str) -> &str {
    match event {
        "assign" => "分配",
        "validate" => "验证",
        "reserve" => "保留",
        "cancelReservation" => "取消保留",
        "submitCompletionReport" => "提交完成报告",
        "redeem" => "兑换",
        "createClaim" => "提交付款请求",
        "claimPaid" => "付款",
        "claimRejected" => "拒绝付款请求",
        "approve" => "批准",
        "reject" => "拒绝",
        "pay" => "付款",
        other => other,
    }
}

/// serde's and serde_json's wording of a malformed input, in Chinese: the reader's own words
/// are English, and a person reading Chinese should not meet them. The shapes are serde's
/// `de::Error` defaults; the JSON path (`… at `path``, added by the entry layer) is kept.
fn malformed_zh(detail: &str) -> String {
    let (what, at) = match detail.rsplit_once(" at `") {
        Some((what, path)) if path.ends_with('`') && !path.contains(' ') => {
            (what, format!("（位置：`{}）", path))
        }
        _ => (detail, String::new()),
    };
    let quoted = |rest: &str| rest.split('`').nth(1).unwrap_or_default().to_owned();
    let said = if let Some(rest) = what.strip_prefix("missing field ") {
        format!("缺少字段 `{}`", quoted(rest))
    } else if let Some(rest) = what.strip_prefix("unknown field ") {
        format!("未知字段 `{}`", quoted(rest))
    } else if let Some(rest) = what.strip_prefix("duplicate field ") {
        format!("字段 `{}` 重复", quoted(rest))
    } else if let Some(rest) = what.strip_prefix("unknown variant ") {
        let allowed = rest
            .split_once("expected ")
            .map(|(_, a)| a)
            .unwrap_or_default();
        let allowed = allowed.trim_start_matches("one of ");
        format!("`{}` 不是可选值（可选：{allowed}）", quoted(rest))
    } else if let Some((_, expected)) = what
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.rsplit_once(", expected "))
    {
        format!("类型不对，应为{}", kind_zh(expected))
    } else if let Some((_, expected)) = what
        .strip_prefix("invalid value: ")
        .or_else(|| what.strip_prefix("invalid length "))
        .and_then(|rest| rest.rsplit_once(", expected "))
    {
        format!("值无效，应为{}", kind_zh(expected))
    } else if let Some((_, position)) = what.rsplit_once(" at line ") {
        let (line, column) = position.split_once(" column ").unwrap_or((position, "?"));
        format!("不是有效的 JSON（第 {line} 行第 {column} 列）")
    } else if what.contains("is not a date like") {
        "须为日期，例如 `2026-01-31`".to_owned()
    } else {
        "值无效".to_owned()
    };
    format!("{said}{at}")
}

/// What serde says it expected, in Chinese.
fn kind_zh(expected: &str) -> &'static str {
    match expected {
        "a string" | "string" | "a borrowed string" => "字符串",
        "a boolean" | "bool" => "布尔值（true 或 false）",
        "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "usize" => "整数",
        "a sequence" | "fewer elements in array" => "数组",
        e if e.starts_with("struct ")
            || e.starts_with("internally tagged enum")
            || e == "a map" =>
        {
            "对象"
        }
        e if e.starts_with("a date") || e.starts_with("YYYY") => "日期，例如 `2026-01-31`",
        _ => "其他类型的值",
    }
}

#[cfg(test)]
mod malformed_zh_tests {
    use super::malformed_zh;

    #[test]
    fn serde_wording_becomes_chinese_with_the_path() {
        let cases = [
            (
                "missing field `actor` at `context`",
                "缺少字段 `actor`（位置：`context`）",
            ),
            (
                "unknown field `x`, expected `a` or `b` at `x`",
                "未知字段 `x`（位置：`x`）",
            ),
            (
                "invalid type: string \"yes\", expected a boolean at `acceptTerms`",
                "类型不对，应为布尔值（true 或 false）（位置：`acceptTerms`）",
            ),
            (
                "expected value at line 1 column 7",
                "不是有效的 JSON（第 1 行第 7 列）",
            ),
            ("something else", "值无效"),
        ];
        for (english, chinese) in cases {
            assert_eq!(malformed_zh(english), chinese);
        }
    }
}

/// A JSON path into the input (SPEC §11), such as `deliverables[0].fileName`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FieldPath(String);

impl FieldPath {
    /// The path of a top-level field.
    pub fn new(name: impl Into<String>) -> FieldPath {
        FieldPath(name.into())
    }

    /// The path of item `index` of this list.
    pub fn index(&self, index: usize) -> FieldPath {
        FieldPath(format!("{}[{index}]", self.0))
    }

    /// The path of field `name` of this object. It is only written out when something is
    /// recorded there: most checked fields have no problem, and building every path was most of
    /// the cost of checking a valid form.
    pub fn key<'a>(&'a self, name: &'a str) -> ChildPath<'a> {
        ChildPath { parent: self, name }
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Field `name` of the object at `parent`, not yet written out ([`FieldPath::key`]).
#[derive(Clone, Copy, Debug)]
pub struct ChildPath<'a> {
    parent: &'a FieldPath,
    name: &'a str,
}

impl ChildPath<'_> {
    /// The path of item `index` of the list at this field.
    pub fn index(self, index: usize) -> FieldPath {
        FieldPath::from(self).index(index)
    }
}

impl From<ChildPath<'_>> for FieldPath {
    fn from(child: ChildPath<'_>) -> FieldPath {
        let parent = child.parent.as_str();
        if parent.is_empty() {
            return FieldPath::new(child.name);
        }
        let path = format!("{parent}.{}", child.name);
        FieldPath(path)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for FieldPath {
    fn from(name: &str) -> FieldPath {
        FieldPath::new(name)
    }
}

/// One problem: which field of the input, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {kind}")]
pub struct Problem {
    /// Where in the input.
    pub field: FieldPath,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl Problem {
    /// A problem with `field`.
    pub fn new(field: impl Into<FieldPath>, kind: ProblemKind) -> Problem {
        Problem {
            field: field.into(),
            kind,
        }
    }
}

/// A refused operation with every problem found; whatever was asked was not done (SPEC §11).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.to_failure(Locale::En).message)]
pub struct Rejection {
    problems: Vec<Problem>,
}

impl Rejection {
    /// A rejection for a single problem.
    pub fn one(field: impl Into<FieldPath>, kind: ProblemKind) -> Rejection {
        Rejection {
            problems: vec![Problem::new(field, kind)],
        }
    }

    /// Every problem, in the order the rules found them.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The problems, taken out.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    /// The top-level code: the problems' code when they share one, else `validation.failed`.
    pub fn code(&self) -> &'static str {
        let mut codes = self.problems.iter().map(|p| p.kind.code());
        match codes.next() {
            Some(first) if codes.all(|c| c == first) => first,
            _ => "validation.failed",
        }
    }

    /// The most severe category among the problems (the HTTP status to answer with).
    pub fn category(&self) -> Category {
        self.problems
            .iter()
            .map(|p| p.kind.category())
            .max()
            .unwrap_or(Category::Invalid)
    }

    /// Whether any problem has `code`.
    pub fn has_code(&self, code: &str) -> bool {
        self.problems.iter().any(|p| p.kind.code() == code)
    }

    /// The wire shape of SPEC §11 in `locale`.
    pub fn to_failure(&self, locale: Locale) -> Failure {
        let fields: Vec<FieldFailure> = self
            .problems
            .iter()
            .map(|p| FieldFailure {
                field: p.field.as_str().to_owned(),
                code: p.kind.code().to_owned(),
                message: p.kind.message(locale),
            })
            .collect();
        let message = match fields.as_slice() {
            [only] if only.field.is_empty() => only.message.clone(),
            [only] => format!("`{}` {}", only.field, only.message),
            many => match locale {
                Locale::En => format!("the request has {} problems", many.len()),
                Locale::ZhCn => format!("请求有 {} 个问题", many.len()),
            },
        };
        Failure {
            code: self.code().to_owned(),
            message,
            fields,
        }
    }
}

impl From<Problem> for Rejection {
    fn from(problem: Problem) -> Rejection {
        Rejection {
            problems: vec![problem],
        }
    }
}

/// Collects problems while a rule runs, so that every failing check is reported.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// An empty collection.
    pub fn new() -> Problems {
        Problems(Vec::new())
    }

    /// Records a problem.
    pub fn push(&mut self, field: impl Into<FieldPath>, kind: ProblemKind) {
        self.0.push(Problem::new(field, kind));
    }

    /// Records `kind` at `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: impl Into<FieldPath>, kind: ProblemKind) {
        if !ok {
            self.push(field, kind);
        }
    }

    /// Records every problem of another rejection.
    pub fn absorb(&mut self, rejection: Rejection) {
        self.0.extend(rejection.problems);
    }

    /// Keeps the value of a parse, recording its problem when it failed.
    pub fn take<T>(
        &mut self,
        field: impl Into<FieldPath>,
        parsed: Result<T, ProblemKind>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(kind) => {
                self.push(field, kind);
                None
            }
        }
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, else the rejection of every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Rejection> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Rejection { problems: self.0 })
        }
    }

    /// Like [`Problems::finish`], for a value that exists only when every parse succeeded.
    pub fn finish_with<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Rejection> {
        if self.0.is_empty()
            && let Some(value) = value()
        {
            return Ok(value);
        }
        let mut problems = self.0;
        if problems.is_empty() {
            // Unreachable when every `None` came with a recorded problem; kept total anyway.
            problems.push(Problem::new("", ProblemKind::Required));
        }
        Err(Rejection { problems })
    }
}

/// The wire shape of every failure (SPEC §11).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Failure {
    /// Stable dotted code of the whole failure.
    pub code: String,
    /// Human message in the requested locale.
    pub message: String,
    /// Every failing field.
    pub fields: Vec<FieldFailure>,
}

/// One failing field of a [`Failure`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldFailure {
    /// JSON path into the input.
    pub field: String,
    /// Stable dotted code.
    pub code: String,
    /// Human message in the requested locale.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_honours_weights() {
        assert_eq!(
            Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Locale::ZhCn
        );
        assert_eq!(
            Locale::from_accept_language("en;q=0.5, zh-Hans;q=0.7"),
            Locale::ZhCn
        );
        assert_eq!(Locale::from_accept_language("fr-FR, de"), Locale::En);
        assert_eq!(Locale::from_accept_language("zh;q=0, en"), Locale::En);
        assert_eq!(Locale::from_accept_language(""), Locale::En);
    }

    #[test]
    fn wire_names_are_serdes() {
        for locale in [Locale::En, Locale::ZhCn] {
            let written = serde_json::to_value(locale).unwrap_or_default();
            let name = written.as_str().unwrap_or_default();
            assert_eq!(Locale::from_wire(name), Some(locale), "{name}");
            assert_eq!(name, locale.tag());
        }
        for other in ["", "EN", "zh-cn", "zh", "en-GB", "fr", " en"] {
            assert_eq!(Locale::from_wire(other), None, "{other:?}");
            assert!(
                serde_json::from_value::<Locale>(other.into()).is_err(),
                "{other:?}"
            );
        }
    }

    #[test]
    fn top_level_code_is_shared_code_or_validation_failed() {
        let mut problems = Problems::new();
        problems.push("a", ProblemKind::Required);
        problems.push("b", ProblemKind::Required);
        let Err(rejection) = problems.finish(()) else {
            unreachable!()
        };
        assert_eq!(rejection.code(), "field.required");
        let mixed = Rejection {
            problems: vec![
                Problem::new("a", ProblemKind::Required),
                Problem::new("b", ProblemKind::InvalidEmail),
            ],
        };
        assert_eq!(mixed.code(), "validation.failed");
        assert_eq!(mixed.to_failure(Locale::ZhCn).message, "请求有 2 个问题");
    }
}
