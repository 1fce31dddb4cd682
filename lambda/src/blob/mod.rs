//! The deliverable blob port (SPEC §8): bytes stored under their SHA-256, with the size limit
//! enforced while they stream in, so an oversized upload is refused before it is all read.
//! Two backends: a directory ([`fs::FsBlobs`], local) and S3 ([`s3::S3Blobs`]).

pub mod fs;
pub mod s3;

use async_trait::async_trait;
use saps_core::value::Sha256;
use sha2::Digest as _;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

/// Why a blob call failed. Nothing is stored in any case.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The body is longer than the limit; reading stopped at the first byte over it.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The body is empty: no deliverable is.
    #[error("the body is empty")]
    Empty,
    /// The body could not be read from the client.
    #[error("the body could not be read: {0}")]
    Body(std::io::Error),
    /// The blob store cannot be reached or failed (the API answers 503).
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
}

/// What a stored blob is known by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    /// SHA-256 of the bytes: the blob's address.
    pub sha256: Sha256,
    /// Length in bytes.
    pub size: u64,
}

/// Content-addressed storage of deliverables.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores what `body` yields, refusing it as soon as it exceeds `limit` bytes, and refusing
    /// an empty one. Storing the same bytes twice stores them once.
    async fn put(
        &self,
        body: &mut (dyn AsyncRead + Unpin + Send),
        limit: u64,
    ) -> Result<StoredBlob, BlobError>;

    /// The bytes stored under `sha256`.
    async fn get(&self, sha256: &Sha256) -> Result<Option<Vec<u8>>, BlobError>;

    /// Every stored blob with when it was stored.
    async fn list(&self) -> Result<Vec<ListedBlob>, BlobError>;

    /// Deletes the blob under `sha256` (absent: nothing to do).
    async fn delete(&self, sha256: &Sha256) -> Result<(), BlobError>;
}

/// A stored blob as [`BlobStore::list`] names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedBlob {
    /// Its address.
    pub sha256: Sha256,
    /// When it was (last) stored.
    pub stored_at: std::time::SystemTime,
}

/// How long an unreferenced blob is kept: an upload's bytes are stored before its record is
/// committed, so a blob younger than this may belong to an upload still under way.
pub const GRACE: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Deletes the blobs no upload record refers to (replaced files, uploads whose record was never
/// committed) once they are older than `grace` at `now`; the number deleted. A report's
/// deliverables are always upload records (core checks each against them), so no report loses
/// a file.
pub async fn sweep(
    store: &dyn crate::store::Store,
    blobs: &dyn BlobStore,
    now: std::time::SystemTime,
    grace: std::time::Duration,
) -> Result<usize, SweepError> {
    // The blobs first, then the records: a blob stored and recorded in between is young, so
    // the grace keeps it.
    let listed = blobs.list().await?;
    let referenced = store.uploaded_digests().await?;
    let mut deleted = 0;
    for blob in listed {
        let old = now
            .duration_since(blob.stored_at)
            .is_ok_and(|age| age >= grace);
        if old && !referenced.contains(&blob.sha256) {
            blobs.delete(&blob.sha256).await?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Why a sweep stopped (what it deleted before stays deleted; a later sweep goes on).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Listing or deleting blobs failed.
    #[error(transparent)]
    Blobs(#[from] BlobError),
    /// Reading the upload records failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The SHA-256 of `bytes`, as blobs are named.
pub fn digest_of(bytes: &[u8]) -> Option<Sha256> {
    Sha256::parse(&hex(&sha2::Sha256::digest(bytes))).ok()
}

/// Lower-case hex of a digest.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Copies `body` into `sink`, hashing as it goes and stopping with [`BlobError::TooLarge`] at
/// the first chunk that passes `limit`.
async fn stream_into(
    body: &mut (dyn AsyncRead + Unpin + Send),
    limit: u64,
    sink: &mut (dyn AsyncWrite + Unpin + Send),
) -> Result<StoredBlob, BlobError> {
    let mut hasher = sha2::Sha256::new();
    let mut size: u64 = 0;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = body.read(&mut chunk).await.map_err(BlobError::Body)?;
        if read == 0 {
            break;
        }
        size = size.saturating_add(read as u64);
        if size > limit {
            return Err(BlobError::TooLarge { limit });
        }
        let bytes = chunk.get(..read).unwrap_or_default();
        hasher.update(bytes);
        sink.write_all(bytes)
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
    }
    if size == 0 {
        return Err(BlobError::Empty);
    }
    sink.flush()
        .await
        .map_err(|e| BlobError::Unavailable(e.to_string()))?;
    let sha256 = Sha256::parse(&hex(&hasher.finalize()))
        .map_err(|_| BlobError::Unavailable("digest is not 64 hex characters".into()))?;
    Ok(StoredBlob { sha256, size })
}
