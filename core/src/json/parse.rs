//! JSON text to a [`Node`], read exactly as serde_json reads it into a `Value`.
//!
//! The HTTP layer parses request bodies with serde_json; the WASM bindings and the catalog parse
//! with this. The two must agree on every text, down to the numbers (serde_json's default float
//! reading, which is not always the nearest double) and the error messages with their line and
//! column, so that a verdict cannot depend on the surface. The tests here and in `node.rs` hold
//! this parser to serde_json on fixed and generated texts.
//!
//! Why not serde_json's own parser: going through serde's visitor API, it was about 13 KB of the
//! WASM module and a sixth of a form check's time there. This reads straight into [`Node`],
//! keeping every string without escapes as a slice of the text.

use super::node::Node;
use serde_json::Number;
use std::borrow::Cow;

/// Why a text is not JSON, and where: serde_json's message and 1-based line, with the column
/// counted in bytes from the start of that line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} at line {line} column {column}", .code.message())]
pub struct SyntaxError {
    code: Code,
    line: usize,
    column: usize,
}

/// serde_json's syntax error codes, those its `Value` parser can raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    EofWhileParsingList,
    EofWhileParsingObject,
    EofWhileParsingString,
    EofWhileParsingValue,
    ExpectedColon,
    ExpectedListCommaOrEnd,
    ExpectedObjectCommaOrEnd,
    ExpectedSomeIdent,
    ExpectedSomeValue,
    InvalidEscape,
    InvalidNumber,
    NumberOutOfRange,
    ControlCharacterWhileParsingString,
    KeyMustBeAString,
    LoneLeadingSurrogateInHexEscape,
    TrailingComma,
    TrailingCharacters,
    UnexpectedEndOfHexEscape,
    RecursionLimitExceeded,
}

impl Code {
    fn message(self) -> &'static str {
        match self {
            Code::EofWhileParsingList => "EOF while parsing a list",
            Code::EofWhileParsingObject => "EOF while parsing an object",
            Code::EofWhileParsingString => "EOF while parsing a string",
            Code::EofWhileParsingValue => "EOF while parsing a value",
            Code::ExpectedColon => "expected `:`",
            Code::ExpectedListCommaOrEnd => "expected `,` or `]`",
            Code::ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            Code::ExpectedSomeIdent => "expected ident",
            Code::ExpectedSomeValue => "expected value",
            Code::InvalidEscape => "invalid escape",
            Code::InvalidNumber => "invalid number",
            Code::NumberOutOfRange => "number out of range",
            Code::ControlCharacterWhileParsingString => {
                "control character (\\u0000-\\u001F) found while parsing a string"
            }
            Code::KeyMustBeAString => "key must be a string",
            Code::LoneLeadingSurrogateInHexEscape => "lone leading surrogate in hex escape",
            Code::TrailingComma => "trailing comma",
            Code::TrailingCharacters => "trailing characters",
            Code::UnexpectedEndOfHexEscape => "unexpected end of hex escape",
            Code::RecursionLimitExceeded => "recursion limit exceeded",
        }
    }
}

/// Parses one JSON value with nothing but whitespace around it.
pub(crate) fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    let mut parser = Parser {
        text,
        index: 0,
        depth_left: DEPTH_LIMIT,
    };
    let value = parser.value()?;
    match parser.whitespace() {
        Some(_) => Err(parser.peek_error(Code::TrailingCharacters)),
        None => Ok(value),
    }
}

/// serde_json's recursion limit: at most 127 arrays and objects inside one another.
const DEPTH_LIMIT: u8 = 128;

/// `10^i` as the nearest double, for `i` in `0..=308` (serde_json's table).
const POW10: [f64; 309] = include!(concat!(env!("OUT_DIR"), "/pow10.rs"));

struct Parser<'a> {
    text: &'a str,
    /// The next byte to read.
    index: usize,
    depth_left: u8,
}

// `inline(always)` on the byte readers: at opt-level `z` each would otherwise be a call per byte.
impl<'a> Parser<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.index).copied()
    }

    /// The next byte, read.
    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.index += 1;
        Some(byte)
    }

    /// The next byte that is not whitespace, not read.
    #[inline(always)]
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.index += 1;
        }
        self.peek()
    }

    /// An error at the position after the last byte read (serde_json's `error`).
    #[cold]
    fn error(&self, code: Code) -> SyntaxError {
        self.error_at(self.index, code)
    }

    /// An error at the byte not yet read (serde_json's `peek_error`).
    #[cold]
    fn peek_error(&self, code: Code) -> SyntaxError {
        self.error_at((self.index + 1).min(self.text.len()), code)
    }

    fn error_at(&self, index: usize, code: Code) -> SyntaxError {
        let before = self.text.as_bytes().get(..index).unwrap_or_default();
        let start_of_line = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |newline| newline + 1);
        let line = 1 + before
            .iter()
            .take(start_of_line)
            .filter(|&&b| b == b'\n')
            .count();
        SyntaxError {
            code,
            line,
            column: index - start_of_line,
        }
    }

    fn value(&mut self) -> Result<Node<'a>, SyntaxError> {
        let Some(first) = self.whitespace() else {
            return Err(self.peek_error(Code::EofWhileParsingValue));
        };
        match first {
            b'n' => self.ident(b"null", Node::Null),
            b't' => self.ident(b"true", Node::Bool(true)),
            b'f' => self.ident(b"false", Node::Bool(false)),
            b'-' => {
                self.index += 1;
                self.number(false)
            }
            b'0'..=b'9' => self.number(true),
            b'"' => {
                self.index += 1;
                self.string().map(Node::String)
            }
            b'[' => {
                self.enter()?;
                let items = self.array();
                self.depth_left += 1;
                items.map(Node::Array)
            }
            b'{' => {
                self.enter()?;
                let entries = self.object();
                self.depth_left += 1;
                entries.map(|entries| Node::Object(super::node::sorted(entries)))
            }
            _ => Err(self.peek_error(Code::ExpectedSomeValue)),
        }
    }

    /// `null`, `true` or `false`, whose first byte is the next one.
    fn ident(&mut self, word: &[u8], node: Node<'a>) -> Result<Node<'a>, SyntaxError> {
        for &expected in word {
            match self.next() {
                None => return Err(self.error(Code::EofWhileParsingValue)),
                Some(byte) if byte != expected => return Err(self.error(Code::ExpectedSomeIdent)),
                Some(_) => {}
            }
        }
        Ok(node)
    }

    /// One level deeper, at the `[` or `{` not yet read.
    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth_left -= 1;
        if self.depth_left == 0 {
            return Err(self.peek_error(Code::RecursionLimitExceeded));
        }
        self.index += 1;
        Ok(())
    }

    /// The items of an array whose `[` was read, and its `]`.
    fn array(&mut self) -> Result<Vec<Node<'a>>, SyntaxError> {
        let mut items = Vec::new();
        loop {
            match self.whitespace() {
                None => return Err(self.peek_error(Code::EofWhileParsingList)),
                Some(b']') => break,
                Some(_) if items.is_empty() => {}
                Some(b',') => {
                    self.index += 1;
                    match self.whitespace() {
                        Some(b']') => return Err(self.peek_error(Code::TrailingComma)),
                        Some(_) => {}
                        None => return Err(self.peek_error(Code::EofWhileParsingValue)),
                    }
                }
                Some(_) => return Err(self.peek_error(Code::ExpectedListCommaOrEnd)),
            }
            items.push(self.value()?);
        }
        self.index += 1;
        Ok(items)
    }

    /// The entries of an object whose `{` was read, in text order, and its `}`.
    fn object(&mut self) -> Result<Vec<(Cow<'a, str>, Node<'a>)>, SyntaxError> {
        let mut entries = Vec::new();
        loop {
            match self.whitespace() {
                None => return Err(self.peek_error(Code::EofWhileParsingObject)),
                Some(b'}') => break,
                Some(b'"') if entries.is_empty() => {}
                Some(_) if entries.is_empty() => {
                    return Err(self.peek_error(Code::KeyMustBeAString));
                }
                Some(b',') => {
                    self.index += 1;
                    match self.whitespace() {
                        Some(b'"') => {}
                        Some(b'}') => return Err(self.peek_error(Code::TrailingComma)),
                        Some(_) => return Err(self.peek_error(Code::KeyMustBeAString)),
                        None => return Err(self.peek_error(Code::EofWhileParsingValue)),
                    }
                }
                Some(_) => return Err(self.peek_error(Code::ExpectedObjectCommaOrEnd)),
            }
            self.index += 1;
            let key = self.string()?;
            match self.whitespace() {
                Some(b':') => self.index += 1,
                Some(_) => return Err(self.peek_error(Code::ExpectedColon)),
                None => return Err(self.peek_error(Code::EofWhileParsingObject)),
            }
            entries.push((key, self.value()?));
        }
        self.index += 1;
        Ok(entries)
    }

    /// The rest of a string whose `"` was read: borrowed from the text unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let text = self.text;
        let mut unescaped: Option<String> = None;
        let mut start = self.index;
        loop {
            self.skip_unescaped();
            if self.index == text.len() {
                return Err(self.error(Code::EofWhileParsingString));
            }
            // `start` and `index` are both next to ASCII bytes, so both are char boundaries.
            let piece = text.get(start..self.index).unwrap_or_default();
            match self.next() {
                Some(b'"') => {
                    return Ok(match unescaped {
                        None => Cow::Borrowed(piece),
                        Some(mut owned) => {
                            owned.push_str(piece);
                            Cow::Owned(owned)
                        }
                    });
                }
                Some(b'\\') => {
                    let owned = unescaped.get_or_insert_with(String::new);
                    owned.push_str(piece);
                    self.escape(owned)?;
                    start = self.index;
                }
                _ => return Err(self.error(Code::ControlCharacterWhileParsingString)),
            }
        }
    }

    /// Moves to the next `"`, `\\` or control character, or to the end.
    fn skip_unescaped(&mut self) {
        let rest = self.text.as_bytes().get(self.index..).unwrap_or_default();
        self.index += super::scan::plain_len(rest);
    }

    /// The escape after a `\`, appended to `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let unescaped = match self.next() {
            None => return Err(self.error(Code::EofWhileParsingString)),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\x08',
            Some(b'f') => '\x0c',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => self.unicode_escape()?,
            Some(_) => return Err(self.error(Code::InvalidEscape)),
        };
        out.push(unescaped);
        Ok(())
    }

    /// The character of a `\u` escape whose `u` was read: a surrogate pair must be two escapes.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex_escape()?;
        if (0xDC00..=0xDFFF).contains(&first) {
            return Err(self.error(Code::LoneLeadingSurrogateInHexEscape));
        }
        if !(0xD800..=0xDBFF).contains(&first) {
            return char::from_u32(first).ok_or_else(|| self.error(Code::InvalidEscape));
        }
        for expected in [b'\\', b'u'] {
            match self.next() {
                None => return Err(self.error(Code::EofWhileParsingString)),
                Some(byte) if byte != expected => {
                    return Err(self.error(Code::UnexpectedEndOfHexEscape));
                }
                Some(_) => {}
            }
        }
        let second = self.hex_escape()?;
        if !(0xDC00..=0xDFFF).contains(&second) {
            return Err(self.error(Code::LoneLeadingSurrogateInHexEscape));
        }
        let code = 0x1_0000 + ((first - 0xD800) << 10 | (second - 0xDC00));
        char::from_u32(code).ok_or_else(|| self.error(Code::InvalidEscape))
    }

    /// Four hex digits.
    fn hex_escape(&mut self) -> Result<u32, SyntaxError> {
        let text = self.text;
        let Some(digits) = text.as_bytes().get(self.index..self.index + 4) else {
            self.index = text.len();
            return Err(self.error(Code::EofWhileParsingString));
        };
        self.index += 4;
        digits
            .iter()
            .try_fold(0, |value, &digit| {
                Some(value << 4 | char::from(digit).to_digit(16)?)
            })
            .ok_or_else(|| self.error(Code::InvalidEscape))
    }

    /// A number after its sign: a whole number that fits `u64` (or `i64` when negative) stays
    /// whole, anything else is a double.
    fn number(&mut self, positive: bool) -> Result<Node<'a>, SyntaxError> {
        let significand = match self.next() {
            None => return Err(self.error(Code::EofWhileParsingValue)),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error(Code::InvalidNumber));
                }
                0
            }
            Some(digit @ b'1'..=b'9') => {
                let mut significand = u64::from(digit - b'0');
                while let Some(digit @ b'0'..=b'9') = self.peek() {
                    let Some(next) = grown(significand, digit) else {
                        return self.long_integer(positive, significand).map(float);
                    };
                    self.index += 1;
                    significand = next;
                }
                significand
            }
            Some(_) => return Err(self.error(Code::InvalidNumber)),
        };
        match self.peek() {
            Some(b'.') => self.decimal(positive, significand, 0).map(float),
            Some(b'e' | b'E') => self.exponent(positive, significand, 0).map(float),
            _ if positive => Ok(Node::Number(Number::from(significand))),
            _ => match 0i64.wrapping_sub_unsigned(significand) {
                negated if negated < 0 => Ok(Node::Number(Number::from(negated))),
                // `-0`, and whole numbers below `i64::MIN`, are doubles to serde_json.
                _ => Ok(float(-(significand as f64))),
            },
        }
    }

    /// The digits of a whole number past what `u64` holds: counted, not kept.
    #[cold]
    fn long_integer(&mut self, positive: bool, significand: u64) -> Result<f64, SyntaxError> {
        let exponent = self.skip_digits();
        match self.peek() {
            Some(b'.') => self.decimal(positive, significand, exponent),
            _ => self.exponent_or_end(positive, significand, exponent),
        }
    }

    /// The fraction at a `.` not yet read.
    fn decimal(
        &mut self,
        positive: bool,
        mut significand: u64,
        exponent_before_point: i32,
    ) -> Result<f64, SyntaxError> {
        self.index += 1;
        let mut exponent_after_point: i32 = 0;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            let Some(next) = grown(significand, digit) else {
                // Digits past what the significand holds are dropped, as serde_json drops them.
                self.skip_digits();
                let exponent = exponent_before_point.wrapping_add(exponent_after_point);
                return self.exponent_or_end(positive, significand, exponent);
            };
            self.index += 1;
            significand = next;
            exponent_after_point -= 1;
        }
        if exponent_after_point == 0 {
            return Err(self.peek_error(match self.peek() {
                Some(_) => Code::InvalidNumber,
                None => Code::EofWhileParsingValue,
            }));
        }
        let exponent = exponent_before_point.wrapping_add(exponent_after_point);
        self.exponent_or_end(positive, significand, exponent)
    }

    /// Skips digits, and says how many there were.
    fn skip_digits(&mut self) -> i32 {
        let mut count: i32 = 0;
        while let Some(b'0'..=b'9') = self.peek() {
            self.index += 1;
            count = count.wrapping_add(1);
        }
        count
    }

    /// The value, after reading the exponent if one follows.
    fn exponent_or_end(
        &mut self,
        positive: bool,
        significand: u64,
        exponent: i32,
    ) -> Result<f64, SyntaxError> {
        match self.peek() {
            Some(b'e' | b'E') => self.exponent(positive, significand, exponent),
            _ => self.scaled(positive, significand, exponent),
        }
    }

    /// The exponent at an `e` or `E` not yet read.
    fn exponent(
        &mut self,
        positive: bool,
        significand: u64,
        starting_exponent: i32,
    ) -> Result<f64, SyntaxError> {
        self.index += 1;
        let positive_exponent = match self.peek() {
            Some(b'+') => {
                self.index += 1;
                true
            }
            Some(b'-') => {
                self.index += 1;
                false
            }
            _ => true,
        };
        let mut exponent = match self.next() {
            None => return Err(self.error(Code::EofWhileParsingValue)),
            Some(digit @ b'0'..=b'9') => i32::from(digit - b'0'),
            Some(_) => return Err(self.error(Code::InvalidNumber)),
        };
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            self.index += 1;
            let grown = exponent
                .checked_mul(10)
                .and_then(|e| e.checked_add(i32::from(digit - b'0')));
            let Some(next) = grown else {
                // Past i32: out of range, unless the number shrinks to zero (or is zero).
                if significand != 0 && positive_exponent {
                    return Err(self.error(Code::NumberOutOfRange));
                }
                self.skip_digits();
                return Ok(if positive { 0.0 } else { -0.0 });
            };
            exponent = next;
        }
        let exponent = if positive_exponent {
            starting_exponent.saturating_add(exponent)
        } else {
            starting_exponent.saturating_sub(exponent)
        };
        self.scaled(positive, significand, exponent)
    }

    /// `significand × 10^exponent` as serde_json computes it by default: one multiplication or
    /// division by a power of ten from its table (repeated by 1e308 for tiny numbers).
    fn scaled(
        &self,
        positive: bool,
        significand: u64,
        mut exponent: i32,
    ) -> Result<f64, SyntaxError> {
        let mut value = significand as f64;
        loop {
            let power = usize::try_from(exponent.unsigned_abs())
                .ok()
                .and_then(|i| POW10.get(i));
            match power {
                Some(&power) if exponent >= 0 => {
                    value *= power;
                    if value.is_infinite() {
                        return Err(self.error(Code::NumberOutOfRange));
                    }
                    break;
                }
                Some(&power) => {
                    value /= power;
                    break;
                }
                None if value == 0.0 => break,
                None if exponent >= 0 => return Err(self.error(Code::NumberOutOfRange)),
                None => {
                    value /= 1e308;
                    exponent += 308;
                }
            }
        }
        Ok(if positive { value } else { -value })
    }
}

/// `significand` with one more decimal digit, unless that overflows.
fn grown(significand: u64, digit: u8) -> Option<u64> {
    significand
        .checked_mul(10)?
        .checked_add(u64::from(digit - b'0'))
}

/// A double read from the text (always finite).
fn float<'a>(value: f64) -> Node<'a> {
    Number::from_f64(value).map_or(Node::Null, Node::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Both parsers on `text`: the same value, or the same message at the same place.
    fn agrees_with_serde_json(text: &str) -> Result<(), TestCaseError> {
        let ours = parse(text).map(|n| n.to_value()).map_err(|e| e.to_string());
        let theirs = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
        // Compared as text too: `Value`'s equality calls -0.0 and 0.0 equal.
        prop_assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "{:?}", text);
        Ok(())
    }

    /// A number as JSON writes it, and slips from it: leading zeros, a bare `.` or `e`, more
    /// digits than a `u64` or an `i32` exponent hold.
    fn number_text() -> impl Strategy<Value = String> {
        (
            "-?",
            prop_oneof!["[0-9]{0,3}", "[0-9]{0,24}"],
            proptest::option::of(prop_oneof!["\\.[0-9]{0,3}", "\\.[0-9]{0,24}"]),
            proptest::option::of(prop_oneof!["[eE][+-]?[0-9]{0,3}", "[eE][+-]?[0-9]{0,12}"]),
            "[ ,\\]x.eE]?",
            any::<bool>(),
        )
            .prop_map(|(sign, whole, fraction, exponent, after, in_array)| {
                let (fraction, exponent) =
                    (fraction.unwrap_or_default(), exponent.unwrap_or_default());
                let number = format!("{sign}{whole}{fraction}{exponent}{after}");
                if in_array {
                    format!("[{number}]")
                } else {
                    number
                }
            })
    }

    /// Text made of JSON's pieces in any order: mostly not JSON, so mostly errors, each at the
    /// place serde_json reports it.
    fn piece_soup() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            "u",
            "d83d",
            "de00",
            "dc00",
            "00e9",
            "0g1",
            "n",
            "b",
            "/",
            "null",
            "nul",
            "true",
            "tru",
            "false",
            "fals",
            "0",
            "-",
            "1.5",
            "e9",
            " ",
            "\n",
            "\r\n",
            "\t",
            "é",
            "😀",
            "\u{1}",
            "\u{7f}",
            "\"k\"",
            "\"a\\n\"",
            "18446744073709551616",
            "1e400",
            "-0",
        ]);
        proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn reads_numbers_as_serde_json_does(text in number_text()) {
            agrees_with_serde_json(&text)?;
        }

        #[test]
        fn refuses_broken_text_as_serde_json_does(text in piece_soup()) {
            agrees_with_serde_json(&text)?;
        }

        #[test]
        fn reads_strings_and_their_escapes_as_serde_json_does(
            body in proptest::collection::vec(proptest::sample::select(vec![
                "a", "é", "😀", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\x",
                "\\u00e9", "\\u00E9", "\\ud83d", "\\ude00", "\\udbff\\udfff", "\\u12", "\\u12G4",
                "\\", "\n", "\u{1f}", " ",
            ]), 0..8),
            closed in any::<bool>(),
        ) {
            let text = format!("\"{}{}", body.concat(), if closed { "\"" } else { "" });
            agrees_with_serde_json(&text)?;
        }
    }

    fn agrees_on_each(texts: &[&str]) -> Result<(), TestCaseError> {
        texts
            .iter()
            .try_for_each(|text| agrees_with_serde_json(text))
    }

    #[test]
    fn reads_edge_numbers_as_serde_json_does() -> Result<(), TestCaseError> {
        agrees_on_each(&[
            // A whole number one digit past u64 whose fraction's first digit still fits.
            "18446744073709551619.5",
            "-18446744073709551619.5e-3",
            "1844674407370955161.6",
            "9007199254740993",
            "-9223372036854775808",
            "-9223372036854775809",
            "1e308",
            "1.7976931348623157e308",
            "1.8e308",
            "4.9e-324",
            "2.2250738585072011e-308",
            "1e-400",
            "0.0000000000000000000000001e-300",
            "0e99999999999",
            "1e-99999999999",
            "1e99999999999",
            "-0.0",
            "-0e5",
        ])
    }

    #[test]
    fn counts_lines_and_columns_as_serde_json_does() -> Result<(), TestCaseError> {
        agrees_on_each(&[
            "{\n  \"a\": 1,\n  \"b\" 2\n}",
            "[\n1,\n\n2 3]",
            "\n\n  x",
            "[1,\r\n]",
        ])
    }

    #[test]
    fn allows_127_levels_of_nesting_as_serde_json_does() -> Result<(), TestCaseError> {
        for depth in [126, 127, 128, 129] {
            for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
                let inner = if open == "[" { "" } else { "0" };
                agrees_with_serde_json(&format!(
                    "{}{inner}{}",
                    open.repeat(depth),
                    close.repeat(depth)
                ))?;
            }
        }
        Ok(())
    }
}
