//! Blobs in a local directory: `<dir>/<first two hex>/<sha256>`, written to a temporary file
//! and renamed into place, so a reader never sees a partial blob.

use super::{BlobError, BlobStore, ListedBlob, StoredBlob, stream_into};
use async_trait::async_trait;
use saps_core::value::Sha256;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::AsyncRead;

/// The filesystem blob store.
#[derive(Debug)]
pub struct FsBlobs {
    dir: PathBuf,
    uploads: AtomicU64,
}

fn unavailable(error: std::io::Error) -> BlobError {
    BlobError::Unavailable(error.to_string())
}

impl FsBlobs {
    /// Blobs under `dir` (created when missing). Partial uploads left by a process that is gone
    /// (a crash mid-upload) are deleted.
    pub fn open(dir: &Path) -> Result<FsBlobs, BlobError> {
        let incoming = dir.join("incoming");
        std::fs::create_dir_all(&incoming).map_err(unavailable)?;
        remove_leftover_parts(&incoming).map_err(unavailable)?;
        Ok(FsBlobs {
            dir: dir.to_owned(),
            uploads: AtomicU64::new(0),
        })
    }

    fn path_of(&self, sha256: &Sha256) -> PathBuf {
        let hex = sha256.as_str();
        self.dir.join(hex.get(..2).unwrap_or("00")).join(hex)
    }
}

/// The blobs under `dir`: files named by a SHA-256 in its two-hex subdirectories (`incoming/`
/// and anything else is not a blob), with their modification times.
fn list_dir(dir: &Path) -> std::io::Result<Vec<ListedBlob>> {
    let mut listed = Vec::new();
    for shard in std::fs::read_dir(dir)? {
        let shard = shard?;
        if !shard.file_type()?.is_dir() || shard.file_name().len() != 2 {
            continue;
        }
        for file in std::fs::read_dir(shard.path())? {
            let file = file?;
            let Some(sha256) = file
                .file_name()
                .to_str()
                .and_then(|n| Sha256::parse(n).ok())
            else {
                continue;
            };
            listed.push(ListedBlob {
                sha256,
                stored_at: file.metadata()?.modified()?,
            });
        }
    }
    Ok(listed)
}

/// Deletes the `.part` files in `incoming` whose writer is no longer running. A part is named
/// `<pid>-<n>.part`; where running processes cannot be told (no `/proc`), every part is left over,
/// since a second server on one directory is not a supported set-up there.
fn remove_leftover_parts(incoming: &Path) -> std::io::Result<()> {
    let proc = Path::new("/proc");
    let can_tell = proc.is_dir();
    let me = std::process::id().to_string();
    for entry in std::fs::read_dir(incoming)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".part") else {
            continue;
        };
        let writer = stem.split('-').next().unwrap_or_default();
        let running = writer == me || (can_tell && proc.join(writer).is_dir());
        if !running {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[async_trait]
impl BlobStore for FsBlobs {
    async fn put(
        &self,
        body: &mut (dyn AsyncRead + Unpin + Send),
        limit: u64,
    ) -> Result<StoredBlob, BlobError> {
        // Unique within the process; the process id keeps two servers on one directory apart.
        let n = self.uploads.fetch_add(1, Ordering::Relaxed);
        let incoming = self
            .dir
            .join("incoming")
            .join(format!("{}-{n}.part", std::process::id()));
        let mut file = tokio::fs::File::create(&incoming)
            .await
            .map_err(unavailable)?;
        let stored = match stream_into(body, limit, &mut file).await {
            Ok(stored) => stored,
            Err(e) => {
                drop(file);
                let _ = tokio::fs::remove_file(&incoming).await;
                return Err(e);
            }
        };
        file.sync_all().await.map_err(unavailable)?;
        drop(file);
        let target = self.path_of(&stored.sha256);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(unavailable)?;
        }
        // Same bytes, same name: replacing an existing blob changes nothing.
        tokio::fs::rename(&incoming, &target)
            .await
            .map_err(unavailable)?;
        Ok(stored)
    }

    async fn get(&self, sha256: &Sha256) -> Result<Option<Vec<u8>>, BlobError> {
        match tokio::fs::read(self.path_of(sha256)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn list(&self) -> Result<Vec<ListedBlob>, BlobError> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || list_dir(&dir))
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?
            .map_err(unavailable)
    }

    async fn delete(&self, sha256: &Sha256) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path_of(sha256)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(unavailable(e)),
            _ => Ok(()),
        }
    }
}
