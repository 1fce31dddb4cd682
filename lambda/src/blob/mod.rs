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
