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
        Ok(self.keep(store.programs().await?))
    }

    /// Makes sure `store` holds a catalog: a store with none (a first start) gets `sample`'s
    /// programs, in its order, at version 1. What is stored then is kept, so the first requests
    /// do not read it again. Answers whether it wrote; two instances seeding at once are one
    /// conflict, and the loser reads what the winner wrote.
    pub async fn seed(&self, store: &dyn Store, sample: &Catalog) -> StoreResult<bool> {
        let stored = store.programs().await?;
        if !stored.is_empty() {
            self.keep(stored);
            return Ok(false);
        }
        let programs: Vec<Program> = sample
            .programs
            .iter()
            .map(|program| Program {
                version: 1,
                ..program.clone()
            })
            .collect();
        let written = store
            .commit(Commit {
                programs: programs
                    .iter()
                    .zip(0u32..)
                    .map(|(program, position)| ProgramSave {
                        position,
                        program: program.clone(),
                    })
                    .collect(),
                ..Commit::default()
            })
            .await;
        match written {
            Ok(()) => {
                self.keep(programs);
                Ok(true)
            }
            Err(crate::store::StoreError::Conflict { .. }) => {
                self.fresh(store).await?;
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    /// After this instance committed `program` at `position` over `catalog`: the next requests
    /// here see it at once.
    pub fn changed(&self, catalog: &Catalog, program: Program) {
        let mut next = catalog.clone();
        match next.programs.iter_mut().find(|p| p.id == program.id) {
            Some(stored) => *stored = program,
            None => next.programs.push(program),
        }
        self.keep(next.programs);
    }

    /// Keeps the stored `programs` as the catalog of the next requests.
    fn keep(&self, programs: Vec<Program>) -> Arc<Catalog> {
        let catalog = Arc::new(Catalog {
            note: None,
            programs,
        });
        if let Ok(mut cached) = self.cached.write() {
            *cached = Some((Arc::clone(&catalog), Instant::now()));
        }
        catalog
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    fn sample() -> &'static Catalog {
        Catalog::sample().expect("sample catalog")
    }

    /// A change `other` instance made: desktop at the next version with a cut-off date.
    async fn change_elsewhere(store: &dyn Store, catalog: &Catalog) -> Program {
        let mut desktop = catalog.programs[0].clone();
        desktop.version += 1;
        desktop.last_assign_on = chrono::NaiveDate::from_ymd_opt(2026, 6, 30);
        store
            .commit(Commit {
                programs: vec![ProgramSave {
                    position: 0,
                    program: desktop.clone(),
                }],
                ..Commit::default()
            })
            .await
            .expect("commit");
        desktop
    }

    #[tokio::test]
    async fn a_read_is_served_for_its_time_and_a_change_here_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).expect("store");
        let programs = Programs::new(Duration::from_secs(3600));
        assert!(programs.seed(&store, sample()).await.expect("seed"));
        assert!(!programs.seed(&store, sample()).await.expect("seeded once"));
        let first = programs.current(&store).await.expect("read");
        assert_eq!(first.programs.len(), sample().programs.len());
        assert!(first.programs.iter().all(|p| p.version == 1));

        // Another instance's change is not seen while the read is young…
        let changed = change_elsewhere(&store, &first).await;
        let cached = programs.current(&store).await.expect("cached");
        assert_eq!(cached.programs[0].version, 1);
        // …a fresh read sees it, and so does every request after it.
        assert_eq!(
            programs.fresh(&store).await.expect("fresh").programs[0],
            changed
        );
        assert_eq!(
            programs.current(&store).await.expect("kept").programs[0],
            changed
        );

        // A change made here shows at once, without a read.
        let mut sharepoint = changed.clone();
        sharepoint.id = saps_core::value::ProgramId::parse("sharepoint").expect("id");
        let before = programs.current(&store).await.expect("read");
        programs.changed(&before, sharepoint.clone());
        let after = programs.current(&store).await.expect("read");
        assert_eq!(after.program(&sharepoint.id), Some(&sharepoint));
        assert_eq!(after.programs.len(), before.programs.len());
    }

    #[tokio::test]
    async fn an_expired_read_is_read_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).expect("store");
        let programs = Programs::new(Duration::ZERO);
        programs.seed(&store, sample()).await.expect("seed");
        let first = programs.current(&store).await.expect("read");
        let changed = change_elsewhere(&store, &first).await;
        assert_eq!(
            programs.current(&store).await.expect("read").programs[0],
            changed
        );
    }
}
