//! Writes the rules' outputs as JSON text with code written for their shapes, not with serde's
//! derives on serde_json's serializer.
//!
//! A derived `Serialize` is a function per struct whose every field is a generic entry call that
//! returns a `Result`, with a copy of the entry code per value type. Writing into a `String`
//! cannot fail, so here a field is a key and a call of the writer shared by every value of its
//! type: the optimized WASM module is 16.6 KB smaller. Strings with nothing to escape, nearly all
//! of them, are copied in one piece: serde_json's escaping at opt-level z was a quarter of the
//! reservation form check's instructions natively.
//!
//! The text is byte for byte what serde_json writes for the types' serde derives, which stay
//! for the HTTP layer's storage and the schemas: `json::tests` holds every output of every
//! shared vector to that.

use chrono::NaiveDate;

/// JSON text being written.
#[derive(Debug, Default)]
pub struct Writer {
    text: String,
    /// No key or element has been written since the current object or array began.
    fresh: bool,
}

impl Writer {
    /// The text written.
    #[inline]
    pub fn into_string(self) -> String {
        self.text
    }

    /// Starts an object.
    #[inline]
    pub fn begin_object(&mut self) {
        self.text.push('{');
        self.fresh = true;
    }

    /// Writes a key of the current object; `name` needs no escaping.
    #[inline]
    pub fn key(&mut self, name: &str) {
        if !self.fresh {
            self.text.push(',');
        }
        self.fresh = false;
        self.text.push('"');
        self.text.push_str(name);
        self.text.push_str("\":");
    }

    /// Ends the current object.
    #[inline]
    pub fn end_object(&mut self) {
        self.text.push('}');
        self.fresh = false;
    }

    /// Starts an array.
    #[inline]
    pub fn begin_array(&mut self) {
        self.text.push('[');
        self.fresh = true;
    }

    /// Starts an element of the current array.
    #[inline]
    pub fn element(&mut self) {
        if !self.fresh {
            self.text.push(',');
        }
        self.fresh = false;
    }

    /// Ends the current array.
    #[inline]
    pub fn end_array(&mut self) {
        self.text.push(']');
        self.fresh = false;
    }

    /// Writes text that is already JSON (a number, `true`, `null`).
    #[inline]
    fn raw(&mut self, json: &str) {
        self.text.push_str(json);
    }

    /// Writes a string, escaped as serde_json escapes it: `"`, `\\` and control characters only.
    #[inline]
    pub fn string(&mut self, value: &str) {
        self.text.reserve(value.len() + 2);
        self.text.push('"');
        // Every byte to escape is ASCII, so each cut is on a character boundary; `get` says so
        // without a panic path (slicing would pull std's slice-error formatting into the WASM
        // module).
        let mut rest = value;
        loop {
            let at = super::scan::plain_len(rest.as_bytes());
            let (Some(clean), Some(&byte), Some(after)) =
                (rest.get(..at), rest.as_bytes().get(at), rest.get(at + 1..))
            else {
                break;
            };
            self.text.push_str(clean);
            self.escape(byte);
            rest = after;
        }
        self.text.push_str(rest);
        self.text.push('"');
    }

    #[inline]
    fn escape(&mut self, byte: u8) {
        match byte {
            b'"' => self.raw("\\\""),
            b'\\' => self.raw("\\\\"),
            0x08 => self.raw("\\b"),
            0x0c => self.raw("\\f"),
            b'\n' => self.raw("\\n"),
            b'\r' => self.raw("\\r"),
            b'\t' => self.raw("\\t"),
            control => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.raw("\\u00");
                for shift in [4, 0] {
                    let digit = HEX.get(usize::from((control >> shift) & 0xf)).copied();
                    self.text.push(char::from(digit.unwrap_or(b'0')));
                }
            }
        }
    }
}

/// A value written as JSON.
pub trait ToJson {
    /// Writes the value.
    fn write_json(&self, out: &mut Writer);
}

/// A struct written as a JSON object, whose fields another object can take in (serde's
/// `flatten`).
pub trait ToJsonFields {
    /// Writes the fields, each with its key, into the current object.
    fn write_fields(&self, out: &mut Writer);
}

/// `value` as JSON text, between `head` and `tail` (JSON text themselves). Not generic: one copy
/// for every output type.
#[inline]
pub fn wrapped(head: &str, value: &dyn ToJson, tail: &str) -> String {
    // Room for a form check's answer at once: growing the text step by step (reallocating and
    // copying) was a seventh of a reservation check's instructions natively.
    let mut out = Writer {
        text: String::with_capacity(512),
        fresh: false,
    };
    out.raw(head);
    value.write_json(&mut out);
    out.raw(tail);
    out.into_string()
}

/// Implements [`ToJson`] and [`ToJsonFields`] for a struct written as an object: first the
/// fields of any struct it takes in (`..field`), then each field with its key, left out when
/// marked `if some` and `None`.
macro_rules! to_object {
    ($type:ident $(<$param:ident>)? {
        $(..$flattened:ident,)?
        $($field:ident: $name:literal $(if $some:ident)?),* $(,)?
    }) => {
        impl$(<$param: $crate::json::ToJson>)? $crate::json::ToJsonFields for $type$(<$param>)? {
            fn write_fields(&self, out: &mut $crate::json::Writer) {
                $($crate::json::ToJsonFields::write_fields(&self.$flattened, out);)?
                $($crate::json::to_object!(@field self out $field $name $($some)?);)*
            }
        }

        impl$(<$param: $crate::json::ToJson>)? $crate::json::ToJson for $type$(<$param>)? {
            fn write_json(&self, out: &mut $crate::json::Writer) {
                out.begin_object();
                $crate::json::ToJsonFields::write_fields(self, out);
                out.end_object();
            }
        }
    };
    (@field $self:ident $out:ident $field:ident $name:literal) => {
        $out.key($name);
        $crate::json::ToJson::write_json(&$self.$field, $out);
    };
    (@field $self:ident $out:ident $field:ident $name:literal some) => {
        if let Some(value) = &$self.$field {
            $out.key($name);
            $crate::json::ToJson::write_json(value, $out);
        }
    };
}
pub(crate) use to_object;

/// Implements [`FromNode`](crate::json::FromNode), [`ToJson`] and [`ToJsonFields`] for a struct
/// read and written as an object: each field with its key, `= default` or `= path::to::fn` for
/// what it reads as when absent (see `from_object!`), and `if some` to leave it out when `None`.
macro_rules! json_object {
    ($type:ident {
        $($field:ident: $name:literal $(= $($default:ident)::+)? $(if $some:ident)?),* $(,)?
    }) => {
        $crate::json::from_object!($type { $($field: $name $(= $($default)::+)?),* });
        $crate::json::to_object!($type { $($field: $name $(if $some)?),* });
    };
}
pub(crate) use json_object;

/// Implements [`ToJson`] for a type written as the string its `as_str` gives.
macro_rules! to_text {
    ($type:ty) => {
        impl $crate::json::ToJson for $type {
            fn write_json(&self, out: &mut $crate::json::Writer) {
                out.string(self.as_str());
            }
        }
    };
}
pub(crate) use to_text;

impl ToJson for str {
    fn write_json(&self, out: &mut Writer) {
        out.string(self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut Writer) {
        out.string(self);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut Writer) {
        out.raw(if *self { "true" } else { "false" });
    }
}

macro_rules! to_integer {
    ($($type:ty)*) => {$(
        impl ToJson for $type {
            fn write_json(&self, out: &mut Writer) {
                out.raw(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}
to_integer!(u32 u64 i64);

/// `YYYY-MM-DD`, as `calendar::serde_date` writes it.
impl ToJson for NaiveDate {
    fn write_json(&self, out: &mut Writer) {
        match crate::calendar::iso_digits(*self) {
            Some(digits) => out.string(std::str::from_utf8(&digits).unwrap_or_default()),
            None => out.string(&self.to_string()),
        }
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut Writer) {
        match self {
            Some(value) => value.write_json(out),
            None => out.raw("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut Writer) {
        out.begin_array();
        for item in self {
            out.element();
            item.write_json(out);
        }
        out.end_array();
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut Writer) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut Writer) {
        (**self).write_json(out);
    }
}
