//! Reads an entry point's input into its typed form: a serde `Deserializer` over a parsed
//! [`Node`] that calls, for each type, only the visitor method that type's JSON shape needs.
//!
//! serde_json's own `&Value` deserializer also reads a struct from an array (by position), so
//! every struct's sequence visitor is compiled in beside its map visitor: in the WASM module that
//! is most of the code of the input types. A JSON form is never an array, so here a struct
//! comes only from an object, and an array where a struct belongs is `invalid type: sequence`.
//! Everything else is serde_json's behaviour, with its error texts, which [`ReadError`] writes
//! without the float and Unicode-escape formatting machinery that serde's own rendering pulls in.

use super::node::Node;
use crate::error::FieldPath;
use serde::de::{
    self, DeserializeSeed, EnumAccess, Error as _, Expected, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::{Deserialize, forward_to_deserialize_any};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};

/// Why an input does not have the shape of its type, in serde_json's words (`missing field
/// `x``, `unknown field `y`, expected one of ...`, `invalid type: string "z", expected u32`),
/// and where: the JSON path of the value at fault (SPEC §11), which serde_json does not keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError(Box<Message>);

/// Boxed so that `ReadError` is one pointer wide, like serde_json's `Error`: every visitor
/// returns it, and a narrower `Result` is less code in each of them.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Message {
    text: String,
    /// Innermost first: each level the error passes on its way out adds its own step.
    path: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

impl ReadError {
    /// What is wrong, without where.
    pub fn detail(&self) -> &str {
        &self.0.text
    }

    /// Where: the path of the value at fault, below `root` (the path of the value read).
    pub fn field(&self, root: FieldPath) -> FieldPath {
        self.0.path.iter().rev().fold(root, |at, step| match step {
            Step::Key(key) => at.key(key).into(),
            Step::Index(index) => at.index(*index),
        })
    }

    // Out of line: every visitor's error path calls these, and a call is less code than a copy.
    #[cold]
    #[inline(never)]
    fn at_key(mut self, key: &str) -> ReadError {
        self.0.path.push(Step::Key(key.to_owned()));
        self
    }

    #[cold]
    #[inline(never)]
    fn at_index(mut self, index: usize) -> ReadError {
        self.0.path.push(Step::Index(index));
        self
    }
}

impl Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field(FieldPath::new(""));
        match field.as_str() {
            "" => f.write_str(self.detail()),
            at => write!(f, "{} at `{at}`", self.detail()),
        }
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    #[cold]
    fn custom<T: Display>(message: T) -> ReadError {
        ReadError(Box::new(Message {
            text: message.to_string(),
            path: Vec::new(),
        }))
    }

    #[cold]
    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> ReadError {
        ReadError::custom(format_args!(
            "invalid type: {}, expected {expected}",
            Shown(unexpected)
        ))
    }

    #[cold]
    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> ReadError {
        ReadError::custom(format_args!(
            "invalid value: {}, expected {expected}",
            Shown(unexpected)
        ))
    }
}

/// A value as serde_json's errors name it (`null`, `integer `7``, `string "x"`). serde's own
/// `Display` of [`Unexpected`] is one function that also formats floats through `core::fmt` and
/// strings through `Debug`, which together are ~30 KB of WASM; this writes floats as serde_json
/// writes numbers, and strings as `Debug` does except that only control characters are escaped.
struct Shown<'a>(Unexpected<'a>);

impl Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(u) => write!(f, "integer `{u}`"),
            Unexpected::Signed(i) => write!(f, "integer `{i}`"),
            Unexpected::Float(x) => match Number::from_f64(x) {
                Some(n) => write!(f, "floating point `{n}`"),
                None => f.write_str("floating point `NaN`"),
            },
            Unexpected::Char(c) => write!(f, "character `{c}`"),
            Unexpected::Str(s) => {
                f.write_str("string \"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        '\0' => f.write_str("\\0")?,
                        c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                        c => f.write_char(c)?,
                    }
                }
                f.write_char('"')
            }
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("sequence"),
            Unexpected::Map => f.write_str("map"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(other) => f.write_str(other),
        }
    }
}

/// Reads `value` as a `T`.
pub fn from_value<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, ReadError> {
    from_node(&Node::of(value))
}

/// Reads `node` as a `T`.
pub(crate) fn from_node<'de, T: Deserialize<'de>>(node: &'de Node<'de>) -> Result<T, ReadError> {
    T::deserialize(Reader(node))
}

/// One JSON value being read.
#[derive(Clone, Copy)]
struct Reader<'de>(&'de Node<'de>);

/// What serde_json reports a value as in `invalid type` errors.
fn unexpected<'a>(node: &'a Node<'_>) -> Unexpected<'a> {
    match node {
        Node::Null => Unexpected::Unit,
        Node::Bool(b) => Unexpected::Bool(*b),
        Node::Number(n) => number_unexpected(n),
        Node::String(s) => Unexpected::Str(s),
        Node::Array(_) => Unexpected::Seq,
        Node::Object(_) => Unexpected::Map,
    }
}

/// A number as serde_json keeps it: the first of u64, i64 and f64 that holds it.
fn number_unexpected(n: &Number) -> Unexpected<'static> {
    if let Some(u) = n.as_u64() {
        Unexpected::Unsigned(u)
    } else if let Some(i) = n.as_i64() {
        Unexpected::Signed(i)
    } else {
        Unexpected::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

// Not generic over the visitor, so each type's code holds a call, not a copy.
#[cold]
fn invalid_type(value: &Node<'_>, expected: &dyn Expected) -> ReadError {
    <ReadError as de::Error>::invalid_type(unexpected(value), expected)
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, ReadError> {
    match number_unexpected(n) {
        Unexpected::Unsigned(u) => visitor.visit_u64(u),
        Unexpected::Signed(i) => visitor.visit_i64(i),
        _ => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
    }
}

fn visit_array<'de, V: Visitor<'de>>(
    items: &'de [Node<'de>],
    visitor: V,
) -> Result<V::Value, ReadError> {
    let mut seq = Items(items.iter().enumerate());
    let value = visitor.visit_seq(&mut seq)?;
    match seq.0.len() {
        0 => Ok(value),
        _ => Err(ReadError::invalid_length(
            items.len(),
            &"fewer elements in array",
        )),
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    map: &'de [(Cow<'de, str>, Node<'de>)],
    visitor: V,
) -> Result<V::Value, ReadError> {
    let mut entries = Entries {
        iter: map.iter(),
        current: None,
    };
    let value = visitor.visit_map(&mut entries)?;
    match entries.iter.len() {
        0 => Ok(value),
        _ => Err(ReadError::invalid_length(
            map.len(),
            &"fewer elements in map",
        )),
    }
}

/// Every number type reads as `deserialize_u64` does: the number's own kind is visited and the
/// visitor converts or refuses it, as with serde_json.
macro_rules! numbers_as_u64 {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
            self.deserialize_u64(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Reader<'de> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::Number(n) => visit_number(n, visitor),
            Node::String(s) => visitor.visit_borrowed_str(s),
            Node::Array(items) => visit_array(items, visitor),
            Node::Object(map) => visit_object(map, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::Bool(b) => visitor.visit_bool(*b),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::Number(n) => visit_number(n, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    numbers_as_u64! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_f32 deserialize_f64
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::String(s) => visitor.visit_borrowed_str(s),
            other => Err(invalid_type(other, &visitor)),
        }
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::Null => visitor.visit_unit(),
            other => Err(invalid_type(other, &visitor)),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::Array(items) => visit_array(items, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::Object(map) => visit_object(map, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }
    // Objects only: see the module comment.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.0 {
            Node::String(variant) => visitor.visit_enum(Variant {
                name: variant,
                value: None,
            }),
            Node::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((name, value)), None) => visitor.visit_enum(Variant {
                        name,
                        value: Some(value),
                    }),
                    _ => Err(ReadError::invalid_value(
                        Unexpected::Map,
                        &"map with a single key",
                    )),
                }
            }
            other => Err(invalid_type(other, &"string or map")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! { i128 u128 bytes byte_buf }
}

/// The elements of an array, numbered for the paths of errors.
struct Items<'de>(std::iter::Enumerate<std::slice::Iter<'de, Node<'de>>>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = ReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ReadError> {
        let Some((index, value)) = self.0.next() else {
            return Ok(None);
        };
        match seed.deserialize(Reader(value)) {
            Ok(element) => Ok(Some(element)),
            Err(error) => Err(error.at_index(index)),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of an object; `current` is the one whose key was read last.
struct Entries<'de> {
    iter: std::slice::Iter<'de, (Cow<'de, str>, Node<'de>)>,
    current: Option<(&'de str, &'de Node<'de>)>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReadError> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.current = Some((key.as_ref(), value));
        // An unknown field is reported at itself.
        match seed.deserialize(Key(key)) {
            Ok(key) => Ok(Some(key)),
            Err(error) => Err(error.at_key(key)),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, ReadError> {
        // `match`, not `map_err`, here and below: at opt-level z each `map_err` of a generic
        // result stays a function of its own per type (3 KB of the module in all).
        match self.current.take() {
            Some((key, value)) => match seed.deserialize(Reader(value)) {
                Ok(value) => Ok(value),
                Err(error) => Err(error.at_key(key)),
            },
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An object key or a variant name: always text (no map in the inputs has number keys).
struct Key<'de>(&'de str);

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_borrowed_str(self.0)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// An enum variant: its name, and its content unless it is written as a plain string.
struct Variant<'de> {
    name: &'de str,
    value: Option<&'de Node<'de>>,
}

impl<'de> EnumAccess<'de> for Variant<'de> {
    type Error = ReadError;
    type Variant = Self;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self), ReadError> {
        Ok((seed.deserialize(Key(self.name))?, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'de> {
    type Error = ReadError;

    fn unit_variant(self) -> Result<(), ReadError> {
        match self.value {
            Some(value) => from_node(value),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, ReadError> {
        match self.value {
            Some(value) => match seed.deserialize(Reader(value)) {
                Ok(value) => Ok(value),
                Err(error) => Err(error.at_key(self.name)),
            },
            None => Err(ReadError::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.value {
            Some(Node::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(Node::Array(items)) => match visit_array(items, visitor) {
                Ok(value) => Ok(value),
                Err(error) => Err(error.at_key(self.name)),
            },
            Some(other) => Err(invalid_type(other, &"tuple variant")),
            None => Err(ReadError::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.value {
            Some(Node::Object(map)) => match visit_object(map, visitor) {
                Ok(value) => Ok(value),
                Err(error) => Err(error.at_key(self.name)),
            },
            Some(other) => Err(invalid_type(other, &"struct variant")),
            None => Err(ReadError::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}
