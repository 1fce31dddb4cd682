//! The one conformance suite every [`Store`] backend passes (SPEC §13). Each check takes a
//! fresh, empty store; [`conformance_suite!`] turns them into tests for one backend.
//!
//! Fixtures are built with saps-core's own rules wherever the store would meet their output
//! (assignment, reservation, redemption, claims); where a check needs vouchers further along,
//! it stores them in that state directly, since the store never judges states.

#![allow(dead_code)]

use chrono::{Days, NaiveDate};
use saps_core::access::Grant;
use saps_core::access::grants::AccessChange;
use saps_core::calendar;
use saps_core::catalog::Catalog;
use saps_core::claim::{self, Claim, ClaimDecision, ClaimRequest, ClaimState};
use saps_core::completion::{CompletionReport, Deliverable, MediaType};
use saps_core::customer::{Customer, Entitlement};
use saps_core::directory::{self, Profile, SearchForm};
use saps_core::enrollment::{Enrollment, Location};
use saps_core::redemption;
use saps_core::value::{
    ClaimId, CustomerId, Email, LocationId, PartnerId, ProgramId, Sha256, VoucherNumber,
};
use saps_core::voucher::{
    self, Actor, AssignForm, CancelReason, CustomerNotification, EventKind, HistoryEntry,
    Reservation, ReservationForm, StateFilter, Transition, UploadEffect, Voucher, VoucherEvent,
    VoucherState, World,
};
use saps_lambda::store::directory as store_directory;
use saps_lambda::store::vouchers as store_vouchers;
use saps_lambda::store::{
    ClaimQuery, Commit, ConflictItem, CustomerAccount, Engagements, IdempotencyRecord, Partner,
    PartnerSave, ProgramSave, Store, StoreError, Upload, VoucherQuery,
};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Generates one `#[tokio::test]` per check, each on a store from `$make` (an async
/// expression yielding `Arc<dyn Store>`).
#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        $crate::conformance_suite!(@tests $make;
            round_trips, conditional_conflicts, commits_are_all_or_nothing,
            reservation_race_has_one_winner, redemption_batch_is_all_or_nothing,
            claim_creation_is_idempotent, claim_decisions_are_versioned,
            voucher_pagination_has_no_gaps, directory_pagination_matches_core,
            directory_follows_profile_and_enrollments, history_is_append_only,
            expired_idempotency_keys_are_free_again, uploads_are_capped_atomically,
            catalog_programs_are_versioned, fifteen_day_cap_race_has_one_winner,
            redeemed_programs_are_recorded_once, claims_list_by_partner_and_state,
            customer_accounts_are_versioned);
    };
    (@tests $make:expr; $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let store: std::sync::Arc<dyn saps_lambda::store::Store> = $make.await;
                conformance::$check(store).await;
            }
        )*
    };
}

pub fn catalog() -> &'static Catalog {
    Catalog::sample().expect("sample catalog")
}

pub fn date(text: &str) -> NaiveDate {
    calendar::parse_date(text).expect("date")
}

pub const TODAY: &str = "2026-06-01";

pub fn today() -> NaiveDate {
    date(TODAY)
}

pub fn partner_id(id: &str) -> PartnerId {
    PartnerId::parse(id).expect("partner id")
}

pub fn number(text: &str) -> VoucherNumber {
    VoucherNumber::parse(text).expect("voucher number")
}

pub fn admin(partner: &str) -> Actor {
    Actor::PartnerAdmin {
        partner_id: partner_id(partner),
    }
}

fn program() -> ProgramId {
    ProgramId::parse("desktop").expect("program")
}

/// An approved location `id` in the United States.
pub fn location(id: &str) -> saps_core::enrollment::Location {
    saps_core::enrollment::Location {
        location_id: LocationId::parse(id).expect("location id"),
        name: format!("Site {id}"),
        country: Some("US".into()),
    }
}

/// A voucher assigned by core's `assign` rule on `created_on`.
pub fn assigned(
    voucher_number: &str,
    partner: &str,
    created_on: NaiveDate,
) -> (Voucher, HistoryEntry) {
    let form = AssignForm {
        voucher_number: Some(voucher_number.into()),
        program_id: Some("desktop".into()),
        days: Some(5),
        customer_name: Some("Contoso Ltd".into()),
        admin_email: Some("it-admin@contoso.example".into()),
        partner_id: Some(partner.into()),
        customer_id: None,
    };
    voucher::assign(&form, catalog(), false, created_on).expect("assign")
}

/// An active enrollment in desktop around [`TODAY`].
pub fn enrollment() -> Enrollment {
    Enrollment {
        program_id: program(),
        location_ids: vec![LocationId::parse("11").expect("location")],
        enrolled_on: date("2026-01-01"),
        expires_on: date("2027-01-01"),
        renewed_on: None,
        withdrawn_on: None,
    }
}

/// The partner's one location, enrolled by [`enrollment`], in China.
pub fn sites() -> Vec<Location> {
    vec![Location {
        location_id: LocationId::parse("11").expect("location"),
        name: "Contoso Shanghai".into(),
        country: Some("CN".into()),
    }]
}

/// Core's reservation of `voucher` by its partner on [`TODAY`].
pub fn reserve(voucher: &Voucher) -> Transition {
    reserve_among(voucher, &[]).expect("reserve")
}

/// Core's reservation of `voucher` on [`TODAY`], with the partner's other 15-day vouchers of
/// the customer as the cap's input.
pub fn reserve_among(
    voucher: &Voucher,
    engagements: &[Voucher],
) -> Result<Transition, saps_core::error::Rejection> {
    let request = ReservationForm {
        admin_email: Some("it-admin@contoso.example".into()),
        accept_terms: Some(true),
        engagement_start: Some("2026-06-10".into()),
        engagement_end: Some("2026-06-12".into()),
        location_id: Some("11".into()),
        customer_division: None,
    }
    .parse()
    .expect("reservation form");
    let enrollment = enrollment();
    let program = catalog().program(&voucher.program_id).expect("program");
    let sites = sites();
    let world = World {
        enrollment: Some(&enrollment),
        locations: &sites,
        engagements,
        ..World::new(today(), program)
    };
    let actor = admin(voucher.partner_id.as_ref().expect("a partner").as_str());
    voucher::transition(voucher, &VoucherEvent::Reserve(request), &actor, &world)
}

/// Core's cancellation of `voucher`'s reservation on [`TODAY`].
pub fn cancel(voucher: &Voucher) -> Transition {
    let program = catalog().program(&voucher.program_id).expect("program");
    let actor = admin(voucher.partner_id.as_ref().expect("a partner").as_str());
    let enrollment = enrollment();
    let world = World {
        enrollment: Some(&enrollment),
        ..World::new(today(), program)
    };
    voucher::transition(
        voucher,
        &VoucherEvent::CancelReservation(CancelReason::OfferChanged),
        &actor,
        &world,
    )
    .expect("cancel")
}

fn deliverable() -> Deliverable {
    Deliverable {
        file_name: "plan.pdf".into(),
        media_type: MediaType::Pdf,
        size: 1024,
        sha256: Sha256::parse(&"ab".repeat(32)).expect("sha"),
    }
}

/// A voucher stored as `completed`, with its report, as the first version the store sees.
pub fn completed(voucher_number: &str, partner: &str) -> (Voucher, HistoryEntry) {
    let (mut voucher, mut history) = assigned(voucher_number, partner, date("2026-05-01"));
    voucher.state = VoucherState::Completed;
    // The first line says how the voucher came to be stored in this state.
    history.to = VoucherState::Completed;
    history.detail = Some("fixture: stored as completed".into());
    voucher.reservation = Some(Reservation {
        reserved_on: date("2026-05-02"),
        engagement_start: date("2026-05-10"),
        engagement_end: date("2026-05-12"),
        location_id: Some(LocationId::parse("11").expect("location")),
        country: Some("CN".into()),
        customer_division: None,
    });
    voucher.completion_report = Some(CompletionReport {
        delivered_start: date("2026-05-10"),
        delivered_end: date("2026-05-12"),
        days_delivered: 3,
        lead_consultant_id: "c-1".into(),
        summary: "Deployment plan delivered to the customer".into(),
        deliverables: vec![deliverable()],
    });
    (voucher, history)
}

pub async fn insert(store: &dyn Store, vouchers: Vec<(Voucher, HistoryEntry)>) {
    for chunk in vouchers.chunks(50) {
        store
            .commit(Commit {
                new_vouchers: chunk.to_vec(),
                ..Commit::default()
            })
            .await
            .expect("insert vouchers");
    }
}

pub async fn apply(store: &dyn Store, transition: Transition) -> Result<(), StoreError> {
    store
        .commit(Commit {
            transitions: vec![transition],
            ..Commit::default()
        })
        .await
}

pub async fn load(store: &dyn Store, voucher_number: &str) -> Voucher {
    store
        .voucher(&number(voucher_number))
        .await
        .expect("read")
        .expect("voucher exists")
}

/// How many history lines and outbox entries a voucher has.
pub async fn line_counts(store: &dyn Store, number: &VoucherNumber) -> (usize, usize) {
    (
        store.history(number).await.unwrap().len(),
        store.notifications(number).await.unwrap().len(),
    )
}

/// What the API does to redeem `selection`: one batch read, core's decision, one commit.
pub async fn redeem(store: &dyn Store, selection: &[VoucherNumber]) -> Result<(), StoreError> {
    let current = store.vouchers(selection).await.unwrap();
    let transitions = redemption::redeem(
        selection,
        &current,
        &[enrollment()],
        &admin("1001"),
        catalog(),
        today(),
    )
    .unwrap();
    store
        .commit(Commit {
            transitions,
            ..Commit::default()
        })
        .await
}

pub fn profile(name: &str, countries: &[&str], languages: &[&str]) -> Profile {
    Profile {
        company_name: name.into(),
        description: String::new(),
        website: "https://example.com".into(),
        contact_email: Email::parse("sales@example.com").expect("email"),
        phone: None,
        countries: countries.iter().map(|c| (*c).to_owned()).collect(),
        languages: languages.iter().map(|l| (*l).to_owned()).collect(),
    }
}

pub async fn save_partner(
    store: &dyn Store,
    previous: Option<Partner>,
    next: Partner,
) -> Result<(), StoreError> {
    store
        .commit(Commit {
            partner: Some(PartnerSave { previous, next }),
            ..Commit::default()
        })
        .await
}

fn is_conflict(result: &Result<(), StoreError>, expected: &ConflictItem) -> bool {
    matches!(result, Err(StoreError::Conflict { item, .. }) if item == expected)
}

fn idempotency(key: &str, body: &str) -> IdempotencyRecord {
    IdempotencyRecord {
        scope: "1001 POST /v1/claims".into(),
        key: key.into(),
        request_sha256: "0".repeat(64),
        status: 201,
        body: body.into(),
        written_at: KEYS_WRITTEN_AT,
        expires_at: KEYS_WRITTEN_AT + DAY,
    }
}

/// A deliverable under a new name, capped at 20.
pub fn new_upload(number: &VoucherNumber, deliverable: Deliverable) -> Upload {
    Upload {
        voucher_number: number.clone(),
        deliverable,
        effect: UploadEffect::Adds,
        at_most: 20,
    }
}

/// Twenty files under new names fit; a 21st does not, even when all race at once; a name that
/// is there is replaced, and one that is not cannot be.
pub async fn uploads_are_capped_atomically(store: Arc<dyn Store>) {
    let (voucher, history) = assigned("SAPS0300CAP", "1001", today());
    insert(store.as_ref(), vec![(voucher.clone(), history)]).await;
    let number = voucher.voucher_number.clone();
    let named = |i: usize| Deliverable {
        file_name: format!("part-{i:02}.pdf"),
        ..deliverable()
    };
    let racing = (0..24).map(|i| {
        let store = store.clone();
        let upload = new_upload(&number, named(i));
        tokio::spawn(async move {
            store
                .commit(Commit {
                    uploads: vec![upload],
                    ..Commit::default()
                })
                .await
        })
    });
    let mut stored = 0;
    for result in futures_util::future::join_all(racing).await {
        match result.unwrap() {
            Ok(()) => stored += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    let held = store.uploads(&number).await.unwrap();
    assert_eq!(held.len(), stored, "every acknowledged upload is held");
    assert!(stored <= 20, "{stored} uploads passed a cap of 20");
    // Whatever the race left, the cap is reachable and then holds.
    for i in 100..120 {
        let _ = store
            .commit(Commit {
                uploads: vec![new_upload(&number, named(i))],
                ..Commit::default()
            })
            .await;
    }
    assert_eq!(store.uploads(&number).await.unwrap().len(), 20);
    assert!(
        store
            .uploaded_digests()
            .await
            .unwrap()
            .contains(&deliverable().sha256),
        "the blob sweep sees the uploads"
    );
    let replace = |name: &str, size: u64| Upload {
        effect: UploadEffect::Replaces,
        ..new_upload(
            &number,
            Deliverable {
                file_name: name.into(),
                size,
                ..deliverable()
            },
        )
    };
    let first = held_name(&store.uploads(&number).await.unwrap());
    store
        .commit(Commit {
            uploads: vec![replace(&first, 99)],
            ..Commit::default()
        })
        .await
        .unwrap();
    let after = store.uploads(&number).await.unwrap();
    assert_eq!(after.len(), 20);
    assert_eq!(
        after.iter().find(|d| d.file_name == first).unwrap().size,
        99
    );
    let missing = store
        .commit(Commit {
            uploads: vec![replace("never-uploaded.pdf", 1)],
            ..Commit::default()
        })
        .await;
    assert!(
        matches!(missing, Err(StoreError::Conflict { .. })),
        "{missing:?}"
    );
}

fn held_name(held: &[Deliverable]) -> String {
    held.first()
        .map(|d| d.file_name.clone())
        .unwrap_or_default()
}

/// When the suite's idempotency records are written (Unix seconds), and a day.
pub const KEYS_WRITTEN_AT: u64 = 1_780_000_000;
pub const DAY: u64 = 86_400;

/// A commit of only an idempotency record for `key`, written at `at` for a day.
pub fn key_only(key: &str, body: &str, at: u64) -> Commit {
    Commit {
        idempotency: Some(IdempotencyRecord {
            written_at: at,
            expires_at: at + DAY,
            ..idempotency(key, body)
        }),
        ..Commit::default()
    }
}

/// A live key is taken; once its record has expired, the key takes a new record.
pub async fn expired_idempotency_keys_are_free_again(store: Arc<dyn Store>) {
    let t = KEYS_WRITTEN_AT;
    store.commit(key_only("ttl-1", "first", t)).await.unwrap();
    let taken = store.commit(key_only("ttl-1", "second", t + DAY - 1)).await;
    assert!(
        matches!(taken, Err(StoreError::Conflict { .. })),
        "a live key was overwritten: {taken:?}"
    );
    let stored = store
        .idempotency("1001 POST /v1/claims", "ttl-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.body.as_str(), stored.expires_at),
        ("first", t + DAY)
    );
    assert!(!stored.expired(t + DAY - 1) && stored.expired(t + DAY));
    store
        .commit(key_only("ttl-1", "second", t + DAY))
        .await
        .unwrap();
    let stored = store
        .idempotency("1001 POST /v1/claims", "ttl-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.body.as_str(), stored.expires_at),
        ("second", t + 2 * DAY)
    );
}

// ---------------------------------------------------------------------------------------------

pub async fn round_trips(store: Arc<dyn Store>) {
    let store = &*store;
    // Partner: absent, then version 1, then 2.
    let id = partner_id("1001");
    assert_eq!(store.partner(&id).await.unwrap(), None);
    let mut first = Partner::new(id.clone()).next_version();
    first.locations = vec![location("11")];
    first.enrollments = vec![enrollment()];
    first.profile = Some(profile("Contoso Consulting", &["US"], &["en"]));
    save_partner(store, None, first.clone()).await.unwrap();
    assert_eq!(store.partner(&id).await.unwrap(), Some(first.clone()));
    let mut second = first.next_version();
    second.profile = Some(profile(
        "Contoso Consulting Group",
        &["US", "CN"],
        &["en", "zh"],
    ));
    save_partner(store, Some(first), second.clone())
        .await
        .unwrap();
    assert_eq!(store.partner(&id).await.unwrap(), Some(second));

    // Voucher: assigned, reserved (with its notification), uploads.
    let (voucher, history) = assigned("SAPS-0001-TEST", "1001", today());
    insert(store, vec![(voucher.clone(), history.clone())]).await;
    assert_eq!(load(store, "SAPS0001TEST").await, voucher);
    let reserved = reserve(&voucher);
    apply(store, reserved.clone()).await.unwrap();
    assert_eq!(load(store, "SAPS0001TEST").await, reserved.voucher);
    assert_eq!(
        store.history(&voucher.voucher_number).await.unwrap(),
        vec![history, reserved.history.clone()]
    );
    let notification = reserved
        .notification
        .clone()
        .expect("reserve notifies the customer");
    assert_eq!(
        store.notifications(&voucher.voucher_number).await.unwrap(),
        vec![notification]
    );
    store
        .commit(Commit {
            uploads: vec![new_upload(&voucher.voucher_number, deliverable())],
            ..Commit::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.uploads(&voucher.voucher_number).await.unwrap(),
        vec![deliverable()]
    );
    assert_eq!(store.voucher(&number("NOSUCHVOUCHER")).await.unwrap(), None);
    let both = store
        .vouchers(&[
            number("NOSUCHVOUCHER"),
            voucher.voucher_number.clone(),
            voucher.voucher_number.clone(),
        ])
        .await
        .unwrap();
    assert_eq!(both, vec![reserved.voucher.clone()]);

    // Claim and idempotency record.
    let claim_id = ClaimId::parse("c1").expect("claim id");
    assert_eq!(store.claim(&claim_id).await.unwrap(), None);
    let record = idempotency("key-1", r#"{"claimId":"c1"}"#);
    store
        .commit(Commit {
            idempotency: Some(record.clone()),
            ..Commit::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.idempotency(&record.scope, "key-1").await.unwrap(),
        Some(record.clone())
    );
    assert_eq!(
        store
            .idempotency("1002 POST /v1/claims", "key-1")
            .await
            .unwrap(),
        None
    );
}

pub async fn conditional_conflicts(store: Arc<dyn Store>) {
    let store = &*store;
    let id = partner_id("1001");
    let first = Partner::new(id.clone()).next_version();
    save_partner(store, None, first.clone()).await.unwrap();
    // A second "new" partner with the same id.
    let again = save_partner(store, None, first.clone()).await;
    assert!(
        is_conflict(&again, &ConflictItem::Partner(id.clone())),
        "{again:?}"
    );
    // Two writers from version 1: the second loses.
    let mut a = first.next_version();
    a.locations = vec![location("1")];
    let mut b = first.next_version();
    b.locations = vec![location("2")];
    save_partner(store, Some(first.clone()), a.clone())
        .await
        .unwrap();
    let lost = save_partner(store, Some(first), b).await;
    assert!(
        is_conflict(&lost, &ConflictItem::Partner(id.clone())),
        "{lost:?}"
    );
    assert_eq!(store.partner(&id).await.unwrap(), Some(a));

    // A voucher number is assigned once.
    let (voucher, history) = assigned("SAPS0002TEST", "1001", today());
    insert(store, vec![(voucher.clone(), history.clone())]).await;
    let (other, other_history) = assigned("SAPS0002TEST", "1002", today());
    let taken = store
        .commit(Commit {
            new_vouchers: vec![(other, other_history)],
            ..Commit::default()
        })
        .await;
    assert!(
        is_conflict(
            &taken,
            &ConflictItem::Voucher(voucher.voucher_number.clone())
        ),
        "{taken:?}"
    );
    assert_eq!(load(store, "SAPS0002TEST").await, voucher);

    // A transition computed from a stale version.
    let reserved = reserve(&voucher);
    apply(store, reserved.clone()).await.unwrap();
    let stale = apply(store, reserve(&voucher)).await;
    assert!(
        is_conflict(
            &stale,
            &ConflictItem::Voucher(voucher.voucher_number.clone())
        ),
        "{stale:?}"
    );
    assert_eq!(load(store, "SAPS0002TEST").await, reserved.voucher);
    assert_eq!(line_counts(store, &voucher.voucher_number).await, (2, 1));

    // An idempotency key is used once.
    let record = idempotency("key-1", "first");
    let commit = |record: IdempotencyRecord| Commit {
        idempotency: Some(record),
        ..Commit::default()
    };
    store.commit(commit(record.clone())).await.unwrap();
    let reused = store.commit(commit(idempotency("key-1", "second"))).await;
    assert!(
        is_conflict(&reused, &ConflictItem::IdempotencyKey("key-1".into())),
        "{reused:?}"
    );
    assert_eq!(
        store.idempotency(&record.scope, "key-1").await.unwrap(),
        Some(record)
    );
}

pub async fn commits_are_all_or_nothing(store: Arc<dyn Store>) {
    let store = &*store;
    let id = partner_id("1001");
    let first = Partner::new(id.clone()).next_version();
    save_partner(store, None, first.clone()).await.unwrap();
    let (voucher, history) = assigned("SAPS0003TEST", "1001", today());
    insert(store, vec![(voucher.clone(), history)]).await;
    let reserved = reserve(&voucher);
    apply(store, reserved.clone()).await.unwrap();

    // A good partner save, a new voucher, an upload and a key, with one stale transition.
    let mut next = first.next_version();
    next.profile = Some(profile("Fabrikam", &["DE"], &["de"]));
    next.enrollments = vec![enrollment()];
    let (fresh, fresh_history) = assigned("SAPS0004TEST", "1001", today());
    let failed = store
        .commit(Commit {
            partner: Some(PartnerSave {
                previous: Some(first.clone()),
                next,
            }),
            new_vouchers: vec![(fresh.clone(), fresh_history)],
            transitions: vec![reserve(&voucher)],
            uploads: vec![new_upload(&fresh.voucher_number, deliverable())],
            idempotency: Some(idempotency("key-2", "never")),
            claim: None,
            programs: vec![program_save(9, "project-server", 1)],
            engagements: Some(
                Engagements::of(&fresh)
                    .unwrap()
                    .reserving(&fresh.voucher_number),
            ),
            redeemed_programs: vec![(id.clone(), program())],
            access_change: Some(AccessChange {
                on: today(),
                by: "ana@contoso.example".into(),
                user_sub: "li@contoso.example".into(),
                before: vec![],
                after: vec![Grant::VoucherTool],
            }),
            customer: Some(CustomerAccount {
                customer: customer("5001"),
                voucher_numbers: vec![fresh.voucher_number.clone()],
            }),
            notifications: vec![CustomerNotification {
                voucher_number: fresh.voucher_number.clone(),
                to: Email::parse("sa-admin@litware.example").unwrap(),
                event: EventKind::Create,
                on: today(),
                detail: "desktop, 5 days".into(),
            }],
        })
        .await;
    assert!(
        is_conflict(
            &failed,
            &ConflictItem::Voucher(voucher.voucher_number.clone())
        ),
        "{failed:?}"
    );
    assert_eq!(store.partner(&id).await.unwrap(), Some(first));
    assert_eq!(store.voucher(&fresh.voucher_number).await.unwrap(), None);
    assert_eq!(store.uploads(&fresh.voucher_number).await.unwrap(), vec![]);
    assert_eq!(
        store
            .idempotency("1001 POST /v1/claims", "key-2")
            .await
            .unwrap(),
        None
    );
    assert_eq!(load(store, "SAPS0003TEST").await, reserved.voucher);
    assert_eq!(store.programs().await.unwrap(), vec![]);
    assert_eq!(
        store
            .customer(&CustomerId::parse("5001").unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.notifications(&fresh.voucher_number).await.unwrap(),
        vec![]
    );
    assert_eq!(
        store
            .engagements(&Engagements::of(&fresh).unwrap())
            .await
            .unwrap(),
        None
    );
    let listed = store_directory::search(
        store,
        catalog(),
        &SearchForm::default().parse(catalog()).unwrap(),
        today(),
    )
    .await
    .unwrap();
    assert!(
        listed.items.is_empty(),
        "the failed save must not reach the directory"
    );
}

pub async fn reservation_race_has_one_winner(store: Arc<dyn Store>) {
    let (voucher, history) = assigned("SAPS0005RACE", "1001", today());
    insert(&*store, vec![(voucher.clone(), history)]).await;
    let start = Arc::new(tokio::sync::Barrier::new(32));
    let racers: Vec<_> = (0..32)
        .map(|_| {
            let store = Arc::clone(&store);
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                // Each racer reads, decides with core, then waits so all commit together.
                let current = load(&*store, "SAPS0005RACE").await;
                let transition = reserve(&current);
                start.wait().await;
                apply(&*store, transition).await
            })
        })
        .collect();
    let mut wins = 0;
    for racer in racers {
        match racer.await.expect("racer finished") {
            Ok(()) => wins += 1,
            Err(StoreError::Conflict { item, .. }) => {
                assert_eq!(item, ConflictItem::Voucher(voucher.voucher_number.clone()));
            }
            Err(other) => panic!("a racer failed otherwise: {other}"),
        }
    }
    assert_eq!(wins, 1, "exactly one reservation wins");
    let stored = load(&*store, "SAPS0005RACE").await;
    assert_eq!((stored.state, stored.version), (VoucherState::Reserved, 2));
    assert_eq!(line_counts(&*store, &voucher.voucher_number).await, (2, 1));
}

/// Two 15-day vouchers of one customer, reserved by racers at once: the engagements item is
/// written on its version with each reservation, so one reservation wins, and afterwards
/// core refuses the other voucher from what the store reads.
pub async fn fifteen_day_cap_race_has_one_winner(store: Arc<dyn Store>) {
    let numbers = ["SAPS0006CAP", "SAPS0007CAP"];
    let mut fifteen = Vec::new();
    for n in numbers {
        let (mut voucher, history) = assigned(n, "1001", today());
        voucher.days = 15;
        fifteen.push((voucher, history));
    }
    insert(&*store, fifteen).await;
    let reserve_with_cap = |store: Arc<dyn Store>, n: &'static str| async move {
        let voucher = load(&*store, n).await;
        let empty = Engagements::of(&voucher).unwrap();
        let held = store.engagements(&empty).await?.unwrap_or(empty);
        let others = store.vouchers(&held.voucher_numbers).await?;
        Ok::<_, StoreError>((voucher, held, others))
    };
    let start = Arc::new(tokio::sync::Barrier::new(16));
    let racers: Vec<_> = (0..16)
        .map(|i| {
            let store = Arc::clone(&store);
            let start = Arc::clone(&start);
            let n = numbers[i % 2];
            tokio::spawn(async move {
                let (voucher, held, others) = reserve_with_cap(Arc::clone(&store), n).await?;
                let transition = reserve_among(&voucher, &others).expect("nothing held yet");
                start.wait().await;
                store
                    .commit(Commit {
                        transitions: vec![transition],
                        engagements: Some(held.reserving(&voucher.voucher_number)),
                        ..Commit::default()
                    })
                    .await
            })
        })
        .collect();
    let mut wins = 0;
    for racer in racers {
        match racer.await.expect("racer finished") {
            Ok(()) => wins += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(other) => panic!("a racer failed otherwise: {other}"),
        }
    }
    assert_eq!(wins, 1, "exactly one 15-day reservation wins");
    let stored = store
        .engagements(&Engagements::of(&load(&*store, numbers[0]).await).unwrap())
        .await
        .unwrap()
        .expect("engagements stored");
    assert_eq!((stored.version, stored.voucher_numbers.len()), (1, 1));
    let loser = numbers
        .into_iter()
        .find(|n| stored.voucher_numbers[0].as_str() != *n)
        .expect("a loser");
    let (voucher, _, others) = reserve_with_cap(Arc::clone(&store), loser).await.unwrap();
    let refused = reserve_among(&voucher, &others).expect_err("the cap is reached");
    assert_eq!(
        refused.problems()[0].kind.code(),
        "voucher.fifteenDayCapReached"
    );
}

/// A redemption records its partner's program by key; recording it again (a later batch)
/// changes nothing and conflicts with nothing.
pub async fn redeemed_programs_are_recorded_once(store: Arc<dyn Store>) {
    let partner = partner_id("1001");
    assert!(!store.has_redeemed(&partner, &program()).await.unwrap());
    for _ in 0..2 {
        store
            .commit(Commit {
                redeemed_programs: vec![(partner.clone(), program())],
                ..Commit::default()
            })
            .await
            .unwrap();
        assert!(store.has_redeemed(&partner, &program()).await.unwrap());
    }
    let other = ProgramId::parse("sharepoint").expect("program");
    assert!(!store.has_redeemed(&partner, &other).await.unwrap());
    assert!(
        !store
            .has_redeemed(&partner_id("1002"), &program())
            .await
            .unwrap()
    );
}

fn stored_claim(id: &str, partner: &str, state: ClaimState, submitted_on: &str) -> Claim {
    Claim {
        claim_id: ClaimId::parse(id).expect("claim id"),
        partner_id: partner_id(partner),
        program_id: program(),
        country: Some("CN".into()),
        invoice_number: format!("INV-{id}"),
        voucher_numbers: vec![number("SAPS0001LIST")],
        amount: saps_core::value::Money {
            minor_units: 84_000,
            currency: saps_core::value::Currency::parse("USD").expect("currency"),
        },
        state,
        submitted_on: date(submitted_on),
        decided_on: None,
        payment_reference: None,
        rejection_reason: None,
        version: 1,
    }
}

/// Every page of `query`, walked with its cursors.
async fn all_claims(store: &dyn Store, query: &ClaimQuery) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.claims(query, cursor.as_deref()).await.unwrap();
        assert!(page.items.len() <= query.limit);
        ids.extend(page.items.iter().map(|c| c.claim_id.to_string()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
}

/// The claims lists (SPEC §15.7) read by index: a partner's, in a state or all, and the program
/// admin's queue of a state across partners; oldest first, pages without gaps, and a claim
/// moves between state lists when it is decided.
pub async fn claims_list_by_partner_and_state(store: Arc<dyn Store>) {
    let store = &*store;
    let claims = [
        stored_claim("L-3", "1001", ClaimState::Submitted, "2026-05-03"),
        stored_claim("L-1", "1001", ClaimState::Submitted, "2026-05-01"),
        stored_claim("L-2", "1001", ClaimState::Approved, "2026-05-02"),
        stored_claim("L-4", "1002", ClaimState::Submitted, "2026-05-02"),
        stored_claim("L-5", "1001", ClaimState::Paid, "2026-04-30"),
    ];
    for claim in &claims {
        store
            .commit(Commit {
                claim: Some(claim.clone()),
                ..Commit::default()
            })
            .await
            .unwrap();
    }
    let query = |partner: Option<&str>, state: Option<ClaimState>, limit: usize| ClaimQuery {
        partner: partner.map(partner_id),
        state,
        limit,
    };
    for limit in [1, 2, 50] {
        assert_eq!(
            all_claims(store, &query(Some("1001"), None, limit)).await,
            ["L-5", "L-1", "L-2", "L-3"],
            "partner 1001, pages of {limit}"
        );
        assert_eq!(
            all_claims(
                store,
                &query(Some("1001"), Some(ClaimState::Submitted), limit)
            )
            .await,
            ["L-1", "L-3"]
        );
        assert_eq!(
            all_claims(store, &query(None, Some(ClaimState::Submitted), limit)).await,
            ["L-1", "L-4", "L-3"],
            "the queue across partners"
        );
        assert_eq!(
            all_claims(store, &query(None, None, limit)).await,
            ["L-5", "L-1", "L-2", "L-4", "L-3"]
        );
    }
    assert_eq!(
        all_claims(store, &query(Some("1002"), Some(ClaimState::Approved), 5)).await,
        Vec::<String>::new()
    );
    // Approving L-1 moves it from the submitted lists to the approved ones.
    let mut approved = claims[1].clone();
    approved.state = ClaimState::Approved;
    approved.version = 2;
    store
        .commit(Commit {
            claim: Some(approved),
            ..Commit::default()
        })
        .await
        .unwrap();
    assert_eq!(
        all_claims(store, &query(None, Some(ClaimState::Submitted), 10)).await,
        ["L-4", "L-3"]
    );
    assert_eq!(
        all_claims(store, &query(Some("1001"), Some(ClaimState::Approved), 10)).await,
        ["L-1", "L-2"]
    );
    let bad = store
        .claims(&query(None, None, 5), Some("not-a-cursor"))
        .await;
    assert!(matches!(bad, Err(StoreError::InvalidCursor)), "{bad:?}");
}

fn batch_numbers(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i:04}")).collect()
}

pub async fn redemption_batch_is_all_or_nothing(store: Arc<dyn Store>) {
    let store = &*store;
    let numbers = batch_numbers("SAPSBATCH", 25);
    insert(
        store,
        numbers.iter().map(|n| completed(n, "1001")).collect(),
    )
    .await;
    let selection: Vec<VoucherNumber> = numbers.iter().map(|n| number(n)).collect();
    let before = store.vouchers(&selection).await.unwrap();
    assert_eq!(before.len(), 25);
    let transitions = redemption::redeem(
        &selection,
        &before,
        &[enrollment()],
        &admin("1001"),
        catalog(),
        today(),
    )
    .expect("redeemable");

    // Meanwhile one voucher of the batch is redeemed on its own.
    let lone = redemption::redeem(
        &selection[12..13],
        &before,
        &[enrollment()],
        &admin("1001"),
        catalog(),
        today(),
    )
    .unwrap();
    store
        .commit(Commit {
            transitions: lone,
            ..Commit::default()
        })
        .await
        .unwrap();
    let batch = store
        .commit(Commit {
            transitions: transitions.clone(),
            ..Commit::default()
        })
        .await;
    assert!(
        is_conflict(&batch, &ConflictItem::Voucher(selection[12].clone())),
        "{batch:?}"
    );
    let after = store.vouchers(&selection).await.unwrap();
    for (i, (old, new)) in before.iter().zip(&after).enumerate() {
        if i == 12 {
            assert_eq!(new.state, VoucherState::Redeemed);
        } else {
            assert_eq!(old, new, "voucher {i} must be unchanged");
            assert_eq!(store.history(&old.voucher_number).await.unwrap().len(), 1);
        }
    }

    // Without the interference the whole batch goes through.
    let others: Vec<VoucherNumber> = selection
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 12)
        .map(|(_, n)| n.clone())
        .collect();
    redeem(store, &others).await.unwrap();
    let after = store.vouchers(&selection).await.unwrap();
    assert!(
        after
            .iter()
            .all(|v| v.state == VoucherState::Redeemed && v.version == 2)
    );
}

async fn redeemed_batch(store: &dyn Store, prefix: &str, count: usize) -> Vec<Voucher> {
    let numbers = batch_numbers(prefix, count);
    insert(
        store,
        numbers.iter().map(|n| completed(n, "1001")).collect(),
    )
    .await;
    let selection: Vec<VoucherNumber> = numbers.iter().map(|n| number(n)).collect();
    redeem(store, &selection).await.unwrap();
    store.vouchers(&selection).await.unwrap()
}

fn claim_commit(vouchers: &[Voucher], claim_id: &str, key: &str) -> Commit {
    let request = ClaimRequest {
        voucher_numbers: vouchers.iter().map(|v| v.voucher_number.clone()).collect(),
        invoice_number: "INV-2026-001".into(),
    };
    let claim_id = ClaimId::parse(claim_id).expect("claim id");
    let outcome = claim::create_claim(
        &request,
        vouchers,
        &[program()],
        &admin("1001"),
        catalog(),
        &claim_id,
        today(),
    )
    .expect("claimable");
    Commit {
        claim: Some(outcome.claim.clone()),
        transitions: outcome.vouchers,
        idempotency: Some(IdempotencyRecord {
            body: serde_json::to_string(&outcome.claim).unwrap(),
            ..idempotency(key, "")
        }),
        ..Commit::default()
    }
}

pub async fn claim_creation_is_idempotent(store: Arc<dyn Store>) {
    let vouchers = redeemed_batch(&*store, "SAPSCLAIM", 25).await;
    let first = claim_commit(&vouchers, "claim-1", "retry-key");
    let retry = claim_commit(&vouchers, "claim-2", "retry-key");
    store.commit(first.clone()).await.unwrap();
    // The retry reaches the store with a new claim id but the same key: nothing is written.
    let again = store.commit(retry).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let stored = store
        .idempotency("1001 POST /v1/claims", "retry-key")
        .await
        .unwrap()
        .expect("key stored");
    assert_eq!(Some(stored), first.idempotency);
    assert_eq!(
        store
            .claim(&ClaimId::parse("claim-2").unwrap())
            .await
            .unwrap(),
        None
    );
    let claim = store
        .claim(&ClaimId::parse("claim-1").unwrap())
        .await
        .unwrap()
        .expect("one claim");
    assert_eq!(claim.voucher_numbers.len(), 25);
    let numbers: Vec<VoucherNumber> = vouchers.iter().map(|v| v.voucher_number.clone()).collect();
    for voucher in store.vouchers(&numbers).await.unwrap() {
        assert_eq!(voucher.state, VoucherState::Claimed);
        assert_eq!(
            voucher.claim_id.as_ref().map(ClaimId::as_str),
            Some("claim-1")
        );
    }
    // Two racing first attempts with one key: one claim.
    let more = redeemed_batch(&*store, "SAPSCLAIMB", 10).await;
    let (a, b) = (
        claim_commit(&more, "claim-3", "race-key"),
        claim_commit(&more, "claim-4", "race-key"),
    );
    let (ra, rb) = tokio::join!(store.commit(a), store.commit(b));
    assert_eq!(
        usize::from(ra.is_ok()) + usize::from(rb.is_ok()),
        1,
        "{ra:?} {rb:?}"
    );
    let claims = [
        store
            .claim(&ClaimId::parse("claim-3").unwrap())
            .await
            .unwrap(),
        store
            .claim(&ClaimId::parse("claim-4").unwrap())
            .await
            .unwrap(),
    ];
    assert_eq!(claims.iter().flatten().count(), 1);
}

pub async fn claim_decisions_are_versioned(store: Arc<dyn Store>) {
    let vouchers = redeemed_batch(&*store, "SAPSPAY", 3).await;
    let created = claim_commit(&vouchers, "claim-9", "pay-key");
    store.commit(created.clone()).await.unwrap();
    let claim = created.claim.clone().unwrap();
    let numbers: Vec<VoucherNumber> = vouchers.iter().map(|v| v.voucher_number.clone()).collect();
    let claimed = store.vouchers(&numbers).await.unwrap();
    let decide = |decision: ClaimDecision| {
        claim::decide(
            &claim,
            &decision,
            &claimed,
            &Actor::ProgramAdmin,
            catalog(),
            today(),
        )
        .expect("decidable")
    };
    let approved = decide(ClaimDecision::Approve);
    let rejected = decide(ClaimDecision::reject(Some("duplicate invoice")).unwrap());
    let commit = |outcome: saps_core::claim::ClaimOutcome| Commit {
        claim: Some(outcome.claim),
        transitions: outcome.vouchers,
        ..Commit::default()
    };
    store.commit(commit(approved.clone())).await.unwrap();
    let lost = store.commit(commit(rejected)).await;
    assert!(matches!(lost, Err(StoreError::Conflict { .. })), "{lost:?}");
    assert_eq!(
        store.claim(&claim.claim_id).await.unwrap(),
        Some(approved.claim)
    );
    assert!(
        store
            .vouchers(&numbers)
            .await
            .unwrap()
            .iter()
            .all(|v| v.state == VoucherState::Claimed)
    );
}

/// A program of the sample (`desktop`) stored as `id` at `version` and `position`.
fn program_save(position: u32, id: &str, version: u64) -> ProgramSave {
    let mut program = catalog().programs[0].clone();
    program.id = ProgramId::parse(id).unwrap();
    program.version = version;
    ProgramSave { position, program }
}

/// The catalog (SPEC §15.1): programs come back in position order whatever their ids, a new
/// id is written once, a change must replace the stored version, and a lost race writes
/// nothing.
pub async fn catalog_programs_are_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    assert_eq!(store.programs().await.unwrap(), vec![]);
    let write = |saves: Vec<ProgramSave>| {
        store.commit(Commit {
            programs: saves,
            ..Commit::default()
        })
    };
    write(vec![
        program_save(0, "zeta", 1),
        program_save(1, "alpha", 1),
        program_save(2, "mid", 1),
    ])
    .await
    .unwrap();
    let ids = |programs: Vec<saps_core::catalog::Program>| {
        programs
            .into_iter()
            .map(|p| (p.id.to_string(), p.version))
            .collect::<Vec<_>>()
    };
    let order = [("zeta", 1), ("alpha", 1), ("mid", 1)].map(|(id, v)| (id.to_owned(), v));
    assert_eq!(ids(store.programs().await.unwrap()), order);
    let taken = write(vec![program_save(3, "alpha", 1)]).await;
    let alpha = ConflictItem::Program(ProgramId::parse("alpha").unwrap());
    assert!(is_conflict(&taken, &alpha), "{taken:?}");
    write(vec![program_save(1, "alpha", 2)]).await.unwrap();
    let stale = write(vec![program_save(1, "alpha", 2)]).await;
    assert!(is_conflict(&stale, &alpha), "{stale:?}");
    // Two changes racing from version 2: one wins.
    let (a, b) = tokio::join!(
        write(vec![program_save(1, "alpha", 3)]),
        write(vec![program_save(1, "alpha", 3)])
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    let order = [("zeta", 1), ("alpha", 3), ("mid", 1)].map(|(id, v)| (id.to_owned(), v));
    assert_eq!(ids(store.programs().await.unwrap()), order);
}

/// 1,000 vouchers of one partner in every state (some expired by date only), 100 of another.
fn many_vouchers() -> Vec<(Voucher, HistoryEntry)> {
    let stored = VoucherState::ALL;
    let mut all = Vec::new();
    for i in 0..1100u64 {
        let partner = if i < 1000 { "1001" } else { "1002" };
        // Created over 250 days: expiry dates fall on both sides of TODAY, many on one day.
        let created = date("2025-10-01") + Days::new((i * 7) % 250);
        let (mut voucher, history) = assigned(&format!("SAPSPAGE{i:05}"), partner, created);
        voucher.state = stored[(i as usize) % stored.len()];
        all.push((voucher, history));
    }
    all
}

/// The sample catalog with two expiry extensions of desktop, the program of every voucher
/// here: 45 days for vouchers created before 2025-11-01 and 30 more for those created before
/// 2025-12-15, so effective expiries cross [`TODAY`] where stored ones do not.
pub fn extended_catalog() -> Catalog {
    let mut catalog: serde_json::Value =
        serde_json::from_str(saps_core::catalog::SAMPLE_CATALOG_JSON).expect("sample catalog");
    for program in catalog["programs"].as_array_mut().expect("programs") {
        if program["id"] == "desktop" {
            program["expiryExtensions"] = serde_json::json!([
                { "createdBefore": "2025-11-01", "days": 45, "reason": "first extension" },
                { "createdBefore": "2025-12-15", "days": 30, "reason": "second extension" }
            ]);
        }
    }
    Catalog::from_json(&catalog.to_string()).expect("extended catalog")
}

async fn page_all(
    store: &dyn Store,
    catalog: &Catalog,
    partner: &str,
    state: Option<VoucherState>,
    limit: usize,
) -> Vec<Voucher> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store_vouchers::partner_vouchers(
            store,
            catalog,
            &partner_id(partner),
            VoucherQuery {
                state,
                today: today(),
                limit,
                extension_days: 0,
            },
            cursor.as_deref(),
        )
        .await
        .unwrap();
        assert!(page.items.len() <= limit);
        seen.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
    }
}

pub async fn voucher_pagination_has_no_gaps(store: Arc<dyn Store>) {
    let store = &*store;
    let all = many_vouchers();
    insert(store, all.clone()).await;
    let mine: Vec<Voucher> = all
        .into_iter()
        .map(|(v, _)| v)
        .filter(|v| v.partner_id.as_ref().is_some_and(|p| p.as_str() == "1001"))
        .collect();
    let key = |v: &Voucher| (v.expires_on, v.voucher_number.clone());
    let extended = extended_catalog();
    let moved = mine
        .iter()
        .filter(|v| {
            v.effective_state_in(catalog(), today()) != v.effective_state_in(&extended, today())
        })
        .count();
    assert!(
        moved > 20,
        "the extensions must move vouchers across the day: {moved}"
    );
    for catalog in [catalog(), &extended] {
        for state in std::iter::once(None).chain(VoucherState::ALL.into_iter().map(Some)) {
            let listed = page_all(store, catalog, "1001", state, 37).await;
            let keys: Vec<_> = listed.iter().map(key).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                keys, sorted,
                "{state:?}: ordered by stored expiry then number, no duplicates"
            );
            let expected: BTreeSet<_> = voucher::list(&mine, StateFilter(state), catalog, today())
                .into_iter()
                .map(key)
                .collect();
            assert_eq!(
                keys.into_iter().collect::<BTreeSet<_>>(),
                expected,
                "{state:?}: no gaps, only partner 1001, as core reads each voucher"
            );
            if state.is_none() {
                assert_eq!(listed.len(), 1000);
            }
        }
    }
    let bogus = store
        .partner_vouchers(
            &partner_id("1001"),
            VoucherQuery {
                state: None,
                today: today(),
                limit: 5,
                extension_days: 0,
            },
            Some("not-a-cursor"),
        )
        .await;
    assert!(matches!(bogus, Err(StoreError::InvalidCursor)), "{bogus:?}");
}

/// 1,000 partners: names with case and duplicates, several countries and languages, some
/// enrollments withdrawn or long expired, some partners without a profile.
fn many_partners() -> Vec<Partner> {
    let programs = ["desktop", "private-cloud", "exchange"];
    let countries = ["US", "CN", "DE", "FR"];
    let languages = ["en", "zh", "de", "fr"];
    (0..1000u64)
        .map(|i| {
            let mut partner =
                Partner::new(partner_id(&format!("{}", 5000 + i * 13))).next_version();
            let name = match i % 4 {
                0 => format!("Contoso {}", i % 97),
                1 => format!("contoso {}", i % 89),
                2 => format!("Ärzte Partner {i}"),
                _ => format!("Fabrikam {}", i % 50),
            };
            let c = countries[(i % 4) as usize];
            let l = languages[((i / 4) % 4) as usize];
            partner.profile = (i % 10 != 9).then(|| profile(&name, &[c, "US"], &[l]));
            let program = ProgramId::parse(programs[(i % 3) as usize]).unwrap();
            let mut enrollment = Enrollment {
                program_id: program,
                ..enrollment()
            };
            match i % 7 {
                5 => enrollment.withdrawn_on = Some(date("2026-03-01")),
                6 => {
                    enrollment.enrolled_on = date("2024-01-01");
                    enrollment.expires_on = date("2025-01-01");
                }
                _ => {}
            }
            partner.enrollments = vec![enrollment];
            if i % 5 == 0 {
                partner.enrollments.push(Enrollment {
                    program_id: ProgramId::parse("private-cloud").unwrap(),
                    ..self::enrollment()
                });
            }
            partner
        })
        .collect()
}

pub async fn directory_pagination_matches_core(store: Arc<dyn Store>) {
    let partners = many_partners();
    let saves: Vec<_> = partners
        .chunks(250)
        .map(|chunk| {
            let store = Arc::clone(&store);
            let chunk = chunk.to_vec();
            tokio::spawn(async move {
                for partner in chunk {
                    save_partner(&*store, None, partner).await.unwrap();
                }
            })
        })
        .collect();
    for save in saves {
        save.await.unwrap();
    }
    let mut listed: Vec<_> = partners
        .iter()
        .filter_map(|p| {
            directory::listing(
                catalog(),
                &p.partner_id,
                p.profile.as_ref()?,
                &p.enrollments,
                today(),
            )
        })
        .collect();
    listed.sort_by_cached_key(|e| {
        let (name, id) = directory::sort_key(e);
        (name, id.clone())
    });
    let searches = [
        SearchForm::default(),
        SearchForm {
            program_id: Some("private-cloud".into()),
            ..SearchForm::default()
        },
        SearchForm {
            country: Some("cn".into()),
            ..SearchForm::default()
        },
        SearchForm {
            language: Some("zh".into()),
            program_id: Some("exchange".into()),
            ..SearchForm::default()
        },
        SearchForm {
            program_id: Some("dynamics".into()),
            ..SearchForm::default()
        },
    ];
    for form in searches {
        let expected: Vec<_> = {
            let query = form.parse(catalog()).unwrap();
            listed
                .iter()
                .filter(|e| query.matches(e))
                .cloned()
                .collect()
        };
        for limit in [50u64, 7] {
            let mut got = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let query = SearchForm {
                    cursor: cursor.clone(),
                    limit: Some(limit),
                    ..form.clone()
                }
                .parse(catalog())
                .unwrap();
                let page = store_directory::search(&*store, catalog(), &query, today())
                    .await
                    .unwrap();
                assert!(page.items.len() <= limit as usize);
                got.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(got.len(), expected.len(), "{form:?} limit {limit}");
            assert_eq!(
                got, expected,
                "{form:?} limit {limit}: same entries, same order as core"
            );
        }
    }
}

/// The company names a directory search lists on [`TODAY`], optionally for one program.
async fn listed(store: &dyn Store, program: Option<&str>) -> Vec<String> {
    listed_where(
        store,
        SearchForm {
            program_id: program.map(str::to_owned),
            ..SearchForm::default()
        },
    )
    .await
}

/// The company names a directory search with `form`'s filters lists on [`TODAY`].
pub async fn listed_where(store: &dyn Store, form: SearchForm) -> Vec<String> {
    let query = form.parse(catalog()).unwrap();
    let page = store_directory::search(store, catalog(), &query, today())
        .await
        .unwrap();
    page.items
        .into_iter()
        .map(|e| e.profile.company_name)
        .collect()
}

pub async fn directory_follows_profile_and_enrollments(store: Arc<dyn Store>) {
    let store = &*store;
    let mut partner = Partner::new(partner_id("1001")).next_version();
    partner.enrollments = vec![enrollment()];
    save_partner(store, None, partner.clone()).await.unwrap();
    assert!(
        listed(store, None).await.is_empty(),
        "no profile, not listed"
    );

    let mut with_profile = partner.next_version();
    with_profile.profile = Some(profile("Contoso", &["US"], &["en"]));
    save_partner(store, Some(partner), with_profile.clone())
        .await
        .unwrap();
    assert_eq!(listed(store, None).await, ["Contoso"]);
    assert!(listed(store, Some("private-cloud")).await.is_empty());
    assert_eq!(listed_in(store, None, Some("us"), None).await, ["Contoso"]);
    assert_eq!(
        listed_in(store, None, Some("us"), Some("en")).await,
        ["Contoso"]
    );
    assert!(listed_in(store, None, Some("cn"), None).await.is_empty());

    // Renamed and enrolled in private-cloud too: the old position is gone, the new ones are there.
    let mut renamed = with_profile.next_version();
    renamed.profile = Some(profile("Zeta Contoso", &["CN"], &["en", "zh"]));
    renamed.enrollments.push(Enrollment {
        program_id: ProgramId::parse("private-cloud").unwrap(),
        ..enrollment()
    });
    save_partner(store, Some(with_profile), renamed.clone())
        .await
        .unwrap();
    assert_eq!(listed(store, None).await, ["Zeta Contoso"]);
    assert_eq!(listed(store, Some("private-cloud")).await, ["Zeta Contoso"]);
    assert!(listed_in(store, None, Some("us"), None).await.is_empty());
    assert_eq!(
        listed_in(store, Some("private-cloud"), Some("cn"), Some("zh")).await,
        ["Zeta Contoso"]
    );
    assert_eq!(
        listed_in(store, None, None, Some("en")).await,
        ["Zeta Contoso"]
    );
    assert!(
        store
            .directory(&filter(None, Some("US"), None), None, 10)
            .await
            .unwrap()
            .is_empty(),
        "the country it left holds no entry"
    );

    // Withdrawn from every program: gone from every index.
    let mut withdrawn = renamed.next_version();
    for e in &mut withdrawn.enrollments {
        e.withdrawn_on = Some(today());
    }
    save_partner(store, Some(renamed), withdrawn).await.unwrap();
    assert!(listed(store, None).await.is_empty());
    assert!(listed(store, Some("private-cloud")).await.is_empty());
    for (program, country, language) in [
        (None, None, None),
        (Some("private-cloud"), None, None),
        (None, Some("CN"), None),
        (None, None, Some("zh")),
        (Some("private-cloud"), Some("CN"), Some("zh")),
    ] {
        assert!(
            store
                .directory(&filter(program, country, language), None, 10)
                .await
                .unwrap()
                .is_empty(),
            "the index {program:?} {country:?} {language:?} holds a stale entry"
        );
    }
}

/// The company names listed under a program, a country and a language, each optional.
async fn listed_in(
    store: &dyn Store,
    program: Option<&str>,
    country: Option<&str>,
    language: Option<&str>,
) -> Vec<String> {
    let form = SearchForm {
        program_id: program.map(str::to_owned),
        country: country.map(str::to_owned),
        language: language.map(str::to_owned),
        ..SearchForm::default()
    };
    listed_where(store, form).await
}

/// The store's index for these filters (codes as the search normalises them).
pub fn filter(
    program: Option<&str>,
    country: Option<&str>,
    language: Option<&str>,
) -> store_directory::Filter {
    store_directory::Filter {
        program: program.map(|p| ProgramId::parse(p).unwrap()),
        country: country.map(str::to_owned),
        language: language.map(str::to_owned),
    }
}

pub async fn history_is_append_only(store: Arc<dyn Store>) {
    let store = &*store;
    let (voucher, history) = assigned("SAPS0006HIST", "1001", today());
    insert(store, vec![(voucher.clone(), history)]).await;
    let first = reserve(&voucher);
    apply(store, first.clone()).await.unwrap();
    let second = cancel(&first.voucher);
    apply(store, second.clone()).await.unwrap();
    let third = reserve(&second.voucher);
    apply(store, third.clone()).await.unwrap();
    let lines = store.history(&voucher.voucher_number).await.unwrap();
    assert_eq!(
        lines.iter().map(|h| h.version).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(
        lines.iter().map(|h| h.event).collect::<Vec<_>>(),
        [
            EventKind::Assign,
            EventKind::Reserve,
            EventKind::CancelReservation,
            EventKind::Reserve
        ]
    );
    // A transition whose history line would overwrite line 2 is refused whole.
    let mut rewrite = cancel(&third.voucher);
    rewrite.history.version = 2;
    let refused = apply(store, rewrite).await;
    assert!(
        is_conflict(
            &refused,
            &ConflictItem::Voucher(voucher.voucher_number.clone())
        ),
        "{refused:?}"
    );
    assert_eq!(store.history(&voucher.voucher_number).await.unwrap(), lines);
    assert_eq!(load(store, "SAPS0006HIST").await, third.voucher);
    // Three notifications on one day are one: the day's latest.
    assert_eq!(
        store.notifications(&voucher.voucher_number).await.unwrap(),
        vec![third.notification.clone().unwrap()]
    );
    assert_eq!(line_counts(store, &voucher.voucher_number).await, (4, 1));
}

/// Customer `id`, entitled to 10 desktop days, at version 1.
fn customer(id: &str) -> Customer {
    Customer {
        customer_id: CustomerId::parse(id).unwrap(),
        name: "Litware Inc".into(),
        country: "CN".into(),
        admin_email: Email::parse("sa-admin@litware.example").unwrap(),
        sa_ends_on: calendar::add_days(today(), 730),
        entitlements: vec![Entitlement {
            program_id: program(),
            days: 10,
        }],
        version: 1,
    }
}

/// A customer's account is written on its version: the first write creates it, a second
/// writer of the same version loses, and the winner's vouchers stay listed.
pub async fn customer_accounts_are_versioned(store: Arc<dyn Store>) {
    let id = CustomerId::parse("5001").unwrap();
    let first = CustomerAccount {
        customer: customer("5001"),
        voucher_numbers: Vec::new(),
    };
    let save = |account: &CustomerAccount| Commit {
        customer: Some(account.clone()),
        ..Commit::default()
    };
    store.commit(save(&first)).await.unwrap();
    let again = store.commit(save(&first)).await;
    assert!(
        is_conflict(&again, &ConflictItem::Customer(id.clone())),
        "{again:?}"
    );
    let a = first.drawing(&VoucherNumber::parse("SAAAAAAAAAAAAAAA").unwrap());
    let b = first.drawing(&VoucherNumber::parse("SABBBBBBBBBBBBBB").unwrap());
    store.commit(save(&a)).await.unwrap();
    let lost = store.commit(save(&b)).await;
    assert!(
        is_conflict(&lost, &ConflictItem::Customer(id.clone())),
        "{lost:?}"
    );
    assert_eq!(store.customer(&id).await.unwrap(), Some(a));
}
