//! Who may do what to whose data (SPEC §1).
//!
//! A partner principal never learns that another partner's data exists: acting on it answers
//! `access.notFound` (404), checked before the role so the answer does not depend on it.

pub mod grants;
pub mod rules;

use crate::error::{ProblemKind, Rejection};
use crate::value::{CustomerId, PartnerId};
use crate::voucher::Actor;
use serde::{Deserialize, Serialize};

/// A role from the identity token's `roles` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// The partner's global admin (SPEC §15.3): everything a partner admin may, and (as the
    /// program's pages have it) the payee registration and the voucher tool's grants.
    GlobalAdmin,
    /// May manage everything of their own partner.
    PartnerAdmin,
    /// May read their own partner's data.
    PartnerUser,
    /// The program operator.
    ProgramAdmin,
    /// A customer's voucher administrator (SPEC §15.3): its token carries `customerId`.
    CustomerAdmin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::GlobalAdmin,
        Role::PartnerAdmin,
        Role::PartnerUser,
        Role::ProgramAdmin,
        Role::CustomerAdmin,
    ];

    /// The wire name, as tokens carry it (`global_admin`, …).
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// What a partner's admin may grant a partner user (SPEC §15.3).
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
pub enum Grant {
    /// The voucher tool: validate, reserve, cancel, report completion, upload deliverables,
    /// redeem, list and export vouchers.
    VoucherTool,
}

impl Grant {
    const ALLOWED: &'static str = "voucherTool";

    /// Reads a wire name.
    pub fn parse(raw: &str) -> Result<Grant, ProblemKind> {
        match raw.trim() {
            "voucherTool" => Ok(Grant::VoucherTool),
            other => Err(ProblemKind::UnknownValue {
                value: other.to_owned(),
                allowed: Grant::ALLOWED,
            }),
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Principal {
    /// Subject of the token.
    pub sub: String,
    /// The partner a partner employee belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<PartnerId>,
    /// The customer a customer's voucher administrator acts for (SPEC §15.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub customer_id: Option<CustomerId>,
    /// Roles held.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// What the partner's admins granted this user, as stored for the partner (never read
    /// from a token: the server fills it on each request, so a grant or revocation takes
    /// effect on the next one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub grants: Vec<Grant>,
}

/// What a request wants to do (SPEC §1 and the "who" column of §12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Operation {
    /// Read the program catalog (anyone).
    ReadCatalog,
    /// Search the directory (anyone).
    SearchDirectory,
    /// Read a partner's data (its own partner's employees, or a program admin).
    ReadPartner,
    /// Change a partner's data: enroll, renew, withdraw, profile, vouchers, claims (its partner admin).
    ManagePartner,
    /// Replace a partner's qualification facts (program admin).
    MaintainQualifications,
    /// Maintain the catalog (program admin).
    MaintainCatalog,
    /// Assign a voucher to a partner (program admin).
    AssignVoucher,
    /// Approve, reject or pay a claim (program admin).
    DecideClaim,
    /// Register the partner's payee for a program (its global admin, SPEC §15.6).
    RegisterPayee,
    /// Use the voucher tool on the partner's vouchers: its admins, and partner users granted
    /// `voucherTool` (SPEC §15.3).
    UseVoucherTool,
    /// Grant, revoke and list access to the voucher tool (the partner's admins).
    ManageAccess,
    /// Register or change a customer and its entitlements (program admin, SPEC §15.5).
    RegisterCustomer,
    /// Read a customer's pools and vouchers (its voucher administrator, or a program admin).
    ReadCustomer,
    /// Create vouchers from a customer's pool and assign them to partners (its voucher
    /// administrator).
    UseCustomerPool,
}

impl Principal {
    /// Whether the principal holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// How this principal acts on vouchers of `owner`.
    pub fn actor_for(&self, owner: &PartnerId) -> Option<Actor> {
        if self.has(Role::ProgramAdmin) {
            return Some(Actor::ProgramAdmin);
        }
        self.partner_actor()
            .filter(|_| self.partner_id.as_ref() == Some(owner))
    }

    /// Whether it administers its partner (a global or a partner admin).
    pub fn administers(&self) -> bool {
        self.has(Role::GlobalAdmin) || self.has(Role::PartnerAdmin)
    }

    /// Whether it may use its partner's voucher tool: an admin, or a partner user granted it.
    pub fn uses_voucher_tool(&self) -> bool {
        self.administers()
            || (self.has(Role::PartnerUser) && self.grants.contains(&Grant::VoucherTool))
    }

    /// How this principal acts as a partner, if it is one: an admin, or a user granted the
    /// voucher tool, acts on vouchers ([`Actor::PartnerAdmin`]); any other partner user reads.
    pub fn partner_actor(&self) -> Option<Actor> {
        let partner_id = self.partner_id.clone()?;
        if self.uses_voucher_tool() {
            Some(Actor::PartnerAdmin { partner_id })
        } else if self.has(Role::PartnerUser) {
            Some(Actor::PartnerUser { partner_id })
        } else {
            None
        }
    }
}

/// Decides whether `principal` (none: anonymous) may perform `operation` on the data of
/// `owner` (SPEC §1): `access.unauthenticated` (401), `access.notFound` (404) for another
/// partner's data, `access.forbidden` (403) for a role that may not.
pub fn authorize(
    principal: Option<&Principal>,
    operation: Operation,
    owner: Option<&PartnerId>,
) -> Result<(), Rejection> {
    if matches!(
        operation,
        Operation::ReadCatalog | Operation::SearchDirectory
    ) {
        return Ok(());
    }
    let Some(principal) = principal else {
        return Err(Rejection::one(
            "authorization",
            ProblemKind::Unauthenticated,
        ));
    };
    let program_admin = principal.has(Role::ProgramAdmin);
    if !program_admin
        && let (Some(owner), Some(own)) = (owner, principal.partner_id.as_ref())
        && owner != own
    {
        return Err(Rejection::one("partnerId", ProblemKind::NotFound));
    }
    let own_partner = owner.is_some() && owner == principal.partner_id.as_ref();
    let allowed = match operation {
        Operation::ReadCatalog | Operation::SearchDirectory => true,
        Operation::ReadPartner => {
            program_admin
                || (own_partner && (principal.administers() || principal.has(Role::PartnerUser)))
        }
        Operation::ManagePartner => own_partner && principal.administers(),
        Operation::RegisterPayee => own_partner && principal.has(Role::GlobalAdmin),
        Operation::UseVoucherTool => own_partner && principal.uses_voucher_tool(),
        Operation::ManageAccess => own_partner && principal.administers(),
        Operation::MaintainQualifications
        | Operation::MaintainCatalog
        | Operation::AssignVoucher
        | Operation::DecideClaim
        | Operation::RegisterCustomer => program_admin,
        // A customer's operations name no partner: [`authorize_customer`] decides them.
        Operation::ReadCustomer | Operation::UseCustomerPool => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Rejection::one("roles", ProblemKind::Forbidden))
    }
}

/// Decides whether `principal` may perform `operation` on the data of `customer` (SPEC §15.3,
/// §15.5): `access.unauthenticated` (401); `access.notFound` (404) for a customer's
/// administrator asking about another customer; `access.forbidden` (403) for a role that may
/// not. Operations on partners' data are [`authorize`]'s.
pub fn authorize_customer(
    principal: Option<&Principal>,
    operation: Operation,
    customer: &CustomerId,
) -> Result<(), Rejection> {
    let Some(principal) = principal else {
        return Err(Rejection::one(
            "authorization",
            ProblemKind::Unauthenticated,
        ));
    };
    let program_admin = principal.has(Role::ProgramAdmin);
    let customer_admin = principal.has(Role::CustomerAdmin);
    if !program_admin
        && customer_admin
        && let Some(own) = principal.customer_id.as_ref()
        && own != customer
    {
        return Err(Rejection::one("customerId", ProblemKind::NotFound));
    }
    let own_customer = customer_admin && principal.customer_id.as_ref() == Some(customer);
    let allowed = match operation {
        Operation::RegisterCustomer => program_admin,
        Operation::ReadCustomer => program_admin || own_customer,
        Operation::UseCustomerPool => own_customer,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Rejection::one("roles", ProblemKind::Forbidden))
    }
}
