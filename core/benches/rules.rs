//! Criterion benchmarks of the hot rules (issue targets: < 2 µs each natively, the JSON round
//! trip < 10 µs). Run: `cargo bench -p saps-core --bench rules`.

// A benchmark is not an input path: a broken fixture should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use saps_core::catalog::{Catalog, Program, Requirement};
use saps_core::completion::CompletionReport;
use saps_core::eligibility::{
    self, Competency, ComplianceTraining, Consultant, Exam, ProviderAgreement, QualificationFacts,
};
use saps_core::enrollment::{Enrollment, Location};
use saps_core::error::Locale;
use saps_core::json;
use saps_core::redemption;
use saps_core::value::{Email, LocationId, PartnerId, ProgramId, VoucherNumber};
use saps_core::voucher::{
    Actor, ReserveRequest, Voucher, VoucherEvent, VoucherState, World, transition,
};
use std::hint::black_box;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn voucher(n: usize, state: VoucherState) -> Voucher {
    Voucher {
        voucher_number: VoucherNumber::parse(&format!("SAPS{n:04}BENCH")).expect("number"),
        program_id: ProgramId::parse("desktop").expect("id"),
        days: 5,
        customer_name: "Contoso".into(),
        admin_email: Email::parse("admin@contoso.example").expect("email"),
        partner_id: Some(PartnerId::parse("1001").expect("id")),
        customer_id: None,
        created_on: date(2026, 1, 1),
        expires_on: date(2026, 6, 30),
        state,
        reservation: None,
        completion_report: (state == VoucherState::Completed).then(|| CompletionReport {
            delivered_start: date(2026, 2, 1),
            delivered_end: date(2026, 2, 3),
            days_delivered: 4,
            lead_consultant_id: "c-1".into(),
            summary: "s".repeat(40),
            deliverables: vec![],
        }),
        redeemed_on: None,
        claim_id: None,
        version: 1,
    }
}

fn five_requirement_program(base: &Program) -> Program {
    let mut program = base.clone();
    program.requirements.push(Requirement::Competency {
        area: "Security".into(),
    });
    program
}

fn facts(program: &Program) -> QualificationFacts {
    let comp = |area: &str| Competency {
        area: area.into(),
        valid_from: date(2025, 1, 1),
        valid_until: date(2027, 1, 1),
    };
    QualificationFacts {
        competencies: vec![comp("Modern Work"), comp("Security"), comp("Azure")],
        compliance_training: vec![ComplianceTraining {
            program_id: program.id.clone(),
            completed_on: date(2025, 9, 1),
        }],
        consultants: (0..5)
            .map(|i| Consultant {
                consultant_id: format!("c-{i}"),
                name: "Consultant".into(),
                exams: vec![Exam {
                    code: "MS-102".into(),
                    passed_on: date(2024, 1, 1),
                    valid_until: Some(date(2027, 1, 1)),
                }],
            })
            .collect(),
        provider_agreements: vec![ProviderAgreement {
            program_id: program.id.clone(),
            signed_on: date(2025, 1, 1),
            valid_until: date(2028, 1, 1),
        }],
        membership_valid_until: Some(date(2028, 1, 1)),
    }
}

fn benches(c: &mut Criterion) {
    let catalog = Catalog::sample().expect("sample catalog");
    let program = catalog
        .program(&ProgramId::parse("desktop").expect("id"))
        .expect("program");
    let today = date(2026, 3, 2);
    let partner = Actor::PartnerAdmin {
        partner_id: PartnerId::parse("1001").expect("id"),
    };
    let enrollment = Enrollment {
        program_id: program.id.clone(),
        location_ids: vec![LocationId::parse("11").expect("id")],
        enrolled_on: date(2026, 1, 1),
        expires_on: date(2027, 1, 1),
        renewed_on: None,
        withdrawn_on: None,
    };

    let assigned = voucher(1, VoucherState::Assigned);
    let reserve = VoucherEvent::Reserve(ReserveRequest {
        admin_email: Email::parse("ADMIN@contoso.example").expect("email"),
        accept_terms: true,
        engagement_start: date(2026, 3, 10),
        engagement_end: date(2026, 3, 12),
        location_id: LocationId::parse("11").expect("id"),
        customer_division: None,
    });
    let sites = [Location {
        location_id: LocationId::parse("11").expect("id"),
        name: "Contoso Shanghai".into(),
        country: Some("CN".into()),
    }];
    let world = World {
        enrollment: Some(&enrollment),
        locations: &sites,
        ..World::new(today, program)
    };
    c.bench_function("voucher transition (reserve)", |b| {
        b.iter(|| transition(black_box(&assigned), black_box(&reserve), &partner, &world))
    });

    let five = five_requirement_program(program);
    let five_facts = facts(&five);
    c.bench_function("eligibility of a 5-requirement program", |b| {
        b.iter(|| eligibility::evaluate(black_box(&five), black_box(&five_facts), today))
    });

    let batch: Vec<Voucher> = (0..25)
        .map(|n| voucher(n, VoucherState::Completed))
        .collect();
    let selection: Vec<VoucherNumber> = batch.iter().map(|v| v.voucher_number.clone()).collect();
    c.bench_function("redemption preview of 25 vouchers", |b| {
        b.iter(|| {
            redemption::preview(
                black_box(&selection),
                black_box(&batch),
                std::slice::from_ref(&enrollment),
                &partner,
                catalog,
                today,
                Locale::En,
            )
        })
    });

    let input = serde_json::json!({
        "adminEmail": "admin@contoso.example", "acceptTerms": true,
        "engagementStart": "2026-03-10", "engagementEnd": "2026-03-12", "locationId": "11",
        "context": {"actor": {"role": "partner_admin", "partnerId": "1001"},
                    "voucher": serde_json::to_value(&assigned).expect("json"),
                    "enrollment": serde_json::to_value(&enrollment).expect("json"),
                    "locations": serde_json::to_value(sites).expect("json")}
    })
    .to_string();
    c.bench_function("JSON entry point round trip (reserve)", |b| {
        b.iter(|| json::run_str(catalog, "reserve", black_box(&input), today, Locale::En))
    });
    let form = r#"{"voucherNumber":"saps-0001-m365","adminEmail":"admin@contoso.example"}"#;
    c.bench_function("JSON form validation (validationForm)", |b| {
        b.iter(|| {
            json::run_str(
                catalog,
                "validationForm",
                black_box(form),
                today,
                Locale::En,
            )
        })
    });
}

criterion_group!(rules, benches);
criterion_main!(rules);
