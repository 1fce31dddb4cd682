//! `saps-server`: the API and the partner portal on http://127.0.0.1:3000, on the embedded
//! store (`./.saps-data`) or on DynamoDB (`--dynamodb-endpoint`).

use clap::Parser;
use saps_core::calendar;
use saps_core::catalog::Catalog;
use saps_lambda::api::identity::{Hs256Keys, Identity};
use saps_lambda::api::{self, Services};
use saps_lambda::blob::BlobStore;
use saps_lambda::blob::fs::FsBlobs;
use saps_lambda::catalog::Programs;
use saps_lambda::clock::{Clock, FixedClock, SystemClock};
use saps_lambda::store::Store;
use saps_lambda::store::dynamo::{self, DynamoStore};
use saps_lambda::store::sqlite::SqliteStore;
use saps_lambda::{demo, local, maintenance, serve};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Serve the saps API and the partner portal locally.
#[derive(Debug, Parser)]
#[command(name = "saps-server", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// Directory of the embedded store, the deliverables and the token secret.
    #[arg(long, default_value = ".saps-data")]
    data_dir: PathBuf,
    /// Use DynamoDB at this endpoint (e.g. DynamoDB Local) instead of the embedded store.
    #[arg(long)]
    dynamodb_endpoint: Option<String>,
    /// The DynamoDB table (created when missing).
    #[arg(long, default_value = "saps")]
    table: String,
    /// The built partner portal (`scripts/build-portal.sh`), served at `/`.
    #[arg(long, default_value = "portal/dist")]
    portal_dir: PathBuf,
    /// Load sample partners and vouchers, and print a token per role.
    #[arg(long)]
    demo: bool,
    /// Pretend today is this date (`YYYY-MM-DD`), for trying expiry and renewal.
    #[arg(long, value_parser = parse_today)]
    today: Option<chrono::NaiveDate>,
    /// Seconds a client may take to send a request's headers (default 10).
    #[arg(long)]
    header_timeout_secs: Option<u64>,
    /// Connections served at once; more wait in the listen queue (default 512).
    #[arg(long)]
    max_connections: Option<usize>,
    /// Secret for HS256 tokens (default: `$SAPS_JWT_SECRET`, else one kept in the data dir).
    #[arg(long, env = "SAPS_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
}

fn parse_today(raw: &str) -> Result<chrono::NaiveDate, String> {
    calendar::parse_date(raw).ok_or_else(|| format!("`{raw}` is not a YYYY-MM-DD date"))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    local::data_dir(&args.data_dir)?;
    let store: Arc<dyn Store> = match &args.dynamodb_endpoint {
        Some(endpoint) => {
            let dynamo = DynamoStore::new(dynamo::local_client(endpoint), args.table.clone());
            // Ignore "already exists": the table outlives the server.
            let _ = dynamo.create_table().await;
            Arc::new(dynamo)
        }
        None => Arc::new(SqliteStore::open(&args.data_dir)?),
    };
    let blobs: Arc<dyn BlobStore> = Arc::new(FsBlobs::open(&args.data_dir.join("deliverables"))?);
    let clock: Arc<dyn Clock> = match args.today {
        Some(today) => Arc::new(FixedClock::new(today)),
        None => Arc::new(SystemClock),
    };
    let secret = match &args.jwt_secret {
        Some(secret) => secret.as_bytes().to_vec(),
        None => local::stored_secret(&args.data_dir)?,
    };
    let keys = Hs256Keys::new(&secret);
    // The catalog is stored data the program admin maintains: the sample is its first version.
    let sample = Catalog::sample().map_err(|e| e.to_string())?;
    let programs = Programs::from_env();
    if programs.seed(store.as_ref(), sample).await? {
        println!(
            "catalog seeded with the sample's {} programs",
            sample.programs.len()
        );
    }
    let mut tokens = None;
    if args.demo {
        let catalog = programs.current(store.as_ref()).await?;
        let loaded = demo::load(store.as_ref(), &catalog, clock.today()).await?;
        let issued = local::demo_tokens(&keys)?;
        println!(
            "demo data {}; tokens (valid {} h):",
            if loaded { "loaded" } else { "already present" },
            local::DEMO_TOKEN_SECONDS / 3600
        );
        for (role, token) in &issued {
            println!("  {role:<20} {}", token.as_str().unwrap_or_default());
        }
        tokens = Some(issued);
    }
    // Directory indexing a crash left pending is finished at start and every minute; the
    // deliverables no upload record names are deleted once past their grace, checked hourly.
    tokio::spawn({
        let (store, blobs) = (store.clone(), blobs.clone());
        async move {
            let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
            for minute in 0u64.. {
                every_minute.tick().await;
                let report = if minute % 60 == 0 {
                    let now = std::time::SystemTime::now();
                    maintenance::run(store.as_ref(), blobs.as_ref(), now).await
                } else {
                    maintenance::settle_directory(store.as_ref()).await
                };
                maintenance::log(&report);
            }
        }
    });
    let services = Services {
        store,
        blobs,
        programs,
        clock,
        identity: Identity::Hs256(Box::new(keys)),
    };
    let app = local::app(api::router(services), &args.portal_dir, tokens);
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!("saps-server listening on http://{}", listener.local_addr()?);
    let defaults = serve::Limits::default();
    let limits = serve::Limits {
        header_read_timeout: args
            .header_timeout_secs
            .map_or(defaults.header_read_timeout, std::time::Duration::from_secs),
        max_connections: args
            .max_connections
            .unwrap_or(defaults.max_connections)
            .max(1),
    };
    serve::serve(listener, app, limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    saps_lambda::logging::init();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("saps-server: {error}");
            ExitCode::FAILURE
        }
    }
}
