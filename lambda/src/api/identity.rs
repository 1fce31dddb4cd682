//! Who is calling (SPEC §12): behind API Gateway the JWT authorizer has verified the token and
//! its claims arrive in the request context; locally the server verifies HS256 bearer tokens.

use super::AppState;
use super::problem::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lambda_http::request::RequestContext;
use saps_core::access::{self, Operation, Principal, Role};
use saps_core::error::ProblemKind;
use saps_core::value::{CustomerId, PartnerId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How the API learns who calls.
pub enum Identity {
    /// Behind API Gateway: the authorizer's verified claims from the request context.
    ApiGateway,
    /// Locally: HS256 bearer tokens verified with a shared secret.
    Hs256(Box<Hs256Keys>),
}

/// The claims of a saps token.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenClaims {
    sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    exp: u64,
}

/// Issues and verifies HS256 tokens with one secret.
pub struct Hs256Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
#[error("cannot issue a token: {0}")]
pub struct IssueError(#[from] jsonwebtoken::errors::Error);

impl Hs256Keys {
    /// Keys for `secret`.
    pub fn new(secret: &[u8]) -> Hs256Keys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Hs256Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// A token for `principal` that expires at `expires_at` (seconds since the Unix epoch).
    pub fn issue(&self, principal: &Principal, expires_at: u64) -> Result<String, IssueError> {
        let claims = TokenClaims {
            sub: principal.sub.clone(),
            partner_id: principal.partner_id.as_ref().map(|p| p.as_str().to_owned()),
            customer_id: principal
                .customer_id
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            roles: principal
                .roles
                .iter()
                .map(|r| r.name().to_owned())
                .collect(),
            exp: expires_at,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    fn verify(&self, token: &str) -> Option<Principal> {
        let data =
            jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &self.validation).ok()?;
        principal_of(
            data.claims.sub,
            data.claims.partner_id.as_deref(),
            data.claims.customer_id.as_deref(),
            data.claims.roles.iter().map(String::as_str),
        )
    }
}

fn role_named(name: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.name() == name)
}

/// A principal from claims; an unreadable `partnerId` or `customerId` makes the whole identity
/// invalid, while roles saps does not know are ignored.
fn principal_of<'a>(
    sub: String,
    partner_id: Option<&str>,
    customer_id: Option<&str>,
    roles: impl Iterator<Item = &'a str>,
) -> Option<Principal> {
    if sub.is_empty() {
        return None;
    }
    let partner_id = match partner_id.filter(|p| !p.is_empty()) {
        Some(raw) => Some(PartnerId::parse(raw).ok()?),
        None => None,
    };
    let customer_id = match customer_id.filter(|c| !c.is_empty()) {
        Some(raw) => Some(CustomerId::parse(raw).ok()?),
        None => None,
    };
    let mut roles: Vec<Role> = roles.filter_map(role_named).collect();
    roles.dedup();
    Some(Principal {
        sub,
        partner_id,
        customer_id,
        roles,
        grants: Vec::new(),
    })
}

/// API Gateway flattens a list claim to `[a b]`; a token may also carry JSON `["a","b"]` or
/// `a,b`. Every form gives the same names.
fn claim_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split([',', ' '])
        .map(|part| part.trim().trim_matches('"'))
        .filter(|part| !part.is_empty())
}

fn from_authorizer(claims: &HashMap<String, String>) -> Option<Principal> {
    principal_of(
        claims.get("sub")?.clone(),
        claims.get("partnerId").map(String::as_str),
        claims.get("customerId").map(String::as_str),
        claims
            .get("roles")
            .map(String::as_str)
            .map(claim_list)
            .into_iter()
            .flatten(),
    )
}

/// The caller: anonymous, a principal, or credentials that did not verify.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No credentials.
    Anonymous,
    /// Verified.
    Known(Principal),
    /// A token was sent and is forged, expired or unreadable.
    Invalid,
}

impl Caller {
    /// Checks `operation` on data of `owner` (SPEC §1): 401, 403 or 404 as core's `access` says.
    pub fn authorize(
        &self,
        operation: Operation,
        owner: Option<&PartnerId>,
    ) -> Result<Option<&Principal>, ApiError> {
        if matches!(
            operation,
            Operation::ReadCatalog | Operation::SearchDirectory
        ) {
            return Ok(self.principal());
        }
        if matches!(self, Caller::Invalid) {
            return Err(unauthenticated());
        }
        access::authorize(self.principal(), operation, owner)?;
        Ok(self.principal())
    }

    /// Checks a customer's `operation` on `customer`'s data (SPEC §15.5): 401, 403 or 404 as
    /// core's `access` says.
    pub fn authorize_customer(
        &self,
        operation: Operation,
        customer: &CustomerId,
    ) -> Result<&Principal, ApiError> {
        if matches!(self, Caller::Invalid) {
            return Err(unauthenticated());
        }
        access::authorize_customer(self.principal(), operation, customer)?;
        self.authenticated()
    }

    /// The principal, which must be authenticated (401 otherwise).
    pub fn authenticated(&self) -> Result<&Principal, ApiError> {
        self.principal().ok_or_else(unauthenticated)
    }

    fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::Known(principal) => Some(principal),
            Caller::Anonymous | Caller::Invalid => None,
        }
    }
}

fn unauthenticated() -> ApiError {
    ApiError::one("authorization", ProblemKind::Unauthenticated)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Caller, Self::Rejection> {
        Ok(match &state.identity {
            Identity::ApiGateway => match parts.extensions.get::<RequestContext>() {
                Some(RequestContext::ApiGatewayV2(context)) => context
                    .authorizer
                    .as_ref()
                    .and_then(|a| a.jwt.as_ref())
                    .map_or(Caller::Anonymous, |jwt| {
                        from_authorizer(&jwt.claims).map_or(Caller::Invalid, Caller::Known)
                    }),
                _ => Caller::Anonymous,
            },
            Identity::Hs256(keys) => {
                match parts.headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
                    None => Caller::Anonymous,
                    Some(Ok(value)) => value
                        .strip_prefix("Bearer ")
                        .and_then(|token| keys.verify(token.trim()))
                        .map_or(Caller::Invalid, Caller::Known),
                    Some(Err(_)) => Caller::Invalid,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_claims_read_the_same_in_every_form() {
        for raw in [
            "[partner_admin partner_user]",
            r#"["partner_admin","partner_user"]"#,
            "partner_admin,partner_user",
        ] {
            assert_eq!(
                claim_list(raw).collect::<Vec<_>>(),
                ["partner_admin", "partner_user"]
            );
        }
    }

    #[test]
    fn tokens_round_trip_and_other_secrets_fail() {
        let keys = Hs256Keys::new(b"secret one");
        let principal = Principal {
            sub: "ana".into(),
            partner_id: Some(PartnerId::parse("1001").unwrap()),
            customer_id: None,
            roles: vec![Role::PartnerAdmin],
            grants: Vec::new(),
        };
        let token = keys.issue(&principal, 4_000_000_000).unwrap();
        assert_eq!(keys.verify(&token), Some(principal.clone()));
        assert_eq!(Hs256Keys::new(b"secret two").verify(&token), None);
        let expired = keys.issue(&principal, 1_000).unwrap();
        assert_eq!(keys.verify(&expired), None);
    }
}
