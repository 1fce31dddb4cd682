//! One JSON entry point per operation: input JSON, `today` and a locale in, a tagged answer out
//! (`{"type":"success","output":…}` or `{"type":"failure","errors":[{code,message,fields}]}`).
//!
//! The WASM bindings and the HTTP API call exactly these, so the surfaces cannot diverge. An
//! input holds the request's own fields at the top level (the JSON paths of errors point there)
//! and, under `context`, the state the rule decides on: the voucher, the enrollment, the facts.
//! Inputs reject unknown fields.

mod node;
mod parse;
mod read;
mod scan;
mod typed;
mod write;

pub use node::Node;
pub use parse::SyntaxError;
pub use read::ReadError;
pub use typed::{FromNode, field, field_or, fields, from_value};
pub(crate) use typed::{by_name, from_object, from_text, text, variant};
pub use write::{ToJson, ToJsonFields, Writer};
pub(crate) use write::{json_object, to_object, to_text, wrapped};

use crate::access::{self, Operation, Principal};
use crate::catalog::Catalog;
use crate::claim::{self, Claim, ClaimDecision, ClaimForm};
use crate::completion::{CompletionReportForm, Deliverable};
use crate::directory::{self, DirectoryEntry, Profile, ProfileForm, SearchForm};
use crate::eligibility::{self, QualificationFacts};
use crate::enrollment::{self, Enrollment};
use crate::error::{Failure, FieldPath, Locale, ProblemKind, Problems, Rejection};
use crate::form;
use crate::redemption::{self, RedemptionForm};
use crate::value::{ClaimId, PartnerId, ProgramId};
use crate::voucher::{
    self, Actor, AssignForm, CancellationForm, ReservationForm, StateFilter, ValidationForm,
    Voucher, VoucherEvent, World,
};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// The rules a browser form runs (the entry point [`decide_form_text`]): every form check, and
/// the read-only views a form shows beside it (the catalog's programs, eligibility, enrollment
/// status, a voucher's state, a redemption preview, a claim's amount). The other rules of
/// [`RULES`] change state or answer queries over the server's own records (a directory listing
/// and search, a partner's vouchers, CSV export, authorization); the HTTP API runs them.
pub const FORM_RULES: [&str; 16] = [
    "programs",
    "eligibility",
    "qualifications",
    "enrollmentForm",
    "enrollmentStatus",
    "profile",
    "searchForm",
    "validationForm",
    "reservationForm",
    "cancellationForm",
    "completionReportForm",
    "voucherState",
    "redemptionForm",
    "redemptionPreview",
    "claimForm",
    "claimAmount",
];

/// Every rule name [`run`] understands.
pub const RULES: [&str; 35] = [
    "programs",
    "eligibility",
    "qualifications",
    "enrollmentForm",
    "enroll",
    "enrollmentStatus",
    "renew",
    "withdraw",
    "profile",
    "listing",
    "directorySearch",
    "searchForm",
    "assign",
    "validationForm",
    "validate",
    "reservationForm",
    "reserve",
    "cancellationForm",
    "cancelReservation",
    "completionReportForm",
    "submitCompletionReport",
    "voucherState",
    "expire",
    "listVouchers",
    "exportCsv",
    "redemptionForm",
    "redemptionPreview",
    "redeem",
    "claimForm",
    "createClaim",
    "claimAmount",
    "approveClaim",
    "rejectClaim",
    "payClaim",
    "authorize",
];

/// A rule's output as JSON text. Outputs are written straight to text, not built as a [`Value`]
/// first: less work per call, and no `Value` serializer in the WASM module. The text is kept
/// inside its success answer's, so that answering copies nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// `{"type":"success","output":` + the output + `}`.
    answer: String,
}

/// How a success answer's text begins, as serde writes [`Answer::Success`] (the tag first).
const SUCCESS_HEAD: &str = r#"{"type":"success","output":"#;

impl Output {
    /// The JSON text.
    pub fn as_str(&self) -> &str {
        let end = self.answer.len().saturating_sub(1);
        self.answer.get(SUCCESS_HEAD.len()..end).unwrap_or("null")
    }

    /// The JSON text, owned.
    pub fn into_string(self) -> String {
        self.as_str().to_owned()
    }

    /// The text of `Answer::Success` with this output.
    pub fn into_answer_text(self) -> String {
        self.answer
    }

    /// The output read as `T` (the HTTP layer reads its typed outputs this way).
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.as_str())
    }
}

/// Runs `rule` on JSON text; the answer is JSON text. Never panics.
pub fn run_str(
    catalog: &Catalog,
    rule: &str,
    input: &str,
    today: NaiveDate,
    locale: Locale,
) -> String {
    match decide_text(catalog, rule, input, today, locale) {
        Ok(output) => output.into_answer_text(),
        Err(rejection) => reject_to_text(&rejection, locale),
    }
}

/// The answer text of a rejection in `locale`.
// Inline, with the writing of a failure (`Failure`'s `ToJson`) and the writer's methods, so
// that it is compiled in the caller: the WASM bindings build it at opt-level 3, where a
// failure's messages, Chinese ones in particular, take fewer instructions to write than at
// core's `z` (`scripts/wasm-instructions.sh`).
#[inline]
pub fn reject_to_text(rejection: &Rejection, locale: Locale) -> String {
    written("", &FailureAnswer::new(rejection, locale), "")
}

/// [`Answer::Failure`] on its own, as it is written: writing it takes no code for the success
/// variant's [`Value`].
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "failure")]
pub struct FailureAnswer {
    errors: [Failure; 1],
}

impl FailureAnswer {
    /// The answer for a rejection in `locale`.
    pub fn new(rejection: &Rejection, locale: Locale) -> FailureAnswer {
        FailureAnswer {
            errors: [rejection.to_failure(locale)],
        }
    }
}

impl ToJson for FailureAnswer {
    #[inline]
    fn write_json(&self, out: &mut Writer) {
        out.begin_object();
        out.key("type");
        out.string("failure");
        out.key("errors");
        self.errors.write_json(out);
        out.end_object();
    }
}

/// Runs `rule` on a parsed input.
pub fn run(
    catalog: &Catalog,
    rule: &str,
    input: Value,
    today: NaiveDate,
    locale: Locale,
) -> Answer {
    match decide(catalog, rule, input, today, locale) {
        Ok(output) => Answer::Success {
            output: output.read().unwrap_or(Value::Null),
        },
        Err(rejection) => Answer::rejected(&rejection, locale),
    }
}

fn malformed(field: impl Into<FieldPath>, error: &dyn std::fmt::Display) -> Rejection {
    Rejection::one(
        field,
        ProblemKind::Malformed {
            detail: error.to_string(),
        },
    )
}

/// Malformed input at the field where reading `root` failed.
pub fn misshapen(root: &str, error: &ReadError) -> Rejection {
    malformed(error.field(FieldPath::new(root)), &error.detail())
}

/// Splits an input into its request fields and its `context`, each read into its own type.
fn split<F: FromNode, C: FromNode>(input: Node<'_>) -> Result<(F, C), Rejection> {
    let Node::Object(mut fields) = input else {
        return Err(Rejection::one(
            "",
            ProblemKind::Malformed {
                detail: "the input must be a JSON object".into(),
            },
        ));
    };
    let context = Node::take(&mut fields, "context").unwrap_or(Node::Object(Vec::new()));
    // `match`, not `map_err`: see `typed::at_key`.
    let form = match F::from_node(&Node::Object(fields)) {
        Ok(form) => form,
        Err(error) => return Err(misshapen("", &error)),
    };
    match C::from_node(&context) {
        Ok(context) => Ok((form, context)),
        Err(error) => Err(misshapen("context", &error)),
    }
}

/// A form check: the form alone (no `context`), checked by `check`, its output written.
fn form_check<F: FromNode, O: ToJson + Serialize>(
    input: Node<'_>,
    check: impl FnOnce(F) -> Result<O, Rejection>,
) -> Result<Output, Rejection> {
    let (form, Nothing {}): (F, Nothing) = split(input)?;
    Ok(to_json(check(form)?))
}

fn to_json<T: ToJson + Serialize>(value: T) -> Output {
    Output {
        answer: written(SUCCESS_HEAD, &value, "}"),
    }
}

/// `value` written by [`ToJson`] between `head` and `tail`. Core's own tests hold every value
/// written here to what serde_json writes for the type's serde derive
/// (`tests::every_output_is_written_as_serde_writes_it`).
#[inline]
fn written<T: ToJson + Serialize>(head: &str, value: &T, tail: &str) -> String {
    let text = write::wrapped(head, value, tail);
    #[cfg(test)]
    tests::same_as_serdes(
        value,
        text.get(head.len()..text.len() - tail.len()).unwrap_or(""),
    );
    text
}

fn program_of<'a>(
    catalog: &'a Catalog,
    id: &ProgramId,
    field: &str,
) -> Result<&'a crate::catalog::Program, Rejection> {
    catalog
        .program(id)
        .ok_or_else(|| Rejection::one(field, ProblemKind::UnknownProgram { id: id.to_string() }))
}

/// No request fields, or no context: an empty object.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

from_object!(Nothing {});

/// The eligibility request: one program, or all of them when absent.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgramFilter {
    #[serde(default)]
    program_id: Option<String>,
}

from_object!(ProgramFilter {
    program_id: "programId"
});

/// The partner's qualification facts, as the eligibility rule's context.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FactsContext {
    #[serde(default)]
    facts: QualificationFacts,
}

from_object!(FactsContext {
    facts: "facts" = default
});

/// The enrollment form: a program and the company locations it covers.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollmentForm {
    #[serde(default)]
    program_id: Option<String>,
    #[serde(default)]
    location_ids: Option<Vec<String>>,
}

from_object!(EnrollmentForm {
    program_id: "programId",
    location_ids: "locationIds"
});

/// What enrolling decides on: the partner's approved locations, its facts and any existing enrollment.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollContext {
    #[serde(default)]
    partner_locations: Vec<crate::value::LocationId>,
    #[serde(default)]
    facts: QualificationFacts,
    #[serde(default)]
    existing: Option<Enrollment>,
}

from_object!(EnrollContext {
    partner_locations: "partnerLocations" = default,
    facts: "facts" = default,
    existing: "existing",
});

/// One enrollment and the facts its renewal decides on.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollmentContext {
    enrollment: Enrollment,
    #[serde(default)]
    facts: QualificationFacts,
}

from_object!(EnrollmentContext {
    enrollment: "enrollment",
    facts: "facts" = default
});

/// One partner's directory record: profile and enrollments.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerRecord {
    partner_id: PartnerId,
    profile: Profile,
    #[serde(default)]
    enrollments: Vec<Enrollment>,
}

from_object!(PartnerRecord {
    partner_id: "partnerId",
    profile: "profile",
    enrollments: "enrollments" = default,
});

/// The partners a directory search runs over.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryContext {
    #[serde(default)]
    partners: Vec<PartnerRecord>,
}

from_object!(DirectoryContext {
    partners: "partners" = default
});

/// Whether the voucher number is already taken.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignContext {
    #[serde(default)]
    number_in_use: bool,
}

from_object!(AssignContext {
    number_in_use: "numberInUse" = default
});

/// The state a voucher rule decides on.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoucherContext {
    actor: Actor,
    #[serde(default)]
    voucher: Option<Voucher>,
    #[serde(default)]
    enrollment: Option<Enrollment>,
    #[serde(default)]
    facts: Option<QualificationFacts>,
    #[serde(default)]
    uploaded: Vec<Deliverable>,
}

from_object!(VoucherContext {
    actor: "actor",
    voucher: "voucher",
    enrollment: "enrollment",
    facts: "facts",
    uploaded: "uploaded" = default,
});

/// The vouchers a list, redemption or claim rule runs over.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VouchersContext {
    actor: Actor,
    #[serde(default)]
    vouchers: Vec<Voucher>,
    #[serde(default)]
    claim_id: Option<ClaimId>,
}

from_object!(VouchersContext {
    actor: "actor",
    vouchers: "vouchers" = default,
    claim_id: "claimId",
});

/// The voucher list filter.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateForm {
    #[serde(default)]
    state: Option<String>,
}

from_object!(StateForm { state: "state" });

/// The vouchers selected for a redemption preview.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewForm {
    #[serde(default)]
    voucher_numbers: Option<Vec<String>>,
}

from_object!(PreviewForm {
    voucher_numbers: "voucherNumbers"
});

/// The vouchers whose claim amount is wanted.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AmountContext {
    #[serde(default)]
    vouchers: Vec<Voucher>,
}

from_object!(AmountContext {
    vouchers: "vouchers" = default
});

/// A program administrator's claim decision fields.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionForm {
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    payment_reference: Option<String>,
}

from_object!(DecisionForm {
    reason: "reason",
    payment_reference: "paymentReference"
});

/// The claim a decision applies to, with its vouchers.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimContext {
    actor: Actor,
    claim: Claim,
    #[serde(default)]
    vouchers: Vec<Voucher>,
}

from_object!(ClaimContext {
    actor: "actor",
    claim: "claim",
    vouchers: "vouchers" = default,
});

/// The operation to authorize, and the partner that owns its target.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeForm {
    #[serde(default)]
    operation: Option<Operation>,
    #[serde(default)]
    owner_partner_id: Option<String>,
}

from_object!(AuthorizeForm {
    operation: "operation",
    owner_partner_id: "ownerPartnerId"
});

/// Who asks.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeContext {
    #[serde(default)]
    principal: Option<Principal>,
}

from_object!(AuthorizeContext {
    principal: "principal"
});

/// The `eligibility` output: one verdict per program asked about.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Eligibilities {
    /// The verdicts, in catalog order.
    pub programs: Vec<eligibility::ProgramEligibility>,
}

crate::json::to_object!(Eligibilities {
    programs: "programs"
});

/// The `enrollmentForm` output: the checked program and locations.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentChoice {
    /// The program to enroll in.
    pub program_id: ProgramId,
    /// The approved locations the enrollment covers.
    pub location_ids: Vec<crate::value::LocationId>,
}

crate::json::to_object!(EnrollmentChoice {
    program_id: "programId",
    location_ids: "locationIds"
});

/// The `cancellationForm` output: the checked reason.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CancellationChoice {
    /// Why the reservation is cancelled.
    pub reason: voucher::CancelReason,
}

crate::json::to_object!(CancellationChoice { reason: "reason" });

/// The `redemptionForm` output (SPEC §9): the confirmed selection, normalized.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RedemptionChoice {
    /// The distinct voucher numbers to redeem.
    pub voucher_numbers: Vec<crate::value::VoucherNumber>,
}

crate::json::to_object!(RedemptionChoice {
    voucher_numbers: "voucherNumbers"
});

// The outputs of rules that answer more than one value; written straight to text like the rest
// (a `json!` object would go through a `Value` and its serializer).
#[derive(Serialize)]
struct Listing {
    listed: bool,
    entry: Option<DirectoryEntry>,
}

crate::json::to_object!(Listing {
    listed: "listed",
    entry: "entry"
});

#[derive(Serialize)]
struct Assigned {
    voucher: Voucher,
    history: voucher::HistoryEntry,
}

crate::json::to_object!(Assigned {
    voucher: "voucher",
    history: "history"
});

#[derive(Serialize)]
struct Exported {
    csv: String,
}

crate::json::to_object!(Exported { csv: "csv" });

#[derive(Serialize)]
struct Redeemed {
    vouchers: Vec<voucher::Transition>,
}

crate::json::to_object!(Redeemed {
    vouchers: "vouchers"
});

#[derive(Serialize)]
struct Allowed {
    allowed: bool,
}

crate::json::to_object!(Allowed { allowed: "allowed" });

fn parse_enrollment_form(
    form: &EnrollmentForm,
    catalog: &Catalog,
    partner_locations: &[crate::value::LocationId],
) -> Result<(ProgramId, Vec<crate::value::LocationId>), Rejection> {
    let mut problems = Problems::new();
    let program = form::parsed(
        &mut problems,
        "programId",
        form.program_id.as_deref(),
        |raw| catalog.program_named(raw),
    );
    let locations = enrollment::parse_locations(
        form.location_ids.as_deref().unwrap_or_default(),
        partner_locations,
        &FieldPath::new("locationIds"),
        &mut problems,
    );
    problems.finish_with(|| Some((program?.id.clone(), locations)))
}

/// Runs `rule` on a parsed input and keeps the [`Rejection`] typed, so that a caller (the HTTP
/// layer) can read its [`crate::error::Category`]; [`run`] renders the same verdict as an [`Answer`].
pub fn decide(
    catalog: &Catalog,
    rule: &str,
    input: Value,
    today: NaiveDate,
    locale: Locale,
) -> Result<Output, Rejection> {
    decide_node(catalog, rule, Node::of(&input), today, locale)
}

/// [`decide`] on JSON text, parsed as serde_json parses it but without building a [`Value`]
/// (the WASM path).
pub fn decide_text(
    catalog: &Catalog,
    rule: &str,
    input: &str,
    today: NaiveDate,
    locale: Locale,
) -> Result<Output, Rejection> {
    decide_node(catalog, rule, parsed(input)?, today, locale)
}

/// [`decide_text`] for the rules of [`FORM_RULES`] only; any other name is an unknown rule. A
/// program that calls only this (the browser module) carries none of the other rules' code.
pub fn decide_form_text(
    catalog: &Catalog,
    rule: &str,
    input: &str,
    today: NaiveDate,
    locale: Locale,
) -> Result<Output, Rejection> {
    decide_form_node(catalog, rule, parsed(input)?, today, locale)
}

/// The input text as a [`Node`], or `request.malformed` with the parser's message.
fn parsed(input: &str) -> Result<Node<'_>, Rejection> {
    Node::parse(input).map_err(|error| malformed("", &error))
}

/// The rules that are not [`FORM_RULES`], then those.
fn decide_node(
    catalog: &Catalog,
    rule: &str,
    input: Node<'_>,
    today: NaiveDate,
    locale: Locale,
) -> Result<Output, Rejection> {
    match rule {
        "enroll" => {
            let (form, ctx): (EnrollmentForm, EnrollContext) = split(input)?;
            let (program_id, location_ids) =
                parse_enrollment_form(&form, catalog, &ctx.partner_locations)?;
            let program = program_of(catalog, &program_id, "programId")?;
            let status = eligibility::evaluate(program, &ctx.facts, today).status;
            let existing = ctx.existing.as_ref().filter(|e| e.program_id == program_id);
            let enrolled = enrollment::enroll(program, status, existing, location_ids, today)?;
            Ok(to_json(enrolled.view(program, today)))
        }
        "renew" => {
            let (Nothing {}, ctx): (Nothing, EnrollmentContext) = split(input)?;
            let program = program_of(catalog, &ctx.enrollment.program_id, "programId")?;
            let status = eligibility::evaluate(program, &ctx.facts, today).status;
            let renewed = enrollment::renew(program, &ctx.enrollment, status, today)?;
            Ok(to_json(renewed.view(program, today)))
        }
        "withdraw" => {
            let (Nothing {}, ctx): (Nothing, EnrollmentContext) = split(input)?;
            let program = program_of(catalog, &ctx.enrollment.program_id, "programId")?;
            let withdrawn = enrollment::withdraw(program, &ctx.enrollment, today)?;
            Ok(to_json(withdrawn.view(program, today)))
        }
        "listing" => {
            let (Nothing {}, record): (Nothing, PartnerRecord) = split(input)?;
            let entry = directory::listing(
                catalog,
                &record.partner_id,
                &record.profile,
                &record.enrollments,
                today,
            );
            Ok(to_json(Listing {
                listed: entry.is_some(),
                entry,
            }))
        }
        "directorySearch" => {
            let (form, ctx): (SearchForm, DirectoryContext) = split(input)?;
            let query = form.parse(catalog)?;
            let mut entries: Vec<DirectoryEntry> = ctx
                .partners
                .iter()
                .filter_map(|p| {
                    directory::listing(catalog, &p.partner_id, &p.profile, &p.enrollments, today)
                })
                .collect();
            // The key lower-cases the name: compute it once per entry, not once per comparison.
            let keys: Vec<(String, PartnerId)> = entries
                .iter()
                .map(|e| {
                    let (name, id) = directory::sort_key(e);
                    (name, id.clone())
                })
                .collect();
            let order = crate::order::positions(keys.len(), &|a, b| keys.get(a).cmp(&keys.get(b)));
            crate::order::reorder(&mut entries, &order);
            Ok(to_json(directory::search(&entries, &query)))
        }
        "assign" => {
            let (form, ctx): (AssignForm, AssignContext) = split(input)?;
            let (voucher, history) = voucher::assign(&form, catalog, ctx.number_in_use, today)?;
            Ok(to_json(Assigned { voucher, history }))
        }
        "validate" => {
            let (form, ctx): (ValidationForm, VoucherContext) = split(input)?;
            let request = form.parse()?;
            let voucher = ctx.voucher.as_ref();
            let program = match voucher {
                Some(v) => program_of(catalog, &v.program_id, "voucherNumber")?,
                None => {
                    return Err(Rejection::one(
                        "voucherNumber",
                        ProblemKind::VoucherNotFound,
                    ));
                }
            };
            Ok(to_json(voucher::validate(
                voucher, &request, &ctx.actor, program, today,
            )?))
        }
        "reserve" => {
            let (form, ctx): (ReservationForm, VoucherContext) = split(input)?;
            let request = form.parse()?;
            apply(catalog, &ctx, VoucherEvent::Reserve(request), today)
        }
        "cancelReservation" => {
            let (form, ctx): (CancellationForm, VoucherContext) = split(input)?;
            let reason = form.parse()?;
            apply(
                catalog,
                &ctx,
                VoucherEvent::CancelReservation(reason),
                today,
            )
        }
        "submitCompletionReport" => {
            let (form, ctx): (CompletionReportForm, VoucherContext) = split(input)?;
            let report = form.parse()?;
            apply(
                catalog,
                &ctx,
                VoucherEvent::SubmitCompletionReport(report),
                today,
            )
        }
        "expire" => {
            let (Nothing {}, ctx): (Nothing, VoucherContext) = split(input)?;
            apply(catalog, &ctx, VoucherEvent::Expire, today)
        }
        "listVouchers" | "exportCsv" => {
            let (form, ctx): (StateForm, VouchersContext) = split(input)?;
            let filter = StateFilter::parse(form.state.as_deref())
                .map_err(|k| Rejection::one("state", k))?;
            let visible: Vec<Voucher> = ctx
                .vouchers
                .into_iter()
                .filter(|v| ctx.actor.can_see(v))
                .collect();
            let listed = voucher::list(&visible, filter, today);
            if rule == "exportCsv" {
                return Ok(to_json(Exported {
                    csv: voucher::export_csv(&listed, today),
                }));
            }
            let views: Vec<_> = listed
                .into_iter()
                .map(|v| {
                    let program = program_of(catalog, &v.program_id, "context.vouchers")?;
                    Ok(v.view(&ctx.actor, program, today))
                })
                .collect::<Result<_, Rejection>>()?;
            Ok(to_json(views))
        }
        "redeem" => {
            let (form, ctx): (RedemptionForm, VouchersContext) = split(input)?;
            let selection = form.parse_confirmed()?;
            let transitions =
                redemption::redeem(&selection, &ctx.vouchers, &ctx.actor, catalog, today)?;
            Ok(to_json(Redeemed {
                vouchers: transitions,
            }))
        }
        "createClaim" => {
            let (form, ctx): (ClaimForm, VouchersContext) = split(input)?;
            let request = form.parse()?;
            let claim_id = ctx
                .claim_id
                .clone()
                .ok_or_else(|| Rejection::one("context.claimId", ProblemKind::Required))?;
            Ok(to_json(claim::create_claim(
                &request,
                &ctx.vouchers,
                &ctx.actor,
                catalog,
                &claim_id,
                today,
            )?))
        }
        "approveClaim" | "rejectClaim" | "payClaim" => {
            let (form, ctx): (DecisionForm, ClaimContext) = split(input)?;
            let decision = match rule {
                "approveClaim" => ClaimDecision::Approve,
                "rejectClaim" => ClaimDecision::reject(form.reason.as_deref())?,
                _ => ClaimDecision::pay(form.payment_reference.as_deref())?,
            };
            Ok(to_json(claim::decide(
                &ctx.claim,
                &decision,
                &ctx.vouchers,
                &ctx.actor,
                catalog,
                today,
            )?))
        }
        "authorize" => {
            let (form, ctx): (AuthorizeForm, AuthorizeContext) = split(input)?;
            let mut problems = Problems::new();
            if form.operation.is_none() {
                problems.push("operation", ProblemKind::Required);
            }
            let owner = match form.owner_partner_id.as_deref() {
                None => None,
                Some(raw) => problems.take("ownerPartnerId", PartnerId::parse(raw)),
            };
            let operation = problems.finish_with(|| form.operation)?;
            access::authorize(ctx.principal.as_ref(), operation, owner.as_ref())?;
            Ok(to_json(Allowed { allowed: true }))
        }
        _ => decide_form_node(catalog, rule, input, today, locale),
    }
}

/// The rules of [`FORM_RULES`]; any other name is an unknown rule.
fn decide_form_node(
    catalog: &Catalog,
    rule: &str,
    input: Node<'_>,
    today: NaiveDate,
    locale: Locale,
) -> Result<Output, Rejection> {
    match rule {
        "programs" => {
            let (Nothing {}, Nothing {}) = split(input)?;
            Ok(to_json(&catalog.programs))
        }
        "eligibility" => {
            let (form, ctx): (ProgramFilter, FactsContext) = split(input)?;
            let programs = match form.program_id.as_deref() {
                None => catalog.programs.iter().collect::<Vec<_>>(),
                Some(raw) => vec![
                    catalog
                        .program_named(raw)
                        .map_err(|k| Rejection::one("programId", k))?,
                ],
            };
            let verdicts: Vec<_> = programs
                .into_iter()
                .map(|p| eligibility::evaluate(p, &ctx.facts, today))
                .collect();
            Ok(to_json(Eligibilities { programs: verdicts }))
        }
        "qualifications" => form_check(input, |facts: QualificationFacts| {
            facts.check()?;
            Ok(facts)
        }),
        "enrollmentForm" => {
            let (form, ctx): (EnrollmentForm, EnrollContext) = split(input)?;
            let (program_id, location_ids) =
                parse_enrollment_form(&form, catalog, &ctx.partner_locations)?;
            Ok(to_json(EnrollmentChoice {
                program_id,
                location_ids,
            }))
        }
        "enrollmentStatus" => {
            let (Nothing {}, ctx): (Nothing, EnrollmentContext) = split(input)?;
            let program = program_of(
                catalog,
                &ctx.enrollment.program_id,
                "context.enrollment.programId",
            )?;
            Ok(to_json(ctx.enrollment.view(program, today)))
        }
        "profile" => form_check(input, |form: ProfileForm| form.parse()),
        "searchForm" => form_check(input, |form: SearchForm| form.check(catalog)),
        "validationForm" => form_check(input, |form: ValidationForm| form.parse()),
        "reservationForm" => form_check(input, |form: ReservationForm| form.check(today)),
        "cancellationForm" => form_check(input, |form: CancellationForm| {
            Ok(CancellationChoice {
                reason: form.parse()?,
            })
        }),
        "completionReportForm" => form_check(input, |form: CompletionReportForm| form.parse()),
        "voucherState" => {
            let (Nothing {}, ctx): (Nothing, VoucherContext) = split(input)?;
            let voucher = visible_voucher(&ctx)?;
            let program = program_of(catalog, &voucher.program_id, "voucherNumber")?;
            Ok(to_json(voucher.view(&ctx.actor, program, today)))
        }
        "redemptionForm" => form_check(input, |form: RedemptionForm| {
            Ok(RedemptionChoice {
                voucher_numbers: form.parse_confirmed()?,
            })
        }),
        "redemptionPreview" => {
            let (form, ctx): (PreviewForm, VouchersContext) = split(input)?;
            let selection = RedemptionForm {
                voucher_numbers: form.voucher_numbers,
                confirm: None,
            }
            .parse_selection()?;
            Ok(to_json(redemption::preview(
                &selection,
                &ctx.vouchers,
                &ctx.actor,
                catalog,
                today,
                locale,
            )))
        }
        "claimForm" => form_check(input, |form: ClaimForm| form.parse()),
        "claimAmount" => {
            let (Nothing {}, ctx): (Nothing, AmountContext) = split(input)?;
            let Some(first) = ctx.vouchers.first() else {
                return Err(Rejection::one("context.vouchers", ProblemKind::Required));
            };
            let program = program_of(catalog, &first.program_id, "context.vouchers")?;
            if let Some(other) = ctx
                .vouchers
                .iter()
                .position(|v| v.program_id != first.program_id)
            {
                return Err(Rejection::one(
                    FieldPath::new("context.vouchers").index(other),
                    ProblemKind::MixedPrograms {
                        program_id: first.program_id.to_string(),
                    },
                ));
            }
            let amount = claim::claim_amount(&ctx.vouchers, program)
                .map_err(|k| Rejection::one("context.vouchers", k))?;
            Ok(to_json(amount))
        }
        other => Err(Rejection::one(
            "",
            ProblemKind::UnknownRule {
                name: other.to_owned(),
            },
        )),
    }
}

fn visible_voucher(ctx: &VoucherContext) -> Result<&Voucher, Rejection> {
    ctx.voucher
        .as_ref()
        .filter(|v| ctx.actor.can_see(v))
        .ok_or_else(|| Rejection::one("voucherNumber", ProblemKind::VoucherNotFound))
}

fn apply(
    catalog: &Catalog,
    ctx: &VoucherContext,
    event: VoucherEvent,
    today: NaiveDate,
) -> Result<Output, Rejection> {
    let voucher = visible_voucher(ctx)?;
    let program = program_of(catalog, &voucher.program_id, "voucherNumber")?;
    let world = World {
        today,
        program,
        enrollment: ctx.enrollment.as_ref(),
        facts: ctx.facts.as_ref(),
        uploaded: &ctx.uploaded,
    };
    Ok(to_json(voucher::transition(
        voucher, &event, &ctx.actor, &world,
    )?))
}

#[cfg(test)]
mod tests;
