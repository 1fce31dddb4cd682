//! Sample data for `saps-server --demo`: a customer with planning days to draw vouchers from, two
//! partners, one ready to enroll in Microsoft 365
//! with vouchers waiting and a partner user granted its voucher tool, one already listed in
//! the directory, and a token per role. Dates follow the day the demo is loaded, so the walk
//! works on any day.

use crate::store::{Commit, CustomerAccount, Partner, PartnerSave, Store, StoreError};
use chrono::NaiveDate;
use saps_core::access::grants;
use saps_core::access::{Grant, Principal, Role};
use saps_core::calendar::{add_days, sub_days};
use saps_core::catalog::Catalog;
use saps_core::customer::{self, CustomerForm, EntitlementForm};
use saps_core::directory::ProfileForm;
use saps_core::eligibility::QualificationFacts;
use saps_core::enrollment::{Enrollment, Location, LocationFields, LocationsForm};
use saps_core::value::{CustomerId, LocationId, PartnerId, ProgramId};
use saps_core::voucher::{self, AssignForm};
use serde_json::json;

/// The partner a newcomer plays.
pub const PARTNER: &str = "1001";
/// A partner user of [`PARTNER`] its admin granted the voucher tool (SPEC §15.3).
pub const TOOL_USER: &str = "wei@contoso-consulting.example";
/// A second partner, already listed, whose data the first may never see.
pub const OTHER_PARTNER: &str = "1002";
/// A registered customer with planning days to draw vouchers from (SPEC §15.5).
pub const CUSTOMER: &str = "5001";

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sample data did not pass the rules (a bug in this module).
    #[error("sample data is invalid: {0}")]
    Invalid(String),
}

fn invalid(error: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(error.to_string())
}

/// The demo's callers, one per role: `(label, principal)`.
pub fn principals() -> Vec<(&'static str, Principal)> {
    let partner = |id: &str| PartnerId::parse(id).ok();
    vec![
        (
            "global_admin",
            Principal {
                sub: "mei@contoso-consulting.example".into(),
                partner_id: partner(PARTNER),
                customer_id: None,
                roles: vec![Role::GlobalAdmin],
                grants: Vec::new(),
            },
        ),
        (
            "partner_admin",
            Principal {
                sub: "ana@contoso-consulting.example".into(),
                partner_id: partner(PARTNER),
                customer_id: None,
                roles: vec![Role::PartnerAdmin],
                grants: Vec::new(),
            },
        ),
        (
            "partner_user",
            Principal {
                sub: "li@contoso-consulting.example".into(),
                partner_id: partner(PARTNER),
                customer_id: None,
                roles: vec![Role::PartnerUser],
                grants: Vec::new(),
            },
        ),
        (
            "tool_user",
            Principal {
                sub: TOOL_USER.into(),
                partner_id: partner(PARTNER),
                customer_id: None,
                roles: vec![Role::PartnerUser],
                grants: Vec::new(),
            },
        ),
        (
            "program_admin",
            Principal {
                sub: "ops@planning-services.example".into(),
                partner_id: None,
                customer_id: None,
                roles: vec![Role::ProgramAdmin],
                grants: Vec::new(),
            },
        ),
        (
            "customer_admin",
            Principal {
                sub: "sa-admin@litware.example".into(),
                partner_id: None,
                customer_id: CustomerId::parse(CUSTOMER).ok(),
                roles: vec![Role::CustomerAdmin],
                grants: Vec::new(),
            },
        ),
        (
            "other_partner_admin",
            Principal {
                sub: "sam@fabrikam-advisory.example".into(),
                partner_id: partner(OTHER_PARTNER),
                customer_id: None,
                roles: vec![Role::PartnerAdmin],
                grants: Vec::new(),
            },
        ),
    ]
}

/// Facts that make a partner `active` for Microsoft 365 on `today` and for a year.
fn facts(today: NaiveDate) -> Result<QualificationFacts, DemoError> {
    let from = sub_days(today, 30).to_string();
    let until = add_days(today, 365).to_string();
    serde_json::from_value(json!({
        "competencies": [{ "area": "Modern Work", "validFrom": from, "validUntil": until }],
        "complianceTraining": [{ "programId": "desktop", "completedOn": from }],
        "consultants": [{ "consultantId": "c-1", "name": "Wei Zhang",
            "exams": [{ "code": "MS-102", "passedOn": from }] }],
        "providerAgreements": [{ "programId": "desktop", "signedOn": from, "validUntil": until }],
        "membershipValidUntil": until,
    }))
    .map_err(invalid)
}

/// Locations `(id, name, country)`, checked as the registration form checks them.
fn sites(sites: &[(&str, &str, &str)]) -> Result<Vec<Location>, DemoError> {
    LocationsForm {
        locations: Some(
            sites
                .iter()
                .map(|(id, name, country)| LocationFields {
                    location_id: Some((*id).into()),
                    name: Some((*name).into()),
                    country: Some((*country).into()),
                })
                .collect(),
        ),
    }
    .parse()
    .map_err(invalid)
}

fn locations(ids: &[&str]) -> Result<Vec<LocationId>, DemoError> {
    ids.iter()
        .map(|id| LocationId::parse(id).map_err(invalid))
        .collect()
}

/// Loads the demo unless it is there already; answers whether it loaded anything.
pub async fn load(
    store: &dyn Store,
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<bool, DemoError> {
    let partner_id = PartnerId::parse(PARTNER).map_err(invalid)?;
    if store.partner(&partner_id).await?.is_some() {
        return Ok(false);
    }
    let mut contoso = Partner::new(partner_id.clone()).next_version();
    contoso.locations = sites(&[
        ("11", "Contoso Shanghai", "CN"),
        ("12", "Contoso Beijing", "CN"),
        ("13", "Contoso Seattle", "US"),
    ])?;
    contoso.facts = facts(today)?;
    let granted = grants::set(
        &[],
        TOOL_USER,
        vec![Grant::VoucherTool],
        "ana@contoso-consulting.example",
        sub_days(today, 1),
    )
    .map_err(invalid)?;
    contoso.access = granted.grants;

    let mut fabrikam =
        Partner::new(PartnerId::parse(OTHER_PARTNER).map_err(invalid)?).next_version();
    fabrikam.locations = sites(&[("21", "Fabrikam Berlin", "DE")])?;
    fabrikam.facts = facts(today)?;
    fabrikam.enrollments = vec![Enrollment {
        program_id: ProgramId::parse("desktop").map_err(invalid)?,
        location_ids: locations(&["21"])?,
        enrolled_on: sub_days(today, 100),
        expires_on: add_days(sub_days(today, 100), 365),
        renewed_on: None,
        withdrawn_on: None,
    }];
    fabrikam.profile = Some(
        ProfileForm {
            company_name: Some("Fabrikam Advisory".into()),
            description: Some(
                "Microsoft 365 deployment planning for public sector customers.".into(),
            ),
            website: Some("https://fabrikam-advisory.example".into()),
            contact_email: Some("hello@fabrikam-advisory.example".into()),
            phone: Some("+442071234567".into()),
            countries: Some(vec!["GB".into(), "IE".into()]),
            languages: Some(vec!["en".into()]),
        }
        .parse()
        .map_err(invalid)?,
    );

    let created_on = sub_days(today, 10);
    let mut new_vouchers = Vec::new();
    for (n, (customer, email, partner)) in [
        ("Northwind Traders", "it-admin@northwind.example", PARTNER),
        ("Northwind Traders", "it-admin@northwind.example", PARTNER),
        ("Tailspin Toys", "licensing@tailspin.example", PARTNER),
        (
            "Wide World Importers",
            "sa-admin@wideworld.example",
            PARTNER,
        ),
        (
            "Woodgrove Bank",
            "vouchers@woodgrove.example",
            OTHER_PARTNER,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let form = AssignForm {
            voucher_number: Some(format!("DEMO-M365-{:04}", n + 1)),
            program_id: Some("desktop".into()),
            days: Some(5),
            customer_name: Some(customer.into()),
            admin_email: Some(email.into()),
            partner_id: Some(partner.into()),
            customer_id: None,
        };
        new_vouchers.push(voucher::assign(&form, catalog, false, created_on).map_err(invalid)?);
    }
    store
        .commit(Commit {
            partner: Some(PartnerSave {
                previous: None,
                next: contoso,
            }),
            access_change: granted.change,
            ..Commit::default()
        })
        .await?;
    let litware = customer::register(
        &CustomerForm {
            customer_id: Some(CUSTOMER.into()),
            name: Some("Litware Inc".into()),
            country: Some("CN".into()),
            admin_email: Some("sa-admin@litware.example".into()),
            sa_ends_on: Some(saps_core::calendar::iso(add_days(today, 730))),
            entitlements: Some(vec![
                EntitlementForm {
                    program_id: Some("desktop".into()),
                    days: Some(20),
                },
                EntitlementForm {
                    program_id: Some("sql-server".into()),
                    days: Some(10),
                },
            ]),
            version: None,
        },
        CUSTOMER,
        None,
        catalog,
    )
    .map_err(invalid)?;
    store
        .commit(Commit {
            partner: Some(PartnerSave {
                previous: None,
                next: fabrikam,
            }),
            new_vouchers,
            customer: Some(CustomerAccount {
                customer: litware,
                voucher_numbers: Vec::new(),
            }),
            ..Commit::default()
        })
        .await?;
    Ok(true)
}
