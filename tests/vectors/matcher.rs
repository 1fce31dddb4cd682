//! Shared test vectors (SPEC §14): language-neutral cases `{name, rule, today, input, expect}`
//! run by every surface (native, WASM in Node and Chromium, HTTP) with this one matcher.
//!
//! `expect` is either `{"output": …}` or `{"error": {"code": …, "fields": [{"field", "code"}]}}`.
//! An expected output matches when every key it names is present with a matching value
//! (objects match as subsets, arrays element by element with equal length, scalars by equality);
//! an expected error matches the top-level code and the exact multiset of `(field, code)` pairs.
//!
//! Each surface's tests include this one file with `#[path]`, as they do `files.rs`.

#![allow(dead_code)] // Each includer is its own crate and not every one uses every item.

use chrono::NaiveDate;
use saps_core::calendar::serde_date;
use saps_core::error::Locale;
use saps_core::json::Answer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique, descriptive name.
    pub name: String,
    /// The JSON entry point to run (see [`saps_core::json::RULES`]).
    pub rule: String,
    /// The date the rule runs on.
    #[serde(with = "serde_date")]
    pub today: NaiveDate,
    /// Locale of the messages (English when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// The entry point's input.
    pub input: Value,
    /// What must come out.
    pub expect: Expect,
}

/// The expected answer of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Expect {
    /// A success whose output contains this.
    Output(Value),
    /// A failure with this code and these fields.
    Error(ExpectedError),
}

/// An expected failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    /// The top-level code.
    pub code: String,
    /// Every failing field, in any order.
    pub fields: Vec<ExpectedField>,
}

/// One expected failing field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedField {
    /// JSON path into the input.
    pub field: String,
    /// Its code.
    pub code: String,
}

/// Reads a vector file: a JSON array of cases.
pub fn parse_file(text: &str) -> Result<Vec<Case>, serde_json::Error> {
    serde_json::from_str(text)
}

/// A case with the answer the native rules give it: what other surfaces must reproduce.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    /// The vector file the case came from.
    pub file: String,
    /// The case.
    pub case: Case,
    /// The native answer.
    pub native: Answer,
}

/// Parses vector files (`(file name, text)`) and answers every case natively on the sample
/// catalog. The caller does the reading, so this stays free of I/O.
pub fn answer_files<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<Answered>, String> {
    let catalog = saps_core::catalog::Catalog::sample().map_err(|e| e.to_string())?;
    let mut answered = Vec::new();
    for (file, text) in files {
        let cases = parse_file(text).map_err(|e| format!("{file} is not a vector file: {e}"))?;
        answered.extend(cases.into_iter().map(|case| {
            let native = saps_core::json::run(
                catalog,
                &case.rule,
                case.input.clone(),
                case.today,
                case.locale.unwrap_or_default(),
            );
            Answered {
                file: file.to_owned(),
                case,
                native,
            }
        }));
    }
    Ok(answered)
}

/// Checks `answer` against `case.expect`; the error says what differs.
pub fn check(case: &Case, answer: &Answer) -> Result<(), String> {
    match (&case.expect, answer) {
        (Expect::Output(expected), Answer::Success { output }) => {
            contains(output, expected, "output")
                .map_err(|why| format!("{why}\n  actual output: {output}"))
        }
        (Expect::Error(expected), Answer::Failure { errors }) => {
            let Some(failure) = errors.first() else {
                return Err("a failure without errors".into());
            };
            if failure.code != expected.code {
                return Err(format!(
                    "expected error code `{}`, got `{}` ({})",
                    expected.code,
                    failure.code,
                    serde_json::to_string(&failure.fields).unwrap_or_default()
                ));
            }
            let mut want: Vec<(&str, &str)> = expected
                .fields
                .iter()
                .map(|f| (f.field.as_str(), f.code.as_str()))
                .collect();
            let mut got: Vec<(&str, &str)> = failure
                .fields
                .iter()
                .map(|f| (f.field.as_str(), f.code.as_str()))
                .collect();
            want.sort_unstable();
            got.sort_unstable();
            if want == got {
                Ok(())
            } else {
                Err(format!("expected fields {want:?}, got {got:?}"))
            }
        }
        (Expect::Output(_), Answer::Failure { errors }) => Err(format!(
            "expected success, got failure {}",
            serde_json::to_string(errors).unwrap_or_default()
        )),
        (Expect::Error(expected), Answer::Success { output }) => Err(format!(
            "expected error `{}`, got success {output}",
            expected.code
        )),
    }
}

/// Whether `actual` contains `expected` in the sense of this module's doc.
pub fn contains(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => want.iter().try_for_each(|(key, value)| {
            let at = format!("{path}.{key}");
            match got.get(key) {
                Some(actual) => contains(actual, value, &at),
                None if value.is_null() => Ok(()),
                None => Err(format!("{at}: missing, expected {value}")),
            }
        }),
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}",
                    want.len(),
                    got.len()
                ));
            }
            want.iter()
                .zip(got)
                .enumerate()
                .try_for_each(|(i, (w, g))| contains(g, w, &format!("{path}[{i}]")))
        }
        (want, got) if want == got => Ok(()),
        (want, got) => Err(format!("{path}: expected {want}, got {got}")),
    }
}
