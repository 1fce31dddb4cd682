//! # saps-core
//!
//! The pure rules of the Software Assurance Planning Services partner workflow: eligibility,
//! enrollment, the directory, vouchers, completion reports, redemption and claims
//! (`SPEC.md` §1–§11). No I/O, no clock, no randomness: `today` is always an argument and every
//! identifier the rules need (a claim id) is chosen by the caller.
//!
//! Each operation exists as a typed function over typed values ([`value`]) and as a JSON entry
//! point ([`json::run`]) that the WASM bindings and the HTTP API call, so every surface gives the
//! same verdict.
//!
//! ```
//! use saps_core::catalog::Catalog;
//! use saps_core::value::{Email, PartnerId};
//! use saps_core::voucher::{self, Actor, AssignForm, ReservationForm, VoucherEvent, VoucherState, World};
//! use chrono::NaiveDate;
//!
//! let catalog = Catalog::sample().map_err(|e| e.to_string())?;
//! let today = NaiveDate::from_ymd_opt(2026, 3, 2).ok_or("date")?;
//! let form = AssignForm {
//!     voucher_number: Some("SAPS-0001-M365".into()),
//!     program_id: Some("desktop".into()),
//!     days: Some(5),
//!     customer_name: Some("Contoso Ltd".into()),
//!     admin_email: Some("it-admin@contoso.example".into()),
//!     partner_id: Some("1001".into()),
//!     customer_id: None,
//! };
//! let (voucher, _history) = voucher::assign(&form, catalog, false, today)?;
//! assert_eq!(voucher.voucher_number.as_str(), "SAPS0001M365");
//! assert_eq!(voucher.expires_on.to_string(), "2026-08-29");
//!
//! // Reserving needs a current enrollment; without one every failing guard is reported.
//! let request = ReservationForm {
//!     admin_email: Some("someone-else@contoso.example".into()),
//!     accept_terms: Some(false),
//!     engagement_start: Some("2026-03-10".into()),
//!     engagement_end: Some("2026-03-12".into()),
//!     location_id: Some("11".into()),
//!     customer_division: None,
//! }
//! .parse()?;
//! let actor = Actor::PartnerAdmin { partner_id: PartnerId::parse("1001")? };
//! let program = catalog.program(&voucher.program_id).ok_or("program")?;
//! let rejection = voucher::transition(&voucher, &VoucherEvent::Reserve(request), &actor, &World::new(today, program))
//!     .unwrap_err();
//! let codes: Vec<_> = rejection.problems().iter().map(|p| p.kind.code()).collect();
//! assert_eq!(codes, ["enrollment.notActive", "voucher.adminEmailMismatch", "voucher.termsNotAccepted"]);
//! assert_eq!(voucher.state, VoucherState::Assigned); // nothing changed
//! # let _ = Email::parse("a@b.co");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod access;
pub mod calendar;
pub mod catalog;
pub mod claim;
pub mod completion;
pub mod customer;
pub mod directory;
pub mod eligibility;
pub mod enrollment;
pub mod error;
pub mod form;
pub mod json;
pub mod payee;
pub mod redemption;
pub mod rule;
pub mod value;
pub mod voucher;

pub use error::{Failure, Locale, Problem, ProblemKind, Rejection};

/// The README's Rust example, compiled and run as a doctest so it stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
