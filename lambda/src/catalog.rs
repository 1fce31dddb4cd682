//! The program catalog as the handlers read it (SPEC §15.1): stored and versioned like the
//! other aggregates, seeded from the sample on a first start, and cached for a few seconds.
//!
//! Every request works on one snapshot of the catalog. Reading it from the store on every
//! request would add a read to each operation, so each instance keeps its last read for
//! [`Programs::ttl`]: a change made on this instance shows at once, one made on another
//! (another Lambda instance) within that time. A change itself always starts from a fresh read.

use crate::store::{Commit, ProgramSave, Store, StoreResult};
use saps_core::catalog::{Catalog, Program};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long an instance serves a catalog it read before reading it again, unless
/// `$SAPS_CATALOG_TTL_SECONDS` says otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10);

/// One instance's view of the stored catalog.
#[derive(Debug)]
pub struct Programs {
    ttl: Duration,
    cached: RwLock<Option<(Arc<Catalog>, Instant)>>,
}

impl Programs {
    /// A cache that serves a read for `ttl`.
    pub fn new(ttl: Duration) -> Programs {
        Programs {
            ttl,
            cached: RwLock::new(None),
        }
    }

    /// A cache whose time is `$SAPS_CATALOG_TTL_SECONDS`, else [`DEFAULT_TTL`].
    pub fn from_env() -> Programs {
        let ttl = std::env::var("SAPS_CATALOG_TTL_SECONDS")
            .ok()
            .and_then(|seconds| seconds.parse().ok())
            .map_or(DEFAULT_TTL, Duration::from_secs);
        Programs::new(ttl)
    }

    /// How long a read is served.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The catalog for one request: the cached one while it is younger than the TTL, else read.
    pub async fn current(&self, store: &dyn Store) -> StoreResult<Arc<Catalog>> {
        let cached = self.cached.read().ok().and_then(|cached| cached.clone());
        match cached {
            Some((catalog, read_at)) if read_at.elapsed() < self.ttl => Ok(catalog),
            _ => self.fresh(store).await,
        }
    }

    /// The catalog as stored now (a change starts from it), kept for the next requests.
    pub async fn fresh(&self, store: &dyn Store) -> StoreResult<Arc<Catalog>> {
        let catalog = Arc::new(Catalog {
            note: None,
            programs: store.programs().await?,
        });
        self.keep(Arc::clone(&catalog));
        Ok(catalog)
    }

    /// After this instance committed `program` at `position` over `catalog`: the next requests
    /// here see it at once.
    pub fn changed(&self, catalog: &Catalog, program: Program) {
        let mut next = catalog.clone();
        match next.programs.iter_mut().find(|p| p.id == program.id) {
            Some(stored) => *stored = program,
            None => next.programs.push(program),
        }
        self.keep(Arc::new(next));
    }

    fn keep(&self, catalog: Arc<Catalog>) {
        if let Ok(mut cached) = self.cached.write() {
            *cached = Some((catalog, Instant::now()));
        }
    }
}

/// Writes `seed`'s programs, in its order, to a store that has none (a first start); whether
/// it wrote. Two instances seeding at once are one conflict: the loser finds them stored.
pub async fn seed(store: &dyn Store, seed: &Catalog) -> StoreResult<bool> {
    if !store.programs().await?.is_empty() {
        return Ok(false);
    }
    let programs = seed
        .programs
        .iter()
        .zip(0u32..)
        .map(|(program, position)| ProgramSave {
            position,
            program: Program {
                version: 1,
                ..program.clone()
            },
        })
        .collect();
    let written = store
        .commit(Commit {
            programs,
            ..Commit::default()
        })
        .await;
    match written {
        Ok(()) => Ok(true),
        Err(crate::store::StoreError::Conflict { .. }) => Ok(false),
        Err(error) => Err(error),
    }
}
