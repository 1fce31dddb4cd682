//! Delegated access to the voucher tool (SPEC §15.3): a partner's admins grant named partner
//! users (by token `sub`) the tool, revoke it, and every change is kept in an append-only audit.

use super::Grant;
use crate::calendar::serde_date;
use crate::error::{FieldPath, ProblemKind, Problems, Rejection};
use crate::rule::Env;
use crate::value;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most users one partner grants access to.
pub const MAX_GRANTED_USERS: usize = 500;

/// A partner user's grants, as stored with the partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessGrant {
    /// The user, as its token's `sub` names it.
    pub user_sub: String,
    /// What the user holds, at least one.
    pub grants: Vec<Grant>,
    /// Day of the last change.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub granted_on: NaiveDate,
    /// Who made it (the admin's `sub`).
    pub granted_by: String,
}

/// One change of a user's grants: a line of the partner's audit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessChange {
    /// Day of the change.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub on: NaiveDate,
    /// Who made it (the admin's `sub`).
    pub by: String,
    /// The user whose grants changed.
    pub user_sub: String,
    /// The grants before.
    pub before: Vec<Grant>,
    /// The grants after (empty: revoked).
    pub after: Vec<Grant>,
}

/// `PUT …/access/{userSub}`'s body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantsForm {
    /// The user's grants from now on: `["voucherTool"]`; empty revokes.
    #[serde(default)]
    pub grants: Option<Vec<String>>,
}

/// What a change of grants is decided on besides its form.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantsContext {
    /// The user in the address.
    pub user_sub: String,
    /// The partner's grants as stored.
    #[serde(default)]
    pub current: Vec<AccessGrant>,
    /// The admin making the change (`sub`).
    pub by: String,
}

/// The partner's grants after a change, and its audit line (`None`: nothing changed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantsChange {
    /// Every user's grants from now on.
    pub grants: Vec<AccessGrant>,
    /// The audit line, when something changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<AccessChange>,
}

/// Checks a user `sub` as an address names it: 1–200 characters, no control characters.
pub fn parse_user_sub(raw: &str) -> Result<String, ProblemKind> {
    value::text(raw, 1, 200, false)
}

/// Sets `user_sub`'s grants to `grants` (empty revokes) on `today`, by `by`.
pub fn set(
    current: &[AccessGrant],
    user_sub: &str,
    grants: Vec<Grant>,
    by: &str,
    today: NaiveDate,
) -> Result<GrantsChange, Rejection> {
    let user_sub = parse_user_sub(user_sub).map_err(|kind| Rejection::one("userSub", kind))?;
    let before: Vec<Grant> = current
        .iter()
        .find(|g| g.user_sub == user_sub)
        .map(|g| g.grants.clone())
        .unwrap_or_default();
    let mut next: Vec<AccessGrant> = current
        .iter()
        .filter(|g| g.user_sub != user_sub)
        .cloned()
        .collect();
    if !grants.is_empty() {
        if before.is_empty() && next.len() >= MAX_GRANTED_USERS {
            return Err(Rejection::one(
                "userSub",
                ProblemKind::Count {
                    min: 0,
                    max: MAX_GRANTED_USERS,
                },
            ));
        }
        next.push(AccessGrant {
            user_sub: user_sub.clone(),
            grants: grants.clone(),
            granted_on: today,
            granted_by: by.to_owned(),
        });
        next.sort_by(|a, b| a.user_sub.cmp(&b.user_sub));
    }
    let change = (before != grants).then(|| AccessChange {
        on: today,
        by: by.to_owned(),
        user_sub,
        before,
        after: grants,
    });
    Ok(GrantsChange {
        grants: if change.is_some() {
            next
        } else {
            current.to_vec()
        },
        change,
    })
}

impl GrantsForm {
    /// The grants, distinct and in order; every problem at its index.
    pub fn parse(&self) -> Result<Vec<Grant>, Rejection> {
        let mut problems = Problems::new();
        let Some(raw) = self.grants.as_deref() else {
            return Err(Rejection::one("grants", ProblemKind::Required));
        };
        let field = FieldPath::new("grants");
        let mut grants = Vec::new();
        for (i, raw) in raw.iter().enumerate() {
            if let Some(grant) = problems.take(field.index(i), Grant::parse(raw)) {
                if grants.contains(&grant) {
                    problems.push(
                        field.index(i),
                        ProblemKind::Duplicate {
                            value: raw.trim().to_owned(),
                        },
                    );
                } else {
                    grants.push(grant);
                }
            }
        }
        grants.sort();
        problems.finish(grants)
    }
}

/// `setGrants` (SPEC §15.3): the user's grants from the form, the partner's grants after, and
/// the audit line of the change.
pub fn set_grants(
    env: &Env<'_>,
    form: GrantsForm,
    context: GrantsContext,
) -> Result<GrantsChange, Rejection> {
    let grants = form.parse()?;
    set(
        &context.current,
        &context.user_sub,
        grants,
        &context.by,
        env.today,
    )
}
