//! # saps-wasm
//!
//! saps-core's rules for browser forms and Node, published as the npm package `saps-rules`.
//!
//! Every function here runs one of core's JSON entry points ([`saps_core::json::run`]) on a plain
//! JavaScript object, so the answers have exactly the shapes the native code and the HTTP API
//! give: `{type: "success", output}` or `{type: "failure", errors: [{code, message, fields}]}`.
//! Nothing throws: a bad date, an unknown locale or an input that is not JSON-like is itself a
//! tagged failure (`request.malformed`).
//!
//! Two builds: by default the module runs core's [`json::FORM_RULES`], the form checks and the
//! read-only views a browser form shows; with the feature `all-rules` (`pkg/all`) it runs every
//! rule of [`json::RULES`], the state changes included. Either answers a rule it does not run
//! with `request.unknownRule`, as core does for any unknown name.
//!
//! The typed functions ([`check_reservation_form`] and its siblings) take and return
//! [`tsify::Ts`] wrappers, so the generated `.d.ts` names the input and answer types while the
//! conversion stays inside the function body, where a failure is an ordinary value.

mod hand_over;
mod inputs;
mod operations;

pub use inputs::*;
pub use operations::*;

use saps_core::calendar::parse_date;
use saps_core::catalog::Catalog;
use saps_core::error::{Locale, ProblemKind, Rejection};
use saps_core::json;
use wasm_bindgen::prelude::*;

// The one place the feature `all-rules` chooses: which rules, and which of core's entry points
// (the form rules' alone links none of the other rules' code).
#[cfg(not(feature = "all-rules"))]
use json::{FORM_RULES as BUILT_RULES, decide_form_with as decide_rule};
#[cfg(feature = "all-rules")]
use json::{RULES as BUILT_RULES, decide_with as decide_rule};

/// The rules this build runs: core's [`json::FORM_RULES`], or with `all-rules` its [`json::RULES`].
pub const RULES: &[&str] = BUILT_RULES;

/// Runs any rule of [`RULES`] by name; the answer's `output` is untyped.
#[wasm_bindgen(js_name = run, unchecked_return_type = "RuleAnswer<unknown>")]
pub fn run(
    rule: &str,
    #[wasm_bindgen(unchecked_param_type = "unknown")] input: JsValue,
    today: &str,
    #[wasm_bindgen(unchecked_param_type = "Locale")] locale: &str,
) -> JsValue {
    answer_js(rule, &input, today, locale)
}

/// The names of every rule [`run`] understands in this build.
#[wasm_bindgen(js_name = rules, unchecked_return_type = "string[]")]
pub fn rules() -> JsValue {
    // Built in JavaScript: returning a `Vec<String>` takes 1 KB of glue in the module.
    RULES
        .iter()
        .map(|rule| JsValue::from_str(rule))
        .collect::<js_sys::Array>()
        .into()
}

thread_local! {
    /// The catalog [`use_catalog`] set; `None` runs on the embedded sample.
    static CATALOG: std::cell::RefCell<Option<std::rc::Rc<Catalog>>> = const { std::cell::RefCell::new(None) };
}

/// Makes `programs` (the array `GET /v1/programs` answers) the catalog of every later check,
/// so the browser decides on the catalog the server stores (SPEC §15.1), not the sample it was
/// built with. Answers `{type: "success", output: <number of programs>}`, or a tagged failure
/// (and keeps the catalog it had) when `programs` is not a valid catalog.
#[wasm_bindgen(js_name = useCatalog, unchecked_return_type = "RuleAnswer<number>")]
pub fn use_catalog(
    #[wasm_bindgen(unchecked_param_type = "Program[]")] programs: JsValue,
) -> JsValue {
    let read = hand_over::with_json_text(&programs, |text| match text {
        Ok(text) => serde_json::from_str(text)
            .map_err(|error| error.to_string())
            .and_then(|programs| Catalog::from_programs(programs).map_err(|e| e.to_string()))
            .map_err(|detail| malformed("", detail)),
        Err(detail) => Err(malformed("", detail)),
    });
    let text = match read {
        Ok(catalog) => {
            let count = catalog.programs.len();
            let catalog = std::rc::Rc::new(catalog);
            CATALOG.with(|current| *current.borrow_mut() = Some(catalog));
            format!(r#"{{"type":"success","output":{count}}}"#)
        }
        Err(rejection) => json::reject_to_text(&rejection, Locale::En),
    };
    hand_over::parsed(&text)
}

/// Runs `decide` on the catalog checks use: the one [`use_catalog`] set, else the embedded
/// sample.
fn with_catalog<R>(decide: impl FnOnce(Result<&Catalog, String>) -> R) -> R {
    // A clone of the `Rc`, so no borrow of the cell is held while a rule runs.
    match CATALOG.with(|current| current.borrow().clone()) {
        Some(catalog) => decide(Ok(&catalog)),
        None => decide(Catalog::sample().map_err(|error| error.to_string())),
    }
}

/// Runs `rule` on a JavaScript value and returns the tagged answer as a JavaScript value.
pub(crate) fn answer_js(rule: &str, input: &JsValue, today: &str, locale: &str) -> JsValue {
    let (decided, locale) = decide(rule, input, today, locale);
    let text = match decided {
        Ok(output) => format!(r#"{{"type":"success","output":{output}}}"#),
        Err(rejection) => json::reject_to_text(&rejection, locale),
    };
    // Plain objects, exactly as `JSON.parse` gives them: one call instead of one per field.
    hand_over::parsed(&text)
}

/// The rule's output or rejection, and the locale to answer in.
fn decide(
    rule: &str,
    input: &JsValue,
    today: &str,
    locale: &str,
) -> (Result<String, Rejection>, Locale) {
    let Some(locale_value) = Locale::from_wire(locale) else {
        let detail = format!("unknown locale `{locale}`; use `en` or `zh-CN`");
        return (Err(malformed("locale", detail)), Locale::En);
    };
    let Some(today) = parse_date(today) else {
        let detail = format!("`{today}` is not a date like 2026-01-31");
        return (Err(malformed("today", detail)), locale_value);
    };
    let decided = with_catalog(|catalog| match catalog {
        Err(error) => Err(malformed("", error)),
        // One `JSON.stringify` and a text parse are several times faster than walking the
        // object field by field across the boundary.
        Ok(catalog) => hand_over::with_json_text(input, |text| match text {
            Ok(text) => decide_rule::<json::JsonText>(catalog, rule, text, today, locale_value),
            Err(detail) => Err(malformed("", detail)),
        }),
    });
    (decided, locale_value)
}

fn malformed(field: &str, detail: String) -> Rejection {
    Rejection::one(field, ProblemKind::Malformed { detail })
}

/// Talc instead of Rust's default dlmalloc: 4.4 KB less WASM for the same work (a reservation
/// check takes 1% more instructions). Single-threaded builds only; that is every build of pkg/.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
