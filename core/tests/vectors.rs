//! Runs every shared test vector (SPEC §14) through the native JSON entry points, plus every
//! file in `$SAPS_EXTRA_VECTORS` when set. All mismatches are listed before failing.

// Test code: a broken fixture should fail loudly.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../tests/vectors/files.rs"]
mod files;
#[path = "../../tests/vectors/matcher.rs"]
mod vectors;

use saps_core::catalog::Catalog;
use saps_core::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use vectors::{Case, Expect};

fn load(dirs: &[PathBuf]) -> Vec<(String, Case)> {
    let mut cases = Vec::new();
    for file in files::read_vector_files(dirs).unwrap_or_else(|e| panic!("{e}")) {
        let parsed = vectors::parse_file(&file.text)
            .unwrap_or_else(|e| panic!("{} is not a vector file: {e}", file.path.display()));
        cases.extend(parsed.into_iter().map(|c| (file.name.clone(), c)));
    }
    cases
}

fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn run_all(cases: &[(String, Case)]) -> Vec<String> {
    let catalog = Catalog::sample().expect("sample catalog");
    cases
        .iter()
        .filter_map(|(file, case)| {
            let answer = json::run(
                catalog,
                &case.rule,
                case.input.clone(),
                case.today,
                case.locale.unwrap_or_default(),
            );
            vectors::check(case, &answer)
                .err()
                .map(|why| format!("{file}: {}: {why}", case.name))
        })
        .collect()
}

#[test]
fn shared_vectors_pass_natively() {
    let cases = load(&files::vector_dirs(shared_dir()));
    assert!(cases.len() >= 200, "only {} vectors", cases.len());
    let failures = run_all(&cases);
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_cover_every_rule_and_error_code() {
    let cases = load(&[shared_dir()]);
    let rules: BTreeSet<&str> = cases.iter().map(|(_, c)| c.rule.as_str()).collect();
    let missing_rules: Vec<_> = json::RULES
        .iter()
        .filter(|r| !rules.contains(**r))
        .collect();
    assert!(
        missing_rules.is_empty(),
        "rules without a vector: {missing_rules:?}"
    );

    let mut codes = BTreeSet::new();
    for (_, case) in &cases {
        if let Expect::Error(e) = &case.expect {
            codes.insert(e.code.clone());
            codes.extend(e.fields.iter().map(|f| f.code.clone()));
        } else if case.rule == "redemptionPreview" {
            // Reasons in a preview are error codes too.
            collect_reason_codes(&case.expect, &mut codes);
        }
    }
    // Not reachable with the sample catalog's rates and day ranges; see
    // `a_claim_whose_amount_overflows_is_refused_at_its_vouchers`.
    let unreachable = ["claim.amountOverflow"];
    let missing: Vec<&str> = saps_core::error::ProblemKind::examples()
        .iter()
        .map(|k| k.code())
        .filter(|c| !codes.contains(*c) && !unreachable.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "error codes without a vector: {missing:?}"
    );
    assert!(codes.contains("validation.failed"));
}

fn collect_reason_codes(expect: &Expect, codes: &mut BTreeSet<String>) {
    if let Expect::Output(value) = expect {
        for line in value["lines"].as_array().into_iter().flatten() {
            for reason in line["reasons"].as_array().into_iter().flatten() {
                if let Some(code) = reason["code"].as_str() {
                    codes.insert(code.to_owned());
                }
            }
        }
    }
}

#[test]
fn a_wrong_expectation_is_caught() {
    // The matcher itself must be able to fail: flip one expectation and run it.
    let (file, mut case) = load(&[shared_dir()])
        .into_iter()
        .find(|(_, c)| matches!(c.expect, Expect::Error(_)))
        .expect("an error case");
    if let Expect::Error(e) = &mut case.expect {
        e.code.push_str(".not");
    }
    assert_eq!(run_all(&[(file, case)]).len(), 1);
}

#[test]
fn answers_written_as_text_equal_the_typed_answers() {
    // Text in, text out (as in the WASM build) against a `Value` in and an `Answer` out (as the
    // HTTP layer and the vectors run).
    let catalog = Catalog::sample().expect("sample catalog");
    let cases = load(&[shared_dir()]);
    let mut successes = 0;
    for (file, case) in &cases {
        let locale = case.locale.unwrap_or_default();
        let typed = json::run(catalog, &case.rule, case.input.clone(), case.today, locale);
        let input = serde_json::to_string(&case.input).expect("JSON");
        let text = json::run_str(catalog, &case.rule, &input, case.today, locale);
        let read: json::Answer = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{file}: {}: not an answer ({e}): {text}", case.name));
        assert_eq!(read, typed, "{file}: {}", case.name);
        successes += usize::from(matches!(typed, json::Answer::Success { .. }));
    }
    assert!(successes >= 50, "only {successes} successful vectors");
}

/// The browser module's entry point (`decide_form_with`) gives every vector of a form rule the
/// full entry point's answer, and refuses every other rule as unknown.
#[test]
fn the_form_entry_point_answers_the_form_rules_alone() {
    let form_rules: BTreeSet<&str> = json::FORM_RULES.iter().copied().collect();
    assert_eq!(
        form_rules.len(),
        json::FORM_RULES.len(),
        "a form rule is listed twice"
    );
    assert!(form_rules.iter().all(|rule| json::RULES.contains(rule)));

    let catalog = Catalog::sample().expect("sample catalog");
    let text = |decided: Result<String, saps_core::error::Rejection>, locale| match decided {
        Ok(output) => output,
        Err(rejection) => json::reject_to_text(&rejection, locale),
    };
    let decide = |rule, input: &str, today, locale, forms_only| {
        if forms_only {
            json::decide_form_with::<json::JsonText>(catalog, rule, input, today, locale)
        } else {
            json::decide_with::<json::JsonText>(catalog, rule, input, today, locale)
        }
    };
    let (mut answered, mut refused) = (0, 0);
    for (file, case) in &load(&[shared_dir()]) {
        let (rule, today, locale) = (
            case.rule.as_str(),
            case.today,
            case.locale.unwrap_or_default(),
        );
        let input = serde_json::to_string(&case.input).expect("JSON");
        let form = text(decide(rule, &input, today, locale, true), locale);
        if form_rules.contains(rule) || !json::RULES.contains(&rule) {
            let full = text(decide(rule, &input, today, locale, false), locale);
            assert_eq!(form, full, "{file}: {}", case.name);
            answered += 1;
        } else {
            let answer: serde_json::Value = serde_json::from_str(&form).expect("an answer");
            let code = &answer["errors"][0]["fields"][0]["code"];
            assert_eq!(code, "request.unknownRule", "{file}: {}: {form}", case.name);
            refused += 1;
        }
    }
    assert!(
        answered >= 150 && refused >= 100,
        "{answered} answered, {refused} refused"
    );
}

/// `claim.amountOverflow` cannot happen with the sample catalog's rates, so no vector has it:
/// here every claim a vector creates is run again with daily rates near `i64::MAX`, and each
/// must be refused at `voucherNumbers` with nothing created.
#[test]
fn a_claim_whose_amount_overflows_is_refused_at_its_vouchers() {
    let mut catalog: serde_json::Value =
        serde_json::from_str(saps_core::catalog::SAMPLE_CATALOG_JSON).unwrap();
    for program in catalog["programs"].as_array_mut().unwrap() {
        for rate in program["dailyRates"].as_object_mut().unwrap().values_mut() {
            rate["minorUnits"] = serde_json::json!(i64::MAX / 2);
        }
    }
    // Past the catalog's own bound on rates (`from_json` refuses them): read unchecked, as a
    // catalog that slipped past validation would be.
    let huge: Catalog = serde_json::from_value(catalog).unwrap();
    let claims: Vec<Case> = load(&[shared_dir()])
        .into_iter()
        .map(|(_, case)| case)
        .filter(|case| case.rule == "createClaim" && matches!(case.expect, Expect::Output(_)))
        .collect();
    assert!(claims.len() >= 2, "{} claim vectors", claims.len());
    for case in claims {
        let input = serde_json::to_string(&case.input).unwrap();
        let answer = json::run_str(&huge, &case.rule, &input, case.today, saps_core::Locale::En);
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["type"], "failure", "{}: {answer}", case.name);
        let fields = &answer["errors"][0]["fields"];
        assert_eq!(
            fields[0]["field"], "voucherNumbers",
            "{}: {answer}",
            case.name
        );
        assert_eq!(
            fields[0]["code"], "claim.amountOverflow",
            "{}: {answer}",
            case.name
        );
    }
}
