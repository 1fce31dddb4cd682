//! What every rule of the entry layer runs with, and the shape it has.
//!
//! Each rule is a typed function `fn(&Env, Form, Context) -> Result<Output, Rejection>` in its
//! domain module's `rules`: the request's own fields, the state the server loaded for it, and
//! the environment below. The JSON entry layer ([`crate::json`]) and the HTTP handlers call the
//! same functions, so every surface gives the same verdict.

use crate::catalog::Catalog;
use crate::error::Locale;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The environment of one rule call: the program catalog, the day it runs on, and the locale
/// of any text the output itself carries (a preview's reasons).
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    /// The program catalog.
    pub catalog: &'a Catalog,
    /// The day the rule runs on.
    pub today: NaiveDate,
    /// The language of texts inside the output.
    pub locale: Locale,
}

impl<'a> Env<'a> {
    /// An environment on `today`, with English texts.
    pub fn new(catalog: &'a Catalog, today: NaiveDate) -> Env<'a> {
        Env {
            catalog,
            today,
            locale: Locale::En,
        }
    }

    /// The same environment, with texts in `locale`.
    pub fn in_locale(self, locale: Locale) -> Env<'a> {
        Env { locale, ..self }
    }
}

/// No request fields, or no context: an empty object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Nothing {}
