//! Every shared vector through the WASM build, in Node or (with `WASM_BINDGEN_USE_BROWSER=1`) in
//! headless Chromium: each answer must equal the native one, which the build script computed on
//! the host, and must meet the vector's expectation. A build without the feature `all-rules`
//! must answer the vectors of the rules it does not run with `request.unknownRule`. Also:
//! nothing throws across the boundary.

#![cfg(target_arch = "wasm32")]
// Test code: a broken fixture should fail loudly.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../tests/vectors/matcher.rs"]
mod vectors;

use saps_core::error::Locale;
use saps_core::json::Answer;
use serde::Serialize;
use tsify::Ts;
use vectors::Answered;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn bundled() -> Vec<Answered> {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/vectors.json")))
        .expect("the build script writes valid vectors")
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("JSON values convert to JavaScript")
}

fn from_js(value: JsValue) -> Answer {
    serde_wasm_bindgen::from_value(value).expect("every answer is a tagged answer")
}

fn locale_tag(locale: Option<Locale>) -> &'static str {
    match locale.unwrap_or_default() {
        Locale::En => "en",
        Locale::ZhCn => "zh-CN",
    }
}

#[wasm_bindgen_test]
fn every_vector_gives_the_native_answer() {
    let cases = bundled();
    assert!(cases.len() >= 300, "only {} vectors", cases.len());
    let mut failures = Vec::new();
    let mut refused = 0;
    for Answered { file, case, native } in &cases {
        let answer = from_js(saps_wasm::run(
            &case.rule,
            to_js(&case.input),
            &case.today.to_string(),
            locale_tag(case.locale),
        ));
        let known = saps_wasm::RULES.contains(&case.rule.as_str());
        if !known && saps_core::json::RULES.contains(&case.rule.as_str()) {
            refused += 1;
            if failure_code(&answer) != ("request.unknownRule".to_owned(), vec![String::new()]) {
                failures.push(format!(
                    "{file}: {}: a rule this build does not run",
                    case.name
                ));
            }
            continue;
        }
        if &answer != native {
            failures.push(format!(
                "{file}: {}: differs from native\n  wasm:   {}\n  native: {}",
                case.name,
                serde_json::to_string(&answer).unwrap_or_default(),
                serde_json::to_string(native).unwrap_or_default()
            ));
        }
        if let Err(why) = vectors::check(case, &answer) {
            failures.push(format!("{file}: {}: {why}", case.name));
        }
    }
    if cfg!(feature = "all-rules") {
        assert_eq!(refused, 0, "the all-rules build runs every rule");
    } else {
        assert!(
            refused >= 100,
            "only {refused} vectors of rules this build does not run"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn failure_code(answer: &Answer) -> (String, Vec<String>) {
    match answer {
        Answer::Failure { errors } => {
            let error = &errors[0];
            let fields = error.fields.iter().map(|f| f.field.clone()).collect();
            (error.code.clone(), fields)
        }
        Answer::Success { output } => panic!("expected a failure, got {output}"),
    }
}

#[wasm_bindgen_test]
fn bad_arguments_are_tagged_failures_not_exceptions() {
    let input = to_js(&serde_json::json!({}));
    let cyclic: JsValue = js_sys::Object::new().into();
    js_sys::Reflect::set(&cyclic, &"self".into(), &cyclic).expect("an object takes a property");
    let run = |input: JsValue, today: &str, locale: &str| {
        from_js(saps_wasm::run("validationForm", input, today, locale))
    };
    let cases = [
        (
            "bad date",
            run(input.clone(), "2026-02-30", "en"),
            "today",
            "is not a date",
        ),
        (
            "bad locale",
            run(input.clone(), "2026-02-03", "fr"),
            "locale",
            "unknown locale",
        ),
        (
            "undefined input",
            run(JsValue::UNDEFINED, "2026-02-03", "en"),
            "",
            "must be a JSON value",
        ),
        (
            "a symbol",
            run(JsValue::symbol(Some("not JSON")), "2026-02-03", "en"),
            "",
            "must be a JSON value",
        ),
        (
            "a BigInt",
            run(js_sys::BigInt::from(1).into(), "2026-02-03", "en"),
            "",
            "cannot be written as JSON",
        ),
        (
            "an object that holds itself",
            run(cyclic, "2026-02-03", "en"),
            "",
            "cannot be written as JSON",
        ),
    ];
    for (what, answer, field, detail) in cases {
        let (code, fields) = failure_code(&answer);
        assert_eq!(code, "request.malformed", "{what}");
        assert_eq!(fields, [field], "{what}");
        let text = serde_json::to_string(&answer).unwrap_or_default();
        assert!(text.contains(detail), "{what}: {text}");
    }
}

#[wasm_bindgen_test]
fn typed_functions_answer_like_run() {
    let form = serde_json::json!({
        "adminEmail": "it-admin@contoso.example",
        "acceptTerms": false,
        "engagementStart": "2026-03-12",
        "engagementEnd": "2026-03-10",
        "locationId": "11"
    });
    for locale in ["en", "zh-CN"] {
        let typed = from_js(
            saps_wasm::check_reservation_form(
                Ts::new_unchecked(to_js(&form)),
                "2026-03-02",
                locale,
            )
            .into(),
        );
        let untyped = from_js(saps_wasm::run(
            "reservationForm",
            to_js(&form),
            "2026-03-02",
            locale,
        ));
        assert_eq!(typed, untyped);
        let (code, mut fields) = failure_code(&typed);
        fields.sort();
        assert_eq!(code, "validation.failed");
        assert_eq!(fields, ["acceptTerms", "engagementEnd"]);
    }
}

/// An input far larger than the hand-over's first buffer, in three scripts: the buffer grows
/// (and with it, maybe, the module's memory) and the text still arrives whole, as core reads
/// the same text natively. A small call after it reads its own text, not the rest of the last.
#[wasm_bindgen_test]
fn large_and_non_ascii_inputs_arrive_whole() {
    let catalog = saps_core::catalog::Catalog::sample().expect("the sample catalog loads");
    let today = saps_core::calendar::parse_date("2026-03-02").expect("a date");
    let long_key = "key 字段 😀".repeat(4000);
    let large = serde_json::json!({ long_key.clone(): true, "voucherNumber": "SAPS-0001-M365" });
    let small = serde_json::json!({ "voucherNumber": "SAPS-0001-M365" });
    for input in [&large, &small, &large] {
        let text = serde_json::to_string(input).unwrap();
        let through_js = from_js(saps_wasm::run(
            "validationForm",
            to_js(input),
            "2026-03-02",
            "en",
        ));
        let native = saps_core::json::run_str(catalog, "validationForm", &text, today, Locale::En);
        assert_eq!(through_js, serde_json::from_str::<Answer>(&native).unwrap());
    }
    let answer = serde_json::to_string(&from_js(saps_wasm::run(
        "validationForm",
        to_js(&large),
        "2026-03-02",
        "en",
    )))
    .unwrap();
    assert!(
        answer.contains(&long_key),
        "the unknown field is named in full"
    );
}

/// A value whose JSON text grows each time it is written (a `toJSON` with a counter) cannot
/// keep the hand-over asking for more room: after three tries it is a tagged failure.
#[wasm_bindgen_test]
fn an_input_that_grows_as_it_is_written_is_refused() {
    let growing = js_sys::Function::new_no_args(
        "return { tries: 0, toJSON() { this.tries += 1; return 'x'.repeat(20000 * 4 ** this.tries); } };",
    )
    .call0(&JsValue::NULL)
    .expect("the fixture builds");
    let answer = from_js(saps_wasm::run(
        "validationForm",
        growing.clone(),
        "2026-03-02",
        "en",
    ));
    assert_eq!(
        failure_code(&answer),
        ("request.malformed".to_owned(), vec![String::new()])
    );
    let text = serde_json::to_string(&answer).unwrap();
    assert!(text.contains("cannot be written as JSON"), "{text}");
    let tries = js_sys::Reflect::get(&growing, &"tries".into()).unwrap();
    assert_eq!(tries.as_f64(), Some(3.0));
}
