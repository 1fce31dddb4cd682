//! The eligibility rules of the entry layer (SPEC §4).

use super::{ProgramEligibility, QualificationFacts, QualificationFactsForm, evaluate};
use crate::error::Rejection;
use crate::rule::{Env, Nothing};
use serde::{Deserialize, Serialize};

/// The eligibility request: one program, or all of them when absent.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgramFilter {
    /// The program asked about.
    #[serde(default)]
    pub program_id: Option<String>,
}

/// The partner's qualification facts.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FactsContext {
    /// The facts (none when absent).
    #[serde(default)]
    pub facts: QualificationFacts,
}

/// The `eligibility` output: one verdict per program asked about.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Eligibilities {
    /// The verdicts, in catalog order.
    pub programs: Vec<ProgramEligibility>,
}

/// `eligibility`: the status of one program, or of every program, on the day.
pub fn eligibility(
    env: &Env<'_>,
    form: ProgramFilter,
    context: FactsContext,
) -> Result<Eligibilities, Rejection> {
    let programs = match form.program_id.as_deref() {
        None => env.catalog.programs.iter().collect::<Vec<_>>(),
        Some(raw) => vec![
            env.catalog
                .program_named(raw)
                .map_err(|kind| Rejection::one("programId", kind))?,
        ],
    };
    let programs = programs
        .into_iter()
        .map(|program| evaluate(program, &context.facts, env.today))
        .collect();
    Ok(Eligibilities { programs })
}

/// `qualifications`: the facts as the program admin typed them, checked (SPEC §4, §12).
pub fn qualifications(
    _: &Env<'_>,
    form: QualificationFactsForm,
    _: Nothing,
) -> Result<QualificationFacts, Rejection> {
    form.parse()
}
