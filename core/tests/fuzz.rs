//! Fuzzing every JSON entry point of core (issue 19, item 7): each shared vector's input (the
//! committed corpus, `tests/vectors/`) is mutated (subtrees replaced by arbitrary JSON, fields
//! removed or added, sent to another rule, its text cut or spliced) and run through
//! `json::run_str` and `json::run`. Every answer must be a well-formed tagged answer; a panic
//! fails the case, and proptest keeps any failing input in `proptest-regressions/`.
//!
//! `SAPS_FUZZ_CASES` sets the number of cases per property: 20,000 by default, 15 s and 22 s in
//! a debug build on a 2-core machine (CI's bound for fuzzing is 2 minutes).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../../tests/vectors/files.rs"]
mod files;

use proptest::prelude::*;
use saps_core::calendar;
use saps_core::catalog::Catalog;
use saps_core::error::Locale;
use saps_core::json::{self, RULES};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// A vector's input with what it runs on.
struct Seed {
    rule: String,
    input: Value,
    today: String,
    locale: Locale,
}

fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
        let mut seeds = Vec::new();
        for file in files::read_vector_files(&files::vector_dirs(shared)).expect("vector files") {
            let cases: Vec<Value> = serde_json::from_str(&file.text).expect("a vector file");
            for case in cases {
                seeds.push(Seed {
                    rule: case["rule"].as_str().unwrap_or_default().to_owned(),
                    input: case["input"].clone(),
                    today: case["today"].as_str().unwrap_or("2026-01-01").to_owned(),
                    locale: match case["locale"].as_str() {
                        Some("zh-CN") => Locale::ZhCn,
                        _ => Locale::En,
                    },
                });
            }
        }
        assert!(seeds.len() > 100, "the corpus is the shared vectors");
        seeds
    })
}

/// Keys the rules read, so that added fields often land on a real one.
const KEYS: &[&str] = &[
    "context",
    "voucherNumber",
    "voucherNumbers",
    "adminEmail",
    "acceptTerms",
    "engagementStart",
    "engagementEnd",
    "programId",
    "partnerId",
    "days",
    "daysDelivered",
    "deliverables",
    "voucher",
    "vouchers",
    "actor",
    "enrollment",
    "partner",
    "claim",
    "state",
    "version",
    "facts",
    "cursor",
    "limit",
    "confirm",
    "invoiceNumber",
    "reason",
    "locationIds",
    "countries",
    "languages",
    "size",
    "sha256",
    "fileName",
    "mediaType",
    "roles",
    "kind",
    "records",
    "extra",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just(String::new()),
            Just("2026-02-29".to_owned()),
            Just("2026-13-01".to_owned()),
            Just("9999-12-31".to_owned()),
            Just("a@b.co".to_owned()),
            Just("SAPS-0001-M365".to_owned()),
            Just("desktop".to_owned()),
            Just("1001".to_owned()),
            Just("reserved".to_owned()),
            Just("partnerAdmin".to_owned()),
            "\\PC{0,24}",
            "[\\x00-\\x1f\"\\\\]{0,6}",
            "\\PC{300,400}",
        ]
        .prop_map(Value::String),
    ]
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "\\PC{0,12}",
    ]
}

/// One change at a place in the tree: the `u16`s choose the child at each level.
#[derive(Clone, Debug)]
enum Mutation {
    Replace(Vec<u16>, Value),
    Remove(Vec<u16>),
    Insert(Vec<u16>, String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let path = prop::collection::vec(any::<u16>(), 0..5);
    prop_oneof![
        (path.clone(), arbitrary_json()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        path.clone().prop_map(Mutation::Remove),
        (path, key(), arbitrary_json()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
    ]
}

/// The node `path` leads to (stopping at a leaf), with its parent's slot for removal.
fn apply(value: &mut Value, mutation: Mutation) {
    let (path, change) = match mutation {
        Mutation::Replace(path, v) => (path, Some(Err(v))),
        Mutation::Remove(path) => (path, None),
        Mutation::Insert(path, k, v) => (path, Some(Ok((k, v)))),
    };
    let mut node = value;
    for (depth, choice) in path.iter().enumerate() {
        let last = depth + 1 == path.len();
        let len = match node {
            Value::Array(items) => items.len(),
            Value::Object(fields) => fields.len(),
            _ => 0,
        };
        if len == 0 {
            break;
        }
        let at = usize::from(*choice) % len;
        if last && change.is_none() {
            match node {
                Value::Array(items) => {
                    items.remove(at);
                }
                Value::Object(fields) => {
                    let k = fields.keys().nth(at).cloned().unwrap_or_default();
                    fields.remove(&k);
                }
                _ => {}
            }
            return;
        }
        node = match node {
            Value::Array(items) => &mut items[at],
            Value::Object(fields) => fields.values_mut().nth(at).expect("in range"),
            _ => unreachable!("len is 0 for leaves"),
        };
    }
    match change {
        Some(Err(v)) => *node = v,
        Some(Ok((k, v))) => match node {
            Value::Object(fields) => {
                fields.insert(k, v);
            }
            other => *other = v,
        },
        None => *node = Value::Null,
    }
}

/// An answer of the entry layer: tagged, and a failure carries codes and messages.
fn check_answer(text: &str) -> Result<(), TestCaseError> {
    let answer: Value = serde_json::from_str(text)
        .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {text}")))?;
    match answer["type"].as_str() {
        Some("success") => prop_assert!(answer.get("output").is_some(), "{text}"),
        Some("failure") => {
            let errors = answer["errors"].as_array().cloned().unwrap_or_default();
            prop_assert!(!errors.is_empty(), "{text}");
            for error in errors {
                prop_assert!(
                    error["code"].as_str().is_some_and(|c| c.contains('.')),
                    "{text}"
                );
                prop_assert!(
                    error["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "{text}"
                );
                prop_assert!(
                    error["fields"].as_array().is_some_and(|f| !f.is_empty()),
                    "{text}"
                );
            }
        }
        _ => prop_assert!(false, "untagged answer: {text}"),
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("SAPS_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000)
}

fn catalog() -> &'static Catalog {
    Catalog::sample().expect("catalog")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn mutated_vectors_get_tagged_answers(
        seed in any::<prop::sample::Index>(),
        other_rule in any::<Option<prop::sample::Index>>(),
        mutations in prop::collection::vec(mutation(), 0..4),
    ) {
        let seed = seed.get(seeds());
        let rule = other_rule.map_or(seed.rule.as_str(), |i| *i.get(RULES));
        let mut input = seed.input.clone();
        for m in mutations {
            apply(&mut input, m);
        }
        let today = calendar::parse_date(&seed.today).expect("a vector's date");
        check_answer(&json::run_str(catalog(), rule, &input.to_string(), today, seed.locale))?;
        let answer = json::run(catalog(), rule, input, today, seed.locale);
        check_answer(&serde_json::to_string(&answer).expect("an answer writes"))?;
    }

    #[test]
    fn cut_and_spliced_text_gets_tagged_answers(
        seed in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        splice in "\\PC{0,8}|[{}\\[\\]\":,\\\\]{1,4}",
    ) {
        let seed = seed.get(seeds());
        let text = seed.input.to_string();
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mangled = format!("{}{splice}{}", &text[..at], &text[at..]);
        let today = calendar::parse_date(&seed.today).expect("a vector's date");
        check_answer(&json::run_str(catalog(), &seed.rule, &mangled, today, seed.locale))?;
        check_answer(&json::run_str(catalog(), &seed.rule, &text[..at], today, seed.locale))?;
    }
}
