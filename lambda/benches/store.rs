//! Store benchmark: operations per second and p50/p99 latency of get, reserve, redeem-batch
//! and directory page on each backend, and directory-page latency with 1k vs 100k partners for
//! every combination of filters (issue 19: the cost of a page must not grow with the
//! directory, least of all when a filter matches few partners).
//!
//! Run with `bash scripts/bench-store.sh` (it starts DynamoDB Local), or
//! `SAPS_DYNAMODB_ENDPOINT=… cargo bench -p saps-lambda --bench store`. Each operation is what
//! the API will do for one request: read, decide with saps-core, commit. `SAPS_BENCH_PARTNERS`
//! overrides the 100k of the large directory.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::NaiveDate;
use saps_core::calendar;
use saps_core::catalog::Catalog;
use saps_core::directory::{self, Profile, SearchForm};
use saps_core::enrollment::Enrollment;
use saps_core::redemption;
use saps_core::value::{Email, LocationId, PartnerId, ProgramId, VoucherNumber};
use saps_core::voucher::{
    self, Actor, AssignForm, ReservationForm, Voucher, VoucherEvent, VoucherState, World,
};
use saps_lambda::store::dynamo::{self, DynamoStore, RequestCounter};
use saps_lambda::store::sqlite::SqliteStore;
use saps_lambda::store::{Commit, Partner, PartnerSave, Store, directory as store_directory};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Requests in flight at once, as a small Lambda fleet or the local server would have.
const CONCURRENCY: usize = 8;

fn catalog() -> &'static Catalog {
    Catalog::sample().expect("catalog")
}

fn date(text: &str) -> NaiveDate {
    calendar::parse_date(text).expect("date")
}

fn today() -> NaiveDate {
    date("2026-06-01")
}

fn admin() -> Actor {
    Actor::PartnerAdmin {
        partner_id: PartnerId::parse("1001").unwrap(),
    }
}

fn enrollment(program: &str) -> Enrollment {
    Enrollment {
        program_id: ProgramId::parse(program).unwrap(),
        location_ids: vec![LocationId::parse("11").unwrap()],
        enrolled_on: date("2026-01-01"),
        expires_on: date("2027-01-01"),
        renewed_on: None,
        withdrawn_on: None,
    }
}

fn assigned(number: &str, state: VoucherState) -> (Voucher, voucher::HistoryEntry) {
    let form = AssignForm {
        voucher_number: Some(number.into()),
        program_id: Some("desktop".into()),
        days: Some(5),
        customer_name: Some("Contoso Ltd".into()),
        admin_email: Some("it-admin@contoso.example".into()),
        partner_id: Some("1001".into()),
        customer_id: None,
    };
    let (mut voucher, mut history) =
        voucher::assign(&form, catalog(), false, date("2026-05-01")).unwrap();
    voucher.state = state;
    history.to = state;
    (voucher, history)
}

/// A deterministic generator: benchmarks need spread, not secrecy.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

struct Figures {
    name: String,
    ops: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    /// DynamoDB requests per operation, where the backend counts them.
    requests: Option<f64>,
    /// Directory entries per page, for directory pages.
    items: Option<f64>,
}

fn figures(name: &str, mut latencies: Vec<Duration>, wall: Duration) -> Figures {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    Figures {
        name: name.to_owned(),
        ops: latencies.len(),
        per_second: latencies.len() as f64 / wall.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        requests: None,
        items: None,
    }
}

/// Runs `op(i)` for every `i` in `0..count` from [`CONCURRENCY`] workers and times each.
async fn measure<F, Fut>(name: &str, count: usize, op: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|w| {
            let op = Arc::clone(&op);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for i in (w..count).step_by(CONCURRENCY) {
                    let t = Instant::now();
                    op(i).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(count);
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    figures(name, latencies, started.elapsed())
}

async fn insert(store: &Arc<dyn Store>, vouchers: Vec<(Voucher, voucher::HistoryEntry)>) {
    let chunks: Vec<Vec<_>> = vouchers.chunks(50).map(<[_]>::to_vec).collect();
    let store = Arc::clone(store);
    measure("(load vouchers)", chunks.len(), move |i| {
        let (store, chunk) = (Arc::clone(&store), chunks[i].clone());
        async move {
            store
                .commit(Commit {
                    new_vouchers: chunk,
                    ..Commit::default()
                })
                .await
                .unwrap();
        }
    })
    .await;
}

/// One partner in `RARE` has the rare country and language.
const RARE: usize = 40;

/// One filter combination of a directory search, and the label its figures are printed under.
#[derive(Clone, Copy)]
struct Filters {
    label: &'static str,
    program: Option<&'static str>,
    country: Option<&'static str>,
    language: Option<&'static str>,
}

impl Filters {
    const fn new(
        label: &'static str,
        program: Option<&'static str>,
        country: Option<&'static str>,
        language: Option<&'static str>,
    ) -> Self {
        Filters {
            label,
            program,
            country,
            language,
        }
    }
}

/// The filter combinations measured: none, each alone, and together; the country and the
/// language are the rare ones, so a page reads far past its matches unless the filter is a
/// key condition.
const FILTERS: [Filters; 6] = [
    Filters::new("no filter", None, None, None),
    Filters::new("program", Some("private-cloud"), None, None),
    Filters::new("country (2.5%)", None, Some("NZ"), None),
    Filters::new("language (2.5%)", None, None, Some("mi")),
    Filters::new("country + language", None, Some("NZ"), Some("mi")),
    Filters::new(
        "program + country + language",
        Some("private-cloud"),
        Some("NZ"),
        Some("mi"),
    ),
];

fn partner(i: usize) -> Partner {
    let programs = ["desktop", "private-cloud", "exchange"];
    let mut partner = Partner::new(PartnerId::parse(&(100_000 + i).to_string()).unwrap());
    partner.version = 1;
    partner.profile = Some(Profile {
        company_name: format!("Partner {:06} Consulting", (i * 7919) % 1_000_003),
        description: "Deployment planning for Microsoft 365, Azure and security".into(),
        website: "https://example.com".into(),
        contact_email: Email::parse("sales@example.com").unwrap(),
        phone: None,
        countries: vec!["US".into(), ["CN", "DE", "FR", "JP"][i % 4].into()],
        languages: vec!["en".into()],
    });
    // One partner in forty also serves New Zealand in Māori: the filters that match few.
    if i.is_multiple_of(RARE)
        && let Some(profile) = partner.profile.as_mut()
    {
        profile.countries.push("NZ".into());
        profile.languages.push("mi".into());
    }
    partner.enrollments = vec![enrollment(programs[i % 3])];
    partner
}

/// Grows the directory to `total` partners (those below `from` exist already).
async fn grow_directory(store: &Arc<dyn Store>, from: usize, total: usize) {
    let store = Arc::clone(store);
    measure("(load partners)", total - from, move |i| {
        let store = Arc::clone(&store);
        async move {
            store
                .commit(Commit {
                    partner: Some(PartnerSave {
                        previous: None,
                        next: partner(from + i),
                    }),
                    ..Commit::default()
                })
                .await
                .unwrap();
        }
    })
    .await;
}

/// Directory pages from random positions among `partners`, through the search the API uses
/// (`store::directory::search`), with one of [`FILTERS`]: pages of 20, or with `lengths`, page
/// `i` as long as `lengths[i]` (at least 1). Also the entries each page returned.
async fn directory_pages(
    store: &Arc<dyn Store>,
    name: &str,
    filters: Filters,
    partners: usize,
    lengths: Option<Arc<Vec<usize>>>,
) -> (Figures, Vec<usize>) {
    let store = Arc::clone(store);
    let returned = Arc::new(std::sync::Mutex::new(vec![0; PAGES]));
    let counted = Arc::clone(&returned);
    let mut row = measure(name, PAGES, move |i| {
        let store = Arc::clone(&store);
        let counted = Arc::clone(&counted);
        let limit = lengths.as_ref().map_or(20, |lengths| lengths[i].max(1));
        async move {
            let mut random = Lcg(i as u64 + 1);
            let at = partner(random.below(partners));
            let profile = at.profile.as_ref().unwrap();
            let form = SearchForm {
                cursor: Some(directory::encode_cursor(
                    &profile.company_name.to_lowercase(),
                    &at.partner_id,
                )),
                program_id: filters.program.map(String::from),
                country: filters.country.map(String::from),
                language: filters.language.map(String::from),
                limit: Some(limit as u64),
            };
            let query = form.parse(catalog()).unwrap();
            let page = store_directory::search(&*store, catalog(), &query, today())
                .await
                .unwrap();
            assert!(page.items.len() <= limit);
            counted.lock().unwrap()[i] = page.items.len();
        }
    })
    .await;
    let returned = returned.lock().unwrap().clone();
    row.items = Some(returned.iter().sum::<usize>() as f64 / PAGES as f64);
    (row, returned)
}

/// A page with each of [`FILTERS`] among `partners`; with `lengths` (one list per filter), pages
/// as long as those. With a `counter` (DynamoDB), each row also says how many requests a page
/// took: the cost that must stay flat as the directory grows.
async fn directory_by_filter(
    store: &Arc<dyn Store>,
    counter: Option<&RequestCounter>,
    partners: usize,
    lengths: Option<&[Vec<usize>]>,
) -> Vec<(Figures, Vec<usize>)> {
    let mut out = Vec::new();
    for (n, filters) in FILTERS.into_iter().enumerate() {
        let matched = lengths.map(|lengths| Arc::new(lengths[n].clone()));
        let name = format!(
            "directory page{}, {}, {}k partners",
            if matched.is_some() {
                " as long as at 1k"
            } else {
                " of 20"
            },
            filters.label,
            partners / 1000
        );
        if let Some(counter) = counter {
            counter.take();
        }
        let (mut row, returned) = directory_pages(store, &name, filters, partners, matched).await;
        row.requests = counter.map(|c| c.take().values().sum::<usize>() as f64 / PAGES as f64);
        out.push((row, returned));
    }
    out
}

/// Pages measured per filter combination and directory size.
const PAGES: usize = 500;

/// One filter's directory pages: at 1k partners, at the large size, and at the large size as
/// long as each page at 1k was (the same work, where the filter matches too few at 1k to fill a
/// page).
struct DirectoryFigures {
    small: Figures,
    large: Figures,
    matched: Figures,
}

/// The operations' figures, and each filter's directory pages.
type BackendFigures = (Vec<Figures>, Vec<DirectoryFigures>);

async fn bench_backend(
    backend: &str,
    store: Arc<dyn Store>,
    counter: Option<&RequestCounter>,
    partners: usize,
) -> BackendFigures {
    eprintln!("{backend}: loading vouchers");
    const RESERVE: usize = 2000;
    const BATCHES: usize = 40;
    let mut vouchers: Vec<_> = (0..RESERVE)
        .map(|i| assigned(&format!("SAPSRES{i:06}"), VoucherState::Assigned))
        .collect();
    vouchers.extend(
        (0..BATCHES * 25).map(|i| assigned(&format!("SAPSRED{i:06}"), VoucherState::Completed)),
    );
    insert(&store, vouchers).await;
    let mut out = Vec::new();

    let s = Arc::clone(&store);
    out.push(
        measure("get voucher", 5000, move |i| {
            let s = Arc::clone(&s);
            async move {
                let number = VoucherNumber::parse(&format!("SAPSRES{:06}", i % RESERVE)).unwrap();
                assert!(s.voucher(&number).await.unwrap().is_some());
            }
        })
        .await,
    );

    let s = Arc::clone(&store);
    out.push(
        measure("reserve (get + core + commit)", RESERVE, move |i| {
            let s = Arc::clone(&s);
            async move {
                let number = VoucherNumber::parse(&format!("SAPSRES{i:06}")).unwrap();
                let current = s.voucher(&number).await.unwrap().unwrap();
                let request = ReservationForm {
                    admin_email: Some("it-admin@contoso.example".into()),
                    accept_terms: Some(true),
                    engagement_start: Some("2026-06-10".into()),
                    engagement_end: Some("2026-06-12".into()),
                    location_id: Some("11".into()),
                    customer_division: None,
                }
                .parse()
                .unwrap();
                let enrollment = enrollment("desktop");
                let program = catalog().program(&current.program_id).unwrap();
                let sites = [saps_core::enrollment::Location {
                    location_id: LocationId::parse("11").unwrap(),
                    name: "Contoso Shanghai".into(),
                    country: Some("CN".into()),
                }];
                let world = World {
                    enrollment: Some(&enrollment),
                    locations: &sites,
                    ..World::new(today(), program)
                };
                let transition = voucher::transition(
                    &current,
                    &VoucherEvent::Reserve(request),
                    &admin(),
                    &world,
                )
                .unwrap();
                s.commit(Commit {
                    transitions: vec![transition],
                    ..Commit::default()
                })
                .await
                .unwrap();
            }
        })
        .await,
    );

    let s = Arc::clone(&store);
    out.push(
        measure(
            "redeem batch of 25 (batch get + core + commit)",
            BATCHES,
            move |i| {
                let s = Arc::clone(&s);
                async move {
                    let selection: Vec<VoucherNumber> = (i * 25..i * 25 + 25)
                        .map(|n| VoucherNumber::parse(&format!("SAPSRED{n:06}")).unwrap())
                        .collect();
                    let current = s.vouchers(&selection).await.unwrap();
                    let transitions = redemption::redeem(
                        &selection,
                        &current,
                        &[enrollment("desktop")],
                        &admin(),
                        catalog(),
                        today(),
                    )
                    .unwrap();
                    s.commit(Commit {
                        transitions,
                        ..Commit::default()
                    })
                    .await
                    .unwrap();
                }
            },
        )
        .await,
    );

    eprintln!("{backend}: directory of 1,000 partners");
    grow_directory(&store, 0, 1000).await;
    // Warm up (DynamoDB Local's JIT, SQLite's page cache) so the two sizes compare fairly.
    directory_by_filter(&store, counter, 1000, None).await;
    let (small, lengths): (Vec<_>, Vec<_>) = directory_by_filter(&store, counter, 1000, None)
        .await
        .into_iter()
        .unzip();
    eprintln!("{backend}: directory of {partners} partners (loading)");
    let load = Instant::now();
    grow_directory(&store, 1000, partners).await;
    eprintln!("{backend}: loaded in {:.0?}", load.elapsed());
    // The same warm-up: right after the load, DynamoDB Local's first pages take hundreds of ms.
    directory_by_filter(&store, counter, partners, None).await;
    let large = directory_by_filter(&store, counter, partners, None).await;
    let matched = directory_by_filter(&store, counter, partners, Some(&lengths)).await;
    let directory = small
        .into_iter()
        .zip(large)
        .zip(matched)
        .map(|((small, (large, _)), (matched, _))| DirectoryFigures {
            small,
            large,
            matched,
        })
        .collect();
    (out, directory)
}

fn report(backend: &str, rows: &[Figures], directory: &[DirectoryFigures]) {
    println!("\n### {backend} ({CONCURRENCY} concurrent callers)\n");
    println!("| operation | ops | ops/s | p50 | p99 |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let all = rows.iter().chain(
        directory
            .iter()
            .flat_map(|d| [&d.small, &d.large, &d.matched]),
    );
    for row in all {
        println!(
            "| {} | {} | {:.0} | {:.2} ms | {:.2} ms |",
            row.name,
            row.ops,
            row.per_second,
            row.p50.as_secs_f64() * 1e3,
            row.p99.as_secs_f64() * 1e3
        );
    }
    println!(
        "\n| directory page | p50 ratio, large / 1k partners | p99 ratio | entries per page, 1k → large | requests per page, 1k → large | p50 ratio, pages as long as at 1k | p99 ratio | their requests per page |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let shown = |figure: Option<f64>| figure.map_or("n/a".into(), |f| format!("{f:.2}"));
    let ratio = |large: Duration, small: Duration| large.as_secs_f64() / small.as_secs_f64();
    for (filters, d) in FILTERS.iter().zip(directory) {
        println!(
            "| {} | {:.2} | {:.2} | {} → {} | {} → {} | {:.2} | {:.2} | {} |",
            filters.label,
            ratio(d.large.p50, d.small.p50),
            ratio(d.large.p99, d.small.p99),
            shown(d.small.items),
            shown(d.large.items),
            shown(d.small.requests),
            shown(d.large.requests),
            ratio(d.matched.p50, d.small.p50),
            ratio(d.matched.p99, d.small.p99),
            shown(d.matched.requests),
        );
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let partners: usize = std::env::var("SAPS_BENCH_PARTNERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let only = std::env::var("SAPS_BENCH_BACKEND").ok();
    let wants = |name: &str| only.as_deref().is_none_or(|o| o == name);

    if wants("sqlite") {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let (rows, directory) = bench_backend("sqlite", store, None, partners).await;
        report("SQLite (embedded, file in a temp dir)", &rows, &directory);
    }
    if wants("dynamodb") {
        let endpoint = std::env::var("SAPS_DYNAMODB_ENDPOINT")
            .expect("SAPS_DYNAMODB_ENDPOINT (scripts/bench-store.sh starts DynamoDB Local)");
        let counter = RequestCounter::new();
        let client = dynamo::local_client_with(&endpoint, Some(counter.clone()));
        let store = DynamoStore::new(client, "saps-bench");
        store.create_table().await.unwrap();
        let (rows, directory) =
            bench_backend("dynamodb", Arc::new(store), Some(&counter), partners).await;
        report(
            "DynamoDB (AWS DynamoDB Local 1.25, in memory, on this machine)",
            &rows,
            &directory,
        );
    }
}
