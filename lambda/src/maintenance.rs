//! The periodic work the request path leaves behind: filter entries of the directory that a
//! crash left pending ([`Store::settle_directory`]) and deliverables no upload record names
//! ([`blob::sweep`]). `saps-server` runs it on a timer; on AWS a scheduled invocation of
//! `bootstrap` with `SAPS_TASK=maintenance` does (deploy/template.yaml).

use crate::blob::{self, BlobStore};
use crate::store::Store;
use serde::Serialize;
use std::time::SystemTime;

/// What one round did; a part that failed says why and the other part still ran.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Partners whose pending directory indexing was finished.
    pub settled_partners: usize,
    /// Deliverables deleted because no upload record names them.
    pub deleted_deliverables: usize,
    /// Why a part stopped, in the order they ran (empty when both finished).
    pub failures: Vec<String>,
}

/// One round at `now`: settle the directory, then sweep deliverables past `blob::GRACE`.
/// Each part is idempotent, so an overlapping or repeated round does no harm.
pub async fn run(store: &dyn Store, blobs: &dyn BlobStore, now: SystemTime) -> Report {
    let mut report = settle_directory(store).await;
    let swept = sweep_deliverables(store, blobs, now).await;
    report.deleted_deliverables = swept.deleted_deliverables;
    report.failures.extend(swept.failures);
    report
}

/// The directory part alone: cheap when nothing is pending (one read), so it can run often.
pub async fn settle_directory(store: &dyn Store) -> Report {
    let mut report = Report::default();
    match store.settle_directory().await {
        Ok(settled) => report.settled_partners = settled,
        Err(error) => report
            .failures
            .push(format!("settling the directory: {error}")),
    }
    report
}

/// The deliverables part alone: it lists every blob and upload record, so it runs seldom.
pub async fn sweep_deliverables(
    store: &dyn Store,
    blobs: &dyn BlobStore,
    now: SystemTime,
) -> Report {
    let mut report = Report::default();
    match blob::sweep(store, blobs, now, blob::GRACE).await {
        Ok(deleted) => report.deleted_deliverables = deleted,
        Err(error) => report
            .failures
            .push(format!("sweeping deliverables: {error}")),
    }
    report
}

/// Logs a round's report: nothing when there was nothing to do.
pub fn log(report: &Report) {
    if report.settled_partners > 0 || report.deleted_deliverables > 0 {
        tracing::info!(
            settled_partners = report.settled_partners,
            deleted_deliverables = report.deleted_deliverables,
            "maintenance"
        );
    }
    for failure in &report.failures {
        tracing::warn!(%failure, "maintenance failed");
    }
}
