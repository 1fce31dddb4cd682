//! `bootstrap`: the API on AWS Lambda behind an API Gateway HTTP API (payload v2), persisting to
//! DynamoDB (`SAPS_TABLE`) and S3 (`SAPS_BUCKET`). `SAPS_DYNAMODB_ENDPOINT` and
//! `SAPS_S3_ENDPOINT` point it at local stand-ins for tests. With `SAPS_TASK=maintenance` the
//! same binary is instead the scheduled maintenance function: each invocation, whatever its
//! event, runs one round of [`maintenance::run`] and answers with its report.

use saps_core::catalog::Catalog;
use saps_lambda::api::identity::Identity;
use saps_lambda::api::{self, Services};
use saps_lambda::blob::BlobStore;
use saps_lambda::blob::s3::{self, S3Blobs};
use saps_lambda::catalog::Programs;
use saps_lambda::clock::SystemClock;
use saps_lambda::maintenance;
use saps_lambda::store::Store;
use saps_lambda::store::dynamo::{self, DynamoStore};
use std::sync::Arc;

fn setting(name: &str) -> Result<String, lambda_http::Error> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    saps_lambda::logging::init();
    let table = setting("SAPS_TABLE")?;
    let bucket = setting("SAPS_BUCKET")?;
    // SDK clients are built once per execution environment, not per request.
    let store: Arc<dyn Store> = match std::env::var("SAPS_DYNAMODB_ENDPOINT") {
        Ok(endpoint) => Arc::new(DynamoStore::new(dynamo::local_client(&endpoint), table)),
        Err(_) => Arc::new(DynamoStore::from_environment(table).await),
    };
    let blobs: Arc<dyn BlobStore> = match std::env::var("SAPS_S3_ENDPOINT") {
        Ok(endpoint) => Arc::new(S3Blobs::new(s3::local_client(&endpoint), bucket)),
        Err(_) => Arc::new(S3Blobs::from_environment(bucket).await),
    };
    if std::env::var("SAPS_TASK").as_deref() == Ok("maintenance") {
        return lambda_http::lambda_runtime::run(lambda_http::service_fn(
            |_: lambda_http::LambdaEvent<serde_json::Value>| {
                let (store, blobs) = (store.clone(), blobs.clone());
                async move {
                    let now = std::time::SystemTime::now();
                    let report = maintenance::run(store.as_ref(), blobs.as_ref(), now).await;
                    maintenance::log(&report);
                    // A failed round is a failed invocation: it shows in the function's error
                    // metric, and the next scheduled round tries again.
                    match report.failures.is_empty() {
                        true => Ok::<_, lambda_http::Error>(report),
                        false => Err(report.failures.join("; ").into()),
                    }
                }
            },
        ))
        .await;
    }
    // A first cold start on an empty table writes the sample catalog; later ones read it, and
    // the first requests use that read.
    let programs = Programs::from_env();
    programs
        .seed(
            store.as_ref(),
            Catalog::sample().map_err(|e| e.to_string())?,
        )
        .await?;
    let services = Services {
        store,
        blobs,
        programs,
        clock: Arc::new(SystemClock),
        identity: Identity::ApiGateway,
    };
    lambda_http::run(api::router(services)).await
}
