//! The catalog's rules of the entry layer (SPEC §3, §15.1).

use super::Program;
use crate::error::Rejection;
use crate::rule::{Env, Nothing};
use crate::value::ProgramId;
use serde::Deserialize;

/// `programs`: the catalog's programs, in order.
pub fn programs(env: &Env<'_>, _: Nothing, _: Nothing) -> Result<Vec<Program>, Rejection> {
    Ok(env.catalog.programs.clone())
}

/// What a program change is checked against: the id in the address and the stored program.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgramChangeContext {
    /// The id in the address (`PUT /v1/programs/{programId}`).
    pub program_id: String,
    /// The stored program, absent for a new one.
    #[serde(default)]
    pub current: Option<Program>,
}

/// `updateProgram` (SPEC §15.1): the program to store, or every problem of the change.
pub fn update_program(
    _: &Env<'_>,
    proposed: Program,
    context: ProgramChangeContext,
) -> Result<Program, Rejection> {
    let path_id = ProgramId::parse(&context.program_id)
        .map_err(|kind| Rejection::one("context.programId", kind))?;
    super::update_program(proposed, &path_id, context.current.as_ref())
}
