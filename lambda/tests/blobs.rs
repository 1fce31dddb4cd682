//! The deliverable blob port on both backends: a directory, and S3 through moto's server
//! (`SAPS_S3_ENDPOINT`, started by `scripts/test-all.sh`).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use saps_core::completion::{Deliverable, MediaType};
use saps_core::value::Sha256;
use saps_core::value::VoucherNumber;
use saps_core::voucher::UploadEffect;
use saps_lambda::blob::fs::FsBlobs;
use saps_lambda::blob::s3::{self, S3Blobs};
use saps_lambda::blob::{BlobError, BlobStore, GRACE, sweep};
use saps_lambda::store::sqlite::SqliteStore;
use saps_lambda::store::{Commit, Store as _, Upload};
use sha2::Digest as _;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncRead, ReadBuf};

const MIB: u64 = 1024 * 1024;

fn sha256_of(bytes: &[u8]) -> Sha256 {
    let digest = sha2::Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Sha256::parse(&hex).unwrap()
}

/// An endless body that counts what was read from it.
struct Endless {
    read: Arc<AtomicU64>,
}

impl AsyncRead for Endless {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = buf.remaining();
        buf.put_slice(&vec![b'x'; n]);
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Poll::Ready(Ok(()))
    }
}

async fn check_backend(blobs: &dyn BlobStore) {
    // Stored under its SHA-256, read back byte for byte; the same bytes twice are one blob.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let stored = blobs.put(&mut bytes.as_slice(), 5 * MIB).await.unwrap();
    assert_eq!(stored.sha256, sha256_of(&bytes));
    assert_eq!(stored.size, bytes.len() as u64);
    assert_eq!(
        blobs.get(&stored.sha256).await.unwrap(),
        Some(bytes.clone())
    );
    assert_eq!(
        blobs.put(&mut bytes.as_slice(), 5 * MIB).await.unwrap(),
        stored
    );

    // Exactly at the limit is accepted; one byte over is refused and nothing is stored.
    let at_limit = vec![7u8; MIB as usize];
    assert_eq!(
        blobs.put(&mut at_limit.as_slice(), MIB).await.unwrap().size,
        MIB
    );
    let over = vec![8u8; MIB as usize + 1];
    let refused = blobs.put(&mut over.as_slice(), MIB).await;
    assert!(
        matches!(refused, Err(BlobError::TooLarge { limit: MIB })),
        "{refused:?}"
    );
    assert_eq!(blobs.get(&sha256_of(&over)).await.unwrap(), None);

    // An endless body is cut off soon after the limit instead of being read to the end.
    let read = Arc::new(AtomicU64::new(0));
    let mut endless = Endless {
        read: Arc::clone(&read),
    };
    let refused = blobs.put(&mut endless, 5 * MIB).await;
    assert!(
        matches!(refused, Err(BlobError::TooLarge { .. })),
        "{refused:?}"
    );
    assert!(
        read.load(Ordering::Relaxed) <= 5 * MIB + 64 * 1024,
        "read {} bytes",
        read.load(Ordering::Relaxed)
    );

    // Unknown addresses are absent, not errors.
    assert_eq!(blobs.get(&sha256_of(b"never stored")).await.unwrap(), None);

    check_sweep(blobs).await;
}

/// The sweep keeps what an upload record names and what is young, and deletes the rest.
async fn check_sweep(blobs: &dyn BlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let kept = blobs.put(&mut &b"%PDF kept"[..], MIB).await.unwrap();
    let orphan = blobs.put(&mut &b"%PDF orphan"[..], MIB).await.unwrap();
    let number = VoucherNumber::parse("SWEEP0001").unwrap();
    store
        .commit(Commit {
            uploads: vec![Upload {
                voucher_number: number,
                deliverable: Deliverable {
                    file_name: "kept.pdf".into(),
                    media_type: MediaType::Pdf,
                    size: kept.size,
                    sha256: kept.sha256.clone(),
                },
                effect: UploadEffect::Adds,
                at_most: 20,
            }],
            ..Commit::default()
        })
        .await
        .unwrap();
    let listed: Vec<Sha256> = blobs
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.sha256)
        .collect();
    assert!(listed.contains(&kept.sha256) && listed.contains(&orphan.sha256));
    // Young: nothing goes.
    let now = SystemTime::now();
    assert_eq!(sweep(&store, blobs, now, GRACE).await.unwrap(), 0);
    assert!(blobs.get(&orphan.sha256).await.unwrap().is_some());
    // A day and more later: the unreferenced blobs go (the orphan and the earlier checks'),
    // the referenced one stays.
    let later = now + GRACE + Duration::from_secs(60);
    assert!(sweep(&store, blobs, later, GRACE).await.unwrap() >= 1);
    assert!(blobs.get(&orphan.sha256).await.unwrap().is_none());
    assert!(blobs.get(&kept.sha256).await.unwrap().is_some());
    let left: Vec<Sha256> = blobs
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.sha256)
        .collect();
    assert_eq!(left, vec![kept.sha256]);
}

#[tokio::test]
async fn filesystem_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobs::open(dir.path()).unwrap();
    check_backend(&blobs).await;
    // No partial files are left behind by refused uploads.
    let incoming: Vec<_> = std::fs::read_dir(dir.path().join("incoming"))
        .unwrap()
        .collect();
    assert!(incoming.is_empty(), "{incoming:?}");
}

/// The deliverables bucket as deploy/template.yaml makes it (versioned, encrypted, private),
/// made in moto's S3 by deploy/local_bucket.py (`SAPS_TEMPLATE_BUCKET`, set by test-all.sh).
#[tokio::test]
async fn s3_blobs_on_the_templates_bucket() {
    let endpoint = std::env::var("SAPS_S3_ENDPOINT")
        .expect("SAPS_S3_ENDPOINT must name a moto server (bash scripts/test-all.sh starts one)");
    let bucket = std::env::var("SAPS_TEMPLATE_BUCKET").expect(
        "SAPS_TEMPLATE_BUCKET must name the template's bucket (bash scripts/test-all.sh makes it \
         with deploy/local_bucket.py)",
    );
    let blobs = S3Blobs::new(s3::local_client(&endpoint), bucket);
    check_backend(&blobs).await;
}

#[tokio::test]
async fn s3_blobs_on_moto() {
    let endpoint = std::env::var("SAPS_S3_ENDPOINT")
        .expect("SAPS_S3_ENDPOINT must name a moto server (bash scripts/test-all.sh starts one)");
    let bucket = format!("saps-test-{}", std::process::id());
    let blobs = S3Blobs::new(s3::local_client(&endpoint), bucket);
    blobs.create_bucket().await.unwrap();
    check_backend(&blobs).await;
}

#[tokio::test]
async fn s3_outage_is_unavailable() {
    // Nothing listens on port 9 (discard) here: the request fails to connect.
    let blobs = S3Blobs::new(s3::local_client("http://127.0.0.1:9"), "nowhere");
    let refused = blobs.put(&mut b"bytes".as_slice(), MIB).await;
    assert!(
        matches!(refused, Err(BlobError::Unavailable(_))),
        "{refused:?}"
    );
}

#[test]
fn parts_left_by_a_crashed_writer_are_deleted_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    // No process has this id (above Linux's largest pid); pid 1 is always running.
    let crashed = incoming.join("4194305-0.part");
    let running = incoming.join("1-0.part");
    let other = incoming.join("notes.txt");
    for path in [&crashed, &running, &other] {
        std::fs::write(path, b"partial").unwrap();
    }
    FsBlobs::open(dir.path()).unwrap();
    assert!(!crashed.exists(), "a dead writer's part is left");
    assert!(running.exists(), "a running writer's part was deleted");
    assert!(other.exists(), "a file that is not a part was deleted");
}
