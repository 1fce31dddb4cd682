//! Property tests of the state machine and the arithmetic (SPEC §4, §5, §7, §10).

// Test code: a broken fixture should fail loudly.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64ct::Encoding as _;
use chrono::NaiveDate;
use proptest::prelude::*;
use saps_core::calendar;
use saps_core::catalog::{Catalog, ExpiryExtension, Program, Requirement};
use saps_core::claim::claim_amount;
use saps_core::completion::{CompletionReport, Deliverable, MediaType};
use saps_core::directory::{self, SearchForm};
use saps_core::eligibility::{
    self, Competency, ComplianceTraining, Consultant, EligibilityStatus, Exam, ProviderAgreement,
    QualificationFacts,
};
use saps_core::enrollment::{self, Enrollment, Location};
use saps_core::value::{ClaimId, Email, LocationId, PartnerId, ProgramId, Sha256, VoucherNumber};
use saps_core::voucher::{
    Actor, CancelReason, Reservation, ReserveRequest, UploadEffect, Voucher, VoucherEvent,
    VoucherState, World, check_upload, transition,
};

fn day(offset: u32) -> NaiveDate {
    calendar::add_days(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), offset)
}

fn catalog() -> &'static Catalog {
    Catalog::sample().unwrap()
}

fn desktop() -> &'static Program {
    catalog()
        .program(&ProgramId::parse("desktop").unwrap())
        .unwrap()
}

fn facts() -> QualificationFacts {
    QualificationFacts {
        consultants: vec![Consultant {
            consultant_id: "c-1".into(),
            name: "Li".into(),
            exams: vec![Exam {
                code: "MS-102".into(),
                passed_on: day(0),
                valid_until: None,
            }],
        }],
        ..QualificationFacts::default()
    }
}

fn assigned() -> Voucher {
    Voucher {
        voucher_number: VoucherNumber::parse("SAPS0001M365").unwrap(),
        program_id: desktop().id.clone(),
        days: 5,
        customer_name: "Contoso".into(),
        admin_email: Email::parse("admin@contoso.example").unwrap(),
        partner_id: Some(PartnerId::parse("1001").unwrap()),
        customer_id: None,
        created_on: day(0),
        expires_on: day(180),
        state: VoucherState::Assigned,
        reservation: None,
        completion_report: None,
        redeemed_on: None,
        claim_id: None,
        version: 1,
    }
}

fn enrolled() -> Enrollment {
    Enrollment {
        program_id: desktop().id.clone(),
        location_ids: vec![LocationId::parse("11").unwrap()],
        enrolled_on: day(0),
        expires_on: calendar::add_one_year(day(0)),
        renewed_on: None,
        withdrawn_on: None,
    }
}

/// The partner's one location, in a country the sample desktop program pays a rate for.
fn sites() -> Vec<Location> {
    vec![Location {
        location_id: LocationId::parse("11").unwrap(),
        name: "Contoso Shanghai".into(),
        country: Some("CN".into()),
    }]
}

const SHA: &str = "abababababababababababababababababababababababababababababababab";

fn deliverable() -> Deliverable {
    Deliverable {
        file_name: "plan.pdf".into(),
        media_type: MediaType::Pdf,
        size: 10,
        sha256: Sha256::parse(SHA).unwrap(),
    }
}

/// One random step: an event, who sends it and how many days pass first.
#[derive(Clone, Debug)]
enum Step {
    Reserve {
        start_in: u32,
        length: u32,
        terms: bool,
    },
    Cancel,
    Report {
        days: u32,
        ago: u32,
    },
    Redeem,
    Claim,
    Paid,
    Rejected,
    Expire,
}

fn step() -> impl Strategy<Value = (Step, bool, u32)> {
    let event = prop_oneof![
        (0u32..40, 0u32..10, any::<bool>()).prop_map(|(start_in, length, terms)| Step::Reserve {
            start_in,
            length,
            terms
        }),
        Just(Step::Cancel),
        (0u32..8, 0u32..5).prop_map(|(days, ago)| Step::Report { days, ago }),
        Just(Step::Redeem),
        Just(Step::Claim),
        Just(Step::Paid),
        Just(Step::Rejected),
        Just(Step::Expire),
    ];
    (event, any::<bool>(), 0u32..30)
}

fn to_event(step: &Step, today: NaiveDate) -> VoucherEvent {
    match step {
        Step::Reserve {
            start_in,
            length,
            terms,
        } => VoucherEvent::Reserve(ReserveRequest {
            admin_email: Email::parse("ADMIN@contoso.example").unwrap(),
            accept_terms: *terms,
            engagement_start: calendar::add_days(today, *start_in),
            engagement_end: calendar::add_days(today, start_in + length),
            location_id: LocationId::parse("11").unwrap(),
            customer_division: None,
        }),
        Step::Cancel => VoucherEvent::CancelReservation(CancelReason::OfferChanged),
        Step::Report { days, ago } => VoucherEvent::SubmitCompletionReport(CompletionReport {
            delivered_start: calendar::sub_days(today, *ago),
            delivered_end: today,
            days_delivered: *days,
            lead_consultant_id: "c-1".into(),
            summary: "A summary of twenty characters or more.".into(),
            deliverables: vec![deliverable()],
        }),
        Step::Redeem => VoucherEvent::Redeem,
        Step::Claim => VoucherEvent::CreateClaim(ClaimId::parse("CLM-1").unwrap()),
        Step::Paid => VoucherEvent::ClaimPaid,
        Step::Rejected => VoucherEvent::ClaimRejected,
        Step::Expire => VoucherEvent::Expire,
    }
}

fn rank(state: VoucherState) -> u8 {
    match state {
        VoucherState::Created => 0,
        VoucherState::Assigned => 0,
        VoucherState::Reserved => 1,
        VoucherState::Completed => 2,
        VoucherState::Redeemed => 3,
        VoucherState::Claimed => 4,
        VoucherState::Paid => 5,
        VoucherState::Expired => 9,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Uploads (SPEC §8): only while reserved; a new name adds one up to 20, a known name
    /// replaces, and the 21st name is refused.
    #[test]
    fn uploads_are_capped_and_only_while_reserved(held in 0usize..=25, state in prop::sample::select(vec![
        VoucherState::Assigned, VoucherState::Reserved, VoucherState::Completed,
        VoucherState::Redeemed, VoucherState::Claimed,
    ])) {
        let voucher = Voucher { state, ..assigned() };
        let uploaded: Vec<Deliverable> = (0..held)
            .map(|i| Deliverable { file_name: format!("file-{i}.pdf"), ..deliverable() })
            .collect();
        let enrollment = enrolled();
        let world = World { enrollment: Some(&enrollment), uploaded: &uploaded, ..World::new(day(1), desktop()) };
        let new = check_upload(&voucher, &world, "another.pdf");
        let known = check_upload(&voucher, &world, "file-0.pdf");
        if state != VoucherState::Reserved {
            let code = new.unwrap_err().problems()[0].kind.code();
            prop_assert_eq!(code, "voucher.invalidTransition");
            prop_assert!(known.is_err());
        } else {
            match new {
                Ok(effect) => prop_assert!(held < 20 && effect == UploadEffect::Adds),
                Err(r) => prop_assert!(held >= 20 && r.problems()[0].kind.code() == "completion.tooManyDeliverables"),
            }
            if held > 0 {
                prop_assert_eq!(known.unwrap(), UploadEffect::Replaces);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random event sequences: `paid` only after reserved, completed, redeemed and claimed in
    /// order; `expired` is terminal; a rejected event leaves the voucher unchanged; accepted
    /// events bump the version by one.
    #[test]
    fn voucher_sequences_respect_the_state_machine(steps in prop::collection::vec(step(), 1..40)) {
        let partner = Actor::PartnerAdmin { partner_id: PartnerId::parse("1001").unwrap() };
        let facts = facts();
        let enrollment = enrolled();
        let uploads = [deliverable()];
        let sites = sites();
        let mut voucher = assigned();
        let mut today = day(0);
        let mut visited = vec![VoucherState::Assigned];
        for (step, by_admin, wait) in steps {
            today = calendar::add_days(today, wait);
            let actor = if by_admin { Actor::ProgramAdmin } else { partner.clone() };
            let world = World { today, program: desktop(), enrollment: Some(&enrollment), facts: Some(&facts), uploaded: &uploads, locations: &sites, engagements: &[] };
            let before = voucher.clone();
            match transition(&voucher, &to_event(&step, today), &actor, &world) {
                Ok(t) => {
                    prop_assert_ne!(before.state, VoucherState::Expired, "expired is terminal");
                    prop_assert_ne!(before.state, VoucherState::Paid, "paid is terminal");
                    prop_assert_eq!(t.voucher.version, before.version + 1);
                    prop_assert_eq!(t.history.from, Some(before.state));
                    prop_assert_eq!(t.history.to, t.voucher.state);
                    voucher = t.voucher;
                    visited.push(voucher.state);
                }
                Err(_) => prop_assert_eq!(&voucher, &before, "a rejected event changes nothing"),
            }
        }
        if voucher.state == VoucherState::Paid {
            // The last run up to `paid` went through every state in order.
            let order = [VoucherState::Reserved, VoucherState::Completed, VoucherState::Redeemed, VoucherState::Claimed, VoucherState::Paid];
            let mut next = 0;
            for state in &visited {
                if order.get(next) == Some(state) { next += 1; }
            }
            prop_assert_eq!(next, order.len(), "visited {:?}", visited);
        }
        // Every accepted move goes one step forward, back one step by rule, or to expired.
        for pair in visited.windows(2) {
            let (a, b) = (rank(pair[0]), rank(pair[1]));
            prop_assert!(b == a + 1 || b == 9 || (pair[0] == VoucherState::Reserved && pair[1] == VoucherState::Assigned)
                || (pair[0] == VoucherState::Claimed && pair[1] == VoucherState::Redeemed), "{:?}", pair);
        }
    }

    /// Claim amount = Σ daysDelivered × the delivery country's rate, exactly, in minor units.
    #[test]
    fn claim_amount_is_the_sum_of_days_times_rate(
        days in prop::collection::vec(1u32..=20, 1..25),
        country in prop::sample::select(desktop().daily_rates.keys().cloned().collect::<Vec<_>>()),
    ) {
        let vouchers: Vec<Voucher> = days.iter().map(|d| Voucher {
            reservation: Some(Reservation {
                reserved_on: day(0), engagement_start: day(0), engagement_end: day(1),
                location_id: Some(LocationId::parse("11").unwrap()), country: Some(country.clone()),
                customer_division: None,
            }),
            completion_report: Some(CompletionReport {
                delivered_start: day(0), delivered_end: day(1), days_delivered: *d, lead_consultant_id: "c".into(),
                summary: "s".repeat(20), deliverables: vec![],
            }),
            ..assigned()
        }).collect();
        let amount = claim_amount(&vouchers, desktop()).unwrap();
        let rate = desktop().rate_in(&country).unwrap();
        let expected: i64 = days.iter().map(|d| i64::from(*d) * rate.minor_units).sum();
        prop_assert_eq!(amount.minor_units, expected);
        prop_assert_eq!(amount.currency, rate.currency);
    }

    /// Eligibility is `active` iff every requirement is met, `notStarted` iff none is.
    #[test]
    fn eligibility_status_follows_the_requirements(
        competency in any::<bool>(), training in any::<bool>(), exams in any::<bool>(), agreement in any::<bool>(), on in 0u32..800,
    ) {
        let program = desktop();
        let mut facts = QualificationFacts::default();
        if competency { facts.competencies.push(Competency { area: "Modern Work".into(), valid_from: day(0), valid_until: day(400) }); }
        if training { facts.compliance_training.push(ComplianceTraining { program_id: program.id.clone(), completed_on: day(10) }); }
        if exams { facts.consultants.push(Consultant { consultant_id: "c".into(), name: "C".into(),
            exams: vec![Exam { code: "MS-102".into(), passed_on: day(0), valid_until: Some(day(500)) }] }); }
        if agreement { facts.provider_agreements.push(ProviderAgreement { program_id: program.id.clone(), signed_on: day(5), valid_until: day(700) }); }
        let verdict = eligibility::evaluate(program, &facts, day(on));
        let met = verdict.requirements.iter().filter(|r| r.met).count();
        prop_assert_eq!(verdict.status == EligibilityStatus::Active, met == program.requirements.len());
        prop_assert_eq!(verdict.status == EligibilityStatus::NotStarted, met == 0);
        for check in &verdict.requirements {
            prop_assert_eq!(check.met, check.met_by.is_some());
            prop_assert_eq!(check.met, check.action.is_none());
            if let Some(lapse) = check.lapses_on { prop_assert!(lapse > day(on)); }
        }
        let has_exams = program.requirements.iter().any(|r| matches!(r, Requirement::ConsultantExams { .. }));
        prop_assert!(has_exams);
    }

    /// Renewal never shortens an enrollment, and lands exactly one year after the old expiry.
    #[test]
    fn renewal_never_shortens(start in 0u32..3000, offset in 0u32..100) {
        let program = desktop();
        let enrolled_on = day(start);
        let e = Enrollment { enrolled_on, expires_on: calendar::add_one_year(enrolled_on), ..enrolled() };
        let window = e.renewal_window(program);
        let today = calendar::add_days(window.start, offset);
        match enrollment::renew(program, &e, EligibilityStatus::Active, today) {
            Ok(renewed) => {
                prop_assert!(window.contains(today));
                prop_assert!(renewed.expires_on > e.expires_on);
                prop_assert_eq!(renewed.expires_on, calendar::add_one_year(e.expires_on));
                prop_assert!(renewed.expires_on > today);
            }
            Err(_) => prop_assert!(!window.contains(today)),
        }
    }

    /// One year later is 365 or 366 days on, and keeps the day of month unless it is clamped.
    #[test]
    fn one_year_is_twelve_clamped_months(offset in 0u32..40000) {
        let d = day(offset);
        let next = calendar::add_one_year(d);
        let span = (next - d).num_days();
        prop_assert!(span == 365 || span == 366);
        use chrono::Datelike;
        prop_assert!(next.day() == d.day() || (d.month() == 2 && d.day() == 29 && next.day() == 28));
    }

    /// A cursor the directory issues names the same position when it comes back: any company
    /// name (quotes, backslashes, control characters, non-ASCII) and any partner id.
    #[test]
    fn directory_cursors_round_trip(name in "(\\PC|[\"\\\\\\x00-\\x1f]){0,40}", id in "[0-9]{1,10}") {
        let partner = PartnerId::parse(&id).unwrap();
        let cursor = directory::encode_cursor(&name, &partner);
        // The text of a JSON pair as serde_json writes it, so issued cursors never change form.
        let pair = serde_json::to_string(&(&name, &id)).unwrap();
        prop_assert_eq!(&cursor, &base64ct::Base64UrlUnpadded::encode_string(pair.as_bytes()));
        let form = SearchForm { cursor: Some(cursor), ..SearchForm::default() };
        let query = form.parse(catalog()).unwrap();
        prop_assert_eq!(query.after, Some((name, partner)));
    }
}

/// Each unit enum's `name()` (strum) is the name serde reads and writes it by.
#[test]
fn every_name_is_the_serde_name() {
    use saps_core::access::{Operation, Role};
    use saps_core::value::Named;
    fn same<T: Named + serde::Serialize + std::fmt::Debug>(values: &[T]) {
        for value in values {
            let serde = serde_json::to_value(value).unwrap_or_default();
            assert_eq!(serde.as_str(), Some(value.name()), "{value:?}");
        }
    }
    same(&saps_core::voucher::VoucherState::ALL);
    same(&[
        saps_core::voucher::CancelReason::OfferChanged,
        saps_core::voucher::CancelReason::EngagementCancelled,
        saps_core::voucher::CancelReason::CustomerChoseAnotherPartner,
    ]);
    same(&Role::ALL);
    same(&[
        Operation::ReadCatalog,
        Operation::SearchDirectory,
        Operation::ManagePartner,
        Operation::DecideClaim,
    ]);
    same(&[
        saps_core::voucher::EventKind::CancelReservation,
        saps_core::voucher::EventKind::SubmitCompletionReport,
        saps_core::voucher::EventKind::ClaimRejected,
    ]);
    same(&[
        saps_core::completion::MediaType::Pdf,
        saps_core::completion::MediaType::Docx,
        saps_core::completion::MediaType::Zip,
    ]);
    same(&[
        saps_core::claim::ClaimState::Submitted,
        saps_core::claim::ClaimState::Rejected,
    ]);
    same(&[
        saps_core::eligibility::EligibilityStatus::NotStarted,
        saps_core::eligibility::EligibilityStatus::InProgress,
    ]);
    same(&[saps_core::enrollment::EnrollmentStatus::RenewalDue]);
}

/// A store that lists by [`VoucherState::stored_as`] finds exactly the vouchers whose effective
/// state is the one asked: every stored state, with an expiry before, on and after the day.
#[test]
fn listing_keys_find_exactly_the_effective_state() {
    let today = day(10);
    for stored in VoucherState::ALL {
        for expiry in 8..=12 {
            let expires_on = day(expiry);
            let voucher = Voucher {
                state: stored,
                expires_on,
                ..assigned()
            };
            let effective = voucher.effective_state(desktop(), today);
            for asked in VoucherState::ALL {
                let found = asked
                    .stored_as()
                    .iter()
                    .any(|(state, bound)| *state == stored && bound.reads(expires_on, today, 0));
                assert_eq!(
                    found,
                    asked == effective,
                    "{stored:?} expiring {expires_on}, asked {asked:?}"
                );
            }
        }
    }
}

/// `program` with extensions of `(createdBefore offset, days)`.
fn extended(extensions: &[(u32, u32)]) -> Program {
    let mut program = desktop().clone();
    program.expiry_extensions = extensions
        .iter()
        .map(|&(before, days)| ExpiryExtension {
            created_before: day(before),
            days,
            reason: "test".into(),
        })
        .collect();
    program
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Expiry extensions (SPEC §15.1) never shorten a voucher's life, apply exactly to
    /// vouchers created before their day, and adding one never moves an expiry earlier.
    #[test]
    fn an_extension_never_shortens_a_voucher_life(
        extensions in prop::collection::vec((0u32..400, 1u32..=365), 0..4),
        more in (0u32..400, 1u32..=365),
        created in 0u32..400,
    ) {
        let voucher = Voucher {
            created_on: day(created),
            expires_on: day(created + 180),
            ..assigned()
        };
        let program = extended(&extensions);
        let expiry = voucher.expiry(&program);
        prop_assert!(expiry >= voucher.expires_on);
        let applying: u32 = extensions.iter().filter(|(before, _)| created < *before).map(|(_, d)| d).sum();
        prop_assert_eq!(expiry, calendar::add_days(voucher.expires_on, applying));
        prop_assert!(applying <= program.max_extension_days());
        let mut longer = extensions.clone();
        longer.push(more);
        prop_assert!(voucher.expiry(&extended(&longer)) >= expiry);
    }

    /// With extensions, a store's key ranges widened by the program's longest extension hold
    /// every voucher of the state asked (core then decides on each voucher read).
    #[test]
    fn widened_listing_keys_hold_every_voucher_of_the_state(
        extensions in prop::collection::vec((0u32..60, 1u32..=90), 0..4),
        created in 0u32..60,
        stored in prop::sample::select(VoucherState::ALL.to_vec()),
        today in 150u32..400,
    ) {
        let program = extended(&extensions);
        let voucher = Voucher {
            state: stored,
            created_on: day(created),
            expires_on: day(created + 180),
            ..assigned()
        };
        let effective = voucher.effective_state(&program, day(today));
        let slack = program.max_extension_days();
        for asked in VoucherState::ALL {
            let found = asked.stored_as().iter().any(|(state, bound)| {
                *state == stored && bound.reads(voucher.expires_on, day(today), slack)
            });
            prop_assert!(
                found || asked != effective,
                "{:?} created {}, asked {:?} on {}", stored, created, asked, today
            );
        }
    }
}

/// One attempt on a pool of 15-day vouchers: reserve voucher `index` (naming division
/// `division`, if any) or cancel its reservation, after `wait` days.
#[derive(Clone, Debug)]
struct CapStep {
    index: usize,
    reserve: bool,
    division: Option<usize>,
    wait: u32,
}

const DIVISIONS: [&str; 3] = ["Finance", "FINANCE ", "Retail"];

fn cap_step() -> impl Strategy<Value = CapStep> {
    (
        0usize..5,
        any::<bool>(),
        prop::option::of(0usize..DIVISIONS.len()),
        0u32..20,
    )
        .prop_map(|(index, reserve, division, wait)| CapStep {
            index,
            reserve,
            division,
            wait,
        })
}

/// The division key of an engaged voucher: its division compared ignoring case and spaces
/// around, absent as its own key.
fn division_key(voucher: &Voucher) -> Option<String> {
    voucher
        .reservation
        .as_ref()
        .and_then(|r| r.customer_division.as_deref())
        .map(|d| saps_core::value::lowercase(d.trim()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The 15-day cap (SPEC §15.4): whatever is reserved and cancelled in any order, one
    /// customer's engaged 15-day vouchers of a program never share a division (an absent one
    /// counting as one), and a reservation refused for the cap always had a holder.
    #[test]
    fn fifteen_day_engagements_never_share_a_division(steps in prop::collection::vec(cap_step(), 1..40)) {
        let partner = Actor::PartnerAdmin { partner_id: PartnerId::parse("1001").unwrap() };
        let enrollment = enrolled();
        let sites = sites();
        // Two customers; the second's mailbox is written in two cases.
        let emails = ["a@contoso.example", "b@fabrikam.example", "B@Fabrikam.example", "a@contoso.example", "b@fabrikam.example"];
        let mut pool: Vec<Voucher> = emails.iter().enumerate().map(|(i, email)| Voucher {
            voucher_number: VoucherNumber::parse(&format!("SAPS000{i}CAP")).unwrap(),
            days: 15,
            admin_email: Email::parse(email).unwrap(),
            ..assigned()
        }).collect();
        let mut today = day(0);
        for step in steps {
            today = calendar::add_days(today, step.wait);
            let others: Vec<Voucher> = pool.clone();
            let world = World { enrollment: Some(&enrollment), locations: &sites, engagements: &others, ..World::new(today, desktop()) };
            let event = if step.reserve {
                VoucherEvent::Reserve(ReserveRequest {
                    admin_email: pool[step.index].admin_email.clone(),
                    accept_terms: true,
                    engagement_start: today,
                    engagement_end: today,
                    location_id: LocationId::parse("11").unwrap(),
                    customer_division: step.division.map(|d| DIVISIONS[d].trim().to_owned()),
                })
            } else {
                VoucherEvent::CancelReservation(CancelReason::EngagementCancelled)
            };
            match transition(&pool[step.index], &event, &partner, &world) {
                Ok(t) => pool[step.index] = t.voucher,
                Err(rejection) => {
                    let capped = rejection.problems().iter().any(|p| p.kind.code() == "voucher.fifteenDayCapReached");
                    if capped {
                        let me = &pool[step.index];
                        let wanted = step.division.map(|d| saps_core::value::lowercase(DIVISIONS[d].trim()));
                        let holder = pool.iter().any(|v| v.voucher_number != me.voucher_number
                            && v.customer_key() == me.customer_key()
                            && v.effective_state(desktop(), today).is_engaged()
                            && (wanted.is_none() || division_key(v) == wanted));
                        prop_assert!(holder, "refused for the cap without a holder");
                    }
                }
            }
            for (i, a) in pool.iter().enumerate() {
                for b in pool.iter().skip(i + 1) {
                    let both_engaged = a.effective_state(desktop(), today).is_engaged()
                        && b.effective_state(desktop(), today).is_engaged();
                    if both_engaged && a.customer_key() == b.customer_key() {
                        prop_assert_ne!(division_key(a), division_key(b), "{} and {}", a.voucher_number, b.voucher_number);
                    }
                }
            }
        }
    }
}

/// One step of a customer's pool: draw a voucher, or let time pass (vouchers expire), or
/// report one voucher's engagement as completed (its days stay used after expiry).
#[derive(Clone, Debug)]
enum PoolStep {
    Draw { days: u32 },
    Wait { days: u32 },
    Complete { index: usize },
}

fn pool_step() -> impl Strategy<Value = PoolStep> {
    prop_oneof![
        3 => prop::sample::select(vec![1u32, 3, 5, 10, 15]).prop_map(|days| PoolStep::Draw { days }),
        1 => (1u32..200).prop_map(|days| PoolStep::Wait { days }),
        1 => (0usize..64).prop_map(|index| PoolStep::Complete { index }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The pool (SPEC §15.5): whatever is drawn, waited and completed, a draw is accepted
    /// exactly when its days fit the balance; the balance never goes below zero, and it always
    /// equals the entitlement less the days of the vouchers that have not returned, counted
    /// afresh from the vouchers (so it cannot drift from them).
    #[test]
    fn pool_balance_never_negative_and_never_drifts(
        entitlement in 0u32..60,
        sa_days in 0u32..900,
        steps in prop::collection::vec(pool_step(), 1..60),
    ) {
        use saps_core::customer::{self, Customer, Entitlement, PoolVoucherForm};
        use saps_core::value::CustomerId;
        let customer = Customer {
            customer_id: CustomerId::parse("5001").unwrap(),
            name: "Fabrikam Inc".into(),
            country: "CN".into(),
            admin_email: Email::parse("sa-admin@fabrikam.example").unwrap(),
            sa_ends_on: day(sa_days),
            entitlements: vec![Entitlement { program_id: desktop().id.clone(), days: entitlement }],
            version: 1,
        };
        let mut vouchers: Vec<Voucher> = Vec::new();
        let mut today = day(0);
        for step in steps {
            match step {
                PoolStep::Wait { days } => today = calendar::add_days(today, days),
                PoolStep::Complete { index } => {
                    let count = vouchers.len();
                    if let Some(v) = vouchers.get_mut(index % count.max(1))
                        && v.effective_state(desktop(), today) != VoucherState::Expired
                    {
                        v.state = VoucherState::Completed;
                        v.completion_report = Some(report());
                    }
                }
                PoolStep::Draw { days } => {
                    let before = customer::pools(&customer, &vouchers, catalog(), today);
                    let balance = before[0].balance;
                    let form = PoolVoucherForm {
                        program_id: Some("desktop".into()),
                        days: Some(u64::from(days)),
                        partner_id: None,
                    };
                    let number = VoucherNumber::parse(&format!("POOL{:08}", vouchers.len())).unwrap();
                    match form.check(&customer, &vouchers, catalog(), today) {
                        Ok(request) => {
                            prop_assert!(days <= balance, "drew {days} days from a balance of {balance}");
                            let drawn = customer::draw(request, &customer, number, desktop(), today);
                            vouchers.push(drawn.voucher);
                            let after = customer::pools(&customer, &vouchers, catalog(), today);
                            prop_assert_eq!(after[0].balance, balance - days);
                        }
                        Err(rejection) => {
                            prop_assert!(days > balance, "refused {days} days with {balance} left: {rejection:?}");
                        }
                    }
                }
            }
            let pools = customer::pools(&customer, &vouchers, catalog(), today);
            let held: u32 = vouchers
                .iter()
                .filter(|v| !customer::returned_to_pool(v, &customer, desktop(), today))
                .map(|v| v.days)
                .sum();
            prop_assert_eq!(pools[0].used, held);
            prop_assert!(held <= entitlement, "vouchers hold {held} of {entitlement} days");
            prop_assert_eq!(pools[0].balance, entitlement - held);
        }
    }
}

fn report() -> CompletionReport {
    CompletionReport {
        delivered_start: day(0),
        delivered_end: day(1),
        days_delivered: 1,
        lead_consultant_id: "c-1".into(),
        summary: "s".repeat(20),
        deliverables: vec![deliverable()],
    }
}
