//! The catalog's rule of the entry layer (SPEC §3).

use super::Program;
use crate::error::Rejection;
use crate::rule::{Env, Nothing};

/// `programs`: the catalog's programs, in order.
pub fn programs(env: &Env<'_>, _: Nothing, _: Nothing) -> Result<Vec<Program>, Rejection> {
    Ok(env.catalog.programs.clone())
}
