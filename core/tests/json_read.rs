//! `json::from_value`, the reader every JSON entry point uses (`FromNode`, not serde's derives),
//! against the types' serde derives on serde_json's own `&Value` deserializer: on every shared
//! vector's request fields and context, and on each of them with one node replaced by a value of
//! another kind or one key dropped, read as each input type, both give the same value or the
//! same error text. So the field names, defaults and messages of the two cannot drift apart. The
//! designed differences are checked on their own: a struct is never read from an array, an enum
//! only from its name, and an error knows its JSON path.

// Test code: a broken fixture should fail loudly.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../tests/vectors/files.rs"]
mod files;

use saps_core::catalog::Catalog;
use saps_core::json::{self, FromNode, from_value};
use saps_core::vectors;
use serde::Deserialize;
use serde_json::{Value, json};
use std::fmt::Debug;
use std::path::Path;

type Outcome = Result<String, String>;

fn ours<T: FromNode + Debug>(value: &Value) -> Outcome {
    from_value::<T>(value)
        .map(|t| format!("{t:?}"))
        .map_err(|e| e.detail().to_owned())
}

fn serde_jsons<T: for<'de> Deserialize<'de> + Debug>(value: &Value) -> Outcome {
    T::deserialize(value)
        .map(|t| format!("{t:?}"))
        .map_err(|e| e.to_string())
}

/// Every input type of the entry points (request fields and contexts), and the catalog.
macro_rules! each_type {
    ($check:ident, $value:expr) => {{
        use saps_core::claim::ClaimForm;
        use saps_core::completion::CompletionReportForm;
        use saps_core::directory::{ProfileForm, SearchForm};
        use saps_core::eligibility::QualificationFacts;
        use saps_core::json::*;
        use saps_core::redemption::RedemptionForm;
        use saps_core::voucher::{AssignForm, CancellationForm, ReservationForm, ValidationForm};
        let value = $value;
        $check::<Nothing>(value);
        $check::<ProgramFilter>(value);
        $check::<FactsContext>(value);
        $check::<QualificationFacts>(value);
        $check::<EnrollmentForm>(value);
        $check::<EnrollContext>(value);
        $check::<EnrollmentContext>(value);
        $check::<PartnerRecord>(value);
        $check::<DirectoryContext>(value);
        $check::<ProfileForm>(value);
        $check::<SearchForm>(value);
        $check::<AssignForm>(value);
        $check::<AssignContext>(value);
        $check::<ValidationForm>(value);
        $check::<ReservationForm>(value);
        $check::<CancellationForm>(value);
        $check::<CompletionReportForm>(value);
        $check::<VoucherContext>(value);
        $check::<VouchersContext>(value);
        $check::<StateForm>(value);
        $check::<PreviewForm>(value);
        $check::<RedemptionForm>(value);
        $check::<AmountContext>(value);
        $check::<ClaimForm>(value);
        $check::<DecisionForm>(value);
        $check::<ClaimContext>(value);
        $check::<AuthorizeForm>(value);
        $check::<AuthorizeContext>(value);
        $check::<Catalog>(value);
    }};
}

/// The inputs to compare on: each vector's request fields and its context.
fn vector_parts() -> Vec<Value> {
    let dirs = files::vector_dirs(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"));
    let mut parts = Vec::new();
    for file in files::read_vector_files(&dirs).unwrap() {
        for case in vectors::parse_file(&file.text).unwrap() {
            let mut input = case.input.clone();
            if let Some(context) = input.as_object_mut().and_then(|f| f.remove("context")) {
                parts.push(context);
            }
            parts.push(input);
        }
    }
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/catalog.json");
    parts.push(serde_json::from_str(&std::fs::read_to_string(catalog).unwrap()).unwrap());
    distinct(parts)
}

/// Vectors share many contexts: each distinct value once.
fn distinct(values: Vec<Value>) -> Vec<Value> {
    let mut seen = std::collections::BTreeSet::new();
    values
        .into_iter()
        .filter(|v| seen.insert(v.to_string()))
        .collect()
}

/// `value` with one node changed: every node in turn (of a list, its first item) replaced by each
/// of `replacements`, and every object key in turn removed.
fn mutations(value: &Value, replacements: &[Value], out: &mut Vec<Value>) {
    fn walk(
        root: &Value,
        path: &mut Vec<PathStep>,
        node: &Value,
        replacements: &[Value],
        out: &mut Vec<Value>,
    ) {
        for replacement in replacements {
            out.push(replace(root, path, Some(replacement.clone())));
        }
        match node {
            Value::Object(map) => {
                for (key, child) in map {
                    path.push(PathStep::Key(key.clone()));
                    out.push(replace(root, path, None));
                    walk(root, path, child, replacements, out);
                    path.pop();
                }
            }
            // The items of a list share a type: changing the first one covers them.
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    path.push(PathStep::Index(0));
                    walk(root, path, first, replacements, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    walk(value, &mut Vec::new(), value, replacements, out);
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn replace(root: &Value, path: &[PathStep], with: Option<Value>) -> Value {
    let mut copy = root.clone();
    let Some((last, parents)) = path.split_last() else {
        return with.unwrap_or(Value::Null);
    };
    let mut node = &mut copy;
    for step in parents {
        node = match step {
            PathStep::Key(key) => &mut node[key.as_str()],
            PathStep::Index(index) => &mut node[*index],
        };
    }
    match (last, with) {
        (PathStep::Key(key), Some(with)) => node[key.as_str()] = with,
        (PathStep::Key(key), None) => {
            node.as_object_mut().unwrap().remove(key);
        }
        (PathStep::Index(index), Some(with)) => node[*index] = with,
        (PathStep::Index(index), None) => {
            node.as_array_mut().unwrap().remove(*index);
        }
    }
    copy
}

fn same<T: for<'de> Deserialize<'de> + FromNode + Debug>(value: &Value) {
    let (ours, theirs) = (ours::<T>(value), serde_jsons::<T>(value));
    if ours != theirs {
        // The designed differences: serde_json also reads a struct from an array, and a unit
        // variant from a map (of its name to null); so a variant of ours comes from a string.
        let designed = match (&ours, &theirs) {
            (Err(ours), _) if ours.starts_with("invalid type: sequence, expected struct") => true,
            (Err(ours), _) if ours == "invalid type: map, expected a string" => true,
            (Err(ours), Err(theirs)) => theirs
                .strip_suffix("expected string or map")
                .is_some_and(|head| *ours == format!("{head}expected a string")),
            _ => false,
        };
        assert!(
            designed,
            "{}: {value}\n  ours:       {ours:?}\n  serde_json: {theirs:?}",
            std::any::type_name::<T>()
        );
    }
}

#[test]
fn reads_every_vector_part_as_serde_json_does() {
    let parts = vector_parts();
    assert!(parts.len() > 200, "only {} parts", parts.len());
    for part in &parts {
        each_type!(same, part);
    }
}

/// The one-node changes of each part that `T` reads: each has one fault at most (several are
/// reported in different orders by design, see `json::typed`).
fn same_on_changes<T: for<'de> Deserialize<'de> + FromNode + Debug>(
    (parts, replacements): (&[Value], &[Value]),
) {
    let mut changed = Vec::new();
    for part in parts.iter().filter(|part| T::deserialize(*part).is_ok()) {
        mutations(part, replacements, &mut changed);
    }
    for value in &distinct(changed) {
        same::<T>(value);
    }
}

#[test]
fn reads_every_one_node_change_as_serde_json_does() {
    let replacements = [
        Value::Null,
        json!(true),
        json!(7),
        json!(-3),
        json!(1.5),
        json!(4_294_967_296_u64),
        json!("2026-02-30"),
        json!("\"quoted\" \\ tab\t newline\n nul\u{0} bell\u{7}"),
        json!({}),
        json!({ "unexpected": 1 }),
    ];
    let parts = vector_parts();
    let mut changes = Vec::new();
    for part in &parts {
        mutations(part, &replacements, &mut changes);
    }
    assert!(changes.len() > 10_000, "only {} changes", changes.len());
    each_type!(same_on_changes, (&parts[..], &replacements[..]));
}

/// A designed difference: serde_json's derive reads `value` as a `T`, core refuses it with
/// `error`.
fn serde_reads_but_core_refuses<T: for<'de> Deserialize<'de> + FromNode + Debug>(
    value: &Value,
    error: &str,
) {
    assert!(serde_jsons::<T>(value).is_ok(), "serde_json reads it");
    assert_eq!(from_value::<T>(value).unwrap_err().to_string(), error);
}

#[test]
fn a_struct_is_never_read_from_an_array() {
    use saps_core::voucher::ValidationForm;
    serde_reads_but_core_refuses::<ValidationForm>(
        &json!(["SAPS0001M365", "it-admin@contoso.example"]),
        "invalid type: sequence, expected struct ValidationForm",
    );
    // Through an entry point, it is malformed input at the field that holds it.
    let answer = json::run(
        Catalog::sample().unwrap(),
        "voucherState",
        json!({ "context": { "actor": [], "voucher": null } }),
        chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        saps_core::Locale::En,
    );
    let text = serde_json::to_string(&answer).unwrap();
    assert!(text.contains("request.malformed"), "{text}");
}

#[test]
fn an_error_knows_the_json_path_of_the_value_at_fault() {
    use saps_core::error::FieldPath;
    use saps_core::json::{EnrollContext, VoucherContext};
    let path = |value: Value| {
        let error = from_value::<VoucherContext>(&value).unwrap_err();
        (
            error.field(FieldPath::new("context")).as_str().to_owned(),
            error.to_string(),
        )
    };
    let actor = json!({ "role": "partner_admin", "partnerId": "1001" });
    let deliverable = json!({
        "fileName": "plan.pdf",
        "mediaType": "application/pdf",
        "size": 1024,
        "sha256": "a".repeat(64),
    });
    assert_eq!(
        path(json!({ "actor": actor, "uploaded": [deliverable, { "fileName": 7 }] })).0,
        "context.uploaded[1].fileName"
    );
    assert_eq!(
        path(json!({ "actor": actor, "enrollment": { "programId": "microsoft-365", "locationIds": ["11"], "enrolledOn": "2026-13-01", "expiresOn": "2027-01-01" } })).0,
        "context.enrollment.enrolledOn"
    );
    // An unknown field is reported at itself; a missing one at the object that lacks it.
    assert_eq!(
        path(json!({ "actor": actor, "color": "red" })).0,
        "context.color"
    );
    let (at, text) = path(json!({ "actor": { "role": "partner_user" } }));
    assert_eq!(at, "context.actor");
    assert_eq!(text, "missing field `partnerId` at `actor`");
    // Display names the path below the value read; the detail is serde_json's text alone.
    let error =
        from_value::<EnrollContext>(&json!({ "partnerLocations": ["11", true] })).unwrap_err();
    assert_eq!(
        error.detail(),
        "invalid type: boolean `true`, expected a string"
    );
    assert_eq!(
        error.to_string(),
        "invalid type: boolean `true`, expected a string at `partnerLocations[1]`"
    );
}

#[test]
fn actors_are_read_in_one_pass_with_serdes_messages() {
    use saps_core::value::PartnerId;
    use saps_core::voucher::Actor;
    let partner = PartnerId::parse("1001").unwrap();
    for actor in [
        Actor::PartnerAdmin {
            partner_id: partner.clone(),
        },
        Actor::PartnerUser {
            partner_id: partner.clone(),
        },
        Actor::ProgramAdmin,
    ] {
        let written = serde_json::to_value(&actor).unwrap();
        assert_eq!(from_value::<Actor>(&written).unwrap(), actor, "{written}");
    }
    let read = |value: Value| from_value::<Actor>(&value).map_err(|e| e.to_string());
    // Other fields are ignored, as serde does for an internally tagged enum without
    // deny_unknown_fields.
    assert_eq!(
        read(json!({ "role": "program_admin", "note": 1 })),
        Ok(Actor::ProgramAdmin)
    );
    assert_eq!(read(json!({})), Err("missing field `role`".into()));
    assert_eq!(
        read(json!({ "role": "partner_user" })),
        Err("missing field `partnerId`".into())
    );
    assert_eq!(
        read(json!({ "role": "root" })),
        Err("unknown variant `root`, expected one of `partner_admin`, `partner_user`, `program_admin` at `role`".into())
    );
    assert_eq!(
        read(json!("partner_admin")),
        Err("invalid type: string \"partner_admin\", expected internally tagged enum Actor".into())
    );
    // serde's derive reported a bad id at the actor; now at the id itself.
    let bad_id = read(json!({ "role": "partner_admin", "partnerId": "10-01" })).unwrap_err();
    assert!(bad_id.ends_with("at `partnerId`"), "{bad_id}");
}

#[test]
fn requirements_are_read_in_one_pass_each_kind_with_its_own_field() {
    use saps_core::catalog::Requirement;
    for requirement in [
        Requirement::Competency {
            area: "Security".into(),
        },
        Requirement::ComplianceTraining,
        Requirement::ConsultantExams {
            codes: vec!["AZ-305".into()],
        },
        Requirement::ProviderAgreement,
    ] {
        let written = serde_json::to_value(&requirement).unwrap();
        assert_eq!(
            from_value::<Requirement>(&written).unwrap(),
            requirement,
            "{written}"
        );
    }
    let refused = |value: Value| from_value::<Requirement>(&value).unwrap_err().to_string();
    assert_eq!(
        refused(json!({ "kind": "competency" })),
        "missing field `area`"
    );
    assert_eq!(
        refused(json!({ "kind": "consultantExams" })),
        "missing field `codes`"
    );
    assert_eq!(
        refused(json!({ "kind": "competency", "area": "Security", "codes": [] })),
        "unknown field `codes`, expected `area`"
    );
    assert!(
        refused(json!({ "kind": "providerAgreement", "area": "Security" })).contains("no fields")
    );
    assert!(
        refused(json!({ "kind": "competency", "area": "Security", "size": 1 }))
            .starts_with("unknown field `size`")
    );
    assert!(refused(json!({ "kind": "expertise" })).starts_with("unknown variant `expertise`"));
}

#[test]
fn an_enum_is_read_only_from_its_name() {
    use saps_core::json::AuthorizeForm;
    serde_reads_but_core_refuses::<AuthorizeForm>(
        &json!({ "operation": { "readCatalog": null } }),
        "invalid type: map, expected a string at `operation`",
    );
    let named = json!({ "operation": "readCatalog" });
    assert!(from_value::<AuthorizeForm>(&named).is_ok());
}

#[test]
fn an_object_reports_unknown_keys_first_then_its_fields_in_declaration_order() {
    use saps_core::json::VoucherContext;
    let read = |value: Value| {
        from_value::<VoucherContext>(&value)
            .unwrap_err()
            .to_string()
    };
    // `zz` sorts after `voucher`, whose value is wrong: the unknown key still comes first.
    let unknown = read(json!({ "voucher": 7, "zz": 1 }));
    assert!(unknown.starts_with("unknown field `zz`"), "{unknown}");
    // `actor` is declared before `voucher`: its absence comes before the wrong voucher, where
    // serde's derive, going by key, reported the voucher.
    let faults = json!({ "voucher": 7 });
    assert_eq!(read(faults.clone()), "missing field `actor`");
    let serdes = VoucherContext::deserialize(&faults)
        .unwrap_err()
        .to_string();
    assert!(serdes.starts_with("invalid type: integer `7`"), "{serdes}");
}
