//! Reading typed values out of optional form fields (SPEC §11): a missing field is reported as
//! `field.required`, a malformed one with its own code, and reading goes on so that every
//! failing field is reported at once.

use crate::calendar::parse_date;
use crate::error::{FieldPath, ProblemKind, Problems};
use chrono::NaiveDate;
use std::collections::HashSet;

/// The values of a list seen so far, to report a repeat (`field.duplicate`). Keyed by owned text
/// whatever the values' type: one copy of the hash set's code in the WASM module, not one per
/// type (about 1 KB each).
pub type Seen = HashSet<String>;

/// The present, non-blank value of a field, or `field.required`.
pub fn required<'a>(
    problems: &mut Problems,
    field: impl Into<FieldPath>,
    raw: Option<&'a str>,
) -> Option<&'a str> {
    match raw {
        Some(raw) if !raw.trim().is_empty() => Some(raw),
        _ => {
            problems.push(field, ProblemKind::Required);
            None
        }
    }
}

/// A required field parsed by `parse`.
pub fn parsed<T, F: Into<FieldPath> + Clone>(
    problems: &mut Problems,
    field: F,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, ProblemKind>,
) -> Option<T> {
    // `field` stays unwritten (a name or a `ChildPath`) unless a problem is recorded.
    let raw = required(problems, field.clone(), raw)?;
    problems.take(field, parse(raw))
}

/// A required `YYYY-MM-DD` date.
pub fn date(
    problems: &mut Problems,
    field: impl Into<FieldPath> + Clone,
    raw: Option<&str>,
) -> Option<NaiveDate> {
    parsed(problems, field, raw, |raw| {
        parse_date(raw.trim()).ok_or(ProblemKind::InvalidDate)
    })
}

/// A required whole number within `min..=max`.
pub fn number(
    problems: &mut Problems,
    field: impl Into<FieldPath>,
    raw: Option<u64>,
    min: u64,
    max: u64,
) -> Option<u32> {
    match raw {
        None => {
            problems.push(field, ProblemKind::Required);
            None
        }
        Some(n) => {
            let value = u32::try_from(n).ok().filter(|_| (min..=max).contains(&n));
            problems.check(value.is_some(), field, ProblemKind::OutOfRange { min, max });
            value
        }
    }
}

/// A required yes/no.
pub fn flag(
    problems: &mut Problems,
    field: impl Into<FieldPath>,
    raw: Option<bool>,
) -> Option<bool> {
    if raw.is_none() {
        problems.push(field, ProblemKind::Required);
    }
    raw
}

/// Checks a required list of at most `max` items: `field.required` when empty, `field.count`
/// when too long.
pub fn list_len(problems: &mut Problems, field: &FieldPath, len: usize, max: usize) {
    if len == 0 {
        problems.push(field.clone(), ProblemKind::Required);
    } else if len > max {
        problems.push(field.clone(), ProblemKind::Count { min: 1, max });
    }
}
