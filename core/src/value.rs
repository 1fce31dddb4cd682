//! Typed values parsed at the edge (SPEC §2): identifiers, voucher numbers, emails and money.
//!
//! Each type has a fallible constructor that normalises its input and yields a [`ProblemKind`];
//! the rules take only these types, so they never see unchecked text. They (de)serialize as
//! their normalised strings, and deserializing runs the same check.

use crate::error::ProblemKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The name a unit enum is read and written by: its serde name, which `strum` derives from the
/// same `rename_all` (`core/tests/properties.rs` holds the two together).
pub trait Named: Copy + Into<&'static str> {
    /// The wire name.
    fn name(self) -> &'static str {
        self.into()
    }
}

impl<T: Copy + Into<&'static str>> Named for T {}

/// `text` lowercased one character at a time, for the comparisons that ignore case: emails
/// (SPEC §2) and the directory's order (SPEC §6). Unlike [`str::to_lowercase`], Σ is always σ,
/// never ς at the end of a word: whether two texts are equal ignoring case must not depend on
/// where a letter stands.
pub fn lowercase(text: &str) -> String {
    lowercase_chars(text).collect()
}

fn lowercase_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "wasm", derive(tsify::Tsify), tsify(type = "string"))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        pub struct $name(String);

        impl $name {
            /// The normalised text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ProblemKind;
            fn try_from(text: String) -> Result<Self, ProblemKind> {
                $name::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_value!(
    /// A partner id: 1–10 digits (SPEC §2).
    PartnerId
);
string_value!(
    /// A company location id: 1–10 digits (SPEC §2).
    LocationId
);
string_value!(
    /// A customer id: 1–10 digits (SPEC §15.5).
    CustomerId
);
string_value!(
    /// A voucher number, normalised: trimmed, spaces and hyphens removed, upper-cased, then
    /// 8–16 characters of `[A-Z0-9]` (SPEC §2).
    VoucherNumber
);
string_value!(
    /// An email address, trimmed; compared case-insensitively (SPEC §2).
    Email
);
string_value!(
    /// A program id: a lower-case slug of the catalog (SPEC §3).
    ProgramId
);
string_value!(
    /// The SHA-256 of uploaded bytes as 64 lower-case hex characters (SPEC §8).
    Sha256
);
string_value!(
    /// A claim id, chosen by the store (the rules never make identifiers up).
    ClaimId
);

fn digits_id(text: &str) -> Result<String, ProblemKind> {
    let text = text.trim();
    if (1..=10).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err(ProblemKind::InvalidId)
    }
}

impl PartnerId {
    /// Parses 1–10 digits, surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<PartnerId, ProblemKind> {
        digits_id(text).map(PartnerId)
    }
}

impl CustomerId {
    /// Parses 1–10 digits, surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<CustomerId, ProblemKind> {
        digits_id(text).map(CustomerId)
    }
}

impl LocationId {
    /// Parses 1–10 digits, surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<LocationId, ProblemKind> {
        digits_id(text).map(LocationId)
    }
}

impl VoucherNumber {
    /// Normalises (trim, drop spaces and hyphens, upper-case) and checks 8–16 of `[A-Z0-9]`.
    pub fn parse(text: &str) -> Result<VoucherNumber, ProblemKind> {
        let normalised: String = text
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let ok = (8..=16).contains(&normalised.len())
            && normalised
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(VoucherNumber(normalised))
        } else {
            Err(ProblemKind::InvalidVoucherNumber)
        }
    }
}

impl Email {
    /// Trims and checks: at most 254 characters, one `@`, a local part of 1–64 characters and a
    /// domain with at least one dot and no empty label; no spaces or control characters.
    pub fn parse(text: &str) -> Result<Email, ProblemKind> {
        let text = text.trim();
        let Some((local, domain)) = text.split_once('@') else {
            return Err(ProblemKind::InvalidEmail);
        };
        let ok = text.chars().count() <= 254
            && !local.is_empty()
            && local.chars().count() <= 64
            && !domain.contains('@')
            && domain.split('.').count() > 1
            && domain.split('.').all(|label| !label.is_empty())
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(text.to_owned()))
        } else {
            Err(ProblemKind::InvalidEmail)
        }
    }

    /// The mailbox the address names: lower-cased as [`Email::same_mailbox`] compares, so two
    /// addresses of one mailbox give one key.
    pub fn mailbox(&self) -> String {
        lowercase(&self.0)
    }

    /// Whether both name the same mailbox: equal ignoring case (SPEC §2).
    pub fn same_mailbox(&self, other: &Email) -> bool {
        if self.0.is_ascii() && other.0.is_ascii() {
            // Nearly every address: std's byte-wise comparison, no per-character mapping.
            return self.0.eq_ignore_ascii_case(&other.0);
        }
        lowercase_chars(&self.0).eq(lowercase_chars(&other.0))
    }
}

impl ProgramId {
    /// Checks a slug: 1–40 of `[a-z0-9-]`, starting with a letter or digit.
    pub fn parse(text: &str) -> Result<ProgramId, ProblemKind> {
        let text = text.trim();
        let ok = (1..=40).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-');
        if ok {
            Ok(ProgramId(text.to_owned()))
        } else {
            Err(ProblemKind::UnknownProgram {
                id: text.to_owned(),
            })
        }
    }
}

/// An ISO 4217 currency code such as `USD` (SPEC §2); three letters kept inline, so money is
/// copied without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify), tsify(type = "string"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct Currency([u8; 3]);

impl Currency {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Checks three upper-case letters.
    pub fn parse(text: &str) -> Result<Currency, ProblemKind> {
        if let [a, b, c] = text.as_bytes()
            && [a, b, c].iter().all(|b| b.is_ascii_uppercase())
        {
            Ok(Currency([*a, *b, *c]))
        } else {
            Err(ProblemKind::UnknownValue {
                value: text.to_owned(),
                allowed: "ISO 4217 codes such as USD",
            })
        }
    }
}

impl Sha256 {
    /// Checks 64 hexadecimal characters and keeps them lower-case.
    pub fn parse(text: &str) -> Result<Sha256, ProblemKind> {
        let text = text.trim();
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256(text.to_ascii_lowercase()))
        } else {
            Err(ProblemKind::InvalidSha256)
        }
    }
}

impl ClaimId {
    /// Checks 1–64 of `[A-Za-z0-9-_]`.
    pub fn parse(text: &str) -> Result<ClaimId, ProblemKind> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(ClaimId(text.to_owned()))
        } else {
            Err(ProblemKind::InvalidId)
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = ProblemKind;
    fn try_from(text: String) -> Result<Self, ProblemKind> {
        Currency::parse(&text)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> String {
        value.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money: integer minor units and a currency, never floating point (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// The amount in the currency's minor units (cents for USD).
    pub minor_units: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// `self × factor`, or `None` on overflow.
    pub fn times(&self, factor: u32) -> Option<Money> {
        Some(Money {
            minor_units: self.minor_units.checked_mul(i64::from(factor))?,
            currency: self.currency,
        })
    }
}

/// Checks a free text: trimmed length within `min..=max` characters and no control characters
/// (newlines and tabs are allowed when `multiline`). Returns the trimmed text.
pub fn text(raw: &str, min: usize, max: usize, multiline: bool) -> Result<String, ProblemKind> {
    let trimmed = raw.trim();
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if trimmed.chars().any(|c| c.is_control() && !allowed(c)) {
        Err(ProblemKind::ControlCharacters)
    } else if (min..=max).contains(&trimmed.chars().count()) {
        Ok(trimmed.to_owned())
    } else {
        Err(ProblemKind::Length { min, max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voucher_numbers_normalise() {
        assert_eq!(
            VoucherNumber::parse(" ab-cd 1234-ef ").map(String::from),
            Ok("ABCD1234EF".to_owned())
        );
        assert!(VoucherNumber::parse("ABC1234").is_err());
        assert!(VoucherNumber::parse("ABCD1234ABCD12345").is_err());
        assert!(VoucherNumber::parse("ABCD_1234").is_err());
        assert!(VoucherNumber::parse("ÄBCD1234").is_err());
    }

    #[test]
    fn emails() {
        let a = Email::parse(" Admin@Contoso.com ").unwrap();
        let b = Email::parse("admin@contoso.COM").unwrap();
        assert!(a.same_mailbox(&b));
        assert_eq!(a.as_str(), "Admin@Contoso.com");
        for bad in [
            "a@b",
            "@b.com",
            "a@@b.com",
            "a@b..com",
            "a b@c.com",
            "a@b.com@c.com",
            "",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        let long_local = format!("{}@contoso.com", "a".repeat(65));
        assert!(Email::parse(&long_local).is_err());
        let long = format!("a@{}.com", "b".repeat(250));
        assert!(Email::parse(&long).is_err());
        assert!(Email::parse(&format!("{}@contoso.com", "a".repeat(64))).is_ok());
        // 64 two-byte characters are 128 bytes, and still a valid local part.
        assert!(Email::parse(&format!("{}@contoso.com", "é".repeat(64))).is_ok());
        assert!(Email::parse(&format!("{}@contoso.com", "é".repeat(65))).is_err());
    }

    /// Email's checks as SPEC §2 words them, counting every character.
    fn email_as_specified(text: &str) -> bool {
        let text = text.trim();
        let mut parts = text.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        text.chars().count() <= 254
            && (1..=64).contains(&local.chars().count())
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty())
            && !text.chars().any(|c| c.is_whitespace() || c.is_control())
    }

    proptest::proptest! {
        #[test]
        fn emails_are_checked_as_specified(
            local in "[a-zé.]{0,70}[a-zé\\x00-\\x20\\x7f\\u{85}\\u{a0}\\u{2028}\\u{3000}@]{0,2}",
            domain in "([a-z中\\t-]{0,60}\\.){0,4}[a-z.@]{0,3}",
        ) {
            let text = format!("{local}@{domain}");
            proptest::prop_assert_eq!(Email::parse(&text).is_ok(), email_as_specified(&text));
        }
    }

    #[test]
    fn ids_and_text() {
        assert!(PartnerId::parse("1234567890").is_ok());
        assert!(PartnerId::parse("12345678901").is_err());
        assert!(PartnerId::parse("").is_err());
        assert!(PartnerId::parse("12a").is_err());
        assert_eq!(text("  ab ", 2, 3, false), Ok("ab".to_owned()));
        assert_eq!(
            text("a\u{7}b", 1, 9, false),
            Err(ProblemKind::ControlCharacters)
        );
        assert_eq!(text("a\nb", 1, 9, true), Ok("a\nb".to_owned()));
        assert_eq!(text("😀😀", 2, 2, false), Ok("😀😀".to_owned()));
    }
}
