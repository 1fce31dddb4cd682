//! Walks one voucher through its whole life (SPEC §4–§10) with the pure rules, printing each
//! step and each shortcut the rules refuse. Run: `cargo run -p saps-core --example workflow`.

use chrono::NaiveDate;
use saps_core::calendar;
use saps_core::catalog::Catalog;
use saps_core::claim::{self, ClaimDecision, ClaimForm};
use saps_core::completion::{CompletionReportForm, DeliverableForm, MediaType};
use saps_core::directory::{self, ProfileForm};
use saps_core::eligibility::{
    self, Competency, ComplianceTraining, Consultant, Exam, ProviderAgreement, QualificationFacts,
};
use saps_core::enrollment::{self, Location};
use saps_core::error::{Locale, Rejection};
use saps_core::payee::{self, PayeeForm};
use saps_core::redemption::{self, RedemptionForm};
use saps_core::value::{ClaimId, LocationId, PartnerId, ProgramId};
use saps_core::voucher::{
    self, Actor, AssignForm, CancelReason, ReservationForm, ValidationForm, Voucher, VoucherEvent,
    World,
};
use std::error::Error;

fn date(text: &str) -> Result<NaiveDate, Box<dyn Error>> {
    calendar::parse_date(text).ok_or_else(|| format!("bad date {text}").into())
}

fn refused(what: &str, rejection: &Rejection) {
    let failure = rejection.to_failure(Locale::En);
    println!("  ✗ {what}: refused with `{}`", failure.code);
    for field in &failure.fields {
        println!("      {} — {} ({})", field.field, field.message, field.code);
    }
}

fn expect_refusal<T>(what: &str, outcome: Result<T, Rejection>) -> Result<(), Box<dyn Error>> {
    match outcome {
        Err(rejection) => {
            refused(what, &rejection);
            Ok(())
        }
        Ok(_) => Err(format!("the rules accepted a shortcut: {what}").into()),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let catalog = Catalog::sample().map_err(|e| e.to_string())?;
    let program_id = ProgramId::parse("desktop")?;
    let program = catalog.program(&program_id).ok_or("no desktop program")?;
    let partner_id = PartnerId::parse("1001")?;
    let partner = Actor::PartnerAdmin {
        partner_id: partner_id.clone(),
    };
    let operator = Actor::ProgramAdmin;

    println!("1. Eligibility for {} on 2026-01-15", program.name.en);
    let mut facts = QualificationFacts {
        competencies: vec![Competency {
            area: "Modern Work".into(),
            valid_from: date("2025-06-01")?,
            valid_until: date("2027-06-01")?,
        }],
        compliance_training: vec![ComplianceTraining {
            program_id: program_id.clone(),
            completed_on: date("2025-09-01")?,
        }],
        consultants: vec![Consultant {
            consultant_id: "c-1".into(),
            name: "Li Wei".into(),
            exams: vec![Exam {
                code: "MS-102".into(),
                passed_on: date("2024-05-01")?,
                valid_until: None,
            }],
        }],
        provider_agreements: vec![],
        membership_valid_until: Some(date("2027-06-30")?),
    };
    let verdict = eligibility::evaluate(program, &facts, date("2026-01-15")?);
    println!(
        "  status {:?}; unmet: {:?}",
        verdict.status,
        verdict
            .requirements
            .iter()
            .filter_map(|r| r.action)
            .collect::<Vec<_>>()
    );
    facts.provider_agreements.push(ProviderAgreement {
        program_id: program_id.clone(),
        signed_on: date("2026-01-15")?,
        valid_until: date("2028-01-15")?,
    });
    let verdict = eligibility::evaluate(program, &facts, date("2026-01-15")?);
    println!(
        "  after signing the provider agreement: {:?}",
        verdict.status
    );

    println!("2. Enrollment");
    let locations = vec![LocationId::parse("11")?];
    let sites = [Location {
        location_id: LocationId::parse("11")?,
        name: "Contoso Shanghai".into(),
        country: Some("CN".into()),
    }];
    let enrolled = enrollment::enroll(
        program,
        verdict.status,
        None,
        locations.clone(),
        date("2026-01-15")?,
    )?;
    let window = enrolled.renewal_window(program);
    println!(
        "  ✓ enrolled {} until {}; renewal window [{}, {})",
        enrolled.enrolled_on, enrolled.expires_on, window.start, window.end
    );
    expect_refusal(
        "enrolling twice",
        enrollment::enroll(
            program,
            verdict.status,
            Some(&enrolled),
            locations,
            date("2026-02-01")?,
        ),
    )?;
    expect_refusal(
        "renewing in March",
        enrollment::renew(program, &enrolled, verdict.status, date("2026-03-01")?),
    )?;

    println!("3. Directory profile");
    let profile = ProfileForm {
        company_name: Some("Fabrikam Consulting".into()),
        description: Some("Microsoft 365 deployment planning".into()),
        website: Some("https://fabrikam.example".into()),
        contact_email: Some("hello@fabrikam.example".into()),
        phone: Some("+1 425 555 0100".into()),
        countries: Some(vec!["us".into(), "cn".into()]),
        languages: Some(vec!["en".into(), "zh".into()]),
    }
    .parse()?;
    let entry = directory::listing(
        catalog,
        &partner_id,
        &profile,
        std::slice::from_ref(&enrolled),
        date("2026-01-20")?,
    )
    .ok_or("not listed")?;
    let programs: Vec<&str> = entry.programs.iter().map(ProgramId::as_str).collect();
    println!(
        "  ✓ listed as {} for {programs:?}",
        entry.profile.company_name
    );

    println!("4. A customer assigns a voucher (2026-01-20)");
    let assign = AssignForm {
        voucher_number: Some("saps-0001-m365".into()),
        program_id: Some("desktop".into()),
        days: Some(5),
        customer_name: Some("Contoso Ltd".into()),
        admin_email: Some("IT-Admin@contoso.example".into()),
        partner_id: Some("1001".into()),
        customer_id: None,
    };
    let (mut v, _) = voucher::assign(&assign, catalog, false, date("2026-01-20")?)?;
    println!(
        "  ✓ {} assigned, {} days, expires {}",
        v.voucher_number, v.days, v.expires_on
    );
    let step = |v: &Voucher,
                event: VoucherEvent,
                actor: &Actor,
                on: &str|
     -> Result<Voucher, Box<dyn Error>> {
        let world = World {
            enrollment: Some(&enrolled),
            facts: Some(&facts),
            locations: &sites,
            ..World::new(date(on)?, program)
        };
        Ok(voucher::transition(v, &event, actor, &world)?.voucher)
    };
    let world_on = |on| -> Result<World<'_>, Box<dyn Error>> {
        Ok(World {
            enrollment: Some(&enrolled),
            locations: &sites,
            ..World::new(date(on)?, program)
        })
    };
    expect_refusal(
        "redeeming an assigned voucher",
        voucher::transition(
            &v,
            &VoucherEvent::Redeem,
            &partner,
            &world_on("2026-01-21")?,
        ),
    )?;

    println!("5. Validate and reserve (2026-02-01)");
    let wrong = ValidationForm {
        voucher_number: Some("SAPS0001M365".into()),
        admin_email: Some("someone@contoso.example".into()),
    }
    .parse()?;
    expect_refusal(
        "validating with another email",
        voucher::validate(Some(&v), &wrong, &partner, &world_on("2026-02-01")?),
    )?;
    let right = ValidationForm {
        voucher_number: Some("SAPS 0001 M365".into()),
        admin_email: Some("it-admin@CONTOSO.example".into()),
    }
    .parse()?;
    let view = voucher::validate(Some(&v), &right, &partner, &world_on("2026-02-01")?)?;
    println!("  ✓ valid; next actions {:?}", view.allowed_actions);
    let reserve = |end: &str| -> Result<VoucherEvent, Rejection> {
        Ok(VoucherEvent::Reserve(
            ReservationForm {
                admin_email: Some("it-admin@contoso.example".into()),
                accept_terms: Some(true),
                engagement_start: Some("2026-02-10".into()),
                engagement_end: Some(end.into()),
                location_id: Some("11".into()),
                customer_division: None,
            }
            .parse()?,
        ))
    };
    let late = reserve(&v.expires_on.to_string())?;
    let rejection = voucher::transition(&v, &late, &partner, &world_on("2026-02-01")?)
        .err()
        .ok_or("accepted")?;
    refused("an engagement ending on the expiry day", &rejection);
    println!(
        "      zh-CN: {}",
        rejection
            .to_failure(Locale::ZhCn)
            .fields
            .first()
            .map(|f| f.message.as_str())
            .unwrap_or_default()
    );
    v = step(&v, reserve("2026-02-12")?, &partner, "2026-02-01")?;
    println!(
        "  ✓ reserved for {:?}",
        v.reservation
            .as_ref()
            .map(|r| (r.engagement_start, r.engagement_end))
    );

    println!("6. Cancel, then reserve again");
    v = step(
        &v,
        VoucherEvent::CancelReservation(CancelReason::CustomerChoseAnotherPartner),
        &partner,
        "2026-02-02",
    )?;
    println!(
        "  ✓ back to {:?}, still valid until {}",
        v.state, v.expires_on
    );
    v = step(&v, reserve("2026-02-12")?, &partner, "2026-02-03")?;
    println!("  ✓ reserved again (version {})", v.version);

    println!("7. Completion report (2026-02-20)");
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let report = |days: u64| CompletionReportForm {
        delivered_start: Some("2026-02-10".into()),
        delivered_end: Some("2026-02-12".into()),
        days_delivered: Some(days),
        lead_consultant_id: Some("c-1".into()),
        summary: Some("Planned the tenant migration and the security baseline.".into()),
        deliverables: Some(vec![DeliverableForm {
            file_name: Some("plan.pdf".into()),
            media_type: Some(MediaType::Pdf.mime().into()),
            size: Some(4),
            sha256: Some(sha.into()),
        }]),
    };
    let uploaded = report(4).parse()?.deliverables;
    let world = World {
        enrollment: Some(&enrolled),
        facts: Some(&facts),
        uploaded: &uploaded,
        locations: &sites,
        ..World::new(date("2026-02-20")?, program)
    };
    let too_many = VoucherEvent::SubmitCompletionReport(report(6).parse()?);
    expect_refusal(
        "reporting 6 days on a 5-day voucher",
        voucher::transition(&v, &too_many, &partner, &world),
    )?;
    v = voucher::transition(
        &v,
        &VoucherEvent::SubmitCompletionReport(report(4).parse()?),
        &partner,
        &world,
    )?
    .voucher;
    println!("  ✓ {:?}", v.state);

    println!("8. Redeem (2026-03-01)");
    let vouchers = vec![v.clone()];
    let selection = RedemptionForm {
        voucher_numbers: Some(vec!["SAPS0001M365".into()]),
        confirm: None,
    }
    .parse_selection()?;
    let preview = redemption::preview(
        &selection,
        &vouchers,
        std::slice::from_ref(&enrolled),
        &partner,
        catalog,
        date("2026-03-01")?,
        Locale::En,
    );
    let totals: Vec<String> = preview
        .totals
        .iter()
        .map(|m| format!("{} {} minor units", m.minor_units, m.currency))
        .collect();
    println!(
        "  preview: redeemable {}, totals {totals:?}",
        preview.redeemable
    );
    expect_refusal(
        "redeeming without confirming",
        RedemptionForm {
            voucher_numbers: Some(vec!["SAPS0001M365".into()]),
            confirm: Some(false),
        }
        .parse_confirmed(),
    )?;
    let redeemed = redemption::redeem(
        &selection,
        &vouchers,
        std::slice::from_ref(&enrolled),
        &partner,
        catalog,
        date("2026-03-01")?,
    )?;
    v = redeemed
        .into_iter()
        .next()
        .ok_or("nothing redeemed")?
        .voucher;
    println!("  ✓ {:?} on {:?}", v.state, v.redeemed_on);

    println!("9. Register the payee, claim, approve, pay");
    let request = ClaimForm {
        voucher_numbers: Some(vec!["SAPS0001M365".into()]),
        invoice_number: Some("INV-2026/001".into()),
    }
    .parse()?;
    let claim_id = ClaimId::parse("CLM-1")?;
    expect_refusal(
        "claiming before a payee is registered",
        claim::create_claim(
            &request,
            std::slice::from_ref(&v),
            &[],
            &partner,
            catalog,
            &claim_id,
            date("2026-03-05")?,
        ),
    )?;
    let payee = payee::register(
        &PayeeForm {
            payee_name: Some("Contoso Consulting Ltd".into()),
            country: Some("CN".into()),
            currency: Some("CNY".into()),
            tax_id: None,
        },
        "desktop",
        true,
        catalog,
        date("2026-03-05")?,
    )?;
    println!("  ✓ payee {} for {}", payee.payee_name, payee.program_id);
    let payees = [payee.program_id];
    let created = claim::create_claim(
        &request,
        std::slice::from_ref(&v),
        &payees,
        &partner,
        catalog,
        &claim_id,
        date("2026-03-05")?,
    )?;
    println!(
        "  ✓ claim {} for {} {} (minor units)",
        created.claim.claim_id, created.claim.amount.minor_units, created.claim.amount.currency
    );
    let claimed: Vec<Voucher> = created.vouchers.iter().map(|t| t.voucher.clone()).collect();
    expect_refusal(
        "claiming the same voucher twice",
        claim::create_claim(
            &request,
            &claimed,
            &payees,
            &partner,
            catalog,
            &ClaimId::parse("CLM-2")?,
            date("2026-03-06")?,
        ),
    )?;
    let approved = claim::decide(
        &created.claim,
        &ClaimDecision::Approve,
        &claimed,
        &operator,
        catalog,
        date("2026-03-10")?,
    )?;
    let paid = claim::decide(
        &approved.claim,
        &ClaimDecision::Pay("PAY-42".into()),
        &claimed,
        &operator,
        catalog,
        date("2026-03-20")?,
    )?;
    let final_voucher = paid
        .vouchers
        .first()
        .map(|t| &t.voucher)
        .ok_or("no voucher")?;
    println!(
        "  ✓ claim {:?} ({:?}); voucher {:?} at version {}",
        paid.claim.state, paid.claim.payment_reference, final_voucher.state, final_voucher.version
    );

    println!("10. A voucher left unused expires");
    let (idle, _) = voucher::assign(
        &AssignForm {
            voucher_number: Some("SAPS0002M365".into()),
            ..assign
        },
        catalog,
        false,
        date("2026-01-20")?,
    )?;
    for day in [calendar::sub_days(idle.expires_on, 1), idle.expires_on] {
        println!("  on {day}: {:?}", idle.effective_state_in(catalog, day));
    }
    let expired_world = world_on("2026-07-20")?;
    expect_refusal(
        "reserving an expired voucher",
        voucher::transition(&idle, &reserve("2026-07-25")?, &partner, &expired_world),
    )?;
    Ok(())
}
