//! Sign-in throughput and page latency under sign-in load.
//!
//! Run with `cargo bench -p server --bench sign_in` (BENCHMARKS.md explains
//! the figures and the targets). In one run it measures:
//!
//! 1. **Raw argon2 rate**: N threads each calling
//!    `app::server::auth::password::verify_blocking` on a real hash for the
//!    measuring window; verifies per second in total. N is the server's
//!    hasher limit: `GATEHOUSE_PASSWORD_HASHERS`, else the number of cores
//!    (`std::thread::available_parallelism`), as the server decides it.
//! 2. **Sign-in rate**: the real router (`server::router::build`, rate limit
//!    off) over a fresh migrated SQLite database in a temp dir, serving on
//!    127.0.0.1:0; 2×N client tasks post correct credentials to
//!    `/api/staff_sign_in` for the window; successful sign-ins (200 or 302
//!    with a `__Host-gatehouse_session` cookie) per second, and that rate divided by
//!    the raw argon2 rate. Target: at least 0.8.
//! 3. **Page latency**: one signed-in client fetches `GET /admin` (a
//!    server-rendered page) one request after another, first on an idle
//!    server, then while the sign-in load of step 2 runs; p50 and p99 of
//!    each. Target: loaded p99 at most 1.5 × unloaded p99.
//!
//! To explain the figures it also prints where the CPU went during the
//! sign-in window, per group of threads (hashing threads, runtime workers,
//! SQLite threads, load generator, idle), with user and system time and
//! minor page faults, read from `/proc/self/task` (Linux; left out
//! elsewhere), next to the same counters of the raw argon2 loop.
//!
//! The server runs on its own multi-threaded runtime (one worker per core,
//! as `#[tokio::main]` gives `server serve`); the sign-in clients on another;
//! the page probe on a dedicated thread with its own single-threaded
//! runtime, so its timings are never queued behind the load generator's
//! tasks. Everything shares this machine's cores, as a load test on one host
//! does.
//!
//! The result is a report: a failed target prints FAIL but the process still
//! exits 0.
//!
//! Knobs (environment):
//! - `BENCH_DATABASE_URL` (default: a fresh SQLite file): a PostgreSQL server
//!   where the benchmark may create its own database, to compare engines.
//! - `BENCH_SECONDS` (default 8): the window of steps 1 and 2.
//! - `BENCH_PAGE_REQUESTS` (default 1000): page requests per latency run (p99
//!   of 300 would be the third-worst sample: too noisy to compare).
//! - `BENCH_CLIENTS` (default 2×N): concurrent sign-in clients.
//! - `GATEHOUSE_PASSWORD_HASHERS` (default: cores): N, as for the server.

// The test suite's helpers (site stand-in, PostgreSQL database, form encoding).
#[path = "../tests/common/mod.rs"]
mod common;

use app::server::{
    auth::password::{self, PasswordHasher},
    clock::Clock,
    mail::MailSettings,
    services::{organizations, users},
    state::{AppState, SessionSettings},
};
use migrations::{Migrator, MigratorTrait};
use reqwest::{header, StatusCode};
use server::{
    rate_limit::RateLimitSettings,
    router::{self, RouterSettings},
};
use std::{
    collections::{HashMap, HashSet},
    future::Future,
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// The benchmark organization's short name.
const ORG: &str = "bench";
/// The administrator's password.
const PASSWORD: &str = "Bench-Pass-2026!";
/// Target: sign-ins per second at least this share of raw argon2 verifies.
const TARGET_RATIO: f64 = 0.8;
/// Target: loaded page p99 at most this multiple of the unloaded p99.
const TARGET_P99_FACTOR: f64 = 1.5;
/// Page requests before each latency run, not counted.
const PAGE_WARM_UP: usize = 20;
/// Sign-in load before the loaded latency run starts, so it is at full pace.
const LOAD_RAMP: Duration = Duration::from_secs(1);

/// The environment knobs.
struct Knobs {
    window: Duration,
    page_requests: usize,
    hashers: usize,
    clients: usize,
}

fn env_number(name: &str) -> Option<f64> {
    let value = std::env::var(name).ok()?;
    match value.trim().parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Some(n),
        _ => {
            eprintln!("ignoring {name}={value:?}: not a positive number");
            None
        }
    }
}

impl Knobs {
    fn from_env() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let hashers = env_number("GATEHOUSE_PASSWORD_HASHERS").map_or(cores, |n| n as usize);
        Self {
            window: Duration::from_secs_f64(env_number("BENCH_SECONDS").unwrap_or(8.0)),
            page_requests: env_number("BENCH_PAGE_REQUESTS").map_or(1000, |n| n as usize),
            hashers,
            clients: env_number("BENCH_CLIENTS").map_or(2 * hashers, |n| n as usize),
        }
    }
}

fn main() {
    let knobs = Knobs::from_env();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("Gatehouse sign-in benchmark");
    println!(
        "  cores {cores}, hashers N = {}, sign-in clients {}, window {:.1} s, page requests {}",
        knobs.hashers,
        knobs.clients,
        knobs.window.as_secs_f64(),
        knobs.page_requests
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!(
            "  load average before the run: {} (other work on the machine skews every figure)",
            load.join(" ")
        );
    }

    // 1. Raw argon2.
    println!("\n[1/3] raw argon2 verify, {} threads ...", knobs.hashers);
    let raw = raw_verify_rate(knobs.hashers, knobs.window);
    let raw_rate = raw.rate();
    println!("      {raw_rate:.2} verifies/s");
    let raw_per_verify = raw.counters.map(|c| per(c, raw.performed));
    if let Some((cpu, faults)) = raw_per_verify {
        println!(
            "      {:.1} ms CPU and {faults:.0} page faults per verify",
            cpu * 1000.0
        );
    }

    // The server, on a runtime of its own.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("bench-server")
        .build()
        .expect("server runtime");
    // The workers start with the runtime; blocking (hashing) threads come later.
    let workers = Threads::now().map_or_else(HashSet::new, |t| t.named("bench-server"));
    let app = server_rt.block_on(start_server(knobs.hashers));

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("bench-client")
        .build()
        .expect("client runtime");
    let cookie = client_rt.block_on(sign_in_once(&app));

    // 2. Sign-in throughput.
    println!(
        "[2/3] sign-in load, {} clients for {:.1} s ...",
        knobs.clients,
        knobs.window.as_secs_f64()
    );
    let before = Threads::now();
    let (signins, after) = client_rt.block_on(hammer(&app, knobs.clients, async {
        tokio::time::sleep(knobs.window).await;
        Threads::now()
    }));
    signins.print_failures();
    let signin_rate = signins.rate();
    println!(
        "      {signin_rate:.2} sign-ins/s ({} in {:.2} s)",
        signins.ok,
        signins.elapsed.as_secs_f64()
    );
    let available = cores as f64 * signins.elapsed.as_secs_f64();
    let breakdown = before
        .zip(after)
        .map(|(before, after)| Breakdown::between(&before, &after, &workers));
    if let Some(b) = &breakdown {
        b.print(available);
    }
    let server_per_signin = breakdown
        .as_ref()
        .map(|b| per(b.get(Group::Hashing), signins.ok));

    // 3. Page latency: idle, then under sign-in load.
    println!(
        "[3/3] GET /admin x {}, idle then under sign-in load ...",
        knobs.page_requests
    );
    let unloaded = client_rt
        .block_on(probe_on_own_thread(
            app.target.base.clone(),
            cookie.clone(),
            knobs.page_requests,
        ))
        .summary();
    let (loaded_signins, loaded) = client_rt.block_on(hammer(&app, knobs.clients, async {
        tokio::time::sleep(LOAD_RAMP).await;
        probe_on_own_thread(app.target.base.clone(), cookie.clone(), knobs.page_requests).await
    }));
    loaded_signins.print_failures();
    let loaded = loaded.summary();

    // Diagnostic: the same probe beside the raw argon2 loop alone (threads at
    // the hashing threads' background priority, no HTTP traffic), to tell
    // the cost of hashing's mere presence from that of sign-in traffic.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let phc = password::hash_blocking("bench-raw-Password-1").expect("hash");
    let raw_threads: Vec<_> = (0..knobs.hashers)
        .map(|_| {
            let stop = stop.clone();
            let phc = phc.clone();
            std::thread::spawn(move || {
                password::lower_thread_priority();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = password::verify_blocking("bench-raw-Password-1", &phc);
                }
            })
        })
        .collect();
    std::thread::sleep(LOAD_RAMP);
    let beside_hashing = client_rt
        .block_on(probe_on_own_thread(
            app.target.base.clone(),
            cookie.clone(),
            knobs.page_requests,
        ))
        .summary();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in raw_threads {
        let _ = t.join();
    }

    drop(client_rt);
    server_rt.shutdown_timeout(Duration::from_secs(5));
    drop(app);

    // The report.
    let ratio = signin_rate / raw_rate;
    let p99_factor = loaded.p99.as_secs_f64() / unloaded.p99.as_secs_f64();
    let ratio_pass = ratio >= TARGET_RATIO;
    let p99_pass = p99_factor <= TARGET_P99_FACTOR;
    let verdict = |pass: bool| if pass { "PASS" } else { "FAIL" };
    println!();
    println!("| {:<44} | {:>12} | {:<26} |", "measure", "value", "target");
    println!("|{:-<46}|{:->14}|{:-<28}|", "", "", "");
    let row = |name: &str, value: String, target: &str| {
        println!("| {name:<44} | {value:>12} | {target:<26} |");
    };
    row(
        &format!("raw argon2 verifies/s ({} threads)", knobs.hashers),
        format!("{raw_rate:.2}"),
        "",
    );
    row(
        &format!("sign-ins/s ({} clients)", knobs.clients),
        format!("{signin_rate:.2}"),
        "",
    );
    row(
        "sign-in rate / raw argon2 rate",
        format!("{ratio:.3}"),
        &format!(">= {TARGET_RATIO}: {}", verdict(ratio_pass)),
    );
    row("GET /admin p50, idle", ms(unloaded.p50), "");
    row("GET /admin p99, idle", ms(unloaded.p99), "");
    row("GET /admin p50, under sign-in load", ms(loaded.p50), "");
    row("GET /admin p99, under sign-in load", ms(loaded.p99), "");
    row(
        "loaded p99 / idle p99",
        format!("{p99_factor:.2}x"),
        &format!("<= {TARGET_P99_FACTOR}x: {}", verdict(p99_pass)),
    );
    if let (Some((raw_cpu, raw_faults)), Some((server_cpu, server_faults))) =
        (raw_per_verify, server_per_signin)
    {
        row(
            "hashing CPU per verify: raw loop",
            ms(Duration::from_secs_f64(raw_cpu)),
            "",
        );
        row(
            "hashing-thread CPU per sign-in: server",
            ms(Duration::from_secs_f64(server_cpu)),
            "",
        );
        row(
            "page faults per verify: raw loop",
            format!("{raw_faults:.0}"),
            "",
        );
        row(
            "hashing-thread page faults per sign-in",
            format!("{server_faults:.0}"),
            "",
        );
    }
    if let Some(b) = &breakdown {
        row(
            "idle CPU during sign-in load",
            format!(
                "{:.0} %",
                100.0 * (available - b.total()).max(0.0) / available
            ),
            "",
        );
    }
    row(
        "sign-ins/s during the loaded page run",
        format!("{:.2}", loaded_signins.rate()),
        "",
    );
    row(
        "GET /admin p99 beside raw hashing only",
        ms(beside_hashing.p99),
        "diagnostic",
    );
    row("GET /admin max, idle", ms(unloaded.max), "");
    row("GET /admin max, under sign-in load", ms(loaded.max), "");
    println!();
    println!(
        "sign-in throughput: {}; page latency under load: {}",
        verdict(ratio_pass),
        verdict(p99_pass)
    );
}

/// CPU seconds and page faults per unit of `count`.
fn per(c: Counters, count: u64) -> (f64, f64) {
    let n = count.max(1) as f64;
    (c.cpu() / n, c.minor_faults as f64 / n)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// What the raw argon2 loop came to.
struct RawRate {
    /// Verifies that ended within the window.
    verifies: u64,
    /// All verifies run, with the last one of each thread that overran.
    performed: u64,
    window: Duration,
    /// The hashing threads' counters (when `/proc` is there).
    counters: Option<Counters>,
}

impl RawRate {
    fn rate(&self) -> f64 {
        self.verifies as f64 / self.window.as_secs_f64()
    }
}

/// `threads` threads verifying for `window`. Verifies that end after the
/// window are not counted.
fn raw_verify_rate(threads: usize, window: Duration) -> RawRate {
    let phc = password::hash_blocking(PASSWORD).expect("hash the benchmark password");
    let start = Instant::now();
    let deadline = start + window;
    let results: Vec<(u64, Option<Counters>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let phc = phc.as_str();
                scope.spawn(move || {
                    let before = Counters::this_thread();
                    let mut done = 0u64;
                    loop {
                        let ok = password::verify_blocking(PASSWORD, phc).expect("verify");
                        assert!(ok, "the benchmark password verifies");
                        if Instant::now() > deadline {
                            break;
                        }
                        done += 1;
                    }
                    let counters = Counters::this_thread()
                        .zip(before)
                        .map(|(after, before)| after.minus(&before));
                    (done, counters)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("hash thread"))
            .collect()
    });
    let mut counters = Some(Counters::default());
    for (_, c) in &results {
        counters = counters.zip(*c).map(|(mut sum, c)| {
            sum.add(&c);
            sum
        });
    }
    RawRate {
        verifies: results.iter().map(|(done, _)| done).sum(),
        performed: results.iter().map(|(done, _)| done + 1).sum(),
        window,
        counters,
    }
}

/// Where to sign in, and as whom.
struct Target {
    base: String,
    username: String,
}

/// The running server and what it needs to live.
struct BenchApp {
    target: Arc<Target>,
    _db_dir: tempfile::TempDir,
    _site_dir: tempfile::TempDir,
}

/// Starts the real router over a fresh SQLite database with one organization,
/// as `server serve` does but with the rate limit off, on 127.0.0.1:0.
async fn start_server(hashers: usize) -> BenchApp {
    let db_dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("BENCH_DATABASE_URL") {
        // A PostgreSQL server where the benchmark may create a database.
        Ok(admin_url) if !admin_url.trim().is_empty() => {
            common::new_postgres_database(&admin_url, "gatehouse_bench").await
        }
        _ => server::config::sqlite_url(&db_dir.path().join("bench.db")),
    };
    let db = app::server::db::connect(&url)
        .await
        .expect("open the database");
    Migrator::up(&db, None).await.expect("migrate");

    let passwords = PasswordHasher::new(hashers);
    let created = organizations::create(
        &db,
        &passwords,
        organizations::NewOrganization {
            name: "Bench Security".into(),
            slug: ORG.into(),
            agency_prefix: "900".into(),
            admin: users::NewStaffUser {
                first_name: "Ada".into(),
                middle_name: String::new(),
                last_name: "Bench".into(),
                email: None,
                password: PASSWORD.into(),
                must_change_password: false,
            },
        },
        chrono::Utc::now(),
    )
    .await
    .expect("create organization");

    // Leptos needs a site root; stand-in files as the HTTP tests use.
    let (site_dir, leptos_options) = common::test_site();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local address");
    let base = format!("http://{addr}");
    let state = AppState {
        leptos_options,
        db,
        passwords,
        sessions: Arc::new(SessionSettings::default()),
        clock: Clock::System,
        mail: Arc::new(MailSettings::new(base.clone(), false)),
        files: Arc::new(app::server::state::FileSettings {
            dir: site_dir.path().join("documents"),
            max_upload_bytes: app::server::state::FileSettings::DEFAULT_MAX_UPLOAD_BYTES,
            account_quota_bytes: None,
        }),
    };
    let router = router::build(
        state,
        RouterSettings {
            max_body_bytes: 1024 * 1024,
            rate_limit: RateLimitSettings {
                per_minute: 0,
                trusted_proxies: vec![],
            },
            uploads_per_minute: 0,
            metrics_allow: Vec::new(),
        },
    );
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    BenchApp {
        target: Arc::new(Target {
            base,
            username: created.admin_username.to_string(),
        }),
        _db_dir: db_dir,
        _site_dir: site_dir,
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

/// What one sign-in post came to.
enum SignIn {
    /// Signed in: the `name=value` of the session cookie.
    Ok(String),
    /// Anything else, described.
    Failed(String),
}

/// Posts correct credentials as the hydrated sign-in form does.
async fn post_sign_in(http: &reqwest::Client, target: &Target) -> SignIn {
    let body = format!(
        "organization={}&username={}&password={}",
        common::urlencode(ORG),
        common::urlencode(&target.username),
        common::urlencode(PASSWORD)
    );
    let res = http
        .post(format!("{}/api/staff_sign_in", target.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, &target.base)
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .await;
    let res = match res {
        Ok(res) => res,
        Err(e) => return SignIn::Failed(format!("request error: {e}")),
    };
    let status = res.status();
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-gatehouse_session="))
        .map(|c| c.split(';').next().unwrap_or(c).to_string());
    // Read the body so the connection goes back to the pool.
    let _ = res.bytes().await;
    match (status, cookie) {
        (StatusCode::OK | StatusCode::FOUND, Some(cookie)) => SignIn::Ok(cookie),
        (status, cookie) => SignIn::Failed(format!(
            "status {status}, {}",
            if cookie.is_some() {
                "with a session cookie"
            } else {
                "no session cookie"
            }
        )),
    }
}

/// Signs in once and returns the session cookie (`name=value`).
async fn sign_in_once(app: &BenchApp) -> String {
    match post_sign_in(&http_client(), &app.target).await {
        SignIn::Ok(cookie) => cookie,
        SignIn::Failed(why) => panic!("the benchmark user cannot sign in: {why}"),
    }
}

/// The sign-in load's tally.
struct Tally {
    ok: u64,
    failed: u64,
    first_failure: Option<String>,
    elapsed: Duration,
}

impl Tally {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    fn print_failures(&self) {
        if self.failed > 0 {
            println!(
                "      {} sign-ins failed; the first: {}",
                self.failed,
                self.first_failure.as_deref().unwrap_or("?")
            );
        }
    }
}

/// Runs `clients` sign-in loops until `until` completes. Counts the
/// sign-ins that completed by then; those still in flight are waited for,
/// so they don't spill into the next measurement, but not counted.
async fn hammer<F: Future>(app: &BenchApp, clients: usize, until: F) -> (Tally, F::Output) {
    let http = http_client();
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let first_failure = Arc::new(Mutex::new(None::<String>));
    let target = app.target.clone();
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (http, stop, ok, failed, first_failure, target) = (
                http.clone(),
                stop.clone(),
                ok.clone(),
                failed.clone(),
                first_failure.clone(),
                target.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let outcome = post_sign_in(&http, &target).await;
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match outcome {
                        SignIn::Ok(_) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        SignIn::Failed(why) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                            first_failure
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(why);
                        }
                    }
                }
            })
        })
        .collect();
    let output = until.await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = start.elapsed();
    let tally = Tally {
        ok: ok.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        first_failure: first_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(),
        elapsed,
    };
    for task in tasks {
        task.await.expect("sign-in client");
    }
    (tally, output)
}

/// Page latencies, one per request.
struct Latencies(Vec<Duration>);

/// p50, p99 and the slowest of a latency run.
struct Summary {
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Latencies {
    /// Nearest-rank percentiles.
    fn summary(mut self) -> Summary {
        assert!(!self.0.is_empty(), "no page requests were measured");
        self.0.sort_unstable();
        let at = |p: f64| {
            let rank = (p * self.0.len() as f64).ceil() as usize;
            self.0[rank.clamp(1, self.0.len()) - 1]
        };
        Summary {
            p50: at(0.50),
            p99: at(0.99),
            max: self.0[self.0.len() - 1],
        }
    }
}

/// Fetches `GET /admin` `requests` times, one after another, on a thread of
/// its own with its own runtime and connection, after a few unmeasured
/// requests; each time is from sending to the last byte of the page.
async fn probe_on_own_thread(base: String, cookie: String, requests: usize) -> Latencies {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("bench-probe".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("probe runtime");
            let _ = tx.send(rt.block_on(probe(&base, &cookie, requests)));
        })
        .expect("probe thread");
    rx.await.expect("the page probe finished")
}

async fn probe(base: &str, cookie: &str, requests: usize) -> Latencies {
    let http = http_client();
    let url = format!("{base}/admin");
    let mut times = Vec::with_capacity(requests);
    for i in 0..PAGE_WARM_UP + requests {
        let started = Instant::now();
        let res = http
            .get(&url)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, cookie)
            .send()
            .await
            .expect("GET /admin");
        let status = res.status();
        let page = res.text().await.expect("the page's body");
        let took = started.elapsed();
        assert_eq!(status, StatusCode::OK, "GET /admin answers the page");
        assert!(
            page.contains("Bench Security"),
            "GET /admin shows the signed-in page"
        );
        if i >= PAGE_WARM_UP {
            times.push(took);
        }
    }
    Latencies(times)
}

/// One thread's counters, from its `stat` file in `/proc` (Linux).
#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    /// CPU seconds in user mode.
    user: f64,
    /// CPU seconds in the kernel (page faults, system calls).
    system: f64,
    /// Minor page faults: pages touched for the first time since mapped.
    minor_faults: u64,
}

impl Counters {
    fn parse(stat: &str) -> Option<(String, Self)> {
        // /proc reports in USER_HZ, which Linux fixes at 100 per second.
        const TICKS_PER_SECOND: f64 = 100.0;
        let (open, close) = (stat.find('(')?, stat.rfind(')')?);
        let name = stat.get(open + 1..close)?.to_string();
        // After the name: state is field 3, minflt 10, utime 14, stime 15.
        let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
        let number = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
        Some((
            name,
            Self {
                user: number(14)? as f64 / TICKS_PER_SECOND,
                system: number(15)? as f64 / TICKS_PER_SECOND,
                minor_faults: number(10)?,
            },
        ))
    }

    /// The calling thread's counters.
    fn this_thread() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        Self::parse(&stat).map(|(_, c)| c)
    }

    fn cpu(&self) -> f64 {
        self.user + self.system
    }

    fn add(&mut self, other: &Self) {
        self.user += other.user;
        self.system += other.system;
        self.minor_faults += other.minor_faults;
    }

    fn minus(&self, before: &Self) -> Self {
        Self {
            user: self.user - before.user,
            system: self.system - before.system,
            minor_faults: self.minor_faults.saturating_sub(before.minor_faults),
        }
    }
}

/// Every live thread of this process: id, name and counters.
struct Threads(HashMap<u32, (String, Counters)>);

impl Threads {
    fn now() -> Option<Self> {
        let mut threads = HashMap::new();
        for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
            let Ok(tid) = task.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // A thread may end between listing and reading.
            if let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) {
                if let Some(entry) = Counters::parse(&stat) {
                    threads.insert(tid, entry);
                }
            }
        }
        Some(Self(threads))
    }

    fn named(&self, prefix: &str) -> HashSet<u32> {
        self.0
            .iter()
            .filter(|(_, (name, _))| name.starts_with(prefix))
            .map(|(tid, _)| *tid)
            .collect()
    }
}

/// The groups of threads CPU time is reported by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// The server runtime's blocking threads: argon2 (`PasswordHasher`).
    Hashing,
    /// The server runtime's async workers: HTTP, routing, rendering.
    Runtime,
    /// sqlx's SQLite connection threads: the queries.
    Sqlite,
    /// The sign-in clients and the page probe.
    LoadGenerator,
    /// Everything else (the main thread).
    Other,
}

const GROUPS: [(Group, &str); 5] = [
    (Group::Hashing, "server hashing threads (argon2)"),
    (Group::Runtime, "server runtime workers"),
    (Group::Sqlite, "SQLite connection threads"),
    (Group::LoadGenerator, "load generator (clients, probe)"),
    (Group::Other, "other (main thread)"),
];

/// CPU used by each group of threads between two snapshots.
struct Breakdown(Vec<(Group, Counters)>);

impl Breakdown {
    /// `workers` are the server runtime's worker threads, told apart from
    /// its blocking threads (same name) because they exist from the start.
    fn between(before: &Threads, after: &Threads, workers: &HashSet<u32>) -> Self {
        let mut sums: Vec<(Group, Counters)> = GROUPS
            .iter()
            .map(|(g, _)| (*g, Counters::default()))
            .collect();
        for (tid, (name, now)) in &after.0 {
            let grown = match before.0.get(tid) {
                Some((_, then)) => now.minus(then),
                None => *now,
            };
            let group = if name.starts_with("argon2-") {
                Group::Hashing
            } else if name.starts_with("bench-server") {
                if workers.contains(tid) {
                    Group::Runtime
                } else {
                    Group::Hashing
                }
            } else if name.starts_with("sqlx-sqlite") {
                Group::Sqlite
            } else if name.starts_with("bench-client") || name.starts_with("bench-probe") {
                Group::LoadGenerator
            } else {
                Group::Other
            };
            if let Some((_, sum)) = sums.iter_mut().find(|(g, _)| *g == group) {
                sum.add(&grown);
            }
        }
        Self(sums)
    }

    fn get(&self, group: Group) -> Counters {
        self.0
            .iter()
            .find(|(g, _)| *g == group)
            .map_or_else(Counters::default, |(_, c)| *c)
    }

    fn total(&self) -> f64 {
        self.0.iter().map(|(_, c)| c.cpu()).sum()
    }

    fn print(&self, available: f64) {
        println!("      where the CPU went ({available:.2} core-seconds available):");
        for (group, label) in GROUPS {
            let c = self.get(group);
            println!(
                "        {label:<34} {:>6.2} s (user {:.2}, system {:.2}), {} page faults",
                c.cpu(),
                c.user,
                c.system,
                c.minor_faults
            );
        }
        println!(
            "        {:<34} {:>6.2} s",
            "idle",
            (available - self.total()).max(0.0)
        );
    }
}
