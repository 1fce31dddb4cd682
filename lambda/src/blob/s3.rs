//! Blobs in S3 under `deliverables/<sha256>`. The object key is the hash, which is known only
//! once the body has been read, so the body streams into a temporary file (hashed on the way,
//! one 64 KiB chunk in memory), then goes to S3 from the file with one `PutObject`.

use super::{BlobError, BlobStore, ListedBlob, StoredBlob, stream_into};
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;
use saps_core::value::Sha256;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::AsyncRead;

/// The S3 blob store.
#[derive(Clone, Debug)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
    /// Uploads started, for unique temporary file names (shared by clones).
    uploads: Arc<AtomicU64>,
}

fn unavailable(error: impl std::fmt::Debug) -> BlobError {
    BlobError::Unavailable(format!("{error:?}"))
}

impl S3Blobs {
    /// Blobs in `bucket` through `client` (built once at start).
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Blobs {
        S3Blobs {
            client,
            bucket: bucket.into(),
            uploads: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Blobs in `bucket` with the SDK's default configuration (region, credentials and
    /// endpoint from the environment, as on Lambda).
    pub async fn from_environment(bucket: impl Into<String>) -> S3Blobs {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        S3Blobs::new(Client::new(&config), bucket)
    }

    fn key_of(sha256: &Sha256) -> String {
        format!("deliverables/{sha256}")
    }

    /// Creates the bucket when missing (tests and local runs).
    pub async fn create_bucket(&self) -> Result<(), BlobError> {
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e))
                if e.err().is_bucket_already_owned_by_you()
                    || e.err().is_bucket_already_exists() =>
            {
                Ok(())
            }
            Err(e) => Err(unavailable(e)),
        }
    }
}

impl S3Blobs {
    /// The blob an object key names (`deliverables/<sha256>`), if it names one.
    fn sha256_of(key: &str) -> Option<Sha256> {
        key.strip_prefix("deliverables/")
            .and_then(|hex| Sha256::parse(hex).ok())
    }

    async fn put_via(
        &self,
        path: &std::path::Path,
        body: &mut (dyn AsyncRead + Unpin + Send),
        limit: u64,
    ) -> Result<StoredBlob, BlobError> {
        let mut file = tokio::fs::File::create(path).await.map_err(unavailable)?;
        let stored = stream_into(body, limit, &mut file).await?;
        drop(file);
        let bytes = ByteStream::from_path(path).await.map_err(unavailable)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(S3Blobs::key_of(&stored.sha256))
            .content_length(i64::try_from(stored.size).map_err(unavailable)?)
            .body(bytes)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(stored)
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn put(
        &self,
        body: &mut (dyn AsyncRead + Unpin + Send),
        limit: u64,
    ) -> Result<StoredBlob, BlobError> {
        // The object's key is the hash, known only at the end of the body: the body goes to a
        // temporary file first (a chunk in memory at a time), then to S3 from the file. On
        // Lambda the file is in /tmp; it is deleted on every path out.
        let n = self.uploads.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("saps-upload-{}-{n}.part", std::process::id()));
        let result = self.put_via(&path, body, limit).await;
        let _ = tokio::fs::remove_file(&path).await;
        result
    }

    async fn get(&self, sha256: &Sha256) -> Result<Option<Vec<u8>>, BlobError> {
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(S3Blobs::key_of(sha256))
            .send()
            .await
        {
            Ok(object) => object,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => return Ok(None),
            Err(e) => return Err(unavailable(e)),
        };
        let bytes = object.body.collect().await.map_err(unavailable)?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    async fn list(&self) -> Result<Vec<ListedBlob>, BlobError> {
        let mut listed = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix("deliverables/")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for object in page.map_err(unavailable)?.contents() {
                let (Some(sha256), Some(modified)) = (
                    object.key().and_then(S3Blobs::sha256_of),
                    object.last_modified(),
                ) else {
                    continue;
                };
                let stored_at = std::time::SystemTime::try_from(*modified).map_err(unavailable)?;
                listed.push(ListedBlob { sha256, stored_at });
            }
        }
        Ok(listed)
    }

    async fn delete(&self, sha256: &Sha256) -> Result<(), BlobError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(S3Blobs::key_of(sha256))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

/// An S3 client for an S3-compatible server at `endpoint` (moto in tests): path-style
/// addressing, a fixed region and placeholder credentials.
pub fn local_client(endpoint: &str) -> Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "saps-local",
        ))
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}
