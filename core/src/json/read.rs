//! Why an input could not be read, in serde_json's words (`missing field `x``, `unknown field
//! `y`, expected one of ...`, `invalid type: string "z", expected u32`), and where.
//!
//! [`ReadError`] implements serde's `de::Error`, whose provided methods word the errors, and
//! writes the values it names without the float and Unicode-escape formatting machinery that
//! serde's own rendering pulls in.

use super::node::Node;
use crate::error::FieldPath;
use serde::de::{self, Expected, Unexpected};
use serde_json::Number;
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
    pub(super) fn at_key(mut self, key: &str) -> ReadError {
        self.0.path.push(Step::Key(key.to_owned()));
        self
    }

    #[cold]
    #[inline(never)]
    pub(super) fn at_index(mut self, index: usize) -> ReadError {
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
pub(super) fn number_unexpected(n: &Number) -> Unexpected<'static> {
    if let Some(u) = n.as_u64() {
        Unexpected::Unsigned(u)
    } else if let Some(i) = n.as_i64() {
        Unexpected::Signed(i)
    } else {
        Unexpected::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

// Out of line and not generic: each reader's code holds a call, not a copy.
#[cold]
pub(super) fn invalid_type(value: &Node<'_>, expected: &dyn Expected) -> ReadError {
    <ReadError as de::Error>::invalid_type(unexpected(value), expected)
}
