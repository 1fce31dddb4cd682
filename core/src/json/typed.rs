//! Reads core's inputs out of a parsed [`Node`] with code written for their shapes, not with
//! serde's derives.
//!
//! A derived `Deserialize` is a map visitor per struct, with a key visitor, a slot per field and
//! drop glue for every way out. In the WASM module those were about 0.85 KB per input struct,
//! and with the seeds and key visitors they came to a fifth of the module. Here one routine checks
//! an object's keys for every struct, and each field is one call of a reader shared by every
//! field of its type.
//!
//! The errors are serde_json's words (`missing field`, `unknown field ..., expected one of ...`,
//! `invalid type: ..., expected ...`), with the path of the value at fault. An object's unknown
//! keys are reported first, then its fields in declaration order. A derived visitor reported
//! them in key order, which differs only when one object has several faults.
//!
//! The types keep their serde derives for the HTTP layer's own storage and for the TypeScript and
//! OpenAPI schemas. `core/tests/json_read.rs` checks that both readings agree on every vector's
//! input and on each one-node change of it.

use super::node::Node;
use super::read::{ReadError, invalid_type, number_unexpected};
use chrono::NaiveDate;
use serde::de::{Error as _, Unexpected};

/// Reads `value` as a `T`, as the entry points read their inputs.
pub fn from_value<T: FromNode>(value: &serde_json::Value) -> Result<T, ReadError> {
    T::from_node(&Node::of(value))
}

/// A value read from a [`Node`].
pub trait FromNode: Sized {
    /// Reads `node`.
    fn from_node(node: &Node<'_>) -> Result<Self, ReadError>;

    /// What an absent field of this type reads as: nothing but an option has a value then.
    fn absent() -> Option<Self> {
        None
    }
}

/// Finds the fields of an object of the type that `expecting` names: `slots[i]` gets the value
/// of the key `names[i]`. Any other key is an unknown field unless `others_ignored`.
pub fn fields<'n, 'a>(
    node: &'n Node<'a>,
    expecting: &'static str,
    names: &'static [&'static str],
    others_ignored: bool,
    slots: &mut [Option<&'n Node<'a>>],
) -> Result<(), ReadError> {
    let Node::Object(entries) = node else {
        return Err(invalid_type(node, &expecting));
    };
    for (key, value) in entries {
        match names.iter().position(|name| *name == key.as_ref()) {
            Some(index) => {
                if let Some(slot) = slots.get_mut(index) {
                    *slot = Some(value);
                }
            }
            None if others_ignored => {}
            // An unknown field is reported at itself.
            None => return Err(ReadError::unknown_field(key, names).at_key(key)),
        }
    }
    Ok(())
}

/// The field `name`, found in `slot`: an option may be absent, anything else must be there.
pub fn field<T: FromNode>(slot: Option<&Node<'_>>, name: &'static str) -> Result<T, ReadError> {
    match slot {
        Some(node) => at_key(T::from_node(node), name),
        None => match T::absent() {
            Some(value) => Ok(value),
            None => Err(ReadError::missing_field(name)),
        },
    }
}

/// The field `name`, found in `slot`, or `default()` when it is absent.
pub fn field_or<T: FromNode>(
    slot: Option<&Node<'_>>,
    name: &'static str,
    default: fn() -> T,
) -> Result<T, ReadError> {
    match slot {
        Some(node) => at_key(T::from_node(node), name),
        None => Ok(default()),
    }
}

// `match`, not `map_err`: at opt-level z each `map_err` of a generic result stays a function of
// its own per type.
fn at_key<T>(result: Result<T, ReadError>, name: &str) -> Result<T, ReadError> {
    match result {
        Ok(value) => Ok(value),
        Err(error) => Err(error.at_key(name)),
    }
}

/// Implements [`FromNode`] for a struct read from an object: each field with its JSON name, and
/// `= default` (its type's) or `= path::to::fn` for what an absent field reads as. Other keys
/// are unknown fields, unless the list ends with `..`.
macro_rules! from_object {
    ($type:ident $(, $expecting:literal)? {
        $($field:ident: $name:literal $(= $($default:ident)::+)?),* $(,)?
    }) => {
        $crate::json::from_object!(@impl $type $(, $expecting)? [false] {
            $($field: $name $(= $($default)::+)?),*
        });
    };
    ($type:ident $(, $expecting:literal)? {
        $($field:ident: $name:literal $(= $($default:ident)::+)?,)* ..
    }) => {
        $crate::json::from_object!(@impl $type $(, $expecting)? [true] {
            $($field: $name $(= $($default)::+)?),*
        });
    };
    (@impl $type:ident $(, $expecting:literal)? [$others_ignored:literal] {
        $($field:ident: $name:literal $(= $($default:ident)::+)?),*
    }) => {
        impl $crate::json::FromNode for $type {
            fn from_node(
                node: &$crate::json::Node<'_>,
            ) -> Result<Self, $crate::json::ReadError> {
                const NAMES: &[&str] = &[$($name),*];
                let mut slots = [None; NAMES.len()];
                $crate::json::fields(
                    node,
                    $crate::json::from_object!(@expecting $type $($expecting)?),
                    NAMES,
                    $others_ignored,
                    &mut slots,
                )?;
                let [$($field),*] = slots;
                Ok($type {
                    $($field: $crate::json::from_object!(@field $field $name $($($default)::+)?)?,)*
                })
            }
        }
    };
    (@expecting $type:ident) => { concat!("struct ", stringify!($type)) };
    (@expecting $type:ident $expecting:literal) => { $expecting };
    (@field $slot:ident $name:literal) => { $crate::json::field($slot, $name) };
    (@field $slot:ident $name:literal default) => {
        $crate::json::field_or($slot, $name, Default::default)
    };
    (@field $slot:ident $name:literal $($default:ident)::+) => {
        $crate::json::field_or($slot, $name, $($default)::+)
    };
}
pub(crate) use from_object;

/// For an enum of unit variants, each known by one name: its `name()`, and [`FromNode`] and
/// [`ToJson`](crate::json::ToJson) by that name.
macro_rules! by_name {
    ($type:ident { $($variant:ident = $name:literal),* $(,)? }) => {
        impl $type {
            /// The name it is read and written by.
            pub fn name(self) -> &'static str {
                match self {
                    $($type::$variant => $name,)*
                }
            }
        }

        impl $crate::json::FromNode for $type {
            fn from_node(
                node: &$crate::json::Node<'_>,
            ) -> Result<Self, $crate::json::ReadError> {
                const NAMES: &[&str] = &[$($name),*];
                const VARIANTS: &[$type] = &[$($type::$variant),*];
                let index = $crate::json::variant(node, NAMES)?;
                // `variant` gives an index into NAMES, which VARIANTS matches.
                VARIANTS.get(index).copied().ok_or_else(|| {
                    <$crate::json::ReadError as serde::de::Error>::custom("unknown variant")
                })
            }
        }

        impl $crate::json::ToJson for $type {
            fn write_json(&self, out: &mut $crate::json::Writer) {
                out.string(self.name());
            }
        }
    };
}
pub(crate) use by_name;

/// The position in `names` of the variant `node` names.
pub(crate) fn variant(node: &Node<'_>, names: &'static [&'static str]) -> Result<usize, ReadError> {
    match node {
        Node::String(name) => names
            .iter()
            .position(|known| known == name)
            .ok_or_else(|| ReadError::unknown_variant(name, names)),
        other => Err(invalid_type(other, &"a string")),
    }
}

/// Implements [`FromNode`] for a type read from a string by `$parse`, whose error displays.
macro_rules! from_text {
    ($type:ty, $parse:expr) => {
        impl $crate::json::FromNode for $type {
            fn from_node(node: &$crate::json::Node<'_>) -> Result<Self, $crate::json::ReadError> {
                let text = $crate::json::text(node)?;
                match $parse(text) {
                    Ok(value) => Ok(value),
                    Err(error) => Err(<$crate::json::ReadError as serde::de::Error>::custom(error)),
                }
            }
        }
    };
}
pub(crate) use from_text;

/// The text of a string node.
pub(crate) fn text<'n>(node: &'n Node<'_>) -> Result<&'n str, ReadError> {
    match node {
        Node::String(text) => Ok(text),
        other => Err(invalid_type(other, &"a string")),
    }
}

impl FromNode for String {
    fn from_node(node: &Node<'_>) -> Result<String, ReadError> {
        text(node).map(str::to_owned)
    }
}

impl FromNode for bool {
    fn from_node(node: &Node<'_>) -> Result<bool, ReadError> {
        match node {
            Node::Bool(b) => Ok(*b),
            other => Err(invalid_type(other, &"a boolean")),
        }
    }
}

/// A whole number that fits `T`, which `expected` names, with serde's errors: another kind of
/// number is an invalid type, a whole number out of range an invalid value.
fn whole<T: TryFrom<u64> + TryFrom<i64>>(
    node: &Node<'_>,
    expected: &'static str,
) -> Result<T, ReadError> {
    let Node::Number(n) = node else {
        return Err(invalid_type(node, &expected));
    };
    let unexpected = number_unexpected(n);
    let value = match unexpected {
        Unexpected::Unsigned(u) => T::try_from(u).ok(),
        Unexpected::Signed(i) => T::try_from(i).ok(),
        _ => return Err(ReadError::invalid_type(unexpected, &expected)),
    };
    value.ok_or_else(|| ReadError::invalid_value(unexpected, &expected))
}

impl FromNode for u32 {
    fn from_node(node: &Node<'_>) -> Result<u32, ReadError> {
        whole(node, "u32")
    }
}

impl FromNode for u64 {
    fn from_node(node: &Node<'_>) -> Result<u64, ReadError> {
        whole(node, "u64")
    }
}

impl FromNode for i64 {
    fn from_node(node: &Node<'_>) -> Result<i64, ReadError> {
        whole(node, "i64")
    }
}

/// A strict `YYYY-MM-DD`, as `calendar::serde_date` reads it.
impl FromNode for NaiveDate {
    fn from_node(node: &Node<'_>) -> Result<NaiveDate, ReadError> {
        let text = text(node)?;
        crate::calendar::parse_date(text).ok_or_else(|| {
            ReadError::custom(format_args!("`{text}` is not a date like 2026-01-31"))
        })
    }
}

impl<T: FromNode> FromNode for Option<T> {
    fn from_node(node: &Node<'_>) -> Result<Option<T>, ReadError> {
        match node {
            Node::Null => Ok(None),
            node => T::from_node(node).map(Some),
        }
    }

    fn absent() -> Option<Option<T>> {
        Some(None)
    }
}

impl<T: FromNode> FromNode for Vec<T> {
    fn from_node(node: &Node<'_>) -> Result<Vec<T>, ReadError> {
        let Node::Array(items) = node else {
            return Err(invalid_type(node, &"a sequence"));
        };
        let mut values = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match T::from_node(item) {
                Ok(value) => values.push(value),
                Err(error) => return Err(error.at_index(index)),
            }
        }
        Ok(values)
    }
}
