//! Redemption of a batch of vouchers (SPEC §9): select 1–25, preview, confirm; all or nothing.

pub mod rules;

use crate::catalog::{Catalog, Program};
use crate::enrollment::Enrollment;
use crate::error::{FieldPath, Locale, ProblemKind, Problems, Rejection};
use crate::form;
use crate::value::{Money, ProgramId, VoucherNumber};
use crate::voucher::{self, Actor, Transition, Voucher, VoucherEvent, World};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Most vouchers in one redemption or claim.
pub const MAX_BATCH: usize = 25;

/// Reads a selection of 1–25 distinct voucher numbers at `field`.
pub fn parse_selection(
    raw: Option<&[String]>,
    field: &str,
    problems: &mut Problems,
) -> Vec<VoucherNumber> {
    let base = FieldPath::new(field);
    let raw = raw.unwrap_or_default();
    form::list_len(problems, &base, raw.len(), MAX_BATCH);
    entries(raw, &base, problems)
        .into_iter()
        .map(|(_, number)| number)
        .collect()
}

/// The distinct voucher numbers of `raw`, each with its place in `raw`; a malformed or repeated
/// entry is recorded at `base[i]`.
fn entries(
    raw: &[String],
    base: &FieldPath,
    problems: &mut Problems,
) -> Vec<(usize, VoucherNumber)> {
    let mut seen = form::Seen::new();
    let mut numbers = Vec::with_capacity(raw.len());
    for (i, item) in raw.iter().enumerate() {
        let Some(number) = problems.take(base.index(i), VoucherNumber::parse(item)) else {
            continue;
        };
        if seen.insert(number.as_str().to_owned()) {
            numbers.push((i, number));
        } else {
            problems.push(
                base.index(i),
                ProblemKind::Duplicate {
                    value: number.to_string(),
                },
            );
        }
    }
    numbers
}

/// The redemption form (the preview omits `confirm`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionForm {
    /// 1–25 distinct voucher numbers.
    #[serde(default)]
    pub voucher_numbers: Option<Vec<String>>,
    /// Must be `true` to redeem.
    #[serde(default)]
    pub confirm: Option<bool>,
}

impl RedemptionForm {
    /// Reads the selection alone (for a preview).
    pub fn parse_selection(&self) -> Result<Vec<VoucherNumber>, Rejection> {
        let mut problems = Problems::new();
        let numbers = parse_selection(
            self.voucher_numbers.as_deref(),
            "voucherNumbers",
            &mut problems,
        );
        problems.finish(numbers)
    }

    /// Reads the selection and requires `confirm: true` (the confirmation step).
    pub fn parse_confirmed(&self) -> Result<Vec<VoucherNumber>, Rejection> {
        let mut problems = Problems::new();
        let numbers = parse_selection(
            self.voucher_numbers.as_deref(),
            "voucherNumbers",
            &mut problems,
        );
        if form::flag(&mut problems, "confirm", self.confirm) == Some(false) {
            problems.push("confirm", ProblemKind::NotConfirmed);
        }
        problems.finish(numbers)
    }
}

/// Why a voucher cannot be redeemed, localized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// Stable code.
    pub code: String,
    /// Human message.
    pub message: String,
}

/// One voucher of a preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewLine {
    /// The voucher.
    pub voucher_number: VoucherNumber,
    /// Its program, when the voucher is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<ProgramId>,
    /// Its size in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Days delivered per its completion report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_delivered: Option<u32>,
    /// `daysDelivered × dailyRates[country]` of its delivery country, when it is paid one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Money>,
    /// Whether it can be redeemed now.
    pub redeemable: bool,
    /// Why not, when it cannot.
    pub reasons: Vec<Reason>,
}

/// The preview of a redemption: each voucher, and totals per currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    /// One line per selected voucher, in selection order.
    pub lines: Vec<PreviewLine>,
    /// Sum of the redeemable lines' values per currency.
    pub totals: Vec<Money>,
    /// Whether every line is redeemable (the batch can be confirmed).
    pub redeemable: bool,
}

/// The voucher `number` as `actor` sees it, with its program, or why it cannot be found (with
/// the voucher when only its program is unknown). Batches of redemption and claims share it.
pub(crate) fn find<'a>(
    number: &VoucherNumber,
    vouchers: &'a [Voucher],
    actor: &Actor,
    catalog: &'a Catalog,
) -> Result<(&'a Voucher, &'a crate::catalog::Program), (Option<&'a Voucher>, Rejection)> {
    let voucher = vouchers
        .iter()
        .find(|v| &v.voucher_number == number && actor.can_see(v))
        .ok_or_else(|| {
            (
                None,
                Rejection::one("voucherNumber", ProblemKind::VoucherNotFound),
            )
        })?;
    let program = catalog
        .known(&voucher.program_id, "voucherNumber")
        .map_err(|rejection| (Some(voucher), rejection))?;
    Ok((voucher, program))
}

/// Previews redeeming `selection` (SPEC §9): each voucher with its days, value and any reason it
/// cannot be redeemed.
pub fn preview(
    selection: &[VoucherNumber],
    vouchers: &[Voucher],
    enrollments: &[Enrollment],
    actor: &Actor,
    catalog: &Catalog,
    today: NaiveDate,
    locale: Locale,
) -> Preview {
    let mut totals: Vec<Money> = Vec::new();
    let lines: Vec<PreviewLine> = selection
        .iter()
        .map(|number| {
            let (voucher, program, outcome) = match find(number, vouchers, actor, catalog) {
                Ok((voucher, program)) => {
                    let world = world_of(today, program, enrollments);
                    let verdict = voucher::check(voucher, &VoucherEvent::Redeem, actor, &world);
                    (Some(voucher), Some(program), verdict)
                }
                Err((voucher, rejection)) => (voucher, None, Err(rejection)),
            };
            let days_delivered = voucher
                .and_then(|v| v.completion_report.as_ref())
                .map(|r| r.days_delivered);
            let value = program
                .zip(voucher)
                .and_then(|(program, voucher)| voucher.delivered_value(program).ok())
                .filter(|_| days_delivered.is_some());
            let reasons: Vec<Reason> = match &outcome {
                Ok(_) => Vec::new(),
                Err(rejection) => rejection
                    .problems()
                    .iter()
                    .map(|p| Reason {
                        code: p.kind.code().to_owned(),
                        message: p.kind.message(locale),
                    })
                    .collect(),
            };
            if let (true, Some(value)) = (reasons.is_empty(), &value) {
                add_to_totals(&mut totals, value);
            }
            PreviewLine {
                voucher_number: number.clone(),
                program_id: voucher.map(|v| v.program_id.clone()),
                days: voucher.map(|v| v.days),
                days_delivered,
                value,
                redeemable: reasons.is_empty(),
                reasons,
            }
        })
        .collect();
    let redeemable = !lines.is_empty() && lines.iter().all(|l| l.redeemable);
    Preview {
        lines,
        totals,
        redeemable,
    }
}

fn add_to_totals(totals: &mut Vec<Money>, value: &Money) {
    match totals.iter_mut().find(|t| t.currency == value.currency) {
        Some(total) => total.minor_units = total.minor_units.saturating_add(value.minor_units),
        None => totals.push(*value),
    }
}

/// Redeems every voucher of `selection` or none (SPEC §9). Each failing voucher is reported at
/// `voucherNumbers[i]`.
pub fn redeem(
    selection: &[VoucherNumber],
    vouchers: &[Voucher],
    enrollments: &[Enrollment],
    actor: &Actor,
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<Vec<Transition>, Rejection> {
    batch(selection, "voucherNumbers", |number| {
        let (voucher, program) = find(number, vouchers, actor, catalog).map_err(|(_, r)| r)?;
        voucher::transition(
            voucher,
            &VoucherEvent::Redeem,
            actor,
            &world_of(today, program, enrollments),
        )
    })
}

/// The world of a batch's voucher of `program`: the partner's enrollment in it, if any.
fn world_of<'a>(
    today: NaiveDate,
    program: &'a Program,
    enrollments: &'a [Enrollment],
) -> World<'a> {
    World {
        enrollment: enrollments.iter().find(|e| e.program_id == program.id),
        ..World::new(today, program)
    }
}

/// The guard of one voucher of a batch, on its own: it is the actor's and `event` may apply
/// to it on `today` (the state and every guard that needs no request).
pub fn guard(
    number: &VoucherNumber,
    event: &VoucherEvent,
    vouchers: &[Voucher],
    enrollments: &[Enrollment],
    actor: &Actor,
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<(), Rejection> {
    let (voucher, program) = find(number, vouchers, actor, catalog).map_err(|(_, r)| r)?;
    let world = world_of(today, program, enrollments);
    voucher::check(voucher, event, actor, &world).map(|_| ())
}

/// For a selection that has problems of its own (SPEC §11, every problem at once): each entry
/// of `raw` that reads as a voucher number, once, checked by `guard`, with its problems at
/// `field[i]` of its place in `raw`. A list longer than a batch is not looked into.
pub fn guard_entries(
    raw: Option<&[String]>,
    field: &str,
    problems: &mut Problems,
    mut guard: impl FnMut(&VoucherNumber) -> Result<(), Rejection>,
) {
    let raw = raw.unwrap_or_default();
    if raw.len() > MAX_BATCH {
        return;
    }
    let base = FieldPath::new(field);
    // The entries' own problems are the form's, already recorded.
    for (i, number) in entries(raw, &base, &mut Problems::new()) {
        if let Err(rejection) = guard(&number) {
            for problem in rejection.into_problems() {
                problems.push(base.index(i), problem.kind);
            }
        }
    }
}

/// Runs `step` for every voucher of a batch; every failure is re-homed at `field[i]`, and the
/// batch succeeds only when every voucher does.
pub fn batch<T>(
    selection: &[VoucherNumber],
    field: &str,
    mut step: impl FnMut(&VoucherNumber) -> Result<T, Rejection>,
) -> Result<Vec<T>, Rejection> {
    let base = FieldPath::new(field);
    let mut problems = Problems::new();
    let mut done = Vec::with_capacity(selection.len());
    for (i, number) in selection.iter().enumerate() {
        match step(number) {
            Ok(outcome) => done.push(outcome),
            Err(rejection) => {
                for problem in rejection.into_problems() {
                    problems.push(base.index(i), problem.kind);
                }
            }
        }
    }
    problems.finish(done)
}
