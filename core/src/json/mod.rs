//! The JSON entry layer (cedar's `ffi` pattern): JSON in, one of the domain modules' typed rule
//! functions, a tagged answer out (`{"type":"success","output":…}` or
//! `{"type":"failure","errors":[{code,message,fields}]}`).
//!
//! The domain modules know nothing of this layer: it imports them. An input holds the request's
//! own fields at the top level (the JSON paths of errors point there) and, under `context`, the
//! state the rule decides on. Both are read with serde (unknown fields refused), and a shape
//! error is `request.malformed` at the JSON path where reading stopped.

mod registry;

pub use registry::{FORM_RULES, RULES};

use crate::catalog::Catalog;
use crate::error::{Failure, FieldPath, Locale, ProblemKind, Rejection};
use crate::rule::Env;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

/// The tagged answer of every entry point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Answer {
    /// The rule accepted the input.
    Success {
        /// What it produced.
        output: Value,
    },
    /// The rule refused; nothing was changed.
    Failure {
        /// The failure (one, in the shape of SPEC §11).
        errors: Vec<Failure>,
    },
}

impl Answer {
    /// The answer for a rejection in `locale`.
    pub fn rejected(rejection: &Rejection, locale: Locale) -> Answer {
        Answer::Failure {
            errors: vec![rejection.to_failure(locale)],
        }
    }
}

/// How a rule's output leaves the entry layer: JSON text, a [`Value`], or (in the WASM
/// bindings) a JavaScript value. Generic, so an output is written once, straight to its form.
pub trait Encoder {
    /// What an output becomes.
    type Out;
    /// Writes `value`.
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Self::Out, String>;
}

/// Outputs as JSON text.
#[derive(Debug)]
pub struct JsonText;

impl Encoder for JsonText {
    type Out = String;
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
        serde_json::to_string(value).map_err(|e| e.to_string())
    }
}

/// Outputs as [`Value`]s.
#[derive(Debug)]
pub struct JsonValue;

impl Encoder for JsonValue {
    type Out = Value;
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Value, String> {
        serde_json::to_value(value).map_err(|e| e.to_string())
    }
}

/// Runs `rule` on a parsed input: its output, or the rejection with every problem (typed, so
/// that a caller such as the HTTP layer can read its [`crate::error::Category`]).
pub fn decide(
    catalog: &Catalog,
    rule: &str,
    input: Value,
    today: NaiveDate,
    locale: Locale,
) -> Result<Value, Rejection> {
    // The rules read text: one reading path, so a `Value` and its text get the same answer.
    decide_with::<JsonValue>(catalog, rule, input.to_string().as_str(), today, locale)
}

/// [`decide`] on JSON text, with the output as JSON text.
pub fn decide_str(
    catalog: &Catalog,
    rule: &str,
    input: &str,
    today: NaiveDate,
    locale: Locale,
) -> Result<String, Rejection> {
    decide_with::<JsonText>(catalog, rule, input, today, locale)
}

/// Runs any rule of [`RULES`] on JSON text, with its output written by `E`.
pub fn decide_with<E: Encoder>(
    catalog: &Catalog,
    rule: &str,
    input: &str,
    today: NaiveDate,
    locale: Locale,
) -> Result<E::Out, Rejection> {
    registry::dispatch::<E>(rule, input, &Env::new(catalog, today).in_locale(locale))
}

/// [`decide_with`] for the rules of [`FORM_RULES`] alone; any other name is an unknown rule. A
/// program that calls only this (the browser module) links none of the other rules' code.
pub fn decide_form_with<E: Encoder>(
    catalog: &Catalog,
    rule: &str,
    input: &str,
    today: NaiveDate,
    locale: Locale,
) -> Result<E::Out, Rejection> {
    registry::dispatch_form::<E>(rule, input, &Env::new(catalog, today).in_locale(locale))
}

/// Runs `rule` on a parsed input; the answer is tagged. Never panics.
pub fn run(
    catalog: &Catalog,
    rule: &str,
    input: Value,
    today: NaiveDate,
    locale: Locale,
) -> Answer {
    match decide(catalog, rule, input, today, locale) {
        Ok(output) => Answer::Success { output },
        Err(rejection) => Answer::rejected(&rejection, locale),
    }
}

/// Runs `rule` on JSON text; the tagged answer is JSON text. Never panics.
pub fn run_str(
    catalog: &Catalog,
    rule: &str,
    input: &str,
    today: NaiveDate,
    locale: Locale,
) -> String {
    match decide_str(catalog, rule, input, today, locale) {
        Ok(output) => format!(r#"{{"type":"success","output":{output}}}"#),
        Err(rejection) => reject_to_text(&rejection, locale),
    }
}

/// The answer text of a rejection in `locale`.
pub fn reject_to_text(rejection: &Rejection, locale: Locale) -> String {
    let answer = FailureAnswer {
        errors: [rejection.to_failure(locale)],
    };
    // A failure is strings and lists of strings: writing it cannot fail.
    serde_json::to_string(&answer).unwrap_or_default()
}

/// [`Answer::Failure`] on its own, as it is written.
#[derive(Serialize)]
#[serde(tag = "type", rename = "failure")]
struct FailureAnswer {
    errors: [Failure; 1],
}

/// Reads `value` as a `T`; a shape error is `request.malformed` at the JSON path under `root`
/// where reading stopped. The HTTP handlers read their request bodies with this.
pub fn read<T: DeserializeOwned>(value: Value, root: &str) -> Result<T, Rejection> {
    serde_path_to_error::deserialize(value).map_err(|error| misread(&error, root))
}

/// A shape error at its JSON path under `root`, in serde's words without serde_json's line and
/// column: a request's parts are read from text put back together, which the caller never sent.
fn misread(error: &serde_path_to_error::Error<serde_json::Error>, root: &str) -> Rejection {
    let inner = error.inner();
    let detail = inner.to_string();
    let position = format!(" at line {} column {}", inner.line(), inner.column());
    let detail = detail.strip_suffix(&position).unwrap_or(&detail);
    malformed(path_of(error.path(), root), detail)
}

/// serde_path_to_error's path as a [`FieldPath`] under `root`.
fn path_of(segments: &serde_path_to_error::Path, root: &str) -> FieldPath {
    let mut path = FieldPath::new(root);
    for segment in segments {
        path = match segment {
            serde_path_to_error::Segment::Seq { index } => path.index(*index),
            serde_path_to_error::Segment::Map { key } => path.key(key).into(),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {
                path
            }
        };
    }
    path
}

/// A `request.malformed` rejection at `field`, its detail naming the field the way core's
/// zh-CN translation reads it (`… at `field``). The HTTP layer's other readers (query strings)
/// use it too, so every malformed message has one shape.
pub fn malformed(field: FieldPath, detail: &str) -> Rejection {
    let detail = if field.as_str().is_empty() {
        detail.to_owned()
    } else {
        format!("{detail} at `{field}`")
    };
    Rejection::one(field, ProblemKind::Malformed { detail })
}

/// An input's top-level fields, each value still its JSON text: the request's own fields and
/// its `context` are then read straight from the text into their types, with no [`Value`] tree
/// built in between.
struct TopLevel<'a> {
    fields: Vec<(String, &'a RawValue)>,
    context: Option<&'a RawValue>,
}

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = TopLevel<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the input as a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut top = TopLevel {
                    fields: Vec::new(),
                    context: None,
                };
                while let Some((key, value)) = map.next_entry::<String, &RawValue>()? {
                    if key == "context" {
                        top.context = Some(value);
                    } else {
                        top.fields.push((key, value));
                    }
                }
                Ok(top)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Splits JSON text into its request fields and its `context` (an empty object when absent),
/// each read into its own type.
pub fn split<F: DeserializeOwned, C: DeserializeOwned>(input: &str) -> Result<(F, C), Rejection> {
    let top: TopLevel<'_> =
        serde_json::from_str(input).map_err(|e| malformed(FieldPath::new(""), &e.to_string()))?;
    // The request's own fields as an object's text again (the values are slices of the input):
    // both parts are then read by one kind of deserializer, so each type's reading code exists
    // once in the WASM module.
    let mut form = String::with_capacity(input.len());
    form.push('{');
    for (i, (key, value)) in top.fields.iter().enumerate() {
        if i > 0 {
            form.push(',');
        }
        form.push_str(&serde_json::to_string(key).unwrap_or_default());
        form.push(':');
        form.push_str(value.get());
    }
    form.push('}');
    let form = read_text(&form, "")?;
    let context = read_text(top.context.map_or("{}", RawValue::get), "context")?;
    Ok((form, context))
}

/// Reads JSON text as a `T`, with the path of any failure under `root`.
fn read_text<T: DeserializeOwned>(text: &str, root: &str) -> Result<T, Rejection> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| misread(&error, root))?;
    deserializer
        .end()
        .map_err(|e| malformed(FieldPath::new(root), &e.to_string()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Nothing;
    use crate::voucher::ReservationForm;
    use serde_json::json;

    fn field_of(result: Result<ReservationForm, Rejection>) -> (String, String) {
        let rejection = result
            .err()
            .unwrap_or_else(|| Rejection::one("", ProblemKind::Required));
        let problem = rejection.problems().first().cloned();
        problem
            .map(|p| (p.field.to_string(), p.kind.code().to_owned()))
            .unwrap_or_default()
    }

    #[test]
    fn an_unknown_field_is_reported_at_itself() {
        let (field, code) = field_of(read(json!({ "adminEmail": "a@b.co", "extra": 1 }), ""));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("extra", "request.malformed")
        );
    }

    #[test]
    fn a_wrong_type_is_reported_at_its_path_under_the_root() {
        let (field, _) = field_of(read(json!({ "acceptTerms": "yes" }), "context.form"));
        assert_eq!(field, "context.form.acceptTerms");
    }

    #[test]
    fn malformed_text_names_its_position() {
        let rejection = split::<Nothing, Nothing>("{\"a\": }").err();
        let detail = rejection
            .and_then(|r| r.problems().first().map(|p| p.kind.to_string()))
            .unwrap_or_default();
        assert!(detail.contains("line 1 column 7"), "{detail}");
    }
}
