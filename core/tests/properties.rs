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
use saps_core::enrollment::{self, Enrollment};
use saps_core::value::{ClaimId, Email, PartnerId, ProgramId, Sha256, VoucherNumber};
use saps_core::voucher::{
    Actor, CancelReason, ReserveRequest, UploadEffect, Voucher, VoucherEvent, VoucherState, World,
    check_upload, transition,
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
        partner_id: PartnerId::parse("1001").unwrap(),
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
        location_ids: vec![],
        enrolled_on: day(0),
        expires_on: calendar::add_one_year(day(0)),
        renewed_on: None,
        withdrawn_on: None,
    }
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
        let new = check_upload(&voucher, desktop(), &uploaded, "another.pdf", day(1));
        let known = check_upload(&voucher, desktop(), &uploaded, "file-0.pdf", day(1));
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
        let mut voucher = assigned();
        let mut today = day(0);
        let mut visited = vec![VoucherState::Assigned];
        for (step, by_admin, wait) in steps {
            today = calendar::add_days(today, wait);
            let actor = if by_admin { Actor::ProgramAdmin } else { partner.clone() };
            let world = World { today, program: desktop(), enrollment: Some(&enrollment), facts: Some(&facts), uploaded: &uploads };
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

    /// Claim amount = Σ daysDelivered × rate, exactly, in minor units.
    #[test]
    fn claim_amount_is_the_sum_of_days_times_rate(days in prop::collection::vec(1u32..=20, 1..25)) {
        let vouchers: Vec<Voucher> = days.iter().map(|d| Voucher {
            completion_report: Some(CompletionReport {
                delivered_start: day(0), delivered_end: day(1), days_delivered: *d, lead_consultant_id: "c".into(),
                summary: "s".repeat(20), deliverables: vec![],
            }),
            ..assigned()
        }).collect();
        let amount = claim_amount(&vouchers, desktop()).unwrap();
        let expected: i64 = days.iter().map(|d| i64::from(*d) * desktop().daily_rate.minor_units).sum();
        prop_assert_eq!(amount.minor_units, expected);
        prop_assert_eq!(amount.currency, desktop().daily_rate.currency);
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
